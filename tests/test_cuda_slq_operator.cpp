// The matrix-free pieces of method = slq on the CUDA backend against the CPU backend: the column
// operations (sample_rademacher bit for bit, column_dots in double, add_scaled_columns,
// scale_columns) and the Gram operators of mp and rf (stored and regenerated, ragged tiles) applied
// to the same block. Skips (GTEST_SKIP) when no usable CUDA device exists.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "bench/case.hpp"
#include "core/base/error.hpp"
#include "core/slq/linear_operator.hpp"
#include "support.hpp"

using namespace rmt;
using namespace rmt::bench;

namespace {

class CudaSlq : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!probe_cuda().usable) GTEST_SKIP() << "no usable CUDA device: " << probe_cuda().reason;
    cpu = make_cpu_backend();
    cuda = make_cuda_backend();
  }
  std::unique_ptr<Backend> cpu, cuda;
};

StreamKey probe_key(std::uint32_t stream = 7) { return {99, 0xabcdefu, 2, stream}; }

double max_abs(const std::vector<double>& v) {
  double m = 0;
  for (const double x : v) m = std::max(m, std::abs(x));
  return m;
}

// The same host block on a backend.
Matrix block_on(Backend& b, const std::vector<double>& host, index_t rows, index_t cols) {
  return b.from_host(rows, cols, host);
}

}  // namespace

TEST_F(CudaSlq, RademacherIsTheCpuMatrixBitForBit) {
  for (const auto precision : {Precision::fp64, Precision::fp32}) {
    PrecisionScope s1(*cpu, precision), s2(*cuda, precision);
    for (const std::uint64_t offset : {std::uint64_t{0}, std::uint64_t{5}, std::uint64_t{1} << 33}) {
      const auto a = cpu->to_host(cpu->sample_rademacher(probe_key(), 1001, 9, offset));
      const auto b = cuda->to_host(cuda->sample_rademacher(probe_key(), 1001, 9, offset));
      EXPECT_EQ(a, b) << "offset " << offset;
    }
  }
}

TEST_F(CudaSlq, ColumnOperationsMatchTheCpu) {
  const std::vector<double> s = {0.5, -2.0, 0.0, 3.25, 1e-3, 7.0};
  for (const auto precision : {Precision::fp64, Precision::fp32}) {
    PrecisionScope s1(*cpu, precision), s2(*cuda, precision);
    // Rows past one chunk of the two-pass reduction (256 threads × 8 rows), and a short block.
    for (const index_t rows : {index_t{37}, index_t{100003}}) {
      const index_t cols = static_cast<index_t>(s.size());
      const auto x = cpu->to_host(cpu->sample_gaussian(probe_key(1), rows, cols));
      const auto y = cpu->to_host(cpu->sample_gaussian(probe_key(2), rows, cols));
      const Matrix xc = block_on(*cpu, x, rows, cols), yc = block_on(*cpu, y, rows, cols);
      const Matrix xg = block_on(*cuda, x, rows, cols), yg = block_on(*cuda, y, rows, cols);
      const auto dc = cpu->column_dots(xc, yc), dg = cuda->column_dots(xg, yg);
      ASSERT_EQ(dc.size(), dg.size());
      for (std::size_t j = 0; j < dc.size(); ++j)
        EXPECT_NEAR(dg[j], dc[j], 1e-13 * static_cast<double>(rows)) << "rows " << rows << ", column " << j;
      EXPECT_EQ(cuda->column_dots(xg, yg), dg);  // deterministic
      Matrix ac = block_on(*cpu, x, rows, cols), ag = block_on(*cuda, x, rows, cols);
      cpu->add_scaled_columns(ac, yc, s);
      cuda->add_scaled_columns(ag, yg, s);
      cpu->scale_columns(ac, s);
      cuda->scale_columns(ag, s);
      const auto rc = cpu->to_host(ac), rg = cuda->to_host(ag);
      const double tol = precision == Precision::fp32 ? 1e-6 : 1e-14;
      for (std::size_t e = 0; e < rc.size(); ++e)
        ASSERT_NEAR(rg[e], rc[e], tol * (1 + std::abs(rc[e]))) << "rows " << rows << ", element " << e;
    }
  }
}

// The operator of mp and rf on CUDA equals the CPU's on the same block of 5 probe vectors.
TEST_F(CudaSlq, GramOperatorsMatchTheCpu) {
  const std::vector<std::pair<std::string, Assignments>> cases = {
      {"mp", {{"n", "301"}, {"c", "0.7"}, {"sigma2", "2"}}},
      {"rf", {{"n", "257"}, {"activation", "tanh"}}},
      {"rf", {{"n", "255"}, {"centred", "0"}, {"activation", "relu"}}}};
  for (const auto& [model, params] : cases) {
    const auto c = test_support::make_case(model, params);
    const StreamKey key{2026, c.case_key, 1, 0};
    const index_t dim = c.model->sizes(c.params).eig_dim, b = 5;
    const auto v = cpu->to_host(cpu->sample_rademacher(probe_key(3), dim, b));
    for (const auto storage : {OperatorStorage::stored, OperatorStorage::regenerate}) {
      SCOPED_TRACE(model + " " + std::string(to_string(storage)));
      std::vector<double> out[2];
      int k = 0;
      for (Backend* backend : {cpu.get(), cuda.get()}) {
        auto g = c.model->gram_features(*backend, c.params, key);
        auto op = make_gram_operator(*backend, std::move(g.features), g.alpha, g.side, storage, 22);
        const Matrix vb = block_on(*backend, v, dim, b);
        Matrix y;
        op->apply(vb, y);
        out[k++] = backend->to_host(y);
      }
      ASSERT_EQ(out[0].size(), out[1].size());
      const double scale = max_abs(out[0]);
      for (std::size_t e = 0; e < out[0].size(); ++e)
        ASSERT_NEAR(out[1][e], out[0][e], 1e-11 * scale) << "element " << e;
    }
  }
}
