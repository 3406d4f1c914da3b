// The CUDA backend past 2³¹ elements: n = 46400 gives an n×n matrix of 2.153e9 > 2³¹ elements,
// so 32-bit index arithmetic anywhere (sampling counters, the symmetrising tiles, the grid-stride
// loops of the elementwise kernels, which make many passes at this size) would show up as wrong
// entries at linear indices above 2³¹ — the last ~118 columns. Each n×n matrix takes 17.2 GB; at
// most one exists at a time (device memory stays under ~20 GB). Entries are read back through
// small products (G·E with E selecting columns, which is exact) and row blocks, and compared
// with the host formulas: core/base/philox.hpp for the samples, host dot products of the sampled
// columns for the Gram matrix, KernelFunction on those for the kernels. Skipped without a device.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/base/backend.hpp"
#include "core/base/kernel_function.hpp"
#include "core/base/philox.hpp"

namespace {

using rmt::index_t;

constexpr index_t kN = 46400;  // kN² = 2 152 960 000 > 2³¹ = 2 147 483 648
constexpr index_t kK = 64;
constexpr std::uint64_t kTwo31 = std::uint64_t(1) << 31;

// Columns whose entries all sit above linear index 2³¹ (j·n > 2³¹), and one column below.
const std::vector<index_t> kColumns = {0, 46282, 46300, 46397, kN - 1};
// Rows read back whole: their entries run from linear index i (column 0) past 2³¹ (last columns).
const std::vector<index_t> kRows = {0, kN - 2, kN - 1};

rmt::StreamKey key(std::uint32_t stream) { return rmt::StreamKey{20260511, 0x1a76e1du, 0, stream}; }

// Device sincospi(t) against the host's sincos(π·t): ≤ 1e-15 times the Box–Muller radius of the
// pair, times the row scale s (tests/test_backend.cpp, SampleIsThePhiloxFormulaWhateverThePartition).
double sampling_tolerance(const rmt::StreamKey& k, std::uint64_t index, double s, double v) {
  const rmt::NormalPair g = rmt::gaussian_pair(k, index >> 1);
  return 1e-15 * std::hypot(g.first, g.second) * s + 6e-16 * std::max(1.0, std::abs(v));
}

class CudaLargeIndex : public ::testing::Test {
 protected:
  void SetUp() override {
    const rmt::CudaProbe p = rmt::probe_cuda();
    if (!p.usable) GTEST_SKIP() << "no usable CUDA device: " << p.reason;
    cuda_ = rmt::make_cuda_backend();
    if (cuda_->available_bytes() < std::size_t(24) << 30) GTEST_SKIP() << "needs 24 GB of free device memory";
  }

  // Columns `cols` of the n×n matrix g (n × cols.size(), column-major), through g·E.
  std::vector<double> columns(const rmt::Matrix& g, const std::vector<index_t>& cols) {
    const index_t n = g.rows(), m = static_cast<index_t>(cols.size());
    std::vector<double> e(static_cast<std::size_t>(n * m), 0.0);
    for (index_t r = 0; r < m; ++r) e[static_cast<std::size_t>(cols[static_cast<std::size_t>(r)] + r * n)] = 1.0;
    const rmt::Matrix sel = cuda_->from_host(n, m, e);
    return cuda_->to_host(cuda_->multiply(g, sel, 1.0));
  }
  // Row i of g (length n).
  std::vector<double> row(const rmt::Matrix& g, index_t i) { return cuda_->to_host(cuda_->row_block(g, i, i + 1)); }

