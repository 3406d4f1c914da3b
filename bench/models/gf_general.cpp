// gf_general: gradient flow on least squares ‖y − Xw‖²/(2n) from w = 0 with a general diagonal
// population covariance Σ from `pop` (docs/theory.md §7.2). Data x ~ N(0, Σ), y = xᵀβ* + ε, with the signal
// spread evenly: β*_i = ±√(r2/p), random signs (E β*β*ᵀ = r2/p · I as for random effects, but each
// direction carries exactly the theory's power r2/p, so ‖β*‖_Σ does not fluctuate between draws).
// One eigendecomposition of Ŝ per draw serves the whole time grid: w(t) = V φ_t(D) Vᵀ Xy/n. The
// excess risk (w − β*)ᵀΣ(w − β*) is exact with the known Σ. The theory is the §7.2 contour
// (fixed-Talbot) equivalent on the realised diagonal of Σ with beta2_k = r2/p.
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "bench/curve_model.hpp"
#include "bench/models/common/dims.hpp"
#include "bench/models/common/population.hpp"
#include "bench/models/common/network.hpp"
#include "bench/models/common/regression.hpp"
#include "core/base/error.hpp"
#include "theory/dynamics.hpp"

namespace rmt::bench {
namespace {

index_t features(const Params& p) {
  return dimension_times(p.integer("n"), p.real("gamma"));
}

// Σ's diagonal as sampled: the rounded block counts of population_row_scale, squared.
std::vector<double> realised_sigma(const Params& p) {
  auto diag = population_row_scale(parse_population(p.text("pop"), "pop"), features(p));
  for (auto& v : diag) v *= v;
  return diag;
}

class GradientFlowGeneralModel final : public CurveModel {
 public:
  std::string_view name() const override { return "gf_general"; }
  std::string_view matrix() const override {
    return "gradient flow on least squares ‖y − Xw‖²/(2n) from w = 0, x ~ N(0, Σ), Σ diagonal from `pop`, "
           "β*_i = ±√(r2/p), noise sigma2; excess risk (w(t)−β*)ᵀΣ(w(t)−β*) exact and train MSE along t";
  }
  std::string_view section() const override { return "§7.2"; }
  std::vector<std::string> axes() const override { return {"t"}; }

  std::vector<ParamSpec> params() const override {
    return {
        ParamSpec::integer("n", "2000", "samples", 2, 1e6),
        ParamSpec::real("gamma", "0.6667", "p/n", 0, 100, true),
        ParamSpec::text("pop", "0.5:1,3:1", "population spectrum eigenvalue:weight,...",
                        [](std::string_view v, std::string_view what) { parse_population(v, what); }),
        ParamSpec::real("r2", "1", "signal ‖β*‖² (β*_i = ±√(r2/p), random signs)", 0, INFINITY),
        ParamSpec::real("sigma2", "0.2", "noise variance", 0, INFINITY),
        ParamSpec::grid("t", "0.1,0.3,1,3,5,10,50", "times (a grid; also --t)", 0, INFINITY),
    };
  }

  Sizes sizes(const Params& p) const override { return {features(p), p.integer("n"), features(p)}; }

  MemoryPlan memory_plan(const Params& p) const override {
    const index_t dim = features(p), n = p.integer("n");
    const elements_t x = cells(dim, n);
    MemoryPlan plan;
    plan.add("sample X", x + static_cast<elements_t>(dim)).append(decompose_regression_plan(dim, n, x));
    return plan;
  }

  double relative_tolerance(const Params& p) const override {
    // docs/theory.md §9.5 / §7.2: 1% for t ≤ 5 at p = 300, n = 450 (shrinking like 1/min(n, p)); late times are
    // governed by the smallest eigenvalues, whose edge fluctuates like min(n, p)^{−2/3}: 4% at t = 50.
    const double m = static_cast<double>(std::min<index_t>(p.integer("n"), features(p)));
    const auto t = p.grid("t");
    const double early = std::max(0.01, 3.0 / m);
    return *std::max_element(t.begin(), t.end()) <= 5 ? early : std::max(early, 2.0 * std::pow(m, -2.0 / 3.0));
  }

  std::vector<RiskPoint> theory(const Params& p, const CurveAxis& axis) const override {
    const auto sigma = realised_sigma(p);
    const std::vector<double> beta2(sigma.size(), p.real("r2") / static_cast<double>(sigma.size()));
    std::vector<RiskPoint> out;
    for (const double t : axis.values) {
      const auto f = theory::gf_general(sigma, beta2, static_cast<double>(p.integer("n")), p.real("sigma2"), t);
      out.push_back({f.train, f.test, f.bias, f.variance});
    }
    return out;
  }

  CurveDraw sample(Backend& backend, const Params& p, const CurveAxis& axis, const StreamKey& key,
                   StageTimes& t) const override {
    const index_t dim = features(p), n = p.integer("n");
    const auto sigma = realised_sigma(p);
    std::vector<double> scale(sigma.size());
    for (std::size_t k = 0; k < sigma.size(); ++k) scale[k] = std::sqrt(sigma[k]);
    const Matrix x =
        timed(t.sample_s, [&] { return backend.sample_gaussian({key.seed, key.case_key, key.replicate, 0}, dim, n, scale); });
    auto beta = host_gaussians({key.seed, key.case_key, key.replicate, 1}, static_cast<std::size_t>(dim));
    for (auto& b : beta) b = std::copysign(std::sqrt(p.real("r2") / static_cast<double>(dim)), b);
    const auto noise = host_gaussians({key.seed, key.case_key, key.replicate, 2}, static_cast<std::size_t>(n),
                                      std::sqrt(p.real("sigma2")));
    const EigenRegression reg = decompose_regression(backend, x, beta, noise, t);
    CurveDraw out;
    for (const double time : axis.values) {
      const auto u = reg.filter([&](double d) { return flow_filter(d, time, 0.0); });
      out.train.push_back(reg.train_error(u));
      // Σ is diagonal in the original coordinates, not in Ŝ's eigenbasis: back to w = V u first.
      out.test.push_back(weighted_distance2(reg.coefficients(u), beta, sigma));
    }
    return out;
  }
};

}  // namespace

std::unique_ptr<CurveModel> make_gf_general_model() { return std::make_unique<GradientFlowGeneralModel>(); }

}  // namespace rmt::bench
