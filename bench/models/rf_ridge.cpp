// rf_ridge: random-features ridge regression in the Mei–Montanari setting (docs/theory.md §5.2). Inputs and
// feature directions uniform on the sphere of radius √d, features σ(⟨θ_a, x⟩/√d) − μ0, target
// y = ⟨β1, x⟩ + F* (⟨u, x⟩² − 1)/√2 + ε with ‖β1‖ = F1, ‖u‖ = 1, Var ε = τ²; ridge penalty Nλ/d ‖a‖².
// One eigendecomposition of the smaller Gram matrix (ZZᵀ/n or ZᵀZ/n, FeatureReadout) serves a whole
// λ grid; the excess risk E_x(f*(x) − f̂(x))² is measured on n fresh test points.
#include <algorithm>
#include <cmath>
#include <optional>

#include <fmt/format.h>

#include "bench/curve_model.hpp"
#include "bench/models/common/dims.hpp"
#include "bench/models/common/feature_readout.hpp"
#include "bench/models/common/network.hpp"
#include "bench/models/common/regression.hpp"
#include "core/base/error.hpp"
#include "theory/gaussian.hpp"
#include "theory/mei_montanari.hpp"

namespace rmt::bench {
namespace {

struct Dimensions {
  index_t n, d, features;
};

Dimensions dimensions(const Params& p, double psi1) {
  const index_t n = p.integer("n");
  const index_t d = dimension_over(n, p.real("psi2"));
  return {n, d, dimension_times(d, psi1)};
}

double largest(const Params& p, std::string_view name) {
  const auto g = p.grid(name);
  return *std::max_element(g.begin(), g.end());
}

// Columns of a (rows×cols, column-major) rescaled to Euclidean norm `radius`.
void to_sphere(std::vector<double>& a, index_t rows, index_t cols, double radius) {
  for (index_t j = 0; j < cols; ++j) {
    double* col = a.data() + static_cast<std::size_t>(j) * static_cast<std::size_t>(rows);
    double norm = 0;
    for (index_t i = 0; i < rows; ++i) norm += col[i] * col[i];
    const double s = radius / std::sqrt(norm);
    for (index_t i = 0; i < rows; ++i) col[i] *= s;
  }
}

// A unit vector of dimension d from one stream.
std::vector<double> unit_vector(const StreamKey& key, index_t d) {
  auto v = host_gaussians(key, static_cast<std::size_t>(d));
  to_sphere(v, d, 1, 1.0);
  return v;
}

// f*(x) for every column of x (d×n): ⟨β1, x⟩ + F*(⟨u, x⟩² − 1)/√2.
std::vector<double> target(const std::vector<double>& x, index_t d, index_t n, const std::vector<double>& beta1,
                           const std::vector<double>& u, double fstar) {
  std::vector<double> f(static_cast<std::size_t>(n));
  for (index_t j = 0; j < n; ++j) {
    const double* col = x.data() + static_cast<std::size_t>(j) * static_cast<std::size_t>(d);
    double lin = 0, quad = 0;
    for (index_t i = 0; i < d; ++i) {
      lin += beta1[static_cast<std::size_t>(i)] * col[i];
      quad += u[static_cast<std::size_t>(i)] * col[i];
    }
    f[static_cast<std::size_t>(j)] = lin + fstar * (quad * quad - 1.0) / std::sqrt(2.0);
  }
  return f;
}

class RandomFeaturesRidgeModel final : public CurveModel {
 public:
  std::string_view name() const override { return "rf_ridge"; }
  std::string_view matrix() const override {
    return "random-features ridge (Mei–Montanari): x, θ_a uniform on the sphere √d S^{d−1}, features σ(⟨θ_a,x⟩/√d) centred, "
           "penalty Nλ/d‖a‖²; excess risk on fresh points, train MSE";
  }
  std::string_view section() const override { return "§5.2"; }
  std::vector<std::string> axes() const override { return {"lambda", "psi1"}; }

