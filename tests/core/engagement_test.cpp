#include "leadkit/engagement.hpp"

#include <gtest/gtest.h>

namespace leadkit {
namespace {

using nlohmann::json;

// The website widget builds its model with Make (no JSON in its slim build); the app with
// FromJson. Both must give the same model.
TEST(Engagement, MakeFromPlainValuesEqualsTheSameModelFromJson) {
  const auto from_json = Engagement::FromJson(
      json::parse(R"({"events": {"page_view": {"points": 2}, "return_visit": {"points": 5, "cap": 20}},
                      "decay": {"kind": "steps", "steps": [{"days": 7, "factor": 1}, {"days": 30, "factor": 0.5}]},
                      "fullScoreAt": 80})"),
      "engagement");
  ASSERT_TRUE(from_json.ok()) << from_json.error().ToString();
  std::vector<Engagement::EventRule> events = {{"return_visit", 5, 20, 0}};
  for (Engagement::EventRule rule : Engagement::DefaultEvents()) {
    if (rule.type == "page_view") {
      rule.points = 2;  // the default cap stays, as FromJson merges
      events.push_back(rule);
    }
  }
  const auto made = Engagement::Make(events, Engagement::Curve::kSteps, 0, {{7, 1}, {30, 0.5}}, 80);
  ASSERT_TRUE(made.ok()) << made.error().ToString();
  EXPECT_EQ(made.value().ToJson(), from_json.value().ToJson());
  for (double age : {0.0, 3.0, 7.0, 20.0, 31.0}) EXPECT_EQ(made.value().Decay(age), from_json.value().Decay(age)) << age;
}

TEST(Engagement, MakeRefusesWhatFromJsonRefusesAndNamesTheMember) {
  auto bad = Engagement::Make({{"Page View", 1, 0, 0}}, Engagement::Curve::kHalfLife, 30, {}, 100);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().where.path, "engagement.events.Page View");
  bad = Engagement::Make({{"page_view", 5000, 0, 0}}, Engagement::Curve::kHalfLife, 30, {}, 100);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().where.path, "engagement.events.page_view.points");
  bad = Engagement::Make({}, Engagement::Curve::kHalfLife, 0, {}, 100);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().where.path, "engagement.decay.days");
  bad = Engagement::Make({}, Engagement::Curve::kSteps, 0, {{30, 1}, {7, 0.5}}, 100);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().where.path, "engagement.decay.steps[1].days");
  bad = Engagement::Make({}, Engagement::Curve::kNone, 0, {}, 0);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().where.path, "engagement.fullScoreAt");
}

}  // namespace
}  // namespace leadkit
