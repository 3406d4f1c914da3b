// CUDA backend: the elementwise functors of core/base/elementwise.hpp (Philox sampling, activations,
// Hadamard product, row scaling, diagonal, kernel functions) in grid-stride kernels, cuBLAS SYRK
// Gram, GEMM and AXPY, cuSOLVER (64-bit API) eigensolvers; the column operations of block Lanczos
// (Rademacher probes, column scaling) in the same grid-stride kernels, column dots in a two-pass
// reduction in double (cuda/kernels.cuh); in fp64 or fp32 (the matrix's precision). One non-default stream per backend; the
// cuBLAS and cuSOLVER handles are bound to it, and every public operation synchronises it before
// returning (callers time stages with wall clocks).
#include "cuda/device_memory.cuh"  // first: cuda/errors.cuh configures fmt for nvcc

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/base/backend.hpp"
#include "cuda/kernels.cuh"

namespace rmt {
namespace {

using cuda_detail::Context;
using cuda_detail::DeviceBuffer;
using cuda_detail::kThreads;

class DeviceStorage final : public Matrix::Storage {
 public:
  explicit DeviceStorage(DeviceBuffer buffer) : buffer_(std::move(buffer)) {}
  void* data() override { return buffer_.get(); }

 private:
  DeviceBuffer buffer_;
};

// cuBLAS entry points and cuSOLVER data types by element type.
template <typename T>
struct Blas;
template <>
struct Blas<double> {
  static constexpr auto syrk = cublasDsyrk_64;
  static constexpr auto gemm = cublasDgemm_64;
  static constexpr auto axpy = cublasDaxpy_64;
  static constexpr cudaDataType data_type = CUDA_R_64F;
};
template <>
struct Blas<float> {
  static constexpr auto syrk = cublasSsyrk_64;
  static constexpr auto gemm = cublasSgemm_64;
  static constexpr auto axpy = cublasSaxpy_64;
  static constexpr cudaDataType data_type = CUDA_R_32F;
};

void expects(bool ok, const std::string& what) {
  if (!ok) throw Error("cuda backend: " + what);
}

std::size_t matrix_bytes(index_t rows, index_t cols, Precision precision) {
  expects(rows >= 0 && cols >= 0, "negative matrix dimension " + std::to_string(rows) + "x" + std::to_string(cols));
  const auto r = static_cast<std::uint64_t>(rows);
  const auto c = static_cast<std::uint64_t>(cols);
  const std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max() / element_bytes(precision);
  if (r != 0 && c > kMax / r)
    throw ResourceError("matrix " + std::to_string(rows) + "x" + std::to_string(cols) +
                        " does not fit in device memory");
  return static_cast<std::size_t>(r * c * element_bytes(precision));
}

std::string version_string(int v) {  // 13000 -> "13.0"
  return std::to_string(v / 1000) + "." + std::to_string((v % 1000) / 10);
}

// The cuSOLVER routines the backend calls, each with its own workspace size query.
enum class Solve { values_only, top_vectors };

struct SolverSizes {
  std::size_t device = 0;
  std::size_t host = 0;
};

// Cache of cuSOLVER's workspace size queries by (routine, precision, n, k). The device workspace
// itself is allocated per call and freed right after, so nothing stays on the device between
// eigensolves (the memory planner counts it only during the eigen phase).
class SolverSizeCache {
 public:
  template <typename Query>
  SolverSizes get(Solve r, Precision p, std::int64_t n, std::int64_t k, Query query) {
    std::lock_guard lock(mutex_);
    for (const auto& e : entries_)
      if (e.routine == r && e.precision == p && e.n == n && e.k == k) return e.sizes;
    const SolverSizes s = query();
    if (entries_.size() >= 16) entries_.erase(entries_.begin());
    entries_.push_back({r, p, n, k, s});
    return s;
  }

