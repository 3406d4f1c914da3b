#pragma once
// The backend interface: everything that touches a large matrix goes through it, so the CPU
// (OpenBLAS/LAPACKE) and CUDA (cuBLAS/cuSOLVER) backends run the same pipeline and the same tests.
// Matrices are column-major, fp64 or fp32 (the backend's working precision when they were created),
// and live where the backend keeps them (host or device memory). Results that leave the backend
// (eigenvalues, to_host) are always double.
#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "core/base/activation.hpp"
#include "core/base/kernel_function.hpp"
#include "core/base/philox.hpp"
#include "core/base/types.hpp"

namespace rmt {

// Element type of a backend matrix. fp32 halves memory and speeds up SYRK and the eigensolver;
// the theory layer and every metric stay in fp64.
enum class Precision { fp64, fp32 };

constexpr std::size_t element_bytes(Precision p) { return p == Precision::fp32 ? 4 : 8; }
constexpr std::string_view to_string(Precision p) { return p == Precision::fp32 ? "fp32" : "fp64"; }
// "fp64" | "fp32"; anything else throws InputError naming `what` (e.g. "--precision").
Precision parse_precision(std::string_view text, std::string_view what);

// Calls f(T{}) with T = double or float after the precision: the one switch from the run-time
// precision to a backend's typed code.
template <typename F>
decltype(auto) dispatch(Precision p, F&& f) {
  if (p == Precision::fp32) return f(float{});
  return f(double{});
}

// Backend-owned storage of a column-major matrix (host vector or device allocation).
class Matrix {
 public:
  class Storage {
   public:
    virtual ~Storage() = default;
    virtual void* data() = 0;
  };

  Matrix() = default;
  Matrix(index_t rows, index_t cols, std::unique_ptr<Storage> storage, Precision precision = Precision::fp64)
      : rows_(rows), cols_(cols), precision_(precision), storage_(std::move(storage)) {}

  index_t rows() const { return rows_; }
  index_t cols() const { return cols_; }
  Precision precision() const { return precision_; }
  // Pointer into the backend's memory space (a device pointer for the CUDA backend), typed: T must
  // match the precision (double for fp64, float for fp32), otherwise Error.
  template <typename T>
  T* data_as() {
    check_type<T>();
    return storage_ ? static_cast<T*>(storage_->data()) : nullptr;
  }
  template <typename T>
  const T* data_as() const {
    check_type<T>();
    return storage_ ? static_cast<const T*>(storage_->data()) : nullptr;
  }
  // Untyped pointer, for copies that only need element_bytes(precision()).
  void* untyped_data() { return storage_ ? storage_->data() : nullptr; }
  const void* untyped_data() const { return storage_ ? storage_->data() : nullptr; }

 private:
  template <typename T>
  void check_type() const {
    static_assert(std::is_same_v<T, double> || std::is_same_v<T, float>);
    constexpr Precision want = std::is_same_v<T, float> ? Precision::fp32 : Precision::fp64;
    if (precision_ != want) throw_precision_mismatch(want);
  }
  [[noreturn]] void throw_precision_mismatch(Precision wanted) const;

  index_t rows_ = 0;
  index_t cols_ = 0;
  Precision precision_ = Precision::fp64;
  std::unique_ptr<Storage> storage_;
};

struct DeviceInfo {
  std::string backend;      // "cpu" | "cuda"
  std::string name;         // e.g. "NVIDIA H200 (sm_90)" or "x86_64, 2 threads, OpenBLAS 0.3.21"
  std::size_t memory_bytes = 0;
  std::string details;      // driver/runtime versions, compute capability, ...
  std::string driver_version;   // CUDA driver API version, "13.0"; empty for the CPU
  std::string runtime_version;  // CUDA runtime version, "13.0"; empty for the CPU
};

struct EigenPairs {
  std::vector<double> values;   // all eigenvalues, ascending
  std::vector<double> vectors;  // top-k eigenvectors, column-major dim×k, column j <-> values[dim-k+j]
  index_t dim = 0;
  index_t k = 0;
};

enum class GramSide {
  rows,  // alpha · A Aᵀ (rows × rows)
  cols,  // alpha · Aᵀ A (cols × cols)
};

class Backend {
 public:
  virtual ~Backend() = default;

  virtual std::string_view name() const = 0;
  virtual DeviceInfo info() const = 0;
  // Bytes the backend can still allocate for matrices (checked before allocating, exit 3 otherwise).
  virtual std::size_t available_bytes() const = 0;
  // Bytes the eigensolver allocates on the backend beside its n×n input, in the working precision:
  // the solver workspace (as the library's own size query reports it), the eigenvalue array and,
  // for top_eigenpairs (top_k > 0), the copy of the input and the eigenvectors.
  virtual std::size_t eigensolver_workspace_bytes(index_t n, index_t top_k) const = 0;

  // The working precision: the element type of every matrix the backend creates from scratch
  // (sample_gaussian, from_host); operations on existing matrices keep their operands' precision.
  Precision precision() const { return precision_; }
  void set_precision(Precision p) { precision_ = p; }

