// Running a learning-curve case: the theory along the curve, every replicate fitted on fresh data,
// means with standard errors, and the verdict (bench/curve_case.hpp).
#include "bench/curve_case.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <optional>
#include <string>

#include "bench/embedded_curve_calibration.hpp"
#include "bench/mutation.hpp"
#include "bench/record.hpp"
#include "bench/sensitivity.hpp"
#include "core/base/error.hpp"
#include "core/base/interrupt.hpp"
#include "core/base/metrics.hpp"
#include "core/base/stopwatch.hpp"

namespace rmt::bench {

namespace {

// A dynamics curve (over t) is always a curve; a single λ is a `risk`.
bool is_curve(const CurveAxis& axis) { return axis.name == "t" || axis.values.size() > 1; }

nlohmann::json risk_values(const RiskPoint& r) {
  nlohmann::json j = nlohmann::json::object();
  const auto put = [&](const char* key, double v) {
    if (std::isfinite(v)) j[key] = v;
  };
  put("train", r.train);
  put("test", r.test);
  put("bias", r.bias);
  put("variance", r.variance);
  return j;
}

// Replicate means and standard errors at every point of a curve (draws: [replicate][point]).
struct MeanAndError {
  std::vector<double> mean, se;
};

MeanAndError summarise_points(const std::vector<std::vector<double>>& draws, std::size_t points) {
  MeanAndError s;
  std::vector<double> at_point(draws.size());
  for (std::size_t i = 0; i < points; ++i) {
    for (std::size_t r = 0; r < draws.size(); ++r) at_point[r] = draws[r][i];
    const Summary summary = summarise(at_point);
    s.mean.push_back(summary.mean);
    s.se.push_back(summary.se);
  }
  return s;
}

// Largest relative error over the points with a prediction, and the matching tolerance: the
// theory's finite-size error plus three Monte-Carlo standard errors (docs/theory.md §9.5). `floor` keeps tiny
// predictions (late training errors) from turning rounding into large relative errors.
struct Agreement {
  double error = 0, tolerance = 0, worst_z = 0;
  bool any = false;
};

Agreement agreement(const std::vector<double>& theory, const MeanAndError& emp, double relative, double floor) {
  Agreement a;
  a.tolerance = relative;
  for (std::size_t i = 0; i < theory.size(); ++i) {
    if (!std::isfinite(theory[i])) continue;
    const double scale = std::max(std::abs(theory[i]), floor);
    if (!(scale > 0)) continue;
    a.any = true;
    const double diff = std::abs(emp.mean[i] - theory[i]);
    a.error = std::max(a.error, diff / scale);
    a.tolerance = std::max(a.tolerance, relative + 3.0 * emp.se[i] / scale);
    if (emp.se[i] > 0) a.worst_z = std::max(a.worst_z, diff / emp.se[i]);
  }
  return a;
}

// --- Calibrated learning-curve tolerances (docs/theory.md §9.5, "Learning-curve models") ---------------
// bench/calibration/curves.json (bench/calibration/curves.py) holds, for a few cases run with the correct
// law at many replicates, per point: the relative offset of the replicate mean from the deterministic
// equivalent (`bias`, the finite-size bias), its standard error and the single-replicate relative spread
// `sd`. A case whose model and resolved parameters match an entry is judged point by point: with R
// replicates, z_i = ((mean_i − theory_i)/scale_i − bias_i) / √((κ·sd_i)²/R + bias_se_i²), κ = 1 + 2/√(2(S−1))
// (sd's 97.5 % upper bound from S calibration replicates), and the case passes when every |z_i| ≤ z_α,
// the two-sided Gaussian quantile at α/P, α = 10⁻³ per case, P the judged points (test and train).
struct PointNull {
  double bias = 0, bias_se = 0, sd = 0;
};
struct CurveNull {
  std::vector<std::optional<PointNull>> test, train;
  int seeds = 0;
};

const nlohmann::json& curve_table() {
  static const nlohmann::json table = nlohmann::json::parse(kCurveCalibrationTable);
  return table;
}

std::vector<std::optional<PointNull>> point_nulls(const nlohmann::json& series) {
  std::vector<std::optional<PointNull>> out;
  for (const auto& p : series) {
    if (p.is_null()) {
      out.emplace_back();
      continue;
    }
    out.push_back(PointNull{p.at("bias").get<double>(), p.at("bias_se").get<double>(), p.at("sd").get<double>()});
  }
  return out;
}

std::optional<CurveNull> curve_null(const ResolvedCase& c, std::size_t points) {
  const auto params = c.params.to_json();
  for (const auto& e : curve_table().at("entries")) {
    if (e.at("model") != c.spec.model || e.at("params") != params) continue;
    CurveNull n;
    n.seeds = e.at("replicates").get<int>();
    n.test = point_nulls(e.at("test"));
    if (e.contains("train")) n.train = point_nulls(e.at("train"));
    if (n.test.size() != points || (!n.train.empty() && n.train.size() != points)) return std::nullopt;
    return n;
  }
  return std::nullopt;
}

// The largest |z_i| over the points with a prediction and a calibrated null (0 when none).
double worst_z(const std::vector<double>& theory, const std::vector<double>& mean,
               const std::vector<std::optional<PointNull>>& nulls, double floor, int replicates, int seeds,
               int* judged) {
  const double kappa = 1 + 2 / std::sqrt(2.0 * std::max(2, seeds) - 2);
  double worst = 0;
  for (std::size_t i = 0; i < theory.size() && i < nulls.size(); ++i) {
    if (!std::isfinite(theory[i]) || !nulls[i]) continue;
    const double scale = std::max(std::abs(theory[i]), floor);
    if (!(scale > 0)) continue;
    const auto& n = *nulls[i];
    const double s = std::sqrt(kappa * kappa * n.sd * n.sd / replicates + n.bias_se * n.bias_se);
    if (!(s > 0)) continue;
    worst = std::max(worst, std::abs((mean[i] - theory[i]) / scale - n.bias) / s);
    if (judged) ++*judged;
  }
  return worst;
}

std::vector<double> column(const std::vector<RiskPoint>& points, double RiskPoint::*member) {
  std::vector<double> out;
  for (const auto& p : points) out.push_back(p.*member);
  return out;
}

}  // namespace

nlohmann::json curve_theory_json(const CurveModel& model, const Params& params, const CurveAxis& axis,
                                 const std::vector<RiskPoint>& points) {
  nlohmann::json j = {{"schema_version", 1}, {"model", model.name()}, {"params", params.to_json()}};
  if (!is_curve(axis)) {
    j["risk"] = risk_values(points.front());
    return j;
  }
  auto& curve = j["curve"] = nlohmann::json::array();
  for (std::size_t i = 0; i < points.size(); ++i) {
    nlohmann::json point = {{axis.name, axis.values[i]}};
    point.update(risk_values(points[i]));
    curve.push_back(point);
  }
  return j;
}

bool curve_calibrated(const ResolvedCase& c) {
  return c.kind == CaseKind::curve && c.curve && curve_null(c, curve_axis(*c.curve, c.params).values.size()).has_value();
}

nlohmann::json run_curve_case(Backend& backend, const ResolvedCase& c) {
  const auto start = std::chrono::steady_clock::now();
  const CurveModel& model = *c.curve;
  const CurveAxis axis = curve_axis(model, c.params);
  // The theory side (bench/mutation.hpp): the case's own parameters unless its theory is mutated.
  const bool mutated = c.spec.mutation.active();
  const Params& theory_params = mutated ? c.theory_params : c.params;
  const CurveAxis theory_axis = mutated ? curve_axis(model, theory_params) : axis;
  auto theory_points = mutated && c.theory_drop_mu2 ? model.theory_without_mu2(theory_params, theory_axis)
                                                    : model.theory(theory_params, theory_axis);
  if (mutated)
    for (auto& p : theory_points)
      for (double* v : {&p.train, &p.test, &p.bias, &p.variance}) *v *= c.theory_scale;
  nlohmann::json theory = curve_theory_json(model, theory_params, axis, theory_points);
  const double theory_s = seconds_since(start);

  StageTimes times;
  std::vector<std::vector<double>> train_draws, test_draws;
  std::map<std::string, std::vector<std::vector<double>>> extra_draws;
  for (int r = 0; r < c.spec.replicates; ++r) {
    check_interrupt();  // an embedding host (Python) may stop the run between draws
    const StreamKey key{c.spec.seed, c.case_key, static_cast<std::uint32_t>(r), 0};
    CurveDraw d = model.sample(backend, c.params, axis, key, times);
    bool sizes_ok = d.train.size() == axis.values.size() && d.test.size() == axis.values.size();
    for (const auto& [name, series] : d.extra) sizes_ok = sizes_ok && series.size() == axis.values.size();
    if (!sizes_ok)
      throw Error(fmt::format("internal: model {} returned {} points for a curve of {}", model.name(), d.test.size(),
                              axis.values.size()));
    train_draws.push_back(std::move(d.train));
    test_draws.push_back(std::move(d.test));
    for (auto& [name, series] : d.extra) extra_draws[name].push_back(std::move(series));
  }
  const auto train = summarise_points(train_draws, axis.values.size());
  const auto test = summarise_points(test_draws, axis.values.size());
  std::map<std::string, MeanAndError> extra;
  for (const auto& [name, draws] : extra_draws) extra.emplace(name, summarise_points(draws, axis.values.size()));

  nlohmann::json empirical = {{"axis", axis.name}};
  auto& curve = empirical["curve"] = nlohmann::json::array();
  for (std::size_t i = 0; i < axis.values.size(); ++i) {
    curve.push_back({{axis.name, axis.values[i]},
                     {"train", train.mean[i]},
                     {"train_se", train.se[i]},
                     {"test", test.mean[i]},
                     {"test_se", test.se[i]}});
    for (const auto& [name, s] : extra) {
      curve.back()[name] = s.mean[i];
      curve.back()[name + "_se"] = s.se[i];
    }
  }
  if (!is_curve(axis))
    empirical["risk"] = {{"train", train.mean[0]}, {"train_se", train.se[0]}, {"test", test.mean[0]}, {"test_se", test.se[0]}};

  const double relative = model.relative_tolerance(c.params);
  // The calibrated null of this case (exact parameter match), else the size rule.
  const auto null = curve_null(c, axis.values.size());
  const int replicates = std::max(1, c.spec.replicates);
  // z_α: α = 10⁻³ per case over the judged points (test, and train where predicted and calibrated).
  double z_alpha = 0;
  if (null) {
    int points = 0;
    for (const auto& p : null->test) points += p.has_value();
    for (const auto& p : null->train) points += p.has_value();
    z_alpha = normal_two_sided_quantile(1e-3 / std::max(1, points));
  }
  const auto train_floor = [](const std::vector<double>& train_theory) {
    double train_scale = 0;
    for (const double v : train_theory)
      if (std::isfinite(v)) train_scale = std::max(train_scale, std::abs(v));
    return 0.1 * train_scale;
  };
  // The metrics and tolerances of the measured curve against one theory (the case's, or for a mutated
  // case also the correct one on the same draws); `model.analyse` adds to the blocks it is given.
  // Calibrated: risk_z (train_z) is judged against z_α and risk_error (train_error) is reported; rule:
  // risk_error (train_error) is judged against r + 3 se/|theory| and risk_z is reported.
  const auto judge = [&](const std::vector<RiskPoint>& points, const Params& theory_p, nlohmann::json& theory_block,
                         nlohmann::json& empirical_block) {
    std::map<std::string, double> metrics, tolerance;
    const auto test_theory = column(points, &RiskPoint::test);
    const auto risk = agreement(test_theory, test, relative, 0.0);
    if (risk.any) {
      metrics["risk_error"] = risk.error;
      metrics["risk_z"] = risk.worst_z;
      if (null) {
        metrics["risk_z"] = worst_z(test_theory, test.mean, null->test, 0.0, replicates, null->seeds, nullptr);
        tolerance["risk_z"] = z_alpha;
      } else {
        tolerance["risk_error"] = risk.tolerance;
      }
    }
    const auto train_theory = column(points, &RiskPoint::train);
    const double floor = train_floor(train_theory);
    const auto fit = agreement(train_theory, train, relative, floor);
    if (fit.any) {
      metrics["train_error"] = fit.error;
      int judged = 0;
      const double z = null ? worst_z(train_theory, train.mean, null->train, floor, replicates, null->seeds, &judged) : 0;
      if (null && judged > 0) {
        metrics["train_z"] = z;
        tolerance["train_z"] = z_alpha;
      } else {
        tolerance["train_error"] = fit.tolerance;
      }
    }
    model.analyse(theory_p, axis, test.mean, test.se, theory_block, empirical_block, metrics, tolerance);
    for (const auto& [k, v] : c.spec.tolerance) tolerance[k] = v;
    return std::pair{metrics, tolerance};
  };
  const auto [metrics, tolerance] = judge(theory_points, theory_params, theory, empirical);
  const auto test_theory = column(theory_points, &RiskPoint::test);
  const auto risk = agreement(test_theory, test, relative, 0.0);

  // sensitivity.risk: the smallest relative error of the predicted test risk that risk_error detects
  // with probability ≥ 0.9 (bench/sensitivity.hpp), from the measured curve and its standard errors.
  Sensitivity sensitivity;
  if (!c.spec.sensitivity) {
    sensitivity.values["risk"] = nullptr;
    sensitivity.detail["skipped"] = {{"risk", "--no-sensitivity"}};
  } else if (risk.any && null) {
    // Calibrated: the worst z of the test risk against the scaled theory; z has unit spread.
    sensitivity = curve_sensitivity([&](double factor) {
      std::vector<double> scaled = test_theory;
      for (auto& v : scaled) v *= factor;
      const double z = worst_z(scaled, test.mean, null->test, 0.0, replicates, null->seeds, nullptr);
      return RiskCheck{z, c.spec.tolerance.contains("risk_z") ? c.spec.tolerance.at("risk_z") : z_alpha, 1.0};
    });
    sensitivity.detail["metric"] = "risk_z";
  } else if (risk.any) {
    sensitivity = curve_sensitivity([&](double factor) {
      std::vector<double> scaled = test_theory;
      for (auto& v : scaled) v *= factor;
      const auto a = agreement(scaled, test, relative, 0.0);
      RiskCheck r{a.error, c.spec.tolerance.contains("risk_error") ? c.spec.tolerance.at("risk_error") : a.tolerance, 0};
      for (std::size_t i = 0; i < scaled.size(); ++i)  // the spread of the relative error at the worst point
        if (std::isfinite(scaled[i]) && scaled[i] != 0 &&
            std::abs(test.mean[i] - scaled[i]) / std::abs(scaled[i]) >= a.error)
          r.spread = test.se[i] / std::abs(scaled[i]);
      return r;
    });
  } else {
    sensitivity.values["risk"] = nullptr;
    sensitivity.detail["skipped"] = {{"risk", "no predicted test risk on this curve"}};
  }
  nlohmann::json mutation;
  if (mutated) {  // the correct law on the same draws
    nlohmann::json scratch_theory = nlohmann::json::object(), scratch_empirical = nlohmann::json::object();
    const auto [correct_metrics, correct_tolerance] =
        judge(model.theory(c.params, axis), c.params, scratch_theory, scratch_empirical);
    mutation = mutation_json(c.spec.mutation, within_tolerance(metrics, tolerance),
                             within_tolerance(correct_metrics, correct_tolerance), correct_metrics);
  }

  // Stage times summed over replicates.
  auto record = run_record(backend, c, std::move(empirical), std::move(theory), metrics, tolerance,
                           timing_json(times, theory_s, seconds_since(start)));
  if (null) {
    record["tolerance_source"] = fmt::format("calibrated:{}", kCurveCalibrationTableName);
  }
  record["sensitivity"] = std::move(sensitivity.values);
  record["sensitivity_detail"] = std::move(sensitivity.detail);
  if (!mutation.is_null()) record["mutation"] = std::move(mutation);
  return record;
}

}  // namespace rmt::bench
