// Block Lanczos over independent probes and Golub–Welsch quadrature (core/slq/lanczos.hpp).
#include "core/slq/lanczos.hpp"

#include <algorithm>
#include <cmath>

#include <lapacke.h>
#include <fmt/format.h>

#include "core/base/error.hpp"

namespace rmt {

Matrix rademacher_probes(Backend& backend, const StreamKey& key, index_t dim, index_t probes) {
  RMT_EXPECTS(dim > 0 && probes > 0, "{} probes of dimension {}", probes, dim);
  Matrix v = backend.sample_rademacher(key, dim, probes);
  const std::vector<double> unit(static_cast<std::size_t>(probes), 1.0 / std::sqrt(static_cast<double>(dim)));
  backend.scale_columns(v, unit);
  return v;
}

std::vector<Tridiagonal> block_lanczos(Backend& backend, LinearOperator& op, const Matrix& start,
                                       const LanczosOptions& options) {
  const index_t dim = op.dim();
  RMT_EXPECTS(start.rows() == dim && start.cols() > 0, "Lanczos start block {}x{} for an operator of dimension {}",
              start.rows(), start.cols(), dim);
  RMT_EXPECTS(options.steps >= 1, "Lanczos needs at least one step, not {}", options.steps);
  const index_t steps = std::min(options.steps, dim);
  const auto b = static_cast<std::size_t>(start.cols());
  std::vector<Tridiagonal> t(b);
  std::vector<bool> running(b, true);
  std::vector<double> beta_prev(b, 0.0);
  Matrix q = backend.row_block(start, 0, dim);  // a copy: the caller keeps its start block
  Matrix q_prev;
  std::vector<Matrix> basis;  // kept only for reorthogonalisation
  std::vector<double> minus(b);
  for (index_t step = 0; step < steps; ++step) {
    Matrix w;
    op.apply(q, w);
    const std::vector<double> alpha = backend.column_dots(q, w);
    for (std::size_t j = 0; j < b; ++j) minus[j] = running[j] ? -alpha[j] : 0.0;
    backend.add_scaled_columns(w, q, minus);
    if (step > 0) {
      for (std::size_t j = 0; j < b; ++j) minus[j] = -beta_prev[j];
      backend.add_scaled_columns(w, q_prev, minus);
    }
    if (options.reorth) {
      basis.push_back(backend.row_block(q, 0, dim));
      for (int pass = 0; pass < 2; ++pass)
        for (const Matrix& u : basis) {
          std::vector<double> c = backend.column_dots(u, w);
          for (auto& x : c) x = -x;
          backend.add_scaled_columns(w, u, c);
        }
    }
    std::vector<double> beta = backend.column_dots(w, w);
    std::vector<double> inverse(b, 0.0);
    for (std::size_t j = 0; j < b; ++j) {
      if (!running[j]) continue;
      if (!std::isfinite(alpha[j]) || !std::isfinite(beta[j]))
        throw NumericalError(fmt::format("Lanczos: probe {} produced a non-finite coefficient at step {}", j, step));
      t[j].alpha.push_back(alpha[j]);
      beta[j] = std::sqrt(beta[j]);
      const double size = std::max(std::abs(alpha[j]), beta_prev[j]);
      if (step + 1 == steps || beta[j] <= 1e-12 * size) {
        running[j] = false;  // the quadrature of this probe is complete (or exact, on an invariant subspace)
        continue;
      }
      t[j].beta.push_back(beta[j]);
      inverse[j] = 1.0 / beta[j];
      beta_prev[j] = beta[j];
    }
    if (std::none_of(running.begin(), running.end(), [](bool r) { return r; })) break;
    backend.scale_columns(w, inverse);  // finished columns become 0 and stay 0
    for (std::size_t j = 0; j < b; ++j)
      if (!running[j]) beta_prev[j] = 0;
    q_prev = std::move(q);
    q = std::move(w);
  }
  return t;
}

Quadrature gauss_quadrature(const Tridiagonal& t) {
  const auto m = static_cast<lapack_int>(t.alpha.size());
  RMT_EXPECTS(m >= 1 && t.beta.size() + 1 == t.alpha.size(), "Jacobi matrix with {} diagonal and {} off-diagonal entries",
              t.alpha.size(), t.beta.size());
  std::vector<double> d = t.alpha, e = t.beta, z(static_cast<std::size_t>(m) * static_cast<std::size_t>(m));
  e.resize(static_cast<std::size_t>(m));  // dstev's workspace convention: e has n − 1 entries, n allowed
  const lapack_int info = LAPACKE_dstev(LAPACK_COL_MAJOR, 'V', m, d.data(), e.data(), z.data(), m);
  if (info != 0) throw NumericalError(fmt::format("dstev failed on a {}x{} Jacobi matrix (info = {})", m, m, info));
  Quadrature q{std::move(d), std::vector<double>(static_cast<std::size_t>(m))};
  for (lapack_int i = 0; i < m; ++i) {
    const double first = z[static_cast<std::size_t>(i) * static_cast<std::size_t>(m)];
    q.weights[static_cast<std::size_t>(i)] = first * first;
  }
  return q;
}

}  // namespace rmt
