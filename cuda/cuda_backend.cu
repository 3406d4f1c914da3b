// CUDA backend: Philox sampling kernel, cuBLAS SYRK Gram and GEMM, grid-stride elementwise kernels
// (activations, Hadamard product, row scaling, diagonal), cuSOLVER (64-bit API) eigensolvers.
// One non-default stream per backend; the cuBLAS and cuSOLVER handles are bound to it, and every
// public operation synchronises it before returning (callers time stages with wall clocks).
#include "cuda/errors.cuh"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <cusolverDn.h>

#include "core/activation.hpp"
#include "core/backend.hpp"
#include "core/philox.hpp"

namespace rmt {
namespace {

// ---------------------------------------------------------------------------------------------
// Kernels

constexpr int kSampleThreads = 256;
constexpr int kTile = 32;       // symmetrise: 32×32 tiles
constexpr int kTileRows = 8;    // ... read and written by 32×8 threads

// out[e] = gaussian_at(key, e) * scale[e % rows] for e < count; one thread per pair (2p, 2p+1).
__global__ void sample_gaussian_kernel(StreamKey key, double* __restrict__ out, std::uint64_t count,
                                       std::uint64_t rows, const double* __restrict__ scale,
                                       std::uint64_t first_pair) {
  const std::uint64_t pairs = (count + 1) / 2;
  const std::uint64_t stride = std::uint64_t(blockDim.x) * gridDim.x;
  for (std::uint64_t p = std::uint64_t(blockIdx.x) * blockDim.x + threadIdx.x; p < pairs;
       p += stride) {
    const NormalPair g = gaussian_pair(key, p + first_pair);
    const std::uint64_t e = 2 * p;
    if (scale) {
      const std::uint64_t i = e % rows;
      out[e] = g.first * scale[i];
      if (e + 1 < count) out[e + 1] = g.second * scale[i + 1 == rows ? 0 : i + 1];
    } else {
      out[e] = g.first;
      if (e + 1 < count) out[e + 1] = g.second;
    }
  }
}

// Copies the lower triangle of the n×n column-major matrix c onto its upper triangle. Block
// (bx, by) with bx <= by reads tile (by, bx) of the lower part and writes its transpose to tile
// (bx, by); blocks below the diagonal exit. Off-diagonal blocks read and write disjoint tiles.
__global__ void symmetrise_lower_kernel(double* c, std::int64_t n) {
  __shared__ double tile[kTile][kTile + 1];
  const std::int64_t bx = blockIdx.x;
  const std::int64_t by = blockIdx.y;
  if (bx > by) return;
  const int tx = threadIdx.x;
  // Load source tile: rows by*T + tx, columns bx*T + ty (coalesced over tx).
  for (int ty = threadIdx.y; ty < kTile; ty += kTileRows) {
    const std::int64_t row = by * kTile + tx;
    const std::int64_t col = bx * kTile + ty;
    if (row < n && col < n) tile[ty][tx] = c[row + col * n];
  }
  __syncthreads();
  // Write destination: element (i, j) = (bx*T + tx, by*T + ty) takes c(j, i) = tile[tx][ty].
  for (int ty = threadIdx.y; ty < kTile; ty += kTileRows) {
    const std::int64_t i = bx * kTile + tx;
    const std::int64_t j = by * kTile + ty;
    if (i < j && j < n) c[i + j * n] = tile[tx][ty];
  }
}

// f(e) for every e < count (grid-stride); `f` is a small functor passed by value.
template <typename F>
__global__ void for_each_kernel(std::uint64_t count, F f) {
  const std::uint64_t stride = std::uint64_t(blockDim.x) * gridDim.x;
  for (std::uint64_t e = std::uint64_t(blockIdx.x) * blockDim.x + threadIdx.x; e < count;
       e += stride)
    f(e);
}

// Functors of for_each_kernel (trivially copyable: pointers and values only).
struct ApplyActivation {
  double* x;
  Activation f;
  __device__ void operator()(std::uint64_t e) const { x[e] = f(x[e]); }
};
struct ApplyDerivative {
  double* x;
  Activation f;
  __device__ void operator()(std::uint64_t e) const { x[e] = f.derivative(x[e]); }
};
struct Hadamard {
  double* x;
  const double* y;
  __device__ void operator()(std::uint64_t e) const { x[e] *= y[e]; }
};
struct ScaleRows {  // column-major: element e is in row e % rows
  double* x;
  const double* s;
  std::uint64_t rows;
  __device__ void operator()(std::uint64_t e) const { x[e] *= s[e % rows]; }
};
struct CopyDiagonal {  // e < n
  const double* x;
  double* diag;
  std::uint64_t n;
  __device__ void operator()(std::uint64_t e) const { diag[e] = x[e + e * n]; }
};

struct ApplyKernel {  // n×n column-major; distance: f(G_ii + G_jj - 2 G_ij), else f(G_ij)
  double* x;
  const double* diag;
  std::uint64_t n;
  KernelFunction f;
  bool distance;
  __device__ void operator()(std::uint64_t e) const {
    const double t = distance ? diag[e % n] + diag[e / n] - 2 * x[e] : x[e];
    x[e] = f.value(t);
  }
};

struct SetDiagonal {  // e < min(rows, cols)
  double* x;
  std::uint64_t rows;
  double value;
  __device__ void operator()(std::uint64_t e) const { x[e + e * rows] = value; }
};

// ---------------------------------------------------------------------------------------------
// Resources

template <typename Handle>
using pointee_t = std::remove_pointer_t<Handle>;

struct StreamDeleter {
  void operator()(pointee_t<cudaStream_t>* s) const { RMT_CUDA_TRY_NO_THROW(cudaStreamDestroy(s)); }
};
struct CublasDeleter {
  void operator()(pointee_t<cublasHandle_t>* h) const { RMT_CUBLAS_TRY_NO_THROW(cublasDestroy(h)); }
};
struct CusolverDeleter {
  void operator()(pointee_t<cusolverDnHandle_t>* h) const {
    RMT_CUSOLVER_TRY_NO_THROW(cusolverDnDestroy(h));
  }
};
struct CusolverParamsDeleter {
  void operator()(pointee_t<cusolverDnParams_t>* p) const {
    RMT_CUSOLVER_TRY_NO_THROW(cusolverDnDestroyParams(p));
  }
};

// The stream, handles and device facts of one backend. Shared with every allocation made on the
// stream, so a Matrix that outlives its backend still frees into a live stream.
class Context {
 public:
  Context() {
    RMT_CUDA_TRY(cudaGetDevice(&device_));  // CUDA_VISIBLE_DEVICES / caller's current device
    RMT_CUDA_TRY(cudaSetDevice(device_));
    RMT_CUDA_TRY(cudaGetDeviceProperties(&props_, device_));
    RMT_CUDA_TRY(cudaDriverGetVersion(&driver_version_));
    RMT_CUDA_TRY(cudaRuntimeGetVersion(&runtime_version_));
    int pools = 0;
    RMT_CUDA_TRY(cudaDeviceGetAttribute(&pools, cudaDevAttrMemoryPoolsSupported, device_));
    stream_ordered_alloc_ = pools != 0;

    cudaStream_t s = nullptr;
    RMT_CUDA_TRY(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking));
    stream_.reset(s);

