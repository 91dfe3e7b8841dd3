#include "leadkit/import.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <memory>

#include "leadkit/iso_time.hpp"
#include "leadkit/workspace.hpp"

namespace leadkit {

using nlohmann::json;

namespace {

constexpr size_t kDateSampleRows = 256;  // rows read before a date column's order is decided

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string Quoted(std::string_view v) {
  std::string out = "\"";
  out.append(v.substr(0, 60));
  if (v.size() > 60) out += "…";
  return out + "\"";
}

std::string LowerAscii(std::string_view v) {
  std::string out(v);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::optional<BantStatus> ParseBantCell(std::string_view v) {
  std::string s = LowerAscii(v);
  for (char& c : s) {
    if (c == ' ' || c == '-') c = '_';
  }
  if (s == "partial" || s == "partially") return BantStatus::kPartly;
  if (s == "notmet") return BantStatus::kNotMet;
  if (auto st = ParseBantStatus(s)) return st;
  if (auto b = ParseLooseBool(v)) return *b ? BantStatus::kMet : BantStatus::kNotMet;
  return std::nullopt;
}

bool IsDateTarget(Target t) { return t == Target::kCreatedAt || t == Target::kUpdatedAt; }

// A custom cell becomes a number only when it looks like one and nothing else: "0123" (a postal
// code) and "1,200 seats" stay text.
json CustomValue(std::string_view v) {
  if (v == "true") return true;
  if (v == "false") return false;
  size_t i = v.starts_with('-') ? 1 : 0;
  const size_t digits_from = i;
  while (i < v.size() && v[i] >= '0' && v[i] <= '9') ++i;
  const size_t int_digits = i - digits_from;
  bool numeric = int_digits > 0 && int_digits <= 15 && !(int_digits > 1 && v[digits_from] == '0');
  if (numeric && i < v.size() && v[i] == '.') {
    const size_t frac_from = ++i;
    while (i < v.size() && v[i] >= '0' && v[i] <= '9') ++i;
    numeric = i > frac_from;
  }
  if (numeric && i == v.size()) return std::strtod(std::string(v).c_str(), nullptr);
  return std::string(v);
}

// The distinct values of the source column, how many rows carry each, and the channel each was
// read as ("" when none). Bounded: a column of free text does not grow it past kMaxDistinct.
class SourceTally {
 public:
  void Count(std::string_view value, std::string_view channel) {
    std::string key = SourceValueKey(value);
    auto it = index_.find(key);
    if (it == index_.end()) {
      if (counts_.size() >= kMaxDistinct) return;
      it = index_.emplace(std::move(key), counts_.size()).first;
      counts_.push_back({std::string(value.substr(0, 256)), 0, std::string(channel)});
    }
    ++counts_[it->second].rows;
  }
  // Most rows first, then by value.
  std::vector<SourceValueCount> Report(size_t limit) const {
    std::vector<SourceValueCount> out = counts_;
    std::sort(out.begin(), out.end(), [](const SourceValueCount& a, const SourceValueCount& b) {
      return a.rows != b.rows ? a.rows > b.rows : a.value < b.value;
    });
    if (out.size() > limit) out.resize(limit);
    return out;
  }

 private:
  static constexpr size_t kMaxDistinct = 10'000;
  std::unordered_map<std::string, size_t> index_;
  std::vector<SourceValueCount> counts_;
};

// ---- Cell parsers: one per kind of field ----
// A parser reads one non-empty, trimmed cell into the lead and returns "" , or returns what is
// wrong with the cell and leaves the lead as it was: an optional field that cannot be read stays
// empty (or, for an update, as stored).

// What the parsers of one row share besides the cell.
struct RowState {
  Lead& lead;
  const ChannelMap& channels;
  std::string_view preset;
  int64_t now_ms;
  std::string_view import_day;  // "2026-12-07": the day of now_ms, for messages
  std::string& row_email;  // the row's e-mail, normalised once for the duplicate check
  int email_col;
  SourceTally& sources;
  std::string_view full_name, raw_stage;
  size_t full_name_col = 0;
  bool names_set = false;
};

struct Cell {
  std::string_view v;  // trimmed, never empty
  size_t index;        // the column
  const ColumnMapping& col;
  DateOrder date_order;
};

using CellParser = std::string (*)(RowState&, const Cell&);

std::string TooLong(size_t limit) { return "is longer than the " + std::to_string(limit) + " bytes allowed"; }

template <std::string Lead::*kMember, size_t kLimit, bool kIsName = false>
std::string ParseText(RowState& s, const Cell& c) {
  if (c.v.size() > kLimit) return TooLong(kLimit);
  (s.lead.*kMember).assign(c.v);
  if (kIsName) s.names_set = true;
  return {};
}

std::string ParseFullName(RowState& s, const Cell& c) {
  s.full_name = c.v;  // split once every cell is read: first and last name columns win
  s.full_name_col = c.index;
  return {};
}

std::string ParseEmail(RowState& s, const Cell& c) {
  std::string e = static_cast<int>(c.index) == s.email_col ? std::move(s.row_email) : NormalizeEmail(c.v);
  if (e.size() > TextLimits::kEmail || !LooksLikeEmail(e)) {
    return "expected an e-mail address such as ana@example.com, got " + Quoted(c.v);
  }
  s.lead.email = std::move(e);
  return {};
}

std::string ParsePhone(RowState& s, const Cell& c) {
  std::string p = NormalizePhone(c.v);
  if (p.empty() || p.size() > 64) return "expected a phone number, got " + Quoted(c.v);
  s.lead.phone = std::move(p);
  return {};
}

// "Berlin, Germany" or "Austin, Texas, United States": the country is the last part.
std::string ParseLocation(RowState& s, const Cell& c) {
  const size_t last = c.v.rfind(',');
  const std::string_view country = Trim(last == std::string_view::npos ? c.v : c.v.substr(last + 1));
  std::string_view region;
  if (last != std::string_view::npos) {
    region = Trim(c.v.substr(0, last));
    const size_t prev = region.rfind(',');
    if (prev != std::string_view::npos) region = Trim(region.substr(prev + 1));
  }
  if (country.size() > TextLimits::kShort || region.size() > TextLimits::kShort) return TooLong(TextLimits::kShort);
  s.lead.country.assign(country);
  if (!region.empty()) s.lead.region.assign(region);
  return {};
}

std::string ParseDomain(RowState& s, const Cell& c) {
  std::string d = DomainFromUrl(c.v);
  if (d.empty() || d.size() > TextLimits::kShort) return "expected a web address such as acme.com, got " + Quoted(c.v);
  s.lead.domain = std::move(d);
  return {};
}

// The user's own mapping of the value first, then the presets' translation, then a channel of
// that name. A value none of them knows is kept as said, so nothing is lost.
std::string ParseSource(RowState& s, const Cell& c) {
  std::string_view channel;
  bool mapped = false;
  std::string own;
  if (const auto chosen = s.channels.FindValue(c.v)) {
    channel = *chosen;
    mapped = true;
  } else if (const auto t = TranslateSource(c.v); t && s.channels.Find(*t)) {
    channel = *t;
  } else if (own = ChannelNameFor(c.v); !own.empty() && s.channels.Find(own)) {
    channel = own;
  } else if (own = LowerAscii(c.v); s.channels.Find(own)) {
    channel = own;
  }
  s.sources.Count(c.v, channel);
  if (channel.empty() || (mapped && channel == "unknown")) {
    s.lead.source = "unknown";
    if (!s.lead.custom.is_object()) s.lead.custom = json::object();
    s.lead.custom["originalSource"] = std::string(c.v.substr(0, TextLimits::kReason));
  } else {
    s.lead.source.assign(channel);
  }
  return {};
}

std::string ParseStageCell(RowState& s, const Cell& c) {
  const auto name = TranslateStage(c.v, s.preset);
  const auto stage = name ? ParseStage(*name) : std::nullopt;
  if (!stage) {
    return "unknown stage " + Quoted(c.v) +
           "; use new, nurturing, mql, sql, opportunity, customer, lost or disqualified";
  }
  s.lead.stage = *stage;
  s.raw_stage = c.v;
  return {};
}

std::string ParseEmployees(RowState& s, const Cell& c) {
  const auto e = ParseEmployeeCount(c.v);
  if (!e) return "expected a number of employees such as 250 or 51-200, got " + Quoted(c.v);
  s.lead.employees = *e;
  return {};
}

template <std::optional<double> Lead::*kMember>
std::string ParseAmount(RowState& s, const Cell& c) {
  const auto x = ParseLooseNumber(c.v);
  if (!x || *x < 0) return "expected an amount of 0 or more such as 12,000, got " + Quoted(c.v);
  s.lead.*kMember = *x;
  return {};
}

std::string ParseCurrency(RowState& s, const Cell& c) {
  const std::string_view v = c.v;
  std::string cur = v == "$" ? "USD" : v == "€" ? "EUR" : v == "£" ? "GBP" : std::string(v);
  for (char& ch : cur) {
    if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
  }
  if (cur.size() != 3 || !std::all_of(cur.begin(), cur.end(), [](char ch) { return ch >= 'A' && ch <= 'Z'; })) {
    return "expected a 3-letter currency code such as EUR, got " + Quoted(v);
  }
  s.lead.currency = std::move(cur);
  return {};
}

// "vip; partner, 2026": split on ; , or |, each trimmed, repeats dropped.
std::string ParseTags(RowState& s, const Cell& c) {
  std::vector<std::string> tags = s.lead.tags;
  const std::string_view v = c.v;
  for (size_t start = 0; start <= v.size();) {
    size_t end = v.find_first_of(";,|", start);
    if (end == std::string_view::npos) end = v.size();
    const std::string_view tag = Trim(v.substr(start, end - start));
    start = end + 1;
    if (tag.empty()) continue;
    if (tag.size() > 64) return "a tag has at most 64 characters, got " + Quoted(tag);
    if (std::find(tags.begin(), tags.end(), tag) == tags.end()) tags.emplace_back(tag);
  }
  if (tags.size() > TextLimits::kMaxTags) return "has more than " + std::to_string(TextLimits::kMaxTags) + " tags";
  s.lead.tags = std::move(tags);
  return {};
}

// A date more than a day after the import is a typo or a planned date, not when the lead came:
// kept, it would leave the lead out of every period up to today.
template <int64_t Lead::*kMember>
std::string ParseDate(RowState& s, const Cell& c) {
  const auto t = ParseLooseDate(c.v, c.date_order);
  if (!t) return "expected a date such as 2026-03-01 or 03/01/2026, got " + Quoted(c.v);
  if (*t > s.now_ms + kMsPerDay) {
    return "is in the future: " + Quoted(c.v) + " is after the day of the import (" +
           std::string(s.import_day) + ")";
  }
  s.lead.*kMember = *t;
  return {};
}

template <size_t kCriterion>
std::string ParseBant(RowState& s, const Cell& c) {
  const auto st = ParseBantCell(c.v);
  if (!st) return "expected met, partly, not met or unknown (or yes / no), got " + Quoted(c.v);
  s.lead.bant[kCriterion].status = *st;
  return {};
}

std::string ParseCustom(RowState& s, const Cell& c) {
  if (c.v.size() > TextLimits::kReason) {
    return "is longer than the " + std::to_string(TextLimits::kReason) + " bytes a custom field may hold";
  }
  if (!s.lead.custom.is_object()) s.lead.custom = json::object();
  s.lead.custom[c.col.custom_key] = CustomValue(c.v);
  return {};
}

// Whether a cell that cannot be read rejects its row. kIdentity: only when the row has no id, so
// the e-mail is what finds the lead again (a lead stored without it would come back as new).
enum class Need : uint8_t { kOptional, kRequired, kIdentity };

struct FieldParser {
  CellParser parse = nullptr;
  Need need = Need::kOptional;
};

constexpr size_t kBantFirst = static_cast<size_t>(Target::kBudget);

constexpr std::array<FieldParser, static_cast<size_t>(Target::kCount)> MakeParsers() {
  std::array<FieldParser, static_cast<size_t>(Target::kCount)> p{};
  const auto set = [&p](Target t, CellParser parse, Need need = Need::kOptional) {
    p[static_cast<size_t>(t)] = {parse, need};
  };
  set(Target::kId, ParseText<&Lead::id, 128>, Need::kRequired);
  set(Target::kFirstName, ParseText<&Lead::first_name, TextLimits::kShort, true>);
  set(Target::kLastName, ParseText<&Lead::last_name, TextLimits::kShort, true>);
  set(Target::kFullName, ParseFullName);
  set(Target::kEmail, ParseEmail, Need::kIdentity);
  set(Target::kPhone, ParsePhone);
  set(Target::kCompany, ParseText<&Lead::company, TextLimits::kShort>);
  set(Target::kTitle, ParseText<&Lead::title, TextLimits::kShort>);
  set(Target::kIndustry, ParseText<&Lead::industry, TextLimits::kShort>);
  set(Target::kEmployees, ParseEmployees);
  set(Target::kAnnualRevenue, ParseAmount<&Lead::annual_revenue>);
  set(Target::kCountry, ParseText<&Lead::country, TextLimits::kShort>);
  set(Target::kRegion, ParseText<&Lead::region, TextLimits::kShort>);
  set(Target::kLocation, ParseLocation);
  set(Target::kDomain, ParseDomain);
  set(Target::kSource, ParseSource);
  set(Target::kStage, ParseStageCell);
  set(Target::kStageReason, ParseText<&Lead::stage_reason, TextLimits::kReason>);
  set(Target::kDealValue, ParseAmount<&Lead::deal_value>);
  set(Target::kCurrency, ParseCurrency);
  set(Target::kNotes, ParseText<&Lead::notes, TextLimits::kNote>);
  set(Target::kTags, ParseTags);
  set(Target::kCreatedAt, ParseDate<&Lead::created_at>);
  set(Target::kUpdatedAt, ParseDate<&Lead::updated_at>);
  set(Target::kBudget, ParseBant<static_cast<size_t>(Target::kBudget) - kBantFirst>);
  set(Target::kAuthority, ParseBant<static_cast<size_t>(Target::kAuthority) - kBantFirst>);
  set(Target::kNeed, ParseBant<static_cast<size_t>(Target::kNeed) - kBantFirst>);
  set(Target::kTimeline, ParseBant<static_cast<size_t>(Target::kTimeline) - kBantFirst>);
  set(Target::kCustom, ParseCustom);
  return p;
}

constexpr auto kParsers = MakeParsers();

// Text key → position, with open addressing over (hash, position) pairs: keying 100k rows by
// e-mail without a heap node and a copy of the key per row. The keys themselves stay where they
// are; `key_of(position)` reads one back to confirm a match.
class KeyIndex {
 public:
  template <typename KeyOf>
  std::optional<uint32_t> Find(std::string_view key, const KeyOf& key_of) const {
    if (slots_.empty()) return std::nullopt;
    const uint32_t h = Hash(key);
    for (size_t i = h & mask_;; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.position == 0) return std::nullopt;
      if (s.hash == h && key_of(s.position - 1) == key) return s.position - 1;
    }
  }
  void Insert(std::string_view key, uint32_t position) {
    if ((size_ + 1) * 2 > slots_.size()) Grow();
    Place({Hash(key), position + 1});
    ++size_;
  }
  void Clear() {
    slots_.clear();
    size_ = 0;
  }

 private:
  struct Slot {
    uint32_t hash = 0;
    uint32_t position = 0;  // + 1; 0 marks an empty slot
  };
  static uint32_t Hash(std::string_view key) {
    uint64_t h = 1469598103934665603ULL;  // FNV-1a
    for (unsigned char c : key) h = (h ^ c) * 1099511628211ULL;
    return static_cast<uint32_t>(h ^ (h >> 32));
  }
  void Place(Slot s) {
    size_t i = s.hash & mask_;
    while (slots_[i].position != 0) i = (i + 1) & mask_;
    slots_[i] = s;
  }
  void Grow() {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(std::max<size_t>(1024, old.size() * 2), Slot{});
    mask_ = slots_.size() - 1;
    for (const Slot& s : old) {
      if (s.position != 0) Place(s);
    }
  }
  std::vector<Slot> slots_;
  size_t mask_ = 0;
  size_t size_ = 0;
};

}  // namespace

std::optional<OnDuplicate> ParseOnDuplicate(std::string_view name) {
  if (name == "update") return OnDuplicate::kUpdate;
  if (name == "skip") return OnDuplicate::kSkip;
  if (name == "create") return OnDuplicate::kCreate;
  return std::nullopt;
}

Result<ImportOptions> ImportOptions::FromJson(const json& j, int64_t now_ms) {
  ImportOptions o;
  o.now_ms = now_ms;
  if (j.is_null()) return o;
  if (!j.is_object()) return MakeError("expected an object of import options", "options");
  for (const auto& [key, v] : j.items()) {
    if (v.is_null()) continue;
    if (key == "preset") {
      if (!v.is_string()) return MakeError("expected a preset name", "options.preset");
      o.preset = v.get<std::string>();
    } else if (key == "mapping") {
      o.mapping = v;
    } else if (key == "onDuplicate") {
      const auto d = v.is_string() ? ParseOnDuplicate(v.get<std::string>()) : std::nullopt;
      if (!d) return MakeError("expected \"update\", \"skip\" or \"create\"", "options.onDuplicate");
      o.on_duplicate = *d;
    } else if (key == "strict") {
      if (!v.is_boolean()) return MakeError("expected true or false", "options.strict");
      o.strict = v.get<bool>();
    } else if (key == "delimiter") {
      const std::string d = v.is_string() ? v.get<std::string>() : "";
      if (d != "," && d != ";" && d != "\t") {
        return MakeError("expected \",\", \";\" or a tab", "options.delimiter");
      }
      o.delimiter = d[0];
    } else {
      return MakeError("unknown option \"" + key.substr(0, 64) + "\"", "options");
    }
  }
  return o;
}

json ImportReport::ToJson() const {
  json cells = json::array();
  for (const RejectedCell& c : rejected) {
    cells.push_back({{"row", c.row}, {"column", c.column}, {"reason", c.reason}});
  }
  json dups = json::array();
  for (const DuplicateRow& d : duplicate_rows) {
    json e{{"row", d.row}, {"matchedBy", d.matched_by}};
    if (!d.id.empty()) e["id"] = d.id;
    if (d.earlier_row > 0) e["earlierRow"] = d.earlier_row;
    dups.push_back(std::move(e));
  }
  json warned = json::array();
  for (const ImportWarning& w : warnings) {
    warned.push_back({{"row", w.row}, {"column", w.column}, {"field", w.field}, {"message", w.message}});
  }
  json values = json::array();
  for (const SourceValueCount& v : sources) {
    json e{{"value", v.value}, {"rows", v.rows}, {"channel", v.channel.empty() ? json(nullptr) : json(v.channel)}};
    if (v.channel.empty()) {
      if (std::string own = ChannelNameFor(v.value); !own.empty()) e["newChannel"] = std::move(own);
      if (const auto hint = SuggestSourceChannel(v.value)) {
        e["suggestion"] = {{"channel", hint->channel}, {"direction", DirectionName(hint->direction)}};
      }
    }
    values.push_back(std::move(e));
  }
  return {{"rows", rows},
          {"imported", imported},
          {"updated", updated},
          {"skipped", skipped},
          {"rejectedRows", rejected_rows},
          {"rejected", std::move(cells)},
          {"warnings", std::move(warned)},
          {"warningCount", warning_count},
          {"warnedRows", warned_rows},
          {"sources", std::move(values)},
          {"duplicates", duplicates},
          {"duplicateRows", std::move(dups)},
          {"rejectedCsv", rejected_csv},
          {"mapping", mapping.ToJson()}};
}

struct CsvImport::Impl {
  std::vector<std::string> headers;
  std::vector<std::string_view> unguarded;  // the current row's cells, formula guards removed
  bool header_read = false;
  Mapping mapping;
  std::vector<DateOrder> date_order;  // per column
  // Rows held back until date orders are known: their fields and row numbers.
  std::vector<std::vector<std::string>> held;
  std::vector<int64_t> held_rows;
  bool dates_decided = false;

