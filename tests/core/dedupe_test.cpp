#include "leadkit/dedupe.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "fixtures.hpp"
#include "leadkit/iso_time.hpp"
#include "leadkit/sample.hpp"

namespace leadkit {
namespace {

using nlohmann::json;
using testing::Fixture;
using testing::kNow;

Workspace DuplicatesWorkspace() {
  Workspace ws;
  const LoadReport report = ws.Load(Fixture("duplicates.json")["leads"], kNow);
  EXPECT_TRUE(report.errors.empty()) << report.errors[0].ToString();
  return ws;
}

std::set<std::string> IdSet(const json& ids) { return ids.get<std::set<std::string>>(); }

// Every lead by id: the workspace's content whatever the order of its rows.
std::map<std::string, json> LeadsById(const Workspace& ws) {
  std::map<std::string, json> out;
  const json backup = ws.Export();
  for (const json& l : backup["leads"]) out[l["id"].get<std::string>()] = l;
  return out;
}

// Each expected group of tests/fixtures/duplicates.json, also read by the JS tests.
class DedupeFixture : public ::testing::TestWithParam<json> {};

TEST_P(DedupeFixture, FindsTheGroupWithItsRuleAndSimilarity) {
  const json& c = GetParam();
  const Workspace ws = DuplicatesWorkspace();
  const auto r = FindDuplicates(ws, json::object());
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  const std::set<std::string> want = IdSet(c["ids"]);
  const json* found = nullptr;
  for (const json& g : r.value()["groups"]) {
    if (IdSet(g["ids"]) == want) found = &g;
  }
  ASSERT_NE(found, nullptr) << r.value()["groups"].dump(1);
  EXPECT_NEAR((*found)["similarity"].get<double>(), c["similarity"].get<double>(), 1e-9);
  bool has_rule = false;
  for (const json& reason : (*found)["reasons"]) has_rule |= reason["rule"] == c["rule"];
  EXPECT_TRUE(has_rule) << (*found)["reasons"].dump(1);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, DedupeFixture,
                         ::testing::ValuesIn(testing::FixtureCases("duplicates.json")), testing::CaseName());

TEST(Dedupe, FindsOnlyTheExpectedGroupsAndLeavesEveryoneElseAlone) {
  // Distinct people at one company (even on one switchboard number), namesakes on free-mail
  // domains and different companies sharing a word all stay apart.
  const Workspace ws = DuplicatesWorkspace();
  const json r = FindDuplicates(ws, json::object()).value();
  std::set<std::set<std::string>> want;
  const json fixture = Fixture("duplicates.json");
  for (const json& c : fixture["cases"]) want.insert(IdSet(c["ids"]));
  std::set<std::set<std::string>> got;
  for (const json& g : r["groups"]) got.insert(IdSet(g["ids"]));
  EXPECT_EQ(got, want) << r["groups"].dump(1);
  EXPECT_EQ(r["total"], want.size());
  EXPECT_EQ(r["truncated"], false);
}

TEST(Dedupe, GroupsListIdsOldestFirstAndSortBySimilarity) {
  const json groups = FindDuplicates(DuplicatesWorkspace(), json::object()).value()["groups"];
  ASSERT_FALSE(groups.empty());
  for (size_t i = 1; i < groups.size(); ++i) {
    EXPECT_GE(groups[i - 1]["similarity"].get<double>(), groups[i]["similarity"].get<double>());
  }
  for (const json& g : groups) {
    if (IdSet(g["ids"]) == std::set<std::string>{"chain-a", "chain-b", "chain-c"}) {
      EXPECT_EQ(g["ids"], json({"chain-a", "chain-b", "chain-c"}));
      // The reasons are the two links of its tree: a-b (e-mail, domain and name) and b-c (phone).
      std::set<std::set<std::string>> links;
      std::set<std::string> rules;
      for (const json& r : g["reasons"]) {
        links.insert(IdSet(r["ids"]));
        rules.insert(r["rule"].get<std::string>());
      }
      EXPECT_EQ(links, (std::set<std::set<std::string>>{{"chain-a", "chain-b"}, {"chain-b", "chain-c"}}));
      EXPECT_EQ(rules, (std::set<std::string>{"sameEmail", "sameDomain", "similarName", "samePhone"}));
    }
  }
}

TEST(Dedupe, TextIsNormalisedAsTheRulesSay) {
  EXPECT_NEAR(JaroWinkler("martha", "marhta"), 0.961, 0.001);  // the textbook values
  EXPECT_NEAR(JaroWinkler("dwayne", "duane"), 0.840, 0.001);
  EXPECT_NEAR(JaroWinkler("jon", "john"), 0.933, 0.001);
  EXPECT_EQ(JaroWinkler("", "ana"), 0.0);
  EXPECT_NEAR(EditSimilarity("northwind", "northwnd"), 1 - 1.0 / 9, 1e-9);
  EXPECT_EQ(FoldForMatching("  María-José O'Brien "), "maria jose obrien");
  EXPECT_EQ(NormalizeCompanyName("The ACME, Inc."), "acme");
  EXPECT_EQ(NormalizeCompanyName("Société Générale S.A."), "societe generale");
  EXPECT_EQ(NormalizeCompanyName("Müller Bau GmbH & Co. KG"), "muller bau");
  EXPECT_EQ(NormalizeCompanyName("Inc"), "inc");  // never normalised away entirely
  EXPECT_EQ(CanonicalEmail("J.Doe+news@GoogleMail.com"), "jdoe@gmail.com");
  EXPECT_EQ(CanonicalEmail("j.doe+news@acme.com"), "j.doe@acme.com");
  EXPECT_EQ(CanonicalPhoneDigits("+1 (555) 010-2030"), "15550102030");
  EXPECT_EQ(CanonicalPhoneDigits("030 1234567"), "301234567");
  EXPECT_EQ(CanonicalPhoneDigits("12 34"), "");
  EXPECT_TRUE(PhoneDigitsMatch("49301234567", "301234567"));
  EXPECT_FALSE(PhoneDigitsMatch("49301234567", "301234568"));
  EXPECT_TRUE(IsFreeMailDomain("hotmail.co.uk"));
  EXPECT_FALSE(IsFreeMailDomain("northwind.io"));
}

TEST(Dedupe, DistinctPeopleAtOneCompanyAreNotGroupedEvenWhenTheThresholdIsLow) {
  Workspace ws;
  ASSERT_EQ(ws.Load(json::parse(R"([
    {"id": "a", "firstName": "Ana", "lastName": "Silva", "email": "ana@brightline.com", "phone": "+1 555 010 2000"},
    {"id": "b", "firstName": "Ben", "lastName": "Chen", "email": "ben@brightline.com", "phone": "+1 555 010 2000"}
  ])"), kNow).loaded, 2u);
  EXPECT_TRUE(FindDuplicates(ws, {{"minSimilarity", 0.5}}).value()["groups"].empty());
}

TEST(Dedupe, FreeMailDomainsDoNotMakeACompany) {
  // The same pair at a company domain is a duplicate; at gmail.com they are two namesakes.
  for (const std::string domain : {"gmail.com", "yahoo.com", "outlook.com", "acme.com"}) {
    Workspace ws;
    ASSERT_EQ(ws.Load(json::array({{{"firstName", "Sam"}, {"lastName", "Lee"}, {"email", "sam.lee@" + domain}},
                                   {{"firstName", "Sam"}, {"lastName", "Lee"}, {"email", "slee@" + domain}}}),
                      kNow).loaded, 2u);
    EXPECT_EQ(FindDuplicates(ws, json::object()).value()["groups"].size(), domain == "acme.com" ? 1u : 0u)
        << domain;
  }
}

TEST(Dedupe, MinSimilarityDropsWeakerLinks) {
  const Workspace ws = DuplicatesWorkspace();
  const json strict = FindDuplicates(ws, {{"minSimilarity", 0.95}}).value();
  for (const json& g : strict["groups"]) {
    EXPECT_GE(g["similarity"].get<double>(), 0.95);
    EXPECT_NE(IdSet(g["ids"]), (std::set<std::string>{"dom-a", "dom-b"}));  // 0.933
  }
  // The chain loses its phone link and keeps the e-mail pair.
  bool pair = false;
  for (const json& g : strict["groups"]) pair |= IdSet(g["ids"]) == std::set<std::string>{"chain-a", "chain-b"};
  EXPECT_TRUE(pair) << strict.dump(1);
}

TEST(Dedupe, IdsAndLimitNarrowTheResult) {
  const Workspace ws = DuplicatesWorkspace();
  const json only = FindDuplicates(ws, {{"ids", {"dom-a", "dom-b", "co-a", "phone-a"}}}).value();
  ASSERT_EQ(only["groups"].size(), 1u);
  EXPECT_EQ(IdSet(only["groups"][0]["ids"]), (std::set<std::string>{"dom-a", "dom-b"}));
  const json limited = FindDuplicates(ws, {{"limit", 2}}).value();
  EXPECT_EQ(limited["groups"].size(), 2u);
  EXPECT_EQ(limited["total"], 6);
  EXPECT_EQ(limited["truncated"], true);
}

TEST(Dedupe, BadOptionsAreErrorsNamingTheOption) {
  const Workspace ws = DuplicatesWorkspace();
  const std::vector<std::pair<json, std::string>> cases = {
      {{{"minSimilarity", "high"}}, "options.minSimilarity"},
      {{{"minSimilarity", 1.5}}, "options.minSimilarity"},
      {{{"minSimilarity", 0}}, "options.minSimilarity"},
      {{{"limit", 0}}, "options.limit"},
      {{{"limit", 2.5}}, "options.limit"},
      {{{"limit", -3}}, "options.limit"},
      {{{"ids", "dom-a"}}, "options.ids"},
      {{{"ids", {"dom-a", "nobody"}}}, "options.ids[1]"},
      {{{"ids", {7}}}, "options.ids[0]"},
      {{{"minSimilarty", 0.9}}, "options.minSimilarty"},
      {json::array(), "options"},
  };
  for (const auto& [options, path] : cases) {
    const auto r = FindDuplicates(ws, options);
    ASSERT_FALSE(r.ok()) << options.dump();
    EXPECT_EQ(r.error().where.path, path) << r.error().ToString();
  }
  EXPECT_NE(FindDuplicates(ws, {{"ids", {"nobody"}}}).error().message.find("nobody"), std::string::npos);
}

TEST(Dedupe, FindsEveryRepeatedEmailAmongAHundredThousandSampleLeads) {
  // The sample draws names and companies at random, so some leads share an e-mail address; each
  // such set must land in one group, which blocking may not lose.
  Workspace ws;
  ASSERT_EQ(ws.Load(SampleLeads(100'000, 42, kNow), kNow).loaded, 100'000u);
  const auto start = std::chrono::steady_clock::now();
  const auto r = FindDuplicates(ws, {{"limit", 1'000'000}});
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  const json& groups = r.value()["groups"];
  std::printf("[ info ] FindDuplicates on 100k sample leads: %.0f ms, %zu groups, %s pairs compared\n", ms,
              groups.size(), r.value()["comparedPairs"].dump().c_str());

  std::map<std::string, size_t> group_of;
  for (size_t g = 0; g < groups.size(); ++g) {
    EXPECT_GE(groups[g]["ids"].size(), 2u);
    EXPECT_GE(groups[g]["similarity"].get<double>(), kDefaultMinSimilarity);
    for (const json& id : groups[g]["ids"]) {
      EXPECT_TRUE(group_of.emplace(id.get<std::string>(), g).second) << id << " is in two groups";
    }
  }
  std::map<std::string, std::vector<std::string>> by_email;
  for (uint32_t row = 0; row < ws.store().size(); ++row) {
    by_email[(*ws.store().Texts(Field::kEmail))[row]].push_back(ws.store().IdAt(row));
  }
  size_t shared = 0;
  for (const auto& [email, ids] : by_email) {
    if (ids.size() < 2) continue;
    ++shared;
    ASSERT_TRUE(group_of.contains(ids[0])) << email;
    for (const std::string& id : ids) EXPECT_EQ(group_of[id], group_of[ids[0]]) << email;
  }
  EXPECT_GT(shared, 100u);  // the check above had something to check
}

// Three records of one person: the oldest has the fewest details, the most recently updated
// ("m-mid") has a phone, the newest a better-known budget.
json MergeLeads() {
  return json::parse(R"([
    {"id": "m-old", "firstName": "Jon", "lastName": "Smith", "email": "jon@northwind.io", "company": "Northwind",
     "source": "webinar", "stage": "mql", "tags": ["priority"], "custom": {"plan": "pro", "seats": 5},
     "bant": {"budget": {"status": "partly", "evidence": "maybe Q3"}, "authority": {"status": "met", "evidence": "VP"}},
     "createdAt": "2026-01-01T00:00:00Z", "updatedAt": "2026-02-01T00:00:00Z",
     "events": [{"type": "page_view", "at": "2026-01-05T00:00:00Z", "props": {"path": "/pricing"}},
                {"type": "webinar_attended", "at": "2026-01-20T00:00:00Z"}],
     "touches": [{"channel": "email", "outcome": "sent", "at": "2026-01-10T00:00:00Z"}],
     "history": [{"at": "2026-01-21T00:00:00Z", "from": "new", "to": "mql", "actor": "ana"}]},
    {"id": "m-new", "firstName": "John", "lastName": "Smith", "email": "john.smith@northwind.io", "phone": "+1 555 0100",
     "title": "VP Sales", "company": "Northwind Inc", "source": "cold_email", "stage": "sql", "tags": ["priority", "champion"],
     "custom": {"plan": "enterprise", "region": "west"},
     "bant": {"budget": {"status": "met", "evidence": "approved 50k"}, "need": {"status": "partly"}},
     "createdAt": "2026-03-01T00:00:00Z", "updatedAt": "2026-04-01T00:00:00Z",
     "events": [{"type": "pricing_view", "at": "2026-01-15T00:00:00Z"}],
     "touches": [{"channel": "call", "outcome": "connected", "at": "2026-03-05T00:00:00Z", "note": "keen"}],
     "history": [{"at": "2026-03-10T00:00:00Z", "from": "new", "to": "sql"}]},
    {"id": "m-mid", "firstName": "J.", "lastName": "Smith", "email": "j.smith@northwind.io", "phone": "555-0199",
     "industry": "SaaS", "tags": ["event-lead"], "createdAt": "2026-02-01T00:00:00Z", "updatedAt": "2026-05-01T00:00:00Z",
     "events": [{"type": "email_open", "at": "2026-02-02T00:00:00Z"}]},
    {"id": "other", "company": "Unrelated Ltd", "createdAt": "2026-01-01T00:00:00Z"}
  ])");
}

Workspace MergeWorkspace() {
  Workspace ws;
  const LoadReport report = ws.Load(MergeLeads(), kNow);
  EXPECT_TRUE(report.errors.empty()) << report.errors[0].ToString();
  return ws;
}

const std::vector<std::string> kMergeIds = {"m-new", "m-old", "m-mid"};

json FieldOf(const json& preview, const std::string& name) {
  for (const json& f : preview["fields"]) {
    if (f["field"] == name) return f;
  }
  return nullptr;
}

TEST(DedupeMerge, PreviewDefaultsToTheOldestLeadThenTheMostRecentlyUpdated) {
  const Workspace ws = MergeWorkspace();
  const auto r = PreviewMerge(ws, kMergeIds, json::object());
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  const json& p = r.value();
  EXPECT_EQ(p["survivor"], "m-old");
  const json first = FieldOf(p, "firstName");
  EXPECT_EQ(first["chosen"], "m-old");
  EXPECT_EQ(first["conflict"], true);
  EXPECT_EQ(first["values"].size(), 3u);
  EXPECT_EQ(FieldOf(p, "phone")["chosen"], "m-mid");  // the survivor has none
  EXPECT_EQ(FieldOf(p, "title")["conflict"], false);
  EXPECT_EQ(FieldOf(p, "stage")["chosen"], "m-old");
  EXPECT_EQ(FieldOf(p, "bant.budget")["chosen"], "m-new");  // met is better known than partly
  EXPECT_EQ(FieldOf(p, "custom.region")["chosen"], "m-new");
  EXPECT_TRUE(FieldOf(p, "annualRevenue").is_null());  // nobody has one

  const json& m = p["merged"];
  EXPECT_EQ(m["id"], "m-old");
  EXPECT_EQ(m["firstName"], "Jon");
  EXPECT_EQ(m["phone"], "555-0199");
  EXPECT_EQ(m["title"], "VP Sales");
  EXPECT_EQ(m["industry"], "SaaS");
  EXPECT_EQ(m["stage"], "mql");
  EXPECT_EQ(m["bant"]["budget"], json({{"status", "met"}, {"evidence", "approved 50k"}}));
  EXPECT_EQ(m["bant"]["authority"]["status"], "met");
  EXPECT_EQ(m["bant"]["need"]["status"], "partly");
  EXPECT_EQ(m["custom"], json({{"plan", "pro"}, {"seats", 5}, {"region", "west"}}));
  EXPECT_EQ(m["createdAt"], "2026-01-01T00:00:00Z");
  EXPECT_EQ(ws.store().size(), 4u);  // a preview changes nothing
}

TEST(DedupeMerge, PreviewFollowsTheChosenSurvivorAndFields) {
  const Workspace ws = MergeWorkspace();
  const json choices = {{"survivor", "m-new"},
                        {"fields", {{"phone", "m-new"}, {"custom.plan", "m-old"}, {"bant.budget", "m-old"},
                                    {"stage", "m-new"}}}};
  const auto r = PreviewMerge(ws, kMergeIds, choices);
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  const json& m = r.value()["merged"];
  EXPECT_EQ(r.value()["survivor"], "m-new");
  EXPECT_EQ(m["id"], "m-new");
  EXPECT_EQ(m["firstName"], "John");
  EXPECT_EQ(m["phone"], "+1 555 0100");
  EXPECT_EQ(m["custom"]["plan"], "pro");
  EXPECT_EQ(m["custom"]["seats"], 5);
  EXPECT_EQ(m["bant"]["budget"]["evidence"], "maybe Q3");
  EXPECT_EQ(m["stage"], "sql");
  EXPECT_EQ(m["createdAt"], "2026-01-01T00:00:00Z");  // the earliest, whoever survives
}

TEST(DedupeMerge, BadIdsAndChoicesAreErrorsNamingThem) {
  const Workspace ws = MergeWorkspace();
  struct Case {
    std::vector<std::string> ids;
    json choices;
    std::string path, words;
  };
  const std::vector<Case> cases = {
      {{"m-old"}, nullptr, "ids", "at least 2"},
      {{"m-old", "m-mid", "m-old"}, nullptr, "ids[2]", "listed twice"},
      {{"m-old", "ghost"}, nullptr, "ids[1]", "ghost"},
      {kMergeIds, {{"survivor", "other"}}, "choices.survivor", "other"},
      {kMergeIds, {{"fields", {{"favouriteColour", "m-old"}}}}, "choices.fields.favouriteColour", "favouriteColour"},
      {kMergeIds, {{"fields", {{"phone", "ghost"}}}}, "choices.fields.phone", "ghost"},
      {kMergeIds, {{"fields", {{"custom.nope", "m-old"}}}}, "choices.fields.custom.nope", "custom.nope"},
      {kMergeIds, {{"fields", {{"annualRevenue", "m-old"}}}}, "choices.fields.annualRevenue", "annualRevenue"},
      {kMergeIds, {{"fields", "m-old"}}, "choices.fields", "expected an object"},
      {kMergeIds, {{"keep", "m-old"}}, "choices.keep", "keep"},
      {kMergeIds, "m-old", "choices", "expected an object"},
  };
  for (const Case& c : cases) {
    const auto r = PreviewMerge(ws, c.ids, c.choices);
    ASSERT_FALSE(r.ok()) << c.path;
    EXPECT_EQ(r.error().where.path, c.path) << r.error().ToString();
    EXPECT_NE(r.error().message.find(c.words), std::string::npos) << r.error().ToString();
  }
}

TEST(DedupeMerge, KeepsEveryEventTouchAndHistoryEntryInTimeOrderAndUnitesTags) {
  Workspace ws = MergeWorkspace();
  MergeJournal journal;
  const auto r = journal.Merge(ws, kMergeIds, json::object(), kNow);
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(r.value()["survivor"], "m-old");
  EXPECT_EQ(r.value()["removed"], json({"m-mid", "m-new"}));
  EXPECT_EQ(ws.store().size(), 2u);
  EXPECT_FALSE(ws.GetJson("m-new").has_value());
  const json lead = *ws.GetJson("m-old");
  EXPECT_EQ(r.value()["lead"], lead);
  EXPECT_EQ(lead["updatedAt"], FormatIsoTime(kNow));

  std::multiset<std::string> want_events, got_events;
  const json leads = MergeLeads();
  for (const json& l : leads) {
    for (const json& e : l.value("events", json::array())) want_events.insert(e.dump());
  }
  for (const json& e : lead["events"]) got_events.insert(e.dump());
  EXPECT_EQ(got_events, want_events);
  EXPECT_EQ(lead["events"][1]["type"], "pricing_view");  // m-new's, between m-old's two
  for (const char* list : {"events", "touches", "history"}) {
    for (size_t i = 1; i < lead[list].size(); ++i) {
      EXPECT_LE(ParseIsoTime(lead[list][i - 1]["at"].get<std::string>()),
                ParseIsoTime(lead[list][i]["at"].get<std::string>())) << list;
    }
  }
  EXPECT_EQ(lead["touches"].size(), 2u);
  EXPECT_EQ(lead["touches"][1]["note"], "keen");
  EXPECT_EQ(lead["history"].size(), 2u);
  EXPECT_EQ(IdSet(lead["tags"]), (std::set<std::string>{"priority", "champion", "event-lead"}));
  EXPECT_EQ(lead["tags"].size(), 3u);
}

TEST(DedupeMerge, UndoRestoresEveryLeadExactly) {
  Workspace ws = MergeWorkspace();
  const std::map<std::string, json> before = LeadsById(ws);
  MergeJournal journal;
  const auto merged = journal.Merge(ws, kMergeIds, json::object(), kNow);
  ASSERT_TRUE(merged.ok()) << merged.error().ToString();
  ASSERT_NE(LeadsById(ws), before);
  const auto undone = journal.Undo(ws, merged.value()["mergeId"].get<std::string>());
  ASSERT_TRUE(undone.ok()) << undone.error().ToString();
  EXPECT_EQ(IdSet(undone.value()["restored"]), (std::set<std::string>{"m-old", "m-new", "m-mid"}));
  const std::map<std::string, json> after = LeadsById(ws);
  ASSERT_EQ(after.size(), before.size());
  for (const auto& [id, lead] : before) EXPECT_EQ(after.at(id).dump(), lead.dump()) << id;
}

TEST(DedupeMerge, UndoTwiceOrOfAnUnknownMergeIsRefused) {
  Workspace ws = MergeWorkspace();
  MergeJournal journal;
  const std::string id = journal.Merge(ws, kMergeIds, json::object(), kNow).value()["mergeId"];
  ASSERT_TRUE(journal.Undo(ws, id).ok());
  const std::map<std::string, json> restored = LeadsById(ws);
  const auto again = journal.Undo(ws, id);
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.error().message.find("already undone"), std::string::npos) << again.error().message;
  EXPECT_EQ(LeadsById(ws), restored);
  const auto unknown = journal.Undo(ws, "merge-99");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message.find("unknown merge id \"merge-99\""), std::string::npos);
}

TEST(DedupeMerge, UndoIsRefusedAfterTheMergedLeadChangedOrARemovedIdCameBack) {
  Workspace ws = MergeWorkspace();
  MergeJournal journal;
  const json merged = journal.Merge(ws, kMergeIds, json::object(), kNow).value();
  const std::string id = merged["mergeId"];

  json edited = merged["lead"];
  edited["title"] = "CEO";
  ASSERT_TRUE(ws.Upsert(edited, kNow + 1).ok());
  auto r = journal.Undo(ws, id);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("changed after the merge"), std::string::npos) << r.error().message;
  ASSERT_TRUE(ws.Upsert(merged["lead"], kNow + 2).ok());  // reverting the edit makes undo possible again