    cublasHandle_t b = nullptr;
    RMT_CUBLAS_TRY(cublasCreate(&b));
    blas_.reset(b);
    RMT_CUBLAS_TRY(cublasSetStream(blas_.get(), stream()));
    RMT_CUBLAS_TRY(cublasSetPointerMode(blas_.get(), CUBLAS_POINTER_MODE_HOST));

    cusolverDnHandle_t h = nullptr;
    RMT_CUSOLVER_TRY(cusolverDnCreate(&h));
    solver_.reset(h);
    RMT_CUSOLVER_TRY(cusolverDnSetStream(solver_.get(), stream()));

    cusolverDnParams_t p = nullptr;
    RMT_CUSOLVER_TRY(cusolverDnCreateParams(&p));
    params_.reset(p);
  }

  int device() const { return device_; }
  const cudaDeviceProp& props() const { return props_; }
  int driver_version() const { return driver_version_; }
  int runtime_version() const { return runtime_version_; }
  // cudaMallocAsync/cudaFreeAsync when the device has memory pools, else cudaMalloc/cudaFree.
  bool stream_ordered_alloc() const { return stream_ordered_alloc_; }
  cudaStream_t stream() const { return stream_.get(); }
  cublasHandle_t blas() const { return blas_.get(); }
  cusolverDnHandle_t solver() const { return solver_.get(); }
  cusolverDnParams_t params() const { return params_.get(); }

