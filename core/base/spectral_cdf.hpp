#pragma once
// Cumulative distribution function of a SpectralLaw by quadrature of its density plus its atoms.
// Each support interval [a, b] is mapped to θ ∈ [0, π] by x = a + (b - a)(1 - cos θ)/2, which
// removes the square-root edge behaviour, and integrated panel by panel with Gauss–Legendre.
#include <vector>

#include "core/base/spectral_law.hpp"

namespace rmt {

class SpectralCdf {
 public:
  explicit SpectralCdf(const SpectralLaw& law, int panels = 256);

  double operator()(double x) const;  // μ((-∞, x])
  double left(double x) const;        // μ((-∞, x))
  // Smallest x with F(x) ≥ u, by bisection on the support (u in (0, 1)).
  double quantile(double u) const;
  // Continuous mass found by quadrature plus atoms: 1 up to quadrature error for a valid law.
  double total_mass() const { return total_mass_; }
  const std::vector<Atom>& atoms() const { return atoms_; }

 private:
  struct Component {
    Interval range;
    std::vector<double> cumulative;  // mass up to each panel boundary in θ
  };
  double continuous_below(double x) const;
  double integrate_theta(const Component& c, double from, double to) const;

  const SpectralLaw& law_;
  int panels_;
  std::vector<Component> components_;
  std::vector<Atom> atoms_;
  double total_mass_ = 0;
};

}  // namespace rmt
