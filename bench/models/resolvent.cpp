// resolvent: functionals of Q(z) = (S − zI)⁻¹ for the sample covariance S = C^{1/2}ZZᵀC^{1/2}/n with a
// discrete population spectrum (docs/theory.md §12.1): normalised traces (1/p) tr Q and (1/p) tr CQ,
// block-averaged diagonals, quadratic forms e₁ᵀQe₁, aᵀQa, e₁ᵀQe_last, and the replicate variances of
// (1/p) tr Q and e₁ᵀQe₁, each against its deterministic equivalent. One eigendecomposition per draw.
#include <cmath>
#include <complex>

#include <fmt/format.h>

#include "bench/functional_model.hpp"
#include "bench/models/common/population.hpp"
#include "bench/models/common/resolvent_points.hpp"
#include "bench/models/common/sample_covariance.hpp"
#include "core/base/error.hpp"
#include "core/base/parse.hpp"
#include "theory/resolvent_functionals.hpp"

namespace rmt::bench {
namespace {

// The population as sampled: block k has count[k] rows of variance σ² t_k, in the order of `pop`.
struct Layout {
  theory::PopulationSpectrum h;  // finite-size weights count/p, atoms × σ²
  std::vector<double> diag;      // C's diagonal
  std::vector<index_t> start;    // first row of each block
  index_t p = 0, n = 0;
};

Layout layout(const Params& prm) {
  Layout out;
  out.n = prm.integer("n");
  out.p = dimension_times(out.n, prm.real("c"));
  const auto pop = parse_population(prm.text("pop"), "pop");
  const double sigma2 = prm.real("sigma2");
  const auto scale = population_row_scale(pop, out.p);  // √t_k per row, blocks in order
  for (std::size_t i = 0; i < scale.size(); ++i) {
    const double v = sigma2 * scale[i] * scale[i];
    if (i == 0 || v != out.diag.back()) out.start.push_back(static_cast<index_t>(i));
    out.diag.push_back(v);
  }
  // Weights from the actual counts (blocks are contiguous; equal neighbours cannot occur since atoms are distinct).
  for (std::size_t k = 0; k < out.start.size(); ++k) {
    const index_t end = k + 1 < out.start.size() ? out.start[k + 1] : out.p;
    out.h.t.push_back(out.diag[static_cast<std::size_t>(out.start[k])]);
    out.h.w.push_back(static_cast<double>(end - out.start[k]) / static_cast<double>(out.p));
  }
  return out;
}

// The unit vectors of the quadratic forms: e₁ (first row of the first block), e_last (first row of the
// last block) and a = (e₁ + e_last)/√2.
struct Directions {
  index_t first = 0, last = 0;
};
Directions directions(const Layout& l) { return {0, l.start.back()}; }

class ResolventModel final : public FunctionalModel {
 public:
  std::string_view name() const override { return "resolvent"; }
  std::string_view matrix() const override {
    return "Q(z) = (S − zI)⁻¹, S = C^{1/2}ZZᵀC^{1/2}/n, C = σ²·diag(pop): traces, block diagonals, quadratic forms";
  }
  std::string_view section() const override { return "§12.1"; }

  std::vector<ParamSpec> params() const override {
    auto specs = sample_covariance_params();
    specs.front().default_value = "1200";
    specs.push_back(ParamSpec::text("pop", "1:1,3:1,7:1", "population spectrum: eigenvalue:weight,... (blocks in this order)",
                                    [](std::string_view v, std::string_view what) { parse_population(v, what); }));
    specs.push_back(ParamSpec::real("sigma2", "1", "scale of the population covariance C", 0, 1e6, /*min_open=*/true));
    specs.push_back(resolvent_points_param("-1,-0.1,2+0.5i"));
    return specs;
  }

  Sizes sizes(const Params& prm) const override { return sample_covariance_sizes(prm); }
  MemoryPlan memory_plan(const Params& prm) const override {
    const Sizes s = sizes(prm);
    return sample_covariance_plan(s.rows, s.cols, s.rows);
  }
  void validate(const Params& prm) const override {
    if (sizes(prm).rows < 2) throw InputError("resolvent: p = c·n must be at least 2");
  }

