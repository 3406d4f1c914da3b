// `rmtbench calibrate`: the null distribution of every metric of spectral cases over S seeds
// (bench/calibration.hpp, docs/architecture.md "Calibration"). Every draw goes through the normal case
// path (build_theory, the model's sampler on the backend, measure_one_draw), one replicate per seed,
// seeds first_seed, first_seed + 1, …. Cases with the same model and parameters other than n form one
// table entry with one size per n; two sizes or more get a fitted rate |metric| ∝ d^-rate.
// The table is rewritten atomically after every size, so an interrupted run leaves the sizes it finished.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <set>

#include <fmt/format.h>

#include "bench/calibration.hpp"
#include "bench/commands.hpp"
#include "bench/spectral_case.hpp"
#include "bench/suite.hpp"
#include "core/base/error.hpp"
#include "core/base/parse.hpp"
#include "core/base/stopwatch.hpp"
#include "core/base/utc_time.hpp"
#include "core/results/atomic_file.hpp"

namespace rmt::bench {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct Job {
  ResolvedCase resolved;
  std::string key;
};

std::string size_command(const CalibrateOptions& o, const ResolvedCase& c) {
  return fmt::format("rmtbench calibrate --model {}{} --seeds {} --first-seed {} --backend {}", c.spec.model,
                     c.params.as_set_args(), o.seeds, o.first_seed, o.backend);
}

}  // namespace

