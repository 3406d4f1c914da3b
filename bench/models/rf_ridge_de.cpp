// rf_ridge_de: ridge regression on linear random features, against the dimension-free deterministic
// equivalent of docs/theory.md §5.3. Data x ~ N(0, diag(s)) in D dimensions with the power law of §6.1
// (s_k = k^{-α}, s_k w_k² = k^{-(1+2αr)}; target coefficients ±w_k with random signs, so w² is
// exactly the theory's), y = wᵀx + ε; features h = Fᵀx/√N with F ∈ R^{D×N} iid N(0, 1); n = P
// samples; â = argmin (1/P)Σ(y − aᵀh)² + λ‖a‖². The predictor is x ↦ xᵀ(Fâ/√N), so the excess risk
// (w − Fâ/√N)ᵀ diag(s) (w − Fâ/√N) is exact with the known spectrum. Along N (the double-descent
// curve, peak at N = P) F's first N columns are a prefix of one draw; one eigendecomposition of the
// smaller Gram matrix (HHᵀ/P or HᵀH/P, FeatureReadout) per N serves a whole λ grid.
// Defaults: a slowly decaying spectrum (α = 1.2) and a small ridge show the interpolation peak; with
// steeper spectra the tail beyond N acts as an implicit ridge and the peak fades (docs/theory.md §6.2).
#include <algorithm>
#include <cmath>
#include <optional>

#include <fmt/format.h>

#include "bench/curve_model.hpp"
#include "bench/models/common/feature_readout.hpp"
#include "bench/models/common/regression.hpp"
#include "core/base/error.hpp"
#include "theory/rf_ridge_de.hpp"
#include "theory/scaling.hpp"

namespace rmt::bench {
namespace {

theory::PowerLawSpectrum spectrum(const Params& p) {
  return theory::power_law_spectrum(p.real("alpha"), p.real("r"), static_cast<std::size_t>(p.integer("D")));
}

index_t count(double v) { return std::max<index_t>(1, static_cast<index_t>(std::llround(v))); }

double largest(const Params& p, std::string_view name) {
  const auto g = p.grid(name);
  return *std::max_element(g.begin(), g.end());
}

class LinearRandomFeaturesModel final : public CurveModel {
 public:
  std::string_view name() const override { return "rf_ridge_de"; }
  std::string_view matrix() const override {
    return "ridge on linear random features h = Fᵀx/√N, x ~ N(0, diag(s)) with the power law s_k = k^{-α}, "
           "s_k w_k² = k^{-(1+2αr)} (k ≤ D), n = P samples; excess risk (w − Fâ/√N)ᵀdiag(s)(w − Fâ/√N) exact, train MSE";
  }
  std::string_view section() const override { return "§5.3"; }
  std::vector<std::string> axes() const override { return {"N", "lambda"}; }

  std::vector<ParamSpec> params() const override {
    return {
        ParamSpec::integer("n", "300", "samples P", 2, 1e6),
        ParamSpec::grid("N", "30:3000:12log", "random features (may be a grid: double descent at N = n)", 1, 1e6),
        ParamSpec::grid("lambda", "0.0001", "ridge λ, 0 = min-norm (may be a grid)", 0, INFINITY),
        ParamSpec::real("alpha", "1.2", "capacity: s_k = k^{-α}", 1, 20, true),
        ParamSpec::real("r", "0.5", "source: s_k w_k² = k^{-(1+2αr)}", 0, 20, true),
        ParamSpec::integer("D", "1000", "input dimension (length of the spectrum)", 1, 1e6),
        ParamSpec::real("sigma2", "0.2", "noise variance", 0, INFINITY),
    };
  }

  Sizes sizes(const Params& p) const override {
    const index_t n = p.integer("n");
    return {p.integer("D"), n, std::min(count(largest(p, "N")), n)};
  }

  // X throughout; per distinct N along the axis (as `sample`) the new F is drawn while the previous
  // F, H and readout are alive, the new H beside the previous one, then the readout of H (its Gram
  // matrix and eigendecomposition; kept: the eigenbasis), then per point â and Fâ/√N.
  MemoryPlan memory_plan(const Params& p) const override {
    const CurveAxis axis = curve_axis(*this, p);
    const index_t d = p.integer("D"), n = p.integer("n");
    const elements_t x = cells(d, n), dv = static_cast<elements_t>(d), nv = static_cast<elements_t>(n);
    MemoryPlan plan;
    plan.add("sample X", x + dv).add("targets", x + dv + nv);
    index_t current = -1;
    elements_t f_prev = 0, h_prev = 0, basis_prev = 0;
    for (std::size_t i = 0; i < axis.values.size(); ++i) {
      const index_t features = count(at_point(p, axis, i).real("N"));
      if (features == current) continue;
      current = features;
      const elements_t f = cells(d, features), h = cells(features, n), fv = static_cast<elements_t>(features);
      const elements_t kept = x + f + h;
      plan.add("sample F", x + f_prev + h_prev + basis_prev + f)
          .add("H = FᵀX/√N", x + f + h_prev + basis_prev + h)
          .append(feature_readout_train_plan(features, n, kept));
      const elements_t basis = feature_readout_train_kept(features, n);
      plan.append(readout_coefficients_plan(features, n, 1, kept + basis))
          .add("estimate Fâ/√N", kept + basis + fv + dv);
      basis_prev = basis;
      f_prev = f;
      h_prev = h;
    }
    return plan;
  }

