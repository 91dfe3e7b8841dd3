// Gradient-boosted trees, auto selection, calibration and TreeSHAP. Runs natively and, under node,
// as wasm: the golden hash below is the same in both, so the two builds fit the same trees.
#include "leadkit/model_trees.hpp"

#include <cmath>
#include <string>

#include <gtest/gtest.h>

#include "fixtures.hpp"
#include "leadkit/model.hpp"
#include "leadkit/model_eval.hpp"
#include "leadkit/workspace.hpp"

namespace leadkit {
namespace {

using nlohmann::json;
using testing::kNow;

struct Random {
  uint64_t s;
  double Next() {
    s = s * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<double>(s >> 11) / 9007199254740992.0;
  }
};

// Leads whose outcome is an exclusive-or of two custom numbers (a linear model sees nothing),
// with a plan whose effect depends on the seats, a country of no effect and missing values.
json InteractionLeads(int n, int closed, uint64_t seed = 3) {
  Random rnd{seed};
  json leads = json::array();
  for (int i = 0; i < n; ++i) {
    const double a = rnd.Next() * 2 - 1, b = rnd.Next() * 2 - 1, seats = std::floor(rnd.Next() * 50);
    const char* plan = i % 3 == 0 ? "free" : i % 3 == 1 ? "pro" : "team";
    double logit = ((a > 0) != (b > 0) ? 2.0 : -2.0) + (plan[0] == 't' ? (seats - 25) / 10 : 0);
    const bool won = rnd.Next() < Sigmoid(logit);
    json custom = {{"a", std::round(a * 1000) / 1000}, {"plan", plan}};
    if (i % 7) custom["b"] = std::round(b * 1000) / 1000;  // missing now and then
    if (i % 5) custom["seats"] = seats;
    json lead = {{"id", "T-" + std::to_string(i)}, {"company", "Co"}, {"country", i % 2 ? "Spain" : "Italy"},
                 {"custom", custom}};
    if (i < closed) lead["stage"] = won ? "customer" : "lost";
    if (i < closed && !won) lead["stageReason"] = "price";
    leads.push_back(std::move(lead));
  }
  return leads;
}

// Leads where only the industry matters, additively: logistic regression is the right model.
json LinearLeads(int n) {
  Random rnd{11};
  const char* industries[] = {"Xeno", "Zeta", "Yarn"};
  const double rates[] = {0.85, 0.5, 0.15};
  json leads = json::array();
  for (int i = 0; i < n; ++i) {
    const bool won = rnd.Next() < rates[i % 3];
    leads.push_back({{"id", "L-" + std::to_string(i)}, {"company", "Co"}, {"industry", industries[i % 3]},
                     {"employees", 10 + static_cast<int>(rnd.Next() * 500)}, {"stage", won ? "customer" : "lost"}});
    if (!won) leads.back()["stageReason"] = "price";
  }
  return leads;
}

Workspace Load(const json& leads) {
  Workspace ws;
  const LoadReport r = ws.Load(leads, kNow);
  EXPECT_TRUE(r.errors.empty()) << r.errors[0].ToString();
  return ws;
}

json TrainOk(const Workspace& ws, const json& options) {
  auto r = Train(ws, options, kNow);
  EXPECT_TRUE(r.ok()) << r.error().ToString();
  return r.ok() ? r.value() : json();
}

const json& Candidate(const json& r, const std::string& kind) {
  for (const json& c : r["candidates"]) {
    if (c["kind"] == kind) return c;
  }
  static const json none;
  ADD_FAILURE() << "no candidate " << kind;
  return none;
}

TEST(Trees, AutoPicksTreesWhenTheyFindAnInteractionALinearModelCannotSee) {
  const Workspace ws = Load(InteractionLeads(1500, 1400));
  const json r = TrainOk(ws, {{"kind", "auto"}});
  ASSERT_EQ(r["candidates"].size(), 3u);
  const double trees = Candidate(r, "trees")["auc"], logistic = Candidate(r, "logistic")["auc"];
  EXPECT_GT(trees, 0.8);
  EXPECT_GT(trees - logistic, 0.15) << "trees " << trees << ", logistic " << logistic;
  EXPECT_EQ(r["kind"], "trees");
  EXPECT_EQ(r["model"]["kind"], "trees");
  EXPECT_EQ(r["model"]["version"], kPredictiveTreesVersion);
  EXPECT_EQ(r["auc"], Candidate(r, "trees")["auc"]);
  EXPECT_NE(r["reason"].get<std::string>().find("margin"), std::string::npos) << r["reason"];
  EXPECT_EQ(r["model"]["selection"]["candidates"].size(), 3u);
  for (const json& c : r["candidates"]) {
    EXPECT_EQ(c["calibration"].size(), 10u);
    EXPECT_EQ(c["aucByFold"].size(), 5u);
    EXPECT_GE(c["calibrationError"].get<double>(), 0);
  }
  // Trees report their reliability before and after Platt scaling.
  const json& t = Candidate(r, "trees");
  EXPECT_EQ(t["uncalibrated"]["calibration"].size(), 10u);
  EXPECT_NE(t["uncalibrated"]["calibration"], t["calibration"]);
  // Drivers from mean |TreeSHAP|: a and b carry the exclusive-or; country carries nothing.
  EXPECT_EQ(r["driverMeasure"], "meanAbsContribution");
  std::vector<std::string> top;
  for (const json& d : r["drivers"]) {
    top.push_back(d["feature"]);
    EXPECT_GT(d["weight"].get<double>(), 0);
  }
  ASSERT_GE(top.size(), 2u);
  EXPECT_TRUE((top[0] == "custom.a" && top[1] == "custom.b") || (top[0] == "custom.b" && top[1] == "custom.a"))
      << r["drivers"].dump();
}

TEST(Trees, AutoKeepsLogisticRegressionWhenTreesAreNotClearlyBetter) {
  const json r = TrainOk(Load(LinearLeads(900)), {{"kind", "auto"}});
  EXPECT_EQ(r["kind"], "logistic");
  EXPECT_EQ(r["model"]["version"], kPredictiveVersion);
  EXPECT_EQ(r["reason"].get<std::string>().rfind("Logistic regression: ", 0), 0u) << r["reason"];
  EXPECT_LT(Candidate(r, "trees")["auc"].get<double>(), Candidate(r, "logistic")["auc"].get<double>() + 0.02);
  EXPECT_EQ(r["driverMeasure"], "coefficient");
  // A margin of 0 lets the better AUC win outright, whichever it is.
  const json any = TrainOk(Load(LinearLeads(900)), {{"kind", "auto"}, {"margin", 0}});
  const bool trees_better = Candidate(any, "trees")["auc"] > Candidate(any, "logistic")["auc"];
  EXPECT_EQ(any["kind"], trees_better ? "trees" : "logistic");
}

// The satisfying property of path-dependent TreeSHAP: for every lead, the contributions and the
// intercept add up to the model's logit (the trees' raw score, calibrated).
TEST(TreeShap, ContributionsSumToTheLogitForEveryLead) {
  const Workspace ws = Load(InteractionLeads(900, 800));
  const auto m = PredictiveModel::FromJson(TrainOk(ws, {{"kind", "trees"}})["model"]);
  ASSERT_TRUE(m.ok()) << m.error().ToString();
  const json all = m.value().PredictAll(ws, kNow);
  const Platt platt{m.value().document()["weights"]["calibration"]["slope"],
                    m.value().document()["weights"]["calibration"]["offset"]};
  size_t checked = 0, explained = 0;
  for (size_t i = 0; i < all["ids"].size(); ++i) {
    const json p = m.value().Predict(ws, all["ids"][i].get<std::string>(), kNow).value();
    double sum = p["intercept"].get<double>();
    for (const json& c : p["contributions"]) sum += c["logOdds"].get<double>();
    EXPECT_NEAR(sum, p["logit"].get<double>(), 1e-9) << all["ids"][i];
    EXPECT_EQ(p["probability"], all["probability"][i]);
    EXPECT_DOUBLE_EQ(p["probability"].get<double>(), Sigmoid(p["logit"].get<double>()));
    EXPECT_TRUE(p["low"].is_null() && p["high"].is_null()) << "trees have no band";
    explained += !p["contributions"].empty();
    ++checked;
  }
  EXPECT_EQ(checked, 900u);
  EXPECT_EQ(explained, 900u);
  EXPECT_NE(platt.slope, 1.0);  // the calibration is fitted, not the identity
}

// v({inputs known}) = the tree's output averaged over the unknown inputs' branches, weighted by
// training rows: the value function path-dependent TreeSHAP computes the Shapley values of.
double Conditional(const Tree& t, int32_t node, const uint8_t* row, uint32_t known) {
  const TreeNode& n = t.nodes[node];
  if (n.input < 0) return n.value;
  if ((known >> n.input) & 1u) return Conditional(t, n.Left(row[n.input]) ? n.left : n.right, row, known);
  return (t.nodes[n.left].cover * Conditional(t, n.left, row, known) +
          t.nodes[n.right].cover * Conditional(t, n.right, row, known)) / n.cover;
}

TEST(TreeShap, EqualsShapleyValuesComputedByBruteForce) {
  Random rnd{5};
  Table table;
  table.headers = {"x", "y", "z", "group", "won"};
  for (int i = 0; i < 600; ++i) {
    const double x = rnd.Next(), y = rnd.Next(), z = rnd.Next();
    const char* g = i % 3 == 0 ? "a" : i % 3 == 1 ? "b" : "c";
    const bool won = rnd.Next() < Sigmoid(3 * (x > 0.5) * (y > 0.3) - 1.5 + (g[0] == 'b') * z * 2);
    table.rows.push_back({i % 9 ? std::to_string(x) : "", std::to_string(y), std::to_string(z), g, won ? "1" : "0"});
  }
  const json options = {{"kind", "trees"}, {"outcomeField", "won"}, {"positive", 1},
                        {"trees", {{"maxLeaves", 8}, {"maxRounds", 30}}}};
  const auto r = TrainTable(table, options, kNow);
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  const json& doc = r.value()["model"];
  const Encoder enc = Encoder::FromJson(doc["encoder"], "encoder").value();
  const Forest forest = Forest::FromJson(doc["weights"], enc, "weights").value();
  ASSERT_GT(forest.trees.size(), 3u);
  const RawTable raw = TableInputs(table);
  std::vector<uint32_t> rows;
  for (uint32_t i = 0; i < 600; i += 37) rows.push_back(i);
  const BinnedRows m = BinRows(enc, raw, rows);
  const size_t n = m.inputs;
  ASSERT_EQ(n, 4u);
  std::vector<double> factorial = {1, 1, 2, 6, 24};
  for (size_t k = 0; k < rows.size(); ++k) {
    const uint8_t* row = &m.bins[k * n];
    std::vector<double> phi(n, 0.0), brute(n, 0.0);
    forest.Shap(row, phi);
    for (const Tree& t : forest.trees) {
      for (size_t i = 0; i < n; ++i) {
        for (uint32_t s = 0; s < (1u << n); ++s) {
          if ((s >> i) & 1u) continue;
          const int size = __builtin_popcount(s);
          const double w = factorial[size] * factorial[n - size - 1] / factorial[n];
          brute[i] += w * (Conditional(t, 0, row, s | (1u << i)) - Conditional(t, 0, row, s));
        }
      }
    }
    double sum = forest.Expectation();
    for (size_t i = 0; i < n; ++i) {
      EXPECT_NEAR(phi[i], brute[i], 1e-12) << "row " << rows[k] << " input " << i;
      sum += phi[i];
    }
    EXPECT_NEAR(sum, forest.Raw(row), 1e-12);
  }
}

TEST(Trees, TheSameDataAndSeedGiveTheSameModelNativelyAndInWasm) {
  const Workspace ws = Load(InteractionLeads(600, 600));
  const json a = TrainOk(ws, {{"kind", "trees"}})["model"];
  const json b = TrainOk(ws, {{"kind", "trees"}})["model"];
  EXPECT_EQ(a["hash"], b["hash"]);
  const json c = TrainOk(ws, {{"kind", "trees"}, {"trees", {{"seed", 2}}}})["model"];
  EXPECT_NE(a["hash"], c["hash"]) << "the seed draws the validation split";
  // The hash covers every tree, leaf value, the calibration and the metrics, to the last bit:
  // this one was printed by the native build, and the wasm run of this test checks it too. (It
  // changes whenever the algorithm or its defaults do.)
  json d = a;
  d["trainedAt"] = "2026-01-01T00:00:00.000Z";
  EXPECT_EQ(PredictiveModel::FromJson(d).value().hash(), "fd3129f95fc257bd");
}

TEST(Trees, TheDocumentRoundTripsAndABadTreeIsNamedByItsPath) {
  const Workspace ws = Load(InteractionLeads(700, 600));
  const json good = TrainOk(ws, {{"kind", "trees"}, {"trees", {{"maxRounds", 20}}}})["model"];
  const auto a = PredictiveModel::FromJson(good).value();
  const auto b = PredictiveModel::FromJson(json::parse(a.document().dump())).value();
  EXPECT_EQ(a.hash(), b.hash());
  EXPECT_EQ(a.PredictAll(ws, kNow), b.PredictAll(ws, kNow));
  EXPECT_EQ(a.Predict(ws, "T-650", kNow).value(), b.Predict(ws, "T-650", kNow).value());
  ASSERT_GT(good["weights"]["trees"][0]["input"].size(), 2u);
  const auto path_of = [](json doc) { return PredictiveModel::FromJson(doc).error().where.path; };
  json d = good;
  d["version"] = 1;
  EXPECT_EQ(path_of(d), "model.version");
  d = good;
  d["weights"]["trees"][0]["left"][0] = 0;  // a cycle
  EXPECT_EQ(path_of(d), "model.weights.trees[0].left[0]");
  d = good;
  d["weights"]["trees"][0]["cover"][0] = 1;
  EXPECT_EQ(path_of(d), "model.weights.trees[0].cover[0]");
  d = good;
  d["weights"]["trees"][0]["value"].erase(0);
  EXPECT_EQ(path_of(d), "model.weights.trees[0].value");
  d = good;
  d["weights"]["trees"][0]["input"][0] = 99;
  EXPECT_EQ(path_of(d), "model.weights.trees[0].input[0]");
  d = good;
  d["weights"]["calibration"]["slope"] = "steep";
  EXPECT_EQ(path_of(d), "model.weights.calibration.slope");
}

TEST(Trees, OptionsAreCheckedAndEarlyStoppingStopsOnNoise) {
  const Workspace ws = Load(InteractionLeads(300, 300));
  EXPECT_EQ(Train(ws, {{"kind", "trees"}, {"trees", {{"maxLeaves", 1}}}}, kNow).error().where.path,
            "options.trees.maxLeaves");
  EXPECT_EQ(Train(ws, {{"kind", "trees"}, {"trees", {{"learningRate", 0}}}}, kNow).error().where.path,
            "options.trees.learningRate");
  EXPECT_EQ(Train(ws, {{"kind", "trees"}, {"trees", {{"depth", 3}}}}, kNow).error().where.path, "options.trees.depth");
  EXPECT_EQ(Train(ws, {{"kind", "forest"}}, kNow).error().where.path, "options.kind");
  EXPECT_EQ(Train(ws, {{"kind", "auto"}, {"margin", 2}}, kNow).error().where.path, "options.margin");
  // Outcomes that are coin tosses: early stopping keeps few trees.
  json leads = InteractionLeads(2000, 2000);
  Random rnd{9};
  for (json& l : leads) {
    l["stage"] = rnd.Next() < 0.5 ? "customer" : "lost";
    l["stageReason"] = l["stage"] == "lost" ? json("price") : json(nullptr);
  }
  const json r = TrainOk(Load(leads), {{"kind", "trees"}});
  EXPECT_LT(r["model"]["weights"]["rounds"].get<int>(), 30);
  EXPECT_LT(r["auc"].get<double>(), 0.6);
  // A depth limit holds.
  const json shallow = TrainOk(ws, {{"kind", "trees"}, {"trees", {{"maxDepth", 2}}}})["model"];
  const Encoder enc = Encoder::FromJson(shallow["encoder"], "e").value();
  const Forest forest = Forest::FromJson(shallow["weights"], enc, "w").value();
  for (const Tree& t : forest.trees) EXPECT_LE(t.depth, 2);
}

TEST(Trees, WhenNoFoldKeepsATreeTheModelPredictsTheBaseRateAndAutoSaysWhy) {
  // 50 leads: too few for a split with 20 rows per child inside a fold, enough on every row.
  const Workspace ws = Load(InteractionLeads(50, 50));
  const json r = TrainOk(ws, {{"kind", "auto"}});
  const json& trees = Candidate(r, "trees");
  for (const json& n : trees["rounds"]) EXPECT_EQ(n, 0);
  EXPECT_EQ(r["kind"], "logistic");
  EXPECT_NE(r["reason"].get<std::string>().find("no fold kept a single tree"), std::string::npos) << r["reason"];
  // Forced, the trees' calibration has slope 0: every lead gets the (smoothed) base rate, and no
  // input is credited with moving it.
  const auto m = PredictiveModel::FromJson(TrainOk(ws, {{"kind", "trees"}})["model"]).value();
  EXPECT_EQ(m.document()["weights"]["calibration"]["slope"], 0.0);
  const json all = m.PredictAll(ws, kNow);
  for (const json& p : all["probability"]) EXPECT_EQ(p, all["probability"][0]);
  EXPECT_TRUE(m.Predict(ws, "T-3", kNow).value()["contributions"].empty());
}

TEST(Trees, NumbersAreBinnedAtMidpointsOrQuantilesAndCategoriesKeepTheirLevels) {
  Table table;
  table.headers = {"few", "many", "kind"};
  for (int i = 0; i < 1000; ++i) {
    table.rows.push_back({std::to_string(i % 4), std::to_string(i * 1.5), i % 2 ? "x" : "y"});
  }
  const RawTable raw = TableInputs(table);
  std::vector<uint32_t> rows(1000);
  for (uint32_t i = 0; i < rows.size(); ++i) rows[i] = i;
  EncoderOptions o;
  o.tree_bins = 255;
  const Encoder e = Encoder::Fit(raw, rows, o);
  ASSERT_EQ(e.inputs().size(), 3u);
  EXPECT_EQ(e.inputs()[0].cuts, (std::vector<double>{0.5, 1.5, 2.5}));
  EXPECT_EQ(e.inputs()[1].cuts.size(), 254u);
  const BinnedRows m = BinRows(e, raw, rows);
  EXPECT_EQ(m.bin_count[0], 5);    // 4 values and missing
  EXPECT_EQ(m.bin_count[1], 256);  // 255 values and missing
  EXPECT_EQ(m.bin_count[2], 3);    // 2 levels and a level never seen
  EXPECT_EQ(m.bins[3 * 3 + 0], 3);
  EXPECT_EQ(m.bins[999 * 3 + 1], 254);
}

TEST(PredictiveModel, DocumentsWrittenBeforeTreesStillOpenWithTheirHashAndPredictions) {
  const json f = testing::Fixture("model_v1.json");
  ASSERT_TRUE(f.is_object());
  Workspace ws;
  ASSERT_TRUE(ws.Load(f["leads"], f["now"].get<int64_t>()).errors.empty());
  ASSERT_EQ(f["models"].size(), 2u);
  for (const json& entry : f["models"]) {
    const auto m = PredictiveModel::FromJson(entry["model"]);
    ASSERT_TRUE(m.ok()) << m.error().ToString();
    EXPECT_EQ(m.value().hash(), entry["model"]["hash"]);
    for (const auto& [id, probability] : entry["probability"].items()) {
      EXPECT_NEAR(m.value().Predict(ws, id, f["now"].get<int64_t>()).value()["probability"].get<double>(),
                  probability.get<double>(), 1e-12)
          << entry["model"]["kind"] << " " << id;
    }
  }
}

}  // namespace
}  // namespace leadkit
