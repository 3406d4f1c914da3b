// The figures of 2026-12-06-cpu-sampling.md (issue 14 item 7): normals per second of the CPU
// backend's sample_gaussian before and after the batched sampler, and the batched normals against
// the scalar formula. Not part of the build; compiled by hand against a Release build:
//
//   g++ -std=c++20 -O3 -DNDEBUG -fopenmp -I. bench/results/2026-12-06-cpu-sampling.cpp -o /tmp/sampling
//       build-nocuda/core/librmt_core_cpu.a build-nocuda/core/librmt_core_base.a -lfmt -llapacke -lopenblas
//   (one command line)
//   /tmp/sampling rate 20000 5        # 10000×20000 = 2e8 fp64 normals, 5 runs per path and thread count
//   /tmp/sampling rate-new 20000 7    # the new path alone, 7 runs per thread count
//   /tmp/sampling accuracy 100000000  # 1e8 pairs (2e8 normals) against gaussian_pair
//
// rate: "old" is the body CpuBackend::sample_gaussian had before core/cpu/philox_batch (a zeroed
// std::vector, as host_matrix, then elementwise::SampleGaussianPairs in the backend's OpenMP loop
// over pairs), "new" is CpuBackend::sample_gaussian itself; both allocate a fresh matrix per run and
// are timed with it; "new kernel" is philox_batch::sample_gaussian into an already touched buffer.
// Threads 1 and 2 interleaved, medians.
#include <algorithm>
#include <bit>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <vector>

#include <omp.h>

#include "core/base/backend.hpp"
#include "core/base/elementwise.hpp"
#include "core/cpu/philox_batch.hpp"

using namespace rmt;

namespace {

template <typename F>
double seconds(F&& f) {
  const auto t0 = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}
double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}
std::uint64_t ulp_distance(double a, double b) {
  const auto ordered = [](double v) {
    const auto bits = std::bit_cast<std::int64_t>(v);
    return bits < 0 ? std::numeric_limits<std::int64_t>::min() - bits : bits;
  };
  const std::int64_t x = ordered(a), y = ordered(b);
  return x > y ? static_cast<std::uint64_t>(x - y) : static_cast<std::uint64_t>(y - x);
}

const StreamKey kKey{20261206, 0x5eed1234u, 7, 3};

int rate(index_t cols, int repeats) {
  const index_t rows = 10000;
  const std::uint64_t count = static_cast<std::uint64_t>(rows) * static_cast<std::uint64_t>(cols);
  auto cpu = make_cpu_backend();
  std::vector<double> t_old[3], t_new[3], t_kernel[3];
  std::vector<double> touched(count, 0.0);
  double sink = 0;
  for (int r = 0; r < repeats; ++r)
    for (const int threads : {1, 2}) {
      omp_set_num_threads(threads);
      t_old[threads].push_back(seconds([&] {
        std::vector<double> x(count);
        const elementwise::SampleGaussianPairs<double> f{kKey, x.data(), count, static_cast<std::uint64_t>(rows),
                                                         nullptr, 0};
        const std::uint64_t pairs = (count + 1) / 2;
#pragma omp parallel for schedule(static) firstprivate(f) if (count >= (std::uint64_t{1} << 15))
        for (std::uint64_t e = 0; e < pairs; ++e) f(e);
        sink += x[count / 3];
      }));
      t_new[threads].push_back(seconds([&] {
        Matrix x = cpu->sample_gaussian(kKey, rows, cols);
        sink += x.data_as<double>()[count / 3];
      }));
      t_kernel[threads].push_back(seconds([&] {
        philox_batch::sample_gaussian<double>(kKey, 0, touched.data(), count, static_cast<std::uint64_t>(rows), nullptr);
      }));
    }
  const auto n = static_cast<double>(count);
  for (const int threads : {1, 2})
    std::printf("%.3g fp64 normals, %d thread(s), median of %d: old %.3g/s (%.2f s), new %.3g/s (%.2f s, x%.1f), "
                "new kernel into touched memory %.3g/s\n",
                n, threads, repeats, n / median(t_old[threads]), median(t_old[threads]), n / median(t_new[threads]),
                median(t_new[threads]), median(t_old[threads]) / median(t_new[threads]), n / median(t_kernel[threads]));
  std::printf("code path %s (sink %g)\n", philox_batch::isa(), sink + touched[count / 2]);
  return 0;
}

