// CPU-only build: the CUDA backend is not compiled in, so it is never registered.
#include <string>

#include "core/base/backend.hpp"
#include "core/base/error.hpp"

namespace rmt {

CudaProbe probe_cuda() {
  CudaProbe p;
  p.reason = "rmtbench was built without CUDA (RMT_ENABLE_CUDA=OFF)";
  return p;
}

std::unique_ptr<Backend> make_cuda_backend() {
  throw BackendUnavailable("cuda backend not available: " + probe_cuda().reason);
}

int cuda_device_count() { return 0; }

void set_cuda_device(int device) {
  throw BackendUnavailable("cannot select CUDA device " + std::to_string(device) + ": " + probe_cuda().reason);
}

}  // namespace rmt