int calibrate_command(const CalibrateOptions& o) {
  if (o.seeds < 3) throw InputError(fmt::format("--seeds: {} is too few (at least 3; 200 for a committed table)", o.seeds));
  if (o.backend != "auto" && o.backend != "cpu" && o.backend != "cuda")
    throw InputError(fmt::format("--backend: unknown backend '{}' (expected auto, cpu or cuda)", o.backend));
  if (o.out.empty()) throw InputError("--out: give a file name");

  // Resolve everything first: bad input exits 2 before anything runs or is written.
  std::vector<Job> jobs;
  std::set<std::string> seen;  // key + n: a nightly sweep point may repeat a default case's size
  std::vector<std::string> notes;
  for (auto& sc : select_suite_cases({o.suites, o.model, o.cases, o.sets})) {
    auto spec = sc.spec;
    spec.replicates = 1;
    spec.tolerance.clear();
    ResolvedCase c = resolve_case(spec);
    if (c.kind != CaseKind::spectral) {
      notes.push_back(fmt::format("skipped {}: a learning-curve case (not calibrated)", spec.name));
      continue;
    }
    if (sc.needs == "cuda" && o.backend != "cuda") {
      notes.push_back(fmt::format("skipped {}: requires cuda (--backend cuda to calibrate it)", spec.name));
      continue;
    }
    Job j{std::move(c), ""};
    j.key = CalibrationTable::key(j.resolved.spec.model, j.resolved.params);
    if (!seen.insert(fmt::format("{}#{}", j.key, j.resolved.params.integer("n"))).second) continue;
    jobs.push_back(std::move(j));
  }
  if (jobs.empty()) throw InputError("calibrate: no spectral case selected");
  // Entries in the order they first appear; within one, ascending n (cheap sizes first).
  std::map<std::string, std::size_t> first;
  for (const auto& j : jobs) first.try_emplace(j.key, first.size());
  std::stable_sort(jobs.begin(), jobs.end(), [&](const Job& a, const Job& b) {
    const auto ka = first.at(a.key), kb = first.at(b.key);
    return ka != kb ? ka < kb : a.resolved.params.integer("n") < b.resolved.params.integer("n");
  });

  std::string note;
  auto backend = select_backend(o.backend, &note);
  if (!o.quiet) {
    fmt::print(stderr, "{} — {}\n", note, backend->info().name);
    for (const auto& n : notes) fmt::print(stderr, "{}\n", n);
  }
  for (const auto& j : jobs) check_memory(j.resolved, *backend);

  json table = {{"schema_version", 1},
                {"command", o.command_line},
                {"created", utc_timestamp("%Y-%m-%dT%H:%M:%SZ")},
                {"backend", backend->name()},
                {"device", backend->info().name},
                {"precision", "fp64"},
                {"false_alarm_rate", kFalseAlarmRate},
                {"rule", "tolerance = Gumbel (moments) quantile at 1 - false_alarm_rate/len(judged) of |metric|, "
                         "sd raised by 1 + 2/sqrt(2(seeds-1)) and divided by sqrt(replicates) (bench/calibration.hpp)"},
                {"complete", false},
                {"entries", json::array()}};
  std::map<std::string, std::size_t> entry_of;  // key -> index in table["entries"]
  const fs::path out(o.out);
  if (out.has_parent_path()) fs::create_directories(out.parent_path());

  for (std::size_t k = 0; k < jobs.size(); ++k) {
    ResolvedCase c = jobs[k].resolved;
    const auto n = c.params.integer("n");
    const auto d = c.sizes.eig_dim;
    if (!o.quiet)
      fmt::print(stderr, "[{}/{}] {} n={} (d={}): {} seeds from {}\n", k + 1, jobs.size(), jobs[k].key, n, d, o.seeds,
                 o.first_seed);
    const auto start = std::chrono::steady_clock::now();
    std::map<std::string, std::vector<double>> values;
    std::vector<std::string> judged;
    for (int s = 0; s < o.seeds; ++s) {
      c.spec.seed = o.first_seed + static_cast<std::uint64_t>(s);
      const SpectralTheory t = build_theory(c);  // data-dependent laws (llc_gram, rff) change with the seed
      if (s == 0)
        for (const auto& [metric, tol] : default_tolerances(c, t)) judged.push_back(metric);
      for (const auto& [metric, v] : measure_one_draw(*backend, c, t, 0)) values[metric].push_back(v);
      if (!o.quiet && (s + 1) % std::max(1, o.seeds / 4) == 0 && s + 1 < o.seeds)
        fmt::print(stderr, "  {} / {} seeds, {:.1f} s\n", s + 1, o.seeds,
                   seconds_since(start));
    }
    const double seconds = seconds_since(start);
    json metrics = json::object();
    for (const auto& [metric, v] : values)
      if (metric != "unpredicted_outliers") metrics[metric] = null_summary(v);

    auto [it, fresh] = entry_of.try_emplace(jobs[k].key, table["entries"].size());
    if (fresh) {
      json params = c.params.to_json();
      params.erase("n");
      table["entries"].push_back({{"key", jobs[k].key},
                                  {"model", c.spec.model},
                                  {"params", params},
                                  {"case", c.spec.name},
                                  {"nonlinear", c.model->finite_size_factor() > 1.0},
                                  {"judged", judged},
                                  {"sizes", json::array()}});
    }
    auto& entry = table["entries"][it->second];
    entry["sizes"].push_back({{"n", n},
                              {"d", d},
                              {"seeds", o.seeds},
                              {"first_seed", o.first_seed},
                              {"seconds", seconds},
                              {"command", size_command(o, c)},
                              {"metrics", metrics}});
    entry["fit"] = fit_rates(entry["sizes"], entry["nonlinear"].get<bool>());
    table["complete"] = k + 1 == jobs.size();
    write_file_atomically(out, table.dump(1) + "\n");
    if (!o.quiet) {
      fmt::print(stderr, "  done in {:.1f} s\n", seconds);
      for (const auto& [metric, m] : metrics.items())
        fmt::print(stderr, "    {:<24} mean {:.3e}  sd {:.3e}  q99 {:.3e}  gumbel_q99 {:.3e}  max {:.3e}\n", metric,
                   m["mean"].get<double>(), m["sd"].get<double>(), m["q99"].get<double>(),
                   m["gumbel_q99"].get<double>(), m["max"].get<double>());
    }
  }
  if (!o.quiet) fmt::print(stderr, "calibration table written to {}\n", out.string());
  return 0;
}

}  // namespace rmt::bench
