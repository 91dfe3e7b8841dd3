// Scored leads out as CSV, with the columns the user chose.
#include <algorithm>
#include <cmath>
#include <cstdio>

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

std::string Number(double v) {
  if (std::isnan(v)) return {};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.15g", v);
  return buf;
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

std::string TopReasons(std::vector<Contribution> lines, size_t count) {
  std::stable_sort(lines.begin(), lines.end(), [](const Contribution& a, const Contribution& b) {
    return std::fabs(a.points) > std::fabs(b.points);
  });
  std::string out;
  size_t n = 0;
  for (const Contribution& c : lines) {
    if (n == count || c.points == 0) break;
    char pts[32];
    std::snprintf(pts, sizeof pts, "%+.2f", c.points);
    std::string p = pts;
    while (p.back() == '0') p.pop_back();  // "+12.50" → "+12.5", "+3.00" → "+3"
    if (p.back() == '.') p.pop_back();
    out += (out.empty() ? "" : "; ") + p + " " + c.label;
    ++n;
  }
  return out;
}

}  // namespace

Result<std::string> Workspace::ExportCsv(const json& options, int64_t now_ms) const {
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

  CsvWriter w(delimiter[0], guard);
  for (const std::string& c : columns) w.Field(c);
  if (scores) {
    for (std::string_view c : kScoreColumns) w.Field(c);
  }
  w.EndRow();
  // Scores are computed a block of consecutive rows at a time: binding the programs once per
  // block instead of once per lead.
  constexpr size_t kBlock = 4096;
  std::vector<leadkit::Score> s;
  std::vector<std::vector<Contribution>> lines;
  std::string cell;
  for (size_t at = 0; at < rows.size(); at += kBlock) {
    const size_t stop = std::min(rows.size(), at + kBlock);
    const bool consecutive = rows[stop - 1] - rows[at] == stop - 1 - at;
    if (scores && consecutive) {
      model_.ScoreRows(store_, channels_, now_ms, rows[at], rows[stop - 1] + 1, s,
                       reasons > 0 ? &lines : nullptr);
    }
    for (size_t i = at; i < stop; ++i) {
      const uint32_t r = rows[i];
      const Lead lead = store_.GetRow(r);
      for (const std::string& c : columns) {
        Cell(lead, c, channels_, cell);
        w.Field(cell);
      }
      if (scores) {
        size_t k = i - at;
        if (!consecutive) {
          model_.ScoreRows(store_, channels_, now_ms, r, r + 1, s, reasons > 0 ? &lines : nullptr);
          k = 0;
        }
        w.Field(Number(s[k].fit));
        w.Field(Number(s[k].engagement));
        w.Field(Number(s[k].total));
        w.Field(GradeName(s[k].grade));
        w.Field(s[k].matrix);
        w.Field(StageName(s[k].stage));
        w.Field(reasons > 0 ? TopReasons(std::move(lines[k]), reasons) : "");
      }
      w.EndRow();
    }
  }
  return std::move(w.text());
}

}  // namespace leadkit
