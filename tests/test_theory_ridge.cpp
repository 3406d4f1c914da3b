// Linear ridge learning curves (docs/theory.md §5.1; §10 rows 21–22).
//
// Golden values not printed in docs/theory.md come from an independent Python reference implementation,
// rmt_ref.py (not shipped), run in its folder:
//   python3 -c "from rmt_ref import *; import numpy as np
//   s=np.concatenate([np.full(100,0.5),np.full(60,2.0),np.full(40,5.0)]); b2=1.0/np.arange(1,201)
//   print([repr(v) for v in ridge_risk(s,b2,150.5,0.2,0.3)])"              # (bias, variance, kappa)
// The oracle's hmrt_isotropic differentiates m by finite differences (~1e-10 drift), so isotropic
// goldens come from its κ-form instead, exact for Σ = I at any p:
//   python3 -c "from rmt_ref import *; import numpy as np; p=1000; g,l,r2,s2=0.3,0.7,2.0,0.5
//   print([repr(v) for v in ridge_risk(np.ones(p),np.full(p,r2/p),p/g,l,s2)])"
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <vector>

#include "core/base/error.hpp"
#include "theory/ridge.hpp"

namespace {

using rmt::theory::hmrt_isotropic;
using rmt::theory::PopulationSpectrum;
using rmt::theory::ridge_kappa;
using rmt::theory::ridge_risk;
using rmt::theory::ridge_risk_spectrum;
using rmt::theory::RidgeRisk;

const PopulationSpectrum kIsotropic{{1.0}, {1.0}};

// The spectrum of §5.1's Monte-Carlo check (chk_ridge.py): p = 400, half the eigenvalues 1, half 4.
std::vector<double> two_level(std::size_t p) {
  std::vector<double> s(p, 1.0);
  for (std::size_t k = p / 2; k < p; ++k) s[k] = 4.0;
  return s;
}

struct Traces {
  double df1 = 0, df2 = 0;
};
Traces traces(const std::vector<double>& s, double kappa) {
  Traces t;
  for (double v : s) {
    t.df1 += v / (v + kappa);
    t.df2 += v * v / ((v + kappa) * (v + kappa));
  }
  return t;
}

// Minimiser of f on [a, b] by golden section (f unimodal there).
double golden_min(const std::function<double(double)>& f, double a, double b, double tol) {
  const double phi = (std::sqrt(5.0) - 1.0) / 2.0;
  double x1 = b - phi * (b - a), x2 = a + phi * (b - a);
  double f1 = f(x1), f2 = f(x2);
  while (b - a > tol) {
    if (f1 < f2) {
      b = x2, x2 = x1, f2 = f1;
      x1 = b - phi * (b - a);
      f1 = f(x1);
    } else {
      a = x1, x1 = x2, f1 = f2;
      x2 = a + phi * (b - a);
      f2 = f(x2);
    }
  }
  return 0.5 * (a + b);
}

// ---- docs/theory.md §10 row 21: HMRT isotropic closed forms ------------------------------------------------

TEST(RidgeHmrt, SpecValues) {
  struct Row {
    double gamma, lambda, bias, variance;
  };
  const Row rows[] = {
      {0.5, 0.0, 0.0, 1.0},
      {2.0, 0.0, 0.5, 1.0},
      {0.5, 0.1, 0.034522483825, 0.569044967650},
      {2.0, 1.0, (1.0 + std::sqrt(2.0)) / 4.0, (std::sqrt(2.0) - 1.0) / 2.0},
      {1.0, 0.1, 0.156173761889, 1.139824499830},
  };
  for (const Row& row : rows) {
    const RidgeRisk r = hmrt_isotropic(row.gamma, row.lambda, 1.0, 1.0);
    EXPECT_NEAR(r.bias, row.bias, 1e-11) << "gamma " << row.gamma << " lambda " << row.lambda;
    EXPECT_NEAR(r.variance, row.variance, 1e-11) << "gamma " << row.gamma << " lambda " << row.lambda;
    EXPECT_DOUBLE_EQ(r.test, r.bias + r.variance);
  }
  EXPECT_NEAR(hmrt_isotropic(2.0, 1.0, 1.0, 1.0).kappa, 1.0 + std::sqrt(2.0), 1e-14);
}

TEST(RidgeHmrt, RidgelessClosedForms) {
  // 𝓡 = σ²γ/(1 − γ) below the threshold, r²(1 − 1/γ) + σ²/(γ − 1) above; train σ²(1 − γ) / 0.
  const RidgeRisk under = hmrt_isotropic(0.25, 0.0, 2.0, 0.7);
  EXPECT_DOUBLE_EQ(under.kappa, 0.0);
  EXPECT_DOUBLE_EQ(under.bias, 0.0);
  EXPECT_NEAR(under.variance, 0.7 * 0.25 / 0.75, 1e-15);
  EXPECT_NEAR(under.train, 0.7 * 0.75, 1e-15);
  const RidgeRisk over = hmrt_isotropic(4.0, 0.0, 2.0, 0.7);
  EXPECT_NEAR(over.kappa, 3.0, 1e-15);
  EXPECT_NEAR(over.bias, 2.0 * 0.75, 1e-15);
  EXPECT_NEAR(over.variance, 0.7 / 3.0, 1e-15);
  EXPECT_DOUBLE_EQ(over.train, 0.0);
}

TEST(RidgeHmrt, ContinuousIntoRidgelessLimit) {
  for (double gamma : {0.4, 2.5}) {
    const RidgeRisk limit = hmrt_isotropic(gamma, 0.0, 1.3, 0.4);
    const RidgeRisk small = hmrt_isotropic(gamma, 1e-9, 1.3, 0.4);
    EXPECT_NEAR(small.bias, limit.bias, 1e-7) << gamma;
    EXPECT_NEAR(small.variance, limit.variance, 1e-7) << gamma;
    EXPECT_NEAR(small.train, limit.train, 1e-7) << gamma;
    EXPECT_NEAR(small.kappa, limit.kappa, 1e-7) << gamma;
  }
}

TEST(RidgeHmrt, GoldenValuesFromOracle) {
  struct Row {
    double gamma, lambda, r2, sigma2, bias, variance, kappa;
  };
  const Row rows[] = {
      {0.3, 0.7, 2.0, 0.5, 0.4555334217802515, 0.0488071523335984, 0.8366600265340753},
      {3.0, 0.05, 2.0, 0.5, 1.3339009508620152, 0.23255336624842163, 2.074106762917864},
      {1.5, 2.0, 2.0, 0.5, 1.2605059832788643, 0.04801978033963487, 3.1374586088176866},
      {0.999, 0.01, 1.0, 1.0, 0.0494764509548661, 4.517422429010925, 0.1046011987940206},
  };
  for (const Row& row : rows) {
    const RidgeRisk h = hmrt_isotropic(row.gamma, row.lambda, row.r2, row.sigma2);
    const RidgeRisk p = ridge_risk(kIsotropic, row.gamma, row.lambda, row.r2, row.sigma2);
    for (const RidgeRisk& r : {h, p}) {
      EXPECT_NEAR(r.bias, row.bias, 1e-12 * (1 + row.bias)) << row.gamma << " " << row.lambda;
      EXPECT_NEAR(r.variance, row.variance, 1e-12 * (1 + row.variance)) << row.gamma << " " << row.lambda;
      EXPECT_NEAR(r.kappa, row.kappa, 1e-13 * row.kappa) << row.gamma << " " << row.lambda;
    }
  }
}

// ---- §5.1 general Σ: κ-form ≡ HMRT for Σ = I, population ≡ finite spectrum -----------------------

TEST(RidgeRisk, IsotropicPopulationEqualsHmrt) {
  for (double gamma : {0.2, 0.5, 0.9, 1.0, 1.1, 2.0, 5.0}) {
    for (double lambda : {0.0, 1e-4, 0.1, 1.0, 10.0}) {
      if (gamma == 1.0 && lambda == 0.0) continue;
      const RidgeRisk h = hmrt_isotropic(gamma, lambda, 1.7, 0.3);
      const RidgeRisk p = ridge_risk(kIsotropic, gamma, lambda, 1.7, 0.3);
      const auto tol = [](double v) { return 1e-12 * (1.0 + std::abs(v)); };
      EXPECT_NEAR(p.bias, h.bias, tol(h.bias)) << gamma << " " << lambda;
      EXPECT_NEAR(p.variance, h.variance, tol(h.variance)) << gamma << " " << lambda;
      EXPECT_NEAR(p.test, h.test, tol(h.test)) << gamma << " " << lambda;
      EXPECT_NEAR(p.kappa, h.kappa, tol(h.kappa)) << gamma << " " << lambda;
      EXPECT_NEAR(p.train, h.train, tol(h.train)) << gamma << " " << lambda;
    }
  }
}

TEST(RidgeRisk, TwoLevelPopulationMatchesFiniteSpectrum) {
  // H = ½δ₁ + ½δ₄ with p = 400 directions; random effects β*: beta2_k = r2/p in every direction.
  const PopulationSpectrum h{{1.0, 4.0}, {0.5, 0.5}};
  const std::size_t p = 400;
  const std::vector<double> s = two_level(p);
  const double r2 = 1.3, sigma2 = 0.5;
  const std::vector<double> beta2(p, r2 / static_cast<double>(p));
  for (double n : {150.0, 300.0, 333.3, 800.0, 1200.0}) {
    for (double lambda : {0.0, 0.01, 0.1, 0.5, 3.0}) {
      const RidgeRisk a = ridge_risk(h, static_cast<double>(p) / n, lambda, r2, sigma2);
      const RidgeRisk b = ridge_risk_spectrum(s, beta2, n, lambda, sigma2);
      EXPECT_NEAR(a.kappa, b.kappa, 1e-12 * (1 + b.kappa)) << n << " " << lambda;
      EXPECT_NEAR(a.bias, b.bias, 1e-12 * (1 + b.bias)) << n << " " << lambda;
      EXPECT_NEAR(a.variance, b.variance, 1e-12 * (1 + b.variance)) << n << " " << lambda;
      EXPECT_NEAR(a.train, b.train, 1e-12 * (1 + b.train)) << n << " " << lambda;
    }
  }
}

TEST(RidgeRisk, MonteCarloConfigurationValues) {
  // chk_ridge.py: p = 400, Σ two-level {1, 4}, σ² = 0.5, β* = one N(0, I/p) draw (seed 8). The bias
  // only sees the signal per level, Σ_{block} β_k² = 0.5451501669240661 and 0.5160094136095765,
  // so spreading each block sum evenly over its 200 directions reproduces the DE exactly.
  // docs/theory.md §5.1 quotes n = 300, λ = 0.1: 1.34788 and n = 800, λ = 0.5: 0.38257.
  const std::size_t p = 400;
  const std::vector<double> s = two_level(p);
  std::vector<double> beta2(p, 0.5451501669240661 / 200.0);
  for (std::size_t k = 200; k < p; ++k) beta2[k] = 0.5160094136095765 / 200.0;
  struct Row {
    double n, lambda, bias, variance, kappa;
  };
  const Row rows[] = {
      {800, 0.05, 0.009394165903772251, 0.4043849401881514, 0.09479837827996898},
      {800, 0.5, 0.21092422659025084, 0.17164565222763709, 0.7702453435570745},
      {300, 0.0, 0.4746269724703711, 1.670411471961307, 0.5906672908862549},
      {300, 0.1, 0.5203314099593901, 0.8275436951720001, 0.9149398109858529},
  };
  for (const Row& row : rows) {
    const RidgeRisk r = ridge_risk_spectrum(s, beta2, row.n, row.lambda, 0.5);
    EXPECT_NEAR(r.bias, row.bias, 1e-12) << row.n << " " << row.lambda;
    EXPECT_NEAR(r.variance, row.variance, 1e-12) << row.n << " " << row.lambda;
    EXPECT_NEAR(r.kappa, row.kappa, 1e-13) << row.n << " " << row.lambda;
  }
  EXPECT_NEAR(ridge_risk_spectrum(s, beta2, 300, 0.1, 0.5).test, 1.34788, 5e-6);
  EXPECT_NEAR(ridge_risk_spectrum(s, beta2, 800, 0.5, 0.5).test, 0.38257, 5e-6);
}

TEST(RidgeRisk, GoldenThreeLevelSpectrum) {
  // Non-integer n, non-uniform signal (beta2_k = 1/k), both sides of D = n and the ridgeless limit.
  std::vector<double> s(100, 0.5);
  s.insert(s.end(), 60, 2.0);
  s.insert(s.end(), 40, 5.0);
  std::vector<double> beta2(200);
  for (std::size_t k = 0; k < 200; ++k) beta2[k] = 1.0 / static_cast<double>(k + 1);
  struct Row {
    double n, lambda, bias, variance, kappa;
  };
  const Row rows[] = {
      {150.5, 0.2, 2.1768772014317808, 0.28623487477559734, 0.8307242688959136},
      {350, 0.03, 0.068755032755299, 0.2961861197792512, 0.06412683451425591},
      {120, 0.0, 2.9439319602672125, 0.5938833209322155, 0.7211861680802657},
      {400, 0.0, 0.0, 0.3, 0.0},
      {350, 0.0, 0.0, 0.39999999999999997, 0.0},
  };
  for (const Row& row : rows) {
    const RidgeRisk r = ridge_risk_spectrum(s, beta2, row.n, row.lambda, 0.3);
    EXPECT_NEAR(r.bias, row.bias, 1e-12 * (1 + row.bias)) << row.n << " " << row.lambda;
    EXPECT_NEAR(r.variance, row.variance, 1e-12 * (1 + row.variance)) << row.n << " " << row.lambda;
    EXPECT_NEAR(r.kappa, row.kappa, 1e-13 * (1 + row.kappa)) << row.n << " " << row.lambda;
  }
}

TEST(RidgeRisk, KappaSolvesItsEquation) {
  std::vector<double> s;
  for (int k = 1; k <= 500; ++k) s.push_back(std::pow(k, -1.5));
  for (double n : {100.0, 499.0, 501.0, 2000.0}) {
    for (double lambda : {1e-12, 1e-6, 1e-2, 1.0, 100.0}) {
      const double kappa = ridge_kappa(s, n, lambda);
      const Traces t = traces(s, kappa);
      EXPECT_NEAR(kappa * (1 - t.df1 / n), lambda, 1e-14 * kappa) << n << " " << lambda;
      EXPECT_GE(kappa, lambda);
    }
  }
  // Ridgeless, p > n: df₁(κ₀) = n, even just above the threshold.
  for (double n : {100.0, 499.0, 499.99}) {
    const double kappa0 = ridge_kappa(s, n, 0.0);
    EXPECT_GT(kappa0, 0.0);
    EXPECT_NEAR(traces(s, kappa0).df1, n, 1e-12 * n) << n;
  }
  EXPECT_DOUBLE_EQ(ridge_kappa(s, 500.5, 0.0), 0.0);
}

// ---- docs/theory.md §10 row 22: GCV identity and the Dobriban–Wager optimal ridge -------------------------

TEST(RidgeRisk, TrainErrorGcvIdentity) {
  const std::vector<double> s = two_level(300);
  std::vector<double> beta2(300);
  for (std::size_t k = 0; k < 300; ++k) beta2[k] = 0.01 * (1.0 + std::sin(static_cast<double>(k)));
  const double sigma2 = 0.3;
  for (double n : {200.0, 500.0}) {
    for (double lambda : {0.05, 0.5, 5.0}) {
      const RidgeRisk r = ridge_risk_spectrum(s, beta2, n, lambda, sigma2);
      const double shrink = 1.0 - traces(s, r.kappa).df1 / n;  // = λ/κ
      EXPECT_NEAR(lambda / r.kappa, shrink, 1e-14);
      EXPECT_NEAR(r.train, shrink * shrink * (r.test + sigma2), 1e-12 * r.train);
    }
  }
  // The ridgeless training error is the λ ↓ 0 limit: σ²(1 − p/n) below the threshold, 0 above.
  for (double n : {200.0, 500.0}) {
    const RidgeRisk limit = ridge_risk_spectrum(s, beta2, n, 0.0, sigma2);
    const RidgeRisk small = ridge_risk_spectrum(s, beta2, n, 1e-10, sigma2);
    EXPECT_NEAR(limit.train, n > 300 ? sigma2 * (1 - 300 / n) : 0.0, 1e-15);
    EXPECT_NEAR(small.train, limit.train, 1e-8) << n;
    EXPECT_NEAR(small.test, limit.test, 1e-8) << n;
  }
}

TEST(RidgeRisk, DobrianWagerOptimalLambda) {
  // Random effects β* ~ (0, r²/p I): λ* = pσ²/(n r²) minimises the DE risk for any Σ.
  const std::size_t p = 400;
  const std::vector<double> s = two_level(p);
  const double r2 = 1.0, sigma2 = 0.5, n = 300.0;
  const std::vector<double> beta2(p, r2 / static_cast<double>(p));
  const double best = golden_min(
      [&](double l) { return ridge_risk_spectrum(s, beta2, n, l, sigma2).test; }, 0.01, 2.0, 1e-7);
  EXPECT_NEAR(best, static_cast<double>(p) * sigma2 / (n * r2), 1e-4);

  // Population form: λ* = γσ²/r², here with three levels and γ > 1.
  const PopulationSpectrum h{{0.2, 1.0, 6.0}, {0.3, 0.5, 0.2}};
  const double gamma = 1.7, r2b = 2.0, sigma2b = 0.8;
  const double best_h = golden_min([&](double l) { return ridge_risk(h, gamma, l, r2b, sigma2b).test; },
                                   0.01, 3.0, 1e-7);
  EXPECT_NEAR(best_h, gamma * sigma2b / r2b, 1e-4);
}

// ---- Input errors ------------------------------------------------------------------------------

TEST(RidgeRisk, InterpolationThresholdThrows) {
  EXPECT_THROW(hmrt_isotropic(1.0, 0.0, 1.0, 1.0), rmt::InputError);
  EXPECT_THROW(ridge_risk(kIsotropic, 1.0, 0.0, 1.0, 1.0), rmt::InputError);
  const std::vector<double> s = two_level(400), beta2(400, 0.0025);
  EXPECT_THROW(ridge_risk_spectrum(s, beta2, 400.0, 0.0, 1.0), rmt::InputError);
  EXPECT_THROW(ridge_kappa(s, 400.0, 0.0), rmt::InputError);
  EXPECT_NO_THROW(ridge_risk_spectrum(s, beta2, 400.0, 1e-3, 1.0));
}

TEST(RidgeRisk, BadInputsThrow) {
  const std::vector<double> s{1.0, 2.0}, beta2{0.1, 0.2}, short_beta2{0.1};
  EXPECT_THROW(ridge_risk_spectrum(s, short_beta2, 10, 0.1, 1.0), rmt::InputError);
  EXPECT_THROW(ridge_risk_spectrum(s, beta2, 10, -0.1, 1.0), rmt::InputError);
  EXPECT_THROW(ridge_risk_spectrum(s, beta2, 0.0, 0.1, 1.0), rmt::InputError);
  EXPECT_THROW(ridge_risk_spectrum(s, beta2, 10, 0.1, -1.0), rmt::InputError);
  EXPECT_THROW(ridge_risk_spectrum(std::vector<double>{1.0, 0.0}, beta2, 10, 0.1, 1.0), rmt::InputError);
  EXPECT_THROW(ridge_risk(PopulationSpectrum{{1.0, 2.0}, {0.5, 0.4}}, 0.5, 0.1, 1.0, 1.0), rmt::InputError);
  EXPECT_THROW(ridge_risk(PopulationSpectrum{{1.0}, {1.0, 0.0}}, 0.5, 0.1, 1.0, 1.0), rmt::InputError);
  EXPECT_THROW(ridge_risk(kIsotropic, 0.0, 0.1, 1.0, 1.0), rmt::InputError);
  EXPECT_THROW(ridge_risk(kIsotropic, 0.5, 0.1, -1.0, 1.0), rmt::InputError);
  EXPECT_THROW(hmrt_isotropic(0.5, std::nan(""), 1.0, 1.0), rmt::InputError);
}

}  // namespace
