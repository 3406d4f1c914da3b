#pragma once
// Dimension-free deterministic equivalent of random-features ridge regression (docs/theory.md §5.3; Bach 2023,
// Atanasov–Zavatone-Veth–Pehlevan 2024, Defilippis–Loureiro–Misiakiewicz 2024): x ~ N(0, diag(s)),
// y = wᵀx + ε (Var ε = σ²), features h = Fᵀx/√N with F ∈ R^{D×N} iid N(0, 1), P samples, ridge λ.
// By Gaussian equivalence it also covers nonlinear random features (s = kernel eigenvalues).
#include <span>

namespace rmt::theory {

struct RfRidgeDE {
  double kappa2 = 0;  // κ2: κ2(1 − df₁/P)(1 − df₁/N) = λ
  double df1 = 0;     // Σ s/(s + κ2)
  double df2 = 0;     // Σ (s/(s + κ2))²
  double excess = 0;  // E_test − σ²
  double test = 0;    // E_test (includes the label noise σ² of the test point)
};

// s_k > 0 eigenvalues, w2_k = w_k² squared target coefficients, N features, P samples, λ ≥ 0
// (0: the ridgeless limit df₁ = min(N, P)); N = +inf is allowed and recovers §5.1. Throws
// rmt::InputError at the ridgeless interpolation thresholds (N = P, or D = min(N, P)).
RfRidgeDE rf_ridge_de(std::span<const double> s, std::span<const double> w2, double N, double P,
                      double lambda, double sigma2);

}  // namespace rmt::theory
