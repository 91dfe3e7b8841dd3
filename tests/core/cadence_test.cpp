#include "leadkit/cadence.hpp"

#include <gtest/gtest.h>

#include "fixtures.hpp"
#include "leadkit/calllist.hpp"
#include "leadkit/workspace.hpp"

namespace leadkit {
namespace {

using nlohmann::json;
using testing::kNow;

constexpr int64_t kDay = kDayMs;

Workspace Prospects() {
  Workspace ws;
  const LoadReport r = ws.Load(json::array({
      {{"id", "p1"}, {"firstName", "Ana"}, {"company", "Acme"}, {"createdAt", "2026-11-01T09:00:00Z"}},
      {{"id", "p2"}, {"firstName", "Bo"}, {"company", "Beta"}, {"createdAt", "2026-11-01T09:00:00Z"}},
  }), kNow);
  EXPECT_TRUE(r.errors.empty());
  return ws;
}

TEST(Cadence, TheDefaultIsNineTouchesOverThreeWeeksMixingChannels) {
  const Cadence& c = DefaultCadences().at(0);
  EXPECT_EQ(c.steps.size(), 9u);
  EXPECT_EQ(c.steps.back().day, 20);
  std::set<std::string> channels;
  for (const auto& s : c.steps) channels.insert(s.channel);
  EXPECT_EQ(channels, (std::set<std::string>{"call", "email", "linkedin"}));
}

TEST(Cadence, EachTouchMovesTheNextDueStep) {
  Workspace ws = Prospects();
  ASSERT_TRUE(ws.Enroll("p1", {{"cadence", "outbound_9"}}, kNow));
  json s = ws.CadenceOf("p1", kNow).value();
  EXPECT_EQ(s["state"], "active");
  EXPECT_EQ(s["contactStatus"], "notContacted");
  EXPECT_EQ(s["next"]["step"], 1);
  EXPECT_EQ(s["next"]["channel"], "call");
  EXPECT_EQ(s["next"]["dueToday"], true);
  ASSERT_TRUE(ws.LogTouch("p1", {{"channel", "call"}, {"outcome", "no_answer"}}, kNow + 1000));
  ASSERT_TRUE(ws.LogTouch("p1", {{"channel", "email"}, {"outcome", "sent"}}, kNow + 2000));
  s = ws.CadenceOf("p1", kNow + 3000).value();
  EXPECT_EQ(s["contactStatus"], "attempted");
  EXPECT_EQ(s["done"], 2);
  EXPECT_EQ(s["next"]["channel"], "linkedin");
  EXPECT_EQ(s["next"]["dueAt"], "2026-11-20T11:06:40Z") << "step 3 is day 2 of the cadence";
  // Five days later the LinkedIn step is overdue by three days.
  s = ws.CadenceOf("p1", kNow + 5 * kDay).value();
  EXPECT_EQ(s["next"]["overdueDays"], 3);
}

TEST(Cadence, AReplyEndsTheSequenceAsConnected) {
  Workspace ws = Prospects();
  ASSERT_TRUE(ws.Enroll("p1", {{"cadence", "outbound_9"}}, kNow));
  ASSERT_TRUE(ws.LogTouch("p1", {{"channel", "call"}, {"outcome", "voicemail"}}, kNow));
  const json t = ws.LogTouch("p1", {{"channel", "email"}, {"outcome", "replied"}, {"note", "call me Tuesday"}}, kNow + 1).value();
  EXPECT_EQ(t["contactStatus"], "connected");
  EXPECT_EQ(t["cadence"]["state"], "replied");
  EXPECT_FALSE(t["cadence"].contains("next"));
}

TEST(Cadence, FinishingWithoutAReplyFlagsTheLeadForRecyclingOrDisqualifying) {
  Workspace ws = Prospects();
  ASSERT_TRUE(ws.Enroll("p1", {{"cadence", "outbound_9"}}, kNow));
  const auto& steps = DefaultCadences()[0].steps;
  for (size_t i = 0; i < steps.size(); ++i) {
    ASSERT_TRUE(ws.LogTouch("p1", {{"channel", steps[i].channel}, {"outcome", "no_answer"}}, kNow + steps[i].day * kDay + static_cast<int64_t>(i)));
  }
  const json s = ws.CadenceOf("p1", kNow + 21 * kDay).value();
  EXPECT_EQ(s["state"], "finished");
  EXPECT_EQ(s["flag"], "recycleOrDisqualify");
  EXPECT_EQ(s["suggestedReason"], "unresponsive");
  EXPECT_NE(s["flagReason"].get<std::string>().find("9 touches over 21 days without a reply"), std::string::npos);
  // The suggestion is a reason the lifecycle accepts.
  EXPECT_TRUE(ws.Transition("p1", {{"to", "disqualified"}, {"reason", s["suggestedReason"]}}, kNow + 21 * kDay));
}

TEST(Cadence, BouncesAndNotInterestedAreFlagged) {
  Workspace ws = Prospects();
  ASSERT_TRUE(ws.Enroll("p1", {{"cadence", "outbound_9"}}, kNow));
  ASSERT_TRUE(ws.Enroll("p2", {{"cadence", "outbound_9"}}, kNow));
  EXPECT_EQ(ws.LogTouch("p1", {{"channel", "email"}, {"outcome", "bounced"}}, kNow).value()["cadence"]["flag"], "badContactData");
  const json s = ws.LogTouch("p2", {{"channel", "call"}, {"outcome", "not_interested"}}, kNow).value()["cadence"];
  EXPECT_EQ(s["flag"], "disqualify");
  EXPECT_EQ(s["suggestedReason"], "no_need");
}

TEST(Cadence, BadTouchesAndEnrolmentsAreRefusedAndChangeNothing) {
  Workspace ws = Prospects();
  const json before = ws.Export();
  EXPECT_EQ(ws.LogTouch("p1", {{"channel", "fax"}, {"outcome", "sent"}}, kNow).error().where.path, "channel");
  EXPECT_EQ(ws.LogTouch("p1", {{"channel", "call"}, {"outcome", "great"}}, kNow).error().where.path, "outcome");
  EXPECT_EQ(ws.LogTouch("p1", {{"channel", "call"}, {"outcome", "sent"}, {"at", "yesterday"}}, kNow).error().where.path, "at");
  EXPECT_EQ(ws.Enroll("p1", {{"cadence", "nine"}}, kNow).error().where.path, "cadence");
  EXPECT_EQ(ws.Export(), before);
}

TEST(CallList, RanksDueTouchesScoreAndValueAndSaysWhy) {
  Workspace ws;
  ASSERT_TRUE(ws.Load(json::array({
      {{"id", "due"}, {"firstName", "Ana"}, {"company", "Acme"}, {"createdAt", "2026-11-01T09:00:00Z"}},
      {{"id", "big"}, {"firstName", "Bo"}, {"company", "Beta"}, {"dealValue", 90000}, {"createdAt", "2026-11-17T09:00:00Z"}},
      {{"id", "quiet"}, {"firstName", "Cy"}, {"company", "Gamma"}, {"createdAt", "2026-11-17T09:00:00Z"}},
      {{"id", "gone"}, {"firstName", "Di"}, {"company", "Delta"}, {"stage", "lost"}, {"stageReason", "price"}},
      {{"id", "won"}, {"firstName", "Ed"}, {"company", "Eps"}, {"stage", "customer"}},
  }), kNow).errors.empty());
  ASSERT_TRUE(ws.Enroll("due", {{"cadence", "outbound_9"}, {"startAt", "2026-11-15T09:00:00Z"}}, kNow));
  const json list = CallList(ws, {{"limit", 10}}, kNow).value();
  EXPECT_EQ(list["total"], 3) << "lost and customer leads are not called";
  ASSERT_EQ(list["items"].size(), 3u);
  EXPECT_EQ(list["items"][0]["id"], "due");
  EXPECT_EQ(list["items"][0]["due"]["overdueDays"], 3);
  EXPECT_EQ(list["items"][0]["reasons"][0]["factor"], "due");
  EXPECT_EQ(list["items"][0]["reasons"][0]["text"], "touch 1 of 9 (call) overdue by 3 days");
  EXPECT_EQ(list["items"][1]["id"], "big") << "the deal value lifts it above an equal lead";
  EXPECT_EQ(list["items"][2]["id"], "quiet");
  EXPECT_EQ(list["items"][2]["rank"], 3);
  double shares = 0;
  for (const json& r : list["items"][1]["reasons"]) shares += r["share"].get<double>();
  EXPECT_NEAR(shares, 1.0, 0.01);
  // A lead touched today with nothing due drops off today's list.
  ASSERT_TRUE(ws.LogTouch("quiet", {{"channel", "email"}, {"outcome", "sent"}}, kNow));
  EXPECT_EQ(CallList(ws, json::object(), kNow).value()["total"], 2);
  // Weights change the order: value alone puts the big deal first.
  EXPECT_EQ(CallList(ws, {{"weights", {{"score", 0}, {"due", 0}, {"staleness", 0}, {"value", 1}}}}, kNow).value()["items"][0]["id"], "big");
}

TEST(CallList, BadOptionsAreRefusedNamingThem) {
  Workspace ws;
  EXPECT_EQ(CallList(ws, {{"limit", 0}}, kNow).error().where.path, "limit");
  EXPECT_EQ(CallList(ws, {{"weights", {{"luck", 1}}}}, kNow).error().where.path, "weights.luck");
  EXPECT_EQ(CallList(ws, {{"weights", {{"score", 0}, {"value", 0}, {"due", 0}, {"staleness", 0}}}}, kNow).error().where.path, "weights");
  EXPECT_EQ(CallList(ws, {{"stages", {"won"}}}, kNow).error().where.path, "stages[0]");
  EXPECT_EQ(CallList(ws, json::object(), kNow).value()["items"].size(), 0u);
}

}  // namespace
}  // namespace leadkit
