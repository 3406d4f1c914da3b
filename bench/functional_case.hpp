#pragma once
// Functional cases (bench/functional_model.hpp, docs/theory.md §12): the run record (bench/record.hpp) with
// `theory.functionals` and `empirical.functionals` ({name, value, se, ...}) and `metrics.functional_error`,
// the largest deviation of a judged functional from its equivalent in units of its stated scale:
//   mean      z = max(0, |F̂ − (F̄ + bias)| − allowance) / (s/√R)   (s: the predicted single-draw sd, else the
//                                                                   replicate sd)
//   variance  z = max(0, |V̂ − V| − allowance) / (V √(2/(R − 1)))    (judged only from kMinVarianceReplicates;
//                                                                   allowance: a formula's known inaccuracy)
//   range     z = distance of F̂ outside [lo, hi] / (replicate s.e.)   (rates: a fitted slope's allowed interval)
// judged against kFunctionalTolerance (a suite `tolerance.functional_error` overrides it).
#include <map>
#include <optional>
#include <utility>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/case.hpp"
#include "bench/functional_model.hpp"

namespace rmt::bench {

// k = 5 of the tolerance rule |F̂ − F̄| ≤ k s/√R + B/n (docs/theory.md §12.0): a Gaussian deviation beyond 5σ
// has probability 5.7e-7, so a case of ≤ 40 judged functionals false-alarms with probability ≤ 2.3e-5
// (a little more for variances, whose χ² tail is heavier; ≤ 1e-4 at R ≥ 30 per functional).
inline constexpr double kFunctionalTolerance = 5.0;
// Replicate variances are judged from this many replicates on (the ratio's standard error √(2/(R−1))
// is then ≤ 0.26).
inline constexpr int kMinVarianceReplicates = 30;

struct FunctionalJudgement {
  std::string name;
  double empirical = 0, se = 0, z = 0;
  bool judged = false;
  std::optional<std::pair<double, double>> ci95;  // range: the Student-t 95 % interval of the mean
};

// One prediction as `rmtbench theory` prints it and records carry it: name, stat, value and, by stat,
// bias/allowance/sd (mean), of (variance) or lo/hi (range).
nlohmann::json prediction_json(const FunctionalPrediction& f);

// Judges the predictions against per-draw values (draws[name][replicate]).
std::vector<FunctionalJudgement> judge_functionals(const std::vector<FunctionalPrediction>& theory,
                                                   const std::map<std::string, std::vector<double>>& draws);

// Runs every replicate and returns the run record.
nlohmann::json run_functional_case(Backend& backend, const ResolvedCase& c);

}  // namespace rmt::bench
