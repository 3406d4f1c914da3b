// Conformance: every Backend operation against a naive host reference written here, in fp64 and
// fp32, on odd sizes, for every backend. The same assertions run on the CPU backend and, where a
// CUDA device is usable, on the CUDA backend (the /cuda instances skip without one). Instance
// names: fp64/Conformance.Test/cpu, fp32/Conformance.Test/cuda, ...
//
// Operations (core/base/backend.hpp): sample_gaussian, gram (both sides), multiply, multiply_transposed,
// apply_activation, apply_derivative, hadamard, add_scaled, scale_rows, set_diagonal, apply_kernel,
// eigenvalues, top_eigenpairs, row_block, to_host, from_host; and the queries name, info,
// available_bytes, eigensolver_workspace_bytes.
//
// References are computed in double from the inputs as the backend holds them (rounded to its
// element type). Tolerances: maps evaluated in double and rounded once allow an ulp of the
// element type plus 1e-13 (host and device libm differ by an ulp or two; 1 + erf(x) cancels);
// products allow (k + 4)·u·Σ|a||b| (u the unit roundoff, k the inner dimension); exact operations
// (Hadamard product, row scaling, copies) must match bit for bit.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <ostream>
#include <string>
#include <vector>

#include "core/base/activation.hpp"
#include "core/base/backend.hpp"
#include "core/base/error.hpp"
#include "core/base/kernel_function.hpp"
#include "core/base/philox.hpp"

using namespace rmt;

namespace {

struct Target {
  std::string backend;
  Precision precision;
};
void PrintTo(const Target& t, std::ostream* os) { *os << t.backend << " " << to_string(t.precision); }

struct Shape {
  index_t rows, cols;
};
// Odd sizes; 211×163 and 1031×613 exceed the CPU backend's serial cut-off (2^15 elements), and
// 1031×613 exceeds one pass of the device's grid (132 SMs × 16 blocks × 256 threads).
const std::vector<Shape> kShapes = {{1, 1}, {7, 3}, {3, 7}, {37, 53}, {211, 163}};
const Shape kLarge = {1031, 613};

const std::vector<ActivationKind> kActivations = {
    ActivationKind::linear, ActivationKind::relu,      ActivationKind::abs,        ActivationKind::tanh,
    ActivationKind::erf,    ActivationKind::sigmoid,   ActivationKind::sign,       ActivationKind::step,
    ActivationKind::cos,    ActivationKind::sin,       ActivationKind::exp,        ActivationKind::quadratic,
    ActivationKind::leaky_relu, ActivationKind::elu,   ActivationKind::softplus,   ActivationKind::gelu,
    ActivationKind::swish};

// Standard normals (a pure function of the seed and the index), times `spread`; exact zeros at
// every 11th element so the kinks of relu, sign, step, ... are hit.
std::vector<double> normals(std::uint64_t seed, index_t rows, index_t cols, double spread = 1.0) {
  std::vector<double> v(static_cast<std::size_t>(rows * cols));
  for (std::size_t e = 0; e < v.size(); ++e) v[e] = e % 11 == 5 ? 0.0 : spread * gaussian_at({seed, 77, 0, 0}, e);
  return v;
}

class Conformance : public ::testing::TestWithParam<Target> {
 protected:
  void SetUp() override {
    if (GetParam().backend == "cuda") {
      const CudaProbe probe = probe_cuda();
      if (!probe.usable) GTEST_SKIP() << "no usable CUDA device: " << probe.reason;
    }
    backend = select_backend(GetParam().backend);
    backend->set_precision(GetParam().precision);
  }

  bool fp32() const { return GetParam().precision == Precision::fp32; }
  // Unit roundoff of the element type.
  double u() const { return fp32() ? 0x1p-24 : 0x1p-53; }
  // What the backend stores for the double v.
  double stored(double v) const { return fp32() ? static_cast<double>(static_cast<float>(v)) : v; }
  // A map evaluated in double and rounded once: an ulp of the element type plus the libm margin.
  double map_tol(double ref) const { return 2 * u() * std::abs(ref) + 1e-13 * std::max(1.0, std::abs(ref)); }

