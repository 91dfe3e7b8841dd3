// The advisor's table of cases (tests/fixtures/advisor.json, shared with tests/js/funnel.test.mjs)
// and the properties the advice must keep whatever the inputs.
#include <algorithm>
#include <cmath>
#include <string>

#include <gtest/gtest.h>

#include "fixtures.hpp"
#include "leadkit/advisor.hpp"

namespace leadkit {
namespace {

using nlohmann::json;
using testing::Fixture;

json WeightOf(const json& advice, const std::string& input) {
  for (const json& r : advice["reasons"]) {
    if (r["input"] == input) return r["weight"];
  }
  return nullptr;
}

class AdvisorTable : public ::testing::TestWithParam<json> {};

TEST_P(AdvisorTable, GivesTheExpectedAdviceWithTracedReasons) {
  const json& expect = GetParam()["expect"];
  auto r = Advise(GetParam()["inputs"]);
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  const json& a = r.value();
  const double p = a["mix"]["prospecting"], g = a["mix"]["leadGeneration"];
  EXPECT_NEAR(p + g, 1.0, 1e-12);
  EXPECT_EQ(a["lean"], expect["lean"]);
  if (expect.contains("prospectingAtLeast")) {
    EXPECT_GE(p, expect["prospectingAtLeast"].get<double>());
  }
  if (expect.contains("leadGenerationAtLeast")) {
    EXPECT_GE(g, expect["leadGenerationAtLeast"].get<double>());
  }
  if (expect.contains("prospecting")) {
    EXPECT_NEAR(p, expect["prospecting"].get<double>(), 1e-12);
  }
  if (expect.contains("leadGeneration")) {
    EXPECT_NEAR(g, expect["leadGeneration"].get<double>(), 1e-12);
  }
  if (expect.contains("weights")) {
    for (const auto& w : expect["weights"].items()) {
      const json got = WeightOf(a, w.key());
      ASSERT_TRUE(got.is_number()) << w.key();
      EXPECT_NEAR(got.get<double>(), w.value().get<double>(), 1e-3) << w.key();
    }
  }
  // Every reason traces to one of the inputs, and each input is accounted for once.
  ASSERT_EQ(a["reasons"].size(), 7u);
  for (const json& reason : a["reasons"]) {
    EXPECT_TRUE(GetParam()["inputs"].contains(reason["input"].get<std::string>())) << reason["input"];
    EXPECT_FALSE(reason["text"].get<std::string>().empty());
  }
}

INSTANTIATE_TEST_SUITE_P(Fixture, AdvisorTable,
                         ::testing::ValuesIn(testing::FixtureCases("advisor.json")),
                         testing::CaseName());

// The fixture's valid inputs with one member changed (null: removed).
json WithOverride(const json& overrides) {
  json inputs = Fixture("advisor.json")["valid"];
  for (const auto& o : overrides.items()) {
    if (o.value().is_null()) inputs.erase(o.key());
    else inputs[o.key()] = o.value();
  }
  return inputs;
}

class AdvisorErrors : public ::testing::TestWithParam<json> {};

TEST_P(AdvisorErrors, RefuseTheInputByName) {
  auto r = Advise(WithOverride(GetParam()["inputs"]));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().where.path, GetParam()["path"].get<std::string>()) << r.error().ToString();
  EXPECT_FALSE(r.error().message.empty());
}

INSTANTIATE_TEST_SUITE_P(Fixture, AdvisorErrors,
                         ::testing::ValuesIn([] {
                           const json c = Fixture("advisor.json")["errors"];
                           return std::vector<json>(c.begin(), c.end());
                         }()),
                         testing::CaseName());

TEST(Advisor, NaNAndInfinityAreRefused) {
  for (const char* key : {"niche", "dealValue", "pipelineCoverage", "marketingBudget"}) {
    for (double bad : {std::nan(""), double(INFINITY), -double(INFINITY)}) {
      auto r = Advise(WithOverride({{key, bad}}));
      ASSERT_FALSE(r.ok()) << key;
      EXPECT_EQ(r.error().where.path, key);
    }
  }
}

TEST(Advisor, TheValidBaselineIsAccepted) {
  EXPECT_TRUE(Advise(Fixture("advisor.json")["valid"]).ok());
}

// Moving an input past its sensitivity value really does change the lean, so the "what would
// change the advice" list can be trusted.
TEST(Advisor, SensitivitiesNameValuesThatChangeTheLean) {
  for (const json& c : testing::FixtureCases("advisor.json")) {
    auto r = Advise(c["inputs"]);
    ASSERT_TRUE(r.ok());
    const std::string lean = r.value()["lean"];
    for (const json& s : r.value()["sensitivities"]) {
      const std::string input = s["input"];
      json moved = c["inputs"];
      if (input == "b2b") {
        moved["b2b"] = !moved["b2b"].get<bool>();
      } else {
        const double now = moved[input], at = s["value"];
        // Just past the threshold, on the far side from the current value.
        double past = at + (at > now ? 1 : -1) * std::max(1e-6, std::fabs(at) * 1e-6);
        past = std::max(past, 0.0);  // every input's range starts at 0 or above
        if (input == "niche") past = std::min(past, 1.0);
        if (input == "salesHoursPerWeek") past = std::min(past, 168.0);
        moved[input] = past;
      }
      auto after = Advise(moved);
      ASSERT_TRUE(after.ok()) << input << " " << moved.dump();
      EXPECT_NE(after.value()["lean"], lean) << c["name"] << ": " << s["text"];
    }
  }
}

TEST(Advisor, SensitivitiesSayWhichWayAndOnlyWhatCanChangeTheAdvice) {
  // Case 0 leans so far to prospecting that pipeline coverage alone cannot turn it: no false promise.
  auto strong = Advise(testing::FixtureCases("advisor.json")[0]["inputs"]);
  ASSERT_TRUE(strong.ok());
  for (const json& s : strong.value()["sensitivities"]) EXPECT_NE(s["input"], "pipelineCoverage");
  // The balanced case (coverage 2×) tips to prospecting below some coverage, to lead generation above.
  auto balanced = Advise(testing::FixtureCases("advisor.json")[7]["inputs"]);
  ASSERT_TRUE(balanced.ok());
  std::vector<std::string> texts;
  for (const json& s : balanced.value()["sensitivities"]) {
    if (s["input"] == "pipelineCoverage") texts.push_back(s["text"]);
  }
  ASSERT_EQ(texts.size(), 2u) << balanced.value().dump(2);
  EXPECT_NE(texts[0].find("above"), std::string::npos);
  EXPECT_NE(texts[0].find("lead generation first"), std::string::npos) << texts[0];
  EXPECT_NE(texts[1].find("below"), std::string::npos);
  EXPECT_NE(texts[1].find("prospecting first"), std::string::npos) << texts[1];
}

TEST(Advisor, MoreOfAProspectingSignalNeverLowersTheProspectingShare) {
  const json base = Fixture("advisor.json")["cases"][7]["inputs"];  // the balanced case
  const auto share = [](const json& in) { return Advise(in).value()["mix"]["prospecting"].get<double>(); };
  double last = -1;
  for (double niche = 0; niche <= 1.0001; niche += 0.1) {
    json in = base;
    in["niche"] = niche;
    EXPECT_GE(share(in), last);
    last = share(in);
  }
  last = 2;
  for (double coverage = 0; coverage <= 6; coverage += 0.5) {
    json in = base;
    in["pipelineCoverage"] = coverage;
    EXPECT_LE(share(in), last);
    last = share(in);
  }
  json b2c = base;
  b2c["b2b"] = false;
  EXPECT_LT(share(b2c), share(base));
}

}  // namespace
}  // namespace leadkit
