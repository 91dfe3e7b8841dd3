#include "leadkit/workspace.hpp"

#include <gtest/gtest.h>

#include "fixtures.hpp"
#include "leadkit/sample.hpp"

namespace leadkit {
namespace {

using nlohmann::json;
using testing::Fixture;
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

}  // namespace
}  // namespace leadkit
