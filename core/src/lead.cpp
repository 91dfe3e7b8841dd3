#include "leadkit/lead.hpp"

#include <algorithm>
#include <cmath>
#include <span>

#include "leadkit/iso_time.hpp"

namespace leadkit {
namespace {

using nlohmann::json;

constexpr std::array<std::string_view, kStageCount> kStageNames = {
    "new", "nurturing", "mql", "sql", "opportunity", "customer", "lost", "disqualified"};
constexpr std::array<std::string_view, 4> kBantNames = {"unknown", "partly", "met", "not_met"};
template <size_t N>
std::string JoinNames(const std::array<std::string_view, N>& names) {
  std::string out;
  for (auto n : names) out += (out.empty() ? "" : ", ") + std::string(n);
  return out;
}

template <size_t N>
bool OneOf(const std::array<std::string_view, N>& names, std::string_view v) {
  return std::find(names.begin(), names.end(), v) != names.end();
}

std::string Trim(std::string_view s) {
  const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return std::string(s);
}

std::string Lower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

// A location in the input, built into text only when a problem is reported: most leads are valid,
// and formatting "leads[12345].events[3]" for every event would dominate the load.
struct PathRef {
  const PathRef* parent = nullptr;
  std::string_view key;  // a member name
  size_t index = 0;      // an array index
  bool is_index = false;
  const std::string* root = nullptr;

  std::string ToString() const {
    if (!parent) return root ? *root : std::string();
    std::string out = parent->ToString();
    if (is_index) return out + "[" + std::to_string(index) + "]";
    out += '.';
    out += key.substr(0, 64);
    return out;
  }
  PathRef Member(std::string_view k) const { return PathRef{this, k, 0, false, nullptr}; }
  PathRef Element(size_t i) const { return PathRef{this, {}, i, true, nullptr}; }
};

void Report(std::vector<Issue>& issues, const PathRef& where, std::string message) {
  issues.push_back({where.ToString(), std::move(message)});
}

// Reads the members of one JSON object, recording problems under `path`.
class ObjectReader {
 public:
  ObjectReader(JsonValue obj, const PathRef& path, std::vector<Issue>& issues)
      : obj_(obj), path_(path), issues_(issues) {}

  std::string Where(std::string_view key) const { return path_.Member(key).ToString(); }
  void Fail(std::string_view key, std::string message) const {
    issues_.push_back({Where(key), std::move(message)});
  }
  // A member that is present and not null. After RejectUnknown, a known key is found through the
  // index it built, starting after the last key asked for: readers ask in the order of `known`.
  JsonValue Find(std::string_view key) const {
    JsonValue v;
    if (known_.empty()) {
      v = obj_.find(key);
    } else {
      for (size_t n = 0; n < known_.size(); ++n) {
        const size_t k = (next_ + n) % known_.size();
        if (known_[k] == key) {
          v = found_[k];
          next_ = k + 1;
          break;
        }
      }
    }
    return v && !v.is_null() ? v : JsonValue();
  }

  // A string member, trimmed; "" when absent or null.
  std::string Text(std::string_view key, size_t limit, bool trim = true) const {
    const JsonValue v = Find(key);
    if (!v) return {};
    if (!v.is_string()) {
      Fail(key, "expected a string, got " + DescribeJsonValue(v));
      return {};
    }
    const std::string_view s = v.str();
    if (s.size() > limit) {
      Fail(key, "text is " + std::to_string(s.size()) + " bytes, longer than the " +
                    std::to_string(limit) + " allowed");
      return {};
    }
    return trim ? Trim(s) : std::string(s);
  }

  std::optional<double> NonNegative(std::string_view key, bool integer) const {
    const JsonValue v = Find(key);
    if (!v) return std::nullopt;
    const char* expected = integer ? "expected a non-negative integer, got "
                                   : "expected a non-negative number, got ";
    if (!v.is_number()) {
      Fail(key, expected + DescribeJsonValue(v));
      return std::nullopt;
    }
    const double d = v.number();
    if (!std::isfinite(d) || d < 0 || d > 1e15 || (integer && d != std::floor(d))) {
      Fail(key, expected + DescribeJsonValue(v));
      return std::nullopt;
    }
    return d;
  }