  std::vector<FunctionalPrediction> theory(const Params& prm) const override {
    const Layout l = layout(prm);
    const double p = static_cast<double>(l.p), n = static_cast<double>(l.n);
    const theory::SampleCovarianceResolvent de(l.h, p / n);
    const Directions d = directions(l);
    std::vector<double> e1(l.diag.size(), 0.0), elast(l.diag.size(), 0.0), a(l.diag.size(), 0.0);
    e1[static_cast<std::size_t>(d.first)] = 1;
    elast[static_cast<std::size_t>(d.last)] = 1;
    a[static_cast<std::size_t>(d.first)] = a[static_cast<std::size_t>(d.last)] = 1 / std::sqrt(2.0);
    const bool distinct = d.last != d.first;

    std::vector<FunctionalPrediction> out;
    const auto rule = [&](complex v) { return 3 * std::max(1.0, std::abs(v)) / n; };  // B/n, docs/theory.md §12.5
    for (const complex z : parse_complex_list(prm.text("z"), "z")) {
      const std::string at = at_z(z);
      // (1/p) tr Q: the bias 𝓜/p is predicted (and subtracted); what remains is O(1/p²), allowed as 20 % of it.
      const complex bias = de.trace_bias(z) / p;
      add_prediction(out, z,
                     {.name = "trQ/p" + at, .value = de.trace(z), .bias = bias,
                      .cov_conj = de.trace_covariance(z, std::conj(z)) / (p * p),
                      .cov_same = de.trace_covariance(z, z) / (p * p), .allowance = 0.2 * std::abs(bias),
                      .judge_variance = true});
      const complex tcq = de.trace_population(z);
      add_prediction(out, z, {.name = "trCQ/p" + at, .value = tcq, .allowance = rule(tcq)});
      for (std::size_t k = 0; k < l.h.t.size(); ++k) {
        const complex q = de.diagonal(z, l.h.t[k]);
        add_prediction(out, z, {.name = fmt::format("diagQ[block{}]", k + 1) + at, .value = q, .allowance = rule(q)});
      }
      const auto form = [&](const std::string& label, const std::vector<double>& u, const std::vector<double>& v, bool with_var) {
        const complex q = de.quadratic_form(z, l.diag, u, v);
        add_prediction(out, z,
                       {.name = label + at, .value = q,
                        .cov_conj = de.quadratic_form_covariance(z, std::conj(z), l.diag, u, v) / n,
                        .cov_same = de.quadratic_form_covariance(z, z, l.diag, u, v) / n, .allowance = rule(q),
                        .judge_variance = with_var});
      };
      form("e1'Qe1", e1, e1, true);
      if (distinct) {
        form("a'Qa", a, a, false);
        form("e1'Qelast", e1, elast, false);
      }
    }
    return out;
  }

  std::vector<NamedValue> sample(Backend& backend, const Params& prm, const StreamKey& key, StageTimes& t) const override {
    const Layout l = layout(prm);
    std::vector<double> row_scale(l.diag.size());
    for (std::size_t i = 0; i < l.diag.size(); ++i) row_scale[i] = std::sqrt(l.diag[i]);
    const auto draw = sample_covariance(backend, l.p, l.n, row_scale, key, l.p, t);
    const auto& lambda = draw.top.values;
    const auto& v = draw.top.vectors;  // column j ↔ lambda[j] (all p of them)
    const auto pu = static_cast<std::size_t>(l.p);
    const Directions d = directions(l);
    const auto vec = [&](index_t row, std::size_t j) { return v[static_cast<std::size_t>(row) + j * pu]; };

    std::vector<NamedValue> out;
    const auto put = [&](const std::string& name, complex value, complex z) { add_value(out, name, z, value); };
    for (const complex z : parse_complex_list(prm.text("z"), "z")) {
      const std::string at = at_z(z);
      std::vector<complex> inv(pu);
      complex trace = 0;
      for (std::size_t j = 0; j < pu; ++j) trace += (inv[j] = 1.0 / (lambda[j] - z));
      // Q_ii for every i (block averages and tr CQ), Q_1,last.
      std::vector<complex> diag(pu, 0.0);
      complex cross = 0;
      for (std::size_t j = 0; j < pu; ++j) {
        const double* col = v.data() + j * pu;
        for (std::size_t i = 0; i < pu; ++i) diag[i] += col[i] * col[i] * inv[j];
        cross += vec(d.first, j) * vec(d.last, j) * inv[j];
      }
      complex trace_c = 0;
      for (std::size_t i = 0; i < pu; ++i) trace_c += l.diag[i] * diag[i];
      put("trQ/p" + at, trace / static_cast<double>(l.p), z);
      put("trCQ/p" + at, trace_c / static_cast<double>(l.p), z);
      for (std::size_t k = 0; k < l.start.size(); ++k) {
        const auto begin = static_cast<std::size_t>(l.start[k]);
        const auto end = k + 1 < l.start.size() ? static_cast<std::size_t>(l.start[k + 1]) : pu;
        complex s = 0;
        for (std::size_t i = begin; i < end; ++i) s += diag[i];
        put(fmt::format("diagQ[block{}]", k + 1) + at, s / static_cast<double>(end - begin), z);
      }
      const auto fi = static_cast<std::size_t>(d.first), li = static_cast<std::size_t>(d.last);
      put("e1'Qe1" + at, diag[fi], z);
      if (d.last != d.first) {
        put("a'Qa" + at, 0.5 * (diag[fi] + diag[li]) + cross, z);
        put("e1'Qelast" + at, cross, z);
      }
    }
    return out;
  }
};

}  // namespace

std::unique_ptr<FunctionalModel> make_resolvent_model() { return std::make_unique<ResolventModel>(); }

}  // namespace rmt::bench
