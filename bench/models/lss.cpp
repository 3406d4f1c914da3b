// lss: linear spectral statistics Σ f(λ_i) of S = C^{1/2}ZZᵀC^{1/2}/n, C = σ²·diag(pop), and their central
// limit theorem (docs/theory.md §12.2): G_n(f) = Σ f(λ_i) − p ∫ f dF^{c_n,H_n} → N(mean_f, var_f) for f = x,
// x², log x, 1/(1 + x): closed forms for C = σ²I, the contour recipe otherwise; Z real Gaussian, or ±1 with the
// κ₄ terms of the log law. Recorded as the sum,
// with value p∫f dF^{c_n} and bias mean_f (so a wrong centring fails too), and its replicate variance
// against var_f. A second-order check: G_n is O(1), unnormalised.
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "bench/functional_model.hpp"
#include "bench/models/common/population.hpp"
#include "bench/models/common/sample_covariance.hpp"
#include "core/base/error.hpp"
#include "core/base/parse.hpp"
#include "theory/lss_clt.hpp"

namespace rmt::bench {
namespace {

std::vector<theory::LssStatistic> statistics(const Params& prm) {
  std::vector<theory::LssStatistic> out;
  std::string_view text = prm.text("f");
  while (!text.empty()) {
    const auto comma = text.find(',');
    out.push_back(theory::parse_lss_statistic(trim(text.substr(0, comma)), "f"));
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
  }
  return out;
}

// C as sampled: √C_ii per row (blocks of `pop` in order, times σ) and its finite-size spectrum H_n.
struct Population {
  std::vector<double> row_scale;
  theory::PopulationSpectrum h;
  bool identity() const { return h.t.size() == 1; }
};

Population population(const Params& prm, index_t p) {
  Population out;
  const auto pop = parse_population(prm.text("pop"), "pop");
  const double sigma = std::sqrt(prm.real("sigma2"));
  out.row_scale = population_row_scale(pop, p);
  for (auto& r : out.row_scale) {
    r *= sigma;
    const double v = r * r;
    const auto at = std::find(out.h.t.begin(), out.h.t.end(), v);
    if (at == out.h.t.end()) {
      out.h.t.push_back(v);
      out.h.w.push_back(1.0 / static_cast<double>(p));
    } else {
      out.h.w[static_cast<std::size_t>(at - out.h.t.begin())] += 1.0 / static_cast<double>(p);
    }
  }
  return out;
}

theory::EntryField field(const Params& prm) {
  const std::string_view e = prm.text("entries");
  return e == "complex" ? theory::EntryField::complex
         : e == "rademacher" ? theory::EntryField::rademacher
                             : theory::EntryField::real;
}

// S = σ² ZZᵀ/n with Z's entries ±1 (the same stream layout as the backend's SLQ probes).
CovarianceDraw rademacher_covariance(Backend& backend, index_t p, index_t n, double sigma2, const StreamKey& key,
                                     StageTimes& t) {
  Matrix z = timed(t.sample_s, [&] { return backend.sample_rademacher(key, p, n); });
  Matrix s = timed(t.gram_s, [&] { return backend.gram(z, sigma2 / static_cast<double>(n)); });
  z = Matrix();
  return {timed(t.eig_s, [&] { return backend.eigenvalues(s); }), {}};
}

// Σ_i f(λ_i): its first-order equivalent is the centring p∫f dF^{c_n}, its O(1) bias the CLT mean.
std::string label(theory::LssStatistic f) { return fmt::format("sum_f({})", theory::to_string(f)); }

class LssModel final : public FunctionalModel {
 public:
  std::string_view name() const override { return "lss"; }
  std::string_view matrix() const override {
    return "G_n(f) = Σ f(λ_i(S)) − p∫f dF^{c_n,H_n}, S = C^{1/2}ZZᵀC^{1/2}/n, C = σ²·diag(pop), Z ∈ R^{p×n} iid N(0,1): "
           "CLT mean and variance";
  }
  std::string_view section() const override { return "§12.2"; }

  std::vector<ParamSpec> params() const override {
    auto specs = sample_covariance_params();
    specs.front().default_value = "1000";
    specs.push_back(ParamSpec::real("sigma2", "1", "population variance σ²", 0, 1e6, /*min_open=*/true));
    specs.push_back(ParamSpec::text("pop", "1:1", "population spectrum of C/σ²: eigenvalue:weight,... (not 1:1 needs c < 1)",
                                    [](std::string_view v, std::string_view what) { parse_population(v, what); }));
    specs.push_back(ParamSpec::text("f", "x,x2,log", "statistics: a list of x, x2, log, inv1p = 1/(1+x) (log, inv1p: c < 1)",
                                    [](std::string_view v, std::string_view what) {
                                      if (trim(v).empty()) throw InputError(fmt::format("{}: empty list", what));
                                      std::string_view rest = v;
                                      while (!rest.empty()) {
                                        const auto comma = rest.find(',');
                                        theory::parse_lss_statistic(trim(rest.substr(0, comma)), what);
                                        rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
                                      }
                                    }));
    specs.push_back(ParamSpec::text("entries", "real",
                                    "entries of Z: real Gaussian, rademacher (±1: the κ₄ = −2 law; f = log, pop = 1:1) or "
                                    "complex (mean 0, half the variance: a theory_set mutation only)",
                                    [](std::string_view v, std::string_view what) {
                                      if (v != "real" && v != "complex" && v != "rademacher")
                                        throw InputError(fmt::format("{}: '{}' is not one of real, rademacher, complex", what, v));
                                    }));
    return specs;
  }

