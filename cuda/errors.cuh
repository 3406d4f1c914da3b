#pragma once
// Typed error macros of the CUDA backend: every cudaError_t, cublasStatus_t and cusolverStatus_t checked
// where it is returned, with the call and its place in the message.
//
//   RMT_CUDA_TRY(call)        cudaError_t        -> throws rmt::Error (rmt::ResourceError when out of memory)
//   RMT_CUBLAS_TRY(call)      cublasStatus_t     -> throws rmt::Error (rmt::ResourceError on ALLOC_FAILED)
//   RMT_CUSOLVER_TRY(call)    cusolverStatus_t   -> throws rmt::Error (rmt::ResourceError on ALLOC_FAILED)
//   *_NO_THROW(call)          for destructors: one line on stderr, never throws
//   RMT_CHECK_LAUNCH()        after every kernel launch (launch-configuration errors)
//   RMT_CHECK_CUDA(stream)    same, and with RMT_CUDA_SYNC_DEBUG defined also synchronises `stream`
//
// Messages carry the error name, its description, the call text, file and line. They are built with
// std::string: fmt is kept out of the .cu files (see the note on FMT_USE_CONSTEXPR below).

// fmt 9 disables FMT_CONSTEXPR whenever __NVCC__ is defined, and then fails to compile under nvcc
// with -std=c++20 (constexpr functions calling the now non-constexpr helpers). g++ translation
// units get FMT_USE_CONSTEXPR=1 anyway, so setting it here keeps .cu and .cpp files consistent.
// This must come before the first include of fmt (core/base/error.hpp includes it).
#ifndef FMT_USE_CONSTEXPR
#define FMT_USE_CONSTEXPR 1
#endif

#include <cstdio>
#include <string>

#include <cublas_v2.h>
#include <cuda_runtime_api.h>
#include <cusolverDn.h>

#include "core/base/error.hpp"

namespace rmt::cuda_detail {

inline std::string where(const char* call, const char* file, int line) {
  return std::string(" in '") + call + "' at " + file + ":" + std::to_string(line);
}

inline const char* cusolver_status_name(cusolverStatus_t s) {
  switch (s) {
    case CUSOLVER_STATUS_SUCCESS: return "CUSOLVER_STATUS_SUCCESS";
    case CUSOLVER_STATUS_NOT_INITIALIZED: return "CUSOLVER_STATUS_NOT_INITIALIZED";
    case CUSOLVER_STATUS_ALLOC_FAILED: return "CUSOLVER_STATUS_ALLOC_FAILED";
    case CUSOLVER_STATUS_INVALID_VALUE: return "CUSOLVER_STATUS_INVALID_VALUE";
    case CUSOLVER_STATUS_ARCH_MISMATCH: return "CUSOLVER_STATUS_ARCH_MISMATCH";
    case CUSOLVER_STATUS_MAPPING_ERROR: return "CUSOLVER_STATUS_MAPPING_ERROR";
    case CUSOLVER_STATUS_EXECUTION_FAILED: return "CUSOLVER_STATUS_EXECUTION_FAILED";
    case CUSOLVER_STATUS_INTERNAL_ERROR: return "CUSOLVER_STATUS_INTERNAL_ERROR";
    case CUSOLVER_STATUS_MATRIX_TYPE_NOT_SUPPORTED:
      return "CUSOLVER_STATUS_MATRIX_TYPE_NOT_SUPPORTED";
    case CUSOLVER_STATUS_NOT_SUPPORTED: return "CUSOLVER_STATUS_NOT_SUPPORTED";
    case CUSOLVER_STATUS_ZERO_PIVOT: return "CUSOLVER_STATUS_ZERO_PIVOT";
    case CUSOLVER_STATUS_INVALID_LICENSE: return "CUSOLVER_STATUS_INVALID_LICENSE";
    case CUSOLVER_STATUS_INVALID_WORKSPACE: return "CUSOLVER_STATUS_INVALID_WORKSPACE";
    default: return "CUSOLVER_STATUS_<unknown>";
  }
}

inline std::string cuda_message(cudaError_t s, const char* call, const char* file, int line) {
  return std::string("CUDA error ") + cudaGetErrorName(s) + " (" + std::to_string(int(s)) + ": " +
         cudaGetErrorString(s) + ")" + where(call, file, line);
}

inline std::string cublas_message(cublasStatus_t s, const char* call, const char* file, int line) {
  return std::string("cuBLAS error ") + cublasGetStatusName(s) + " (" + cublasGetStatusString(s) +
         ")" + where(call, file, line);
}

inline std::string cusolver_message(cusolverStatus_t s, const char* call, const char* file,
                                    int line) {
  return std::string("cuSOLVER error ") + cusolver_status_name(s) + " (" +
         std::to_string(int(s)) + ")" + where(call, file, line);
}

[[noreturn]] inline void throw_cuda(cudaError_t s, const char* call, const char* file, int line) {
  (void)cudaGetLastError();  // clear a non-sticky error so later calls do not report it again
  if (s == cudaErrorMemoryAllocation) throw ResourceError(cuda_message(s, call, file, line));
  throw Error(cuda_message(s, call, file, line));
}

[[noreturn]] inline void throw_cublas(cublasStatus_t s, const char* call, const char* file,
                                      int line) {
  if (s == CUBLAS_STATUS_ALLOC_FAILED) throw ResourceError(cublas_message(s, call, file, line));
  throw Error(cublas_message(s, call, file, line));
}

[[noreturn]] inline void throw_cusolver(cusolverStatus_t s, const char* call, const char* file,
                                        int line) {
  if (s == CUSOLVER_STATUS_ALLOC_FAILED)
    throw ResourceError(cusolver_message(s, call, file, line));
  throw Error(cusolver_message(s, call, file, line));
}

// Destructors run during program teardown too, when the runtime may already be unloading: that
// case is expected and stays silent.
inline void report_cuda(cudaError_t s, const char* call, const char* file, int line) noexcept {
  (void)cudaGetLastError();
  if (s == cudaErrorCudartUnloading) return;
  std::fprintf(stderr, "rmtbench: warning: CUDA error %s (%s) in '%s' at %s:%d\n",
               cudaGetErrorName(s), cudaGetErrorString(s), call, file, line);
}

inline void report_cublas(cublasStatus_t s, const char* call, const char* file, int line) noexcept {
  std::fprintf(stderr, "rmtbench: warning: cuBLAS error %s in '%s' at %s:%d\n",
               cublasGetStatusName(s), call, file, line);
}

inline void report_cusolver(cusolverStatus_t s, const char* call, const char* file,
                            int line) noexcept {
  std::fprintf(stderr, "rmtbench: warning: cuSOLVER error %s in '%s' at %s:%d\n",
               cusolver_status_name(s), call, file, line);
}

}  // namespace rmt::cuda_detail

