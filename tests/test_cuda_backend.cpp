// CUDA backend against the CPU backend: same StreamKey -> same matrix, Gram (both sides), products,
// elementwise operations, eigenvalues and top eigenvectors to rounding; determinism. Skips
// (GTEST_SKIP) when no usable CUDA device exists, except the probe test, which runs everywhere.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/base/activation.hpp"
#include "core/base/backend.hpp"
#include "core/base/error.hpp"
#include "core/base/kernel_function.hpp"
#include "core/base/philox.hpp"

namespace {

using rmt::index_t;

rmt::StreamKey key_for(std::uint64_t seed, std::uint32_t stream = 0) {
  rmt::StreamKey k;
  k.seed = seed;
  k.case_key = 0x5eedc0deu;
  k.replicate = 3;
  k.stream = stream;
  return k;
}

double sq(double v) { return v * v; }

// |cpu − cuda| of a sampled normal v at element `index`: the device's Box–Muller angle comes from
// sincospi(t), the host's from sincos(π·t) (π·t rounded twice: ≤ 7e-16 in the angle, plus an ulp
// of cos/sin), an absolute error ≤ 1e-15 times the pair's radius r; the logs move r by ~2e-16
// relative (see tests/test_backend.cpp, SampleIsThePhiloxFormulaWhateverThePartition).
double sampling_tolerance(const rmt::StreamKey& key, std::uint64_t index, double v) {
  const rmt::NormalPair g = rmt::gaussian_pair(key, index >> 1);
  return 1e-15 * std::hypot(g.first, g.second) + 6e-16 * std::max(1.0, std::abs(v));
}

std::vector<double> make_scale(index_t rows) {
  std::vector<double> s(static_cast<std::size_t>(rows));
  for (index_t i = 0; i < rows; ++i) s[static_cast<std::size_t>(i)] = 0.25 + 0.05 * double(i % 37);
  return s;
}

// Host-only: never skipped, must hold with or without a GPU and with or without CUDA compiled in.
TEST(CudaProbe, DoesNotThrowAndExplainsWhenUnusable) {
  rmt::CudaProbe p;
  ASSERT_NO_THROW(p = rmt::probe_cuda());
  if (!p.usable) {
    EXPECT_FALSE(p.reason.empty());
    EXPECT_THROW(rmt::make_cuda_backend(), rmt::BackendUnavailable);
  } else {
    EXPECT_TRUE(p.compiled);
    EXPECT_GT(p.device_count, 0);
  }
  // Cached: a second call agrees.
  const rmt::CudaProbe q = rmt::probe_cuda();
  EXPECT_EQ(q.usable, p.usable);
  EXPECT_EQ(q.reason, p.reason);
}

class CudaVsCpu : public ::testing::Test {
 protected:
  void SetUp() override {
    const rmt::CudaProbe p = rmt::probe_cuda();
    if (!p.usable) GTEST_SKIP() << "no usable CUDA device: " << p.reason;
    cpu_ = rmt::make_cpu_backend();
    cuda_ = rmt::make_cuda_backend();
    ASSERT_TRUE(cpu_);
    ASSERT_TRUE(cuda_);
  }

  std::vector<double> sample_cpu(const rmt::StreamKey& key, index_t rows, index_t cols,
                                 const std::vector<double>& scale = {}) {
    rmt::Matrix m = cpu_->sample_gaussian(key, rows, cols, scale);
    return cpu_->to_host(m);
  }
  std::vector<double> sample_cuda(const rmt::StreamKey& key, index_t rows, index_t cols,
                                  const std::vector<double>& scale = {}) {
    rmt::Matrix m = cuda_->sample_gaussian(key, rows, cols, scale);
    EXPECT_EQ(m.rows(), rows);
    EXPECT_EQ(m.cols(), cols);
    return cuda_->to_host(m);
  }

  // A CPU matrix with the same entries as the device matrix `m`, so both backends start from
  // bit-identical inputs.
  rmt::Matrix mirror_on_cpu(const rmt::Matrix& m) { return cpu_->from_host(m.rows(), m.cols(), cuda_->to_host(m)); }

