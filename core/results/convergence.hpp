#pragma once
// Convergence studies: for the cases of a sweep over n (records carrying "sweep": {"name", "axes"}
// with "n" among the axes), fit each error metric as |metric| ∝ n^{-s} in log–log and set the rate s,
// with its 95% interval, next to the rate the theory leads one to expect (docs/theory.md §9.5).
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/base/fit.hpp"

namespace rmt {

// The expected rate s of a metric (|metric| ∝ n^{-s}) and why; nullopt for metrics not studied.
// For ks (~ log d / d) the local log–log slope at dimension d is 1 − 1/ln d, not 1: `log_factor`
// asks for that correction at the geometric mean of the dimensions studied.
struct ExpectedRate {
  double rate;
  const char* basis;
  bool log_factor = false;
};
std::optional<ExpectedRate> expected_rate(std::string_view metric);

struct ConvergenceSeries {
  std::string metric;
  std::vector<double> n, value;  // |metric| by increasing n
  std::optional<PowerLawFit> fit;  // with >= 2 points of distinct n
  double expected = 0;
  std::string basis;
  // "consistent" (expected rate inside the interval), "faster", "slower", or "no interval".
  std::string assessment;
  double rate() const { return fit ? -fit->exponent : 0.0; }
};

struct ConvergenceStudy {
  std::string name;   // the sweep, plus the other swept parameters, e.g. "ck_conv [activation=tanh]"
  std::string model;
  std::vector<std::string> cases;  // by increasing n
  std::vector<ConvergenceSeries> series;
};

// Studies of every sweep over n with at least 3 distinct n, in the order they first appear.
std::vector<ConvergenceStudy> convergence_studies(const std::vector<nlohmann::json>& records);

// DIR/convergence.json: {"schema_version":1, "studies":[{name, model, cases, series:[{metric, n,
// values, rate, ci:[lo,hi], stderr, prefactor, points, expected_rate, basis, assessment}]}]}.
nlohmann::json convergence_json(const std::vector<ConvergenceStudy>& studies);

}  // namespace rmt
