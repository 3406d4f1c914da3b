// llc_gram: G = ΣᵀΣ/n, Σ = σ(WX) ∈ R^{N×n}, W ∈ R^{N×p} iid N(0,1), on a given data set X ∈ R^{p×n}
// (‖x_i‖ ≈ 1), σ centred — the Louart–Liao–Couillet deterministic equivalent built from the
// expected kernel Φ of the same data (docs/theory.md §4.1–4.2).
#include <cmath>
#include <memory>
#include <span>

#include <fmt/format.h>

#include "bench/models/common/dims.hpp"
#include "bench/models/common/data.hpp"
#include "bench/models/common/gram_features.hpp"
#include "bench/models/common/network.hpp"
#include "core/base/error.hpp"
#include "core/base/parse.hpp"
#include "theory/gaussian.hpp"
#include "theory/llc.hpp"

namespace rmt::bench {
namespace {

DataDims llc_dims(const Params& prm) { return data_dims(prm, prm.real("features")); }

class LlcGramModel final : public Model {
 public:
  std::string_view name() const override { return "llc_gram"; }
  std::string_view matrix() const override {
    return "G = ΣᵀΣ/n, Σ = σ(WX) ∈ R^{N×n}, W iid N(0,1), data X ∈ R^{p×n} from `data`, σ centred; p = c n, N = features · n";
  }
  std::string_view section() const override { return "§4.1"; }
  double finite_size_factor() const override { return 4.0; }  // docs/theory.md §9.5, as rf

  std::vector<ParamSpec> params() const override {
    std::vector<ParamSpec> specs = {
        ParamSpec::integer("n", "1000", "number of samples (columns of X)", 2, 20000),
        ParamSpec::real("c", "0.5", "p/n (data dimension over samples)", 0, 100, /*min_open=*/true),
        ParamSpec::real("features", "1.5", "N/n (random features over samples)", 0, 100, /*min_open=*/true)};
    // Φ needs n²/2 kernel values: only activations with a closed form (docs/theory.md §4.2) are affordable.
    const auto closed_form = [](ActivationKind kind, std::string_view v, std::string_view what) {
      Activation f;
      f.kind = kind;
      if (!theory::kernel_closed_form(f, 1, 0.5, 1))
        throw InputError(fmt::format("{}: '{}' has no closed-form kernel (docs/theory.md §4.2); use linear, relu, leaky_relu, "
                                     "abs, step, sign, erf, cos, sin, exp or quadratic", what, v));
    };
    for (auto& s : activation_params("relu", closed_form)) specs.push_back(std::move(s));
    for (auto& s : data_params()) specs.push_back(std::move(s));
    return specs;
  }

  Sizes sizes(const Params& p) const override {
    const auto d = llc_dims(p);
    return {d.features, d.n, d.n};
  }

  // X, W and Σ stay alive to the end of `sample`, beside G through the eigensolver.
  MemoryPlan memory_plan(const Params& prm) const override {
    const auto d = llc_dims(prm);
    const elements_t inputs = cells(d.p, d.n) + cells(d.features, d.p) + cells(d.features, d.n);
    MemoryPlan plan;
    plan.add("Σ = σ(WX)", inputs).add_eigen("gram G = ΣᵀΣ/n and eigen", inputs + cells(d.n, d.n), d.n, 0);
    return plan;
  }

  std::unique_ptr<SpectralLaw> law(const Params& prm, const StreamKey& key) const override {
    const auto d = llc_dims(prm);
    const auto x = generate_data(prm, d.p, d.n, key);
    const auto phi = theory::expected_kernel_matrix(theory::centred(activation_from(prm)), x, d.p, d.n);
    return std::make_unique<theory::RandomFeatureGram>(symmetric_eigenvalues(phi, d.n, "Φ"),
                                                       static_cast<double>(d.features) / static_cast<double>(d.n));
  }

  // method = slq: F = Σ = σ(WX) (N×n), G = FᵀF/n (side cols). The data set (p×n, generated on the
  // host as `sample` does) stays in host memory and W (N×p, stream 1) on the backend, both formed
  // once; each tile copies its columns of X to the backend and forms σ(W X_t): one call holds X_t
  // (p×t) and Z (N×t) beside W.
  bool has_gram_features(const Params&) const override { return true; }

  GramFeatures gram_features(Backend& backend, const Params& prm, const StreamKey& key) const override {
    const auto d = llc_dims(prm);
    auto data = std::make_shared<const std::vector<double>>(generate_data(prm, d.p, d.n, key));
    StreamKey wkey = key;
    wkey.stream = 1;
    auto w = std::make_shared<const Matrix>(backend.sample_gaussian(wkey, d.features, d.p));
    const Activation f = theory::centred(activation_from(prm));
    auto form = [data, w, f, d](Backend& b, index_t c0, index_t c1) {
      const std::span<const double> cols(data->data() + static_cast<std::size_t>(c0 * d.p),
                                         static_cast<std::size_t>((c1 - c0) * d.p));
      const Matrix x = b.from_host(d.p, c1 - c0, cols);
      Matrix z = b.multiply(*w, x, 1.0);
      b.apply_activation(z, f);
      return z;
    };
    return {make_feature_columns(d.features, d.n, form), 1.0 / static_cast<double>(d.n), GramSide::cols};
  }

  // The host copy of the data set (p×n doubles) is not a backend element, as in `sample` and its plan.
  elements_t slq_operator_elements(const Params& prm, OperatorStorage storage, index_t tile) const override {
    const auto d = llc_dims(prm);
    const index_t t = columns_per_call(d.features, d.n, storage, tile);
    return cells(d.features, d.p) + cells(d.p, t) + cells(d.features, t);
  }

  Draw sample(Backend& backend, const Params& prm, const StreamKey& key, StageTimes& t) const override {
    const auto d = llc_dims(prm);
    const auto data = timed(t.sample_s, [&] { return generate_data(prm, d.p, d.n, key); });
    Matrix x = timed(t.sample_s, [&] { return backend.from_host(d.p, d.n, data); });
    StreamKey wkey = key;
    wkey.stream = 1;
    Matrix w = timed(t.sample_s, [&] { return backend.sample_gaussian(wkey, d.features, d.p); });
    const Activation f = theory::centred(activation_from(prm));
    Matrix sigma = timed(t.activation_s, [&] {
      Matrix z = backend.multiply(w, x, 1.0);
      backend.apply_activation(z, f);
      return z;
    });
    Matrix g = timed(t.gram_s, [&] { return backend.gram(sigma, 1.0 / static_cast<double>(d.n), GramSide::cols); });
    return {timed(t.eig_s, [&] { return backend.eigenvalues(g); }), {}};
  }
};

}  // namespace

std::unique_ptr<Model> make_llc_gram_model() { return std::make_unique<LlcGramModel>(); }

}  // namespace rmt::bench
