#include "leadkit/lifecycle.hpp"

#include <random>

#include <gtest/gtest.h>

#include "fixtures.hpp"
#include "leadkit/workspace.hpp"

namespace leadkit {
namespace {

using nlohmann::json;
using testing::Fixture;
using testing::kNow;

Workspace PipelineWorkspace() {
  const json f = Fixture("pipeline.json");
  Workspace ws;
  EXPECT_TRUE(ws.SetScoringModel(f["model"]));
  const LoadReport r = ws.Load(f["leads"], kNow);
  EXPECT_TRUE(r.errors.empty()) << (r.errors.empty() ? "" : r.errors[0].ToString());
  return ws;
}

// Every case of tests/fixtures/pipeline.json "transitions", also run by the JS tests.
class TransitionCase : public ::testing::TestWithParam<json> {};

TEST_P(TransitionCase, IsAcceptedOrRefusedNamingTheGuard) {
  const json& c = GetParam();
  Workspace ws = PipelineWorkspace();
  const std::string id = c["id"];
  const json before = ws.Export();
  const auto r = ws.Transition(id, c["request"], kNow);
  if (c.value("ok", false)) {
    ASSERT_TRUE(r) << r.error().ToString();
    const json lead = *ws.GetJson(id);
    EXPECT_EQ(lead["stage"], c["request"]["to"]);
    ASSERT_FALSE(lead["history"].empty());
    const json& last = lead["history"].back();
    EXPECT_EQ(last["to"], c["request"]["to"]);
    EXPECT_EQ(last["at"], "2026-11-18T11:06:40Z");
    if (c.contains("stageReason")) {
      EXPECT_EQ(lead["stageReason"], c["stageReason"]);
    }
  } else {
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().where.path, c["path"]);
    EXPECT_NE(r.error().message.find(c["message"].get<std::string>()), std::string::npos) << r.error().message;
    EXPECT_EQ(ws.Export(), before) << "a refused move changed the workspace";
  }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, TransitionCase,
                         ::testing::ValuesIn([] {
                           const json t = Fixture("pipeline.json")["transitions"];
                           return std::vector<json>(t.begin(), t.end());
                         }()),
                         testing::CaseName());

TEST(Lifecycle, RecyclingToNurturingKeepsTheWholeHistory) {
  Workspace ws = PipelineWorkspace();
  ASSERT_TRUE(ws.Transition("bant-3", {{"to", "sql"}}, kNow));
  ASSERT_TRUE(ws.Transition("bant-3", {{"to", "lost"}, {"reason", "chose_competitor"}}, kNow + 1000));
  ASSERT_TRUE(ws.Transition("bant-3", {{"to", "nurturing"}, {"reason", "try again next year"}}, kNow + 2000));
  const json lead = *ws.GetJson("bant-3");
  ASSERT_EQ(lead["history"].size(), 3u);
  EXPECT_EQ(lead["history"][0]["from"], "mql");
  EXPECT_EQ(lead["history"][1]["reason"], "chose_competitor");
  EXPECT_EQ(lead["history"][2]["to"], "nurturing");
  EXPECT_EQ(lead["stage"], "nurturing");
  EXPECT_FALSE(lead.contains("stageReason")) << "an open lead carries no lost reason";
}

TEST(Lifecycle, GuardsAndReasonListsAreConfigurable) {
  Workspace ws = PipelineWorkspace();
  ASSERT_TRUE(ws.SetPipeline({{"guards", {{"sql", {{"qualified", true}, {"dealValue", true}}}}},
                              {"reasons", {{"disqualified", {{{"key", "student"}, {"label", "A student"}}}}}}}));
  auto r = ws.Transition("bant-3", {{"to", "sql"}}, kNow);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().where.path, "guards.sql.dealValue") << r.error().message;
  r = ws.Transition("fit-quiet", {{"to", "disqualified"}, {"reason", "not_icp"}}, kNow);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("one of student"), std::string::npos) << r.error().message;
  EXPECT_TRUE(ws.Transition("fit-quiet", {{"to", "disqualified"}, {"reason", "student"}}, kNow));
  EXPECT_EQ((*ws.GetJson("fit-quiet"))["stageReason"], "A student");
}

TEST(Lifecycle, BadSettingsAreRefusedWithTheirPathAndChangeNothing) {
  Workspace ws = PipelineWorkspace();
  const json before = ws.pipeline().ToJson();
  const std::vector<std::pair<json, std::string>> bad = {
      {{{"guards", {{"mql", {{"fitGradeAtLeast", "Z"}}}}}}, "guards.mql.fitGradeAtLeast"},
      {{{"guards", {{"mql", {{"speed", 3}}}}}}, "guards.mql.speed"},
      {{{"guards", {{"won", json::object()}}}}, "guards.won"},
      {{{"transitions", {{"new", {"new"}}}}}, "transitions.new[0]"},
      {{{"reasons", {{"lost", json::array()}}}}, "reasons.lost"},
      {{{"framework", "spiced"}}, "framework"},
      {{{"cadences", {{{"key", "x"}, {"steps", {{{"day", 3}, {"channel", "fax"}}}}}}}}, "cadences[0].steps[0].channel"},
      {{{"colour", "red"}}, "colour"},
  };
  for (const auto& [settings, path] : bad) {
    const Status s = ws.SetPipeline(settings);
    ASSERT_FALSE(s) << settings.dump();
    EXPECT_EQ(s.error().where.path, path) << s.error().message;
  }
  EXPECT_EQ(ws.pipeline().ToJson(), before);
}

