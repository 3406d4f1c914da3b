// rf: M = YYᵀ/n, Y = f(WX/√p), W ∈ R^{N×p}, X ∈ R^{p×n} iid N(0,1), f centred — the
// random-feature Gram matrix of Pennington–Worah (docs/theory.md §3.1). With centred = 0 the mean μ0 of f
// adds μ0² N uuᵀ (u = 1/√N): a rank-one outlier, predicted to first order and kept out of the bulk.
#include <algorithm>
#include <cmath>
#include <memory>
#include <mutex>
#include <string>

#include "bench/models/common/dims.hpp"
#include "bench/models/common/gram_features.hpp"
#include "bench/models/common/gram_rows.hpp"
#include "bench/models/common/network.hpp"
#include "theory/gaussian.hpp"
#include "theory/pennington_worah.hpp"

namespace rmt::bench {
namespace {

struct RfDims {
  index_t n, p, features;
};

RfDims rf_dims(const Params& prm) {
  const index_t n = prm.integer("n");
  const index_t p = dimension_times(n, prm.real("phi"));
  return {n, p, dimension_over(p, prm.real("psi"))};
}

// The Pennington–Worah law of rf's activation: η = E f_c² (f_c = f − μ0; less μ2² when `drop_mu2`),
// ζ = (a1_factor·μ1)².
std::unique_ptr<SpectralLaw> pennington_worah(const Params& p, double a1_factor, bool drop_mu2) {
  const auto h = theory::hermite_coefficients(activation_from(p));
  const double mu2 = drop_mu2 ? droppable_mu2(p) : 0.0;
  const double eta = h.second_moment - h.mu0 * h.mu0 - mu2 * mu2;
  const double mu1 = a1_factor * h.mu1;
  return std::make_unique<theory::PenningtonWorah>(eta, mu1 * mu1, p.real("phi"), p.real("psi"));
}

class RfModel final : public Model {
 public:
  std::string_view name() const override { return "rf"; }
  std::string_view matrix() const override {
    return "M = YYᵀ/n, Y = f(WX/√p), W ∈ R^{N×p}, X ∈ R^{p×n} iid N(0,1), f centred (unless centred = 0); "
           "p = φn, N = p/ψ";
  }
  double finite_size_factor() const override { return 4.0; }  // docs/theory.md §9.5
  std::string_view section() const override { return "§3.1"; }

  std::vector<ParamSpec> params() const override {
    std::vector<ParamSpec> specs = {
        ParamSpec::integer("n", "2000", "number of samples (columns of X)", 2, 1e7),
        ParamSpec::real("phi", "0.5", "φ = p/n (input dimension over samples)", 0, 100, /*min_open=*/true),
        ParamSpec::real("psi", "0.8", "ψ = p/N (input dimension over features)", 0, 100, /*min_open=*/true)};
    for (auto& s : activation_params("relu")) specs.push_back(std::move(s));
    specs.push_back(ParamSpec::integer("centred", "1", "1: f - E f(ξ); 0: raw f, whose mean μ0 gives a rank-one outlier", 0, 1));
    return specs;
  }

  // The mean outlier of a non-centred f (predict_outliers), computed once per parameter set:
  // build_theory, tracked_spikes, memory_plan and the sample of every replicate ask for it.
  std::vector<Outlier> theory_outliers(const Params& p) const override {
    const std::string key = p.canonical();
    const std::lock_guard lock(memo_mutex_);
    if (key != memo_key_) {
      memo_outliers_ = predict_outliers(p);
      memo_key_ = key;
    }
    return memo_outliers_;
  }
  int tracked_spikes(const Params& p) const override { return static_cast<int>(theory_outliers(p).size()); }

  // The second Hermite coefficient μ2 leaves a rank-two term (μ2/√2)(a1ᵀ + 1bᵀ) in Y, with
  // a_i = ‖w_i‖²/p - 1 and b_j = ‖x_j‖²/p - 1 (docs/theory.md §3.2: Gaussian equivalence misses μ2 effects),
  // of strength μ2²/ψ: it can lift up to two eigenvalues above the PW edge (|x|: 0.40 at ψ = 0.8).
  int unpredicted_outliers(const Params& p) const override { return second_hermite_outliers(p, 1); }

  Sizes sizes(const Params& p) const override {
    const auto d = rf_dims(p);
    return {d.features, d.n, d.features};
  }