  // Grows a block at a time without moving the leads already read: a deque would allocate a
  // node per lead, and a vector would move them all on every doubling.
  struct Staged {
    static constexpr size_t kBlock = LeadBatch::kBlock;
    std::vector<std::unique_ptr<Lead[]>> blocks;
    size_t count = 0;
    size_t handed_out = 0;  // slots below this were written to and must be reset before reuse
    Lead& operator[](size_t i) { return blocks[i / kBlock][i % kBlock]; }
    size_t size() const { return count; }
    // The slot for the next lead, default-constructed: rows are read straight into it.
    Lead& Next() {
      if (count / kBlock == blocks.size()) {
        // new[] without (): make_unique would value-initialise, zeroing 3 MB before the
        // constructors run.
        blocks.emplace_back(new Lead[kBlock]);
      }
      Lead& slot = (*this)[count];
      if (count < handed_out) slot = Lead();
      handed_out = std::max(handed_out, count + 1);
      return slot;
    }
    void Keep() { ++count; }  // the slot from Next() holds an accepted lead
    void push_back(Lead&& lead) {
      Next() = std::move(lead);
      Keep();
    }
    void clear() { blocks.clear(), count = 0, handed_out = 0; }
  } staged;
  std::vector<int64_t> staged_row;       // the file row each staged lead came from
  KeyIndex staged_by_id, staged_by_email, stored_by_email;
  ImportReport report;
  CsvWriter rejected_csv{','};
  std::vector<RejectedCell> row_problems;  // the current row's that reject it before its cells are read
  // The current row's cells that could not be read: `column` indexes the headers (kWholeRow for
  // the row), `rejects` says whether it rejects the row or is a warning.
  struct RowIssue {
    size_t column;
    std::string reason;
    bool rejects;
  };
  static constexpr size_t kWholeRow = SIZE_MAX;
  std::vector<RowIssue> row_issues;
  SourceTally sources;
  std::string import_day;
  int id_col = -1, email_col = -1, created_col = -1;
  std::string row_email;  // the current row's, normalised
};

CsvImport::CsvImport(const Workspace& workspace, ImportOptions options)
    : workspace_(workspace),
      options_(std::move(options)),
      reader_(CsvOptions{options_.delimiter}),
      impl_(std::make_unique<Impl>()),
      workspace_revision_(workspace.revision()) {
  const LeadStore& store = workspace.store();
  const std::vector<std::string>& emails = *store.Texts(Field::kEmail);
  for (uint32_t r = 0; r < store.size(); ++r) {
    if (!emails[r].empty()) impl_->stored_by_email.Insert(emails[r], r);
  }
}

CsvImport::~CsvImport() = default;

Status CsvImport::Feed(std::string_view chunk) {
  if (!fatal_) return fatal_;
  Status s = reader_.Feed(chunk, [this](const CsvRecord& r) { return OnRecord(r); });
  if (!s) fatal_ = s;
  return fatal_;
}

Status CsvImport::SetUpColumns(const CsvRecord& header) {
  Impl& m = *impl_;
  if (!header.problems.empty()) {
    const CsvProblem& p = header.problems.front();
    Error e{"the header row " + (p.field >= 0 ? "column " + std::to_string(p.field + 1) + " " : "") +
                p.message,
            {}};
    e.where.row = 1;
    e.where.line = static_cast<int>(header.line);
    return e;
  }
  for (std::string_view h : header.fields) m.headers.emplace_back(Trim(h));
  auto mapping = SuggestMapping(m.headers, options_.preset);
  if (!mapping) return mapping.error();
  m.mapping = std::move(mapping.value());
  for (ColumnMapping& c : m.mapping.columns) {
    if (c.header == kRejectReasonHeader) c.target = Target::kIgnore;  // a fixed reject file
  }
  if (auto s = ApplyMappingOverrides(options_.mapping, m.mapping); !s) {
    Error e = s.error();
    e.message = (e.where.path.empty() ? "" : "column \"" + e.where.path + "\": ") + e.message;
    e.where.path = "mapping";
    return e;
  }
  if (!workspace_.channels().Find(m.mapping.default_source)) {
    return MakeError("unknown source channel \"" + m.mapping.default_source.substr(0, 64) + "\"",
                     "mapping.defaultSource");
  }
  const bool any = std::any_of(m.mapping.columns.begin(), m.mapping.columns.end(), [](const auto& c) {
    return c.target == Target::kEmail || c.target == Target::kFirstName ||
           c.target == Target::kLastName || c.target == Target::kFullName ||
           c.target == Target::kCompany;
  });
  if (!any) {
    Error e{"no column holds an e-mail, a name or a company, so no row can become a lead; the "
            "header row reads: " + std::string(header.fields.empty() ? "" : header.fields[0].substr(0, 40)) +
                (header.fields.size() > 1 ? ", …" : ""),
            {}};
    e.where.row = 1;
    e.where.line = 1;
    return e;
  }
  m.date_order.assign(m.headers.size(), m.mapping.date_order);
  for (size_t c = 0; c < m.mapping.columns.size(); ++c) {
    const Target t = m.mapping.columns[c].target;
    if (t == Target::kId) m.id_col = static_cast<int>(c);
    if (t == Target::kEmail) m.email_col = static_cast<int>(c);
    if (t == Target::kCreatedAt) m.created_col = static_cast<int>(c);
  }
  std::vector<std::string_view> reject_header(m.headers.begin(), m.headers.end());
  reject_header.push_back(kRejectReasonHeader);
  m.rejected_csv.Row(reject_header);
  m.report.mapping = m.mapping;
  m.header_read = true;
  return Ok{};
}

bool CsvImport::OnRecord(const CsvRecord& record) {
  Impl& m = *impl_;
  if (!m.header_read) {
    if (auto s = SetUpColumns(record); !s) {
      fatal_ = s;
      return false;
    }
    return true;
  }
  // ",,,": what spreadsheets write for an empty row. Skipped like a blank line.
  if (record.problems.empty() &&
      std::all_of(record.fields.begin(), record.fields.end(), [](std::string_view f) { return Trim(f).empty(); })) {
    return true;
  }
  ++rows_done_;
  if (m.dates_decided) {
    ProcessRow(record.fields, record.row, record.problems);
    return true;
  }
  // Until the date orders are known, rows wait (copied: the reader reuses its buffers). A row
  // with problems is processed at once: it is rejected whatever the dates.
  if (!record.problems.empty()) {
    ProcessRow(record.fields, record.row, record.problems);
    return true;
  }
  m.held.emplace_back(record.fields.begin(), record.fields.end());
  m.held_rows.push_back(record.row);
  if (m.held.size() >= kDateSampleRows) DecideDatesAndDrain();
  return true;
}

void CsvImport::DecideDatesAndDrain() {
  Impl& m = *impl_;
  {
    // The held rows go first, in file order.
    std::vector<std::vector<std::string>> held = std::move(m.held);
    std::vector<int64_t> rows = std::move(m.held_rows);
    m.held.clear();
    m.held_rows.clear();
    for (size_t c = 0; c < m.headers.size() && !m.mapping.date_order_set; ++c) {
      if (!IsDateTarget(m.mapping.columns[c].target)) continue;
      std::vector<std::string_view> samples;
      for (const auto& f : held) {
        if (c < f.size()) samples.push_back(f[c]);
      }
      m.date_order[c] = DetectDateOrder(samples);
    }
    m.dates_decided = true;
    for (size_t i = 0; i < held.size(); ++i) {
      std::vector<std::string_view> views(held[i].begin(), held[i].end());
      ProcessRow(views, rows[i], {});
    }
  }
}

Result<ImportReport> CsvImport::Finish() {
  if (!fatal_) return fatal_.error();
  if (Status s = reader_.Finish([this](const CsvRecord& r) { return OnRecord(r); }); !s) {
    fatal_ = s;
    return s.error();
  }
  if (!fatal_) return fatal_.error();
  Impl& m = *impl_;
  if (!m.header_read) {
    fatal_ = MakeError("the file is empty: there is no header row and no data");
    return fatal_.error();
  }
  if (!m.dates_decided) DecideDatesAndDrain();  // fewer rows than the sample: decide from them
  if (rows_done_ == 0) {
    Error e{"the file has a header row but no data rows", {}};
    e.where.row = 2;
    fatal_ = e;
    return e;
  }
  m.report.rows = rows_done_;
  m.report.sources = m.sources.Report(ImportReport::kMaxListedSources);
  m.report.rejected_csv = std::move(m.rejected_csv.text());
  if (m.report.rejected_rows == 0) m.report.rejected_csv.clear();
  return m.report;
}

// Reads one row's non-empty cells into the lead, each through the parser of its field's kind. A
// cell that cannot be read becomes one of the row's issues: one that rejects the row, or (an
// optional field, a lenient import) a warning with the field left as it was.
void CsvImport::ApplyCells(std::span<const std::string_view> fields, Lead& lead, bool has_id) {
  Impl& m = *impl_;
  m.row_issues.clear();
  const auto issue = [&](size_t c, Need need, std::string reason) {
    const bool rejects = options_.strict || need == Need::kRequired || (need == Need::kIdentity && !has_id);
    m.row_issues.push_back({c, std::move(reason), rejects});
  };
  if (m.import_day.empty()) m.import_day = FormatIsoTime(options_.now_ms).substr(0, 10);
  RowState s{lead,         workspace_.channels(), m.mapping.preset, options_.now_ms, m.import_day,
             m.row_email,  m.email_col,           m.sources,        {},              {}};
  const size_t n = std::min(fields.size(), m.mapping.columns.size());
  for (size_t c = 0; c < n; ++c) {
    const ColumnMapping& col = m.mapping.columns[c];
    const FieldParser& field = kParsers[static_cast<size_t>(col.target)];
    if (!field.parse) continue;  // an ignored column
    const std::string_view v = Trim(fields[c]);
    if (v.empty()) continue;
    if (std::string reason = field.parse(s, Cell{v, c, col, m.date_order[c]}); !reason.empty()) {
      issue(c, field.need, std::move(reason));
    }
  }
  if (!s.full_name.empty()) {
    if (s.full_name.size() > TextLimits::kShort) {
      issue(s.full_name_col, Need::kOptional, TooLong(TextLimits::kShort));
    } else if (!s.names_set || (lead.first_name.empty() && lead.last_name.empty())) {
      auto [first, last] = SplitFullName(s.full_name);
      lead.first_name = std::move(first);
      lead.last_name = std::move(last);
    }
  }
  if (lead.custom.is_object() && lead.custom.size() > 100) {
    issue(Impl::kWholeRow, Need::kRequired, "has " + std::to_string(lead.custom.size()) +
                                                " custom fields, more than the 100 a lead may have");
  }
  if (StageNeedsReason(lead.stage) && lead.stage_reason.empty()) {
    // CRMs rarely export why a lead was lost; the status it had says at least that much.
    lead.stage_reason = s.raw_stage.empty() ? "imported without a reason"
                                            : "imported as " + Quoted(s.raw_stage).substr(0, 200);
  }
}

void CsvImport::ProcessRow(std::span<const std::string_view> raw, int64_t row,
                           std::span<const CsvProblem> problems) {
  Impl& m = *impl_;
  // A cell as leadkit's export guarded it against formulas is read as the value it was.
  std::span<const std::string_view> fields = raw;
  if (std::any_of(raw.begin(), raw.end(), [](std::string_view f) { return f.starts_with('\''); })) {
    m.unguarded.assign(raw.begin(), raw.end());
    for (std::string_view& f : m.unguarded) f = UnguardFormula(f);
    fields = m.unguarded;
  }
  std::vector<RejectedCell>& errs = m.row_problems;
  errs.clear();
  const size_t width = m.headers.size();
  for (const CsvProblem& p : problems) {
    const std::string column = p.field < 0 ? std::string()
                               : static_cast<size_t>(p.field) < width ? m.headers[p.field]
                                                                      : "column " + std::to_string(p.field + 1);
    errs.push_back({row, column, p.message});
  }
  if (fields.size() != width) {
    // Trailing empty fields (a stray delimiter at the end of a line) are harmless.
    const bool extra_empty = fields.size() > width &&
        std::all_of(fields.begin() + static_cast<ptrdiff_t>(width), fields.end(),
                    [](std::string_view f) { return Trim(f).empty(); });
    if (!extra_empty) {
      errs.push_back({row, "", "has " + std::to_string(fields.size()) + " fields but the header has " +
                                   std::to_string(width) + "; a delimiter or quote is missing or extra"});
    }
  }

  const LeadStore& store = workspace_.store();
  // A new lead is read straight into its staging slot; a duplicate is merged into a copy.
  Lead merged;
  Lead* target = &merged;
  bool in_place = false;
  bool update_stored = false;
  // A staged lead this row updates. Not a std::optional: GCC 12 warns falsely that one may be
  // read uninitialised here.
  constexpr uint32_t kNone = UINT32_MAX;
  uint32_t merge_into = kNone;
  if (errs.empty()) {
    std::string id;
    std::string& email = m.row_email;  // ApplyCells takes it from here rather than redo it
    email.clear();
    if (m.id_col >= 0 && static_cast<size_t>(m.id_col) < fields.size()) id = Trim(fields[m.id_col]);
    if (m.email_col >= 0 && static_cast<size_t>(m.email_col) < fields.size()) {
      email = NormalizeEmail(fields[m.email_col]);
    }
    std::optional<uint32_t> stored;
    std::string matched_by;
    const auto staged_id = [&m](uint32_t i) -> std::string_view { return m.staged[i].id; };
    const auto staged_email = [&m](uint32_t i) -> std::string_view { return m.staged[i].email; };
    const std::vector<std::string>& stored_emails = *store.Texts(Field::kEmail);
    const auto stored_email = [&](uint32_t r) -> std::string_view { return stored_emails[r]; };
    if (!id.empty()) {
      merge_into = m.staged_by_id.Find(id, staged_id).value_or(kNone);
      if (merge_into == kNone) stored = store.RowOf(id);
      if (merge_into != kNone || stored) matched_by = "id";
    }
    if (matched_by.empty() && !email.empty()) {
      merge_into = m.staged_by_email.Find(email, staged_email).value_or(kNone);
      if (merge_into == kNone) stored = m.stored_by_email.Find(email, stored_email);
      if (merge_into != kNone || stored) matched_by = "email";
    }
    if (!matched_by.empty()) {
      ++m.report.duplicates;
      if (m.report.duplicate_rows.size() < ImportReport::kMaxListedDuplicates) {
        DuplicateRow d;
        d.row = row;
        d.matched_by = matched_by;
        if (merge_into != kNone) {
          d.earlier_row = m.staged_row[merge_into];
          d.id = m.staged[merge_into].id;
        } else {
          d.id = store.IdAt(*stored);
        }
        m.report.duplicate_rows.push_back(std::move(d));
      }
      switch (options_.on_duplicate) {
        case OnDuplicate::kSkip:
          ++m.report.skipped;
          return;
        case OnDuplicate::kCreate:
          merge_into = kNone;
          stored.reset();
          break;
        case OnDuplicate::kUpdate:
          if (merge_into != kNone) merged = m.staged[merge_into];
          else merged = store.GetRow(*stored), update_stored = true;
          break;
      }
    }
    in_place = merge_into == kNone && !update_stored;
    if (in_place) target = &m.staged.Next();
    Lead& lead = *target;
    if (in_place) {
      lead.source = m.mapping.default_source;
      lead.created_at = lead.updated_at = options_.now_ms;
    }
    const int64_t created = lead.created_at;
    ApplyCells(fields, lead, !id.empty());
    if (update_stored || merge_into != kNone) {
      lead.updated_at = std::max(options_.now_ms, lead.updated_at);
      if (m.created_col < 0 || Trim(fields[m.created_col]).empty()) lead.created_at = created;
    } else if (options_.on_duplicate == OnDuplicate::kCreate && !matched_by.empty() && matched_by == "id") {
      lead.id.clear();  // a new lead cannot take the id of the one it duplicates
    }
    const bool rejected = std::any_of(m.row_issues.begin(), m.row_issues.end(), [](const auto& i) { return i.rejects; });
    const bool nameless = lead.email.empty() && lead.first_name.empty() && lead.last_name.empty() && lead.company.empty();
    if (rejected || nameless) {
      // Every problem of a rejected row is listed, the warnings it would have had too.
      for (Impl::RowIssue& i : m.row_issues) {
        errs.push_back({row, i.column == Impl::kWholeRow ? std::string() : m.headers[i.column], std::move(i.reason)});
      }
      if (!rejected) errs.push_back({row, "", "a lead needs at least one of an e-mail, a name or a company"});
    } else if (!m.row_issues.empty()) {
      ImportReport& r = m.report;
      ++r.warned_rows;
      r.warning_count += m.row_issues.size();
      for (Impl::RowIssue& i : m.row_issues) {
        if (r.warnings.size() >= ImportReport::kMaxListedWarnings) break;
        const bool whole = i.column == Impl::kWholeRow;
        const ColumnMapping* col = whole ? nullptr : &m.mapping.columns[i.column];
        r.warnings.push_back({row, whole ? std::string() : m.headers[i.column],
                              !col ? std::string()
                              : col->target == Target::kCustom ? "custom." + col->custom_key
                                                               : std::string(TargetName(col->target)),
                              std::move(i.reason)});
      }
    }
  }

  if (!errs.empty()) {
    ++m.report.rejected_rows;
    std::string reasons;
    for (const RejectedCell& e : errs) {
      reasons += (reasons.empty() ? "" : "; ") + (e.column.empty() ? "" : e.column + ": ") + e.reason;
    }
    // The row as read; bytes that are not UTF-8 (the row's own problem) become U+FFFD, so the
    // report stays text.
    for (size_t i = 0; i < width; ++i) {
      const std::string_view f = i < raw.size() ? raw[i] : std::string_view();
      if (IsValidUtf8(f)) {
        m.rejected_csv.Field(f);
      } else {
        m.rejected_csv.Field(ReplaceInvalidUtf8(f));
      }
    }
    m.rejected_csv.Field(reasons);
    m.rejected_csv.EndRow();
    m.report.rejected.insert(m.report.rejected.end(), errs.begin(), errs.end());
    return;
  }
  Lead& lead = *target;
  if (merge_into != kNone) {
    m.staged[merge_into] = std::move(lead);
    ++m.report.updated;
    return;
  }
  const size_t index = m.staged.size();
  if (!lead.id.empty()) m.staged_by_id.Insert(lead.id, static_cast<uint32_t>(index));
  if (!lead.email.empty()) m.staged_by_email.Insert(lead.email, static_cast<uint32_t>(index));
  if (in_place) {
    m.staged.Keep();
  } else {
    m.staged.push_back(std::move(lead));
  }
  m.staged_row.push_back(row);
  ++(update_stored ? m.report.updated : m.report.imported);
}

Status Workspace::CommitImport(CsvImport& import) {
  if (!import.fatal_) return import.fatal_;
  if (import.workspace_revision_ != revision_) {
    return MakeError("the workspace changed while the file was being read; import it again", {},
                     ErrorCode::kConflict);
  }
  LeadBatch batch;
  import.SwapAccepted(batch);
  AddLeads(batch);
  import.fatal_ = MakeError("this import was already committed");
  return Ok{};
}

void CsvImport::SwapAccepted(LeadBatch& batch) {
  Impl& m = *impl_;
  std::swap(m.staged.blocks, batch.blocks);
  batch.size = m.staged.count;
  m.staged.count = 0;
  m.staged.handed_out = m.staged.blocks.size() * Impl::Staged::kBlock;
  m.staged_row.clear();
  m.staged_by_id.Clear();
  m.staged_by_email.Clear();
}

bool CsvImport::reads_ids() const { return impl_->id_col >= 0; }

}  // namespace leadkit
