#include "bench/case.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

#include <fmt/format.h>

#include "bench/curve_case.hpp"
#include "bench/theory_json.hpp"
#include "core/error.hpp"
#include "core/finite.hpp"
#include "core/metrics.hpp"
#include "core/npy.hpp"
#include "core/spectral_cdf.hpp"

namespace rmt::bench {

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::string file_safe(std::string_view name) {
  std::string out(name);
  for (auto& ch : out)
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '.' && ch != '-' && ch != '_') ch = '_';
  return out;
}

// Metrics of one draw against the law; the bulk excludes the predicted outliers.
struct DrawMetrics {
  std::map<std::string, double> values;
  std::vector<double> moments;
  std::vector<complex> stieltjes;
};

struct Theory {
  std::unique_ptr<SpectralLaw> law;
  std::unique_ptr<SpectralCdf> cdf;
  std::vector<Interval> support;
  std::vector<Outlier> outliers;
  std::vector<double> moments;
  std::vector<complex> z;
  std::vector<complex> m;
  double scale = 1;  // the unit of the Stieltjes points
  int unpredicted = 0;      // bound on outliers the theory leaves out (Model::unpredicted_outliers)
  double edge_scale = 1;    // δ of edge_scale()
  double separation = 0;    // eigenvalues above this are clearly beyond the right edge
};

Theory build_theory(const ResolvedCase& c) {
  Theory t;
  t.law = c.model->law(c.params, StreamKey{c.spec.seed, c.case_key, 0, 0});
  t.cdf = std::make_unique<SpectralCdf>(*t.law);
  t.support = t.law->support();
  t.outliers = c.model->theory_outliers(c.params);
  t.moments = t.law->moments(2);
  t.scale = spectral_scale(t.moments);
  t.z = standard_stieltjes_points(t.support, t.scale);
  for (const auto z : t.z) t.m.push_back(t.law->stieltjes(z));
  t.unpredicted = c.model->unpredicted_outliers(c.params);
  t.edge_scale = edge_scale(*t.law, *t.cdf, c.sizes.eig_dim);
  if (!t.support.empty()) t.separation = t.support.back().hi + 3.0 * t.edge_scale;
  return t;
}

DrawMetrics measure(const Theory& t, const std::vector<double>& eigs, index_t dim, Precision precision) {
  std::vector<double> bulk(eigs.begin(), eigs.end() - static_cast<std::ptrdiff_t>(t.outliers.size()));
  DrawMetrics d;
  int unpredicted = 0;
  for (; unpredicted < t.unpredicted && !bulk.empty() && bulk.back() > t.separation; ++unpredicted) bulk.pop_back();
  d.values["unpredicted_outliers"] = unpredicted;
  // Eigenvalues of an atom come out spread by the eigensolver's rounding: ~1e-12 relative in fp64,
  // ~1e-6 in fp32 (both with a wide margin).
  const double snap = (precision == Precision::fp32 ? 1e-4 : 1e-9) * std::max(1.0, std::abs(eigs.back()));
  bulk = snap_to_atoms(std::move(bulk), t.law->atoms(), snap);
  d.values["ks"] = ks_distance(bulk, *t.cdf);
  d.values["w1"] = wasserstein1(bulk, *t.cdf, t.support);
  if (!t.support.empty()) {
    const auto e = edge_error(bulk.back(), t.support.back().hi, dim);
    d.values["edge_error"] = e.absolute;
    d.values["edge_error_tw"] = e.scaled;
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

// Pairs the measured outliers with the predicted ones (both sorted by decreasing spike).
void outlier_metrics(const Theory& t, const std::vector<Outlier>& measured, std::map<std::string, double>& out) {
  if (t.outliers.empty()) return;
  double pos = 0, align = 0;
  for (const auto& th : t.outliers) {
    const auto it = std::find_if(measured.begin(), measured.end(), [&](const Outlier& o) { return o.spike == th.spike; });
    if (it == measured.end()) continue;
    pos = std::max(pos, std::abs(it->position - th.position));
    align = std::max(align, std::abs(it->alignment - th.alignment));
  }
  out["outlier_position_error"] = pos;
  out["outlier_alignment_error"] = align;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t h = v.size() / 2;
  return v.size() % 2 ? v[h] : 0.5 * (v[h - 1] + v[h]);
}

StageTimes median_stage_times(const std::vector<StageTimes>& reps) {
  const auto stage = [&](double StageTimes::*field) {
    std::vector<double> v;
    for (const auto& r : reps) v.push_back(r.*field);
    return median(std::move(v));
  };
  return {stage(&StageTimes::sample_s), stage(&StageTimes::activation_s), stage(&StageTimes::gram_s),
          stage(&StageTimes::eig_s)};
}

nlohmann::json number_map(const std::map<std::string, double>& m) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [k, v] : m) j[k] = v;
  return j;
}

}  // namespace

