#pragma once
// Sharding a run across processes (`rmtbench run --shard i/N|auto`, `rmtbench merge DIR`): which shard
// this process is, which cases it runs and which GPU it takes. Every function here is pure (the
// environment comes in as a lookup), so that every shard computes the same assignment from the suite
// alone, with no communication, and the tests check it without a scheduler.
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bench/case.hpp"

namespace rmt::bench {

// Shard `index` of `count`, 1-based: 1 ≤ index ≤ count. Its directory is DIR/shards/<index>-of-<count>.
struct ShardSpec {
  int index = 1;
  int count = 1;
  std::string source;  // where it came from: "--shard 2/3", "SLURM_ARRAY_TASK_ID=4 (MIN=3, COUNT=5)", ...
};

// An environment variable's value, or nullopt when unset (tests pass a map; the CLI passes getenv).
using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;
EnvLookup process_environment();

// "i/N" (1 ≤ i ≤ N) or "auto", which reads, in this order, SLURM_ARRAY_TASK_ID with
// SLURM_ARRAY_TASK_MIN and SLURM_ARRAY_TASK_COUNT (a contiguous job array), SLURM_PROCID with
// SLURM_NTASKS (srun), OMPI_COMM_WORLD_RANK with OMPI_COMM_WORLD_SIZE (Open MPI's mpirun), PMI_RANK
// with PMI_SIZE (MPICH, Intel MPI). Throws InputError (exit 2) naming the problem.
ShardSpec parse_shard(std::string_view text, const EnvLookup& env);
std::string shard_dir_name(const ShardSpec& s);  // "2-of-3"
// The inverse of shard_dir_name; nullopt for any other name.
std::optional<ShardSpec> shard_from_dir_name(std::string_view name);

// The estimated cost of a case in GFlop-like units, the same figure as the run's ETA: replicates ×
// (d³ for the eigensolver + rows·cols·d for the Gram matrix), or for SLQ replicates × 2·rows·cols ×
// steps × probes; plus 0.05 s of fixed cost per case.
double estimated_cost(const ResolvedCase& c, int slq_probes);
// The same, without a backend: SLQ cases count their probes, or 16 when left to the backend.
double estimated_cost(const ResolvedCase& c);

// The case_id of a case with no backend in it (bench/run_log.hpp): the same on every shard,
// whichever device a shard gets.
std::string selection_case_id(const ResolvedCase& c);

// One case of the selection, as the assignment sees it.
struct ShardItem {
  std::string name;     // the case name (unique in a selection)
  std::string case_id;  // selection_case_id
  double cost = 0;      // estimated_cost
};

// The shard (1 … count) of each item: longest processing time first — the items sorted by cost,
// largest first, ties by case_id then name, each given to the shard with the least cost so far
// (ties: the lowest index). Depends on nothing but the items, so every shard agrees.
std::vector<int> assign_shards(const std::vector<ShardItem>& items, int count);

// A hash of the resolved selection (every case's name and selection_case_id, in suite order): two
// shards ran the same selection exactly when their hashes agree. 16 hex digits.
std::string selection_hash(const std::vector<ShardItem>& items);

// Which CUDA device a shard takes. CUDA_VISIBLE_DEVICES set (by the scheduler or the user): left as
// it is (the runtime's device 0 is the first one listed). Otherwise SLURM_LOCALID, else
// OMPI_COMM_WORLD_LOCAL_RANK, modulo `device_count`, so the ranks of one node spread over its GPUs.
// `device` is nullopt when nothing is to be set; `note` says what was chosen and why (empty when
// there is no device at all).
struct DeviceChoice {
  std::optional<int> device;
  std::string note;
};
DeviceChoice choose_cuda_device(const EnvLookup& env, int device_count);

}  // namespace rmt::bench
