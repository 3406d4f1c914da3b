// CPU backend: Philox sampling (threads over element ranges; the result does not depend on the
// partition), OpenBLAS dsyrk for Gram matrices, LAPACKE dsyevd/dsyevr for eigenvalues.
#include <algorithm>
#include <fstream>
#include <string>
#include <thread>

#include <cblas.h>
#include <lapacke.h>

#include <fmt/format.h>

#include "backend.hpp"
#include "error.hpp"

extern "C" char* openblas_get_config(void);
extern "C" int openblas_get_num_threads(void);

namespace rmt {
namespace {

class HostStorage final : public Matrix::Storage {
 public:
  explicit HostStorage(std::size_t count) : values_(count) {}
  double* data() override { return values_.data(); }

 private:
  std::vector<double> values_;
};

Matrix host_matrix(index_t rows, index_t cols) {
  return Matrix(rows, cols, std::make_unique<HostStorage>(static_cast<std::size_t>(rows * cols)));
}

// Runs body(begin, end) over [0, count) split across the hardware threads.
template <typename Body>
void parallel_ranges(std::uint64_t count, Body body) {
  const std::uint64_t threads = std::max(1u, std::thread::hardware_concurrency());
  const std::uint64_t chunk = (count + threads - 1) / threads;
  if (threads == 1 || count < 1u << 16) return body(std::uint64_t{0}, count);
  std::vector<std::jthread> pool;
  for (std::uint64_t b = 0; b < count; b += chunk) pool.emplace_back(body, b, std::min(count, b + chunk));
}

void check_lapack(lapack_int info, const char* routine, index_t n) {
  if (info > 0)
    throw NumericalError(fmt::format("{} did not converge (info = {}, n = {})", routine, info, n));
  if (info < 0) throw Error(fmt::format("{}: argument {} had an illegal value", routine, -info));
}

std::size_t host_available_bytes() {
  std::ifstream meminfo("/proc/meminfo");
  std::string key;
  std::size_t kib = 0;
  std::string unit;
  while (meminfo >> key >> kib >> unit)
    if (key == "MemAvailable:") return kib * 1024;
  return std::size_t{1} << 34;  // unknown: assume 16 GiB
}

void expect_same_shape(const Matrix& a, const Matrix& b) {
  RMT_EXPECTS(a.rows() == b.rows() && a.cols() == b.cols(), "shapes {}x{} and {}x{} differ", a.rows(), a.cols(),
              b.rows(), b.cols());
}

// a(i) ← f(a(i)) over all entries, split across threads.
template <typename F>
void elementwise(Matrix& a, F f) {
  double* x = a.data();
  parallel_ranges(static_cast<std::uint64_t>(a.rows() * a.cols()), [&](std::uint64_t begin, std::uint64_t end) {
    for (std::uint64_t i = begin; i < end; ++i) x[i] = f(x[i]);
  });
}

class CpuBackend final : public Backend {
 public:
  using Backend::gram;

  std::string_view name() const override { return "cpu"; }

  DeviceInfo info() const override {
    DeviceInfo d;
    d.backend = "cpu";
    d.name = fmt::format("host CPU ({} threads, OpenBLAS)", std::thread::hardware_concurrency());
    d.memory_bytes = host_available_bytes();
    d.details = fmt::format("{}; BLAS threads {}", openblas_get_config(), openblas_get_num_threads());
    return d;
  }

  std::size_t available_bytes() const override { return host_available_bytes(); }

