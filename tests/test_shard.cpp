// Sharded runs (bench/shard.hpp, `rmtbench run --shard i/N|auto`, `rmtbench merge DIR`): the shard
// spec and its environment variables, the longest-first assignment, the GPU of a shard, and end to
// end on a small suite: merged shards = an unsharded run (timings aside), a killed shard resumed
// loses and duplicates nothing, merge refuses (exit 1, nothing written) a missing or duplicated case,
// and `mpirun -np 3 ... --shard auto` then merge.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <numeric>
#include <random>
#include <set>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "bench/shard.hpp"
#include "core/base/error.hpp"
#include "core/results/jsonl.hpp"
#include "tests/support.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
using rmt::bench::ShardItem;
using rmt::test_support::slurp;

namespace {

rmt::bench::EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    const auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

rmt::bench::ShardSpec parse(std::string_view text, std::map<std::string, std::string> vars = {}) {
  return rmt::bench::parse_shard(text, env_of(std::move(vars)));
}

std::string error_of(std::string_view text, std::map<std::string, std::string> vars = {}) {
  try {
    parse(text, std::move(vars));
  } catch (const rmt::InputError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(ShardSpec, ExplicitIndexOfCount) {
  const auto s = parse("2/3");
  EXPECT_EQ(s.index, 2);
  EXPECT_EQ(s.count, 3);
  EXPECT_EQ(rmt::bench::shard_dir_name(s), "2-of-3");
  EXPECT_EQ(parse("1/1").count, 1);
  EXPECT_EQ(parse("7/7").index, 7);
  for (const char* bad : {"0/3", "4/3", "3", "a/b", "2/0", "-1/3", "1/3/4", " 1/3", "1/ 3", "1e0/3", "", "/", "auto2"})
    EXPECT_NE(error_of(bad), "") << "'" << bad << "' accepted";
  EXPECT_NE(error_of("0/3").find("from 1 to 3"), std::string::npos) << error_of("0/3");
  // Directory names: exactly the ones shard_dir_name makes.
  ASSERT_TRUE(rmt::bench::shard_from_dir_name("3-of-7"));
  EXPECT_EQ(rmt::bench::shard_from_dir_name("3-of-7")->index, 3);
  for (const char* bad : {"03-of-7", "0-of-7", "8-of-7", "3of7", "3-of-", "x-of-2"})
    EXPECT_FALSE(rmt::bench::shard_from_dir_name(bad)) << bad;
}

TEST(ShardSpec, AutoReadsEachSchedulersVariables) {
  // A contiguous Slurm job array that starts at 5: task 7 is the third of 4.
  auto s = parse("auto", {{"SLURM_ARRAY_TASK_ID", "7"}, {"SLURM_ARRAY_TASK_MIN", "5"}, {"SLURM_ARRAY_TASK_COUNT", "4"}});
  EXPECT_EQ(s.index, 3);
  EXPECT_EQ(s.count, 4);
  EXPECT_NE(s.source.find("SLURM_ARRAY_TASK_ID=7"), std::string::npos) << s.source;
  s = parse("auto", {{"SLURM_PROCID", "0"}, {"SLURM_NTASKS", "2"}});
  EXPECT_EQ(std::pair(s.index, s.count), std::pair(1, 2));
  s = parse("auto", {{"OMPI_COMM_WORLD_RANK", "2"}, {"OMPI_COMM_WORLD_SIZE", "3"}});
  EXPECT_EQ(std::pair(s.index, s.count), std::pair(3, 3));
  s = parse("auto", {{"PMI_RANK", "4"}, {"PMI_SIZE", "7"}});
  EXPECT_EQ(std::pair(s.index, s.count), std::pair(5, 7));
  // The array wins over srun's task variables (an array task is also a one-task step).
  s = parse("auto", {{"SLURM_ARRAY_TASK_ID", "1"}, {"SLURM_ARRAY_TASK_MIN", "0"}, {"SLURM_ARRAY_TASK_COUNT", "2"},
                     {"SLURM_PROCID", "0"}, {"SLURM_NTASKS", "1"}});
  EXPECT_EQ(std::pair(s.index, s.count), std::pair(2, 2));
  // Srun's wins over Open MPI's.
  s = parse("auto", {{"SLURM_PROCID", "1"}, {"SLURM_NTASKS", "2"}, {"OMPI_COMM_WORLD_RANK", "0"},
                     {"OMPI_COMM_WORLD_SIZE", "2"}});
  EXPECT_EQ(s.index, 2);

  EXPECT_NE(error_of("auto").find("none of SLURM_ARRAY_TASK_ID"), std::string::npos) << error_of("auto");
  EXPECT_NE(error_of("auto", {{"SLURM_PROCID", "1"}}).find("SLURM_NTASKS"), std::string::npos);
  EXPECT_NE(error_of("auto", {{"OMPI_COMM_WORLD_RANK", "x"}, {"OMPI_COMM_WORLD_SIZE", "2"}}).find("not a whole number"),
            std::string::npos);
  EXPECT_NE(error_of("auto", {{"PMI_RANK", "3"}, {"PMI_SIZE", "3"}}), "");
  // A stepped array (--array=1-7:2) has ids beyond MIN + COUNT − 1: refused, saying why.
  EXPECT_NE(error_of("auto", {{"SLURM_ARRAY_TASK_ID", "7"}, {"SLURM_ARRAY_TASK_MIN", "1"},
                              {"SLURM_ARRAY_TASK_COUNT", "4"}})
                .find("contiguous"),
            std::string::npos);
}

TEST(ShardAssignment, DisjointCoveringBalancedAndOrderFree) {
  // 40 cases with costs spread over three decades, some tied.
  std::vector<ShardItem> items;
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> exponent(-1.0, 2.0);
  for (int i = 0; i < 40; ++i) {
    const double cost = i % 5 == 0 ? 1.0 : std::pow(10.0, exponent(rng));
    items.push_back({"case_" + std::to_string(i), fmt::format("{:016x}", rng()), cost});
  }
  for (const int n : {1, 2, 3, 7}) {
    const auto shard = rmt::bench::assign_shards(items, n);
    ASSERT_EQ(shard.size(), items.size());
    std::vector<double> load(n, 0.0);
    double total = 0, largest = 0;
    for (std::size_t i = 0; i < items.size(); ++i) {
      ASSERT_GE(shard[i], 1);  // each case in exactly one shard: disjoint and covering
      ASSERT_LE(shard[i], n);
      load[shard[i] - 1] += items[i].cost;
      total += items[i].cost;
      largest = std::max(largest, items[i].cost);
    }
    // Longest first onto the least loaded shard: no shard exceeds the mean by more than one case.
    EXPECT_LE(*std::max_element(load.begin(), load.end()), total / n + largest + 1e-9) << n << " shards";
    // The n most costly cases go to n different shards.
    std::vector<std::size_t> order(items.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](auto a, auto b) { return items[a].cost > items[b].cost; });
    std::set<int> first;
    for (int k = 0; k < n; ++k) first.insert(shard[order[k]]);
    EXPECT_EQ(first.size(), static_cast<std::size_t>(n));
    // The order of the suite does not matter: only the cases do.
    auto shuffled = items;
    std::shuffle(shuffled.begin(), shuffled.end(), rng);
    const auto again = rmt::bench::assign_shards(shuffled, n);
    std::map<std::string, int> by_name;
    for (std::size_t i = 0; i < items.size(); ++i) by_name[items[i].name] = shard[i];
    for (std::size_t i = 0; i < shuffled.size(); ++i) EXPECT_EQ(again[i], by_name[shuffled[i].name]);
  }
  // Ties in cost are broken by case_id: equal costs, so the smallest case_id goes to shard 1.
  const auto tied = rmt::bench::assign_shards({{"b", "00000000000000ff", 1.0}, {"a", "0000000000000001", 1.0}}, 2);
  EXPECT_EQ(tied, (std::vector<int>{2, 1}));
  // The selection hash sees every name and case_id, and the order.
  const auto h = rmt::bench::selection_hash(items);
  auto renamed = items;
  renamed[3].name += "x";
  auto swapped = items;
  std::swap(swapped[0], swapped[1]);
  EXPECT_NE(rmt::bench::selection_hash(renamed), h);
  EXPECT_NE(rmt::bench::selection_hash(swapped), h);
  EXPECT_EQ(rmt::bench::selection_hash(items), h);
}

TEST(ShardDevice, OneGpuPerShard) {
  using rmt::bench::choose_cuda_device;
  // CUDA_VISIBLE_DEVICES is left to the runtime, whatever else is set.
  auto c = choose_cuda_device(env_of({{"CUDA_VISIBLE_DEVICES", "2"}, {"SLURM_LOCALID", "1"}}), 1);
  EXPECT_FALSE(c.device);
  EXPECT_NE(c.note.find("CUDA_VISIBLE_DEVICES=2"), std::string::npos) << c.note;
  c = choose_cuda_device(env_of({{"SLURM_LOCALID", "5"}}), 4);
  EXPECT_EQ(c.device, 1);
  EXPECT_NE(c.note.find("SLURM_LOCALID=5 modulo 4"), std::string::npos) << c.note;
  c = choose_cuda_device(env_of({{"OMPI_COMM_WORLD_LOCAL_RANK", "3"}}), 2);
  EXPECT_EQ(c.device, 1);
  c = choose_cuda_device(env_of({{"SLURM_LOCALID", "2"}, {"OMPI_COMM_WORLD_LOCAL_RANK", "1"}}), 8);
  EXPECT_EQ(c.device, 2);  // Slurm's variable first
  c = choose_cuda_device(env_of({}), 4);
  EXPECT_FALSE(c.device);
  EXPECT_NE(c.note.find("0 of 4"), std::string::npos) << c.note;
  c = choose_cuda_device(env_of({{"SLURM_LOCALID", "3"}}), 0);  // no device: nothing to choose or say
  EXPECT_FALSE(c.device);
  EXPECT_EQ(c.note, "");
  EXPECT_THROW(choose_cuda_device(env_of({{"SLURM_LOCALID", "-1"}}), 2), rmt::InputError);
}

// ---- end to end, with the rmtbench binary ----

namespace {

// Seven cheap cases (a few seconds in all on one core with --no-sensitivity), of different costs,
// two of which measure the same thing under different names, and a learning curve.
constexpr const char* kSuite = R"(
[defaults]
seed = 5
replicates = 2

[[case]]
name = "mp_conv"
model = "mp"
params = { c = 0.5 }
sweep = { n = [200, 400, 600] }

[[case]]
name = "spiked"
model = "spiked"
params = { n = 400, spikes = "2" }

[[case]]
name = "rf"
model = "rf"
params = { n = 300 }

[[case]]
name = "mp_again"
model = "mp"
params = { c = 0.5, n = 400 }

[[case]]
name = "ridge"
model = "ridge"
params = { n = 200 }
replicates = 1
)";
constexpr std::size_t kCases = 7;

fs::path scratch(const std::string& name) {
  const auto dir = fs::temp_directory_path() / ("rmt_test_shard_" + std::to_string(getpid())) / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

const std::string kCommon = " --backend cpu --quiet --no-sensitivity";

// Every scheduler variable --shard auto reads, unset, so the tests see only what they set.
const std::string kCleanEnv =
    "env -u SLURM_ARRAY_TASK_ID -u SLURM_ARRAY_TASK_MIN -u SLURM_ARRAY_TASK_COUNT -u SLURM_PROCID -u SLURM_NTASKS "
    "-u OMPI_COMM_WORLD_RANK -u OMPI_COMM_WORLD_SIZE -u PMI_RANK -u PMI_SIZE -u SLURM_LOCALID "
    "-u OMPI_COMM_WORLD_LOCAL_RANK ";

rmt::test_support::CliResult shell(const std::string& command) {
  const auto err_file = fs::temp_directory_path() / ("rmt_test_shard_stderr_" + std::to_string(getpid()));
  FILE* pipe = popen((command + " 2>" + err_file.string()).c_str(), "r");
  std::string out;
  char buffer[4096];
  while (const auto n = fread(buffer, 1, sizeof buffer, pipe)) out.append(buffer, n);
  const int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out, slurp(err_file)};
}

rmt::test_support::CliResult rmtbench(const std::string& args, const std::string& env = "") {
  return shell(kCleanEnv + env + " " + rmt::test_support::binary() + " " + args);
}

// The records of a run directory in file order, without the timings.
std::vector<json> records_without_timing(const fs::path& dir) {
  auto records = rmt::read_jsonl(dir / "results.jsonl").records;
  for (auto& r : records) r.erase("timing");
  return records;
}

class ShardedRun : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    root_ = scratch("e2e");
    suite_ = root_ / "suite.toml";
    std::ofstream(suite_) << kSuite;
    const auto r = rmtbench("run " + suite_.string() + kCommon + " --out " + (root_ / "whole").string());
    ASSERT_LE(r.code, 1) << r.err;
    ASSERT_EQ(records_without_timing(root_ / "whole").size(), kCases) << r.err;
  }
  static std::string run_shard(const fs::path& out, const std::string& shard, const std::string& extra = "") {
    const auto r = rmtbench("run " + suite_.string() + kCommon + " --shard " + shard + " --out " + out.string() + extra);
    EXPECT_LE(r.code, 1) << r.err;
    return r.err;
  }
  // The merged directory holds what the unsharded run holds: records (timings aside) in the same
  // order, the same eigenvalue files byte for byte, the convergence fits, a report.
  static void expect_same_as_whole(const fs::path& merged) {
    const auto whole = root_ / "whole";
    EXPECT_EQ(records_without_timing(merged), records_without_timing(whole)) << merged;
    for (const auto& f : fs::directory_iterator(whole / "eigs"))
      EXPECT_EQ(slurp(merged / "eigs" / f.path().filename()), slurp(f.path())) << f.path().filename();
    auto conv = json::parse(slurp(merged / "convergence.json"));
    auto ref = json::parse(slurp(whole / "convergence.json"));
    EXPECT_EQ(conv, ref);
    EXPECT_TRUE(fs::exists(merged / "report.html"));
  }
  static fs::path root_, suite_;
};
fs::path ShardedRun::root_, ShardedRun::suite_;

}  // namespace