 private:
  struct Entry {
    Solve routine;
    Precision precision;
    std::int64_t n;
    std::int64_t k;
    SolverSizes sizes;
  };
  std::mutex mutex_;
  std::vector<Entry> entries_;
};

// Converts a host double array to T (or passes it through for double).
template <typename T>
std::vector<T> convert(std::span<const double> values) {
  return std::vector<T>(values.begin(), values.end());
}

class CudaBackend final : public Backend {
 public:
  CudaBackend() : ctx_(std::make_shared<const Context>()) {}

  std::string_view name() const override { return "cuda"; }

  DeviceInfo info() const override {
    const cudaDeviceProp& p = ctx_->props();
    const std::string sm = "sm_" + std::to_string(p.major) + std::to_string(p.minor);
    DeviceInfo d;
    d.backend = "cuda";
    d.name = std::string(p.name) + " (" + sm + ")";
    d.memory_bytes = p.totalGlobalMem;
    d.details = "device " + std::to_string(ctx_->device()) + ", " + sm + ", " + std::to_string(p.multiProcessorCount) +
                " SMs, " + std::to_string(p.totalGlobalMem) + " bytes, driver " +
                version_string(ctx_->driver_version()) + ", runtime " + version_string(ctx_->runtime_version()) +
                (ctx_->stream_ordered_alloc() ? ", stream-ordered allocation" : ", cudaMalloc allocation");
    d.driver_version = version_string(ctx_->driver_version());
    d.runtime_version = version_string(ctx_->runtime_version());
    return d;
  }

  std::size_t available_bytes() const override {
    ctx_->activate();
    ctx_->sync();  // lets the stream-ordered pool hand freed blocks back before counting
    std::size_t free = 0;
    std::size_t total = 0;
    RMT_CUDA_TRY(cudaMemGetInfo(&free, &total));
    return free;
  }

  // cuSOLVER's own size queries (no matrix needed: the queries read only the dimensions), plus the
  // eigenvalue array; top_k > 0 adds top_eigenpairs' copy of the input and the second w array.
  std::size_t eigensolver_workspace_bytes(index_t n, index_t top_k) const override {
    ctx_->activate();
    return dispatch(precision(), [&]<typename T>(T) {
      const auto nn = static_cast<std::size_t>(n);
      const std::size_t values = nn * sizeof(T);
      const std::size_t syevd = values_only_sizes<T>(n).device + values;
      if (top_k <= 0) return syevd;
      const std::size_t syevdx = top_vectors_sizes<T>(n, top_k).device + values;
      return matrix_bytes(n, n, precision()) + std::max(syevd, syevdx);
    });
  }

  Matrix sample_gaussian(const StreamKey& key, index_t rows, index_t cols, std::span<const double> row_scale,
                         std::uint64_t offset) override {
    ctx_->activate();
    expects(offset % 2 == 0, "sample_gaussian: offset " + std::to_string(offset) + " must be even");
    expects(rows > 0 && cols > 0, "sample_gaussian: matrix " + std::to_string(rows) + "x" + std::to_string(cols));
    expects(row_scale.empty() || row_scale.size() == static_cast<std::size_t>(rows),
            "sample_gaussian: row_scale has " + std::to_string(row_scale.size()) + " entries for " +
                std::to_string(rows) + " rows");
    Matrix out = allocate(rows, cols, precision());
    const std::uint64_t count = std::uint64_t(rows) * std::uint64_t(cols);
    const DeviceBuffer scale = to_device(row_scale);
    dispatch(out.precision(), [&]<typename T>(T) {
      for_each_index((count + 1) / 2, elementwise::SampleGaussianPairs<T>{key, out.data_as<T>(), count,
                                                                          std::uint64_t(rows),
                                                                          scale.as<const double>(), offset / 2});
    });
    return out;
  }

  using Backend::gram;

