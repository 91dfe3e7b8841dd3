#include "leadkit/model.hpp"

#include <cmath>
#include <string>

#include <gtest/gtest.h>

#include "fixtures.hpp"
#include "leadkit/model_eval.hpp"
#include "leadkit/workspace.hpp"

namespace leadkit {
namespace {

using nlohmann::json;
using testing::kNow;

// A deterministic stream of numbers in [0, 1).
class Random {
 public:
  explicit Random(uint64_t seed) : s_(seed * 6364136223846793005ull + 1442695040888963407ull) {}
  double Next() {
    s_ = s_ * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<double>(s_ >> 11) / 9007199254740992.0;
  }

 private:
  uint64_t s_;
};

// Leads in three industries that convert at 90% (Xeno), 50% (Zeta) and 10% (Yarn); every
// fourth one has no employee count. Leads past `closed` stay open (stage "new").
json PlantedLeads(int n, int closed, uint64_t seed = 1) {
  Random rnd(seed);
  const char* industries[] = {"Xeno", "Zeta", "Yarn"};
  const double rates[] = {0.9, 0.5, 0.1};
  json leads = json::array();
  for (int i = 0; i < n; ++i) {
    const int k = i % 3;
    const bool won = rnd.Next() < rates[k];
    json lead = {{"id", "L-" + std::to_string(i)}, {"company", "Co " + std::to_string(i)},
                 {"industry", industries[k]}, {"country", i % 2 ? "Germany" : "France"},
                 {"custom", {{"converted", won}, {"plan", i % 5 ? "pro" : "free"}}}};
    if (i % 4) lead["employees"] = 10 + static_cast<int>(rnd.Next() * 500);
    if (i < closed) {
      lead["stage"] = won ? "customer" : "lost";
      if (!won) lead["stageReason"] = "price";
    }
    leads.push_back(std::move(lead));
  }
  return leads;
}

Workspace Load(const json& leads) {
  Workspace ws;
  const LoadReport r = ws.Load(leads, kNow);
  EXPECT_TRUE(r.errors.empty()) << r.errors[0].ToString();
  return ws;
}

json TrainOk(const Workspace& ws, const json& options = json::object()) {
  auto r = Train(ws, options, kNow);
  EXPECT_TRUE(r.ok()) << r.error().ToString();
  return r.ok() ? r.value() : json();
}

bool HasWarning(const json& result, const std::string& code) {
  for (const json& w : result["warnings"]) {
    if (w["code"] == code) return true;
  }
  return false;
}

double Weight(const json& model, const std::string& feature) {
  const json& f = model["features"];
  for (size_t j = 0; j < f.size(); ++j) {
    if (f[j] == feature) return model["weights"]["coefficients"][j].get<double>();
  }
  ADD_FAILURE() << "no feature " << feature;
  return NAN;
}

TEST(PredictiveModel, LearnsAPlantedIndustrySignalAndRanksTheStrongIndustryFirst) {
  const Workspace ws = Load(PlantedLeads(900, 900));
  const json r = TrainOk(ws);
  EXPECT_GT(r["auc"].get<double>(), 0.8);
  EXPECT_EQ(r["aucByFold"].size(), 5u);
  EXPECT_GT(Weight(r["model"], "industry = Xeno"), Weight(r["model"], "industry = Zeta"));
  EXPECT_GT(Weight(r["model"], "industry = Zeta"), Weight(r["model"], "industry = Yarn"));
  const auto m = PredictiveModel::FromJson(r["model"]);
  ASSERT_TRUE(m.ok()) << m.error().ToString();
  const double x = m.value().Predict(ws, "L-0", kNow).value()["probability"];
  const double y = m.value().Predict(ws, "L-2", kNow).value()["probability"];
  EXPECT_GT(x, 0.75);
  EXPECT_LT(y, 0.25);
  EXPECT_EQ(r["calibration"].size(), 10u);
  EXPECT_EQ(r["lift"].size(), 10u);
  EXPECT_GT(r["lift"][0]["lift"].get<double>(), 1.5);  // the top decile is mostly Xeno
}

TEST(PredictiveModel, ContributionsAndTheInterceptAddUpToTheLogitExactly) {
  const Workspace ws = Load(PlantedLeads(600, 600));
  for (const char* kind : {"logistic", "naiveBayes"}) {
    const auto m = PredictiveModel::FromJson(TrainOk(ws, {{"kind", kind}})["model"]).value();
    for (const char* id : {"L-0", "L-1", "L-2", "L-3"}) {
      const json p = m.Predict(ws, id, kNow).value();
      double sum = p["intercept"].get<double>();
      for (const json& c : p["contributions"]) sum += c["logOdds"].get<double>();
      EXPECT_EQ(sum, p["logit"].get<double>()) << kind << " " << id;
      EXPECT_DOUBLE_EQ(p["probability"].get<double>(), Sigmoid(sum));
      EXPECT_LE(p["low"].get<double>(), p["probability"].get<double>());
      EXPECT_GE(p["high"].get<double>(), p["probability"].get<double>());
      EXPECT_LT(p["low"].get<double>(), p["high"].get<double>()) << "a band has width";
      EXPECT_EQ(p["modelHash"], m.hash());
    }
  }
}

TEST(PredictiveModel, AStrongerPenaltyShrinksTheWeights) {
  const Workspace ws = Load(PlantedLeads(600, 600));
  double previous = INFINITY;
  for (double c : {100.0, 1.0, 0.01}) {
    const json w = TrainOk(ws, {{"c", c}})["model"]["weights"]["coefficients"];
    double norm = 0;
    for (const json& v : w) norm += v.get<double>() * v.get<double>();
    EXPECT_LT(norm, previous) << "C = " << c;
    previous = norm;
  }
}

TEST(PredictiveModel, FitMeetsTheOptimalityConditionOfThePenalisedLoss) {
  // At the minimum of C * sum(log-loss) + |w|^2 / 2: C * X'(p - y) + w = 0, and sum(p - y) = 0.
  Design d;
  d.rows = 6, d.dense = 2, d.sparse = 0, d.features = 2;
  d.values = {0.5, 1, -1, 0.2, 2, -0.3, 0.1, 0.9, -0.7, -1.2, 1.5, 0.4};
  const std::vector<uint8_t> y = {1, 0, 1, 0, 0, 1};
  const double c = 0.7;
  const LogisticFit fit = FitLogistic(d, y, c, true);
  ASSERT_TRUE(fit.converged);
  std::vector<double> logit;
  LogisticLogits(d, fit, logit);
  double g0 = 0, g1 = 0, g2 = 0;
  for (size_t i = 0; i < d.rows; ++i) {
    const double r = Sigmoid(logit[i]) - y[i];
    g0 += r, g1 += r * d.values[i * 2], g2 += r * d.values[i * 2 + 1];
  }
  EXPECT_NEAR(g0, 0, 1e-9);
  EXPECT_NEAR(c * g1 + fit.weights[0], 0, 1e-9);
  EXPECT_NEAR(c * g2 + fit.weights[1], 0, 1e-9);
  EXPECT_EQ(fit.covariance.size(), 6u);
  EXPECT_GT(fit.covariance[0], 0);  // a variance
}

TEST(PredictiveModel, TheOutcomeFieldIsNeverAFeature) {
  const Workspace ws = Load(PlantedLeads(600, 600));
  const json by_custom = TrainOk(ws, {{"outcomeField", "custom.converted"}, {"positive", true}});
  const json by_stage = TrainOk(ws);
  for (const json& f : by_custom["model"]["features"]) {
    EXPECT_FALSE(f.get<std::string>().starts_with("custom.converted")) << f;
  }
  // The stage is the default outcome and never an input, whatever the outcome.
  for (const json* r : {&by_custom, &by_stage}) {
    for (const json& f : (*r)["model"]["features"]) EXPECT_FALSE(f.get<std::string>().starts_with("stage")) << f;
  }
  EXPECT_EQ(by_custom["rows"], 600);
}

TEST(PredictiveModel, RareLevelsFoldIntoOther) {
  json leads = PlantedLeads(600, 600);
  for (int i = 0; i < 3; ++i) leads[i * 7]["industry"] = "Rare";
  const json features = TrainOk(Load(leads), {{"minLevelCount", 10}})["model"]["features"];
  const std::string all = features.dump();
  EXPECT_EQ(all.find("industry = Rare"), std::string::npos);
  EXPECT_NE(all.find("industry = (other)"), std::string::npos);
}

TEST(PredictiveModel, AMissingNumberGetsAnIndicatorFeature) {
  const Workspace ws = Load(PlantedLeads(600, 600));
  const json r = TrainOk(ws);
  EXPECT_NE(r["model"]["features"].dump().find("employees (missing)"), std::string::npos);
  const auto m = PredictiveModel::FromJson(r["model"]).value();
  const json p = m.Predict(ws, "L-0", kNow).value();  // every fourth lead has no employee count
  bool indicator = false;
  for (const json& c : p["contributions"]) indicator = indicator || c["feature"] == "employees (missing)";
  EXPECT_TRUE(indicator) << p.dump();
}

TEST(PredictiveModel, NaiveBayesBaselineLearnsThePlantedSignal) {
  const Workspace ws = Load(PlantedLeads(900, 900));
  const json r = TrainOk(ws, {{"kind", "naiveBayes"}});
  EXPECT_GT(r["auc"].get<double>(), 0.8);
  EXPECT_EQ(r["model"]["kind"], "naiveBayes");
  const auto m = PredictiveModel::FromJson(r["model"]).value();
  EXPECT_GT(m.Predict(ws, "L-0", kNow).value()["probability"].get<double>(),
            m.Predict(ws, "L-2", kNow).value()["probability"].get<double>());
}

TEST(PredictiveModel, TheDocumentRoundTripsWithTheSameHashAndPredictions) {
  const Workspace ws = Load(PlantedLeads(700, 600));
  for (const char* kind : {"logistic", "naiveBayes"}) {
    const auto a = PredictiveModel::FromJson(TrainOk(ws, {{"kind", kind}})["model"]).value();
    const auto b = PredictiveModel::FromJson(json::parse(a.document().dump(), nullptr, false)).value();
    EXPECT_EQ(a.hash(), b.hash());
    EXPECT_EQ(a.hash().size(), 16u);
    EXPECT_EQ(a.PredictAll(ws, kNow), b.PredictAll(ws, kNow));
    EXPECT_EQ(a.Predict(ws, "L-650", kNow).value(), b.Predict(ws, "L-650", kNow).value());  // open lead
  }
}

TEST(PredictiveModel, ABadDocumentGivesAnErrorNamingThePath) {
  const json good = TrainOk(Load(PlantedLeads(300, 300)))["model"];
  const auto path_of = [](json doc) { return PredictiveModel::FromJson(doc).error().where.path; };
  json d = good;
  d["format"] = "something";
  EXPECT_EQ(path_of(d), "model.format");
  d = good;
  d["version"] = 99;
  EXPECT_EQ(path_of(d), "model.version");
  d = good;
  d["weights"]["coefficients"].erase(0);
  EXPECT_EQ(path_of(d), "model.weights.coefficients");
  d = good;
  d["weights"]["coefficients"][1] = "x";
  EXPECT_EQ(path_of(d), "model.weights.coefficients[1]");
  d = good;
  d["encoder"]["inputs"][0]["type"] = "date";
  EXPECT_EQ(path_of(d), "model.encoder.inputs[0].type");
  EXPECT_EQ(path_of(json::array()), "model");
}

TEST(PredictiveModel, TooFewExamplesOfTheRarerOutcomeGiveAWarning) {
  const json r = TrainOk(Load(PlantedLeads(60, 60)), {{"minLevelCount", 2}});
  EXPECT_TRUE(HasWarning(r, "fewExamples")) << r["warnings"].dump();
  EXPECT_FALSE(HasWarning(TrainOk(Load(PlantedLeads(600, 600))), "fewExamples"));
}

TEST(PredictiveModel, EveryLeadWithTheSameOutcomeIsAnError) {
  json leads = PlantedLeads(100, 100);
  for (json& l : leads) l["stage"] = "customer";
  const auto r = Train(Load(leads), json::object(), kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().where.path, "options.outcomeField");
  EXPECT_NE(r.error().message.find("won"), std::string::npos);
  EXPECT_EQ(Train(Load(leads), {{"c", -1}}, kNow).error().where.path, "options.c");
}

Table PlantedTable(int n) {
  Random rnd(7);
  Table t;
  t.headers = {"score", "segment", "constant", "won"};
  for (int i = 0; i < n; ++i) {
    const double x = rnd.Next() * 4 - 2;
    const bool won = rnd.Next() < Sigmoid(2 * x);
    t.rows.push_back({std::to_string(x), i % 2 ? "a" : "b", "same", won ? "yes" : "no"});
  }
  t.rows[3][0] = "nan";
  t.rows[5][0] = "inf";
  return t;
}

TEST(PredictiveModel, ATableWithConstantAndNonFiniteCellsTrainsAndPredictsFiniteValues) {
  const auto r = TrainTable(PlantedTable(400), {{"outcomeField", "won"}, {"positive", "yes"}}, kNow);
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_TRUE(HasWarning(r.value(), "constantInputs"));
  EXPECT_GT(r.value()["auc"].get<double>(), 0.75);
  const auto m = PredictiveModel::FromJson(r.value()["model"]).value();
  EXPECT_TRUE(m.from_table());
  // Non-finite cells read as missing; a segment never seen in training gives no evidence.
  Table t;
  t.headers = {"score", "segment"};
  t.rows = {{"1e308", "c"}, {"-inf", "a"}, {"", ""}, {"NaN", "b"}};
  const RawTable raw = TableInputs(t);
  for (uint32_t row = 0; row < raw.rows; ++row) {
    const Prediction p = m.PredictRow(raw, row, true);
    EXPECT_TRUE(std::isfinite(p.probability) && std::isfinite(p.low) && std::isfinite(p.high)) << row;
  }
}

TEST(PredictiveModel, PredictsWhenTheModelsInputsAreAbsent) {
  const auto r = TrainTable(PlantedTable(400), {{"outcomeField", "won"}, {"positive", "yes"}}, kNow);
  const auto m = PredictiveModel::FromJson(r.value()["model"]).value();
  const Workspace ws = Load(PlantedLeads(10, 0));  // leads have neither "score" nor "segment"
  const json p = m.Predict(ws, "L-1", kNow).value();
  EXPECT_TRUE(std::isfinite(p["probability"].get<double>()));
  EXPECT_EQ(m.PredictAll(ws, kNow)["probability"].size(), 10u);
}

TEST(PredictiveModel, AFoldColumnDecidesTheFolds) {
  Table t = PlantedTable(300);
  t.headers.push_back("fold");
  for (size_t i = 0; i < t.rows.size(); ++i) t.rows[i].push_back(std::to_string(i % 3));
  const auto r = TrainTable(t, {{"outcomeField", "won"}, {"positive", "yes"}, {"foldField", "fold"}}, kNow);
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(r.value()["folds"], 3);
  EXPECT_EQ(r.value()["model"]["features"].dump().find("fold"), std::string::npos);
}

TEST(PredictiveModel, PerfectSeparationWarnsAndStaysFinite) {
  Table t;
  t.headers = {"x", "won"};
  for (int i = 0; i < 100; ++i) t.rows.push_back({std::to_string(i), i >= 50 ? "1" : "0"});
  const auto r = TrainTable(t, {{"outcomeField", "won"}, {"positive", 1}}, kNow);
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_TRUE(HasWarning(r.value(), "separation"));
  for (const json& w : r.value()["model"]["weights"]["coefficients"]) EXPECT_TRUE(std::isfinite(w.get<double>()));
}

TEST(PredictiveModelMetrics, AucCalibrationAndLiftFollowTheirDefinitions) {
  const std::vector<double> p = {0.1, 0.4, 0.35, 0.8};
  const std::vector<uint8_t> y = {0, 0, 1, 1};
  EXPECT_DOUBLE_EQ(Auc(p, y), 0.75);
  EXPECT_DOUBLE_EQ(Auc(std::vector<double>{0.5, 0.5}, std::vector<uint8_t>{0, 1}), 0.5);  // a tie
  const json cal = Calibration(p, y);
  EXPECT_EQ(cal[3]["count"], 1);  // 0.35; bins include their lower edge, so 0.4 is in the next
  EXPECT_EQ(cal[4]["count"], 1);
  EXPECT_DOUBLE_EQ(cal[3]["observed"].get<double>(), 1);
  EXPECT_TRUE(cal[5]["predicted"].is_null());
  EXPECT_NEAR(LogLoss(p, y), -(std::log(0.9) + std::log(0.6) + std::log(0.35) + std::log(0.8)) / 4, 1e-12);
  // Folds: each outcome spread evenly, the same every call, and not lined up with a period in the
  // rows (here every 10th row is the only won row of its block of 10).
  std::vector<uint8_t> periodic(1000);
  for (size_t i = 0; i < periodic.size(); ++i) periodic[i] = i % 10 == 3 || i % 10 == 7;
  const std::vector<int> folds = StratifiedFolds(periodic, 5);
  EXPECT_EQ(folds, StratifiedFolds(periodic, 5));
  int won[5] = {}, lost[5] = {}, threes[5] = {};
  for (size_t i = 0; i < folds.size(); ++i) {
    (periodic[i] ? won : lost)[folds[i]]++;
    if (i % 10 == 3) threes[folds[i]]++;
  }
  for (int f = 0; f < 5; ++f) {
    EXPECT_EQ(won[f], 40) << "fold " << f;
    EXPECT_EQ(lost[f], 160) << "fold " << f;
    EXPECT_GT(threes[f], 5) << "rows at position 3 of each block all fell in a few folds";
  }
}

TEST(PredictiveModel, QueriesSortByProbabilityAndRowsCarryThePrediction) {
  const int64_t now = kNow - kNow % 60'000;  // queries predict at the start of now's minute
  const Workspace ws = Load(PlantedLeads(300, 240));
  const auto m = PredictiveModel::FromJson(TrainOk(ws)["model"]).value();
  const json q = {{"sort", {{"field", "probability"}, {"order", "desc"}}}, {"limit", 300}, {"now", now}};
  const json rows = ws.Query(q, &m).value()["rows"];
  ASSERT_EQ(rows.size(), 300u);
  for (size_t i = 1; i < rows.size(); ++i) {
    ASSERT_GE(rows[i - 1]["probability"].get<double>(), rows[i]["probability"].get<double>()) << i;
  }
  for (size_t i = 0; i < rows.size(); i += 37) {
    EXPECT_EQ(rows[i]["probability"], m.Predict(ws, rows[i]["id"].get<std::string>(), now).value()["probability"]);
  }
  const json likely = ws.Query({{"filter", {{"probability", {{"min", 0.5}}}}}, {"now", now}, {"limit", 300}}, &m).value();
  for (const json& row : likely["rows"]) EXPECT_GE(row["probability"].get<double>(), 0.5);
  EXPECT_GT(likely["total"], 0);
  EXPECT_LT(likely["total"], 300);
  EXPECT_FALSE(ws.Query(q).ok());  // without the model, probability is refused
}

}  // namespace
}  // namespace leadkit
