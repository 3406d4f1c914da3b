#pragma once
// Where a result was measured, for a history across nights (`rmtbench history`): the build
// (bench/build_info.hpp), the host, and the device's driver and runtime. Each record carries it as
// "environment" (with the device fields of its backend), and DIR/run.json as "environment" (without).
#include <nlohmann/json.hpp>

#include "core/base/backend.hpp"

namespace rmt::bench {

// {"rmtbench","git_commit","git_dirty","build_type","compiler","cuda_toolkit","host"}, and with a
// device also {"device_details","cuda_driver","cuda_runtime"}. Unknown values are null.
nlohmann::json environment_json(const DeviceInfo* device = nullptr);

}  // namespace rmt::bench
