// le_kernel: the linear equivalent of an El Karoui inner-product kernel in operator norm (docs/theory.md §12.4):
// for each n of `sizes`, K_ij = f(x_iᵀx_j/p) with x_i iid N(0, I_p), p = c·n, against
// K̃ = [f(0) + f''(0)/(2p)] 11ᵀ + f'(0) XᵀX/p + υI (or diag K̃ = diag K with diagonal = exact), and
// ‖K − K̃‖_op from the two extreme eigenvalues of K − K̃. Each replicate fits the log–log slope over the sizes;
// the replicate mean of the slope is judged against the rate's interval. `drop` removes a term from K̃ (a
// deliberately wrong equivalent, whose error does not vanish: a negative control).
#include <cmath>

#include <fmt/format.h>

#include "bench/functional_model.hpp"
#include "bench/models/common/dims.hpp"
#include "core/base/error.hpp"
#include "core/base/fit.hpp"
#include "core/base/parse.hpp"
#include "theory/el_karoui.hpp"
#include "theory/linear_equivalent.hpp"

namespace rmt::bench {
namespace {

std::vector<index_t> size_list(const Params& prm) {
  std::vector<index_t> out;
  for (const double v : parse_real_list(prm.text("sizes"), "sizes")) out.push_back(static_cast<index_t>(std::llround(v)));
  return out;
}

std::string error_name(index_t n) { return fmt::format("op_error@n={}", n); }

class LeKernelModel final : public FunctionalModel {
 public:
  std::string_view name() const override { return "le_kernel"; }
  std::string_view matrix() const override {
    return "‖K − K̃‖_op, K_ij = f(x_iᵀx_j/p), x_i iid N(0, I_p), K̃ its El Karoui linear equivalent, over n in `sizes`";
  }
  std::string_view section() const override { return "§12.4"; }

  std::vector<ParamSpec> params() const override {
    return {ParamSpec::text("sizes", "250,500,1000,2000", "sample sizes n (at least 2, increasing)",
                            [](std::string_view v, std::string_view what) {
                              const auto list = parse_real_list(v, what);
                              if (list.size() < 2 || list.size() > 64)
                                throw InputError(fmt::format("{}: 2 to 64 sizes are needed", what));
                              for (std::size_t i = 0; i < list.size(); ++i) {
                                if (!(list[i] >= 16 && list[i] <= 1e5 && list[i] == std::round(list[i])))
                                  throw InputError(fmt::format("{}: n = {} must be an integer in [16, 1e5]", what, list[i]));
                                if (i > 0 && !(list[i] > list[i - 1]))
                                  throw InputError(fmt::format("{}: sizes must increase", what));
                              }
                            }),
            ParamSpec::real("c", "0.5", "aspect ratio p/n", 0, 100, /*min_open=*/true),
            ParamSpec::text("f", "exp", "kernel function: exp | gaussian (e^{−t/2}) | poly2 ((1+t)²)",
                            [](std::string_view v, std::string_view) { theory::parse_kernel_function(v); }),
            ParamSpec::text("diagonal", "isotropic", "K̃'s diagonal: isotropic (υI, rate √(log n/n)) | exact (diag K̃ = diag K, rate n^{-1/2})",
                            [](std::string_view v, std::string_view what) {
                              if (v != "isotropic" && v != "exact")
                                throw InputError(fmt::format("{}: '{}' is not one of isotropic, exact", what, v));
                            }),
            ParamSpec::text("drop", "none", "a term left out of K̃ (a wrong equivalent, for tests): none | shift (υI) | constant (11ᵀ)",
                            [](std::string_view v, std::string_view what) {
                              if (v != "none" && v != "shift" && v != "constant")
                                throw InputError(fmt::format("{}: '{}' is not one of none, shift, constant", what, v));
                            })};
  }

  // The largest size: X (p×n), its Gram, then K − K̃ (the Gram's host copy does not count on the backend).
  Sizes sizes(const Params& prm) const override {
    const index_t n = size_list(prm).back();
    return {dimension_times(n, prm.real("c")), n, n};
  }
  MemoryPlan memory_plan(const Params& prm) const override {
    const Sizes s = sizes(prm);
    MemoryPlan plan;
    plan.add("sample X", cells(s.rows, s.cols))
        .add("gram XᵀX/p", cells(s.rows, s.cols) + cells(s.cols, s.cols))
        .add_eigen("eigenvalues of K − K̃", cells(s.cols, s.cols), s.cols, 0);
    return plan;
  }
  int min_replicates(const Params&) const override { return 3; }

