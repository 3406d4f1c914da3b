#pragma once
// Deep neural tangent kernel through its linearisation (docs/theory.md §3.5 [U]):
//   K ≈ r₊ I + X_LᵀX_L + Σ_{ℓ<L} b^{2(L−ℓ)} X_ℓᵀX_ℓ,  r₊ = Σ_{ℓ<L} (a^{L−ℓ} − b^{2(L−ℓ)}),
// with the Fan–Wang mechanism of §3.4: given X_{ℓ−1}, the rows of X_ℓ are (to the first order) iid with
// covariance T_ℓ = (1 − b²) I + b² X_{ℓ−1}ᵀX_{ℓ−1}, so X_ℓᵀX_ℓ ≈ T_ℓ^{1/2} (ZᵀZ/d_ℓ) T_ℓ^{1/2}.
// Derived here (not in docs/theory.md): averaging the resolvent over Z_L, then Z_{L−1}, …, each step is the
// deterministic equivalent of R + c·T^{1/2}(ZᵀZ/d)T^{1/2} − z, namely (R + c·u·T − z)⁻¹ with
// u = 1/(1 + δ), δ = c γ (1/n) tr T Q̄, and E[XᵀX Q] ≈ u T Q̄. With c'_L = 1, z_L = z − r₊ and, going down,
//   c'_{ℓ−1} = b^{2(L−ℓ+1)} + c'_ℓ b² u_ℓ,   z_{ℓ−1} = z_ℓ − c'_ℓ (1 − b²) u_ℓ,
// the bottom resolvent (c'_0 X_0ᵀX_0 − z_0)⁻¹ is a Marchenko–Pastur(γ0) integral: m = (1/c'_0) m_MP(z_0/c'_0),
// s_0 = (1/n) tr X_0ᵀX_0 Q̄ = (1 + (z_0/c'_0) m_MP)/c'_0, and going up t_ℓ = (1 − b²) m + b² s_{ℓ−1},
// s_ℓ = u_ℓ t_ℓ; the L unknowns solve δ_ℓ = c'_ℓ γ_ℓ t_ℓ (Newton with continuation in Im z).
// One hidden layer (L = 1) is exactly the verified law of theory/ntk.hpp.
#include <vector>

#include "core/base/spectral_law.hpp"

namespace rmt::theory {

class DeepNeuralTangentKernel final : public SpectralLaw {
 public:
  // a = E σ'(ξ)², b = E σ'(ξ) of the normalised activation; γ0 = n/d0, gammas = n/d_ℓ (ℓ = 1..L).
  DeepNeuralTangentKernel(double a, double b, double gamma0, std::vector<double> gammas);

  double r_plus() const { return r_plus_; }
  std::vector<complex> deltas(complex z) const;

  std::vector<Interval> support() const override;
  std::vector<Atom> atoms() const override { return {}; }  // K ≥ r₊ > 0 with a continuous law
  double density(double x) const override;
  complex stieltjes(complex z) const override;
  std::vector<double> moments(int count) const override;

 private:
  // Residuals F_ℓ = δ_ℓ − c'_ℓ γ_ℓ t_ℓ and the Stieltjes transform m at (δ, z).
  std::vector<complex> residuals(const std::vector<complex>& delta, complex z, complex* m) const;
  bool newton(std::vector<complex>& delta, complex z) const;
  double a_, b_, gamma0_, r_plus_ = 0;
  std::vector<double> gammas_;
  std::vector<Interval> support_;
  mutable complex last_z_{0.0, -1.0};
  mutable std::vector<complex> last_delta_;
};

}  // namespace rmt::theory
