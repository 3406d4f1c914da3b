#pragma once
// Learning-curve cases (bench/curve_model.hpp): the run record (bench/record.hpp) with `risk` (one point) or
// `curve` (several points, or any dynamics curve over t) in both its theory and empirical blocks.
#include <nlohmann/json.hpp>

#include "bench/case.hpp"
#include "bench/curve_model.hpp"

namespace rmt::bench {

// The `theory` JSON object of a curve model.
nlohmann::json curve_theory_json(const CurveModel& model, const Params& params, const CurveAxis& axis,
                                 const std::vector<RiskPoint>& points);

// Runs every replicate and returns the run record (metrics.risk_error: largest relative error of the
// excess test risk over the curve; train_error likewise for the training error).
nlohmann::json run_curve_case(Backend& backend, const ResolvedCase& c);

// Whether the learning-curve null table (bench/calibration/curves.json) covers this case (its model and
// every resolved parameter): it is then judged by risk_z / train_z at 10⁻³ per case, else by the size rule.
bool curve_calibrated(const ResolvedCase& c);

}  // namespace rmt::bench
