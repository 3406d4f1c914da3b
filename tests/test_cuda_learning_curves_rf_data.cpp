// llc_ridge, rff_ridge and rf_gf fit the same readout on the CPU and CUDA backends: one replicate's
// training and test errors equal to ~1e-9 (skipped without a usable CUDA device). The grids cover
// both sides of FeatureReadout (N < n and N > n) and a nested features grid.
#include <gtest/gtest.h>

#include <cmath>

#include "bench/case.hpp"
#include "bench/curve_model.hpp"

using namespace rmt;
using namespace rmt::bench;

namespace {

class CudaRandomFeatureCurves : public ::testing::TestWithParam<std::pair<std::string, Assignments>> {
 protected:
  void SetUp() override {
    if (!probe_cuda().usable) GTEST_SKIP() << "no usable CUDA device: " << probe_cuda().reason;
  }
};

}  // namespace

TEST_P(CudaRandomFeatureCurves, SameErrorsOnBothBackends) {
  CaseSpec spec;
  spec.name = spec.model = GetParam().first;
  spec.params = GetParam().second;
  const auto c = resolve_case(spec);
  const CurveAxis axis = curve_axis(*c.curve, c.params);
  auto cpu = make_cpu_backend();
  auto cuda = make_cuda_backend();
  StageTimes t;
  const StreamKey key{2026, c.case_key, 1, 0};
  const CurveDraw a = c.curve->sample(*cpu, c.params, axis, key, t);
  const CurveDraw b = c.curve->sample(*cuda, c.params, axis, key, t);
  ASSERT_EQ(a.train.size(), b.train.size());
  for (std::size_t i = 0; i < a.train.size(); ++i) {
    EXPECT_NEAR(a.train[i], b.train[i], 1e-9 * (1 + std::abs(a.train[i]))) << "point " << i;
    EXPECT_NEAR(a.test[i], b.test[i], 1e-9 * (1 + std::abs(a.test[i]))) << "point " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Models, CudaRandomFeatureCurves,
    ::testing::Values(std::make_pair(std::string("llc_ridge"), Assignments{{"n", "300"}, {"features", "0.5,2"}}),
                      std::make_pair(std::string("rff_ridge"), Assignments{{"n", "300"}, {"gamma", "0.01,1"}}),
                      std::make_pair(std::string("rf_gf"), Assignments{{"n", "300"}, {"data", "gaussian"}, {"noise", "0.1"}})),
    [](const auto& param_info) { return param_info.param.first; });
