#pragma once
// Linear ridge regression learning curves (docs/theory.md §5.1): the deterministic equivalent of the excess
// test risk of β̂_λ = (XᵀX/n + λI)⁻¹Xᵀy/n for rows x ~ (0, Σ), y = xᵀβ* + ε, Var ε = σ².
//
// Everything goes through the effective regularisation κ, the root of λ = κ(1 − df₁(κ)/n) with
// df_k(κ) = tr Σᵏ(Σ + κ)⁻ᵏ; the ridgeless limit λ ↓ 0 is κ = 0 (p < n) or κ₀ with df₁(κ₀) = n (p > n).
#include <functional>
#include <span>
#include <utility>

#include "theory/silverstein.hpp"

namespace rmt::theory {

struct RidgeRisk {
  double kappa = 0;     // effective regularisation κ (0 in the ridgeless under-parametrised case)
  double bias = 0;      // 𝓑
  double variance = 0;  // 𝓥
  double test = 0;      // excess test risk 𝓑 + 𝓥 (label noise NOT included)
  double train = 0;     // training MSE (λ/κ)²(𝓑 + 𝓥 + σ²); ridgeless: σ²(1 − γ) for p < n, 0 for p > n
};

// Σ with spectrum H (p = γn directions), β* random effects with E‖β*‖² = r2 spread isotropically
// (β*ᵀΣ(Σ+κ)⁻²β* = r2 ∫ s/(s+κ)² dH), noise variance sigma2, ridge lambda ≥ 0 (0 = ridgeless limit,
// either side of γ = 1). γ = 1 with λ = 0 throws rmt::InputError ("interpolation threshold").
RidgeRisk ridge_risk(const PopulationSpectrum& h, double gamma, double lambda, double r2, double sigma2);

// §5.1 verbatim for a finite spectrum: eigenvalues s_k > 0, signal power per eigendirection
// beta2_k = (β*ᵀu_k)², n samples (real, may be non-integer). D = n with λ = 0 throws InputError.
RidgeRisk ridge_risk_spectrum(std::span<const double> s, std::span<const double> beta2, double n,
                              double lambda, double sigma2);

// HMRT isotropic closed forms (Σ = I, ‖β*‖² = r2, γ = p/n): 𝓑 = r2 λ² m'(−λ),
// 𝓥 = σ²γ[m(−λ) − λ m'(−λ)] with m the Marchenko–Pastur Stieltjes transform of ratio γ and its
// closed-form derivative; ridgeless closed forms at λ = 0.
RidgeRisk hmrt_isotropic(double gamma, double lambda, double r2, double sigma2);

// Effective regularisation κ of §5.1 for a finite spectrum s (all > 0) and n samples; λ = 0 gives
// the ridgeless limit (0 when D < n, κ₀ with df₁(κ₀) = n when D > n; D = n throws InputError).
double ridge_kappa(std::span<const double> s, double n, double lambda);

// Root of an increasing κ ↦ g(κ) on [lo, hi] (0 < lo, g(lo) ≤ 0 ≤ g(hi)) to relative accuracy
// ~1e-15: Newton steps safeguarded by bisection in log κ. g returns (g(κ), g'(κ)). Shared by the
// κ-equations of §5.1 and §5.3.
double solve_kappa_equation(const std::function<std::pair<double, double>(double)>& g, double lo,
                            double hi);

}  // namespace rmt::theory
