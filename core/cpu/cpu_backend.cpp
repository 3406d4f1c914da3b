// CPU backend: Gaussian sampling by the batched Philox/Box–Muller of core/cpu/philox_batch.hpp (the same
// numbers as the scalar functor the CUDA backend runs, to a few ulp), the elementwise functors of
// core/base/elementwise.hpp (Rademacher probes, activations, Hadamard product, row and column scaling,
// kernel functions) in OpenMP loops over the cores (every element
// depends on its own inputs only: the result does not depend on the thread count), OpenBLAS
// ?syrk/?gemm/?axpy for products, LAPACKE ?syevd/?syevr for eigenvalues, in fp64 or fp32 (the
// matrix's precision; normals and activations are evaluated in double and rounded once).
#include <algorithm>
#include <fstream>
#include <string>
#include <thread>

#include <cblas.h>
#include <lapacke.h>
#include <omp.h>

#include <fmt/format.h>

#include "core/base/backend.hpp"
#include "core/base/elementwise.hpp"
#include "core/base/finite.hpp"
#include "core/base/error.hpp"
#include "core/cpu/philox_batch.hpp"

extern "C" char* openblas_get_config(void);
extern "C" int openblas_get_num_threads(void);

namespace rmt {
namespace {

template <typename T>
class HostStorage final : public Matrix::Storage {
 public:
  explicit HostStorage(std::size_t count) : values_(count) {}
  void* data() override { return values_.data(); }

