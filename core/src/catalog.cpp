// The catalog of lists the page needs, read from the core's own arrays and defaults.
#include "leadkit/catalog.hpp"

#include <array>
#include <utility>

#include "leadkit/channel.hpp"
#include "leadkit/engagement.hpp"
#include "leadkit/lifecycle.hpp"
#include "leadkit/mapping.hpp"
#include "leadkit/pipeline.hpp"
#include "leadkit/profile.hpp"
#include "leadkit/workspace.hpp"
#include "rules_internal.hpp"

namespace leadkit {

using nlohmann::json;

namespace {

using Label = std::pair<std::string_view, std::string_view>;

constexpr std::array<std::string_view, kStageCount> kStageLabels = {
    "New", "Nurturing", "MQL", "SQL", "Opportunity", "Customer", "Lost", "Disqualified"};

constexpr Label kTouchChannelLabels[] = {
    {"call", "Call"}, {"email", "E-mail"}, {"linkedin", "LinkedIn"}, {"in_person", "In person"},
    {"sms", "SMS"},   {"video", "Video"},  {"other", "Other"}};

constexpr Label kTouchOutcomeLabels[] = {
    {"sent", "sent"},         {"no_answer", "no answer"},
    {"voicemail", "voicemail"}, {"connected", "connected"},
    {"replied", "replied"},   {"meeting_booked", "meeting booked"},
    {"bounced", "bounced"},   {"not_interested", "not interested"}};

// The order the settings screen offers them in.
constexpr Label kDecayKinds[] = {
    {"halfLife", "Half-life"}, {"linear", "Linear to zero"}, {"steps", "Steps"}, {"none", "No decay"}};

struct GuardInfo {
  std::string_view name, label, kind;
};
constexpr GuardInfo kGuards[] = {
    {"fitGradeAtLeast", "Fit grade ≥", "grade"},
    {"engagementAtLeast", "Engagement ≥", "number"},
    {"scoreAtLeast", "Score ≥", "number"},
    {"criteriaMetAtLeast", "Criteria met ≥", "number"},
    {"qualified", "Qualified verdict", "bool"},
    {"dealValue", "Has deal value", "bool"}};

constexpr std::array<std::string_view, 4> kBantLabels = {"Unknown", "Partly", "Met", "Not met"};

std::string_view Find(const Label* begin, const Label* end, std::string_view name) {
  for (const Label* l = begin; l != end; ++l) {
    if (l->first == name) return l->second;
  }
  return name;
}

// A lead field's type: how a form edits it and how an import reads it.
std::string_view TargetType(Target t) {
  switch (t) {
    case Target::kEmail: return "email";
    case Target::kPhone: return "tel";
    case Target::kEmployees:
    case Target::kAnnualRevenue:
    case Target::kDealValue: return "number";
    case Target::kSource: return "channel";
    case Target::kStage: return "stage";
    case Target::kCurrency: return "currency";
    case Target::kNotes: return "longText";
    case Target::kTags: return "tags";
    case Target::kCreatedAt:
    case Target::kUpdatedAt: return "time";
    case Target::kBudget:
    case Target::kAuthority:
    case Target::kNeed:
    case Target::kTimeline: return "bant";
    default: return "text";
  }
}

json Channels(const ChannelMap& map) {
  json out = json::array();
  for (const auto& [name, direction] : map.all()) {
    out.push_back({{"name", name}, {"label", ChannelLabel(name)}, {"direction", DirectionName(direction)}});
  }
  return out;
}

json Reasons(const std::vector<ReasonOption>& list) {
  json out = json::array();
  for (const auto& r : list) out.push_back({{"key", r.key}, {"label", r.label}});
  return out;
}

}  // namespace

std::string_view StageLabel(Stage s) { return kStageLabels[static_cast<size_t>(s)]; }

std::string_view TouchChannelLabel(std::string_view channel) {
  return Find(std::begin(kTouchChannelLabels), std::end(kTouchChannelLabels), channel);
}

std::string_view TouchOutcomeLabel(std::string_view outcome) {
  return Find(std::begin(kTouchOutcomeLabels), std::end(kTouchOutcomeLabels), outcome);
}

json Catalog(const Workspace& workspace) {
  json c = json::object();

  json stages = json::array();
  for (int i = 0; i < kStageCount; ++i) {
    const auto s = static_cast<Stage>(i);
    // Open: still being worked; customer, lost and disqualified are closed.
    const bool open = s != Stage::kCustomer && !StageNeedsReason(s);
    stages.push_back({{"name", StageName(s)}, {"label", StageLabel(s)}, {"open", open},
                      {"needsReason", StageNeedsReason(s)}});
  }
  c["stages"] = std::move(stages);

  json grades = json::array();
  for (int i = kGradeCount - 1; i >= 0; --i) grades.push_back(GradeName(i));
  c["grades"] = std::move(grades);

  json lead_fields = json::array();
  for (size_t i = static_cast<size_t>(Target::kIgnore) + 1; i < static_cast<size_t>(Target::kCustom); ++i) {
    const auto t = static_cast<Target>(i);
    lead_fields.push_back({{"name", TargetName(t)}, {"type", TargetType(t)}});
  }
  c["leadFields"] = std::move(lead_fields);

  json rule_fields = json::array();
  for (const auto& f : rules_detail::RuleFields()) {
    rule_fields.push_back({{"name", f.name}, {"numeric", f.where.numeric}});
  }
  c["ruleFields"] = std::move(rule_fields);

  json guards = json::array();
  for (const auto& g : kGuards) guards.push_back({{"name", g.name}, {"label", g.label}, {"kind", g.kind}});
  c["guards"] = std::move(guards);

  json decays = json::array();
  for (const auto& [kind, label] : kDecayKinds) decays.push_back({{"kind", kind}, {"label", label}});
  c["decayKinds"] = std::move(decays);

  json events = json::array();
  for (const auto& e : Engagement::DefaultEvents()) {
    events.push_back({{"type", e.type}, {"points", e.points}, {"cap", e.cap}, {"repeat", e.repeat}});
  }
  c["events"] = std::move(events);
  json touches = json::array();
  for (const auto& t : Engagement::DefaultTouches()) {
    touches.push_back({{"key", t.key}, {"points", t.points}, {"cap", t.cap}, {"repeat", t.repeat}});
  }
  c["touches"] = std::move(touches);

  json channels = json::array(), outcomes = json::array();
  for (const auto name : kTouchChannels) channels.push_back({{"name", name}, {"label", TouchChannelLabel(name)}});
  for (const auto name : kTouchOutcomes) outcomes.push_back({{"name", name}, {"label", TouchOutcomeLabel(name)}});
  c["touchChannels"] = std::move(channels);
  c["touchOutcomes"] = std::move(outcomes);

  json directions = json::array();
  for (const auto d : {Direction::kInbound, Direction::kOutbound, Direction::kUnknown}) {
    directions.push_back({{"name", DirectionName(d)},
                          {"label", d == Direction::kInbound    ? "Inbound"
                                    : d == Direction::kOutbound ? "Outbound"
                                                                : "Unknown direction"}});
  }
  c["directions"] = std::move(directions);
  c["defaultChannels"] = Channels(ChannelMap());
  c["channels"] = Channels(workspace.channels());

  const Lifecycle& lc = workspace.pipeline().lifecycle();
  c["reasons"] = {{"lost", Reasons(lc.lost_reasons)}, {"disqualified", Reasons(lc.disqualified_reasons)}};

  json bant_keys = json::array(), statuses = json::array();
  for (const auto key : kBantKeys) bant_keys.push_back(key);
  for (size_t i = 0; i < kBantLabels.size(); ++i) {
    statuses.push_back({{"name", BantStatusName(static_cast<BantStatus>(i))}, {"label", kBantLabels[i]}});
  }
  c["bantKeys"] = std::move(bant_keys);
  c["bantStatuses"] = std::move(statuses);

  c["paging"] = {{"orderCacheFrom", Workspace::kOrderCacheFrom}};
  return c;
}

}  // namespace leadkit