  std::optional<int64_t> Time(std::string_view key, bool required) const {
    const JsonValue v = Find(key);
    if (!v) {
      if (required) Fail(key, "is required (an ISO 8601 timestamp)");
      return std::nullopt;
    }
    if (v.is_string()) {
      if (auto t = ParseIsoTime(v.str())) {
        // Nothing stored may hold an absurd time: later arithmetic on it (days since) overflows.
        constexpr int64_t kYear1900 = -2208988800000, kYear10000 = 253402300800000;
        if (*t >= kYear1900 && *t < kYear10000) return t;
        Fail(key, "is outside the years 1900 to 9999: " + DescribeJsonValue(v));
        return std::nullopt;
      }
    }
    Fail(key, "expected an ISO 8601 timestamp such as \"2026-03-01T09:30:00Z\", got " +
                  DescribeJsonValue(v));
    return std::nullopt;
  }

  // Members not in `known` are reported: a typo must not vanish silently.
  template <size_t N>
  void RejectUnknown(const std::array<std::string_view, N>& known, std::string_view hint) {
    static_assert(N <= kMaxKnown);
    known_ = std::span<const std::string_view>(known);
    for (auto c = obj_.children(); !c.done(); c.next()) {
      const std::string_view key = c.key().str();
      const auto it = std::find(known.begin(), known.end(), key);
      if (it == known.end()) {
        Report(issues_, path_, "unknown field \"" + std::string(key.substr(0, 64)) + "\"" +
                                   std::string(hint));
      } else {
        found_[static_cast<size_t>(it - known.begin())] = c.value();  // the last duplicate wins
      }
    }
  }

