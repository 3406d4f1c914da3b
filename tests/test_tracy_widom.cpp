// The right edge in Tracy–Widom units (docs/theory.md §9.5): TW₁ computed by Bornemann's Fredholm
// quadrature against published moments and quantiles, and edge_error_tw = (λ_max − λ₊)/σ_d of
// simulated Marchenko–Pastur spectra (CPU backend, fixed seeds) against TW₁. The scale σ_d itself is
// checked in tests/test_metrics.cpp (semicircle, Johnstone's MP scale, Bai–Silverstein).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include <gtest/gtest.h>

#include "bench/spectral_case.hpp"
#include "core/base/error.hpp"
#include "core/base/metrics.hpp"
#include "tests/support.hpp"

using namespace rmt;
using namespace rmt::bench;

namespace {

// Published values: mean and variance of TW₁ (Bornemann 2010, Table 10; Prähofer–Spohn), and
// percentiles (Johnstone 2001, Table 1, 4 decimals).
constexpr double kMean = -1.2065335745820;
constexpr double kVariance = 1.6077810345810;
struct Percentile {
  double u, s;
};
constexpr Percentile kPercentiles[] = {{0.01, -3.8954}, {0.05, -3.1804}, {0.10, -2.7824}, {0.30, -1.9104},
                                       {0.50, -1.2686}, {0.70, -0.5923}, {0.90, 0.4501},  {0.95, 0.9793},
                                       {0.99, 2.0234}};

}  // namespace

TEST(TracyWidom1, MeanAndVarianceArePublishedValues) {
  EXPECT_NEAR(tw1::mean(), kMean, 1e-11);
  EXPECT_NEAR(tw1::variance(), kVariance, 1e-11);
}

TEST(TracyWidom1, QuantilesArePublishedValues) {
  for (const auto& p : kPercentiles) {
    EXPECT_NEAR(tw1::quantile(p.u), p.s, 6e-5) << "u = " << p.u;
    EXPECT_NEAR(tw1::cdf(tw1::quantile(p.u)), p.u, 1e-12) << "u = " << p.u;
  }
  // A distribution function: increasing from 0 to 1.
  EXPECT_LT(tw1::cdf(-10.0), 1e-20);
  EXPECT_GT(tw1::cdf(10.0), 1.0 - 1e-10);
  double last = 0;
  for (double s = -8; s <= 6; s += 0.25) {
    EXPECT_GE(tw1::cdf(s), last);
    last = tw1::cdf(s);
  }
}

TEST(TracyWidom1, AbsoluteBoundHasItsFalseAlarmRate) {
  for (const double alpha : {1e-2, 1e-3, 1e-4}) {
    const double t = tw1::abs_bound(alpha);
    EXPECT_NEAR(tw1::cdf(-t) + 1.0 - tw1::cdf(t), alpha, 1e-12 + 1e-9 * alpha);
  }
  // The left tail dominates: |TW₁| ≤ t fails mostly below −t (the law is centred at −1.21).
  const double t = tw1::abs_bound(1e-3);
  EXPECT_GT(tw1::cdf(-t), 10.0 * (1.0 - tw1::cdf(t)));
  EXPECT_THROW(tw1::abs_bound(0.0), InputError);
  EXPECT_THROW(tw1::quantile(1.0), InputError);
}

namespace {


// λ_max of `seeds` MP draws (n, c = 0.5) in Tracy–Widom units, against λ₊·(1 + eps) (eps = 0: the law).
std::vector<std::vector<double>> mp_edges(index_t n, int seeds, const std::vector<double>& eps) {
  auto backend = make_cpu_backend();
  const auto c = test_support::make_case("mp", {{"n", std::to_string(n)}, {"c", "0.5"}});
  const SpectralTheory t = build_theory(c);
  EXPECT_GT(t.tw_scale, 0.0);
  const double edge = t.support.back().hi;
  std::vector<std::vector<double>> out(eps.size());
  for (int s = 0; s < seeds; ++s) {
    StageTimes times;
    const auto eigs = c.model->sample(*backend, c.params, StreamKey{1000u + s, c.case_key, 0, 0}, times).eigenvalues;
    const double top = *std::max_element(eigs.begin(), eigs.end());
    for (std::size_t k = 0; k < eps.size(); ++k) out[k].push_back(edge_error(top, edge * (1 + eps[k]), t.tw_scale).tw);
  }
  return out;
}

struct Moments {
  double mean, sd;
};

Moments moments(const std::vector<double>& v) {
  double m = 0, ss = 0;
  for (const double x : v) m += x;
  m /= static_cast<double>(v.size());
  for (const double x : v) ss += (x - m) * (x - m);
  return {m, std::sqrt(ss / (static_cast<double>(v.size()) - 1))};
}

// Kolmogorov distance of the sample to TW₁.
double ks_to_tw1(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const auto n = static_cast<double>(v.size());
  double d = 0;
  for (std::size_t i = 0; i < v.size(); ++i) {
    const double f = tw1::cdf(v[i]);
    d = std::max({d, (static_cast<double>(i) + 1) / n - f, f - static_cast<double>(i) / n});
  }
  return d;
}

}  // namespace

