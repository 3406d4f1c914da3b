// `rmtbench run`: resolve every case first (bad input exits 2 before anything is written), pick the
// backends and check memory (exit 3 before allocating), then run the cases, appending each record
// to DIR/results.jsonl as it finishes (bench/run_log.hpp), so that `--resume DIR` can continue a run
// that was killed. Ends with DIR/convergence.json and DIR/report.html.
//
// Faults: a case that fails numerically (NaN/Inf in a sampled matrix, a theory that does not
// converge, an eigensolver failure) is recorded with verdict "fail" and an "error" key, and the run
// goes on (exit 1 at the end). Bad input (exit 2), missing resources (exit 3: memory, disk full, a
// file-size limit) and SIGINT/SIGTERM stop the run; what finished is kept whole and `--resume DIR`
// continues.
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <new>
#include <ctime>
#include <fstream>
#include <optional>
#include <filesystem>
#include <map>
#include <set>

#include <fmt/format.h>

#include "bench/case.hpp"
#include "bench/environment.hpp"
#include "bench/commands.hpp"
#include "bench/distributed_case.hpp"
#include "bench/mutation.hpp"
#include "bench/record.hpp"
#include "bench/run_command.hpp"
#include "bench/run_log.hpp"
#include "bench/shard.hpp"
#include "bench/suite.hpp"
#include "core/base/error.hpp"
#include "core/base/interrupt.hpp"
#include "core/base/parse.hpp"
#include "core/base/progress.hpp"
#include "core/base/stopwatch.hpp"
#include "core/base/utc_time.hpp"
#include "core/results/atomic_file.hpp"
#include "core/results/convergence.hpp"
#include "core/results/report.hpp"

