#pragma once
// One-hidden-layer neural tangent kernel (docs/theory.md §3.5): K = X1ᵀX1 + (DᵀD/d1) ⊙ (X0ᵀX0), normalised σ,
// a_σ = E σ'(ξ)², b = E σ'(ξ), γ0 = n/d0, γ1 = n/d1:
// μ_NTK = (a_σ - 1) + (1 + MP_{γ1}) ⊠ ((1 - b²) + b² μ0), μ0 = MP(γ0).
#include "core/base/spectral_law.hpp"

namespace rmt::theory {

class NeuralTangentKernel final : public SpectralLaw {
 public:
  NeuralTangentKernel(double a_sigma, double b, double gamma0, double gamma1);

  std::vector<Interval> support() const override;
  std::vector<Atom> atoms() const override;
  double density(double x) const override;
  complex stieltjes(complex z) const override;
  std::vector<double> moments(int count) const override;

 private:
  double a_sigma_, b_, gamma0_, gamma1_;
  std::vector<Interval> support_;
};

}  // namespace rmt::theory
