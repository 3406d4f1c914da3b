// silverstein: S = Σ^{1/2} X Xᵀ Σ^{1/2} / n with a discrete population spectrum (docs/theory.md §1.2).
#include "bench/models/common/population.hpp"
#include "bench/models/common/sample_covariance.hpp"
#include "theory/silverstein.hpp"

namespace rmt::bench {
namespace {

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
    return {sample_covariance(backend, s.rows, s.cols, row_scale(p), key, 0, t).eigenvalues, {}};
  }

 protected:
  std::vector<double> row_scale(const Params& p) const override {
    return population_row_scale(parse_population(p.text("pop"), "pop"), sizes(p).rows);
  }
};

}  // namespace

std::unique_ptr<Model> make_silverstein_model() { return std::make_unique<SilversteinModel>(); }

}  // namespace rmt::bench
