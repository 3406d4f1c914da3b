// kernel_el_karoui: K_ij = f(x_iᵀx_j/p) (kind = inner) or f(‖x_i - x_j‖²/p) (kind = distance),
// x_i iid N(0, I_p) (τ = 1). El Karoui's linearisation (docs/theory.md §8.1): the bulk of K is the MP law of
// XᵀX/p scaled by f'(0) or -2 f'(2τ) and shifted by υ; the 11ᵀ term is a far outlier.
#include <cmath>

#include <fmt/format.h>

#include "bench/models/common/sample_covariance.hpp"
#include "core/base/error.hpp"
#include "theory/affine_law.hpp"
#include "theory/el_karoui.hpp"
#include "theory/mp.hpp"

namespace rmt::bench {
namespace {

class KernelElKarouiModel final : public Model {
 public:
  std::string_view name() const override { return "kernel_el_karoui"; }
  std::string_view matrix() const override {
    return "K_ij = f(x_iᵀx_j/p) (inner) or f(‖x_i - x_j‖²/p) (distance), x_i iid N(0, I_p), p = c n";
  }
  std::string_view section() const override { return "§8.1"; }
  int unpredicted_outliers(const Params&) const override { return 1; }  // the f(·) 11ᵀ term
  // The linearisation is exact only up to O(p^{-1/2}) in operator norm (docs/theory.md §8.1: 0.86 for exp at
  // p = 1000), slower than the O(1/n) of the other families, and larger than the d^{-2/3} edge scale:
  // bulk tolerances ×4 and the edge is reported, not judged.
  double finite_size_factor() const override { return 4.0; }
  bool judges_edge(const Params&) const override { return false; }
  std::string_view edge_note() const override {
    return "never judged: the linearisation's O(p^{-1/2}) error exceeds the edge scale (edge_error is reported)";
  }

  std::vector<ParamSpec> params() const override {
    auto specs = sample_covariance_params("2");
    specs.push_back(ParamSpec::text("kind", "inner", "inner (f(x_iᵀx_j/p)) or distance (f(‖x_i - x_j‖²/p))",
                                    [](std::string_view v, std::string_view what) {
                                      if (v != "inner" && v != "distance")
                                        throw InputError(fmt::format("{}: '{}' is not inner or distance", what, v));
                                    }));
    specs.push_back(ParamSpec::text("f", "exp", "kernel function: exp (e^t), gaussian (e^{-t/2}), poly2 ((1+t)²)",
                                    [](std::string_view v, std::string_view) { theory::parse_kernel_function(v); }));
    return specs;
  }

  Sizes sizes(const Params& p) const override { return {dimension_times(p.integer("n"), p.real("c")), p.integer("n"), p.integer("n")}; }

  // X and K = XᵀX/p, then K (X released) with the diagonal copy of apply_kernel, then the eigensolver.
  MemoryPlan memory_plan(const Params& p) const override {
    const Sizes s = sizes(p);
    MemoryPlan plan;
    plan.add("gram K = XᵀX/p", cells(s.rows, s.cols) + cells(s.cols, s.cols))
        .add("kernel f(K)", cells(s.cols, s.cols) + static_cast<elements_t>(s.cols))
        .add_eigen("eigen K", cells(s.cols, s.cols), s.cols, 0);
    return plan;
  }

  std::string_view aspect_param() const override { return "c"; }

  std::unique_ptr<SpectralLaw> law(const Params& p, const StreamKey&) const override {
    const KernelFunction f{theory::parse_kernel_function(p.text("f"))};
    const auto lin = p.text("kind") == "inner" ? theory::inner_product_linearisation(f, 1.0)
                                               : theory::distance_linearisation(f, 1.0);
    // XᵀX/p is n×n with p = c n rows of data: MP with ratio n/p = 1/c.
    return std::make_unique<theory::AffineLaw>(std::make_unique<theory::MarchenkoPastur>(1.0 / p.real("c")),
                                               lin.slope, lin.upsilon);
  }

  Draw sample(Backend& backend, const Params& p, const StreamKey& key, StageTimes& t) const override {
    const Sizes s = sizes(p);
    Matrix x = timed(t.sample_s, [&] { return backend.sample_gaussian(key, s.rows, s.cols); });
    Matrix k = timed(t.gram_s, [&] { return backend.gram(x, 1.0 / static_cast<double>(s.rows), GramSide::cols); });
    x = Matrix();
    const KernelFunction f{theory::parse_kernel_function(p.text("f"))};
    timed(t.activation_s, [&] { backend.apply_kernel(k, f, p.text("kind") == "distance"); });
    return {timed(t.eig_s, [&] { return backend.eigenvalues(k); }), {}};
  }
};

}  // namespace

std::unique_ptr<Model> make_kernel_el_karoui_model() { return std::make_unique<KernelElKarouiModel>(); }

}  // namespace rmt::bench
