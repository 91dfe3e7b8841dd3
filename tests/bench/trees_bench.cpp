// Predictive scoring with every candidate: 100k leads x 50 features (10 numeric custom fields and
// 5 categorical ones of 8 levels, 40 one-hot features), the conversion planted with linear terms
// and two interactions (an exclusive-or of n0 and n1, a slope of n2 that flips with c0), so that
// auto picks the trees and fits them in full. Times Train with kind "auto" (5 folds of logistic
// regression, naive Bayes and trees, then the winner on every lead) and PredictAll of the model
// it returns over every lead; prints one JSON line with each run's time, for the median.
// tests/bench/run_trees.mjs runs it natively and as wasm.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "leadkit/model.hpp"
#include "leadkit/model_eval.hpp"
#include "leadkit/model_trees.hpp"
#include "leadkit/workspace.hpp"

namespace {

using nlohmann::json;

double MsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

struct Random {
  uint64_t s;
  double Next() {
    s = s * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<double>(s >> 11) / 9007199254740992.0;
  }
};

json Times(const std::vector<double>& t) {
  json a = json::array();
  for (double v : t) a.push_back(std::round(v * 10) / 10);
  return a;
}

}  // namespace

// Usage: leadkit_bench_trees [count] [train runs] [predict runs] [model.json to write]
int main(int argc, char** argv) {
  const size_t count = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 100'000;
  const int train_runs = argc > 2 ? std::atoi(argv[2]) : 3;
  const int predict_runs = argc > 3 ? std::atoi(argv[3]) : 7;
  const int64_t now = 1'790'000'000'000;
  Random rnd{42};
  json leads = json::array();
  for (size_t i = 0; i < count; ++i) {
    json custom = json::object();
    double logit = -0.5, n[10];
    for (int k = 0; k < 10; ++k) {
      n[k] = rnd.Next() * 2 - 1;
      custom["n" + std::to_string(k)] = std::round(n[k] * 1000) / 1000;
      logit += (k % 3 - 1) * 0.8 * n[k];
    }
    int c0 = 0;
    for (int k = 0; k < 5; ++k) {
      const int level = static_cast<int>(rnd.Next() * 8);
      if (k == 0) c0 = level;
      custom["c" + std::to_string(k)] = "level" + std::to_string(level);
      logit += (level - 3.5) * 0.1 * (k + 1) / 5;
    }
    logit += 1.5 * ((n[0] > 0) == (n[1] > 0) ? 1 : -1) + 1.5 * n[2] * (c0 < 4 ? 1 : -1);
    custom["converted"] = rnd.Next() < leadkit::Sigmoid(logit);
    leads.push_back({{"id", "L" + std::to_string(i)}, {"company", "Co"}, {"custom", std::move(custom)}});
  }
  leadkit::Workspace ws;
  if (ws.Load(leads, now).loaded != count) return 1;
  leads = nullptr;
  const json options = {{"outcomeField", "custom.converted"}, {"positive", true}, {"folds", 5}, {"kind", "auto"}};

  std::vector<double> train_ms, predict_ms;
  json result;
  for (int rep = 0; rep < train_runs; ++rep) {
    const auto start = std::chrono::steady_clock::now();
    auto r = leadkit::Train(ws, options, now);
    train_ms.push_back(MsSince(start));
    if (!r) {
      std::fprintf(stderr, "train failed: %s\n", r.error().ToString().c_str());
      return 1;
    }
    result = std::move(r.value());
  }
  const auto model = leadkit::PredictiveModel::FromJson(result["model"]);
  if (!model) return 1;
  double mean = 0;
  for (int rep = 0; rep < predict_runs; ++rep) {
    const auto start = std::chrono::steady_clock::now();
    const json all = model.value().PredictAll(ws, now);
    predict_ms.push_back(MsSince(start));
    mean = 0;
    for (const json& p : all["probability"]) mean += p.get<double>();
    mean /= static_cast<double>(count);
  }
  // Where predictAll's time goes: reading the model's inputs from the store, binning them, the
  // trees (median of the same number of runs).
  std::vector<double> inputs_ms, bins_ms, trees_ms;
  {
    std::vector<uint32_t> all(count);
    for (uint32_t i = 0; i < count; ++i) all[i] = i;
    const auto forest = leadkit::Forest::FromJson(result["model"]["weights"], model.value().encoder(), "w");
    for (int rep = 0; rep < predict_runs && forest; ++rep) {
      auto start = std::chrono::steady_clock::now();
      const leadkit::RawTable raw = leadkit::LeadInputs(ws, all, now, &model.value().encoder());
      inputs_ms.push_back(MsSince(start));
      start = std::chrono::steady_clock::now();
      const leadkit::BinnedRows m = leadkit::BinRows(model.value().encoder(), raw, all);
      bins_ms.push_back(MsSince(start));
      start = std::chrono::steady_clock::now();
      std::vector<double> scores;
      forest.value().RawAll(m, scores);
      trees_ms.push_back(MsSince(start));
    }
  }
  json aucs = json::object();
  for (const json& c : result["candidates"]) aucs[c["kind"].get<std::string>()] = c["auc"];
  const json out = {{"leads", count},
                    {"features", result["candidates"].size() == 3 ? 50 : 0},
                    {"chosen", result["kind"]},
                    {"rounds", result["model"]["weights"].value("rounds", 0)},
                    {"aucs", aucs},
                    {"modelHash", model.value().hash()},
                    {"meanProbability", mean},
                    {"trainMs", Times(train_ms)},
                    {"predictAllMs", Times(predict_ms)},
                    {"inputsMs", Times(inputs_ms)},
                    {"binsMs", Times(bins_ms)},
                    {"treesMs", Times(trees_ms)}};
  std::printf("%s\n", out.dump().c_str());
  if (argc > 4) {  // the model document, to compare builds
    if (FILE* f = std::fopen(argv[4], "w")) std::fputs(result["model"].dump(1).c_str(), f), std::fclose(f);
  }
  return 0;
}
