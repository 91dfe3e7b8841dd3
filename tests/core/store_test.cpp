#include "leadkit/store.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "fixtures.hpp"
#include "leadkit/sample.hpp"
#include "leadkit/workspace.hpp"

namespace leadkit {
namespace {

using nlohmann::json;
using testing::Fixture;
using testing::FixtureWorkspace;
using testing::kNow;


// Every case of tests/fixtures/queries.json, also run by tests/js/engine.test.mjs.
class QueryFixture : public ::testing::TestWithParam<json> {};

TEST_P(QueryFixture, ReturnsTheExpectedTotalAndOrder) {
  const json& c = GetParam();
  const Workspace ws = FixtureWorkspace();
  const auto result = ws.Query(c["query"]);
  ASSERT_TRUE(result.ok()) << result.error().ToString();
  EXPECT_EQ(result.value()["total"], c["total"]);
  std::vector<std::string> ids;
  for (const json& row : result.value()["rows"]) ids.push_back(row["id"]);
  EXPECT_EQ(json(ids), c["ids"]);
}

INSTANTIATE_TEST_SUITE_P(Queries, QueryFixture, ::testing::ValuesIn(testing::FixtureCases("queries.json")),
                         testing::CaseName());

TEST(Store, UpsertReplacesTheLeadWithTheSameId) {
  Workspace ws = FixtureWorkspace();
  ASSERT_TRUE(ws.Upsert({{"id", "L-002"}, {"company", "Brightline GmbH"}, {"stage", "mql"}}, kNow).ok());
  EXPECT_EQ(ws.store().size(), 5u);
  const json lead = *ws.GetJson("L-002");
  EXPECT_EQ(lead["company"], "Brightline GmbH");
  EXPECT_EQ(lead["stage"], "mql");
  EXPECT_FALSE(lead.contains("firstName"));  // an upsert replaces the whole lead
  EXPECT_EQ(lead["createdAt"], "2026-10-10T00:00:00Z");  // but keeps when it was created
}

TEST(Store, RemoveKeepsEveryOtherLeadIntactAndFindable) {
  Workspace ws = FixtureWorkspace();
  const json before = *ws.GetJson("L-005");
  EXPECT_TRUE(ws.Remove("L-001"));  // a row in the middle: the last row moves into its place
  EXPECT_FALSE(ws.Remove("L-001"));
  EXPECT_EQ(ws.store().size(), 4u);
  EXPECT_FALSE(ws.GetJson("L-001").has_value());
  EXPECT_EQ(*ws.GetJson("L-005"), before);
  EXPECT_EQ(ws.Query({{"search", "helix"}}).value()["total"], 0);
  EXPECT_EQ(ws.Query({{"filter", {{"tags", "priority"}}}}).value()["total"], 1);
}

TEST(Store, DictionaryEncodesCategoricalColumns) {
  Dictionary d;
  EXPECT_EQ(d.Intern(""), 0u);
  const uint32_t saas = d.Intern("SaaS");
  EXPECT_EQ(d.Intern("SaaS"), saas);
  EXPECT_NE(d.Intern("Fintech"), saas);
  EXPECT_EQ(d.Get(saas), "SaaS");
  EXPECT_EQ(d.size(), 3u);
}

TEST(Store, QueryRejectsUnknownFieldsAndBadValuesNamingThem) {
  const Workspace ws = FixtureWorkspace();
  const auto unknown = ws.Query({{"filter", {{"colour", "red"}}}});
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().where.path, "filter.colour");
  EXPECT_NE(unknown.error().message.find("unknown field \"colour\""), std::string::npos);
  const auto sort = ws.Query({{"sort", {{"field", "shoeSize"}}}});
  ASSERT_FALSE(sort.ok());
  EXPECT_EQ(sort.error().where.path, "sort.field");
  const auto range = ws.Query({{"filter", {{"employees", {{"min", "many"}}}}}});
  ASSERT_FALSE(range.ok());
  EXPECT_EQ(range.error().where.path, "filter.employees.min");
  const auto stage = ws.Query({{"filter", {{"stage", "hot"}}}});
  ASSERT_FALSE(stage.ok());
  EXPECT_EQ(stage.error().where.path, "filter.stage");
  EXPECT_FALSE(ws.Query({{"limit", -1}}).ok());
  EXPECT_FALSE(ws.Query({{"limits", 5}}).ok());
}

TEST(Store, QueryErrorsListTheScoreFieldsAndRefuseThemWithoutNowOrAModel) {
  const Workspace ws = FixtureWorkspace();
  const auto unknown = ws.Query({{"filter", {{"colour", "red"}}}});
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message.find("score, fit, engagement, grade, probability"), std::string::npos)
      << unknown.error().message;
  const auto grade = ws.Query({{"filter", {{"grade", {"A", "Z"}}}}, {"now", kNow}});
  ASSERT_FALSE(grade.ok());
  EXPECT_EQ(grade.error().where.path, "filter.grade[1]");
  EXPECT_NE(grade.error().message.find("unknown grade \"Z\""), std::string::npos);
  const auto no_now = ws.Query({{"filter", {{"score", {{"min", 50}}}}}});
  ASSERT_FALSE(no_now.ok());
  EXPECT_EQ(no_now.error().where.path, "filter.score");
  EXPECT_NE(no_now.error().message.find("\"now\""), std::string::npos);
  const auto sort = ws.Query({{"sort", {{"field", "grade"}}}});
  ASSERT_FALSE(sort.ok());
  EXPECT_EQ(sort.error().where.path, "sort.field");
  const auto probability = ws.Query({{"sort", {{"field", "probability"}}}, {"now", kNow}});
  ASSERT_FALSE(probability.ok());
  EXPECT_NE(probability.error().message.find("no predictive model"), std::string::npos);
  EXPECT_FALSE(ws.Query({{"now", "today"}}).ok());
  EXPECT_FALSE(ws.Summary({{"filter", {{"fit", 10}}}}).ok());
}

