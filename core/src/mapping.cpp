#include "leadkit/mapping.hpp"

#include <algorithm>
#include <array>
#include <unordered_set>

namespace leadkit {

using nlohmann::json;

namespace {

constexpr std::array<std::string_view, static_cast<size_t>(Target::kCount)> kTargetNames = {
    "",          "id",       "firstName",   "lastName",  "fullName",   "email",
    "phone",     "company",  "title",       "industry",  "employees",  "annualRevenue",
    "country",   "region",   "location",    "domain",    "source",     "stage",
    "stageReason", "dealValue", "currency", "notes",     "tags",       "createdAt",
    "updatedAt", "bant.budget", "bant.authority", "bant.need", "bant.timeline", "custom"};

struct HeaderRule {
  std::string_view header;  // normalised
  std::string_view field;   // a target name or "custom.<key>"
};

// What each export writes, as exported today (report exports and API names alike).
constexpr HeaderRule kHubspot[] = {
    {"recordid", "id"}, {"contactid", "id"}, {"firstname", "firstName"}, {"lastname", "lastName"},
    {"email", "email"}, {"phonenumber", "phone"}, {"mobilephonenumber", "custom.mobilePhone"},
    {"companyname", "company"}, {"jobtitle", "title"}, {"industry", "industry"},
    {"numberofemployees", "employees"}, {"annualrevenue", "annualRevenue"},
    {"countryregion", "country"}, {"stateregion", "region"}, {"city", "custom.city"},
    {"websiteurl", "domain"}, {"lifecyclestage", "stage"}, {"leadstatus", "custom.leadStatus"},
    {"originalsource", "source"}, {"originalsourcedrilldown1", "custom.sourceDetail"},
    {"createdate", "createdAt"}, {"lastmodifieddate", "updatedAt"},
    {"contactowner", "custom.owner"}, {"hubspotscore", "custom.hubspotScore"}};
constexpr HeaderRule kSalesforce[] = {
    {"leadid", "id"}, {"firstname", "firstName"}, {"lastname", "lastName"}, {"email", "email"},
    {"phone", "phone"}, {"mobile", "custom.mobilePhone"}, {"company", "company"},
    {"title", "title"}, {"industry", "industry"}, {"noofemployees", "employees"},
    {"numberofemployees", "employees"}, {"annualrevenue", "annualRevenue"},
    {"country", "country"}, {"stateprovince", "region"}, {"state", "region"},
    {"city", "custom.city"}, {"website", "domain"}, {"leadsource", "source"},
    {"leadstatus", "stage"}, {"status", "stage"}, {"rating", "custom.rating"},
    {"createddate", "createdAt"}, {"lastmodifieddate", "updatedAt"},
    {"description", "notes"}, {"leadowner", "custom.owner"}};
constexpr HeaderRule kPipedrive[] = {
    {"personid", "id"}, {"personname", "fullName"}, {"personfirstname", "firstName"},
    {"personlastname", "lastName"}, {"personemail", "email"}, {"personemailwork", "email"},
    {"personphone", "phone"}, {"personphonework", "phone"}, {"personorganization", "company"},
    {"personjobtitle", "title"}, {"personlabel", "tags"}, {"personpersoncreated", "createdAt"},
    {"personupdatetime", "updatedAt"}, {"dealid", "custom.dealId"}, {"dealtitle", "custom.dealTitle"},
    {"dealvalue", "dealValue"}, {"dealcurrency", "currency"}, {"dealstatus", "stage"},
    {"dealstage", "custom.dealStage"}, {"dealorganization", "company"},
    {"dealcontactperson", "fullName"}, {"dealdealcreated", "createdAt"},
    {"deallostreason", "stageReason"}, {"dealsource", "source"}, {"deallabel", "tags"},
    {"organizationname", "company"}, {"organizationaddress", "location"}};
constexpr HeaderRule kLinkedin[] = {
    {"firstname", "firstName"}, {"lastname", "lastName"}, {"fullname", "fullName"},
    {"title", "title"}, {"jobtitle", "title"}, {"currenttitle", "title"},
    {"company", "company"}, {"companyname", "company"}, {"currentcompany", "company"},
    {"companyindustry", "industry"}, {"industry", "industry"}, {"companysize", "employees"},
    {"companyheadcount", "employees"}, {"location", "location"}, {"geography", "location"},
    {"companywebsite", "domain"}, {"profileurl", "custom.linkedinUrl"},
    {"linkedinurl", "custom.linkedinUrl"}, {"salesnavigatorurl", "custom.salesNavigatorUrl"},
    {"dateadded", "createdAt"}, {"email", "email"}, {"connectiondegree", "custom.connectionDegree"}};
constexpr HeaderRule kBasic[] = {{"name", "fullName"}, {"email", "email"}, {"company", "company"}};

// The usual names of each field in any sheet.
constexpr HeaderRule kGeneric[] = {
    {"id", "id"}, {"leadid", "id"}, {"firstname", "firstName"}, {"first", "firstName"},
    {"givenname", "firstName"}, {"fname", "firstName"}, {"lastname", "lastName"},
    {"last", "lastName"}, {"surname", "lastName"}, {"familyname", "lastName"},
    {"lname", "lastName"}, {"name", "fullName"}, {"fullname", "fullName"},
    {"contactname", "fullName"}, {"contact", "fullName"}, {"leadname", "fullName"},
    {"email", "email"}, {"emailaddress", "email"}, {"workemail", "email"},
    {"businessemail", "email"}, {"mail", "email"}, {"email1", "email"}, {"phone", "phone"},
    {"phonenumber", "phone"}, {"telephone", "phone"}, {"tel", "phone"}, {"mobile", "phone"},
    {"workphone", "phone"}, {"company", "company"}, {"companyname", "company"},
    {"organization", "company"}, {"organisation", "company"}, {"organizationname", "company"},
    {"account", "company"}, {"accountname", "company"}, {"employer", "company"},
    {"title", "title"}, {"jobtitle", "title"}, {"position", "title"}, {"role", "title"},
    {"industry", "industry"}, {"sector", "industry"}, {"vertical", "industry"},
    {"employees", "employees"}, {"numberofemployees", "employees"}, {"companysize", "employees"},
    {"headcount", "employees"}, {"employeecount", "employees"}, {"annualrevenue", "annualRevenue"},
    {"revenue", "annualRevenue"}, {"country", "country"}, {"countryregion", "country"},
    {"region", "region"}, {"state", "region"}, {"stateregion", "region"},
    {"stateprovince", "region"}, {"province", "region"}, {"location", "location"},
    {"geography", "location"}, {"website", "domain"}, {"websiteurl", "domain"},
    {"domain", "domain"}, {"companydomain", "domain"}, {"companydomainname", "domain"},
    {"url", "domain"}, {"web", "domain"}, {"source", "source"}, {"leadsource", "source"},
    {"originalsource", "source"}, {"channel", "source"}, {"stage", "stage"},
    {"lifecyclestage", "stage"}, {"leadstatus", "stage"}, {"status", "stage"},
    {"stagereason", "stageReason"}, {"lostreason", "stageReason"},
    {"disqualificationreason", "stageReason"}, {"dealvalue", "dealValue"}, {"value", "dealValue"},
    {"amount", "dealValue"}, {"dealamount", "dealValue"}, {"currency", "currency"},
    {"currencycode", "currency"}, {"notes", "notes"}, {"note", "notes"},
    {"description", "notes"}, {"comments", "notes"}, {"comment", "notes"}, {"tags", "tags"},
    {"tag", "tags"}, {"labels", "tags"}, {"label", "tags"}, {"createdat", "createdAt"},
    {"created", "createdAt"}, {"createdate", "createdAt"}, {"createddate", "createdAt"},
    {"datecreated", "createdAt"}, {"dateadded", "createdAt"}, {"updatedat", "updatedAt"},
    {"updated", "updatedAt"}, {"lastmodified", "updatedAt"}, {"lastmodifieddate", "updatedAt"},
    {"linkedin", "custom.linkedinUrl"}, {"linkedinurl", "custom.linkedinUrl"},
    {"profileurl", "custom.linkedinUrl"}, {"city", "custom.city"}};

// leadkit's own export (Workspace::ExportCsv): its columns are the lead's JSON names, plus
// "custom.<key>" and "bant.<key>", read back as such. Direction and the score columns are
// computed from the lead, so they are not read ("-").
constexpr HeaderRule kLeadkit[] = {
    {"id", "id"}, {"firstname", "firstName"}, {"lastname", "lastName"}, {"email", "email"},
    {"phone", "phone"}, {"company", "company"}, {"title", "title"}, {"industry", "industry"},
    {"employees", "employees"}, {"annualrevenue", "annualRevenue"}, {"country", "country"},
    {"region", "region"}, {"domain", "domain"}, {"source", "source"}, {"stage", "stage"},
    {"stagereason", "stageReason"}, {"dealvalue", "dealValue"}, {"currency", "currency"},
    {"notes", "notes"}, {"tags", "tags"}, {"createdat", "createdAt"}, {"updatedat", "updatedAt"},
    {"direction", "-"}, {"fit", "-"}, {"engagement", "-"}, {"score", "-"}, {"grade", "-"},
    {"matrix", "-"}, {"qualifiesas", "-"}, {"topreasons", "-"}};
// The headers of leadkit's export exactly as it writes them.
constexpr std::string_view kLeadkitColumns[] = {
    "id", "firstName", "lastName", "email", "phone", "company", "title", "industry", "employees",
    "annualRevenue", "country", "region", "domain", "source", "direction", "stage", "stageReason",
    "dealValue", "currency", "notes", "tags", "createdAt", "updatedAt", "fit", "engagement",
    "score", "grade", "matrix", "qualifiesAs", "topReasons"};

struct PresetTable {
  Preset preset;
  std::span<const HeaderRule> rules;
};
constexpr std::array<Preset, 6> kPresets = {{
    {"hubspot", "HubSpot contacts", "unknown"},
    {"salesforce", "Salesforce leads", "unknown"},
    {"pipedrive", "Pipedrive persons and deals", "unknown"},
    {"linkedin", "LinkedIn Sales Navigator", "linkedin"},
    {"basic", "Name, Email, Company", "unknown"},
    {"leadkit", "leadkit export", "unknown"},
}};
const std::array<PresetTable, 6> kTables = {{{kPresets[0], kHubspot},
                                             {kPresets[1], kSalesforce},
                                             {kPresets[2], kPipedrive},
                                             {kPresets[3], kLinkedin},
                                             {kPresets[4], kBasic},
                                             {kPresets[5], kLeadkit}}};
const PresetTable& kLeadkitTable = kTables[5];

bool IsDottedField(std::string_view header, std::string_view prefix) {
  return header.starts_with(prefix) && header.size() > prefix.size() &&
         header.size() <= prefix.size() + 64;
}

// A file leadkit exported: at least three headers, every one a column leadkit writes, spelt as
// it writes them (a re-import of rejected rows adds the reason column).
bool IsLeadkitExport(std::span<const std::string> headers) {
  if (headers.size() < 3) return false;
  return std::all_of(headers.begin(), headers.end(), [](const std::string& h) {
    return std::find(std::begin(kLeadkitColumns), std::end(kLeadkitColumns), h) !=
               std::end(kLeadkitColumns) ||
           IsDottedField(h, "custom.") || IsDottedField(h, "bant.") || h == "leadkit error";
  });
}

constexpr size_t kMaxSuggestedCustom = 40;  // of the 100 custom fields a lead may have

std::optional<std::string_view> Lookup(std::span<const HeaderRule> rules, std::string_view h) {
  for (const HeaderRule& r : rules) {
    if (r.header == h) return r.field;
  }
  return std::nullopt;
}

// "Lead Score (HubSpot)" → "leadScoreHubspot": a custom field name that reads like the header.
std::string CustomKey(std::string_view header) {
  std::string key;
  bool upper_next = false;
  for (unsigned char c : header) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alnum) {
      upper_next = !key.empty();
      continue;
    }
    char ch = static_cast<char>(c);
    if (key.empty()) {
      if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
    } else if (upper_next && ch >= 'a' && ch <= 'z') {
      ch = static_cast<char>(ch - 'a' + 'A');
    }
    upper_next = false;
    key.push_back(ch);
    if (key.size() == 64) break;
  }
  return key.empty() ? std::string("column") : key;
}

