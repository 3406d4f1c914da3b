// rmtbench command line: parses arguments with CLI11 and maps errors to exit codes
// (2 bad input, 3 resources, 1 anything else; docs/architecture.md).
#include <cstdio>
#include <iostream>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "bench/commands.hpp"
#include "core/base/error.hpp"
#include "core/base/parse.hpp"

namespace {

int fail(int code, std::string_view message) {
  fmt::print(stderr, "rmtbench: error: {}\n", message);
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace rmt::bench;
  CLI::App app{"rmtbench: random-matrix theory versus large sampled spectra, on CPU and GPU"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "rmtbench 0.1.0");

  RunOptions run;
  auto* run_cmd = app.add_subcommand("run", "sample spectra, compare with theory, write results and a report");
  run_cmd->add_option("suites", run.suites, "suite files (TOML); none: the embedded default suite");
  run_cmd->add_option("--case", run.cases, "run only the named cases of the suites");
  run_cmd->add_option("--model", run.model, "run one ad-hoc case of this model");
  run_cmd->add_option("--set", run.sets, "model parameter KEY=VALUE (repeatable)");
  run_cmd->add_option("--backend", run.backend, "auto|cpu|cuda (default: the suite's backend per case, else auto)");
  run_cmd->add_option("--precision", run.precision, "fp64|fp32: working precision of the sampled matrices (theory stays fp64; learning-curve models need fp64)")->capture_default_str();
  run_cmd->add_option("--seed", run.seed, "random seed (overrides the suite)");
  run_cmd->add_option("--replicates", run.replicates, "independent draws per case (overrides the suite)");
  run_cmd->add_flag("--no-sensitivity", run.no_sensitivity,
                    "skip the sensitivity search (its values are null; verdicts do not depend on it)");
  run_cmd->add_option("--method", run.method, "dense|slq|distributed: all eigenvalues of the dense matrix, stochastic Lanczos quadrature of the matrix-free operator, or the dense matrix across MPI ranks (under mpirun; overrides the suite)")
      ->check(CLI::IsMember({"dense", "slq", "distributed"}));
  run_cmd->add_option("--eigensolver", run.eigensolver, "distributed: elpa|pdsyevr (default elpa, two-stage)")
      ->check(CLI::IsMember({"elpa", "pdsyevr"}));
  run_cmd->add_option("--block", run.block, "distributed: block-cyclic block size (default 64)")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{4096}));
  run_cmd->add_option("--probes", run.probes, "SLQ: Rademacher probes per replicate (default 16 on the CPU, 32 on CUDA)")->check(CLI::Range(2, 4096));
  run_cmd->add_option("--steps", run.steps, "SLQ: Lanczos steps per probe (default 200)")->check(CLI::Range(2, 100000));
  run_cmd->add_option("--storage", run.storage, "SLQ: stored|regenerate|auto (default auto: stored when it fits)")
      ->check(CLI::IsMember({"auto", "stored", "regenerate"}));
  run_cmd->add_option("--tile", run.tile, "SLQ, regenerate: feature columns per tile (default: about 2^24 elements)")
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{1} << 40));
  run_cmd->add_flag("--reorth", run.reorth, "SLQ: full reorthogonalisation (memory O(steps·dim·probes))");
  run_cmd->add_option("--t", run.t, "times T1,T2,... for dynamics models (the parameter t of every case)");
  auto* out_opt = run_cmd->add_option("--out", run.out, "output directory")->capture_default_str();
  run_cmd->add_option("--resume", run.resume, "continue the run in DIR: skip the cases it has recorded")
      ->option_text("DIR")
      ->excludes(out_opt);
  run_cmd->add_option("--shard", run.shard,
                      "run shard i of N (1 <= i <= N) of the selection into DIR/shards/i-of-N, or auto: from "
                      "SLURM_ARRAY_TASK_ID, SLURM_PROCID, OMPI_COMM_WORLD_RANK or PMI_RANK; then rmtbench merge DIR")
      ->option_text("i/N|auto");
  run_cmd->add_flag("--json", run.json, "print one JSON record per case on stdout");
  run_cmd->add_flag("--quiet", run.quiet, "no progress on stderr");

  TheoryOptions theory;
  auto* theory_cmd = app.add_subcommand("theory", "print the theoretical prediction of a model as JSON");
  theory_cmd->add_option("model", theory.model, "model name")->required();
  theory_cmd->add_option("--set", theory.sets, "model parameter KEY=VALUE (repeatable)");
  // Left out, --x/--z/--t mean the defaults; given, they must hold at least one point.
  const std::vector<const CLI::Option*> theory_lists = {
      theory_cmd->add_option("--x", theory.x, "real points for the density, X1,X2,..."),
      theory_cmd->add_option("--z", theory.z, "complex points for the Stieltjes transform, a+bi,..."),
      theory_cmd->add_option("--t", theory.t, "times (dynamics models)")};
  theory_cmd->add_option("--seed", theory.seed, "seed of the data set, for data-dependent models (llc_gram)")
      ->capture_default_str();

  bool models_json = false;
  auto* models_cmd = app.add_subcommand("models", "list models, parameters, defaults and ranges");
  models_cmd->add_flag("--json", models_json, "JSON output");

  bool devices_json = false;
  auto* devices_cmd = app.add_subcommand("devices", "list backends and devices");
  devices_cmd->add_flag("--json", devices_json, "JSON output");

  CompareOptionsCli compare;
  auto* compare_cmd = app.add_subcommand("compare", "regression verdicts of NEW_DIR against BASE_DIR (exit 1 on WORSE)");
  compare_cmd->add_option("base", compare.base, "baseline run directory")->required();
  compare_cmd->add_option("new", compare.now, "new run directory (gets compare.json and a report section)")->required();
  compare_cmd->add_option("--rel-spread", compare.rel_spread,
                          "per-replicate spread of a metric, relative to its value, when records carry none")
      ->capture_default_str();
  compare_cmd->add_option("--time-floor", compare.time_floor, "timing changes below this many seconds are SAME")
      ->capture_default_str();
  compare_cmd->add_flag("--ignore-timing", compare.ignore_timing,
                        "timings are judged and shown, but only metrics and verdicts decide the exit code");
  compare_cmd->add_flag("--json", compare.json, "print compare.json on stdout");

  HistoryOptions history;
  auto* history_cmd = app.add_subcommand("history", "trend of run directories (oldest first) as one HTML page, WORSE points marked");
  history_cmd->add_option("dirs", history.dirs, "run directories, oldest first")->required();
  history_cmd->add_option("--out", history.out, "the page to write (FILE.html)")->required();
  history_cmd->add_option("--rel-spread", history.rel_spread, "as for compare")->capture_default_str();
  history_cmd->add_option("--time-floor", history.time_floor, "as for compare")->capture_default_str();
  history_cmd->add_flag("--ignore-timing", history.ignore_timing, "timing changes are drawn but do not count as changes");
  history_cmd->add_flag("--quiet", history.quiet, "no list of changed cases on stdout");

  std::string report_dir;
  auto* report_cmd = app.add_subcommand("report", "rebuild DIR/report.html from DIR/results.jsonl");
  report_cmd->add_option("dir", report_dir, "run directory")->required();

  std::string merge_dir;
  auto* merge_cmd = app.add_subcommand("merge", "merge DIR/shards/*/ into DIR/results.jsonl and DIR/report.html (exit 1 on a missing or duplicated case)");
  merge_cmd->add_option("dir", merge_dir, "run directory of a sharded run (--out of its shards)")->required();

  rmt::bench::BenchOptions bench;
  for (int i = 0; i < argc; ++i) bench.command_line += (i ? " " : "") + std::string(argv[i]);
  auto* bench_cmd = app.add_subcommand("bench", "time each stage of a model's pipeline against the backend's GEMM rate");
  bench_cmd->add_option("--model", bench.model, "spectral model")->capture_default_str();
  bench_cmd->add_option("--n", bench.sizes, "sizes n, a list or a:b:klog grid")->capture_default_str();
  bench_cmd->add_option("--set", bench.sets, "model parameter KEY=VALUE (repeatable)");
  bench_cmd->add_option("--backend", bench.backend, "auto|cpu|cuda")->capture_default_str();
  bench_cmd->add_option("--precision", bench.precision, "fp64|fp32: working precision of the matrices")->capture_default_str();
  bench_cmd->add_option("--repeats", bench.repeats, "timed runs per size after the warm-up (median)")->capture_default_str();
  bench_cmd->add_option("--warmup", bench.warmup, "untimed runs per size first (0: only the calibration warms up)")->capture_default_str();
  bench_cmd->add_option("--out", bench.out, "write the JSON results to this file");
  bench_cmd->add_flag("--quiet", bench.quiet, "no progress on stderr");
  bench_cmd->add_option("--method", bench.method, "dense: stage timings; slq: block products of the matrix-free operator")
      ->check(CLI::IsMember({"dense", "slq"}))->capture_default_str();
  bench_cmd->add_option("--probes", bench.probes, "slq: probes per block (default 16 on the CPU, 32 on CUDA)")->check(CLI::Range(2, 4096));
  bench_cmd->add_option("--storage", bench.storage, "slq: stored|regenerate|auto")->check(CLI::IsMember({"auto", "stored", "regenerate"}));

  CalibrateOptions calibrate;
  calibrate.command_line = "rmtbench";
  for (int i = 1; i < argc; ++i) calibrate.command_line += " " + std::string(argv[i]);
  auto* calibrate_cmd =
      app.add_subcommand("calibrate", "null distributions of the metrics of spectral cases over many seeds (the calibration table)");
  calibrate_cmd->add_option("suites", calibrate.suites, "suite files (TOML); none: the embedded default suite");
  calibrate_cmd->add_option("--case", calibrate.cases, "only the named cases or sweeps of the suites");
  calibrate_cmd->add_option("--model", calibrate.model, "calibrate one ad-hoc case of this model");
  calibrate_cmd->add_option("--set", calibrate.sets, "model parameter KEY=VALUE (repeatable)");
  calibrate_cmd->add_option("--seeds", calibrate.seeds, "seeds per case and size (one draw each)")->capture_default_str();
  calibrate_cmd->add_option("--first-seed", calibrate.first_seed, "the seeds are FIRST, FIRST+1, ...")->capture_default_str();
  calibrate_cmd->add_option("--backend", calibrate.backend, "auto|cpu|cuda")->capture_default_str();
  calibrate_cmd->add_option("--out", calibrate.out, "the table (JSON), written atomically after every size")->capture_default_str();
  calibrate_cmd->add_flag("--quiet", calibrate.quiet, "no progress on stderr");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    return fail(2, e.what());
  }

  try {
    if (*run_cmd) return run_command(run);
    if (*theory_cmd) {
      for (const auto* list : theory_lists)
        if (list->count() > 0 && rmt::trim(list->as<std::string>()).empty())
          return fail(2, fmt::format("{}: the list is empty (give at least one point, or leave {} out for the defaults)",
                                     list->get_name(), list->get_name()));
      return theory_command(theory);
    }
    if (*models_cmd) return models_command(models_json);
    if (*devices_cmd) return devices_command(devices_json);
    if (*report_cmd) return report_command(report_dir);
    if (*compare_cmd) return compare_command(compare);
    if (*history_cmd) return history_command(history);
    if (*merge_cmd) return merge_command(merge_dir);
    if (*bench_cmd) return bench.method == "slq" ? bench_slq_command(bench) : bench_command(bench);
    if (*calibrate_cmd) return calibrate_command(calibrate);
  } catch (const rmt::InputError& e) {
    return fail(2, e.what());
  } catch (const rmt::ResourceError& e) {
    return fail(3, e.what());
  } catch (const rmt::BackendUnavailable& e) {
    return fail(3, e.what());
  } catch (const std::bad_alloc&) {
    return fail(3, "out of host memory");
  } catch (const std::exception& e) {
    return fail(1, e.what());
  }
  return 1;
}
