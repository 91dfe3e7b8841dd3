// Cross-validation and the final fit of the predictive model, and the model document.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

#include "leadkit/iso_time.hpp"
#include "leadkit/model.hpp"
#include "leadkit/model_eval.hpp"

namespace leadkit {
namespace {

using nlohmann::json;

constexpr size_t kFewMinority = 50;
constexpr size_t kDrivers = 10;
constexpr size_t kDriverSample = 400;  // rows whose TreeSHAP values rank the trees' drivers

json Warning(const char* code, std::string message) {
  return {{"code", code}, {"message", std::move(message)}};
}

std::string NameList(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size() && i < 10; ++i) out += (i ? ", " : "") + names[i];
  if (names.size() > 10) out += " and " + std::to_string(names.size() - 10) + " more";
  return out;
}

EncoderOptions EncoderFor(const std::string& kind, EncoderOptions eo, const TrainOptions& t) {
  eo.bins = kind == "naiveBayes";
  eo.tree_bins = kind == "trees" ? static_cast<size_t>(t.trees.max_bins) : 0;
  return eo;
}

// Fits `kind` on the training rows and returns the test rows' logits (trees: raw scores, before
// calibration).
std::vector<double> FoldScores(const std::string& kind, const RawTable& raw, const EncoderOptions& eo,
                               const TrainOptions& t, const std::vector<uint32_t>& train,
                               const std::vector<uint8_t>& y_train, const std::vector<uint32_t>& test,
                               int* rounds) {
  const Encoder enc = Encoder::Fit(raw, train, eo);
  std::vector<double> logit(test.size());
  if (kind == "logistic") {
    Design d;
    enc.Encode(raw, train, d);
    const LogisticFit fit = FitLogistic(d, y_train, t.c, false);
    enc.Encode(raw, test, d);
    LogisticLogits(d, fit, logit);
  } else if (kind == "trees") {
    // Binned once, training and test rows alike, with the training rows' cuts.
    std::vector<uint32_t> both = train;
    both.insert(both.end(), test.begin(), test.end());
    const BinnedRows m = BinRows(enc, raw, both);
    std::vector<uint32_t> idx(train.size());
    std::iota(idx.begin(), idx.end(), 0u);
    const ForestFit fit = FitForest(m, idx, y_train, t.trees);
    if (rounds) *rounds = fit.rounds;
    for (size_t k = 0; k < test.size(); ++k) logit[k] = fit.forest.Raw(&m.bins[(train.size() + k) * m.inputs]);
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
  return logit;
}

// One candidate's cross-validation: out-of-fold probabilities and the folds' AUCs.
struct Candidate {
  std::string kind;
  std::vector<double> oof, raw_oof;  // raw_oof: trees' scores before calibration
  json auc_by_fold = json::array();
  double auc_sum = 0;
  Platt platt;  // trees: fitted on every out-of-fold score, for the final model
  json rounds = json::array();
  bool measured() const { return !auc_by_fold.empty(); }
  double auc() const { return measured() ? auc_sum / static_cast<double>(auc_by_fold.size()) : 0.5; }
};

Candidate CrossValidate(const std::string& kind, const RawTable& raw, const std::vector<uint32_t>& rows,
                        const std::vector<uint8_t>& y, const std::vector<int>& fold, int k,
                        const EncoderOptions& base, const TrainOptions& t) {
  Candidate c;
  c.kind = kind;
  const EncoderOptions eo = EncoderFor(kind, base, t);
  std::vector<double> score(rows.size());
  for (int f = 0; f < k; ++f) {
    std::vector<uint32_t> train, test;
    std::vector<uint8_t> y_train;
    std::vector<size_t> at;
    for (size_t i = 0; i < rows.size(); ++i) {
      if (fold[i] == f) test.push_back(rows[i]), at.push_back(i);
      else train.push_back(rows[i]), y_train.push_back(y[i]);
    }
    if (test.empty()) continue;
    int rounds = 0;
    const auto s = FoldScores(kind, raw, eo, t, train, y_train, test, &rounds);
    if (kind == "trees") c.rounds.push_back(rounds);
    for (size_t j = 0; j < s.size(); ++j) score[at[j]] = s[j];
  }
  c.oof.resize(rows.size());
  if (kind == "trees") {
    // Platt scaling, cross-fitted: each fold's scores are calibrated by a fit on the other folds'
    // out-of-fold scores, so the reported log-loss and reliability never saw their own labels.
    c.raw_oof = score;
    for (int f = 0; f < k; ++f) {
      std::vector<double> s;
      std::vector<uint8_t> ys;
      for (size_t i = 0; i < rows.size(); ++i) {
        if (fold[i] != f) s.push_back(score[i]), ys.push_back(y[i]);
      }
      const Platt p = FitPlatt(s, ys);
      for (size_t i = 0; i < rows.size(); ++i) {
        if (fold[i] == f) c.oof[i] = Sigmoid(p.slope * score[i] + p.offset);
      }
    }
    c.platt = FitPlatt(score, y);
  } else {
    for (size_t i = 0; i < rows.size(); ++i) c.oof[i] = Sigmoid(score[i]);
  }
  for (int f = 0; f < k; ++f) {
    std::vector<double> p;
    std::vector<uint8_t> y_test;
    for (size_t i = 0; i < rows.size(); ++i) {
      if (fold[i] == f) p.push_back(c.oof[i]), y_test.push_back(y[i]);
    }
    const size_t test_pos = static_cast<size_t>(std::count(y_test.begin(), y_test.end(), 1));
    if (test_pos == 0 || test_pos == y_test.size()) continue;  // AUC needs both outcomes
    const double a = Auc(p, y_test);
    c.auc_by_fold.push_back(a);
    c.auc_sum += a;
  }
  return c;
}

std::string Fixed(double v, int digits = 3) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

json CandidateJson(const Candidate& c, const std::vector<uint8_t>& y) {
  const json calibration = Calibration(c.oof, y);
  json j = {{"kind", c.kind},
            {"auc", c.measured() ? json(c.auc()) : json(nullptr)},
            {"aucByFold", c.auc_by_fold},
            {"logLoss", LogLoss(c.oof, y)},
            {"calibrationError", CalibrationError(calibration)},
            {"calibration", calibration}};
  if (c.kind == "trees") {
    std::vector<double> raw_p(c.raw_oof.size());
    for (size_t i = 0; i < raw_p.size(); ++i) raw_p[i] = Sigmoid(c.raw_oof[i]);
    const json raw_cal = Calibration(raw_p, y);
    j["uncalibrated"] = {{"logLoss", LogLoss(raw_p, y)}, {"calibrationError", CalibrationError(raw_cal)},
                         {"calibration", raw_cal}};
    j["calibrationMethod"] = "platt";
    j["rounds"] = c.rounds;  // trees kept by each fold's model
  }
  return j;
}

// Which candidate auto picks, and why in a sentence. Logistic regression is the default; trees
// replace it only when their AUC is higher by at least the margin. Naive Bayes is the baseline
// the others are read against, never picked: its probabilities are the least calibrated.
size_t Choose(const std::vector<Candidate>& cs, double margin, std::string& reason) {
  size_t logistic = 0, trees = cs.size();
  for (size_t i = 0; i < cs.size(); ++i) {
    if (cs[i].kind == "logistic") logistic = i;
    if (cs[i].kind == "trees") trees = i;
  }
  const Candidate& l = cs[logistic];
  if (!l.measured() || trees == cs.size()) {
    reason = "No AUC could be measured, so the default, logistic regression, is kept.";
    return logistic;
  }
  const Candidate& t = cs[trees];
  const double d = t.auc() - l.auc();
  if (t.measured() && d >= margin) {
    reason = "Gradient-boosted trees: cross-validated AUC " + Fixed(t.auc()) + " against " + Fixed(l.auc()) +
             " for logistic regression, " + Fixed(d) + " higher, more than the " + Fixed(margin, 2) +
             " margin. The inputs interact in ways a linear model cannot express; the trees' probabilities "
             "are calibrated on out-of-fold scores.";
    return trees;
  }
  bool no_trees = !t.rounds.empty();
  for (const json& r : t.rounds) no_trees = no_trees && r == 0;
  reason = "Logistic regression: " +
           (!t.measured() ? std::string("the trees' AUC could not be measured")
            : no_trees    ? "no fold kept a single tree (too few leads to split, or no split that held up on "
                            "the validation rows)"
                          : "the trees' AUC (" + Fixed(t.auc()) + ") is " + Fixed(std::abs(d)) +
                             (d >= 0 ? " higher, less than the " + Fixed(margin, 2) + " margin that would justify them"
                                     : " lower")) +
           ", and a linear model explains itself with one weight per input and gives a confidence band.";
  return logistic;
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

  std::vector<std::string> kinds = {t.kind};
  if (t.kind == "auto") kinds = {"logistic", "naiveBayes", "trees"};
  std::vector<Candidate> candidates;
  for (const std::string& kind : kinds) candidates.push_back(CrossValidate(kind, raw, rows, y, fold, k, eo, t));
  std::string reason = "Chosen in the options (kind \"" + t.kind + "\").";
  const Candidate& chosen = candidates[t.kind == "auto" ? Choose(candidates, t.margin, reason) : 0];
  const std::string& kind = chosen.kind;
  if (!chosen.measured()) {
    warnings.push_back(Warning("noAuc", "no fold holds both outcomes, so no AUC could be measured"));
  }

  json weights, drivers = json::array(), options = {{"minLevelCount", eo.min_level_count}, {"folds", k}};
  std::string driver_measure = "coefficient";
  std::vector<std::pair<double, std::string>> ranked;
  json encoder_doc = enc.ToJson(), features = enc.labels();
  if (kind != "trees") options["c"] = t.c;
  if (kind == "logistic") {
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
  } else if (kind == "trees") {
    const TreeOptions& o = t.trees;
    options["trees"] = {{"learningRate", o.learning_rate}, {"maxRounds", o.max_rounds}, {"maxLeaves", o.max_leaves},
                        {"maxDepth", o.max_depth}, {"minChildSamples", o.min_child_samples},
                        {"minChildWeight", o.min_child_weight}, {"l2", o.l2}, {"maxBins", o.max_bins},
                        {"validationFraction", o.validation_fraction}, {"patience", o.patience}, {"seed", o.seed}};
    const Encoder tenc = Encoder::Fit(raw, rows, EncoderFor("trees", eo, t));
    std::vector<uint32_t> idx(rows.size());
    std::iota(idx.begin(), idx.end(), 0u);
    const BinnedRows m = BinRows(tenc, raw, rows);
    const ForestFit fit = FitForest(m, idx, y, o);
    if (fit.rounds == 0) {
      warnings.push_back(Warning("noTrees", "early stopping kept no tree: no split improved the loss on the "
                                            "validation rows, so every lead gets the base rate"));
    }
    weights = fit.forest.ToJson();
    weights["rounds"] = fit.rounds;
    weights["calibration"] = {{"method", "platt"}, {"slope", chosen.platt.slope}, {"offset", chosen.platt.offset}};
    encoder_doc = tenc.ToJson();
    features = json::array();
    for (const EncodedInput& in : tenc.inputs()) features.push_back(in.name);
    // Drivers: the mean absolute TreeSHAP value of each input (in calibrated log-odds) over up to
    // kDriverSample rows spread evenly through the training rows.
    driver_measure = "meanAbsContribution";
    std::vector<double> sum(m.inputs, 0.0), phi(m.inputs);
    const size_t stride = (rows.size() + kDriverSample - 1) / kDriverSample;
    double sampled = 0;
    for (size_t i = 0; i < rows.size(); i += stride, sampled += 1) {
      std::fill(phi.begin(), phi.end(), 0.0);
      fit.forest.Shap(&m.bins[i * m.inputs], phi);
      for (size_t f = 0; f < m.inputs; ++f) sum[f] += std::abs(phi[f]);
    }
    for (size_t f = 0; f < m.inputs; ++f) {
      if (sum[f] > 0) ranked.push_back({sum[f] / sampled * std::abs(chosen.platt.slope), tenc.inputs()[f].name});
    }
  } else {
    const Encoder nenc = Encoder::Fit(raw, rows, EncoderFor("naiveBayes", eo, t));
    const NaiveBayesFit fit = FitNaiveBayes(nenc, raw, rows, y);
    encoder_doc = nenc.ToJson();
    features = nenc.labels();
    driver_measure = "logRatio";
    weights = {{"won", pos}, {"lost", neg}, {"counts", fit.counts}};
    for (size_t i = 0; i < fit.ratio.size(); ++i) {
      double best = 0;
      for (double r : fit.ratio[i]) best = std::abs(r) > std::abs(best) ? r : best;
      ranked.push_back({best, nenc.inputs()[i].name});
    }
  }
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const auto& a, const auto& b) { return std::abs(a.first) > std::abs(b.first); });
  for (size_t i = 0; i < ranked.size() && i < kDrivers; ++i) {
    drivers.push_back({{"feature", ranked[i].second}, {"weight", ranked[i].first}});
  }

