// gf_general, gmm_dynamics and rf_ridge_de measure the same curves on the CPU and CUDA backends: one
// replicate's training and test errors (and gmm_dynamics' score mean and variance) equal to ~1e-9
// (skipped without a usable CUDA device). The rf_ridge_de grid covers the primal (N < n) and dual
// (N > n) solutions and a nested F.
#include <gtest/gtest.h>

#include <cmath>

#include "bench/case.hpp"
#include "bench/curve_model.hpp"

using namespace rmt;
using namespace rmt::bench;

namespace {

class CudaDynamicsCurves : public ::testing::TestWithParam<std::pair<std::string, Assignments>> {
 protected:
  void SetUp() override {
    if (!probe_cuda().usable) GTEST_SKIP() << "no usable CUDA device: " << probe_cuda().reason;
  }
};

void expect_close(const std::vector<double>& a, const std::vector<double>& b, const std::string& what) {
  ASSERT_EQ(a.size(), b.size()) << what;
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(a[i], b[i], 1e-9 * (1 + std::abs(a[i]))) << what << " point " << i;
}

}  // namespace

TEST_P(CudaDynamicsCurves, SameErrorsOnBothBackends) {
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
  expect_close(a.train, b.train, "train");
  expect_close(a.test, b.test, "test");
  ASSERT_EQ(a.extra.size(), b.extra.size());
  for (const auto& [name, series] : a.extra) expect_close(series, b.extra.at(name), name);
}

INSTANTIATE_TEST_SUITE_P(
    Models, CudaDynamicsCurves,
    ::testing::Values(std::make_pair(std::string("gf_general"), Assignments{{"n", "450"}, {"t", "0.3,5,50"}}),
                      std::make_pair(std::string("gmm_dynamics"),
                                     Assignments{{"n", "512"}, {"t", "10,100,1000"}, {"method", "gd"}}),
                      std::make_pair(std::string("rf_ridge_de"),
                                     Assignments{{"n", "200"}, {"D", "400"}, {"N", "100,300"}, {"lambda", "0.001"}})),
    [](const auto& param_info) { return param_info.param.first; });
