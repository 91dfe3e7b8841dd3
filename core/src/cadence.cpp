#include "leadkit/cadence.hpp"

#include <algorithm>
#include <array>
#include <set>

#include "leadkit/channel.hpp"
#include "leadkit/iso_time.hpp"

namespace leadkit {

using nlohmann::json;

namespace {

}  // namespace

const std::vector<Cadence>& DefaultCadences() {
  static const std::vector<Cadence> cadences = {
      {"outbound_9", "9 touches over 3 weeks",
       {{0, "call"}, {0, "email"}, {2, "linkedin"}, {4, "call"}, {7, "email"}, {9, "call"},
        {12, "linkedin"}, {16, "email"}, {20, "call"}}},
  };
  return cadences;
}

bool IsTouchChannel(std::string_view c) {
  return std::find(kTouchChannels.begin(), kTouchChannels.end(), c) != kTouchChannels.end();
}
bool IsTouchOutcome(std::string_view o) {
  return std::find(kTouchOutcomes.begin(), kTouchOutcomes.end(), o) != kTouchOutcomes.end();
}
bool IsConversation(std::string_view o) {
  return o == "connected" || o == "replied" || o == "meeting_booked";
}

Result<Cadence> CadenceFromJson(const json& j, const std::string& path) {
  if (!j.is_object()) return MakeError("expected a cadence object, got " + DescribeJsonValue(j), path);
  for (const auto& [k, v] : j.items()) {
    if (k != "key" && k != "name" && k != "steps") return MakeError("unknown member", path + "." + k.substr(0, 64));
  }
  Cadence c;
  const auto key = j.find("key");
  if (key == j.end() || !key->is_string() || !IsIdentifier(key->get<std::string>())) {
    return MakeError("expected a lowercase identifier such as \"outbound_9\"", path + ".key");
  }
  c.key = key->get<std::string>();
  if (const auto name = j.find("name"); name != j.end()) {
    if (!name->is_string() || name->get_ref<const std::string&>().size() > 64) {
      return MakeError("expected text of at most 64 characters", path + ".name");
    }
    c.name = name->get<std::string>();
  }
  if (c.name.empty()) c.name = c.key;
  const auto steps = j.find("steps");
  if (steps == j.end() || !steps->is_array() || steps->empty() || steps->size() > 50) {
    return MakeError("expected an array of 1 to 50 steps", path + ".steps");
  }
  int last_day = 0;
  for (size_t i = 0; i < steps->size(); ++i) {
    const json& s = (*steps)[i];
    const std::string p = path + ".steps[" + std::to_string(i) + "]";
    if (!s.is_object()) return MakeError("expected {day, channel}, got " + DescribeJsonValue(s), p);
    for (const auto& [k, v] : s.items()) {
      if (k != "day" && k != "channel") return MakeError("unknown member", p + "." + k.substr(0, 64));
    }
    const auto day = s.find("day");
    if (day == s.end() || !day->is_number_integer() || day->get<int64_t>() < 0 ||
        day->get<int64_t>() > 365) {
      return MakeError("expected a whole number of days from 0 to 365", p + ".day");
    }
    const int d = day->get<int>();
    if (d < last_day) return MakeError("steps must be in day order; day " + std::to_string(d) +
                                                " comes after day " + std::to_string(last_day), p + ".day");
    last_day = d;
    const auto ch = s.find("channel");
    if (ch == s.end() || !ch->is_string() || !IsTouchChannel(ch->get<std::string>())) {
      return MakeError("expected one of call, email, linkedin, in_person, sms, video, other", p + ".channel");
    }
    c.steps.push_back({d, ch->get<std::string>()});
  }
  return c;
}

json CadenceToJson(const Cadence& c) {
  json steps = json::array();
  for (const CadenceStep& s : c.steps) steps.push_back({{"day", s.day}, {"channel", s.channel}});
  return {{"key", c.key}, {"name", c.name}, {"steps", std::move(steps)}};
}

std::string_view ContactStatusName(ContactStatus s) {
  switch (s) {
    case ContactStatus::kNotContacted: return "notContacted";
    case ContactStatus::kAttempted: return "attempted";
    case ContactStatus::kConnected: return "connected";
  }
  return "notContacted";
}

ContactStatus ContactStatusOf(const std::vector<Touch>& touches) {
  if (touches.empty()) return ContactStatus::kNotContacted;
  for (const Touch& t : touches) {
    if (IsConversation(t.outcome)) return ContactStatus::kConnected;
  }
  return ContactStatus::kAttempted;
}

CadenceState CadenceStatus(const Cadence* cadence, const Enrollment& enrollment,
                           const std::vector<Touch>& touches) {
  CadenceState s;
  if (!cadence || enrollment.key.empty()) return s;
  s.of = static_cast<int>(cadence->steps.size());
  s.state = "active";
  // Touches are counted in time order whatever order they were logged in.
  std::vector<const Touch*> since;
  for (const Touch& t : touches) {
    if (t.at >= enrollment.started_at) since.push_back(&t);
  }
  std::stable_sort(since.begin(), since.end(), [](const Touch* a, const Touch* b) { return a->at < b->at; });
  s.done = static_cast<int>(since.size());
  for (const Touch* t : since) {
    if (IsConversation(t->outcome)) {
      s.state = "replied";
      return s;
    }
    if (t->outcome == "bounced") {
      s.state = "bounced";
      s.flag = "badContactData";
      s.flag_reason = "a " + t->channel + " touch bounced: fix the contact details or disqualify";
      return s;
    }
    if (t->outcome == "not_interested") {
      s.state = "notInterested";
      s.flag = "disqualify";
      s.flag_reason = "said not interested on a " + t->channel + " touch";
      s.suggested_reason = "no_need";
      return s;
    }
  }
  if (s.done >= s.of) {
    s.state = "finished";
    s.flag = "recycleOrDisqualify";
    const int days = cadence->steps.back().day + 1;
    s.flag_reason = std::to_string(s.done) + " touches over " + std::to_string(days) +
                    " days without a reply: recycle to nurturing or disqualify as unresponsive";
    s.suggested_reason = "unresponsive";
    return s;
  }
  s.next = cadence->steps[static_cast<size_t>(s.done)];
  s.due_at = enrollment.started_at + static_cast<int64_t>(s.next->day) * kDayMs;
  return s;
}

json CadenceStateToJson(const CadenceState& s, const Cadence* cadence, ContactStatus contact,
                        int64_t now_ms) {
  json j = {{"state", s.state}, {"contactStatus", ContactStatusName(contact)}};
  if (cadence && s.state != "notEnrolled") {
    j["cadence"] = cadence->key;
    j["done"] = s.done;
    j["of"] = s.of;
  }
  if (s.next) {
    const int64_t today = now_ms - ((now_ms % kDayMs) + kDayMs) % kDayMs;
    const int64_t due_day = s.due_at - ((s.due_at % kDayMs) + kDayMs) % kDayMs;
    j["next"] = {{"step", s.done + 1},
                 {"channel", s.next->channel},
                 {"dueAt", FormatIsoTime(s.due_at)},
                 {"overdueDays", std::max<int64_t>(0, (today - due_day) / kDayMs)},
                 {"dueToday", due_day <= today}};
  }
  if (!s.flag.empty()) {
    j["flag"] = s.flag;
    j["flagReason"] = s.flag_reason;
  }
  if (!s.suggested_reason.empty()) j["suggestedReason"] = s.suggested_reason;
  return j;
}

}  // namespace leadkit
