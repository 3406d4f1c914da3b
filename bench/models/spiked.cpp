// spiked: Σ = I + Σ_i ℓ_i e_i e_iᵀ, S = Σ^{1/2}XXᵀΣ^{1/2}/n — BBP outliers and alignments (docs/theory.md §2).
#include <algorithm>
#include <cmath>
#include <functional>

#include <fmt/format.h>

#include "bench/models/common/sample_covariance.hpp"
#include "core/base/error.hpp"
#include "core/base/parse.hpp"
#include "theory/mp.hpp"
#include "theory/spiked.hpp"

namespace rmt::bench {
namespace {

// Spikes sorted in decreasing order (spike i of the sorted list sits on coordinate i).
std::vector<double> parse_spikes(std::string_view text, std::string_view what) {
  if (trim(text).empty()) return {};
  auto spikes = parse_real_list(text, what);
  for (const double s : spikes)
    if (!(s >= 0)) throw InputError(fmt::format("{}: spike {} must be non-negative", what, s));
  std::sort(spikes.begin(), spikes.end(), std::greater<>());
  return spikes;
}

class SpikedModel final : public SampleCovarianceModel {
 public:
  std::string_view name() const override { return "spiked"; }
  std::string_view matrix() const override {
    return "S = Σ^{1/2}XXᵀΣ^{1/2}/n, Σ = I + Σ_i ℓ_i e_i e_iᵀ, X ∈ R^{p×n} iid N(0,1)";
  }
  std::string_view section() const override { return "§2"; }

  std::vector<ParamSpec> params() const override {
    auto specs = sample_covariance_params();
    specs.push_back(ParamSpec::text("spikes", "2,4", "spike strengths ℓ_i ≥ 0, comma-separated (outlier iff ℓ > √c)",
                                    [](std::string_view v, std::string_view what) { parse_spikes(v, what); }));
    return specs;
  }

  std::unique_ptr<SpectralLaw> law(const Params& p, const StreamKey&) const override {
    return std::make_unique<theory::MarchenkoPastur>(p.real("c"), 1.0);
  }

  std::vector<Outlier> theory_outliers(const Params& p) const override {
    std::vector<Outlier> out;
    for (const auto& s : theory::spike_predictions(parse_spikes(p.text("spikes"), "spikes"), p.real("c")))
      if (s.separated)
        out.push_back({s.spike, s.position, s.alignment, 0.0,
                       std::sqrt(s.position_variance / static_cast<double>(p.integer("n")))});
    return out;
  }

  int tracked_spikes(const Params& p) const override {
    return static_cast<int>(parse_spikes(p.text("spikes"), "spikes").size());
  }

  Draw sample(Backend& backend, const Params& p, const StreamKey& key, StageTimes& t) const override {
    const Sizes s = sizes(p);
    const auto spikes = parse_spikes(p.text("spikes"), "spikes");
    const auto k = static_cast<index_t>(spikes.size());
    auto draw = sample_covariance(backend, s.rows, s.cols, row_scale(p), key, k, t);
    Draw out{std::move(draw.eigenvalues), {}};
    // The j-th largest eigenpair goes with the j-th largest spike, which sits on coordinate j.
    for (index_t j = 0; j < k; ++j) {
      const index_t column = k - 1 - j;  // vectors are ascending
      const double component = draw.top.vectors[static_cast<std::size_t>(j + column * s.rows)];
      const double value = out.eigenvalues[static_cast<std::size_t>(s.rows - 1 - j)];
      out.outliers.push_back({spikes[j], value, component * component});
    }
    return out;
  }

 protected:
  // √(1 + ℓ_i) on the first coordinates, 1 elsewhere (throws when the spikes do not fit).
  std::vector<double> row_scale(const Params& p) const override {
    const index_t rows = sizes(p).rows;
    const auto spikes = parse_spikes(p.text("spikes"), "spikes");
    if (static_cast<index_t>(spikes.size()) > rows)
      throw InputError(fmt::format("spiked: {} spikes do not fit in dimension p = {}", spikes.size(), rows));
    std::vector<double> scale(static_cast<std::size_t>(rows), 1.0);
    for (std::size_t i = 0; i < spikes.size(); ++i) scale[i] = std::sqrt(1.0 + spikes[i]);
    return scale;
  }
};

}  // namespace

std::unique_ptr<Model> make_spiked_model() { return std::make_unique<SpikedModel>(); }

}  // namespace rmt::bench
