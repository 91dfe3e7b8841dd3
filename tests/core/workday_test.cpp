// A consultant's day in the core: a lead worked by hand reaches every stage under the default
// guards, touches count toward engagement, future-dated activity is refused, and follow-up tasks
// are kept, listed, snoozed, done and carried by backups and snapshots.
#include <gtest/gtest.h>

#include "fixtures.hpp"
#include "leadkit/iso_time.hpp"
#include "leadkit/model.hpp"
#include "leadkit/workspace.hpp"

namespace leadkit {
namespace {

using nlohmann::json;
using testing::kNow;

constexpr int64_t kHour = 3'600'000;
constexpr int64_t kDay = 24 * kHour;

// A good-fit lead (grade B or better under the default profile) with no website activity.
Workspace OneFitLead() {
  Workspace ws;
  const json lead = {{"id", "l-1"},         {"firstName", "Zofia"},     {"lastName", "López"},
                     {"email", "zofia@acme.io"}, {"company", "Acme"},    {"title", "VP Sales"},
                     {"industry", "SaaS"},   {"employees", 400},         {"country", "US"},
                     {"source", "cold_call"}};
  EXPECT_TRUE(ws.Load(json::array({lead}), kNow).errors.empty());
  return ws;
}

double Engagement(const Workspace& ws, int64_t now) { return ws.Score("l-1", now).value()["engagement"].get<double>(); }

TEST(Workday, TouchesAddEngagementByOutcomeAndChannel) {
  Workspace ws = OneFitLead();
  EXPECT_EQ(Engagement(ws, kNow), 0);
  ASSERT_TRUE(ws.LogTouch("l-1", {{"channel", "call"}, {"outcome", "no_answer"}}, kNow));
  EXPECT_EQ(Engagement(ws, kNow), 0);  // an attempt is not engagement
  ASSERT_TRUE(ws.LogTouch("l-1", {{"channel", "email"}, {"outcome", "replied"}, {"note", "Interested"}}, kNow));
  EXPECT_EQ(Engagement(ws, kNow), 15);
  // The explanation names the touch's outcome.
  const json lines = ws.Explain("l-1", kNow).value();
  bool named = false;
  for (const json& l : lines) named |= l["label"] == "touch.replied";
  EXPECT_TRUE(named) << lines.dump();
  // Points per channel and outcome are settings; a channel's own rule wins over the outcome's.
  ASSERT_TRUE(ws.SetScoringModel({{"engagement", {{"touches", {{"replied", {{"points", 20}}}, {"email.replied", {{"points", 5}}}}}}}}));
  EXPECT_EQ(Engagement(ws, kNow), 5);
  ASSERT_TRUE(ws.SetScoringModel({{"engagement", {{"touches", {{"replied", {{"points", 20}}}}}}}}));
  EXPECT_EQ(Engagement(ws, kNow), 20);
  // A bad setting is refused where it is.
  auto bad = ws.SetScoringModel({{"engagement", {{"touches", {{"telepathy.replied", {{"points", 5}}}}}}}});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().where.path, "model.engagement.touches.telepathy.replied");
}

TEST(Workday, ALeadWorkedByHandReachesEveryStageUnderTheDefaultGuards) {
  Workspace ws = OneFitLead();
  int64_t now = kNow;
  // MQL needs engagement 40: a lead nobody has reached is refused, naming the guard.
  auto r = ws.Transition("l-1", {{"to", "mql"}}, now);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().where.path, "guards.mql.engagementAtLeast");
  ASSERT_TRUE(ws.LogTouch("l-1", {{"channel", "call"}, {"outcome", "connected"}, {"note", "Spoke to Zofia"}}, now += kHour));
  ASSERT_TRUE(ws.LogTouch("l-1", {{"channel", "email"}, {"outcome", "replied"}, {"note", "Wants a demo"}}, now += kHour));
  ASSERT_TRUE(ws.LogTouch("l-1", {{"channel", "video"}, {"outcome", "meeting_booked"}, {"note", "Demo Thursday"}}, now += kHour));
  EXPECT_GE(Engagement(ws, now), 40);
  ASSERT_TRUE(ws.Transition("l-1", {{"to", "mql"}}, now += kHour)) << "MQL by working the lead";
  // SQL: three of BANT's four criteria met.
  for (const char* c : {"budget", "authority", "need"}) {
    ASSERT_TRUE(ws.SetQualification("l-1", {{"criterion", c}, {"status", "met"}}, now += kHour));
  }
  ASSERT_TRUE(ws.Transition("l-1", {{"to", "sql"}}, now += kHour));
  // Opportunity needs a deal value.
  r = ws.Transition("l-1", {{"to", "opportunity"}}, now += kHour);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().where.path, "guards.opportunity.dealValue");
  json lead = *ws.GetJson("l-1");
  lead["dealValue"] = 12000;
  ASSERT_TRUE(ws.Upsert(lead, now += kHour));
  ASSERT_TRUE(ws.Transition("l-1", {{"to", "opportunity"}}, now += kHour));
  ASSERT_TRUE(ws.Transition("l-1", {{"to", "customer"}}, now += kHour));
  EXPECT_EQ((*ws.GetJson("l-1"))["stage"], "customer");
}