  std::unique_ptr<rmt::Backend> cuda_;
};

// G = AᵀA/k for A (k×n) sampled on the device; returns A on the host and G on the device.
struct Gram {
  std::vector<double> a;
  rmt::Matrix g;
};

double host_gram(const std::vector<double>& a, index_t i, index_t j, double* magnitude) {
  double s = 0, m = 0;
  for (index_t l = 0; l < kK; ++l) {
    const double x = a[static_cast<std::size_t>(l + i * kK)], y = a[static_cast<std::size_t>(l + j * kK)];
    s += x * y;
    m += std::abs(x * y);
  }
  *magnitude = m / kK;
  return s / kK;
}

TEST_F(CudaLargeIndex, GramSymmetryAndKernelsPast2To31Elements) {
  rmt::Matrix a = cuda_->sample_gaussian(key(0), kK, kN);
  const std::vector<double> ah = cuda_->to_host(a);
  // The k×n sample against the host formula.
  for (std::size_t e = 0; e < ah.size(); e += 997)
    ASSERT_NEAR(ah[e], rmt::gaussian_at(key(0), e), sampling_tolerance(key(0), e, 1.0, ah[e])) << "A element " << e;

  const auto check_gram = [&](const rmt::Matrix& g) {
    const auto cols = columns(g, kColumns);
    std::size_t bad = 0;
    for (std::size_t r = 0; r < kColumns.size(); ++r) {
      const index_t j = kColumns[r];
      for (index_t i = 0; i < kN; ++i) {
        double mag = 0;
        const double expected = host_gram(ah, i, j, &mag);
        const double got = cols[static_cast<std::size_t>(i) + r * static_cast<std::size_t>(kN)];
        if (!(std::abs(got - expected) <= 1e-13 * std::max(mag, 1e-3)) && ++bad <= 5)
          ADD_FAILURE() << "G(" << i << ", " << j << ") at linear index "
                        << std::uint64_t(i) + std::uint64_t(j) * std::uint64_t(kN) << ": device " << got << " host "
                        << expected;
      }
    }
    EXPECT_EQ(bad, 0u);
    // Symmetry across 2³¹: row i (entries at i + j·n, up to past 2³¹) equals column i (entries at
    // j + i·n), bit for bit (the symmetrising kernel copies the lower triangle).
    for (const index_t i : kRows) {
      const auto ri = row(g, i);
      const auto ci = columns(g, {i});
      std::size_t asym = 0;
      for (index_t j = 0; j < kN; ++j)
        if (ri[static_cast<std::size_t>(j)] != ci[static_cast<std::size_t>(j)] && ++asym <= 5)
          ADD_FAILURE() << "G(" << i << ", " << j << ") = " << ri[static_cast<std::size_t>(j)] << " but G(" << j << ", "
                        << i << ") = " << ci[static_cast<std::size_t>(j)];
      EXPECT_EQ(asym, 0u) << "row " << i;
    }
    return cols;
  };

  {  // Inner-product kernel f(G_ij), f = exp.
    rmt::Matrix g = cuda_->gram(a, 1.0 / kK, rmt::GramSide::cols);
    ASSERT_EQ(g.rows(), kN);
    ASSERT_GT(std::uint64_t(kN) * std::uint64_t(kN), kTwo31);
    const auto before = check_gram(g);
    const rmt::KernelFunction f{rmt::KernelFunctionKind::exp};
    cuda_->apply_kernel(g, f, /*distance=*/false);
    const auto after = columns(g, kColumns);
    std::size_t bad = 0;
    for (std::size_t e = 0; e < after.size(); ++e) {
      const double expected = f.value(before[e]);
      if (!(std::abs(after[e] - expected) <= 1e-14 * std::abs(expected)) && ++bad <= 5)
        ADD_FAILURE() << "exp kernel entry " << e << ": device " << after[e] << " host " << expected;
    }
    EXPECT_EQ(bad, 0u);
  }
  {  // Distance kernel f(G_ii + G_jj − 2G_ij), f = e^{−t/2}: needs the diagonal at both ends.
    rmt::Matrix g = cuda_->gram(a, 1.0 / kK, rmt::GramSide::cols);
    const auto before = columns(g, kColumns);
    std::vector<double> diag(static_cast<std::size_t>(kN));
    for (index_t i = 0; i < kN; ++i) {
      double mag = 0;
      diag[static_cast<std::size_t>(i)] = host_gram(ah, i, i, &mag);
    }
    const rmt::KernelFunction f{rmt::KernelFunctionKind::gaussian};
    cuda_->apply_kernel(g, f, /*distance=*/true);
    const auto after = columns(g, kColumns);
    std::size_t bad = 0;
    for (std::size_t r = 0; r < kColumns.size(); ++r)
      for (index_t i = 0; i < kN; ++i) {
        const std::size_t e = static_cast<std::size_t>(i) + r * static_cast<std::size_t>(kN);
        // The device reads its own diagonal; the host's differs by rounding (≤ 1e-14 of t ~ 2).
        const double t = diag[static_cast<std::size_t>(i)] + diag[static_cast<std::size_t>(kColumns[r])] - 2 * before[e];
        const double expected = f.value(t);
        if (!(std::abs(after[e] - expected) <= 1e-13 * std::max(1.0, std::abs(expected))) && ++bad <= 5)
          ADD_FAILURE() << "distance kernel (" << i << ", " << kColumns[r] << "): device " << after[e] << " host "
                        << expected;
      }
    EXPECT_EQ(bad, 0u);
  }
}

// A sample of n² > 2³¹ elements: its last rows (entries up to linear index n² − 1) against the host
// formula, with and without row scales; and a block drawn at a counter offset past 2³³.
TEST_F(CudaLargeIndex, SamplePast2To31Elements) {
  std::vector<double> scale(static_cast<std::size_t>(kN));
  for (index_t i = 0; i < kN; ++i) scale[static_cast<std::size_t>(i)] = 0.5 + 0.001 * static_cast<double>(i % 1000);
  for (const bool scaled : {false, true}) {
    SCOPED_TRACE(scaled ? "row scales" : "unscaled");
    std::vector<double> block;
    {
      const rmt::Matrix x = cuda_->sample_gaussian(key(1), kN, kN, scaled ? scale : std::vector<double>{});
      block = cuda_->to_host(cuda_->row_block(x, kN - 3, kN));
    }
    std::size_t bad = 0, above = 0;
    for (index_t j = 0; j < kN; ++j)
      for (index_t r = 0; r < 3; ++r) {
        const index_t i = kN - 3 + r;
        const std::uint64_t e = std::uint64_t(i) + std::uint64_t(j) * std::uint64_t(kN);
        above += e >= kTwo31;
        const double s = scaled ? scale[static_cast<std::size_t>(i)] : 1.0;
        const double expected = rmt::gaussian_at(key(1), e) * s;
        const double got = block[static_cast<std::size_t>(r + 3 * j)];
        if (!(std::abs(got - expected) <= sampling_tolerance(key(1), e, s, expected)) && ++bad <= 5)
          ADD_FAILURE() << "X(" << i << ", " << j << ") at linear index " << e << ": device " << got << " host "
                        << expected;
      }
    EXPECT_GT(above, 100u);
    EXPECT_EQ(bad, 0u);
  }
  const std::uint64_t offset = (std::uint64_t(1) << 33) + 2;
  const auto small = cuda_->to_host(cuda_->sample_gaussian(key(2), 7, 9, {}, offset));
  for (std::size_t e = 0; e < small.size(); ++e)
    EXPECT_NEAR(small[e], rmt::gaussian_at(key(2), offset + e), sampling_tolerance(key(2), offset + e, 1.0, small[e])) << e;
}

}  // namespace
