// Scored leads out as CSV, with the columns the user chose. Cells are read straight from the
// store's columns rather than from a lead rebuilt per row: the CLI exports millions of rows.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "leadkit/csv.hpp"
#include "leadkit/iso_time.hpp"
#include "leadkit/workspace.hpp"

namespace leadkit {

using nlohmann::json;

namespace {

const std::vector<std::string_view> kDefaultColumns = {
    "id",      "firstName", "lastName", "email",  "phone",     "company",  "title",
    "industry", "employees", "annualRevenue", "country", "region", "domain", "source",
    "direction", "stage",   "dealValue", "currency", "tags",     "createdAt"};
const std::vector<std::string_view> kScoreColumns = {"fit",    "engagement", "score",     "grade",
                                                     "matrix", "qualifiesAs", "topReasons"};

void AppendInteger(int64_t v, std::string& out) {
  char buf[24];
  const auto end = std::to_chars(buf, buf + sizeof buf, v).ptr;
  out.append(buf, end);
}

// Hundredths as a decimal without trailing zeros: 1250 → "12.5", -300 → "-3".
void AppendHundredths(int64_t cents, bool plus, std::string& out) {
  if (cents < 0) out.push_back('-');
  else if (plus) out.push_back('+');
  const uint64_t a = cents < 0 ? 0 - static_cast<uint64_t>(cents) : static_cast<uint64_t>(cents);
  AppendInteger(static_cast<int64_t>(a / 100), out);
  const unsigned frac = static_cast<unsigned>(a % 100);
  if (frac != 0) {
    out.push_back('.');
    out.push_back(static_cast<char>('0' + frac / 10));
    if (frac % 10 != 0) out.push_back(static_cast<char>('0' + frac % 10));
  }
}

// The hundredths `v` is exactly (as a double), when it is one: scores and most amounts are, and
// spelling those out is much cheaper than snprintf. Below 1e13 the decimal has at most 15
// significant digits, so it is also what "%.15g" and "%.2f" print for `v`.
std::optional<int64_t> ExactHundredths(double v) {
  if (!(std::fabs(v) < 1e13) || (v == 0 && std::signbit(v))) return std::nullopt;
  // Any rounding finds the candidate, since it is checked (and llround is a call into libm).
  const double scaled = v * 100;
  const auto cents = static_cast<int64_t>(scaled < 0 ? scaled - 0.5 : scaled + 0.5);
  if (static_cast<double>(cents) / 100 != v) return std::nullopt;
  return cents;
}

// As "%.15g"; nothing for NaN (a missing value).
void AppendNumber(double v, std::string& out) {
  if (std::isnan(v)) return;
  if (const auto cents = ExactHundredths(v)) return AppendHundredths(*cents, false, out);
  char buf[32];
  out.append(buf, static_cast<size_t>(std::snprintf(buf, sizeof buf, "%.15g", v)));
}

std::string Number(double v) {
  std::string out;
  AppendNumber(v, out);
  return out;
}

// Points as "%+.2f" without trailing zeros: "+12.5", "-3".
void AppendPoints(double points, std::string& out) {
  if (const auto cents = ExactHundredths(points)) return AppendHundredths(*cents, true, out);
  char pts[32];
  std::snprintf(pts, sizeof pts, "%+.2f", points);
  std::string p = pts;
  while (p.back() == '0') p.pop_back();
  if (p.back() == '.') p.pop_back();
  out += p;
}

// One cell of a lead, by the column's JSON name; false for a name leadkit does not know.
bool Cell(const Lead& lead, std::string_view col, const ChannelMap& channels, std::string& out) {
  out.clear();
  if (col == "id") out = lead.id;
  else if (col == "firstName") out = lead.first_name;
  else if (col == "lastName") out = lead.last_name;
  else if (col == "email") out = lead.email;
  else if (col == "phone") out = lead.phone;
  else if (col == "company") out = lead.company;
  else if (col == "title") out = lead.title;
  else if (col == "industry") out = lead.industry;
  else if (col == "employees") out = lead.employees ? std::to_string(*lead.employees) : "";
  else if (col == "annualRevenue") out = lead.annual_revenue ? Number(*lead.annual_revenue) : "";
  else if (col == "country") out = lead.country;
  else if (col == "region") out = lead.region;
  else if (col == "domain") out = lead.domain;
  else if (col == "source") out = lead.source;
  else if (col == "direction") out = DirectionName(channels.Find(lead.source).value_or(Direction::kUnknown));
  else if (col == "stage") out = StageName(lead.stage);
  else if (col == "stageReason") out = lead.stage_reason;
  else if (col == "dealValue") out = lead.deal_value ? Number(*lead.deal_value) : "";
  else if (col == "currency") out = lead.currency;
  else if (col == "notes") out = lead.notes;
  else if (col == "createdAt") out = FormatIsoTime(lead.created_at);
  else if (col == "updatedAt") out = FormatIsoTime(lead.updated_at);
  else if (col == "tags") {
    for (const std::string& t : lead.tags) out += (out.empty() ? "" : "; ") + t;
  } else if (col.starts_with("bant.")) {
    const auto key = std::find(kBantKeys.begin(), kBantKeys.end(), col.substr(5));
    if (key == kBantKeys.end()) return false;
    out = BantStatusName(lead.bant[static_cast<size_t>(key - kBantKeys.begin())].status);
  } else if (col.starts_with("custom.")) {
    if (lead.custom.is_object()) {
      const auto it = lead.custom.find(std::string(col.substr(7)));
      if (it != lead.custom.end()) {
        out = it->is_string() ? it->get<std::string>() : it->is_null() ? "" : it->dump();
      }
    }
  } else {
    return false;
  }
  return true;
}

// A column bound to the store's array for it. The store does not expose every field (stage
// reasons, notes, updatedAt); those few are read from the whole lead, as Cell gives them.
struct Column {
  enum class From : uint8_t {
    kText, kCategory, kInteger, kNumber, kDirection, kStage, kTags, kCreatedAt, kBant, kCustom,
    kLead
  };
  From from = From::kLead;
  std::string name;  // the column's name; for kCustom, the key
  const std::vector<std::string>* texts = nullptr;
  const LeadStore::CategoryColumn* category = nullptr;
  const std::vector<double>* numbers = nullptr;
  std::vector<std::string_view> directions;  // per source code
  size_t bant = 0;
};

Column Bind(const std::string& name, const LeadStore& store, const ChannelMap& channels) {
  using From = Column::From;
  Column c;
  c.name = name;
  if (name.starts_with("bant.")) {
    c.from = From::kBant;
    c.bant = static_cast<size_t>(std::find(kBantKeys.begin(), kBantKeys.end(), name.substr(5)) -
                                 kBantKeys.begin());
  } else if (name.starts_with("custom.")) {
    c.from = From::kCustom;
    c.name = name.substr(7);
  } else if (name == "direction") {
    c.from = From::kDirection;
    c.category = store.Category(Field::kSource);
    for (uint32_t code = 0; code < c.category->dict.size(); ++code) {
      const auto direction = channels.Find(c.category->dict.Get(code));
      c.directions.push_back(DirectionName(direction.value_or(Direction::kUnknown)));
    }
  } else if (name == "stage") {
    c.from = From::kStage;
  } else if (name == "tags") {
    c.from = From::kTags;
  } else if (name == "createdAt") {
    c.from = From::kCreatedAt;
  } else if (const auto info = FindField(name)) {
    if ((c.texts = store.Texts(info->field))) c.from = From::kText;
    else if ((c.category = store.Category(info->field))) c.from = From::kCategory;
    else if ((c.numbers = store.Numbers(info->field))) {
      c.from = info->field == Field::kEmployees ? From::kInteger : From::kNumber;
    }
  }
  return c;
}

// Formatting a time is a snprintf, and exports repeat the same few (imports often carry days,
// not times): recent ones are kept, a slot per hash.
class TimeCache {
 public:
  TimeCache() : slots_(1024) {}
  const std::string& Format(int64_t ms) {
    Slot& s = slots_[(static_cast<uint64_t>(ms) * 0x9E3779B97F4A7C15ULL) >> 54];
    if (!s.set || s.ms != ms) s = {ms, true, FormatIsoTime(ms)};
    return s.text;
  }

