// Which CSV column feeds which lead field. Suggested from the header row, with presets for the
// exports consultants actually receive (HubSpot, Salesforce, Pipedrive, LinkedIn Sales Navigator,
// a plain "Name, Email, Company" sheet); a user's own choices override any suggestion.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "leadkit/channel.hpp"
#include "leadkit/coerce.hpp"
#include "leadkit/result.hpp"

namespace leadkit {

enum class Target : uint8_t {
  kIgnore, kId, kFirstName, kLastName, kFullName, kEmail, kPhone, kCompany, kTitle, kIndustry,
  kEmployees, kAnnualRevenue, kCountry, kRegion, kLocation, kDomain, kSource, kStage,
  kStageReason, kDealValue, kCurrency, kNotes, kTags, kCreatedAt, kUpdatedAt, kBudget,
  kAuthority, kNeed, kTimeline, kCustom,
  kCount
};

// The name a mapping uses for a target: "firstName", "fullName", "bant.budget", ...
std::string_view TargetName(Target t);

struct ColumnMapping {
  std::string header;
  Target target = Target::kIgnore;
  std::string custom_key;  // for Target::kCustom
};

struct Mapping {
  std::string preset;                  // the preset it came from, "" for none
  std::vector<ColumnMapping> columns;  // one per header, in the file's order
  std::string default_source;          // the source of leads whose row names none
  DateOrder date_order = DateOrder::kMonthFirst;
  bool date_order_set = false;         // else detected from the file's first rows
  std::vector<std::string> notes;      // what the suggestion could not do, for the user

  // {"preset", "columns": [{"header", "field"}], "defaultSource", "dateOrder", "notes"}; a field
  // is a target name, "custom.<key>", or null for an ignored column.
  nlohmann::json ToJson() const;
};

struct Preset {
  std::string_view name;   // "hubspot"
  std::string_view label;  // "HubSpot contacts"
  std::string_view default_source;
};
std::span<const Preset> Presets();

// The mapping for `headers`: by `preset` when given ("" picks the preset whose headers match
// best, if any does), then by the usual names of each field, then unknown headers as custom
// fields. Each field is fed by one column at most.
Result<Mapping> SuggestMapping(std::span<const std::string> headers, std::string_view preset = {});

// Applies a user's choices to a suggestion: `overrides` is {"Header": "field" | null, ...}, or an
// object {"columns": {...}, "defaultSource", "dateOrder": "mdy" | "dmy"}. Errors name the header.
Status ApplyMappingOverrides(const nlohmann::json& overrides, Mapping& mapping);

// Header text reduced to lower-case letters and digits: "E-mail Address" → "emailaddress".
std::string NormalizeHeader(std::string_view header);

// Source and stage values as CRMs write them, translated to leadkit's: "Organic Search" →
// "organic_search", "PAID_SOCIAL" → "paid_ads", "marketingqualifiedlead" → "mql",
// "Closed - Not Converted" → "disqualified". nullopt for values it does not know.
// TranslateSource knows only values whose channel is certain; HubSpot's "Direct Traffic", "Email
// Marketing", "Offline Sources" and "Other Campaigns" are left to the user (ChannelMap::SetValue).
std::optional<std::string_view> TranslateSource(std::string_view value);
std::optional<std::string_view> TranslateStage(std::string_view value, std::string_view preset = {});

// The channel a source value leadkit does not translate most likely stands for, to offer first:
// HubSpot's "Direct Traffic" (someone who came to the site by its address) as a new inbound
// channel direct_traffic, "Email Marketing" (e-mail to contacts who opted in) as a new inbound
// email_marketing. nullopt when only the user can say ("Offline Sources" is imports, manual
// entries and events alike).
struct SourceSuggestion {
  std::string_view channel;
  Direction direction;
};
std::optional<SourceSuggestion> SuggestSourceChannel(std::string_view value);

}  // namespace leadkit
