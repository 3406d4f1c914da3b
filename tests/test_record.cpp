// The record helpers shared by spectral and learning-curve cases (bench/record.hpp), the case kind
// chosen by resolve_case, and the shared FNV-1a and UTC timestamp helpers (core/base/hash.hpp, core/base/utc_time.hpp).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "bench/case.hpp"
#include "bench/record.hpp"
#include "core/base/error.hpp"
#include "core/base/hash.hpp"
#include "core/base/utc_time.hpp"
#include "tests/support.hpp"

using namespace rmt;
using namespace rmt::bench;

TEST(Record, SummaryOfReplicates) {
  const std::vector<double> v = {1.0, 2.0, 4.0};
  const Summary s = summarise(v);
  EXPECT_NEAR(s.mean, 7.0 / 3.0, 1e-15);
  // Sample variance: ((4/3)² + (1/3)² + (5/3)²) / 2 = 7/3.
  EXPECT_NEAR(s.sd, std::sqrt(7.0 / 3.0), 1e-15);
  EXPECT_NEAR(s.se, std::sqrt(7.0 / 3.0 / 3.0), 1e-15);
  const Summary one = summarise(std::vector<double>{5.0});
  EXPECT_EQ(one.mean, 5.0);
  EXPECT_EQ(one.sd, 0.0);
  EXPECT_EQ(one.se, 0.0);
  EXPECT_EQ(summarise(std::vector<double>{}).mean, 0.0);
  // Two passes: a small spread on a large mean is not lost to cancellation.
  const Summary offset = summarise(std::vector<double>{1e8 + 1, 1e8 + 2, 1e8 + 4});
  EXPECT_NEAR(offset.sd, std::sqrt(7.0 / 3.0), 1e-7);
}

TEST(Record, Median) {
  EXPECT_EQ(median({3.0, 1.0, 2.0}), 2.0);
  EXPECT_EQ(median({4.0, 1.0, 3.0, 2.0}), 2.5);
  EXPECT_TRUE(std::isnan(median({})));
}

TEST(Record, VerdictNeedsEveryToleratedMetricFiniteAndWithin) {
  const std::map<std::string, double> tol = {{"ks", 0.1}, {"w1", 0.2}};
  EXPECT_TRUE(within_tolerance({{"ks", 0.05}, {"w1", -0.2}, {"untolerated", 1e9}}, tol));
  EXPECT_FALSE(within_tolerance({{"ks", 0.11}, {"w1", 0.0}}, tol));
  EXPECT_FALSE(within_tolerance({{"ks", 0.05}}, tol));  // a tolerated metric missing
  EXPECT_FALSE(within_tolerance({{"ks", std::numeric_limits<double>::quiet_NaN()}, {"w1", 0.0}}, tol));
  EXPECT_FALSE(within_tolerance({{"ks", std::numeric_limits<double>::infinity()}, {"w1", 0.0}}, {{"ks", INFINITY}}));
  EXPECT_TRUE(within_tolerance({}, {}));
}

TEST(Record, TimingBlockKeys) {
  const nlohmann::json t = timing_json({1, 2, 3, 4}, 5, 6);
  EXPECT_EQ(t, nlohmann::json({{"sample_s", 1.0}, {"activation_s", 2.0}, {"gram_s", 3.0}, {"eig_s", 4.0},
                               {"theory_s", 5.0}, {"total_s", 6.0}}));
}

TEST(Record, CaseKindIsChosenAtResolveTime) {
  const auto spectral = test_support::make_case("mp", {{"n", "100"}});
  EXPECT_EQ(spectral.kind, CaseKind::spectral);
  ASSERT_NE(spectral.model, nullptr);
  EXPECT_EQ(spectral.curve, nullptr);
  EXPECT_EQ(spectral.base, spectral.model);
  const auto curve = test_support::make_case("ridge", {{"n", "100"}}, 5);
  EXPECT_EQ(curve.kind, CaseKind::curve);
  ASSERT_NE(curve.curve, nullptr);
  EXPECT_EQ(curve.model, nullptr);
  EXPECT_EQ(curve.base->name(), "ridge");
  EXPECT_THROW(test_support::make_case("no_such_model", {}), InputError);
  EXPECT_EQ(repro_command(spectral, "cpu").rfind("rmtbench run --model mp --set ", 0), 0u);
}

TEST(Hash, FnvTestVectors) {
  EXPECT_EQ(fnv1a32("foobar"), 0xbf9cf968u);
  EXPECT_EQ(fnv1a64("foobar"), 0x85944171f73967e8ull);
  EXPECT_EQ(fnv1a<std::uint64_t>("a"), 0xaf63dc4c8601ec8cull);
}

TEST(UtcTime, FormatsAGivenTime) {
  EXPECT_EQ(utc_timestamp("%Y-%m-%dT%H:%M:%SZ", 0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(utc_timestamp("%Y-%m-%d %H:%M:%S UTC", 1764951330), "2025-12-05 16:15:30 UTC");
  EXPECT_EQ(utc_timestamp("%Y-%m-%d").size(), 10u);
}
