#pragma once
// What a case could detect (docs/theory.md §9.5, "Sensitivity"): for a few standard perturbations of
// the law — scale (λ → (1+ε)λ), aspect ratio (c → (1+ε)c), the activation's first Hermite
// coefficient (a₁ → (1+ε)a₁) — the smallest |ε| at which the case's verdict would FAIL with
// probability ≥ 0.9, found by re-scoring the measured eigenvalues against the perturbed law (built
// by bench/mutation.hpp's wrapper) with the case's own metrics and tolerances. Learning curves: the
// smallest relative error of the predicted risk that risk_error detects.
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/spectral_case.hpp"

namespace rmt::bench {

using MetricValues = std::map<std::string, double>;

// The metrics of every replicate's measured draw against another theory.
using Rescorer = std::function<std::vector<MetricValues>(const SpectralTheory&)>;

// The replicate mean of each metric.
MetricValues mean_metrics(const std::vector<MetricValues>& replicates);

// The one-sided quantile z_{0.9} = 1.2816: a metric whose value against the perturbed law exceeds
// its tolerance by z·s (s its spread) fails with probability ≥ 0.9.
inline constexpr double kDetectionZ = 1.2815515655446004;

// The null spread (standard deviation) of one metric of one draw of this case, used when the case has
// a single replicate. THE ONE PLACE where it is estimated: the measured spread of the calibration table
// (bench/calibration.hpp) where the table covers the case and metric, else the tolerance read as the
// 1 − 10⁻³ quantile of a zero-mean Gaussian null (s = tolerance / 3.09; the size rule's tolerances are
// wider than that, docs/theory.md §9.5, so this overstates s and those sensitivities are conservative).
// `source` says which was used.
double null_spread(const ResolvedCase& c, const SpectralTheory& t, const std::string& metric,
                   const std::map<std::string, double>& tolerance, std::string* source = nullptr);

// The record's `sensitivity` ({scale, aspect, hermite_a1}: the smallest relative error detected,
// null when none up to 30 % or skipped) and `sensitivity_detail` (per sign, the metric that detects
// it, the spread used, skipped perturbations with their reason, the number of evaluations). Its time
// is the record's timing.sensitivity_s; the record itself is the same for the same seed.
struct Sensitivity {
  nlohmann::json values = nlohmann::json::object();
  nlohmann::json detail = nlohmann::json::object();
};

Sensitivity spectral_sensitivity(const ResolvedCase& c, const SpectralTheory& t,
                                 const std::map<std::string, double>& tolerance, const Rescorer& rescore);

// Learning curves: the smallest ε such that the theory's test risk scaled by (1 ± ε) fails
// risk_error with probability ≥ 0.9 (spread: the standard error of the mean at the worst point).
// `risk_error(theory_factor)` returns {error, tolerance, spread} of the measured curve against the
// theory multiplied by theory_factor.
struct RiskCheck {
  double error = 0, tolerance = 0, spread = 0;
};
Sensitivity curve_sensitivity(const std::function<RiskCheck(double)>& risk_error);

}  // namespace rmt::bench
