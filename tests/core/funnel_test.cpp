// Funnel and planner over tests/fixtures/funnel.json, whose expectations were worked out by hand
// (tests/js/funnel.test.mjs checks the same cases through the JS API). The working, for October
// 2026 ([2026-10-01, 2026-11-01)):
//   furthest ordered stage entered in October: f1 customer, f2 mql, f3 sql (entered mql in
//   September), f4 new (then disqualified), f5 opportunity, f8 sql (imported at sql, created in
//   October), f9 none (lost in October); f6 and f7 did nothing in October.
//   → reached new 6, nurturing 5, mql 5, sql 4, opportunity 2, customer 1; lost 1, disqualified 1.
//   Stays ended in October, days: new f1 4, f2 2, f4 3, f5 0.5 → median 2.5; mql f1 3, f3 15,
//   f5 10 → 10; sql f1 2, f5 5, f9 35 → 5.
//   Open now with a value: f2 mql 2000, f3 sql 5000, f5 opportunity 20000 (f7, f8 have none):
//   at the default probabilities 160 + 1000 + 8000 = 9160; measured (1/5, 1/4, 1/2) 11650.
//   Replies: f3 after 4 touches, f5 after 5 (a booked meeting) → 4.5 attempts per reply.
#include <algorithm>
#include <cmath>
#include <string>

#include <gtest/gtest.h>

#include "fixtures.hpp"
#include "leadkit/funnel.hpp"
#include "leadkit/planner.hpp"

