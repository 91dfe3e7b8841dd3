// Evaluating the predictive models: deterministic folds, AUC, log-loss, calibration and lift.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <cmath>
#include <numeric>
#include <random>

#include "leadkit/model_eval.hpp"

namespace leadkit {

using nlohmann::json;

double Exp(double x) {
  if (std::isnan(x)) return x;
  if (x > 709.782712893384) return INFINITY;
  if (x < -745.1332191019412) return 0;
  // x = k ln2 + r with |r| <= ln2 / 2; ln2's high part has trailing zeros, so k * hi is exact.
  constexpr double kLn2Hi = 6.93147180369123816490e-01, kLn2Lo = 1.90821492927058770002e-10;
  constexpr double kInvLn2 = 1.44269504088896338700e+00;
  constexpr double P1 = 1.66666666666666019037e-01, P2 = -2.77777777770155933842e-03,
                   P3 = 6.61375632143793436117e-05, P4 = -1.65339022054652515390e-06,
                   P5 = 4.13813679705723846039e-08;
  const double k = std::floor(x * kInvLn2 + 0.5);
  const double hi = x - k * kLn2Hi, lo = k * kLn2Lo, r = hi - lo;
  const double t = r * r, c = r - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
  const double y = 1 - ((lo - (r * c) / (2 - c)) - hi);
  const int e = static_cast<int>(k);
  if (e > -1000 && e < 1000) {  // y * 2^e is exact here: multiply by the power of two's bits
    const uint64_t bits = static_cast<uint64_t>(e + 1023) << 52;
    double scale;
    std::memcpy(&scale, &bits, sizeof scale);  // libc++ 14 has no std::bit_cast
    return y * scale;
  }
  return std::ldexp(y, e);
}

double Log(double x) {
  if (!(x > 0)) return x == 0 ? -INFINITY : NAN;
  if (std::isinf(x)) return x;
  int e = 0;
  double m = std::frexp(x, &e);  // x = m 2^e, m in [0.5, 1)
  if (m < 0.70710678118654752440) m *= 2, e -= 1;
  constexpr double kLn2Hi = 6.93147180369123816490e-01, kLn2Lo = 1.90821492927058770002e-10;
  constexpr double Lg1 = 6.666666666666735130e-01, Lg2 = 3.999999999940941908e-01, Lg3 = 2.857142874366239149e-01,
                   Lg4 = 2.222219843214978396e-01, Lg5 = 1.818357216161805012e-01, Lg6 = 1.531383769920937332e-01,
                   Lg7 = 1.479819860511658591e-01;
  const double f = m - 1, s = f / (2 + f), z = s * s, w = z * z;
  const double r = z * (Lg1 + w * (Lg3 + w * (Lg5 + w * Lg7))) + w * (Lg2 + w * (Lg4 + w * Lg6));
  const double k = e;
  return k * kLn2Hi - ((s * (f - r) - k * kLn2Lo) - f);
}

double Softplus(double x) {
  const double u = Exp(-std::abs(x)), w = 1 + u;
  const double log1p = w == 1 ? u : Log(w) * (u / (w - 1));  // log(1 + u), accurate for small u
  return (x > 0 ? x : 0) + log1p;
}

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
    sum -= y[i] ? Log(q) : Log(1 - q);
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
