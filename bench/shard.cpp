#include "bench/shard.hpp"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <numeric>

#include <fmt/format.h>

#include "bench/run_log.hpp"
#include "core/base/error.hpp"
#include "core/base/hash.hpp"

namespace rmt::bench {

namespace {

constexpr long kMaxShards = 1'000'000;

// A whole decimal number, nothing else (no sign, no exponent, no spaces).
std::optional<long> strict_integer(std::string_view text) {
  long v = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
  return v;
}

long env_integer(const EnvLookup& env, std::string_view name, std::string_view context) {
  const auto value = env(name);
  if (!value)
    throw InputError(fmt::format("--shard auto: {} is set but {} is not", context, name));
  const auto v = strict_integer(*value);
  if (!v) throw InputError(fmt::format("--shard auto: {}='{}' is not a whole number", name, *value));
  return *v;
}

ShardSpec checked(long index, long count, std::string source, std::string_view rule) {
  if (count < 1 || count > kMaxShards)
    throw InputError(fmt::format("{}: the shard count {} must be from 1 to {}", source, count, kMaxShards));
  if (index < 1 || index > count)
    throw InputError(fmt::format("{}: the shard index {} must be from 1 to {}{}", source, index, count, rule));
  return {static_cast<int>(index), static_cast<int>(count), std::move(source)};
}

// A 0-based rank and a size from two variables (srun, mpirun).
ShardSpec from_rank(const EnvLookup& env, std::string_view rank_name, std::string_view size_name) {
  const long rank = env_integer(env, rank_name, rank_name);
  const long size = env_integer(env, size_name, rank_name);
  return checked(rank + 1, size, fmt::format("--shard auto: {}={}, {}={}", rank_name, rank, size_name, size),
                 fmt::format(" ({} must be below {})", rank_name, size_name));
}

}  // namespace

EnvLookup process_environment() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* v = std::getenv(std::string(name).c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

ShardSpec parse_shard(std::string_view text, const EnvLookup& env) {
  if (text == "auto") {
    if (env("SLURM_ARRAY_TASK_ID")) {
      const long id = env_integer(env, "SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_ID");
      const long min = env_integer(env, "SLURM_ARRAY_TASK_MIN", "SLURM_ARRAY_TASK_ID");
      const long count = env_integer(env, "SLURM_ARRAY_TASK_COUNT", "SLURM_ARRAY_TASK_ID");
      return checked(id - min + 1, count,
                     fmt::format("--shard auto: SLURM_ARRAY_TASK_ID={} (MIN={}, COUNT={})", id, min, count),
                     " (the array must be contiguous, e.g. --array=0-N-1, without a step)");
    }
    if (env("SLURM_PROCID")) return from_rank(env, "SLURM_PROCID", "SLURM_NTASKS");
    if (env("OMPI_COMM_WORLD_RANK")) return from_rank(env, "OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE");
    if (env("PMI_RANK")) return from_rank(env, "PMI_RANK", "PMI_SIZE");
    throw InputError(
        "--shard auto: none of SLURM_ARRAY_TASK_ID, SLURM_PROCID, OMPI_COMM_WORLD_RANK or PMI_RANK is set "
        "(run it under sbatch --array, srun or mpirun, or give --shard i/N)");
  }
  const auto slash = text.find('/');
  const auto index = slash == std::string_view::npos ? std::nullopt : strict_integer(text.substr(0, slash));
  const auto count = slash == std::string_view::npos ? std::nullopt : strict_integer(text.substr(slash + 1));
  if (!index || !count)
    throw InputError(fmt::format("--shard: '{}' is not i/N (shard i of N, 1 ≤ i ≤ N) or auto", text));
  return checked(*index, *count, fmt::format("--shard {}", text), "");
}

std::string shard_dir_name(const ShardSpec& s) { return fmt::format("{}-of-{}", s.index, s.count); }

std::optional<ShardSpec> shard_from_dir_name(std::string_view name) {
  const auto sep = name.find("-of-");
  if (sep == std::string_view::npos) return std::nullopt;
  const auto index = strict_integer(name.substr(0, sep));
  const auto count = strict_integer(name.substr(sep + 4));
  if (!index || !count || *count < 1 || *count > kMaxShards || *index < 1 || *index > *count) return std::nullopt;
  ShardSpec s{static_cast<int>(*index), static_cast<int>(*count), std::string(name)};
  if (shard_dir_name(s) != name) return std::nullopt;  // no leading zeros: one name per shard
  return s;
}

double estimated_cost(const ResolvedCase& c, int slq_probes) {
  const auto d = static_cast<double>(c.sizes.eig_dim);
  const auto rc = static_cast<double>(c.sizes.rows) * static_cast<double>(c.sizes.cols);
  const double replicates = c.spec.replicates;
  // SLQ: two products with the rows × cols features per step and probe.
  return c.spec.method == "slq" ? replicates * 2.0 * rc * c.spec.slq.steps * slq_probes * 1e-9 + 0.05
                                : replicates * (d * d * d + rc * d) * 1e-9 + 0.05;
}

double estimated_cost(const ResolvedCase& c) {
  return estimated_cost(c, c.spec.slq.probes > 0 ? c.spec.slq.probes : 16);
}

std::string selection_case_id(const ResolvedCase& c) { return case_id(c, ""); }

std::vector<int> assign_shards(const std::vector<ShardItem>& items, int count) {
  if (count < 1) throw InputError(fmt::format("assign_shards: {} shards", count));
  std::vector<std::size_t> order(items.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const auto& x = items[a];
    const auto& y = items[b];
    if (x.cost != y.cost) return x.cost > y.cost;
    if (x.case_id != y.case_id) return x.case_id < y.case_id;
    if (x.name != y.name) return x.name < y.name;
    return a < b;
  });
  std::vector<double> load(static_cast<std::size_t>(count), 0.0);
  std::vector<int> shard(items.size(), 0);
  for (const auto i : order) {
    const auto least = std::min_element(load.begin(), load.end()) - load.begin();  // first of the least
    load[static_cast<std::size_t>(least)] += items[i].cost;
    shard[i] = static_cast<int>(least) + 1;
  }
  return shard;
}

std::string selection_hash(const std::vector<ShardItem>& items) {
  std::string text;
  for (const auto& i : items) text += fmt::format("{}\x1f{}\x1e", i.name, i.case_id);
  return fmt::format("{:016x}", fnv1a64(text));
}

DeviceChoice choose_cuda_device(const EnvLookup& env, int device_count) {
  if (const auto visible = env("CUDA_VISIBLE_DEVICES"))
    return {std::nullopt, fmt::format("CUDA device: CUDA_VISIBLE_DEVICES={} is set; using the first device it lists",
                                      *visible)};
  if (device_count <= 0) return {};
  for (const char* name : {"SLURM_LOCALID", "OMPI_COMM_WORLD_LOCAL_RANK"}) {
    const auto value = env(name);
    if (!value) continue;
    const auto local = strict_integer(*value);
    if (!local || *local < 0) throw InputError(fmt::format("{}='{}' is not a local rank (a whole number ≥ 0)", name, *value));
    const int device = static_cast<int>(*local % device_count);
    return {device, fmt::format("CUDA device: {} of {} ({}={} modulo {} device{})", device, device_count, name, *local,
                                device_count, device_count == 1 ? "" : "s")};
  }
  return {std::nullopt, fmt::format("CUDA device: 0 of {} (neither CUDA_VISIBLE_DEVICES, SLURM_LOCALID nor "
                                    "OMPI_COMM_WORLD_LOCAL_RANK is set)",
                                    device_count)};
}

}  // namespace rmt::bench
