#pragma once
// What this binary was built from (cmake/RmtBuildInfo.cmake writes the definition at configure and
// build time): the records' and run.json's "environment" (bench/environment.hpp) carry it.
#include <string>

namespace rmt::bench {

struct BuildInfo {
  std::string version;       // rmtbench's version, "0.1.0"
  std::string git_commit;    // full hash of HEAD; empty when the source tree is not a git checkout
  int git_dirty = -1;        // 1: tracked files differed from the commit when built; 0: clean; -1: unknown
  std::string build_type;    // CMAKE_BUILD_TYPE, "Release"
  std::string compiler;      // "GNU 12.2.0"
  std::string cuda_toolkit;  // the CUDA toolkit compiled against, "13.0.88"; empty without CUDA
};

const BuildInfo& build_info();

}  // namespace rmt::bench
