#pragma once
// Pennington–Worah (docs/theory.md §3.1): M = YYᵀ/m, Y = f(WX/√n0), W ∈ R^{n1×n0}, X ∈ R^{n0×m},
// φ = n0/m, ψ = n0/n1, f centred; η = E f(ξ)², ζ = (E f'(ξ))² (σ_w σ_x = 1).
// The quartic in P with the root selection of §3.1; m(z) = -G(z).
#include "core/base/spectral_law.hpp"

namespace rmt::theory {

class PenningtonWorah final : public SpectralLaw {
 public:
  PenningtonWorah(double eta, double zeta, double phi, double psi);

  // The four candidate values of G(z) (roots of the quartic), for tests and diagnostics.
  std::vector<complex> green_candidates(complex z) const;

  std::vector<Interval> support() const override;
  std::vector<Atom> atoms() const override;  // at 0: (1 - ψ/φ)⁺ nonlinear, (1 - ψ min(1, 1/φ))⁺ linear (ζ = η)
  double density(double x) const override;
  complex stieltjes(complex z) const override;
  std::vector<double> moments(int count) const override;  // η, η²(1 + φ/ψ) + ζ²/ψ

 private:
  double eta_, zeta_, phi_, psi_;
  std::vector<Interval> support_;
};

}  // namespace rmt::theory