  Matrix gram(const Matrix& a, double alpha, GramSide side) override {
    ctx_->activate();
    const bool rows = side == GramSide::rows;
    const index_t n = rows ? a.rows() : a.cols();
    const index_t k = rows ? a.cols() : a.rows();
    Matrix c = allocate(n, n, a.precision());
    if (n == 0) return c;
    dispatch(a.precision(), [&]<typename T>(T) {
      const T alpha_t = static_cast<T>(alpha);
      const T beta = 0;
      RMT_CUBLAS_TRY(Blas<T>::syrk(ctx_->blas(), CUBLAS_FILL_MODE_LOWER, rows ? CUBLAS_OP_N : CUBLAS_OP_T, n, k,
                                   &alpha_t, a.data_as<T>(), leading_dim(a), &beta, c.data_as<T>(), n));
      symmetrise(c.data_as<T>(), n);
    });
    ctx_->sync();
    return c;
  }

  Matrix multiply(const Matrix& a, const Matrix& b, double alpha) override {
    expects(a.cols() == b.rows(), "multiply: " + shape(a) + " by " + shape(b));
    return gemm(CUBLAS_OP_N, a, b, a.rows(), b.cols(), a.cols(), alpha);
  }

  Matrix multiply_transposed(const Matrix& a, const Matrix& b, double alpha) override {
    expects(a.rows() == b.rows(), "multiply_transposed: " + shape(a) + "ᵀ by " + shape(b));
    return gemm(CUBLAS_OP_T, a, b, a.cols(), b.cols(), a.rows(), alpha);
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
    expect_same_shape("hadamard", a, b);
    dispatch(a.precision(), [&]<typename T>(T) {
      for_each_index(element_count(a), elementwise::Hadamard<T>{a.data_as<T>(), b.data_as<T>()});
    });
  }

  void add_scaled(Matrix& a, const Matrix& b, double alpha) override {
    ctx_->activate();
    expect_same_shape("add_scaled", a, b);
    const auto count = static_cast<std::int64_t>(element_count(a));
    if (count == 0) return;
    dispatch(a.precision(), [&]<typename T>(T) {
      const T alpha_t = static_cast<T>(alpha);
      RMT_CUBLAS_TRY(Blas<T>::axpy(ctx_->blas(), count, &alpha_t, b.data_as<T>(), 1, a.data_as<T>(), 1));
    });
    ctx_->sync();
  }

  void scale_rows(Matrix& a, std::span<const double> s) override {
    ctx_->activate();
    expects(s.size() == static_cast<std::size_t>(a.rows()),
            "scale_rows: " + std::to_string(s.size()) + " row scales for " + shape(a));
    if (element_count(a) == 0) return;
    const DeviceBuffer scale = to_device(s);
    dispatch(a.precision(), [&]<typename T>(T) {
      for_each_cell(a, elementwise::ScaleRows<T>{a.data_as<T>(), scale.as<const double>(),
                                                 static_cast<std::uint64_t>(a.rows())});
    });
  }

  void set_diagonal(Matrix& a, double value) override {
    const auto diag = static_cast<std::uint64_t>(std::min(a.rows(), a.cols()));
    dispatch(a.precision(), [&]<typename T>(T) {
      for_each_index(diag, elementwise::SetDiagonal<T>{a.data_as<T>(), static_cast<std::uint64_t>(a.rows()),
                                                       static_cast<T>(value)});
    });
  }

  void apply_kernel(Matrix& g, const KernelFunction& f, bool distance) override {
    const index_t n = square_dim(g, "apply_kernel");
    const auto count = static_cast<std::uint64_t>(n);
    dispatch(g.precision(), [&]<typename T>(T) {
      const DeviceBuffer diag(ctx_, count * sizeof(T));
      for_each_index(count, elementwise::CopyDiagonal<T>{g.data_as<T>(), diag.as<T>(), count});
      for_each_cell(g, elementwise::ApplyKernel<T>{g.data_as<T>(), diag.as<const T>(), count, f, distance});
    });
  }

