// Outbound cadences: a sequence of touches over days (e.g. 9 touches over 3 weeks mixing calls,
// e-mails and LinkedIn), and where a lead stands in one: its contact status, the next touch due,
// and a flag when the sequence ran out without a reply.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "leadkit/lead.hpp"
#include "leadkit/result.hpp"

namespace leadkit {

inline constexpr int64_t kDayMs = 86'400'000;

struct CadenceStep {
  int day = 0;          // days after enrolment
  std::string channel;  // a touch channel: call, email, linkedin, ...
  bool operator==(const CadenceStep&) const = default;
};

struct Cadence {
  std::string key, name;
  std::vector<CadenceStep> steps;  // in day order
};

// "outbound_9": 9 touches over 21 days, the field's rule of thumb before a reply.
const std::vector<Cadence>& DefaultCadences();

Result<Cadence> CadenceFromJson(const nlohmann::json& j, const std::string& path);
nlohmann::json CadenceToJson(const Cadence& c);

// Touch vocabulary, as lead.cpp validates it.
bool IsTouchChannel(std::string_view channel);
bool IsTouchOutcome(std::string_view outcome);
// An outcome that means a conversation happened: connected, replied, meeting_booked.
bool IsConversation(std::string_view outcome);

enum class ContactStatus { kNotContacted, kAttempted, kConnected };
std::string_view ContactStatusName(ContactStatus s);  // "notContacted", "attempted", "connected"
ContactStatus ContactStatusOf(const std::vector<Touch>& touches);

struct CadenceState {
  // "notEnrolled", "active", "replied", "bounced", "notInterested", "finished"
  std::string state = "notEnrolled";
  int done = 0;   // touches logged since enrolment
  int of = 0;     // steps in the cadence
  std::optional<CadenceStep> next;
  int64_t due_at = 0;  // when `next` is due
  // Set when the sequence needs a decision: ran out without a reply, bounced, not interested.
  std::string flag;         // "recycleOrDisqualify", "badContactData", "disqualify", or ""
  std::string flag_reason;  // the sentence a user reads
  std::string suggested_reason;  // a disqualification reason key, e.g. "unresponsive"
};

// Where `enrollment` in `cadence` stands given the lead's touches. `cadence` may be null (the lead
// is not enrolled, or its cadence was removed from the settings).
CadenceState CadenceStatus(const Cadence* cadence, const Enrollment& enrollment,
                           const std::vector<Touch>& touches);
nlohmann::json CadenceStateToJson(const CadenceState& s, const Cadence* cadence,
                                  ContactStatus contact, int64_t now_ms);

}  // namespace leadkit
