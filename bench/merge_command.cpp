// `rmtbench merge DIR`: the shards of a sharded run (DIR/shards/i-of-N/, bench/shard.hpp) into one run
// directory — DIR/results.jsonl in suite order, the eigenvalue and quadrature files the records
// name, convergence.json, run.json and report.html — as an unsharded run of the same selection
// would have written them (timings aside). Everything is checked first: the shards must share one
// count and one selection hash, and every case of the selection must be recorded (or skipped)
// exactly once; otherwise each problem is named on stderr, nothing is written, and the exit code is 1.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "bench/commands.hpp"
#include "bench/mutation.hpp"
#include "bench/run_log.hpp"
#include "bench/shard.hpp"
#include "core/base/error.hpp"
#include "core/base/utc_time.hpp"
#include "core/results/atomic_file.hpp"
#include "core/results/convergence.hpp"
#include "core/results/jsonl.hpp"
#include "core/results/report.hpp"

namespace rmt::bench {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct Shard {
  ShardSpec spec;
  fs::path dir;
  json run;                     // its run.json
  std::vector<json> records;    // its results.jsonl
  bool partial_tail = false;    // an interrupted last line (ignored)
};

struct SelectedCase {
  std::string name, case_id;
  int shard = 0;  // the shard it was assigned to
};

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw InputError(fmt::format("merge: cannot read '{}'", p.string()));
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

json read_run_json(const fs::path& file) {
  const auto j = json::parse(read_text(file), nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("shard") || !j["shard"].is_object())
    throw InputError(fmt::format("merge: '{}' is not the run.json of a shard (run with --shard i/N)", file.string()));
  return j;
}

// The selection a shard recorded, checked against its own hash (a damaged run.json is bad input).
std::vector<SelectedCase> recorded_selection(const Shard& s, const fs::path& file) {
  try {
    const auto& info = s.run.at("shard");
    std::vector<SelectedCase> out;
    std::vector<ShardItem> items;
    for (const auto& c : info.at("selection")) {
      out.push_back({c.at("case").get<std::string>(), c.at("case_id").get<std::string>(), c.at("shard").get<int>()});
      items.push_back({out.back().name, out.back().case_id, 0});
    }
    if (selection_hash(items) != info.at("selection_hash").get<std::string>())
      throw InputError(fmt::format("merge: '{}': the recorded selection does not match its selection_hash",
                                   file.string()));
    return out;
  } catch (const json::exception& e) {
    throw InputError(fmt::format("merge: '{}': {}", file.string(), e.what()));
  }
}

// The files under a record's "empirical" block that the run directory holds (eigenvalues, SLQ nodes
// and weights): relative .npy paths.
void collect_files(const json& j, std::vector<std::string>& out) {
  if (j.is_string()) {
    const auto s = j.get<std::string>();
    const fs::path p(s);
    if (s.ends_with(".npy") && p.is_relative() && p.lexically_normal().string().rfind("..", 0) != 0) out.push_back(s);
  } else if (j.is_structured()) {
    for (const auto& v : j) collect_files(v, out);
  }
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + v[i];
  return s;
}

}  // namespace

