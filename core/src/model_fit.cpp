// Fitting the predictive models: L2-regularised logistic regression by Newton's method and
// naive-Bayes count tables.
#include <algorithm>
#include <cmath>

#include "leadkit/model_eval.hpp"

namespace leadkit {
namespace {

constexpr int kMaxIterations = 100;


// In-place Cholesky factor (lower triangle) of the symmetric m x m matrix `a`; false when it is
// not positive definite.
bool Cholesky(std::vector<double>& a, size_t m) {
  for (size_t j = 0; j < m; ++j) {
    double d = a[j * m + j];
    for (size_t k = 0; k < j; ++k) d -= a[j * m + k] * a[j * m + k];
    if (!(d > 0)) return false;
    d = std::sqrt(d);
    a[j * m + j] = d;
    for (size_t i = j + 1; i < m; ++i) {
      double s = a[i * m + j];
      for (size_t k = 0; k < j; ++k) s -= a[i * m + k] * a[j * m + k];
      a[i * m + j] = s / d;
    }
  }
  return true;
}

// Solves L L^T x = b in place, L the factor above.
void CholeskySolve(const std::vector<double>& l, size_t m, std::vector<double>& b) {
  for (size_t i = 0; i < m; ++i) {
    double s = b[i];
    for (size_t k = 0; k < i; ++k) s -= l[i * m + k] * b[k];
    b[i] = s / l[i * m + i];
  }
  for (size_t i = m; i-- > 0;) {
    double s = b[i];
    for (size_t k = i + 1; k < m; ++k) s -= l[k * m + i] * b[k];
    b[i] = s / l[i * m + i];
  }
}

// The penalised objective at `beta` (intercept first), and the logits it gives.
double Objective(const Design& d, std::span<const uint8_t> y, const std::vector<double>& beta,
                 double lambda, std::vector<double>& eta) {
  LogisticFit f;
  f.intercept = beta[0];
  f.weights.assign(beta.begin() + 1, beta.end());
  LogisticLogits(d, f, eta);
  double loss = 0;
  for (size_t i = 0; i < d.rows; ++i) loss += Softplus(eta[i]) - (y[i] ? eta[i] : 0.0);
  double penalty = 0;
  for (size_t j = 1; j < beta.size(); ++j) penalty += beta[j] * beta[j];
  return loss + 0.5 * lambda * penalty;
}

}  // namespace

double Sigmoid(double logit) {
  if (logit >= 0) return 1 / (1 + Exp(-logit));
  const double e = Exp(logit);
  return e / (1 + e);
}

void LogisticLogits(const Design& d, const LogisticFit& fit, std::vector<double>& out) {
  out.resize(d.rows);
  const double* w = fit.weights.data();
  for (size_t i = 0; i < d.rows; ++i) {
    double eta = fit.intercept;
    const double* v = &d.values[i * d.dense];
    for (size_t j = 0; j < d.dense; ++j) eta += w[j] * v[j];
    const int32_t* a = &d.active[i * d.sparse];
    for (size_t j = 0; j < d.sparse; ++j) {
      if (a[j] >= 0) eta += w[a[j]];
    }
    out[i] = eta;
  }
}

LogisticFit FitLogistic(const Design& d, std::span<const uint8_t> y, double c, bool covariance) {
  // The objective is sum(log-loss) + |w|^2 / (2C): scikit-learn's scaled by 1/C, same minimum.
  const double lambda = 1 / c;
  const size_t m = d.features + 1;
  std::vector<double> beta(m, 0.0), grad(m), h(m * m), step(m), trial(m), eta;
  std::vector<size_t> idx(1 + d.dense + d.sparse);
  std::vector<double> val(idx.size());
  double f = Objective(d, y, beta, lambda, eta);
  LogisticFit fit;
  for (fit.iterations = 1; fit.iterations <= kMaxIterations; ++fit.iterations) {
    std::fill(grad.begin(), grad.end(), 0.0);
    std::fill(h.begin(), h.end(), 0.0);
    for (size_t i = 0; i < d.rows; ++i) {
      const double p = Sigmoid(eta[i]);
      const double r = p - (y[i] ? 1.0 : 0.0), s = p * (1 - p);
      // The row's non-zero features, in increasing index order: only their pairs touch H.
      size_t n = 0;
      idx[n] = 0, val[n++] = 1;
      const double* v = &d.values[i * d.dense];
      for (size_t j = 0; j < d.dense; ++j) {
        if (v[j] != 0) idx[n] = j + 1, val[n++] = v[j];
      }
      const int32_t* a = &d.active[i * d.sparse];
      for (size_t j = 0; j < d.sparse; ++j) {
        if (a[j] >= 0) idx[n] = static_cast<size_t>(a[j]) + 1, val[n++] = 1;
      }
      for (size_t k = 0; k < n; ++k) {
        grad[idx[k]] += r * val[k];
        const double sk = s * val[k];
        double* row = &h[idx[k] * m];
        for (size_t l = k; l < n; ++l) row[idx[l]] += sk * val[l];
      }
    }
    for (size_t j = 1; j < m; ++j) {
      grad[j] += lambda * beta[j];
      h[j * m + j] += lambda;
    }
    h[0] += 1e-12;  // keeps the intercept's pivot positive when every row is certain
    for (size_t a = 0; a < m; ++a) {
      for (size_t b = a + 1; b < m; ++b) h[b * m + a] = h[a * m + b];
    }
    if (!Cholesky(h, m)) break;
    step = grad;
    CholeskySolve(h, m, step);
    double decrement = 0;
    for (size_t j = 0; j < m; ++j) decrement += grad[j] * step[j];
    if (decrement < 1e-12 * (1 + std::abs(f))) {
      // Close enough for Newton's quadratic convergence: one full step lands within rounding.
      for (size_t j = 0; j < m; ++j) beta[j] -= step[j];
      fit.converged = true;
      break;
    }
    // Backtracking keeps every step a descent, which pure Newton is not far from the optimum.
    double t = 1, next = f;
    for (int k = 0; k < 40; ++k, t /= 2) {
      for (size_t j = 0; j < m; ++j) trial[j] = beta[j] - t * step[j];
      next = Objective(d, y, trial, lambda, eta);
      if (next <= f - 1e-4 * t * decrement) break;
    }
    if (!(next < f)) {  // no decrease left to find: converged to rounding
      fit.converged = true;
      break;
    }
    beta.swap(trial);
    f = next;
  }
  if (covariance && fit.converged) {
    // h holds the Cholesky factor of the Hessian at (very nearly) the optimum: its inverse is
    // the Laplace approximation of the coefficients' covariance.
    fit.covariance.assign(m * (m + 1) / 2, 0.0);
    std::vector<double> col(m);
    for (size_t j = 0; j < m; ++j) {
      std::fill(col.begin(), col.end(), 0.0);
      col[j] = 1;
      CholeskySolve(h, m, col);
      for (size_t i = j; i < m; ++i) fit.covariance[i * (i + 1) / 2 + j] = col[i];
    }
  }
  fit.intercept = beta[0];
  fit.weights.assign(beta.begin() + 1, beta.end());
  return fit;
}

NaiveBayesFit FitNaiveBayes(const Encoder& e, const RawTable& raw, std::span<const uint32_t> rows,
                            std::span<const uint8_t> y) {
  std::vector<int32_t> bins;
  e.Bins(raw, rows, bins);
  const size_t n = e.inputs().size();
  NaiveBayesFit fit;
  fit.counts.resize(n);
  for (size_t i = 0; i < n; ++i) fit.counts[i].assign(2 * e.BinCount(i), 0.0);
  double won = 0;
  for (size_t k = 0; k < rows.size(); ++k) {
    won += y[k];
    for (size_t i = 0; i < n; ++i) {
      const int32_t b = bins[k * n + i];
      if (b >= 0) fit.counts[i][2 * static_cast<size_t>(b) + y[k]] += 1;
    }
  }
  NaiveBayesFromCounts(fit, won, static_cast<double>(rows.size()) - won);
  return fit;
}

void NaiveBayesFromCounts(NaiveBayesFit& fit, double won, double lost) {
  const double a = kNaiveBayesAlpha;
  fit.prior = Log((won + a) / (lost + a));
  fit.prior_var = 1 / (won + a) + 1 / (lost + a);
  fit.ratio.assign(fit.counts.size(), {});
  fit.variance.assign(fit.counts.size(), {});
  for (size_t i = 0; i < fit.counts.size(); ++i) {
    const size_t bins = fit.counts[i].size() / 2;
    double n0 = 0, n1 = 0;
    for (size_t b = 0; b < bins; ++b) n0 += fit.counts[i][2 * b], n1 += fit.counts[i][2 * b + 1];
    for (size_t b = 0; b < bins; ++b) {
      const double c0 = fit.counts[i][2 * b] + a, c1 = fit.counts[i][2 * b + 1] + a;
      const double b_a = a * static_cast<double>(bins);
      fit.ratio[i].push_back(Log(c1 / (n1 + b_a)) - Log(c0 / (n0 + b_a)));
      fit.variance[i].push_back(1 / c1 + 1 / c0);
    }
  }
}

}  // namespace leadkit