TEST(Lifecycle, PipelineSettingsTravelInTheBackup) {
  Workspace ws = PipelineWorkspace();
  const json settings = {{"framework", "meddic"}, {"guards", {{"opportunity", {{"dealValue", true}}}}}};
  ASSERT_TRUE(ws.SetPipeline(settings));
  Workspace copy;
  ASSERT_TRUE(copy.LoadJson(ws.Export().dump(), kNow).errors.empty());
  EXPECT_EQ(copy.pipeline().ToJson(), ws.pipeline().ToJson());
  EXPECT_EQ(copy.pipeline().framework().key, "meddic");
  // The normalised form reads back as the same settings.
  auto again = Pipeline::FromJson(ws.pipeline().ToJson());
  ASSERT_TRUE(again) << again.error().ToString();
  EXPECT_EQ(again.value().ToJson(), ws.pipeline().ToJson());
}

// Property: no sequence of operations, accepted or refused, leaves a lead inconsistent. After
// every step: the history chains (each entry starts where the last ended) and ends at the
// current stage; lost and disqualified leads have a reason; a refused step changed nothing; an
// accepted move added exactly one entry.
TEST(Lifecycle, NoSequenceOfOperationsLeavesTheStageMachineInconsistent) {
  static const std::vector<std::string> kStages = {"new", "nurturing", "mql", "sql", "opportunity",
                                                    "customer", "lost", "disqualified", "won"};
  static const std::vector<std::string> kReasons = {"", "no_budget", "chose_competitor", "not_icp", "other", "bogus"};
  static const std::vector<std::string> kStatus = {"unknown", "partly", "met", "not_met"};
  static const std::vector<std::string> kBant = {"budget", "authority", "need", "timeline"};
  for (uint32_t seed = 1; seed <= 4; ++seed) {
    Workspace ws = PipelineWorkspace();
    std::mt19937 rng(seed);
    const std::vector<std::string> ids = {"fit-engaged", "fit-quiet", "unfit-engaged", "bant-3", "bant-2", "won"};
    std::map<std::string, size_t> history_size;
    for (const auto& id : ids) history_size[id] = (*ws.GetJson(id))["history"].size();
    int accepted = 0;
    for (int step = 0; step < 400; ++step) {
      const std::string& id = ids[rng() % ids.size()];
      const int64_t now = kNow + step * 60'000;
      const json before = *ws.GetJson(id);
      bool moved = false, ok = false;
      switch (rng() % 4) {
        case 0:
        case 1: {
          json req = {{"to", kStages[rng() % kStages.size()]}};
          const std::string& reason = kReasons[rng() % kReasons.size()];
          if (!reason.empty()) req["reason"] = reason;
          if (rng() % 2) req["note"] = "step " + std::to_string(step);
          ok = ws.Transition(id, req, now).ok();
          moved = ok;
          break;
        }
        case 2:
          ok = ws.SetQualification(id, {{"criterion", kBant[rng() % 4]}, {"status", kStatus[rng() % 4]}}, now).ok();
          break;
        case 3:
          ok = ws.LogTouch(id, {{"channel", "call"}, {"outcome", rng() % 3 ? "no_answer" : "bogus"}}, now).ok();
          break;
      }
      const json after = *ws.GetJson(id);
      if (!ok) {
        ASSERT_EQ(after, before) << "seed " << seed << " step " << step << ": a refused operation changed the lead";
        continue;
      }
      accepted += moved;
      const json& h = after["history"];
      ASSERT_EQ(h.size(), history_size[id] + (moved ? 1 : 0)) << "seed " << seed << " step " << step;
      history_size[id] = h.size();
      for (size_t i = 1; i < h.size(); ++i) ASSERT_EQ(h[i]["from"], h[i - 1]["to"]) << "history breaks at " << i;
      if (!h.empty()) {
        ASSERT_EQ(h.back()["to"], after["stage"]);
      }
      const std::string stage = after["stage"];
      if (stage == "lost" || stage == "disqualified") {
        ASSERT_FALSE(after.value("stageReason", std::string()).empty()) << stage << " without a reason";
      }
    }
    EXPECT_GT(accepted, 20) << "the random walk should make real moves, not only refused ones";
  }
}

}  // namespace
}  // namespace leadkit