TEST(Store, QueryRowsCarryAScoreOnlyWhenGivenNow) {
  const Workspace ws = FixtureWorkspace();
  const json without = ws.Query(json::object()).value();
  EXPECT_FALSE(without["rows"][0].contains("score"));
  const json with = ws.Query({{"now", kNow}}).value();
  for (const json& row : with["rows"]) {
    ASSERT_TRUE(row.contains("score")) << row.dump();
    EXPECT_EQ(row["score"].size(), 4u);
    for (const char* key : {"total", "fit", "engagement", "grade"}) EXPECT_TRUE(row["score"].contains(key));
  }
}

TEST(Store, SummaryCountsStagesDirectionsAndValue) {
  const Workspace ws = FixtureWorkspace();
  const json s = ws.Summary(json::object()).value();
  EXPECT_EQ(s["total"], 5);
  EXPECT_EQ(s["byStage"]["sql"], 1);
  EXPECT_EQ(s["byDirection"]["inbound"], 3);
  EXPECT_EQ(s["byDirection"]["outbound"], 2);
  EXPECT_EQ(s["valueByStage"]["sql"], 36000.0);
  EXPECT_EQ(s["valueByStage"]["customer"], 12000.0);
  const json inbound = ws.Summary({{"filter", {{"direction", "inbound"}}}}).value();
  EXPECT_EQ(inbound["total"], 3);
}

// The summary counts by code, not lead by lead: its figures must still be those of counting
// every matching lead, for every stage, source, direction and tag, with and without a filter.
TEST(Store, SummaryAgreesWithCountingEveryLead) {
  Workspace ws;
  ASSERT_TRUE(ws.Load(SampleLeads(800, 5, kNow), kNow).errors.empty());
  ASSERT_TRUE(ws.Upsert({{"id", "t1"}, {"email", "t1@x.com"}, {"tags", {"zeta", "alpha"}}, {"stage", "sql"},
                         {"dealValue", 500}}, kNow).ok());
  for (const json& filter : {json::object(), json{{"direction", "outbound"}}, json{{"tags", {"alpha"}}}}) {
    json expected = {{"byStage", json::object()}, {"bySource", json::object()}, {"byDirection", json::object()},
                     {"byTag", json::object()}, {"valueByStage", json::object()}};
    const json leads = ws.Query({{"filter", filter}, {"limit", 100000}}).value()["rows"];
    for (const json& l : leads) {
      const std::string stage = l["stage"];
      expected["byStage"][stage] = expected["byStage"].value(stage, 0) + 1;
      expected["bySource"][l["source"].get<std::string>()] = expected["bySource"].value(l["source"].get<std::string>(), 0) + 1;
      expected["byDirection"][l["direction"].get<std::string>()] = expected["byDirection"].value(l["direction"].get<std::string>(), 0) + 1;
      for (const json& t : l.value("tags", json::array())) expected["byTag"][t.get<std::string>()] = expected["byTag"].value(t.get<std::string>(), 0) + 1;
      expected["valueByStage"][stage] = expected["valueByStage"].value(stage, 0.0) + l.value("dealValue", 0.0);
    }
    const json s = ws.Summary({{"filter", filter}}).value();
    for (const char* key : {"byStage", "bySource", "byDirection", "byTag"}) EXPECT_EQ(s[key], expected[key]) << key << " " << filter.dump();
    for (const auto& [stage, value] : expected["valueByStage"].items()) {
      EXPECT_NEAR(s["valueByStage"][stage].get<double>(), value.get<double>(), 1e-6) << stage;
    }
    EXPECT_EQ(s["valueByStage"].size(), expected["valueByStage"].size());
    EXPECT_EQ(s["total"], leads.size());
  }
  EXPECT_EQ(ws.Summary({{"filter", {{"tags", {"alpha"}}}}}).value()["byTag"], (json{{"alpha", 1}, {"zeta", 1}}));
}

