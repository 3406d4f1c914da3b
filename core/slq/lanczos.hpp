#pragma once
// Stochastic Lanczos quadrature (SLQ): b independent Rademacher probes run together through the
// Lanczos recurrence, so each step is one block product with the operator; each probe's k×k
// tridiagonal gives a k-point Gauss quadrature of its spectral measure μ_v = Σ_i (vᵀu_i)² δ_{λ_i},
// whose mean over probes estimates the empirical spectral distribution (1/d) Σ_i δ_{λ_i} without bias
// (E vvᵀ = I/d for v = z/√d, z Rademacher). Lin, Saad & Yang (SIAM Review 2016); Chen, Trogdon &
// Ubaru (ICML 2021) for the error analysis.
#include <cstdint>
#include <vector>

#include "core/base/backend.hpp"
#include "core/slq/linear_operator.hpp"

namespace rmt {

struct LanczosOptions {
  index_t steps = 200;   // k: Lanczos steps per probe (at most dim)
  bool reorth = false;   // full reorthogonalisation (classical Gram–Schmidt, twice) against every kept block
};

// The Jacobi matrix of one probe: diagonal alpha (length m ≤ steps) and off-diagonal beta (m − 1).
// m < steps when the recurrence broke down (an invariant subspace: the quadrature is then exact).
struct Tridiagonal {
  std::vector<double> alpha;
  std::vector<double> beta;
};

// The Lanczos recurrences of the columns of `start` (dim × b, each of unit norm), run together on
// `backend`. Breakdown is per column: β_j ≤ 1e-12 · max(|α|, β) ends that column's recurrence.
std::vector<Tridiagonal> block_lanczos(Backend& backend, LinearOperator& op, const Matrix& start,
                                       const LanczosOptions& options);

// b Rademacher probes z/√dim of stream `key` (dim × b): column j is elements [j·dim, (j+1)·dim) of the
// stream, so the first probes do not depend on how many are drawn.
Matrix rademacher_probes(Backend& backend, const StreamKey& key, index_t dim, index_t probes);

// A Gauss quadrature rule: nodes ascending, weights positive summing to 1 (to rounding).
struct Quadrature {
  std::vector<double> nodes;
  std::vector<double> weights;
};

// Nodes = eigenvalues of the Jacobi matrix, weights = squared first components of its eigenvectors
// (Golub–Welsch), by LAPACK dstev.
Quadrature gauss_quadrature(const Tridiagonal& t);

}  // namespace rmt
