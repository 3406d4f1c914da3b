// Running a spectral case: the law evaluated once, every replicate's spectrum measured against it,
// replicate means and spreads, default tolerances and the record (bench/spectral_case.hpp).
#include "bench/spectral_case.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>

#include <fmt/format.h>

#include "bench/calibration.hpp"
#include "bench/distributed_case.hpp"
#include "bench/mutation.hpp"
#include "bench/record.hpp"
#include "bench/sensitivity.hpp"
#include "bench/theory_json.hpp"
#include "core/base/finite.hpp"
#include "core/base/interrupt.hpp"
#include "core/base/metrics.hpp"
#include "core/base/stopwatch.hpp"
#include "core/results/npy.hpp"

namespace rmt::bench {

namespace {

// Metrics of one draw against the law; the bulk excludes the predicted outliers.
struct DrawMetrics {
  std::map<std::string, double> values;
  std::vector<double> moments;
  std::vector<complex> stieltjes;
};

DrawMetrics measure(const SpectralTheory& t, const std::vector<double>& eigs, Precision precision) {
  std::vector<double> bulk(eigs.begin(), eigs.end() - static_cast<std::ptrdiff_t>(t.outliers.size()));
  DrawMetrics d;
  int unpredicted = 0;
  for (; unpredicted < t.unpredicted && !bulk.empty() && bulk.back() > t.separation; ++unpredicted) bulk.pop_back();
  d.values["unpredicted_outliers"] = unpredicted;
  // Eigenvalues of an atom come out spread by the eigensolver's rounding: ~1e-12 relative in fp64,
  // ~1e-6 in fp32 (both with a wide margin).
  const double snap = (precision == Precision::fp32 ? 1e-4 : 1e-9) * std::max(1.0, std::abs(eigs.back()));
  bulk = snap_to_atoms(std::move(bulk), t.atoms, snap);
  d.values["ks"] = ks_distance(bulk, *t.cdf);
  d.values["w1"] = wasserstein1(bulk, *t.cdf, t.support);
  if (!t.support.empty()) {
    const auto e = edge_error(bulk.back(), t.support.back().hi, t.tw_scale);
    d.values["edge_error"] = e.absolute;
    if (std::isfinite(e.tw)) d.values["edge_error_tw"] = e.tw;
  }
  for (const auto z : t.z) d.stieltjes.push_back(empirical_stieltjes(bulk, z));
  d.values["stieltjes_error"] = stieltjes_error(t.z, d.stieltjes, t.m, t.support);
  d.moments = empirical_moments(bulk, 2);
  // In units of scale^k: the mean of a zero-diagonal kernel matrix is 0, so no relative error.
  double moment_error = 0;
  for (std::size_t k = 0; k < d.moments.size(); ++k)
    moment_error = std::max(moment_error, std::abs(d.moments[k] - t.moments[k]) / std::pow(t.scale, k + 1.0));
  d.values["moment_error"] = moment_error;
  return d;
}

std::string outlier_shift_key(std::size_t k) { return fmt::format("outlier_shift_{}", k + 1); }

// Pairs the measured outliers with the predicted ones (both sorted by decreasing spike).
void outlier_metrics(const SpectralTheory& t, const std::vector<Outlier>& measured, std::map<std::string, double>& out) {
  if (t.outliers.empty()) return;
  double pos = 0, align = 0;
  bool aligned = true;  // method = distributed measures eigenvalues only: alignments NaN, metric left out
  for (const auto& th : t.outliers) {
    const auto it = std::find_if(measured.begin(), measured.end(), [&](const Outlier& o) { return o.spike == th.spike; });
    if (it == measured.end()) continue;
    pos = std::max(pos, std::abs(it->position - th.position));
    if (std::isnan(it->alignment)) aligned = false;
    else align = std::max(align, std::abs(it->alignment - th.alignment));
  }
  out["outlier_position_error"] = pos;
  if (aligned) out["outlier_alignment_error"] = align;
  // The signed shift of each outlier in units of its own fluctuation (where the theory gives it): its
  // mean over R replicates is N(0, 1/R) for a correct law, so a small systematic shift (a spike off by
  // 5 %) is detected by replicates, which |error| above cannot do.
  for (std::size_t k = 0; k < t.outliers.size(); ++k) {
    const auto& th = t.outliers[k];
    const auto it = std::find_if(measured.begin(), measured.end(), [&](const Outlier& o) { return o.spike == th.spike; });
    if (th.position_sd > 0 && it != measured.end())
      out[outlier_shift_key(k)] = (it->position - th.position) / th.position_sd;
  }
}

// Replicate r of the case: sampled on the backend, sorted, measured against the law. The one path
// that `rmtbench run` (every replicate) and `rmtbench calibrate` (one draw per seed) share.
DrawMetrics measure_draw(Backend& backend, const ResolvedCase& c, const SpectralTheory& t, std::uint32_t r,
                         Precision precision, StageTimes& times, Draw& draw, double& metrics_s) {
  check_interrupt();  // an embedding host (Python) may stop the run between draws
  const StreamKey key{c.spec.seed, c.case_key, r, 0};
  draw = c.spec.method == "distributed" ? distributed_draw(c, key, times) : c.model->sample(backend, c.params, key, times);
  require_finite(draw.eigenvalues, fmt::format("the eigenvalues of replicate {}", r));
  std::sort(draw.eigenvalues.begin(), draw.eigenvalues.end());
  const auto metrics_start = std::chrono::steady_clock::now();
  DrawMetrics m = measure(t, draw.eigenvalues, precision);
  outlier_metrics(t, draw.outliers, m.values);
  metrics_s += seconds_since(metrics_start);
  return m;
}

// Every replicate's measurements, summarised (bench/record.hpp) once all have run.
struct Replicates {
  std::map<std::string, std::vector<double>> metrics;
  std::vector<std::vector<double>> moments;                     // [k][replicate]
  std::vector<std::vector<double>> stieltjes_re, stieltjes_im;  // [point][replicate]
  std::vector<double> spikes;                                   // [outlier] (the same in every replicate)
  std::vector<std::vector<double>> positions, alignments;       // [outlier][replicate]
  std::vector<StageTimes> times;
  std::vector<double> pooled;  // all eigenvalues, replicate after replicate
  double lo = INFINITY, hi = -INFINITY;