  // W and X, then Z = WX beside them; W and X are released before M = YYᵀ/n; Y before the
  // eigensolver (which copies M for the mean outlier's eigenvector when f is not centred).
  MemoryPlan memory_plan(const Params& prm) const override {
    const auto d = rf_dims(prm);
    MemoryPlan plan;
    plan.add("sample W, X", cells(d.features, d.p) + cells(d.p, d.n))
        .add("Y = f(WX/√p)", cells(d.features, d.p) + cells(d.p, d.n) + cells(d.features, d.n))
        .add("gram M = YYᵀ/n", cells(d.features, d.n) + cells(d.features, d.features))
        .add_eigen("eigen M", cells(d.features, d.features), d.features, tracked_spikes(prm));
    return plan;
  }

  std::unique_ptr<SpectralLaw> law(const Params& p, const StreamKey& key) const override {
    return law_hermite_a1(p, key, 1.0);
  }
  std::string_view aspect_param() const override { return "phi"; }
  // η = E f_c² kept, ζ = (factor·μ1)².
  std::unique_ptr<SpectralLaw> law_hermite_a1(const Params& p, const StreamKey&, double factor) const override {
    return pennington_worah(p, factor, false);
  }
  // η = E f_c² − μ2², ζ = μ1².
  std::unique_ptr<SpectralLaw> law_without_mu2(const Params& p, const StreamKey&) const override {
    return pennington_worah(p, 1.0, true);
  }

  // method = slq: F = Y = f(WX/√p) (N×n), M = F Fᵀ/n (side rows). W (N×p, stream 1) is drawn once
  // and kept; each tile draws its columns of X (offset c0·p of the same stream as `sample`) and
  // forms Z = WX_t/√p, then f in place, so one call holds X_t (p×t) and Z (N×t) beside W.
  bool has_gram_features(const Params&) const override { return true; }

  GramFeatures gram_features(Backend& backend, const Params& prm, const StreamKey& key) const override {
    const auto d = rf_dims(prm);
    StreamKey wkey = key;
    wkey.stream = 1;
    auto w = std::make_shared<const Matrix>(backend.sample_gaussian(wkey, d.features, d.p));
    const Activation f = prm.integer("centred") == 1 ? theory::centred(activation_from(prm)) : activation_from(prm);
    auto form = [w, f, key, d](Backend& b, index_t c0, index_t c1) {
      const Matrix x = b.sample_gaussian(key, d.p, c1 - c0, {}, static_cast<std::uint64_t>(c0) * static_cast<std::uint64_t>(d.p));
      Matrix z = b.multiply(*w, x, 1.0 / std::sqrt(static_cast<double>(d.p)));
      b.apply_activation(z, f);
      return z;
    };
    return {make_feature_columns(d.features, d.n, form), 1.0 / static_cast<double>(d.n), GramSide::rows};
  }

  elements_t slq_operator_elements(const Params& prm, OperatorStorage storage, index_t tile) const override {
    const auto d = rf_dims(prm);
    const index_t t = columns_per_call(d.features, d.n, storage, tile);
    return cells(d.features, d.p) + cells(d.p, t) + cells(d.features, t);
  }

  // method = distributed: rows R of Y = f(W_R X/√p). A rank forms W_R (its rows of W, stream 1, each
  // drawn on its own) on the first call and keeps it; each call draws its columns of X whole (all p
  // rows: every row of Y needs them) and multiplies.
  bool has_gram_rows(const Params&) const override { return true; }

  GramRows gram_rows(Backend& backend, const Params& prm, const StreamKey& key) const override {
    const auto d = rf_dims(prm);
    StreamKey wkey = key;
    wkey.stream = 1;
    const Activation f = prm.integer("centred") == 1 ? theory::centred(activation_from(prm)) : activation_from(prm);
    struct WeightRows {
      std::vector<RowRange> ranges;
      Matrix w;  // rows `ranges` of W
    };
    auto kept = std::make_shared<WeightRows>();
    Backend* b = &backend;
    auto form = [b, kept, f, key, wkey, d](std::span<const RowRange> ranges, index_t c0, index_t c1) {
      const index_t m = stacked_rows(ranges);
      if (m == 0) return std::vector<double>();
      const bool same = kept->w.rows() == m && std::equal(ranges.begin(), ranges.end(), kept->ranges.begin(),
                                                           kept->ranges.end(), [](const RowRange& x, const RowRange& y) {
                                                             return x.first == y.first && x.last == y.last;
                                                           });
      if (!same) {
        kept->ranges.assign(ranges.begin(), ranges.end());
        kept->w = b->from_host(m, d.p, gaussian_rows(wkey, d.features, ranges, 0, d.p));
      }
      const Matrix x =
          b->sample_gaussian(key, d.p, c1 - c0, {}, static_cast<std::uint64_t>(c0) * static_cast<std::uint64_t>(d.p));
      Matrix z = b->multiply(kept->w, x, 1.0 / std::sqrt(static_cast<double>(d.p)));
      b->apply_activation(z, f);
      return b->to_host(z);
    };
    return {make_feature_rows(d.features, d.n, form), 1.0 / static_cast<double>(d.n)};
  }