TEST(Workday, FutureDatedActivityIsRefusedWhereItIs) {
  Workspace ws = OneFitLead();
  const json before = *ws.GetJson("l-1");
  const std::string later = FormatIsoTime(kNow + 400 * kDay);
  auto t = ws.LogTouch("l-1", {{"channel", "call"}, {"outcome", "connected"}, {"at", later}}, kNow);
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().where.path, "at");
  EXPECT_EQ(t.error().code, ErrorCode::kInvalidInput);
  auto m = ws.Transition("l-1", {{"to", "nurturing"}, {"at", later}}, kNow);
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().where.path, "at");
  auto q = ws.SetQualification("l-1", {{"criterion", "need"}, {"status", "met"}, {"at", later}}, kNow);
  ASSERT_FALSE(q);
  EXPECT_EQ(q.error().where.path, "at");
  EXPECT_EQ(*ws.GetJson("l-1"), before);
  // A minute ahead (a clock that differs a little) is fine; the past is.
  EXPECT_TRUE(ws.LogTouch("l-1", {{"channel", "call"}, {"outcome", "connected"}, {"at", FormatIsoTime(kNow + 60'000)}}, kNow));
  EXPECT_TRUE(ws.LogTouch("l-1", {{"channel", "call"}, {"outcome", "connected"}, {"at", FormatIsoTime(kNow - kDay)}}, kNow));
}

TEST(Workday, TasksAreListedOverdueFirstSnoozedDoneAndKept) {
  Workspace ws = OneFitLead();
  json l2 = {{"id", "l-2"}, {"firstName", "Ana"}, {"company", "Beta"}};
  ASSERT_TRUE(ws.Upsert(l2, kNow));
  auto a = ws.SetTask("l-1", {{"title", "Call back about the quote"}, {"due", FormatIsoTime(kNow + kDay)}}, kNow);
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a.value()["task"]["id"], "task-1");
  auto b = ws.SetTask("l-2", {{"title", "Send the case study"}, {"due", FormatIsoTime(kNow - 2 * kHour)}}, kNow);
  ASSERT_TRUE(b);
  auto c = ws.SetTask("l-1", {{"title", "Check the contract"}, {"due", FormatIsoTime(kNow + 3 * kDay)}}, kNow);
  EXPECT_EQ(c.value()["task"]["id"], "task-2");

  json list = ws.Tasks(json::object(), kNow).value();
  ASSERT_EQ(list["total"], 3);
  EXPECT_EQ(list["overdue"], 1);
  EXPECT_EQ(list["tasks"][0]["leadId"], "l-2");  // overdue first
  EXPECT_TRUE(list["tasks"][0]["overdue"].get<bool>());
  EXPECT_EQ(list["tasks"][0]["firstName"], "Ana");
  EXPECT_EQ(list["tasks"][1]["title"], "Call back about the quote");
  // Only those due by a time.
  EXPECT_EQ(ws.Tasks({{"until", FormatIsoTime(kNow + 2 * kDay)}}, kNow).value()["total"], 2);

  // Snooze: a later due. Done: off the open list, onto the done one.
  ASSERT_TRUE(ws.SetTask("l-2", {{"id", "task-1"}, {"due", FormatIsoTime(kNow + 5 * kDay)}}, kNow));
  ASSERT_TRUE(ws.SetTask("l-1", {{"id", "task-1"}, {"done", true}}, kNow));
  list = ws.Tasks(json::object(), kNow).value();
  EXPECT_EQ(list["total"], 2);
  EXPECT_EQ(list["overdue"], 0);
  EXPECT_EQ(list["tasks"][0]["title"], "Check the contract");
  EXPECT_EQ(ws.Tasks({{"done", true}}, kNow).value()["total"], 1);

  // Bad changes are refused where they are, and change nothing.
  const json before = *ws.GetJson("l-1");
  EXPECT_EQ(ws.SetTask("l-1", {{"title", "No date"}}, kNow).error().where.path, "due");
  EXPECT_EQ(ws.SetTask("l-1", {{"due", FormatIsoTime(kNow)}}, kNow).error().where.path, "title");
  EXPECT_EQ(ws.SetTask("l-1", {{"id", "task-9"}, {"done", true}}, kNow).error().where.path, "id");
  EXPECT_EQ(ws.SetTask("l-1", {{"id", "task-2"}, {"due", "Tuesday"}}, kNow).error().where.path, "due");
  EXPECT_EQ(ws.SetTask("l-1", {{"id", "task-2"}, {"done", "yes"}}, kNow).error().where.path, "done");
  EXPECT_EQ(ws.SetTask("nobody", {{"title", "x"}, {"due", FormatIsoTime(kNow)}}, kNow).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(*ws.GetJson("l-1"), before);

  // Tasks travel in the backup and in the snapshot.
  Workspace copy;
  ASSERT_TRUE(copy.LoadJson(ws.ExportText(), kNow).errors.empty());
  EXPECT_EQ(copy.Tasks(json::object(), kNow).value(), ws.Tasks(json::object(), kNow).value());
  Workspace snap;
  ASSERT_TRUE(snap.LoadSnapshot(ws.ExportSnapshot()).errors.empty());
  EXPECT_EQ(snap.ExportText(), ws.ExportText());

  // Removing one.
  ASSERT_TRUE(ws.SetTask("l-1", {{"id", "task-2"}, {"remove", true}}, kNow));
  EXPECT_EQ(ws.Tasks(json::object(), kNow).value()["total"], 1);
}

// Leads the website widget captured (its export is a backup document) join the consultant's
// workspace: by id, else by e-mail, keeping their events; new ones are added.
TEST(Workday, WidgetLeadsMergeByIdOrEmailKeepingTheirEvents) {
  Workspace ws = OneFitLead();
  ASSERT_TRUE(ws.Transition("l-1", {{"to", "nurturing"}}, kNow));
  const json widget = {
      {"format", "leadkit-workspace"}, {"version", 1},
      {"leads", json::array({
          // The same person by e-mail (another id, another case): fills the phone, adds events.
          {{"id", "w-1"}, {"email", "ZOFIA@acme.io"}, {"phone", "+1 555 0100"}, {"firstName", "Zo"},
           {"events", json::array({{{"type", "pricing_view"}, {"at", FormatIsoTime(kNow - kHour)}},
                                   {{"type", "form_submit"}, {"at", FormatIsoTime(kNow - kHour)}}})}},
          // Someone new, without an id.
          {{"email", "new@visitor.io"}, {"company", "Visitor Co"},
           {"events", json::array({{{"type", "page_view"}, {"at", FormatIsoTime(kNow - kHour)}}})}},
          // The new one again, later on the same visit: joins the lead just added.
          {{"email", "new@visitor.io"}, {"firstName", "Vi"}},
      })}};
  const json before = *ws.GetJson("l-1");
  auto dry = ws.MergeLeads(widget.dump(), kNow, /*dry_run=*/true);
  ASSERT_TRUE(dry) << dry.error().ToString();
  EXPECT_EQ(dry.value()["added"], 1);
  EXPECT_EQ(dry.value()["merged"], 2);
  EXPECT_EQ(*ws.GetJson("l-1"), before);  // a preview changes nothing
  EXPECT_EQ(ws.store().size(), 1u);

  auto r = ws.MergeLeads(widget.dump(), kNow);
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r.value()["leads"][0]["id"], "l-1");
  EXPECT_EQ(r.value()["leads"][0]["matchedBy"], "email");
  const json zofia = *ws.GetJson("l-1");
  EXPECT_EQ(zofia["firstName"], "Zofia");  // what the consultant has stays
  EXPECT_EQ(zofia["phone"], "+1 555 0100");  // what was missing is filled
  EXPECT_EQ(zofia["stage"], "nurturing");
  EXPECT_EQ(zofia["events"].size(), 2u);
  ASSERT_EQ(ws.store().size(), 2u);
  const std::string added = r.value()["leads"][1]["id"];
  EXPECT_NE(added.find("lead-"), std::string::npos);
  const json visitor = *ws.GetJson(added);
  EXPECT_EQ(visitor["firstName"], "Vi");
  EXPECT_EQ(visitor["company"], "Visitor Co");
  EXPECT_GT(ws.Score(added, kNow).value()["engagement"].get<double>(), 0);

  // The same file again changes nothing.
  auto again = ws.MergeLeads(widget.dump(), kNow);
  ASSERT_TRUE(again);
  EXPECT_EQ(again.value()["unchanged"], 3);
  EXPECT_EQ(ws.store().size(), 2u);

  // A bad file is refused where it is, and nothing changes.
  const std::string text = ws.ExportText();
  auto bad = ws.MergeLeads(R"([{"email": "x@y.io", "employees": "lots"}])", kNow);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().where.path, "leads[0].employees");
  auto broken = ws.MergeLeads("[{\"email\": ", kNow);
  ASSERT_FALSE(broken);
  EXPECT_GT(broken.error().where.line, 0);
  EXPECT_EQ(ws.ExportText(), text);
}

// The whole workspace travels in one backup and one snapshot: an adopted predictive model and the
// merge journal too, so a merge made before a backup can be undone after restoring it.
TEST(Workday, ABackupCarriesThePredictiveModelAndAMergeThatCanStillBeUndone) {
  json leads = json::array();
  for (int i = 0; i < 80; ++i) {
    const bool won = i % 3 == 0;
    leads.push_back({{"id", "L-" + std::to_string(i)}, {"company", "Co " + std::to_string(i)},
                     {"industry", won ? "SaaS" : (i % 2 ? "Retail" : "Health")}, {"employees", 20 + i * 7},
                     {"stage", won ? "customer" : "lost"}, {"stageReason", won ? "" : "price"}});
  }
  leads.push_back({{"id", "d-1"}, {"firstName", "Ana"}, {"lastName", "Silva"}, {"email", "ana@dup.io"}, {"company", "Dup"}});
  leads.push_back({{"id", "d-2"}, {"firstName", "Ana"}, {"lastName", "Silva"}, {"email", "ana.silva@dup.io"}, {"company", "Dup"}, {"phone", "+1 555 0101"}});
  Workspace ws;
  ASSERT_TRUE(ws.Load(leads, kNow).errors.empty());
  auto trained = Train(ws, json::object(), kNow);
  ASSERT_TRUE(trained) << trained.error().ToString();
  auto model = PredictiveModel::FromJson(trained.value()["model"]);
  ASSERT_TRUE(model);
  const std::string hash = model.value().hash();
  ws.SetPredictive(std::make_shared<const PredictiveModel>(std::move(model.value())));
  const std::vector<std::string> ids = {"d-1", "d-2"};
  auto merged = ws.Merge(ids, json::object(), kNow);
  ASSERT_TRUE(merged) << merged.error().ToString();
  const std::string merge_id = merged.value()["mergeId"];
  ASSERT_FALSE(ws.store().Get("d-2"));

  for (const bool snapshot : {false, true}) {
    Workspace back;
    const LoadReport r = snapshot ? back.LoadSnapshot(ws.ExportSnapshot()) : back.LoadJson(ws.ExportText(), kNow);
    ASSERT_TRUE(r.errors.empty()) << r.errors[0].ToString();
    EXPECT_EQ(back.ExportText(), ws.ExportText());
    ASSERT_TRUE(back.predictive());
    EXPECT_EQ(back.predictive()->hash(), hash);
    EXPECT_EQ(back.predictive()->Predict(back, "L-3", kNow).value(), ws.predictive()->Predict(ws, "L-3", kNow).value());
    auto undone = back.UndoMerge(merge_id);
    ASSERT_TRUE(undone) << undone.error().ToString();
    EXPECT_TRUE(back.store().Get("d-1"));
    EXPECT_TRUE(back.store().Get("d-2"));
  }
  // Export() and ExportText() agree, with the new members in their place.
  EXPECT_EQ(ws.Export().dump(), ws.ExportText());
  // A damaged journal or model in a backup is refused where it is, and nothing is loaded.
  json doc = json::parse(ws.ExportText());
  doc["mergeJournal"]["merges"] = "lots";
  Workspace bad;
  const LoadReport r = bad.LoadJson(doc.dump(), kNow);
  ASSERT_FALSE(r.errors.empty());
  EXPECT_EQ(r.errors[0].path.rfind("mergeJournal", 0), 0u) << r.errors[0].path;
  EXPECT_EQ(bad.store().size(), 0u);
}

}  // namespace
}  // namespace leadkit
