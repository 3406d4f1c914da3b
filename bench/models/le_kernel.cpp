// le_kernel: linear equivalents of kernel matrices in operator norm (docs/theory.md §12.4), for each n of `sizes`
// with x_i iid N(0, I_p), p = c·n:
//   kernel = inner    K_ij = f(x_iᵀx_j/p) against El Karoui's K̃ = [f(0) + f''(0)/(2p)] 11ᵀ + f'(0) XᵀX/p + υI
//                     (or diag K̃ = diag K with diagonal = exact);
//   kernel = rf_relu  the ReLU random-feature kernel Φ (arc-cosine, x_i/√p) against Φ̃ = d0 I + d1 XᵀX + d2 φφᵀ
//                     compared under P = I − 11ᵀ/n (form = standard), or the full second-order Φ̃_full without
//                     projection (form = full; diagonal = exact matches diag Φ̃_full = diag Φ);
//   kernel = rf_gram  the sample Gram G = ΣᵀΣ/n, Σ = relu(WX) (N = n features), against its Gaussian equivalent
//                     G_lin (Σ_lin = μ0 11ᵀ + μ1 WX + μ★Ξ): not in operator norm (it does not converge) but the
//                     Kolmogorov distance of their ESDs and the W1 distance of their bulks.
// ‖K − K̃‖_op from the two extreme eigenvalues of K − K̃. Each replicate fits the log–log slope over the sizes;
// the replicate mean of the slope is judged against the rate's interval. `drop` removes a term from K̃ (a
// deliberately wrong equivalent, whose error does not vanish: a negative control).
#include <cmath>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "bench/functional_model.hpp"
#include "bench/models/common/dims.hpp"
#include "core/base/error.hpp"
#include "core/base/fit.hpp"
#include "core/base/parse.hpp"
#include "theory/el_karoui.hpp"
#include "theory/feature_linear_equivalent.hpp"
#include "theory/gaussian.hpp"
#include "theory/linear_equivalent.hpp"
#include "theory/llc.hpp"