std::uint32_t case_key(std::string_view model, const Params& params) {
  return fnv1a32(fmt::format("{}:{}", model, params.canonical()));
}

ResolvedCase resolve_case(const CaseSpec& spec) {
  ResolvedCase c;
  c.spec = spec;
  c.base = &find_any_model(spec.model);
  c.model = dynamic_cast<const Model*>(c.base);
  c.curve = dynamic_cast<const CurveModel*>(c.base);
  if (spec.replicates < 1 || spec.replicates > 100000)
    throw InputError(fmt::format("case '{}': replicates = {} is out of range [1, 100000]", spec.name, spec.replicates));
  const Precision precision = parse_precision(spec.precision, fmt::format("case '{}': precision", spec.name));
  c.params = resolve_params(spec.model, c.base->params(), spec.params);
  c.sizes = c.base->sizes(c.params);
  if (c.curve) {
    curve_axis(*c.curve, c.params);  // rejects two grids up front
    c.curve->validate(c.params);
    c.spec.replicates = std::max(c.spec.replicates, c.curve->min_replicates());
    // Learning curves solve ridge systems down to λ ≈ 1e-7 and difference risks near the
    // interpolation peak: fp32's 6e-8 unit roundoff is the size of the effect measured.
    if (precision == Precision::fp32)
      throw InputError(fmt::format("case '{}': model {} needs fp64 (its learning curve solves ridge systems at "
                                   "small λ, where fp32 rounding is as large as the quantity measured)",
                                   spec.name, spec.model));
  } else {
    for (const auto& spec_param : c.base->params())
      if (spec_param.kind == ParamSpec::Kind::grid && c.params.is_grid(spec_param.name))
        throw InputError(fmt::format("case '{}': parameter {} cannot be a grid here", spec.name, spec_param.name));
  }
  c.case_key = case_key(spec.model, c.params);
  for (const auto& [key, value] : spec.tolerance)
    if (!(value >= 0)) throw InputError(fmt::format("case '{}': tolerance {} = {} must be >= 0", spec.name, key, value));
  return c;
}

void check_memory(const ResolvedCase& c, Backend& backend) {
  // The plan's peak (max over the phases of one draw, the eigensolver's workspace from the backend's
  // own size query) in the case's precision: the query depends on the backend's working precision.
  const Precision precision = parse_precision(c.spec.precision, "precision");
  const PrecisionScope scope(backend, precision);
  const MemoryPlan plan = c.base->memory_plan(c.params);
  const std::size_t available = backend.available_bytes();
  // Matrices alone too large: refused without asking the solver library about an absurd size.
  MemoryPlan matrices;
  for (const auto& ph : plan.phases)
    if (matrices.phases.empty() || ph.elements > matrices.phases.front().elements)
      matrices.phases = {{ph.name + ", matrices alone", ph.elements, 0, 0}};
  MemoryPeak peak = peak_memory(matrices, backend);
  if (peak.bytes <= available) peak = peak_memory(plan, backend);
  const std::size_t needed = peak.bytes;
  if (needed > available)
    throw ResourceError(fmt::format(
        "case '{}' needs {} bytes ({:.2f} GiB) of {} memory for a {}x{} sample and a {}x{} matrix; only {} bytes "
        "({:.2f} GiB) are available (peak at '{}' in {}, {} bytes of it eigensolver workspace)",
        c.spec.name, needed, needed / 1073741824.0, backend.name(), c.sizes.rows, c.sizes.cols, c.sizes.eig_dim,
        c.sizes.eig_dim, available, available / 1073741824.0, peak.phase, to_string(precision), peak.workspace));
}

std::string repro_command(const ResolvedCase& c, std::string_view backend) {
  return fmt::format("rmtbench run --model {}{} --seed {} --replicates {} --backend {}", c.spec.model,
                     c.params.as_set_args(), c.spec.seed, c.spec.replicates, backend);
}

double edge_scale(const SpectralLaw& law, const SpectralCdf& cdf, index_t dim) {
  const auto support = law.support();
  if (support.empty()) return 1.0;
  return support.back().hi - cdf.quantile(1.0 - 1.0 / static_cast<double>(dim));
}