TEST_F(ShardedRun, MergedShardsEqualTheUnshardedRun) {
  for (const int n : {1, 2, 3, 7}) {
    const auto out = root_ / ("n" + std::to_string(n));
    std::map<std::string, int> recorded;  // case -> times recorded over all shards
    std::string hash;
    for (int i = 1; i <= n; ++i) {
      run_shard(out, fmt::format("{}/{}", i, n));
      const auto dir = out / "shards" / fmt::format("{}-of-{}", i, n);
      const auto run = json::parse(slurp(dir / "run.json"));
      if (i == 1) hash = run["shard"]["selection_hash"];
      EXPECT_EQ(run["shard"]["selection_hash"], hash) << "every shard resolves the same selection";
      std::set<std::string> assigned;
      for (const auto& c : run["shard"]["selection"])
        if (c["shard"] == i) assigned.insert(c["case"]);
      std::set<std::string> ran;
      for (const auto& r : rmt::read_jsonl(dir / "results.jsonl").records) {
        ++recorded[r["case"]];
        ran.insert(r["case"]);
      }
      EXPECT_EQ(ran, assigned) << "shard " << i << " of " << n << " ran exactly its own cases";
    }
    // Disjoint and covering.
    EXPECT_EQ(recorded.size(), kCases) << n << " shards";
    for (const auto& [name, times] : recorded) EXPECT_EQ(times, 1) << name << " with " << n << " shards";
    const auto merge = rmtbench("merge " + out.string());
    EXPECT_LE(merge.code, 1) << merge.err;
    expect_same_as_whole(out);
  }
  // The merged directory is an ordinary run directory: compare works on it.
  const auto cmp = rmtbench("compare " + (root_ / "whole").string() + " " + (root_ / "n3").string() +
                            " --ignore-timing --json");
  ASSERT_EQ(cmp.code, 0) << cmp.err;
  const auto j = json::parse(cmp.out);
  EXPECT_EQ(j["cases"].size(), kCases) << cmp.out;
}