 private:
  std::vector<T> values_;
};

Matrix host_matrix(index_t rows, index_t cols, Precision precision) {
  const auto count = static_cast<std::size_t>(rows * cols);
  if (precision == Precision::fp32) return Matrix(rows, cols, std::make_unique<HostStorage<float>>(count), precision);
  return Matrix(rows, cols, std::make_unique<HostStorage<double>>(count), precision);
}

// BLAS/LAPACK entry points by element type.
template <typename T>
struct Blas;
template <>
struct Blas<double> {
  static constexpr auto syrk = cblas_dsyrk;
  static constexpr auto gemm = cblas_dgemm;
  static constexpr auto axpy = cblas_daxpy;
  static constexpr auto syevd = LAPACKE_dsyevd;
  static constexpr auto syevd_work = LAPACKE_dsyevd_work;
  static constexpr auto syevr = LAPACKE_dsyevr;
  static constexpr auto syevr_work = LAPACKE_dsyevr_work;
  static constexpr const char* prefix = "d";
};
template <>
struct Blas<float> {
  static constexpr auto syrk = cblas_ssyrk;
  static constexpr auto gemm = cblas_sgemm;
  static constexpr auto axpy = cblas_saxpy;
  static constexpr auto syevd = LAPACKE_ssyevd;
  static constexpr auto syevd_work = LAPACKE_ssyevd_work;
  static constexpr auto syevr = LAPACKE_ssyevr;
  static constexpr auto syevr_work = LAPACKE_ssyevr_work;
  static constexpr const char* prefix = "s";
};

// Loops shorter than this run on one thread: starting the team costs more than they take.
constexpr std::uint64_t kParallelMin = std::uint64_t{1} << 15;

// f(e) for e < count (an index functor of core/base/elementwise.hpp), split across the cores.
template <typename F>
void for_each_index(std::uint64_t count, F f) {
#pragma omp parallel for schedule(static) firstprivate(f) if (count >= kParallelMin)
  for (std::uint64_t e = 0; e < count; ++e) f(e);
}

// f(i, j) over the cells of a column-major rows×cols matrix (a cell functor), columns split across
// the cores.
template <typename F>
void for_each_cell(index_t rows, index_t cols, F f) {
  const auto r = static_cast<std::uint64_t>(rows);
  const auto c = static_cast<std::uint64_t>(cols);
#pragma omp parallel for schedule(static) firstprivate(f) if (r * c >= kParallelMin)
  for (std::uint64_t j = 0; j < c; ++j)
    for (std::uint64_t i = 0; i < r; ++i) f(i, j);
}

// Copies the strict lower triangle of the n×n column-major matrix c onto its upper triangle, in
// square tiles (a tile of columns is read down and written across in cache), tile columns split
// across the cores.
template <typename T>
void symmetrise_lower(T* c, index_t n) {
  constexpr index_t kTile = 64;
  const index_t tiles = (n + kTile - 1) / kTile;
#pragma omp parallel for schedule(dynamic) if (n * n >= static_cast<index_t>(kParallelMin))
  for (index_t tj = 0; tj < tiles; ++tj)
    for (index_t ti = tj; ti < tiles; ++ti) {  // tile (ti, tj) of the lower part, ti >= tj
      const index_t j1 = std::min(n, (tj + 1) * kTile);
      const index_t i1 = std::min(n, (ti + 1) * kTile);
      for (index_t j = tj * kTile; j < j1; ++j)
        for (index_t i = std::max(ti * kTile, j + 1); i < i1; ++i) c[j + i * n] = c[i + j * n];
    }
}

void check_lapack(lapack_int info, std::string_view routine, index_t n) {
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
  RMT_EXPECTS(a.precision() == b.precision(), "precisions {} and {} differ", to_string(a.precision()),
              to_string(b.precision()));
}

std::uint64_t element_count(const Matrix& a) {
  return static_cast<std::uint64_t>(a.rows()) * static_cast<std::uint64_t>(a.cols());
}

// LAPACK's optimal workspace (elements of T and lapack_ints) of ?syevd 'N' and ?syevr 'V','I' for
// order n, from the routines' own size queries (lwork = -1).
template <typename T>
std::size_t syevd_workspace_bytes(index_t n) {
  T work = 0, a = 0, w = 0;
  lapack_int iwork = 0;
  const auto ln = static_cast<lapack_int>(n);
  check_lapack(Blas<T>::syevd_work(LAPACK_COL_MAJOR, 'N', 'L', ln, &a, std::max<lapack_int>(1, ln), &w, &work, -1,
                                   &iwork, -1),
               "syevd workspace query", n);
  return static_cast<std::size_t>(work) * sizeof(T) + static_cast<std::size_t>(iwork) * sizeof(lapack_int);
}

template <typename T>
std::size_t syevr_workspace_bytes(index_t n, index_t k) {
  T work = 0, a = 0, w = 0, z = 0;
  lapack_int iwork = 0, found = 0, support = 0;
  const auto ln = static_cast<lapack_int>(n);
  check_lapack(Blas<T>::syevr_work(LAPACK_COL_MAJOR, 'V', 'I', 'L', ln, &a, std::max<lapack_int>(1, ln), T(0), T(0),
                                   static_cast<lapack_int>(n - k + 1), ln, T(0), &found, &w, &z,
                                   std::max<lapack_int>(1, ln), &support, &work, -1, &iwork, -1),
               "syevr workspace query", n);
  return static_cast<std::size_t>(work) * sizeof(T) + static_cast<std::size_t>(iwork) * sizeof(lapack_int) +
         static_cast<std::size_t>(2 * k) * sizeof(lapack_int);
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
    d.details = fmt::format("{}; BLAS threads {}; OpenMP threads {}", openblas_get_config(), openblas_get_num_threads(),
                            omp_get_max_threads());
    return d;
  }

  std::size_t available_bytes() const override { return host_available_bytes(); }

  std::size_t eigensolver_workspace_bytes(index_t n, index_t top_k) const override {
    return dispatch(precision(), [&]<typename T>(T) {
      const auto nn = static_cast<std::size_t>(n);
      const std::size_t values = nn * sizeof(T);  // LAPACKE's eigenvalue array (T), before conversion
      const std::size_t syevd = syevd_workspace_bytes<T>(n) + values;
      if (top_k <= 0) return syevd;
      // top_eigenpairs: a copy of the input for the eigenvalues, then ?syevr on the input.
      const std::size_t vectors = nn * static_cast<std::size_t>(top_k) * sizeof(T);
      return nn * nn * sizeof(T) + std::max(syevd, syevr_workspace_bytes<T>(n, top_k) + values + vectors);
    });
  }

