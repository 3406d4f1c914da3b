#pragma once
// Kernels of random features (SPEC §4.2, §4.5): Φ(a, b) = E_w[σ(wᵀa) σ(wᵀb)] for w ~ N(0, I_p),
// i.e. E[σ(u)σ(v)] with (u, v) ~ N(0, [[s11, s12], [s12, s22]]), s11 = ‖a‖², s12 = aᵀb, s22 = ‖b‖²;
// and the Gaussian-mixture linearisation coefficients d0, d1, d2 (Liao–Couillet 2018).
#include <optional>
#include <vector>

#include "core/spectral_law.hpp"

#include "core/activation.hpp"

namespace rmt::theory {

// The closed forms of the §4.2 table (raw σ; linear, relu, leaky_relu, abs, step, sign, erf, cos,
// sin, exp, quadratic), or nothing for activations without one.
std::optional<double> kernel_closed_form(const Activation& f, double s11, double s12, double s22);

// Nested 1-D adaptive quadrature, the inner integral split at the kink of σ(v): any activation.
double kernel_quadrature(const Activation& f, double s11, double s12, double s22);

// The closed form when there is one, quadrature otherwise. The activation's shift and scale apply.
double expected_product(const Activation& f, double s11, double s12, double s22);

struct DCoefficients {
  double d0;  // Var σ(√τ ξ) - τ (E σ'(√τ ξ))²
  double d1;  // (E σ'(√τ ξ))²
  double d2;  // (E σ''(√τ ξ))² / 4
};
DCoefficients d_coefficients(const Activation& f, double tau);

// Φ = E_w[σ(Xᵀw) σ(wᵀX)] (n×n, column-major) for data X (p×n, column-major), by expected_product.
std::vector<double> expected_kernel_matrix(const Activation& f, const std::vector<double>& x, index_t p, index_t n);

// Louart–Liao–Couillet (SPEC §4.1): the law of G = ΣᵀΣ/n, Σ = σ(WX) ∈ R^{N×n}, W iid N(0,1), on given
// data: Q̄(z) = (α Φ/(1 + δ(z)) - z)⁻¹, δ(z) = (1/n) tr Φ Q̄(z), α = N/n, m(z) = (1/n) tr Q̄(z).
// Built from the eigenvalues of Φ; δ by Newton with continuation from far above the axis.
class RandomFeatureGram final : public SpectralLaw {
 public:
  RandomFeatureGram(std::vector<double> phi_eigenvalues, double alpha);

  complex delta(complex z) const;

  std::vector<Interval> support() const override;
  std::vector<Atom> atoms() const override;  // at 0: 1 - min(N, rank Φ)/n
  double density(double x) const override;
  complex stieltjes(complex z) const override;
  std::vector<double> moments(int count) const override;  // α·mean(λ), α²(mean λ² + mean(λ)²/α)

 private:
  bool newton(complex& delta, complex z) const;
  complex continuation(complex z) const;
  std::vector<double> lambda_;
  // Last solution: density evaluations sweep x smoothly (scans, quadrature), so Newton started
  // from the previous δ converges at once inside a band (see delta()). Not thread-safe.
  mutable complex last_z_{0.0, -1.0};
  mutable complex last_delta_{0.0, 0.0};
  double alpha_;
  double scale_;
  std::vector<Interval> support_;
};

}  // namespace rmt::theory
