// kernel: K = f(ZᵀZ/√p)/√p with zero diagonal, Z ∈ R^{p×n} iid N(0,1), f centred — inner-product
// kernel matrices at the 1/√p scale (Cheng–Singer, docs/theory.md §3.3).
#include <cmath>

#include "bench/models/common/network.hpp"
#include "bench/models/common/sample_covariance.hpp"
#include "theory/gaussian.hpp"
#include "theory/kernel.hpp"

namespace rmt::bench {
namespace {

class KernelModel final : public Model {
 public:
  std::string_view name() const override { return "kernel"; }
  std::string_view matrix() const override {
    return "K = f(ZᵀZ/√p)/√p with zero diagonal, Z ∈ R^{p×n} iid N(0,1), f centred; p = c n";
  }
  double finite_size_factor() const override { return 5.0; }  // docs/theory.md §9.5
  std::string_view section() const override { return "§3.3"; }

  std::vector<ParamSpec> params() const override {
    auto specs = sample_covariance_params();
    for (auto& s : activation_params("tanh")) specs.push_back(std::move(s));
    return specs;
  }

  Sizes sizes(const Params& p) const override {
    return {dimension_times(p.integer("n"), p.real("c")), p.integer("n"), p.integer("n")};
  }

  // Z and K = ZᵀZ/√p, then K alone (Z released) through the activation and the eigensolver.
  MemoryPlan memory_plan(const Params& prm) const override {
    const Sizes s = sizes(prm);
    MemoryPlan plan;
    plan.add("gram K = ZᵀZ/√p", cells(s.rows, s.cols) + cells(s.cols, s.cols))
        .add_eigen("eigen K", cells(s.cols, s.cols), s.cols, 0);
    return plan;
  }

  std::unique_ptr<SpectralLaw> law(const Params& p, const StreamKey& key) const override {
    return law_hermite_a1(p, key, 1.0);
  }
  std::string_view aspect_param() const override { return "c"; }
  std::unique_ptr<SpectralLaw> law_hermite_a1(const Params& p, const StreamKey&, double factor) const override {
    const auto h = theory::hermite_coefficients(activation_from(p));
    return std::make_unique<theory::ChengSinger>(factor * h.mu1, h.second_moment - h.mu0 * h.mu0, p.real("c"));
  }
  std::unique_ptr<SpectralLaw> law_without_mu2(const Params& p, const StreamKey&) const override {
    const auto h = theory::hermite_coefficients(activation_from(p));
    const double mu2 = droppable_mu2(p);
    return std::make_unique<theory::ChengSinger>(h.mu1, h.second_moment - h.mu0 * h.mu0 - mu2 * mu2, p.real("c"));
  }

  Draw sample(Backend& backend, const Params& prm, const StreamKey& key, StageTimes& t) const override {
    const Sizes s = sizes(prm);
    const double root_p = std::sqrt(static_cast<double>(s.rows));
    Matrix z = timed(t.sample_s, [&] { return backend.sample_gaussian(key, s.rows, s.cols); });
    Matrix k = timed(t.gram_s, [&] { return backend.gram(z, 1.0 / root_p, GramSide::cols); });
    z = Matrix();
    Activation f = theory::centred(activation_from(prm));
    f.scale = 1.0 / root_p;
    timed(t.activation_s, [&] {
      backend.apply_activation(k, f);
      backend.set_diagonal(k, 0.0);
    });
    return {timed(t.eig_s, [&] { return backend.eigenvalues(k); }), {}};
  }
};

}  // namespace

std::unique_ptr<Model> make_kernel_model() { return std::make_unique<KernelModel>(); }

}  // namespace rmt::bench
