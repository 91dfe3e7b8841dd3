// The predictive model's encoder: fitted on training rows, kept in the model document.
#include <algorithm>
#include <cmath>
#include <unordered_map>
#include <unordered_set>

#include "leadkit/model_encoder.hpp"

namespace leadkit {

using nlohmann::json;

namespace {

// Standardised values are kept within this many standard deviations, so that an absurd input
// (1e308) gives a large but finite contribution rather than an infinity that could meet another
// and make NaN.
constexpr double kClip = 1e6;

std::string LevelLabel(const std::string& level) { return level.empty() ? "(missing)" : level; }

// The count of a[0..n) that are <= x (std::upper_bound) without branches on the data: trees bin
// every number of every lead through 254 cuts, where a branchy search mispredicts half the time.
size_t UpperBound(const double* a, size_t n, double x) {
  if (n == 0) return 0;
  const double* base = a;
  while (n > 1) {
    const size_t half = n / 2;
    base = base[half] <= x ? base + half : base;
    n -= half;
  }
  return static_cast<size_t>(base - a) + (*base <= x);
}

constexpr size_t kTreeCutSample = 50'000;

// The bin edges scikit-learn's HistGradientBoosting uses: with at most `bins` distinct values, the
// midpoints between them (each value its own bin); otherwise the 1/bins .. (bins-1)/bins
// percentiles (numpy's "midpoint" method), duplicates dropped.
void TreeCuts(std::vector<double>& v, size_t bins, std::vector<double>& cuts) {
  // Few distinct values: found without sorting every value (each kept as first seen).
  std::vector<double> distinct;
  std::unordered_set<double> seen;
  for (double x : v) {
    if (!seen.insert(x).second) continue;
    distinct.push_back(x);
    if (distinct.size() > bins) break;
  }
  if (distinct.size() <= bins) {
    std::sort(distinct.begin(), distinct.end());
    const auto push = [&](double c) {
      if (c > distinct.front() && (cuts.empty() || c > cuts.back())) cuts.push_back(c);
    };
    for (size_t i = 1; i < distinct.size(); ++i) push(distinct[i - 1] * 0.5 + distinct[i] * 0.5);
    return;
  }
  // Many: quantiles of every k-th value, at most kTreeCutSample of them (scikit-learn samples 200k
  // rows at random; a stride keeps it deterministic).
  if (v.size() > kTreeCutSample) {
    const size_t stride = (v.size() + kTreeCutSample - 1) / kTreeCutSample;
    size_t n = 0;
    for (size_t i = 0; i < v.size(); i += stride) v[n++] = v[i];
    v.resize(n);
  }
  std::sort(v.begin(), v.end());
  const auto push = [&](double c) {
    if (c > v.front() && (cuts.empty() || c > cuts.back())) cuts.push_back(c);
  };
  const double last = static_cast<double>(v.size() - 1);
  for (size_t q = 1; q < bins; ++q) {
    const double at = last * (static_cast<double>(q) / static_cast<double>(bins));
    const auto lo = static_cast<size_t>(std::floor(at)), hi = static_cast<size_t>(std::ceil(at));
    push(v[lo] * 0.5 + v[hi] * 0.5);
  }
}

}  // namespace

// For each input: its raw column (or none), and for text read as levels or numbers, the
// translation of each of the column's codes.
struct Encoder::Bound {
  std::vector<const RawColumn*> column;
  std::vector<std::vector<int32_t>> level_of_code;  // categorical input, text column
  std::vector<std::vector<double>> number_of_code;  // numeric input, text column
  std::vector<std::unordered_map<std::string, int32_t>> level_of_text;  // categorical, numbers
  std::vector<int32_t> missing_level;  // the level an absent value takes
};

Encoder::Bound Encoder::Bind(const RawTable& raw) const {
  Bound b;
  const size_t n = inputs_.size();
  b.column.resize(n);
  b.level_of_code.resize(n);
  b.number_of_code.resize(n);
  b.level_of_text.resize(n);
  b.missing_level.assign(n, -1);
  for (size_t i = 0; i < n; ++i) {
    const EncodedInput& in = inputs_[i];
    const RawColumn* col = raw.Find(in.name);
    b.column[i] = col;
    if (in.numeric) {
      if (col && !col->numeric) {
        for (const std::string& text : col->dict) {
          const json v = CellValue(text);
          b.number_of_code[i].push_back(v.is_number() ? v.get<double>()
                                        : v.is_boolean() ? double(v.get<bool>())
                                                         : NAN);
        }
      }
      continue;
    }
    auto& by_text = b.level_of_text[i];
    for (size_t l = 0; l < in.levels.size(); ++l) by_text.emplace(in.levels[l], static_cast<int32_t>(l));
    const int32_t fallback = in.other ? static_cast<int32_t>(in.levels.size()) : -1;
    const auto level = [&](const std::string& text) {
      const auto it = by_text.find(text);
      return it == by_text.end() ? fallback : it->second;
    };
    b.missing_level[i] = level("");
    if (col && !col->numeric) {
      for (const std::string& text : col->dict) b.level_of_code[i].push_back(level(text));
    }
  }
  return b;
}

Encoder Encoder::Fit(const RawTable& raw, std::span<const uint32_t> rows, const EncoderOptions& o,
                     std::vector<std::string>* constant) {
  Encoder e;
  std::vector<double> present;
  for (const RawColumn& col : raw.columns) {
    if (std::find(o.exclude.begin(), o.exclude.end(), col.name) != o.exclude.end()) continue;
    EncodedInput in;
    in.name = col.name;
    in.numeric = col.numeric;
    bool useful = false;
    if (col.numeric) {
      present.clear();
      for (uint32_t r : rows) {
        if (!std::isnan(col.numbers[r])) present.push_back(col.numbers[r]);
      }
      const size_t missing = rows.size() - present.size();
      if (!present.empty()) {
        double sum = 0;
        for (double v : present) sum += v;
        in.mean = sum / static_cast<double>(present.size());
        double ss = 0;
        for (double v : present) ss += (v - in.mean) * (v - in.mean);
        // Population deviation, and 1 for a constant, as scikit-learn's StandardScaler.
        in.scale = std::sqrt(ss / static_cast<double>(present.size()));
        if (!(in.scale > 0) || !std::isfinite(in.scale)) in.scale = 1;
        in.indicator = missing > 0;
        const auto [lo, hi] = std::minmax_element(present.begin(), present.end());
        useful = *lo != *hi || missing > 0;
        if (o.bins && useful) {
          // The quintiles' order statistics, as a full sort would give them, in linear time.
          const double lowest = *lo;
          for (int q = 1; q < 5; ++q) {
            const auto at = present.begin() + static_cast<std::ptrdiff_t>(present.size() * q / 5);
            std::nth_element(present.begin(), at, present.end());
            const double cut = *at;
            if (cut > lowest && (in.cuts.empty() || cut > in.cuts.back())) in.cuts.push_back(cut);
          }
        } else if (o.tree_bins > 1 && useful) {
          TreeCuts(present, o.tree_bins, in.cuts);
        }
      }
    } else {
      std::vector<size_t> count(col.dict.size());
      for (uint32_t r : rows) ++count[col.codes[r]];
      std::vector<uint32_t> seen;
      for (uint32_t code = 0; code < count.size(); ++code) {
        if (count[code] > 0) seen.push_back(code);
      }
      std::sort(seen.begin(), seen.end(), [&](uint32_t a, uint32_t b) {
        return count[a] != count[b] ? count[a] > count[b] : col.dict[a] < col.dict[b];
      });
      for (uint32_t code : seen) {
        if (count[code] >= o.min_level_count && in.levels.size() < o.max_levels) {
          in.levels.push_back(col.dict[code]);
        } else {
          in.other = true;
        }
      }
      useful = in.levels.size() + (in.other ? 1 : 0) > 1;
    }
    if (useful) {
      e.inputs_.push_back(std::move(in));
    } else if (constant) {
      constant->push_back(col.name);
    }
  }
  e.Layout();
  return e;
}

void Encoder::Layout() {
  labels_.clear();
  input_of_.clear();
  for (size_t i = 0; i < inputs_.size(); ++i) {
    const EncodedInput& in = inputs_[i];
    if (!in.numeric) continue;
    labels_.push_back(in.name);
    input_of_.push_back(i);
    if (in.indicator) {
      labels_.push_back(in.name + " (missing)");
      input_of_.push_back(i);
    }
  }
  dense_ = labels_.size();
  for (size_t i = 0; i < inputs_.size(); ++i) {
    const EncodedInput& in = inputs_[i];
    if (in.numeric) continue;
    for (const std::string& l : in.levels) {
      labels_.push_back(in.name + " = " + LevelLabel(l));
      input_of_.push_back(i);
    }
    if (in.other) {
      labels_.push_back(in.name + " = (other)");
      input_of_.push_back(i);
    }
  }
}

int32_t Encoder::Level(const Bound& b, size_t i, const RawColumn* col, uint32_t row) const {
  if (col && !col->numeric) return b.level_of_code[i][col->codes[row]];
  if (!col || !std::isfinite(col->numbers[row])) return b.missing_level[i];
  const auto it = b.level_of_text[i].find(LevelText(col->numbers[row]));
  return it != b.level_of_text[i].end() ? it->second
         : inputs_[i].other             ? static_cast<int32_t>(inputs_[i].levels.size())
                                        : -1;
}

void Encoder::Encode(const RawTable& raw, std::span<const uint32_t> rows, Design& out) const {
  const Bound b = Bind(raw);
  out.rows = rows.size();
  out.dense = dense_;
  out.features = labels_.size();
  out.sparse = 0;
  for (const EncodedInput& in : inputs_) out.sparse += !in.numeric;
  out.values.assign(out.rows * out.dense, 0.0);
  out.active.assign(out.rows * out.sparse, -1);
  size_t d = 0, s = 0;
  int32_t next = static_cast<int32_t>(dense_);  // first feature of the next categorical input
  for (size_t i = 0; i < inputs_.size(); ++i) {
    const EncodedInput& in = inputs_[i];
    const RawColumn* col = b.column[i];
    if (in.numeric) {
      for (size_t k = 0; k < rows.size(); ++k) {
        double x = NAN;
        if (col) x = col->numeric ? col->numbers[rows[k]] : b.number_of_code[i][col->codes[rows[k]]];
        double* v = &out.values[k * out.dense + d];
        if (std::isfinite(x)) {
          v[0] = std::clamp((x - in.mean) / in.scale, -kClip, kClip);
        } else if (in.indicator) {
          v[1] = 1;
        }
      }
      d += in.indicator ? 2 : 1;
      continue;
    }
    for (size_t k = 0; k < rows.size(); ++k) {
      const int32_t level = Level(b, i, col, rows[k]);
      out.active[k * out.sparse + s] = level < 0 ? -1 : next + level;
    }
    next += static_cast<int32_t>(in.levels.size() + (in.other ? 1 : 0));
    ++s;
  }
}

size_t Encoder::BinCount(size_t input) const {
  const EncodedInput& in = inputs_[input];
  return in.numeric ? in.cuts.size() + 2 : in.levels.size() + (in.other ? 1 : 0);
}

void Encoder::Bins(const RawTable& raw, std::span<const uint32_t> rows,
                   std::vector<int32_t>& out) const {
  // Categorical bins are the one-hot levels of Encode; numerics are cut.
  const Bound b = Bind(raw);
  const size_t n = inputs_.size();
  out.assign(rows.size() * n, -1);
  for (size_t i = 0; i < n; ++i) {
    const EncodedInput& in = inputs_[i];
    const RawColumn* col = b.column[i];
    for (size_t k = 0; k < rows.size(); ++k) {
      if (!in.numeric) {
        out[k * n + i] = Level(b, i, col, rows[k]);
        continue;
      }
      double x = NAN;
      if (col) x = col->numeric ? col->numbers[rows[k]] : b.number_of_code[i][col->codes[rows[k]]];
      out[k * n + i] = !std::isfinite(x) ? static_cast<int32_t>(in.cuts.size() + 1)
                                         : static_cast<int32_t>(UpperBound(in.cuts.data(), in.cuts.size(), x));
    }
  }
}

json Encoder::ToJson() const {
  json inputs = json::array();
  for (const EncodedInput& in : inputs_) {
    if (in.numeric) {
      inputs.push_back({{"name", in.name}, {"type", "numeric"}, {"mean", in.mean},
                        {"scale", in.scale}, {"missingIndicator", in.indicator}, {"cuts", in.cuts}});
    } else {
      inputs.push_back({{"name", in.name}, {"type", "categorical"}, {"levels", in.levels},
                        {"other", in.other}});
    }
  }
  return {{"inputs", std::move(inputs)}};
}

Result<Encoder> Encoder::FromJson(const json& j, const std::string& path) {
  if (!j.is_object() || !j.contains("inputs") || !j["inputs"].is_array()) {
    return MakeError("expected an object with an \"inputs\" array", path);
  }
  Encoder e;
  for (size_t i = 0; i < j["inputs"].size(); ++i) {
    const json& in = j["inputs"][i];
    const std::string at = path + ".inputs[" + std::to_string(i) + "]";
    if (!in.is_object() || !in.contains("name") || !in["name"].is_string()) {
      return MakeError("expected an object with a \"name\" string", at);
    }
    EncodedInput x;
    x.name = in["name"].get<std::string>();
    const json type = in.value("type", json());
    if (type == "numeric") {
      for (const char* key : {"mean", "scale"}) {
        if (!in.contains(key) || !in[key].is_number() || !std::isfinite(in[key].get<double>())) {
          return MakeError("expected a finite number", at + "." + key);
        }
      }
      x.mean = in["mean"].get<double>();
      x.scale = in["scale"].get<double>();
      if (!(x.scale > 0)) return MakeError("expected a positive number", at + ".scale");
      x.indicator = in.value("missingIndicator", false) == true;
      const json cuts = in.value("cuts", json::array());
      if (!cuts.is_array()) return MakeError("expected an array of numbers", at + ".cuts");
      for (const json& c : cuts) {
        if (!c.is_number() || (!x.cuts.empty() && !(c.get<double>() > x.cuts.back()))) {
          return MakeError("expected increasing numbers", at + ".cuts");
        }
        x.cuts.push_back(c.get<double>());
      }
    } else if (type == "categorical") {
      x.numeric = false;
      const json levels = in.value("levels", json());
      if (!levels.is_array()) return MakeError("expected an array of strings", at + ".levels");
      for (const json& l : levels) {
        if (!l.is_string()) return MakeError("expected an array of strings", at + ".levels");
        x.levels.push_back(l.get<std::string>());
      }
      x.other = in.value("other", false) == true;
    } else {
      return MakeError("expected \"numeric\" or \"categorical\"", at + ".type");
    }
    e.inputs_.push_back(std::move(x));
  }
  e.Layout();
  return e;
}

}  // namespace leadkit
