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