namespace rmt::bench {
namespace {

std::vector<index_t> size_list(const Params& prm) {
  std::vector<index_t> out;
  for (const double v : parse_real_list(prm.text("sizes"), "sizes")) out.push_back(static_cast<index_t>(std::llround(v)));
  return out;
}

bool is_rf_relu(const Params& prm) { return prm.text("kernel") == "rf_relu"; }
bool is_rf_gram(const Params& prm) { return prm.text("kernel") == "rf_gram"; }

// The per-size value whose log–log slope is judged (and fitted by analyse), and rf_gram's second one.
std::string error_name(const Params& prm, index_t n) {
  return is_rf_gram(prm) ? fmt::format("ks@n={}", n) : fmt::format("op_error@n={}", n);
}
std::string w1_name(index_t n) { return fmt::format("w1_bulk@n={}", n); }
theory::FeatureEquivalentForm feature_form(const Params& prm) {
  return prm.text("form") == "full" ? theory::FeatureEquivalentForm::full : theory::FeatureEquivalentForm::standard;
}

// One of `allowed`, else InputError naming the parameter.
ParamSpec::Validator one_of(std::vector<std::string_view> allowed) {
  return [allowed](std::string_view v, std::string_view what) {
    for (const auto a : allowed)
      if (v == a) return;
    throw InputError(fmt::format("{}: '{}' is not one of {}", what, v, fmt::join(allowed, ", ")));
  };
}

// E = K − K̃ (n×n, column-major) for the inner-product kernel, from g = XᵀX/p.
std::vector<double> inner_kernel_error(const Params& prm, const std::vector<double>& g, std::size_t nu, index_t p) {
  const KernelFunction f{theory::parse_kernel_function(prm.text("f"))};
  const std::string drop = prm.text("drop");
  // C = I: τ = 1, tr C²/p² = 1/p.
  const auto eq = theory::inner_product_equivalent(f, 1.0, 1.0 / static_cast<double>(p));
  const double constant = drop == "constant" ? 0.0 : eq.constant, shift = drop == "shift" ? 0.0 : eq.upsilon;
  std::vector<double> e(nu * nu);
  for (std::size_t j = 0; j < nu; ++j)
    for (std::size_t i = 0; i < nu; ++i) {
      const double gij = g[i + j * nu];
      e[i + j * nu] = f.value(gij) - constant - eq.slope * gij - (i == j ? shift : 0.0);
    }
  return e;
}

// E = Φ − Φ̃ for the ReLU random-feature kernel, from g = XᵀX (x_i = ω_i/√p); P E P for the standard form.
std::vector<double> relu_feature_error(const Params& prm, const std::vector<double>& g, std::size_t nu, index_t p) {
  const auto form = feature_form(prm);
  const std::string drop = prm.text("drop");
  const theory::FeatureEquivalentTerms terms{drop != "shift", drop != "square", drop != "constant"};
  const auto eq = theory::relu_feature_equivalent(1.0, 1.0 / static_cast<double>(p));  // C = I
  const Activation relu{ActivationKind::relu};
  std::vector<double> phi(nu);
  for (std::size_t i = 0; i < nu; ++i) phi[i] = g[i + i * nu] - 1.0;
  std::vector<double> e(nu * nu);
  for (std::size_t j = 0; j < nu; ++j)
    for (std::size_t i = 0; i <= j; ++i) {
      const double gij = g[i + j * nu];
      const double kernel = *theory::kernel_closed_form(relu, g[i + i * nu], gij, g[j + j * nu]);
      e[i + j * nu] = e[j + i * nu] =
          kernel - theory::relu_feature_equivalent_entry(eq, form, gij, phi[i], phi[j], i == j, terms);
    }
  if (form == theory::FeatureEquivalentForm::standard) {  // P E P = E − r1ᵀ − 1rᵀ + m 11ᵀ, r the row means
    std::vector<double> row(nu, 0.0);
    double mean = 0;
    for (std::size_t j = 0; j < nu; ++j)
      for (std::size_t i = 0; i < nu; ++i) row[i] += e[i + j * nu] / static_cast<double>(nu);
    for (const double r : row) mean += r / static_cast<double>(nu);
    for (std::size_t j = 0; j < nu; ++j)
      for (std::size_t i = 0; i < nu; ++i) e[i + j * nu] += mean - row[i] - row[j];
  }
  return e;
}

// Kolmogorov distance sup_x |F_a(x) − F_b(x)| of two empirical distributions (ascending samples).
double kolmogorov_distance(const std::vector<double>& a, const std::vector<double>& b) {
  const double na = static_cast<double>(a.size()), nb = static_cast<double>(b.size());
  std::size_t i = 0, j = 0;
  double worst = 0;
  while (i < a.size() && j < b.size()) {
    const double x = std::min(a[i], b[j]);
    while (i < a.size() && a[i] <= x) ++i;
    while (j < b.size() && b[j] <= x) ++j;
    worst = std::max(worst, std::abs(static_cast<double>(i) / na - static_cast<double>(j) / nb));
  }
  return worst;
}

// W1 of two empirical distributions of equal size without their largest atom (the μ0 outlier): the mean
// |a_(k) − b_(k)| over the sorted bulk.
double bulk_wasserstein1(const std::vector<double>& a, const std::vector<double>& b) {
  const std::size_t bulk = a.size() - 1;
  double sum = 0;
  for (std::size_t k = 0; k < bulk; ++k) sum += std::abs(a[k] - b[k]);
  return sum / static_cast<double>(bulk);
}

struct SpectralDistances {
  double kolmogorov = 0, wasserstein1 = 0;
};

// One draw of G = ΣᵀΣ/n, Σ = relu(WX/√p) and G_lin, Σ_lin = μ0 + μ1 WX/√p + μ★Ξ (W: n×p, X: p×n, Ξ: n×n, N = n),
// and the distances of their spectra. `drop = shift` leaves μ★Ξ out (a wrong equivalent).
SpectralDistances gaussian_equivalent_distances(Backend& backend, const Params& prm, const StreamKey& key, index_t n,
                                                index_t p, StageTimes& t) {
  const auto mu = theory::hermite_coefficients(Activation{ActivationKind::relu}, 1.0);  // τ = 1
  const double mu_star = prm.text("drop") == "shift" ? 0.0 : mu.mu_star;
  StreamKey kw = key, kx = key, kxi = key;
  kw.stream = 3 * key.stream, kx.stream = 3 * key.stream + 1, kxi.stream = 3 * key.stream + 2;
  auto [sigma, lin] = timed(t.activation_s, [&] {
    Matrix w = timed(t.sample_s, [&] { return backend.sample_gaussian(kw, n, p); });
    Matrix x = timed(t.sample_s, [&] { return backend.sample_gaussian(kx, p, n); });
    Matrix h = backend.multiply(w, x, 1.0 / std::sqrt(static_cast<double>(p)));  // WX, x_i = ω_i/√p
    Matrix l = timed(t.sample_s, [&] { return backend.sample_gaussian(kxi, n, n); });
    backend.apply_activation(l, Activation{.kind = ActivationKind::linear, .scale = mu_star});  // μ★Ξ
    backend.add_scaled(l, h, mu.mu1);                                                          // + μ1 WX
    backend.apply_activation(l, Activation{.kind = ActivationKind::linear, .shift = -mu.mu0}); // + μ0 11ᵀ
    backend.apply_activation(h, Activation{.kind = ActivationKind::relu});
    return std::pair{std::move(h), std::move(l)};
  });
  const double inv_n = 1.0 / static_cast<double>(n);
  const auto spectrum = [&](const Matrix& features) {
    Matrix g = timed(t.gram_s, [&] { return backend.gram(features, inv_n, GramSide::cols); });
    return timed(t.eig_s, [&] { return backend.eigenvalues(g); });
  };
  const auto a = spectrum(sigma), b = spectrum(lin);
  return {kolmogorov_distance(a, b), bulk_wasserstein1(a, b)};
}

class LeKernelModel final : public FunctionalModel {
 public:
  std::string_view name() const override { return "le_kernel"; }
  std::string_view matrix() const override {
    return "‖K − K̃‖_op, K_ij = f(x_iᵀx_j/p) (El Karoui's K̃) or the ReLU random-feature kernel Φ (its Φ̃), or spectral distances of G = ΣᵀΣ/n to its Gaussian equivalent, x_i iid N(0, I_p), over n in `sizes`";
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
            ParamSpec::text("kernel", "inner", "inner (K_ij = f(x_iᵀx_j/p), El Karoui's K̃) | rf_relu (the ReLU random-feature kernel Φ, its Φ̃) | rf_gram (G = ΣᵀΣ/n, Σ = relu(WX), N = n, against its Gaussian equivalent: Kolmogorov and W1 distances of the spectra)",
                            one_of({"inner", "rf_relu", "rf_gram"})),
            ParamSpec::text("form", "standard", "the equivalent: standard (inner: El Karoui's K̃; rf_relu: d0 I + d1 XᵀX + d2 φφᵀ under P = I − 11ᵀ/n) | full (rf_relu: the second-order Φ̃_full, no projection)",
                            one_of({"standard", "full"})),
            ParamSpec::text("f", "exp", "kernel function (kernel=inner): exp | gaussian (e^{−t/2}) | poly2 ((1+t)²)",
                            [](std::string_view v, std::string_view) { theory::parse_kernel_function(v); }),
            ParamSpec::text("diagonal", "isotropic", "K̃'s diagonal: isotropic (υI, rate √(log n/n)) | exact (diag K̃ = diag K, rate n^{-1/2}; rf_relu: form=full)",
                            one_of({"isotropic", "exact"})),
            ParamSpec::text("drop", "none", "a term left out of K̃ (a wrong equivalent, for tests): none | shift (υI; rf_relu: d0 I; rf_gram: μ★Ξ) | constant (11ᵀ; rf_relu: form=full) | square (rf_relu: d2 φφᵀ)",
                            one_of({"none", "shift", "constant", "square"}))};
  }