  ASSERT_TRUE(ws.Upsert({{"id", "m-mid"}, {"company", "Someone else"}}, kNow + 3).ok());
  const std::map<std::string, json> state = LeadsById(ws);
  r = journal.Undo(ws, id);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("\"m-mid\" is in use again"), std::string::npos) << r.error().message;
  EXPECT_EQ(LeadsById(ws), state);

  ASSERT_TRUE(ws.Remove("m-mid"));
  EXPECT_TRUE(journal.Undo(ws, id).ok());
}

TEST(DedupeMerge, AFailedMergeChangesNothing) {
  Workspace ws = MergeWorkspace();
  json crowded = {{"id", "crowded"}, {"firstName", "John"}, {"lastName", "Smith"}, {"tags", json::array()}};
  for (int i = 0; i < 63; ++i) crowded["tags"].push_back("t" + std::to_string(i));
  ASSERT_TRUE(ws.Upsert(crowded, kNow).ok());
  const json before = ws.Export();
  MergeJournal journal;
  const std::vector<std::string> ids = {"m-new", "crowded"};  // 65 tags together: over the limit
  const auto r = journal.Merge(ws, ids, json::object(), kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().where.path, "merged.tags");
  EXPECT_EQ(ws.Export(), before);
  EXPECT_EQ(journal.size(), 0u);
  const std::vector<std::string> unknown = {"m-new", "ghost"};
  EXPECT_FALSE(journal.Merge(ws, unknown, json::object(), kNow).ok());
  EXPECT_EQ(ws.Export(), before);
}

