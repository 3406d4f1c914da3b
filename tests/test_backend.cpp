// The same backend tests on every registered backend (CPU always; CUDA when a device is usable).
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include <omp.h>

#include "core/base/backend.hpp"
#include "core/base/error.hpp"
#include "core/base/philox.hpp"

using namespace rmt;

namespace {

std::vector<std::string> registered_backends() {
  std::vector<std::string> names = {"cpu"};
  if (probe_cuda().usable) names.push_back("cuda");
  return names;
}

class BackendTest : public ::testing::TestWithParam<std::string> {
 protected:
  std::unique_ptr<Backend> backend = select_backend(GetParam());
};

const StreamKey kKey{20261129, 0xabcdef01u, 3, 1};

}  // namespace

TEST(Philox, MatchesRandom123KnownAnswer) {
  // Random123 kat_vectors: philox4x32 10, counter 0, key 0.
  const auto r = philox_block(StreamKey{0, 0, 0, 0}, 0);
  EXPECT_EQ(r[0], 0x6627e8d5u);
  EXPECT_EQ(r[1], 0xe169c58du);
  EXPECT_EQ(r[2], 0xbc57ac4cu);
  EXPECT_EQ(r[3], 0x9b00dbd8u);
}

TEST(Philox, StreamsAreDistinctAndNormal) {
  StreamKey other = kKey;
  other.replicate += 1;
  EXPECT_NE(gaussian_at(kKey, 0), gaussian_at(other, 0));
  other = kKey;
  other.stream += 1;
  EXPECT_NE(gaussian_at(kKey, 0), gaussian_at(other, 0));
  // Mean 0, variance 1, kurtosis 3 of 2e5 draws, within ~5 standard errors.
  const int n = 200000;
  double s1 = 0, s2 = 0, s4 = 0;
  for (int i = 0; i < n; ++i) {
    const double g = gaussian_at(kKey, static_cast<std::uint64_t>(i));
    s1 += g;
    s2 += g * g;
    s4 += g * g * g * g;
  }
  EXPECT_NEAR(s1 / n, 0.0, 5 * std::sqrt(1.0 / n));
  EXPECT_NEAR(s2 / n, 1.0, 5 * std::sqrt(2.0 / n));
  EXPECT_NEAR(s4 / n, 3.0, 5 * std::sqrt(96.0 / n));
}

TEST_P(BackendTest, SampleIsThePhiloxFormulaWhateverThePartition) {
  for (const auto& [rows, cols] : std::vector<std::pair<index_t, index_t>>{{1, 1}, {3, 5}, {37, 53}, {301, 300}}) {
    std::vector<double> scale(static_cast<std::size_t>(rows));
    for (index_t i = 0; i < rows; ++i) scale[i] = 1.0 + 0.5 * static_cast<double>(i % 3);
    Matrix x = backend->sample_gaussian(kKey, rows, cols, scale);
    const auto host = backend->to_host(x);
    for (index_t j = 0; j < cols; ++j)
      for (index_t i = 0; i < rows; ++i) {
        const auto e = static_cast<std::uint64_t>(i + j * rows);
        const double expected = gaussian_at(kKey, e) * scale[i];
        // The CPU's batched sampler (core/cpu/philox_batch.hpp) evaluates the same formula with its
        // own sin, cos and log: within 4 ulp (1e-15 relative) of the scalar normal, then the row scale.
        double tol = 1.2e-15 * std::max(1.0, std::abs(expected));
        if (GetParam() != "cpu") {
          // The device's Box–Muller angle comes from sincospi(t), the host's from sincos(π·t)
          // (Random123 boxmuller.hpp): π·t is rounded twice (the constant and the product), which
          // moves the angle by up to 2π·2⁻⁵³ ≈ 7e-16, and cos/sin add an ulp each (≤ 2.2e-16): an
          // absolute error ≤ 1e-15 times the pair's radius r = hypot of its two normals, times the
          // row scale. The device's log (≤ 1 ulp) moves r by ~2e-16 relative. Measured: 2–5 % of
          // the draws differ, by ~3e-16·r.
          const NormalPair g = gaussian_pair(kKey, e >> 1);
          tol = 1e-15 * std::hypot(g.first, g.second) * scale[i] + 6e-16 * std::max(1.0, std::abs(expected));
        }
        ASSERT_NEAR(host[i + j * rows], expected, tol) << i << "," << j;
      }
  }
}

