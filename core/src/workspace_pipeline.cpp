// The workspace's qualification, lifecycle and cadence operations: each reads one lead, checks
// the change against the pipeline settings, and writes it back whole, or changes nothing.
#include <algorithm>
#include <cstdlib>
#include <limits>
#include <set>

#include "leadkit/iso_time.hpp"
#include "leadkit/workspace.hpp"

namespace leadkit {

using nlohmann::json;

namespace {

Error NoLead(std::string_view id) {
  return MakeError("no lead has the id " + DescribeJsonValue(json(std::string(id.substr(0, 128)))), "id",
                   ErrorCode::kNotFound);
}

// Members of `j` must be among `known`; returns the first that is not.
std::optional<std::string> Unknown(const json& j, std::initializer_list<std::string_view> known) {
  for (const auto& [k, v] : j.items()) {
    if (std::find(known.begin(), known.end(), k) == known.end()) return k.substr(0, 64);
  }
  return std::nullopt;
}

// A text member: absent → "", otherwise a string of at most `limit` bytes.
Result<std::string> Text(const json& j, const char* key, size_t limit) {
  const auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::string();
  if (!it->is_string()) return MakeError("expected text, got " + DescribeJsonValue(*it), key);
  if (it->get_ref<const std::string&>().size() > limit) {
    return MakeError("text is longer than the " + std::to_string(limit) + " bytes allowed", key);
  }
  return it->get<std::string>();
}

// An ISO time member, or `fallback` when absent.
Result<int64_t> Time(const json& j, const char* key, int64_t fallback) {
  const auto it = j.find(key);
  if (it == j.end() || it->is_null()) return fallback;
  if (it->is_string()) {
    if (auto t = ParseIsoTime(it->get<std::string>())) return *t;
  }
  return MakeError("expected an ISO 8601 timestamp such as \"2026-03-01T09:30:00Z\", got " +
                       DescribeJsonValue(*it), key);
}

// When something happened (a touch, a move, evidence): absent → now; later than now is refused,
// since it would count before it happens. A few minutes' grace allows for a clock that differs.
Result<int64_t> PastTime(const json& j, const char* key, int64_t now_ms) {
  auto t = Time(j, key, now_ms);
  if (!t) return t;
  constexpr int64_t kGraceMs = 5 * 60 * 1000;
  if (t.value() > now_ms + kGraceMs) {
    return MakeError("is in the future (" + FormatIsoTime(t.value()) + ", now is " + FormatIsoTime(now_ms) +
                         "); log what has happened, or add a task for what is planned",
                     key);
  }
  return t;
}

// Where a lead stands in its cadence, as the API answers it.
json CadenceJson(const Pipeline& pipeline, const Enrollment& enrollment,
                 const std::vector<Touch>& touches, int64_t now_ms) {
  const Cadence* cadence = pipeline.FindCadence(enrollment.key);
  return CadenceStateToJson(CadenceStatus(cadence, enrollment, touches), cadence,
                            ContactStatusOf(touches), now_ms);
}

}  // namespace

Status Workspace::SetPipeline(const json& settings) {
  auto p = Pipeline::FromJson(settings);
  if (!p) return p.error();
  pipeline_ = std::move(p.value());
  ++revision_;
  return Ok{};
}

Result<json> Workspace::SetQualification(std::string_view id, const json& change, int64_t now_ms) {
  const auto row = store_.RowOf(id);
  if (!row) return NoLead(id);
  if (!change.is_object()) return MakeError("expected {criterion, status, evidence?, confidence?}");
  if (auto k = Unknown(change, {"framework", "criterion", "status", "evidence", "confidence", "at"})) {
    return MakeError("unknown member; a change has framework, criterion, status, evidence, "
                     "confidence and at", *k);
  }
  auto fw_key = Text(change, "framework", 64);
  if (!fw_key) return fw_key.error();
  const Framework* fw = fw_key.value().empty() ? &pipeline_.framework() : pipeline_.FindFramework(fw_key.value());
  if (!fw) return MakeError("unknown framework \"" + fw_key.value() + "\"", "framework");
  auto criterion = Text(change, "criterion", 64);
  if (!criterion) return criterion.error();
  Lead lead = store_.GetRow(*row);
  CriterionState* state = MutableCriterion(lead, *fw, criterion.value());
  if (!state) {
    std::string keys;
    for (const Criterion& c : fw->criteria) keys += (keys.empty() ? "" : ", ") + c.key;
    return MakeError("\"" + criterion.value() + "\" is not a " + fw->name + " criterion; expected one of " + keys,
                     "criterion");
  }
  const auto st = change.find("status");
  const auto status = st != change.end() && st->is_string() ? ParseBantStatus(st->get<std::string>()) : std::nullopt;
  if (!status) {
    return MakeError("expected a status: unknown, partly, met or not_met, got " +
                         (st == change.end() ? std::string("nothing") : DescribeJsonValue(*st)),
                     "status");
  }
  auto evidence = Text(change, "evidence", TextLimits::kReason);
  if (!evidence) return evidence.error();
  std::optional<double> confidence;
  if (const auto c = change.find("confidence"); c != change.end() && !c->is_null()) {
    if (!c->is_number() || !(c->get<double>() >= 0 && c->get<double>() <= 1)) {
      return MakeError("expected a number from 0 to 1, got " + DescribeJsonValue(*c), "confidence");
    }
    confidence = c->get<double>();
  }
  auto at = PastTime(change, "at", now_ms);
  if (!at) return at.error();
  state->status = *status;
  state->evidence = evidence.value();
  state->confidence = confidence;
  state->at = at.value();
  lead.updated_at = std::max(lead.updated_at, now_ms);
  const Verdict v = Judge(lead, *fw);
  json out = VerdictToJson(v, lead, *fw);
  store_.Upsert(std::move(lead));
  ++revision_;
  return out;
}

Result<json> Workspace::Qualification(std::string_view id, std::string_view framework) const {
  const auto row = store_.RowOf(id);
  if (!row) return NoLead(id);
  const Framework* fw = framework.empty() ? &pipeline_.framework() : pipeline_.FindFramework(framework);
  if (!fw) return MakeError("unknown framework \"" + std::string(framework.substr(0, 64)) + "\"", "framework");
  const Lead lead = store_.GetRow(*row);
  return VerdictToJson(Judge(lead, *fw), lead, *fw);
}

Result<json> Workspace::Transition(std::string_view id, const json& request, int64_t now_ms) {
  const auto row = store_.RowOf(id);
  if (!row) return NoLead(id);
  if (!request.is_object()) return MakeError("expected {to, reason?, note?, actor?}");
  if (auto k = Unknown(request, {"to", "reason", "note", "actor", "at"})) {
    return MakeError("unknown member; a move has to, reason, note, actor and at", *k);
  }
  TransitionRequest req;
  const auto to = request.find("to");
  const auto stage = to != request.end() && to->is_string() ? ParseStage(to->get<std::string>()) : std::nullopt;
  if (!stage) {
    return MakeError("expected a stage to move to (new, nurturing, mql, sql, opportunity, customer, "
                     "lost or disqualified), got " +
                         (to == request.end() ? std::string("nothing") : DescribeJsonValue(*to)),
                     "to");
  }
  req.to = *stage;
  for (auto [key, out, limit] : {std::tuple{"reason", &req.reason, size_t{200}},
                                 std::tuple{"note", &req.note, size_t{800}},
                                 std::tuple{"actor", &req.actor, TextLimits::kShort}}) {
    auto t = Text(request, key, limit);
    if (!t) return t.error();
    *out = t.value();
  }
  auto at = PastTime(request, "at", now_ms);
  if (!at) return at.error();
  req.at = at.value();
  Lead lead = store_.GetRow(*row);
  LeadFacts facts;
  std::vector<leadkit::Score> scores;  // Workspace::Score would shadow the type
  model_.ScoreRows(store_, channels_, now_ms, *row, *row + 1, scores);
  facts.score = scores.at(0);
  facts.framework = &pipeline_.framework();
  facts.verdict = Judge(lead, *facts.framework);
  if (auto s = CheckTransition(pipeline_.lifecycle(), lead, req, facts); !s) return s.error();
  const Stage from = lead.stage;
  ApplyTransition(pipeline_.lifecycle(), lead, req);
  json out = {{"id", lead.id},
              {"from", StageName(from)},
              {"to", StageName(lead.stage)},
              {"at", FormatIsoTime(req.at)},
              {"stageReason", lead.stage_reason},
              {"historyLength", lead.history.size()}};
  store_.Upsert(std::move(lead));
  ++revision_;
  return out;
}

Result<json> Workspace::LogTouch(std::string_view id, const json& touch, int64_t now_ms) {
  const auto row = store_.RowOf(id);
  if (!row) return NoLead(id);
  if (!touch.is_object()) return MakeError("expected {channel, outcome, at?, note?}");
  if (auto k = Unknown(touch, {"channel", "outcome", "at", "note"})) {
    return MakeError("unknown member; a touch has channel, outcome, at and note", *k);
  }
  Touch t;
  auto channel = Text(touch, "channel", 64);
  if (!channel || !IsTouchChannel(channel.value())) {
    return MakeError("expected a channel: call, email, linkedin, in_person, sms, video or other", "channel");
  }
  auto outcome = Text(touch, "outcome", 64);
  if (!outcome || !IsTouchOutcome(outcome.value())) {
    return MakeError("expected an outcome: sent, no_answer, voicemail, connected, replied, "
                     "meeting_booked, bounced or not_interested", "outcome");
  }
  auto note = Text(touch, "note", TextLimits::kReason);
  if (!note) return note.error();
  auto at = PastTime(touch, "at", now_ms);
  if (!at) return at.error();
  t.channel = channel.value();
  t.outcome = outcome.value();
  t.note = note.value();
  t.at = at.value();
  Lead lead = store_.GetRow(*row);
  if (lead.touches.size() >= TextLimits::kMaxEvents) {
    return MakeError("this lead already has " + std::to_string(lead.touches.size()) + " touches, the most allowed");
  }
  lead.touches.push_back(t);
  lead.updated_at = std::max(lead.updated_at, now_ms);
  json out = {{"touch", {{"channel", t.channel}, {"outcome", t.outcome}, {"at", FormatIsoTime(t.at)}}},
              {"cadence", CadenceJson(pipeline_, lead.cadence, lead.touches, now_ms)}};
  out["contactStatus"] = out["cadence"]["contactStatus"];
  store_.Upsert(std::move(lead));
  ++revision_;
  return out;
}

Result<json> Workspace::Enroll(std::string_view id, const json& request, int64_t now_ms) {
  const auto row = store_.RowOf(id);
  if (!row) return NoLead(id);
  if (!request.is_object()) return MakeError("expected {cadence, startAt?}");
  if (auto k = Unknown(request, {"cadence", "startAt"})) {
    return MakeError("unknown member; enrolment has cadence and startAt", *k);
  }
  const auto key = request.find("cadence");
  Lead lead = store_.GetRow(*row);
  if (key == request.end() || key->is_null()) {
    lead.cadence = {};
  } else {
    const std::string k = key->is_string() ? key->get<std::string>() : std::string();
    if (!pipeline_.FindCadence(k)) {
      std::string known;
      for (const Cadence& c : pipeline_.cadences()) known += (known.empty() ? "" : ", ") + c.key;
      return MakeError("unknown cadence " + DescribeJsonValue(*key) + "; known: " + known, "cadence");
    }
    if (StageNeedsReason(lead.stage) || lead.stage == Stage::kCustomer) {
      return MakeError("a " + std::string(StageName(lead.stage)) +
                       " lead is not prospected; recycle it to nurturing first", "cadence");
    }
    auto start = Time(request, "startAt", now_ms);
    if (!start) return start.error();
    lead.cadence = {k, start.value()};
  }
  lead.updated_at = std::max(lead.updated_at, now_ms);
  json out = CadenceJson(pipeline_, lead.cadence, lead.touches, now_ms);
  store_.Upsert(std::move(lead));
  ++revision_;
  return out;
}

Result<json> Workspace::CadenceOf(std::string_view id, int64_t now_ms) const {
  const auto row = store_.RowOf(id);
  if (!row) return NoLead(id);
  return CadenceJson(pipeline_, store_.cadences()[*row], store_.touches()[*row], now_ms);
}

namespace {

json TaskJson(const Task& t, int64_t now_ms) {
  json j = {{"id", t.id}, {"title", t.title}, {"due", FormatIsoTime(t.due)}, {"overdue", !t.done_at && t.due < now_ms}};
  if (t.done_at) j["doneAt"] = FormatIsoTime(t.done_at);
  if (t.created_at) j["createdAt"] = FormatIsoTime(t.created_at);
  return j;
}

}  // namespace

Result<json> Workspace::SetTask(std::string_view id, const json& change, int64_t now_ms) {
  const auto row = store_.RowOf(id);
  if (!row) return NoLead(id);
  if (!change.is_object()) return MakeError("expected {id?, title?, due?, done?, remove?}");
  if (auto k = Unknown(change, {"id", "title", "due", "done", "remove"})) {
    return MakeError("unknown member; a task change has id, title, due, done and remove", *k);
  }
  auto task_id = Text(change, "id", 64);
  if (!task_id) return task_id.error();
  auto title = Text(change, "title", TextLimits::kReason);
  if (!title) return title.error();
  const auto has = [&change](const char* key) { return change.contains(key) && !change[key].is_null(); };
  Lead lead = store_.GetRow(*row);
  Task* task = nullptr;
  if (task_id.value().empty()) {  // a new task
    if (title.value().empty()) return MakeError("a task needs a title, e.g. \"Call back about the quote\"", "title");
    if (!has("due")) return MakeError("a task needs a due time", "due");
    if (lead.tasks.size() >= kMaxTasks) {
      return MakeError("this lead already has " + std::to_string(kMaxTasks) + " tasks, the most allowed; remove done ones first");
    }
    uint64_t next = 1;
    for (const Task& t : lead.tasks) {
      if (t.id.rfind("task-", 0) == 0) next = std::max<uint64_t>(next, std::strtoull(t.id.c_str() + 5, nullptr, 10) + 1);
    }
    lead.tasks.push_back({"task-" + std::to_string(next), "", 0, 0, now_ms});
    task = &lead.tasks.back();
  } else {
    const auto it = std::find_if(lead.tasks.begin(), lead.tasks.end(), [&](const Task& t) { return t.id == task_id.value(); });
    if (it == lead.tasks.end()) {
      return MakeError("this lead has no task " + DescribeJsonValue(json(task_id.value())), "id");
    }
    task = &*it;
  }
  if (has("remove")) {
    if (!change["remove"].is_boolean()) return MakeError("expected true or false, got " + DescribeJsonValue(change["remove"]), "remove");
    if (change["remove"].get<bool>()) {
      if (task_id.value().empty()) return MakeError("name the task to remove by its id", "id");
      json removed = TaskJson(*task, now_ms);
      lead.tasks.erase(lead.tasks.begin() + (task - lead.tasks.data()));
      lead.updated_at = std::max(lead.updated_at, now_ms);
      store_.Upsert(std::move(lead));
      ++revision_;
      return json{{"leadId", std::string(id)}, {"removed", std::move(removed)}};
    }
  }
  if (!title.value().empty()) task->title = title.value();
  if (has("due")) {
    auto due = Time(change, "due", now_ms);
    if (!due) return due.error();
    task->due = due.value();
  }
  if (has("done")) {
    if (!change["done"].is_boolean()) return MakeError("expected true or false, got " + DescribeJsonValue(change["done"]), "done");
    task->done_at = change["done"].get<bool>() ? (task->done_at ? task->done_at : now_ms) : 0;
  }
  json out = {{"leadId", std::string(id)}, {"task", TaskJson(*task, now_ms)}};
  lead.updated_at = std::max(lead.updated_at, now_ms);
  store_.Upsert(std::move(lead));
  ++revision_;
  return out;
}

Result<json> Workspace::Tasks(const json& options, int64_t now_ms) const {
  if (!options.is_object()) return MakeError("expected {done?, until?, limit?}");
  if (auto k = Unknown(options, {"done", "until", "limit", "now"})) {
    return MakeError("unknown option; tasks takes done, until and limit", *k);
  }
  bool done = false;
  if (options.contains("done")) {
    if (!options["done"].is_boolean()) return MakeError("expected true or false, got " + DescribeJsonValue(options["done"]), "done");
    done = options["done"].get<bool>();
  }
  auto until = Time(options, "until", std::numeric_limits<int64_t>::max());
  if (!until) return until.error();
  size_t limit = 500;
  if (options.contains("limit")) {
    const json& l = options["limit"];
    if (!l.is_number_integer() || l.get<int64_t>() < 1 || l.get<int64_t>() > 10'000) {
      return MakeError("expected a whole number from 1 to 10000, got " + DescribeJsonValue(l), "limit");
    }
    limit = l.get<size_t>();
  }
  struct Item { int64_t due; uint32_t row; size_t k; };
  std::vector<Item> items;
  size_t overdue = 0;
  const auto& tasks = store_.tasks();
  for (uint32_t r = 0; r < tasks.size(); ++r) {
    for (size_t k = 0; k < tasks[r].size(); ++k) {
      const Task& t = tasks[r][k];
      if ((t.done_at != 0) != done || t.due > until.value()) continue;
      overdue += !t.done_at && t.due < now_ms;
      items.push_back({t.due, r, k});
    }
  }
  // Open: the most overdue first. Done: the most recently due first.
  std::sort(items.begin(), items.end(), [done, this](const Item& a, const Item& b) {
    if (a.due != b.due) return done ? a.due > b.due : a.due < b.due;
    return store_.IdAt(a.row) < store_.IdAt(b.row);
  });
  json list = json::array();
  for (size_t i = 0; i < items.size() && i < limit; ++i) {
    const Item& it = items[i];
    json j = TaskJson(tasks[it.row][it.k], now_ms);
    j["leadId"] = store_.IdAt(it.row);
    j["firstName"] = (*store_.Texts(Field::kFirstName))[it.row];
    j["lastName"] = (*store_.Texts(Field::kLastName))[it.row];
    j["company"] = (*store_.Texts(Field::kCompany))[it.row];
    j["stage"] = StageName(static_cast<Stage>(store_.stages()[it.row]));
    list.push_back(std::move(j));
  }
  return json{{"total", items.size()}, {"overdue", overdue}, {"tasks", std::move(list)}};
}

}  // namespace leadkit
