#pragma once
// Central limit theorem of linear spectral statistics (Bai & Silverstein 2004; docs/theory.md §12.2) for the
// sample covariance S = σ² Z Zᵀ/n, Z ∈ R^{p×n} (or C^{p×n}) iid standard Gaussian, c = p/n:
//   G_n(f) = Σ_i f(λ_i) − p ∫ f dF^{c_n}  →  N(mean_f, var_f),   with no normalisation (G_n is O(1)).
// Closed forms for f = x, x², log x (log: c < 1). Real entries: the tabulated mean and variance; complex
// entries: mean 0 and half the variance; Rademacher (±1) entries: the real law plus its κ₄ = E z⁴ − 3 = −2
// terms (f = x, log only). Centre with c_n = p/n, never with the limiting c.
#include <string_view>

#include "theory/silverstein.hpp"

namespace rmt::theory {

enum class LssStatistic { trace, square, logdet, inverse1p };  // f = x, x², log x, 1/(1 + x)
enum class EntryField { real, complex, rademacher };

// Parses "x", "x2", "log" or "inv1p" (InputError otherwise; `what` names the parameter).
LssStatistic parse_lss_statistic(std::string_view text, std::string_view what);
std::string_view to_string(LssStatistic f);

struct LssLaw {
  double centring = 0;  // p ∫ f dF^{c_n, σ²}
  double mean = 0;      // limit of E G_n(f)
  double variance = 0;  // limit of Var G_n(f)
};

// The law of G_n(f) for dimension p and n samples (c_n = p/n) and population variance σ² (closed forms;
// f = 1/(1 + x) has none: InputError, use lss_law_contour).
LssLaw lss_law(LssStatistic f, long p, long n, double sigma2, EntryField field);

// The same for a general discrete population H (the finite-size one, C's spectrum, σ² included) by the
// contour recipe (theory/lss_contour.hpp); needs c_n = p/n < 1.
LssLaw lss_law_contour(LssStatistic f, long p, long n, const PopulationSpectrum& h, EntryField field);

// Exact finite-(p, n) mean and variance of G_n(log) for real Gaussian entries (Bartlett's decomposition:
// det ZZᵀ = Π χ²_{n−i+1}); they differ from the limits by O(1/n).
struct ExactLogLaw {
  double mean = 0, variance = 0;
};
ExactLogLaw exact_log_lss(long p, long n);

}  // namespace rmt::theory
