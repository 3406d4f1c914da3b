// ridge, rf_ridge, gf and scaling measure the same curves on the CPU and CUDA backends (the other
// curve models: test_cuda_learning_curves_*.cpp): one replicate's training and test errors equal
// to a relative 1e-9 — the two backends draw the same matrices to ~1e-15 (README,
// Reproducibility) and the solvers differ by rounding. `scaling` solves with λ = 1e-7 against
// eigenvalues of order 1, which amplifies rounding by up to ~1e7: 1e-6 there. The grids cover a γ
// grid with fresh test points (one decomposition per dimension), the ridgeless limit, both sides of
// rf_ridge (N < n primal, N > n dual), gradient descent and the nested data of scaling. Skipped
// without a usable CUDA device.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "bench/case.hpp"
#include "bench/curve_model.hpp"

using namespace rmt;
using namespace rmt::bench;

namespace {

struct CurveCase {
  std::string model;
  Assignments params;
  double tolerance;
};

class CudaCurves : public ::testing::TestWithParam<CurveCase> {
 protected:
  void SetUp() override {
    if (!probe_cuda().usable) GTEST_SKIP() << "no usable CUDA device: " << probe_cuda().reason;
  }
};

void expect_close(const std::vector<double>& a, const std::vector<double>& b, double tol, const std::string& what) {
  ASSERT_EQ(a.size(), b.size()) << what;
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(a[i], b[i], tol * (1e-3 + std::abs(a[i]))) << what << " point " << i;
}

}  // namespace

TEST_P(CudaCurves, SameErrorsOnBothBackends) {
  CaseSpec spec;
  spec.name = spec.model = GetParam().model;
  spec.params = GetParam().params;
  const auto c = resolve_case(spec);
  const CurveAxis axis = curve_axis(*c.curve, c.params);
  auto cpu = make_cpu_backend();
  auto cuda = make_cuda_backend();
  StageTimes t;
  const StreamKey key{2026, c.case_key, 1, 0};
  const CurveDraw a = c.curve->sample(*cpu, c.params, axis, key, t);
  const CurveDraw b = c.curve->sample(*cuda, c.params, axis, key, t);
  expect_close(a.train, b.train, GetParam().tolerance, "train");
  expect_close(a.test, b.test, GetParam().tolerance, "test");
  ASSERT_EQ(a.extra.size(), b.extra.size());
  for (const auto& [name, series] : a.extra) expect_close(series, b.extra.at(name), GetParam().tolerance, name);
}

INSTANTIATE_TEST_SUITE_P(
    Models, CudaCurves,
    ::testing::Values(
        CurveCase{"ridge", {{"n", "400"}, {"lambda", "0,0.01,1"}, {"gamma", "0.5"}}, 1e-9},
        CurveCase{"ridge", {{"n", "300"}, {"gamma", "0.5,2,1.5"}, {"lambda", "0.1"}, {"test_samples", "500"}}, 1e-9},
        CurveCase{"rf_ridge", {{"n", "400"}, {"psi1", "0.5,1,4"}, {"psi2", "2"}, {"lambda", "0.001"}}, 1e-9},
        CurveCase{"rf_ridge", {{"n", "300"}, {"lambda", "0.001,0.1"}, {"activation", "tanh"}}, 1e-9},
        CurveCase{"gf", {{"n", "400"}, {"t", "0.5,2,10"}, {"test_samples", "300"}}, 1e-9},
        CurveCase{"gf", {{"n", "400"}, {"gamma", "2"}, {"t", "1,10"}, {"eta", "0.1"}}, 1e-9},
        CurveCase{"scaling", {{"n", "50:400:4log"}, {"D", "2000"}}, 1e-6},
        CurveCase{"llc_ridge", {{"n", "256"}, {"features", "0.5,1.5"}, {"gamma", "0.05"}}, 1e-9},
        CurveCase{"rff_ridge", {{"n", "200"}, {"features", "0.25,1.5"}, {"gamma", "0.01"}}, 1e-9}),
    [](const auto& param_info) { return param_info.param.model + "_" + std::to_string(param_info.index); });
