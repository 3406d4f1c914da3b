// Crash-safe, resumable runs: results.jsonl as an fsync'd append-only log (core/results/jsonl.hpp,
// bench/run_log.hpp) and `rmtbench run --resume DIR` after SIGKILL at different moments.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "core/base/error.hpp"
#include "core/results/jsonl.hpp"
#include "core/base/progress.hpp"
#include "tests/support.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

fs::path scratch(const std::string& name) {
  const auto dir = fs::temp_directory_path() / ("rmt_test_resume_" + std::to_string(getpid())) / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Six fast cases (about a second in all on one core).
constexpr const char* kSuite = R"(
[defaults]
seed = 11
replicates = 2

[[case]]
name = "mp_conv"
model = "mp"
params = { c = 0.5 }
sweep = { n = [400, 800, 1200] }

[[case]]
name = "spiked"
model = "spiked"
params = { n = 800, spikes = "2" }

[[case]]
name = "rf"
model = "rf"
params = { n = 500 }

[[case]]
name = "kernel"
model = "kernel"
params = { n = 500 }
)";

using rmt::test_support::spawn;
using rmt::test_support::wait_exit;

int run(const std::vector<std::string>& args, const fs::path& log) { return wait_exit(spawn(args, log)); }

std::size_t complete_lines(const fs::path& file) {
  const auto s = slurp(file);
  return static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n'));
}

// Records by case name, without what legitimately differs between runs (timings).
std::map<std::string, json> by_case(const fs::path& dir) {
  std::map<std::string, json> out;
  for (auto r : rmt::read_jsonl(dir / "results.jsonl").records) {
    r.erase("timing");
    const auto name = r["case"].get<std::string>();
    EXPECT_FALSE(out.count(name)) << "case " << name << " recorded twice in " << dir;
    out[name] = r;
  }
  return out;
}

}  // namespace

TEST(Jsonl, AppendsCompleteLinesAndIgnoresAPartialTail) {
  const auto dir = scratch("jsonl");
  const auto file = dir / "r.jsonl";
  rmt::append_jsonl_line(file, R"({"a":1})");
  rmt::append_jsonl_line(file, R"({"a":2})");
  EXPECT_EQ(slurp(file), "{\"a\":1}\n{\"a\":2}\n");
  std::ofstream(file, std::ios::app) << R"({"a":3, "trunc)";  // an interrupted append
  auto c = rmt::read_jsonl(file);
  ASSERT_EQ(c.records.size(), 2u);
  EXPECT_TRUE(c.partial_tail);
  EXPECT_EQ(c.complete_bytes, 16u);
  rmt::truncate_file(file, c.complete_bytes);
  rmt::append_jsonl_line(file, R"({"a":4})");
  c = rmt::read_jsonl(file);
  ASSERT_EQ(c.records.size(), 3u);
  EXPECT_EQ(c.records[2]["a"], 4);
  EXPECT_FALSE(c.partial_tail);
  // Corruption in the middle is not an interrupted append: it is named.
  std::ofstream(file) << "{\"a\":1}\nnot json\n{\"a\":2}\n";
  try {
    rmt::read_jsonl(file);
    FAIL();
  } catch (const rmt::InputError& e) {
    EXPECT_NE(std::string(e.what()).find("r.jsonl:2"), std::string::npos) << e.what();
  }
  EXPECT_THROW(rmt::append_jsonl_line(file, "two\nlines"), rmt::Error);
}

TEST(Progress, PlainLinesWhenNotATerminal) {
  std::FILE* f = std::tmpfile();
  {
    rmt::Progress p(rmt::Progress::Mode::lines, 2, 2.0, f);
    p.start("a[n=1]", "mp, 1x1", 1.0);
    p.finish("a[n=1]", "PASS", 0.5, 1.0);
    p.note("a note");
    p.print_above([] {});
  }
  std::rewind(f);
  char buf[1024] = {};
  const auto n = std::fread(buf, 1, sizeof buf - 1, f);
  std::fclose(f);
  const std::string s(buf, n);
  EXPECT_NE(s.find("[1/2] a[n=1] (mp, 1x1) ...\n"), std::string::npos) << s;
  EXPECT_NE(s.find("[1/2] a[n=1]: PASS in 0.50 s"), std::string::npos) << s;
  EXPECT_NE(s.find("ETA"), std::string::npos) << s;
  EXPECT_NE(s.find("a note\n"), std::string::npos) << s;
  EXPECT_EQ(s.find('\r'), std::string::npos) << "no terminal control in plain mode";
  EXPECT_EQ(rmt::Progress::clock(7), "0:07");
  EXPECT_EQ(rmt::Progress::clock(3723), "1:02:03");
}

