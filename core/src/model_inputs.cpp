// Raw inputs of the predictive model: lead columns read from the store, and plain tables typed
// by their values.
#include <cmath>
#include <cstdlib>
#include <limits>
#include <map>
#include <unordered_map>
#include <unordered_set>

#include "leadkit/model_encoder.hpp"

namespace leadkit {
namespace {

using nlohmann::json;
constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();
constexpr double kMsPerDay = 86'400'000.0;

// Builds a text column through a map from value to code.
class TextBuilder {
 public:
  explicit TextBuilder(RawColumn& col) : col_(col) {
    col_.numeric = false;
    codes_.emplace("", 0);
  }
  void Add(const std::string& v) {
    // find before emplace: emplace would build a node (and copy the text) for every value.
    auto it = codes_.find(v);
    if (it == codes_.end()) {
      it = codes_.emplace(v, static_cast<uint32_t>(col_.dict.size())).first;
      col_.dict.push_back(v);
    }
    col_.codes.push_back(it->second);
  }

 private:
  RawColumn& col_;
  std::unordered_map<std::string, uint32_t> codes_;
};

double Finite(double v) { return std::isfinite(v) ? v : kMissing; }

// Custom keys are short ("plan", "seats"): comparing them in line beats a call to memcmp.
bool SameText(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

}  // namespace

json CellValue(const std::string& cell) {
  if (cell.empty()) return nullptr;
  std::string lower;
  for (char c : cell) lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  if (lower == "true") return true;
  if (lower == "false") return false;
  char* end = nullptr;
  const double v = std::strtod(cell.c_str(), &end);
  if (end == cell.c_str() + cell.size() && cell.find_first_of(" \t") == std::string::npos) {
    return std::isfinite(v) ? json(v) : json(nullptr);  // NaN and infinities read as missing
  }
  return cell;
}

namespace {

// A column from scalar values: numeric when every present one is a number or every one a
// boolean, text otherwise.
RawColumn ColumnOf(std::string name, const std::vector<const json*>& values) {
  RawColumn col;
  col.name = std::move(name);
  // Read as numbers in one pass; a text value, or numbers mixed with booleans, makes it text.
  bool numbers = false, booleans = false, other = false;
  col.numbers.reserve(values.size());
  for (const json* v : values) {
    if (!v || v->is_null()) {
      col.numbers.push_back(kMissing);
    } else if (v->is_number()) {
      numbers = true;
      col.numbers.push_back(Finite(v->get<double>()));
    } else if (v->is_boolean()) {
      booleans = true;
      col.numbers.push_back(v->get<bool>() ? 1.0 : 0.0);
    } else {
      other = true;
      break;
    }
  }
  if (!other && !(numbers && booleans)) return col;
  col.numbers.clear();
  col.numbers.shrink_to_fit();
  TextBuilder b(col);
  for (const json* v : values) {
    if (!v || v->is_null()) b.Add("");
    else if (v->is_string()) b.Add(v->get_ref<const std::string&>());
    else if (v->is_boolean()) b.Add(v->get<bool>() ? "true" : "false");
    else b.Add(LevelText(v->get<double>()));
  }
  return col;
}

}  // namespace

const RawColumn* RawTable::Find(std::string_view name) const {
  for (const RawColumn& c : columns) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

std::string LevelText(double v) {
  if (!std::isfinite(v)) return "";
  return json(v).dump();
}

RawTable LeadInputs(const Workspace& ws, std::span<const uint32_t> rows, int64_t now_ms, const Encoder* only) {
  const LeadStore& store = ws.store();
  std::unordered_set<std::string_view> wanted;
  if (only) {
    for (const EncodedInput& in : only->inputs()) wanted.insert(in.name);
  }
  const auto want = [&](std::string_view name) { return !only || wanted.count(name) > 0; };
  RawTable t;
  t.rows = rows.size();
  for (uint32_t r : rows) t.ids.push_back(store.IdAt(r));
  const std::pair<Field, const char*> categories[] = {{Field::kIndustry, "industry"},
                                                      {Field::kCountry, "country"},
                                                      {Field::kRegion, "region"},
                                                      {Field::kSource, "source"},
                                                      {Field::kTitle, "title"}};
  for (const auto& [f, name] : categories) {
    if (!want(name)) continue;
    const LeadStore::CategoryColumn* c = store.Category(f);
    RawColumn col;
    col.name = name;
    col.numeric = false;
    col.dict.assign(1, "");
    // The store's codes are reused; only the dictionary's values are copied.
    for (uint32_t code = 1; code < c->dict.size(); ++code) col.dict.push_back(c->dict.Get(code));
    for (uint32_t r : rows) col.codes.push_back(c->codes[r]);
    t.columns.push_back(std::move(col));
  }
  if (want("direction")) {
    RawColumn col;
    col.name = "direction";
    TextBuilder b(col);
    const LeadStore::CategoryColumn* src = store.Category(Field::kSource);
    std::vector<std::string> of_code(src->dict.size());  // the direction of each source, once
    for (uint32_t code = 0; code < src->dict.size(); ++code) {
      const auto d = ws.channels().Find(src->dict.Get(code));
      if (d) of_code[code] = DirectionName(*d);
    }
    for (uint32_t r : rows) b.Add(src->codes[r] < of_code.size() ? of_code[src->codes[r]] : std::string());
    t.columns.push_back(std::move(col));
  }
  const std::pair<Field, const char*> numbers[] = {{Field::kEmployees, "employees"},
                                                   {Field::kAnnualRevenue, "annualRevenue"},
                                                   {Field::kDealValue, "dealValue"}};
  for (const auto& [f, name] : numbers) {
    if (!want(name)) continue;
    RawColumn col;
    col.name = name;
    for (uint32_t r : rows) col.numbers.push_back(Finite((*store.Numbers(f))[r]));
    t.columns.push_back(std::move(col));
  }
  for (size_t k = 0; k < kBantKeys.size(); ++k) {
    RawColumn col;
    col.name = "bant." + std::string(kBantKeys[k]);
    if (!want(col.name)) continue;
    TextBuilder b(col);
    for (uint32_t r : rows) {
      const auto s = static_cast<BantStatus>(store.bant_status()[r][k]);
      b.Add(s == BantStatus::kUnknown ? "" : std::string(BantStatusName(s)));
    }
    t.columns.push_back(std::move(col));
  }
  // Engagement aggregates from the activity index.
  const LeadStore::ActivityIndex& a = store.activity();
  RawColumn events, touches, replies, since;
  events.name = "eventCount";
  touches.name = "touchCount";
  replies.name = "replies";
  since.name = "daysSinceLastActivity";
  std::vector<RawColumn> per_type(store.event_types().size());
  for (size_t code = 1; code < per_type.size(); ++code) {
    per_type[code].name = "events." + store.event_types().Get(static_cast<uint32_t>(code));
  }
  const auto replied = a.touch_words.Find("replied"), booked = a.touch_words.Find("meeting_booked");
  for (uint32_t r : rows) {
    events.numbers.push_back(a.event_offsets[r + 1] - a.event_offsets[r]);
    for (size_t code = 1; code < per_type.size(); ++code) per_type[code].numbers.push_back(0);
    for (uint32_t i = a.event_offsets[r]; i < a.event_offsets[r + 1]; ++i) {
      if (a.event_types[i] > 0) per_type[a.event_types[i]].numbers.back() += 1;
    }
    touches.numbers.push_back(a.touch_offsets[r + 1] - a.touch_offsets[r]);
    double n = 0;
    for (uint32_t i = a.touch_offsets[r]; i < a.touch_offsets[r + 1]; ++i) {
      n += (replied && a.touch_outcome[i] == *replied) || (booked && a.touch_outcome[i] == *booked);
    }
    replies.numbers.push_back(n);
    const double last = store.last_activity_at()[r];
    since.numbers.push_back(std::isnan(last) ? kMissing : (static_cast<double>(now_ms) - last) / kMsPerDay);
  }
  const auto keep = [&](RawColumn& col) {
    if (want(col.name)) t.columns.push_back(std::move(col));
  };
  keep(events);
  for (size_t code = 1; code < per_type.size(); ++code) keep(per_type[code]);
  keep(touches);
  keep(replies);
  keep(since);
  bool any_custom = !only;
  for (std::string_view name : wanted) any_custom = any_custom || name.starts_with("custom.");
  if (!any_custom) return t;
  // Custom fields, in key order so the inputs come out the same whatever order leads came in.
  // Leads mostly share one set of keys, so each key is first looked for where the lead before
  // had its key of the same position.
  std::map<std::string, size_t> column_of;
  std::vector<std::vector<const json*>> custom;
  std::vector<std::string> keys;  // per column
  std::vector<size_t> previous;   // the column of each key position in the lead before
  for (size_t i = 0; i < rows.size(); ++i) {
    const json& c = store.custom()[rows[i]];
    if (!c.is_object()) continue;
    size_t pos = 0;
    for (auto it = c.begin(); it != c.end(); ++it, ++pos) {
      size_t col;
      if (pos < previous.size() && SameText(keys[previous[pos]], it.key())) {
        col = previous[pos];
      } else {
        const auto [at, fresh] = column_of.emplace(it.key(), custom.size());
        if (fresh) custom.emplace_back(rows.size(), nullptr), keys.push_back(it.key());
        col = at->second;
        if (pos >= previous.size()) previous.resize(pos + 1);
        previous[pos] = col;
      }
      custom[col][i] = &it.value();
    }
  }
  for (const auto& [key, col] : column_of) {
    if (want("custom." + key)) t.columns.push_back(ColumnOf("custom." + key, custom[col]));
  }
  return t;
}

RawTable TableInputs(const Table& table, std::string_view id_column) {
  RawTable t;
  t.rows = table.rows.size();
  int id_at = -1;
  for (size_t c = 0; c < table.headers.size(); ++c) {
    if (!id_column.empty() && table.headers[c] == id_column) id_at = static_cast<int>(c);
  }
  for (size_t r = 0; r < table.rows.size(); ++r) {
    const auto& row = table.rows[r];
    t.ids.push_back(id_at >= 0 && static_cast<size_t>(id_at) < row.size() ? row[id_at]
                                                                            : std::to_string(r + 2));
  }
  std::vector<json> values(table.rows.size());
  std::vector<const json*> pointers(table.rows.size());
  for (size_t c = 0; c < table.headers.size(); ++c) {
    if (static_cast<int>(c) == id_at) continue;
    for (size_t r = 0; r < table.rows.size(); ++r) {
      values[r] = c < table.rows[r].size() ? CellValue(table.rows[r][c]) : json(nullptr);
      pointers[r] = &values[r];
    }
    t.columns.push_back(ColumnOf(table.headers[c], pointers));
  }
  return t;
}

}  // namespace leadkit
