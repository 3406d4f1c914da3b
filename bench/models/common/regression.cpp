#include "bench/models/common/regression.hpp"

#include <algorithm>
#include <cmath>

namespace rmt::bench {

std::vector<double> host_gaussians(const StreamKey& key, std::size_t count, double scale) {
  std::vector<double> out(count);
  for (std::size_t i = 0; i < count; ++i) out[i] = scale * gaussian_at(key, i);
  return out;
}

std::vector<double> EigenRegression::coefficients(std::span<const double> u) const {
  std::vector<double> beta(static_cast<std::size_t>(p), 0.0);
  for (index_t k = 0; k < p; ++k) {
    const double* col = v.data() + static_cast<std::size_t>(k) * static_cast<std::size_t>(p);
    for (index_t i = 0; i < p; ++i) beta[static_cast<std::size_t>(i)] += col[i] * u[static_cast<std::size_t>(k)];
  }
  return beta;
}

std::vector<double> EigenRegression::to_eigenbasis(std::span<const double> b) const {
  std::vector<double> out(static_cast<std::size_t>(p), 0.0);
  for (index_t k = 0; k < p; ++k) {
    const double* col = v.data() + static_cast<std::size_t>(k) * static_cast<std::size_t>(p);
    double s = 0;
    for (index_t i = 0; i < p; ++i) s += col[i] * b[static_cast<std::size_t>(i)];
    out[static_cast<std::size_t>(k)] = s;
  }
  return out;
}

double EigenRegression::train_error(std::span<const double> u) const {
  double e = yy;
  for (std::size_t k = 0; k < d.size(); ++k) e += d[k] * u[k] * u[k] - 2.0 * u[k] * c[k];
  return std::max(e, 0.0);
}

std::vector<double> EigenRegression::filter(const std::function<double(double)>& h) const {
  std::vector<double> u(d.size());
  for (std::size_t k = 0; k < d.size(); ++k) u[k] = h(d[k]) * c[k];
  return u;
}

EigenRegression decompose_regression(Backend& backend, const Matrix& x, std::span<const double> beta,
                                     std::span<const double> noise, StageTimes& t) {
  EigenRegression r;
  r.p = x.rows();
  r.n = x.cols();
  const double inv_n = 1.0 / static_cast<double>(r.n);
  const Matrix b = backend.from_host(r.p, 1, beta);
  Matrix y = timed(t.gram_s, [&] { return backend.multiply_transposed(x, b, 1.0); });
  std::vector<double> yv = backend.to_host(y);
  for (std::size_t i = 0; i < yv.size(); ++i) yv[i] += noise[i];
  for (const double v : yv) r.yy += v * v * inv_n;
  y = backend.from_host(r.n, 1, yv);
  const Matrix xy = timed(t.gram_s, [&] { return backend.multiply(x, y, inv_n); });
  Matrix s = timed(t.gram_s, [&] { return backend.gram(x, inv_n, GramSide::rows); });
  EigenPairs e = timed(t.eig_s, [&] { return backend.top_eigenpairs(s, r.p); });
  r.d = std::move(e.values);
  r.v = std::move(e.vectors);
  r.c = r.to_eigenbasis(backend.to_host(xy));
  return r;
}

MemoryPlan decompose_regression_plan(index_t p, index_t n, elements_t base) {
  const auto pv = static_cast<elements_t>(p), nv = static_cast<elements_t>(n);
  MemoryPlan plan;
  plan.add("targets y = Xᵀβ* + ε", base + pv + 2 * nv)
      .add("gram Ŝ = XXᵀ/n", base + 2 * pv + nv + cells(p, p))
      .add_eigen("eigen Ŝ", base + 2 * pv + nv + cells(p, p), p, p);
  return plan;
}

std::function<double(double)> ridge_filter(double lambda, double largest_eigenvalue) {
  if (lambda > 0) return [lambda](double d) { return 1.0 / (std::max(d, 0.0) + lambda); };
  const double threshold = 1e-9 * largest_eigenvalue;
  return [threshold](double d) { return d > threshold ? 1.0 / d : 0.0; };
}

double flow_filter(double d, double t, double eta) {
  d = std::max(d, 0.0);
  if (eta > 0) {
    const double k = std::round(t / eta);
    if (d * eta < 1e-12) return k * eta;
    return (1.0 - std::pow(1.0 - eta * d, k)) / d;
  }
  if (t * d < 1e-12) return t;
  return -std::expm1(-t * d) / d;
}

double fresh_excess_risk(Backend& backend, const Matrix& test, std::span<const double> a, std::span<const double> b) {
  std::vector<double> diff(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) diff[i] = a[i] - b[i];
  const Matrix d = backend.from_host(test.rows(), 1, diff);
  const auto errors = backend.to_host(backend.multiply_transposed(test, d, 1.0));
  double sum = 0;
  for (const double e : errors) sum += e * e;
  return sum / static_cast<double>(errors.size());
}

ParamSpec test_samples_param() {
  return ParamSpec::integer("test_samples", "0",
                            "fresh test points for the test error (0: exact excess risk from the known covariance)", 0, 1e6);
}

double weighted_distance2(std::span<const double> a, std::span<const double> b, std::span<const double> s) {
  double sum = 0;
  for (std::size_t i = 0; i < a.size(); ++i) sum += (s.empty() ? 1.0 : s[i]) * (a[i] - b[i]) * (a[i] - b[i]);
  return sum;
}

}  // namespace rmt::bench