  void validate(const Params& prm) const override {
    const std::string drop = prm.text("drop");
    if (is_rf_gram(prm)) {
      if (prm.text("form") != "standard" || prm.text("diagonal") != "isotropic" || prm.text("f") != "exp")
        throw InputError("le_kernel: kernel=rf_gram compares spectra: form, diagonal and f do not apply");
      if (drop != "none" && drop != "shift") throw InputError("le_kernel: kernel=rf_gram can drop only shift (μ★Ξ)");
      return;
    }
    if (!is_rf_relu(prm)) {
      if (prm.text("form") != "standard") throw InputError("le_kernel: form=full needs kernel=rf_relu");
      if (drop == "square") throw InputError("le_kernel: drop=square (d2 φφᵀ) needs kernel=rf_relu");
      return;
    }
    if (prm.text("f") != "exp") throw InputError("le_kernel: f applies to kernel=inner only (rf_relu is the ReLU kernel)");
    const bool full = feature_form(prm) == theory::FeatureEquivalentForm::full;
    if (prm.text("diagonal") == "exact" && !full)
      throw InputError("le_kernel: diagonal=exact with kernel=rf_relu needs form=full (P would mix the diagonal back in)");
    if (drop == "constant" && !full) throw InputError("le_kernel: drop=constant with kernel=rf_relu needs form=full (P removes 11ᵀ)");
  }

