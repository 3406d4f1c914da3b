// `rmtbench run`: resolve every case first (bad input exits 2 before anything is written), check
// memory (exit 3 before allocating), then run the cases, writing results atomically after each.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>

#include <fmt/format.h>

#include "bench/case.hpp"
#include "bench/commands.hpp"
#include "bench/suite.hpp"
#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/parse.hpp"
#include "core/report.hpp"

namespace rmt::bench {

namespace {

Assignments parse_sets(const std::vector<std::string>& sets) {
  Assignments out;
  for (const auto& s : sets) out.push_back(parse_assignment(s, "--set"));
  return out;
}

std::vector<CaseSpec> select_cases(const RunOptions& o) {
  const Assignments sets = parse_sets(o.sets);
  std::vector<CaseSpec> cases;
  if (!o.model.empty()) {
    if (!o.suites.empty()) throw InputError("--model: give either suite files or --model, not both");
    CaseSpec spec;
    spec.name = o.model;
    for (const auto& [k, v] : sets) spec.name += fmt::format("_{}={}", k, v);
    spec.model = o.model;
    cases.push_back(spec);
  } else if (o.suites.empty()) {
    cases = default_suite();
  } else {
    for (const auto& path : o.suites)
      for (auto& c : load_suite(path)) cases.push_back(std::move(c));
  }
  if (!o.cases.empty()) {
    std::vector<CaseSpec> chosen;
    for (const auto& name : o.cases) {
      const auto it = std::find_if(cases.begin(), cases.end(), [&](const CaseSpec& c) { return c.name == name; });
      if (it == cases.end()) throw InputError(fmt::format("--case: no case named '{}'", name));
      chosen.push_back(*it);
    }
    cases = std::move(chosen);
  }
  for (auto& c : cases) {
    c.params.insert(c.params.end(), sets.begin(), sets.end());
    if (o.seed) c.seed = *o.seed;
    if (o.replicates) c.replicates = *o.replicates;
    if (o.precision != "fp64") c.precision = o.precision;
  }
  return cases;
}

std::string fmt_metric(const nlohmann::json& metrics, const char* key) {
  if (!metrics.contains(key)) return "-";
  return fmt::format("{:.3g}", metrics[key].get<double>());
}

void print_table_row(const nlohmann::json& r) {
  const auto& m = r["metrics"];
  fmt::print("{:<28} {:<16} {:>7} {:>9} {:>9} {:>9} {:>10} {:>8.2f}s  {}\n", r["case"].get<std::string>(),
             r["model"].get<std::string>(), r["size"]["eig_dim"].get<long>(), fmt_metric(m, "ks"), fmt_metric(m, "w1"),
             fmt_metric(m, "edge_error_tw"), fmt_metric(m, "stieltjes_error"), r["timing"]["total_s"].get<double>(),
             r["verdict"].get<std::string>() == "pass" ? "PASS" : "FAIL");
}

}  // namespace

int run_command(const RunOptions& o) {
  if (o.precision != "fp64" && o.precision != "fp32")
    throw InputError(fmt::format("--precision: unknown precision '{}' (expected fp64 or fp32)", o.precision));
  std::vector<ResolvedCase> cases;
  for (const auto& spec : select_cases(o)) cases.push_back(resolve_case(spec));

  std::string note;
  auto backend = select_backend(o.backend, &note);
  if (!o.quiet) fmt::print(stderr, "{} — {}\n", note, backend->info().name);
  for (const auto& c : cases) check_memory(c, *backend);

  const std::filesystem::path out(o.out);
  std::filesystem::create_directories(out / "eigs");
  std::string jsonl;
  int failed = 0;
  if (!o.json)
    fmt::print("{:<28} {:<16} {:>7} {:>9} {:>9} {:>9} {:>10} {:>9}  {}\n", "case", "model", "dim", "ks", "w1",
               "edge_tw", "stieltjes", "time", "verdict");
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const auto& c = cases[i];
    if (!o.quiet)
      fmt::print(stderr, "[{}/{}] {} ({}, {}x{}, {} replicate{}) ...\n", i + 1, cases.size(), c.spec.name,
                 c.spec.model, c.sizes.rows, c.sizes.cols, c.spec.replicates, c.spec.replicates > 1 ? "s" : "");
    const nlohmann::json record = run_case(*backend, c, out);
    const std::string line = record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    jsonl += line + "\n";
    write_file_atomically(out / "results.jsonl", jsonl);
    if (record["verdict"] != "pass") ++failed;
    if (o.json) {
      fmt::print("{}\n", line);
    } else {
      print_table_row(record);
    }
    std::fflush(stdout);
  }
  write_report(out);
  if (!o.quiet)
    fmt::print(stderr, "{} case{}, {} failed; results in {}, report {}\n", cases.size(), cases.size() == 1 ? "" : "s",
               failed, (out / "results.jsonl").string(), (out / "report.html").string());
  return failed > 0 ? 1 : 0;
}

}  // namespace rmt::bench