  // X(i, j) = row_scale[i] * N(0,1) drawn at element offset + i + j*rows of `key` (row_scale empty:
  // 1). `offset` (even) lets a large matrix be drawn in column blocks: the block of columns
  // [c0, c1) of a rows×cols matrix is sample_gaussian(key, rows, c1 - c0, {}, c0 * rows).
  virtual Matrix sample_gaussian(const StreamKey& key, index_t rows, index_t cols,
                                 std::span<const double> row_scale = {}, std::uint64_t offset = 0) = 0;
  // alpha · A Aᵀ or alpha · AᵀA, full symmetric matrix.
  virtual Matrix gram(const Matrix& a, double alpha, GramSide side) = 0;
  Matrix gram(const Matrix& a, double alpha) { return gram(a, alpha, GramSide::rows); }
  // alpha · A B (A: m×k, B: k×n).
  virtual Matrix multiply(const Matrix& a, const Matrix& b, double alpha) = 0;
  // alpha · Aᵀ B (A: k×m, B: k×n): back-propagation through a layer.
  virtual Matrix multiply_transposed(const Matrix& a, const Matrix& b, double alpha) = 0;
  // Elementwise, in place: a ← f(a) (with f's shift and scale), or a ← f'(a).
  virtual void apply_activation(Matrix& a, const Activation& f) = 0;
  virtual void apply_derivative(Matrix& a, const Activation& f) = 0;
  // a ← a ⊙ b (same shape).
  virtual void hadamard(Matrix& a, const Matrix& b) = 0;
  // a ← a + alpha · b (same shape).
  virtual void add_scaled(Matrix& a, const Matrix& b, double alpha) = 0;
  // a(i, j) ← s[i] · a(i, j).
  virtual void scale_rows(Matrix& a, std::span<const double> s) = 0;
  // a(i, i) ← value for i < min(rows, cols).
  virtual void set_diagonal(Matrix& a, double value) = 0;
  // Kernel matrix from a square Gram matrix G = XᵀX/p, in place: K_ij = f(G_ij) (inner product) or
  // K_ij = f(G_ii + G_jj - 2 G_ij) = f(‖x_i - x_j‖²/p) (distance).
  virtual void apply_kernel(Matrix& g, const KernelFunction& f, bool distance) = 0;
  // All eigenvalues, ascending. Destroys `a`.
  virtual std::vector<double> eigenvalues(Matrix& a) = 0;
  // All eigenvalues and the eigenvectors of the k largest. Destroys `a`.
  virtual EigenPairs top_eigenpairs(Matrix& a, index_t k) = 0;
  // A copy of rows [r0, r1) of a.
  virtual Matrix row_block(const Matrix& a, index_t r0, index_t r1) = 0;
  // Copy to host memory (column-major).
  virtual std::vector<double> to_host(const Matrix& a) = 0;
  // A rows×cols matrix holding `values` (column-major host data), e.g. data generated on the host.
  virtual Matrix from_host(index_t rows, index_t cols, std::span<const double> values) = 0;

  // Column operations on the dim × b blocks of block Lanczos (core/slq). The defaults here go
  // through host memory (correct on any backend); backends override them where a round trip costs.
  // R(i, j) = rademacher_at(key, offset + i + j*rows) (±1).
  virtual Matrix sample_rademacher(const StreamKey& key, index_t rows, index_t cols, std::uint64_t offset = 0);
  // dots[j] = a(:, j) · b(:, j), accumulated in double.
  virtual std::vector<double> column_dots(const Matrix& a, const Matrix& b);
  // a(:, j) ← a(:, j) + s[j] · b(:, j).
  virtual void add_scaled_columns(Matrix& a, const Matrix& b, std::span<const double> s);
  // a(:, j) ← s[j] · a(:, j).
  virtual void scale_columns(Matrix& a, std::span<const double> s);

 private:
  Precision precision_ = Precision::fp64;
};

// Sets a backend's working precision for one scope (a case) and restores it after.
class PrecisionScope {
 public:
  PrecisionScope(Backend& backend, Precision p) : backend_(backend), saved_(backend.precision()) {
    backend.set_precision(p);
  }
  ~PrecisionScope() { backend_.set_precision(saved_); }
  PrecisionScope(const PrecisionScope&) = delete;
  PrecisionScope& operator=(const PrecisionScope&) = delete;

 private:
  Backend& backend_;
  Precision saved_;
};

std::unique_ptr<Backend> make_cpu_backend();

// CUDA backend, defined by cuda/ (a stub that reports "not compiled" when CUDA is off).
struct CudaProbe {
  bool compiled = false;
  bool usable = false;
  int device_count = 0;
  std::string reason;  // why not usable
};
CudaProbe probe_cuda();
std::unique_ptr<Backend> make_cuda_backend();  // throws BackendUnavailable
// CUDA devices this process sees (0 without a driver, a device or a CUDA build); never throws, and
// creates no context, so a shard can choose its device (bench/shard.hpp) before the first probe.
int cuda_device_count();
// Makes `device` the current CUDA device of this process; call it before probe_cuda and
// make_cuda_backend, which use the current device. Throws BackendUnavailable.
void set_cuda_device(int device);

// "auto" | "cpu" | "cuda". Auto picks CUDA when a usable device exists; `note` receives the choice.
std::unique_ptr<Backend> select_backend(std::string_view request, std::string* note = nullptr);

}  // namespace rmt
