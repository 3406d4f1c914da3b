// CPU-only build: the CUDA backend is not compiled in, so it is never registered.
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

}  // namespace rmt
