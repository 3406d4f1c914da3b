#pragma once
// Helpers shared by the theory tests: complex comparisons and integrals against a spectral law.
#include <cmath>
#include <numbers>
#include <vector>

#include <gtest/gtest.h>

#include <boost/math/quadrature/gauss_kronrod.hpp>

#include "core/base/spectral_law.hpp"

namespace rmt::test_support {

inline void expect_complex_near(complex actual, complex expected, double tol) {
  EXPECT_NEAR(actual.real(), expected.real(), tol) << "actual " << actual << " expected " << expected;
  EXPECT_NEAR(actual.imag(), expected.imag(), tol) << "actual " << actual << " expected " << expected;
}

// ∫ g over [lo, hi] with x = lo + (hi - lo) sin²(θ/2): the substitution removes the √ behaviour
// at regular edges (and the x^{-1/2} edge at 0 when c = 1), so adaptive Gauss–Kronrod reaches
// ~1e-14. (tanh–sinh would also do, but Boost's debug assertions in it trip on some intervals.)
template <typename G>
double integrate_interval(double lo, double hi, G g) {
  const auto h = [&](double th) {
    const double sh = std::sin(th / 2);
    return g(lo + (hi - lo) * sh * sh) * (hi - lo) * 0.5 * std::sin(th);
  };
  return boost::math::quadrature::gauss_kronrod<double, 61>::integrate(h, 0.0, std::numbers::pi, 8, 1e-13);
}

// ∫ f dμ: the bulk components plus the atoms.
template <typename F>
double integrate_law(const SpectralLaw& law, F f) {
  double total = 0;
  for (const auto& s : law.support())
    total += integrate_interval(s.lo, s.hi, [&](double x) { return f(x) * law.density(x); });
  for (const auto& a : law.atoms()) total += a.mass * f(a.x);
  return total;
}

// A purely atomic law: the exact spectral measure of a matrix (atoms at its eigenvalues, mass 1/d) or
// of one probe (mass (vᵀu_i)²), for testing estimates of it.
class DiscreteLaw final : public SpectralLaw {
 public:
  explicit DiscreteLaw(std::vector<Atom> atoms) : atoms_(std::move(atoms)) {}
  std::vector<Interval> support() const override { return {}; }
  std::vector<Atom> atoms() const override { return atoms_; }
  double density(double) const override { return 0; }
  complex stieltjes(complex z) const override {
    complex m = 0;
    for (const auto& a : atoms_) m += a.mass / (a.x - z);
    return m;
  }
  std::vector<double> moments(int count) const override {
    std::vector<double> m(static_cast<std::size_t>(count), 0.0);
    for (const auto& a : atoms_)
      for (int k = 0; k < count; ++k) m[static_cast<std::size_t>(k)] += a.mass * std::pow(a.x, k + 1);
    return m;
  }

 private:
  std::vector<Atom> atoms_;
};

}  // namespace rmt::test_support
