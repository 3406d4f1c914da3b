#pragma once
// General population covariance (docs/theory.md §1.2–1.3, §9.2): S = C^{1/2} Z Zᵀ C^{1/2} / n with the
// population spectrum H = Σ_k w_k δ_{t_k} (discrete), c = p/n.
#include <utility>
#include <vector>

#include "core/base/spectral_law.hpp"

namespace rmt::theory {

struct PopulationSpectrum {
  std::vector<double> t;  // distinct positive eigenvalues
  std::vector<double> w;  // weights, sum to 1
};

class BaiSilverstein final : public SpectralLaw {
 public:
  BaiSilverstein(PopulationSpectrum h, double c);

  const PopulationSpectrum& population() const { return h_; }
  double c() const { return c_; }

  // Inverse function z(m̃) = -1/m̃ + c Σ w t / (1 + t m̃)  (Silverstein–Choi).
  complex z_of_companion(complex mt) const;
  // Companion transform m̃(z) by damped fixed point with warm start and Newton polish.
  complex companion_stieltjes(complex z) const;
  // Support edges by the inverse-function method (real critical points of z(m̃)), sorted.
  std::vector<double> edges() const;
  // The square-root coefficient a of the right edge, ρ(x) ≈ (a/π)√(λ₊ − x) (docs/theory.md §9.5), from
  // the edge equation: with s = −1/m̃, λ₊ = z(s*) at the critical point s* > max t, and near it
  // z ≈ λ₊ + ½ z''(s*)(s − s*)², so Im m̃ ≈ √(2(λ₊ − x)/z''(s*))/s*² and ρ = Im m̃/(πc):
  // a = √(2/z''(s*)) / (c s*²). Returns {a, λ₊}.
  std::pair<double, double> upper_edge_sqrt_coefficient() const;

  std::vector<Interval> support() const override;  // consecutive pairs of edges
  std::vector<Atom> atoms() const override;          // (1 - 1/c)⁺ at 0
  double density(double x) const override;           // polynomial method, exact at η = 0⁺
  complex stieltjes(complex z) const override;       // m = m̃/c + (1 - c)/(c z)
  std::vector<double> moments(int count) const override;

 private:
  PopulationSpectrum h_;
  double c_;
  std::vector<double> edges_;
};

}  // namespace rmt::theory
