#pragma once
// Inner-product kernel matrices at the 1/√p scale (Cheng–Singer; docs/theory.md §3.3):
// K = f(ZᵀZ/√p)/√p with zero diagonal, Z ∈ R^{p×n} iid N(0,1), c = p/n, f centred,
// a1 = E[ξ f(ξ)], ν = E f(ξ)². m(z) is the root of the cubic of §3.3 with Im m > 0.
#include "core/base/spectral_law.hpp"

namespace rmt::theory {

class ChengSinger final : public SpectralLaw {
 public:
  ChengSinger(double a1, double nu, double c);

  std::vector<Interval> support() const override;
  std::vector<Atom> atoms() const override;
  double density(double x) const override;
  complex stieltjes(complex z) const override;
  std::vector<double> moments(int count) const override;

 private:
  double a1_, nu_, c_;
  std::vector<Interval> support_;
};

}  // namespace rmt::theory
