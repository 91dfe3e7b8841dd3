// The catalog hands the page the core's own lists: each agrees with the array or default it is
// read from, so the page's copy can never drift from what the engine accepts.
#include "leadkit/catalog.hpp"

#include <gtest/gtest.h>

#include "leadkit/channel.hpp"
#include "leadkit/engagement.hpp"
#include "leadkit/pipeline.hpp"
#include "leadkit/profile.hpp"
#include "leadkit/rules.hpp"
#include "leadkit/workspace.hpp"

namespace leadkit {
namespace {

using nlohmann::json;

TEST(Catalog, StagesAreTheCoresInOrderWithLabels) {
  Workspace ws;
  const json c = Catalog(ws);
  ASSERT_EQ(c["stages"].size(), static_cast<size_t>(kStageCount));
  for (int i = 0; i < kStageCount; ++i) {
    const auto s = static_cast<Stage>(i);
    const json& st = c["stages"][i];
    EXPECT_EQ(st["name"], StageName(s));
    EXPECT_EQ(ParseStage(st["name"].get<std::string>()), s);
    EXPECT_EQ(st["label"], StageLabel(s));
    EXPECT_FALSE(st["label"].get<std::string>().empty());
    EXPECT_EQ(st["needsReason"], StageNeedsReason(s));
    EXPECT_EQ(st["open"], s < Stage::kCustomer);
  }
  EXPECT_EQ(c["stages"][2]["label"], "MQL");
}

TEST(Catalog, GradesBestFirst) {
  const json c = Catalog(Workspace());
  ASSERT_EQ(c["grades"].size(), static_cast<size_t>(kGradeCount));
  EXPECT_EQ(c["grades"].front(), "A+");
  EXPECT_EQ(c["grades"].back(), "F");
  for (size_t i = 0; i < c["grades"].size(); ++i) {
    EXPECT_EQ(ParseGrade(c["grades"][i].get<std::string>()), kGradeCount - 1 - static_cast<int>(i));
  }
}

TEST(Catalog, TouchChannelsAndOutcomesAreTheLeadsArrays) {
  const json c = Catalog(Workspace());
  ASSERT_EQ(c["touchChannels"].size(), kTouchChannels.size());
  for (size_t i = 0; i < kTouchChannels.size(); ++i) {
    EXPECT_EQ(c["touchChannels"][i]["name"], kTouchChannels[i]);
    EXPECT_NE(c["touchChannels"][i]["label"], kTouchChannels[i]) << "a label of its own";
  }
  ASSERT_EQ(c["touchOutcomes"].size(), kTouchOutcomes.size());
  for (size_t i = 0; i < kTouchOutcomes.size(); ++i) {
    EXPECT_EQ(c["touchOutcomes"][i]["name"], kTouchOutcomes[i]);
    EXPECT_EQ(c["touchOutcomes"][i]["label"], TouchOutcomeLabel(kTouchOutcomes[i]));
  }
  EXPECT_EQ(TouchChannelLabel("email"), "E-mail");
  EXPECT_EQ(TouchOutcomeLabel("no_answer"), "no answer");
  EXPECT_EQ(TouchOutcomeLabel("made_up"), "made_up");
}

TEST(Catalog, EngagementDefaultsAndDecayKinds) {
  const json c = Catalog(Workspace());
  const auto events = Engagement::DefaultEvents();
  ASSERT_EQ(c["events"].size(), events.size());
  for (size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(c["events"][i]["type"], events[i].type);
    EXPECT_EQ(c["events"][i]["points"], events[i].points);
  }
  const auto touches = Engagement::DefaultTouches();
  ASSERT_EQ(c["touches"].size(), touches.size());
  for (size_t i = 0; i < touches.size(); ++i) EXPECT_EQ(c["touches"][i]["key"], touches[i].key);
  EXPECT_EQ(c["decayKinds"].size(), 4u);
  for (const json& d : c["decayKinds"]) {
    json decay = {{"kind", d["kind"]}};
    if (d["kind"] == "halfLife" || d["kind"] == "linear") decay["days"] = 30;
    if (d["kind"] == "steps") decay["steps"] = json::array({{{"days", 7}, {"factor", 1}}});
    const auto e = Engagement::FromJson({{"decay", decay}}, "engagement");
    ASSERT_TRUE(e.ok()) << d.dump();
    EXPECT_EQ(e.value().ToJson()["decay"]["kind"], d["kind"]);
  }
}

TEST(Catalog, RuleFieldsCompileAndNumericOnesCompare) {
  const json c = Catalog(Workspace());
  EXPECT_GE(c["ruleFields"].size(), 30u);
  for (const json& f : c["ruleFields"]) {
    const std::string name = f["name"];
    const std::string cond = f["numeric"].get<bool>() ? name + " >= 1" : name + " == \"x\"";
    if (name == "tags" || name.rfind("bant.", 0) == 0 || name == "stage" || name == "direction" || name == "emailKind") {
      continue;  // these compare with their own kinds of values
    }
    EXPECT_TRUE(RuleProgram::CompileCondition(cond, "c").ok()) << cond;
  }
  EXPECT_FALSE(RuleProgram::CompileCondition("notAField >= 1", "c").ok());
}

TEST(Catalog, GuardsAreThePipelines) {
  const json c = Catalog(Workspace());
  ASSERT_EQ(c["guards"].size(), 6u);
  for (const json& g : c["guards"]) {
    const json value = g["kind"] == "grade" ? json("B") : g["kind"] == "bool" ? json(true) : json(10);
    const auto p = Pipeline::FromJson({{"guards", {{"sql", {{g["name"].get<std::string>(), value}}}}}});
    ASSERT_TRUE(p.ok()) << g.dump();
    EXPECT_TRUE(p.value().ToJson()["guards"]["sql"].contains(g["name"].get<std::string>()));
  }
}

TEST(Catalog, ChannelsDirectionsReasonsBantAndPaging) {
  Workspace ws;
  ASSERT_TRUE(ws.SetChannels({{"podcast", "inbound"}}).ok());
  const json c = Catalog(ws);
  EXPECT_EQ(c["defaultChannels"].size(), ChannelMap().all().size());
  for (const json& ch : c["defaultChannels"]) {
    EXPECT_EQ(ChannelMap().Find(ch["name"].get<std::string>()), ParseDirection(ch["direction"].get<std::string>()));
    EXPECT_EQ(ch["label"], ChannelLabel(ch["name"].get<std::string>()));
  }
  bool podcast = false;
  for (const json& ch : c["channels"]) podcast |= ch["name"] == "podcast" && ch["direction"] == "inbound";
  EXPECT_TRUE(podcast);
  ASSERT_EQ(c["directions"].size(), 3u);
  for (const json& d : c["directions"]) EXPECT_TRUE(ParseDirection(d["name"].get<std::string>()));
  const auto& lc = ws.pipeline().lifecycle();
  ASSERT_EQ(c["reasons"]["lost"].size(), lc.lost_reasons.size());
  ASSERT_EQ(c["reasons"]["disqualified"].size(), lc.disqualified_reasons.size());
  EXPECT_EQ(c["reasons"]["lost"][0]["key"], lc.lost_reasons[0].key);
  ASSERT_EQ(c["bantStatuses"].size(), 4u);
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(ParseBantStatus(c["bantStatuses"][i]["name"].get<std::string>()), static_cast<BantStatus>(i));
  }
  ASSERT_EQ(c["bantKeys"].size(), kBantKeys.size());
  EXPECT_EQ(c["paging"]["orderCacheFrom"], Workspace::kOrderCacheFrom);
  ASSERT_EQ(c["leadFields"].size(), static_cast<size_t>(Target::kCustom) - 1);
  for (const json& f : c["leadFields"]) {
    EXPECT_NE(f["name"], "");
    if (f["name"] == "dealValue") {
      EXPECT_EQ(f["type"], "number");
    }
  }
}

}  // namespace
}  // namespace leadkit