  std::vector<ParamSpec> params() const override {
    std::vector<ParamSpec> specs = {
        ParamSpec::integer("n", "2000", "samples", 4, 1e6),
        ParamSpec::grid("psi1", "2", "N/d (may be a grid)", 0, 1000, true),
        ParamSpec::real("psi2", "3", "n/d", 0, 1000, true),
        ParamSpec::grid("lambda", "0.001", "Mei–Montanari λ (λ̄ = λ/μ*²), 0 = ridgeless (may be a grid)", 0, INFINITY),
        ParamSpec::real("F1", "1", "norm of the linear part of the target", 0, INFINITY),
        ParamSpec::real("Fstar", "0", "norm of the nonlinear part of the target", 0, INFINITY),
        ParamSpec::real("tau2", "0.25", "noise variance", 0, INFINITY),
    };
    for (auto& s : activation_params("relu", [](ActivationKind, std::string_view, std::string_view) {})) specs.push_back(s);
    return specs;
  }

  Sizes sizes(const Params& p) const override {
    const Dimensions dim = dimensions(p, largest(p, "psi1"));
    return {dim.features, dim.n, std::min(dim.features, dim.n)};
  }

  // Inputs and directions are drawn one at a time and copied to the host; then X, X̂ on the
  // backend throughout, and per N (the largest is the peak: every term grows with N) θ, Z, Ẑ and
  // the readout (kept: B), then the readout's test predictions.
  MemoryPlan memory_plan(const Params& p) const override {
    const Dimensions dim = dimensions(p, largest(p, "psi1"));
    const index_t f = dim.features, n = dim.n, d = dim.d;
    const elements_t inputs = 2 * cells(d, n), features = cells(d, f) + 2 * cells(f, n);
    MemoryPlan plan;
    plan.add("sample inputs and directions", cells(d, std::max(n, f)))
        .add("features Z, Ẑ", inputs + features)
        .append(feature_readout_plan(f, n, n, inputs + features))
        .append(readout_errors_plan(f, n, n, 1, inputs + feature_readout_kept(f, n, n)));
    return plan;
  }

  void validate(const Params& p) const override {
    const auto h = theory::hermite_coefficients(activation_from(p));
    if (!(h.mu_star > 1e-8))
      throw InputError(fmt::format("rf_ridge: activation {} is linear (μ* = 0); Mei–Montanari needs a nonlinear one",
                                   p.text("activation")));
    for (const double psi1 : p.grid("psi1"))
      for (const double lambda : p.grid("lambda"))
        if (lambda == 0 && std::abs(psi1 - p.real("psi2")) < 1e-12)
          throw InputError("rf_ridge: lambda = 0 at psi1 = psi2 is the interpolation peak, where the ridgeless risk is infinite");
  }

  double relative_tolerance(const Params& p) const override {
    // docs/theory.md §9.5: Mei–Montanari agrees to ~2% at d = 200, shrinking like 1/d.
    return std::max(0.01, 4.0 / static_cast<double>(dimensions(p, 1.0).d));
  }

  std::vector<RiskPoint> theory(const Params& p, const CurveAxis& axis) const override {
    const auto h = theory::hermite_coefficients(activation_from(p));
    return mei_montanari_curve(p, axis, h.mu1, h.mu_star * h.mu_star);
  }
  // μ★² = E σ² − μ0² − μ1² loses its leading term μ2² (the quadratic part of the activation).
  std::vector<RiskPoint> theory_without_mu2(const Params& p, const CurveAxis& axis) const override {
    const auto h = theory::hermite_coefficients(activation_from(p));
    const double mu2 = droppable_mu2(p);
    const double mu_star2 = h.mu_star * h.mu_star - mu2 * mu2;
    if (!(mu_star2 > 1e-12))
      throw InputError(fmt::format("rf_ridge: activation {} has no nonlinear part beyond μ2", p.text("activation")));
    return mei_montanari_curve(p, axis, h.mu1, mu_star2);
  }

