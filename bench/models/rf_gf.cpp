// rf_gf: the random-feature readout of llc_ridge trained by gradient flow on ‖y − Σᵀβ‖²/(2n) from
// β(0) = 0 (docs/theory.md §7.3): β(t) = (1/n) Σ φ_t(G) y, φ_t(g) = (1 − e^{−tg})/g, G = ΣᵀΣ/n, so the training
// error is (1/n) yᵀe^{−2tG}y. Every time of the curve comes from one eigendecomposition per draw;
// the test MSE is measured on the independent test set (label noise included). Theory: the LLC
// resolvent equivalent under a Talbot inverse Laplace transform (train) and the two-point
// equivalent of §7.3 (test).
#include <algorithm>
#include <cmath>
#include <functional>

#include "bench/curve_model.hpp"
#include "bench/models/common/rf_features.hpp"
#include "bench/models/common/regression.hpp"
#include "theory/rf_dynamics.hpp"

namespace rmt::bench {
namespace {

class RandomFeatureFlowModel final : public CurveModel {
 public:
  std::string_view name() const override { return "rf_gf"; }
  std::string_view matrix() const override {
    return "random-feature readout trained by gradient flow from 0: β(t) = Σφ_t(G)y/n, G = ΣᵀΣ/n, Σ = σ(WX) ∈ R^{N×n}, "
           "data and targets as llc_ridge; train MSE yᵀe^{−2tG}y/n and test MSE on an independent test set (label noise "
           "included) along t";
  }
  std::string_view section() const override { return "§7.3"; }
  std::vector<std::string> axes() const override { return {"t"}; }

  std::vector<ParamSpec> params() const override {
    std::vector<ParamSpec> specs = feature_size_params("600", "0.3333", "0.6667", /*features_grid=*/false);
    specs.push_back(ParamSpec::grid("t", "0.1,1,10,100", "times (a grid; also --t)", 0, 1e6));
    for (auto& s : activation_params("relu", closed_form_kernel_only())) specs.push_back(std::move(s));
    for (auto& s : labelled_data_params()) specs.push_back(std::move(s));
    return specs;
  }

  Sizes sizes(const Params& p) const override {
    const FeatureDims d = dims(p);
    return {d.features, d.n, std::min(d.features, d.n)};
  }

  // X, X̂, W, Σ, Σ̂ throughout, the readout's phases, then the predictions at every time.
  MemoryPlan memory_plan(const Params& p) const override {
    const FeatureDims d = dims(p);
    const elements_t kept = cells(d.p, d.n) + cells(d.p, d.n_test) + cells(d.p, d.features) +
                            cells(d.features, d.n) + cells(d.features, d.n_test);
    MemoryPlan plan;
    plan.add("features Σ, Σ̂", kept).append(feature_readout_plan(d.features, d.n, d.n_test, kept));
    plan.append(readout_errors_plan(d.features, d.n, d.n_test, curve_axis(*this, p).values.size(),
                                    kept + feature_readout_kept(d.features, d.n, d.n_test)));
    return plan;
  }

  void validate(const Params& p) const override { validate_labelled_data(p, dims(p).p); }

  double relative_tolerance(const Params& p) const override {
    // docs/theory.md §7.3, §9.5: train errors within ~0.6% at p = 200, n = 600, N = 400, late-time GF up to 4%;
    // measured (200 draws) ≤ 1.5% at p = 100, n = 300, N = 200: 4/min leaves a factor of ~3.
    const FeatureDims d = dims(p);
    return std::max(0.01, 4.0 / static_cast<double>(std::min({d.n, d.p, d.features})));
  }

  std::vector<RiskPoint> theory(const Params& p, const CurveAxis& axis) const override {
    const FeatureDims d = dims(p);
    const LabelledData data = labelled_data(p, d.p, d.n);
    const Activation f = activation_from(p);
    const auto features = static_cast<double>(d.features);
    const auto train = theory::rf_gf_train_error(f, data.x, data.p, data.n, data.y, features, axis.values);
    const auto test =
        theory::rf_gf_test_error(f, data.x, data.y, data.x_test, data.y_test, data.p, features, axis.values);
    std::vector<RiskPoint> out(axis.values.size());
    for (std::size_t i = 0; i < out.size(); ++i) {
      out[i].train = train[i];
      out[i].test = test[i];
    }
    return out;
  }

  CurveDraw sample(Backend& backend, const Params& p, const CurveAxis& axis, const StreamKey& key,
                   StageTimes& t) const override {
    const FeatureDims d = dims(p);
    const LabelledData data = timed(t.sample_s, [&] { return labelled_data(p, d.p, d.n); });
    const Matrix x = backend.from_host(data.p, data.n, data.x), x_test = backend.from_host(data.p, data.n_test, data.x_test);
    const Matrix w = sample_weights(backend, {key.seed, key.case_key, key.replicate, 1}, data.p, d.features, t);
    const FeatureMatrices sigma = activation_features(backend, w, x, x_test, activation_from(p), t);
    const FeatureReadout readout(backend, sigma.train, sigma.test, data.y, data.y_test, t);
    std::vector<std::function<double(double)>> filters;
    for (const double time : axis.values) filters.push_back([time](double g) { return flow_filter(g, time, 0.0); });
    return readout.errors(filters, t);
  }

 private:
  static FeatureDims dims(const Params& p) { return feature_dims(p, p.real("features")); }
};

}  // namespace

std::unique_ptr<CurveModel> make_rf_gf_model() { return std::make_unique<RandomFeatureFlowModel>(); }

}  // namespace rmt::bench
