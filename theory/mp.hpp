#pragma once
// Marchenko–Pastur law (docs/theory.md §1.1): S = XXᵀ/n, X ∈ R^{p×n} iid N(0, σ²), c = p/n.
#include "core/base/spectral_law.hpp"

namespace rmt::theory {

class MarchenkoPastur final : public SpectralLaw {
 public:
  MarchenkoPastur(double c, double sigma2 = 1.0);

  double c() const { return c_; }
  double sigma2() const { return sigma2_; }
  double lower_edge() const;  // σ²(1 - √c)²
  double upper_edge() const;  // σ²(1 + √c)²
  // The square-root coefficient of the right edge, ρ(x) ≈ (a/π)√(b − x) as x ↑ b (docs/theory.md §9.5):
  // a = c^{-3/4} (1 + √c)^{-2} σ^{-3}.
  double upper_edge_sqrt_coefficient() const;
  // Johnstone's (2001) Tracy–Widom scale of λ_max for p = dim, to leading order in n = dim/c:
  // σ² (1 + √c)(1 + 1/√c)^{1/3} n^{-2/3} (his σ_np/n with n − 1 → n).
  double johnstone_tw_scale(double dim) const;

  std::vector<Interval> support() const override;
  std::vector<Atom> atoms() const override;  // (1 - 1/c)⁺ at 0
  double density(double x) const override;
  complex stieltjes(complex z) const override;  // product-of-principal-roots branch
  // Companion transform of XᵀX/n: c m(z) - (1 - c)/z.
  complex companion_stieltjes(complex z) const;
  std::vector<double> moments(int count) const override;  // Narayana polynomials

 private:
  double c_;
  double sigma2_;
};

}  // namespace rmt::theory