  const double auc = chosen.auc();
  const double log_loss = LogLoss(chosen.oof, y);
  if (!t.fold_field.empty()) options["foldField"] = t.fold_field;
  json candidates_json = json::array(), summary = json::array();
  for (const Candidate& c : candidates) {
    candidates_json.push_back(CandidateJson(c, y));
    const json& j = candidates_json.back();
    summary.push_back({{"kind", c.kind}, {"auc", j["auc"]}, {"logLoss", j["logLoss"]},
                       {"calibrationError", j["calibrationError"]}});
  }
  json doc = {{"format", kPredictiveFormat},
              {"version", kind == "trees" ? kPredictiveTreesVersion : kPredictiveVersion},
              {"kind", kind},
              {"source", source},
              {"outcome", outcome_doc},
              {"options", std::move(options)},
              {"encoder", std::move(encoder_doc)},
              {"features", std::move(features)},
              {"weights", std::move(weights)},
              {"metrics", {{"auc", auc}, {"logLoss", log_loss}, {"rows", rows.size()},
                           {"positives", pos}, {"negatives", neg}}},
              {"trainedAt", FormatIsoTime(now_ms)}};
  if (t.kind == "auto") {
    doc["selection"] = {{"margin", t.margin}, {"candidates", std::move(summary)}, {"reason", reason}};
  }
  auto model = PredictiveModel::FromJson(doc);
  if (!model) return model.error();  // a bug: what Train writes, FromJson must read
  return json{{"kind", kind},
              {"auc", chosen.measured() ? json(auc) : json(nullptr)},
              {"aucByFold", chosen.auc_by_fold},
              {"logLoss", log_loss},
              {"rows", rows.size()},
              {"positives", pos},
              {"negatives", neg},
              {"folds", k},
              {"calibration", Calibration(chosen.oof, y)},
              {"lift", Lift(chosen.oof, y)},
              {"drivers", std::move(drivers)},
              {"driverMeasure", driver_measure},
              {"candidates", std::move(candidates_json)},
              {"reason", reason},
              {"warnings", std::move(warnings)},
              {"model", model.value().document()}};
}

}  // namespace leadkit
