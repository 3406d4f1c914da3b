// docs/theory.md §3.5 [U]: Fan–Wang's linearisation of the deep NTK,
//   Θ ≈ r₊ I + X_Lᵀ X_L + Σ_{ℓ<L} b^{2(L-ℓ)} X_ℓᵀ X_ℓ,  r₊ = Σ_{ℓ<L} (a^{L-ℓ} - b^{2(L-ℓ)}),
// checked by direct simulation: the NTK of f(x) = wᵀX_L(x) built by back-propagation,
//   Θ = X_LᵀX_L + Σ_ℓ (X_{ℓ-1}ᵀX_{ℓ-1}) ⊙ (B_ℓᵀB_ℓ),  B_L = diag(w) σ'(H_L)/√d_L,
//   B_ℓ = σ'(H_ℓ)/√d_ℓ ⊙ (W_{ℓ+1}ᵀ B_{ℓ+1}),
// against the linearised matrix from the same forward pass (CPU backend, fixed seed).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "bench/case.hpp"
#include "bench/models/common/deep.hpp"
#include "bench/models/common/network.hpp"

using namespace rmt;
using namespace rmt::bench;

namespace {

struct Comparison {
  double ks;            // two-sample Kolmogorov distance between the spectra
  double relative_gap;  // ‖Θ - K_lin‖_op / ‖Θ‖_op
  double mean_ratio;    // mean eigenvalue of K_lin over that of Θ
};

double two_sample_ks(std::vector<double> a, std::vector<double> b) {
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  double d = 0;
  std::size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    const double x = std::min(a[i], b[j]);
    while (i < a.size() && a[i] <= x) ++i;
    while (j < b.size() && b[j] <= x) ++j;
    d = std::max(d, std::abs(static_cast<double>(i) / a.size() - static_cast<double>(j) / b.size()));
  }
  return d;
}

Comparison compare(const std::string& gammas, const std::string& activation, index_t n) {
  CaseSpec spec;
  spec.name = spec.model = "ck";
  spec.params = {{"n", std::to_string(n)}, {"gammas", gammas}, {"activation", activation}};
  const auto c = resolve_case(spec);
  const auto shape = network_shape(n, c.params.real("gamma0"), parse_layer_ratios(gammas, "gammas"));
  const auto act = normalised_activation(c.params);
  auto backend = make_cpu_backend();
  StageTimes t;
  const StreamKey key{11, c.case_key, 0, 0};
  const auto x = forward_pass(*backend, shape, act, key, t);
  Matrix theta = backpropagated_ntk(*backend, shape, act, x, key, t);
  Matrix lin = linearised_ntk(*backend, act, x, t);
  const auto lin_host = backend->to_host(lin);
  const auto theta_host = backend->to_host(theta);
  std::vector<double> diff(theta_host.size());
  for (std::size_t e = 0; e < diff.size(); ++e) diff[e] = theta_host[e] - lin_host[e];
  Matrix lin_full = backend->from_host(n, n, lin_host);
  const auto ev_theta = backend->eigenvalues(theta);
  const auto ev_lin = backend->eigenvalues(lin_full);
  Matrix d = backend->from_host(n, n, diff);
  const auto ev_diff = backend->eigenvalues(d);
  const double gap = std::max(std::abs(ev_diff.front()), std::abs(ev_diff.back()));
  double mean_theta = 0, mean_lin = 0;
  for (index_t i = 0; i < n; ++i) {
    mean_theta += ev_theta[i];
    mean_lin += ev_lin[i];
  }
  return {two_sample_ks(ev_theta, ev_lin), gap / ev_theta.back(), mean_lin / mean_theta};
}

}  // namespace

// Measured (this test, seed 11): two-sample KS between the spectra of Θ and K_lin at n = 400 / 1600
// (relative operator-norm gap in brackets) — relu depth 1: 0.018 / 0.005 (0.058 / 0.046); depth 2:
// 0.118 / 0.030 (0.104 / 0.083); depth 3: 0.165 / 0.115 (0.192 / 0.112); tanh depth 2: 0.018 / 0.005
// (0.059 / 0.031); depth 3: 0.053 / 0.019 (0.072 / 0.049). The linearisation holds asymptotically
// (the gap shrinks by a factor 0.52–0.80 from n = 400 to 1600; n^{-1/2} gives 0.5), slowly for ReLU
// beyond one hidden layer; the ntk model therefore ships one hidden layer, with its exact DE (theory/ntk.hpp).
TEST(DeepNtkLinearisation, ConvergesToTheSimulatedKernel) {
  for (const auto& [gammas, activation] : std::vector<std::pair<std::string, std::string>>{
           {"0.8", "relu"}, {"0.8,1.25", "relu"}, {"0.8,1.25,1", "relu"}, {"0.8,1.25", "tanh"}, {"0.8,1.25,1", "tanh"}}) {
    const auto small = compare(gammas, activation, 400);
    const auto large = compare(gammas, activation, 1600);
    std::printf("%s %-5s n=400: KS %.4f gap %.4f   n=1600: KS %.4f gap %.4f\n", gammas.c_str(), activation.c_str(),
                small.ks, small.relative_gap, large.ks, large.relative_gap);
    EXPECT_LT(large.ks, small.ks) << gammas << " " << activation;
    EXPECT_LT(large.relative_gap, 0.8 * small.relative_gap) << gammas << " " << activation;
    EXPECT_NEAR(large.mean_ratio, 1.0, 0.03) << gammas << " " << activation;
    if (gammas == "0.8") {
      EXPECT_LT(large.ks, 0.01);  // one hidden layer: the verified case of §3.5
    }
    if (activation == "tanh") {
      EXPECT_LT(large.ks, 0.03);
    }
  }
}