  // The largest size: X (p×n), its Gram, then K − K̃ (the Gram's host copy does not count on the backend).
  Sizes sizes(const Params& prm) const override {
    const index_t n = size_list(prm).back();
    return {dimension_times(n, prm.real("c")), n, n};
  }
  MemoryPlan memory_plan(const Params& prm) const override {
    const Sizes s = sizes(prm);
    MemoryPlan plan;
    if (is_rf_gram(prm)) {  // W (n×p), X, WX, Ξ; then Σ, Σ_lin and one Gram at a time
      const elements_t features = 2 * cells(s.cols, s.cols);
      plan.add("sample W, X, Ξ and WX", 2 * cells(s.rows, s.cols) + features)
          .add_eigen("eigenvalues of G, G_lin", features + cells(s.cols, s.cols), s.cols, 0);
      return plan;
    }
    plan.add("sample X", cells(s.rows, s.cols))
        .add("gram XᵀX/p", cells(s.rows, s.cols) + cells(s.cols, s.cols))
        .add_eigen("eigenvalues of K − K̃", cells(s.cols, s.cols), s.cols, 0);
    return plan;
  }
  int min_replicates(const Params&) const override { return 3; }

  std::vector<FunctionalPrediction> theory(const Params& prm) const override {
    validate(prm);  // a mutated theory's parameters too
    std::vector<FunctionalPrediction> out;
    const bool gram = is_rf_gram(prm);
    for (const index_t n : size_list(prm))
      for (const auto& name : gram ? std::vector{error_name(prm, n), w1_name(n)} : std::vector{error_name(prm, n)}) {
        FunctionalPrediction f;
        f.name = name;
        f.value = std::numeric_limits<double>::quiet_NaN();  // no value: only its decay is predicted
        f.judged = false;
        f.note = "reported; the slope over the sizes is judged";
        out.push_back(f);
      }
    const auto range = [&](std::string name, theory::SlopeInterval rate) {
      FunctionalPrediction slope;
      slope.name = std::move(name);
      slope.stat = FunctionalStat::range;
      slope.value = 0.5 * (rate.lo + rate.hi);
      slope.lo = rate.lo;
      slope.hi = rate.hi;
      out.push_back(slope);
    };
    const bool exact = prm.text("diagonal") == "exact";
    if (gram) {
      range("slope", theory::gaussian_equivalent_slope(theory::SpectralDistance::kolmogorov));
      range("slope_w1", theory::gaussian_equivalent_slope(theory::SpectralDistance::wasserstein1));
    } else {
      range("slope", is_rf_relu(prm) ? theory::feature_equivalent_slope(feature_form(prm), exact)
                                     : theory::linear_equivalent_slope(exact));
    }
    return out;
  }