Status SetField(ColumnMapping& col, std::string_view field) {
  if (field.starts_with("custom.")) {
    const std::string_view key = field.substr(7);
    if (key.empty() || key.size() > 64) {
      return MakeError("a custom field name has 1 to 64 characters", col.header);
    }
    col.target = Target::kCustom;
    col.custom_key = std::string(key);
    return Ok{};
  }
  for (size_t i = 1; i + 1 < kTargetNames.size(); ++i) {
    if (kTargetNames[i] == field) {
      col.target = static_cast<Target>(i);
      col.custom_key.clear();
      return Ok{};
    }
  }
  std::string known;
  for (size_t i = 1; i + 1 < kTargetNames.size(); ++i) {
    known += (known.empty() ? "" : ", ") + std::string(kTargetNames[i]);
  }
  return MakeError("unknown field \"" + std::string(field.substr(0, 64)) + "\"; use one of " + known +
                       ", custom.<name>, or null to skip the column",
                   col.header);
}

}  // namespace

std::string_view TargetName(Target t) { return kTargetNames[static_cast<size_t>(t)]; }

std::span<const Preset> Presets() { return kPresets; }

std::string NormalizeHeader(std::string_view header) {
  std::string out;
  for (unsigned char c : header) {
    if (c >= 'A' && c <= 'Z') out.push_back(static_cast<char>(c - 'A' + 'a'));
    else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) out.push_back(static_cast<char>(c));
  }
  return out;
}

