// Every spectral model draws the same matrix on the CPU and CUDA backends (to ~1e-15 relative: the
// device Box–Muller uses sincospi) and gets equal spectra to ~1e-10 (skipped without a usable CUDA
// device). Learning curves: test_cuda_curves.cpp and test_cuda_learning_curves_*.cpp.
#include <gtest/gtest.h>

#include <cmath>

#include "bench/case.hpp"

using namespace rmt;
using namespace rmt::bench;

namespace {

class CudaModels : public ::testing::TestWithParam<std::pair<std::string, Assignments>> {
 protected:
  void SetUp() override {
    if (!probe_cuda().usable) GTEST_SKIP() << "no usable CUDA device: " << probe_cuda().reason;
  }
};

}  // namespace

TEST_P(CudaModels, SameSpectrumOnBothBackends) {
  CaseSpec spec;
  spec.name = spec.model = GetParam().first;
  spec.params = GetParam().second;
  const auto c = resolve_case(spec);
  auto cpu = make_cpu_backend();
  auto cuda = make_cuda_backend();
  StageTimes t;
  const StreamKey key{2026, c.case_key, 1, 0};
  const auto a = c.model->sample(*cpu, c.params, key, t);
  const auto b = c.model->sample(*cuda, c.params, key, t);
  ASSERT_EQ(a.eigenvalues.size(), b.eigenvalues.size());
  double scale = 0;
  for (const double v : a.eigenvalues) scale = std::max(scale, std::abs(v));
  for (std::size_t i = 0; i < a.eigenvalues.size(); ++i)
    ASSERT_NEAR(a.eigenvalues[i], b.eigenvalues[i], 1e-10 * scale) << "eigenvalue " << i;
  ASSERT_EQ(a.outliers.size(), b.outliers.size());
  for (std::size_t i = 0; i < a.outliers.size(); ++i)
    EXPECT_NEAR(a.outliers[i].alignment, b.outliers[i].alignment, 1e-9);
}

INSTANTIATE_TEST_SUITE_P(
    Models, CudaModels,
    ::testing::Values(std::make_pair(std::string("mp"), Assignments{{"n", "700"}, {"c", "0.7"}, {"sigma2", "2"}}),
                      std::make_pair(std::string("silverstein"), Assignments{{"n", "600"}}),
                      std::make_pair(std::string("spiked"), Assignments{{"n", "600"}, {"spikes", "1,3"}}),
                      std::make_pair(std::string("rf"), Assignments{{"n", "600"}, {"activation", "tanh"}}),
                      std::make_pair(std::string("kernel"), Assignments{{"n", "500"}, {"activation", "relu"}}),
                      std::make_pair(std::string("ck"), Assignments{{"n", "500"}, {"gammas", "0.8,1.25,1"}}),
                      std::make_pair(std::string("ntk"), Assignments{{"n", "500"}, {"activation", "gelu"}}),
                      std::make_pair(std::string("llc_gram"), Assignments{{"n", "400"}, {"data", "gmm"}}),
                      std::make_pair(std::string("kernel_el_karoui"), Assignments{{"n", "400"}, {"kind", "distance"}}),
                      std::make_pair(std::string("rff"), Assignments{{"n", "400"}, {"data", "gmm"}}),
                      std::make_pair(std::string("deep_ntk"), Assignments{{"n", "400"}, {"kernel", "ntk"}}),
                      // top_eigenpairs on the device: the mean outlier of a non-centred f
                      std::make_pair(std::string("rf"), Assignments{{"n", "500"}, {"centred", "0"}, {"activation", "relu"}}),
                      std::make_pair(std::string("kernel_el_karoui"), Assignments{{"n", "400"}, {"kind", "inner"}, {"f", "poly2"}}),
                      std::make_pair(std::string("deep_ntk"), Assignments{{"n", "400"}, {"kernel", "linearised"}, {"gammas", "0.8,1.25,1"}})),
    [](const auto& param_info) { return param_info.param.first + "_" + std::to_string(param_info.index); });
