#include "bench/models/common/feature_readout.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "core/base/error.hpp"

namespace rmt::bench {

Matrix FeatureReadout::decompose(const Matrix& sigma, std::span<const double> y, StageTimes& t, Side side) {
  n_ = sigma.cols();
  features_ = sigma.rows();
  if (y.size() != static_cast<std::size_t>(n_))
    throw Error(fmt::format("internal: FeatureReadout got Σ {}×{} and {} targets", features_, n_, y.size()));
  const double inv_n = 1.0 / static_cast<double>(n_);
  for (const double v : y) yy_ += v * v * inv_n;
  on_features_ = side == Side::features || (side == Side::automatic && features_ <= n_);

  Matrix gram =
      timed(t.gram_s, [&] { return backend_.gram(sigma, inv_n, on_features_ ? GramSide::rows : GramSide::cols); });
  const index_t dim = gram.rows();
  EigenPairs e = timed(t.eig_s, [&] { return backend_.top_eigenpairs(gram, dim); });
  gram = Matrix();
  g_ = std::move(e.values);
  for (double& g : g_) g = std::max(g, 0.0);  // G is positive semi-definite; rounding may leave −0
  Matrix basis = backend_.from_host(dim, dim, e.vectors);
  const Matrix ym = backend_.from_host(n_, 1, y);
  timed(t.gram_s, [&] {
    if (on_features_) {
      const Matrix sy = backend_.multiply(sigma, ym, inv_n);  // Σy/n
      c_ = backend_.to_host(backend_.multiply_transposed(basis, sy, 1.0));
    } else {
      c_ = backend_.to_host(backend_.multiply_transposed(basis, ym, 1.0));
    }
  });
  return basis;
}

FeatureReadout::FeatureReadout(Backend& backend, const Matrix& sigma, const Matrix& sigma_test,
                               std::span<const double> y, std::span<const double> y_test, StageTimes& t, Side side)
    : backend_(backend), y_test_(y_test.begin(), y_test.end()) {
  if (sigma_test.rows() != sigma.rows() || y_test.size() != static_cast<std::size_t>(sigma_test.cols()))
    throw Error(fmt::format("internal: FeatureReadout got Σ {}×{}, Σ̂ {}×{} and {} test targets", sigma.rows(),
                            sigma.cols(), sigma_test.rows(), sigma_test.cols(), y_test.size()));
  const Matrix basis = decompose(sigma, y, t, side);
  timed(t.gram_s, [&] {
    if (on_features_) {
      b_ = backend.multiply_transposed(sigma_test, basis, 1.0);  // Σ̂ᵀV
    } else {
      const Matrix cross = backend.multiply_transposed(sigma_test, sigma, 1.0 / static_cast<double>(n_));  // Σ̂ᵀΣ/n
      b_ = backend.multiply(cross, basis, 1.0);
    }
  });
}

FeatureReadout::FeatureReadout(Backend& backend, const Matrix& sigma, std::span<const double> y, StageTimes& t,
                               Side side)
    : backend_(backend) {
  basis_ = decompose(sigma, y, t, side);
}

std::vector<double> FeatureReadout::filtered(const Filters& filters) const {
  const std::size_t dim = g_.size();
  std::vector<double> coords(dim * filters.size());
  for (std::size_t j = 0; j < filters.size(); ++j)
    for (std::size_t k = 0; k < dim; ++k) coords[k + j * dim] = filters[j](g_[k]) * c_[k];
  return coords;
}

std::vector<double> FeatureReadout::train_errors(const Filters& filters) const {
  const double inv_n = 1.0 / static_cast<double>(n_);
  std::vector<double> out;
  for (const auto& h : filters) {
    double e = 0;
    if (on_features_) {
      double fit = 0, norm = 0;
      for (std::size_t k = 0; k < g_.size(); ++k) {
        const double hk = h(g_[k]), w = c_[k] * c_[k];
        fit += hk * w;
        norm += g_[k] * hk * hk * w;
      }
      e = yy_ - 2.0 * fit + norm;
    } else {
      for (std::size_t k = 0; k < g_.size(); ++k) {
        const double residual = (1.0 - g_[k] * h(g_[k])) * c_[k];
        e += residual * residual * inv_n;
      }
    }
    out.push_back(std::max(e, 0.0));
  }
  return out;
}

CurveDraw FeatureReadout::errors(const Filters& filters, StageTimes& t) const {
  if (b_.rows() == 0) throw Error("internal: FeatureReadout::errors needs the readout built with test features");
  const std::size_t dim = g_.size(), m = filters.size();
  CurveDraw out;
  out.train = train_errors(filters);
  const auto coords = filtered(filters);
  const auto predictions = timed(t.gram_s, [&] {
    const Matrix h = backend_.from_host(static_cast<index_t>(dim), static_cast<index_t>(m), coords);
    return backend_.to_host(backend_.multiply(b_, h, 1.0));
  });
  const std::size_t nt = y_test_.size();
  for (std::size_t j = 0; j < m; ++j) {
    double s = 0;
    for (std::size_t i = 0; i < nt; ++i) s += (y_test_[i] - predictions[i + j * nt]) * (y_test_[i] - predictions[i + j * nt]);
    out.test.push_back(s / static_cast<double>(nt));
  }
  return out;
}

Matrix FeatureReadout::coefficients(const Matrix& sigma, const Filters& filters, StageTimes& t) const {
  if (basis_.rows() == 0) throw Error("internal: FeatureReadout::coefficients needs the training-only readout");
  if (sigma.rows() != features_ || sigma.cols() != n_)
    throw Error(fmt::format("internal: FeatureReadout::coefficients got Σ {}×{}, built from {}×{}", sigma.rows(),
                            sigma.cols(), features_, n_));
  const auto dim = static_cast<index_t>(g_.size()), m = static_cast<index_t>(filters.size());
  const auto coords = filtered(filters);
  return timed(t.gram_s, [&] {
    const Matrix h = backend_.from_host(dim, m, coords);
    if (on_features_) return backend_.multiply(basis_, h, 1.0);  // V (h ∘ c)
    const Matrix alpha = backend_.multiply(basis_, h, 1.0);       // U (h ∘ c)
    return backend_.multiply(sigma, alpha, 1.0 / static_cast<double>(n_));
  });
}

namespace {

// After the eigensolver (the Gram matrix is released): the eigenbasis, y, then Σy/n and Vᵀ(Σy/n)
// on the features side.
elements_t decomposition_products(index_t features, index_t n) {
  const index_t dim = std::min(features, n);
  return cells(dim, dim) + static_cast<elements_t>(n) +
         (features <= n ? static_cast<elements_t>(features + dim) : static_cast<elements_t>(dim));
}

}  // namespace

MemoryPlan feature_readout_plan(index_t features, index_t n, index_t n_test, elements_t base) {
  const index_t dim = std::min(features, n);
  const elements_t b = cells(n_test, dim);
  // Then B = Σ̂ᵀV (features side) or Σ̂ᵀΣ/n and B (samples side) beside the eigenbasis.
  const elements_t products = features <= n ? b : cells(n_test, n) + b;
  MemoryPlan plan;
  plan.add_eigen("readout gram and eigen", base + cells(dim, dim), dim, dim)
      .add("readout projection", base + decomposition_products(features, n))
      .add("readout test products", base + cells(dim, dim) + products);
  return plan;
}

elements_t feature_readout_kept(index_t features, index_t n, index_t n_test) {
  return cells(n_test, std::min(features, n));
}

MemoryPlan readout_errors_plan(index_t features, index_t n, index_t n_test, std::size_t filters, elements_t base) {
  const auto m = static_cast<index_t>(filters);
  MemoryPlan plan;
  plan.add("test predictions", base + cells(std::min(features, n), m) + cells(n_test, m));
  return plan;
}

MemoryPlan feature_readout_train_plan(index_t features, index_t n, elements_t base) {
  const index_t dim = std::min(features, n);
  MemoryPlan plan;
  plan.add_eigen("readout gram and eigen", base + cells(dim, dim), dim, dim)
      .add("readout projection", base + decomposition_products(features, n));
  return plan;
}

elements_t feature_readout_train_kept(index_t features, index_t n) {
  const index_t dim = std::min(features, n);
  return cells(dim, dim);
}

MemoryPlan readout_coefficients_plan(index_t features, index_t n, std::size_t filters, elements_t base) {
  const auto m = static_cast<index_t>(filters);
  const index_t dim = std::min(features, n);
  // h ∘ c, then V(h ∘ c) (features side) or U(h ∘ c) and Σ U(h ∘ c)/n (samples side).
  const elements_t products = features <= n ? cells(features, m) : cells(n, m) + cells(features, m);
  MemoryPlan plan;
  plan.add("readout coefficients", base + cells(dim, m) + products);
  return plan;
}

}  // namespace rmt::bench