json Mapping::ToJson() const {
  json cols = json::array();
  for (const ColumnMapping& c : columns) {
    json field = nullptr;
    if (c.target == Target::kCustom) field = "custom." + c.custom_key;
    else if (c.target != Target::kIgnore) field = TargetName(c.target);
    cols.push_back({{"header", c.header}, {"field", std::move(field)}});
  }
  return {{"preset", preset.empty() ? json(nullptr) : json(preset)},
          {"columns", std::move(cols)},
          {"defaultSource", default_source},
          {"dateOrder", date_order == DateOrder::kDayFirst ? "dmy" : "mdy"},
          {"notes", notes}};
}

Result<Mapping> SuggestMapping(std::span<const std::string> headers, std::string_view preset) {
  Mapping m;
  m.default_source = "unknown";
  const PresetTable* table = nullptr;
  if (!preset.empty()) {
    for (const PresetTable& t : kTables) {
      if (t.preset.name == preset) table = &t;
    }
    if (!table) {
      std::string known;
      for (const Preset& p : kPresets) known += (known.empty() ? "" : ", ") + std::string(p.name);
      return MakeError("unknown preset \"" + std::string(preset.substr(0, 64)) +
                           "\"; the presets are " + known,
                       "preset");
    }
  } else if (IsLeadkitExport(headers)) {
    table = &kLeadkitTable;
  } else {
    // The preset that names the most headers, when it names at least three (the plain sheet
    // needs all three of its own).
    size_t best = 0;
    for (const PresetTable& t : kTables) {
      size_t hits = 0;
      for (const std::string& h : headers) hits += Lookup(t.rules, NormalizeHeader(h)).has_value();
      if (hits >= 3 && hits > best) best = hits, table = &t;
    }
  }
  if (table) {
    m.preset = std::string(table->preset.name);
    m.default_source = std::string(table->preset.default_source);
  }

  std::unordered_set<std::string> used;  // fields already fed by a column
  size_t custom = 0, dropped = 0;
  for (const std::string& header : headers) {
    ColumnMapping col;
    col.header = header;
    const std::string norm = NormalizeHeader(header);
    std::optional<std::string_view> field;
    if (table == &kLeadkitTable) {
      if (IsDottedField(header, "custom.") || IsDottedField(header, "bant.")) field = header;
      if (Lookup(kLeadkit, norm) == "-") {
        m.columns.push_back(std::move(col));  // computed on read, not stored
        continue;
      }
    }
    if (table && !field) field = Lookup(table->rules, norm);
    if (!field) field = Lookup(kGeneric, norm);
    std::string chosen = field ? std::string(*field) : std::string();
    if (!chosen.empty() && used.contains(chosen)) {
      chosen = "custom." + CustomKey(header);  // a second column for one field is kept aside
    }
    if (chosen.empty() && !norm.empty()) chosen = "custom." + CustomKey(header);
    if (chosen.starts_with("custom.") && (used.contains(chosen) || custom >= kMaxSuggestedCustom)) {
      if (!used.contains(chosen)) ++dropped;
      chosen.clear();
    }
    if (!chosen.empty()) {
      (void)SetField(col, chosen);
      used.insert(chosen);
      custom += col.target == Target::kCustom;
    }
    m.columns.push_back(std::move(col));
  }
  if (dropped > 0) {
    m.notes.push_back(std::to_string(dropped) + " columns are not imported: a lead keeps at most " +
                      std::to_string(kMaxSuggestedCustom) +
                      " custom fields by default; map the ones you need by hand");
  }
  return m;
}

