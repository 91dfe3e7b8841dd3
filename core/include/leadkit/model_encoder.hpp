// The predictive model's inputs: raw columns read from leads or from a plain table, and the
// encoder that turns them into features. The encoder is fitted on training rows and saved inside
// the model document, so a prediction re-encodes its inputs exactly as training did.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "leadkit/result.hpp"
#include "leadkit/workspace.hpp"

namespace leadkit {

// One input column: numbers (NaN = missing; booleans read as 0/1) or dictionary-coded text
// (code 0 = missing).
struct RawColumn {
  std::string name;  // "industry", "employees", "bant.budget", "events.page_view", "custom.plan"
  bool numeric = true;
  std::vector<double> numbers;
  std::vector<uint32_t> codes;
  std::vector<std::string> dict{""};
};

struct RawTable {
  size_t rows = 0;
  std::vector<RawColumn> columns;
  std::vector<std::string> ids;  // one per row: lead ids, or table row numbers / "id" cells
  const RawColumn* Find(std::string_view name) const;
};

// A plain table: a header row and rows of cells as text, e.g. read from a CSV file.
struct Table {
  std::vector<std::string> headers;
  std::vector<std::vector<std::string>> rows;
};

// The inputs of the given store rows: lead fields that do not depend on the stage (industry,
// country, region, source, title, direction, employees, annualRevenue, dealValue, BANT statuses),
// engagement aggregates (eventCount, events per type, touchCount, replies,
// daysSinceLastActivity) and every custom field, typed by its values. Stage, stage reason and
// history are never read: they are, or follow from, the usual outcome.
// With `only`, just the columns its inputs read (a prediction needs no other).
class Encoder;
RawTable LeadInputs(const Workspace& ws, std::span<const uint32_t> rows, int64_t now_ms,
                    const Encoder* only = nullptr);
// Every column of a table, typed by its values: numbers when every non-empty cell is a finite
// number or "nan"/"inf" (read as missing), 0/1 when every one is true/false, text otherwise.
// `id_column` (when present) names the rows; else they are named by row number, header = 1.
RawTable TableInputs(const Table& table, std::string_view id_column = "id");

// The text form of a value for categorical use: numbers in shortest round-trip form.
std::string LevelText(double v);
// A table cell as read: null when empty, NaN or infinite; true/false; a number; else text.
nlohmann::json CellValue(const std::string& cell);

struct EncoderOptions {
  size_t min_level_count = 10;  // rarer levels fold into "(other)"
  size_t max_levels = 30;       // the most frequent levels kept per column; the rest fold
  bool bins = false;            // quantile cuts for naive Bayes instead of mean and scale
  // Trees: up to this many value bins per number (as scikit-learn's histogram gradient boosting
  // bins: midpoints between distinct values when there are few enough, else quantiles).
  size_t tree_bins = 0;
  std::vector<std::string> exclude;  // input names never used (the outcome, the fold column)
};

// The fitted encoding of one input.
struct EncodedInput {
  std::string name;
  bool numeric = true;
  // Numeric: (x - mean) / scale, missing x read as the mean, plus an indicator feature when the
  // training rows had missing values.
  double mean = 0, scale = 1;
  bool indicator = false;
  std::vector<double> cuts;  // naive Bayes and trees: bin edges, bin = count of cuts <= x
  // Categorical: one feature per kept level ("" = missing), plus "(other)" when any folded.
  std::vector<std::string> levels;
  bool other = false;
};

// Encoded rows: dense features (numerics and indicators) and one active one-hot feature per
// categorical input (or -1 when a level was never seen and nothing folded).
struct Design {
  size_t rows = 0, dense = 0, sparse = 0;  // per row: `dense` values, `sparse` active indexes
  size_t features = 0;                     // dense + every one-hot level
  std::vector<double> values;              // rows x dense
  std::vector<int32_t> active;             // rows x sparse, feature indexes >= dense
};

class Encoder {
 public:
  // Fits on `rows` of `raw`. Inputs that are constant on those rows are left out and named in
  // `constant`.
  static Encoder Fit(const RawTable& raw, std::span<const uint32_t> rows, const EncoderOptions& o,
                     std::vector<std::string>* constant = nullptr);
  static Result<Encoder> FromJson(const nlohmann::json& j, const std::string& path);
  nlohmann::json ToJson() const;

  const std::vector<EncodedInput>& inputs() const { return inputs_; }
  size_t features() const { return labels_.size(); }
  // "employees", "employees (missing)", "industry = Software", "industry = (other)"
  const std::vector<std::string>& labels() const { return labels_; }
  const std::vector<size_t>& input_of() const { return input_of_; }  // per feature

  // Encodes `rows` of `raw` (absent inputs read as missing) into `out`.
  void Encode(const RawTable& raw, std::span<const uint32_t> rows, Design& out) const;
  // Naive Bayes: per row, per input, the bin or level, or -1 for an unseen level (rows x inputs).
  void Bins(const RawTable& raw, std::span<const uint32_t> rows, std::vector<int32_t>& out) const;
  size_t BinCount(size_t input) const;  // bins of one input, missing bin included

 private:
  void Layout();
  struct Bound;  // the raw column of each input, resolved once per table
  Bound Bind(const RawTable& raw) const;
  // The level of a categorical input in one row, or -1.
  int32_t Level(const Bound& b, size_t input, const RawColumn* col, uint32_t row) const;
  std::vector<EncodedInput> inputs_;
  std::vector<std::string> labels_;
  std::vector<size_t> input_of_;
  size_t dense_ = 0;
};

}  // namespace leadkit