TEST_P(BackendTest, FromHostRoundTrips) {
  const std::vector<double> values = {1.5, -2.0, 3.25, 0.0, 1e-300, 7.0};
  Matrix a = backend->from_host(2, 3, values);
  EXPECT_EQ(a.rows(), 2);
  EXPECT_EQ(a.cols(), 3);
  EXPECT_EQ(backend->to_host(a), values);
  EXPECT_THROW(backend->from_host(4, 2, values), Error);
}

TEST_P(BackendTest, SameKeyGivesIdenticalMatrix) {
  Matrix a = backend->sample_gaussian(kKey, 64, 80);
  Matrix b = backend->sample_gaussian(kKey, 64, 80);
  EXPECT_EQ(backend->to_host(a), backend->to_host(b));
}

TEST_P(BackendTest, GramMatchesNaiveProduct) {
  const index_t p = 23, n = 41;
  Matrix x = backend->sample_gaussian(kKey, p, n);
  const auto xh = backend->to_host(x);
  Matrix g = backend->gram(x, 0.5);
  const auto gh = backend->to_host(g);
  for (index_t i = 0; i < p; ++i)
    for (index_t j = 0; j < p; ++j) {
      double s = 0;
      for (index_t k = 0; k < n; ++k) s += xh[i + k * p] * xh[j + k * p];
      ASSERT_NEAR(gh[i + j * p], 0.5 * s, 1e-12 * (1 + std::abs(s))) << i << "," << j;
    }
}

TEST_P(BackendTest, MultiplyTransposedMatchesNaiveProduct) {
  StreamKey other = kKey;
  other.stream = 7;
  Matrix a = backend->sample_gaussian(kKey, 13, 9);
  Matrix b = backend->sample_gaussian(other, 13, 11);
  const auto ah = backend->to_host(a), bh = backend->to_host(b);
  const auto ch = backend->to_host(backend->multiply_transposed(a, b, 0.5));
  for (index_t i = 0; i < 9; ++i)
    for (index_t j = 0; j < 11; ++j) {
      double s = 0;
      for (index_t k = 0; k < 13; ++k) s += ah[k + i * 13] * bh[k + j * 13];
      ASSERT_NEAR(ch[i + j * 9], 0.5 * s, 1e-13 * (1 + std::abs(s)));
    }
  EXPECT_THROW(backend->multiply_transposed(a, backend->sample_gaussian(kKey, 12, 3), 1.0), Error);
}

TEST_P(BackendTest, EigenvaluesPreserveTraceAndFrobeniusNorm) {
  const index_t p = 120, n = 200;
  Matrix x = backend->sample_gaussian(kKey, p, n);
  Matrix g = backend->gram(x, 1.0 / n);
  const auto gh = backend->to_host(g);
  double trace = 0, frob = 0;
  for (index_t i = 0; i < p; ++i) trace += gh[i + i * p];
  for (const double v : gh) frob += v * v;
  const auto w = backend->eigenvalues(g);
  ASSERT_EQ(static_cast<index_t>(w.size()), p);
  EXPECT_TRUE(std::is_sorted(w.begin(), w.end()));
  EXPECT_NEAR(std::accumulate(w.begin(), w.end(), 0.0), trace, 1e-11 * trace);
  EXPECT_NEAR(std::inner_product(w.begin(), w.end(), w.begin(), 0.0), frob, 1e-11 * frob);
}

TEST_P(BackendTest, TopEigenpairsSatisfyTheEigenEquation) {
  const index_t p = 90, n = 150, k = 3;
  std::vector<double> scale(p, 1.0);
  scale[0] = 4.0;  // variances 16, 4, 2.56: well separated outliers
  scale[1] = 2.0;
  scale[2] = 1.6;
  Matrix x = backend->sample_gaussian(kKey, p, n, scale);
  Matrix g = backend->gram(x, 1.0 / n);
  const auto gh = backend->to_host(g);
  const auto pairs = backend->top_eigenpairs(g, k);
  ASSERT_EQ(pairs.values.size(), static_cast<std::size_t>(p));
  ASSERT_EQ(pairs.vectors.size(), static_cast<std::size_t>(p * k));
  for (index_t j = 0; j < k; ++j) {
    const double lambda = pairs.values[p - k + j];
    double residual = 0, norm = 0;
    for (index_t i = 0; i < p; ++i) {
      double av = 0;
      for (index_t l = 0; l < p; ++l) av += gh[i + l * p] * pairs.vectors[l + j * p];
      residual += std::pow(av - lambda * pairs.vectors[i + j * p], 2);
      norm += std::pow(pairs.vectors[i + j * p], 2);
    }
    EXPECT_NEAR(norm, 1.0, 1e-12);
    EXPECT_LT(std::sqrt(residual), 1e-10 * lambda);
  }
  // The largest eigenvector lines up with the largest-variance coordinate.
  EXPECT_GT(std::abs(pairs.vectors[0 + (k - 1) * p]), 0.8);
}

