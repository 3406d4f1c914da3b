#pragma once
// The CLT of linear spectral statistics for a general population (Bai & Silverstein 2004; docs/theory.md
// §12.2, "General population"): S = C^{1/2} Z Zᵀ C^{1/2}/n with C of spectrum H (discrete), c = p/n < 1, real
// Gaussian entries, f analytic near the support:
//   ∫ f dF^{c,H} = −(1/2πi) ∮ f(z) m(z) dz,   E_f = −(1/2πi) ∮ f(z) 𝓜(z) dz,
//   Cov(G(f), G(g)) = −(1/2π²) ∮∮ f(z₁) g(z₂) m̃'(z₁) m̃'(z₂) / (m̃(z₁) − m̃(z₂))² dz₁ dz₂,
// with 𝓜 the trace bias of §12.1 and m̃ the companion transform. Evaluated by the trapezoid rule on two
// nested ellipses around the support (offset nodes never touch the real axis); the rule converges
// geometrically for analytic integrands, so M = 2048 nodes give the closed forms to ~1e-12.
#include <functional>

#include "core/base/types.hpp"
#include "theory/resolvent_functionals.hpp"

namespace rmt::theory {

using ComplexFunction = std::function<complex(complex)>;

class LssContour {
 public:
  // `h` the finite-size population and c = p/n (< 1: the contour must leave 0 outside; for f = log it is
  // log's branch point). Throws InputError otherwise.
  LssContour(PopulationSpectrum h, double c, int nodes = 2048);

  double integral(const ComplexFunction& f) const;                               // ∫ f dF^{c,H}
  double mean(const ComplexFunction& f) const;                                   // E_f (real Gaussian)
  double covariance(const ComplexFunction& f, const ComplexFunction& g) const;  // Cov(G(f), G(g)) (real)
  double variance(const ComplexFunction& f) const { return covariance(f, f); }

  double lower_edge() const { return a_; }
  double upper_edge() const { return b_; }

 private:
  struct Node {
    complex z, dz, mt, dmt;  // the point, dz/dθ·Δθ, m̃(z), m̃'(z)
  };
  std::vector<Node> ellipse(double left_end, double vertical_semi_axis) const;

  SampleCovarianceResolvent resolvent_;
  double a_ = 0, b_ = 0;
  int nodes_;
  std::vector<Node> outer_, inner_;
};

}  // namespace rmt::theory