namespace leadkit {
namespace {

using nlohmann::json;
using testing::Fixture;

// Every member of `expected` is in `actual` with the same value (numbers to 1e-9); arrays match
// element by element and have the same length.
void ExpectSubset(const json& expected, const json& actual, const std::string& path) {
  if (expected.is_object()) {
    ASSERT_TRUE(actual.is_object()) << path << ": expected an object, got " << actual.dump();
    for (const auto& item : expected.items()) {
      ASSERT_TRUE(actual.contains(item.key())) << path << "." << item.key() << " is missing";
      ExpectSubset(item.value(), actual[item.key()], path + "." + item.key());
    }
  } else if (expected.is_array()) {
    ASSERT_TRUE(actual.is_array()) << path;
    ASSERT_EQ(expected.size(), actual.size()) << path << ": " << actual.dump();
    for (size_t i = 0; i < expected.size(); ++i) {
      ExpectSubset(expected[i], actual[i], path + "[" + std::to_string(i) + "]");
    }
  } else if (expected.is_number()) {
    ASSERT_TRUE(actual.is_number()) << path << ": got " << actual.dump();
    EXPECT_NEAR(expected.get<double>(), actual.get<double>(), 1e-9) << path;
  } else {
    EXPECT_EQ(expected, actual) << path;
  }
}

// What a screen shows must never be NaN or infinite (nlohmann would write them as null, hiding
// the fault, so the check is on the values themselves).
void ExpectAllFinite(const json& j, const std::string& path = "") {
  if (j.is_structured()) {
    for (const auto& item : j.items()) ExpectAllFinite(item.value(), path + "/" + item.key());
  } else if (j.is_number_float()) {
    EXPECT_TRUE(std::isfinite(j.get<double>())) << path;
  }
}

Workspace FunnelWorkspace() {
  Workspace ws;
  const auto report = ws.Load(Fixture("funnel.json")["leads"], testing::kNow);
  EXPECT_TRUE(report.errors.empty()) << report.errors[0].ToString();
  return ws;
}

class FunnelGolden : public ::testing::TestWithParam<json> {};

TEST_P(FunnelGolden, MatchesTheHandComputedFigures) {
  const Workspace ws = FunnelWorkspace();
  auto r = Funnel(ws, GetParam()["request"]);
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  ExpectSubset(GetParam()["expected"], r.value(), "funnel");
  ExpectAllFinite(r.value());
}

INSTANTIATE_TEST_SUITE_P(Fixture, FunnelGolden,
                         ::testing::ValuesIn([] {
                           const json c = Fixture("funnel.json")["funnel"];
                           return std::vector<json>(c.begin(), c.end());
                         }()),
                         testing::CaseName());

class PlanGolden : public ::testing::TestWithParam<json> {};

TEST_P(PlanGolden, MatchesTheHandComputedFigures) {
  const Workspace ws = FunnelWorkspace();
  auto r = Plan(ws, GetParam()["request"], testing::kNow);
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  ExpectSubset(GetParam()["expected"], r.value(), "plan");
  ExpectAllFinite(r.value());
}

INSTANTIATE_TEST_SUITE_P(Fixture, PlanGolden,
                         ::testing::ValuesIn([] {
                           const json c = Fixture("funnel.json")["plans"];
                           return std::vector<json>(c.begin(), c.end());
                         }()),
                         testing::CaseName());

class FunnelInputErrors : public ::testing::TestWithParam<json> {};

TEST_P(FunnelInputErrors, NameThePathAndSayWhatIsWrong) {
  const Workspace ws = FunnelWorkspace();
  const json& c = GetParam();
  const auto r = c["call"] == "plan" ? Plan(ws, c["request"], testing::kNow) : Funnel(ws, c["request"]);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().where.path, c["path"].get<std::string>());
  EXPECT_NE(r.error().message.find(c["message"].get<std::string>()), std::string::npos) << r.error().message;
}

INSTANTIATE_TEST_SUITE_P(Fixture, FunnelInputErrors,
                         ::testing::ValuesIn([] {
                           const json c = Fixture("funnel.json")["errors"];
                           return std::vector<json>(c.begin(), c.end());
                         }()),
                         testing::CaseName());

TEST(Funnel, CountsNeverGrowDownTheFunnelSoRatesStayWithinZeroAndOne) {
  const Workspace ws = FunnelWorkspace();
  for (const char* by : {"none", "source", "direction"}) {
    auto r = Funnel(ws, {{"from", "2026-01-01"}, {"to", "2027-01-01"}, {"by", by}});
    ASSERT_TRUE(r.ok());
    std::vector<json> tables = {r.value()};
    if (r.value().contains("groups")) {
      for (const json& g : r.value()["groups"]) tables.push_back(g);
    }
    for (const json& t : tables) {
      for (size_t s = 0; s + 1 < t["stages"].size(); ++s) {
        EXPECT_GE(t["stages"][s]["reached"], t["stages"][s + 1]["reached"]);
        const json& c = t["stages"][s]["conversion"];
        if (!c.is_null()) {
          EXPECT_GE(c.get<double>(), 0);
          EXPECT_LE(c.get<double>(), 1);
        }
      }
    }
  }
}

TEST(Funnel, GroupsAddUpToTheWhole) {
  const Workspace ws = FunnelWorkspace();
  auto whole = Funnel(ws, {{"from", "2026-09-01"}, {"to", "2026-11-01"}});
  auto split = Funnel(ws, {{"from", "2026-09-01"}, {"to", "2026-11-01"}, {"by", "source"}});
  ASSERT_TRUE(whole.ok() && split.ok());
  for (size_t s = 0; s < 6; ++s) {
    int sum = 0;
    for (const json& g : split.value()["groups"]) sum += g["stages"][s]["reached"].get<int>();
    EXPECT_EQ(sum, whole.value()["stages"][s]["reached"].get<int>()) << s;
  }
}

TEST(Funnel, AnEmptyWorkspaceGivesZerosAndNullsNeverNaN) {
  const Workspace ws;
  auto r = Funnel(ws, {{"from", "2026-10-01"}, {"to", "2026-11-01"}, {"by", "direction"}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value()["flags"], json::array({"noLeadsInPeriod"}));
  EXPECT_TRUE(r.value()["overall"].is_null());
  EXPECT_EQ(r.value()["weightedPipeline"]["total"], 0);
  ExpectAllFinite(r.value());
  auto plan = Plan(ws, {{"revenueGoal", 1000}, {"dealValue", 100}, {"period", "month"}}, testing::kNow);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan.value()["rates"]["leadToMql"]["source"], "default");
  EXPECT_EQ(plan.value()["rates"]["leadToMql"]["samples"], 0);
  ExpectAllFinite(plan.value());
}

TEST(Funnel, HistoryOutOfOrderIsReadInTimeOrder) {
  Workspace ws;
  json lead = Fixture("funnel.json")["leads"][0];  // f1: new → mql → sql → opportunity → customer
  std::reverse(lead["history"].begin(), lead["history"].end());
  ASSERT_TRUE(ws.Load(json::array({lead}), testing::kNow).errors.empty());
  auto r = Funnel(ws, {{"from", "2026-10-01"}, {"to", "2026-11-01"}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value()["velocity"][0]["medianDays"], 4.0);
  EXPECT_EQ(r.value()["velocity"][4]["medianDays"], 10.0);
}

TEST(Planner, ANaNOrInfiniteInputIsRefusedNamingIt) {
  for (double bad : {std::nan(""), double(INFINITY)}) {
    auto r = Plan(json{{"revenueGoal", bad}, {"dealValue", 10}, {"period", "week"}}, nullptr);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().where.path, "revenueGoal");
  }
}

TEST(Planner, AHugeGoalStaysFinite) {
  auto r = Plan(json{{"revenueGoal", 1e300}, {"dealValue", 1e-300}, {"period", "week"}}, nullptr);
  // 1e600 leads is infinite in a double: refused rather than shown as Infinity.
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().where.path, "revenueGoal");
}

}  // namespace
}  // namespace leadkit
