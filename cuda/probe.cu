// Probe for a usable CUDA device, once per process. Any failure (no driver, driver too old: error
// 35, no device: error 100, no kernel image for the device, cuSOLVER unable to initialise) means
// "no device" with a reason; nothing here throws or aborts.
#include "cuda/errors.cuh"

#include <exception>
#include <string>

#include <cuda_runtime.h>

#include "core/base/backend.hpp"

namespace rmt {
namespace {

// Compiled for the same architectures as the backend's kernels: if the runtime finds no image
// (SASS or JIT-able PTX) of it for the current device, the backend's kernels could not run either.
__global__ void probe_kernel() {}

std::string cuda_reason(const char* what, cudaError_t s) {
  return std::string(what) + " failed: " + cudaGetErrorString(s) + " (" + cudaGetErrorName(s) +
         ", error " + std::to_string(int(s)) + ")";
}

CudaProbe run_probe() {
  CudaProbe p;
  p.compiled = true;

  int count = 0;
  cudaError_t s = cudaGetDeviceCount(&count);
  if (s != cudaSuccess) {
    (void)cudaGetLastError();
    p.reason = cuda_reason("cudaGetDeviceCount", s);
    return p;
  }
  p.device_count = count;
  if (count <= 0) {
    p.reason = "no CUDA device found";
    return p;
  }

  int device = 0;
  s = cudaGetDevice(&device);
  if (s == cudaSuccess) s = cudaFree(nullptr);  // creates the primary context of `device`
  if (s != cudaSuccess) {
    (void)cudaGetLastError();
    p.reason = cuda_reason("initialising the CUDA device", s);
    return p;
  }

  cudaFuncAttributes attributes{};
  s = cudaFuncGetAttributes(&attributes, probe_kernel);
  if (s != cudaSuccess) {
    (void)cudaGetLastError();
    const std::string what = "finding a kernel image for device " + std::to_string(device);
    p.reason = cuda_reason(what.c_str(), s);
    return p;
  }

  cusolverDnHandle_t handle = nullptr;
  const cusolverStatus_t cs = cusolverDnCreate(&handle);
  if (cs != CUSOLVER_STATUS_SUCCESS) {
    p.reason = std::string("cusolverDnCreate failed: ") + cuda_detail::cusolver_status_name(cs);
    return p;
  }
  RMT_CUSOLVER_TRY_NO_THROW(cusolverDnDestroy(handle));

  p.usable = true;
  return p;
}

CudaProbe safe_probe() {
  try {
    return run_probe();
  } catch (const std::exception& e) {
    CudaProbe p;
    p.compiled = true;
    p.reason = std::string("CUDA probe failed: ") + e.what();
    return p;
  } catch (...) {
    CudaProbe p;
    p.compiled = true;
    p.reason = "CUDA probe failed";
    return p;
  }
}

}  // namespace

int cuda_device_count() {
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess) {
    (void)cudaGetLastError();
    return 0;
  }
  return count;
}

void set_cuda_device(int device) {
  const cudaError_t s = cudaSetDevice(device);
  if (s != cudaSuccess) {
    (void)cudaGetLastError();
    throw BackendUnavailable(cuda_reason(("cudaSetDevice(" + std::to_string(device) + ")").c_str(), s));
  }
}

CudaProbe probe_cuda() {
  static const CudaProbe probe = safe_probe();
  return probe;
}

}  // namespace rmt