 private:
  static std::vector<RiskPoint> mei_montanari_curve(const Params& p, const CurveAxis& axis, double mu1, double mu_star2) {
    const double zeta = mu1 / std::sqrt(mu_star2);
    std::vector<RiskPoint> out;
    for (std::size_t i = 0; i < axis.values.size(); ++i) {
      const Params q = at_point(p, axis, i);
      const double F1 = q.real("F1"), Fstar = q.real("Fstar");
      const auto r = theory::mei_montanari(zeta, q.real("psi1"), q.real("psi2"), q.real("lambda") / mu_star2, F1 * F1,
                                           Fstar * Fstar, q.real("tau2"));
      RiskPoint point;
      point.test = r.risk;
      point.bias = r.bias;
      point.variance = r.variance;
      out.push_back(point);
    }
    return out;
  }

 public:
  CurveDraw sample(Backend& backend, const Params& p, const CurveAxis& axis, const StreamKey& key,
                   StageTimes& t) const override {
    // Centred (σ − μ0), as the oracle's simulations: a mean feature adds a spike the theory leaves out.
    const Activation f = theory::centred(activation_from(p));
    const Dimensions top = dimensions(p, largest(p, "psi1"));
    const index_t n = top.n, d = top.d;
    const auto stream = [&](std::uint32_t s) { return StreamKey{key.seed, key.case_key, key.replicate, s}; };
    // Inputs, feature directions (the first N rows serve every ψ1 of a grid) and the target.
    auto x = timed(t.sample_s, [&] { return backend.to_host(backend.sample_gaussian(stream(0), d, n)); });
    auto x_test = timed(t.sample_s, [&] { return backend.to_host(backend.sample_gaussian(stream(1), d, n)); });
    auto theta = timed(t.sample_s, [&] { return backend.to_host(backend.sample_gaussian(stream(2), d, top.features)); });
    const double radius = std::sqrt(static_cast<double>(d));
    to_sphere(x, d, n, radius);
    to_sphere(x_test, d, n, radius);
    to_sphere(theta, d, top.features, radius);
    auto beta1 = unit_vector(stream(3), d);
    for (auto& b : beta1) b *= p.real("F1");
    const auto u = unit_vector(stream(4), d);
    const auto f_train = target(x, d, n, beta1, u, p.real("Fstar"));
    const auto f_test = target(x_test, d, n, beta1, u, p.real("Fstar"));
    auto y = host_gaussians(stream(5), static_cast<std::size_t>(n), std::sqrt(p.real("tau2")));
    for (std::size_t i = 0; i < y.size(); ++i) y[i] += f_train[i];

    const Matrix xm = backend.from_host(d, n, x), xt = backend.from_host(d, n, x_test);
    CurveDraw out;
    index_t current = -1;
    std::optional<FeatureReadout> readout;  // features side (N ≤ n) or samples side (N > n)
    for (std::size_t i = 0; i < axis.values.size(); ++i) {
      const Params q = at_point(p, axis, i);
      const index_t features = dimensions(q, q.real("psi1")).features;
      if (features != current) {
        current = features;
        readout.reset();  // B of the previous N is not kept beside the new features
        // θ is d×N_max column-major (one direction per column): the first N columns are a prefix.
        const Matrix th = backend.from_host(d, features, std::span<const double>(theta).first(static_cast<std::size_t>(d * features)));
        const double scale = 1.0 / radius;
        Matrix zm = timed(t.activation_s, [&] { return backend.multiply_transposed(th, xm, scale); });
        Matrix zt = timed(t.activation_s, [&] { return backend.multiply_transposed(th, xt, scale); });
        timed(t.activation_s, [&] {
          backend.apply_activation(zm, f);
          backend.apply_activation(zt, f);
        });
        // The excess risk E_x(f*(x) − f̂(x))²: the test targets are f* without noise.
        readout.emplace(backend, zm, zt, y, f_test, t);
      }
      // The ridge readout a = (ZZᵀ/n + κ)⁻¹ Z y/n, κ = Nλ/d.
      const double penalty = static_cast<double>(features) * q.real("lambda") / static_cast<double>(d);
      const CurveDraw point = readout->errors({ridge_filter(penalty, readout->eigenvalues().back())}, t);
      out.train.push_back(point.train.front());
      out.test.push_back(point.test.front());
    }
    return out;
  }
};

}  // namespace

std::unique_ptr<CurveModel> make_rf_ridge_model() { return std::make_unique<RandomFeaturesRidgeModel>(); }

}  // namespace rmt::bench
