// core/base/fit.hpp: power-law fits in log–log with a Student-t interval on the exponent.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "core/base/error.hpp"
#include "core/base/fit.hpp"

using rmt::fit_power_law;

TEST(Fit, ExactPowerLawGivesExactExponentAndPrefactor) {
  std::vector<double> x, y;
  for (const double n : {250.0, 500.0, 1000.0, 2000.0, 4000.0}) {
    x.push_back(n);
    y.push_back(3.5 * std::pow(n, -2.0 / 3.0));
  }
  const auto f = fit_power_law(x, y);
  EXPECT_NEAR(f.exponent, -2.0 / 3.0, 1e-12);
  EXPECT_NEAR(f.prefactor, 3.5, 1e-10);
  EXPECT_EQ(f.points, 5);
  EXPECT_NEAR(f.stderr_, 0.0, 1e-12);
  EXPECT_NEAR(f.ci_low, f.exponent, 1e-10);
  EXPECT_NEAR(f.ci_high, f.exponent, 1e-10);
}

TEST(Fit, IntervalUsesStudentT) {
  // Three points, one degree of freedom: t_{0.975,1} = 12.7062.
  const std::vector<double> x = {1, 10, 100}, y = {1, 0.2, 0.01};
  const auto f = fit_power_law(x, y);
  const double half = f.ci_high - f.exponent;
  EXPECT_NEAR(half / f.stderr_, 12.7062047, 1e-6);
  EXPECT_NEAR(f.exponent - f.ci_low, half, 1e-12);
  // A wider confidence gives a wider interval.
  const auto g = fit_power_law(x, y, 0.99);
  EXPECT_GT(g.ci_high - g.ci_low, f.ci_high - f.ci_low);
}

TEST(Fit, NoisyDataIntervalCoversTheTruth) {
  std::mt19937_64 rng(7);
  std::normal_distribution<double> noise(0.0, 0.2);
  const double truth = -1.0;
  int covered = 0;
  constexpr int kTrials = 400;
  for (int t = 0; t < kTrials; ++t) {
    std::vector<double> x, y;
    for (double n = 100; n <= 100000; n *= 2) {
      x.push_back(n);
      y.push_back(2.0 * std::pow(n, truth) * std::exp(noise(rng)));
    }
    const auto f = fit_power_law(x, y);
    if (t == 0) {  // one fit on its own: close, and its interval covers the truth
      EXPECT_NEAR(f.exponent, truth, 0.1);
      EXPECT_LE(f.ci_low, truth);
      EXPECT_GE(f.ci_high, truth);
    }
    covered += f.ci_low <= truth && truth <= f.ci_high;
  }
  // Nominal 95%: with 400 fixed-seed trials the observed coverage is well inside [0.91, 0.99].
  EXPECT_GE(covered, static_cast<int>(0.91 * kTrials));
  EXPECT_LE(covered, static_cast<int>(0.99 * kTrials));
}

TEST(Fit, SkipsPointsWithoutLogarithmAndRejectsTooFew) {
  const std::vector<double> x = {0, 10, 100, 1000, -5}, y = {1, 0.1, 0.01, 0.0, 3};
  const auto f = fit_power_law(x, y);  // only (10, 0.1) and (100, 0.01) are usable
  EXPECT_EQ(f.points, 2);
  EXPECT_NEAR(f.exponent, -1.0, 1e-12);
  EXPECT_TRUE(std::isnan(f.stderr_));
  EXPECT_TRUE(std::isnan(f.ci_low));
  const std::vector<double> one = {5}, flat = {2, 2, 2}, vals = {1, 2, 3};
  EXPECT_THROW(fit_power_law(one, one), rmt::InputError);
  EXPECT_THROW(fit_power_law(flat, vals), rmt::InputError);
  EXPECT_THROW(fit_power_law(vals, one), rmt::InputError);
  EXPECT_THROW(fit_power_law(vals, vals, 1.5), rmt::InputError);
}