// Equal event props are stored once; any difference (a value, a key, an integer against a
// float, a nested member) keeps them apart, and every lead reads back the props it was given.
TEST(Store, EventPropsAreSharedWhenEqualAndKeptApartOtherwise) {
  Workspace ws;
  const json kinds = json::array({
      json::object({{"path", "/pricing"}}), json::object({{"path", "/blog"}}), json::object({{"amount", 1}}),
      json::object({{"amount", 1.5}}), json::object({{"path", "/pricing"}, {"utm", "x"}}),
      json::object({{"n", json::array({1, json::object({{"deep", "a"}})})}}),
      json::object({{"n", json::array({1, json::object({{"deep", "b"}})})}}), json::object()});
  json leads = json::array();
  for (int i = 0; i < 40; ++i) {
    json events = json::array();
    for (int k = 0; k < 3; ++k) {
      json e = {{"type", "page_view"}, {"at", "2026-11-0" + std::to_string(1 + k) + "T00:00:00Z"}};
      const json& props = kinds[(i + k) % kinds.size()];
      if (!props.empty() || k == 0) e["props"] = props;
      events.push_back(e);
    }
    leads.push_back({{"id", "L-" + std::to_string(i)}, {"company", "Acme"}, {"events", events}});
  }
  ASSERT_EQ(ws.Load(leads, kNow).loaded, 40u);
  ASSERT_TRUE(ws.Remove("L-3"));
  std::set<uint32_t> codes;
  for (int i = 0; i < 40; ++i) {
    if (i == 3) continue;
    const json got = *ws.GetJson("L-" + std::to_string(i));
    for (int k = 0; k < 3; ++k) {
      const json& props = kinds[(i + k) % kinds.size()];
      if (!props.empty() || k == 0) {
        EXPECT_EQ(got["events"][k]["props"], props) << i << " " << k;
      } else {
        EXPECT_FALSE(got["events"][k].contains("props")) << i << " " << k;
      }
    }
    const uint32_t row = *ws.store().RowOf("L-" + std::to_string(i));
    for (const auto& e : ws.store().events()[row]) codes.insert(e.props);
  }
  // One code per distinct props object (the empty object is one), and 0 for events without.
  EXPECT_EQ(codes.size(), kinds.size() + 1);
  EXPECT_EQ(*codes.begin(), 0u);
  EXPECT_EQ(ws.store().props(0), json());
  // The integer 1 and the float 1.5 differ; and 1 and 1.0 are not merged into one spelling.
  ASSERT_TRUE(ws.Upsert({{"id", "F"}, {"company", "Acme"}, {"events", {{{"type", "t"}, {"at", "2026-11-01T00:00:00Z"}, {"props", {{"amount", 1.0}}}}}}}, kNow).ok());
  EXPECT_EQ(ws.GetJson("F")->at("events")[0]["props"]["amount"].dump(), "1.0");
  EXPECT_EQ(ws.GetJson("L-0")->at("events")[2]["props"]["amount"].dump(), "1");
}

// BANT evidence, confidence and times are kept apart from the statuses, only for leads that have
// any: every lead reads back exactly what it was given through updates, removals (a swap with the
// last row) and the reuse of freed details.
TEST(Store, BantDetailsSurviveUpdatesRemovalsAndReuse) {
  LeadStore store;
  const auto lead = [](std::string id, BantStatus status, std::string evidence, std::optional<double> confidence,
                       int64_t at) {
    Lead l;
    l.id = std::move(id);
    l.company = "Acme";
    l.bant[kAuthority].status = status;
    l.bant[kNeed] = {BantStatus::kPartly, evidence, confidence, at};
    if (evidence.empty() && !confidence && at == 0) l.bant[kNeed] = {};
    return l;
  };
  std::map<std::string, Lead> expected;
  const auto put = [&](Lead l) { expected[l.id] = l; store.Upsert(std::move(l)); };
  const auto check = [&](const char* when) {
    ASSERT_EQ(store.size(), expected.size()) << when;
    for (const auto& [id, l] : expected) EXPECT_EQ(store.Get(id)->bant, l.bant) << when << " " << id;
  };
  put(lead("A", BantStatus::kMet, "CFO signed off", 0.9, 1'700'000'000'000));
  put(lead("B", BantStatus::kNotMet, "", std::nullopt, 0));
  put(lead("C", BantStatus::kUnknown, "", 0.25, 0));
  put(lead("D", BantStatus::kPartly, "", std::nullopt, 5));
  check("after inserts");
  store.Remove("A");  // D moves into A's row; A's details are freed
  expected.erase("A");
  check("after a removal");
  put(lead("E", BantStatus::kMet, "reuses a freed slot", std::nullopt, 0));
  put(lead("B", BantStatus::kMet, "now with evidence", 0.5, 9));
  put(lead("C", BantStatus::kMet, "", std::nullopt, 0));  // details dropped
  check("after updates");
  store.Remove("D");
  store.Remove("E");
  expected.erase("D");
  expected.erase("E");
  put(lead("F", BantStatus::kPartly, "another", 0.1, 1));
  check("after more removals");
}

}  // namespace
}  // namespace leadkit
