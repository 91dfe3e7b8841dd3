// Cross-validation and the final fit of the predictive model, and the model document.
#include <algorithm>
#include <cmath>
#include <numeric>

#include "leadkit/iso_time.hpp"
#include "leadkit/model.hpp"
#include "leadkit/model_eval.hpp"

namespace leadkit {
namespace {

using nlohmann::json;

constexpr size_t kFewMinority = 50;
constexpr size_t kDrivers = 10;

json Warning(const char* code, std::string message) {
  return {{"code", code}, {"message", std::move(message)}};
}

std::string NameList(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size() && i < 10; ++i) out += (i ? ", " : "") + names[i];
  if (names.size() > 10) out += " and " + std::to_string(names.size() - 10) + " more";
  return out;
}

// Fits `kind` on the training rows and returns the probabilities of the test rows.
std::vector<double> FoldProbabilities(const std::string& kind, const RawTable& raw,
                                      const EncoderOptions& eo, double c,
                                      const std::vector<uint32_t>& train,
                                      const std::vector<uint8_t>& y_train,
                                      const std::vector<uint32_t>& test) {
  const Encoder enc = Encoder::Fit(raw, train, eo);
  std::vector<double> logit(test.size());
  if (kind == "logistic") {
    Design d;
    enc.Encode(raw, train, d);
    const LogisticFit fit = FitLogistic(d, y_train, c, false);
    enc.Encode(raw, test, d);
    LogisticLogits(d, fit, logit);
  } else {
    const NaiveBayesFit fit = FitNaiveBayes(enc, raw, train, y_train);
    std::vector<int32_t> bins;
    enc.Bins(raw, test, bins);
    const size_t n = enc.inputs().size();
    for (size_t k = 0; k < test.size(); ++k) {
      logit[k] = fit.prior;
      for (size_t i = 0; i < n; ++i) {
        if (bins[k * n + i] >= 0) logit[k] += fit.ratio[i][bins[k * n + i]];
      }
    }
  }
  for (double& v : logit) v = Sigmoid(v);
  return logit;
}

}  // namespace