namespace {
void widen_for_fp32(std::map<std::string, double>& tol, double d, double right_edge, double scale) {
  // A backward-stable eigensolver run on a matrix rounded to fp32 moves every eigenvalue by at most
  // ~ d·u·‖A‖ (u = 2⁻²⁴) and in practice by ~ √d·u·‖A‖ (rounding errors add in quadrature); 8√d·u·‖A‖
  // covers both at the sizes run. Each metric Lipschitz in the eigenvalues widens by its constant;
  // the KS distance moves only by the eigenvalues that cross a point, which the atom snap handles.
  const double shift = 8.0 * std::sqrt(d) * 0x1p-24 * std::max(1.0, std::abs(right_edge));
  tol["w1"] += shift;
  if (tol.contains("edge_error_tw")) tol["edge_error_tw"] += shift * std::pow(d, 2.0 / 3.0);
  tol["stieltjes_error"] += shift / (0.05 * scale);  // dist(z, support)·|Δm| ≤ shift / dist, dist ≥ 0.05·scale
  tol["moment_error"] += std::max(shift / scale, 2.0 * std::abs(right_edge) * shift / (scale * scale));
}
}  // namespace

std::map<std::string, double> default_tolerances(const ResolvedCase& c, const SpectralLaw& law, double delta) {
  const auto d = static_cast<double>(c.sizes.eig_dim);
  const auto support = law.support();
  const double width = support.empty() ? 1.0 : support.back().hi - support.front().lo;
  // SPEC §9.5: nonlinear models converge with larger constants than MP (Stieltjes errors up to
  // 2e-2 for PW/CK/NTK and 2.6e-2 for Cheng–Singer against 5e-3 for MP at n ≈ 1000).
  const double factor = c.model->finite_size_factor();
  std::map<std::string, double> tol = {
      {"ks", 2.0 * factor * std::log(d) / d},
      {"w1", 2.0 * factor * std::log(d) / d * width},
      {"stieltjes_error", 6.0 * factor / d},
      {"edge_error_tw", 3.0 * delta * std::pow(d, 2.0 / 3.0)},
      {"moment_error", 10.0 * factor / d},
  };
  // Finite-rank terms the theory leaves out (Model::unpredicted_outliers) may stay inside the bulk
  // when they are not separated from it: each moves the k-th moment by up to separationᵏ/d.
  if (const int k = c.model->unpredicted_outliers(c.params); k > 0 && !support.empty()) {
    const double scale = spectral_scale(law.moments(2));
    const double separation = (support.back().hi + 3.0 * delta) / scale;
    tol["moment_error"] += k * separation * separation / d;
  }
  if (!c.model->judges_edge(c.params)) tol.erase("edge_error_tw");
  const auto outliers = c.model->theory_outliers(c.params);
  if (!outliers.empty()) {
    const double n = static_cast<double>(c.params.integer("n"));
    double largest = 0;
    for (const auto& o : outliers) largest = std::max(largest, o.spike);
    // O(n^{-1/2}) near the BBP transition (SPEC §9.5), or the model's own tolerance when it has one.
    double position_tol = 5.0 * (1.0 + largest) / std::sqrt(n);
    for (const auto& o : outliers) position_tol = std::max(position_tol, o.position_tolerance);
    tol["outlier_position_error"] = position_tol;
    tol["outlier_alignment_error"] = 5.0 / std::sqrt(n);
  }
  if (parse_precision(c.spec.precision, "precision") == Precision::fp32 && !support.empty())
    widen_for_fp32(tol, d, support.back().hi, spectral_scale(law.moments(2)));
  for (const auto& [k, v] : c.spec.tolerance) tol[k] = v;
  return tol;
}