int merge_command(const std::string& dir_text) {
  const fs::path dir(dir_text);
  const auto shards_dir = dir / "shards";
  if (!fs::is_directory(shards_dir))
    throw InputError(fmt::format("merge: '{}' has no shards/ directory (run the suite with --shard i/N --out {} first)",
                                 dir.string(), dir.string()));

  // The shard directories, by index.
  std::vector<Shard> shards;
  std::set<int> counts;
  for (const auto& entry : fs::directory_iterator(shards_dir)) {
    const auto name = entry.path().filename().string();
    const auto spec = shard_from_dir_name(name);
    if (!entry.is_directory() || !spec) {
      fmt::print(stderr, "merge: ignoring '{}' (not a shard directory i-of-N)\n", entry.path().string());
      continue;
    }
    counts.insert(spec->count);
    shards.push_back(Shard{*spec, entry.path(), {}, {}, false});
  }
  if (shards.empty()) throw InputError(fmt::format("merge: '{}' holds no shard directory i-of-N", shards_dir.string()));

  std::vector<std::string> problems;
  if (counts.size() > 1) {
    std::vector<std::string> names;
    for (const auto& s : shards) names.push_back(shard_dir_name(s.spec));
    std::sort(names.begin(), names.end());
    std::vector<std::string> ns;
    for (const int n : counts) ns.push_back(std::to_string(n));
    fmt::print(stderr, "merge: shards of runs with different shard counts ({}) in {}: {}; remove the stale ones\n",
               join(ns), shards_dir.string(), join(names));
    fmt::print(stderr, "merge: nothing written in {}\n", dir.string());
    return 1;
  }
  const int count = *counts.begin();
  std::map<int, Shard> by_index;
  for (auto& s : shards) by_index[s.spec.index] = std::move(s);
  for (int i = 1; i <= count; ++i)
    if (!by_index.contains(i))
      problems.push_back(fmt::format("shard {} has no directory (it never ran)", shard_dir_name({i, count, ""})));

  // Each shard's run.json and records; the selection must be the same everywhere.
  std::vector<SelectedCase> selection;
  std::string hash;
  int reference = 0;
  for (auto& [index, s] : by_index) {
    const auto run_file = s.dir / "run.json";
    if (!fs::exists(run_file)) {
      problems.push_back(fmt::format("shard {} has no run.json (it never started)", shard_dir_name(s.spec)));
      continue;
    }
    s.run = read_run_json(run_file);
    const auto cases = recorded_selection(s, run_file);
    const auto h = s.run["shard"]["selection_hash"].get<std::string>();
    if (s.run["shard"].value("count", 0) != count || s.run["shard"].value("index", 0) != index)
      throw InputError(fmt::format("merge: '{}' records shard {}/{}, not {}", run_file.string(),
                                   s.run["shard"].value("index", 0), s.run["shard"].value("count", 0),
                                   shard_dir_name(s.spec)));
    if (reference == 0) {
      selection = cases;
      hash = h;
      reference = index;
    } else if (h != hash) {
      problems.push_back(fmt::format("shard {} ran another selection (hash {}) than shard {} (hash {})",
                                     shard_dir_name(s.spec), h, shard_dir_name({reference, count, ""}), hash));
    }
    const auto results = s.dir / "results.jsonl";
    if (fs::exists(results)) {
      auto contents = read_jsonl(results);
      s.records = std::move(contents.records);
      s.partial_tail = contents.partial_tail;
    }
  }
  if (reference == 0) problems.push_back("no shard has a run.json: nothing ran");

  // Every case of the selection exactly once, as a record or as a skipped case.
  std::map<std::string, std::vector<std::string>> where;  // case -> the shards that recorded or skipped it
  std::map<std::string, const json*> record_of;
  std::map<std::string, json> skipped_of;
  std::set<std::string> selected;
  for (const auto& c : selection) selected.insert(c.name);
  for (const auto& [index, s] : by_index) {
    const auto name = shard_dir_name(s.spec);
    for (const auto& r : s.records) {
      const auto c = r.value("case", std::string());
      where[c].push_back(name);
      record_of[c] = &r;
      if (!selected.contains(c) && reference != 0)
        problems.push_back(fmt::format("case '{}' recorded by shard {} is not in the selection", c, name));
    }
    if (s.run.is_object() && s.run.contains("skipped") && s.run["skipped"].is_array())
      for (const auto& k : s.run["skipped"]) {
        const auto c = k.value("case", std::string());
        where[c].push_back(name + " (skipped)");
        skipped_of[c] = k;
      }
  }
  for (const auto& c : selection) {
    const auto it = where.find(c.name);
    const auto assigned = shard_dir_name({c.shard, count, ""});
    if (it == where.end()) {
      const bool interrupted = by_index.contains(c.shard) && by_index[c.shard].partial_tail;
      problems.push_back(fmt::format("missing case '{}' (case_id {}, shard {}{}; continue it with: rmtbench run --resume {})",
                                     c.name, c.case_id, assigned, interrupted ? ", whose last line was cut off" : "",
                                     (shards_dir / assigned).string()));
    } else if (it->second.size() > 1) {
      problems.push_back(fmt::format("duplicated case '{}' (case_id {}): recorded {} times, by {}", c.name, c.case_id,
                                     it->second.size(), join(it->second)));
    }
  }
  if (!problems.empty()) {
    for (const auto& p : problems) fmt::print(stderr, "merge: {}\n", p);
    fmt::print(stderr, "merge: {} problem{}; nothing written in {}\n", problems.size(), problems.size() == 1 ? "" : "s",
               dir.string());
    return 1;
  }

  // Write: the files the records name, then the records in suite order, then what is derived from them.
  std::vector<json> records;
  json skipped = json::array();
  int failed = 0;
  for (const auto& c : selection) {
    if (skipped_of.contains(c.name)) {
      skipped.push_back(skipped_of[c.name]);
      continue;
    }
    const json& r = *record_of.at(c.name);
    const auto& from = by_index.at(c.shard).dir;
    std::vector<std::string> files;
    if (r.contains("empirical")) collect_files(r["empirical"], files);
    for (const auto& f : files)
      if (fs::exists(from / f)) {
        fs::create_directories((dir / f).parent_path());
        write_file_atomically(dir / f, read_text(from / f));
      }
    records.push_back(r);
    if (record_fails_run(r)) ++failed;
  }
  std::string lines;
  for (const auto& r : records) lines += record_line(r) + "\n";
  write_file_atomically(dir / "results.jsonl", lines);
  write_file_atomically(dir / "convergence.json", convergence_json(convergence_studies(records)).dump(2));
  json selection_info = by_index.at(reference).run.value("selection", json::object());
  selection_info.erase("shard");
  json shard_list = json::array();
  for (const auto& [index, s] : by_index)
    shard_list.push_back({{"dir", (fs::path("shards") / shard_dir_name(s.spec)).generic_string()},
                          {"started", s.run.value("started", std::string())},
                          {"source", s.run["shard"].value("source", std::string())},
                          {"cases", s.records.size()}});
  write_file_atomically(dir / "run.json", json{{"schema_version", 1},
                                               {"merged", utc_timestamp("%Y-%m-%dT%H:%M:%SZ")},
                                               {"selection", selection_info},
                                               {"selection_hash", hash},
                                               {"shards", shard_list},
                                               {"skipped", skipped}}
                                              .dump(2));
  fs::remove(dir / "compare.json");  // a comparison of what was there before
  write_report(dir);
  fmt::print(stderr, "merge: {} case{} from {} shard{}, {} failed{}; results in {}, report {}\n", records.size(),
             records.size() == 1 ? "" : "s", count, count == 1 ? "" : "s", failed,
             skipped.empty() ? "" : fmt::format(", {} skipped", skipped.size()), (dir / "results.jsonl").string(),
             (dir / "report.html").string());
  return failed > 0 ? 1 : 0;
}

}  // namespace rmt::bench