  Matrix sample_gaussian(const StreamKey& key, index_t rows, index_t cols, std::span<const double> row_scale,
                         std::uint64_t offset) override {
    RMT_EXPECTS(rows > 0 && cols > 0, "matrix {}x{}", rows, cols);
    RMT_EXPECTS(offset % 2 == 0, "offset {} must be even (Box–Muller pairs)", offset);
    RMT_EXPECTS(row_scale.empty() || static_cast<index_t>(row_scale.size()) == rows,
                "row_scale has {} entries for {} rows", row_scale.size(), rows);
    Matrix x = host_matrix(rows, cols);
    double* out = x.data();
    const auto count = static_cast<std::uint64_t>(rows * cols);
    parallel_ranges((count + 1) / 2, [&](std::uint64_t begin, std::uint64_t end) {
      for (std::uint64_t pair = begin; pair < end; ++pair) {
        const NormalPair g = gaussian_pair(key, pair + offset / 2);
        out[2 * pair] = g.first;
        if (2 * pair + 1 < count) out[2 * pair + 1] = g.second;
      }
    });
    if (!row_scale.empty())
      for (index_t j = 0; j < cols; ++j)
        for (index_t i = 0; i < rows; ++i) out[i + j * rows] *= row_scale[i];
    return x;
  }

  Matrix gram(const Matrix& a, double alpha, GramSide side) override {
    const bool rows = side == GramSide::rows;
    const index_t n = rows ? a.rows() : a.cols();
    const index_t k = rows ? a.cols() : a.rows();
    Matrix c = host_matrix(n, n);
    cblas_dsyrk(CblasColMajor, CblasLower, rows ? CblasNoTrans : CblasTrans, static_cast<blasint>(n),
                static_cast<blasint>(k), alpha, a.data(), static_cast<blasint>(a.rows()), 0.0, c.data(),
                static_cast<blasint>(n));
    double* g = c.data();
    for (index_t j = 0; j < n; ++j)
      for (index_t i = j + 1; i < n; ++i) g[j + i * n] = g[i + j * n];
    return c;
  }

  Matrix multiply(const Matrix& a, const Matrix& b, double alpha) override {
    RMT_EXPECTS(a.cols() == b.rows(), "multiply {}x{} by {}x{}", a.rows(), a.cols(), b.rows(), b.cols());
    Matrix c = host_matrix(a.rows(), b.cols());
    cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, static_cast<blasint>(a.rows()),
                static_cast<blasint>(b.cols()), static_cast<blasint>(a.cols()), alpha, a.data(),
                static_cast<blasint>(a.rows()), b.data(), static_cast<blasint>(b.rows()), 0.0, c.data(),
                static_cast<blasint>(a.rows()));
    return c;
  }

  Matrix multiply_transposed(const Matrix& a, const Matrix& b, double alpha) override {
    RMT_EXPECTS(a.rows() == b.rows(), "multiply_transposed {}x{}ᵀ by {}x{}", a.rows(), a.cols(), b.rows(), b.cols());
    Matrix c = host_matrix(a.cols(), b.cols());
    cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, static_cast<blasint>(a.cols()),
                static_cast<blasint>(b.cols()), static_cast<blasint>(a.rows()), alpha, a.data(),
                static_cast<blasint>(a.rows()), b.data(), static_cast<blasint>(b.rows()), 0.0, c.data(),
                static_cast<blasint>(a.cols()));
    return c;
  }

  void apply_activation(Matrix& a, const Activation& f) override {
    elementwise(a, [f](double x) { return f(x); });
  }

  void apply_derivative(Matrix& a, const Activation& f) override {
    elementwise(a, [f](double x) { return f.derivative(x); });
  }

  void hadamard(Matrix& a, const Matrix& b) override {
    expect_same_shape(a, b);
    const double* y = b.data();
    double* x = a.data();
    for (index_t i = 0; i < a.rows() * a.cols(); ++i) x[i] *= y[i];
  }

  void add_scaled(Matrix& a, const Matrix& b, double alpha) override {
    expect_same_shape(a, b);
    cblas_daxpy(static_cast<blasint>(a.rows() * a.cols()), alpha, b.data(), 1, a.data(), 1);
  }

  void scale_rows(Matrix& a, std::span<const double> s) override {
    RMT_EXPECTS(static_cast<index_t>(s.size()) == a.rows(), "{} row scales for {} rows", s.size(), a.rows());
    double* x = a.data();
    for (index_t j = 0; j < a.cols(); ++j)
      for (index_t i = 0; i < a.rows(); ++i) x[i + j * a.rows()] *= s[i];
  }

