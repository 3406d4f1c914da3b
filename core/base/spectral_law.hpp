#pragma once
// A limiting eigenvalue distribution as the theory layer describes it: support, atoms, density,
// Stieltjes transform m(z) = ∫ μ(dt)/(t - z) (Im m > 0 for Im z > 0) and moments.
#include <vector>

#include "core/base/types.hpp"

namespace rmt {

struct Interval {
  double lo;
  double hi;
};

struct Atom {
  double x;
  double mass;
};

class SpectralLaw {
 public:
  virtual ~SpectralLaw() = default;
  // Bulk components, sorted, disjoint (atoms are listed separately).
  virtual std::vector<Interval> support() const = 0;
  virtual std::vector<Atom> atoms() const = 0;
  // Density of the absolutely continuous part at real x (0 outside the support).
  virtual double density(double x) const = 0;
  virtual complex stieltjes(complex z) const = 0;
  // Raw moments ∫ x^k dμ, k = 1..count.
  virtual std::vector<double> moments(int count) const = 0;
};

}  // namespace rmt
