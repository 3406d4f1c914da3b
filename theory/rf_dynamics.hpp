#pragma once
// Random-feature dynamics on given data (docs/theory.md §7.3): the readout β(t) of Σ = σ(WX) ∈ R^{N×n},
// trained by gradient flow on ‖y − Σᵀβ‖²/(2n) from β(0) = 0, so that y − Σᵀβ(t) = e^{−tG}y with
// G = ΣᵀΣ/n and E_train(t) = (1/n) yᵀe^{−2tG}y ≃ L⁻¹[(1/n) yᵀQ̄(−s)y](2t), Q̄(z) the
// Louart–Liao–Couillet equivalent (α = N/n)
//     Q̄(z) = (αΦ/(1 + δ(z)) − z)⁻¹,   δ(z) = (1/n) tr ΦQ̄(z),
// evaluated in the eigenbasis of Φ with the fixed-Talbot rule of §7.2.
#include <span>
#include <vector>

#include "core/base/activation.hpp"
#include "core/base/types.hpp"
#include "theory/llc_ridge.hpp"
#include "theory/numerics/contour.hpp"

namespace rmt::theory {

// The §4.1 equivalent on data X (p×n, column-major) with targets y, diagonalised once.
class RandomFeatureResolvent {
 public:
  RandomFeatureResolvent(const Activation& f, std::span<const double> x, index_t p, index_t n,
                         std::span<const double> y, double N);
  // From Φ already diagonalised (kernel_eigen), α = N/n.
  RandomFeatureResolvent(const KernelEigen& phi, std::span<const double> y, double alpha);

  // δ(z) and (1/n) yᵀQ̄(z)y at any z off the spectrum of G (real z < 0 directly, otherwise tracked).
  complex delta(complex z) const;
  complex quadratic_form(complex z) const;
  // (1/n) yᵀe^{−2tG}y for finite t ≥ 0, fixed-Talbot rule with `talbot_nodes` nodes (even, 8..128;
  // a single contour: 40–64 give ~1e-12).
  double train_error(double t, int talbot_nodes = 48) const;

 private:
  complex form_at(complex z, complex delta) const;
  numerics::DeltaEquation equation_;
  std::vector<double> lambda_, uy2_;  // eigenvalues of Φ, (Uᵀy)²/n
  double alpha_;
};

// Test error of the same readout on test data X̂ (p×n̂), ŷ (docs/theory.md §7.3, two-point equivalent):
//   E_test(t) = ‖ŷ‖²/n̂ − (2/n̂) ŷᵀE f̂_t + (1/n̂) E‖f̂_t‖²,  f̂_t = Σ̂ᵀβ(t),  β(t) = (1/n) Σ φ_t(G) y,
// φ_t(x) = (1 − e^{−tx})/x, with E f̂_t ≃ L⁻¹[(1/s) Ψ_X̂X Q̄ y] and (1/n̂)E‖f̂_t‖² the double inverse
// transform of T(z1, z2)/(s1 s2), T the two-point equivalent of §7.3 (Ψ_AB = (N/n) a(z) Φ_AB,
// a = 1/(1 + δ)). Everything is evaluated in the eigenbasis of Φ: with v = Uᵀy and C = UᵀΦ_XX̂ the
// bilinear forms reduce to O(n) sums per pair of nodes, and the first term of T factorises.
class RandomFeatureTestError {
 public:
  RandomFeatureTestError(const Activation& f, std::span<const double> x, std::span<const double> y,
                         std::span<const double> xtest, std::span<const double> ytest, index_t p, double N);

  // E_test(t) for finite t ≥ 0 (t = 0: β = 0, ‖ŷ‖²/n̂). A double contour: M ≈ 32 is the most
  // accurate (rounding grows like e^{0.4M}), ~1e-11 on the test configuration.
  double test_error(double t, int talbot_nodes = 32) const;
  // Test error of the ridge readout β = (1/n) Σ (G + γ)⁻¹ y through the same two-point equivalent at
  // z1 = z2 = −γ (equals llc_ridge's Ē_test, a consistency check of T).
  double ridge_test_error(double gamma) const;

 private:
  RandomFeatureTestError(const KernelEigen& phi, const Activation& f, std::span<const double> x,
                         std::span<const double> y, std::span<const double> xtest, std::span<const double> ytest,
                         index_t p, double N);
  // E_test of β = (1/n) Σ [Σ_k ω_k Q(z_k)] y given δ(z_k).
  double evaluate(std::span<const complex> z, std::span<const complex> delta, std::span<const complex> omega) const;
  numerics::DeltaEquation equation_;
  std::vector<double> lambda_, v_, c_row2_, c_y_;  // λ, Uᵀy, Σ_j C_kj², Cŷ
  std::vector<double> c_;                          // C = UᵀΦ_XX̂, n×n̂ column-major
  index_t n_, nt_;
  double alpha_, y_norm2_, trace_test_;  // ‖ŷ‖²/n̂, tr Φ_X̂X̂/n̂
};

// Random-feature readout trained by gradient flow from 0 on given data X (p×n, column-major, already
// scaled as §4.1 wants), targets y (n), N features, activation f. Train error E_train(t) for each t
// (finite, ≥ 0).
std::vector<double> rf_gf_train_error(const Activation& f, std::span<const double> x, index_t p, index_t n,
                                      std::span<const double> y, double N, std::span<const double> times);

// E_test(t) for each t of the same readout on test data X̂ (p×n̂, column-major), ŷ (n̂); n = y.size().
std::vector<double> rf_gf_test_error(const Activation& f, std::span<const double> x, std::span<const double> y,
                                     std::span<const double> xtest, std::span<const double> ytest, index_t p, double N,
                                     std::span<const double> times);

}  // namespace rmt::theory