Result<json> TrainRaw(const RawTable& raw, const std::vector<int8_t>& outcome, const TrainOptions& t,
                      const json& outcome_doc, const std::string& source, int64_t now_ms) {
  std::vector<uint32_t> rows;
  std::vector<uint8_t> y;
  for (size_t r = 0; r < raw.rows; ++r) {
    if (outcome[r] >= 0) rows.push_back(static_cast<uint32_t>(r)), y.push_back(static_cast<uint8_t>(outcome[r]));
  }
  const size_t pos = static_cast<size_t>(std::count(y.begin(), y.end(), 1)), neg = y.size() - pos;
  if (rows.empty()) {
    return MakeError("no row has a known outcome (\"" + t.outcome + "\")", "options.outcomeField");
  }
  if (pos == 0 || neg == 0) {
    return MakeError(std::string("every row with a known outcome is ") + (pos ? "won" : "lost") +
                         ": a model needs both won and lost examples",
                     "options.outcomeField");
  }
  const size_t minority = std::min(pos, neg);
  json warnings = json::array();
  if (minority < kFewMinority) {
    warnings.push_back(Warning("fewExamples", "only " + std::to_string(minority) + " " +
                                                  (pos < neg ? "won" : "lost") +
                                                  " rows: with fewer than 50 of the rarer outcome, "
                                                  "the metrics and weights are unreliable"));
  }
  EncoderOptions eo = t.encoder;
  eo.exclude.push_back(t.outcome);
  if (!t.fold_field.empty()) eo.exclude.push_back(t.fold_field);
  eo.bins = t.kind == "naiveBayes";

  std::vector<int> fold(rows.size());
  int k = t.folds;
  if (!t.fold_field.empty()) {
    const RawColumn* col = raw.Find(t.fold_field);
    if (!col || !col->numeric) {
      return MakeError("no numeric input named \"" + t.fold_field + "\"", "options.foldField");
    }
    k = 0;
    for (size_t i = 0; i < rows.size(); ++i) {
      const double v = col->numbers[rows[i]];
      if (!(v >= 0 && v < 100 && v == std::floor(v))) {
        return MakeError("row " + raw.ids[rows[i]] + ": expected a fold number from 0 to 99",
                         "options.foldField");
      }
      fold[i] = static_cast<int>(v);
      k = std::max(k, fold[i] + 1);
    }
    if (k < 2) return MakeError("every row is in fold 0: cross-validation needs two folds", "options.foldField");
  } else {
    if (minority < 2) {
      return MakeError("cross-validation needs at least 2 won and 2 lost rows", "options.outcomeField");
    }
    if (minority < static_cast<size_t>(k)) {
      warnings.push_back(Warning("foldsReduced", "only " + std::to_string(minority) + " rows of the rarer outcome: " +
                                                     std::to_string(minority) + " folds instead of " +
                                                     std::to_string(k)));
      k = static_cast<int>(minority);
    }
    fold = StratifiedFolds(y, k);
  }

  // The final encoder first: it fails fast on unusable inputs and names the constant ones.
  std::vector<std::string> constant;
  const Encoder enc = Encoder::Fit(raw, rows, eo, &constant);
  if (enc.features() == 0) {
    return MakeError("no usable input: every input is the same on every row (or all its values "
                     "are rarer than minLevelCount)",
                     "options");
  }
  if (enc.features() > kMaxFeatures) {
    return MakeError(std::to_string(enc.features()) + " features, more than the " +
                         std::to_string(kMaxFeatures) +
                         " a model may have: leave inputs out with exclude, or raise minLevelCount",
                     "options");
  }
  if (!constant.empty()) {
    warnings.push_back(Warning("constantInputs", "left out, the same on every row (or every value rarer "
                                                 "than minLevelCount): " + NameList(constant)));
  }

  std::vector<double> oof(rows.size());
  json auc_by_fold = json::array();
  double auc_sum = 0;
  for (int f = 0; f < k; ++f) {
    std::vector<uint32_t> train, test;
    std::vector<uint8_t> y_train, y_test;
    std::vector<size_t> at;
    for (size_t i = 0; i < rows.size(); ++i) {
      if (fold[i] == f) test.push_back(rows[i]), y_test.push_back(y[i]), at.push_back(i);
      else train.push_back(rows[i]), y_train.push_back(y[i]);
    }
    if (test.empty()) continue;
    const auto p = FoldProbabilities(t.kind, raw, eo, t.c, train, y_train, test);
    for (size_t j = 0; j < p.size(); ++j) oof[at[j]] = p[j];
    const size_t test_pos = static_cast<size_t>(std::count(y_test.begin(), y_test.end(), 1));
    if (test_pos == 0 || test_pos == test.size()) continue;  // AUC needs both outcomes
    const double a = Auc(p, y_test);
    auc_by_fold.push_back(a);
    auc_sum += a;
  }
  if (auc_by_fold.empty()) {
    warnings.push_back(Warning("noAuc", "no fold holds both outcomes, so no AUC could be measured"));
  }

  json weights, drivers = json::array();
  std::vector<std::pair<double, std::string>> ranked;
  if (t.kind == "logistic") {
    Design d;
    enc.Encode(raw, rows, d);
    const LogisticFit fit = FitLogistic(d, y, t.c, true);
    if (!fit.converged) {
      warnings.push_back(Warning("notConverged", "the solver stopped after " + std::to_string(fit.iterations) +
                                                     " iterations without converging"));
    }
    std::vector<double> logit;
    LogisticLogits(d, fit, logit);
    double min_won = INFINITY, max_lost = -INFINITY;
    for (size_t i = 0; i < rows.size(); ++i) {
      if (y[i]) min_won = std::min(min_won, logit[i]);
      else max_lost = std::max(max_lost, logit[i]);
    }
    if (min_won > max_lost) {
      warnings.push_back(Warning("separation", "the inputs separate won from lost perfectly on the "
                                               "training rows: the L2 penalty keeps the weights finite, "
                                               "but probabilities near 0 and 1 are overconfident"));
    }
    weights = {{"intercept", fit.intercept}, {"coefficients", fit.weights}, {"covariance", fit.covariance}};
    for (size_t j = 0; j < fit.weights.size(); ++j) ranked.push_back({fit.weights[j], enc.labels()[j]});
  } else {
    const NaiveBayesFit fit = FitNaiveBayes(enc, raw, rows, y);
    weights = {{"won", pos}, {"lost", neg}, {"counts", fit.counts}};
    for (size_t i = 0; i < fit.ratio.size(); ++i) {
      double best = 0;
      for (double r : fit.ratio[i]) best = std::abs(r) > std::abs(best) ? r : best;
      ranked.push_back({best, enc.inputs()[i].name});
    }
  }
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const auto& a, const auto& b) { return std::abs(a.first) > std::abs(b.first); });
  for (size_t i = 0; i < ranked.size() && i < kDrivers; ++i) {
    drivers.push_back({{"feature", ranked[i].second}, {"weight", ranked[i].first}});
  }

  const double auc = auc_by_fold.empty() ? 0.5 : auc_sum / static_cast<double>(auc_by_fold.size());
  const double log_loss = LogLoss(oof, y);
  json options = {{"c", t.c}, {"minLevelCount", eo.min_level_count}, {"folds", k}};
  if (!t.fold_field.empty()) options["foldField"] = t.fold_field;
  json doc = {{"format", kPredictiveFormat},
              {"version", kPredictiveVersion},
              {"kind", t.kind},
              {"source", source},
              {"outcome", outcome_doc},
              {"options", std::move(options)},
              {"encoder", enc.ToJson()},
              {"features", enc.labels()},
              {"weights", std::move(weights)},
              {"metrics", {{"auc", auc}, {"logLoss", log_loss}, {"rows", rows.size()},
                           {"positives", pos}, {"negatives", neg}}},
              {"trainedAt", FormatIsoTime(now_ms)}};
  auto model = PredictiveModel::FromJson(doc);
  if (!model) return model.error();  // a bug: what Train writes, FromJson must read
  return json{{"auc", auc_by_fold.empty() ? json(nullptr) : json(auc)},
              {"aucByFold", std::move(auc_by_fold)},
              {"logLoss", log_loss},
              {"rows", rows.size()},
              {"positives", pos},
              {"negatives", neg},
              {"folds", k},
              {"calibration", Calibration(oof, y)},
              {"lift", Lift(oof, y)},
              {"drivers", std::move(drivers)},
              {"warnings", std::move(warnings)},
              {"model", model.value().document()}};
}

}  // namespace leadkit