Status ApplyMappingOverrides(const json& overrides, Mapping& mapping) {
  if (overrides.is_null()) return Ok{};
  if (!overrides.is_object()) {
    return MakeError("expected an object of \"Header\": \"field\", got " + overrides.dump().substr(0, 40),
                     "mapping");
  }
  const bool nested = overrides.contains("columns") && overrides["columns"].is_object();
  const json& columns = nested ? overrides["columns"] : overrides;
  if (nested) {
    if (const auto it = overrides.find("defaultSource"); it != overrides.end() && !it->is_null()) {
      if (!it->is_string()) return MakeError("expected a channel name", "mapping.defaultSource");
      mapping.default_source = it->get<std::string>();
    }
    if (const auto it = overrides.find("dateOrder"); it != overrides.end() && !it->is_null()) {
      if (*it != "mdy" && *it != "dmy") {
        return MakeError("expected \"mdy\" or \"dmy\"", "mapping.dateOrder");
      }
      mapping.date_order = *it == "dmy" ? DateOrder::kDayFirst : DateOrder::kMonthFirst;
      mapping.date_order_set = true;
    }
  }
  for (const auto& item : columns.items()) {
    const std::string& header = item.key();
    const json& field = item.value();
    if (nested == false && (header == "defaultSource" || header == "dateOrder")) continue;
    auto col = std::find_if(mapping.columns.begin(), mapping.columns.end(),
                            [&](const ColumnMapping& c) { return c.header == header; });
    if (col == mapping.columns.end()) {
      return MakeError("the file has no column \"" + header.substr(0, 64) + "\"", "mapping");
    }
    if (field.is_null()) {
      col->target = Target::kIgnore;
      col->custom_key.clear();
      continue;
    }
    if (!field.is_string()) return MakeError("expected a field name or null", header);
    if (auto s = SetField(*col, field.get<std::string>()); !s) return s;
  }
  // One column per field: a second one would silently overwrite the first.
  for (size_t i = 0; i < mapping.columns.size(); ++i) {
    const ColumnMapping& a = mapping.columns[i];
    if (a.target == Target::kIgnore) continue;
    for (size_t j = i + 1; j < mapping.columns.size(); ++j) {
      const ColumnMapping& b = mapping.columns[j];
      if (a.target == b.target && a.custom_key == b.custom_key) {
        return MakeError("columns \"" + a.header + "\" and \"" + b.header + "\" both feed " +
                             (a.target == Target::kCustom ? "custom." + a.custom_key
                                                          : std::string(TargetName(a.target))),
                         b.header);
      }
    }
  }
  return Ok{};
}