TEST_F(ShardedRun, MergeRefusesMissingOrDuplicatedCasesAndWritesNothing) {
  const auto out = root_ / "broken";
  for (int i = 1; i <= 3; ++i) run_shard(out, fmt::format("{}/3", i));
  ASSERT_LE(rmtbench("merge " + out.string()).code, 1);
  const auto results_before = slurp(out / "results.jsonl");
  const auto report_before = slurp(out / "report.html");
  const auto shard2 = out / "shards" / "2-of-3" / "results.jsonl";
  const auto shard3 = out / "shards" / "3-of-3" / "results.jsonl";
  const auto text2 = slurp(shard2);
  const auto text3 = slurp(shard3);
  ASSERT_FALSE(text2.empty());
  const auto first_line = text2.substr(0, text2.find('\n') + 1);
  const auto name = json::parse(first_line)["case"].get<std::string>();

  // Missing: shard 2 lost its first record.
  std::ofstream(shard2, std::ios::trunc | std::ios::binary) << text2.substr(first_line.size());
  auto r = rmtbench("merge " + out.string());
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_NE(r.err.find("missing case '" + name + "'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("rmtbench run --resume"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("nothing written"), std::string::npos) << r.err;
  EXPECT_EQ(slurp(out / "results.jsonl"), results_before);
  EXPECT_EQ(slurp(out / "report.html"), report_before);

  // Duplicated: shard 3 recorded it too (and shard 2 has it back).
  std::ofstream(shard2, std::ios::trunc | std::ios::binary) << text2;
  std::ofstream(shard3, std::ios::app | std::ios::binary) << first_line;
  r = rmtbench("merge " + out.string());
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_NE(r.err.find("duplicated case '" + name + "'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("2-of-3, 3-of-3"), std::string::npos) << r.err;
  EXPECT_EQ(slurp(out / "results.jsonl"), results_before);

  // A shard that never ran, and a stale shard of another count.
  std::ofstream(shard3, std::ios::trunc | std::ios::binary) << text3;
  fs::rename(out / "shards" / "3-of-3", root_ / "broken_3-of-3");
  r = rmtbench("merge " + out.string());
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_NE(r.err.find("shard 3-of-3 has no directory"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("missing case"), std::string::npos) << r.err;
  fs::rename(root_ / "broken_3-of-3", out / "shards" / "3-of-3");
  fs::create_directories(out / "shards" / "1-of-2");
  r = rmtbench("merge " + out.string());
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_NE(r.err.find("different shard counts (2, 3)"), std::string::npos) << r.err;
  fs::remove_all(out / "shards" / "1-of-2");
  EXPECT_EQ(slurp(out / "results.jsonl"), results_before);

  // Another selection in one shard (here: another seed).
  const auto other = root_ / "other_seed";
  for (int i = 1; i <= 2; ++i) run_shard(other, fmt::format("{}/2", i), i == 2 ? " --seed 6" : "");
  r = rmtbench("merge " + other.string());
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_NE(r.err.find("ran another selection"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(other / "results.jsonl"));

  // Repaired, it merges.
  r = rmtbench("merge " + out.string());
  EXPECT_LE(r.code, 1) << r.err;
  expect_same_as_whole(out);
  // Not a sharded run: bad input.
  EXPECT_EQ(rmtbench("merge " + (root_ / "whole").string()).code, 2);
}

TEST_F(ShardedRun, KilledShardResumedThenMergedLosesAndDuplicatesNothing) {
  const auto out = root_ / "killed";
  run_shard(out, "2/2");
  // Shard 1 of 2, killed after its first record, then resumed twice over: once as the job script
  // would rerun it (the same command with --resume DIR), once from its own directory alone.
  const auto dir = out / "shards" / "1-of-2";
  const pid_t pid = rmt::test_support::spawn({"run", suite_.string(), "--backend", "cpu", "--quiet", "--no-sensitivity",
                                              "--shard", "1/2", "--out", out.string()},
                                             root_ / "killed.log");
  const auto start = std::chrono::steady_clock::now();
  std::size_t lines = 0;
  while (true) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    const auto text = fs::exists(dir / "results.jsonl") ? slurp(dir / "results.jsonl") : "";
    lines = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
    if (lines >= 1) break;
    ASSERT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(120)) << "the shard did not get far enough";
  }
  kill(pid, SIGKILL);
  const int code = rmt::test_support::wait_exit(pid);
  const auto assigned = json::parse(slurp(dir / "run.json"))["shard"]["selection"];
  const auto mine = std::count_if(assigned.begin(), assigned.end(), [](const json& c) { return c["shard"] == 1; });
  ASSERT_EQ(code, 128 + SIGKILL) << "the shard finished before it was killed";
  EXPECT_LT(rmt::read_jsonl(dir / "results.jsonl").records.size(), static_cast<std::size_t>(mine));
  // Merging now names what is missing.
  auto r = rmtbench("merge " + out.string());
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_NE(r.err.find("missing case"), std::string::npos) << r.err;

  r = rmtbench("run " + suite_.string() + kCommon + " --shard 1/2 --resume " + out.string());
  ASSERT_LE(r.code, 1) << r.err;
  r = rmtbench("run --resume " + dir.string() + " --quiet");  // the selection and the shard from its run.json
  ASSERT_LE(r.code, 1) << r.err;
  EXPECT_EQ(rmt::read_jsonl(dir / "results.jsonl").records.size(), static_cast<std::size_t>(mine));
  EXPECT_FALSE(fs::exists(dir / "shards")) << "a resumed shard directory is not sharded again";
  r = rmtbench("merge " + out.string());
  ASSERT_LE(r.code, 1) << r.err;
  expect_same_as_whole(out);
}

TEST_F(ShardedRun, AutoReadsTheSchedulersEnvironment) {
  struct Case {
    std::string env, dir;
  };
  for (const auto& c : {Case{"SLURM_ARRAY_TASK_ID=11 SLURM_ARRAY_TASK_MIN=10 SLURM_ARRAY_TASK_COUNT=3", "2-of-3"},
                        Case{"SLURM_PROCID=0 SLURM_NTASKS=2", "1-of-2"},
                        Case{"OMPI_COMM_WORLD_RANK=3 OMPI_COMM_WORLD_SIZE=4", "4-of-4"},
                        Case{"PMI_RANK=6 PMI_SIZE=7", "7-of-7"}}) {
    const auto out = root_ / "auto";
    fs::remove_all(out);
    const auto r = rmtbench("run " + suite_.string() + kCommon + " --case ridge --case mp_again --shard auto --out " +
                                out.string(),
                            c.env);
    ASSERT_LE(r.code, 1) << c.env << ": " << r.err;
    ASSERT_TRUE(fs::is_directory(out / "shards" / c.dir)) << c.env;
    const auto run = json::parse(slurp(out / "shards" / c.dir / "run.json"));
    EXPECT_EQ(run["selection"]["shard"], fmt::format("{}/{}", c.dir.front() - '0', c.dir.back() - '0'));
    EXPECT_EQ(run["shard"]["selection"].size(), 2u);
  }
  // Bad --shard: exit 2 with one line.
  for (const auto& [args, env] : std::vector<std::pair<std::string, std::string>>{
           {"--shard 0/3", ""}, {"--shard 3", ""}, {"--shard auto", ""}, {"--shard auto", "SLURM_PROCID=2 SLURM_NTASKS=2"}}) {
    const auto r = rmtbench("run " + suite_.string() + kCommon + " " + args + " --out " + (root_ / "bad").string(), env);
    EXPECT_EQ(r.code, 2) << args << " " << env << ": " << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_NE(r.err.find("--shard"), std::string::npos) << r.err;
  }
  EXPECT_FALSE(fs::exists(root_ / "bad"));
}

TEST_F(ShardedRun, MpirunRanksThenMerge) {
  if (shell("command -v mpirun >/dev/null").code != 0) GTEST_SKIP() << "mpirun not found (Debian: openmpi-bin)";
  const auto out = root_ / "mpirun";
  // Open MPI refuses root unless told; --oversubscribe: 3 ranks on a machine with fewer cores; a rank
  // that exits 1 (a failed case) must not make mpirun kill the others.
  const auto r = shell(kCleanEnv + "OMPI_MCA_orte_abort_on_non_zero_status=0 mpirun --allow-run-as-root --oversubscribe -np 3 " + rmt::test_support::binary() +
                       " run " + suite_.string() + kCommon + " --shard auto --out " + out.string());
  ASSERT_LE(r.code, 1) << r.err;
  for (int i = 1; i <= 3; ++i) EXPECT_TRUE(fs::exists(out / "shards" / fmt::format("{}-of-3", i) / "run.json")) << i;
  const auto merge = rmtbench("merge " + out.string());
  ASSERT_LE(merge.code, 1) << merge.err;
  expect_same_as_whole(out);
}