// MP at p = 400, n = 800 over 80 seeds: edge_error_tw follows TW₁. Sampling tolerances (4 standard
// errors): mean ± 4·1.27/√80 = ±0.57, sd ± 4·sd/√(2·80)·√(1 + κ/2) ≈ ±0.42 (TW₁'s excess kurtosis
// κ = 0.17), and the Kolmogorov distance below 1.95/√80 = 0.218 (level 0.1 %). The finite-size bias
// of the leading-order centring λ₊ = (1 + √c)² is ≈ 0.1 TW units here, inside these. A law whose edge
// is 3 % too high (2.9 TW units at this size) fails all three.
TEST(TracyWidomEdge, MarchenkoPasturEdgeIsTracyWidom) {
  constexpr int kSeeds = 80;
  const auto tw = mp_edges(800, kSeeds, {0.0, 0.03});
  const Moments m = moments(tw[0]);
  std::printf("edge_error_tw over %d seeds: mean %.3f sd %.3f KS %.3f; with λ₊ 3%% high: mean %.3f KS %.3f\n", kSeeds,
              m.mean, m.sd, ks_to_tw1(tw[0]), moments(tw[1]).mean, ks_to_tw1(tw[1]));
  const double sd1 = std::sqrt(kVariance);
  const double mean_tol = 4 * sd1 / std::sqrt(kSeeds);
  const double sd_tol = 4 * sd1 / std::sqrt(2.0 * kSeeds) * std::sqrt(1 + 0.1652429384 / 2);
  const double ks_tol = 1.95 / std::sqrt(kSeeds);
  EXPECT_NEAR(m.mean, kMean, mean_tol);
  EXPECT_NEAR(m.sd, sd1, sd_tol);
  EXPECT_LT(ks_to_tw1(tw[0]), ks_tol);
  const Moments wrong = moments(tw[1]);
  EXPECT_GT(std::abs(wrong.mean - kMean), mean_tol);
  EXPECT_GT(ks_to_tw1(tw[1]), ks_tol);
}

// docs/theory.md §9.5: the default mp_c0.5 case (d = 1000, seed 42) re-scored against a law whose
// right edge is (1 + ε)λ₊. The draw passes with the right law and fails with ε = +2 % and ε = −4 %
// (the former rule 3δ·d^{2/3} passed both); and, over the TW₁ distribution, the edge alone detects
// ε = +2.6 % or ε = −3.8 % with probability ≥ 0.9 at this size (one draw).
TEST(TracyWidomEdge, WrongEdgeFailsAtDimension1000) {
  auto backend = make_cpu_backend();
  const auto c = test_support::make_case("mp", {{"n", "2000"}, {"c", "0.5"}}, 1, 42);
  const SpectralTheory t = build_theory(c);
  const double tol = default_tolerances(c, t).at("edge_error_tw");
  EXPECT_NEAR(tol, tw1::abs_bound(1e-3), 1e-12);  // mp: no finite-size allowance
  {  // spiked: one unit for the bulk left after the predicted outliers are taken out
    const auto s = test_support::make_case("spiked", {{"n", "2000"}, {"c", "0.5"}, {"spikes", "2,4"}}, 1, 42);
    EXPECT_NEAR(default_tolerances(s, build_theory(s)).at("edge_error_tw"), tw1::abs_bound(1e-3) + 1.0, 1e-12);
  }
  StageTimes times;
  const auto eigs = c.model->sample(*backend, c.params, StreamKey{42, c.case_key, 0, 0}, times).eigenvalues;
  const double edge = t.support.back().hi, top = eigs.back();
  const auto rescored = [&](double eps) { return edge_error(top, edge * (1 + eps), t.tw_scale).tw; };
  EXPECT_LE(std::abs(rescored(0.0)), tol);
  EXPECT_GT(std::abs(rescored(0.02)), tol);
  EXPECT_GT(std::abs(rescored(-0.04)), tol);
  const double old_tol = 3.0 * t.edge_scale;  // the former rule, in λ units
  EXPECT_LE(std::abs(top - edge * 1.02), old_tol);
  EXPECT_LE(std::abs(top - edge * 0.96), old_tol);
  // Probability that |TW₁ − ελ₊/σ_d| > tol: the edge's power against a relative edge error ε.
  const auto power = [&](double eps) {
    const double shift = eps * edge / t.tw_scale;
    return tw1::cdf(-tol + shift) + 1.0 - tw1::cdf(tol + shift);
  };
  EXPECT_NEAR(power(0.0), 1e-3, 1e-9);
  EXPECT_GE(power(0.026), 0.9);
  EXPECT_GE(power(-0.038), 0.9);
  EXPECT_LT(power(0.02), 0.9);  // a single draw cannot do better at d = 1000: TW₁'s sd is 0.6 % of λ₊ here
  std::printf("d = 1000: tolerance %.3f TW units = %.2f %% of λ₊; power at ε = +1, +2, -2, -3 %%: %.3f %.3f %.3f %.3f\n",
              tol, 100 * tol * t.tw_scale / edge, power(0.01), power(0.02), power(-0.02), power(-0.03));
}
