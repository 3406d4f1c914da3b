#pragma once
// Regression verdicts between two runs (`rmtbench compare BASE NEW`, README "Comparing runs").
//
// Cases are matched by "case_id" (by "case" name for records without one). Every metric is an
// error, so smaller |value| is better. A change of |value| is judged against its noise: the
// standard error of the difference of two replicate means, from the spread over replicates
// ("empirical"."metrics_sd", sd per metric) when the records carry it, else from an assumed
// relative spread per replicate. Within `same_z` standard errors (or below a floor of
// `tolerance_floor` × the metric's tolerance): SAME; beyond `clear_z`: BETTER or WORSE; in between:
// AMBIGUOUS. Timings use their relative change, with an absolute noise floor. A verdict that goes
// from pass to fail is WORSE (fail to pass: BETTER).
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace rmt {

enum class Change { same, better, worse, ambiguous };
const char* change_word(Change c);  // "SAME", "BETTER", "WORSE", "AMBIGUOUS"

struct CompareOptions {
  double assumed_rel_sd = 0.25;   // per-replicate sd of a metric, relative to |base|, when none is recorded
  double same_z = 2.0;            // |Δ| <= same_z · se: SAME
  double clear_z = 3.0;           // |Δ| > clear_z · se: BETTER / WORSE
  double tolerance_floor = 0.02;  // |Δ| <= this · tolerance: SAME (changes far below what is judged)
  // Timings: one measurement each, on machines that may be shared, so only a doubling (or halving)
  // is called WORSE (BETTER); between 20% and 100% is AMBIGUOUS.
  double time_same = 0.2;         // |Δt|/t <= this: SAME
  double time_clear = 1.0;        // |Δt|/t > this: BETTER / WORSE
  double time_floor_s = 0.25;     // |Δt| <= this many seconds: SAME (timer and scheduler noise)
  bool timing_gates = true;       // false: timings are judged and shown but a WORSE one does not fail
};

struct ItemChange {
  std::string key;  // metric name, timing stage ("total_s"), or "verdict"
  std::optional<double> base, now;
  std::optional<double> z;         // |Δ| in standard errors (metrics)
  std::optional<double> relative;  // Δ / |base|
  std::string basis;               // "replicate sd", "assumed spread", "timing", ...
  Change change = Change::same;
};

struct CaseChange {
  std::string name, case_id, matched_by;  // matched_by: "case_id" or "case"
  std::string base_verdict, new_verdict;
  std::vector<ItemChange> metrics, timing;
  Change overall = Change::same;  // the worst of its items (WORSE > AMBIGUOUS > BETTER > SAME)
};

struct Comparison {
  std::vector<CaseChange> cases;  // in the order of the new run
  std::vector<std::string> only_base, only_new;
  // Whether any case got WORSE; with count_timing = false, only metric and verdict changes count.
  bool any_worse(bool count_timing = true) const;
};

Comparison compare_runs(const std::vector<nlohmann::json>& base, const std::vector<nlohmann::json>& now,
                        const CompareOptions& options = {});

// DIR_NEW/compare.json.
nlohmann::json comparison_json(const Comparison& c, const CompareOptions& options, const std::string& base_dir,
                               const std::string& new_dir);

}  // namespace rmt
