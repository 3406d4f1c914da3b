#pragma once
// Contour integrals of resolvent equivalents (docs/theory.md §7.2, §9.4): the fixed-Talbot rule for inverse
// Laplace transforms, an ellipse rule for cross-checks, and the scalar fixed point
//     δ(z) = Σ_j ω_j λ_j / (α λ_j u − z),   u = 1/(1 + δ),
// shared by the general-Σ equivalent Q̄(z) = (aΣ − z)⁻¹, a = 1/(1 + (1/n) tr ΣQ̄) (λ = eigenvalues of
// Σ, ω = multiplicity/n, α = 1) and the Louart–Liao–Couillet one Q̄(z) = (αΦ/(1 + δ) − z)⁻¹
// (λ = eigenvalues of Φ, ω = 1/n, α = N/n). Its diagonal is q_j = 1/(α λ_j u − z).
#include <span>
#include <vector>

#include "core/base/types.hpp"

namespace rmt::theory::numerics {

// f(T) = (1/2πi) ∫ e^{sT} F(s) ds ≈ Σ_k w_k F(s_k) on s(θ) = r(θ cot θ + iθ), θ_k = −π + (k + ½)2π/M,
// r = 0.2M/T. Nodes come in conjugate pairs (s_{M−1−k} = conj s_k, same for w), so for F real on
// the real axis the sum is real. Every singularity of F must lie left of the contour, which
// crosses the real axis at s = r. M even, ≥ 4; T > 0.
struct TalbotRule {
  double r = 0;  // the contour crosses the real axis at s = r
  std::vector<complex> s, w;
};
TalbotRule fixed_talbot(double T, int M);

// Counter-clockwise ellipse centred on [lo, hi] with half-width (hi − lo)/2 and half-height ry,
// periodic trapezoid rule: ∮ g(z) dz ≈ Σ_j g(z_j) dz_j.
struct ContourRule {
  std::vector<complex> z, dz;
};
ContourRule ellipse_rule(double lo, double hi, double ry, int M);

class DeltaEquation {
 public:
  // λ_j ≥ 0, ω_j > 0, α > 0.
  DeltaEquation(std::vector<double> lambda, std::vector<double> weight, double alpha);

  const std::vector<double>& lambda() const { return lambda_; }
  const std::vector<double>& weight() const { return weight_; }
  double alpha() const { return alpha_; }

  // The physical root at real z < 0: the unique positive one (Newton, monotone from above).
  double at_negative(double z) const;
  // The physical root along a path in the closed upper half plane that starts at a real point
  // left of the spectrum (path[0] < 0): Newton continuation with an Euler predictor, steps halved
  // until each converges on the branch with Im δ ≥ 0. Throws NumericalError if it cannot follow.
  std::vector<complex> track(std::span<const complex> path) const;
  // δ at any z off the spectrum (δ(z̄) = conj δ(z); real z ≥ 0: the limit from above), tracked from
  // −|z| − 1 through the upper half plane, well above the spectrum, and down to z.
  complex at(complex z) const;

 private:
  // Residual F(δ) = δ − Σ ωλ/(αλu − z) and its derivatives in δ and z.
  struct Residual {
    complex f, df_ddelta, df_dz;
    double size = 0;  // |δ| + Σ|terms|: the scale of f's rounding error
  };
  Residual residual(complex delta, complex z) const;
  bool newton(complex& delta, complex z) const;
  complex step(complex z0, complex d0, complex z1, int depth) const;

  std::vector<double> lambda_, weight_;
  double alpha_;
};

// δ(z_k) at the Talbot nodes z_k = −s_k (all M of them, in the rule's order), tracked once along the
// upper half of the contour from its real crossing z = −r and mirrored by conjugation.
std::vector<complex> delta_on_talbot(const DeltaEquation& equation, const TalbotRule& rule);

}  // namespace rmt::theory::numerics
