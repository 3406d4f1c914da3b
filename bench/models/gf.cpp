// gf: gradient flow (or gradient descent with step `eta`) on isotropic least squares from w0 = 0
// (docs/theory.md §7.1). Every time of the curve comes from one eigendecomposition of Ŝ: w(t) = V φ_t(D) Vᵀ Xy/n.
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "bench/curve_model.hpp"
#include "bench/models/common/dims.hpp"
#include "bench/models/common/network.hpp"
#include "bench/models/common/regression.hpp"
#include "core/base/error.hpp"
#include "theory/dynamics.hpp"

namespace rmt::bench {
namespace {

index_t features(const Params& p) {
  return dimension_times(p.integer("n"), p.real("gamma"));
}

class GradientFlowModel final : public CurveModel {
 public:
  std::string_view name() const override { return "gf"; }
  std::string_view matrix() const override {
    return "gradient flow/descent on least squares ‖y − Xw‖²/(2n) from w = 0, x ~ N(0, I_p), ‖β*‖² = r2, noise sigma2; "
           "excess risk ‖w(t) − β*‖² and train MSE along t";
  }
  std::string_view section() const override { return "§7.1"; }
  std::vector<std::string> axes() const override { return {"t"}; }

  std::vector<ParamSpec> params() const override {
    return {
        ParamSpec::integer("n", "2000", "samples", 2, 1e6),
        ParamSpec::real("gamma", "0.5", "p/n", 0, 100, true),
        ParamSpec::real("r2", "1", "signal ‖β*‖² (random effects)", 0, INFINITY, true),
        ParamSpec::real("sigma2", "0.3", "noise variance", 0, INFINITY),
        ParamSpec::grid("t", "0.1,0.5,1,2,5,10,50", "times (a grid; also --t)", 0, INFINITY),
        ParamSpec::real("eta", "0", "gradient-descent step (0: gradient flow); t/eta steps", 0, INFINITY),
        test_samples_param(),
    };
  }

  Sizes sizes(const Params& p) const override { return {features(p), p.integer("n"), features(p)}; }

  // X throughout; the test points are drawn after the decomposition.
  MemoryPlan memory_plan(const Params& p) const override {
    const index_t dim = features(p), n = p.integer("n"), m = p.integer("test_samples");
    const elements_t x = cells(dim, n);
    MemoryPlan plan;
    plan.add("sample X", x).append(decompose_regression_plan(dim, n, x));
    if (m > 0) plan.add("test points and error", x + cells(dim, m) + static_cast<elements_t>(dim + m));
    return plan;
  }

  void validate(const Params& p) const override {
    const double eta = p.real("eta"), edge = std::pow(1.0 + std::sqrt(p.real("gamma")), 2);
    if (eta > 0 && eta >= 2.0 / edge)
      throw InputError(fmt::format("gf: eta = {} is unstable; gradient descent needs eta < 2/λmax = {:.6g}", eta, 2.0 / edge));
  }

  double relative_tolerance(const Params& p) const override {
    // docs/theory.md §9.5: isotropic GF test error within 2.5% at p, n ∈ {300, 600}; late times up to 4%.
    const double m = static_cast<double>(std::min<index_t>(p.integer("n"), features(p)));
    return std::max(0.01, 15.0 / m);
  }

  std::vector<RiskPoint> theory(const Params& p, const CurveAxis& axis) const override {
    std::vector<RiskPoint> out;
    for (const double t : axis.values) {
      const auto f = theory::gf_isotropic(p.real("gamma"), t, p.real("r2"), p.real("sigma2"), 0.0, p.real("eta"));
      out.push_back({f.train, f.test, f.bias, f.variance});
    }
    return out;
  }

  CurveDraw sample(Backend& backend, const Params& p, const CurveAxis& axis, const StreamKey& key,
                   StageTimes& t) const override {
    const index_t dim = features(p), n = p.integer("n");
    const Matrix x = timed(t.sample_s, [&] { return backend.sample_gaussian({key.seed, key.case_key, key.replicate, 0}, dim, n); });
    const auto beta = host_gaussians({key.seed, key.case_key, key.replicate, 1}, static_cast<std::size_t>(dim),
                                     std::sqrt(p.real("r2") / static_cast<double>(dim)));
    const auto noise = host_gaussians({key.seed, key.case_key, key.replicate, 2}, static_cast<std::size_t>(n),
                                      std::sqrt(p.real("sigma2")));
    const EigenRegression reg = decompose_regression(backend, x, beta, noise, t);
    const auto target = reg.to_eigenbasis(beta);  // Σ = I: the risk is a distance in any orthonormal basis
    const index_t m = p.integer("test_samples");
    const Matrix test = m > 0 ? timed(t.sample_s, [&] { return backend.sample_gaussian({key.seed, key.case_key, key.replicate, 3}, dim, m); })
                              : Matrix();
    CurveDraw out;
    const double eta = p.real("eta");
    for (const double time : axis.values) {
      const auto u = reg.filter([&](double d) { return flow_filter(d, time, eta); });
      out.train.push_back(reg.train_error(u));
      out.test.push_back(m > 0 ? fresh_excess_risk(backend, test, reg.coefficients(u), beta) : weighted_distance2(u, target, {}));
    }
    return out;
  }
};

}  // namespace

std::unique_ptr<CurveModel> make_gf_model() { return std::make_unique<GradientFlowModel>(); }

}  // namespace rmt::bench
