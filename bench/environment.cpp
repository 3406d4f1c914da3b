#include "bench/environment.hpp"

#include <unistd.h>

#include <string>

#include "bench/build_info.hpp"

namespace rmt::bench {

namespace {

nlohmann::json text_or_null(const std::string& s) { return s.empty() ? nlohmann::json(nullptr) : nlohmann::json(s); }

std::string host_name() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return {};
  return name;
}

}  // namespace

nlohmann::json environment_json(const DeviceInfo* device) {
  const BuildInfo& b = build_info();
  nlohmann::json j = {{"rmtbench", b.version},
                      {"git_commit", text_or_null(b.git_commit)},
                      {"git_dirty", b.git_dirty < 0 ? nlohmann::json(nullptr) : nlohmann::json(b.git_dirty == 1)},
                      {"build_type", text_or_null(b.build_type)},
                      {"compiler", text_or_null(b.compiler)},
                      {"cuda_toolkit", text_or_null(b.cuda_toolkit)},
                      {"host", text_or_null(host_name())}};
  if (device != nullptr) {
    j["device_details"] = text_or_null(device->details);
    j["cuda_driver"] = text_or_null(device->driver_version);
    j["cuda_runtime"] = text_or_null(device->runtime_version);
  }
  return j;
}

}  // namespace rmt::bench