 private:
  static constexpr size_t kMaxKnown = 32;
  JsonValue obj_;
  const PathRef& path_;
  std::vector<Issue>& issues_;
  std::span<const std::string_view> known_;
  std::array<JsonValue, kMaxKnown> found_{};
  mutable size_t next_ = 0;
};

bool IsObject(JsonValue v, const PathRef& path, std::vector<Issue>& issues) {
  if (v.is_object()) return true;
  Report(issues, path, "expected an object, got " + DescribeJsonValue(v));
  return false;
}

bool IsArray(JsonValue v, const PathRef& path, std::vector<Issue>& issues) {
  if (v.is_array()) return true;
  Report(issues, path, "expected an array, got " + DescribeJsonValue(v));
  return false;
}

// Reads an array of objects with `read`, which gets each element's reader (unknown keys already
// reported) and returns the item. Elements that are not objects are reported and skipped.
template <typename T, size_t N, typename F>
void ReadList(JsonValue arr, const PathRef& path, const std::array<std::string_view, N>& keys,
              std::vector<T>& out, std::vector<Issue>& issues, F&& read) {
  if (!IsArray(arr, path, issues)) return;
  out.reserve(arr.size());
  size_t i = 0;
  for (auto c = arr.children(); !c.done(); c.next(), ++i) {
    const PathRef p = path.Element(i);
    if (!IsObject(c.value(), p, issues)) continue;
    ObjectReader r(c.value(), p, issues);
    r.RejectUnknown(keys, "");
    out.push_back(read(r));
  }
}

void ReadEvents(JsonValue arr, const PathRef& path, std::vector<Event>& out,
                std::vector<Issue>& issues) {
  if (arr.is_array() && arr.size() > TextLimits::kMaxEvents) {
    Report(issues, path, "has " + std::to_string(arr.size()) + " events, more than the " +
                             std::to_string(TextLimits::kMaxEvents) + " allowed per lead");
    return;
  }
  static constexpr std::array<std::string_view, 3> kKeys = {"type", "at", "props"};
  ReadList(arr, path, kKeys, out, issues, [](ObjectReader& r) {
    Event e;
    e.type = r.Text("type", 64);
    if (!IsIdentifier(e.type)) r.Fail("type", "expected an event type such as \"page_view\"");
    e.at = r.Time("at", true).value_or(0);
    if (const JsonValue props = r.Find("props")) {
      if (!props.is_object()) {
        r.Fail("props", "expected an object, got " + DescribeJsonValue(props));
      } else if (props.source().size() > TextLimits::kProps) {
        r.Fail("props", "is larger than the " + std::to_string(TextLimits::kProps) +
                            " bytes allowed");
      } else {
        e.props = props.ToJson();
      }
    }
    return e;
  });
}

void ReadTouches(JsonValue arr, const PathRef& path, std::vector<Touch>& out,
                 std::vector<Issue>& issues) {
  static constexpr std::array<std::string_view, 4> kKeys = {"channel", "outcome", "at", "note"};
  ReadList(arr, path, kKeys, out, issues, [](ObjectReader& r) {
    Touch t;
    t.channel = r.Text("channel", 64);
    if (!OneOf(kTouchChannels, t.channel)) {
      r.Fail("channel", "expected one of " + JoinNames(kTouchChannels) + ", got \"" +
                            t.channel.substr(0, 64) + "\"");
    }
    t.outcome = r.Text("outcome", 64);
    if (!OneOf(kTouchOutcomes, t.outcome)) {
      r.Fail("outcome", "expected one of " + JoinNames(kTouchOutcomes) + ", got \"" +
                            t.outcome.substr(0, 64) + "\"");
    }
    t.at = r.Time("at", true).value_or(0);
    t.note = r.Text("note", TextLimits::kReason, false);
    return t;
  });
}

void ReadTasks(JsonValue arr, const PathRef& path, std::vector<Task>& out,
               std::vector<Issue>& issues) {
  static constexpr std::array<std::string_view, 5> kKeys = {"id", "title", "due", "doneAt",
                                                            "createdAt"};
  ReadList(arr, path, kKeys, out, issues, [](ObjectReader& r) {
    Task t;
    t.id = r.Text("id", 64);
    if (t.id.empty()) r.Fail("id", "is required, e.g. \"task-1\"");
    t.title = r.Text("title", TextLimits::kReason);
    if (t.title.empty()) r.Fail("title", "is required, e.g. \"Call back about the proposal\"");
    t.due = r.Time("due", true).value_or(0);
    t.done_at = r.Time("doneAt", false).value_or(0);
    t.created_at = r.Time("createdAt", false).value_or(0);
    return t;
  });
}

std::optional<Stage> ReadStage(const ObjectReader& r, std::string_view key, bool required) {
  const JsonValue v = r.Find(key);
  if (!v) {
    if (required) r.Fail(key, "is required (one of " + JoinNames(kStageNames) + ")");
    return std::nullopt;
  }
  if (v.is_string()) {
    if (auto s = ParseStage(v.str())) return s;
  }
  r.Fail(key, "unknown stage " + DescribeJsonValue(v) + "; expected one of " +
                  JoinNames(kStageNames));
  return std::nullopt;
}

void ReadHistory(JsonValue arr, const PathRef& path, std::vector<Transition>& out,
                 std::vector<Issue>& issues) {
  static constexpr std::array<std::string_view, 6> kKeys = {"at",     "from",  "to",
                                                            "reason", "actor", "note"};
  ReadList(arr, path, kKeys, out, issues, [](ObjectReader& r) {
    Transition t;
    t.at = r.Time("at", true).value_or(0);
    t.from = ReadStage(r, "from", true).value_or(Stage::kNew);
    t.to = ReadStage(r, "to", true).value_or(Stage::kNew);
    t.reason = r.Text("reason", TextLimits::kReason);
    t.actor = r.Text("actor", TextLimits::kShort);
    t.note = r.Text("note", TextLimits::kReason);
    return t;
  });
}

// One criterion's state: a bare status string, or {status, evidence, confidence, at}.
void ReadCriterion(JsonValue c, const PathRef& p, CriterionState& out, std::vector<Issue>& issues) {
  JsonValue status = c;
  if (c.is_object()) {
    ObjectReader cr(c, p, issues);
    static constexpr std::array<std::string_view, 4> kKeys = {"status", "evidence", "confidence",
                                                              "at"};
    cr.RejectUnknown(kKeys, "");
    out.evidence = cr.Text("evidence", TextLimits::kReason);
    if (const JsonValue conf = cr.Find("confidence")) {
      if (!conf.is_number() || !(conf.number() >= 0 && conf.number() <= 1)) {
        cr.Fail("confidence", "expected a number from 0 to 1, got " + DescribeJsonValue(conf));
      } else {
        out.confidence = conf.number();
      }
    }
    out.at = cr.Time("at", false).value_or(0);
    status = cr.Find("status");
    if (!status) return;
  }
  std::optional<BantStatus> s;
  if (status.is_string()) s = ParseBantStatus(status.str());
  if (!s) {
    Report(issues, c.is_object() ? p.Member("status") : p,
           "expected one of " + JoinNames(kBantNames) + ", got " + DescribeJsonValue(status));
    return;
  }
  out.status = *s;
}

void ReadBant(JsonValue v, const PathRef& path, std::array<BantCriterion, 4>& out,
              std::vector<Issue>& issues) {
  if (!IsObject(v, path, issues)) return;
  ObjectReader r(v, path, issues);
  r.RejectUnknown(kBantKeys, " (BANT has budget, authority, need and timeline)");
  for (size_t k = 0; k < kBantKeys.size(); ++k) {
    if (const JsonValue c = r.Find(kBantKeys[k])) {
      ReadCriterion(c, path.Member(kBantKeys[k]), out[k], issues);
    }
  }
}

// {"<framework>": {"<criterion>": state}}: keys are identifiers, a few dozen at most.
void ReadQualification(JsonValue v, const PathRef& path, QualificationMap& out,
                       std::vector<Issue>& issues) {
  if (!IsObject(v, path, issues)) return;
  if (v.size() > 16) return Report(issues, path, "has more than 16 frameworks");
  for (auto f = v.children(); !f.done(); f.next()) {
    const std::string_view fkey = f.key().str();
    const PathRef fp = path.Member(fkey);
    if (!IsIdentifier(fkey)) {
      Report(issues, fp, "a framework key is a lowercase identifier such as \"meddic\"");
      continue;
    }
    if (!IsObject(f.value(), fp, issues)) continue;
    if (f.value().size() > 32) {
      Report(issues, fp, "has more than 32 criteria");
      continue;
    }
    auto& criteria = out[std::string(fkey)];
    for (auto c = f.value().children(); !c.done(); c.next()) {
      const std::string_view ckey = c.key().str();
      if (!IsIdentifier(ckey)) {
        Report(issues, fp.Member(ckey), "a criterion key is a lowercase identifier such as \"champion\"");
        continue;
      }
      ReadCriterion(c.value(), fp.Member(ckey), criteria[std::string(ckey)], issues);
    }
  }
}

void ReadCustom(JsonValue v, const PathRef& path, json& out, std::vector<Issue>& issues) {
  if (!IsObject(v, path, issues)) return;
  if (v.size() > 100) {
    Report(issues, path, "has " + std::to_string(v.size()) + " fields, more than 100");
    return;
  }
  for (auto c = v.children(); !c.done(); c.next()) {
    const std::string_view key = c.key().str();
    const JsonValue value = c.value();
    const PathRef p = path.Member(key);
    if (key.empty() || key.size() > 64) {
      Report(issues, p, "a custom field name has 1 to 64 characters");
    } else if (value.is_string() && value.str().size() > TextLimits::kReason) {
      Report(issues, p, "text is longer than the " + std::to_string(TextLimits::kReason) +
                            " bytes allowed");
    } else if (value.is_number() && !std::isfinite(value.number())) {
      Report(issues, p, "expected a finite number");
    } else if (!(value.is_string() || value.is_number() || value.is_bool() || value.is_null())) {
      Report(issues, p, "expected a string, number or boolean, got " + DescribeJsonValue(value));
    }
  }
  if (v.size() > 0) out = v.ToJson();
}

}  // namespace

bool LooksLikeEmail(std::string_view e) {
  const size_t at = e.find('@');
  if (at == 0 || at == std::string_view::npos || e.find('@', at + 1) != std::string_view::npos) {
    return false;
  }
  const auto domain = e.substr(at + 1);
  const size_t dot = domain.rfind('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 >= domain.size()) return false;
  return std::none_of(e.begin(), e.end(),
                      [](char c) { return c == ' ' || c == '<' || c == '>' || c == ','; });
}

std::string_view StageName(Stage s) { return kStageNames[static_cast<size_t>(s)]; }

std::optional<Stage> ParseStage(std::string_view name) {
  for (size_t i = 0; i < kStageNames.size(); ++i) {
    if (kStageNames[i] == name) return static_cast<Stage>(i);
  }
  if (name == "prospect") return Stage::kSql;  // the field's other word for an SQL
  return std::nullopt;
}

std::string_view BantStatusName(BantStatus s) { return kBantNames[static_cast<size_t>(s)]; }

std::optional<BantStatus> ParseBantStatus(std::string_view name) {
  for (size_t i = 0; i < kBantNames.size(); ++i) {
    if (kBantNames[i] == name) return static_cast<BantStatus>(i);
  }
  return std::nullopt;
}

std::string DescribeJsonValue(const json& j) {
  switch (j.type()) {
    case json::value_t::null: return "null";
    case json::value_t::object: return "an object";
    case json::value_t::array: return "an array";
    case json::value_t::string: {
      const auto& s = j.get_ref<const std::string&>();
      if (s.size() <= 40) return json(s).dump();
      size_t cut = 40;
      while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;  // UTF-8 safe
      return json(s.substr(0, cut)).dump() + "… (" + std::to_string(s.size()) + " bytes)";
    }
    default: return j.dump();
  }
}

std::string DescribeJsonValue(JsonValue j) {
  switch (j.type()) {
    case JsonValue::Type::kNull: return "null";
    case JsonValue::Type::kTrue: return "true";
    case JsonValue::Type::kFalse: return "false";
    case JsonValue::Type::kNumber: return std::string(j.raw().substr(0, 40));
    case JsonValue::Type::kString: return DescribeJsonValue(json(std::string(j.str())));
    case JsonValue::Type::kArray: return "an array";
    case JsonValue::Type::kObject: return "an object";
  }
  return "?";
}

std::optional<Lead> LeadFromJson(const json& j, const std::string& path, const ChannelMap& channels,
                                 int64_t now_ms, std::vector<Issue>& issues) {
  const std::string text = j.dump();
  JsonDoc doc;
  doc.ParseAll(text);  // nlohmann's own output always parses
  return LeadFromJson(doc.root(), path, channels, now_ms, issues);
}

std::optional<Lead> LeadFromJson(JsonValue j, const std::string& root, const ChannelMap& channels,
                                 int64_t now_ms, std::vector<Issue>& issues) {
  const size_t before = issues.size();
  const PathRef path{nullptr, {}, 0, false, &root};
  if (!IsObject(j, path, issues)) return std::nullopt;
  static constexpr std::array<std::string_view, 31> kKeys = {
      "id",        "firstName", "lastName",  "email",      "phone",     "company",
      "title",     "industry",  "employees", "annualRevenue", "country", "region",
      "domain",    "source",    "direction", "stage",      "stageReason", "bant",
      "dealValue", "currency",  "notes",     "tags",       "custom",    "createdAt",
      "updatedAt", "events",    "touches",   "history",    "qualification", "cadence",
      "tasks"};
  ObjectReader r(j, path, issues);
  r.RejectUnknown(kKeys, " (put your own fields under \"custom\")");

  Lead lead;
  lead.id = r.Text("id", 128);
  lead.first_name = r.Text("firstName", TextLimits::kShort);
  lead.last_name = r.Text("lastName", TextLimits::kShort);
  lead.email = Lower(r.Text("email", TextLimits::kEmail));
  if (!lead.email.empty() && !LooksLikeEmail(lead.email)) {
    r.Fail("email", "expected an e-mail address such as \"ana@example.com\", got " +
                        DescribeJsonValue(json(lead.email)));
  }
  lead.phone = r.Text("phone", 64);
  lead.company = r.Text("company", TextLimits::kShort);
  lead.title = r.Text("title", TextLimits::kShort);
  lead.industry = r.Text("industry", TextLimits::kShort);
  if (auto e = r.NonNegative("employees", true)) lead.employees = static_cast<int64_t>(*e);
  lead.annual_revenue = r.NonNegative("annualRevenue", false);
  lead.country = r.Text("country", TextLimits::kShort);
  lead.region = r.Text("region", TextLimits::kShort);
  lead.domain = Lower(r.Text("domain", TextLimits::kShort));

  if (r.Find("source")) {
    lead.source = r.Text("source", 64);
    if (!channels.Find(lead.source)) {
      std::string known;
      for (const auto& [name, dir] : channels.all()) known += (known.empty() ? "" : ", ") + name;
      r.Fail("source", "unknown source channel \"" + lead.source.substr(0, 64) +
                           "\"; known channels: " + known);
    }
  }
  lead.stage = ReadStage(r, "stage", false).value_or(Stage::kNew);
  lead.stage_reason = r.Text("stageReason", TextLimits::kReason);
  if (StageNeedsReason(lead.stage) && lead.stage_reason.empty()) {
    r.Fail("stageReason", "a " + std::string(StageName(lead.stage)) + " lead needs a reason");
  }
  if (const JsonValue b = r.Find("bant")) ReadBant(b, path.Member("bant"), lead.bant, issues);
  if (const JsonValue q = r.Find("qualification")) {
    ReadQualification(q, path.Member("qualification"), lead.qualification, issues);
  }
  lead.deal_value = r.NonNegative("dealValue", false);
  lead.currency = r.Text("currency", 8);
  for (char& c : lead.currency) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  if (!lead.currency.empty() &&
      (lead.currency.size() != 3 ||
       !std::all_of(lead.currency.begin(), lead.currency.end(),
                    [](char c) { return c >= 'A' && c <= 'Z'; }))) {
    r.Fail("currency", "expected a 3-letter ISO 4217 code such as \"EUR\", got " +
                           DescribeJsonValue(json(lead.currency)));
  }
  lead.notes = r.Text("notes", TextLimits::kNote, false);
  if (const JsonValue tags = r.Find("tags")) {
    if (!tags.is_array()) {
      r.Fail("tags", "expected an array of strings, got " + DescribeJsonValue(tags));
    } else if (tags.size() > TextLimits::kMaxTags) {
      r.Fail("tags", "has more than " + std::to_string(TextLimits::kMaxTags) + " tags");
    } else {
      const PathRef tags_path = path.Member("tags");
      size_t i = 0;
      for (auto c = tags.children(); !c.done(); c.next(), ++i) {
        const JsonValue t = c.value();
        if (!t.is_string() || t.str().size() > 64 || Trim(t.str()).empty()) {
          Report(issues, tags_path.Element(i),
                 "expected a tag of 1 to 64 characters, got " + DescribeJsonValue(t));
          continue;
        }
        std::string tag = Trim(t.str());
        if (std::find(lead.tags.begin(), lead.tags.end(), tag) == lead.tags.end()) {
          lead.tags.push_back(std::move(tag));
        }
      }
    }
  }
  if (const JsonValue c = r.Find("custom")) ReadCustom(c, path.Member("custom"), lead.custom, issues);
  lead.created_at = r.Time("createdAt", false).value_or(now_ms);
  lead.updated_at = r.Time("updatedAt", false).value_or(std::max(now_ms, lead.created_at));
  if (const JsonValue e = r.Find("events")) ReadEvents(e, path.Member("events"), lead.events, issues);
  if (const JsonValue t = r.Find("touches")) ReadTouches(t, path.Member("touches"), lead.touches, issues);
  if (const JsonValue h = r.Find("history")) ReadHistory(h, path.Member("history"), lead.history, issues);
  if (const JsonValue t = r.Find("tasks")) {
    ReadTasks(t, path.Member("tasks"), lead.tasks, issues);
    if (lead.tasks.size() > kMaxTasks) {
      Report(issues, path.Member("tasks"), "at most " + std::to_string(kMaxTasks) + " tasks per lead");
    }
    for (size_t i = 0; i < lead.tasks.size(); ++i) {
      for (size_t k = 0; k < i; ++k) {
        if (lead.tasks[k].id == lead.tasks[i].id) {
          Report(issues, path.Member("tasks").Element(i).Member("id"), "repeats the id \"" + lead.tasks[i].id + "\"");
        }
      }
    }
  }
  if (const JsonValue c = r.Find("cadence")) {
    const PathRef cp = path.Member("cadence");
    if (IsObject(c, cp, issues)) {
      ObjectReader cr(c, cp, issues);
      static constexpr std::array<std::string_view, 2> kCadenceKeys = {"key", "startedAt"};
      cr.RejectUnknown(kCadenceKeys, "");
      lead.cadence.key = cr.Text("key", 64);
      if (!IsIdentifier(lead.cadence.key)) cr.Fail("key", "expected a cadence key such as \"outbound_9\"");
      lead.cadence.started_at = cr.Time("startedAt", true).value_or(0);
    }
  }

  if (lead.email.empty() && lead.first_name.empty() && lead.last_name.empty() &&
      lead.company.empty() && issues.size() == before) {
    Report(issues, path, "a lead needs at least one of email, firstName, lastName or company");
  }
  if (issues.size() != before) return std::nullopt;
  return lead;
}

json CriterionToJson(const CriterionState& c) {
  json j = {{"status", BantStatusName(c.status)}};
  if (!c.evidence.empty()) j["evidence"] = c.evidence;
  if (c.confidence) j["confidence"] = *c.confidence;
  if (c.at != 0) j["at"] = FormatIsoTime(c.at);
  return j;
}

json LeadToJson(const Lead& lead, const ChannelMap& channels, LeadView view) {
  const bool full = view == LeadView::kFull;
  json j = json::object();
  const auto put_text = [&j](const char* key, const std::string& v) {
    if (!v.empty()) j[key] = v;
  };
  j["id"] = lead.id;
  put_text("firstName", lead.first_name);
  put_text("lastName", lead.last_name);
  put_text("email", lead.email);
  put_text("company", lead.company);
  put_text("industry", lead.industry);
  put_text("country", lead.country);
  j["source"] = lead.source;
  j["direction"] = DirectionName(channels.Find(lead.source).value_or(Direction::kUnknown));
  j["stage"] = StageName(lead.stage);
  put_text("stageReason", lead.stage_reason);
  if (lead.deal_value) j["dealValue"] = *lead.deal_value;
  put_text("currency", lead.currency);
  j["tags"] = lead.tags;
  j["createdAt"] = FormatIsoTime(lead.created_at);
  if (!full) {
    j["touchCount"] = lead.touches.size();
    if (!lead.touches.empty()) {
      int64_t last = lead.touches.front().at;
      for (const Touch& t : lead.touches) last = std::max(last, t.at);
      j["lastTouchAt"] = FormatIsoTime(last);
    }
    // The next step: the open task due first.
    const Task* next = nullptr;
    for (const Task& t : lead.tasks) {
      if (!t.done_at && (!next || t.due < next->due)) next = &t;
    }
    if (next) j["nextTask"] = {{"id", next->id}, {"title", next->title}, {"due", FormatIsoTime(next->due)}};
    return j;
  }
  put_text("phone", lead.phone);
  put_text("title", lead.title);
  if (lead.employees) j["employees"] = *lead.employees;
  if (lead.annual_revenue) j["annualRevenue"] = *lead.annual_revenue;
  put_text("region", lead.region);
  put_text("domain", lead.domain);
  json bant = json::object();
  for (size_t k = 0; k < kBantKeys.size(); ++k) bant[std::string(kBantKeys[k])] = CriterionToJson(lead.bant[k]);
  j["bant"] = std::move(bant);
  if (!lead.qualification.empty()) {
    json q = json::object();
    for (const auto& [framework, criteria] : lead.qualification) {
      json& f = q[framework] = json::object();
      for (const auto& [key, state] : criteria) f[key] = CriterionToJson(state);
    }
    j["qualification"] = std::move(q);
  }
  put_text("notes", lead.notes);
  j["custom"] = lead.custom.is_object() ? lead.custom : json::object();
  j["updatedAt"] = FormatIsoTime(lead.updated_at);
  json events = json::array();
  for (const Event& e : lead.events) {
    json ej = {{"type", e.type}, {"at", FormatIsoTime(e.at)}};
    if (e.props.is_object()) ej["props"] = e.props;
    events.push_back(std::move(ej));
  }
  j["events"] = std::move(events);
  json touches = json::array();
  for (const Touch& t : lead.touches) {
    json tj = {{"channel", t.channel}, {"outcome", t.outcome}, {"at", FormatIsoTime(t.at)}};
    if (!t.note.empty()) tj["note"] = t.note;
    touches.push_back(std::move(tj));
  }
  j["touches"] = std::move(touches);
  json history = json::array();
  for (const Transition& t : lead.history) {
    json hj = {{"at", FormatIsoTime(t.at)}, {"from", StageName(t.from)}, {"to", StageName(t.to)}};
    if (!t.reason.empty()) hj["reason"] = t.reason;
    if (!t.actor.empty()) hj["actor"] = t.actor;
    if (!t.note.empty()) hj["note"] = t.note;
    history.push_back(std::move(hj));
  }
  j["history"] = std::move(history);
  if (!lead.cadence.key.empty()) {
    j["cadence"] = {{"key", lead.cadence.key}, {"startedAt", FormatIsoTime(lead.cadence.started_at)}};
  }
  if (!lead.tasks.empty()) {
    json tasks = json::array();
    for (const Task& t : lead.tasks) {
      json tj = {{"id", t.id}, {"title", t.title}, {"due", FormatIsoTime(t.due)}};
      if (t.done_at) tj["doneAt"] = FormatIsoTime(t.done_at);
      if (t.created_at) tj["createdAt"] = FormatIsoTime(t.created_at);
      tasks.push_back(std::move(tj));
    }
    j["tasks"] = std::move(tasks);
  }
  return j;
}

}  // namespace leadkit
