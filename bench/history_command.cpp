// `rmtbench history DIR... --out FILE.html`: the runs in DIR... (oldest first) as a trend
// (core/results/history.hpp): each run judged against the one before by `compare`'s rules, written
// as one self-contained page. Exit 0 when the page is written; WORSE points are shown, not gated
// (`compare` gates each night).
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "bench/commands.hpp"
#include "core/base/error.hpp"
#include "core/base/utc_time.hpp"
#include "core/results/atomic_file.hpp"
#include "core/results/history.hpp"
#include "core/results/jsonl.hpp"

namespace rmt::bench {

namespace {

namespace fs = std::filesystem;

HistoryRun load_run(const std::string& dir, const fs::path& page_dir) {
  const fs::path path(dir);
  const auto results = path / "results.jsonl";
  if (!fs::is_directory(path)) throw InputError(fmt::format("history: '{}' is not a directory", dir));
  if (!fs::exists(results)) throw InputError(fmt::format("history: '{}' has no results.jsonl", dir));
  HistoryRun run;
  run.records = read_jsonl(results).records;
  auto name = path.lexically_normal().filename();
  if (name.empty()) name = path.lexically_normal().parent_path().filename();  // "DIR/"
  run.label = name.empty() ? dir : name.string();
  if (std::ifstream in(path / "run.json"); in) {
    auto info = nlohmann::json::parse(in, nullptr, false);
    if (!info.is_discarded() && info.is_object()) run.info = std::move(info);
  }
  if (fs::exists(path / "report.html")) {
    std::error_code ec;
    const auto rel = fs::relative(fs::absolute(path / "report.html"), fs::absolute(page_dir), ec);
    if (!ec && !rel.empty()) run.report_link = rel.generic_string();
  }
  return run;
}

}  // namespace

int history_command(const HistoryOptions& o) {
  if (o.dirs.empty()) throw InputError("history: give at least one run directory");
  if (o.out.empty()) throw InputError("history: --out FILE.html is required");
  if (!(o.rel_spread > 0)) throw InputError(fmt::format("--rel-spread: {} must be > 0", o.rel_spread));
  if (!(o.time_floor >= 0)) throw InputError(fmt::format("--time-floor: {} must be >= 0", o.time_floor));
  CompareOptions options;
  options.assumed_rel_sd = o.rel_spread;
  options.time_floor_s = o.time_floor;
  options.timing_gates = !o.ignore_timing;

  const fs::path out(o.out);
  const fs::path page_dir = out.has_parent_path() ? out.parent_path() : fs::path(".");
  std::vector<HistoryRun> runs;
  for (const auto& d : o.dirs) runs.push_back(load_run(d, page_dir));
  const History h = build_history(std::move(runs), options);
  if (!page_dir.empty()) fs::create_directories(page_dir);
  write_file_atomically(out, render_page(history_page(h, utc_timestamp("%Y-%m-%d %H:%M:%S UTC"))));

  int changed = 0, worse = 0;
  for (const auto& c : h.cases) {
    changed += c.changed;
    worse += c.worse_anywhere;
    if (c.changed && !o.quiet) fmt::print("{:<32} {}{}\n", c.name, c.verdict_changed ? "verdict changed" : "changed",
                                          c.worse_anywhere ? ", WORSE" : "");
  }
  fmt::print(stderr, "history: {} run{}, {} case{}, {} changed, {} with a WORSE point; {}\n", h.runs.size(),
             h.runs.size() == 1 ? "" : "s", h.cases.size(), h.cases.size() == 1 ? "" : "s", changed, worse, out.string());
  return 0;
}

}  // namespace rmt::bench