  // Makes this backend's device current for the calling thread.
  void activate() const { RMT_CUDA_TRY(cudaSetDevice(device_)); }
  void sync() const { RMT_CUDA_TRY(cudaStreamSynchronize(stream())); }

 private:
  int device_ = 0;
  cudaDeviceProp props_{};
  int driver_version_ = 0;
  int runtime_version_ = 0;
  bool stream_ordered_alloc_ = true;
  // Destroyed in reverse order: params and handles before the stream they are bound to.
  std::unique_ptr<pointee_t<cudaStream_t>, StreamDeleter> stream_;
  std::unique_ptr<pointee_t<cublasHandle_t>, CublasDeleter> blas_;
  std::unique_ptr<pointee_t<cusolverDnHandle_t>, CusolverDeleter> solver_;
  std::unique_ptr<pointee_t<cusolverDnParams_t>, CusolverParamsDeleter> params_;
};

// Device allocation, stream-ordered on the backend's stream (freed on the same stream).
class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  DeviceBuffer(std::shared_ptr<const Context> ctx, std::size_t bytes) : ctx_(std::move(ctx)) {
    if (bytes == 0) return;
    const cudaError_t s = ctx_->stream_ordered_alloc()
                              ? cudaMallocAsync(&ptr_, bytes, ctx_->stream())
                              : cudaMalloc(&ptr_, bytes);
    if (s == cudaErrorMemoryAllocation) {
      (void)cudaGetLastError();
      ptr_ = nullptr;
      throw ResourceError("not enough device memory: " + std::to_string(bytes) +
                          " bytes needed on CUDA device " + std::to_string(ctx_->device()));
    }
    RMT_CUDA_TRY(s);
    bytes_ = bytes;
  }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  DeviceBuffer(DeviceBuffer&& o) noexcept
      : ctx_(std::move(o.ctx_)), ptr_(std::exchange(o.ptr_, nullptr)),
        bytes_(std::exchange(o.bytes_, 0)) {}
  DeviceBuffer& operator=(DeviceBuffer&& o) noexcept {
    if (this != &o) {
      release();
      ctx_ = std::move(o.ctx_);
      ptr_ = std::exchange(o.ptr_, nullptr);
      bytes_ = std::exchange(o.bytes_, 0);
    }
    return *this;
  }
  ~DeviceBuffer() { release(); }

  void* get() const { return ptr_; }
  template <typename T>
  T* as() const {
    return static_cast<T*>(ptr_);
  }
  std::size_t bytes() const { return bytes_; }

 private:
  void release() noexcept {
    if (ptr_ && ctx_->stream_ordered_alloc()) {
      RMT_CUDA_TRY_NO_THROW(cudaFreeAsync(ptr_, ctx_->stream()));
    } else if (ptr_) {
      RMT_CUDA_TRY_NO_THROW(cudaFree(ptr_));  // synchronises the device
    }
    ptr_ = nullptr;
    bytes_ = 0;
  }

  std::shared_ptr<const Context> ctx_;
  void* ptr_ = nullptr;
  std::size_t bytes_ = 0;
};

class DeviceStorage final : public Matrix::Storage {
 public:
  explicit DeviceStorage(DeviceBuffer buffer) : buffer_(std::move(buffer)) {}
  double* data() override { return buffer_.as<double>(); }

 private:
  DeviceBuffer buffer_;
};

// ---------------------------------------------------------------------------------------------
// Helpers

void expects(bool ok, const std::string& what) {
  if (!ok) throw Error("cuda backend: " + what);
}

