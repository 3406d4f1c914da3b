#pragma once
// Fan–Wang conjugate kernel (docs/theory.md §3.4): X0 = G/√d0, X_ℓ = σ(W_ℓ X_{ℓ-1})/√d_ℓ with σ normalised
// (E σ = 0, E σ² = 1), b = E σ'(ξ), γ_ℓ = n/d_ℓ; CK = X_Lᵀ X_L (n×n).
// μ_ℓ = MP_{γ_ℓ} ⊠ ((1 - b²) + b² μ_{ℓ-1}), μ_0 = MP(γ0).
#include <vector>

#include "core/base/spectral_law.hpp"

namespace rmt::theory {

class ConjugateKernel final : public SpectralLaw {
 public:
  ConjugateKernel(double b, double gamma0, std::vector<double> gammas);

  int depth() const { return static_cast<int>(gammas_.size()); }
  // Stieltjes transform of layer ℓ = 0..depth() (ℓ = 0: the input Gram X0ᵀX0).
  complex layer_stieltjes(int layer, complex z) const;
  // Density of the absolutely continuous part of μ_layer at real x (0 for x ≤ 0).
  double layer_density(int layer, double x) const;
  // Reference: the literal nested damped fixed point of §3.4 (each iteration calls layer - 1).
  // Cost grows geometrically with the layer: meant for layer ≤ 3 (tests, cross-checks).
  complex nested_layer_stieltjes(int layer, complex z) const;

  std::vector<Interval> support() const override;
  std::vector<Atom> atoms() const override;
  double density(double x) const override;
  complex stieltjes(complex z) const override;  // the last layer
  std::vector<double> moments(int count) const override;

 private:
  double b_, gamma0_;
  std::vector<double> gammas_;
  std::vector<Interval> support_;
};

}  // namespace rmt::theory