  // Uploads `values`, checks the result holds them as stored, and returns the matrix and its
  // host copy (the inputs of the references).
  Matrix upload(index_t rows, index_t cols, const std::vector<double>& values, std::vector<double>* host) {
    Matrix m = backend->from_host(rows, cols, values);
    EXPECT_EQ(m.rows(), rows);
    EXPECT_EQ(m.cols(), cols);
    EXPECT_EQ(m.precision(), GetParam().precision);
    *host = backend->to_host(m);
    return m;
  }

  // Checks alpha·op(A)·op(B)-style results: c(i, j) against Σ_k term(i, j, k) with the product bound.
  template <typename Term>
  void expect_product(const std::vector<double>& c, index_t m, index_t n, index_t k, double alpha, Term term) {
    for (index_t j = 0; j < n; ++j)
      for (index_t i = 0; i < m; ++i) {
        double s = 0, bound = 0;
        for (index_t l = 0; l < k; ++l) {
          s += term(i, j, l);
          bound += std::abs(term(i, j, l));
        }
        const double tol = (static_cast<double>(k) + 4) * u() * std::abs(alpha) * bound + 1e-300;
        ASSERT_NEAR(c[i + j * m], alpha * s, tol) << "(" << i << ", " << j << ") of " << m << "x" << n;
      }
  }

