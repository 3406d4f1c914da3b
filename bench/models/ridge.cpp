// ridge: linear ridge regression with a general population covariance (docs/theory.md §5.1). Data x ~ N(0, Σ)
// with Σ diagonal of spectrum `pop`, β* ~ N(0, r2/p · I) (random effects), y = xᵀβ* + ε, Var ε = σ².
// The excess risk (β̂ − β*)ᵀΣ(β̂ − β*) is computed exactly from the known Σ — the limit of the test
// error on infinitely many fresh samples, without their Monte-Carlo noise — or, with
// test_samples = m > 0, as the mean of (xᵀ(β̂ − β*))² over m fresh test points.
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "bench/curve_model.hpp"
#include "bench/models/common/dims.hpp"
#include "bench/models/common/population.hpp"
#include "bench/models/common/network.hpp"
#include "bench/models/common/regression.hpp"
#include "core/base/error.hpp"
#include "theory/ridge.hpp"

namespace rmt::bench {
namespace {

index_t features(const Params& p, double gamma) {
  return dimension_times(p.integer("n"), gamma);
}

double largest(const Params& p, std::string_view name) {
  const auto g = p.grid(name);
  return *std::max_element(g.begin(), g.end());
}

class RidgeModel final : public CurveModel {
 public:
  std::string_view name() const override { return "ridge"; }
  std::string_view matrix() const override {
    return "ridge estimator β̂ = (XᵀX/n + λI)⁻¹Xᵀy/n, x ~ N(0, Σ), Σ from `pop`, β* ~ N(0, r2/p I), noise sigma2; "
           "risk (β̂−β*)ᵀΣ(β̂−β*) exact, train MSE";
  }
  std::string_view section() const override { return "§5.1"; }
  std::vector<std::string> axes() const override { return {"lambda", "gamma"}; }

  std::vector<ParamSpec> params() const override {
    return {
        ParamSpec::integer("n", "2000", "samples", 2, 1e6),
        ParamSpec::grid("gamma", "0.5", "p/n (may be a grid)", 0, 100, true),
        ParamSpec::grid("lambda", "0.1", "ridge λ, 0 = ridgeless (may be a grid)", 0, INFINITY),
        ParamSpec::text("pop", "1:1", "population spectrum eigenvalue:weight,...",
                        [](std::string_view v, std::string_view what) { parse_population(v, what); }),
        ParamSpec::real("r2", "1", "signal E‖β*‖²", 0, INFINITY, true),
        ParamSpec::real("sigma2", "1", "noise variance", 0, INFINITY),
        test_samples_param(),
    };
  }

  Sizes sizes(const Params& p) const override {
    const index_t pmax = features(p, largest(p, "gamma"));
    return {pmax, p.integer("n"), pmax};
  }

  // One decomposition per distinct dimension along the axis, as `sample`: X (released after its
  // decomposition) beside the previous dimension's test points until they are replaced.
  MemoryPlan memory_plan(const Params& p) const override {
    const CurveAxis axis = curve_axis(*this, p);
    const index_t n = p.integer("n"), m = p.integer("test_samples");
    MemoryPlan plan;
    index_t current = -1;
    elements_t test = 0;  // test points of the current dimension
    for (std::size_t i = 0; i < axis.values.size(); ++i) {
      const Params q = at_point(p, axis, i);
      const index_t dim = features(q, q.real("gamma"));
      if (dim == current) continue;
      current = dim;
      const elements_t x = cells(dim, n), vector = static_cast<elements_t>(dim);
      plan.add("sample X", test + x + vector);
      plan.append(decompose_regression_plan(dim, n, test + x));
      if (m > 0) {
        plan.add("sample test points", test + x + cells(dim, m) + vector);
        test = cells(dim, m);
        plan.add("test error", test + vector + static_cast<elements_t>(m));
      }
    }
    return plan;
  }

  void validate(const Params& p) const override {
    for (const double g : p.grid("gamma"))
      for (const double l : p.grid("lambda"))
        if (l == 0 && g == 1)
          throw InputError("ridge: lambda = 0 at gamma = 1 is the interpolation threshold, where the ridgeless risk is infinite");
  }

  double relative_tolerance(const Params& p) const override {
    // docs/theory.md §9.5: 1–2% at n ≈ 500–1000, shrinking like 1/n.
    const double m = static_cast<double>(std::min<index_t>(p.integer("n"), features(p, largest(p, "gamma"))));
    return std::max(0.005, 20.0 / m);
  }

  std::vector<RiskPoint> theory(const Params& p, const CurveAxis& axis) const override {
    const auto h = parse_population(p.text("pop"), "pop");
    std::vector<RiskPoint> out;
    for (std::size_t i = 0; i < axis.values.size(); ++i) {
      const Params q = at_point(p, axis, i);
      const auto r = theory::ridge_risk(h, q.real("gamma"), q.real("lambda"), q.real("r2"), q.real("sigma2"));
      out.push_back({r.train, r.test, r.bias, r.variance});
    }
    return out;
  }

  CurveDraw sample(Backend& backend, const Params& p, const CurveAxis& axis, const StreamKey& key,
                   StageTimes& t) const override {
    const auto h = parse_population(p.text("pop"), "pop");
    const index_t n = p.integer("n");
    CurveDraw out;
    // One decomposition per distinct dimension: a λ grid shares it, a γ grid needs one per point.
    index_t current = -1;
    EigenRegression reg;
    Matrix test;
    std::vector<double> sigma, beta;
    for (std::size_t i = 0; i < axis.values.size(); ++i) {
      const Params q = at_point(p, axis, i);
      const index_t dim = features(q, q.real("gamma"));
      if (dim != current) {
        current = dim;
        const auto scale = population_row_scale(h, dim);
        sigma.assign(scale.size(), 0.0);
        for (std::size_t k = 0; k < scale.size(); ++k) sigma[k] = scale[k] * scale[k];
        const Matrix x = timed(t.sample_s, [&] { return backend.sample_gaussian({key.seed, key.case_key, key.replicate, 0}, dim, n, scale); });
        beta = host_gaussians({key.seed, key.case_key, key.replicate, 1}, static_cast<std::size_t>(dim),
                              std::sqrt(q.real("r2") / static_cast<double>(dim)));
        const auto noise = host_gaussians({key.seed, key.case_key, key.replicate, 2}, static_cast<std::size_t>(n),
                                          std::sqrt(q.real("sigma2")));
        reg = decompose_regression(backend, x, beta, noise, t);
        if (const auto m = p.integer("test_samples"); m > 0)
          test = timed(t.sample_s, [&] { return backend.sample_gaussian({key.seed, key.case_key, key.replicate, 3}, dim, m, scale); });
      }
      const auto u = reg.filter(ridge_filter(q.real("lambda"), reg.d.back()));
      out.train.push_back(reg.train_error(u));
      const auto estimate = reg.coefficients(u);
      out.test.push_back(p.integer("test_samples") > 0 ? fresh_excess_risk(backend, test, estimate, beta)
                                                       : weighted_distance2(estimate, beta, sigma));
    }
    return out;
  }
};

}  // namespace

std::unique_ptr<CurveModel> make_ridge_model() { return std::make_unique<RidgeModel>(); }

}  // namespace rmt::bench