namespace rmt::bench {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::vector<SuiteCase> select_cases(const RunOptions& o) {
  auto cases = select_suite_cases({o.suites, o.model, o.cases, o.sets}, [&](const std::string& text) {
    if (!o.quiet) fmt::print(stderr, "note: {}\n", text);
  });
  for (auto& c : cases) {
    if (!o.t.empty()) c.spec.params.emplace_back("t", o.t);
    if (o.seed) c.spec.seed = *o.seed;
    if (o.replicates) c.spec.replicates = *o.replicates;
    if (o.no_sensitivity) c.spec.sensitivity = false;
    if (o.precision != "fp64") c.spec.precision = o.precision;
    if (!o.method.empty()) c.spec.method = o.method;
    if (o.probes) c.spec.slq.probes = *o.probes;
    if (o.steps) c.spec.slq.steps = *o.steps;
    if (o.tile) c.spec.slq.tile = *o.tile;
    if (!o.storage.empty()) c.spec.slq.storage = o.storage;
    if (o.reorth) c.spec.slq.reorth = true;
    if (!o.eigensolver.empty()) c.spec.distributed.solver = o.eigensolver;
    if (o.block) c.spec.distributed.block = *o.block;
  }
  return cases;
}

// What DIR/run.json keeps of the command line, so that `run --resume DIR` alone repeats it.
json selection_json(const RunOptions& o) {
  std::vector<std::string> suites;
  for (const auto& s : o.suites) suites.push_back(fs::absolute(s).lexically_normal().string());
  json j = {{"suites", suites}, {"cases", o.cases}, {"model", o.model}, {"sets", o.sets}, {"t", o.t},
            {"backend", o.backend}, {"precision", o.precision}};
  if (o.seed) j["seed"] = *o.seed;
  if (o.replicates) j["replicates"] = *o.replicates;
  if (o.no_sensitivity) j["no_sensitivity"] = true;
  if (!o.method.empty()) j["method"] = o.method;
  if (o.probes) j["probes"] = *o.probes;
  if (o.steps) j["steps"] = *o.steps;
  if (o.tile) j["tile"] = *o.tile;
  if (!o.storage.empty()) j["storage"] = o.storage;
  if (o.reorth) j["reorth"] = true;
  if (!o.shard.empty()) j["shard"] = o.shard;  // always i/N (auto resolved)
  if (!o.eigensolver.empty()) j["eigensolver"] = o.eigensolver;
  if (o.block) j["block"] = *o.block;
  return j;
}

// `run --resume DIR` with no suite and no --model: the selection recorded in DIR/run.json, with
// whatever the command line sets on top.
RunOptions with_recorded_selection(RunOptions o) {
  if (o.resume.empty() || !o.suites.empty() || !o.model.empty()) return o;
  const auto file = fs::path(o.resume) / "run.json";
  std::ifstream in(file);
  if (!in) return o;
  const auto j = json::parse(in, nullptr, false);
  if (j.is_discarded() || !j.contains("selection") || !j["selection"].is_object())
    throw InputError(fmt::format("--resume: '{}' is not a run description", file.string()));
  const auto& s = j["selection"];
  try {
    o.suites = s.value("suites", std::vector<std::string>{});
    o.model = s.value("model", std::string());
    if (o.cases.empty()) o.cases = s.value("cases", std::vector<std::string>{});
    if (o.sets.empty()) o.sets = s.value("sets", std::vector<std::string>{});
    if (o.t.empty()) o.t = s.value("t", std::string());
    if (o.backend.empty()) o.backend = s.value("backend", std::string());
    if (o.precision == "fp64") o.precision = s.value("precision", std::string("fp64"));
    if (!o.seed && s.contains("seed")) o.seed = s["seed"].get<std::uint64_t>();
    if (!o.replicates && s.contains("replicates")) o.replicates = s["replicates"].get<int>();
    o.no_sensitivity = o.no_sensitivity || s.value("no_sensitivity", false);
    if (o.method.empty()) o.method = s.value("method", std::string());
    if (!o.probes && s.contains("probes")) o.probes = s["probes"].get<int>();
    if (!o.steps && s.contains("steps")) o.steps = s["steps"].get<int>();
    if (!o.tile && s.contains("tile")) o.tile = s["tile"].get<std::int64_t>();
    if (o.storage.empty()) o.storage = s.value("storage", std::string());
    o.reorth = o.reorth || s.value("reorth", false);
    if (o.shard.empty()) o.shard = s.value("shard", std::string());
    if (o.eigensolver.empty()) o.eigensolver = s.value("eigensolver", std::string());
    if (!o.block && s.contains("block")) o.block = s["block"].get<std::int64_t>();
  } catch (const json::exception& e) {
    throw InputError(fmt::format("--resume: '{}': {}", file.string(), e.what()));
  }
  return o;
}

struct Planned {
  SuiteCase entry;
  ResolvedCase resolved;
  Backend* backend = nullptr;  // null: skipped
  std::string skip_reason;
  std::string id;  // case_id (when it runs)
  double cost = 0;  // for the ETA: roughly the eigensolver's and the Gram matrix's flops (bench/shard.hpp)
};

// --shard: this process's shard. Given, the run directory is DIR/shards/i-of-N under --out or
// --resume DIR; `run --resume DIR/shards/i-of-N` alone takes the shard recorded in its run.json.
std::optional<ShardSpec> shard_of_run(RunOptions& o) {
  if (!o.shard.empty()) {
    auto spec = parse_shard(o.shard, process_environment());
    auto& dir = o.resume.empty() ? o.out : o.resume;
    dir = (fs::path(dir) / "shards" / shard_dir_name(spec)).string();
    o.shard = fmt::format("{}/{}", spec.index, spec.count);
    return spec;
  }
  if (o.resume.empty()) return std::nullopt;
  std::ifstream in(fs::path(o.resume) / "run.json");
  const auto j = in ? json::parse(in, nullptr, false) : json();
  const auto* recorded = j.is_object() && j.contains("selection") && j["selection"].is_object() &&
                                 j["selection"].contains("shard") && j["selection"]["shard"].is_string()
                             ? &j["selection"]["shard"]
                             : nullptr;
  if (recorded == nullptr) return std::nullopt;
  o.shard = recorded->get<std::string>();
  auto spec = parse_shard(o.shard, process_environment());
  spec.source = fmt::format("recorded in {}", (fs::path(o.resume) / "run.json").string());
  return spec;
}

// The selection with each case's shard (suite order), its hash, and the plan cut to `shard`'s cases.
json shard_plan(std::vector<Planned>& plan, const ShardSpec& shard, const std::string& hash,
                const std::vector<ShardItem>& items) {
  const auto assigned = assign_shards(items, shard.count);
  json selection = json::array();
  std::vector<Planned> mine;
  double cost = 0, total = 0;
  for (std::size_t i = 0; i < plan.size(); ++i) {
    selection.push_back({{"case", items[i].name}, {"case_id", items[i].case_id}, {"shard", assigned[i]}});
    total += items[i].cost;
    if (assigned[i] != shard.index) continue;
    cost += items[i].cost;
    mine.push_back(std::move(plan[i]));
  }
  plan = std::move(mine);
  return {{"index", shard.index},  {"count", shard.count},    {"dir", shard_dir_name(shard)},
          {"source", shard.source}, {"selection_hash", hash}, {"estimated_cost", cost},
          {"total_estimated_cost", total}, {"selection", selection}};
}

// Backends are created once per request ("auto", "cpu", "cuda"), when a case first needs one.
class Backends {
 public:
  Backends(bool quiet, const BackendFactory& make) : quiet_(quiet), make_(make) {}
  Backend& get(const std::string& request) {
    auto& b = by_request_[request];
    if (!b) {
      std::string note;
      b = make_(request, &note);
      if (!quiet_) fmt::print(stderr, "{} — {}\n", note, b->info().name);
    }
    return *b;
  }