  void set_diagonal(Matrix& a, double value) override {
    for (index_t i = 0; i < std::min(a.rows(), a.cols()); ++i) a.data()[i + i * a.rows()] = value;
  }

  void apply_kernel(Matrix& g, const KernelFunction& f, bool distance) override {
    const index_t n = g.rows();
    RMT_EXPECTS(n == g.cols(), "apply_kernel on a non-square {}x{} matrix", n, g.cols());
    double* x = g.data();
    std::vector<double> diag(static_cast<std::size_t>(n));
    for (index_t i = 0; i < n; ++i) diag[i] = x[i + i * n];
    for (index_t j = 0; j < n; ++j)
      for (index_t i = 0; i < n; ++i) {
        const double t = distance ? diag[i] + diag[j] - 2 * x[i + j * n] : x[i + j * n];
        x[i + j * n] = f.value(t);
      }
  }

  std::vector<double> eigenvalues(Matrix& a) override {
    const index_t n = a.rows();
    RMT_EXPECTS(n == a.cols(), "eigenvalues of a non-square {}x{} matrix", n, a.cols());
    std::vector<double> w(static_cast<std::size_t>(n));
    check_lapack(LAPACKE_dsyevd(LAPACK_COL_MAJOR, 'N', 'L', static_cast<lapack_int>(n), a.data(),
                                static_cast<lapack_int>(n), w.data()),
                 "dsyevd", n);
    return w;
  }

  EigenPairs top_eigenpairs(Matrix& a, index_t k) override {
    const index_t n = a.rows();
    RMT_EXPECTS(k >= 1 && k <= n, "k = {} eigenvectors of a {}x{} matrix", k, n, n);
    Matrix copy = host_matrix(n, n);
    std::copy_n(a.data(), n * n, copy.data());
    EigenPairs out;
    out.values = eigenvalues(copy);
    out.dim = n;
    out.k = k;
    out.vectors.resize(static_cast<std::size_t>(n * k));
    std::vector<double> w(static_cast<std::size_t>(n));
    std::vector<lapack_int> support(static_cast<std::size_t>(2 * k));
    lapack_int found = 0;
    const auto ln = static_cast<lapack_int>(n);
    check_lapack(LAPACKE_dsyevr(LAPACK_COL_MAJOR, 'V', 'I', 'L', ln, a.data(), ln, 0.0, 0.0,
                                static_cast<lapack_int>(n - k + 1), ln, 0.0, &found, w.data(),
                                out.vectors.data(), ln, support.data()),
                 "dsyevr", n);
    RMT_EXPECTS(found == k, "dsyevr returned {} of {} eigenvectors", found, k);
    return out;
  }

  std::vector<double> to_host(const Matrix& a) override {
    return std::vector<double>(a.data(), a.data() + a.rows() * a.cols());
  }

  Matrix row_block(const Matrix& a, index_t r0, index_t r1) override {
    RMT_EXPECTS(0 <= r0 && r0 < r1 && r1 <= a.rows(), "rows [{}, {}) of a {}x{} matrix", r0, r1, a.rows(), a.cols());
    Matrix b = host_matrix(r1 - r0, a.cols());
    for (index_t j = 0; j < a.cols(); ++j)
      std::copy(a.data() + r0 + j * a.rows(), a.data() + r1 + j * a.rows(), b.data() + j * (r1 - r0));
    return b;
  }

  Matrix from_host(index_t rows, index_t cols, std::span<const double> values) override {
    RMT_EXPECTS(static_cast<index_t>(values.size()) == rows * cols, "{} values for a {}x{} matrix", values.size(),
                rows, cols);
    Matrix a = host_matrix(rows, cols);
    std::copy(values.begin(), values.end(), a.data());
    return a;
  }
};

}  // namespace

std::unique_ptr<Backend> make_cpu_backend() { return std::make_unique<CpuBackend>(); }

}  // namespace rmt
