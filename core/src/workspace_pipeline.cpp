// The workspace's qualification, lifecycle and cadence operations: each reads one lead, checks
// the change against the pipeline settings, and writes it back whole, or changes nothing.
#include <algorithm>
#include <set>

#include "leadkit/iso_time.hpp"
#include "leadkit/workspace.hpp"

namespace leadkit {

using nlohmann::json;

namespace {

Error NoLead(std::string_view id) {
  return MakeError("no lead has the id " + DescribeJsonValue(json(std::string(id.substr(0, 128)))), "id");
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
  auto at = Time(change, "at", now_ms);
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
  auto at = Time(request, "at", now_ms);
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
  auto at = Time(touch, "at", now_ms);
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

}  // namespace leadkit
