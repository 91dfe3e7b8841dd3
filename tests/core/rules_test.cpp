#include "leadkit/rules.hpp"

#include <gtest/gtest.h>

#include "fixtures.hpp"
#include "leadkit/workspace.hpp"

namespace leadkit {
namespace {

using nlohmann::json;

// Every case of tests/fixtures/bad_rules.json, also run by the JS tests.
class BadRules : public ::testing::TestWithParam<json> {};

TEST_P(BadRules, AreRefusedWithLineColumnAndWhatWasExpected) {
  const json& c = GetParam();
  const auto program = RuleProgram::Compile(c["rules"].get<std::string>());
  ASSERT_FALSE(program.ok());
  const Error& e = program.error();
  EXPECT_EQ(e.where.line, c["line"].get<int>()) << e.ToString();
  EXPECT_EQ(e.where.column, c["column"].get<int>()) << e.ToString();
  EXPECT_NE(e.message.find(c["message"].get<std::string>()), std::string::npos) << e.ToString();
}

INSTANTIATE_TEST_SUITE_P(Fixtures, BadRules, ::testing::ValuesIn(testing::FixtureCases("bad_rules.json")),
                         testing::CaseName());

TEST(Rules, GroupsAndLimitsAreRecorded) {
  const auto p = RuleProgram::Compile(
      "limit 40 # the most rules can add\n"
      "group \"Behaviour\" limit 30 {\n"
      "  rule \"Hot\" when count(events, \"page_view\", 7d) >= 5 then +10\n"
      "}\n"
      "rule \"Big\" when employees >= 1000 then +5 limit 3 // capped\n");
  ASSERT_TRUE(p.ok()) << p.error().ToString();
  EXPECT_EQ(p.value().total_limit(), 40);
  ASSERT_EQ(p.value().groups().size(), 2u);
  EXPECT_EQ(p.value().groups()[1].name, "Behaviour");
  EXPECT_EQ(p.value().groups()[1].limit, 30);
  ASSERT_EQ(p.value().rules().size(), 2u);
  EXPECT_EQ(p.value().rules()[0].group, 1u);
  EXPECT_EQ(p.value().rules()[1].group, 0u);
  EXPECT_EQ(p.value().rules()[1].limit, 3);
  EXPECT_EQ(p.value().rules()[1].line, 5);
}

TEST(Rules, TextTestsIgnoreCaseAndHasAnyMatchesWholeWords) {
  Workspace ws;
  ASSERT_EQ(ws.Load(json::parse(R"([
    {"id": "a", "company": "A", "title": "Head of Sales", "email": "x@uni.EDU"},
    {"id": "b", "company": "B", "title": "Headcount Planner", "email": "y@b.com"}])"), testing::kNow).loaded, 2u);
  const auto p = RuleProgram::Compile(
      "rule \"Head\" when title has_any [\"HEAD\"] then 1\n"
      "rule \"Edu\" when email ends_with \".edu\" then 1\n"
      "rule \"Contains\" when company contains \"a\" then 1\n"
      "rule \"Not\" when not (title starts_with \"head of\") then 1\n");
  ASSERT_TRUE(p.ok()) << p.error().ToString();
  std::vector<double> out;
  p.value().Run(ws.store(), ws.channels(), testing::kNow, 0, 2, out);
  // out[rule * 2 + row]
  EXPECT_EQ(out, (std::vector<double>{1, 0, 1, 0, 1, 0, 0, 1}));
}

TEST(Rules, TagTestsGiveTheSameAnswerWithFewOrManyDistinctTags) {
  // Up to 64 distinct tags are tested through a per-row bit set, beyond that one by one.
  for (const int distinct : {3, 80}) {
    Workspace ws;
    json leads = json::array();
    for (int i = 0; i < distinct; ++i) {
      leads.push_back({{"id", "l" + std::to_string(i)}, {"company", "C"}, {"tags", {"t" + std::to_string(i)}}});
    }
    leads.push_back({{"id", "vip"}, {"company", "C"}, {"tags", {"t1", "VIP"}}});
    ASSERT_EQ(ws.Load(leads, testing::kNow).loaded, static_cast<size_t>(distinct + 1));
    const auto p = RuleProgram::Compile("rule \"VIP\" when tags has_any [\"vip\", \"t2\"] then 1");
    ASSERT_TRUE(p.ok());
    std::vector<double> out;
    p.value().Run(ws.store(), ws.channels(), testing::kNow, 0, static_cast<uint32_t>(ws.store().size()), out);
    std::vector<std::string> hits;
    for (uint32_t r = 0; r < out.size(); ++r) {
      if (out[r] > 0) hits.push_back(ws.store().IdAt(r));
    }
    EXPECT_EQ(hits, (std::vector<std::string>{"l2", "vip"})) << distinct << " distinct tags";
  }
}

TEST(Rules, HostileEventValuesNeverMakeAScoreNaNOrUnbounded) {
  Workspace ws;
  ASSERT_EQ(ws.Load(json::parse(R"([{"id": "a", "company": "A", "events": [
      {"type": "purchase", "at": "2026-11-01T00:00:00Z", "props": {"amount": 1e308}},
      {"type": "purchase", "at": "2026-11-02T00:00:00Z", "props": {"amount": -1e308}},
      {"type": "purchase", "at": "2026-11-03T00:00:00Z", "props": {"amount": "NaN"}},
      {"type": "page_view", "at": "2999-01-01T00:00:00Z"}]}])"), testing::kNow).loaded, 1u);
  ASSERT_TRUE(ws.SetScoringModel(json{{"rules",
      "rule \"Spend\" when sum(events, \"purchase\", \"amount\") > 0 then sum(events, \"purchase\", \"amount\") * 1000000000000 * 1000000000000\n"
      "rule \"Ratio\" when eventCount > 0 then 1 / (eventCount - 4)\n"
      "rule \"Huge\" when employees > -1 or eventCount > 0 then 1000000000000 * 1000000000000 * 1000000000000\n"}}).ok());
  const json s = ws.Score("a", testing::kNow).value();
  for (const char* k : {"fit", "engagement", "total"}) {
    ASSERT_TRUE(s[k].is_number()) << k;
    EXPECT_GE(s[k].get<double>(), 0) << k;
    EXPECT_LE(s[k].get<double>(), 100) << k;
  }
  double sum = 0;
  const json lines = ws.Explain("a", testing::kNow).value();
  for (const json& line : lines) sum += line["points"].get<double>();
  EXPECT_NEAR(sum, s["total"].get<double>(), 1e-9);
}

TEST(Rules, NumbersAreReadExactlyAndOverlongOnesAreRefused) {
  LeadStore store;
  Lead lead;
  lead.id = "a";
  store.Upsert(lead);
  const auto p = RuleProgram::Compile(
      "rule \"A\" when eventCount == 0 then 0.1\n"
      "rule \"B\" when eventCount == 0 then 1234567.89012345\n"
      "rule \"C\" when eventCount == 0 then 0.000000000000000000001\n"
      "rule \"D\" when eventCount == 0 then 00042.50\n");
  ASSERT_TRUE(p.ok()) << p.error().ToString();
  std::vector<double> out;
  p.value().Run(store, ChannelMap(), testing::kNow, 0, 1, out);
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(out[0], 0.1);
  EXPECT_EQ(out[1], 1234567.89012345);
  EXPECT_EQ(out[2], 1e-21);
  EXPECT_EQ(out[3], 42.5);
  const auto long_number = RuleProgram::Compile("rule \"E\" when eventCount == 0 then 1234567890123456");
  ASSERT_FALSE(long_number.ok());
  EXPECT_EQ(long_number.error().where.column, 36);
  EXPECT_NE(long_number.error().message.find("15 significant digits"), std::string::npos);
}

}  // namespace
}  // namespace leadkit