// The new path alone (no old path and no touched buffer in between): sample_gaussian into a fresh
// matrix, then the kernel into touched memory, threads 1 and 2 interleaved.
int rate_new(index_t cols, int repeats) {
  const index_t rows = 10000;
  const std::uint64_t count = static_cast<std::uint64_t>(rows) * static_cast<std::uint64_t>(cols);
  auto cpu = make_cpu_backend();
  std::vector<double> t_new[3], t_kernel[3];
  double sink = 0;
  for (int r = 0; r < repeats; ++r)
    for (const int threads : {1, 2}) {
      omp_set_num_threads(threads);
      t_new[threads].push_back(seconds([&] {
        Matrix x = cpu->sample_gaussian(kKey, rows, cols);
        sink += x.data_as<double>()[count / 3];
      }));
    }
  {
    std::vector<double> touched(count, 0.0);
    for (int r = 0; r < repeats; ++r)
      for (const int threads : {1, 2}) {
        omp_set_num_threads(threads);
        t_kernel[threads].push_back(seconds([&] {
          philox_batch::sample_gaussian<double>(kKey, 0, touched.data(), count, static_cast<std::uint64_t>(rows), nullptr);
        }));
      }
    sink += touched[count / 2];
  }
  const auto n = static_cast<double>(count);
  for (const int threads : {1, 2})
    std::printf("%.3g fp64 normals, %d thread(s), median of %d: new %.3g/s (%.2f s), new kernel into touched memory %.3g/s\n",
                n, threads, repeats, n / median(t_new[threads]), median(t_new[threads]), n / median(t_kernel[threads]));
  std::printf("code path %s (sink %g)\n", philox_batch::isa(), sink);
  return 0;
}

int accuracy(std::uint64_t pairs) {
  constexpr std::size_t B = philox_batch::kBlock;
  std::uint64_t max_ulp = 0, differ = 0;
  double max_rel = 0;
#pragma omp parallel for schedule(static) reduction(max : max_ulp, max_rel) reduction(+ : differ)
  for (std::uint64_t p0 = 0; p0 < pairs; p0 += B) {
    double out[2 * B];
    philox_batch::gaussian_pairs(kKey, p0, B, out);
    for (std::size_t q = 0; q < B; ++q) {
      const NormalPair g = gaussian_pair(kKey, p0 + q);
      for (const auto& [a, b] : {std::pair{g.first, out[2 * q]}, std::pair{g.second, out[2 * q + 1]}}) {
        const std::uint64_t u = ulp_distance(a, b);
        max_ulp = std::max(max_ulp, u);
        differ += u != 0;
        if (a != 0) max_rel = std::max(max_rel, std::abs(a - b) / std::abs(a));
      }
    }
  }
  std::printf("%llu normals (%s): max %llu ulp, max relative difference %.3g, %.2f %% not bit-identical\n",
              static_cast<unsigned long long>(2 * pairs), philox_batch::isa(), static_cast<unsigned long long>(max_ulp),
              max_rel, 100.0 * static_cast<double>(differ) / static_cast<double>(2 * pairs));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 2 && std::strcmp(argv[1], "rate") == 0)
    return rate(argc > 2 ? std::atol(argv[2]) : 20000, argc > 3 ? std::atoi(argv[3]) : 5);
  if (argc >= 2 && std::strcmp(argv[1], "rate-new") == 0)
    return rate_new(argc > 2 ? std::atol(argv[2]) : 20000, argc > 3 ? std::atoi(argv[3]) : 7);
  if (argc >= 2 && std::strcmp(argv[1], "accuracy") == 0)
    return accuracy(argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 100000000);
  std::fprintf(stderr, "usage: %s rate|rate-new [COLS [REPEATS]] | accuracy [PAIRS]\n", argv[0]);
  return 2;
}
