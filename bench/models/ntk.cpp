// ntk: the neural tangent kernel of a one-hidden-layer network f(x) = wᵀσ(Wx)/√d1 (docs/theory.md §3.5):
// K = X1ᵀX1 + (DᵀD/d1) ⊙ (X0ᵀX0), D_ki = w_k σ'(W_k x_i). The output weights w are normalised to
// ‖w‖² = d1, which removes the global O(d1^{-1/2}) shift of the spectrum docs/theory.md §3.5 warns about.
// Deeper networks: the [U] linearisation of §3.5 is checked by simulation in
// tests/test_deep_ntk_linearisation.cpp (it holds, slowly for ReLU: spectra KS 0.115 at depth 3, n = 1600).
#include <cmath>

#include <fmt/format.h>

#include "bench/models/common/deep.hpp"
#include "bench/models/common/network.hpp"
#include "core/base/error.hpp"
#include "core/base/parse.hpp"
#include "theory/ntk.hpp"

namespace rmt::bench {
namespace {

class NtkModel final : public Model {
 public:
  std::string_view name() const override { return "ntk"; }
  std::string_view matrix() const override {
    return "K = X1ᵀX1 + (DᵀD/d1) ⊙ (X0ᵀX0), X0 = G/√d0, X1 = σ(WX0)/√d1, D = diag(w) σ'(WX0), ‖w‖² = d1";
  }
  double finite_size_factor() const override { return 4.0; }  // docs/theory.md §9.5
  std::string_view section() const override { return "§3.5"; }

  int unpredicted_outliers(const Params& p) const override { return second_hermite_outliers(p, 1); }

  std::vector<ParamSpec> params() const override {
    std::vector<ParamSpec> specs = {
        ParamSpec::integer("n", "2000", "number of samples", 2, 1e7),
        ParamSpec::real("gamma0", "0.667", "γ0 = n/d0 (input dimension d0)", 0, 100, /*min_open=*/true),
        ParamSpec::real("gamma1", "0.8", "γ1 = n/d1 (hidden width d1)", 0, 100, /*min_open=*/true)};
    const auto finite_derivative = [](ActivationKind kind, std::string_view v, std::string_view what) {
      if (kind == ActivationKind::sign || kind == ActivationKind::step)
        throw InputError(fmt::format("{}: '{}' has a jump, so E σ'(ξ)² (the NTK's a_σ) is infinite", what, v));
    };
    for (auto& s : activation_params("relu", finite_derivative)) specs.push_back(std::move(s));
    return specs;
  }

  NetworkShape shape(const Params& p) const {
    return network_shape(p.integer("n"), p.real("gamma0"), {p.real("gamma1")});
  }

  Sizes sizes(const Params& p) const override {
    const auto s = shape(p);
    return {s.widths[1], s.n, s.n};
  }

  // X0, X1 and D stay alive to the end of `sample`; the three Gram matrices coexist while the kernel
  // is assembled, then the kernel alone goes to the eigensolver.
  MemoryPlan memory_plan(const Params& p) const override {
    const auto s = shape(p);
    const elements_t x0 = layer_elements(s, 0), x1 = layer_elements(s, 1), nn = cells(s.n, s.n);
    MemoryPlan plan;
    plan.add("sample X0", x0 + static_cast<elements_t>(s.widths[0]))
        .add("X1 = σ(WX0)", x0 + preactivation_elements(s, 1))
        .add("D = σ'(WX0)", x0 + x1 + preactivation_elements(s, 1) + static_cast<elements_t>(s.widths[1]))
        .add("kernel from three Gram matrices", x0 + 2 * x1 + 3 * nn)
        .add_eigen("eigen", x0 + 2 * x1 + nn, s.n, 0);
    return plan;
  }

  std::unique_ptr<SpectralLaw> law(const Params& p, const StreamKey& key) const override {
    return law_hermite_a1(p, key, 1.0);
  }
  std::string_view aspect_param() const override { return "gamma0"; }
  // b = E σ'(ξ) (the first Hermite coefficient of the normalised σ) scaled; a = E σ'(ξ)² kept.
  std::unique_ptr<SpectralLaw> law_hermite_a1(const Params& p, const StreamKey&, double factor) const override {
    const auto act = normalised_activation(p);
    return std::make_unique<theory::NeuralTangentKernel>(act.a, factor * act.b, p.real("gamma0"), p.real("gamma1"));
  }

  Draw sample(Backend& backend, const Params& p, const StreamKey& key, StageTimes& t) const override {
    const auto s = shape(p);
    const auto act = normalised_activation(p);
    const index_t d1 = s.widths[1];
    const Matrix x0 = sample_input(backend, s, key, t);
    Matrix x1 = preactivation(backend, s, 1, x0, key, t);
    Matrix d = preactivation(backend, s, 1, x0, key, t);  // the same W X0, recomputed (no copy operation)
    activate_layer(backend, x1, act.sigma, d1, t);
    timed(t.activation_s, [&] {
      backend.apply_derivative(d, act.sigma);  // raw f'; σ' = f'/sd folded into the row scales below
      backend.scale_rows(d, output_weights(key, d1, act.sigma.scale / std::sqrt(static_cast<double>(d1))));
    });
    Matrix k = timed(t.gram_s, [&] {
      Matrix features = backend.gram(x1, 1.0, GramSide::cols);
      Matrix tangent = backend.gram(d, 1.0, GramSide::cols);
      const Matrix input = backend.gram(x0, 1.0, GramSide::cols);
      backend.hadamard(tangent, input);
      backend.add_scaled(features, tangent, 1.0);
      return features;
    });
    return {timed(t.eig_s, [&] { return backend.eigenvalues(k); }), {}};
  }

 private:
  // w_k · factor with w ~ N(0, I_{d1}) from stream 2, rescaled to ‖w‖² = d1.
  static std::vector<double> output_weights(const StreamKey& key, index_t d1, double factor) {
    StreamKey wkey = key;
    wkey.stream = 2;
    std::vector<double> w(static_cast<std::size_t>(d1));
    double norm2 = 0;
    for (index_t k = 0; k < d1; ++k) norm2 += (w[k] = gaussian_at(wkey, static_cast<std::uint64_t>(k))) * w[k];
    const double rescale = std::sqrt(static_cast<double>(d1) / norm2) * factor;
    for (auto& v : w) v *= rescale;
    return w;
  }
};

}  // namespace

std::unique_ptr<Model> make_ntk_model() { return std::make_unique<NtkModel>(); }

}  // namespace rmt::bench