  void add(const DrawMetrics& m, const Draw& draw) {
    for (const auto& [k, v] : m.values) metrics[k].push_back(v);
    moments.resize(m.moments.size());
    for (std::size_t k = 0; k < m.moments.size(); ++k) moments[k].push_back(m.moments[k]);
    stieltjes_re.resize(m.stieltjes.size());
    stieltjes_im.resize(m.stieltjes.size());
    for (std::size_t k = 0; k < m.stieltjes.size(); ++k) {
      stieltjes_re[k].push_back(m.stieltjes[k].real());
      stieltjes_im[k].push_back(m.stieltjes[k].imag());
    }
    if (spikes.empty()) {
      spikes.resize(draw.outliers.size());
      positions.resize(draw.outliers.size());
      alignments.resize(draw.outliers.size());
    }
    for (std::size_t k = 0; k < draw.outliers.size(); ++k) {
      spikes[k] = draw.outliers[k].spike;
      positions[k].push_back(draw.outliers[k].position);
      alignments[k].push_back(draw.outliers[k].alignment);
    }
    lo = std::min(lo, draw.eigenvalues.front());
    hi = std::max(hi, draw.eigenvalues.back());
    pooled.insert(pooled.end(), draw.eigenvalues.begin(), draw.eigenvalues.end());
  }

