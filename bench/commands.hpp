#pragma once
// The rmtbench subcommands (docs/architecture.md, "Command line"). Each returns the process exit code and
// throws rmt::InputError / ResourceError for bad input / missing resources (main maps them).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace rmt::bench {

struct RunOptions {
  std::vector<std::string> suites;
  std::vector<std::string> cases;  // case names, or sweep names (every point of the sweep)
  std::string model;
  std::vector<std::string> sets;
  std::string t;  // --t T1,T2,...: times for dynamics models, appended to every case as the parameter t
  std::string backend;  // auto|cpu|cuda; empty: the suite's choice per case, else auto
  std::string precision = "fp64";
  std::optional<std::uint64_t> seed;
  std::optional<int> replicates;
  std::string out = "results";
  std::string resume;  // --resume DIR: continue the run in DIR, skipping the cases it has recorded
  bool json = false;
  bool quiet = false;
  bool no_sensitivity = false;  // --no-sensitivity: records carry sensitivity with every value null
  // --method dense|slq and the SLQ settings (bench/case.hpp SlqSettings); set: override the suite.
  std::string method;
  std::optional<int> probes, steps;
  std::optional<std::int64_t> tile;
  std::string storage;
  bool reorth = false;
  // An embedding host (the Python package) turns these off: no table or --json lines on stdout, and
  // no SIGINT/SIGTERM handler of the run's own (the host polls for interruption, core/base/interrupt.hpp).
  bool print_records = true;
  bool handle_signals = true;
  // --shard i/N|auto (bench/shard.hpp): run only this shard's cases, in DIR/shards/i-of-N/.
  std::string shard;
  // --method distributed: --eigensolver elpa|pdsyevr, --block NB (bench/case.hpp DistributedSettings).
  std::string eigensolver;
  std::optional<std::int64_t> block;
};
int run_command(const RunOptions& o);

// `rmtbench merge DIR`: DIR/shards/*/ -> DIR/results.jsonl, convergence.json, run.json and report.html
// (bench/merge_command.cpp). Exit 1, writing nothing, when a case is missing or recorded twice or the
// shards ran different selections.
int merge_command(const std::string& dir);

struct TheoryOptions {
  std::string model;
  std::vector<std::string> sets;
  std::string x, z, t;  // comma-separated lists (empty: defaults)
  std::uint64_t seed = 42;  // the data set of data-dependent models (llc_gram)
};
int theory_command(const TheoryOptions& o);

int models_command(bool json);
int devices_command(bool json);
int report_command(const std::string& dir);

struct BenchOptions {
  std::string model = "mp";
  std::string sizes = "1024,2048";  // a grid of n
  std::vector<std::string> sets;
  std::string backend = "auto";
  std::string precision = "fp64";  // fp64|fp32: working precision of calibration and runs
  int repeats = 3;
  int warmup = 1;            // untimed runs per size before the timed ones
  std::string out;           // JSON file (empty: none)
  std::string command_line;  // recorded in the JSON
  bool quiet = false;
  std::string method = "dense";  // dense: per-stage timings; slq: block products (bench/bench_slq.cpp)
  std::optional<int> probes;     // slq
  std::string storage;           // slq: stored|regenerate|auto (empty: auto)
};
int bench_command(const BenchOptions& o);
int bench_slq_command(const BenchOptions& o);
struct ResolvedCase;  // bench/case.hpp
// The cases of `rmtbench bench`, one per size of --n, with --method and its SLQ settings; --repeats,
// --warmup and every case checked first (bad input exits 2 before anything is measured).
std::vector<ResolvedCase> resolve_bench_cases(const BenchOptions& o);

struct CompareOptionsCli {
  std::string base, now;
  double rel_spread = 0.25;  // CompareOptions::assumed_rel_sd
  double time_floor = 0.25;  // CompareOptions::time_floor_s
  bool ignore_timing = false;  // timings do not make the exit code 1 (shared, noisy machines)
  bool json = false;           // print compare.json on stdout instead of the table
};
// Exit 1 when any case is WORSE, else 0.
int compare_command(const CompareOptionsCli& o);

struct HistoryOptions {
  std::vector<std::string> dirs;  // run directories, oldest first
  std::string out;                // the page
  double rel_spread = 0.25;       // as CompareOptionsCli
  double time_floor = 0.25;
  bool ignore_timing = false;     // timing changes are drawn but do not count as changes
  bool quiet = false;             // no list of changed cases on stdout
};
// Writes the history page (core/results/history.hpp); 0 when written.
int history_command(const HistoryOptions& o);

struct CalibrateOptions {
  std::vector<std::string> suites;  // none: the embedded default suite
  std::vector<std::string> cases;   // --case: only these cases or sweeps
  std::string model;
  std::vector<std::string> sets;
  int seeds = 200;
  std::uint64_t first_seed = 1000;  // seeds first_seed … first_seed + seeds − 1 (fresh ones for false alarms)
  std::string out = "calibration.json";
  std::string backend = "auto";
  std::string command_line;  // recorded in the table
  bool quiet = false;
};
// Writes the null table (bench/calibration.hpp) to o.out; 0 on success.
int calibrate_command(const CalibrateOptions& o);

}  // namespace rmt::bench