 private:
  bool quiet_;
  const BackendFactory& make_;
  std::map<std::string, std::unique_ptr<Backend>> by_request_;
};

std::string case_backend_request(const RunOptions& o, const SuiteCase& c) {
  if (!o.backend.empty()) return o.backend;
  return c.backend.empty() ? "auto" : c.backend;
}

std::string fmt_metric(const json& metrics, const char* key) {
  if (!metrics.contains(key) || !metrics[key].is_number()) return "-";
  return fmt::format("{:.3g}", metrics[key].get<double>());
}

// The table on stdout; the case column is as wide as the longest name (sweep names are long).
void print_table_line(std::size_t width, std::string_view name, std::string_view model, std::string_view dim,
                      std::string_view ks, std::string_view w1, std::string_view edge, std::string_view stieltjes,
                      std::string_view time, std::string_view verdict) {
  fmt::print("{:<{}} {:<16} {:>7} {:>9} {:>9} {:>9} {:>10} {:>9}  {}\n", name, width, model, dim, ks, w1, edge,
             stieltjes, time, verdict);
}

void print_table_row(std::size_t width, const json& r) {
  const auto& m = r["metrics"];
  print_table_line(width, r["case"].get<std::string>(), r["model"].get<std::string>(),
                   fmt::format("{}", r["size"]["eig_dim"].get<long>()), fmt_metric(m, "ks"), fmt_metric(m, "w1"),
                   fmt_metric(m, "edge_error_tw"), fmt_metric(m, "stieltjes_error"),
                   fmt::format("{:.2f}s", r["timing"]["total_s"].get<double>()),
                   verdict_word(r));
}

// SIGINT/SIGTERM: say what is kept and how to continue, then die of the signal as before (exit
// status 128 + signal). Only whole records are ever in results.jsonl, so the case in flight leaves
// nothing behind. SIGXFSZ (the file-size limit, ulimit -f) is ignored, so that the write fails with
// a clear error instead of killing the process. The previous dispositions come back at the end.
char interrupt_message[2048];
std::size_t interrupt_length = 0;

extern "C" void on_interrupt(int sig) {
  if (interrupt_length > 0) (void)!::write(STDERR_FILENO, interrupt_message, interrupt_length);
  ::raise(sig);  // SA_RESETHAND restored the default action; delivered when this handler returns
}

class InterruptNotice {
 public:
  explicit InterruptNotice(const fs::path& dir) {
    const auto text = fmt::format(
        "\nrmtbench: interrupted; the cases finished so far are kept in {}, continue with: rmtbench run --resume {}\n",
        (dir / "results.jsonl").string(), dir.string());
    interrupt_length = std::min(text.size(), sizeof interrupt_message);
    std::memcpy(interrupt_message, text.data(), interrupt_length);
    struct sigaction action {};
    action.sa_handler = on_interrupt;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESETHAND;
    ::sigaction(SIGINT, &action, &old_int_);
    ::sigaction(SIGTERM, &action, &old_term_);
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    sigemptyset(&ignore.sa_mask);
    ::sigaction(SIGXFSZ, &ignore, &old_xfsz_);
  }
  ~InterruptNotice() {
    ::sigaction(SIGINT, &old_int_, nullptr);
    ::sigaction(SIGTERM, &old_term_, nullptr);
    ::sigaction(SIGXFSZ, &old_xfsz_, nullptr);
    interrupt_length = 0;
  }
  InterruptNotice(const InterruptNotice&) = delete;
  InterruptNotice& operator=(const InterruptNotice&) = delete;

