#pragma once
// Scaling laws from power-law spectra (docs/theory.md §6): capacity/source parametrisation, predicted
// exponents of the deterministic equivalents (§5.1, §5.3), and the DE learning curves whose
// log–log slopes confirm them.
#include <cstddef>
#include <span>
#include <vector>

#include "theory/ridge.hpp"

namespace rmt::theory {

// Truncated power law: λ_k = k^{-α}, λ_k w_k² = k^{-(1+2αr)}, k = 1..D. s = λ_k, w2 = w_k² (the signal
// power per eigendirection, beta2 of ridge_risk_spectrum and w2 of rf_ridge_de).
struct PowerLawSpectrum {
  std::vector<double> s, w2;
};
PowerLawSpectrum power_law_spectrum(double alpha, double r, std::size_t D);

// C_α = (π/α)/sin(π/α), the constant of df₁(κ) ≃ C_α κ^{-1/α} as κ → 0 (α > 1).
double c_alpha(double alpha);

enum class ScalingRegime {
  ridge_noiseless,      // E ∝ n^{-2α min(r,1)}, λ → 0, σ² = 0
  ridge_optimal_noisy,  // E ∝ n^{-2α r'/(2α r'+1)}, r' = min(r, 1), λ tuned, σ² > 0
  rf_in_features,       // E ∝ N^{-2α min(r,1/2)}, λ → 0, σ² = 0, P ≫ N
  rf_in_samples,        // E ∝ P^{-2α min(r,1)},   λ → 0, σ² = 0, N ≫ P
};

// Predicted exponent of E ∝ size^{exponent} (negative) for the regime (docs/theory.md §6.2 table).
double predicted_exponent(ScalingRegime regime, double alpha, double r);

// Ridge at the λ that minimises the excess risk: a scan of log λ over [lambda_lo, lambda_hi]
// (25 points) refined by golden section to |Δ log λ| ≤ 1e-4 (the risk is flat there: its relative
// error is ~1e-8).
struct TunedRidge {
  double lambda = 0;
  RidgeRisk risk;
};
TunedRidge optimal_ridge(std::span<const double> s, std::span<const double> beta2, double n, double sigma2,
                         double lambda_lo = 1e-10, double lambda_hi = 1e2);

// One point of the DE learning curve of the regime at `size` (n, N or P): the excess risk
// (label noise excluded). ridge_optimal_noisy uses noise sigma2; the RF regimes are ridgeless and
// noiseless with the other size fixed at `other` (docs/theory.md's fits use 1e7).
double learning_curve_point(ScalingRegime regime, const PowerLawSpectrum& spectrum, double size,
                            double sigma2 = 1.0, double other = 1e7);

// Least-squares slope of log y against log x: the fitted exponent of y ∝ x^slope.
double loglog_slope(std::span<const double> x, std::span<const double> y);

// Fitted exponent of the DE learning curve over `sizes` (loglog_slope of learning_curve_point).
double fitted_exponent(ScalingRegime regime, const PowerLawSpectrum& spectrum, std::span<const double> sizes,
                       double sigma2 = 1.0, double other = 1e7);

}  // namespace rmt::theory