 private:
  struct Slot {
    int64_t ms = 0;
    bool set = false;
    std::string text;
  };
  std::vector<Slot> slots_;
};

struct CellContext {
  const LeadStore& store;
  const ChannelMap& channels;
  const Lead* lead;  // the whole lead, when a column needs it
  TimeCache& times;
  std::string& scratch;
};

std::string_view CellAt(const Column& c, uint32_t row, CellContext& x) {
  using From = Column::From;
  std::string& s = x.scratch;
  switch (c.from) {
    case From::kText: return (*c.texts)[row];
    case From::kCategory: return c.category->dict.Get(c.category->codes[row]);
    case From::kDirection: return c.directions[c.category->codes[row]];
    case From::kStage: return StageName(static_cast<Stage>(x.store.stages()[row]));
    case From::kCreatedAt: return x.times.Format(x.store.created_at()[row]);
    case From::kBant:
      return BantStatusName(static_cast<BantStatus>(x.store.bant_status()[row][c.bant]));
    case From::kInteger:
    case From::kNumber: {
      s.clear();
      const double v = (*c.numbers)[row];
      if (std::isnan(v)) return s;
      if (c.from == From::kInteger) AppendInteger(static_cast<int64_t>(v), s);
      else AppendNumber(v, s);
      return s;
    }
    case From::kTags: {
      s.clear();
      for (uint32_t t : x.store.tags()[row]) {
        if (!s.empty()) s += "; ";
        s += x.store.tag_dict().Get(t);
      }
      return s;
    }
    case From::kCustom: {
      s.clear();
      const json& custom = x.store.custom()[row];
      if (custom.is_object()) {
        const auto it = custom.find(c.name);
        if (it != custom.end()) {
          if (it->is_string()) return it->get_ref<const std::string&>();
          if (!it->is_null()) s = it->dump();
        }
      }
      return s;
    }
    case From::kLead: Cell(*x.lead, c.name, x.channels, s); return s;
  }
  return {};
}

// Writes exactly what CsvWriter::Field writes (quotes only when needed, formulas guarded), but
// tests each value in one pass, and writes into room checked once per field.
class FieldWriter {
 public:
  FieldWriter(std::string& out, char delimiter, bool guard_formulas)
      : out_(out), used_(out.size()), delimiter_(delimiter), guard_formulas_(guard_formulas) {}
  ~FieldWriter() { out_.resize(used_); }  // the room made but not written to
  FieldWriter(const FieldWriter&) = delete;
  FieldWriter& operator=(const FieldWriter&) = delete;