  std::vector<double> eigenvalues(Matrix& a) override {
    ctx_->activate();
    const index_t n = square_dim(a, "eigenvalues");
    if (n == 0) return {};
    return dispatch(a.precision(), [&]<typename T>(T) {
      const DeviceBuffer w(ctx_, static_cast<std::size_t>(n) * sizeof(T));
      syevd_values_only<T>(a.data_as<T>(), n, w.as<T>());
      return copy_to_host<T>(w.as<const T>(), static_cast<std::size_t>(n));
    });
  }

  EigenPairs top_eigenpairs(Matrix& a, index_t k) override {
    ctx_->activate();
    const index_t n = square_dim(a, "top_eigenpairs");
    expects(k >= 1 && k <= n, "top_eigenpairs: k = " + std::to_string(k) + " eigenvectors of a " +
                                  std::to_string(n) + "x" + std::to_string(n) + " matrix");
    EigenPairs out;
    out.dim = n;
    out.k = k;
    {  // All eigenvalues from a copy (syevd overwrites its input).
      Matrix copy = allocate(n, n, a.precision());
      RMT_CUDA_TRY(cudaMemcpyAsync(copy.untyped_data(), a.untyped_data(), matrix_bytes(n, n, a.precision()),
                                   cudaMemcpyDeviceToDevice, ctx_->stream()));
      out.values = eigenvalues(copy);
    }
    out.vectors = dispatch(a.precision(), [&]<typename T>(T) { return top_eigenvectors<T>(a.data_as<T>(), n, k); });
    return out;
  }

  Matrix sample_rademacher(const StreamKey& key, index_t rows, index_t cols, std::uint64_t offset) override {
    ctx_->activate();
    expects(rows > 0 && cols > 0, "sample_rademacher: matrix " + std::to_string(rows) + "x" + std::to_string(cols));
    Matrix out = allocate(rows, cols, precision());
    dispatch(out.precision(), [&]<typename T>(T) {
      for_each_index(element_count(out), elementwise::SampleRademacher<T>{key, out.data_as<T>(), offset});
    });
    return out;
  }

  // Two passes (cuda/kernels.cuh): partial sums of up to kMaxChunks row chunks per column, then
  // their sum per column in a fixed order, so the dots are the same on every run.
  std::vector<double> column_dots(const Matrix& a, const Matrix& b) override {
    ctx_->activate();
    expect_same_shape("column_dots", a, b);
    const auto rows = static_cast<std::uint64_t>(a.rows());
    const auto cols = static_cast<std::uint64_t>(a.cols());
    if (cols == 0) return {};
    if (rows == 0) return std::vector<double>(cols, 0.0);
    constexpr std::uint64_t kMaxChunks = 256;
    constexpr std::uint64_t kRowsPerThread = 8;
    const std::uint64_t chunks =
        std::clamp<std::uint64_t>((rows + kThreads * kRowsPerThread - 1) / (kThreads * kRowsPerThread), 1, kMaxChunks);
    const DeviceBuffer partial(ctx_, static_cast<std::size_t>(chunks * cols) * sizeof(double));
    const DeviceBuffer dots(ctx_, static_cast<std::size_t>(cols) * sizeof(double));
    const dim3 grid(static_cast<unsigned>(chunks), static_cast<unsigned>(std::min<std::uint64_t>(cols, 65535)));
    dispatch(a.precision(), [&]<typename T>(T) {
      cuda_detail::column_dots_partial_kernel<T><<<grid, kThreads, 0, ctx_->stream()>>>(
          a.data_as<T>(), b.data_as<T>(), rows, cols, chunks, partial.as<double>());
      RMT_CHECK_LAUNCH();
    });
    cuda_detail::column_dots_final_kernel<<<grid_size(cols), kThreads, 0, ctx_->stream()>>>(
        partial.as<const double>(), cols, chunks, dots.as<double>());
    RMT_CHECK_LAUNCH();
    return copy_to_host<double>(dots.as<const double>(), static_cast<std::size_t>(cols));  // synchronises
  }

