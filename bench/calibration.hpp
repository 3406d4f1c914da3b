#pragma once
// Calibrated tolerances (docs/theory.md §9.5, docs/architecture.md "Calibration"). `rmtbench calibrate`
// runs a spectral case at S seeds and records, per metric, the null distribution of |metric| over single
// draws (mean, sd, upper quantiles) at one or more sizes d. The committed table
// bench/calibration/spectral.json, embedded in the binary at build time, then gives every case it covers a
// tolerance at a stated false-alarm rate:
//
//   per case α = 1e-3, split over the case's judged metrics (Bonferroni): α_m = α / k;
//   tolerance = the α_m upper quantile of a Gumbel law with the null's mean and sd (moments fit), the sd
//               raised to its 97.5 % upper confidence bound from S seeds and divided by √replicates
//               (the record's metric is the replicate mean).
//
// Sizes between calibrated ones are interpolated log-log; sizes outside the calibrated range by up to a
// factor 4 are extrapolated along the fitted power law, whichever of the fitted and the expected rate
// (docs/theory.md §9.5) gives the larger value; further out, the case falls back to the size rule.
// A case matches an entry when its model and resolved parameters other than `n` match (seed,
// replicates and precision are not part of the key).
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/case.hpp"

namespace rmt::bench {

inline constexpr double kFalseAlarmRate = 1e-3;  // per case, all its judged metrics together
inline constexpr double kMaxExtrapolation = 4.0;  // in d, beyond the calibrated sizes

// The null of one metric of one case, as the case records it (the replicate mean).
struct NullStats {
  double mean = 0;              // E|metric| under the null (single draw = replicate mean)
  double sd = 0;                // spread of the replicate mean: single-draw sd / √replicates
  double tolerance = 0;         // calibrated tolerance at false_alarm_rate
  double false_alarm_rate = 0;  // per metric: kFalseAlarmRate / (number of judged metrics of the case)
};

// What the table stores for S null values of a metric: mean and sd of |v|, the signed mean, the empirical
// quantiles q90, q99, q995 and the maximum of |v|, and the Gaussian and Gumbel 0.99 quantiles (the
// tail-model check: compare with q99).
nlohmann::json null_summary(std::span<const double> values);

// The p quantile of the Gumbel law with this mean and sd (β = sd·√6/π, μ = mean − γβ).
double gumbel_quantile(double mean, double sd, double p);

// The tolerance for a metric whose single-draw null has this mean and sd (from `seeds` draws), judged
// on the mean of `replicates` draws at per-metric false-alarm rate `alpha`.
double calibrated_tolerance(double mean, double sd, int seeds, int replicates, double alpha);

// The rate at which a metric's null shrinks with d (|metric| ∝ d^-rate, docs/theory.md §9.5): 1 for KS,
// W1, Stieltjes and moment errors, 2/3 for the absolute edge error, 0 for the edge in TW units, 1/2 for
// outliers; 1/2 for every metric of the nonlinear families (O(d^-1/2) biases), `nonlinear` = true.
double expected_rate(std::string_view metric, bool nonlinear);

// Whether the table sets this metric's tolerance (edge_error_tw has its own rule in TW units; its null is
// recorded but not used).
bool table_sets_tolerance(std::string_view metric);

class CalibrationTable {
 public:
  // `table`: the JSON that `rmtbench calibrate` writes; `name`: how records cite it
  // (tolerance_source "calibrated:<name>"). Throws InputError when the JSON is not such a table.
  CalibrationTable(const nlohmann::json& table, std::string name);

  // "model|k1=v1;k2=v2": the resolved parameters other than n.
  static std::string key(std::string_view model, const Params& params);

  struct Point {
    double mean = 0, sd = 0;
    int seeds = 0;
  };
  // The single-draw null of `metric` for the entry `key` at dimension d (interpolated, or extrapolated
  // up to kMaxExtrapolation); nullopt when the table does not cover it.
  std::optional<Point> lookup(const std::string& key, std::string_view metric, double d) const;
  // The metrics the entry's cases judge (the Bonferroni count); empty when the key is not in the table.
  std::vector<std::string> judged(const std::string& key) const;
  const std::string& name() const { return name_; }
  std::string source() const { return "calibrated:" + name_; }

 private:
  struct Size {
    double d = 0;
    int seeds = 0;
    nlohmann::json metrics;
  };
  struct Entry {
    std::vector<Size> sizes;  // ascending d
    std::vector<std::string> judged;
    nlohmann::json fit;  // metric -> {mean_rate, sd_rate, expected_rate}
    bool nonlinear = false;  // the family's biases are O(d^-1/2) (expected_rate)
  };
  std::map<std::string, Entry> entries_;
  std::string name_;
};

// The table embedded at build time (bench/calibration/spectral.json).
const CalibrationTable& embedded_calibration();

// The calibrated null of `metric` for case c (embedded table, or the one given); nullopt when the case or
// the metric is not covered. Cases of CaseKind::curve are never covered.
std::optional<NullStats> calibrated_null(const ResolvedCase& c, std::string_view metric);
std::optional<NullStats> calibrated_null(const CalibrationTable& table, const ResolvedCase& c, std::string_view metric);

// Fits |metric| ∝ d^-rate to the sizes of a table entry (least squares in log-log), per metric and for
// the mean and the sd: {metric: {mean_rate, sd_rate, expected_rate}}. Needs two sizes or more.
nlohmann::json fit_rates(const nlohmann::json& sizes, bool nonlinear);

}  // namespace rmt::bench
