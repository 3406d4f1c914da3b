#pragma once
// The run record of a case (docs/architecture.md), shared by spectral and learning-curve cases:
// replicate statistics, the verdict, the timing block, the repro command and the record around them.
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/case.hpp"

namespace rmt::bench {

// Statistics of replicate values: the mean, the sample standard deviation (the spread, n - 1 in the
// denominator) and the standard error of the mean; sd and se are 0 for a single value.
struct Summary {
  double mean = 0;
  double sd = 0;
  double se = 0;
};
Summary summarise(std::span<const double> values);

// The median (the mean of the middle two for an even count); NaN for no values.
double median(std::vector<double> values);

// Whether every metric with a tolerance is present, finite and within it in absolute value.
// A case name as a file name: characters other than [A-Za-z0-9._-] become '_'.
std::string file_safe(std::string_view name);

bool within_tolerance(const std::map<std::string, double>& metrics, const std::map<std::string, double>& tolerance);

// The `timing` block: the stage times, the theory's time and the case's wall time (total_s).
nlohmann::json timing_json(const StageTimes& stages, double theory_s, double total_s);

// "rmtbench run --model ... --set ... --seed ... --replicates ... --backend ..."
std::string repro_command(const ResolvedCase& c, std::string_view backend);

// The run record around a case's blocks; the verdict is within_tolerance(metrics, tolerance).
nlohmann::json run_record(const Backend& backend, const ResolvedCase& c, nlohmann::json empirical, nlohmann::json theory,
                          const std::map<std::string, double>& metrics, const std::map<std::string, double>& tolerance,
                          nlohmann::json timing);

}  // namespace rmt::bench
