#pragma once
// Mei & Montanari random-features regression (docs/theory.md §5.2): asymptotic test risk of ridge regression
// on N random features σ(⟨θ_a, x⟩/√d) of n samples on the sphere, ψ1 = N/d, ψ2 = n/d,
// ζ = μ1/μ*, λ̄ = λ/μ*²; target y = ⟨β1, x⟩ + f_NL(x) + ε with ‖β1‖² = F1², E f_NL² = F*², Var ε = τ².
namespace rmt::theory {

struct MeiMontanariRisk {
  double chi = 0;       // χ = ν1ν2 at ξ = i√(ψ1ψ2λ̄) (< 0)
  double bias = 0;      // 𝓑 = E1/E0
  double variance = 0;  // 𝓥 = E2/E0
  double excess = 0;    // F1² 𝓑 + (τ² + F*²) 𝓥
  double risk = 0;      // excess + F*²
};

// zeta = μ1/μ* > 0, lambda_bar = λ/μ*² ≥ 0 (0 = ridgeless closed-form χ). Throws rmt::InputError at
// ψ1 = ψ2 ridgeless (the interpolation peak, where the risk diverges).
MeiMontanariRisk mei_montanari(double zeta, double psi1, double psi2, double lambda_bar, double F1sq,
                               double Fstar_sq, double tau2);

}  // namespace rmt::theory
