// The predictive model as a loaded document: validation, hash, predictions and their
// explanations.
#include <cmath>
#include <cstdio>
#include <numeric>

#include "leadkit/model.hpp"
#include "leadkit/model_eval.hpp"
#include "leadkit/scoring.hpp"

namespace leadkit {
namespace {

using nlohmann::json;

constexpr double kZ95 = 1.959963984540054;  // two-sided 95% normal quantile

// The model's text for hashing, the same after any JSON round trip: every number is written as
// the double it is with 17 significant digits, so 5 and 5.0, or a shortest form JS chose and the
// one nlohmann chose, hash alike, and -0 as 0. Objects are already in key order.
void CanonicalText(const json& j, std::string& out) {
  switch (j.type()) {
    case json::value_t::object: {
      out += '{';
      bool first = true;
      for (const auto& [k, v] : j.items()) {
        if (!first) out += ',';
        first = false;
        out += json(k).dump();
        out += ':';
        CanonicalText(v, out);
      }
      out += '}';
      break;
    }
    case json::value_t::array: {
      out += '[';
      for (size_t i = 0; i < j.size(); ++i) {
        if (i) out += ',';
        CanonicalText(j[i], out);
      }
      out += ']';
      break;
    }
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float: {
      // -0 prints as 0: JSON.stringify(-0) is "0", so a document that went through JS has lost it.
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.17g", j.get<double>() == 0 ? 0.0 : j.get<double>());
      out += buf;
      break;
    }
    default:
      out += j.dump();
  }
}

// Reads an array of finite numbers of the expected size (any size when `size` is npos).
Status Numbers(const json& doc, const char* key, const std::string& path, size_t size,
               std::vector<double>& out, bool non_negative = false) {
  const std::string at = path + "." + key;
  if (!doc.contains(key) || !doc[key].is_array()) return MakeError("expected an array of numbers", at);
  const json& a = doc[key];
  if (size != std::string::npos && a.size() != size) {
    return MakeError("expected " + std::to_string(size) + " numbers, found " + std::to_string(a.size()), at);
  }
  out.clear();
  for (size_t i = 0; i < a.size(); ++i) {
    if (!a[i].is_number() || !std::isfinite(a[i].get<double>()) || (non_negative && a[i].get<double>() < 0)) {
      return MakeError(non_negative ? "expected a finite number of at least 0" : "expected a finite number",
                       at + "[" + std::to_string(i) + "]");
    }
    out.push_back(a[i].get<double>());
  }
  return Ok{};
}

Status Number(const json& doc, const char* key, const std::string& path, double& out) {
  if (!doc.contains(key) || !doc[key].is_number() || !std::isfinite(doc[key].get<double>())) {
    return MakeError("expected a finite number", path + "." + key);
  }
  out = doc[key].get<double>();
  return Ok{};
}

// The label of a naive-Bayes bin: "employees in [50, 200)", "industry = Software".
std::string BinLabel(const EncodedInput& in, int32_t bin) {
  if (!in.numeric) {
    const auto b = static_cast<size_t>(bin);
    return in.name + " = " + (b < in.levels.size() ? (in.levels[b].empty() ? "(missing)" : in.levels[b]) : "(other)");
  }
  const auto b = static_cast<size_t>(bin);
  if (b == in.cuts.size() + 1) return in.name + " (missing)";
  if (in.cuts.empty()) return in.name;
  if (b == 0) return in.name + " < " + LevelText(in.cuts[0]);
  if (b == in.cuts.size()) return in.name + " >= " + LevelText(in.cuts.back());
  return in.name + " in [" + LevelText(in.cuts[b - 1]) + ", " + LevelText(in.cuts[b]) + ")";
}

// A band's end, or null when the model has none (trees).
json Band(double v) { return std::isnan(v) ? json(nullptr) : json(v); }

}  // namespace

Result<PredictiveModel> PredictiveModel::FromJson(const json& doc) {
  const std::string p = "model";
  if (!doc.is_object()) return MakeError("expected a model document (an object)", p);
  if (doc.value("format", json()) != kPredictiveFormat) {
    return MakeError("expected \"" + std::string(kPredictiveFormat) + "\"", p + ".format");
  }
  const json version = doc.value("version", json());
  if (version != kPredictiveVersion && version != kPredictiveTreesVersion) {
    return MakeError("unsupported version; this leadkit reads versions " + std::to_string(kPredictiveVersion) +
                         " and " + std::to_string(kPredictiveTreesVersion),
                     p + ".version");
  }
  PredictiveModel m;
  m.kind_ = doc.value("kind", json()).is_string() ? doc["kind"].get<std::string>() : "";
  if (m.kind_ != "logistic" && m.kind_ != "naiveBayes" && m.kind_ != "trees") {
    return MakeError("expected \"logistic\", \"naiveBayes\" or \"trees\"", p + ".kind");
  }
  if (m.kind_ == "trees" && version != kPredictiveTreesVersion) {
    return MakeError("trees need version " + std::to_string(kPredictiveTreesVersion), p + ".version");
  }
  m.source_ = doc.value("source", json("leads")).is_string() ? doc.value("source", "leads") : "";
  if (m.source_ != "leads" && m.source_ != "table") return MakeError("expected \"leads\" or \"table\"", p + ".source");
  auto enc = Encoder::FromJson(doc.value("encoder", json()), p + ".encoder");
  if (!enc) return enc.error();
  m.encoder_ = std::move(enc.value());
  const json w = doc.value("weights", json());
  const std::string wp = p + ".weights";
  if (!w.is_object()) return MakeError("expected an object", wp);
  if (m.kind_ == "trees") {
    for (size_t i = 0; i < m.encoder_.inputs().size(); ++i) {
      const EncodedInput& in = m.encoder_.inputs()[i];
      if (in.numeric ? in.cuts.size() > 254 : in.levels.size() + in.other > 31) {
        return MakeError(in.numeric ? "trees bin a number into at most 255 bins (254 cuts)"
                                    : "trees take at most 31 levels",
                         p + ".encoder.inputs[" + std::to_string(i) + "]");
      }
    }
    auto forest = Forest::FromJson(w, m.encoder_, wp);
    if (!forest) return forest.error();
    m.forest_ = std::move(forest.value());
    const json cal = w.value("calibration", json());
    if (!cal.is_object() || cal.value("method", json()) != "platt") {
      return MakeError("expected {\"method\": \"platt\", \"slope\", \"offset\"}", wp + ".calibration");
    }
    if (auto s = Number(cal, "slope", wp + ".calibration", m.platt_.slope); !s) return s.error();
    if (auto s = Number(cal, "offset", wp + ".calibration", m.platt_.offset); !s) return s.error();
  } else if (m.kind_ == "logistic") {
    const size_t params = m.encoder_.features() + 1;
    if (auto s = Number(w, "intercept", wp, m.intercept_); !s) return s.error();
    if (auto s = Numbers(w, "coefficients", wp, params - 1, m.weights_); !s) return s.error();
    if (auto s = Numbers(w, "covariance", wp, std::string::npos, m.covariance_); !s) return s.error();
    if (!m.covariance_.empty() && m.covariance_.size() != params * (params + 1) / 2) {
      return MakeError("expected " + std::to_string(params * (params + 1) / 2) +
                           " numbers (the packed lower triangle), or none",
                       wp + ".covariance");
    }
  } else {
    NaiveBayesFit fit;
    double won = 0, lost = 0;
    if (auto s = Number(w, "won", wp, won); !s) return s.error();
    if (auto s = Number(w, "lost", wp, lost); !s) return s.error();
    const json counts = w.value("counts", json());
    if (!counts.is_array() || counts.size() != m.encoder_.inputs().size()) {
      return MakeError("expected one array of counts per input", wp + ".counts");
    }
    fit.counts.resize(counts.size());
    for (size_t i = 0; i < counts.size(); ++i) {
      const json holder = {{"c", counts[i]}};
      if (auto s = Numbers(holder, "c", wp + ".counts[" + std::to_string(i) + "]", 2 * m.encoder_.BinCount(i),
                           fit.counts[i], true);
          !s) {
        Error e = s.error();
        e.where.path.replace(e.where.path.find(".c"), 2, "");
        return e;
      }
    }
    NaiveBayesFromCounts(fit, won, lost);
    m.intercept_ = fit.prior;
    m.intercept_var_ = fit.prior_var;
    m.nb_ratio_ = std::move(fit.ratio);
    m.nb_var_ = std::move(fit.variance);
  }
  m.doc_ = doc;
  m.doc_.erase("hash");
  std::string canonical;
  CanonicalText(m.doc_, canonical);
  m.hash_ = ContentHash(canonical);
  m.doc_["hash"] = m.hash_;
  return m;
}

Prediction PredictiveModel::PredictRow(const RawTable& raw, uint32_t row, bool contributions) const {
  const std::vector<uint32_t> one = {row};
  std::vector<Prediction> out;
  Score(raw, one, contributions, out);
  return std::move(out[0]);
}

void PredictiveModel::Score(const RawTable& raw, std::span<const uint32_t> rows, bool contributions,
                            std::vector<Prediction>& out) const {
  out.assign(rows.size(), Prediction{});
  const std::vector<std::string>& labels = encoder_.labels();
  const auto& inputs = encoder_.inputs();
  if (kind_ == "trees") {
    const BinnedRows m = BinRows(encoder_, raw, rows);
    const double a = platt_.slope, b = platt_.offset;
    std::vector<double> phi(m.inputs), scores;
    forest_.RawAll(m, scores);
    for (size_t k = 0; k < rows.size(); ++k) {
      Prediction& p = out[k];
      const uint8_t* row = &m.bins[k * m.inputs];
      p.logit = a * scores[k] + b;
      p.probability = Sigmoid(p.logit);
      p.low = p.high = NAN;  // no confidence band for trees
      if (!contributions) continue;
      // TreeSHAP values on the raw score, scaled by the calibration's slope: the intercept (the
      // calibrated expectation) plus them is the calibrated logit.
      p.intercept = a * forest_.Expectation() + b;
      std::fill(phi.begin(), phi.end(), 0.0);
      forest_.Shap(row, phi);
      for (size_t i = 0; i < m.inputs; ++i) {
        if (a * phi[i] == 0) continue;
        const EncodedInput& in = inputs[i];
        const uint32_t bin = row[i];
        std::string label = in.name;
        if (in.numeric && bin + 1 == m.bin_count[i]) label += " (missing)";
        if (!in.numeric) {
          label += " = " + (bin < in.levels.size() ? (in.levels[bin].empty() ? "(missing)" : in.levels[bin])
                            : bin == in.levels.size() && in.other ? "(other)"
                                                                  : "(not seen in training)");
        }
        p.contributions.push_back({std::move(label), in.name, a * phi[i]});
      }
    }
    return;
  }
  if (kind_ == "logistic") {
    Design d;
    encoder_.Encode(raw, rows, d);
    std::vector<size_t> idx;
    std::vector<double> val;
    for (size_t k = 0; k < rows.size(); ++k) {
      Prediction& p = out[k];
      p.intercept = p.logit = intercept_;
      idx.assign(1, 0);
      val.assign(1, 1.0);
      const auto add = [&](size_t feature, double x) {
        const double c = weights_[feature] * x;
        p.logit += c;
        idx.push_back(feature + 1);
        val.push_back(x);
        if (contributions) p.contributions.push_back({labels[feature], inputs[encoder_.input_of()[feature]].name, c});
      };
      for (size_t j = 0; j < d.dense; ++j) {
        if (d.values[k * d.dense + j] != 0) add(j, d.values[k * d.dense + j]);
      }
      for (size_t j = 0; j < d.sparse; ++j) {
        if (d.active[k * d.sparse + j] >= 0) add(static_cast<size_t>(d.active[k * d.sparse + j]), 1.0);
      }
      double var = 0;
      if (!covariance_.empty()) {
        for (size_t a = 0; a < idx.size(); ++a) {
          for (size_t b = 0; b < idx.size(); ++b) {
            const size_t i = std::max(idx[a], idx[b]), j = std::min(idx[a], idx[b]);
            var += val[a] * val[b] * covariance_[i * (i + 1) / 2 + j];
          }
        }
      }
      const double se = std::sqrt(std::max(var, 0.0));
      p.probability = Sigmoid(p.logit);
      p.low = Sigmoid(p.logit - kZ95 * se);
      p.high = Sigmoid(p.logit + kZ95 * se);
    }
    return;
  }
  std::vector<int32_t> bins;
  encoder_.Bins(raw, rows, bins);
  const size_t n = inputs.size();
  for (size_t k = 0; k < rows.size(); ++k) {
    Prediction& p = out[k];
    p.intercept = p.logit = intercept_;
    double var = intercept_var_;
    for (size_t i = 0; i < n; ++i) {
      const int32_t b = bins[k * n + i];
      if (b < 0) continue;  // a level never seen in training, and none folded: no evidence
      const double c = nb_ratio_[i][b];
      p.logit += c;
      var += nb_var_[i][b];
      if (contributions) p.contributions.push_back({BinLabel(inputs[i], b), inputs[i].name, c});
    }
    const double se = std::sqrt(var);
    p.probability = Sigmoid(p.logit);
    p.low = Sigmoid(p.logit - kZ95 * se);
    p.high = Sigmoid(p.logit + kZ95 * se);
  }
}

json PredictionToJson(const Prediction& p, std::string_view id, std::string_view hash) {
  json contributions = json::array();
  for (const FeatureContribution& c : p.contributions) {
    contributions.push_back({{"feature", c.feature}, {"input", c.input}, {"logOdds", c.log_odds}});
  }
  return {{"id", id},         {"probability", p.probability}, {"low", Band(p.low)},
          {"high", Band(p.high)}, {"logit", p.logit},         {"intercept", p.intercept},
          {"contributions", std::move(contributions)},        {"modelHash", hash}};
}

Result<json> PredictiveModel::Predict(const Workspace& ws, std::string_view id, int64_t now_ms) const {
  const auto row = ws.store().RowOf(id);
  if (!row) return MakeError("no lead with id \"" + std::string(id.substr(0, 256)) + "\"", "id");
  const std::vector<uint32_t> one = {*row};
  const RawTable raw = LeadInputs(ws, one, now_ms, &encoder_);
  return PredictionToJson(PredictRow(raw, 0, true), id, hash_);
}

json PredictiveModel::PredictAll(const Workspace& ws, int64_t now_ms) const {
  std::vector<uint32_t> all(ws.store().size());
  std::iota(all.begin(), all.end(), 0u);
  const RawTable raw = LeadInputs(ws, all, now_ms, &encoder_);
  std::vector<uint32_t> rows(raw.rows);
  std::iota(rows.begin(), rows.end(), 0u);
  if (kind_ == "trees") {  // probabilities only: no Prediction per lead, no band
    std::vector<double> scores;
    forest_.RawAll(BinRows(encoder_, raw, rows), scores);
    json::array_t probability;
    probability.reserve(scores.size());
    for (double v : scores) probability.emplace_back(Sigmoid(platt_.slope * v + platt_.offset));
    const json none = json::array_t(scores.size(), json(nullptr));
    return {{"modelHash", hash_}, {"ids", raw.ids}, {"probability", std::move(probability)}, {"low", none},
            {"high", none}};
  }
  std::vector<Prediction> out;
  Score(raw, rows, false, out);
  json probability = json::array(), low = json::array(), high = json::array();
  for (const Prediction& p : out) {
    probability.push_back(p.probability);
    low.push_back(Band(p.low));
    high.push_back(Band(p.high));
  }
  return {{"modelHash", hash_}, {"ids", raw.ids}, {"probability", std::move(probability)},
          {"low", std::move(low)}, {"high", std::move(high)}};
}

}  // namespace leadkit
