// Running a functional case: the predictions once, every replicate's functionals, their replicate means
// and variances, and the verdict in units of each functional's scale (bench/functional_case.hpp).
#include "bench/functional_case.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

#include <boost/math/distributions/students_t.hpp>
#include <fmt/format.h>

#include "bench/mutation.hpp"
#include "bench/record.hpp"
#include "core/base/error.hpp"
#include "core/base/stopwatch.hpp"

namespace rmt::bench {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

const char* stat_name(FunctionalStat s) {
  switch (s) {
    case FunctionalStat::mean: return "mean";
    case FunctionalStat::variance: return "variance";
    case FunctionalStat::range: return "range";
  }
  return "?";
}

// JSON number or null (records never carry NaN or Infinity tokens).
nlohmann::json number_or_null(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

FunctionalJudgement judge_mean(const FunctionalPrediction& f, const std::vector<double>& values) {
  FunctionalJudgement j;
  j.name = f.name;
  const Summary s = summarise(values);
  const double replicates = static_cast<double>(values.size());
  j.empirical = s.mean;
  j.se = s.se;
  const double scale = std::isfinite(f.sd) ? f.sd / std::sqrt(replicates) : s.se;
  const double excess = std::max(0.0, std::abs(s.mean - (f.value + f.bias)) - f.allowance);
  j.z = scale > 0 ? excess / scale : (excess > 0 ? kInf : 0.0);
  j.judged = f.judged && (std::isfinite(f.sd) || values.size() >= 2);
  return j;
}

// The replicate mean against [lo, hi]: z = distance outside the interval / replicate se; `ci95` the Student-t
// interval of the mean.
FunctionalJudgement judge_range(const FunctionalPrediction& f, const std::vector<double>& values) {
  FunctionalJudgement j;
  j.name = f.name;
  const Summary s = summarise(values);
  j.empirical = s.mean;
  j.se = s.se;
  const double excess = std::max({0.0, f.lo - s.mean, s.mean - f.hi});
  j.z = s.se > 0 ? excess / s.se : (excess > 0 ? kInf : 0.0);
  j.judged = f.judged && values.size() >= 2;
  if (values.size() >= 2) {
    const double t = boost::math::quantile(
        boost::math::complement(boost::math::students_t(static_cast<double>(values.size() - 1)), 0.025));
    j.ci95 = {s.mean - t * s.se, s.mean + t * s.se};
  }
  return j;
}

FunctionalJudgement judge_variance(const FunctionalPrediction& f, const std::vector<double>& values) {
  FunctionalJudgement j;
  j.name = f.name;
  const Summary s = summarise(values);
  const double replicates = static_cast<double>(values.size());
  j.empirical = s.sd * s.sd;
  const double ratio_se = replicates > 1 ? std::sqrt(2.0 / (replicates - 1)) : kInf;
  j.se = j.empirical * ratio_se;
  const double scale = std::abs(f.value) * ratio_se;
  const double excess = std::max(0.0, std::abs(j.empirical - f.value) - f.allowance);
  j.z = scale > 0 && std::isfinite(scale) ? excess / scale : (excess > 0 ? kInf : 0.0);
  j.judged = f.judged && static_cast<int>(values.size()) >= kMinVarianceReplicates;
  return j;
}

nlohmann::json theory_functionals_json(const std::vector<FunctionalPrediction>& theory, int replicates) {
  auto out = nlohmann::json::array();
  for (const auto& f : theory) {
    nlohmann::json j = prediction_json(f);
    if (f.stat == FunctionalStat::mean)
      j["se"] = number_or_null(f.sd / std::sqrt(static_cast<double>(replicates)));
    else if (f.stat == FunctionalStat::variance)
      j["se"] = std::abs(f.value) * std::sqrt(2.0 / std::max(1, replicates - 1));
    j["judged"] = f.judged && (f.stat != FunctionalStat::variance || replicates >= kMinVarianceReplicates);
    if (!f.note.empty()) j["note"] = f.note;
    else if (f.stat == FunctionalStat::variance && replicates < kMinVarianceReplicates)
      j["note"] = fmt::format("variances are judged from {} replicates on", kMinVarianceReplicates);
    out.push_back(std::move(j));
  }
  return out;
}

// The metrics and tolerances of the judgements (functional_error: the largest judged z).
std::pair<std::map<std::string, double>, std::map<std::string, double>> functional_metrics(
    const std::vector<FunctionalJudgement>& judged, const ResolvedCase& c) {
  std::map<std::string, double> metrics, tolerance;
  bool any = false;
  double worst = 0;
  for (const auto& j : judged)
    if (j.judged) {
      any = true;
      worst = std::max(worst, std::isfinite(j.z) ? j.z : std::numeric_limits<double>::max());
    }
  if (any) {
    metrics["functional_error"] = worst;
    tolerance["functional_error"] = kFunctionalTolerance;
  }
  for (const auto& [k, v] : c.spec.tolerance) tolerance[k] = v;
  return {metrics, tolerance};
}

std::vector<FunctionalPrediction> scaled(std::vector<FunctionalPrediction> theory, double factor) {
  if (factor == 1) return theory;
  for (auto& f : theory) {
    f.value *= factor;
    f.bias *= factor;
  }
  return theory;
}

}  // namespace

nlohmann::json prediction_json(const FunctionalPrediction& f) {
  nlohmann::json j = {{"name", f.name}, {"stat", stat_name(f.stat)}, {"value", number_or_null(f.value)}};
  if (f.stat == FunctionalStat::range) {
    j["lo"] = f.lo;
    j["hi"] = f.hi;
  } else if (f.stat == FunctionalStat::mean) {
    j["bias"] = f.bias;
    j["allowance"] = f.allowance;
    j["sd"] = number_or_null(f.sd);  // one draw
  } else {
    j["of"] = f.of;
    j["allowance"] = f.allowance;
  }
  return j;
}

std::vector<FunctionalJudgement> judge_functionals(const std::vector<FunctionalPrediction>& theory,
                                                   const std::map<std::string, std::vector<double>>& draws) {
  std::vector<FunctionalJudgement> out;
  for (const auto& f : theory) {
    const std::string& key = f.stat == FunctionalStat::variance ? f.of : f.name;
    const auto it = draws.find(key);
    if (it == draws.end()) throw Error(fmt::format("internal: functional '{}' was not measured", key));
    switch (f.stat) {
      case FunctionalStat::mean: out.push_back(judge_mean(f, it->second)); break;
      case FunctionalStat::variance: out.push_back(judge_variance(f, it->second)); break;
      case FunctionalStat::range: out.push_back(judge_range(f, it->second)); break;
    }
  }
  return out;
}

nlohmann::json run_functional_case(Backend& backend, const ResolvedCase& c) {
  const auto start = std::chrono::steady_clock::now();
  const FunctionalModel& model = *c.functional;
  const bool mutated = c.spec.mutation.active();
  const auto theory = scaled(model.theory(mutated ? c.theory_params : c.params), c.theory_scale);
  const double theory_s = seconds_since(start);

  StageTimes times;
  // draws: the case's own; theory_draws: the same draws measured against a mutated theory's matrix (theory_in_draw).
  const bool against_theory = mutated && model.theory_in_draw();
  std::map<std::string, std::vector<double>> draws, theory_draws;
  for (int r = 0; r < c.spec.replicates; ++r) {
    const StreamKey key{c.spec.seed, c.case_key, static_cast<std::uint32_t>(r), 0};
    for (auto& v : model.sample(backend, c.params, key, times)) draws[v.name].push_back(v.value);
    if (against_theory)
      for (auto& v : model.sample_against(backend, c.params, c.theory_params, key, times))
        theory_draws[v.name].push_back(v.value);
  }
  const auto& judged_draws = against_theory ? theory_draws : draws;
  const auto metrics_start = std::chrono::steady_clock::now();
  const auto judged = judge_functionals(theory, judged_draws);
  const auto [metrics, tolerance] = functional_metrics(judged, c);

  nlohmann::json theory_json = {{"schema_version", 1},
                                {"model", model.name()},
                                {"params", (mutated ? c.theory_params : c.params).to_json()},
                                {"functionals", theory_functionals_json(theory, c.spec.replicates)}};
  auto emp = nlohmann::json::array();
  std::string worst;
  double worst_z = -1;
  for (const auto& j : judged) {
    emp.push_back({{"name", j.name}, {"value", number_or_null(j.empirical)}, {"se", number_or_null(j.se)},
                   {"z", number_or_null(j.z)}, {"judged", j.judged}});
    if (j.ci95) emp.back()["ci95"] = {j.ci95->first, j.ci95->second};
    if (j.judged && j.z > worst_z) worst_z = j.z, worst = j.name;
  }
  nlohmann::json empirical = {{"functionals", std::move(emp)}};
  if (!worst.empty()) empirical["worst"] = worst;
  model.analyse(c.params, judged_draws, empirical);

  nlohmann::json mutation;
  if (mutated) {  // the correct law on the same draws
    const auto correct = judge_functionals(model.theory(c.params), draws);
    const auto [correct_metrics, correct_tolerance] = functional_metrics(correct, c);
    mutation = mutation_json(c.spec.mutation, within_tolerance(metrics, tolerance),
                             within_tolerance(correct_metrics, correct_tolerance), correct_metrics);
  }
  auto timing = timing_json(times, theory_s, seconds_since(start));
  timing["metrics_s"] = seconds_since(metrics_start);
  auto record = run_record(backend, c, std::move(empirical), std::move(theory_json), metrics, tolerance, std::move(timing));
  // Functionals have their own scales: the spectral perturbations of bench/sensitivity.hpp do not apply.
  record["sensitivity"] = nlohmann::json::object();
  record["sensitivity_detail"] = {{"skipped", {{"all", "functional case: each functional is judged in units of its own "
                                                       "fluctuation scale (theory.functionals[].se)"}}}};
  if (!mutation.is_null()) record["mutation"] = std::move(mutation);
  return record;
}

}  // namespace rmt::bench
