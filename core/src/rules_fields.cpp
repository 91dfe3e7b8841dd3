// The field catalog: every name a rule may use, and where the VM reads it from.
#include <array>
#include <map>
#include <span>

#include "rules_internal.hpp"

namespace leadkit::rules_detail {

namespace {

// Static data only (no heap): the catalog reads it as it is, LookupField through its map.
constexpr RuleField kRuleFields[] = {
    {"id", {Src::kText, Field::kId}},
    {"firstName", {Src::kText, Field::kFirstName}},
    {"lastName", {Src::kText, Field::kLastName}},
    {"email", {Src::kText, Field::kEmail}},
    {"phone", {Src::kText, Field::kPhone}},
    {"company", {Src::kText, Field::kCompany}},
    {"domain", {Src::kText, Field::kDomain}},
    {"title", {Src::kCategory, Field::kTitle}},
    {"industry", {Src::kCategory, Field::kIndustry}},
    {"country", {Src::kCategory, Field::kCountry}},
    {"region", {Src::kCategory, Field::kRegion}},
    {"source", {Src::kCategory, Field::kSource}},
    {"currency", {Src::kCategory, Field::kCurrency}},
    {"emailDomain", {Src::kCategory, Field::kEmail}},
    {"emailKind", {Src::kEmailKind}},
    {"stage", {Src::kStage}},
    {"direction", {Src::kDirection}},
    {"tags", {Src::kTags}},
    {"employees", {Src::kNumber, Field::kEmployees, 0, true}},
    {"annualRevenue", {Src::kNumber, Field::kAnnualRevenue, 0, true}},
    {"dealValue", {Src::kNumber, Field::kDealValue, 0, true}},
    {"touchCount", {Src::kDerived, Field::kId, kTouchCount, true}},
    {"eventCount", {Src::kDerived, Field::kId, kEventCount, true}},
    {"daysSinceCreated", {Src::kDerived, Field::kId, kDaysSinceCreated, true}},
    {"daysSinceLastTouch", {Src::kDerived, Field::kId, kDaysSinceLastTouch, true}},
    {"daysSinceLastActivity", {Src::kDerived, Field::kId, kDaysSinceLastActivity, true}},
    {"bant.budget", {Src::kBant, Field::kId, kBudget}},
    {"bant.authority", {Src::kBant, Field::kId, kAuthority}},
    {"bant.need", {Src::kBant, Field::kId, kNeed}},
    {"bant.timeline", {Src::kBant, Field::kId, kTimeline}},
};

}  // namespace

std::span<const RuleField> RuleFields() { return kRuleFields; }

std::optional<FieldRef> LookupField(const std::string& name) {
  static const std::map<std::string, FieldRef, std::less<>> kFields = [] {
    std::map<std::string, FieldRef, std::less<>> m;
    for (const RuleField& f : kRuleFields) {
      m.emplace(std::string(f.name), FieldRef{f.where.src, f.where.field, f.where.index, "", f.where.numeric});
    }
    return m;
  }();
  if (const auto it = kFields.find(name); it != kFields.end()) {
    FieldRef f = it->second;
    f.name = name;
    return f;
  }
  if (name.rfind("custom.", 0) == 0 && name.size() > 7 && name.size() <= 71) {
    return FieldRef{Src::kCustom, Field::kId, 0, name.substr(7)};
  }
  return std::nullopt;
}

bool IsFreeMailDomain(std::string_view d) {
  static constexpr std::array<std::string_view, 24> kFree = {
      "gmail.com",   "googlemail.com", "yahoo.com",   "yahoo.co.uk", "hotmail.com", "outlook.com",
      "live.com",    "msn.com",        "aol.com",     "icloud.com",  "me.com",      "mac.com",
      "proton.me",   "protonmail.com", "gmx.de",      "gmx.net",     "web.de",      "mail.com",
      "yandex.ru",   "zoho.com",       "hotmail.co.uk", "orange.fr", "free.fr",     "qq.com"};
  return std::find(kFree.begin(), kFree.end(), d) != kFree.end();
}

}  // namespace leadkit::rules_detail