#define RMT_CUDA_TRY(call)                                                          \
  do {                                                                              \
    const cudaError_t rmt_cuda_status_ = (call);                                    \
    if (rmt_cuda_status_ != cudaSuccess)                                            \
      ::rmt::cuda_detail::throw_cuda(rmt_cuda_status_, #call, __FILE__, __LINE__);  \
  } while (0)

#define RMT_CUBLAS_TRY(call)                                                             \
  do {                                                                                   \
    const cublasStatus_t rmt_cublas_status_ = (call);                                    \
    if (rmt_cublas_status_ != CUBLAS_STATUS_SUCCESS)                                     \
      ::rmt::cuda_detail::throw_cublas(rmt_cublas_status_, #call, __FILE__, __LINE__);   \
  } while (0)

#define RMT_CUSOLVER_TRY(call)                                                               \
  do {                                                                                       \
    const cusolverStatus_t rmt_cusolver_status_ = (call);                                    \
    if (rmt_cusolver_status_ != CUSOLVER_STATUS_SUCCESS)                                     \
      ::rmt::cuda_detail::throw_cusolver(rmt_cusolver_status_, #call, __FILE__, __LINE__);   \
  } while (0)

#define RMT_CUDA_TRY_NO_THROW(call)                                                 \
  do {                                                                              \
    const cudaError_t rmt_cuda_status_ = (call);                                    \
    if (rmt_cuda_status_ != cudaSuccess)                                            \
      ::rmt::cuda_detail::report_cuda(rmt_cuda_status_, #call, __FILE__, __LINE__); \
  } while (0)

#define RMT_CUBLAS_TRY_NO_THROW(call)                                                    \
  do {                                                                                   \
    const cublasStatus_t rmt_cublas_status_ = (call);                                    \
    if (rmt_cublas_status_ != CUBLAS_STATUS_SUCCESS)                                     \
      ::rmt::cuda_detail::report_cublas(rmt_cublas_status_, #call, __FILE__, __LINE__);  \
  } while (0)

#define RMT_CUSOLVER_TRY_NO_THROW(call)                                                      \
  do {                                                                                       \
    const cusolverStatus_t rmt_cusolver_status_ = (call);                                    \
    if (rmt_cusolver_status_ != CUSOLVER_STATUS_SUCCESS)                                     \
      ::rmt::cuda_detail::report_cusolver(rmt_cusolver_status_, #call, __FILE__, __LINE__);  \
  } while (0)

// After a kernel launch: reports invalid configurations, missing kernel images, ... at the launch.
#define RMT_CHECK_LAUNCH() RMT_CUDA_TRY(cudaGetLastError())

#ifdef RMT_CUDA_SYNC_DEBUG
#define RMT_CHECK_CUDA(stream)                \
  do {                                        \
    RMT_CHECK_LAUNCH();                       \
    RMT_CUDA_TRY(cudaStreamSynchronize(stream)); \
  } while (0)
#else
#define RMT_CHECK_CUDA(stream) \
  do {                         \
    (void)(stream);            \
    RMT_CHECK_LAUNCH();        \
  } while (0)
#endif
