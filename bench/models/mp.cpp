// mp: S = XXᵀ/n, X ∈ R^{p×n} iid N(0, σ²) — Marchenko–Pastur (docs/theory.md §1.1).
#include <cmath>

#include "bench/models/common/sample_covariance.hpp"
#include "theory/mp.hpp"

namespace rmt::bench {
namespace {

class MpModel final : public SampleCovarianceModel {
 public:
  std::string_view name() const override { return "mp"; }
  std::string_view matrix() const override { return "S = XXᵀ/n, X ∈ R^{p×n} iid N(0, σ²), p = c n"; }
  std::string_view section() const override { return "§1.1"; }

  std::vector<ParamSpec> params() const override {
    auto specs = sample_covariance_params();
    specs.push_back(ParamSpec::real("sigma2", "1", "entry variance σ²", 0, 1e6, /*min_open=*/true));
    return specs;
  }

  std::unique_ptr<SpectralLaw> law(const Params& p, const StreamKey&) const override {
    return std::make_unique<theory::MarchenkoPastur>(p.real("c"), p.real("sigma2"));
  }

  Draw sample(Backend& backend, const Params& p, const StreamKey& key, StageTimes& t) const override {
    const Sizes s = sizes(p);
    return {sample_covariance(backend, s.rows, s.cols, row_scale(p), key, 0, t).eigenvalues, {}};
  }

 protected:
  std::vector<double> row_scale(const Params& p) const override {
    return std::vector<double>(static_cast<std::size_t>(sizes(p).rows), std::sqrt(p.real("sigma2")));
  }
};

}  // namespace

std::unique_ptr<Model> make_mp_model() { return std::make_unique<MpModel>(); }

}  // namespace rmt::bench
