// Trains the predictive model on 100k leads x 50 features: 10 numeric custom fields and 5
// categorical ones of 8 levels each (40 one-hot features), with a conversion planted by a known
// logistic model. Times one logistic fit on every lead (encode + Newton) and the whole Train
// (5-fold cross-validation, metrics and the final fit with its covariance), best of a few runs.
// Prints one JSON line; tests/bench/run_model.mjs runs it natively and as wasm.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <numeric>
#include <string>

#include "leadkit/model.hpp"
#include "leadkit/model_eval.hpp"
#include "leadkit/workspace.hpp"

namespace {

using nlohmann::json;

double MsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

// The same numbers on every platform.
struct Random {
  uint64_t s;
  double Next() {
    s = s * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<double>(s >> 11) / 9007199254740992.0;
  }
};

}  // namespace

// Usage: leadkit_bench_model [count]
int main(int argc, char** argv) {
  const size_t count = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 100'000;
  const int64_t now = 1'790'000'000'000;
  Random rnd{42};
  json leads = json::array();
  for (size_t i = 0; i < count; ++i) {
    json custom = json::object();
    double logit = -0.5;
    for (int k = 0; k < 10; ++k) {
      const double x = rnd.Next() * 2 - 1;
      custom["n" + std::to_string(k)] = std::round(x * 1000) / 1000;
      logit += (k % 3 - 1) * 0.8 * x;
    }
    for (int k = 0; k < 5; ++k) {
      const int level = static_cast<int>(rnd.Next() * 8);
      custom["c" + std::to_string(k)] = "level" + std::to_string(level);
      logit += (level - 3.5) * 0.1 * (k + 1) / 5;
    }
    custom["converted"] = rnd.Next() < leadkit::Sigmoid(logit);
    leads.push_back({{"id", "L" + std::to_string(i)}, {"company", "Co"}, {"custom", std::move(custom)}});
  }
  leadkit::Workspace ws;
  if (ws.Load(leads, now).loaded != count) return 1;
  leads = nullptr;
  const json options = {{"outcomeField", "custom.converted"}, {"positive", true}, {"folds", 5}};

  // One fit on every lead, as the final fit of Train does it.
  std::vector<uint32_t> all(count);
  std::iota(all.begin(), all.end(), 0u);
  auto start = std::chrono::steady_clock::now();
  const leadkit::RawTable raw = leadkit::LeadInputs(ws, all, now);
  const double inputs_ms = MsSince(start);
  std::vector<uint8_t> y(count);
  const leadkit::RawColumn* outcome = raw.Find("custom.converted");
  for (size_t i = 0; i < count; ++i) y[i] = outcome->numbers[i] > 0;
  leadkit::EncoderOptions eo;
  eo.exclude = {"custom.converted"};
  double fit_ms = 1e300;
  size_t features = 0;
  int iterations = 0;
  for (int rep = 0; rep < 3; ++rep) {
    const auto start = std::chrono::steady_clock::now();
    const leadkit::Encoder enc = leadkit::Encoder::Fit(raw, all, eo);
    leadkit::Design d;
    enc.Encode(raw, all, d);
    const leadkit::LogisticFit fit = leadkit::FitLogistic(d, y, 1.0, true);
    fit_ms = std::min(fit_ms, MsSince(start));
    features = enc.features();
    iterations = fit.iterations;
  }
  // The whole of Train: inputs read from the store, 5 folds, metrics and the final fit.
  double train_ms = 1e300, auc = 0;
  for (int rep = 0; rep < 3; ++rep) {
    const auto start = std::chrono::steady_clock::now();
    const auto r = leadkit::Train(ws, options, now);
    train_ms = std::min(train_ms, MsSince(start));
    if (!r) {
      std::fprintf(stderr, "train failed: %s\n", r.error().ToString().c_str());
      return 1;
    }
    auc = r.value()["auc"].get<double>();
  }
  std::printf("{\"leads\":%zu,\"features\":%zu,\"iterations\":%d,\"fitMs\":%.2f,\"trainMs\":%.2f,"
              "\"inputsMs\":%.2f,\"auc\":%.4f}\n",
              count, features, iterations, fit_ms, train_ms, inputs_ms, auc);
  return 0;
}
