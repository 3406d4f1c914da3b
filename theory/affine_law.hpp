#pragma once
// The law of a·λ + b for λ ~ base (a ≠ 0): linearised kernel matrices (El Karoui) are affine images
// of a Marchenko–Pastur law.
#include <memory>

#include "core/base/spectral_law.hpp"

namespace rmt::theory {

class AffineLaw final : public SpectralLaw {
 public:
  AffineLaw(std::unique_ptr<SpectralLaw> base, double a, double b);

  std::vector<Interval> support() const override;
  std::vector<Atom> atoms() const override;
  double density(double x) const override;
  complex stieltjes(complex z) const override;  // (1/a) m_base((z - b)/a)
  std::vector<double> moments(int count) const override;

 private:
  std::unique_ptr<SpectralLaw> base_;
  double a_, b_;
};

}  // namespace rmt::theory