  Draw sample(Backend& backend, const Params& prm, const StreamKey& key, StageTimes& t) const override {
    const auto d = rf_dims(prm);
    StreamKey wkey = key;
    wkey.stream = 1;
    Matrix w = timed(t.sample_s, [&] { return backend.sample_gaussian(wkey, d.features, d.p); });
    Matrix x = timed(t.sample_s, [&] { return backend.sample_gaussian(key, d.p, d.n); });
    const bool centred = prm.integer("centred") == 1;
    const Activation f = centred ? theory::centred(activation_from(prm)) : activation_from(prm);
    Matrix y = timed(t.activation_s, [&] {
      Matrix z = backend.multiply(w, x, 1.0 / std::sqrt(static_cast<double>(d.p)));
      backend.apply_activation(z, f);
      return z;
    });
    w = Matrix();
    x = Matrix();
    Matrix m = timed(t.gram_s, [&] { return backend.gram(y, 1.0 / static_cast<double>(d.n), GramSide::rows); });
    y = Matrix();
    const auto predicted = theory_outliers(prm);
    if (predicted.empty()) return {timed(t.eig_s, [&] { return backend.eigenvalues(m); }), {}};
    // The mean outlier: largest eigenpair, aligned with u = 1/√N.
    const EigenPairs top = timed(t.eig_s, [&] { return backend.top_eigenpairs(m, 1); });
    double projection = 0;
    for (const double v : top.vectors) projection += v;
    const double alignment = projection * projection / static_cast<double>(d.features);
    return {top.values, {{predicted.front().spike, top.values.back(), alignment}}};
  }

 private:
  // Non-centred f: Y = Y_c + μ0 1_N 1_nᵀ, so M = M_c + θ uuᵀ + cross terms, θ = μ0² N, u = 1/√N.
  // The outlier sits at θ + ⟨u, M_c u⟩ + (N/n) η + O(1/θ), where ⟨u, M_c u⟩ ≈ η + μ1² (the linear
  // part WX summed over features) + μ2² N/p (row and column norms shift E f: dμ0/dq = μ2/√2), and
  // its eigenvector is u up to O(1/N). The cross term (2μ0/n) 1ᵀY_c1 makes it fluctuate with
  // standard deviation ≈ 2|μ0| √((N/n)(η + μ1²)): the tolerance is six of those plus 1 for the
  // neglected O(1) terms (derived here, checked by simulation at n = 1600 for relu and sigmoid).
  static std::vector<Outlier> predict_outliers(const Params& p) {
    if (p.integer("centred") == 1) return {};
    const auto h = theory::hermite_coefficients(activation_from(p));
    if (std::abs(h.mu0) < 1e-12) return {};
    const auto d = rf_dims(p);
    const double features = static_cast<double>(d.features);
    const double ratio = features / static_cast<double>(d.n);
    const double eta = h.second_moment - h.mu0 * h.mu0;
    const double position = h.mu0 * h.mu0 * features + eta * (1 + ratio) + h.mu1 * h.mu1 +
                            h.mu2 * h.mu2 * features / static_cast<double>(d.p);
    const double spread = 2 * std::abs(h.mu0) * std::sqrt(ratio * (eta + h.mu1 * h.mu1));
    return {{h.mu0, position, 1.0, 6 * spread + 1}};
  }

  mutable std::mutex memo_mutex_;
  mutable std::string memo_key_;
  mutable std::vector<Outlier> memo_outliers_;
};

}  // namespace

std::unique_ptr<Model> make_rf_model() { return std::make_unique<RfModel>(); }

}  // namespace rmt::bench
