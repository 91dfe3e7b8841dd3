// Merging duplicate leads: the field-by-field plan a preview shows, the merge itself, and the
// journal that can undo it.
#include <algorithm>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "leadkit/dedupe.hpp"
#include "leadkit/iso_time.hpp"

namespace leadkit {
namespace {

using nlohmann::json;

constexpr std::string_view kJournalFormat = "leadkit-merge-journal";
constexpr int kJournalVersion = 1;

// A field a user can pick per merge: its value in a lead (null when the lead has none) and how to
// copy it from one lead into the merged one.
struct FieldRule {
  std::string name;
  std::function<json(const Lead&)> get;
  std::function<void(Lead&, const Lead&)> copy;
  std::function<int(const Lead&)> rank = nullptr;  // higher wins by default; unset: order decides
};

template <typename M>
FieldRule TextRule(std::string name, M member) {
  return {std::move(name),
          [member](const Lead& l) { return (l.*member).empty() ? json() : json(l.*member); },
          [member](Lead& to, const Lead& from) { to.*member = from.*member; }};
}

template <typename M>
FieldRule NumberRule(std::string name, M member) {
  return {std::move(name),
          [member](const Lead& l) { return (l.*member) ? json(*(l.*member)) : json(); },
          [member](Lead& to, const Lead& from) { to.*member = from.*member; }};
}

// Met and not met are both known; partly is better than nothing.
int BantRank(BantStatus s) {
  switch (s) {
    case BantStatus::kMet:
    case BantStatus::kNotMet: return 2;
    case BantStatus::kPartly: return 1;
    case BantStatus::kUnknown: return 0;
  }
  return 0;
}

// The fields of a merge, in the order of the lead's JSON form. A default value that says nothing
// (source "unknown", stage "new") counts as empty, so it never hides a known one. Stage brings
// its reason along, and dealValue its currency, since neither means anything apart.
std::vector<FieldRule> FieldRules(const std::vector<Lead>& leads) {
  std::vector<FieldRule> rules = {
      TextRule("firstName", &Lead::first_name), TextRule("lastName", &Lead::last_name),
      TextRule("email", &Lead::email),          TextRule("phone", &Lead::phone),
      TextRule("company", &Lead::company),      TextRule("title", &Lead::title),
      TextRule("industry", &Lead::industry),    NumberRule("employees", &Lead::employees),
      NumberRule("annualRevenue", &Lead::annual_revenue),
      TextRule("country", &Lead::country),      TextRule("region", &Lead::region),
      TextRule("domain", &Lead::domain)};
  rules.push_back({"source",
                   [](const Lead& l) { return l.source == "unknown" ? json() : json(l.source); },
                   [](Lead& to, const Lead& from) { to.source = from.source; }});
  rules.push_back({"stage",
                   [](const Lead& l) { return l.stage == Stage::kNew ? json() : json(StageName(l.stage)); },
                   [](Lead& to, const Lead& from) {
                     to.stage = from.stage;
                     to.stage_reason = from.stage_reason;
                   }});
  rules.push_back({"dealValue",
                   [](const Lead& l) { return l.deal_value ? json(*l.deal_value) : json(); },
                   [](Lead& to, const Lead& from) {
                     to.deal_value = from.deal_value;
                     to.currency = from.currency;
                   }});
  rules.push_back(TextRule("notes", &Lead::notes));
  for (size_t k = 0; k < kBantKeys.size(); ++k) {
    rules.push_back({"bant." + std::string(kBantKeys[k]),
                     [k](const Lead& l) {
                       const BantCriterion& c = l.bant[k];
                       if (c.status == BantStatus::kUnknown && c.evidence.empty()) return json();
                       json j = {{"status", BantStatusName(c.status)}};
                       if (!c.evidence.empty()) j["evidence"] = c.evidence;
                       return j;
                     },
                     [k](Lead& to, const Lead& from) { to.bant[k] = from.bant[k]; },
                     [k](const Lead& l) { return BantRank(l.bant[k].status); }});
  }
  std::set<std::string> custom_keys;
  for (const Lead& l : leads) {
    if (!l.custom.is_object()) continue;
    for (const auto& item : l.custom.items()) custom_keys.insert(item.key());
  }
  for (const std::string& key : custom_keys) {
    rules.push_back({"custom." + key,
                     [key](const Lead& l) {
                       return l.custom.is_object() && l.custom.contains(key) ? l.custom[key] : json();
                     },
                     [key](Lead& to, const Lead& from) {
                       if (from.custom.is_object() && from.custom.contains(key)) {
                         if (!to.custom.is_object()) to.custom = json::object();
                         to.custom[key] = from.custom[key];
                       } else if (to.custom.is_object()) {
                         to.custom.erase(key);
                         if (to.custom.empty()) to.custom = json();
                       }
                     }});
  }
  return rules;
}

struct MergePlan {
  std::vector<Lead> leads;  // survivor first, then the others, most recently updated first
  Lead merged;
  json fields = json::array();
};

std::string Quoted(std::string_view s) { return DescribeJsonValue(json(std::string(s))); }

template <typename T>
void SortByTime(std::vector<T>& items) {
  std::stable_sort(items.begin(), items.end(), [](const T& a, const T& b) { return a.at < b.at; });
}

Result<MergePlan> PlanMerge(const Workspace& ws, std::span<const std::string> ids, const json& choices) {
  if (ids.size() < 2) {
    return MakeError("a merge needs at least 2 lead ids, got " + std::to_string(ids.size()), "ids");
  }
  std::vector<Lead> leads;
  for (size_t i = 0; i < ids.size(); ++i) {
    const std::string path = "ids[" + std::to_string(i) + "]";
    if (std::find(ids.begin(), ids.begin() + static_cast<ptrdiff_t>(i), ids[i]) != ids.begin() + static_cast<ptrdiff_t>(i)) {
      return MakeError("lead id " + Quoted(ids[i]) + " is listed twice", path);
    }
    auto lead = ws.store().Get(ids[i]);
    if (!lead) return MakeError("unknown lead id " + Quoted(ids[i]), path);
    leads.push_back(std::move(*lead));
  }
  if (!choices.is_null() && !choices.is_object()) {
    return MakeError("expected an object, got " + DescribeJsonValue(choices), "choices");
  }
  const auto in_merge = [&ids](const json& v) {
    return v.is_string() && std::find(ids.begin(), ids.end(), v.get<std::string>()) != ids.end();
  };
  const auto not_in_merge = [](const json& v, std::string path) {
    return MakeError(DescribeJsonValue(v) + " is not one of the merged leads", std::move(path));
  };

  size_t survivor = 0;  // the oldest unless chosen; ids' order breaks ties
  for (size_t i = 1; i < leads.size(); ++i) {
    if (leads[i].created_at < leads[survivor].created_at) survivor = i;
  }
  json picks = json::object();
  if (choices.is_object()) {
    for (const auto& [key, value] : choices.items()) {
      if (key == "survivor") {
        if (!in_merge(value)) return not_in_merge(value, "choices.survivor");
        survivor = static_cast<size_t>(std::find(ids.begin(), ids.end(), value.get<std::string>()) - ids.begin());
      } else if (key == "fields") {
        if (!value.is_object()) {
          return MakeError("expected an object of field → lead id, got " + DescribeJsonValue(value),
                           "choices.fields");
        }
        picks = value;
      } else {
        return MakeError("unknown choice \"" + key + "\"; choices are survivor and fields", "choices." + key);
      }
    }
  }
  std::swap(leads[0], leads[survivor]);
  std::stable_sort(leads.begin() + 1, leads.end(),
                   [](const Lead& a, const Lead& b) { return a.updated_at > b.updated_at; });

  MergePlan plan;
  const std::vector<FieldRule> rules = FieldRules(leads);
  for (const auto& item : picks.items()) {  // no structured binding: clang 14 cannot capture one
    const std::string& field = item.key();
    const json& pick = item.value();
    const std::string path = "choices.fields." + field;
    const auto rule = std::find_if(rules.begin(), rules.end(), [&](const FieldRule& r) { return r.name == field; });
    if (rule == rules.end()) {
      return MakeError("unknown field " + Quoted(field) +
                           " (choose among lead fields, bant.<criterion> and custom.<key>)", path);
    }
    if (!in_merge(pick)) return not_in_merge(pick, path);
    if (std::all_of(leads.begin(), leads.end(), [&](const Lead& l) { return rule->get(l).is_null(); })) {
      return MakeError("none of the merged leads has a value for " + Quoted(field), path);
    }
  }

  plan.merged = leads[0];
  for (const FieldRule& rule : rules) {
    json values = json::array();
    const Lead* chosen = nullptr;
    int best = -1;
    std::set<std::string> distinct;
    for (const Lead& l : leads) {
      json v = rule.get(l);
      if (v.is_null()) continue;
      distinct.insert(v.dump());
      // The first value in order wins, unless the field ranks its values (BANT: the better known).
      const int rank = rule.rank ? rule.rank(l) : 0;
      if (rank > best) {
        best = rank;
        chosen = &l;
      }
      values.push_back({{"id", l.id}, {"value", std::move(v)}});
    }
    if (!chosen) continue;
    if (picks.contains(rule.name)) {
      const std::string id = picks[rule.name].get<std::string>();
      chosen = &*std::find_if(leads.begin(), leads.end(), [&id](const Lead& l) { return l.id == id; });
    }
    rule.copy(plan.merged, *chosen);
    plan.fields.push_back({{"field", rule.name}, {"values", std::move(values)}, {"chosen", chosen->id},
                           {"conflict", distinct.size() > 1}});
  }

  Lead& m = plan.merged;
  for (size_t i = 1; i < leads.size(); ++i) {
    const Lead& l = leads[i];
    for (const std::string& tag : l.tags) {
      if (std::find(m.tags.begin(), m.tags.end(), tag) == m.tags.end()) m.tags.push_back(tag);
    }
    m.events.insert(m.events.end(), l.events.begin(), l.events.end());
    m.touches.insert(m.touches.end(), l.touches.begin(), l.touches.end());
    m.history.insert(m.history.end(), l.history.begin(), l.history.end());
    for (Task t : l.tasks) {  // ids are unique per lead: a clash takes the next free one
      const auto taken = [&m](const std::string& id) {
        return std::any_of(m.tasks.begin(), m.tasks.end(), [&](const Task& o) { return o.id == id; });
      };
      for (int n = 2; taken(t.id); ++n) t.id = t.id.substr(0, 48) + "-" + std::to_string(n);
      m.tasks.push_back(std::move(t));
    }
    m.created_at = std::min(m.created_at, l.created_at);
    m.updated_at = std::max(m.updated_at, l.updated_at);
  }
  SortByTime(m.events);
  SortByTime(m.touches);
  SortByTime(m.history);

  // The merged lead must be one the workspace accepts (e.g. at most 64 tags), checked before
  // anything changes.
  std::vector<Issue> issues;
  if (!LeadFromJson(LeadToJson(m, ws.channels()), "merged", ws.channels(), m.updated_at, issues)) {
    return MakeError("the merged lead would be invalid: " + issues.front().message, issues.front().path);
  }
  plan.leads = std::move(leads);
  return plan;
}

}  // namespace

Result<json> PreviewMerge(const Workspace& ws, std::span<const std::string> ids, const json& choices) {
  auto plan = PlanMerge(ws, ids, choices);
  if (!plan) return plan.error();
  return json{{"survivor", plan.value().merged.id},
              {"fields", std::move(plan.value().fields)},
              {"merged", LeadToJson(plan.value().merged, ws.channels())}};
}

Result<json> MergeJournal::Merge(Workspace& ws, std::span<const std::string> ids, const json& choices,
                                 int64_t now_ms) {
  auto planned = PlanMerge(ws, ids, choices);
  if (!planned) return planned.error();
  MergePlan& plan = planned.value();
  plan.merged.updated_at = std::max(now_ms, plan.merged.created_at);

  Entry entry;
  do {
    entry.id = "merge-" + std::to_string(next_id_++);
  } while (std::any_of(entries_.begin(), entries_.end(), [&](const Entry& e) { return e.id == entry.id; }));
  entry.at = now_ms;
  entry.survivor = plan.merged.id;
  for (const Lead& l : plan.leads) {
    entry.before.push_back(LeadToJson(l, ws.channels()));
    if (l.id != entry.survivor) entry.removed.push_back(l.id);
  }
  // Upsert is the only step that can fail, and it comes first; the removals that follow cannot,
  // since every id was just found in the store.
  auto stored = ws.Upsert(LeadToJson(plan.merged, ws.channels()), now_ms);
  if (!stored) return stored.error();
  for (const std::string& id : entry.removed) ws.Remove(id);
  entry.merged = *ws.GetJson(entry.survivor);

  json out = {{"mergeId", entry.id}, {"survivor", entry.survivor}, {"removed", entry.removed},
              {"lead", entry.merged}};
  entries_.push_back(std::move(entry));
  return out;
}

namespace {

// A lead's JSON without what the workspace derives from its own settings (a source's direction
// follows the channel map), so a channel change alone does not count as an edit.
json Comparable(json lead) {
  lead.erase("direction");
  return lead;
}

}  // namespace

Result<json> MergeJournal::Undo(Workspace& ws, std::string_view merge_id) {
  const auto it = std::find_if(entries_.begin(), entries_.end(),
                               [&](const Entry& e) { return e.id == merge_id; });
  if (it == entries_.end()) return MakeError("unknown merge id " + Quoted(merge_id), "mergeId");
  Entry& e = *it;
  if (e.undone) return MakeError("merge " + Quoted(merge_id) + " was already undone", "mergeId");
  const auto current = ws.GetJson(e.survivor);
  if (!current) {
    return MakeError("cannot undo merge " + Quoted(merge_id) + ": its merged lead " + Quoted(e.survivor) +
                         " has been removed since", "mergeId");
  }
  if (Comparable(*current) != Comparable(e.merged)) {
    return MakeError("cannot undo merge " + Quoted(merge_id) + ": lead " + Quoted(e.survivor) +
                         " was changed after the merge (edited or merged again), and undoing would"
                         " lose that change; undo or revert the later change first", "mergeId");
  }
  for (const std::string& id : e.removed) {
    if (ws.store().Contains(id)) {
      return MakeError("cannot undo merge " + Quoted(merge_id) + ": lead id " + Quoted(id) +
                           " is in use again since the merge; remove or rename that lead first", "mergeId");
    }
  }
  for (const json& before : e.before) {  // every restore must succeed before the first one lands
    std::vector<Issue> issues;
    if (!LeadFromJson(before, "lead", ws.channels(), e.at, issues)) {
      return MakeError("cannot undo merge " + Quoted(merge_id) + ": lead " +
                           Quoted(before.value("id", "")) + " no longer loads: " + issues.front().ToString(),
                       "mergeId");
    }
  }
  json restored = json::array();
  for (const json& before : e.before) {
    auto id = ws.Upsert(before, e.at);  // checked above; createdAt and updatedAt come back as they were
    restored.push_back(id.value());
  }
  e.undone = true;
  return json{{"mergeId", e.id}, {"survivor", e.survivor}, {"restored", std::move(restored)}};
}

json MergeJournal::ToJson() const {
  json merges = json::array();
  for (const Entry& e : entries_) {
    merges.push_back({{"mergeId", e.id}, {"at", FormatIsoTime(e.at)}, {"survivor", e.survivor},
                      {"removed", e.removed}, {"before", e.before}, {"merged", e.merged},
                      {"undone", e.undone}});
  }
  return {{"format", kJournalFormat}, {"version", kJournalVersion}, {"nextId", next_id_},
          {"merges", std::move(merges)}};
}

Result<MergeJournal> MergeJournal::FromJson(const json& j) {
  if (!j.is_object()) return MakeError("expected a merge journal object, got " + DescribeJsonValue(j));
  if (j.value("format", json()) != kJournalFormat) {
    return MakeError("expected \"" + std::string(kJournalFormat) + "\"", "format");
  }
  if (j.value("version", json()) != kJournalVersion) {
    return MakeError("unsupported version " + DescribeJsonValue(j.value("version", json())) +
                         "; this build reads version " + std::to_string(kJournalVersion), "version");
  }
  MergeJournal journal;
  const json next = j.value("nextId", json());
  // Signed or unsigned: a document read back from text or from the JSON reader may hold either.
  if (!next.is_number_integer() || next.get<int64_t>() < 1) {
    return MakeError("expected a positive integer, got " + DescribeJsonValue(next), "nextId");
  }
  journal.next_id_ = next.get<uint64_t>();
  const json merges = j.value("merges", json());
  if (!merges.is_array()) return MakeError("expected an array, got " + DescribeJsonValue(merges), "merges");
  for (size_t i = 0; i < merges.size(); ++i) {
    const std::string path = "merges[" + std::to_string(i) + "]";
    const json& m = merges[i];
    if (!m.is_object()) return MakeError("expected an object, got " + DescribeJsonValue(m), path);
    const auto text = [&m](const char* key) {
      const json v = m.value(key, json());
      return v.is_string() ? v.get<std::string>() : std::string();
    };
    Entry e;
    e.id = text("mergeId");
    if (e.id.empty()) return MakeError("expected a merge id", path + ".mergeId");
    if (std::any_of(journal.entries_.begin(), journal.entries_.end(), [&](const Entry& x) { return x.id == e.id; })) {
      return MakeError("merge id " + Quoted(e.id) + " appears twice", path + ".mergeId");
    }
    const auto at = ParseIsoTime(text("at"));
    if (!at) return MakeError("expected an ISO 8601 time", path + ".at");
    e.at = *at;
    e.survivor = text("survivor");
    const json before = m.value("before", json());
    if (!before.is_array() || before.size() < 2) {
      return MakeError("expected the merged leads as they were, at least 2", path + ".before");
    }
    std::vector<std::string> before_ids;
    for (size_t k = 0; k < before.size(); ++k) {
      if (!before[k].is_object() || !before[k].value("id", json()).is_string()) {
        return MakeError("expected a lead with an id", path + ".before[" + std::to_string(k) + "]");
      }
      before_ids.push_back(before[k]["id"].get<std::string>());
    }
    e.before = before.get<std::vector<json>>();
    if (e.survivor.empty() || e.survivor != before_ids.front()) {
      return MakeError("expected the id of the first lead in before", path + ".survivor");
    }
    const json removed = m.value("removed", json());
    if (!removed.is_array() || removed.size() + 1 != before_ids.size()) {
      return MakeError("expected the ids of the other leads in before", path + ".removed");
    }
    for (size_t k = 0; k < removed.size(); ++k) {
      if (!removed[k].is_string() || removed[k].get<std::string>() != before_ids[k + 1]) {
        return MakeError("expected " + Quoted(before_ids[k + 1]), path + ".removed[" + std::to_string(k) + "]");
      }
      e.removed.push_back(removed[k].get<std::string>());
    }
    e.merged = m.value("merged", json());
    if (!e.merged.is_object() || e.merged.value("id", json()) != e.survivor) {
      return MakeError("expected the merged lead, with the survivor's id", path + ".merged");
    }
    const json undone = m.value("undone", json());
    if (!undone.is_boolean()) return MakeError("expected true or false", path + ".undone");
    e.undone = undone.get<bool>();
    journal.entries_.push_back(std::move(e));
  }
  return journal;
}

}  // namespace leadkit
