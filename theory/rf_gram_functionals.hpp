#pragma once
// Resolvent functionals of the random-feature Gram matrix on given data (Louart–Liao–Couillet,
// docs/theory.md §4.1 and §12.1b): G = ΣᵀΣ/n, Σ = σ(WX) ∈ R^{N×n}, W iid N(0,1) the only randomness,
// Q(z) = (G − zI_n)⁻¹. Its deterministic equivalent Q̄(z) = (α Φ/(1 + δ(z)) − zI)⁻¹, α = N/n,
// δ = (1/n) tr Φ Q̄, is diagonal in the eigenbasis of the expected kernel Φ = E_w[σ(Xᵀw)σ(wᵀX)], so every
// normalised trace and quadratic form aᵀQ̄b is a sum over Φ's eigenvalues; the fluctuation of aᵀQb over W
// comes from the Gaussian proxy (the rows σ(Xᵀw_k) treated as Gaussian vectors of second moment Φ).
#include <span>
#include <vector>

#include "core/base/types.hpp"
#include "theory/llc_ridge.hpp"
#include "theory/numerics/contour.hpp"

namespace rmt::theory {

class RfGramFunctionals {
 public:
  // Φ diagonalised (kernel_eigen); `features`: N (real, so that a wrong ratio can be evaluated).
  RfGramFunctionals(KernelEigen phi, double features);

  index_t n() const { return phi_.n; }
  double features() const { return features_; }
  const std::vector<double>& kernel_eigenvalues() const { return phi_.lambda; }  // ascending

  // δ(z) at z off [0, ∞) (numerics::DeltaEquation: Newton, tracked from the negative axis for complex z).
  complex delta(complex z) const;
  // b̄(z) = 1/(1 + δ(z)).
  complex bbar(complex z) const { return 1.0 / (1.0 + delta(z)); }
  // (1/n) tr Q̄(z).
  complex trace(complex z) const;
  // aᵀQ̄(z)b = Σ_k (Uᵀa)_k (Uᵀb)_k / (α λ_k b̄ − z); a, b of length n.
  complex quadratic_form(complex z, std::span<const double> a, std::span<const double> b) const;
  // Cov(aᵀQ(z1)b, aᵀQ(z2)b) over W (bilinear, no conjugation), Gaussian proxy:
  //   (N/n²) b̄1 b̄2 [(aᵀDb)² + (aᵀDa)(bᵀDb)] / (1 − κ12),  D = Q̄1 Φ Q̄2,  κ12 = (N/n²) b̄1 b̄2 tr(ΦQ̄1ΦQ̄2).
  // For complex z, Cov(z, z̄) = E|X − EX|² and Cov(z, z) = E(X − EX)² (split_variance: Var Re, Var Im).
  complex quadratic_form_covariance(complex z1, complex z2, std::span<const double> a,
                                    std::span<const double> b) const;

 private:
  std::vector<double> project(std::span<const double> a) const;  // Uᵀa
  std::vector<complex> eigenvalues_of_qbar(complex z, complex& bbar) const;

  KernelEigen phi_;
  double features_;
  numerics::DeltaEquation equation_;
};

}  // namespace rmt::theory
