// `rmtbench compare BASE_DIR NEW_DIR`: regression verdicts per case (core/results/run_compare.hpp), printed
// as a table, written to NEW_DIR/compare.json and shown in NEW_DIR/report.html. Exit 1 on WORSE.
#include <cstdio>
#include <filesystem>

#include <fmt/format.h>

#include "bench/commands.hpp"
#include "core/results/atomic_file.hpp"
#include "core/base/error.hpp"
#include "core/results/jsonl.hpp"
#include "core/results/run_compare.hpp"
#include "core/results/report.hpp"

namespace rmt::bench {

namespace {

namespace fs = std::filesystem;

std::vector<nlohmann::json> records_of(const std::string& dir) {
  const auto file = fs::path(dir) / "results.jsonl";
  if (!fs::exists(file)) throw InputError(fmt::format("compare: '{}' has no results.jsonl", dir));
  return read_jsonl(file).records;
}

std::string value_text(const std::optional<double>& v) { return v ? fmt::format("{:.3g}", *v) : "-"; }

// The items that are not SAME, e.g. "ks 0.0031→0.0062 (4.1 se) WORSE; total_s 1.2→3.1 WORSE".
std::string change_text(const CaseChange& c) {
  std::string out;
  for (const auto* items : {&c.metrics, &c.timing})
    for (const auto& i : *items) {
      if (i.change == Change::same) continue;
      std::string detail = i.key == "verdict" ? i.basis
                                              : fmt::format("{}→{}", value_text(i.base), value_text(i.now));
      if (i.z) detail += fmt::format(", {:.1f} se", *i.z);
      out += fmt::format("{}{} {} {}", out.empty() ? "" : "; ", i.key, detail, change_word(i.change));
    }
  return out.empty() ? "-" : out;
}

}  // namespace

int compare_command(const CompareOptionsCli& cli) {
  if (!(cli.rel_spread > 0)) throw InputError(fmt::format("--rel-spread: {} must be > 0", cli.rel_spread));
  if (!(cli.time_floor >= 0)) throw InputError(fmt::format("--time-floor: {} must be >= 0", cli.time_floor));
  CompareOptions options;
  options.assumed_rel_sd = cli.rel_spread;
  options.time_floor_s = cli.time_floor;
  options.timing_gates = !cli.ignore_timing;
  const auto base = records_of(cli.base);
  const auto now = records_of(cli.now);
  const Comparison cmp = compare_runs(base, now, options);
  const auto j = comparison_json(cmp, options, cli.base, cli.now);
  write_file_atomically(fs::path(cli.now) / "compare.json", j.dump(2));
  write_report(cli.now);  // the report's comparison section reads compare.json

  if (cli.json) {
    fmt::print("{}\n", j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  } else {
    fmt::print("{:<32} {:<10} {:<12} {}\n", "case", "verdict", "status", "changes");
    for (const auto& c : cmp.cases)
      fmt::print("{:<32} {:<10} {:<12} {}\n", c.name, change_word(c.overall),
                 c.base_verdict == c.new_verdict ? c.new_verdict : c.base_verdict + "→" + c.new_verdict, change_text(c));
    for (const auto& n : cmp.only_base) fmt::print("{:<32} {:<10} only in {}\n", n, "-", cli.base);
    for (const auto& n : cmp.only_new) fmt::print("{:<32} {:<10} only in {}\n", n, "-", cli.now);
  }
  std::map<std::string, int> counts;
  for (const auto& c : cmp.cases) ++counts[change_word(c.overall)];
  fmt::print(stderr, "compare: {} matched case{}: {} SAME, {} BETTER, {} AMBIGUOUS, {} WORSE{}; {} only in base, {} new; {}\n",
             cmp.cases.size(), cmp.cases.size() == 1 ? "" : "s", counts["SAME"], counts["BETTER"], counts["AMBIGUOUS"],
             counts["WORSE"], options.timing_gates ? "" : " (timings do not gate)", cmp.only_base.size(),
             cmp.only_new.size(), (fs::path(cli.now) / "compare.json").string());
  return cmp.any_worse(options.timing_gates) ? 1 : 0;
}

}  // namespace rmt::bench