std::optional<std::string_view> TranslateSource(std::string_view value) {
  static constexpr std::pair<std::string_view, std::string_view> kSources[] = {
      {"websiteform", "website_form"}, {"web", "website_form"}, {"website", "website_form"},
      {"webform", "website_form"}, {"form", "website_form"},
      {"contentdownload", "content_download"}, {"content", "content_download"},
      {"webinar", "webinar"}, {"ebook", "ebook"}, {"whitepaper", "whitepaper"},
      {"organicsearch", "organic_search"}, {"seo", "organic_search"},
      {"paidsearch", "paid_ads"}, {"paidsocial", "paid_ads"}, {"paidads", "paid_ads"},
      {"ppc", "paid_ads"}, {"ads", "paid_ads"}, {"advertisement", "paid_ads"},
      {"socialmedia", "social"}, {"social", "social"}, {"organicsocial", "social"},
      {"event", "event"}, {"tradeshow", "event"}, {"seminar", "event"}, {"conference", "event"},
      {"contest", "contest"}, {"referral", "referral"}, {"referrals", "referral"},
      {"partnerreferral", "referral"}, {"employeereferral", "referral"},
      {"externalreferral", "referral"}, {"partner", "referral"}, {"coldcall", "cold_call"},
      {"phoneinquiry", "cold_call"}, {"coldemail", "cold_email"}, {"outboundemail", "cold_email"},
      {"linkedin", "linkedin"}, {"linkedinsalesnavigator", "linkedin"},
      {"inperson", "in_person"}, {"purchasedlist", "purchased_list"}, {"list", "purchased_list"},
      {"unknown", "unknown"}, {"other", "unknown"}, {"", "unknown"}};
  const std::string norm = NormalizeHeader(value);
  for (const auto& [from, to] : kSources) {
    if (from == norm) return to;
  }
  return std::nullopt;
}

