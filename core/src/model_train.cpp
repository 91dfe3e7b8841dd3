// Training the predictive model: its options, and the outcome of each lead or table row. The
// cross-validation and the fit are in model_cv.cpp.
#include <cmath>
#include <cstdio>
#include <numeric>

#include "leadkit/model.hpp"
#include "leadkit/model_eval.hpp"

namespace leadkit {
namespace {

using nlohmann::json;

// The trees' options: each a number within its range, whole where it counts something.
Status ParseTreeOptions(const json& o, TreeOptions& t) {
  if (!o.is_object()) return MakeError("expected an object", "options.trees");
  struct Spec {
    const char* key;
    double lo, hi;
    bool whole, open_lo;
    double* real;
    int* count;
  };
  double seed = t.seed;
  const Spec specs[] = {{"learningRate", 0, 1, false, true, &t.learning_rate, nullptr},
                        {"maxRounds", 1, 10000, true, false, nullptr, &t.max_rounds},
                        {"maxLeaves", 2, 4096, true, false, nullptr, &t.max_leaves},
                        {"maxDepth", 0, 64, true, false, nullptr, &t.max_depth},
                        {"minChildSamples", 1, 1e9, true, false, nullptr, &t.min_child_samples},
                        {"minChildWeight", 0, 1e9, false, false, &t.min_child_weight, nullptr},
                        {"l2", 0, 1e9, false, false, &t.l2, nullptr},
                        {"maxBins", 2, 255, true, false, nullptr, &t.max_bins},
                        {"validationFraction", 0, 0.5, false, false, &t.validation_fraction, nullptr},
                        {"patience", 1, 10000, true, false, nullptr, &t.patience},
                        {"seed", 0, 4294967295.0, true, false, &seed, nullptr}};
  for (const auto& [key, value] : o.items()) {
    const Spec* spec = nullptr;
    for (const Spec& s : specs) {
      if (key == s.key) spec = &s;
    }
    const std::string at = "options.trees." + key;
    if (!spec) {
      return MakeError("unknown option; expected learningRate, maxRounds, maxLeaves, maxDepth, minChildSamples, "
                       "minChildWeight, l2, maxBins, validationFraction, patience or seed",
                       at);
    }
    const double v = value.is_number() ? value.get<double>() : NAN;
    if (!(spec->open_lo ? v > spec->lo : v >= spec->lo) || !(v <= spec->hi) || (spec->whole && v != std::floor(v))) {
      char range[96];
      std::snprintf(range, sizeof range, "expected a %s from %g%s to %g", spec->whole ? "whole number" : "number",
                    spec->lo, spec->open_lo ? " (excluded)" : "", spec->hi);
      return MakeError(range, at);
    }
    if (spec->real) *spec->real = v;
    else *spec->count = static_cast<int>(v);
  }
  t.seed = static_cast<uint32_t>(seed);
  return Ok{};
}

Result<TrainOptions> ParseOptions(const json& o, bool table) {
  TrainOptions t;
  if (o.is_null()) return t;
  if (!o.is_object()) return MakeError("expected an object", "options");
  const auto text = [&](const char* key, std::string& out) -> Status {
    if (!o.contains(key)) return Ok{};
    if (!o[key].is_string() || o[key].get<std::string>().empty()) {
      return MakeError("expected a non-empty string", std::string("options.") + key);
    }
    out = o[key].get<std::string>();
    return Ok{};
  };
  for (const auto& [key, out] : {std::pair{"kind", &t.kind}, std::pair{"outcomeField", &t.outcome},
                                 std::pair{"foldField", &t.fold_field}}) {
    if (auto s = text(key, *out); !s) return s.error();
  }
  if (t.kind != "logistic" && t.kind != "naiveBayes" && t.kind != "trees" && t.kind != "auto") {
    return MakeError("expected \"auto\", \"logistic\", \"naiveBayes\" or \"trees\"", "options.kind");
  }
  if (table && !o.contains("outcomeField")) {
    return MakeError("a table needs the column that holds the outcome", "options.outcomeField");
  }
  for (const char* key : {"positive", "negative"}) {
    if (!o.contains(key) || o[key].is_null()) continue;
    if (!o[key].is_primitive()) return MakeError("expected a string, number or boolean", std::string("options.") + key);
  }
  t.positive = o.value("positive", json());
  t.negative = o.value("negative", json());
  if (o.contains("folds")) {
    if (!o["folds"].is_number_integer() || o["folds"].get<int64_t>() < 2 || o["folds"].get<int64_t>() > 100) {
      return MakeError("expected a whole number from 2 to 100", "options.folds");
    }
    t.folds = o["folds"].get<int>();
  }
  if (o.contains("c")) {
    if (!o["c"].is_number() || !(o["c"].get<double>() > 0) || !std::isfinite(o["c"].get<double>())) {
      return MakeError("expected a positive number", "options.c");
    }
    t.c = o["c"].get<double>();
  }
  if (o.contains("margin")) {
    if (!o["margin"].is_number() || !(o["margin"].get<double>() >= 0 && o["margin"].get<double>() < 1)) {
      return MakeError("expected a number from 0 to 1 (an AUC difference)", "options.margin");
    }
    t.margin = o["margin"].get<double>();
  }
  if (o.contains("trees") && !o["trees"].is_null()) {
    if (auto s = ParseTreeOptions(o["trees"], t.trees); !s) return s.error();
  }
  if (o.contains("minLevelCount")) {
    if (!o["minLevelCount"].is_number_integer() || o["minLevelCount"].get<int64_t>() < 1) {
      return MakeError("expected a whole number of at least 1", "options.minLevelCount");
    }
    t.encoder.min_level_count = o["minLevelCount"].get<size_t>();
  }
  if (o.contains("exclude")) {
    if (!o["exclude"].is_array()) return MakeError("expected an array of input names", "options.exclude");
    for (const json& e : o["exclude"]) {
      if (!e.is_string()) return MakeError("expected an array of input names", "options.exclude");
      t.encoder.exclude.push_back(e.get<std::string>());
    }
  }
  return t;
}

// Whether a cell's text is the given outcome value: equal text, or the same number (so that
// true, 1 and "1.0" agree).
bool SameValue(const std::string& cell, const json& want) {
  const std::string w = want.is_string() ? want.get<std::string>()
                        : want.is_boolean() ? (want.get<bool>() ? "true" : "false")
                                            : LevelText(want.get<double>());
  if (cell == w) return true;
  const json a = CellValue(cell), b = CellValue(w);
  const auto num = [](const json& v) { return v.is_boolean() ? double(v.get<bool>()) : v.get<double>(); };
  return (a.is_number() || a.is_boolean()) && (b.is_number() || b.is_boolean()) && num(a) == num(b);
}

// 1 won, 0 lost, -1 unknown, per raw row.
Result<std::vector<int8_t>> OutcomeOf(const RawTable& raw, const TrainOptions& t) {
  const RawColumn* col = raw.Find(t.outcome);
  if (!col) return MakeError("no input named \"" + t.outcome + "\"", "options.outcomeField");
  if (t.positive.is_null()) return MakeError("name the value that counts as won", "options.positive");
  std::vector<int8_t> y(raw.rows, -1);
  for (size_t r = 0; r < raw.rows; ++r) {
    const std::string cell = col->numeric ? LevelText(col->numbers[r]) : col->dict[col->codes[r]];
    if (cell.empty()) continue;
    if (SameValue(cell, t.positive)) y[r] = 1;
    else if (t.negative.is_null() || SameValue(cell, t.negative)) y[r] = 0;
  }
  return y;
}

}  // namespace

Result<json> Train(const Workspace& ws, const json& options, int64_t now_ms) {
  auto t = ParseOptions(options, false);
  if (!t) return t.error();
  std::vector<uint32_t> all(ws.store().size());
  std::iota(all.begin(), all.end(), 0u);
  const RawTable raw = LeadInputs(ws, all, now_ms);
  std::vector<int8_t> y(raw.rows, -1);
  json outcome_doc;
  if (t.value().outcome == "stage") {
    // The stage is never an input, so it is read from the store.
    const json pos = t.value().positive.is_null() ? json("customer") : t.value().positive;
    const json neg = t.value().negative.is_null() ? json("lost") : t.value().negative;
    for (size_t r = 0; r < raw.rows; ++r) {
      const std::string stage(StageName(static_cast<Stage>(ws.store().stages()[r])));
      y[r] = SameValue(stage, pos) ? 1 : SameValue(stage, neg) ? 0 : -1;
    }
    outcome_doc = {{"field", "stage"}, {"positive", pos}, {"negative", neg}};
  } else {
    auto o = OutcomeOf(raw, t.value());
    if (!o) return o.error();
    y = std::move(o.value());
    outcome_doc = {{"field", t.value().outcome}, {"positive", t.value().positive},
                   {"negative", t.value().negative}};
  }
  return TrainRaw(raw, y, t.value(), outcome_doc, "leads", now_ms);
}

Result<json> TrainTable(const Table& table, const json& options, int64_t now_ms) {
  auto t = ParseOptions(options, true);
  if (!t) return t.error();
  const RawTable raw = TableInputs(table);
  auto y = OutcomeOf(raw, t.value());
  if (!y) return y.error();
  const json outcome_doc = {{"field", t.value().outcome}, {"positive", t.value().positive},
                            {"negative", t.value().negative}};
  return TrainRaw(raw, y.value(), t.value(), outcome_doc, "table", now_ms);
}

}  // namespace leadkit
