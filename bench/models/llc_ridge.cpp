// llc_ridge: random-feature ridge regression on a given data set (docs/theory.md §4.3, Louart–Liao–Couillet).
// Features Σ = σ(WX) ∈ R^{N×n}, W iid N(0,1) redrawn each replicate, readout
// β = (1/n) Σ (ΣᵀΣ/n + γ I)⁻¹ y; the training MSE (1/n)‖y − Σᵀβ‖² and the test MSE (1/n̂)‖ŷ − Σ̂ᵀβ‖²
// on an independent test set (label noise included, as the LLC equivalent predicts it) against
// Ē_train and Ē_test built from the expected kernel Φ of the same data. One eigendecomposition per
// draw serves the whole γ grid; a features grid nests its weights (bench/models/common/rf_features.hpp).
#include <algorithm>
#include <cmath>

#include "bench/curve_model.hpp"
#include "bench/models/common/rf_features.hpp"
#include "theory/llc_ridge.hpp"

namespace rmt::bench {
namespace {

class LlcRidgeModel final : public CurveModel {
 public:
  std::string_view name() const override { return "llc_ridge"; }
  std::string_view matrix() const override {
    return "random-feature ridge β = Σ(ΣᵀΣ/n + γ)⁻¹y/n, Σ = σ(WX) ∈ R^{N×n}, W iid N(0,1), on a data set with targets "
           "(gmm: ±1 labels; gaussian/sphere: linear teacher) + noise; train MSE and test MSE on an independent test set "
           "(test includes the label noise)";
  }
  std::string_view section() const override { return "§4.3"; }
  std::vector<std::string> axes() const override { return {"gamma", "features"}; }

  std::vector<ParamSpec> params() const override {
    std::vector<ParamSpec> specs = feature_size_params("1024", "0.25", "0.5", /*features_grid=*/true);
    specs.push_back(ParamSpec::grid("gamma", "0.01:1:5log", "ridge γ > 0 (may be a grid)", 0, 1e6, /*min_open=*/true));
    for (auto& s : activation_params("relu", closed_form_kernel_only())) specs.push_back(std::move(s));
    for (auto& s : labelled_data_params()) specs.push_back(std::move(s));
    return specs;
  }

  Sizes sizes(const Params& p) const override {
    const FeatureDims d = largest_feature_dims(p);
    return {d.features, d.n, std::min(d.features, d.n)};
  }

  // X, X̂ throughout; per distinct N (as ridge_curve) W, Σ and Σ̂ and the readout's phases while
  // the previous readout's B is still held, then the predictions of the new readout.
  MemoryPlan memory_plan(const Params& p) const override {
    const FeatureDims top = largest_feature_dims(p);
    const index_t n = top.n, nt = top.n_test, dp = top.p;
    const elements_t data = cells(dp, n) + cells(dp, nt);
    MemoryPlan plan;
    plan.add("data X, X̂", data);
    elements_t previous = 0;  // B of the previous readout
    for (const index_t f : readout_feature_counts(p, curve_axis(*this, p))) {
      const elements_t features = data + previous + cells(dp, f) + cells(f, n) + cells(f, nt);
      plan.add("features Σ, Σ̂", features).append(feature_readout_plan(f, n, nt, features));
      previous = feature_readout_kept(f, n, nt);
      plan.append(readout_errors_plan(f, n, nt, 1, data + previous));
    }
    return plan;
  }

  void validate(const Params& p) const override { validate_labelled_data(p, largest_feature_dims(p).p); }

  double relative_tolerance(const Params& p) const override {
    // docs/theory.md §9.5: within 1–2 s.e. at p = 256, n = 1024, N = 512. The bias shrinks like 1/size: measured
    // (200 draws) 1–2% at p = 64, n = 256, N = 128 (≈ 1.2/min), so 4/min leaves a factor of ~3.
    const FeatureDims d = feature_dims(p, min_features(p));
    return std::max(0.01, 4.0 / static_cast<double>(std::min({d.n, d.p, d.features})));
  }

  std::vector<RiskPoint> theory(const Params& p, const CurveAxis& axis) const override {
    const FeatureDims top = largest_feature_dims(p);
    const LabelledData data = labelled_data(p, top.p, top.n);
    const Activation f = activation_from(p);
    std::vector<RiskPoint> out;
    for (std::size_t i = 0; i < axis.values.size(); ++i) {
      const Params q = at_point(p, axis, i);
      const auto features = static_cast<double>(feature_dims(q, q.real("features")).features);
      const auto r = theory::llc_ridge(f, data.x, data.y, data.x_test, data.y_test, data.p, features, q.real("gamma"));
      RiskPoint point;
      point.train = r.train;
      point.test = r.test;
      out.push_back(point);
    }
    return out;
  }

  CurveDraw sample(Backend& backend, const Params& p, const CurveAxis& axis, const StreamKey& key,
                   StageTimes& t) const override {
    const FeatureDims top = largest_feature_dims(p);
    const LabelledData data = timed(t.sample_s, [&] { return labelled_data(p, top.p, top.n); });
    const Matrix x = backend.from_host(data.p, data.n, data.x), x_test = backend.from_host(data.p, data.n_test, data.x_test);
    const Activation f = activation_from(p);
    return ridge_curve(p, axis, t, [&](index_t features) {
      const Matrix w = sample_weights(backend, {key.seed, key.case_key, key.replicate, 1}, data.p, features, t);
      const FeatureMatrices sigma = activation_features(backend, w, x, x_test, f, t);
      return FeatureReadout(backend, sigma.train, sigma.test, data.y, data.y_test, t);
    });
  }

 private:
  static double min_features(const Params& p) {
    const auto ratios = p.grid("features");
    return *std::min_element(ratios.begin(), ratios.end());
  }
};

}  // namespace

std::unique_ptr<CurveModel> make_llc_ridge_model() { return std::make_unique<LlcRidgeModel>(); }

}  // namespace rmt::bench