  std::unique_ptr<Backend> backend;
};

TEST_P(Conformance, QueriesDescribeTheBackend) {
  EXPECT_EQ(backend->name(), GetParam().backend);
  EXPECT_EQ(backend->info().backend, GetParam().backend);
  EXPECT_FALSE(backend->info().name.empty());
  EXPECT_GT(backend->available_bytes(), 0u);
  const index_t n = 301;
  const std::size_t values_only = backend->eigensolver_workspace_bytes(n, 0);
  const std::size_t with_vectors = backend->eigensolver_workspace_bytes(n, 2);
  EXPECT_GE(values_only, static_cast<std::size_t>(n) * element_bytes(GetParam().precision));  // the eigenvalues
  // top_eigenpairs copies its input.
  EXPECT_GE(with_vectors, static_cast<std::size_t>(n * n + n) * element_bytes(GetParam().precision));
}

TEST_P(Conformance, FromHostAndToHostRoundTripAsStored) {
  for (const Shape s : kShapes) {
    std::vector<double> v = normals(1, s.rows, s.cols, 1e3);
    v[0] = 1.0 / 3.0;  // not a float
    std::vector<double> host;
    upload(s.rows, s.cols, v, &host);
    ASSERT_EQ(host.size(), v.size());
    for (std::size_t e = 0; e < v.size(); ++e) ASSERT_EQ(host[e], stored(v[e])) << e;
  }
  EXPECT_THROW(backend->from_host(4, 2, std::vector<double>(7)), Error);
}

TEST_P(Conformance, SampleGaussianIsThePhiloxFormula) {
  const StreamKey key{20261205, 0x5eed1234u, 5, 2};
  for (const Shape s : {Shape{1, 1}, Shape{3, 5}, Shape{37, 53}, kLarge})
    for (const bool scaled : {false, true})
      for (const std::uint64_t offset : {std::uint64_t{0}, std::uint64_t{10}}) {
        std::vector<double> scale;
        if (scaled)
          for (index_t i = 0; i < s.rows; ++i) scale.push_back(0.5 + 0.25 * static_cast<double>(i % 5));
        const Matrix x = backend->sample_gaussian(key, s.rows, s.cols, scale, offset);
        ASSERT_EQ(x.precision(), GetParam().precision);
        const auto host = backend->to_host(x);
        ASSERT_EQ(host.size(), static_cast<std::size_t>(s.rows * s.cols));
        for (index_t j = 0; j < s.cols; ++j)
          for (index_t i = 0; i < s.rows; ++i) {
            const auto e = static_cast<std::uint64_t>(i + j * s.rows) + offset;
            const double row = scaled ? scale[static_cast<std::size_t>(i)] : 1.0;
            const double expected = gaussian_at(key, e) * row;
            // A device's Box–Muller angle (sincospi) differs from the host's by ≤ 1e-15 times the
            // pair's radius (see tests/test_backend.cpp); fp32 may then round to the next float.
            const NormalPair g = gaussian_pair(key, e >> 1);
            const double tol = 1e-15 * std::hypot(g.first, g.second) * row +
                               6e-16 * std::max(1.0, std::abs(expected)) + (fp32() ? 2 * u() * std::abs(expected) : 0);
            ASSERT_NEAR(host[static_cast<std::size_t>(e - offset)], stored(expected), tol)
                << i << "," << j << " of " << s.rows << "x" << s.cols << " offset " << offset;
          }
      }
  EXPECT_THROW(backend->sample_gaussian(key, 4, 4, {}, 3), Error);                          // odd offset
  EXPECT_THROW(backend->sample_gaussian(key, 4, 4, std::vector<double>(3, 1.0)), Error);  // 3 scales, 4 rows
}

TEST_P(Conformance, GramBothSidesIsTheSymmetricProduct) {
  const double alpha = 1.0 / 7.0;
  for (const Shape s : kShapes) {
    std::vector<double> a;
    const Matrix x = upload(s.rows, s.cols, normals(2, s.rows, s.cols), &a);
    const index_t r = s.rows, c = s.cols;
    const auto rows = backend->to_host(backend->gram(x, alpha, GramSide::rows));  // A Aᵀ: r×r
    ASSERT_EQ(rows.size(), static_cast<std::size_t>(r * r));
    expect_product(rows, r, r, c, alpha, [&](index_t i, index_t j, index_t l) { return a[i + l * r] * a[j + l * r]; });
    const auto cols = backend->to_host(backend->gram(x, alpha, GramSide::cols));  // AᵀA: c×c
    ASSERT_EQ(cols.size(), static_cast<std::size_t>(c * c));
    expect_product(cols, c, c, r, alpha, [&](index_t i, index_t j, index_t l) { return a[l + i * r] * a[l + j * r]; });
    // Both triangles are filled, and equal.
    for (index_t j = 0; j < r; ++j)
      for (index_t i = 0; i < j; ++i) ASSERT_EQ(rows[i + j * r], rows[j + i * r]) << i << "," << j;
    for (index_t j = 0; j < c; ++j)
      for (index_t i = 0; i < j; ++i) ASSERT_EQ(cols[i + j * c], cols[j + i * c]) << i << "," << j;
  }
  const Matrix x = backend->from_host(2, 3, std::vector<double>(6, 1.0));
  EXPECT_EQ(backend->gram(x, 1.0).rows(), 2);  // the one-argument form is the rows side
}

TEST_P(Conformance, MultiplyAndMultiplyTransposedAreTheProducts) {
  const double alpha = -0.3;
  for (const Shape s : kShapes) {
    const index_t m = s.rows, k = s.cols, n = 5;
    std::vector<double> a, b, at;
    const Matrix ma = upload(m, k, normals(3, m, k), &a);
    const Matrix mb = upload(k, n, normals(4, k, n), &b);
    const auto c = backend->to_host(backend->multiply(ma, mb, alpha));
    ASSERT_EQ(c.size(), static_cast<std::size_t>(m * n));
    expect_product(c, m, n, k, alpha, [&](index_t i, index_t j, index_t l) { return a[i + l * m] * b[l + j * k]; });
    // Aᵀ B with A: k×m (the same B).
    const Matrix mat = upload(k, m, normals(5, k, m), &at);
    const auto ct = backend->to_host(backend->multiply_transposed(mat, mb, alpha));
    ASSERT_EQ(ct.size(), static_cast<std::size_t>(m * n));
    expect_product(ct, m, n, k, alpha, [&](index_t i, index_t j, index_t l) { return at[l + i * k] * b[l + j * k]; });
  }
  const Matrix a = backend->from_host(3, 4, std::vector<double>(12, 1.0));
  const Matrix b = backend->from_host(3, 2, std::vector<double>(6, 1.0));
  EXPECT_THROW(backend->multiply(a, b, 1.0), Error);         // 3×4 by 3×2
  EXPECT_THROW(backend->multiply_transposed(a, backend->from_host(4, 1, std::vector<double>(4, 1.0)), 1.0), Error);
}

TEST_P(Conformance, ActivationsAndDerivativesAreTheSharedDefinitions) {
  for (const Shape s : {Shape{7, 3}, Shape{211, 163}}) {
    const std::vector<double> input = normals(6, s.rows, s.cols, 2.5);
    for (const ActivationKind kind : kActivations) {
      const Activation f{kind, 0.07, 0.1, 2.0};  // slope, shift, scale
      for (const bool derivative : {false, true}) {
        std::vector<double> x;
        Matrix m = upload(s.rows, s.cols, input, &x);
        if (derivative) backend->apply_derivative(m, f);
        else backend->apply_activation(m, f);
        ASSERT_EQ(m.precision(), GetParam().precision);
        const auto y = backend->to_host(m);
        for (std::size_t e = 0; e < y.size(); ++e) {
          const double ref = stored(derivative ? f.derivative(x[e]) : f(x[e]));
          ASSERT_NEAR(y[e], ref, map_tol(ref))
              << activation_name(kind) << (derivative ? "'" : "") << " at x = " << x[e] << ", element " << e;
        }
      }
    }
  }
}

TEST_P(Conformance, HadamardScaleRowsAndSetDiagonalAreExact) {
  for (const Shape s : {Shape{1, 1}, Shape{7, 3}, Shape{3, 7}, Shape{37, 53}, kLarge}) {
    std::vector<double> a, b;
    Matrix ma = upload(s.rows, s.cols, normals(7, s.rows, s.cols), &a);
    const Matrix mb = upload(s.rows, s.cols, normals(8, s.rows, s.cols), &b);
    backend->hadamard(ma, mb);
    auto h = backend->to_host(ma);
    for (std::size_t e = 0; e < h.size(); ++e) ASSERT_EQ(h[e], stored(a[e] * b[e])) << e;  // one rounding in T

    std::vector<double> scale;
    for (index_t i = 0; i < s.rows; ++i) scale.push_back(1.0 / (3.0 + static_cast<double>(i)));
    Matrix mc = upload(s.rows, s.cols, normals(9, s.rows, s.cols), &a);
    backend->scale_rows(mc, scale);
    h = backend->to_host(mc);
    for (index_t j = 0; j < s.cols; ++j)
      for (index_t i = 0; i < s.rows; ++i)
        ASSERT_EQ(h[i + j * s.rows], stored(a[i + j * s.rows] * scale[i])) << i << "," << j;

    Matrix md = upload(s.rows, s.cols, normals(10, s.rows, s.cols), &a);
    backend->set_diagonal(md, 1.0 / 3.0);
    h = backend->to_host(md);
    for (index_t j = 0; j < s.cols; ++j)
      for (index_t i = 0; i < s.rows; ++i)
        ASSERT_EQ(h[i + j * s.rows], i == j ? stored(1.0 / 3.0) : a[i + j * s.rows]) << i << "," << j;
  }
  Matrix a = backend->from_host(3, 4, std::vector<double>(12, 1.0));
  EXPECT_THROW(backend->hadamard(a, backend->from_host(4, 3, std::vector<double>(12, 1.0))), Error);
  EXPECT_THROW(backend->scale_rows(a, std::vector<double>(4, 1.0)), Error);
}

TEST_P(Conformance, AddScaledIsAxpy) {
  const double alpha = -2.0 / 3.0;
  for (const Shape s : {Shape{1, 1}, Shape{7, 3}, Shape{37, 53}, kLarge}) {
    std::vector<double> a, b;
    Matrix ma = upload(s.rows, s.cols, normals(11, s.rows, s.cols), &a);
    const Matrix mb = upload(s.rows, s.cols, normals(12, s.rows, s.cols), &b);
    backend->add_scaled(ma, mb, alpha);
    const auto h = backend->to_host(ma);
    for (std::size_t e = 0; e < h.size(); ++e) {
      // alpha is rounded to T, then one multiply-add (fused or not).
      const double tol = 3 * u() * (std::abs(a[e]) + std::abs(alpha * b[e])) + 1e-300;
      ASSERT_NEAR(h[e], a[e] + alpha * b[e], tol) << e;
    }
  }
  Matrix a = backend->from_host(3, 4, std::vector<double>(12, 1.0));
  EXPECT_THROW(backend->add_scaled(a, backend->from_host(4, 3, std::vector<double>(12, 1.0)), 1.0), Error);
}

// Independent host formulas of the kernel functions (the reference of apply_kernel).
double kernel_reference(KernelFunctionKind k, double t) {
  switch (k) {
    case KernelFunctionKind::exp: return std::exp(t);
    case KernelFunctionKind::gaussian: return 1.0 / std::exp(t / 2);
    case KernelFunctionKind::poly2: return 1 + 2 * t + t * t;
  }
  return std::nan("");
}

TEST_P(Conformance, ApplyKernelOnInnerProductsAndDistances) {
  for (const index_t n : {1, 7, 37, 211}) {
    // A Gram matrix G = XᵀX/p of X: p×n, built on the host (entries O(1), diagonal ≈ 1).
    const index_t p = 13;
    const auto x = normals(13, p, n);
    std::vector<double> g(static_cast<std::size_t>(n * n));
    for (index_t j = 0; j < n; ++j)
      for (index_t i = 0; i < n; ++i) {
        double s = 0;
        for (index_t l = 0; l < p; ++l) s += x[l + i * p] * x[l + j * p];
        g[i + j * n] = s / static_cast<double>(p);
      }
    for (const KernelFunctionKind kind :
         {KernelFunctionKind::exp, KernelFunctionKind::gaussian, KernelFunctionKind::poly2})
      for (const bool distance : {false, true}) {
        std::vector<double> gs;
        Matrix m = upload(n, n, g, &gs);
        backend->apply_kernel(m, KernelFunction{kind}, distance);
        const auto k = backend->to_host(m);
        for (index_t j = 0; j < n; ++j)
          for (index_t i = 0; i < n; ++i) {
            const double t = distance ? gs[i + i * n] + gs[j + j * n] - 2 * gs[i + j * n] : gs[i + j * n];
            const double ref = stored(kernel_reference(kind, t));
            ASSERT_NEAR(k[i + j * n], ref, map_tol(ref) + 1e-14 * std::abs(ref))
                << "kind " << static_cast<int>(kind) << (distance ? " distance" : " inner") << " (" << i << ", " << j
                << ") of " << n;
          }
        if (distance) {  // ‖x_i − x_i‖² = 0 exactly
          for (index_t i = 0; i < n; ++i) ASSERT_EQ(k[i + i * n], stored(kernel_reference(kind, 0.0)));
        }
      }
  }
  Matrix rect = backend->from_host(2, 3, std::vector<double>(6, 0.0));
  EXPECT_THROW(backend->apply_kernel(rect, KernelFunction{}, false), Error);
}

// A = Q diag(λ) Qᵀ with Q = I − 2vvᵀ/‖v‖² (a Householder reflection: symmetric, orthogonal, known
// eigenvectors: the columns of Q) and distinct λ, the three largest well separated.
struct KnownSpectrum {
  index_t n;
  std::vector<double> lambda, q, a;
};
KnownSpectrum known_spectrum(index_t n) {
  KnownSpectrum s{n, {}, std::vector<double>(static_cast<std::size_t>(n * n)), {}};
  for (index_t i = 0; i < n; ++i) s.lambda.push_back(0.37 * static_cast<double>(i) - 2.0 + (i >= n - 3 ? 4.0 * (i - n + 4) : 0));
  const auto v = normals(14, n, 1);
  double vv = 0;
  for (const double c : v) vv += c * c;
  if (vv == 0) vv = 1;  // n = 1 with v = 0: Q = I
  for (index_t j = 0; j < n; ++j)
    for (index_t i = 0; i < n; ++i) s.q[i + j * n] = (i == j ? 1.0 : 0.0) - 2 * v[i] * v[j] / vv;
  s.a.assign(static_cast<std::size_t>(n * n), 0.0);
  for (index_t j = 0; j < n; ++j)
    for (index_t i = 0; i < n; ++i)
      for (index_t l = 0; l < n; ++l) s.a[i + j * n] += s.q[i + l * n] * s.lambda[l] * s.q[j + l * n];
  return s;
}

TEST_P(Conformance, EigenvaluesOfAKnownSpectrum) {
  for (const index_t n : {1, 7, 37, 101}) {
    const KnownSpectrum s = known_spectrum(n);
    std::vector<double> a;
    Matrix m = upload(n, n, s.a, &a);
    const auto w = backend->eigenvalues(m);
    ASSERT_EQ(static_cast<index_t>(w.size()), n);
    EXPECT_TRUE(std::is_sorted(w.begin(), w.end()));
    // Weyl: storing A moves λ by ≤ u‖A‖_F; the solver adds O(n u ‖A‖₂).
    double frob = 0;
    for (const double c : s.a) frob += c * c;
    const double norm = std::max(std::abs(s.lambda.front()), std::abs(s.lambda.back()));
    for (index_t i = 0; i < n; ++i)
      EXPECT_NEAR(w[i], s.lambda[i], u() * std::sqrt(frob) + 10 * static_cast<double>(n) * u() * norm) << i;
  }
  Matrix rect = backend->from_host(2, 3, std::vector<double>(6, 0.0));
  EXPECT_THROW(backend->eigenvalues(rect), Error);
}

TEST_P(Conformance, TopEigenpairsOfAKnownSpectrum) {
  for (const index_t n : {3, 37, 101})
    for (const index_t k : {index_t{1}, index_t{3}}) {
      const KnownSpectrum s = known_spectrum(n);
      std::vector<double> a;
      Matrix m = upload(n, n, s.a, &a);
      const EigenPairs pairs = backend->top_eigenpairs(m, k);
      ASSERT_EQ(pairs.dim, n);
      ASSERT_EQ(pairs.k, k);
      ASSERT_EQ(static_cast<index_t>(pairs.values.size()), n);
      ASSERT_EQ(static_cast<index_t>(pairs.vectors.size()), n * k);
      const double norm = std::abs(s.lambda.back());
      const double tol = 10 * static_cast<double>(n) * u() * norm;
      for (index_t i = 0; i < n; ++i) EXPECT_NEAR(pairs.values[i], s.lambda[i], tol + u() * norm * n) << i;
      for (index_t j = 0; j < k; ++j) {
        // Column j belongs to values[n − k + j]: it is ±(column n − k + j of Q), and A v = λ v.
        const index_t col = n - k + j;
        double dot = 0, len = 0, residual = 0;
        for (index_t i = 0; i < n; ++i) {
          const double vi = pairs.vectors[i + j * n];
          dot += vi * s.q[i + col * n];
          len += vi * vi;
          double av = 0;
          for (index_t l = 0; l < n; ++l) av += a[i + l * n] * pairs.vectors[l + j * n];
          residual += std::pow(av - pairs.values[col] * vi, 2);
        }
        EXPECT_NEAR(len, 1.0, 20 * static_cast<double>(n) * u()) << j;
        EXPECT_NEAR(std::abs(dot), 1.0, 1e3 * static_cast<double>(n) * u()) << j;  // gap ≥ 0.37
        EXPECT_LT(std::sqrt(residual), 100 * static_cast<double>(n) * u() * norm) << j;
      }
    }
  Matrix sq = backend->from_host(2, 2, std::vector<double>{2, 0, 0, 1});
  EXPECT_THROW(backend->top_eigenpairs(sq, 3), Error);
  EXPECT_THROW(backend->top_eigenpairs(sq, 0), Error);
}

TEST_P(Conformance, RowBlockCopiesRows) {
  for (const Shape s : {Shape{1, 1}, Shape{7, 3}, Shape{37, 53}}) {
    std::vector<double> a;
    const Matrix m = upload(s.rows, s.cols, normals(15, s.rows, s.cols), &a);
    for (const auto& [r0, r1] : std::vector<std::pair<index_t, index_t>>{
             {0, s.rows}, {0, (s.rows + 1) / 2}, {s.rows / 2, s.rows}, {s.rows - 1, s.rows}}) {
      if (r0 >= r1) continue;
      const Matrix b = backend->row_block(m, r0, r1);
      ASSERT_EQ(b.rows(), r1 - r0);
      ASSERT_EQ(b.cols(), s.cols);
      ASSERT_EQ(b.precision(), GetParam().precision);
      const auto h = backend->to_host(b);
      for (index_t j = 0; j < s.cols; ++j)
        for (index_t i = r0; i < r1; ++i) ASSERT_EQ(h[(i - r0) + j * (r1 - r0)], a[i + j * s.rows]) << i << "," << j;
    }
    EXPECT_THROW(backend->row_block(m, 0, s.rows + 1), Error);
    EXPECT_THROW(backend->row_block(m, 1, 1), Error);
  }
}

// Operations on two matrices refuse operands of different precisions.
TEST_P(Conformance, MixedPrecisionOperandsAreRefused) {
  Matrix a = backend->from_host(3, 3, std::vector<double>(9, 1.0));
  backend->set_precision(fp32() ? Precision::fp64 : Precision::fp32);
  const Matrix b = backend->from_host(3, 3, std::vector<double>(9, 1.0));
  EXPECT_NE(a.precision(), b.precision());
  EXPECT_THROW(backend->hadamard(a, b), Error);
  EXPECT_THROW(backend->add_scaled(a, b, 1.0), Error);
  EXPECT_THROW(backend->multiply(a, b, 1.0), Error);
  EXPECT_THROW(backend->multiply_transposed(a, b, 1.0), Error);
}

std::string target_name(const ::testing::TestParamInfo<Target>& info) { return info.param.backend; }

INSTANTIATE_TEST_SUITE_P(fp64, Conformance,
                         ::testing::Values(Target{"cpu", Precision::fp64}, Target{"cuda", Precision::fp64}),
                         target_name);
INSTANTIATE_TEST_SUITE_P(fp32, Conformance,
                         ::testing::Values(Target{"cpu", Precision::fp32}, Target{"cuda", Precision::fp32}),
                         target_name);

// The shared definitions themselves, against independent formulas (f) and central differences (f').
TEST(ElementwiseDefinitions, ActivationsMatchIndependentFormulas) {
  const double slope = 0.07;
  const auto reference = [slope](ActivationKind k, double x) {
    const double sigmoid = std::exp(x) / (1 + std::exp(x));
    switch (k) {
      case ActivationKind::linear: return x;
      case ActivationKind::relu: return std::max(x, 0.0);
      case ActivationKind::abs: return x < 0 ? -x : x;
      case ActivationKind::tanh: return 1 - 2 / (std::exp(2 * x) + 1);
      case ActivationKind::erf: return 1 - std::erfc(x);
      case ActivationKind::sigmoid: return sigmoid;
      case ActivationKind::sign: return static_cast<double>((x > 0) - (x < 0));
      case ActivationKind::step: return x > 0 ? 1.0 : 0.0;
      case ActivationKind::cos: return std::sin(x + std::numbers::pi / 2);
      case ActivationKind::sin: return std::cos(x - std::numbers::pi / 2);
      case ActivationKind::exp: return std::pow(std::numbers::e, x);
      case ActivationKind::quadratic: return std::pow(x, 2);
      case ActivationKind::leaky_relu: return std::max(x, slope * x);
      case ActivationKind::elu: return x > 0 ? x : std::exp(x) - 1;
      case ActivationKind::softplus: return std::log(1 + std::exp(x));
      case ActivationKind::gelu: return x * 0.5 * std::erfc(-x / std::sqrt(2.0));
      case ActivationKind::swish: return x * sigmoid;
    }
    return std::nan("");
  };
  for (const ActivationKind kind : kActivations) {
    const Activation f{kind, slope, 0.1, 2.0};
    for (double x = -3.95; x < 4; x += 0.1) {  // never 0: the kinks are at 0
      EXPECT_NEAR(f.raw(x), reference(kind, x), 1e-14 * std::max(1.0, std::abs(reference(kind, x))))
          << activation_name(kind) << " at " << x;
      EXPECT_NEAR(f(x), 2.0 * (f.raw(x) - 0.1), 1e-15 * std::max(1.0, std::abs(f(x))));
      const double h = 1e-5;
      const double numeric = (reference(kind, x + h) - reference(kind, x - h)) / (2 * h);
      EXPECT_NEAR(f.derivative(x), numeric, 1e-7 * std::max(1.0, std::abs(numeric)))
          << activation_name(kind) << "' at " << x;
    }
  }
}

TEST(ElementwiseDefinitions, KernelFunctionsMatchIndependentFormulas) {
  for (const KernelFunctionKind kind : {KernelFunctionKind::exp, KernelFunctionKind::gaussian, KernelFunctionKind::poly2})
    for (double t = -2.05; t < 3; t += 0.1) {
      const KernelFunction f{kind};
      EXPECT_NEAR(f.value(t), kernel_reference(kind, t), 1e-14 * std::max(1.0, std::abs(f.value(t))));
      const double h = 1e-5;
      const double numeric = (kernel_reference(kind, t + h) - kernel_reference(kind, t - h)) / (2 * h);
      EXPECT_NEAR(f.derivative(t), numeric, 1e-8 * std::max(1.0, std::abs(numeric)));
    }
}

}  // namespace