  std::vector<NamedValue> sample(Backend& backend, const Params& prm, const StreamKey& key, StageTimes& t) const override {
    return sample_against(backend, prm, prm, key, t);
  }

  // K̃ is the theory's matrix: a mutated theory (theory_set form, diagonal or drop) is measured on the same K.
  bool theory_in_draw() const override { return true; }
  std::vector<NamedValue> sample_against(Backend& backend, const Params& sampled, const Params& theory_prm,
                                         const StreamKey& key, StageTimes& t) const override {
    Params prm = sampled;  // K from the case's parameters, K̃ from the theory's
    for (const char* name : {"kernel", "sizes", "f"})
      if (sampled.text(name) != theory_prm.text(name))
        throw InputError(fmt::format("le_kernel: a mutated theory may change form, diagonal and drop, not {}", name));
    if (sampled.real("c") != theory_prm.real("c"))
      throw InputError("le_kernel: a mutated theory may change form, diagonal and drop, not c");
    for (const char* name : {"form", "diagonal", "drop"}) prm.set(name, theory_prm.values().at(name));
    const bool exact = prm.text("diagonal") == "exact", rf = is_rf_relu(prm), gram = is_rf_gram(prm);
    std::vector<NamedValue> out;
    std::vector<double> ns, errors, w1s;
    const auto list = size_list(prm);
    for (std::size_t s = 0; s < list.size(); ++s) {
      const index_t n = list[s], p = dimension_times(n, prm.real("c"));
      const auto nu = static_cast<std::size_t>(n);
      StreamKey k = key;
      k.stream = static_cast<std::uint32_t>(s);  // each size its own draw (sizes < 256: validated)
      ns.push_back(static_cast<double>(n));
      if (gram) {
        const auto d = gaussian_equivalent_distances(backend, prm, k, n, p, t);
        out.push_back({error_name(prm, n), d.kolmogorov});
        out.push_back({w1_name(n), d.wasserstein1});
        errors.push_back(d.kolmogorov);
        w1s.push_back(d.wasserstein1);
        continue;
      }
      const std::vector<double> g = timed(t.gram_s, [&] {
        Matrix x = timed(t.sample_s, [&] { return backend.sample_gaussian(k, p, n); });
        return backend.to_host(backend.gram(x, 1.0 / static_cast<double>(p), GramSide::cols));
      });
      std::vector<double> e = rf ? relu_feature_error(prm, g, nu, p) : inner_kernel_error(prm, g, nu, p);
      if (exact)
        for (std::size_t i = 0; i < nu; ++i) e[i + i * nu] = 0;  // diag K̃ = diag K
      // The operator norm needs only the two extreme eigenvalues; values-only ?syevd costs one tridiagonal
      // reduction, as ?syevr with range 'I' would, and works on every backend.
      const auto lambda = timed(t.eig_s, [&] {
        Matrix em = backend.from_host(n, n, e);
        return backend.eigenvalues(em);
      });
      const double norm = std::max(std::abs(lambda.front()), std::abs(lambda.back()));
      out.push_back({error_name(prm, n), norm});
      errors.push_back(norm);
    }
    out.push_back({"slope", fit_power_law(ns, errors).exponent});
    if (gram) out.push_back({"slope_w1", fit_power_law(ns, w1s).exponent});
    return out;
  }

  // The log–log fit of the replicate means (docs/theory.md §12.4's definition) with its 95 % interval.
  void analyse(const Params& prm, const std::map<std::string, std::vector<double>>& draws,
               nlohmann::json& empirical) const override {
    std::vector<double> ns, means;
    for (const index_t n : size_list(prm)) {
      const auto& v = draws.at(error_name(prm, n));
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
