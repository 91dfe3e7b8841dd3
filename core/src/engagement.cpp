#include "leadkit/engagement.hpp"

#include <algorithm>
#include <cmath>
#include <optional>

#include "leadkit/channel.hpp"
#include "leadkit/iso_time.hpp"

namespace leadkit {
namespace {

using nlohmann::json;

bool FiniteNumber(const json& v, double lo, double hi) {
  return v.is_number() && std::isfinite(v.get<double>()) && v.get<double>() >= lo && v.get<double>() <= hi;
}

// Reads {points, cap, repeat} of an event type or touch outcome over the values given; the error,
// naming the member, when one is out of range or unknown.
std::optional<Error> ReadPoints(const json& cfg, const std::string& path, const char* what, double& points,
                                double& cap, uint32_t& repeat) {
  for (const auto& [key, v] : cfg.items()) {
    if (key == "points" && FiniteNumber(v, -1000, 1000)) {
      points = v.get<double>();
    } else if (key == "cap" && FiniteNumber(v, 0, 100000)) {
      cap = v.get<double>();
    } else if (key == "repeat" && v.is_number_integer() && FiniteNumber(v, 0, 100000)) {
      repeat = v.get<uint32_t>();
    } else if (key == "points" || key == "cap" || key == "repeat") {
      return MakeError("expected " + std::string(key == "points" ? "a number from -1000 to 1000"
                                                 : key == "cap" ? "a number from 0 to 100000"
                                                                : "a whole number from 0 to 100000") +
                           ", got " + DescribeJsonValue(v),
                       path + "." + key);
    } else {
      return MakeError("unknown field \"" + key.substr(0, 64) + "\" (" + what + " has points, cap and repeat)", path);
    }
  }
  return std::nullopt;
}

}  // namespace

std::vector<Engagement::EventRule> Engagement::DefaultEvents() {
  // What a marketing-automation tool would start from. Unsubscribes and bounces count against a
  // lead.
  return {{"page_view", 1, 15, 0},          {"pricing_view", 8, 24, 0},
          {"content_download", 8, 24, 0},   {"webinar_registered", 5, 10, 0},
          {"webinar_attended", 15, 30, 0},  {"email_open", 1, 5, 0},
          {"email_click", 3, 12, 0},        {"email_reply", 15, 30, 0},
          {"form_submit", 10, 20, 0},       {"meeting_booked", 25, 50, 0},
          {"unsubscribe", -20, 20, 1},      {"bounce", -10, 10, 1}};
}

std::vector<Engagement::TouchRule> Engagement::DefaultTouches() {
  // A lead worked by hand earns engagement as one who clicks does: a reply and a booked meeting
  // reach the default MQL guard (engagement 40) on their own. A refusal counts against.
  return {{"connected", 10, 20, 0},      {"replied", 15, 30, 0}, {"meeting_booked", 30, 60, 0},
          {"not_interested", -20, 20, 1}, {"bounced", -10, 10, 1}};
}

namespace {

// The channel and outcome indexes of a touch rule's key, or nullopt when it names neither.
std::optional<std::pair<int, int>> TouchKey(std::string_view key) {
  int channel = -1;
  if (const size_t dot = key.find('.'); dot != std::string_view::npos) {
    const auto c = std::find(kTouchChannels.begin(), kTouchChannels.end(), key.substr(0, dot));
    if (c == kTouchChannels.end()) return std::nullopt;
    channel = static_cast<int>(c - kTouchChannels.begin());
    key = key.substr(dot + 1);
  }
  const auto o = std::find(kTouchOutcomes.begin(), kTouchOutcomes.end(), key);
  if (o == kTouchOutcomes.end()) return std::nullopt;
  return std::pair{channel, static_cast<int>(o - kTouchOutcomes.begin())};
}

template <size_t N>
int IndexOf(const std::array<std::string_view, N>& names, std::string_view name) {
  const auto it = std::find(names.begin(), names.end(), name);
  return it == names.end() ? -1 : static_cast<int>(it - names.begin());
}

}  // namespace

void Engagement::IndexTouches() {
  for (auto& row : touch_rule_of_) row.fill(-1);
  // Outcome-wide rules first, then channel-specific ones over them.
  for (int pass = 0; pass < 2; ++pass) {
    for (size_t r = 0; r < touches_.size(); ++r) {
      const auto k = TouchKey(touches_[r].key);
      if (!k || (k->first >= 0) != (pass == 1)) continue;
      for (size_t c = 0; c < kTouchChannels.size(); ++c) {
        if (k->first < 0 || static_cast<size_t>(k->first) == c) touch_rule_of_[c][k->second] = static_cast<int16_t>(r);
      }
    }
  }
}

Result<Engagement> Engagement::FromJson(const json& j, const std::string& path) {
  if (!j.is_object()) return MakeError("expected an object", path);
  for (const auto& [key, v] : j.items()) {
    if (key != "events" && key != "touches" && key != "decay" && key != "fullScoreAt") {
      return MakeError("unknown field \"" + key.substr(0, 64) + "\" (engagement has events, touches, decay and fullScoreAt)", path);
    }
  }
  Engagement e;
  e.events_ = DefaultEvents();
  e.touches_ = DefaultTouches();
  if (j.contains("touches")) {
    const json& tj = j["touches"];
    if (!tj.is_object() || tj.size() > 100) return MakeError("expected an object of touch outcomes", path + ".touches");
    for (const auto& [key, cfg] : tj.items()) {
      const std::string p = path + ".touches." + key.substr(0, 64);
      if (!TouchKey(key)) {
        return MakeError("expected an outcome (" + [] {
          std::string names;
          for (auto o : kTouchOutcomes) names += (names.empty() ? "" : ", ") + std::string(o);
          return names;
        }() + "), or a channel and an outcome such as call.connected", p);
      }
      if (!cfg.is_object()) return MakeError("expected {points, cap, repeat}, got " + DescribeJsonValue(cfg), p);
      const std::string& name = key;
      auto it = std::find_if(e.touches_.begin(), e.touches_.end(), [&](const TouchRule& r) { return r.key == name; });
      TouchRule rule = it != e.touches_.end() ? *it : TouchRule{key};
      if (auto bad = ReadPoints(cfg, p, "a touch outcome", rule.points, rule.cap, rule.repeat)) return *bad;
      if (it != e.touches_.end()) *it = rule; else e.touches_.push_back(rule);
    }
  }
  e.IndexTouches();
  if (j.contains("events")) {
    const json& ev = j["events"];
    if (!ev.is_object() || ev.size() > 100) return MakeError("expected an object of event types", path + ".events");
    for (const auto& [type, cfg] : ev.items()) {
      const std::string p = path + ".events." + type.substr(0, 64);
      if (!IsIdentifier(type)) return MakeError("an event type is lower_snake_case, e.g. page_view", p);
      if (!cfg.is_object()) return MakeError("expected {points, cap, repeat}, got " + DescribeJsonValue(cfg), p);
      EventRule rule{type};
      const std::string& name = type;  // clang 14 cannot capture a structured binding
      auto it = std::find_if(e.events_.begin(), e.events_.end(), [&](const EventRule& r) { return r.type == name; });
      if (it != e.events_.end()) rule = *it;
      if (auto bad = ReadPoints(cfg, p, "an event type", rule.points, rule.cap, rule.repeat)) return *bad;
      if (it != e.events_.end()) *it = rule; else e.events_.push_back(rule);
    }
  }
  if (j.contains("decay")) {
    const json& d = j["decay"];
    const std::string p = path + ".decay";
    if (!d.is_object() || !d.contains("kind") || !d["kind"].is_string()) {
      return MakeError("expected {\"kind\": \"halfLife\" | \"linear\" | \"steps\" | \"none\", ...}", p);
    }
    const std::string kind = d["kind"].get<std::string>();
    for (const auto& [key, v] : d.items()) {
      if (key != "kind" && key != "days" && key != "steps") return MakeError("unknown field \"" + key.substr(0, 64) + "\"", p);
    }
    if (kind == "none") {
      e.curve_ = Curve::kNone;
    } else if (kind == "halfLife" || kind == "linear") {
      e.curve_ = kind == "halfLife" ? Curve::kHalfLife : Curve::kLinear;
      if (!d.contains("days") || !FiniteNumber(d["days"], 0.01, 3650)) {
        return MakeError("expected days from 0.01 to 3650", p + ".days");
      }
      e.days_ = d["days"].get<double>();
    } else if (kind == "steps") {
      e.curve_ = Curve::kSteps;
      const json steps = d.value("steps", json());
      if (!steps.is_array() || steps.empty() || steps.size() > 50) return MakeError("expected 1 to 50 steps", p + ".steps");
      double last = 0;
      for (size_t i = 0; i < steps.size(); ++i) {
        const std::string sp = p + ".steps[" + std::to_string(i) + "]";
        const json& s = steps[i];
        if (!s.is_object() || !s.contains("days") || !FiniteNumber(s["days"], 0, 3650) ||
            !s.contains("factor") || !FiniteNumber(s["factor"], 0, 1)) {
          return MakeError("expected {\"days\": 0-3650, \"factor\": 0-1}", sp);
        }
        if (s["days"].get<double>() <= last && i > 0) return MakeError("steps must go up in days", sp + ".days");
        last = s["days"].get<double>();
        e.steps_.push_back({last, s["factor"].get<double>()});
      }
    } else {
      return MakeError("unknown decay \"" + kind.substr(0, 32) + "\"; expected halfLife, linear, steps or none", p + ".kind");
    }
  }
  if (j.contains("fullScoreAt")) {
    if (!FiniteNumber(j["fullScoreAt"], 1, 1e6)) return MakeError("expected a number from 1 to 1000000", path + ".fullScoreAt");
    e.full_score_at_ = j["fullScoreAt"].get<double>();
  }
  return e;
}

Result<Engagement> Engagement::Make(const std::vector<EventRule>& events, Curve curve, double days,
                                    std::vector<Step> steps, double full_score_at) {
  // The bounds are FromJson's, so a model means the same whichever way it arrives.
  auto in = [](double v, double lo, double hi) { return std::isfinite(v) && v >= lo && v <= hi; };
  Engagement e;
  e.events_ = DefaultEvents();
  e.touches_ = DefaultTouches();
  e.IndexTouches();
  if (events.size() > 100) return MakeError("expected at most 100 event types", "engagement.events");
  for (const EventRule& rule : events) {
    const std::string p = "engagement.events." + rule.type.substr(0, 64);
    if (!IsIdentifier(rule.type)) return MakeError("an event type is lower_snake_case, e.g. page_view", p);
    if (!in(rule.points, -1000, 1000)) return MakeError("expected a number from -1000 to 1000", p + ".points");
    if (!in(rule.cap, 0, 100000)) return MakeError("expected a number from 0 to 100000", p + ".cap");
    if (rule.repeat > 100000) return MakeError("expected a whole number from 0 to 100000", p + ".repeat");
    auto it = std::find_if(e.events_.begin(), e.events_.end(),
                           [&](const EventRule& r) { return r.type == rule.type; });
    if (it != e.events_.end()) *it = rule; else e.events_.push_back(rule);
  }
  e.curve_ = curve;
  if (curve == Curve::kHalfLife || curve == Curve::kLinear) {
    if (!in(days, 0.01, 3650)) return MakeError("expected days from 0.01 to 3650", "engagement.decay.days");
    e.days_ = days;
  } else if (curve == Curve::kSteps) {
    if (steps.empty() || steps.size() > 50) return MakeError("expected 1 to 50 steps", "engagement.decay.steps");
    for (size_t i = 0; i < steps.size(); ++i) {
      const std::string sp = "engagement.decay.steps[" + std::to_string(i) + "]";
      if (!in(steps[i].days, 0, 3650) || !in(steps[i].factor, 0, 1)) {
        return MakeError("expected {\"days\": 0-3650, \"factor\": 0-1}", sp);
      }
      if (i > 0 && steps[i].days <= steps[i - 1].days) return MakeError("steps must go up in days", sp + ".days");
    }
    e.steps_ = std::move(steps);
  }
  if (!in(full_score_at, 1, 1e6)) return MakeError("expected a number from 1 to 1000000", "engagement.fullScoreAt");
  e.full_score_at_ = full_score_at;
  return e;
}

json Engagement::ToJson() const {
  json events = json::object();
  for (const EventRule& r : events_) events[r.type] = {{"points", r.points}, {"cap", r.cap}, {"repeat", r.repeat}};
  json decay;
  switch (curve_) {
    case Curve::kNone: decay = {{"kind", "none"}}; break;
    case Curve::kHalfLife: decay = {{"kind", "halfLife"}, {"days", days_}}; break;
    case Curve::kLinear: decay = {{"kind", "linear"}, {"days", days_}}; break;
    case Curve::kSteps: {
      json steps = json::array();
      for (const Step& s : steps_) steps.push_back({{"days", s.days}, {"factor", s.factor}});
      decay = {{"kind", "steps"}, {"steps", std::move(steps)}};
      break;
    }
  }
  json touches = json::object();
  for (const TouchRule& r : touches_) touches[r.key] = {{"points", r.points}, {"cap", r.cap}, {"repeat", r.repeat}};
  return {{"events", std::move(events)}, {"touches", std::move(touches)}, {"decay", std::move(decay)},
          {"fullScoreAt", full_score_at_}};
}

double Engagement::Decay(double age_days) const {
  if (!(age_days >= 0)) return 0;  // future-dated or NaN: not counted
  switch (curve_) {
    case Curve::kNone: return 1;
    case Curve::kHalfLife: return std::exp2(-age_days / days_);
    case Curve::kLinear: return std::max(0.0, 1 - age_days / days_);
    case Curve::kSteps:
      for (const Step& s : steps_) {
        if (age_days <= s.days) return s.factor;
      }
      return 0;
  }
  return 0;
}

std::vector<int32_t> Engagement::RuleOfCode(const LeadStore& store) const {
  std::vector<int32_t> out(store.event_types().size(), -1);
  for (uint32_t c = 0; c < out.size(); ++c) {
    for (size_t r = 0; r < events_.size(); ++r) {
      if (events_[r].type == store.event_types().Get(c)) out[c] = static_cast<int32_t>(r);
    }
  }
  return out;
}

void Engagement::PointsByType(const LeadStore& store, uint32_t row, int64_t now_ms,
                              const std::vector<int32_t>& rule_of_code, std::vector<double>& out) const {
  out.assign(events_.size(), 0.0);
  thread_local std::vector<uint32_t> seen;
  seen.assign(events_.size(), 0);
  const auto& events = store.events()[row];
  // Newest last, as leads record them: walking backwards meets the most recent first, which is
  // what a repeat limit keeps.
  for (size_t k = events.size(); k-- > 0;) {
    const auto& e = events[k];
    const int32_t r = e.type < rule_of_code.size() ? rule_of_code[e.type] : -1;
    if (r < 0) continue;
    const EventRule& rule = events_[r];
    if (rule.repeat && seen[r] >= rule.repeat) continue;
    const double age = static_cast<double>(now_ms - e.at) / kMsPerDay;
    const double f = Decay(age);
    if (f <= 0) continue;
    ++seen[r];
    out[r] += rule.points * f;
  }
  for (size_t r = 0; r < events_.size(); ++r) {
    if (events_[r].cap > 0) out[r] = std::clamp(out[r], -events_[r].cap, events_[r].cap);
  }
}

void Engagement::TouchPoints(const LeadStore& store, uint32_t row, int64_t now_ms, std::vector<double>& out) const {
  out.assign(touches_.size(), 0.0);
  const auto& touches = store.touches()[row];
  if (touches.empty()) return;
  thread_local std::vector<uint32_t> seen;
  seen.assign(touches_.size(), 0);
  // Most recent first, for the repeat limits: touches are kept in the order they were logged,
  // which is not always the order they happened.
  thread_local std::vector<uint32_t> order;
  order.resize(touches.size());
  for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return touches[a].at > touches[b].at; });
  for (uint32_t i : order) {
    const Touch& t = touches[i];
    const int c = IndexOf(kTouchChannels, t.channel), o = IndexOf(kTouchOutcomes, t.outcome);
    if (c < 0 || o < 0) continue;
    const int r = touch_rule_of_[c][o];
    if (r < 0) continue;
    const TouchRule& rule = touches_[r];
    if (rule.repeat && seen[r] >= rule.repeat) continue;
    const double f = Decay(static_cast<double>(now_ms - t.at) / kMsPerDay);
    if (f <= 0) continue;
    ++seen[r];
    out[r] += rule.points * f;
  }
  for (size_t r = 0; r < touches_.size(); ++r) {
    if (touches_[r].cap > 0) out[r] = std::clamp(out[r], -touches_[r].cap, touches_[r].cap);
  }
}

}  // namespace leadkit
