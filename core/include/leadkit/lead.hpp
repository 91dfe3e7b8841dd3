// The lead: one person or company that showed interest or was found by research, with its source,
// lifecycle stage, BANT qualification, deal, engagement events and outbound touches. Its JSON form
// (camelCase keys) is the product's public format.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "leadkit/channel.hpp"
#include "leadkit/json_doc.hpp"
#include "leadkit/result.hpp"

namespace leadkit {

enum class Stage : uint8_t {
  kNew, kNurturing, kMql, kSql, kOpportunity, kCustomer, kLost, kDisqualified
};
inline constexpr int kStageCount = 8;
std::string_view StageName(Stage s);
std::optional<Stage> ParseStage(std::string_view name);
// Lost and disqualified leads must say why.
inline bool StageNeedsReason(Stage s) { return s == Stage::kLost || s == Stage::kDisqualified; }

enum class BantStatus : uint8_t { kUnknown, kPartly, kMet, kNotMet };
std::string_view BantStatusName(BantStatus s);
std::optional<BantStatus> ParseBantStatus(std::string_view name);

// The state of one qualification criterion (BANT's or another framework's): what is known, the
// evidence for it, how sure the seller is (0 to 1, unset when not said) and when it was last set.
struct BantCriterion {
  BantStatus status = BantStatus::kUnknown;
  std::string evidence;
  std::optional<double> confidence;
  int64_t at = 0;  // ms since epoch; 0 = not recorded
  bool operator==(const BantCriterion&) const = default;
};
using CriterionState = BantCriterion;
// Criteria of frameworks other than BANT (which has its own member): framework key → criterion
// key → state, e.g. {"meddic": {"champion": {met, ...}}}.
using QualificationMap = std::map<std::string, std::map<std::string, CriterionState>>;

// A lead working through an outbound cadence (see cadence.hpp): which one, and since when.
struct Enrollment {
  std::string key;      // "" = not enrolled
  int64_t started_at = 0;
  bool operator==(const Enrollment&) const = default;
};
enum BantIndex { kBudget = 0, kAuthority = 1, kNeed = 2, kTimeline = 3 };
inline constexpr std::array<std::string_view, 4> kBantKeys = {"budget", "authority", "need",
                                                               "timeline"};

struct Event {
  std::string type;     // e.g. "page_view", "webinar_attended"
  int64_t at = 0;       // ms since epoch
  nlohmann::json props; // an object, or null
  bool operator==(const Event&) const = default;
};

inline constexpr std::array<std::string_view, 7> kTouchChannels = {
    "call", "email", "linkedin", "in_person", "sms", "video", "other"};
inline constexpr std::array<std::string_view, 8> kTouchOutcomes = {
    "sent",    "no_answer",      "voicemail", "connected",
    "replied", "meeting_booked", "bounced",   "not_interested"};

struct Touch {
  std::string channel;  // call, email, linkedin, in_person, sms, video, other
  std::string outcome;  // sent, no_answer, voicemail, connected, replied, meeting_booked, ...
  int64_t at = 0;
  std::string note;
  bool operator==(const Touch&) const = default;
};

// A dated next step ("call back Tuesday 10:00"): open until done; snoozing moves `due`.
struct Task {
  std::string id;     // "task-<n>", unique within the lead
  std::string title;
  int64_t due = 0;
  int64_t done_at = 0;  // 0 while open
  int64_t created_at = 0;
  bool operator==(const Task&) const = default;
};
inline constexpr size_t kMaxTasks = 200;  // per lead

struct Transition {
  int64_t at = 0;
  Stage from = Stage::kNew;
  Stage to = Stage::kNew;
  std::string reason;  // a reason key for lost and disqualified, free text otherwise
  std::string actor;
  std::string note;
  bool operator==(const Transition&) const = default;
};

struct Lead {
  std::string id;
  std::string first_name, last_name, email, phone, company, title, industry;
  std::optional<int64_t> employees;
  std::optional<double> annual_revenue;
  std::string country, region, domain;
  std::string source = "unknown";
  Stage stage = Stage::kNew;
  std::string stage_reason;
  std::array<BantCriterion, 4> bant{};
  QualificationMap qualification;
  std::optional<double> deal_value;
  std::string currency;
  std::string notes;
  std::vector<std::string> tags;
  nlohmann::json custom;  // null, or an object of string, number or boolean values
  int64_t created_at = 0;
  int64_t updated_at = 0;
  std::vector<Event> events;
  std::vector<Touch> touches;
  std::vector<Transition> history;
  Enrollment cadence;
  std::vector<Task> tasks;

  bool operator==(const Lead&) const = default;
};

// One problem found in an input, with its path, e.g. {"leads[12].employees", "expected ..."}.
struct Issue {
  std::string path;
  std::string message;
  std::string ToString() const { return path.empty() ? message : path + ": " + message; }
};

// Longest text accepted per kind of field; longer input is refused, never truncated.
struct TextLimits {
  static constexpr size_t kShort = 256;       // names, company, title, ...
  static constexpr size_t kEmail = 320;
  static constexpr size_t kNote = 65'536;     // notes
  static constexpr size_t kReason = 1'024;    // stage reasons, evidence, touch notes
  static constexpr size_t kProps = 16'384;    // event properties, as JSON text
  static constexpr size_t kMaxTags = 64;
  static constexpr size_t kMaxEvents = 100'000;
};

// Reads a lead from its JSON form. Every problem is appended to `issues` with a path starting at
// `path`; returns nullopt if there was any. Missing createdAt/updatedAt become `now_ms`.
std::optional<Lead> LeadFromJson(JsonValue j, const std::string& path, const ChannelMap& channels,
                                 int64_t now_ms, std::vector<Issue>& issues);
std::optional<Lead> LeadFromJson(const nlohmann::json& j, const std::string& path,
                                 const ChannelMap& channels, int64_t now_ms,
                                 std::vector<Issue>& issues);

// kFull: the whole lead, as backups and getLead write it. kRow: what a table row shows (id,
// names, e-mail, company, industry, country, source, direction, stage, stageReason, dealValue,
// currency, tags, createdAt) with touchCount, lastTouchAt and nextTask (the open task due first)
// instead of the activity.
enum class LeadView { kFull, kRow };
nlohmann::json LeadToJson(const Lead& lead, const ChannelMap& channels, LeadView view = LeadView::kFull);
// {status, evidence?, confidence?, at?}
nlohmann::json CriterionToJson(const CriterionState& c);

// One '@' with text before it and a dotted domain after it, no spaces or brackets: loose on
// purpose, since only sending mail proves an address.
bool LooksLikeEmail(std::string_view email);

// The value of a JSON scalar for messages: "ten" → "\"ten\"", shortened when long.
std::string DescribeJsonValue(const nlohmann::json& j);
std::string DescribeJsonValue(JsonValue j);

}  // namespace leadkit
