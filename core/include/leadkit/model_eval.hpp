// The predictive model's fitting and evaluation parts: the L2-regularised logistic regression
// (Newton's method with a Cholesky solve and a backtracking line search), naive-Bayes count
// tables, deterministic folds and the metrics (AUC, log-loss, calibration, lift).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "leadkit/model_encoder.hpp"
#include "leadkit/model_trees.hpp"

namespace leadkit {

struct LogisticFit {
  double intercept = 0;
  std::vector<double> weights;
  std::vector<double> covariance;  // packed lower triangle over (intercept, weights), if asked
  int iterations = 0;
  bool converged = false;
};

// Minimises C * sum(log-loss) + |w|^2 / 2 over the rows of `d` (the intercept is not penalised),
// as scikit-learn's LogisticRegression(C=c) does. `y` holds 0/1 per row.
LogisticFit FitLogistic(const Design& d, std::span<const uint8_t> y, double c,
                        bool covariance);
// The logit of each row of `d`.
void LogisticLogits(const Design& d, const LogisticFit& fit, std::vector<double>& out);

struct NaiveBayesFit {
  double prior = 0;                           // log(won / lost)
  double prior_var = 0;
  std::vector<std::vector<double>> ratio;     // per input, per bin: log P(bin|won)/P(bin|lost)
  std::vector<std::vector<double>> variance;  // of each ratio
  std::vector<std::vector<double>> counts;    // per input: lost, won counts of each bin, flat
};
inline constexpr double kNaiveBayesAlpha = 1.0;  // Laplace smoothing per bin and class
NaiveBayesFit FitNaiveBayes(const Encoder& e, const RawTable& raw, std::span<const uint32_t> rows,
                            std::span<const uint8_t> y);
// Rebuilds ratios and variances from counts, as a loaded model does.
void NaiveBayesFromCounts(NaiveBayesFit& fit, double won, double lost);

// Fold of each row (0..k-1): stratified, each outcome's rows shuffled (fixed seed) and dealt round robin.
std::vector<int> StratifiedFolds(std::span<const uint8_t> y, int k);

// Area under the ROC curve, ties counted half (the Mann-Whitney statistic). 0.5 when a class is
// absent.
double Auc(std::span<const double> p, std::span<const uint8_t> y);
// Mean log-loss, probabilities clipped to [1e-15, 1 - 1e-15] as scikit-learn does.
double LogLoss(std::span<const double> p, std::span<const uint8_t> y);
// [{from, to, count, predicted, observed}] over 10 equal-width bins; empty bins have count 0.
nlohmann::json Calibration(std::span<const double> p, std::span<const uint8_t> y);
// [{decile, count, rate, lift, cumulativeLift}]: rows sorted by probability (ties by row),
// decile 1 the highest.
nlohmann::json Lift(std::span<const double> p, std::span<const uint8_t> y);

double Sigmoid(double logit);

// exp, log and log(1 + e^x) from +, -, *, / and exact scaling only (fdlibm's algorithms, within
// 1 ulp), so that they give the same bits natively and in wasm: the C libraries differ in the last
// bit (glibc picks FMA variants on CPUs that have them), and a model must not.
double Exp(double x);
double Log(double x);
double Softplus(double x);

// Train's options, parsed (see model.hpp).
struct TrainOptions {
  std::string kind = "logistic";  // or "naiveBayes", "trees", "auto"
  std::string outcome = "stage";
  nlohmann::json positive, negative;  // null: the defaults
  int folds = 5;
  std::string fold_field;
  double c = 1.0;
  EncoderOptions encoder;
  TreeOptions trees;
  double margin = 0.02;  // auto: the AUC by which a candidate must beat logistic regression
};
// Expected calibration error of a Calibration() table: the rows' mean |predicted - observed|
// over its bins.
double CalibrationError(const nlohmann::json& calibration);
// Cross-validates and fits on the raw rows whose outcome (per row: 1 won, 0 lost, -1 unknown)
// is known; the result is Train's. `outcome_doc` and `source` go into the model document.
Result<nlohmann::json> TrainRaw(const RawTable& raw, const std::vector<int8_t>& outcome,
                                const TrainOptions& t, const nlohmann::json& outcome_doc,
                                const std::string& source, int64_t now_ms);

}  // namespace leadkit
