// Evaluating the predictive models: deterministic folds, AUC, log-loss, calibration and lift.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include "leadkit/model_eval.hpp"

namespace leadkit {

using nlohmann::json;

std::vector<int> StratifiedFolds(std::span<const uint8_t> y, int k) {
  // Each outcome's rows in a shuffled order, dealt round robin. A plain row-order deal lines folds
  // up with any period in the data (rows written in repeating blocks put every instance of one
  // pattern in one fold); the shuffle is our own Fisher-Yates on mt19937, whose outputs the
  // standard fixes, so native and wasm deal the same folds (std::shuffle's algorithm is not fixed).
  std::vector<int> fold(y.size());
  std::mt19937 rng(20261123);
  for (const uint8_t outcome : {uint8_t{0}, uint8_t{1}}) {
    std::vector<size_t> rows;
    for (size_t i = 0; i < y.size(); ++i) {
      if ((y[i] ? 1 : 0) == outcome) rows.push_back(i);
    }
    for (size_t i = rows.size(); i > 1; --i) std::swap(rows[i - 1], rows[rng() % i]);
    for (size_t j = 0; j < rows.size(); ++j) fold[rows[j]] = static_cast<int>(j % static_cast<size_t>(k));
  }
  return fold;
}

double Auc(std::span<const double> p, std::span<const uint8_t> y) {
  std::vector<size_t> order(p.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return p[a] < p[b]; });
  double rank_sum = 0, pos = 0;
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    while (j < order.size() && p[order[j]] == p[order[i]]) ++j;
    const double rank = (static_cast<double>(i) + static_cast<double>(j) + 1) / 2;  // 1-based mean
    for (size_t k = i; k < j; ++k) {
      if (y[order[k]]) rank_sum += rank, pos += 1;
    }
    i = j;
  }
  const double neg = static_cast<double>(p.size()) - pos;
  if (pos == 0 || neg == 0) return 0.5;
  return (rank_sum - pos * (pos + 1) / 2) / (pos * neg);
}

double LogLoss(std::span<const double> p, std::span<const uint8_t> y) {
  if (p.empty()) return 0;
  double sum = 0;
  for (size_t i = 0; i < p.size(); ++i) {
    const double q = std::clamp(p[i], 1e-15, 1 - 1e-15);
    sum -= y[i] ? std::log(q) : std::log(1 - q);
  }
  return sum / static_cast<double>(p.size());
}

json Calibration(std::span<const double> p, std::span<const uint8_t> y) {
  double count[10] = {}, predicted[10] = {}, observed[10] = {};
  for (size_t i = 0; i < p.size(); ++i) {
    const int b = std::clamp(static_cast<int>(p[i] * 10), 0, 9);
    count[b] += 1, predicted[b] += p[i], observed[b] += y[i];
  }
  json out = json::array();
  for (int b = 0; b < 10; ++b) {
    const bool any = count[b] > 0;
    out.push_back({{"from", b / 10.0},
                   {"to", (b + 1) / 10.0},
                   {"count", static_cast<int64_t>(count[b])},
                   {"predicted", any ? json(predicted[b] / count[b]) : json(nullptr)},
                   {"observed", any ? json(observed[b] / count[b]) : json(nullptr)}});
  }
  return out;
}

double CalibrationError(const json& calibration) {
  double n = 0, gap = 0;
  for (const json& b : calibration) {
    const double count = b["count"].get<double>();
    if (count <= 0) continue;
    n += count;
    gap += count * std::abs(b["predicted"].get<double>() - b["observed"].get<double>());
  }
  return n > 0 ? gap / n : 0;
}

json Lift(std::span<const double> p, std::span<const uint8_t> y) {
  std::vector<size_t> order(p.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return p[a] > p[b]; });
  double positives = 0;
  for (uint8_t v : y) positives += v;
  const double n = static_cast<double>(p.size());
  const double base = n > 0 ? positives / n : 0;
  json out = json::array();
  double cum_count = 0, cum_pos = 0;
  for (size_t d = 0; d < 10; ++d) {
    const size_t from = order.size() * d / 10, to = order.size() * (d + 1) / 10;
    double pos = 0;
    for (size_t k = from; k < to; ++k) pos += y[order[k]];
    const double count = static_cast<double>(to - from);
    cum_count += count, cum_pos += pos;
    const double rate = count > 0 ? pos / count : 0;
    out.push_back({{"decile", d + 1},
                   {"count", static_cast<int64_t>(count)},
                   {"rate", rate},
                   {"lift", base > 0 ? rate / base : 0},
                   {"cumulativeLift", base > 0 && cum_count > 0 ? cum_pos / cum_count / base : 0}});
  }
  return out;
}

}  // namespace leadkit