  Matrix sample_gaussian(const StreamKey& key, index_t rows, index_t cols, std::span<const double> row_scale,
                         std::uint64_t offset) override {
    RMT_EXPECTS(rows > 0 && cols > 0, "matrix {}x{}", rows, cols);
    RMT_EXPECTS(offset % 2 == 0, "offset {} must be even (Box–Muller pairs)", offset);
    RMT_EXPECTS(row_scale.empty() || static_cast<index_t>(row_scale.size()) == rows,
                "row_scale has {} entries for {} rows", row_scale.size(), rows);
    // The batched sampler (core/cpu/philox_batch.hpp): the Philox words of elementwise::
    // SampleGaussianPairs bit for bit, its normals to rounding, vectorised and over the cores,
    // written into memory it does not zero first (every element is written).
    Matrix x = philox_batch::uninitialised_host_matrix(rows, cols, precision());
    dispatch(x.precision(), [&]<typename T>(T) {
      philox_batch::sample_gaussian<T>(key, offset / 2, x.data_as<T>(), element_count(x), static_cast<std::uint64_t>(rows),
                                       row_scale.empty() ? nullptr : row_scale.data());
    });
    return x;
  }

  Matrix gram(const Matrix& a, double alpha, GramSide side) override {
    const bool rows = side == GramSide::rows;
    const index_t n = rows ? a.rows() : a.cols();
    const index_t k = rows ? a.cols() : a.rows();
    Matrix c = host_matrix(n, n, a.precision());
    dispatch(a.precision(), [&]<typename T>(T) {
      Blas<T>::syrk(CblasColMajor, CblasLower, rows ? CblasNoTrans : CblasTrans, static_cast<blasint>(n),
                    static_cast<blasint>(k), static_cast<T>(alpha), a.data_as<T>(), static_cast<blasint>(a.rows()),
                    T(0), c.data_as<T>(), static_cast<blasint>(n));
      symmetrise_lower(c.data_as<T>(), n);
    });
    return c;
  }

  Matrix multiply(const Matrix& a, const Matrix& b, double alpha) override {
    RMT_EXPECTS(a.cols() == b.rows(), "multiply {}x{} by {}x{}", a.rows(), a.cols(), b.rows(), b.cols());
    return gemm(a, b, alpha, false);
  }

  Matrix multiply_transposed(const Matrix& a, const Matrix& b, double alpha) override {
    RMT_EXPECTS(a.rows() == b.rows(), "multiply_transposed {}x{}ᵀ by {}x{}", a.rows(), a.cols(), b.rows(), b.cols());
    return gemm(a, b, alpha, true);
  }

  void apply_activation(Matrix& a, const Activation& f) override {
    dispatch(a.precision(), [&]<typename T>(T) {
      for_each_index(element_count(a), elementwise::ApplyActivation<T>{a.data_as<T>(), f});
    });
  }

  void apply_derivative(Matrix& a, const Activation& f) override {
    dispatch(a.precision(), [&]<typename T>(T) {
      for_each_index(element_count(a), elementwise::ApplyDerivative<T>{a.data_as<T>(), f});
    });
  }

  void hadamard(Matrix& a, const Matrix& b) override {
    expect_same_shape(a, b);
    dispatch(a.precision(), [&]<typename T>(T) {
      for_each_index(element_count(a), elementwise::Hadamard<T>{a.data_as<T>(), b.data_as<T>()});
    });
  }

  void add_scaled(Matrix& a, const Matrix& b, double alpha) override {
    expect_same_shape(a, b);
    dispatch(a.precision(), [&]<typename T>(T) {
      Blas<T>::axpy(static_cast<blasint>(a.rows() * a.cols()), static_cast<T>(alpha), b.data_as<T>(), 1,
                    a.data_as<T>(), 1);
    });
  }

  void scale_rows(Matrix& a, std::span<const double> s) override {
    RMT_EXPECTS(static_cast<index_t>(s.size()) == a.rows(), "{} row scales for {} rows", s.size(), a.rows());
    dispatch(a.precision(), [&]<typename T>(T) {
      for_each_cell(a.rows(), a.cols(),
                    elementwise::ScaleRows<T>{a.data_as<T>(), s.data(), static_cast<std::uint64_t>(a.rows())});
    });
  }

