#pragma once
// Linear regression on sampled data, solved in the eigenbasis of the sample covariance: one
// eigendecomposition of Ŝ = X Xᵀ/n serves a whole ridge (λ) grid and a whole time (t) grid, since
// every estimator of these models is β̂ = V h(D) Vᵀ X y/n for a scalar filter h.
#include <functional>
#include <span>
#include <vector>

#include "bench/model.hpp"

namespace rmt::bench {

// `count` standard normals of one Philox stream times `scale`: the same values on every backend.
std::vector<double> host_gaussians(const StreamKey& key, std::size_t count, double scale = 1.0);

struct EigenRegression {
  index_t p = 0, n = 0;
  std::vector<double> d;  // eigenvalues of Ŝ = X Xᵀ/n, ascending
  std::vector<double> v;  // their eigenvectors, p×p column-major
  std::vector<double> c;  // Vᵀ X y / n
  double yy = 0;          // ‖y‖²/n

  // β̂ = V u for eigen-coordinates u.
  std::vector<double> coefficients(std::span<const double> u) const;
  // Vᵀ b.
  std::vector<double> to_eigenbasis(std::span<const double> b) const;
  // Training MSE ‖y − Xᵀβ̂‖²/n of β̂ = V u: ‖y‖²/n − 2 uᵀc + Σ d u².
  double train_error(std::span<const double> u) const;
  // u_k = h(d_k) c_k.
  std::vector<double> filter(const std::function<double(double)>& h) const;
};

// y = Xᵀβ* + ε for data X (p×n, columns are samples) on the backend, then Ŝ's eigendecomposition
// (backend Gram and eigensolver; the O(p²) filters run on the host).
EigenRegression decompose_regression(Backend& backend, const Matrix& x, std::span<const double> beta,
                                     std::span<const double> noise, StageTimes& t);

// The phases of decompose_regression on p×n data, `base` elements (X among them) alive throughout:
// β* and the targets (the device copy of y and its noisy replacement coexist for a moment), X y/n,
// then Ŝ and its eigendecomposition.
MemoryPlan decompose_regression_plan(index_t p, index_t n, elements_t base);

// Ridge filter 1/(d + λ); at λ = 0 the pseudo-inverse (min-norm interpolator): 1/d above a
// relative rounding threshold, 0 below.
std::function<double(double)> ridge_filter(double lambda, double largest_eigenvalue);

// Gradient flow from 0 for time t: φ_t(d) = (1 − e^{−td})/d; gradient descent with step eta > 0
// after k = round(t/eta) steps: (1 − (1 − ηd)^k)/d (both → t, resp. kη, as d → 0).
double flow_filter(double d, double t, double eta);

// The excess risk of estimate a for target b measured on fresh test points instead of from the
// known Σ: the mean of (xᵀ(a − b))² over the columns x of `test` (p×m, on the backend).
double fresh_excess_risk(Backend& backend, const Matrix& test, std::span<const double> a, std::span<const double> b);

// The `test_samples` parameter shared by the linear models: 0 = exact population risk.
ParamSpec test_samples_param();

// Σᵢ sᵢ (aᵢ − bᵢ)²: the excess risk of a when the covariance is diag(s) (s empty: identity).
double weighted_distance2(std::span<const double> a, std::span<const double> b, std::span<const double> s);

}  // namespace rmt::bench
