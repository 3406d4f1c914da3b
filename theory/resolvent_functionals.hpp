#pragma once
// Resolvent functionals of the sample covariance (Bai–Silverstein model, docs/theory.md §12.1):
// S = C^{1/2} Z Zᵀ C^{1/2} / n, C = diag(c_i) with c_i in {t_k} (weights w_k), c = p/n, Q(z) = (S − zI)⁻¹.
// The deterministic equivalent Q̄(z) = −(I + m̃(z) C)⁻¹ / z is diagonal, so every normalised trace
// (1/p) tr AQ and every quadratic form aᵀQb has its equivalent as a finite sum over the atoms or the
// coordinates; their O(1/n) bias and their fluctuations (second order) follow from m̃ alone.
#include <span>
#include <vector>

#include "core/base/types.hpp"
#include "theory/silverstein.hpp"

namespace rmt::theory {

class SampleCovarianceResolvent {
 public:
  // `h` should be the finite-size population (the weights of the C actually used) and c = p/n exactly:
  // second-order quantities are only meaningful with the finite (c_n, H_n).
  SampleCovarianceResolvent(PopulationSpectrum h, double c);

  const PopulationSpectrum& population() const { return h_; }
  double c() const { return c_; }

  // Companion Stieltjes transform m̃(z): the root in C⁺ for Im z > 0 (polished by Newton), m̃(z̄) = conj,
  // and for real z < 0 the real root 1/κ with κ > 0 solving −z = κ(1 − c Σ w t/(t + κ)).
  complex companion(complex z) const;
  // z(m̃) and its first three derivatives in m̃.
  complex z_of(complex mt) const;
  complex dz(complex mt) const;
  complex d2z(complex mt) const;
  complex d3z(complex mt) const;

  // Q̄_ii for a coordinate whose population variance is s: −1 / (z (1 + m̃ s)).
  complex diagonal(complex z, double s) const;
  // b̄(z) = 1/(1 + δ(z)) = −z m̃(z).
  complex bbar(complex z) const;
  // m(z) = (1/p) tr Q̄ = m̃/c + (1 − c)/(c z).
  complex trace(complex z) const;
  // (1/p) tr C Q̄ = −(1 + z m̃)/(c z m̃).
  complex trace_population(complex z) const;
  // Leading bias of tr Q: E tr Q − p m(z) → 𝓜(z) (real Gaussian entries).
  complex trace_bias(complex z) const;
  // Limit of Cov(tr Q(z1), tr Q(z2)) (bilinear, real Gaussian entries); z1 = z2 uses the exact
  // same-point limit −S/(3 z'²) (S the Schwarzian-type combination of z', z'', z'''), since the
  // two-point formula cancels catastrophically there.
  complex trace_covariance(complex z1, complex z2) const;

  // n · Cov(aᵀQ(z1)b, aᵀQ(z2)b) (bilinear; leading order, real Gaussian entries). `diag` is C's diagonal,
  // a and b unit vectors of the same length.
  complex quadratic_form_covariance(complex z1, complex z2, std::span<const double> diag, std::span<const double> a,
                                    std::span<const double> b) const;
  // aᵀQ̄(z)b = Σ_i a_i b_i Q̄_ii.
  complex quadratic_form(complex z, std::span<const double> diag, std::span<const double> a,
                         std::span<const double> b) const;

 private:
  double real_companion(double z) const;
  PopulationSpectrum h_;
  double c_;
  BaiSilverstein law_;
};

// Var Re X and Var Im X of a complex functional X(z) from its bilinear covariances Cov(z, z̄) = E|X−EX|²
// and Cov(z, z) = E(X−EX)².
struct ComplexVariance {
  double re = 0, im = 0;
};
ComplexVariance split_variance(complex cov_conj, complex cov_same);

}  // namespace rmt::theory