std::size_t matrix_bytes(index_t rows, index_t cols) {
  expects(rows >= 0 && cols >= 0, "negative matrix dimension " + std::to_string(rows) + "x" +
                                      std::to_string(cols));
  const auto r = static_cast<std::uint64_t>(rows);
  const auto c = static_cast<std::uint64_t>(cols);
  constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max() / sizeof(double);
  if (r != 0 && c > kMax / r)
    throw ResourceError("matrix " + std::to_string(rows) + "x" + std::to_string(cols) +
                        " does not fit in device memory");
  return static_cast<std::size_t>(r * c * sizeof(double));
}

std::string version_string(int v) {  // 13000 -> "13.0"
  return std::to_string(v / 1000) + "." + std::to_string((v % 1000) / 10);
}

// Device and host workspaces of the cuSOLVER calls: kept between calls and reused while they are
// large enough; the size queries are cached by (routine, n, k).
class SolverWorkspace {
 public:
  struct Sizes {
    std::size_t device = 0;
    std::size_t host = 0;
  };
  enum class Routine { syevd_novector, syevdx_vector_top };

  const Sizes* find(Routine r, std::int64_t n, std::int64_t k) const {
    for (const auto& e : queried_)
      if (e.routine == r && e.n == n && e.k == k) return &e.sizes;
    return nullptr;
  }
  void remember(Routine r, std::int64_t n, std::int64_t k, Sizes s) {
    if (queried_.size() >= 16) queried_.erase(queried_.begin());
    queried_.push_back({r, n, k, s});
  }

  // Grows the buffers to at least `s`; returns {device pointer, host pointer}.
  std::pair<void*, void*> reserve(const std::shared_ptr<const Context>& ctx, Sizes s) {
    if (device_.bytes() < s.device) {
      device_ = DeviceBuffer();  // free first: the old and new buffers need not coexist
      device_ = DeviceBuffer(ctx, s.device);
    }
    if (host_.size() < s.host) host_.resize(s.host);
    return {device_.get(), host_.empty() ? nullptr : host_.data()};
  }

  int* info(const std::shared_ptr<const Context>& ctx) {
    if (!info_.get()) info_ = DeviceBuffer(ctx, sizeof(int));
    return info_.as<int>();
  }

 private:
  struct Entry {
    Routine routine;
    std::int64_t n;
    std::int64_t k;
    Sizes sizes;
  };
  std::vector<Entry> queried_;
  DeviceBuffer device_;
  std::vector<std::byte> host_;
  DeviceBuffer info_;
};

