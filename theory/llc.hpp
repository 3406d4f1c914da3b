#pragma once
// Kernels of random features (docs/theory.md §4.2, §4.5): Φ(a, b) = E_w[σ(wᵀa) σ(wᵀb)] for w ~ N(0, I_p),
// i.e. E[σ(u)σ(v)] with (u, v) ~ N(0, [[s11, s12], [s12, s22]]), s11 = ‖a‖², s12 = aᵀb, s22 = ‖b‖²;
// and the Gaussian-mixture linearisation coefficients d0, d1, d2 (Liao–Couillet 2018).
#include <optional>
#include <vector>

#include "core/base/spectral_law.hpp"

#include "core/base/activation.hpp"

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

// Louart–Liao–Couillet (docs/theory.md §4.1): the law of G = ΣᵀΣ/n, Σ = σ(WX) ∈ R^{N×n}, W iid N(0,1), on given
// data: Q̄(z) = (α Φ/(1 + δ(z)) - z)⁻¹, δ(z) = (1/n) tr Φ Q̄(z), α = N/n, m(z) = (1/n) tr Q̄(z).
// Several feature blocks (docs/theory.md §4.4: Σ = [σ_1(WX); …; σ_J(WX)], kernels K_j) give J coupled δ_j with
// Q̄ = (Σ_j α_j K_j/(1 + δ_j) - z)⁻¹ — built here when the K_j share an eigenbasis (eigenvalues κ_j,k
// in the same order), e.g. the linearisations K_j ≈ d0_j I + d1_j XᵀX of random Fourier features.
// δ by Newton with continuation from far above the axis.
class RandomFeatureGram final : public SpectralLaw {
 public:
  RandomFeatureGram(std::vector<double> phi_eigenvalues, double alpha);
  RandomFeatureGram(std::vector<std::vector<double>> kernel_eigenvalues, std::vector<double> alphas);

  std::vector<complex> deltas(complex z) const;
  complex delta(complex z) const { return deltas(z).front(); }

  std::vector<Interval> support() const override;
  std::vector<Atom> atoms() const override;  // at 0: 1 - min(1, Σ_j min(α_j, rank K_j/n))
  double density(double x) const override;
  complex stieltjes(complex z) const override;
  // Σ α_j mean κ_j and Σ_j (α_j² mean κ_j² + α_j (mean κ_j)²) + Σ_{j≠l} α_j α_l mean κ_j κ_l (independent blocks).
  std::vector<double> moments(int count) const override;

 private:
  bool newton(std::vector<complex>& delta, complex z) const;
  std::vector<complex> continuation(complex z) const;
  std::vector<std::vector<double>> kappa_;  // J × n
  std::vector<double> alpha_;
  // Last solution: density evaluations sweep x smoothly (scans, quadrature), so Newton started
  // from the previous δ converges at once inside a band (see deltas()). Not thread-safe.
  mutable complex last_z_{0.0, -1.0};
  mutable std::vector<complex> last_delta_;
  double scale_ = 1;
  std::vector<Interval> support_;
};

}  // namespace rmt::theory
