#pragma once
// The CUDA backend's resources: one Context (device, stream, cuBLAS and cuSOLVER handles) per
// backend, and DeviceBuffer, a stream-ordered device allocation that keeps its Context alive.
#include "cuda/errors.cuh"  // first: it configures fmt for nvcc

#include <atomic>
#include <cstddef>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>

#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <cusolverDn.h>

#include "core/base/error.hpp"

namespace rmt::cuda_detail {

template <typename Handle>
using pointee_t = std::remove_pointer_t<Handle>;

struct StreamDeleter {
  void operator()(pointee_t<cudaStream_t>* s) const { RMT_CUDA_TRY_NO_THROW(cudaStreamDestroy(s)); }
};
struct CublasDeleter {
  void operator()(pointee_t<cublasHandle_t>* h) const { RMT_CUBLAS_TRY_NO_THROW(cublasDestroy(h)); }
};
struct CusolverDeleter {
  void operator()(pointee_t<cusolverDnHandle_t>* h) const { RMT_CUSOLVER_TRY_NO_THROW(cusolverDnDestroy(h)); }
};
struct CusolverParamsDeleter {
  void operator()(pointee_t<cusolverDnParams_t>* p) const { RMT_CUSOLVER_TRY_NO_THROW(cusolverDnDestroyParams(p)); }
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
  // cudaMallocAsync/cudaFreeAsync while the device's memory pools work, else cudaMalloc/cudaFree.
  // Some virtualised hosts report pools but refuse them: the first refusal switches for good.
  bool stream_ordered_alloc() const { return stream_ordered_alloc_.load(std::memory_order_relaxed); }
  void disable_stream_ordered_alloc() const { stream_ordered_alloc_.store(false, std::memory_order_relaxed); }
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
  mutable std::atomic<bool> stream_ordered_alloc_{true};
  // Destroyed in reverse order: params and handles before the stream they are bound to.
  std::unique_ptr<pointee_t<cudaStream_t>, StreamDeleter> stream_;
  std::unique_ptr<pointee_t<cublasHandle_t>, CublasDeleter> blas_;
  std::unique_ptr<pointee_t<cusolverDnHandle_t>, CusolverDeleter> solver_;
  std::unique_ptr<pointee_t<cusolverDnParams_t>, CusolverParamsDeleter> params_;
};

// Device allocation, stream-ordered on the backend's stream where the device allows it (freed the
// way it was allocated). Out of memory is a ResourceError naming the size.
class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  DeviceBuffer(std::shared_ptr<const Context> ctx, std::size_t bytes) : ctx_(std::move(ctx)) {
    if (bytes == 0) return;
    cudaError_t s = cudaErrorNotSupported;
    if (ctx_->stream_ordered_alloc()) {
      s = cudaMallocAsync(&ptr_, bytes, ctx_->stream());
      if (s == cudaErrorNotSupported || s == cudaErrorCallRequiresNewerDriver) {
        (void)cudaGetLastError();
        ctx_->disable_stream_ordered_alloc();
      } else {
        async_ = true;
      }
    }
    if (!ctx_->stream_ordered_alloc()) {
      async_ = false;
      s = cudaMalloc(&ptr_, bytes);
    }
    if (s == cudaErrorMemoryAllocation) {
      (void)cudaGetLastError();
      ptr_ = nullptr;
      throw ResourceError("not enough device memory: " + std::to_string(bytes) + " bytes needed on CUDA device " +
                          std::to_string(ctx_->device()));
    }
    RMT_CUDA_TRY(s);
    bytes_ = bytes;
  }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  DeviceBuffer(DeviceBuffer&& o) noexcept
      : ctx_(std::move(o.ctx_)), ptr_(std::exchange(o.ptr_, nullptr)), bytes_(std::exchange(o.bytes_, 0)),
        async_(o.async_) {}
  DeviceBuffer& operator=(DeviceBuffer&& o) noexcept {
    if (this != &o) {
      release();
      ctx_ = std::move(o.ctx_);
      ptr_ = std::exchange(o.ptr_, nullptr);
      bytes_ = std::exchange(o.bytes_, 0);
      async_ = o.async_;
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
    if (ptr_ && async_) {
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
  bool async_ = false;  // allocated with cudaMallocAsync
};

}  // namespace rmt::cuda_detail