TEST(DedupeMerge, JournalRoundTripsThroughJsonAndStillUndoes) {
  Workspace ws = MergeWorkspace();
  ASSERT_TRUE(ws.Upsert({{"id", "dup"}, {"company", "Unrelated Limited"}}, kNow).ok());
  MergeJournal journal;
  const std::string first = journal.Merge(ws, kMergeIds, json::object(), kNow).value()["mergeId"];
  const std::vector<std::string> pair = {"other", "dup"};
  const std::string second = journal.Merge(ws, pair, json::object(), kNow + 5).value()["mergeId"];
  EXPECT_NE(first, second);
  ASSERT_TRUE(journal.Undo(ws, second).ok());

  const json saved = journal.ToJson();
  auto loaded = MergeJournal::FromJson(json::parse(saved.dump(), nullptr, false));
  ASSERT_TRUE(loaded.ok()) << loaded.error().ToString();
  EXPECT_EQ(loaded.value().ToJson(), saved);
  EXPECT_FALSE(loaded.value().Undo(ws, second).ok());  // still undone
  ASSERT_TRUE(loaded.value().Undo(ws, first).ok());
  EXPECT_EQ(LeadsById(ws).at("m-new"), *MergeWorkspace().GetJson("m-new"));
  // A new merge after loading does not reuse an id.
  const std::vector<std::string> again = {"m-old", "m-mid"};
  const auto third = loaded.value().Merge(ws, again, json::object(), kNow + 9);
  ASSERT_TRUE(third.ok()) << third.error().ToString();
  EXPECT_NE(third.value()["mergeId"], first);
  EXPECT_NE(third.value()["mergeId"], second);
}