TEST(Resume, KilledRunsResumeToTheSameResults) {
  const auto root = scratch("kill");
  const auto suite = root / "suite.toml";
  std::ofstream(suite) << kSuite;
  // --no-sensitivity: the search costs several times these small cases (and the resumed runs must
  // keep it off: run.json records it).
  const std::vector<std::string> common = {"run", suite.string(), "--backend", "cpu", "--quiet", "--json",
                                           "--no-sensitivity"};

  auto args = common;
  args.insert(args.end(), {"--out", (root / "full").string()});
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_LE(run(args, root / "full.log"), 1) << slurp(root / "full.log.err");
  const auto full_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
  const auto reference = by_case(root / "full");
  ASSERT_EQ(reference.size(), 6u);

  // Kill after 1 and after 4 complete records, and once at an arbitrary moment (maybe mid-append):
  // 55% into the time the whole run took.
  struct Kill {
    std::size_t after_lines;
    long after_ms;
  };
  for (const Kill k : {Kill{1, 0}, Kill{4, 0}, Kill{0, std::max(1L, static_cast<long>(full_ms) * 55 / 100)}}) {
    const auto out = root / ("killed_" + std::to_string(k.after_lines) + "_" + std::to_string(k.after_ms));
    auto a = common;
    a.insert(a.end(), {"--out", out.string()});
    const pid_t pid = spawn(a, out.string() + ".log");
    const auto start = std::chrono::steady_clock::now();
    while (true) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
      if (k.after_ms > 0 ? ms >= k.after_ms : complete_lines(out / "results.jsonl") >= k.after_lines) break;
      ASSERT_LT(ms, 120000) << "the run did not get far enough";
    }
    kill(pid, SIGKILL);
    const int code = wait_exit(pid);
    const auto before = fs::exists(out / "results.jsonl") ? rmt::read_jsonl(out / "results.jsonl").records.size() : 0;
    if (k.after_ms == 0) {  // killed between records: it must really have been cut short
      EXPECT_EQ(code, 128 + SIGKILL);
      EXPECT_GE(before, k.after_lines);
      EXPECT_LT(before, 6u) << "the run finished before it was killed";
    }
    auto r = common;
    r.insert(r.end(), {"--resume", out.string()});
    ASSERT_LE(run(r, out.string() + ".resume.log"), 1) << slurp(out.string() + ".resume.log.err");
    const auto resumed = by_case(out);
    ASSERT_EQ(resumed.size(), reference.size());
    for (const auto& [name, rec] : reference) {
      ASSERT_TRUE(resumed.count(name)) << name;
      EXPECT_EQ(resumed.at(name), rec) << name << " differs after a kill and a resume";
    }
    // --json prints every case of the selection once, whether measured now or before the kill.
    std::istringstream printed(slurp(out.string() + ".resume.log"));
    std::size_t lines = 0;
    for (std::string line; std::getline(printed, line);) lines += !line.empty();
    EXPECT_EQ(lines, 6u);
    EXPECT_TRUE(fs::exists(out / "report.html"));
  }
}

TEST(Resume, PartialLastLineIsDroppedAndTheCaseRerun) {
  const auto root = scratch("partial");
  const auto suite = root / "suite.toml";
  std::ofstream(suite) << kSuite;
  const auto out = root / "run";
  ASSERT_LE(run({"run", suite.string(), "--backend", "cpu", "--quiet", "--no-sensitivity", "--out", out.string()},
                root / "a.log"),
            1);
  const auto reference = by_case(out);
  // Keep two complete records and half of the third, as a crash during an append would.
  const auto text = slurp(out / "results.jsonl");
  const auto second = text.find('\n', text.find('\n') + 1);
  const auto third = text.find('\n', second + 1);
  std::ofstream(out / "results.jsonl", std::ios::binary | std::ios::trunc) << text.substr(0, (second + 1 + third) / 2);
  // Without --resume nothing is skipped, but the report tolerates the partial line meanwhile.
  ASSERT_EQ(run({"report", out.string()}, root / "report.log"), 0) << slurp(root / "report.log.err");
  // The recorded selection (run.json) is reused when --resume is given alone.
  ASSERT_LE(run({"run", "--resume", out.string()}, root / "b.log"), 1) << slurp(root / "b.log.err");
  EXPECT_NE(slurp(root / "b.log.err").find("2 cases already recorded, 4 to run (dropped an interrupted last line)"),
            std::string::npos)
      << slurp(root / "b.log.err");
  EXPECT_EQ(by_case(out), reference);
  // Resuming a complete run measures nothing.
  ASSERT_LE(run({"run", "--resume", out.string()}, root / "c.log"), 1);
  EXPECT_NE(slurp(root / "c.log.err").find("6 cases already recorded, 0 to run"), std::string::npos)
      << slurp(root / "c.log.err");
  EXPECT_EQ(complete_lines(out / "results.jsonl"), 6u);
}

TEST(Resume, FreshRunIntoAnOldDirectoryStartsOver) {
  const auto root = scratch("fresh");
  const auto out = root / "run";
  ASSERT_EQ(run({"run", "--model", "mp", "--set", "n=200", "--backend", "cpu", "--quiet", "--out", out.string()},
                root / "a.log"),
            0);
  ASSERT_EQ(run({"run", "--model", "mp", "--set", "n=300", "--backend", "cpu", "--quiet", "--out", out.string()},
                root / "b.log"),
            0);
  const auto records = rmt::read_jsonl(out / "results.jsonl").records;
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0]["case"], "mp_n=300");
  EXPECT_EQ(records[0]["case_id"].get<std::string>().size(), 16u);
  // --resume and --out together are a usage error.
  EXPECT_EQ(run({"run", "--resume", out.string(), "--out", out.string()}, root / "c.log"), 2);
}
