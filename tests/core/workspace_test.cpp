#include "leadkit/workspace.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "fixtures.hpp"
#include "leadkit/iso_time.hpp"
#include "leadkit/model.hpp"
#include "leadkit/sample.hpp"

namespace leadkit {
namespace {

using nlohmann::json;
using testing::Fixture;
using testing::FixtureWorkspace;
using testing::kNow;

// Every case of tests/fixtures/bad_leads.json, also run by the JS tests.
class BadInput : public ::testing::TestWithParam<json> {};

TEST_P(BadInput, IsReportedWithItsLocationAndChangesNothing) {
  const json& c = GetParam();
  Workspace ws;
  ASSERT_EQ(ws.Load(Fixture("leads.json"), kNow).loaded, 5u);
  const json before = ws.Export();

  const LoadReport report =
      c.contains("text") ? ws.LoadJson(c["text"].get<std::string>(), kNow) : ws.Load(c["input"], kNow);
  EXPECT_EQ(report.loaded, 0u);
  ASSERT_FALSE(report.errors.empty());
  EXPECT_EQ(report.errors[0].path, c["path"]);
  EXPECT_NE(report.errors[0].message.find(c["message"].get<std::string>()), std::string::npos)
      << report.errors[0].message;
  EXPECT_EQ(ws.Export(), before);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, BadInput, ::testing::ValuesIn(testing::FixtureCases("bad_leads.json")),
                         testing::CaseName());

TEST(Workspace, ALoadWithOneBadLeadLandsNothing) {
  Workspace ws;
  json leads = SampleLeads(100, 7, kNow);
  leads[57]["employees"] = "many";
  const LoadReport report = ws.Load(leads, kNow);
  EXPECT_EQ(report.loaded, 0u);
  ASSERT_EQ(report.errors.size(), 1u);
  EXPECT_EQ(report.errors[0].ToString(), "leads[57].employees: expected a non-negative integer, got \"many\"");
  EXPECT_EQ(ws.store().size(), 0u);
}

TEST(Workspace, MalformedJsonGivesLineAndColumn) {
  Workspace ws;
  const LoadReport report = ws.LoadJson("[\n{\"id\": \"a\" \"company\": \"x\"}]", kNow);
  EXPECT_EQ(report.line, 2);
  EXPECT_EQ(report.column, 20);  // the last character of the unexpected token
  EXPECT_EQ(ws.store().size(), 0u);
}

TEST(Workspace, ASyntaxErrorLaterInTheFileOutranksProblemsInEarlierLeads) {
  // Leads are validated as they stream past, so leads[0]'s problem is found first; the broken
  // text after it must still be what the user hears about, with its line.
  Workspace ws;
  const LoadReport report =
      ws.LoadJson("[{\"company\": \"A\", \"employees\": -1},\n {\"company\": \"B\"} {]", kNow);
  ASSERT_EQ(report.errors.size(), 1u);
  EXPECT_NE(report.errors[0].message.find("malformed JSON at line 2"), std::string::npos)
      << report.errors[0].message;
  EXPECT_EQ(ws.store().size(), 0u);
}

TEST(Workspace, ReadsABackupWhateverTheOrderOfItsKeysAndAByteOrderMark) {
  Workspace ws;
  const std::string text =
      "\xEF\xBB\xBF{\"leads\": [{\"company\": \"A\", \"source\": \"podcast\"}], \"version\": 1,"
      " \"channels\": {\"podcast\": \"inbound\"}, \"format\": \"leadkit-workspace\"}";
  const LoadReport report = ws.LoadJson(text, kNow);
  ASSERT_TRUE(report.errors.empty()) << report.errors[0].ToString();
  EXPECT_EQ(report.loaded, 1u);
  EXPECT_EQ(ws.channels().Find("podcast"), Direction::kInbound);
}

TEST(Workspace, ExportThenLoadRestoresTheSameWorkspace) {
  Workspace ws;
  ASSERT_TRUE(ws.SetChannels({{"podcast", "inbound"}}).ok());
  json leads = SampleLeads(300, 3, kNow);
  leads[0]["source"] = "podcast";
  ASSERT_EQ(ws.Load(leads, kNow).loaded, 300u);
  ASSERT_TRUE(ws.Remove(leads[10]["id"].get<std::string>()));
  const json backup = ws.Export();
  EXPECT_EQ(backup["format"], "leadkit-workspace");
  EXPECT_EQ(backup["version"], kBackupVersion);

  Workspace restored;
  const LoadReport report = restored.LoadJson(backup.dump(), kNow + 999);
  ASSERT_TRUE(report.errors.empty()) << report.errors[0].ToString();
  EXPECT_EQ(report.loaded, 299u);
  EXPECT_EQ(restored.Export(), backup);
  EXPECT_EQ(restored.channels().Find("podcast"), Direction::kInbound);
}

TEST(Workspace, ExportTextIsTheBackupsTextByteForByte) {
  Workspace ws;
  EXPECT_EQ(ws.ExportText(), ws.Export().dump());  // empty
  ASSERT_TRUE(ws.SetChannels({{"podcast", "inbound"}}).ok());
  json leads = SampleLeads(200, 5, kNow);
  leads[3]["company"] = "Ünïcødé \"quoted\" <b>co</b>";
  ASSERT_EQ(ws.Load(leads, kNow).loaded, 200u);
  EXPECT_EQ(ws.ExportText(), ws.Export().dump());
  ASSERT_TRUE(ws.SetPipeline({{"framework", "meddic"}}).ok());
  ASSERT_TRUE(ws.SetScoringModel(ws.model().normalized()).ok());
  EXPECT_EQ(ws.ExportText(), ws.Export().dump());
}

TEST(Workspace, AssignsIdsToLeadsWithoutOne) {
  Workspace ws;
  ASSERT_EQ(ws.Load(json::parse(R"([{"id": "lead-1", "company": "A"}, {"company": "B"}])"), kNow).loaded, 2u);
  const auto id = ws.Upsert({{"company", "C"}}, kNow);
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(ws.store().size(), 3u);
  EXPECT_NE(id.value(), "lead-1");
  EXPECT_EQ((*ws.GetJson(id.value()))["company"], "C");
}

TEST(Workspace, UpsertReportsTheFirstProblemWithItsPath) {
  Workspace ws;
  const auto r = ws.Upsert({{"company", "A"}, {"employees", "ten"}}, kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().ToString(), "lead.employees: expected a non-negative integer, got \"ten\"");
  EXPECT_EQ(ws.store().size(), 0u);
}

TEST(Workspace, SetChannelsRejectsBadDirectionsAndKeepsTheMap) {
  Workspace ws;
  const auto s = ws.SetChannels({{"podcast", "sideways"}});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().where.path, "channels.podcast");
  EXPECT_FALSE(ws.channels().Find("podcast").has_value());
}

TEST(SampleLeads, AreDeterministicValidAndPlausiblyMixed) {
  const json a = SampleLeads(600, 2026, kNow);
  EXPECT_EQ(a, SampleLeads(600, 2026, kNow));
  EXPECT_NE(a, SampleLeads(600, 2027, kNow));
  Workspace ws;
  const LoadReport report = ws.Load(a, kNow);
  ASSERT_TRUE(report.errors.empty()) << report.errors[0].ToString();
  ASSERT_EQ(report.loaded, 600u);
  const json s = ws.Summary(json::object()).value();
  const double inbound = s["byDirection"]["inbound"].get<double>() / 600;
  EXPECT_GT(inbound, 0.5);
  EXPECT_LT(inbound, 0.75);
  for (const char* stage : {"new", "nurturing", "mql", "sql", "opportunity", "customer", "lost", "disqualified"}) {
    EXPECT_GT(s["byStage"].value(stage, 0), 10) << stage;
  }
  EXPECT_GE(s["bySource"].size(), 14u);
  EXPECT_GT(ws.Query({{"filter", {{"industry", "SaaS"}}}}).value()["total"], 60);
  EXPECT_GT(ws.Query({{"filter", {{"employees", {{"min", 1000}}}}}}).value()["total"], 60);
}

// Scores in queries are those at the start of now's minute; a whole minute makes them equal to
// ScoreAll's at the same time.
constexpr int64_t kMinuteNow = kNow - kNow % 60'000;

Workspace SampleWorkspace(size_t n) {
  Workspace ws;
  EXPECT_EQ(ws.Load(SampleLeads(n, 7, kMinuteNow), kMinuteNow).loaded, n);
  return ws;
}

json AllRows(const Workspace& ws, json query) {
  query["now"] = kMinuteNow;
  query["limit"] = 100'000;
  auto r = ws.Query(query);
  EXPECT_TRUE(r.ok()) << r.error().ToString();
  return r.ok() ? r.value()["rows"] : json::array();
}

TEST(Workspace, FilteringByGradesReturnsExactlyTheLeadsScoreAllGivesThoseGrades) {
  const Workspace ws = SampleWorkspace(3000);
  const json all = ws.ScoreAll(kMinuteNow);
  std::set<std::string> expected;
  for (size_t i = 0; i < all["ids"].size(); ++i) {
    if (all["grade"][i] == "A+" || all["grade"][i] == "A") expected.insert(all["ids"][i]);
  }
  ASSERT_GT(expected.size(), 10u);
  ASSERT_LT(expected.size(), 3000u);
  std::set<std::string> got;
  for (const json& row : AllRows(ws, {{"filter", {{"grade", {"A+", "A"}}}}})) {
    EXPECT_TRUE(row["score"]["grade"] == "A+" || row["score"]["grade"] == "A");
    got.insert(row["id"]);
  }
  EXPECT_EQ(got, expected);
  const json one = ws.Query({{"filter", {{"grade", "A"}}}, {"now", kMinuteNow}}).value();
  EXPECT_EQ(one["total"], std::count(all["grade"].begin(), all["grade"].end(), json("A")));
  const json summary = ws.Summary({{"filter", {{"grade", {"A+", "A"}}}}, {"now", kMinuteNow}}).value();
  EXPECT_EQ(summary["total"], expected.size());
}

TEST(Workspace, SortingByScoreDescendingIsNonIncreasingWithTiesById) {
  const Workspace ws = SampleWorkspace(3000);
  const json rows = AllRows(ws, {{"sort", {{"field", "score"}, {"order", "desc"}}}});
  ASSERT_EQ(rows.size(), 3000u);
  size_t ties = 0;
  for (size_t i = 1; i < rows.size(); ++i) {
    const double a = rows[i - 1]["score"]["total"], b = rows[i]["score"]["total"];
    ASSERT_GE(a, b) << i;
    if (a == b) {
      ++ties;
      ASSERT_LT(rows[i - 1]["id"].get<std::string>(), rows[i]["id"].get<std::string>()) << i;
    }
  }
  EXPECT_GT(ties, 0u);  // otherwise the tie-break went untested
  // Every row's score is the lead's own, and a page continues where the last one ended.
  for (size_t i = 0; i < rows.size(); i += 211) {
    const json one = ws.Score(rows[i]["id"].get<std::string>(), kMinuteNow).value();
    for (const char* key : {"total", "fit", "engagement", "grade"}) EXPECT_EQ(rows[i]["score"][key], one[key]);
  }
  const json page = ws.Query({{"sort", {{"field", "score"}, {"order", "desc"}}}, {"offset", 50},
                              {"limit", 50}, {"now", kMinuteNow}}).value();
  for (size_t i = 0; i < 50; ++i) EXPECT_EQ(page["rows"][i]["id"], rows[50 + i]["id"]);
}

TEST(Workspace, ScoreRangesAndGradeSortUseTheScoringModelsFigures) {
  const Workspace ws = SampleWorkspace(2000);
  const json all = ws.ScoreAll(kMinuteNow);
  size_t in_range = 0;
  for (size_t i = 0; i < all["ids"].size(); ++i) {
    const double fit = all["fit"][i], engagement = all["engagement"][i];
    in_range += fit >= 40 && engagement <= 30;
  }
  const json r = ws.Query({{"filter", {{"fit", {{"min", 40}}}, {"engagement", {{"max", 30}}}}}, {"now", kMinuteNow}}).value();
  EXPECT_EQ(r["total"], in_range);
  const json by_grade = AllRows(ws, {{"sort", {{"field", "grade"}, {"order", "desc"}}}});
  int best = 0;
  for (const json& g : all["grade"]) best = std::max(best, *ParseGrade(g.get<std::string>()));
  EXPECT_EQ(by_grade[0]["score"]["grade"], GradeName(best));
  for (size_t i = 1; i < by_grade.size(); ++i) {
    ASSERT_GE(*ParseGrade(by_grade[i - 1]["score"]["grade"].get<std::string>()),
              *ParseGrade(by_grade[i]["score"]["grade"].get<std::string>())) << i;
  }
}

TEST(Workspace, QueryScoresFollowAnUpsertsNewEventsANewScoringModelAndTheMinute) {
  Workspace ws = FixtureWorkspace();
  const auto score_of = [&ws](const std::string& id, int64_t now) {
    const json rows = ws.Query({{"filter", {{"id", id}}}, {"now", now}}).value()["rows"];
    return rows.empty() ? json() : rows[0]["score"];
  };
  const json before = score_of("L-002", kMinuteNow);
  EXPECT_EQ(before["total"], ws.Score("L-002", kMinuteNow).value()["total"]);

  json lead = *ws.GetJson("L-002");
  for (int i = 1; i <= 6; ++i) {
    lead["events"].push_back({{"type", "pricing_view"}, {"at", FormatIsoTime(kMinuteNow - i * 3'600'000)}});
  }
  ASSERT_TRUE(ws.Upsert(lead, kMinuteNow).ok());
  const json after = score_of("L-002", kMinuteNow);
  EXPECT_GT(after["engagement"].get<double>(), before["engagement"].get<double>());
  EXPECT_EQ(after["total"], ws.Score("L-002", kMinuteNow).value()["total"]);
  EXPECT_EQ(ws.Query({{"filter", {{"engagement", {{"min", after["engagement"]}}}}}, {"now", kMinuteNow}})
                .value()["rows"][0]["id"], "L-002");

  ASSERT_TRUE(ws.SetScoringModel({{"rules", "rule \"Logistics\" when industry in [\"Logistics\"] then +30"}}).ok());
  const json remodelled = score_of("L-002", kMinuteNow);
  EXPECT_EQ(remodelled["total"], ws.Score("L-002", kMinuteNow).value()["total"]);
  EXPECT_NE(remodelled["total"], after["total"]);

  // Within the minute the cached scores stand; two months later engagement has decayed.
  EXPECT_EQ(score_of("L-002", kMinuteNow + 59'999), remodelled);
  const json later = score_of("L-002", kMinuteNow + 60 * kMsPerDay);
  EXPECT_LT(later["engagement"].get<double>(), remodelled["engagement"].get<double>());
  EXPECT_EQ(later["total"], ws.Score("L-002", kMinuteNow + 60 * kMsPerDay).value()["total"]);

  ASSERT_TRUE(ws.Remove("L-001"));
  EXPECT_EQ(ws.Query({{"sort", {{"field", "score"}}}, {"now", kMinuteNow}}).value()["total"], 4);
}


// Pages past the first few hundred rows slice one cached full sort: they must be the same pages
// a fresh sort gives, and the cache must not outlive a change of leads, model or minute.
TEST(Workspace, DeepPagesFollowTheSortAndEveryChange) {
  Workspace ws = SampleWorkspace(2000);
  const auto ids = [](const json& rows) {
    std::vector<std::string> out;
    for (const json& r : rows) out.push_back(r["id"]);
    return out;
  };
  const auto page = [&ws](const json& sort, size_t offset, int64_t now = kMinuteNow) {
    return ws.Query({{"sort", sort}, {"offset", offset}, {"limit", 100}, {"now", now}}).value()["rows"];
  };
  // By score, descending, ties by id: the order computed here from ScoreAll.
  const auto expected_by_score = [&ws](int64_t now) {
    const json all = ws.ScoreAll(now);
    std::vector<std::pair<double, std::string>> keyed;
    for (size_t i = 0; i < all["ids"].size(); ++i) keyed.emplace_back(-all["total"][i].get<double>(), all["ids"][i]);
    std::sort(keyed.begin(), keyed.end());
    std::vector<std::string> out;
    for (const auto& k : keyed) out.push_back(k.second);
    return out;
  };
  const json by_score = {{"field", "score"}, {"order", "desc"}};
  std::vector<std::string> want = expected_by_score(kMinuteNow);
  for (size_t offset : {0, 450, 1200, 1950}) {
    const auto got = ids(page(by_score, offset));
    ASSERT_EQ(got.size(), std::min<size_t>(100, 2000 - offset));
    EXPECT_EQ(got, std::vector<std::string>(want.begin() + offset, want.begin() + offset + got.size())) << offset;
  }
  // Sixty days on, engagement has decayed and the same deep page is sorted by the new scores.
  const int64_t later = kMinuteNow + 60 * kMsPerDay;
  want = expected_by_score(later);
  EXPECT_EQ(ids(page(by_score, 1200, later)), std::vector<std::string>(want.begin() + 1200, want.begin() + 1300));

  // By company, ascending: a lead upserted to sort first pushes every deep page down by one, and
  // removing it pulls them back.
  const json by_company = {{"field", "company"}, {"order", "asc"}};
  const auto before = ids(page(by_company, 1000));
  json first = *ws.GetJson(before[0]);
  first.erase("id");
  first["email"] = "first@aaa.example";
  first["company"] = "AAA first of all";
  const std::string id = ws.Upsert(first, kMinuteNow).value();
  const auto shifted = ids(page(by_company, 1001));
  EXPECT_EQ(shifted, before);
  EXPECT_EQ(page(by_company, 0)[0]["id"], id);
  ASSERT_TRUE(ws.Remove(id));
  EXPECT_EQ(ids(page(by_company, 1000)), before);

  // A new scoring model reorders the score sort.
  ASSERT_TRUE(ws.SetScoringModel({{"rules", "rule \"Logistics\" when industry in [\"Logistics\"] then +60"}}).ok());
  want = expected_by_score(kMinuteNow);
  EXPECT_EQ(ids(page(by_score, 600)), std::vector<std::string>(want.begin() + 600, want.begin() + 700));
  // A filter is part of what the order is kept for.
  const json filtered = ws.Query({{"filter", {{"stage", "new"}}}, {"sort", by_score}, {"offset", 500},
                                  {"limit", 100}, {"now", kMinuteNow}}).value();
  for (const json& r : filtered["rows"]) EXPECT_EQ(r["stage"], "new");
  EXPECT_LT(filtered["total"].get<size_t>(), 2000u);
}

TEST(Workspace, RowViewCarriesTheTablesColumnsAsTheFullLeadHasThem) {
  const Workspace ws = SampleWorkspace(800);
  const json q = {{"sort", {{"field", "createdAt"}, {"order", "desc"}}}, {"offset", 300}, {"limit", 300}, {"now", kMinuteNow}};
  json slim_q = q;
  slim_q["view"] = "row";
  const json full = ws.Query(q).value()["rows"];
  const json slim = ws.Query(slim_q).value()["rows"];
  ASSERT_EQ(slim.size(), 300u);
  const std::set<std::string> columns = {"id", "firstName", "lastName", "email", "company", "industry", "country",
                                         "source", "direction", "stage", "stageReason", "dealValue", "currency",
                                         "tags", "createdAt", "touchCount", "lastTouchAt", "score"};
  size_t touched = 0;
  for (size_t i = 0; i < slim.size(); ++i) {
    for (const auto& [key, value] : slim[i].items()) {
      EXPECT_TRUE(columns.count(key)) << key;
      if (key != "touchCount" && key != "lastTouchAt") {
        EXPECT_EQ(value, full[i][key]) << key;
      }
    }
    for (const char* key : {"id", "email", "company", "stage", "source", "score", "createdAt"}) {
      EXPECT_EQ(slim[i].contains(key), full[i].contains(key)) << key;
    }
    const json& touches = full[i]["touches"];
    EXPECT_EQ(slim[i]["touchCount"], touches.size());
    std::string last;
    for (const json& t : touches) last = std::max(last, t["at"].get<std::string>());
    if (last.empty()) {
      EXPECT_FALSE(slim[i].contains("lastTouchAt"));
    } else {
      EXPECT_EQ(slim[i]["lastTouchAt"], last);
      ++touched;
    }
  }
  EXPECT_GT(touched, 10u);  // otherwise lastTouchAt went untested
  const auto bad = ws.Query({{"view", "compact"}});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().where.path, "view");
}

// A page neither sorted nor filtered by a score is scored on its own, not by scoring every lead
// (the leads table's first screen): its scores and probabilities must be the whole store's.
TEST(Workspace, APageNotSortedByScoreCarriesTheScoresAndProbabilitiesOfScoringEveryLead) {
  Workspace ws = SampleWorkspace(3000);
  const auto trained = Train(ws, json::object(), kMinuteNow);
  ASSERT_TRUE(trained.ok()) << trained.error().ToString();
  const auto model = PredictiveModel::FromJson(trained.value()["model"]);
  ASSERT_TRUE(model.ok());
  const PredictiveModel& predictive = model.value();
  const json by_created = {{"field", "createdAt"}, {"order", "desc"}};
  const auto page = [&](size_t offset) {
    return ws.Query({{"sort", by_created}, {"offset", offset}, {"limit", 100}, {"now", kMinuteNow}}, &predictive)
        .value()["rows"];
  };
  // The first page while no whole-store column exists (scored on its own), then a deep one (which
  // fills the columns and slices them).
  const json first = page(0), deep = page(1200);
  const json all = ws.ScoreAll(kMinuteNow);
  const json predicted = predictive.PredictAll(ws, kMinuteNow);
  std::map<std::string, size_t> at;
  for (size_t i = 0; i < all["ids"].size(); ++i) at[all["ids"][i]] = i;
  std::map<std::string, size_t> predicted_at;
  for (size_t i = 0; i < predicted["ids"].size(); ++i) predicted_at[predicted["ids"][i]] = i;
  for (const json* rows : {&first, &deep}) {
    ASSERT_EQ(rows->size(), 100u);
    for (const json& row : *rows) {
      const size_t i = at.at(row["id"]);
      EXPECT_EQ(row["score"]["total"], all["total"][i]) << row["id"];
      EXPECT_EQ(row["score"]["fit"], all["fit"][i]) << row["id"];
      EXPECT_EQ(row["score"]["engagement"], all["engagement"][i]) << row["id"];
      EXPECT_EQ(row["score"]["grade"], all["grade"][i]) << row["id"];
      EXPECT_DOUBLE_EQ(row["probability"].get<double>(),
                       predicted["probability"][predicted_at.at(row["id"])].get<double>()) << row["id"];
    }
  }
  // Once a score sort has filled the whole columns, the same pages read them and agree.
  ASSERT_TRUE(ws.Query({{"sort", {{"field", "score"}, {"order", "desc"}}}, {"limit", 10}, {"now", kMinuteNow}}, &predictive).ok());
  EXPECT_EQ(page(0), first);
  EXPECT_EQ(page(1200), deep);
  // A change is scored on the next page.
  json lead = ws.GetJson(first[0]["id"].get<std::string>()).value();
  lead["employees"] = 5000;
  lead["title"] = "Chief Executive Officer";
  ASSERT_TRUE(ws.Upsert(lead, kMinuteNow).ok());
  const json again = page(0);
  EXPECT_EQ(again[0]["score"], ws.Query({{"filter", {{"id", first[0]["id"]}}}, {"sort", {{"field", "score"}}},
                                         {"now", kMinuteNow}}).value()["rows"][0]["score"]);
  EXPECT_NE(again[0]["score"], first[0]["score"]);
}

}  // namespace
}  // namespace leadkit
