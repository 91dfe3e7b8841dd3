// Merging leads from leadkit JSON (an array of leads, a backup, or the website widget's export)
// into a workspace that already has leads: each incoming lead joins the lead with its id, else
// the one with its e-mail, else it is added. Checked whole before anything changes.
#include <algorithm>
#include <charconv>
#include <unordered_map>

#include "leadkit/workspace.hpp"

namespace leadkit {
namespace {

using nlohmann::json;

// Ids the reading workspace gives to leads that came without one start here, far above any a
// workspace generates, so they can be told from ids the file carried.
constexpr uint64_t kUnnamedFrom = 1'000'000'000'000ull;

bool CameWithoutId(const std::string& id) {
  if (id.rfind("lead-", 0) != 0) return false;
  uint64_t n = 0;
  const auto [end, ec] = std::from_chars(id.data() + 5, id.data() + id.size(), n);
  return ec == std::errc() && end == id.data() + id.size() && n >= kUnnamedFrom;
}

template <typename T>
void AddMissing(std::vector<T>& into, const std::vector<T>& from) {
  for (const T& x : from) {
    if (std::find(into.begin(), into.end(), x) == into.end()) into.push_back(x);
  }
}

// `into` keeps what it has; empty fields take the incoming lead's; activity is the union.
// Returns whether anything changed.
bool MergeInto(Lead& into, const Lead& from) {
  const Lead before = into;
  for (auto field : {&Lead::first_name, &Lead::last_name, &Lead::email, &Lead::phone, &Lead::company, &Lead::title,
                     &Lead::industry, &Lead::country, &Lead::region, &Lead::domain, &Lead::currency, &Lead::notes}) {
    if ((into.*field).empty()) into.*field = from.*field;
  }
  if (!into.employees) into.employees = from.employees;
  if (!into.annual_revenue) into.annual_revenue = from.annual_revenue;
  if (!into.deal_value) into.deal_value = from.deal_value;
  if (into.source == "unknown" || into.source.empty()) into.source = from.source;
  if (into.custom.is_null() && from.custom.is_object()) into.custom = from.custom;
  if (into.custom.is_object() && from.custom.is_object()) {
    for (const auto& [k, v] : from.custom.items()) {
      if (!into.custom.contains(k)) into.custom[k] = v;
    }
  }
  AddMissing(into.tags, from.tags);
  AddMissing(into.events, from.events);
  AddMissing(into.touches, from.touches);
  for (const Task& t : from.tasks) {
    const bool same_id = std::any_of(into.tasks.begin(), into.tasks.end(), [&](const Task& o) { return o.id == t.id; });
    if (!same_id) into.tasks.push_back(t);
  }
  const auto by_time = [](const auto& a, const auto& b) { return a.at < b.at; };
  std::stable_sort(into.events.begin(), into.events.end(), by_time);
  std::stable_sort(into.touches.begin(), into.touches.end(), by_time);
  into.created_at = std::min(into.created_at, from.created_at);
  if (into == before) return false;
  into.updated_at = std::max(into.updated_at, from.updated_at);
  return true;
}

}  // namespace

Result<json> Workspace::MergeLeads(std::string_view text, int64_t now_ms, bool dry_run) {
  Workspace incoming;
  incoming.channels_ = channels_;
  incoming.next_id_ = kUnnamedFrom;
  const LoadReport report = incoming.LoadJson(text, now_ms);
  if (!report.errors.empty()) {
    const Issue& first = report.errors.front();
    Error e = MakeError(first.message, first.path);
    if (report.line >= 0) e.where.line = report.line, e.where.column = report.column;
    return e;
  }
  std::unordered_map<std::string, uint32_t> by_email;
  const auto& emails = *store_.Texts(Field::kEmail);
  for (uint32_t r = 0; r < emails.size(); ++r) {
    if (!emails[r].empty()) by_email.emplace(emails[r], r);
  }
  std::vector<Lead> changed;
  std::vector<std::string> taken;  // ids given in this merge
  std::unordered_map<std::string, size_t> added_by_email;  // into `changed`
  json items = json::array();
  size_t added = 0, merged = 0, unchanged = 0;
  const LeadStore& in = incoming.store();
  for (uint32_t i = 0; i < in.size(); ++i) {
    Lead lead = in.GetRow(i);
    const bool unnamed = CameWithoutId(lead.id);
    std::optional<uint32_t> row = unnamed ? std::nullopt : store_.RowOf(lead.id);
    std::string matched_by = row ? "id" : "";
    if (!row && !lead.email.empty()) {
      if (const auto it = by_email.find(lead.email); it != by_email.end()) row = it->second, matched_by = "email";
    }
    // Two incoming leads may join one lead: the second joins what the first made of it.
    auto pending = changed.end();
    if (row) {
      pending = std::find_if(changed.begin(), changed.end(), [&](const Lead& l) { return l.id == store_.IdAt(*row); });
    } else if (const auto it = added_by_email.find(lead.email); !lead.email.empty() && it != added_by_email.end()) {
      pending = changed.begin() + static_cast<std::ptrdiff_t>(it->second);
      matched_by = "email";
    }
    std::string action;
    if (row || pending != changed.end()) {
      Lead base = pending != changed.end() ? *pending : store_.GetRow(*row);
      if (MergeInto(base, lead)) {
        std::vector<Issue> issues;
        if (!LeadFromJson(LeadToJson(base, channels_), "leads[" + std::to_string(i) + "]", channels_, now_ms, issues)) {
          return MakeError("merged with lead " + base.id + ", it would be invalid: " + issues.front().message,
                           issues.front().path, ErrorCode::kTooLarge);
        }
        lead.id = base.id;
        if (pending != changed.end()) *pending = std::move(base); else changed.push_back(std::move(base));
        action = "merged";
        ++merged;
      } else {
        lead.id = base.id;
        action = "unchanged";
        ++unchanged;
      }
    } else {
      if (unnamed || std::find(taken.begin(), taken.end(), lead.id) != taken.end()) {
        std::sort(taken.begin(), taken.end());
        lead.id = NewId(taken);
      }
      taken.push_back(lead.id);
      if (!lead.email.empty()) added_by_email.emplace(lead.email, changed.size());
      action = "added";
      ++added;
      changed.push_back(lead);
    }
    if (items.size() < 200) {
      json item = {{"id", lead.id}, {"action", action}};
      if (!matched_by.empty()) item["matchedBy"] = matched_by;
      items.push_back(std::move(item));
    }
  }
  json out = {{"total", in.size()}, {"added", added}, {"merged", merged}, {"unchanged", unchanged},
              {"leads", std::move(items)}, {"dryRun", dry_run}};
  if (dry_run) return out;
  json ids = json::array();
  for (Lead& l : changed) {
    ids.push_back(l.id);
    store_.Upsert(std::move(l));
  }
  if (!changed.empty()) ++revision_;
  out["changedIds"] = std::move(ids);
  return out;
}

}  // namespace leadkit
