#include "leadkit/import.hpp"

#include <algorithm>
#include <cmath>
#include <memory>

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
  return {{"rows", rows},
          {"imported", imported},
          {"updated", updated},
          {"skipped", skipped},
          {"rejectedRows", rejected_rows},
          {"rejected", std::move(cells)},
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
  std::vector<RejectedCell> row_problems;  // the current row's
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
  m.report.rejected_csv = std::move(m.rejected_csv.text());
  if (m.report.rejected_rows == 0) m.report.rejected_csv.clear();
  return m.report;
}

// Sets the lead's fields from one row's non-empty cells; problems go to `errs`, and the caller
// drops the lead when there are any.
void CsvImport::ApplyCells(std::span<const std::string_view> fields, int64_t row, Lead& lead,
                           std::vector<RejectedCell>& errs) {
  Impl& m = *impl_;
  const auto fail = [&](size_t c, std::string reason) {
    errs.push_back({row, m.headers[c], std::move(reason)});
  };
  const auto text = [&](size_t c, std::string_view v, size_t limit, std::string& out) {
    if (v.size() > limit) {
      fail(c, "is longer than the " + std::to_string(limit) + " bytes allowed");
    } else {
      out.assign(v);
    }
  };
  std::string_view full_name, raw_stage;
  size_t full_name_col = 0;
  bool names_set = false;
  const size_t n = std::min(fields.size(), m.mapping.columns.size());
  for (size_t c = 0; c < n; ++c) {
    const ColumnMapping& col = m.mapping.columns[c];
    if (col.target == Target::kIgnore) continue;
    const std::string_view v = Trim(fields[c]);
    if (v.empty()) continue;
    switch (col.target) {
      case Target::kIgnore: case Target::kCount: break;
      case Target::kId: text(c, v, 128, lead.id); break;
      case Target::kFirstName: text(c, v, TextLimits::kShort, lead.first_name); names_set = true; break;
      case Target::kLastName: text(c, v, TextLimits::kShort, lead.last_name); names_set = true; break;
      case Target::kFullName: full_name = v, full_name_col = c; break;
      case Target::kEmail: {
        std::string e = static_cast<int>(c) == m.email_col ? std::move(m.row_email) : NormalizeEmail(v);
        if (e.size() > TextLimits::kEmail || !LooksLikeEmail(e)) {
          fail(c, "expected an e-mail address such as ana@example.com, got " + Quoted(v));
        } else {
          lead.email = std::move(e);
        }
        break;
      }
      case Target::kPhone: {
        std::string p = NormalizePhone(v);
        if (p.empty() || p.size() > 64) fail(c, "expected a phone number, got " + Quoted(v));
        else lead.phone = std::move(p);
        break;
      }
      case Target::kCompany: text(c, v, TextLimits::kShort, lead.company); break;
      case Target::kTitle: text(c, v, TextLimits::kShort, lead.title); break;
      case Target::kIndustry: text(c, v, TextLimits::kShort, lead.industry); break;
      case Target::kCountry: text(c, v, TextLimits::kShort, lead.country); break;
      case Target::kRegion: text(c, v, TextLimits::kShort, lead.region); break;
      case Target::kLocation: {
        // "Berlin, Germany" or "Austin, Texas, United States": the country is the last part.
        const size_t last = v.rfind(',');
        const std::string_view country = Trim(last == std::string_view::npos ? v : v.substr(last + 1));
        text(c, country, TextLimits::kShort, lead.country);
        if (last != std::string_view::npos) {
          std::string_view rest = Trim(v.substr(0, last));
          const size_t prev = rest.rfind(',');
          if (prev != std::string_view::npos) rest = Trim(rest.substr(prev + 1));
          text(c, rest, TextLimits::kShort, lead.region);
        }
        break;
      }
      case Target::kDomain: {
        std::string d = DomainFromUrl(v);
        if (d.empty() || d.size() > TextLimits::kShort) {
          fail(c, "expected a web address such as acme.com, got " + Quoted(v));
        } else {
          lead.domain = std::move(d);
        }
        break;
      }
      case Target::kSource: {
        std::string src(TranslateSource(v).value_or(""));
        if (src.empty()) src = LowerAscii(v);
        if (workspace_.channels().Find(src)) {
          lead.source = std::move(src);
        } else {
          // A channel leadkit does not know: kept as said, so nothing is lost.
          lead.source = "unknown";
          if (!lead.custom.is_object()) lead.custom = json::object();
          lead.custom["originalSource"] = std::string(v.substr(0, TextLimits::kReason));
        }
        break;
      }
      case Target::kStage: {
        const auto name = TranslateStage(v, m.mapping.preset);
        const auto stage = name ? ParseStage(*name) : std::nullopt;
        if (!stage) {
          fail(c, "unknown stage " + Quoted(v) +
                      "; use new, nurturing, mql, sql, opportunity, customer, lost or disqualified");
        } else {
          lead.stage = *stage;
          raw_stage = v;
        }
        break;
      }
      case Target::kStageReason: text(c, v, TextLimits::kReason, lead.stage_reason); break;
      case Target::kEmployees: {
        if (auto e = ParseEmployeeCount(v)) lead.employees = *e;
        else fail(c, "expected a number of employees such as 250 or 51-200, got " + Quoted(v));
        break;
      }
      case Target::kAnnualRevenue:
      case Target::kDealValue: {
        const auto x = ParseLooseNumber(v);
        if (!x || *x < 0) {
          fail(c, "expected an amount of 0 or more such as 12,000, got " + Quoted(v));
        } else {
          (col.target == Target::kDealValue ? lead.deal_value : lead.annual_revenue) = *x;
        }
        break;
      }
      case Target::kCurrency: {
        std::string cur = v == "$" ? "USD" : v == "€" ? "EUR" : v == "£" ? "GBP" : std::string(v);
        for (char& ch : cur) {
          if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
        }
        if (cur.size() != 3 || !std::all_of(cur.begin(), cur.end(), [](char ch) { return ch >= 'A' && ch <= 'Z'; })) {
          fail(c, "expected a 3-letter currency code such as EUR, got " + Quoted(v));
        } else {
          lead.currency = std::move(cur);
        }
        break;
      }
      case Target::kNotes: text(c, v, TextLimits::kNote, lead.notes); break;
      case Target::kTags: {
        size_t start = 0;
        while (start <= v.size()) {
          size_t end = v.find_first_of(";,|", start);
          if (end == std::string_view::npos) end = v.size();
          const std::string_view tag = Trim(v.substr(start, end - start));
          start = end + 1;
          if (tag.empty()) continue;
          if (tag.size() > 64) {
            fail(c, "a tag has at most 64 characters, got " + Quoted(tag));
          } else if (std::find(lead.tags.begin(), lead.tags.end(), tag) == lead.tags.end()) {
            lead.tags.emplace_back(tag);
          }
        }
        if (lead.tags.size() > TextLimits::kMaxTags) {
          fail(c, "has more than " + std::to_string(TextLimits::kMaxTags) + " tags");
        }
        break;
      }
      case Target::kCreatedAt:
      case Target::kUpdatedAt: {
        const auto t = ParseLooseDate(v, m.date_order[c]);
        if (!t) {
          fail(c, "expected a date such as 2026-03-01 or 03/01/2026, got " + Quoted(v));
        } else {
          (col.target == Target::kCreatedAt ? lead.created_at : lead.updated_at) = *t;
        }
        break;
      }
      case Target::kBudget: case Target::kAuthority: case Target::kNeed: case Target::kTimeline: {
        const auto st = ParseBantCell(v);
        if (!st) {
          fail(c, "expected met, partly, not met or unknown (or yes / no), got " + Quoted(v));
        } else {
          lead.bant[static_cast<size_t>(col.target) - static_cast<size_t>(Target::kBudget)].status = *st;
        }
        break;
      }
      case Target::kCustom: {
        if (v.size() > TextLimits::kReason) {
          fail(c, "is longer than the " + std::to_string(TextLimits::kReason) +
                      " bytes a custom field may hold");
          break;
        }
        if (!lead.custom.is_object()) lead.custom = json::object();
        lead.custom[col.custom_key] = CustomValue(v);
        break;
      }
    }
  }
  if (!full_name.empty()) {
    if (full_name.size() > TextLimits::kShort) {
      fail(full_name_col, "is longer than the " + std::to_string(TextLimits::kShort) + " bytes allowed");
    } else if (!names_set || (lead.first_name.empty() && lead.last_name.empty())) {
      auto [first, last] = SplitFullName(full_name);
      lead.first_name = std::move(first);
      lead.last_name = std::move(last);
    }
  }
  if (lead.custom.is_object() && lead.custom.size() > 100) {
    errs.push_back({row, "", "has " + std::to_string(lead.custom.size()) +
                                 " custom fields, more than the 100 a lead may have"});
  }
  if (StageNeedsReason(lead.stage) && lead.stage_reason.empty()) {
    // CRMs rarely export why a lead was lost; the status it had says at least that much.
    lead.stage_reason = raw_stage.empty() ? "imported without a reason"
                                          : "imported as " + Quoted(raw_stage).substr(0, 200);
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
  std::optional<uint32_t> merge_into;  // a staged lead this row updates
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
      merge_into = m.staged_by_id.Find(id, staged_id);
      if (!merge_into) stored = store.RowOf(id);
      if (merge_into || stored) matched_by = "id";
    }
    if (matched_by.empty() && !email.empty()) {
      merge_into = m.staged_by_email.Find(email, staged_email);
      if (!merge_into) stored = m.stored_by_email.Find(email, stored_email);
      if (merge_into || stored) matched_by = "email";
    }
    if (!matched_by.empty()) {
      ++m.report.duplicates;
      if (m.report.duplicate_rows.size() < ImportReport::kMaxListedDuplicates) {
        DuplicateRow d;
        d.row = row;
        d.matched_by = matched_by;
        if (merge_into) {
          d.earlier_row = m.staged_row[*merge_into];
          d.id = m.staged[*merge_into].id;
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
          merge_into.reset();
          stored.reset();
          break;
        case OnDuplicate::kUpdate:
          if (merge_into) merged = m.staged[*merge_into];
          else merged = store.GetRow(*stored), update_stored = true;
          break;
      }
    }
    in_place = !merge_into && !update_stored;
    if (in_place) target = &m.staged.Next();
    Lead& lead = *target;
    if (in_place) {
      lead.source = m.mapping.default_source;
      lead.created_at = lead.updated_at = options_.now_ms;
    }
    const int64_t created = lead.created_at;
    ApplyCells(fields, row, lead, errs);
    if (update_stored || merge_into) {
      lead.updated_at = std::max(options_.now_ms, lead.updated_at);
      if (m.created_col < 0 || Trim(fields[m.created_col]).empty()) lead.created_at = created;
    } else if (options_.on_duplicate == OnDuplicate::kCreate && !matched_by.empty() && matched_by == "id") {
      lead.id.clear();  // a new lead cannot take the id of the one it duplicates
    }
    if (errs.empty() && lead.email.empty() && lead.first_name.empty() && lead.last_name.empty() &&
        lead.company.empty()) {
      errs.push_back({row, "", "a lead needs at least one of an e-mail, a name or a company"});
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
  if (merge_into) {
    m.staged[*merge_into] = std::move(lead);
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