  // Stage times of one draw: the median over replicates.
  StageTimes median_times() const {
    const auto stage = [&](double StageTimes::*field) {
      std::vector<double> v;
      for (const auto& r : times) v.push_back(r.*field);
      return median(std::move(v));
    };
    return {stage(&StageTimes::sample_s), stage(&StageTimes::activation_s), stage(&StageTimes::gram_s),
            stage(&StageTimes::eig_s)};
  }
};

void widen_for_fp32(std::map<std::string, double>& tol, double d, double right_edge, double scale, double tw_scale) {
  // A backward-stable eigensolver run on a matrix rounded to fp32 moves every eigenvalue by at most
  // ~ d·u·‖A‖ (u = 2⁻²⁴) and in practice by ~ √d·u·‖A‖ (rounding errors add in quadrature); 8√d·u·‖A‖
  // covers both at the sizes run. Each metric Lipschitz in the eigenvalues widens by its constant;
  // the KS distance moves only by the eigenvalues that cross a point, which the atom snap handles.
  const double shift = 8.0 * std::sqrt(d) * 0x1p-24 * std::max(1.0, std::abs(right_edge));
  tol["w1"] += shift;
  if (tol.contains("edge_error_tw")) tol["edge_error_tw"] += shift / tw_scale;  // in Tracy–Widom units
  tol["stieltjes_error"] += shift / (0.05 * scale);  // dist(z, support)·|Δm| ≤ shift / dist, dist ≥ 0.05·scale
  tol["moment_error"] += std::max(shift / scale, 2.0 * std::abs(right_edge) * shift / (scale * scale));
}

}  // namespace

std::map<std::string, double> measure_one_draw(Backend& backend, const ResolvedCase& c, const SpectralTheory& t,
                                               std::uint32_t replicate) {
  const Precision precision = parse_precision(c.spec.precision, "precision");
  const PrecisionScope scope(backend, precision);
  StageTimes times;
  Draw draw;
  double metrics_s = 0;
  return measure_draw(backend, c, t, replicate, precision, times, draw, metrics_s).values;
}

SpectralTheory build_theory(const ResolvedCase& c) {
  SpectralTheory t;
  t.law = c.model->law(c.params, StreamKey{c.spec.seed, c.case_key, 0, 0});
  t.cdf = std::make_unique<SpectralCdf>(*t.law);
  t.support = t.law->support();
  t.atoms = t.law->atoms();
  t.outliers = c.model->theory_outliers(c.params);
  t.moments = t.law->moments(2);
  t.scale = spectral_scale(t.moments);
  t.z = standard_stieltjes_points(t.support, t.scale);
  for (const auto z : t.z) t.m.push_back(t.law->stieltjes(z));
  t.unpredicted = c.model->unpredicted_outliers(c.params);
  t.edge_scale = edge_scale(t.support, *t.cdf, c.sizes.eig_dim);
  if (!t.support.empty()) t.separation = t.support.back().hi + 3.0 * t.edge_scale;
  t.tw_scale = tracy_widom_edge_scale(*t.law, t.support, t.edge_scale, c.sizes.eig_dim);
  return t;
}

double tracy_widom_edge_scale(const SpectralLaw& law, const std::vector<Interval>& support, double edge_scale,
                              index_t dim) {
  if (support.empty()) return 0;
  const auto& top = support.back();
  const double a = sqrt_edge_coefficient(law, top.hi, std::min(edge_scale / 16.0, 0.25 * (top.hi - top.lo)));
  return std::isfinite(a) ? tracy_widom_scale(a, dim) : 0.0;
}

double edge_scale(const std::vector<Interval>& support, const SpectralCdf& cdf, index_t dim) {
  if (support.empty()) return 1.0;
  return support.back().hi - cdf.quantile(1.0 - 1.0 / static_cast<double>(dim));
}

namespace {

// docs/theory.md §9.5: |edge_error_tw| ≤ the TW₁ bound at a false-alarm rate of 1e-3 per metric, plus
// an allowance: (d/1000)^{1/6} Tracy–Widom units for the nonlinear laws (finite-size factor > 1), for
// their O(d^{-1/2}) relative edge bias (within about one unit at d = 600–4000); one unit where predicted
// outliers are taken out of the bulk, whose largest remaining eigenvalue interlaces below the unspiked
// one (spiked c = 0.5, spikes 2, 4, d = 1000: mean −1.72 over 200 seeds against TW₁'s −1.21).
double edge_tw_tolerance(const ResolvedCase& c, const SpectralTheory& t) {
  static const double bound = tw1::abs_bound(1e-3);
  const double d = static_cast<double>(c.sizes.eig_dim);
  if (c.model->finite_size_factor() > 1) return bound + std::pow(d / 1000.0, 1.0 / 6.0);
  return bound + (t.outliers.empty() ? 0.0 : 1.0);
}

}  // namespace

std::map<std::string, double> default_tolerances(const ResolvedCase& c, const SpectralTheory& t, std::string* source,
                                                 const CalibrationTable* table) {
  const auto d = static_cast<double>(c.sizes.eig_dim);
  const auto& support = t.support;
  const double width = support.empty() ? 1.0 : support.back().hi - support.front().lo;
  // docs/theory.md §9.5: nonlinear models converge with larger constants than MP (Stieltjes errors up to
  // 2e-2 for PW/CK/NTK and 2.6e-2 for Cheng–Singer against 5e-3 for MP at n ≈ 1000).
  const double factor = c.model->finite_size_factor();
  std::map<std::string, double> tol = {
      {"ks", 2.0 * factor * std::log(d) / d},
      {"w1", 2.0 * factor * std::log(d) / d * width},
      {"stieltjes_error", 6.0 * factor / d},
      {"edge_error_tw", edge_tw_tolerance(c, t)},
      {"moment_error", 10.0 * factor / d},
  };
  // Finite-rank terms the theory leaves out (Model::unpredicted_outliers) may stay inside the bulk
  // when they are not separated from it: each moves the k-th moment by up to separationᵏ/d.
  if (const int k = t.unpredicted; k > 0 && !support.empty()) {
    const double separation = t.separation / t.scale;
    tol["moment_error"] += k * separation * separation / d;
  }
  if (!c.model->judges_edge(c.params) || !(t.tw_scale > 0)) tol.erase("edge_error_tw");
  if (!t.outliers.empty()) {
    const double n = static_cast<double>(c.params.integer("n"));
    double largest = 0;
    for (const auto& o : t.outliers) largest = std::max(largest, o.spike);
    // O(n^{-1/2}) near the BBP transition (docs/theory.md §9.5), or the model's own tolerance when it has one.
    double position_tol = 5.0 * (1.0 + largest) / std::sqrt(n);
    for (const auto& o : t.outliers) position_tol = std::max(position_tol, o.position_tolerance);
    tol["outlier_position_error"] = position_tol;
    if (c.spec.method != "distributed") tol["outlier_alignment_error"] = 5.0 / std::sqrt(n);  // eigenvalues only
    // Mean standardised shift over R replicates: |z|·√R within the two-sided normal quantile at 10⁻³,
    // Bonferroni over the outliers that have one.
    std::size_t shifts = 0;
    for (const auto& o : t.outliers) shifts += o.position_sd > 0;
    for (std::size_t k = 0; k < t.outliers.size(); ++k)
      if (t.outliers[k].position_sd > 0)
        tol[outlier_shift_key(k)] = normal_two_sided_quantile(1e-3 / static_cast<double>(shifts)) /
                                    std::sqrt(static_cast<double>(c.spec.replicates));
  }
  // The calibrated null (bench/calibration.hpp) replaces the size rule where the table covers the case;
  // edge_error_tw keeps its own rule (in Tracy–Widom units).
  if (source) *source = "rule";
  for (auto& [k, v] : tol) {
    if (!table_sets_tolerance(k)) continue;
    if (const auto null = calibrated_null(table ? *table : embedded_calibration(), c, k)) {
      v = null->tolerance;
      if (source) *source = (table ? *table : embedded_calibration()).source();
    }
  }
  if (parse_precision(c.spec.precision, "precision") == Precision::fp32 && !support.empty())
    widen_for_fp32(tol, d, support.back().hi, t.scale, t.tw_scale);
  for (const auto& [k, v] : c.spec.tolerance) tol[k] = v;
  return tol;
}

nlohmann::json run_spectral_case(Backend& backend, const ResolvedCase& c, const std::filesystem::path& out_dir) {
  const auto start = std::chrono::steady_clock::now();
  const SpectralTheory t = build_theory(c);
  const auto grid = density_grid(*t.law, 201);
  // A mutated case's theory block shows the parameters its law was built from (bench/mutation.hpp).
  nlohmann::json theory =
      theory_json(*c.model, c.spec.mutation.active() ? c.theory_params : c.params, *t.law, grid, t.z);
  const double theory_s = seconds_since(start);

  const Precision precision = parse_precision(c.spec.precision, "precision");
  const PrecisionScope scope(backend, precision);
  const auto dim = c.sizes.eig_dim;
  const auto reps = static_cast<std::size_t>(c.spec.replicates);
  Replicates all;
  double metrics_s = 0;
  for (std::size_t r = 0; r < reps; ++r) {
    Draw draw;
    DrawMetrics m = measure_draw(backend, c, t, static_cast<std::uint32_t>(r), precision, all.times.emplace_back(),
                                 draw, metrics_s);
    all.add(m, draw);
  }

  const auto eig_file = std::filesystem::path("eigs") / (file_safe(c.spec.name) + ".npy");
  std::vector<std::size_t> shape = {static_cast<std::size_t>(dim)};
  if (reps > 1) shape.insert(shape.begin(), reps);
  write_npy(out_dir / eig_file, all.pooled, shape);

  const auto mean = [](const std::vector<double>& v) { return summarise(v).mean; };
  std::vector<double> moments;
  for (const auto& v : all.moments) moments.push_back(mean(v));
  nlohmann::json empirical = {{"eigenvalues", eig_file.generic_string()}, {"min", all.lo}, {"max", all.hi}, {"moments", moments}};
  auto& stieltjes = empirical["stieltjes"] = nlohmann::json::array();
  for (std::size_t k = 0; k < t.z.size(); ++k)
    stieltjes.push_back({{"z", complex_json(t.z[k])},
                         {"value", complex_json(complex(mean(all.stieltjes_re[k]), mean(all.stieltjes_im[k])))}});
  if (c.model->tracked_spikes(c.params) > 0) {
    auto& outliers = empirical["outliers"] = nlohmann::json::array();
    for (std::size_t k = 0; k < all.spikes.size(); ++k)
      outliers.push_back(
          {{"spike", all.spikes[k]}, {"position", mean(all.positions[k])}, {"alignment", mean(all.alignments[k])}});
  }
  std::map<std::string, double> metrics;
  nlohmann::json sd = nlohmann::json::object();
  for (const auto& [k, values] : all.metrics) {
    const Summary s = summarise(values);
    metrics[k] = s.mean;
    sd[k] = s.sd;
  }
  // The replicate spread of each metric: `rmtbench compare` judges changes against it.
  if (reps > 1) empirical["metrics_sd"] = sd;
  if (c.spec.method == "distributed") empirical["distributed"] = distributed_json(c);

  std::string tolerance_source;
  const auto tolerance = default_tolerances(c, t, &tolerance_source);
  // Every replicate's draw re-scored against another theory: the perturbed laws of the sensitivity
  // (bench/sensitivity.hpp) and, for a mutated case, the correct law on the same draws.
  const Rescorer rescore = [&](const SpectralTheory& other) {
    std::vector<MetricValues> out;
    for (std::size_t r = 0; r < reps; ++r) {
      const auto first = all.pooled.begin() + static_cast<std::ptrdiff_t>(r * static_cast<std::size_t>(dim));
      const std::vector<double> eigs(first, first + static_cast<std::ptrdiff_t>(dim));
      DrawMetrics m = measure(other, eigs, precision);
      std::vector<Outlier> measured;
      for (std::size_t k = 0; k < all.spikes.size(); ++k)
        measured.push_back({all.spikes[k], all.positions[k][r], all.alignments[k][r]});
      outlier_metrics(other, measured, m.values);
      out.push_back(std::move(m.values));
    }
    return out;
  };
  const auto sensitivity_start = std::chrono::steady_clock::now();
  Sensitivity sensitivity = spectral_sensitivity(c, t, tolerance, rescore);
  nlohmann::json mutation;
  if (c.spec.mutation.active()) {
    const ResolvedCase correct = unmutated_case(c);
    const SpectralTheory correct_theory = build_theory(correct);
    const MetricValues correct_metrics = mean_metrics(rescore(correct_theory));
    mutation = mutation_json(c.spec.mutation, within_tolerance(metrics, tolerance),
                             within_tolerance(correct_metrics, default_tolerances(correct, correct_theory)),
                             correct_metrics);
  }
  const double sensitivity_s = seconds_since(sensitivity_start);
  // Stage times of one draw (median over replicates), apart from theory and metrics; total_s is the
  // wall time of the whole case.
  nlohmann::json timing = timing_json(all.median_times(), theory_s, seconds_since(start));
  timing["metrics_s"] = metrics_s;
  timing["sensitivity_s"] = sensitivity_s;
  auto record = run_record(backend, c, std::move(empirical), std::move(theory), metrics, tolerance, std::move(timing));
  record["tolerance_source"] = tolerance_source;
  record["sensitivity"] = std::move(sensitivity.values);
  record["sensitivity_detail"] = std::move(sensitivity.detail);
  if (!mutation.is_null()) record["mutation"] = std::move(mutation);
  return record;
}

}  // namespace rmt::bench
