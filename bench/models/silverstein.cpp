// silverstein: S = Σ^{1/2} X Xᵀ Σ^{1/2} / n with a discrete population spectrum (SPEC §1.2).
#include <algorithm>
#include <cmath>
#include <numeric>

#include <fmt/format.h>

#include "bench/models/sample_covariance.hpp"
#include "core/error.hpp"
#include "core/parse.hpp"
#include "theory/silverstein.hpp"

namespace rmt::bench {
namespace {

theory::PopulationSpectrum parse_population(std::string_view text, std::string_view what) {
  theory::PopulationSpectrum h;
  for (const auto& [t, w] : parse_weighted_list(text, what)) {
    if (!(t > 0)) throw InputError(fmt::format("{}: population eigenvalue {} must be positive", what, t));
    if (!(w > 0)) throw InputError(fmt::format("{}: weight {} must be positive", what, w));
    h.t.push_back(t);
    h.w.push_back(w);
  }
  const double total = std::accumulate(h.w.begin(), h.w.end(), 0.0);
  for (auto& w : h.w) w /= total;
  return h;
}

// Diagonal Σ with round(w_k p) entries equal to t_k (largest-remainder rounding): √Σ_ii per row.
std::vector<double> population_row_scale(const theory::PopulationSpectrum& h, index_t p) {
  const auto k = h.t.size();
  std::vector<index_t> count(k);
  std::vector<double> remainder(k);
  index_t assigned = 0;
  for (std::size_t i = 0; i < k; ++i) {
    const double exact = h.w[i] * static_cast<double>(p);
    count[i] = static_cast<index_t>(std::floor(exact));
    remainder[i] = exact - std::floor(exact);
    assigned += count[i];
  }
  std::vector<std::size_t> order(k);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) { return remainder[a] > remainder[b]; });
  for (std::size_t i = 0; assigned < p; ++i, ++assigned) ++count[order[i % k]];
  std::vector<double> scale;
  for (std::size_t i = 0; i < k; ++i) scale.insert(scale.end(), static_cast<std::size_t>(count[i]), std::sqrt(h.t[i]));
  return scale;
}

class SilversteinModel final : public SampleCovarianceModel {
 public:
  std::string_view name() const override { return "silverstein"; }
  std::string_view matrix() const override {
    return "S = Σ^{1/2}XXᵀΣ^{1/2}/n, X ∈ R^{p×n} iid N(0,1), Σ diagonal with spectrum `pop`";
  }
  std::string_view section() const override { return "§1.2"; }

  std::vector<ParamSpec> params() const override {
    auto specs = sample_covariance_params();
    specs.push_back(ParamSpec::text("pop", "1:1,3:1,7:1", "population spectrum: eigenvalue:weight,... (weights normalised)",
                                    [](std::string_view v, std::string_view what) { parse_population(v, what); }));
    return specs;
  }

  std::unique_ptr<SpectralLaw> law(const Params& p, const StreamKey&) const override {
    return std::make_unique<theory::BaiSilverstein>(parse_population(p.text("pop"), "pop"), p.real("c"));
  }

  Draw sample(Backend& backend, const Params& p, const StreamKey& key, StageTimes& t) const override {
    const Sizes s = sizes(p);
    const auto scale = population_row_scale(parse_population(p.text("pop"), "pop"), s.rows);
    return {sample_covariance(backend, s.rows, s.cols, scale, key, 0, t).eigenvalues, {}};
  }
};

}  // namespace

std::unique_ptr<Model> make_silverstein_model() { return std::make_unique<SilversteinModel>(); }

}  // namespace rmt::bench