  void add_scaled_columns(Matrix& a, const Matrix& b, std::span<const double> s) override {
    ctx_->activate();
    expect_same_shape("add_scaled_columns", a, b);
    expects(s.size() == static_cast<std::size_t>(a.cols()),
            "add_scaled_columns: " + std::to_string(s.size()) + " column scales for " + shape(a));
    if (element_count(a) == 0) return;
    const DeviceBuffer scale = to_device(s);
    dispatch(a.precision(), [&]<typename T>(T) {
      for_each_cell(a, elementwise::AddScaledColumns<T>{a.data_as<T>(), b.data_as<T>(), scale.as<const double>(),
                                                        static_cast<std::uint64_t>(a.rows())});
    });
  }

  void scale_columns(Matrix& a, std::span<const double> s) override {
    ctx_->activate();
    expects(s.size() == static_cast<std::size_t>(a.cols()),
            "scale_columns: " + std::to_string(s.size()) + " column scales for " + shape(a));
    if (element_count(a) == 0) return;
    const DeviceBuffer scale = to_device(s);
    dispatch(a.precision(), [&]<typename T>(T) {
      for_each_cell(a, elementwise::ScaleColumns<T>{a.data_as<T>(), scale.as<const double>(),
                                                    static_cast<std::uint64_t>(a.rows())});
    });
  }

  std::vector<double> to_host(const Matrix& a) override {
    ctx_->activate();
    const std::size_t count = matrix_bytes(a.rows(), a.cols(), a.precision()) / element_bytes(a.precision());
    return dispatch(a.precision(), [&]<typename T>(T) { return copy_to_host<T>(a.data_as<T>(), count); });
  }

  Matrix row_block(const Matrix& a, index_t r0, index_t r1) override {
    ctx_->activate();
    expects(0 <= r0 && r0 < r1 && r1 <= a.rows(), "row_block: rows [" + std::to_string(r0) + ", " +
                                                      std::to_string(r1) + ") of a matrix with " +
                                                      std::to_string(a.rows()) + " rows");
    Matrix b = allocate(r1 - r0, a.cols(), a.precision());
    const std::size_t elem = element_bytes(a.precision());
    const auto* src = static_cast<const std::byte*>(a.untyped_data()) + std::size_t(r0) * elem;
    // Column-major: one strided 2-D copy, a column segment of r1 - r0 elements per column.
    RMT_CUDA_TRY(cudaMemcpy2DAsync(b.untyped_data(), std::size_t(r1 - r0) * elem, src, std::size_t(a.rows()) * elem,
                                   std::size_t(r1 - r0) * elem, std::size_t(a.cols()), cudaMemcpyDeviceToDevice,
                                   ctx_->stream()));
    ctx_->sync();
    return b;
  }

  Matrix from_host(index_t rows, index_t cols, std::span<const double> values) override {
    ctx_->activate();
    expects(static_cast<std::uint64_t>(values.size()) ==
                static_cast<std::uint64_t>(rows) * static_cast<std::uint64_t>(cols),
            "from_host: " + std::to_string(values.size()) + " values for a " + std::to_string(rows) + "x" +
                std::to_string(cols) + " matrix");
    Matrix a = allocate(rows, cols, precision());
    if (values.empty()) return a;
    dispatch(a.precision(), [&]<typename T>(T) {
      if constexpr (std::is_same_v<T, double>) {
        RMT_CUDA_TRY(cudaMemcpyAsync(a.data_as<T>(), values.data(), values.size_bytes(), cudaMemcpyHostToDevice,
                                     ctx_->stream()));
        ctx_->sync();
      } else {
        const std::vector<T> rounded = convert<T>(values);
        RMT_CUDA_TRY(cudaMemcpyAsync(a.data_as<T>(), rounded.data(), rounded.size() * sizeof(T),
                                     cudaMemcpyHostToDevice, ctx_->stream()));
        ctx_->sync();  // before `rounded` goes
      }
    });
    return a;
  }