  // `guard` false for text leadkit wrote itself ("+25 Decision maker"), which is no formula.
  void Field(std::string_view value, bool guard = true) {
    // At worst every byte is a quote, doubled, plus the delimiter, two quotes and an apostrophe.
    char* p = Room(2 * value.size() + 4);
    if (row_started_) *p++ = delimiter_;
    row_started_ = true;
    const bool formula = guard && guard_formulas_ && NeedsFormulaGuard(value);
    if (!formula && !NeedsQuotes(value)) {
      // Most cells are a few bytes: a loop beats a call to memmove.
      if (value.size() > 32) {
        p = std::copy(value.begin(), value.end(), p);
      } else {
        for (const char c : value) *p++ = c;
      }
    } else {
      *p++ = '"';
      if (formula) *p++ = '\'';
      for (const char c : value) {
        if (c == '"') *p++ = '"';
        *p++ = c;
      }
      *p++ = '"';
    }
    used_ = static_cast<size_t>(p - out_.data());
  }
  void EndRow() {
    char* p = Room(2);
    p[0] = '\r';
    p[1] = '\n';
    used_ += 2;
    row_started_ = false;
  }

 private:
  bool NeedsQuotes(std::string_view v) const {
    if (v.empty()) return false;
    if (v.front() == ' ' || v.back() == ' ') return true;
    if (v.size() >= 3 && v[0] == '\xEF' && v[1] == '\xBB' && v[2] == '\xBF') return true;  // a BOM
    for (const char c : v) {
      if (c == delimiter_ || c == '"' || c == '\n' || c == '\r') return true;
    }
    return false;
  }
  // Room for `n` more bytes after what was written, made a slice at a time: the string grows its
  // capacity geometrically, and a caller writing batch after batch into it keeps that capacity.
  char* Room(size_t n) {
    if (out_.size() - used_ < n) out_.resize(used_ + n + (64 << 10));
    return out_.data() + used_;
  }

