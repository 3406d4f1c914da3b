#include <fmt/format.h>

#include "core/base/backend.hpp"
#include "core/base/error.hpp"

namespace rmt {

std::unique_ptr<Backend> select_backend(std::string_view request, std::string* note) {
  const auto say = [&](std::string text) {
    if (note) *note = std::move(text);
  };
  if (request == "cpu") {
    say("backend: cpu (requested)");
    return make_cpu_backend();
  }
  if (request == "cuda") {
    say("backend: cuda (requested)");
    return make_cuda_backend();  // throws BackendUnavailable with the probe's reason
  }
  if (request != "auto")
    throw InputError(fmt::format("--backend: unknown backend '{}' (expected auto, cpu or cuda)", request));
  const CudaProbe probe = probe_cuda();
  if (probe.usable) {
    say("backend: cuda (auto: CUDA device found)");
    return make_cuda_backend();
  }
  say(fmt::format("backend: cpu (auto: no usable CUDA device: {})", probe.reason));
  return make_cpu_backend();
}

}  // namespace rmt