  Sizes sizes(const Params& prm) const override { return sample_covariance_sizes(prm); }
  MemoryPlan memory_plan(const Params& prm) const override {
    const Sizes s = sizes(prm);
    return sample_covariance_plan(s.rows, s.cols, 0);
  }
  void validate(const Params& prm) const override {
    if (field(prm) == theory::EntryField::complex)
      throw InputError("lss: entries = complex cannot be sampled (the backends draw real Gaussians); use it as a "
                       "mutation's theory_set");
    const Sizes s = sizes(prm);
    for (const auto f : statistics(prm))
      if ((f == theory::LssStatistic::logdet || f == theory::LssStatistic::inverse1p) && s.rows >= s.cols)
        throw InputError(fmt::format("lss: f = {} needs p < n (p = {}, n = {})", theory::to_string(f), s.rows, s.cols));
    if (!population(prm, s.rows).identity() && s.rows >= s.cols)
      throw InputError(fmt::format("lss: a population other than 1:1 needs p < n (p = {}, n = {})", s.rows, s.cols));
    if (field(prm) == theory::EntryField::rademacher) {
      if (!population(prm, s.rows).identity())
        throw InputError("lss: entries = rademacher needs pop = 1:1 (no κ₄ correction for a general population here)");
      for (const auto f : statistics(prm))
        if (f != theory::LssStatistic::logdet)
          throw InputError(fmt::format("lss: entries = rademacher judges f = log only (f = {}: {})", theory::to_string(f),
                                       f == theory::LssStatistic::trace ? "Σλ = pσ² exactly, nothing fluctuates"
                                                                         : "no κ₄ correction here"));
    }
  }

  std::vector<FunctionalPrediction> theory(const Params& prm) const override {
    const Sizes s = sizes(prm);
    const Population pop = population(prm, s.rows);
    std::vector<FunctionalPrediction> out;
    for (const auto f : statistics(prm)) {
      const auto law = pop.identity() && f != theory::LssStatistic::inverse1p
                           ? theory::lss_law(f, s.rows, s.cols, pop.h.t.front(), field(prm))
                           : theory::lss_law_contour(f, s.rows, s.cols, pop.h, field(prm));
      FunctionalPrediction mean;
      mean.name = label(f);
      mean.value = law.centring;
      mean.bias = law.mean;
      mean.sd = std::sqrt(law.variance);
      // The next-order bias of E G_n is O(1/n) (docs/theory.md §12.2: ≲ 2/n at c = 1/2), in units of G's scale.
      mean.allowance = 2 * std::sqrt(law.variance) / static_cast<double>(s.cols);
      out.push_back(mean);
      FunctionalPrediction var;
      var.name = "var " + label(f);
      var.stat = FunctionalStat::variance;
      var.of = mean.name;
      var.value = law.variance;
      out.push_back(var);
    }
    return out;
  }

  std::vector<NamedValue> sample(Backend& backend, const Params& prm, const StreamKey& key, StageTimes& t) const override {
    const Sizes s = sizes(prm);
    const auto draw = field(prm) == theory::EntryField::rademacher
                          ? rademacher_covariance(backend, s.rows, s.cols, prm.real("sigma2"), key, t)
                          : sample_covariance(backend, s.rows, s.cols, population(prm, s.rows).row_scale, key, 0, t);
    std::vector<NamedValue> out;
    for (const auto f : statistics(prm)) {
      double sum = 0;
      for (const double l : draw.eigenvalues) {
        switch (f) {
          case theory::LssStatistic::trace: sum += l; break;
          case theory::LssStatistic::square: sum += l * l; break;
          case theory::LssStatistic::logdet: sum += std::log(l); break;
          case theory::LssStatistic::inverse1p: sum += 1 / (1 + l); break;
        }
      }
      out.push_back({label(f), sum});
    }
    return out;
  }

  int min_replicates(const Params&) const override { return 2; }
};

}  // namespace

std::unique_ptr<FunctionalModel> make_lss_model() { return std::make_unique<LssModel>(); }

}  // namespace rmt::bench