  std::string& out_;
  size_t used_;
  char delimiter_;
  bool guard_formulas_;
  bool row_started_ = false;
};

// The `count` largest contributions, largest first and ties in the model's order (as a stable
// sort would give them), as "+25 Decision maker; -10 Webmail".
void TopReasons(const std::vector<Contribution>& lines, size_t count, std::vector<uint32_t>& order,
                std::string& out) {
  out.clear();
  order.clear();
  for (uint32_t i = 0; i < lines.size(); ++i) {
    size_t at = order.size();
    order.push_back(i);
    // A row has a few dozen contributions at most: an insertion sort beats allocating a buffer.
    for (; at > 0 && std::fabs(lines[order[at - 1]].points) < std::fabs(lines[i].points); --at) {
      order[at] = order[at - 1];
    }
    order[at] = i;
  }
  size_t n = 0;
  for (uint32_t i : order) {
    const Contribution& c = lines[i];
    if (n == count || c.points == 0) break;
    if (!out.empty()) out += "; ";
    AppendPoints(c.points, out);
    out += ' ';
    out += c.label;
    ++n;
  }
}

}  // namespace

Result<std::string> Workspace::ExportCsv(const json& options, int64_t now_ms) const {
  std::string out;
  if (Status s = AppendCsv(options, now_ms, true, out); !s) return s.error();
  return out;
}

Status Workspace::AppendCsv(const json& options, int64_t now_ms, bool header,
                            std::string& out) const {
  if (!options.is_null() && !options.is_object()) return MakeError("expected an object of options", "options");
  const json o = options.is_null() ? json::object() : options;
  std::vector<std::string> columns;
  if (const auto it = o.find("columns"); it != o.end() && !it->is_null()) {
    if (!it->is_array()) return MakeError("expected an array of column names", "options.columns");
    std::string probe;
    const Lead blank;
    for (size_t i = 0; i < it->size(); ++i) {
      const json& c = (*it)[i];
      if (!c.is_string() || !Cell(blank, c.get<std::string>(), channels_, probe)) {
        return MakeError("unknown column " + DescribeJsonValue(c), "options.columns[" + std::to_string(i) + "]");
      }
      columns.push_back(c.get<std::string>());
    }
  } else {
    columns.assign(kDefaultColumns.begin(), kDefaultColumns.end());
  }
  const bool scores = o.value("scores", true);
  const size_t reasons = o.value("reasons", 3);
  const bool guard = o.value("guardFormulas", true);
  const std::string delimiter = o.value("delimiter", std::string(","));
  if (delimiter != "," && delimiter != ";" && delimiter != "\t") {
    return MakeError("expected \",\", \";\" or a tab", "options.delimiter");
  }
  std::vector<uint32_t> rows;
  if (const auto it = o.find("ids"); it != o.end() && !it->is_null()) {
    if (!it->is_array()) return MakeError("expected an array of lead ids", "options.ids");
    for (size_t i = 0; i < it->size(); ++i) {
      const json& id = (*it)[i];
      const auto row = id.is_string() ? store_.RowOf(id.get<std::string>()) : std::nullopt;
      if (!row) return MakeError("no lead with id " + DescribeJsonValue(id), "options.ids[" + std::to_string(i) + "]");
      rows.push_back(*row);
    }
  } else {
    rows.resize(store_.size());
    for (uint32_t r = 0; r < rows.size(); ++r) rows[r] = r;
  }

  FieldWriter w(out, delimiter[0], guard);
  if (header) {
    for (const std::string& c : columns) w.Field(c);
    if (scores) {
      for (std::string_view c : kScoreColumns) w.Field(c);
    }
    w.EndRow();
  }
  std::vector<Column> bound;
  bool whole_lead = false;
  for (const std::string& c : columns) {
    bound.push_back(Bind(c, store_, channels_));
    whole_lead |= bound.back().from == Column::From::kLead;
  }
  TimeCache times;
  std::string scratch, top;
  std::vector<uint32_t> order;
  Lead lead;
  CellContext cells{store_, channels_, &lead, times, scratch};
  // Scores are computed a block of consecutive rows at a time: binding the programs once per
  // block instead of once per lead.
  constexpr size_t kBlock = 4096;
  std::vector<leadkit::Score> s;
  std::vector<std::vector<Contribution>> lines;
  for (size_t at = 0; at < rows.size(); at += kBlock) {
    const size_t stop = std::min(rows.size(), at + kBlock);
    const bool consecutive = rows[stop - 1] - rows[at] == stop - 1 - at;
    if (scores && consecutive) {
      model_.ScoreRows(store_, channels_, now_ms, rows[at], rows[stop - 1] + 1, s,
                       reasons > 0 ? &lines : nullptr);
    }
    for (size_t i = at; i < stop; ++i) {
      const uint32_t r = rows[i];
      if (whole_lead) lead = store_.GetRow(r);
      for (const Column& c : bound) w.Field(CellAt(c, r, cells));
      if (scores) {
        size_t k = i - at;
        if (!consecutive) {
          model_.ScoreRows(store_, channels_, now_ms, r, r + 1, s, reasons > 0 ? &lines : nullptr);
          k = 0;
        }
        for (const double v : {s[k].fit, s[k].engagement, s[k].total}) {
          scratch.clear();
          AppendNumber(v, scratch);
          w.Field(scratch);
        }
        w.Field(GradeName(s[k].grade));
        w.Field(s[k].matrix);
        w.Field(StageName(s[k].stage));
        if (reasons > 0) TopReasons(lines[k], reasons, order, top);
        w.Field(reasons > 0 ? std::string_view(top) : std::string_view(), false);
      }
      w.EndRow();
    }
  }
  return Ok{};
}

}  // namespace leadkit