  std::vector<FunctionalPrediction> theory(const Params& prm) const override {
    std::vector<FunctionalPrediction> out;
    for (const index_t n : size_list(prm)) {
      FunctionalPrediction f;
      f.name = error_name(n);
      f.value = std::numeric_limits<double>::quiet_NaN();  // no value: only its decay is predicted
      f.judged = false;
      f.note = "reported; the slope over the sizes is judged";
      out.push_back(f);
    }
    const auto rate = theory::linear_equivalent_slope(prm.text("diagonal") == "exact");
    FunctionalPrediction slope;
    slope.name = "slope";
    slope.stat = FunctionalStat::range;
    slope.value = 0.5 * (rate.lo + rate.hi);
    slope.lo = rate.lo;
    slope.hi = rate.hi;
    out.push_back(slope);
    return out;
  }

  std::vector<NamedValue> sample(Backend& backend, const Params& prm, const StreamKey& key, StageTimes& t) const override {
    const KernelFunction f{theory::parse_kernel_function(prm.text("f"))};
    const bool exact = prm.text("diagonal") == "exact";
    const std::string drop = prm.text("drop");
    std::vector<NamedValue> out;
    std::vector<double> ns, errors;
    const auto list = size_list(prm);
    for (std::size_t s = 0; s < list.size(); ++s) {
      const index_t n = list[s], p = dimension_times(n, prm.real("c"));
      const auto nu = static_cast<std::size_t>(n);
      StreamKey k = key;
      k.stream = static_cast<std::uint32_t>(s);  // each size its own draw (sizes < 256: validated)
      std::vector<double> g = timed(t.gram_s, [&] {
        Matrix x = timed(t.sample_s, [&] { return backend.sample_gaussian(k, p, n); });
        return backend.to_host(backend.gram(x, 1.0 / static_cast<double>(p), GramSide::cols));
      });
      // C = I: τ = 1, tr C²/p² = 1/p.
      const auto eq = theory::inner_product_equivalent(f, 1.0, 1.0 / static_cast<double>(p));
      const double constant = drop == "constant" ? 0.0 : eq.constant, shift = drop == "shift" ? 0.0 : eq.upsilon;
      std::vector<double> e(nu * nu);
      for (std::size_t j = 0; j < nu; ++j)
        for (std::size_t i = 0; i < nu; ++i) {
          const double gij = g[i + j * nu];
          e[i + j * nu] = f.value(gij) - constant - eq.slope * gij - (i == j ? shift : 0.0);
        }
      if (exact)
        for (std::size_t i = 0; i < nu; ++i) e[i + i * nu] = 0;  // diag K̃ = diag K
      // The operator norm needs only the two extreme eigenvalues; values-only ?syevd costs one tridiagonal
      // reduction, as ?syevr with range 'I' would, and works on every backend.
      const auto lambda = timed(t.eig_s, [&] {
        Matrix em = backend.from_host(n, n, e);
        return backend.eigenvalues(em);
      });
      const double norm = std::max(std::abs(lambda.front()), std::abs(lambda.back()));
      out.push_back({error_name(n), norm});
      ns.push_back(static_cast<double>(n));
      errors.push_back(norm);
    }
    out.push_back({"slope", fit_power_law(ns, errors).exponent});
    return out;
  }

  // The log–log fit of the replicate means (docs/theory.md §12.4's definition) with its 95 % interval.
  void analyse(const Params& prm, const std::map<std::string, std::vector<double>>& draws,
               nlohmann::json& empirical) const override {
    std::vector<double> ns, means;
    for (const index_t n : size_list(prm)) {
      const auto& v = draws.at(error_name(n));
      double m = 0;
      for (const double x : v) m += x / static_cast<double>(v.size());
      ns.push_back(static_cast<double>(n));
      means.push_back(m);
    }
    const auto fit = fit_power_law(ns, means);
    const auto num = [](double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); };
    empirical["le_fit"] = {{"n", ns},           {"mean_error", means},         {"exponent", fit.exponent},
                           {"prefactor", fit.prefactor}, {"ci95", {num(fit.ci_low), num(fit.ci_high)}}};
  }
};

}  // namespace

std::unique_ptr<FunctionalModel> make_le_kernel_model() { return std::make_unique<LeKernelModel>(); }

}  // namespace rmt::bench