nlohmann::json run_case(Backend& backend, const ResolvedCase& c, const std::filesystem::path& out_dir) {
  if (c.curve) return run_curve_case(backend, c);
  const auto start = std::chrono::steady_clock::now();
  const auto theory_start = std::chrono::steady_clock::now();
  const Theory t = build_theory(c);
  const auto grid = density_grid(*t.law, 201);
  nlohmann::json theory = theory_json(*c.model, c.params, *t.law, grid, t.z);
  double theory_s = seconds_since(theory_start);

  const Precision precision = parse_precision(c.spec.precision, "precision");
  const PrecisionScope scope(backend, precision);
  std::vector<StageTimes> replicate_times;
  double metrics_s = 0;
  const auto dim = c.sizes.eig_dim;
  const auto reps = static_cast<std::size_t>(c.spec.replicates);
  std::vector<double> pooled;
  std::map<std::string, double> metric_sum, metric_sq;  // replicate means and sums of squares (spread)
  std::vector<double> moment_sum(2, 0.0);
  std::vector<complex> stieltjes_sum(t.z.size(), 0.0);
  std::vector<Outlier> outlier_sum;
  double lo = INFINITY, hi = -INFINITY;
  for (std::size_t r = 0; r < reps; ++r) {
    const StreamKey key{c.spec.seed, c.case_key, static_cast<std::uint32_t>(r), 0};
    StageTimes& times = replicate_times.emplace_back();
    Draw draw = c.model->sample(backend, c.params, key, times);
    require_finite(draw.eigenvalues, fmt::format("the eigenvalues of replicate {}", r));
    std::sort(draw.eigenvalues.begin(), draw.eigenvalues.end());
    const auto metrics_start = std::chrono::steady_clock::now();
    DrawMetrics m = measure(t, draw.eigenvalues, dim, precision);
    outlier_metrics(t, draw.outliers, m.values);
    metrics_s += seconds_since(metrics_start);
    for (const auto& [k, v] : m.values) {
      metric_sum[k] += v / static_cast<double>(reps);
      metric_sq[k] += v * v;
    }
    for (std::size_t k = 0; k < 2; ++k) moment_sum[k] += m.moments[k] / static_cast<double>(reps);
    for (std::size_t k = 0; k < t.z.size(); ++k) stieltjes_sum[k] += m.stieltjes[k] / static_cast<double>(reps);
    if (outlier_sum.empty()) outlier_sum.resize(draw.outliers.size());
    for (std::size_t k = 0; k < draw.outliers.size(); ++k) {
      outlier_sum[k].spike = draw.outliers[k].spike;
      outlier_sum[k].position += draw.outliers[k].position / static_cast<double>(reps);
      outlier_sum[k].alignment += draw.outliers[k].alignment / static_cast<double>(reps);
    }
    lo = std::min(lo, draw.eigenvalues.front());
    hi = std::max(hi, draw.eigenvalues.back());
    pooled.insert(pooled.end(), draw.eigenvalues.begin(), draw.eigenvalues.end());
  }

  const auto eig_file = std::filesystem::path("eigs") / (file_safe(c.spec.name) + ".npy");
  std::vector<std::size_t> shape = {static_cast<std::size_t>(dim)};
  if (reps > 1) shape.insert(shape.begin(), reps);
  write_npy(out_dir / eig_file, pooled, shape);

  nlohmann::json empirical = {{"eigenvalues", eig_file.generic_string()}, {"min", lo}, {"max", hi}, {"moments", moment_sum}};
  auto& stieltjes = empirical["stieltjes"] = nlohmann::json::array();
  for (std::size_t k = 0; k < t.z.size(); ++k)
    stieltjes.push_back({{"z", complex_json(t.z[k])}, {"value", complex_json(stieltjes_sum[k])}});
  if (c.model->tracked_spikes(c.params) > 0) {
    auto& outliers = empirical["outliers"] = nlohmann::json::array();
    for (const auto& o : outlier_sum)
      outliers.push_back({{"spike", o.spike}, {"position", o.position}, {"alignment", o.alignment}});
  }

  if (reps > 1) {  // the replicate spread of each metric: `rmtbench compare` judges changes against it
    nlohmann::json sd = nlohmann::json::object();
    const double r = static_cast<double>(reps);
    for (const auto& [k, mean] : metric_sum) sd[k] = std::sqrt(std::max(0.0, (metric_sq[k] - r * mean * mean) / (r - 1)));
    empirical["metrics_sd"] = sd;
  }
  const auto tolerance = default_tolerances(c, *t.law, t.edge_scale);
  // Stage times of one draw (median over replicates), apart from theory and metrics; total_s is the
  // wall time of the whole case.
  const StageTimes times = median_stage_times(replicate_times);
  return run_record(backend, c, empirical, theory, metric_sum, tolerance,
                    {{"sample_s", times.sample_s},
                     {"gram_s", times.gram_s},
                     {"activation_s", times.activation_s},
                     {"eig_s", times.eig_s},
                     {"theory_s", theory_s},
                     {"metrics_s", metrics_s},
                     {"total_s", seconds_since(start)}});
}

nlohmann::json run_record(const Backend& backend, const ResolvedCase& c, nlohmann::json empirical, nlohmann::json theory,
                          const std::map<std::string, double>& metrics, const std::map<std::string, double>& tolerance,
                          nlohmann::json timing) {
  bool pass = true;
  for (const auto& [k, tol] : tolerance) {
    const auto it = metrics.find(k);
    pass = pass && it != metrics.end() && std::isfinite(it->second) && std::abs(it->second) <= tol;
  }
  return {
      {"schema_version", 1},
      {"case", c.spec.name},
      {"model", c.spec.model},
      {"backend", backend.name()},
      {"device", backend.info().name},
      {"precision", c.spec.precision},
      {"params", c.params.to_json()},
      {"seed", c.spec.seed},
      {"replicates", c.spec.replicates},
      {"size", {{"rows", c.sizes.rows}, {"cols", c.sizes.cols}, {"eig_dim", c.sizes.eig_dim}}},
      {"empirical", std::move(empirical)},
      {"theory", std::move(theory)},
      {"metrics", number_map(metrics)},
      {"tolerance", number_map(tolerance)},
      {"verdict", pass ? "pass" : "fail"},
      {"timing", std::move(timing)},
      {"repro", repro_command(c, backend.name())},
  };
}

}  // namespace rmt::bench
