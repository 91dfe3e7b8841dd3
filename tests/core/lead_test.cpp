#include "leadkit/lead.hpp"

#include <gtest/gtest.h>

#include "fixtures.hpp"
#include "leadkit/iso_time.hpp"

namespace leadkit {
namespace {

using nlohmann::json;
using testing::Fixture;
using testing::kNow;

Lead ParseOk(const json& j) {
  std::vector<Issue> issues;
  auto lead = LeadFromJson(j, "lead", ChannelMap(), kNow, issues);
  EXPECT_TRUE(issues.empty()) << (issues.empty() ? "" : issues[0].ToString());
  return lead.value_or(Lead{});
}

std::vector<Issue> Problems(const json& j) {
  std::vector<Issue> issues;
  EXPECT_FALSE(LeadFromJson(j, "lead", ChannelMap(), kNow, issues).has_value());
  return issues;
}

TEST(Lead, ReadsEveryFieldOfThePublicFormat) {
  const Lead lead = ParseOk(Fixture("leads.json")[0]);
  EXPECT_EQ(lead.id, "L-001");
  EXPECT_EQ(lead.email, "ana.okafor@helixsoftware.com");  // e-mail case is normalised
  EXPECT_EQ(lead.employees, 240);
  EXPECT_EQ(lead.annual_revenue, 42000000.0);
  EXPECT_EQ(lead.stage, Stage::kSql);
  EXPECT_EQ(lead.bant[kBudget].status, BantStatus::kMet);
  EXPECT_EQ(lead.bant[kBudget].evidence, "Approved 60k for Q1");
  EXPECT_EQ(lead.bant[kAuthority].status, BantStatus::kMet);
  EXPECT_EQ(lead.bant[kTimeline].status, BantStatus::kUnknown);
  EXPECT_EQ(lead.currency, "USD");
  EXPECT_EQ(lead.notes, "Wants SSO.\nCall after 3pm.");
  EXPECT_EQ(lead.tags, (std::vector<std::string>{"priority", "champion"}));
  EXPECT_EQ(lead.custom["seats"], 40);
  ASSERT_EQ(lead.events.size(), 2u);
  EXPECT_EQ(lead.events[1].at, ParseIsoTime("2026-09-03T06:15:00Z"));
  ASSERT_EQ(lead.touches.size(), 1u);
  EXPECT_EQ(lead.touches[0].outcome, "connected");
  ASSERT_EQ(lead.history.size(), 2u);
  EXPECT_EQ(lead.history[1].to, Stage::kSql);
  EXPECT_EQ(lead.history[1].actor, "ana@consultant");
}

TEST(Lead, JsonRoundTripIsLossless) {
  for (const json& j : Fixture("leads.json")) {
    const Lead lead = ParseOk(j);
    const json out = LeadToJson(lead, ChannelMap());
    EXPECT_EQ(ParseOk(out), lead) << out.dump();
    EXPECT_EQ(LeadToJson(ParseOk(out), ChannelMap()), out);
  }
}

TEST(Lead, WritesCamelCaseKeysAndTheDerivedDirection) {
  const json out = LeadToJson(ParseOk(Fixture("leads.json")[0]), ChannelMap());
  for (const char* key : {"id", "firstName", "lastName", "email", "annualRevenue", "source",
                          "direction", "stage", "bant", "dealValue", "createdAt", "updatedAt",
                          "events", "touches", "history"}) {
    EXPECT_TRUE(out.contains(key)) << key;
  }
  EXPECT_EQ(out["direction"], "inbound");
  EXPECT_EQ(out["updatedAt"], "2026-10-02T10:00:00.250Z");
  EXPECT_EQ(out["events"][1]["at"], "2026-09-03T06:15:00Z");  // offsets become UTC
}

TEST(Lead, DefaultsAreNewUnknownSourceAndNowTimestamps) {
  const Lead lead = ParseOk({{"email", "x@y.io"}});
  EXPECT_EQ(lead.stage, Stage::kNew);
  EXPECT_EQ(lead.source, "unknown");
  EXPECT_EQ(lead.created_at, kNow);
  EXPECT_EQ(lead.updated_at, kNow);
}

TEST(Lead, ReportsEveryProblemNotJustTheFirst) {
  const auto issues = Problems({{"email", "nope"}, {"employees", "ten"}, {"stage", "hot"}});
  ASSERT_EQ(issues.size(), 3u);
  EXPECT_EQ(issues[0].path, "lead.email");
  EXPECT_EQ(issues[1].path, "lead.employees");
  EXPECT_EQ(issues[2].path, "lead.stage");
}

TEST(Lead, RefusesTimestampsOutsideTheYears1900To9999WithTheirPath) {
  for (const char* at : {"1899-12-31T23:59:59Z", "0001-01-01T00:00:00Z", "9999-12-31T23:00:00-05:00"}) {
    const auto issues = Problems({{"company", "Acme"}, {"createdAt", at}});
    ASSERT_EQ(issues.size(), 1u) << at;
    EXPECT_EQ(issues[0].path, "lead.createdAt") << at;
  }
  const auto touch = Problems({{"company", "Acme"},
                               {"touches", {{{"channel", "call"}, {"outcome", "connected"}, {"at", "1066-10-14T09:00:00Z"}}}}});
  ASSERT_EQ(touch.size(), 1u);
  EXPECT_EQ(touch[0].path, "lead.touches[0].at");
  const Lead edge = ParseOk({{"company", "Acme"}, {"createdAt", "1900-01-01T00:00:00Z"}, {"updatedAt", "9999-12-31T23:59:59Z"}});
  EXPECT_EQ(edge.created_at, *ParseIsoTime("1900-01-01T00:00:00Z"));
}

TEST(Lead, RefusesA10MegabyteStringWithItsSize) {
  const auto issues = Problems({{"company", "Acme"}, {"notes", std::string(10 << 20, 'x')}});
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(issues[0].path, "lead.notes");
  EXPECT_EQ(issues[0].message, "text is 10485760 bytes, longer than the 65536 allowed");
}

TEST(Lead, ChannelDirectionsFollowTheConfigurableMap) {
  ChannelMap channels;
  EXPECT_EQ(channels.Find("webinar"), Direction::kInbound);
  EXPECT_EQ(channels.Find("cold_call"), Direction::kOutbound);
  EXPECT_FALSE(channels.Find("podcast").has_value());
  ASSERT_TRUE(channels.Set("podcast", Direction::kInbound).ok());
  EXPECT_EQ(channels.Find("podcast"), Direction::kInbound);
  EXPECT_FALSE(channels.Set("Bad Name!", Direction::kInbound).ok());
}

TEST(Lead, DescribesLongValuesWithoutDumpingThem) {
  EXPECT_EQ(DescribeJsonValue(json("ten")), "\"ten\"");
  const std::string d = DescribeJsonValue(json(std::string(1000, 'a')));
  EXPECT_LT(d.size(), 80u);
  EXPECT_NE(d.find("1000 bytes"), std::string::npos);
}

}  // namespace
}  // namespace leadkit
