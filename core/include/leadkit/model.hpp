// Predictive scoring: learns the probability that a lead converts from the user's own won and
// lost leads (or any table of attributes with an outcome), evaluates it by cross-validation, and
// explains every prediction feature by feature. Models are versioned JSON documents.
//
// Train options (all optional): {
//   "kind": "logistic" | "naiveBayes" | "trees" | "auto"   default "logistic"; auto
//                                           cross-validates the three on the same folds and
//                                           keeps logistic regression unless another beats its
//                                           AUC by "margin" (default 0.02)
//   "trees": {learningRate, maxRounds, maxLeaves, maxDepth, minChildSamples, minChildWeight, l2,
//             maxBins, validationFraction, patience, seed}   (see model_trees.hpp)
//   "outcomeField": "stage" | "custom.converted" | any input name   default "stage"
//   "positive": value counted as won        default "customer" (with the stage)
//   "negative": value counted as lost       default: with the stage "lost"; otherwise every
//                                           other known value
//   "folds": k >= 2                         default 5
//   "foldField": input whose values 0..k-1 give each row's fold (then "folds" is ignored)
//   "c": inverse L2 strength, as scikit-learn's C    default 1.0
//   "minLevelCount": rarer levels fold into "(other)"  default 10
//   "exclude": [input names never used as features] }
// Without a foldField, folds are stratified: each outcome's rows, in a fixed-seed shuffled order
// (the same natively and in wasm), are dealt round robin, so every fold has the same mix.
//
// Train result: {kind, auc, aucByFold, logLoss, rows, positives, negatives, folds,
//   calibration: [{from, to, count, predicted, observed}] (10 bins of the out-of-fold probability),
//   lift: [{decile, count, rate, lift, cumulativeLift}] (decile 1 = highest probabilities),
//   drivers: [{feature, weight}] (the 10 largest in absolute value; driverMeasure says what
//   weight is: "coefficient", "logRatio" or, for trees, "meanAbsContribution"),
//   candidates: [{kind, auc, aucByFold, logLoss, calibrationError, calibration,
//                 trees also: uncalibrated: {logLoss, calibrationError, calibration}}],
//   reason (why this kind), warnings: [{code, message}], model}
// `auc` is the mean of the folds' AUCs (as scikit-learn's cross_val_score); `logLoss`, the
// calibration and the lift pool every row's out-of-fold prediction. The final model is fitted
// on every row.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "leadkit/model_encoder.hpp"
#include "leadkit/model_trees.hpp"
#include "leadkit/result.hpp"
#include "leadkit/workspace.hpp"

namespace leadkit {

inline constexpr std::string_view kPredictiveFormat = "leadkit-predictive-model";
inline constexpr int kPredictiveVersion = 1;       // logistic regression and naive Bayes
inline constexpr int kPredictiveTreesVersion = 2;  // gradient-boosted trees
inline constexpr size_t kMaxFeatures = 400;  // bounds the Newton solver and the covariance

Result<nlohmann::json> Train(const Workspace& ws, const nlohmann::json& options, int64_t now_ms);
// The same on a plain table: "outcomeField" (required) names a column.
Result<nlohmann::json> TrainTable(const Table& table, const nlohmann::json& options,
                                  int64_t now_ms);

// One prediction. The band is 95%: logit ± 1.96 standard errors, mapped through the logistic
// function. For logistic regression the standard error comes from the delta method on the
// logit with the coefficients' covariance (the inverse of the penalised Hessian at the fit);
// for naive Bayes, from the counts behind each log ratio (Var log n ≈ 1/n), taken as
// independent; trees have no band (low and high are NaN). contributions[i].logOdds summed in
// order, plus the intercept, give `logit` exactly for the linear models and to rounding (TreeSHAP)
// for trees; the probability is the logistic function of `logit`.
struct FeatureContribution {
  std::string feature;  // "industry = Software", "employees", "employees (missing)"
  std::string input;    // "industry"
  double log_odds = 0;
};
struct Prediction {
  double probability = 0, low = 0, high = 0, logit = 0, intercept = 0;
  std::vector<FeatureContribution> contributions;  // non-zero ones, in feature order
};

class PredictiveModel {
 public:
  // Errors name the bad member's path, e.g. "model.encoder.inputs[3].levels".
  static Result<PredictiveModel> FromJson(const nlohmann::json& doc);
  const nlohmann::json& document() const { return doc_; }
  const std::string& hash() const { return hash_; }  // FNV-1a 64 of the canonical dump, 16 hex
  const std::string& kind() const { return kind_; }
  bool from_table() const { return source_ == "table"; }
  const Encoder& encoder() const { return encoder_; }

  // {id, probability, low, high, logit, intercept, contributions: [{feature, input, logOdds}],
  //  modelHash}
  Result<nlohmann::json> Predict(const Workspace& ws, std::string_view id, int64_t now_ms) const;
  // Every lead: {modelHash, ids, probability, low, high}, one array per column.
  nlohmann::json PredictAll(const Workspace& ws, int64_t now_ms) const;
  // One row of inputs; contributions only when asked.
  Prediction PredictRow(const RawTable& raw, uint32_t row, bool contributions) const;
  // Many rows at once, into out[0 .. rows.size()).
  void Score(const RawTable& raw, std::span<const uint32_t> rows, bool contributions,
             std::vector<Prediction>& out) const;

 private:
  nlohmann::json doc_;
  std::string hash_, kind_, source_;
  Encoder encoder_;
  // Logistic: intercept, one weight per feature, packed lower triangle of the covariance of
  // (intercept, weights). Naive Bayes: prior log ratio, per input per bin the log ratio and its
  // variance.
  double intercept_ = 0, intercept_var_ = 0;
  std::vector<double> weights_, covariance_;
  std::vector<std::vector<double>> nb_ratio_, nb_var_;
  Forest forest_;  // trees, calibrated by Platt's slope and offset
  Platt platt_;
};

// JSON form of a prediction, stamped with the model's hash.
nlohmann::json PredictionToJson(const Prediction& p, std::string_view id, std::string_view hash);

}  // namespace leadkit