 private:
  Matrix allocate(index_t rows, index_t cols, Precision p) {
    return Matrix(rows, cols, std::make_unique<DeviceStorage>(DeviceBuffer(ctx_, matrix_bytes(rows, cols, p))), p);
  }

  DeviceBuffer to_device(std::span<const double> values) {
    if (values.empty()) return {};
    DeviceBuffer b(ctx_, values.size_bytes());
    RMT_CUDA_TRY(cudaMemcpyAsync(b.get(), values.data(), values.size_bytes(), cudaMemcpyHostToDevice, ctx_->stream()));
    return b;  // the stream orders the copy before any kernel that reads it; callers sync before returning
  }

  template <typename T>
  std::vector<double> copy_to_host(const T* device, std::size_t count) {
    std::vector<T> host(count);
    if (count > 0)
      RMT_CUDA_TRY(cudaMemcpyAsync(host.data(), device, count * sizeof(T), cudaMemcpyDeviceToHost, ctx_->stream()));
    ctx_->sync();
    if constexpr (std::is_same_v<T, double>) return host;
    else return std::vector<double>(host.begin(), host.end());
  }

  // C = alpha · op(A) · B with op(A) m×k, B k×n.
  Matrix gemm(cublasOperation_t op_a, const Matrix& a, const Matrix& b, index_t m, index_t n, index_t k,
              double alpha) {
    ctx_->activate();
    expects(a.precision() == b.precision(), "multiply: operands in " + std::string(to_string(a.precision())) +
                                                " and " + std::string(to_string(b.precision())));
    Matrix c = allocate(m, n, a.precision());
    if (m == 0 || n == 0) return c;
    dispatch(a.precision(), [&]<typename T>(T) {
      const T alpha_t = static_cast<T>(alpha);
      const T beta = 0;
      RMT_CUBLAS_TRY(Blas<T>::gemm(ctx_->blas(), op_a, CUBLAS_OP_N, m, n, k, &alpha_t, a.data_as<T>(),
                                   leading_dim(a), b.data_as<T>(), leading_dim(b), &beta, c.data_as<T>(),
                                   leading_dim(c)));
    });
    ctx_->sync();
    return c;
  }

  static unsigned grid_size(std::uint64_t work_items, int max_blocks_per_sm, const cudaDeviceProp& p) {
    const std::uint64_t max_blocks = std::uint64_t(p.multiProcessorCount) * max_blocks_per_sm;
    return static_cast<unsigned>(std::max<std::uint64_t>(
        1, std::min<std::uint64_t>((work_items + kThreads - 1) / kThreads, max_blocks)));
  }
  unsigned grid_size(std::uint64_t work_items) const { return grid_size(work_items, 16, ctx_->props()); }

  // Runs the index functor f(e) for e < count on the stream and synchronises it (nothing to do for
  // count 0).
  template <typename F>
  void for_each_index(std::uint64_t count, F f) {
    ctx_->activate();
    if (count == 0) return;
    cuda_detail::for_each_index_kernel<<<grid_size(count), kThreads, 0, ctx_->stream()>>>(count, f);
    RMT_CHECK_LAUNCH();
    ctx_->sync();
  }

  // Runs the cell functor f(i, j) over the cells of `a` on the stream and synchronises it.
  template <typename F>
  void for_each_cell(const Matrix& a, F f) {
    ctx_->activate();
    const std::uint64_t count = element_count(a);
    if (count == 0) return;
    cuda_detail::for_each_cell_kernel<<<grid_size(count), kThreads, 0, ctx_->stream()>>>(
        static_cast<std::uint64_t>(a.rows()), count, f);
    RMT_CHECK_LAUNCH();
    ctx_->sync();
  }

