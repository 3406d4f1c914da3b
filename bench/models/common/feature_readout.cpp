#include "bench/models/common/feature_readout.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "core/error.hpp"

namespace rmt::bench {

FeatureReadout::FeatureReadout(Backend& backend, const Matrix& sigma, const Matrix& sigma_test,
                               std::span<const double> y, std::span<const double> y_test, StageTimes& t, Side side)
    : backend_(backend), n_(sigma.cols()), y_test_(y_test.begin(), y_test.end()) {
  const index_t features = sigma.rows();
  if (sigma_test.rows() != features || y.size() != static_cast<std::size_t>(n_) ||
      y_test.size() != static_cast<std::size_t>(sigma_test.cols()))
    throw Error(fmt::format("internal: FeatureReadout got Σ {}×{}, Σ̂ {}×{}, {} and {} targets", features, n_,
                            sigma_test.rows(), sigma_test.cols(), y.size(), y_test.size()));
  const double inv_n = 1.0 / static_cast<double>(n_);
  for (const double v : y) yy_ += v * v * inv_n;
  const bool on_features = side == Side::features || (side == Side::automatic && features <= n_);

  Matrix gram = timed(t.gram_s, [&] { return backend.gram(sigma, inv_n, on_features ? GramSide::rows : GramSide::cols); });
  const index_t dim = gram.rows();
  EigenPairs e = timed(t.eig_s, [&] { return backend.top_eigenpairs(gram, dim); });
  g_ = std::move(e.values);
  for (double& g : g_) g = std::max(g, 0.0);  // G is positive semi-definite; rounding may leave −0
  const Matrix basis = backend.from_host(dim, dim, e.vectors);
  const Matrix ym = backend.from_host(n_, 1, y);

  timed(t.gram_s, [&] {
    if (on_features) {
      const Matrix sy = backend.multiply(sigma, ym, inv_n);  // Σy/n
      c_ = backend.to_host(backend.multiply_transposed(basis, sy, 1.0));
      b_ = backend.multiply_transposed(sigma_test, basis, 1.0);  // Σ̂ᵀV
    } else {
      c_ = backend.to_host(backend.multiply_transposed(basis, ym, 1.0));
      const Matrix cross = backend.multiply_transposed(sigma_test, sigma, inv_n);  // Σ̂ᵀΣ/n
      b_ = backend.multiply(cross, basis, 1.0);
    }
  });
  w_.resize(c_.size());
  for (std::size_t k = 0; k < c_.size(); ++k) w_[k] = on_features ? c_[k] * c_[k] : g_[k] * c_[k] * c_[k] * inv_n;
}

CurveDraw FeatureReadout::errors(const std::vector<std::function<double(double)>>& filters, StageTimes& t) const {
  const std::size_t dim = g_.size(), m = filters.size();
  CurveDraw out;
  std::vector<double> coords(dim * m);  // column j: h_j(g) ∘ c
  for (std::size_t j = 0; j < m; ++j) {
    double fit = 0, norm = 0;
    for (std::size_t k = 0; k < dim; ++k) {
      const double h = filters[j](g_[k]);
      coords[k + j * dim] = h * c_[k];
      fit += h * w_[k];
      norm += g_[k] * h * h * w_[k];
    }
    out.train.push_back(std::max(yy_ - 2.0 * fit + norm, 0.0));
  }
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

}  // namespace rmt::bench
