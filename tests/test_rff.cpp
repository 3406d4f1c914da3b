// Random Fourier features (docs/theory.md §4.4): the linearised two-block law against the exact
// (non-commuting) two-kernel deterministic equivalent, and against sampled spectra.
#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <filesystem>
#include <iostream>
#include <random>

#include <lapacke.h>

#include "bench/case.hpp"
#include "support.hpp"
#include "core/base/activation.hpp"
#include "theory/llc.hpp"

using namespace rmt;
using namespace rmt::bench;

namespace {

using cd = std::complex<double>;

// m(z) of Q̄ = (α K_c/(1+δ_c) + α K_s/(1+δ_s) − z)⁻¹ with the exact kernels, by damped fixed point.
cd exact_stieltjes(const std::vector<double>& kc, const std::vector<double>& ks, int n, double alpha, cd z) {
  cd dc = 0, ds = 0;
  cd m = 0;
  for (int it = 0; it < 400; ++it) {
    std::vector<cd> a(static_cast<std::size_t>(n * n)), inv(static_cast<std::size_t>(n * n), 0.0);
    for (int k = 0; k < n * n; ++k) a[k] = alpha * kc[k] / (1.0 + dc) + alpha * ks[k] / (1.0 + ds);
    for (int i = 0; i < n; ++i) {
      a[i + i * n] -= z;
      inv[i + i * n] = 1.0;
    }
    std::vector<lapack_int> piv(static_cast<std::size_t>(n));
    EXPECT_EQ(LAPACKE_zgesv(LAPACK_COL_MAJOR, n, n, reinterpret_cast<lapack_complex_double*>(a.data()), n, piv.data(),
                            reinterpret_cast<lapack_complex_double*>(inv.data()), n),
              0);
    cd tc = 0, ts = 0;
    m = 0;
    for (int i = 0; i < n; ++i) {
      m += inv[i + i * n] / static_cast<double>(n);
      for (int j = 0; j < n; ++j) {
        tc += kc[i + j * n] * inv[j + i * n] / static_cast<double>(n);
        ts += ks[i + j * n] * inv[j + i * n] / static_cast<double>(n);
      }
    }
    const cd nc = 0.5 * dc + 0.5 * tc, ns = 0.5 * ds + 0.5 * ts;
    const bool done = std::abs(nc - dc) + std::abs(ns - ds) < 1e-12;
    dc = nc;
    ds = ns;
    if (done) break;
  }
  return m;
}

// Largest |m_exact − m_linearised| over a few z for Gaussian data x = z/√p, p = n/2, N = n.
double linearisation_gap(int n, std::uint64_t seed) {
  const int p = n / 2;
  const double alpha = 1.0;
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> g;
  std::vector<double> x(static_cast<std::size_t>(p * n));
  for (auto& v : x) v = g(rng) / std::sqrt(static_cast<double>(p));
  std::vector<double> gram(static_cast<std::size_t>(n * n)), kc(gram.size()), ks(gram.size());
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) {
      double s = 0;
      for (int k = 0; k < p; ++k) s += x[k + i * p] * x[k + j * p];
      gram[i + j * n] = s;
    }
  double tau = 0;
  for (int i = 0; i < n; ++i) tau += gram[i + i * n] / n;
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) {
      const double e = std::exp(-(gram[i + i * n] + gram[j + j * n]) / 2);
      kc[i + j * n] = e * std::cosh(gram[i + j * n]);
      ks[i + j * n] = e * std::sinh(gram[i + j * n]);
    }
  std::vector<double> lambda(static_cast<std::size_t>(n));
  auto work = gram;
  EXPECT_EQ(LAPACKE_dsyevd(LAPACK_COL_MAJOR, 'N', 'L', n, work.data(), n, lambda.data()), 0);
  std::vector<std::vector<double>> kappa;
  for (const auto kind : {ActivationKind::cos, ActivationKind::sin}) {
    Activation f;
    f.kind = kind;
    const auto c = theory::d_coefficients(f, tau);
    std::vector<double> k;
    for (const double l : lambda) k.push_back(c.d0 + c.d1 * std::max(l, 0.0));
    kappa.push_back(k);
  }
  const theory::RandomFeatureGram law(kappa, {alpha, alpha});
  double gap = 0;
  for (const cd z : {cd(0.5, 0.2), cd(1.5, 0.2), cd(3.0, 0.5), cd(-0.5, 0.0)})
    gap = std::max(gap, std::abs(exact_stieltjes(kc, ks, n, alpha, z) - law.stieltjes(z)) / std::max(1.0, std::abs(law.stieltjes(z))));
  return gap;
}

}  // namespace

TEST(RandomFourierFeatures, LinearisedLawMatchesTheExactTwoKernelEquivalent) {
  // The linearisation differs from the kernels by finite-rank terms and O(n^{-1/2}) in norm: the
  // gap to the exact (non-commuting) two-kernel equivalent is small and shrinks with n.
  const double small = linearisation_gap(200, 7), large = linearisation_gap(400, 7);
  EXPECT_LT(small, 3e-2);
  EXPECT_LT(large, 2e-2);
  EXPECT_LT(large, 0.8 * small) << "gap " << small << " at n = 200, " << large << " at n = 400";
  std::cout << "linearisation gap: " << small << " (n = 200), " << large << " (n = 400)\n";
}

TEST(RandomFourierFeatures, OneBlockEqualsTheSingleKernelLaw) {
  std::vector<double> k;
  for (int i = 0; i < 200; ++i) k.push_back(0.2 + 1.5 * i / 200.0);
  const theory::RandomFeatureGram one(k, 0.7), multi(std::vector<std::vector<double>>{k}, {0.7});
  for (const cd z : {cd(0.5, 0.1), cd(1.0, 0.01), cd(-1.0, 0.0)}) EXPECT_LT(std::abs(one.stieltjes(z) - multi.stieltjes(z)), 1e-14);
  // Two identical half-width blocks are one block with the summed ratio.
  const theory::RandomFeatureGram halves(std::vector<std::vector<double>>{k, k}, {0.35, 0.35});
  for (const cd z : {cd(0.5, 0.1), cd(2.0, 0.05)}) EXPECT_LT(std::abs(one.stieltjes(z) - halves.stieltjes(z)), 1e-10) << z;
}

TEST(RandomFourierFeatures, SampledSpectraAgreeOnEveryDataSet) {
  for (const char* data : {"gaussian", "sphere", "gmm"}) {
    const auto r = test_support::run_on_cpu(test_support::make_case("rff", {{"n", "600"}, {"data", data}}));
    EXPECT_EQ(r["verdict"], "pass") << data << " " << r["metrics"].dump() << " " << r["tolerance"].dump();
    EXPECT_LT(r["metrics"]["stieltjes_error"].get<double>(), 0.01) << data;
    // The mean of cos, e^{−‖x‖²/2}, lifts one eigenvalue far beyond the law's edge (≈ n e^{−τ});
    // nothing else is excluded from the bulk.
    EXPECT_EQ(r["metrics"]["unpredicted_outliers"].get<double>(), 1.0) << data;
  }
  // The bound derived from the linearisation: span{1, φ} of the cos kernel, φ = 0 on the sphere.
  const Model& rff = find_model("rff");
  for (const auto& [data, bound] : {std::pair{"gaussian", 2}, {"gmm", 2}, {"sphere", 1}})
    EXPECT_EQ(rff.unpredicted_outliers(resolve_params("rff", rff.params(), {{"data", data}})), bound) << data;
}