  static std::uint64_t element_count(const Matrix& a) { return std::uint64_t(a.rows()) * std::uint64_t(a.cols()); }

  // cuBLAS wants a leading dimension >= 1 even for empty matrices.
  static std::int64_t leading_dim(const Matrix& a) { return std::max<index_t>(1, a.rows()); }

  static std::string shape(const Matrix& a) { return std::to_string(a.rows()) + "x" + std::to_string(a.cols()); }

  static void expect_same_shape(const char* op, const Matrix& a, const Matrix& b) {
    expects(a.rows() == b.rows() && a.cols() == b.cols(),
            std::string(op) + ": shapes " + shape(a) + " and " + shape(b) + " differ");
    expects(a.precision() == b.precision(), std::string(op) + ": precisions " + std::string(to_string(a.precision())) +
                                                " and " + std::string(to_string(b.precision())) + " differ");
  }

  static index_t square_dim(const Matrix& a, const char* op) {
    expects(a.rows() == a.cols(), std::string(op) + ": matrix is " + shape(a) + ", not square");
    return a.rows();
  }

  template <typename T>
  void symmetrise(T* c, index_t n) {
    const std::int64_t tiles = (n + cuda_detail::kTile - 1) / cuda_detail::kTile;
    expects(tiles <= 65535, "gram: dimension " + std::to_string(n) + " too large");
    const dim3 grid(static_cast<unsigned>(tiles), static_cast<unsigned>(tiles));
    const dim3 block(cuda_detail::kTile, cuda_detail::kTileRows);
    cuda_detail::symmetrise_lower_kernel<T><<<grid, block, 0, ctx_->stream()>>>(c, n);
    RMT_CHECK_LAUNCH();
  }

  int* info() {
    if (!info_.get()) info_ = DeviceBuffer(ctx_, sizeof(int));
    return info_.as<int>();
  }

  // Reads cuSOLVER's devInfo (synchronises the stream).
  void check_info(const char* routine) {
    int value = 0;
    RMT_CUDA_TRY(cudaMemcpyAsync(&value, info(), sizeof(int), cudaMemcpyDeviceToHost, ctx_->stream()));
    ctx_->sync();
    if (value > 0)
      throw NumericalError(std::string(routine) + " did not converge (cuSOLVER info = " + std::to_string(value) + ")");
    if (value < 0)
      throw Error(std::string(routine) + ": parameter " + std::to_string(-value) +
                  " had an illegal value (cuSOLVER info = " + std::to_string(value) + ")");
  }

  // Workspace sizes of Xsyevd (values only) and Xsyevdx (top-k vectors). The queries take the
  // matrix pointers but read only the dimensions and types, so the planner can ask before anything
  // is allocated.
  template <typename T>
  SolverSizes values_only_sizes(std::int64_t n) const {
    return sizes_->get(Solve::values_only, precision_of<T>(), n, 0, [&] {
      SolverSizes s;
      RMT_CUSOLVER_TRY(cusolverDnXsyevd_bufferSize(ctx_->solver(), ctx_->params(), CUSOLVER_EIG_MODE_NOVECTOR,
                                                   CUBLAS_FILL_MODE_LOWER, n, Blas<T>::data_type, nullptr,
                                                   std::max<std::int64_t>(1, n), Blas<T>::data_type, nullptr,
                                                   Blas<T>::data_type, &s.device, &s.host));
      return s;
    });
  }

  template <typename T>
  SolverSizes top_vectors_sizes(std::int64_t n, std::int64_t k) const {
    return sizes_->get(Solve::top_vectors, precision_of<T>(), n, k, [&] {
      SolverSizes s;
      T vl = 0;
      T vu = 0;
      std::int64_t found = 0;
      RMT_CUSOLVER_TRY(cusolverDnXsyevdx_bufferSize(
          ctx_->solver(), ctx_->params(), CUSOLVER_EIG_MODE_VECTOR, CUSOLVER_EIG_RANGE_I, CUBLAS_FILL_MODE_LOWER, n,
          Blas<T>::data_type, nullptr, std::max<std::int64_t>(1, n), &vl, &vu, n - k + 1, n, &found,
          Blas<T>::data_type, nullptr, Blas<T>::data_type, &s.device, &s.host));
      return s;
    });
  }