  // Entry-wise |cpu - cuda| <= tol(e, cpu value); reports the first few failures.
  template <typename Tol>
  void expect_close(rmt::Matrix& on_cpu, rmt::Matrix& on_cuda, Tol tol) {
    ASSERT_EQ(on_cuda.rows(), on_cpu.rows());
    ASSERT_EQ(on_cuda.cols(), on_cpu.cols());
    const std::vector<double> a = cpu_->to_host(on_cpu);
    const std::vector<double> b = cuda_->to_host(on_cuda);
    ASSERT_EQ(b.size(), a.size());
    std::size_t bad = 0;
    for (std::size_t e = 0; e < a.size(); ++e)
      if (!(std::abs(a[e] - b[e]) <= tol(e, a[e])) && ++bad <= 5)
        ADD_FAILURE() << "element " << e << " (row " << e % std::size_t(on_cpu.rows())
                      << "): cpu " << a[e] << " cuda " << b[e];
    EXPECT_EQ(bad, 0u);
  }

  std::unique_ptr<rmt::Backend> cpu_;
  std::unique_ptr<rmt::Backend> cuda_;
};

const rmt::ActivationKind kAllActivations[] = {
    rmt::ActivationKind::linear,    rmt::ActivationKind::relu,      rmt::ActivationKind::abs,
    rmt::ActivationKind::tanh,      rmt::ActivationKind::erf,       rmt::ActivationKind::sigmoid,
    rmt::ActivationKind::sign,      rmt::ActivationKind::step,      rmt::ActivationKind::cos,
    rmt::ActivationKind::sin,       rmt::ActivationKind::exp,       rmt::ActivationKind::quadratic,
    rmt::ActivationKind::leaky_relu, rmt::ActivationKind::elu,      rmt::ActivationKind::softplus,
    rmt::ActivationKind::gelu,      rmt::ActivationKind::swish};

rmt::Activation activation(rmt::ActivationKind kind) {
  rmt::Activation f;
  f.kind = kind;
  f.slope = 0.2;
  f.shift = 0.1;
  f.scale = 2.0;
  return f;
}

TEST_F(CudaVsCpu, BackendReportsDevice) {
  EXPECT_EQ(cuda_->name(), "cuda");
  const rmt::DeviceInfo d = cuda_->info();
  EXPECT_EQ(d.backend, "cuda");
  EXPECT_NE(d.name.find("sm_"), std::string::npos) << d.name;
  EXPECT_GT(d.memory_bytes, 0u);
  EXPECT_GT(cuda_->available_bytes(), 0u);
  EXPECT_LE(cuda_->available_bytes(), d.memory_bytes);
}

// Box-Muller runs through the device's log/sincos on the GPU, so allow a few ulps.
TEST_F(CudaVsCpu, SamplingMatchesCpu) {
  struct Case {
    index_t rows, cols;
    bool scaled;
  };
  const Case cases[] = {{37, 53, false}, {256, 300, false}, {1, 1, false},  {3, 5, false},
                        {33, 1, false},  {1, 77, false},    {37, 53, true}, {101, 17, true},
                        {256, 300, true}};
  std::uint64_t seed = 11;
  for (const Case& c : cases) {
    SCOPED_TRACE("rows=" + std::to_string(c.rows) + " cols=" + std::to_string(c.cols) +
                 (c.scaled ? " scaled" : "") + " seed=" + std::to_string(seed));
    const rmt::StreamKey key = key_for(seed++, 1);
    const std::vector<double> scale = c.scaled ? make_scale(c.rows) : std::vector<double>{};
    const std::vector<double> a = sample_cpu(key, c.rows, c.cols, scale);
    const std::vector<double> b = sample_cuda(key, c.rows, c.cols, scale);
    ASSERT_EQ(a.size(), static_cast<std::size_t>(c.rows * c.cols));
    ASSERT_EQ(b.size(), a.size());
    std::size_t bad = 0;
    for (index_t j = 0; j < c.cols; ++j) {
      for (index_t i = 0; i < c.rows; ++i) {
        const std::size_t e = static_cast<std::size_t>(i + j * c.rows);
        const double s = c.scaled ? scale[static_cast<std::size_t>(i)] : 1.0;
        const double expected = rmt::gaussian_at(key, e) * s;  // the contract, on the host
        const double tol = 1e-14 * std::max({std::abs(a[e]), std::abs(b[e]), s});
        if (std::abs(a[e] - b[e]) > tol || std::abs(expected - b[e]) > tol) {
          if (++bad <= 5)
            ADD_FAILURE() << "element (" << i << "," << j << "): cpu " << a[e] << " cuda " << b[e]
                          << " host formula " << expected;
        }
      }
    }
    EXPECT_EQ(bad, 0u);
  }
}

TEST_F(CudaVsCpu, GramMatchesCpu) {
  struct Case {
    index_t rows, cols;
  };
  for (const Case c : {Case{64, 100}, Case{200, 150}, Case{33, 65}, Case{1, 7}}) {
    SCOPED_TRACE("rows=" + std::to_string(c.rows) + " cols=" + std::to_string(c.cols));
    const rmt::StreamKey key = key_for(21, 2);
    const double alpha = 1.0 / double(c.cols);
    rmt::Matrix xa = cpu_->sample_gaussian(key, c.rows, c.cols);
    rmt::Matrix xb = cuda_->sample_gaussian(key, c.rows, c.cols);
    rmt::Matrix ga = cpu_->gram(xa, alpha);
    rmt::Matrix gb = cuda_->gram(xb, alpha);
    ASSERT_EQ(gb.rows(), c.rows);
    ASSERT_EQ(gb.cols(), c.rows);
    const std::vector<double> a = cpu_->to_host(ga);
    const std::vector<double> b = cuda_->to_host(gb);
    ASSERT_EQ(b.size(), a.size());
    const auto n = static_cast<std::size_t>(c.rows);
    std::size_t bad = 0;
    for (std::size_t j = 0; j < n; ++j) {
      for (std::size_t i = 0; i < n; ++i) {
        const double bij = b[i + j * n];
        // Full symmetric matrix, bit-for-bit (upper triangle copied from the lower one).
        if (bij != b[j + i * n] && ++bad <= 5) ADD_FAILURE() << "not symmetric at " << i << "," << j;
        // Relative to sqrt(C_ii C_jj) >= |C_ij|: cancellation makes small entries ill-conditioned.
        const double scale = std::sqrt(std::abs(a[i + i * n] * a[j + j * n]));
        if (std::abs(a[i + j * n] - bij) > 1e-12 * scale && ++bad <= 5)
          ADD_FAILURE() << "gram(" << i << "," << j << "): cpu " << a[i + j * n] << " cuda " << bij;
      }
    }
    EXPECT_EQ(bad, 0u);
  }
}

TEST_F(CudaVsCpu, GramOfColumnsMatchesCpu) {
  struct Case {
    index_t rows, cols;
  };
  for (const Case c : {Case{37, 53}, Case{53, 37}}) {
    SCOPED_TRACE("rows=" + std::to_string(c.rows) + " cols=" + std::to_string(c.cols));
    const double alpha = 1.0 / double(c.rows);
    rmt::Matrix xb = cuda_->sample_gaussian(key_for(23, 2), c.rows, c.cols);
    rmt::Matrix xa = mirror_on_cpu(xb);
    rmt::Matrix ga = cpu_->gram(xa, alpha, rmt::GramSide::cols);
    rmt::Matrix gb = cuda_->gram(xb, alpha, rmt::GramSide::cols);
    ASSERT_EQ(gb.rows(), c.cols);
    ASSERT_EQ(gb.cols(), c.cols);
    const std::vector<double> a = cpu_->to_host(ga);
    const std::vector<double> b = cuda_->to_host(gb);
    ASSERT_EQ(b.size(), a.size());
    const auto n = static_cast<std::size_t>(c.cols);
    std::size_t bad = 0;
    for (std::size_t j = 0; j < n; ++j) {
      for (std::size_t i = 0; i < n; ++i) {
        const double bij = b[i + j * n];
        if (bij != b[j + i * n] && ++bad <= 5)
          ADD_FAILURE() << "not symmetric at " << i << "," << j;
        const double scale = std::sqrt(std::abs(a[i + i * n] * a[j + j * n]));
        if (std::abs(a[i + j * n] - bij) > 1e-12 * scale && ++bad <= 5)
          ADD_FAILURE() << "gram(" << i << "," << j << "): cpu " << a[i + j * n] << " cuda " << bij;
      }
    }
    EXPECT_EQ(bad, 0u);
  }
}

// Kernel matrices from the same (bit-identical) Gram matrix: K_ij = f(G_ij) and
// f(G_ii + G_jj − 2G_ij) for every kernel function, to a few ulps of exp.
TEST_F(CudaVsCpu, ApplyKernelMatchesCpu) {
  const index_t p = 90, n = 130;
  const rmt::Matrix x = cuda_->sample_gaussian(key_for(37, 1), p, n);
  const auto tol = [](std::size_t, double v) { return 1e-13 * std::max(1.0, std::abs(v)); };
  for (const auto kind : {rmt::KernelFunctionKind::exp, rmt::KernelFunctionKind::gaussian, rmt::KernelFunctionKind::poly2})
    for (const bool distance : {false, true}) {
      SCOPED_TRACE(std::string(distance ? "distance" : "inner") + " kind " + std::to_string(static_cast<int>(kind)));
      const rmt::KernelFunction f{kind};
      rmt::Matrix gb = cuda_->gram(x, 1.0 / p, rmt::GramSide::cols);
      rmt::Matrix ga = mirror_on_cpu(gb);
      const std::vector<double> g = cuda_->to_host(gb);
      cpu_->apply_kernel(ga, f, distance);
      cuda_->apply_kernel(gb, f, distance);
      expect_close(ga, gb, tol);
      // And the formula itself, on the host.
      const std::vector<double> k = cuda_->to_host(gb);
      for (index_t j = 0; j < n; j += 7)
        for (index_t i = 0; i < n; i += 5) {
          const auto e = static_cast<std::size_t>(i + j * n);
          const double t = distance ? g[static_cast<std::size_t>(i + i * n)] + g[static_cast<std::size_t>(j + j * n)] - 2 * g[e]
                                    : g[e];
          EXPECT_NEAR(k[e], f.value(t), 1e-13 * std::max(1.0, std::abs(f.value(t)))) << i << "," << j;
        }
    }
}

TEST_F(CudaVsCpu, MultiplyMatchesCpu) {
  const index_t m = 40, k = 30, n = 50;
  const double alpha = 0.75;
  rmt::Matrix ab = cuda_->sample_gaussian(key_for(25, 1), m, k);
  rmt::Matrix bb = cuda_->sample_gaussian(key_for(25, 2), k, n);
  rmt::Matrix aa = mirror_on_cpu(ab);
  rmt::Matrix ba = mirror_on_cpu(bb);
  rmt::Matrix ca = cpu_->multiply(aa, ba, alpha);
  rmt::Matrix cb = cuda_->multiply(ab, bb, alpha);
  ASSERT_EQ(cb.rows(), m);
  ASSERT_EQ(cb.cols(), n);
  // Relative to alpha·|row i of A|·|column j of B| >= |C_ij| (cancellation in small entries).
  const std::vector<double> ha = cpu_->to_host(aa);
  const std::vector<double> hb = cpu_->to_host(ba);
  std::vector<double> row_norm(std::size_t(m), 0.0);
  std::vector<double> col_norm(std::size_t(n), 0.0);
  for (index_t l = 0; l < k; ++l) {
    for (index_t i = 0; i < m; ++i) row_norm[std::size_t(i)] += sq(ha[std::size_t(i + l * m)]);
    for (index_t j = 0; j < n; ++j) col_norm[std::size_t(j)] += sq(hb[std::size_t(l + j * k)]);
  }
  expect_close(ca, cb, [&](std::size_t e, double) {
    return 1e-12 * alpha * std::sqrt(row_norm[e % std::size_t(m)] * col_norm[e / std::size_t(m)]);
  });
}

// Host and device libm (tanh, erf, exp, ...) may differ by an ulp or two; the outputs are O(1)
// (scale 2, shift 0.1), and 1 + erf(x) or s + x·s(1 - s) cancel for negative x, so the bound is
// 1e-13 relative to max(1, |value|).
TEST_F(CudaVsCpu, ActivationsMatchCpu) {
  const rmt::StreamKey key = key_for(27, 3);  // same key, same device matrix (bit-identical)
  const auto tol = [](std::size_t, double v) { return 1e-13 * std::max(1.0, std::abs(v)); };
  for (const rmt::ActivationKind kind : kAllActivations) {
    const rmt::Activation f = activation(kind);
    SCOPED_TRACE(std::string(rmt::activation_name(kind)));
    rmt::Matrix fb = cuda_->sample_gaussian(key, 64, 64);
    rmt::Matrix fa = mirror_on_cpu(fb);
    cpu_->apply_activation(fa, f);
    cuda_->apply_activation(fb, f);
    expect_close(fa, fb, tol);

    rmt::Matrix db = cuda_->sample_gaussian(key, 64, 64);
    rmt::Matrix da = mirror_on_cpu(db);
    cpu_->apply_derivative(da, f);
    cuda_->apply_derivative(db, f);
    expect_close(da, db, tol);
  }
}

TEST_F(CudaVsCpu, ElementwiseOperationsMatchCpu) {
  struct Case {
    index_t rows, cols;
  };
  for (const Case c : {Case{17, 29}, Case{29, 17}}) {
    SCOPED_TRACE("rows=" + std::to_string(c.rows) + " cols=" + std::to_string(c.cols));
    rmt::Matrix xb = cuda_->sample_gaussian(key_for(29, 1), c.rows, c.cols);
    rmt::Matrix yb = cuda_->sample_gaussian(key_for(29, 2), c.rows, c.cols);
    rmt::Matrix xa = mirror_on_cpu(xb);
    rmt::Matrix ya = mirror_on_cpu(yb);
    const auto exact = [](std::size_t, double) { return 0.0; };

    cpu_->hadamard(xa, ya);  // one rounded product per entry: bit-identical
    cuda_->hadamard(xb, yb);
    expect_close(xa, xb, exact);

    const std::vector<double> before = cpu_->to_host(xa);
    const std::vector<double> y = cpu_->to_host(ya);
    cpu_->add_scaled(xa, ya, -0.3);  // FMA or not: within an ulp of the terms
    cuda_->add_scaled(xb, yb, -0.3);
    expect_close(xa, xb, [&](std::size_t e, double) {
      return 4e-16 * (std::abs(before[e]) + 0.3 * std::abs(y[e]));
    });

    const std::vector<double> s = make_scale(c.rows);
    cpu_->scale_rows(xa, s);
    cuda_->scale_rows(xb, s);
    expect_close(xa, xb, exact);

    cpu_->set_diagonal(xa, 7.5);
    cuda_->set_diagonal(xb, 7.5);
    expect_close(xa, xb, exact);
    const std::vector<double> d = cuda_->to_host(xb);
    for (index_t i = 0; i < std::min(c.rows, c.cols); ++i)
      EXPECT_EQ(d[std::size_t(i + i * c.rows)], 7.5) << "diagonal " << i;
  }
}

TEST_F(CudaVsCpu, EigenvaluesMatchCpu) {
  const index_t p = 300;
  const index_t n = 600;
  const rmt::StreamKey key = key_for(31, 0);
  rmt::Matrix xa = cpu_->sample_gaussian(key, p, n);
  rmt::Matrix xb = cuda_->sample_gaussian(key, p, n);
  rmt::Matrix ga = cpu_->gram(xa, 1.0 / double(n));
  rmt::Matrix gb = cuda_->gram(xb, 1.0 / double(n));
  const std::vector<double> a = cpu_->eigenvalues(ga);
  const std::vector<double> b = cuda_->eigenvalues(gb);
  ASSERT_EQ(a.size(), static_cast<std::size_t>(p));
  ASSERT_EQ(b.size(), a.size());
  EXPECT_TRUE(std::is_sorted(b.begin(), b.end()));
  // Marchenko-Pastur with c = 1/2: every eigenvalue is near [0.086, 2.9], far from 0.
  EXPECT_GT(b.front(), 0.01);
  for (std::size_t i = 0; i < a.size(); ++i)
    EXPECT_NEAR(b[i], a[i], 1e-10 * std::abs(a[i])) << "eigenvalue " << i;

  // A second call reuses the cached workspace and gives the same answer.
  rmt::Matrix gc = cuda_->gram(xb, 1.0 / double(n));
  const std::vector<double> c = cuda_->eigenvalues(gc);
  ASSERT_EQ(c.size(), b.size());
  for (std::size_t i = 0; i < b.size(); ++i) EXPECT_NEAR(c[i], b[i], 1e-12 * std::abs(b[i]));
}

TEST_F(CudaVsCpu, TopEigenpairsMatchCpu) {
  // Spiked rows (variances 9, 6.25, 4 against 1): the top three eigenvalues are well separated,
  // so the eigenvectors are well conditioned and comparable up to sign.
  const index_t p = 200;
  const index_t n = 400;
  const index_t k = 3;
  std::vector<double> scale(static_cast<std::size_t>(p), 1.0);
  scale[0] = 3.0;
  scale[1] = 2.5;
  scale[2] = 2.0;
  const rmt::StreamKey key = key_for(41, 0);
  rmt::Matrix xa = cpu_->sample_gaussian(key, p, n, scale);
  rmt::Matrix xb = cuda_->sample_gaussian(key, p, n, scale);
  rmt::Matrix ga = cpu_->gram(xa, 1.0 / double(n));
  rmt::Matrix gb = cuda_->gram(xb, 1.0 / double(n));
  const std::vector<double> g = cuda_->to_host(gb);  // kept for the residual check
  const rmt::EigenPairs a = cpu_->top_eigenpairs(ga, k);
  const rmt::EigenPairs b = cuda_->top_eigenpairs(gb, k);

  ASSERT_EQ(b.dim, p);
  ASSERT_EQ(b.k, k);
  ASSERT_EQ(b.values.size(), static_cast<std::size_t>(p));
  ASSERT_EQ(b.vectors.size(), static_cast<std::size_t>(p * k));
  ASSERT_EQ(a.values.size(), b.values.size());
  ASSERT_EQ(a.vectors.size(), b.vectors.size());
  EXPECT_TRUE(std::is_sorted(b.values.begin(), b.values.end()));
  for (std::size_t i = 0; i < a.values.size(); ++i)
    EXPECT_NEAR(b.values[i], a.values[i], 1e-10 * std::abs(a.values[i])) << "eigenvalue " << i;

  const auto dim = static_cast<std::size_t>(p);
  const double lmax = b.values.back();
  for (std::size_t j = 0; j < static_cast<std::size_t>(k); ++j) {
    const double* va = &a.vectors[j * dim];
    const double* vb = &b.vectors[j * dim];
    double dot = 0.0;
    double norm = 0.0;
    for (std::size_t i = 0; i < dim; ++i) {
      dot += va[i] * vb[i];
      norm += vb[i] * vb[i];
    }
    EXPECT_NEAR(norm, 1.0, 1e-10) << "vector " << j;
    EXPECT_NEAR(std::abs(dot), 1.0, 1e-9) << "vector " << j;
    // Column j belongs to values[dim - k + j]: ||G v - lambda v|| small.
    const double lambda = b.values[dim - static_cast<std::size_t>(k) + j];
    double res = 0.0;
    for (std::size_t r = 0; r < dim; ++r) {
      double gv = 0.0;
      for (std::size_t c = 0; c < dim; ++c) gv += g[r + c * dim] * vb[c];
      res += (gv - lambda * vb[r]) * (gv - lambda * vb[r]);
    }
    EXPECT_LT(std::sqrt(res), 1e-10 * lmax) << "vector " << j;
  }
}

TEST_F(CudaVsCpu, SameKeyIsBitIdentical) {
  const rmt::StreamKey key = key_for(51, 4);
  const std::vector<double> scale = make_scale(129);
  const std::vector<double> a = sample_cuda(key, 129, 257, scale);
  const std::vector<double> b = sample_cuda(key, 129, 257, scale);
  ASSERT_EQ(a.size(), b.size());
  EXPECT_TRUE(a == b);  // bitwise for finite values

  // Another backend instance, same key: same bits.
  std::unique_ptr<rmt::Backend> other = rmt::make_cuda_backend();
  rmt::Matrix m = other->sample_gaussian(key, 129, 257, scale);
  EXPECT_TRUE(other->to_host(m) == a);

  // A different stream of the same case gives a different matrix.
  const std::vector<double> c = sample_cuda(key_for(51, 5), 129, 257, scale);
  EXPECT_FALSE(c == a);
}

TEST_F(CudaVsCpu, RejectsBadArguments) {
  rmt::Matrix x = cuda_->sample_gaussian(key_for(61), 4, 6);
  EXPECT_THROW(cuda_->eigenvalues(x), rmt::Error);
  const std::vector<double> wrong(3, 1.0);
  EXPECT_THROW(cuda_->sample_gaussian(key_for(61), 4, 6, wrong), rmt::Error);
  EXPECT_THROW(cuda_->sample_gaussian(key_for(61), 0, 6), rmt::Error);  // as the CPU backend
  rmt::Matrix g = cuda_->gram(x, 1.0);
  EXPECT_THROW(cuda_->top_eigenpairs(g, 0), rmt::Error);
  EXPECT_THROW(cuda_->top_eigenpairs(g, 5), rmt::Error);

  // Shape mismatches: x is 4×6.
  rmt::Matrix y = cuda_->sample_gaussian(key_for(62), 4, 5);
  EXPECT_THROW(cuda_->multiply(x, y, 1.0), rmt::Error);  // 4×6 by 4×5
  rmt::Matrix g6 = cuda_->gram(x, 1.0, rmt::GramSide::cols);  // 6×6
  EXPECT_NO_THROW(cuda_->multiply(x, g6, 1.0));                 // 4×6 by 6×6
  EXPECT_THROW(cuda_->hadamard(x, y), rmt::Error);
  EXPECT_THROW(cuda_->add_scaled(x, y, 1.0), rmt::Error);
  EXPECT_THROW(cuda_->scale_rows(x, wrong), rmt::Error);  // 3 scales for 4 rows
}

}  // namespace

// Column blocks drawn with an offset and row-block copies (the blocked weights of deep networks).
TEST_F(CudaVsCpu, OffsetSamplingAndRowBlocksMatchCpu) {
  const rmt::StreamKey key{21, 8, 0, 4};
  const index_t rows = 33, cols = 20;
  rmt::Matrix on_cpu = cpu_->sample_gaussian(key, rows, 6, {}, 8 * rows);
  rmt::Matrix on_cuda = cuda_->sample_gaussian(key, rows, 6, {}, 8 * rows);
  expect_close(on_cpu, on_cuda, [&](std::size_t e, double v) { return sampling_tolerance(key, 8 * rows + e, v); });
  rmt::Matrix whole_cpu = cpu_->sample_gaussian(key, rows, cols);
  rmt::Matrix whole_cuda = cuda_->sample_gaussian(key, rows, cols);
  rmt::Matrix block_cpu = cpu_->row_block(whole_cpu, 5, 19);
  rmt::Matrix block_cuda = cuda_->row_block(whole_cuda, 5, 19);
  expect_close(block_cpu, block_cuda, [&](std::size_t e, double v) {
    return sampling_tolerance(key, 5 + e % 14 + (e / 14) * static_cast<std::size_t>(rows), v);
  });
}
