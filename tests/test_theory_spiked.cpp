// Spiked covariance / BBP transition (docs/theory.md §2, §10 row 9).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "core/base/error.hpp"
#include "theory/mp.hpp"
#include "theory/silverstein.hpp"
#include "theory/spiked.hpp"

namespace {

using rmt::theory::BaiSilverstein;
using rmt::theory::bbp_threshold;
using rmt::theory::MarchenkoPastur;
using rmt::theory::spike_prediction;
using rmt::theory::spike_predictions;

TEST(Spiked, Threshold) {
  EXPECT_NEAR(bbp_threshold(0.5), std::sqrt(0.5), 1e-16);
  EXPECT_EQ(bbp_threshold(0.25), 0.5);
  EXPECT_EQ(bbp_threshold(4.0), 2.0);
}

TEST(Spiked, Row9CHalf) {
  const auto p1 = spike_prediction(1.0, 0.5);
  EXPECT_TRUE(p1.separated);
  EXPECT_EQ(p1.spike, 1.0);
  EXPECT_NEAR(p1.position, 3.0, 1e-15);
  EXPECT_NEAR(p1.alignment, 1.0 / 3.0, 1e-15);
  const auto p2 = spike_prediction(2.0, 0.5);
  EXPECT_NEAR(p2.position, 3.75, 1e-15);
  EXPECT_NEAR(p2.alignment, 0.7, 1e-15);
  const auto p4 = spike_prediction(4.0, 0.5);
  EXPECT_NEAR(p4.position, 5.625, 1e-15);
  EXPECT_NEAR(p4.alignment, 0.8611111111, 1e-10);
  EXPECT_NEAR(p4.alignment, 31.0 / 36.0, 1e-15);
}

TEST(Spiked, OtherValuesFromSpec) {
  const auto q = spike_prediction(1.0, 0.25);
  EXPECT_TRUE(q.separated);
  EXPECT_NEAR(q.position, 2.5, 1e-15);
  EXPECT_NEAR(q.alignment, 0.6, 1e-15);
  // c = 2 (p > n): ℓ = 3 > √2 → (1 + 3)(1 + 2/3) = 20/3, (1 - 2/9)/(1 + 2/3) = 7/15.
  const auto r = spike_prediction(3.0, 2.0);
  EXPECT_TRUE(r.separated);
  EXPECT_NEAR(r.position, 20.0 / 3.0, 1e-14);
  EXPECT_NEAR(r.alignment, 7.0 / 15.0, 1e-15);
}

TEST(Spiked, BelowThresholdSticksToTheEdge) {
  // ℓ = 0.5 < √0.5: no outlier, top eigenvalue at the MP edge 2.914214, alignment 0.
  for (double spike : {0.0, 0.3, 0.5, std::sqrt(0.5), -0.5}) {
    const auto p = spike_prediction(spike, 0.5);
    EXPECT_FALSE(p.separated) << spike;
    EXPECT_NEAR(p.position, 2.914213562373, 1e-12);
    EXPECT_EQ(p.position, MarchenkoPastur(0.5).upper_edge());
    EXPECT_EQ(p.alignment, 0.0);
  }
}

TEST(Spiked, ContinuousAtThreshold) {
  const double c = 0.7, th = bbp_threshold(c);
  const auto above = spike_prediction(th * (1 + 1e-9), c);
  EXPECT_TRUE(above.separated);
  EXPECT_NEAR(above.position, MarchenkoPastur(c).upper_edge(), 1e-12);
  EXPECT_NEAR(above.alignment, 0.0, 1e-8);
  // The outlier is outside the bulk and increasing in ℓ.
  double prev = MarchenkoPastur(c).upper_edge();
  for (double spike = th * 1.01; spike < 20; spike *= 1.3) {
    const auto p = spike_prediction(spike, c);
    EXPECT_GT(p.position, prev);
    EXPECT_GT(p.alignment, 0.0);
    EXPECT_LT(p.alignment, 1.0);
    prev = p.position;
  }
}

TEST(Spiked, AgreesWithGeneralPopulationCriterion) {
  // Baik–Silverstein: L = 1 + ℓ isolated from supp H = {1} gives an outlier at z(-1/L) iff
  // z'(-1/L) > 0 (docs/theory.md §2); for H = δ₁ this is the BBP formula.
  for (double c : {0.1, 0.5, 2.0}) {
    const BaiSilverstein bulk({{1.0}, {1.0}}, c);
    for (double spike : {0.2, 0.6, 1.0, 1.5, 3.0, 10.0}) {
      const double L = 1 + spike, mt = -1 / L, h = 1e-6 * std::abs(mt);
      const double slope =
          (bulk.z_of_companion(mt + h).real() - bulk.z_of_companion(mt - h).real()) / (2 * h);
      const auto p = spike_prediction(spike, c);
      EXPECT_EQ(p.separated, slope > 0) << "c = " << c << " spike = " << spike;
      if (p.separated) {
        EXPECT_NEAR(p.position, bulk.z_of_companion(mt).real(), 1e-13 * p.position);
        EXPECT_GT(p.position, bulk.edges().back());
        EXPECT_EQ(bulk.density(p.position), 0.0);
      }
    }
  }
}

TEST(Spiked, VectorForm) {
  const std::vector<double> spikes{4.0, 0.5, 2.0};
  const auto ps = spike_predictions(spikes, 0.5);
  ASSERT_EQ(ps.size(), 3u);
  for (std::size_t i = 0; i < spikes.size(); ++i) {
    const auto single = spike_prediction(spikes[i], 0.5);
    EXPECT_EQ(ps[i].spike, spikes[i]);
    EXPECT_EQ(ps[i].separated, single.separated);
    EXPECT_EQ(ps[i].position, single.position);
    EXPECT_EQ(ps[i].alignment, single.alignment);
  }
  EXPECT_TRUE(spike_predictions({}, 0.5).empty());
}

TEST(Spiked, BadInputThrows) {
  EXPECT_THROW(bbp_threshold(0.0), rmt::InputError);
  EXPECT_THROW(bbp_threshold(-1.0), rmt::InputError);
  EXPECT_THROW(spike_prediction(1.0, 0.0), rmt::InputError);
  EXPECT_THROW(spike_prediction(1.0, std::nan("")), rmt::InputError);
  EXPECT_THROW(spike_prediction(std::nan(""), 0.5), rmt::InputError);
  EXPECT_THROW(spike_prediction(std::numeric_limits<double>::infinity(), 0.5), rmt::InputError);
  EXPECT_THROW(spike_prediction(-1.0, 0.5), rmt::InputError);
  EXPECT_THROW(spike_predictions({1.0, -2.0}, 0.5), rmt::InputError);
}

}  // namespace
