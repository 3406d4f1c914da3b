// The memory planner and exit 3 on the CUDA backend (gpu label; skipped without a device):
// tests/test_memory_plan.cpp compiled for the CUDA backend (every model's planned peak against the
// device matrices a counting decorator sees, plus cuSOLVER's own workspace query; refusal before
// any allocation), the planner's figures at the sizes of the H200 runs, and the CLI's exit 3.
#define RMT_MEMORY_PLAN_BACKEND "cuda"
#include "test_memory_plan.cpp"  // NOLINT(bugprone-suspicious-include): one source, two backends

#include <cstdio>
#include <filesystem>

namespace {

// The planned peaks at the sizes of the issue-11 runs, from the device's own workspace queries
// (printed for the record); on a device with as much free memory as the plan needs, the check passes.
TEST(CudaMemoryPlan, LargeCaseFigures) {
  if (!probe_cuda().usable) GTEST_SKIP() << "no usable CUDA device: " << probe_cuda().reason;
  auto backend = make_cuda_backend();
  const std::size_t available = backend->available_bytes();
  struct Figure {
    const char* model;
    const char* n;
    Precision precision;
  };
  for (const Figure f : {Figure{"spiked", "80000", Precision::fp64}, Figure{"spiked", "96000", Precision::fp64},
                         Figure{"mp", "65536", Precision::fp64}, Figure{"mp", "65536", Precision::fp32},
                         Figure{"mp", "100000", Precision::fp32}}) {
    const auto c = test_support::make_case(f.model, {{"n", f.n}, {"c", "1"}});
    PrecisionScope scope(*backend, f.precision);
    const MemoryPeak peak = peak_memory(c.base->memory_plan(c.params), *backend);
    const index_t n = c.sizes.eig_dim;
    std::printf("%-7s c=1 n=%-7s %s: peak %zu bytes (%.2f GiB) at '%s', workspace %zu bytes; %zu bytes free\n", f.model,
                f.n, std::string(to_string(f.precision)).c_str(), peak.bytes, peak.bytes / 1073741824.0,
                peak.phase.c_str(), peak.workspace, available);
    // At least the matrices of the eigen phase, at most two n×n matrices and the workspace more.
    const std::size_t nn = static_cast<std::size_t>(n) * static_cast<std::size_t>(n) * element_bytes(f.precision);
    EXPECT_GE(peak.bytes, nn);
    EXPECT_LE(peak.bytes, 2 * nn + peak.workspace + static_cast<std::size_t>(n) * 8);
    if (f.precision != Precision::fp64) continue;  // the case itself is fp64
    if (peak.bytes <= available) {
      EXPECT_NO_THROW(check_memory(c, *backend));
    } else {
      EXPECT_THROW(check_memory(c, *backend), ResourceError);
    }
  }
}

TEST(CudaMemoryPlan, CliExitsThreeNamingTheBytes) {
  if (!probe_cuda().usable) GTEST_SKIP() << "no usable CUDA device: " << probe_cuda().reason;
  const auto out = std::filesystem::temp_directory_path() / ("rmt_cuda_exit3_" + std::to_string(getpid()));
  std::filesystem::remove_all(out);
  // 2 × 200000² doubles = 640 GB: more than any single GPU.
  const auto r = test_support::rmtbench("run --backend cuda --model mp --set n=200000 --set c=1 --out " + out.string());
  EXPECT_EQ(r.code, 3) << r.err;
  EXPECT_TRUE(std::regex_search(r.err, std::regex("needs [0-9]+ bytes \\([0-9.]+ GiB\\) of cuda memory"))) << r.err;
  EXPECT_FALSE(std::filesystem::exists(out)) << "nothing is written before the check";
  // A case that fits runs on the device.
  const auto ok = test_support::rmtbench("run --backend cuda --model mp --set n=400 --quiet --out " + out.string());
  EXPECT_EQ(ok.code, 0) << ok.err;
  std::filesystem::remove_all(out);
}

}  // namespace