  void validate(const Params& p) const override {
    const index_t n = p.integer("n"), d = p.integer("D");
    for (const double nv : p.grid("N"))
      for (const double lambda : p.grid("lambda")) {
        const index_t features = count(nv), bottleneck = std::min(features, n);
        if (lambda == 0 && (d == bottleneck || (features == n && d > n)))
          throw InputError(fmt::format("rf_ridge_de: lambda = 0 at N = {}, n = {}, D = {} is an interpolation threshold "
                                       "(N = n or D = min(N, n)), where the ridgeless risk is infinite",
                                       features, n, d));
      }
  }

  double relative_tolerance(const Params& p) const override {
    // docs/theory.md §9.5: RF ridge within 1–2% at 500–1000 samples; the DE's error shrinks like 1/min(N, P)
    // (measured: 4% at N = 60, P = 200).
    const auto g = p.grid("N");
    const double m = static_cast<double>(std::min(count(*std::min_element(g.begin(), g.end())), p.integer("n")));
    return std::max(0.01, 5.0 / m);
  }

  std::vector<RiskPoint> theory(const Params& p, const CurveAxis& axis) const override {
    const auto spec = spectrum(p);
    std::vector<RiskPoint> out;
    for (std::size_t i = 0; i < axis.values.size(); ++i) {
      const Params q = at_point(p, axis, i);
      RiskPoint point;
      point.test = theory::rf_ridge_de(spec.s, spec.w2, static_cast<double>(count(q.real("N"))),
                                       static_cast<double>(q.integer("n")), q.real("lambda"), q.real("sigma2"))
                       .excess;
      out.push_back(point);
    }
    return out;
  }

  CurveDraw sample(Backend& backend, const Params& p, const CurveAxis& axis, const StreamKey& key,
                   StageTimes& t) const override {
    const auto spec = spectrum(p);
    const index_t d = p.integer("D"), n = p.integer("n");
    const auto stream = [&](std::uint32_t s) { return StreamKey{key.seed, key.case_key, key.replicate, s}; };
    std::vector<double> scale(spec.s.size()), w(spec.s.size());
    const auto signs = host_gaussians(stream(1), spec.s.size());
    for (std::size_t k = 0; k < spec.s.size(); ++k) {
      scale[k] = std::sqrt(spec.s[k]);
      w[k] = std::copysign(std::sqrt(spec.w2[k]), signs[k]);
    }
    const Matrix x = timed(t.sample_s, [&] { return backend.sample_gaussian(stream(0), d, n, scale); });
    auto y = backend.to_host(timed(t.gram_s, [&] { return backend.multiply_transposed(x, backend.from_host(d, 1, w), 1.0); }));
    const auto noise = host_gaussians(stream(2), static_cast<std::size_t>(n), std::sqrt(p.real("sigma2")));
    for (std::size_t i = 0; i < y.size(); ++i) y[i] += noise[i];

    CurveDraw out;
    index_t current = -1;
    Matrix f, h;
    std::optional<FeatureReadout> fit;  // HHᵀ/P (N ≤ P) or HᵀH/P decomposed, the eigenbasis kept
    for (std::size_t i = 0; i < axis.values.size(); ++i) {
      const Params q = at_point(p, axis, i);
      const index_t features = count(q.real("N"));
      const double root_n = std::sqrt(static_cast<double>(features));
      if (features != current) {
        current = features;
        // Element (i, j) of a stream does not depend on the number of columns: F_N is a prefix of F_{N'}.
        f = timed(t.sample_s, [&] { return backend.sample_gaussian(stream(3), d, features); });
        h = timed(t.activation_s, [&] { return backend.multiply_transposed(f, x, 1.0 / root_n); });
        fit.emplace(backend, h, y, t);
      }
      // â = (HHᵀ/P + λ)⁻¹ Hy/P = H (HᵀH/P + λ)⁻¹ y/P.
      const FeatureReadout::Filters filter = {ridge_filter(q.real("lambda"), fit->eigenvalues().back())};
      out.train.push_back(fit->train_errors(filter).front());
      const Matrix a = fit->coefficients(h, filter, t);
      const auto estimate = backend.to_host(timed(t.gram_s, [&] { return backend.multiply(f, a, 1.0 / root_n); }));
      out.test.push_back(weighted_distance2(estimate, w, spec.s));
    }
    return out;
  }
};

}  // namespace

std::unique_ptr<CurveModel> make_rf_ridge_de_model() { return std::make_unique<LinearRandomFeaturesModel>(); }

}  // namespace rmt::bench
