// Running a spectral case by stochastic Lanczos quadrature (bench/slq_case.hpp).
#include "bench/slq_case.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "bench/record.hpp"
#include "bench/sensitivity.hpp"
#include "bench/theory_json.hpp"
#include "core/base/error.hpp"
#include "core/base/interrupt.hpp"
#include "core/base/stopwatch.hpp"
#include "core/results/npy.hpp"
#include "core/slq/lanczos.hpp"
#include "core/slq/slq_metrics.hpp"

namespace rmt::bench {
namespace {

// The probes' own Philox stream, apart from every matrix stream of the models (< 200).
constexpr std::uint32_t kProbeStream = 200;

// One replicate's quadratures, before and after the outliers are taken out of the bulk.
struct SlqDraw {
  std::vector<Quadrature> all;   // every probe's Gauss rule
  std::vector<Quadrature> bulk;  // nodes above the outlier threshold removed (when the law predicts any)
  std::uint64_t matvecs = 0;
  double operator_s = 0, lanczos_s = 0, quadrature_s = 0;
};

SlqDraw slq_draw(Backend& backend, const ResolvedCase& c, const SpectralTheory& t, std::uint32_t replicate,
                 OperatorStorage storage, int probes) {
  check_interrupt();  // an embedding host (Python) may stop the run between draws
  SlqDraw d;
  const StreamKey key{c.spec.seed, c.case_key, replicate, 0};
  auto start = std::chrono::steady_clock::now();
  GramFeatures g = c.model->gram_features(backend, c.params, key);
  auto op = make_gram_operator(backend, std::move(g.features), g.alpha, g.side, storage, c.spec.slq.tile);
  RMT_EXPECTS(op->dim() == c.sizes.eig_dim, "model {}: operator of dimension {} for a {}-dimensional spectrum",
              c.spec.model, op->dim(), c.sizes.eig_dim);
  d.operator_s = seconds_since(start);
  start = std::chrono::steady_clock::now();
  const StreamKey probe_key{c.spec.seed, c.case_key, replicate, kProbeStream};
  const Matrix start_block = rademacher_probes(backend, probe_key, op->dim(), probes);
  const auto tridiagonals = block_lanczos(backend, *op, start_block, {c.spec.slq.steps, c.spec.slq.reorth});
  d.lanczos_s = seconds_since(start);
  d.matvecs = op->matvecs();
  start = std::chrono::steady_clock::now();
  for (const auto& tri : tridiagonals) d.all.push_back(gauss_quadrature(tri));
  d.bulk = (t.outliers.empty() && t.unpredicted == 0) || t.support.empty() ? d.all
                                                                           : drop_nodes_above(d.all, t.separation);
  d.quadrature_s = seconds_since(start);
  return d;
}

SlqComparison compare(const SlqDraw& d, const SpectralTheory& t, index_t steps) {
  const double right_edge = t.support.empty() ? std::numeric_limits<double>::quiet_NaN() : t.support.back().hi;
  return compare_slq(d.bulk, *t.law, *t.cdf, t.support, t.z, t.moments, t.scale, steps, right_edge);
}

// Nodes and weights of every replicate and probe, padded to `steps` (NaN nodes, zero weights).
void write_quadratures(const std::filesystem::path& dir, const std::string& stem, const std::vector<SlqDraw>& draws,
                       std::size_t probes, std::size_t steps, std::string& nodes_file, std::string& weights_file) {
  std::vector<double> nodes, weights;
  for (const auto& d : draws)
    for (const auto& q : d.all) {
      for (std::size_t i = 0; i < steps; ++i) {
        nodes.push_back(i < q.nodes.size() ? q.nodes[i] : std::numeric_limits<double>::quiet_NaN());
        weights.push_back(i < q.weights.size() ? q.weights[i] : 0.0);
      }
    }
  const std::vector<std::size_t> shape = {draws.size(), probes, steps};
  const auto n = std::filesystem::path("slq") / (stem + ".nodes.npy");
  const auto w = std::filesystem::path("slq") / (stem + ".weights.npy");
  write_npy(dir / n, nodes, shape);
  write_npy(dir / w, weights, shape);
  nodes_file = n.generic_string();
  weights_file = w.generic_string();
}

}  // namespace

std::map<std::string, double> slq_tolerances(const ResolvedCase& c, const SpectralTheory& t,
                                             const std::map<std::string, double>& se, int probes,
                                             std::string* source) {
  const double z = probe_noise_multiple(static_cast<double>(c.spec.replicates) * (probes - 1));
  std::map<std::string, double> tol = default_tolerances(c, t, source);
  tol.erase("edge_error_tw");  // the largest Ritz value is reported, not judged
  // Outliers are dropped from the quadratures, not measured (no eigenpairs): none of their metrics.
  std::erase_if(tol, [](const auto& entry) { return entry.first.starts_with("outlier_"); });
  for (auto& [k, v] : tol)
    if (const auto it = se.find(k); it != se.end() && !c.spec.tolerance.contains(k)) v += z * it->second;
  if (!c.spec.tolerance.contains("w1") && tol.contains("w1") && !t.support.empty()) {
    const double width = t.support.back().hi - t.support.front().lo;
    tol["w1"] += 0.25 * width / static_cast<double>(std::min<index_t>(c.spec.slq.steps, c.sizes.eig_dim));
  }
  return tol;
}

nlohmann::json run_slq_case(Backend& backend, const ResolvedCase& c, const std::filesystem::path& out_dir) {
  const auto start = std::chrono::steady_clock::now();
  const SpectralTheory t = build_theory(c);
  const auto grid = density_grid(*t.law, 201);
  nlohmann::json theory = theory_json(*c.model, c.params, *t.law, grid, t.z);
  const double theory_s = seconds_since(start);

  const Precision precision = parse_precision(c.spec.precision, "precision");
  const PrecisionScope scope(backend, precision);
  const OperatorStorage storage = slq_storage(c, backend);
  const int probes = slq_probes(c, backend);
  const auto reps = static_cast<std::size_t>(c.spec.replicates);
  const auto steps = std::min<index_t>(c.spec.slq.steps, c.sizes.eig_dim);
  std::vector<SlqDraw> draws;
  std::vector<SlqComparison> comparisons;
  double metrics_s = 0;
  for (std::size_t r = 0; r < reps; ++r) {
    draws.push_back(slq_draw(backend, c, t, static_cast<std::uint32_t>(r), storage, probes));
    const auto metrics_start = std::chrono::steady_clock::now();
    comparisons.push_back(compare(draws.back(), t, steps));
    metrics_s += seconds_since(metrics_start);
  }

  // Replicate means; standard errors of the mean over replicates from each replicate's probe spread.
  std::map<std::string, double> metrics, se;
  for (const auto& cmp : comparisons)
    for (const auto& [k, m] : cmp.metrics) {
      metrics[k] += m.value / static_cast<double>(reps);
      se[k] += m.se * m.se;
    }
  for (auto& [k, v] : se) v = std::sqrt(v) / static_cast<double>(reps);
  std::string tolerance_source;
  const auto tolerance = slq_tolerances(c, t, se, probes, &tolerance_source);

  std::string nodes_file, weights_file;
  write_quadratures(out_dir, file_safe(c.spec.name), draws, static_cast<std::size_t>(probes),
                    static_cast<std::size_t>(steps), nodes_file, weights_file);
  // Stage times of one draw, the median over replicates (as dense cases report them).
  std::uint64_t matvecs = 0;
  std::vector<double> operator_s, lanczos_s, quadrature_s;
  for (const auto& d : draws) {
    matvecs += d.matvecs;
    operator_s.push_back(d.operator_s);
    lanczos_s.push_back(d.lanczos_s);
    quadrature_s.push_back(d.quadrature_s);
  }
  double lo = INFINITY, hi = -INFINITY;
  for (const auto& cmp : comparisons) {
    lo = std::min(lo, cmp.min_ritz);
    hi = std::max(hi, cmp.max_ritz);
  }
  const SlqComparison& first = comparisons.front();
  std::vector<double> moments(first.moments.size(), 0.0);
  for (const auto& cmp : comparisons)
    for (std::size_t k = 0; k < moments.size(); ++k) moments[k] += cmp.moments[k] / static_cast<double>(reps);
  nlohmann::json stieltjes = nlohmann::json::array();
  for (std::size_t k = 0; k < first.z.size(); ++k) {
    complex mean = 0;
    for (const auto& cmp : comparisons) mean += cmp.empirical[k] / static_cast<double>(reps);
    stieltjes.push_back({{"z", complex_json(first.z[k])}, {"value", complex_json(mean)}, {"theory", complex_json(first.theory[k])}});
  }
  // The smoothed density of the first replicate at the resolution, with its ±2 s.e. band (report).
  const SmoothedDensity smooth = smoothed_density(draws.front().bulk, *t.law, grid, first.resolution);
  nlohmann::json empirical = {
      {"eigenvalues", nullptr},
      {"min", lo},
      {"max", hi},
      {"moments", moments},
      {"stieltjes", std::move(stieltjes)},
      {"slq",
       {{"probes", probes},
        {"steps", steps},
        {"reorth", c.spec.slq.reorth},
        {"storage", to_string(storage)},
        {"nodes", nodes_file},
        {"weights", weights_file},
        {"matvecs", matvecs},
        {"resolution", first.resolution},
        {"max_ritz", hi},
        {"smoothed_density",
         {{"eta", smooth.eta}, {"x", smooth.x}, {"mean", smooth.mean}, {"se", smooth.se}, {"theory", smooth.theory}}}}}};

  // Sensitivity: the same quadratures re-scored against the perturbed laws.
  const Rescorer rescore = [&](const SpectralTheory& other) {
    std::vector<MetricValues> out;
    for (const auto& d : draws) {
      MetricValues v;
      for (const auto& [k, m] : compare(d, other, steps).metrics) v[k] = m.value;
      out.push_back(std::move(v));
    }
    return out;
  };
  const auto sensitivity_start = std::chrono::steady_clock::now();
  Sensitivity sensitivity = spectral_sensitivity(c, t, tolerance, rescore);
  const double sensitivity_s = seconds_since(sensitivity_start);

  std::map<std::string, double> all_metrics = metrics;
  for (const auto& [k, v] : se) all_metrics[k + "_se"] = v;
  const double form_s = median(operator_s);
  nlohmann::json timing = {{"sample_s", form_s},       {"gram_s", 0.0},       {"activation_s", 0.0},
                           {"eig_s", median(quadrature_s)}, {"lanczos_s", median(lanczos_s)},
                           {"operator_s", form_s},     {"theory_s", theory_s}, {"metrics_s", metrics_s},
                           {"sensitivity_s", sensitivity_s}, {"total_s", seconds_since(start)}};
  auto record = run_record(backend, c, std::move(empirical), std::move(theory), all_metrics, tolerance, std::move(timing));
  record["tolerance_source"] = tolerance_source;
  record["sensitivity"] = std::move(sensitivity.values);
  record["sensitivity_detail"] = std::move(sensitivity.detail);
  return record;
}

}  // namespace rmt::bench