TEST(DedupeMerge, BadJournalDocumentsAreErrorsWithAPath) {
  Workspace ws = MergeWorkspace();
  MergeJournal journal;
  ASSERT_TRUE(journal.Merge(ws, kMergeIds, json::object(), kNow).ok());
  const json good = journal.ToJson();
  const auto broken = [&good](const std::function<void(json&)>& edit) {
    json j = good;
    edit(j);
    return j;
  };
  const std::vector<std::pair<json, std::string>> cases = {
      {json::array(), ""},
      {broken([](json& j) { j["format"] = "something"; }), "format"},
      {broken([](json& j) { j["version"] = 2; }), "version"},
      {broken([](json& j) { j["nextId"] = -1; }), "nextId"},
      {broken([](json& j) { j["merges"] = json::object(); }), "merges"},
      {broken([](json& j) { j["merges"][0]["survivor"] = "m-new"; }), "merges[0].survivor"},
      {broken([](json& j) { j["merges"][0]["removed"] = {"m-mid"}; }), "merges[0].removed"},
      {broken([](json& j) { j["merges"][0]["before"] = json::array(); }), "merges[0].before"},
      {broken([](json& j) { j["merges"][0]["at"] = "yesterday"; }), "merges[0].at"},
      {broken([](json& j) { j["merges"][0]["undone"] = "no"; }), "merges[0].undone"},
      {broken([](json& j) { j["merges"].push_back(j["merges"][0]); }), "merges[1].mergeId"},
  };
  for (const auto& [doc, path] : cases) {
    const auto r = MergeJournal::FromJson(doc);
    ASSERT_FALSE(r.ok()) << path;
    EXPECT_EQ(r.error().where.path, path) << r.error().ToString();
  }
}

TEST(DedupeMerge, MergingAndUndoingFoundGroupsOfSampleLeadsRestoresThem) {
  Workspace ws;
  ASSERT_EQ(ws.Load(SampleLeads(5'000, 11, kNow), kNow).loaded, 5'000u);
  const std::map<std::string, json> before = LeadsById(ws);
  const json groups = FindDuplicates(ws, {{"limit", 20}}).value()["groups"];
  ASSERT_GE(groups.size(), 5u);
  MergeJournal journal;
  std::vector<std::string> merges;
  size_t removed = 0;
  for (const json& g : groups) {
    const auto ids = g["ids"].get<std::vector<std::string>>();
    const auto r = journal.Merge(ws, ids, json::object(), kNow);
    ASSERT_TRUE(r.ok()) << r.error().ToString();
    merges.push_back(r.value()["mergeId"]);
    removed += ids.size() - 1;
  }
  EXPECT_EQ(ws.store().size(), 5'000u - removed);
  for (auto it = merges.rbegin(); it != merges.rend(); ++it) ASSERT_TRUE(journal.Undo(ws, *it).ok()) << *it;
  EXPECT_EQ(LeadsById(ws), before);
}

}  // namespace
}  // namespace leadkit