INSTANTIATE_TEST_SUITE_P(Backends, BackendTest, ::testing::ValuesIn(registered_backends()),
                         [](const auto& param_info) { return param_info.param; });

TEST(BackendSelection, AutoAlwaysGivesAWorkingBackendAndSaysWhich) {
  std::string note;
  const auto b = select_backend("auto", &note);
  EXPECT_FALSE(note.empty());
  EXPECT_NE(note.find(std::string(b->name())), std::string::npos);
  if (!probe_cuda().usable) {
    EXPECT_EQ(b->name(), "cpu");
  }
}

// Column blocks of a Gaussian matrix drawn with an offset are the columns of the whole matrix, and a
// row block copies exactly (the blocked weights of deep networks rely on both).
TEST(Backend, OffsetSamplingAndRowBlocks) {
  auto b = rmt::make_cpu_backend();
  const rmt::StreamKey key{3, 5, 0, 1};
  const rmt::index_t rows = 7, cols = 10;
  const auto whole = b->to_host(b->sample_gaussian(key, rows, cols));
  for (const rmt::index_t c0 : {0, 2, 4, 8}) {
    const rmt::index_t c1 = std::min<rmt::index_t>(cols, c0 + 4);
    const auto part = b->to_host(b->sample_gaussian(key, rows, c1 - c0, {}, static_cast<std::uint64_t>(c0 * rows)));
    for (std::size_t e = 0; e < part.size(); ++e) EXPECT_EQ(part[e], whole[static_cast<std::size_t>(c0 * rows) + e]);
  }
  EXPECT_THROW(b->sample_gaussian(key, rows, 2, {}, 7), rmt::Error);  // odd offsets split a Box–Muller pair
  const rmt::Matrix m = b->from_host(rows, cols, whole);
  const auto block = b->to_host(b->row_block(m, 2, 5));
  for (rmt::index_t j = 0; j < cols; ++j)
    for (rmt::index_t i = 0; i < 3; ++i) EXPECT_EQ(block[i + j * 3], whole[(i + 2) + j * rows]);
  EXPECT_THROW(b->row_block(m, 5, 5), rmt::Error);
}

// The CPU backend's elementwise loops split the elements between OpenMP threads: every element
// depends on its own inputs only, so 1, 2 or 3 threads give the same bits.
TEST(Backend, CpuElementwiseResultsDoNotDependOnTheThreadCount) {
  auto b = rmt::make_cpu_backend();
  const rmt::StreamKey key{11, 13, 0, 2};
  const rmt::index_t n = 263;  // 263² > 2^15 elements: the loops run in parallel
  std::vector<double> scale(n);
  for (rmt::index_t i = 0; i < n; ++i) scale[i] = 1.0 + 1.0 / static_cast<double>(i + 1);
  const int saved = omp_get_max_threads();
  const auto run = [&](int threads) {
    omp_set_num_threads(threads);
    rmt::Matrix x = b->sample_gaussian(key, n, n, scale);
    b->apply_activation(x, rmt::Activation{rmt::ActivationKind::tanh, 0.01, 0.1, 1.5});
    rmt::Matrix g = b->gram(x, 1.0 / n);
    b->apply_kernel(g, rmt::KernelFunction{rmt::KernelFunctionKind::gaussian}, true);
    b->scale_rows(g, scale);
    b->hadamard(g, x);
    return b->to_host(g);
  };
  const auto one = run(1);
  EXPECT_EQ(run(2), one);
  EXPECT_EQ(run(3), one);
  omp_set_num_threads(saved);
}
