// method = distributed in a build without MPI (bench/distributed_case.hpp): refused with one line.
#include "bench/distributed_case.hpp"

#include <fmt/format.h>

#include "core/base/error.hpp"

namespace rmt::bench {

bool distributed_available() { return false; }

void validate_distributed(const ResolvedCase& c) {
  throw InputError(fmt::format("case '{}': method = distributed needs a build with MPI, ScaLAPACK and ELPA "
                               "(cmake -DRMT_ENABLE_MPI=ON; cmake/install_deps.sh installs them)",
                               c.spec.name));
}

std::unique_ptr<DistributedRun> start_distributed_run(const std::vector<const ResolvedCase*>&) { return nullptr; }

MemoryPlan distributed_memory_plan(const ResolvedCase& c) {
  throw InputError(fmt::format("case '{}': method = distributed is not built", c.spec.name));
}

Draw distributed_draw(const ResolvedCase& c, const StreamKey&, StageTimes&) {
  throw InputError(fmt::format("case '{}': method = distributed is not built", c.spec.name));
}

nlohmann::json distributed_json(const ResolvedCase&) { return nullptr; }

}  // namespace rmt::bench