 private:
  struct sigaction old_int_ {}, old_term_ {}, old_xfsz_ {};
};

// The record of a case that threw instead of measuring: the contract's keys, verdict "fail", the
// reason under "error", empty measurement blocks.
json failed_case_record(const Backend& backend, const ResolvedCase& c, std::string_view error, double seconds) {
  json record = run_record(backend, c, json::object(), json::object(), {}, {}, {{"total_s", seconds}});
  record["verdict"] = "fail";
  record["error"] = std::string(error);
  return record;
}

}  // namespace

int run_command(const RunOptions& given) {
  return run_command(given, [](std::string_view request, std::string* note) { return select_backend(request, note); });
}

int run_command(const RunOptions& given, const BackendFactory& make_backend) {
  RunOptions sharded = given;
  const std::optional<ShardSpec> shard = shard_of_run(sharded);
  const RunOptions o = with_recorded_selection(sharded);
  if (o.precision != "fp64" && o.precision != "fp32")
    throw InputError(fmt::format("--precision: unknown precision '{}' (expected fp64 or fp32)", o.precision));
  if (!o.backend.empty() && o.backend != "auto" && o.backend != "cpu" && o.backend != "cuda")
    throw InputError(fmt::format("--backend: unknown backend '{}' (expected auto, cpu or cuda)", o.backend));

  std::vector<Planned> plan;
  for (auto& c : select_cases(o)) {
    Planned p;
    p.resolved = resolve_case(c.spec);
    p.entry = std::move(c);
    plan.push_back(std::move(p));
  }
  // Both would claim the MPI ranks: shards split the cases over them, distributed splits one matrix.
  if (shard)
    for (const auto& p : plan)
      if (p.resolved.spec.method == "distributed")
        throw InputError(fmt::format("--shard: case '{}' uses method = distributed, which needs every MPI rank on "
                                     "the same matrix (run it without --shard)",
                                     p.entry.spec.name));
  std::vector<ShardItem> items;
  for (const auto& p : plan)
    items.push_back({p.entry.spec.name, selection_case_id(p.resolved), estimated_cost(p.resolved)});
  const auto hash = selection_hash(items);
  json shard_info;
  if (shard) {
    shard_info = shard_plan(plan, *shard, hash, items);
    if (!o.quiet)
      fmt::print(stderr, "shard {} ({}): {} of {} cases, estimated cost {:.3g} of {:.3g}\n", shard_dir_name(*shard),
                 shard->source, plan.size(), items.size(), shard_info["estimated_cost"].get<double>(),
                 shard_info["total_estimated_cost"].get<double>());
    // One GPU per shard, chosen before any backend is made (bench/shard.hpp); --backend cpu touches
    // no device (cudaSetDevice creates a context).
    if (o.backend != "cpu") {
      const auto device = choose_cuda_device(process_environment(), cuda_device_count());
      if (device.device) set_cuda_device(*device.device);
      if (!o.quiet && !device.note.empty()) fmt::print(stderr, "{}\n", device.note);
    }
  }

  // method = distributed (bench/distributed_case.hpp): MPI starts here; ranks other than 0 only draw
  // what rank 0 asks for, and write nothing.
  std::vector<const ResolvedCase*> resolved;
  for (const auto& p : plan) resolved.push_back(&p.resolved);
  const auto distributed = start_distributed_run(resolved);
  if (distributed && distributed->rank() != 0) return distributed->serve();

  // Backends and memory, before anything is written.
  Backends backends(o.quiet, make_backend);
  std::optional<CudaProbe> probe;
  for (auto& p : plan) {
    std::string request = case_backend_request(o, p.entry);
    if (p.entry.needs == "cuda") {
      if (!probe) probe = probe_cuda();
      if (request == "cpu") {
        p.skip_reason = "requires cuda; this run uses the cpu backend";
        continue;
      }
      if (!probe->usable) {
        p.skip_reason = fmt::format("requires cuda; no usable CUDA device ({})", probe->reason);
        continue;
      }
      request = "cuda";
    }
    if (p.resolved.spec.method == "distributed") {  // ScaLAPACK and ELPA on the CPU of every rank
      if (request == "cuda")
        throw InputError(fmt::format("case '{}': method = distributed runs on the CPU ranks (--backend cpu)", p.entry.spec.name));
      request = "cpu";
    }
    p.backend = &backends.get(request);
    check_memory(p.resolved, *p.backend);
    p.id = case_id(p.resolved, p.backend->name());
    p.cost = estimated_cost(p.resolved, slq_probes(p.resolved, *p.backend));
  }

  const fs::path out(o.resume.empty() ? o.out : o.resume);
  const bool resume = !o.resume.empty();
  fs::create_directories(out / "eigs");
  RunLog log(out, resume);
  std::optional<InterruptNotice> interrupt_notice;
  if (o.handle_signals) interrupt_notice.emplace(out);
  if (!resume)
    for (const char* stale : {"convergence.json", "compare.json"}) fs::remove(out / stale);

  json skipped = json::array();
  std::size_t to_run = 0, recorded = 0;
  double total_cost = 0;
  for (const auto& p : plan) {
    if (!p.backend) {
      skipped.push_back({{"case", p.entry.spec.name}, {"model", p.entry.spec.model}, {"reason", p.skip_reason}});
    } else if (log.find(p.id, p.entry.spec.name)) {
      ++recorded;
    } else {
      ++to_run;
      total_cost += p.cost;
    }
  }
  json run_info = {{"schema_version", 1},
                  {"started", utc_timestamp("%Y-%m-%dT%H:%M:%SZ")},
                  {"resumed", resume},
                  {"selection", selection_json(o)},
                  {"selection_hash", hash},
                  {"environment", environment_json()},
                  {"skipped", skipped}};
  if (shard) run_info["shard"] = shard_info;
  write_file_atomically(out / "run.json", run_info.dump(2));

  Progress progress(Progress::mode_for(o.quiet), to_run, total_cost);
  if (resume)
    progress.note(fmt::format("resuming {}: {} case{} already recorded, {} to run{}", out.string(), recorded,
                              recorded == 1 ? "" : "s", to_run,
                              log.dropped_partial_line() ? " (dropped an interrupted last line)" : ""));
  std::size_t width = 28;
  for (const auto& p : plan) width = std::max(width, p.entry.spec.name.size());
  if (!o.json && o.print_records)
    progress.print_above([&] {
      print_table_line(width, "case", "model", "dim", "ks", "w1", "edge_tw", "stieltjes", "time", "verdict");
      std::fflush(stdout);
    });

  int failed = 0;
  std::size_t measured = 0;
  for (const auto& p : plan) {
    const auto& name = p.entry.spec.name;
    if (!p.backend) {
      progress.note(fmt::format("skipped {}: {}", name, p.skip_reason));
      if (!o.json && o.print_records)
        progress.print_above([&] {
          print_table_line(width, name, p.entry.spec.model, "-", "-", "-", "-", "-", "-", "SKIP (" + p.skip_reason + ")");
          std::fflush(stdout);
        });
      continue;
    }
    json record;
    if (const json* done = log.find(p.id, name)) {
      record = *done;
    } else {
      const auto& s = p.resolved.sizes;
      progress.start(name,
                     fmt::format("{}, {}x{}, {} replicate{}", p.entry.spec.model, s.rows, s.cols,
                                 p.entry.spec.replicates, p.entry.spec.replicates > 1 ? "s" : ""),
                     p.cost);
      const auto start = std::chrono::steady_clock::now();
      const auto seconds = [&] { return seconds_since(start); };
      const auto stopped = [&](const std::exception& e) {  // a fault that ends the run: keep what is done
        const auto kept = log.records().size();
        return fmt::format("{}; the {} finished case{} kept in {}, continue with: rmtbench run --resume {}", e.what(),
                           kept, kept == 1 ? " is" : "s are", (out / "results.jsonl").string(), out.string());
      };
      try {
        try {
          record = run_case(*p.backend, p.resolved, out);
        } catch (const InputError&) {
          throw;
        } catch (const Interrupted&) {  // the embedding host asked to stop (core/base/interrupt.hpp)
          throw;
        } catch (const ResourceError&) {
          throw;
        } catch (const BackendUnavailable&) {
          throw;
        } catch (const std::bad_alloc&) {
          throw;
        } catch (const std::exception& e) {  // numerical failure of this case: record it, go on
          record = failed_case_record(*p.backend, p.resolved, e.what(), seconds());
          progress.print_above([&] { fmt::print(stderr, "rmtbench: case '{}' failed: {}\n", name, e.what()); });
        }
        record["case_id"] = p.id;
        if (!p.entry.sweep.empty()) record["sweep"] = {{"name", p.entry.sweep}, {"axes", p.entry.sweep_axes}};
        log.append(record);
      } catch (const ResourceError& e) {
        throw ResourceError(stopped(e));
      } catch (const std::bad_alloc&) {
        throw ResourceError(stopped(std::runtime_error("out of host memory")));
      }
      ++measured;
      progress.finish(name, verdict_word(record), seconds(), p.cost);
    }
    if (record_fails_run(record)) ++failed;  // a mutation counts by whether it was caught (bench/mutation.hpp)
    if (o.print_records)
      progress.print_above([&] {
        if (o.json) fmt::print("{}\n", record_line(record));
        else print_table_row(width, record);
        std::fflush(stdout);
      });
  }

  write_file_atomically(out / "convergence.json", convergence_json(convergence_studies(log.records())).dump(2));
  write_report(out);
  const auto ran = plan.size() - skipped.size();
  progress.note(fmt::format("{} case{}, {} failed{}{}; results in {}, report {}", ran, ran == 1 ? "" : "s", failed,
                            skipped.empty() ? "" : fmt::format(", {} skipped", skipped.size()),
                            resume ? fmt::format(", {} measured now", measured) : "",
                            (out / "results.jsonl").string(), (out / "report.html").string()));
  return failed > 0 ? 1 : 0;
}

}  // namespace rmt::bench