std::optional<SourceSuggestion> SuggestSourceChannel(std::string_view value) {
  static constexpr std::pair<std::string_view, SourceSuggestion> kHints[] = {
      {"directtraffic", {"direct_traffic", Direction::kInbound}},
      {"direct", {"direct_traffic", Direction::kInbound}},
      {"emailmarketing", {"email_marketing", Direction::kInbound}},
      {"newsletter", {"email_marketing", Direction::kInbound}},
      {"aireferrals", {"referral", Direction::kInbound}},
  };
  const std::string norm = NormalizeHeader(value);
  for (const auto& [from, to] : kHints) {
    if (from == norm) return to;
  }
  return std::nullopt;
}

std::optional<std::string_view> TranslateStage(std::string_view value, std::string_view preset) {
  static constexpr std::pair<std::string_view, std::string_view> kStages[] = {
      {"new", "new"}, {"subscriber", "new"}, {"lead", "new"}, {"other", "new"},
      {"opennotcontacted", "new"}, {"open", "new"}, {"nurturing", "nurturing"},
      {"nurture", "nurturing"}, {"workingcontacted", "nurturing"}, {"working", "nurturing"},
      {"contacted", "nurturing"}, {"inprogress", "nurturing"}, {"attemptedtocontact", "nurturing"},
      {"connected", "nurturing"}, {"mql", "mql"}, {"marketingqualifiedlead", "mql"},
      {"sql", "sql"}, {"salesqualifiedlead", "sql"}, {"qualified", "sql"},
      {"opportunity", "opportunity"}, {"openopportunity", "opportunity"},
      {"closedconverted", "opportunity"}, {"converted", "opportunity"},
 {"customer", "customer"}, {"evangelist", "customer"},
      {"won", "customer"}, {"closedwon", "customer"}, {"lost", "lost"}, {"closedlost", "lost"},
      {"disqualified", "disqualified"}, {"unqualified", "disqualified"},
      {"closednotconverted", "disqualified"}, {"baddata", "disqualified"}};
  const std::string norm = NormalizeHeader(value);
  // Pipedrive's deal status "open" means an active deal, not an untouched lead.
  if (preset == "pipedrive" && norm == "open") return "opportunity";
  for (const auto& [from, to] : kStages) {
    if (from == norm) return to;
  }
  return std::nullopt;
}

}  // namespace leadkit