  template <typename T>
  static constexpr Precision precision_of() {
    return std::is_same_v<T, float> ? Precision::fp32 : Precision::fp64;
  }

  // Eigenvalues (ascending) of the symmetric n×n matrix `a` (lower triangle read, `a` destroyed).
  template <typename T>
  void syevd_values_only(T* a, std::int64_t n, T* w) {
    const SolverSizes s = values_only_sizes<T>(n);
    const DeviceBuffer work(ctx_, s.device);  // freed when the eigensolve is done
    host_work_.resize(std::max(host_work_.size(), s.host));
    RMT_CUSOLVER_TRY(cusolverDnXsyevd(ctx_->solver(), ctx_->params(), CUSOLVER_EIG_MODE_NOVECTOR,
                                      CUBLAS_FILL_MODE_LOWER, n, Blas<T>::data_type, a, n, Blas<T>::data_type, w,
                                      Blas<T>::data_type, work.get(), s.device,
                                      host_work_.empty() ? nullptr : host_work_.data(), s.host, info()));
    check_info(precision_of<T>() == Precision::fp32 ? "cusolverDnXsyevd (fp32)" : "cusolverDnXsyevd");
  }

  // Eigenvectors of the k largest eigenvalues of `a` (destroyed), column-major n×k, ascending.
  template <typename T>
  std::vector<double> top_eigenvectors(T* a, std::int64_t n, std::int64_t k) {
    const std::int64_t il = n - k + 1;  // 1-based index range [il, iu]
    const std::int64_t iu = n;
    T vl = 0;  // unused with CUSOLVER_EIG_RANGE_I
    T vu = 0;
    std::int64_t found = 0;
    const DeviceBuffer w(ctx_, static_cast<std::size_t>(n) * sizeof(T));
    const SolverSizes s = top_vectors_sizes<T>(n, k);
    {
      const DeviceBuffer work(ctx_, s.device);
      host_work_.resize(std::max(host_work_.size(), s.host));
      RMT_CUSOLVER_TRY(cusolverDnXsyevdx(ctx_->solver(), ctx_->params(), CUSOLVER_EIG_MODE_VECTOR,
                                         CUSOLVER_EIG_RANGE_I, CUBLAS_FILL_MODE_LOWER, n, Blas<T>::data_type, a, n,
                                         &vl, &vu, il, iu, &found, Blas<T>::data_type, w.get(), Blas<T>::data_type,
                                         work.get(), s.device, host_work_.empty() ? nullptr : host_work_.data(),
                                         s.host, info()));
      check_info("cusolverDnXsyevdx");
    }
    if (found != k)
      throw NumericalError("syevdx returned " + std::to_string(found) + " eigenvectors, " + std::to_string(k) +
                           " requested");
    // The selected eigenvectors are the first k columns of `a`, in ascending eigenvalue order.
    return copy_to_host<T>(a, static_cast<std::size_t>(n) * static_cast<std::size_t>(k));
  }

  std::shared_ptr<const Context> ctx_;
  std::unique_ptr<SolverSizeCache> sizes_ = std::make_unique<SolverSizeCache>();  // queried from const methods
  std::vector<std::byte> host_work_;  // cuSOLVER's host workspace, reused between calls
  DeviceBuffer info_;                 // declared after ctx_: freed first
};

}  // namespace

std::unique_ptr<Backend> make_cuda_backend() {
  const CudaProbe probe = probe_cuda();
  if (!probe.usable) throw BackendUnavailable("cuda backend not available: " + probe.reason);
  return std::make_unique<CudaBackend>();
}

}  // namespace rmt