// ---------------------------------------------------------------------------------------------
// Backend

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
    d.details = "device " + std::to_string(ctx_->device()) + ", " + sm + ", " +
                std::to_string(p.multiProcessorCount) + " SMs, " +
                std::to_string(p.totalGlobalMem) + " bytes, driver " +
                version_string(ctx_->driver_version()) + ", runtime " +
                version_string(ctx_->runtime_version());
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

  Matrix sample_gaussian(const StreamKey& key, index_t rows, index_t cols,
                         std::span<const double> row_scale, std::uint64_t offset) override {
    ctx_->activate();
    expects(offset % 2 == 0, "sample_gaussian: offset " + std::to_string(offset) + " must be even");
    expects(rows > 0 && cols > 0, "sample_gaussian: matrix " + std::to_string(rows) + "x" +
                                      std::to_string(cols));
    expects(row_scale.empty() || row_scale.size() == static_cast<std::size_t>(rows),
            "sample_gaussian: row_scale has " + std::to_string(row_scale.size()) +
                " entries for " + std::to_string(rows) + " rows");
    Matrix out = allocate(rows, cols);
    const std::uint64_t count = std::uint64_t(rows) * std::uint64_t(cols);

    DeviceBuffer scale;
    if (!row_scale.empty()) {
      scale = DeviceBuffer(ctx_, row_scale.size_bytes());
      RMT_CUDA_TRY(cudaMemcpyAsync(scale.get(), row_scale.data(), row_scale.size_bytes(),
                                   cudaMemcpyHostToDevice, ctx_->stream()));
    }
    const std::uint64_t pairs = (count + 1) / 2;
    const std::uint64_t max_blocks = std::uint64_t(ctx_->props().multiProcessorCount) * 16;
    const auto blocks = static_cast<unsigned>(
        std::min<std::uint64_t>((pairs + kSampleThreads - 1) / kSampleThreads, max_blocks));
    sample_gaussian_kernel<<<blocks, kSampleThreads, 0, ctx_->stream()>>>(
        key, out.data(), count, std::uint64_t(rows), scale.as<const double>(), offset / 2);
    RMT_CHECK_LAUNCH();
    ctx_->sync();
    return out;
  }

  using Backend::gram;

  Matrix gram(const Matrix& a, double alpha, GramSide side) override {
    ctx_->activate();
    const bool rows = side == GramSide::rows;
    const index_t n = rows ? a.rows() : a.cols();
    const index_t k = rows ? a.cols() : a.rows();
    Matrix c = allocate(n, n);
    if (n == 0) return c;
    const double beta = 0.0;
    RMT_CUBLAS_TRY(cublasDsyrk_64(ctx_->blas(), CUBLAS_FILL_MODE_LOWER,
                                  rows ? CUBLAS_OP_N : CUBLAS_OP_T, n, k, &alpha, a.data(),
                                  leading_dim(a), &beta, c.data(), n));
    symmetrise(c.data(), n);
    ctx_->sync();
    return c;
  }

  Matrix multiply(const Matrix& a, const Matrix& b, double alpha) override {
    ctx_->activate();
    expects(a.cols() == b.rows(), "multiply: " + shape(a) + " by " + shape(b));
    Matrix c = allocate(a.rows(), b.cols());
    if (a.rows() == 0 || b.cols() == 0) return c;
    const double beta = 0.0;
    RMT_CUBLAS_TRY(cublasDgemm_64(ctx_->blas(), CUBLAS_OP_N, CUBLAS_OP_N, a.rows(), b.cols(),
                                  a.cols(), &alpha, a.data(), leading_dim(a), b.data(),
                                  leading_dim(b), &beta, c.data(), leading_dim(c)));
    ctx_->sync();
    return c;
  }

  Matrix multiply_transposed(const Matrix& a, const Matrix& b, double alpha) override {
    ctx_->activate();
    expects(a.rows() == b.rows(), "multiply_transposed: " + shape(a) + "ᵀ by " + shape(b));
    Matrix c = allocate(a.cols(), b.cols());
    if (a.cols() == 0 || b.cols() == 0) return c;
    const double beta = 0.0;
    RMT_CUBLAS_TRY(cublasDgemm_64(ctx_->blas(), CUBLAS_OP_T, CUBLAS_OP_N, a.cols(), b.cols(), a.rows(), &alpha,
                                  a.data(), leading_dim(a), b.data(), leading_dim(b), &beta, c.data(),
                                  leading_dim(c)));
    ctx_->sync();
    return c;
  }

  void apply_activation(Matrix& a, const Activation& f) override {
    ctx_->activate();
    for_each(element_count(a), ApplyActivation{a.data(), f});
  }

  void apply_derivative(Matrix& a, const Activation& f) override {
    ctx_->activate();
    for_each(element_count(a), ApplyDerivative{a.data(), f});
  }

  void hadamard(Matrix& a, const Matrix& b) override {
    ctx_->activate();
    expect_same_shape("hadamard", a, b);
    for_each(element_count(a), Hadamard{a.data(), b.data()});
  }

  void add_scaled(Matrix& a, const Matrix& b, double alpha) override {
    ctx_->activate();
    expect_same_shape("add_scaled", a, b);
    const auto count = static_cast<std::int64_t>(element_count(a));
    if (count == 0) return;
    RMT_CUBLAS_TRY(cublasDaxpy_64(ctx_->blas(), count, &alpha, b.data(), 1, a.data(), 1));
    ctx_->sync();
  }

  void scale_rows(Matrix& a, std::span<const double> s) override {
    ctx_->activate();
    expects(s.size() == static_cast<std::size_t>(a.rows()),
            "scale_rows: " + std::to_string(s.size()) + " row scales for " + shape(a));
    if (element_count(a) == 0) return;
    DeviceBuffer scale(ctx_, s.size_bytes());
    RMT_CUDA_TRY(cudaMemcpyAsync(scale.get(), s.data(), s.size_bytes(), cudaMemcpyHostToDevice,
                                 ctx_->stream()));
    for_each(element_count(a), ScaleRows{a.data(), scale.as<const double>(),
                                         static_cast<std::uint64_t>(a.rows())});
  }

  void set_diagonal(Matrix& a, double value) override {
    ctx_->activate();
    const auto diag = static_cast<std::uint64_t>(std::min(a.rows(), a.cols()));
    for_each(diag, SetDiagonal{a.data(), static_cast<std::uint64_t>(a.rows()), value});
  }

  void apply_kernel(Matrix& g, const KernelFunction& f, bool distance) override {
    ctx_->activate();
    const index_t n = square_dim(g, "apply_kernel");
    const auto count = static_cast<std::uint64_t>(n);
    DeviceBuffer diag(ctx_, count * sizeof(double));
    for_each(count, CopyDiagonal{g.data(), diag.as<double>(), count});
    for_each(count * count, ApplyKernel{g.data(), diag.as<const double>(), count, f, distance});
  }

  std::vector<double> eigenvalues(Matrix& a) override {
    ctx_->activate();
    const index_t n = square_dim(a, "eigenvalues");
    std::vector<double> values(static_cast<std::size_t>(n));
    if (n == 0) return values;
    DeviceBuffer w(ctx_, values.size() * sizeof(double));
    syevd_novector(a.data(), n, w.as<double>());
    RMT_CUDA_TRY(cudaMemcpyAsync(values.data(), w.get(), w.bytes(), cudaMemcpyDeviceToHost,
                                 ctx_->stream()));
    ctx_->sync();
    return values;
  }

  EigenPairs top_eigenpairs(Matrix& a, index_t k) override {
    ctx_->activate();
    const index_t n = square_dim(a, "top_eigenpairs");
    expects(k >= 1 && k <= n, "top_eigenpairs: k = " + std::to_string(k) +
                                  " eigenvectors of a " + std::to_string(n) + "x" +
                                  std::to_string(n) + " matrix");
    EigenPairs out;
    out.dim = n;
    out.k = k;
    {  // All eigenvalues from a copy (syevd overwrites its input).
      Matrix copy = allocate(n, n);
      RMT_CUDA_TRY(cudaMemcpyAsync(copy.data(), a.data(), matrix_bytes(n, n),
                                   cudaMemcpyDeviceToDevice, ctx_->stream()));
      out.values = eigenvalues(copy);
    }
    out.vectors = top_eigenvectors(a.data(), n, k);
    return out;
  }

  std::vector<double> to_host(const Matrix& a) override {
    ctx_->activate();
    const std::size_t bytes = matrix_bytes(a.rows(), a.cols());
    std::vector<double> host(bytes / sizeof(double));
    if (bytes == 0) return host;
    RMT_CUDA_TRY(cudaMemcpyAsync(host.data(), a.data(), bytes, cudaMemcpyDeviceToHost,
                                 ctx_->stream()));
    ctx_->sync();
    return host;
  }

  Matrix row_block(const Matrix& a, index_t r0, index_t r1) override {
    ctx_->activate();
    expects(0 <= r0 && r0 < r1 && r1 <= a.rows(), "row_block: rows [" + std::to_string(r0) + ", " +
                                                      std::to_string(r1) + ") of a matrix with " +
                                                      std::to_string(a.rows()) + " rows");
    Matrix b = allocate(r1 - r0, a.cols());
    // Column-major: one strided 2-D copy, a column segment of r1 - r0 doubles per column.
    RMT_CUDA_TRY(cudaMemcpy2DAsync(b.data(), std::size_t(r1 - r0) * sizeof(double), a.data() + r0,
                                   std::size_t(a.rows()) * sizeof(double), std::size_t(r1 - r0) * sizeof(double),
                                   std::size_t(a.cols()), cudaMemcpyDeviceToDevice, ctx_->stream()));
    ctx_->sync();
    return b;
  }

  Matrix from_host(index_t rows, index_t cols, std::span<const double> values) override {
    ctx_->activate();
    expects(static_cast<std::uint64_t>(values.size()) == static_cast<std::uint64_t>(rows) * static_cast<std::uint64_t>(cols),
            "from_host: " + std::to_string(values.size()) + " values for a " + std::to_string(rows) + "x" +
                std::to_string(cols) + " matrix");
    Matrix a = allocate(rows, cols);
    if (!values.empty())
      RMT_CUDA_TRY(cudaMemcpyAsync(a.data(), values.data(), values.size() * sizeof(double),
                                   cudaMemcpyHostToDevice, ctx_->stream()));
    ctx_->sync();
    return a;
  }

 private:
  Matrix allocate(index_t rows, index_t cols) {
    return Matrix(rows, cols,
                  std::make_unique<DeviceStorage>(DeviceBuffer(ctx_, matrix_bytes(rows, cols))));
  }

  // Runs f(e) for e < count on the stream and synchronises it (nothing to do for count 0).
  template <typename F>
  void for_each(std::uint64_t count, F f) {
    if (count == 0) return;
    const std::uint64_t max_blocks = std::uint64_t(ctx_->props().multiProcessorCount) * 16;
    const auto blocks = static_cast<unsigned>(
        std::min<std::uint64_t>((count + kSampleThreads - 1) / kSampleThreads, max_blocks));
    for_each_kernel<<<blocks, kSampleThreads, 0, ctx_->stream()>>>(count, f);
    RMT_CHECK_LAUNCH();
    ctx_->sync();
  }

  static std::uint64_t element_count(const Matrix& a) {
    return std::uint64_t(a.rows()) * std::uint64_t(a.cols());
  }

  // cuBLAS wants a leading dimension >= 1 even for empty matrices.
  static std::int64_t leading_dim(const Matrix& a) { return std::max<index_t>(1, a.rows()); }

  static std::string shape(const Matrix& a) {
    return std::to_string(a.rows()) + "x" + std::to_string(a.cols());
  }

  static void expect_same_shape(const char* op, const Matrix& a, const Matrix& b) {
    expects(a.rows() == b.rows() && a.cols() == b.cols(),
            std::string(op) + ": shapes " + shape(a) + " and " + shape(b) + " differ");
  }

  static index_t square_dim(const Matrix& a, const char* op) {
    expects(a.rows() == a.cols(), std::string(op) + ": matrix is " + std::to_string(a.rows()) +
                                      "x" + std::to_string(a.cols()) + ", not square");
    return a.rows();
  }

  void symmetrise(double* c, index_t n) {
    const std::int64_t tiles = (n + kTile - 1) / kTile;
    expects(tiles <= 65535, "gram: dimension " + std::to_string(n) + " too large");
    const dim3 grid(static_cast<unsigned>(tiles), static_cast<unsigned>(tiles));
    const dim3 block(kTile, kTileRows);
    symmetrise_lower_kernel<<<grid, block, 0, ctx_->stream()>>>(c, n);
    RMT_CHECK_LAUNCH();
  }

  // Reads cuSOLVER's devInfo (synchronises the stream).
  void check_info(const char* routine) {
    int info = 0;
    RMT_CUDA_TRY(cudaMemcpyAsync(&info, workspace_.info(ctx_), sizeof(int),
                                 cudaMemcpyDeviceToHost, ctx_->stream()));
    ctx_->sync();
    if (info > 0)
      throw NumericalError(std::string(routine) + " did not converge (cuSOLVER info = " +
                           std::to_string(info) + ")");
    if (info < 0)
      throw Error(std::string(routine) + ": parameter " + std::to_string(-info) +
                  " had an illegal value (cuSOLVER info = " + std::to_string(info) + ")");
  }

  // Eigenvalues (ascending) of the symmetric n×n matrix `a` (lower triangle read, `a` destroyed).
  void syevd_novector(double* a, std::int64_t n, double* w) {
    using R = SolverWorkspace::Routine;
    const SolverWorkspace::Sizes* sizes = workspace_.find(R::syevd_novector, n, 0);
    if (!sizes) {
      SolverWorkspace::Sizes s;
      RMT_CUSOLVER_TRY(cusolverDnXsyevd_bufferSize(
          ctx_->solver(), ctx_->params(), CUSOLVER_EIG_MODE_NOVECTOR, CUBLAS_FILL_MODE_LOWER, n,
          CUDA_R_64F, a, n, CUDA_R_64F, w, CUDA_R_64F, &s.device, &s.host));
      workspace_.remember(R::syevd_novector, n, 0, s);
      sizes = workspace_.find(R::syevd_novector, n, 0);
    }
    const SolverWorkspace::Sizes s = *sizes;
    const auto [dwork, hwork] = workspace_.reserve(ctx_, s);
    RMT_CUSOLVER_TRY(cusolverDnXsyevd(ctx_->solver(), ctx_->params(), CUSOLVER_EIG_MODE_NOVECTOR,
                                      CUBLAS_FILL_MODE_LOWER, n, CUDA_R_64F, a, n, CUDA_R_64F, w,
                                      CUDA_R_64F, dwork, s.device, hwork, s.host,
                                      workspace_.info(ctx_)));
    check_info("syevd");
  }

  // Eigenvectors of the k largest eigenvalues of `a` (destroyed), column-major n×k, ascending.
  std::vector<double> top_eigenvectors(double* a, std::int64_t n, std::int64_t k) {
    using R = SolverWorkspace::Routine;
    const std::int64_t il = n - k + 1;  // 1-based index range [il, iu]
    const std::int64_t iu = n;
    double vl = 0.0;  // unused with CUSOLVER_EIG_RANGE_I
    double vu = 0.0;
    std::int64_t found = 0;
    DeviceBuffer w(ctx_, static_cast<std::size_t>(n) * sizeof(double));

    const SolverWorkspace::Sizes* sizes = workspace_.find(R::syevdx_vector_top, n, k);
    if (!sizes) {
      SolverWorkspace::Sizes s;
      RMT_CUSOLVER_TRY(cusolverDnXsyevdx_bufferSize(
          ctx_->solver(), ctx_->params(), CUSOLVER_EIG_MODE_VECTOR, CUSOLVER_EIG_RANGE_I,
          CUBLAS_FILL_MODE_LOWER, n, CUDA_R_64F, a, n, &vl, &vu, il, iu, &found, CUDA_R_64F,
          w.get(), CUDA_R_64F, &s.device, &s.host));
      workspace_.remember(R::syevdx_vector_top, n, k, s);
      sizes = workspace_.find(R::syevdx_vector_top, n, k);
    }
    const SolverWorkspace::Sizes s = *sizes;
    const auto [dwork, hwork] = workspace_.reserve(ctx_, s);
    RMT_CUSOLVER_TRY(cusolverDnXsyevdx(
        ctx_->solver(), ctx_->params(), CUSOLVER_EIG_MODE_VECTOR, CUSOLVER_EIG_RANGE_I,
        CUBLAS_FILL_MODE_LOWER, n, CUDA_R_64F, a, n, &vl, &vu, il, iu, &found, CUDA_R_64F,
        w.get(), CUDA_R_64F, dwork, s.device, hwork, s.host, workspace_.info(ctx_)));
    check_info("syevdx");
    if (found != k)
      throw NumericalError("syevdx returned " + std::to_string(found) + " eigenvectors, " +
                           std::to_string(k) + " requested");

    // The selected eigenvectors are the first k columns of `a`, in ascending eigenvalue order.
    std::vector<double> vectors(static_cast<std::size_t>(n) * static_cast<std::size_t>(k));
    RMT_CUDA_TRY(cudaMemcpyAsync(vectors.data(), a, vectors.size() * sizeof(double),
                                 cudaMemcpyDeviceToHost, ctx_->stream()));
    ctx_->sync();
    return vectors;
  }

  std::shared_ptr<const Context> ctx_;
  SolverWorkspace workspace_;  // declared after ctx_: freed first
};

}  // namespace

std::unique_ptr<Backend> make_cuda_backend() {
  const CudaProbe probe = probe_cuda();
  if (!probe.usable) throw BackendUnavailable("cuda backend not available: " + probe.reason);
  return std::make_unique<CudaBackend>();
}

}  // namespace rmt
