// Dimension-free random-features ridge deterministic equivalent (docs/theory.md §5.3; §10 row 24).
//
// Golden values come from an independent Python reference implementation, rmt_ref.py (not
// shipped), run in its folder:
//   python3 -c "from rmt_ref import *; import numpy as np
//   k=np.arange(1,501,dtype=float); s=k**-1.3; w2=k**-0.4
//   print([repr(v) for v in rf_linear_test_error(s,w2,200,100,1e-3,0.1)])"   # (E_test, kappa2)
// and the Mei–Montanari unification from chk_mm_vs_rfde.py (d = 2000, D' = 2e6).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <numbers>
#include <vector>

#include "core/base/error.hpp"
#include "theory/mei_montanari.hpp"
#include "theory/rf_ridge_de.hpp"
#include "theory/ridge.hpp"

namespace {

using rmt::theory::rf_ridge_de;
using rmt::theory::RfRidgeDE;
constexpr double kInf = std::numeric_limits<double>::infinity();

struct Spectrum {
  std::vector<double> s, w2;
};

// s_k = k^{-1.3}, w_k² = k^{-0.4}, k = 1..500.
Spectrum golden_spectrum() {
  Spectrum sp;
  for (int k = 1; k <= 500; ++k) {
    sp.s.push_back(std::pow(k, -1.3));
    sp.w2.push_back(std::pow(k, -0.4));
  }
  return sp;
}

// §5.3 unification: the linear part μ1²/d on d directions carrying F1²/d of signal, the nonlinear
// part a flat block μ*²/D' over D' ≫ N, P directions without signal (ReLU, F1 = 1).
Spectrum mm_equivalent(std::size_t d, std::size_t d_nonlinear) {
  const double mu1sq = 0.25, mustar2 = 0.25 - 1.0 / (2.0 * std::numbers::pi);
  Spectrum sp;
  sp.s.assign(d, mu1sq / static_cast<double>(d));
  sp.w2.assign(d, 1.0 / mu1sq);  // w² s = F1²/d
  sp.s.insert(sp.s.end(), d_nonlinear, mustar2 / static_cast<double>(d_nonlinear));
  sp.w2.insert(sp.w2.end(), d_nonlinear, 0.0);
  return sp;
}

TEST(RfRidgeDE, GoldenValuesFromOracle) {
  const Spectrum sp = golden_spectrum();
  struct Row {
    double P, N, lambda, test, kappa2, df1, df2;
  };
  const Row rows[] = {
      {200, 100, 1e-3, 0.35333912269805506, 0.008693140453590709, 80.71317194461294, 31.48136653081647},
      {200, 400, 1e-2, 0.24226194128771, 0.015999675637001026, 55.04895661597738, 19.628271903197216},
      {300, 300, 1e-3, 0.21637529547194073, 0.0034324097563474265, 138.07209732259665, 63.33014466611719},
      {150, 1000, 0.0, 0.28194715707129353, 0.002939371100606034, 150.0, 70.9162952717739},
      {400, 120, 0.0, 0.2977961116763873, 0.004425230215311349, 120.0, 52.48090223228695},
      {120.5, 333.3, 0.2, 0.5939600236437478, 0.22159458803963805, 8.79515288265152, 2.200333430772635},
      {800, 700, 0.0, 0.26666666666666666, 0.0, 500.0, 500.0},  // D < min(N, P): κ2 = 0
  };
  for (const Row& row : rows) {
    const RfRidgeDE r = rf_ridge_de(sp.s, sp.w2, row.N, row.P, row.lambda, 0.1);
    EXPECT_NEAR(r.test, row.test, 1e-11 * row.test) << row.P << " " << row.N << " " << row.lambda;
    EXPECT_NEAR(r.excess, row.test - 0.1, 1e-11 * row.test) << row.P << " " << row.N;
    EXPECT_NEAR(r.kappa2, row.kappa2, 1e-12 * row.kappa2) << row.P << " " << row.N << " " << row.lambda;
    EXPECT_NEAR(r.df1, row.df1, 1e-11 * row.df1) << row.P << " " << row.N;
    EXPECT_NEAR(r.df2, row.df2, 1e-11 * row.df2) << row.P << " " << row.N;
  }
}

TEST(RfRidgeDE, KappaSolvesItsEquation) {
  const Spectrum sp = golden_spectrum();
  for (auto [P, N] : {std::pair{100.0, 1000.0}, {1000.0, 100.0}, {300.0, 300.0}, {2000.0, 1e6}}) {
    for (double lambda : {1e-10, 1e-4, 1e-1, 10.0}) {
      const RfRidgeDE r = rf_ridge_de(sp.s, sp.w2, N, P, lambda, 0.0);
      const double lhs = r.kappa2 * (1 - r.df1 / P) * (1 - r.df1 / N);
      EXPECT_NEAR(lhs, lambda, 1e-13 * r.kappa2) << P << " " << N << " " << lambda;
      EXPECT_LE(r.df1, std::min(N, P));
    }
  }
}

TEST(RfRidgeDE, InfiniteWidthRecoversLinearRidge) {
  // N → ∞: 𝖣 → 1, γ1 → df₂/P, κ2 → κ of §5.1 with n = P.
  const Spectrum sp = golden_spectrum();
  for (double P : {120.0, 450.5, 900.0}) {
    for (double lambda : {0.0, 1e-3, 0.5}) {
      const rmt::theory::RidgeRisk ridge = rmt::theory::ridge_risk_spectrum(sp.s, sp.w2, P, lambda, 0.2);
      const RfRidgeDE inf = rf_ridge_de(sp.s, sp.w2, kInf, P, lambda, 0.2);
      EXPECT_NEAR(inf.kappa2, ridge.kappa, 1e-13 * (1 + ridge.kappa)) << P << " " << lambda;
      EXPECT_NEAR(inf.excess, ridge.test, 1e-12 * ridge.test) << P << " " << lambda;
      EXPECT_NEAR(inf.test, ridge.test + 0.2, 1e-12 * ridge.test) << P << " " << lambda;
      const RfRidgeDE wide = rf_ridge_de(sp.s, sp.w2, 1e12, P, lambda, 0.2);
      EXPECT_NEAR(wide.excess, ridge.test, 1e-7 * ridge.test) << P << " " << lambda;
    }
  }
}

TEST(RfRidgeDE, RidgelessIsTheSmallRidgeLimit) {
  const Spectrum sp = golden_spectrum();
  for (auto [P, N] : {std::pair{150.0, 1000.0}, {400.0, 120.0}, {800.0, 700.0}}) {
    const RfRidgeDE limit = rf_ridge_de(sp.s, sp.w2, N, P, 0.0, 0.1);
    const RfRidgeDE small = rf_ridge_de(sp.s, sp.w2, N, P, 1e-12, 0.1);
    EXPECT_NEAR(small.test, limit.test, 1e-7 * limit.test) << P << " " << N;
    EXPECT_NEAR(limit.df1, std::min({N, P, 500.0}), 1e-10 * limit.df1) << P << " " << N;
  }
  // D < min(N, P): nothing to fit beyond the D directions, E = σ²/(1 − D/P).
  EXPECT_NEAR(rf_ridge_de(sp.s, sp.w2, 700.0, 800.0, 0.0, 0.1).test, 0.1 / (1.0 - 500.0 / 800.0), 1e-15);
}

TEST(RfRidgeDE, ReproducesMeiMontanari) {
  // docs/theory.md §5.3 / §10 row 24 (chk_mm_vs_rfde.py): d = 2000, D' = 2e6, P = ψ2 d, N = ψ1 d, λ_5.3 = λ_MM/d,
  // τ² = 0.25. The DE excess must match the oracle, and MM's F1²𝓑 + τ²𝓥 to 4 digits.
  const double mustar2 = 0.25 - 1.0 / (2.0 * std::numbers::pi), zeta = 0.5 / std::sqrt(mustar2);
  const double d = 2000.0, tau2 = 0.25;
  const Spectrum sp = mm_equivalent(2000, 2000000);
  struct Row {
    double psi1, psi2, lambda, de_excess, mm_excess;
  };
  const Row rows[] = {
      {2.0, 3.0, 1e-3, 1.0084367465466573, 1.0090632570700986},
      {6.0, 3.0, 1e-3, 0.4465983566096956, 0.44634803915194843},
      {3.0, 3.0, 0.1, 0.36963774364699997, 0.36967954088714766},
      {1.0, 3.0, 0.01, 0.7375569965464043, 0.7376660352155927},
  };
  for (const Row& row : rows) {
    const RfRidgeDE de = rf_ridge_de(sp.s, sp.w2, row.psi1 * d, row.psi2 * d, row.lambda / d, tau2);
    const auto mm = rmt::theory::mei_montanari(zeta, row.psi1, row.psi2, row.lambda / mustar2, 1.0, 0.0, tau2);
    EXPECT_NEAR(de.excess, row.de_excess, 1e-9) << row.psi1 << " " << row.psi2;
    EXPECT_NEAR(mm.excess, row.mm_excess, 1e-10) << row.psi1 << " " << row.psi2;
    EXPECT_NEAR(de.excess, mm.excess, 1e-3 * mm.excess) << row.psi1 << " " << row.psi2;
  }
}

TEST(RfRidgeDE, MeiMontanariGapIsTheFiniteNonlinearBlock) {
  // The 6e-4 gap at (ψ1, ψ2, λ) = (2, 3, 1e-3) is the truncation D' < ∞ of the continuum of tiny
  // eigenvalues: it is linear in d/D', and the Richardson extrapolation to D' = ∞ lands on MM.
  const double mustar2 = 0.25 - 1.0 / (2.0 * std::numbers::pi), zeta = 0.5 / std::sqrt(mustar2);
  const double d = 500.0, tau2 = 0.25;
  const auto excess = [&](std::size_t d_nonlinear) {
    const Spectrum sp = mm_equivalent(500, d_nonlinear);
    return rf_ridge_de(sp.s, sp.w2, 2.0 * d, 3.0 * d, 1e-3 / d, tau2).excess;
  };
  const double coarse = excess(500000), fine = excess(2000000);
  const double extrapolated = (4.0 * fine - coarse) / 3.0;
  const double mm = rmt::theory::mei_montanari(zeta, 2.0, 3.0, 1e-3 / mustar2, 1.0, 0.0, tau2).excess;
  EXPECT_GT(std::abs(fine - mm), 1e-4);
  EXPECT_NEAR(extrapolated, mm, 1e-6);
}

TEST(RfRidgeDE, BadInputsThrow) {
  const Spectrum sp = golden_spectrum();
  EXPECT_THROW(rf_ridge_de(sp.s, sp.w2, 300, 300, 0.0, 0.1), rmt::InputError);  // N = P < D ridgeless
  EXPECT_THROW(rf_ridge_de(sp.s, sp.w2, 500, 800, 0.0, 0.1), rmt::InputError);  // D = min(N, P)
  EXPECT_NO_THROW(rf_ridge_de(sp.s, sp.w2, 300, 300, 1e-6, 0.1));
  EXPECT_NO_THROW(rf_ridge_de(sp.s, sp.w2, 600, 600, 0.0, 0.1));  // N = P > D: under-parametrised
  EXPECT_THROW(rf_ridge_de(sp.s, std::vector<double>(3, 1.0), 300, 200, 0.1, 0.1), rmt::InputError);
  EXPECT_THROW(rf_ridge_de(sp.s, sp.w2, 0.0, 200, 0.1, 0.1), rmt::InputError);
  EXPECT_THROW(rf_ridge_de(sp.s, sp.w2, 300, kInf, 0.1, 0.1), rmt::InputError);
  EXPECT_THROW(rf_ridge_de(sp.s, sp.w2, 300, 200, -0.1, 0.1), rmt::InputError);
  EXPECT_THROW(rf_ridge_de(sp.s, sp.w2, 300, 200, 0.1, -0.1), rmt::InputError);
  EXPECT_THROW(rf_ridge_de(std::vector<double>{1.0, -1.0}, std::vector<double>{1.0, 1.0}, 300, 200, 0.1, 0.1),
               rmt::InputError);
}

}  // namespace