  void set_diagonal(Matrix& a, double value) override {
    dispatch(a.precision(), [&]<typename T>(T) {
      for_each_index(static_cast<std::uint64_t>(std::min(a.rows(), a.cols())),
                     elementwise::SetDiagonal<T>{a.data_as<T>(), static_cast<std::uint64_t>(a.rows()),
                                                 static_cast<T>(value)});
    });
  }

  void apply_kernel(Matrix& g, const KernelFunction& f, bool distance) override {
    const index_t n = g.rows();
    RMT_EXPECTS(n == g.cols(), "apply_kernel on a non-square {}x{} matrix", n, g.cols());
    dispatch(g.precision(), [&]<typename T>(T) {
      const auto un = static_cast<std::uint64_t>(n);
      std::vector<T> diag(static_cast<std::size_t>(n));
      for_each_index(un, elementwise::CopyDiagonal<T>{g.data_as<T>(), diag.data(), un});
      for_each_cell(n, n, elementwise::ApplyKernel<T>{g.data_as<T>(), diag.data(), un, f, distance});
    });
  }

  std::vector<double> eigenvalues(Matrix& a) override {
    const index_t n = a.rows();
    RMT_EXPECTS(n == a.cols(), "eigenvalues of a non-square {}x{} matrix", n, a.cols());
    return dispatch(a.precision(), [&]<typename T>(T) {
      require_finite(std::span<const T>(a.data_as<T>(), static_cast<std::size_t>(n * n)),
                     fmt::format("the {}x{} matrix given to the eigensolver", n, n));
      std::vector<T> w(static_cast<std::size_t>(n));
      check_lapack(Blas<T>::syevd(LAPACK_COL_MAJOR, 'N', 'L', static_cast<lapack_int>(n), a.data_as<T>(),
                                  static_cast<lapack_int>(n), w.data()),
                   std::string(Blas<T>::prefix) + "syevd", n);
      return std::vector<double>(w.begin(), w.end());
    });
  }

  EigenPairs top_eigenpairs(Matrix& a, index_t k) override {
    const index_t n = a.rows();
    RMT_EXPECTS(k >= 1 && k <= n, "k = {} eigenvectors of a {}x{} matrix", k, n, n);
    return dispatch(a.precision(), [&]<typename T>(T) {
      Matrix copy = host_matrix(n, n, a.precision());
      std::copy_n(a.data_as<T>(), n * n, copy.data_as<T>());
      EigenPairs out;
      out.values = eigenvalues(copy);
      out.dim = n;
      out.k = k;
      std::vector<T> vectors(static_cast<std::size_t>(n * k));
      std::vector<T> w(static_cast<std::size_t>(n));
      std::vector<lapack_int> support(static_cast<std::size_t>(2 * k));
      lapack_int found = 0;
      const auto ln = static_cast<lapack_int>(n);
      check_lapack(Blas<T>::syevr(LAPACK_COL_MAJOR, 'V', 'I', 'L', ln, a.data_as<T>(), ln, T(0), T(0),
                                  static_cast<lapack_int>(n - k + 1), ln, T(0), &found, w.data(), vectors.data(), ln,
                                  support.data()),
                   std::string(Blas<T>::prefix) + "syevr", n);
      RMT_EXPECTS(found == k, "syevr returned {} of {} eigenvectors", found, k);
      out.vectors.assign(vectors.begin(), vectors.end());
      return out;
    });
  }

  Matrix sample_rademacher(const StreamKey& key, index_t rows, index_t cols, std::uint64_t offset) override {
    RMT_EXPECTS(rows > 0 && cols > 0, "matrix {}x{}", rows, cols);
    Matrix r = host_matrix(rows, cols, precision());
    dispatch(r.precision(), [&]<typename T>(T) {
      for_each_index(element_count(r), elementwise::SampleRademacher<T>{key, r.data_as<T>(), offset});
    });
    return r;
  }

