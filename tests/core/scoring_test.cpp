#include "leadkit/scoring.hpp"

#include <gtest/gtest.h>

#include "fixtures.hpp"
#include "leadkit/iso_time.hpp"
#include "leadkit/sample.hpp"
#include "leadkit/workspace.hpp"

namespace leadkit {
namespace {

using nlohmann::json;
using testing::Fixture;
using testing::FixtureWorkspace;
using testing::kNow;


// Every case of tests/fixtures/scoring.json, also run by the JS tests against the wasm build.
class Golden : public ::testing::TestWithParam<json> {};

TEST_P(Golden, ScoresAndExplanationsMatchTheWorkedFigures) {
  const json& c = GetParam();
  Workspace ws = FixtureWorkspace();
  const Status set = ws.SetScoringModel(c["model"]);
  ASSERT_TRUE(set.ok()) << set.error().ToString();
  for (const auto& [id, expect] : c["expect"].items()) {
    const json got = ws.Score(id, kNow).value();
    for (const auto& [key, value] : expect.items()) EXPECT_EQ(got[key], value) << id << "." << key;
    // Every lead's explanation adds up to its total, to the hundredth.
    double cents = 0;
    const json explained = ws.Explain(id, kNow).value();
    for (const json& line : explained) cents += std::llround(line["points"].get<double>() * 100);
    EXPECT_EQ(cents, std::llround(got["total"].get<double>() * 100)) << id;
  }
  for (const auto& [id, lines] : c["explain"].items()) {
    json got = json::array();
    const json explained = ws.Explain(id, kNow).value();
    for (const json& l : explained) got.push_back({l["kind"], l["label"], l["points"]});
    EXPECT_EQ(got, lines) << id;
  }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, Golden, ::testing::ValuesIn(testing::FixtureCases("scoring.json")),
                         testing::CaseName());

json CaseNamed(const std::string& name) {
  const json all = Fixture("scoring.json");  // a named copy: a temporary would die before the loop
  for (const json& c : all["cases"]) {
    if (c["name"] == name) return c;
  }
  return nullptr;
}

TEST(Scoring, WhatIfReportsWhoWouldChangeWithoutSavingTheDraft) {
  const json w = Fixture("scoring.json")["whatIf"];
  Workspace ws = FixtureWorkspace();
  ASSERT_TRUE(ws.SetScoringModel(CaseNamed(w["current"].get<std::string>())["model"]).ok());
  const std::string hash = ws.model().hash();
  const json r = ws.WhatIf(CaseNamed(w["draft"].get<std::string>())["model"], kNow).value();
  EXPECT_EQ(r["changed"], w["changed"]);
  EXPECT_EQ(r["gradeChanged"], w["gradeChanged"]);
  EXPECT_EQ(r["stageChanged"], w["stageChanged"]);
  json ids = json::array();
  for (const json& l : r["leads"]) ids.push_back(l["id"]);
  EXPECT_EQ(ids, w["ids"]);
  EXPECT_EQ(ws.model().hash(), hash);  // the draft was not saved
}

TEST(Scoring, TheSmallestModelIsJustRulesAndItsHashFollowsItsContent) {
  const auto a = ScoringModel::FromJson({{"rules", "rule \"A\" when employees > 10 then +5"}});
  ASSERT_TRUE(a.ok()) << a.error().ToString();
  EXPECT_EQ(a.value().hash().size(), 16u);
  EXPECT_EQ(a.value().normalized()["version"], kModelVersion);
  EXPECT_TRUE(a.value().normalized()["profile"]["criteria"].size() > 0);  // defaults filled in
  const auto same = ScoringModel::FromJson({{"rules", "rule \"A\" when employees > 10 then +5"}});
  const auto other = ScoringModel::FromJson({{"rules", "rule \"A\" when employees > 11 then +5"}});
  EXPECT_EQ(a.value().hash(), same.value().hash());
  EXPECT_NE(a.value().hash(), other.value().hash());
}

TEST(Scoring, BadModelsNameWhatIsWrongAndLeaveTheCurrentModel) {
  Workspace ws = FixtureWorkspace();
  ASSERT_TRUE(ws.SetScoringModel({{"rules", ""}}).ok());
  const std::string hash = ws.model().hash();
  const auto expect = [&](const json& model, const std::string& path, const std::string& text) {
    const Status s = ws.SetScoringModel(model);
    ASSERT_FALSE(s.ok()) << model.dump();
    EXPECT_EQ(s.error().where.path, path) << s.error().ToString();
    EXPECT_NE(s.error().ToString().find(text), std::string::npos) << s.error().ToString();
    EXPECT_EQ(ws.model().hash(), hash);
  };
  expect({{"rules", 5}}, "model.rules", "expected the rules as one text");
  expect({{"rulez", ""}}, "model", "unknown field \"rulez\"");
  expect({{"profile", {{"criteria", {{{"label", "X"}, {"field", "industy"}, {"in", {"SaaS"}}, {"points", 5}}}}}}},
         "model.profile.criteria[0]", "unknown field \"industy\"");
  expect({{"profile", {{"criteria", {{{"label", "X"}, {"field", "employees"}, {"points", 5}}}}}}},
         "model.profile.criteria[0]", "needs \"in\"");
  expect({{"engagement", {{"decay", {{"kind", "halfLife"}, {"days", -3}}}}}}, "model.engagement.decay.days", "0.01 to 3650");
  expect({{"engagement", {{"events", {{"page_view", {{"points", "lots"}}}}}}}}, "model.engagement.events.page_view.points",
         "from -1000 to 1000");
  expect({{"weights", {{"fit", 2}}}}, "model.weights.fit", "from 0 to 1");
  expect({{"thresholds", {{"opportunity", {{"total", 5}}}}}}, "model.thresholds.opportunity", "unknown stage");
  expect({{"matrix", {{"fit", {40, 70}}}}}, "model.matrix.fit", "upper first");
  const Status rule = ws.SetScoringModel({{"rules", "rule \"A\" when industy == \"x\" then 1"}});
  ASSERT_FALSE(rule.ok());
  EXPECT_EQ(rule.error().where.line, 1);
  EXPECT_EQ(rule.error().where.column, 15);
  EXPECT_NE(rule.error().message.find("industy"), std::string::npos);
}

TEST(Scoring, ScoreAllAgreesWithScoreForEveryLeadAndStaysInRange) {
  Workspace ws;
  ASSERT_EQ(ws.Load(SampleLeads(2000, 11, kNow), kNow).loaded, 2000u);
  ASSERT_TRUE(ws.SetScoringModel({{"rules", CaseNamed("rules only")["model"]["rules"]}}).ok());
  const json all = ws.ScoreAll(kNow);
  ASSERT_EQ(all["ids"].size(), 2000u);
  std::map<std::string, int> grades;
  for (size_t i = 0; i < 2000; i += 97) {
    const json one = ws.Score(all["ids"][i].get<std::string>(), kNow).value();
    EXPECT_EQ(one["total"], all["total"][i]);
    EXPECT_EQ(one["grade"], all["grade"][i]);
    EXPECT_EQ(one["matrix"], all["matrix"][i]);
  }
  for (size_t i = 0; i < 2000; ++i) {
    const double t = all["total"][i].get<double>();
    EXPECT_TRUE(t >= 0 && t <= 100) << t;
    ++grades[all["grade"][i].get<std::string>()];
  }
  EXPECT_GE(grades.size(), 4u);  // the default profile tells leads apart
}

TEST(Scoring, EngagementDecaysOnReadAndFitDoesNot) {
  Workspace ws = FixtureWorkspace();
  ASSERT_TRUE(ws.SetScoringModel({{"rules", ""}}).ok());
  const json now = ws.Score("L-001", kNow).value();
  const json later = ws.Score("L-001", kNow + 60 * kMsPerDay).value();
  EXPECT_EQ(now["fit"], later["fit"]);
  EXPECT_LT(later["engagement"].get<double>(), now["engagement"].get<double>());
}

}  // namespace
}  // namespace leadkit
