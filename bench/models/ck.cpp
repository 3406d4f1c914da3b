// ck: the conjugate kernel X_Lᵀ X_L of a deep random network (Fan–Wang, docs/theory.md §3.4).
#include <memory>

#include <fmt/format.h>

#include "bench/models/common/deep.hpp"
#include "bench/models/common/gram_features.hpp"
#include "bench/models/common/network.hpp"
#include "theory/conjugate_kernel.hpp"

namespace rmt::bench {
namespace {

class CkModel final : public Model {
 public:
  std::string_view name() const override { return "ck"; }
  std::string_view matrix() const override {
    return "X_Lᵀ X_L (n×n), X0 = G/√d0, X_ℓ = σ(W_ℓ X_{ℓ-1})/√d_ℓ, W_ℓ iid N(0,1), σ normalised; γ_ℓ = n/d_ℓ";
  }
  double finite_size_factor() const override { return 4.0; }  // docs/theory.md §9.5
  std::string_view section() const override { return "§3.4"; }

  int unpredicted_outliers(const Params& p) const override { return second_hermite_outliers(p, static_cast<int>(parse_layer_ratios(p.text("gammas"), "gammas").size())); }

  std::vector<ParamSpec> params() const override {
    std::vector<ParamSpec> specs = {
        ParamSpec::integer("n", "2000", "number of samples", 2, 1e7),
        ParamSpec::real("gamma0", "0.667", "γ0 = n/d0 (input dimension d0)", 0, 100, /*min_open=*/true),
        ParamSpec::text("gammas", "0.8,1.25", "γ_ℓ = n/d_ℓ per hidden layer, comma-separated",
                        [](std::string_view v, std::string_view what) { parse_layer_ratios(v, what); })};
    for (auto& s : activation_params("relu")) specs.push_back(std::move(s));
    return specs;
  }

  NetworkShape shape(const Params& p) const {
    return deep_network_shape(p);
  }

  Sizes sizes(const Params& p) const override {
    const auto s = shape(p);
    return {s.widths.back(), s.n, s.n};
  }

  // Only the previous layer's X is kept through the forward pass; then X_L and its Gram matrix, then
  // the Gram matrix alone (X_L released) through the eigensolver.
  MemoryPlan memory_plan(const Params& p) const override {
    const auto s = shape(p);
    const int depth = static_cast<int>(s.widths.size()) - 1;
    MemoryPlan plan;
    plan.add("sample X0", layer_elements(s, 0) + static_cast<elements_t>(s.widths[0]));
    for (int l = 1; l <= depth; ++l)
      plan.add(fmt::format("layer {}", l), layer_elements(s, l - 1) + preactivation_elements(s, l));
    plan.add("gram X_LᵀX_L", layer_elements(s, depth) + cells(s.n, s.n)).add_eigen("eigen", cells(s.n, s.n), s.n, 0);
    return plan;
  }

  std::unique_ptr<SpectralLaw> law(const Params& p, const StreamKey& key) const override {
    return law_hermite_a1(p, key, 1.0);
  }
  std::string_view aspect_param() const override { return "gamma0"; }
  // b = E σ'(ξ) is the first Hermite coefficient of the normalised σ.
  std::unique_ptr<SpectralLaw> law_hermite_a1(const Params& p, const StreamKey&, double factor) const override {
    return std::make_unique<theory::ConjugateKernel>(factor * normalised_activation(p).b, p.real("gamma0"),
                                                     parse_layer_ratios(p.text("gammas"), "gammas"));
  }

  // method = slq: F = X_L (d_L×n), the kernel FᵀF (side cols). The weights of every layer are drawn
  // once (whole, from the streams `sample` uses) and kept; each tile runs its columns of X0 through
  // the network (bench/models/common/deep.hpp, forward_columns).
  bool has_gram_features(const Params&) const override { return true; }

  GramFeatures gram_features(Backend& backend, const Params& p, const StreamKey& key) const override {
    const auto s = shape(p);
    auto weights = std::make_shared<const std::vector<Matrix>>(sample_all_weights(backend, s, key));
    const Activation sigma = normalised_activation(p).sigma;
    auto form = [weights, sigma, s, key](Backend& b, index_t c0, index_t c1) {
      return forward_columns(b, s, sigma, *weights, key, c0, c1);
    };
    return {make_feature_columns(s.widths.back(), s.n, form), 1.0, GramSide::cols};
  }

  elements_t slq_operator_elements(const Params& p, OperatorStorage storage, index_t tile) const override {
    const auto s = shape(p);
    return all_weights_elements(s) + forward_columns_elements(s, columns_per_call(s.widths.back(), s.n, storage, tile));
  }

  Draw sample(Backend& backend, const Params& p, const StreamKey& key, StageTimes& t) const override {
    const auto s = shape(p);
    const auto sigma = normalised_activation(p).sigma;
    Matrix x = sample_input(backend, s, key, t);
    for (int layer = 1; layer < static_cast<int>(s.widths.size()); ++layer) {
      Matrix h = preactivation(backend, s, layer, x, key, t);
      activate_layer(backend, h, sigma, s.widths[layer], t);
      x = std::move(h);
    }
    Matrix ck = timed(t.gram_s, [&] { return backend.gram(x, 1.0, GramSide::cols); });
    x = Matrix();
    return {timed(t.eig_s, [&] { return backend.eigenvalues(ck); }), {}};
  }
};

}  // namespace

std::unique_ptr<Model> make_ck_model() { return std::make_unique<CkModel>(); }

}  // namespace rmt::bench