  std::vector<double> column_dots(const Matrix& a, const Matrix& b) override {
    expect_same_shape(a, b);
    std::vector<double> dots(static_cast<std::size_t>(a.cols()), 0.0);
    dispatch(a.precision(), [&]<typename T>(T) {
      const T* x = a.data_as<T>();
      const T* y = b.data_as<T>();
      const auto rows = static_cast<std::size_t>(a.rows());
#pragma omp parallel for schedule(static) if (element_count(a) >= kParallelMin)
      for (std::size_t j = 0; j < dots.size(); ++j) {
        double sum = 0;
        for (std::size_t i = 0; i < rows; ++i) sum += double(x[i + j * rows]) * double(y[i + j * rows]);
        dots[j] = sum;
      }
    });
    return dots;
  }

  void add_scaled_columns(Matrix& a, const Matrix& b, std::span<const double> s) override {
    expect_same_shape(a, b);
    RMT_EXPECTS(static_cast<index_t>(s.size()) == a.cols(), "{} column scales for {} columns", s.size(), a.cols());
    dispatch(a.precision(), [&]<typename T>(T) {
      for_each_cell(a.rows(), a.cols(),
                    elementwise::AddScaledColumns<T>{a.data_as<T>(), b.data_as<T>(), s.data(),
                                                     static_cast<std::uint64_t>(a.rows())});
    });
  }

  void scale_columns(Matrix& a, std::span<const double> s) override {
    RMT_EXPECTS(static_cast<index_t>(s.size()) == a.cols(), "{} column scales for {} columns", s.size(), a.cols());
    dispatch(a.precision(), [&]<typename T>(T) {
      for_each_cell(a.rows(), a.cols(),
                    elementwise::ScaleColumns<T>{a.data_as<T>(), s.data(), static_cast<std::uint64_t>(a.rows())});
    });
  }

  std::vector<double> to_host(const Matrix& a) override {
    return dispatch(a.precision(), [&]<typename T>(T) {
      return std::vector<double>(a.data_as<T>(), a.data_as<T>() + a.rows() * a.cols());
    });
  }

  Matrix row_block(const Matrix& a, index_t r0, index_t r1) override {
    RMT_EXPECTS(0 <= r0 && r0 < r1 && r1 <= a.rows(), "rows [{}, {}) of a {}x{} matrix", r0, r1, a.rows(), a.cols());
    Matrix b = host_matrix(r1 - r0, a.cols(), a.precision());
    dispatch(a.precision(), [&]<typename T>(T) {
      const T* src = a.data_as<T>();
      T* dst = b.data_as<T>();
      for (index_t j = 0; j < a.cols(); ++j)
        std::copy(src + r0 + j * a.rows(), src + r1 + j * a.rows(), dst + j * (r1 - r0));
    });
    return b;
  }

  Matrix from_host(index_t rows, index_t cols, std::span<const double> values) override {
    RMT_EXPECTS(static_cast<index_t>(values.size()) == rows * cols, "{} values for a {}x{} matrix", values.size(),
                rows, cols);
    Matrix a = host_matrix(rows, cols, precision());
    dispatch(a.precision(), [&]<typename T>(T) {
      std::transform(values.begin(), values.end(), a.data_as<T>(), [](double v) { return static_cast<T>(v); });
    });
    return a;
  }

 private:
  // alpha · op(A) B with op(A) = A or Aᵀ.
  Matrix gemm(const Matrix& a, const Matrix& b, double alpha, bool transpose_a) {
    RMT_EXPECTS(a.precision() == b.precision(), "precisions {} and {} differ", to_string(a.precision()),
                to_string(b.precision()));
    const index_t m = transpose_a ? a.cols() : a.rows();
    const index_t k = transpose_a ? a.rows() : a.cols();
    Matrix c = host_matrix(m, b.cols(), a.precision());
    dispatch(a.precision(), [&]<typename T>(T) {
      Blas<T>::gemm(CblasColMajor, transpose_a ? CblasTrans : CblasNoTrans, CblasNoTrans, static_cast<blasint>(m),
                    static_cast<blasint>(b.cols()), static_cast<blasint>(k), static_cast<T>(alpha), a.data_as<T>(),
                    static_cast<blasint>(a.rows()), b.data_as<T>(), static_cast<blasint>(b.rows()), T(0),
                    c.data_as<T>(), static_cast<blasint>(m));
    });
    return c;
  }
};

}  // namespace

std::unique_ptr<Backend> make_cpu_backend() { return std::make_unique<CpuBackend>(); }

}  // namespace rmt
