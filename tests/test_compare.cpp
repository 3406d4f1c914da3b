// Regression verdicts (core/results/run_compare.hpp, `rmtbench compare`), convergence studies
// (core/results/convergence.hpp) and the report sections that show them (core/results/report_sections.hpp).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "tests/support.hpp"
#include "core/results/convergence.hpp"
#include "core/results/jsonl.hpp"
#include "core/results/report_sections.hpp"
#include "core/results/run_compare.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
using rmt::Change;

namespace {

json record(const std::string& name, double ks, double total_s = 1.0, int replicates = 1) {
  return {{"case", name},
          {"case_id", "id-" + name},
          {"model", "mp"},
          {"replicates", replicates},
          {"verdict", "pass"},
          {"metrics", {{"ks", ks}, {"stieltjes_error", 0.002}, {"edge_error", -0.01}}},
          {"tolerance", {{"ks", 0.05}, {"stieltjes_error", 0.01}}},
          {"timing", {{"total_s", total_s}, {"eig_s", 0.5 * total_s}}}};
}

const rmt::ItemChange& item(const rmt::CaseChange& c, const std::string& key) {
  for (const auto* list : {&c.metrics, &c.timing})
    for (const auto& i : *list)
      if (i.key == key) return i;
  throw std::runtime_error("no item " + key);
}


using rmt::test_support::rmtbench;

using rmt::test_support::slurp;

}  // namespace

TEST(Compare, IdenticalRunsAreSame) {
  const std::vector<json> base = {record("a", 0.01), record("b", 0.02)};
  const auto c = rmt::compare_runs(base, base);
  ASSERT_EQ(c.cases.size(), 2u);
  for (const auto& k : c.cases) {
    EXPECT_EQ(k.overall, Change::same) << k.name;
    EXPECT_EQ(k.matched_by, "case_id");
  }
  EXPECT_FALSE(c.any_worse());
}

TEST(Compare, MetricVerdictsFollowTheNoise) {
  // No recorded spread, 1 replicate each: assumed relative sd 0.25 per replicate, so
  // z = |ln(new/base)| / (0.25·√2).
  const auto judge = [](double base_ks, double new_ks) {
    return rmt::compare_runs({record("a", base_ks)}, {record("a", new_ks)}).cases.at(0);
  };
  EXPECT_EQ(item(judge(0.01, 0.012), "ks").change, Change::same);       // z = 0.52
  EXPECT_EQ(item(judge(0.01, 0.025), "ks").change, Change::ambiguous);  // z = 2.6
  const auto worse = judge(0.01, 0.03);                                 // z = 3.1
  EXPECT_EQ(item(worse, "ks").change, Change::worse);
  EXPECT_EQ(worse.overall, Change::worse);
  EXPECT_EQ(item(worse, "ks").basis, "assumed spread");
  EXPECT_NEAR(*item(worse, "ks").z, std::log(3.0) / (0.25 * std::sqrt(2.0)), 1e-9);
  EXPECT_EQ(item(judge(0.03, 0.01), "ks").change, Change::better);
  EXPECT_EQ(judge(0.03, 0.01).overall, Change::better);
  // Far below the tolerance (2% of it), a change is not worth a verdict.
  EXPECT_EQ(item(judge(1e-6, 1e-5), "ks").change, Change::same);
  // The sign of an error does not matter, its size does.
  auto b = record("a", 0.01), n = record("a", -0.01);
  EXPECT_EQ(item(rmt::compare_runs({b}, {n}).cases[0], "ks").change, Change::same);
}

TEST(Compare, RecordedSpreadOverReplicatesIsUsed) {
  auto b = record("a", 0.010, 1.0, 4), n = record("a", 0.013, 1.0, 4);
  // With a small spread the same change is clearly WORSE ...
  b["empirical"]["metrics_sd"] = {{"ks", 0.0005}};
  n["empirical"]["metrics_sd"] = {{"ks", 0.0005}};
  auto c = rmt::compare_runs({b}, {n}).cases[0];
  EXPECT_EQ(item(c, "ks").basis, "replicate sd");
  EXPECT_NEAR(*item(c, "ks").z, 0.003 / std::sqrt(2 * 0.0005 * 0.0005 / 4), 1e-9);
  EXPECT_EQ(item(c, "ks").change, Change::worse);
  // ... and with a large one it is noise.
  b["empirical"]["metrics_sd"]["ks"] = 0.004;
  n["empirical"]["metrics_sd"]["ks"] = 0.004;
  c = rmt::compare_runs({b}, {n}).cases[0];
  EXPECT_EQ(item(c, "ks").change, Change::same);
}

TEST(Compare, TimingsUseRelativeChangeWithANoiseFloor) {
  const auto judge = [](double tb, double tn) {
    return item(rmt::compare_runs({record("a", 0.01, tb)}, {record("a", 0.01, tn)}).cases.at(0), "total_s").change;
  };
  EXPECT_EQ(judge(10, 11), Change::same);       // +10%
  EXPECT_EQ(judge(10, 15), Change::ambiguous);  // +50%
  EXPECT_EQ(judge(10, 25), Change::worse);      // +150%
  EXPECT_EQ(judge(10, 4), Change::better);      // 2.5 times faster
  EXPECT_EQ(judge(0.01, 0.2), Change::same);    // 20× but below the 0.25 s floor
  // A slower case is WORSE; with timings not gating, it no longer fails the comparison.
  const auto slow = rmt::compare_runs({record("a", 0.01, 10)}, {record("a", 0.01, 25)});
  EXPECT_EQ(slow.cases[0].overall, Change::worse);
  EXPECT_TRUE(slow.any_worse());
  EXPECT_FALSE(slow.any_worse(false));
}

TEST(Compare, VerdictFlipsAndMatching) {
  auto b = record("a", 0.01), n = record("a", 0.01);
  n["verdict"] = "fail";
  auto c = rmt::compare_runs({b}, {n});
  EXPECT_EQ(c.cases[0].overall, Change::worse);
  EXPECT_EQ(item(c.cases[0], "verdict").change, Change::worse);
  c = rmt::compare_runs({n}, {b});
  EXPECT_EQ(item(c.cases[0], "verdict").change, Change::better);

  // Records without case_id are matched by name; different ids do not match.
  auto old = record("x", 0.01);
  old.erase("case_id");
  auto other = record("y", 0.01);
  other["case_id"] = "changed";
  auto moved = record("y", 0.01);
  c = rmt::compare_runs({old, moved, record("gone", 0.01)}, {record("x", 0.01), other, record("new", 0.01)});
  ASSERT_EQ(c.cases.size(), 1u);
  EXPECT_EQ(c.cases[0].name, "x");
  EXPECT_EQ(c.cases[0].matched_by, "case");
  EXPECT_EQ(c.only_new, (std::vector<std::string>{"y", "new"}));
  EXPECT_EQ(c.only_base, (std::vector<std::string>{"y", "gone"}));
  const auto j = rmt::comparison_json(c, {}, "A", "B");
  EXPECT_EQ(j["counts"]["SAME"], 1);
  EXPECT_EQ(j["worse"], false);
}

TEST(Convergence, FitsSweepsOverNAndJudgesTheRate) {
  std::vector<json> records;
  for (const double n : {250.0, 500.0, 1000.0, 2000.0}) {
    json r = {{"case", "mp_conv[n=" + std::to_string(static_cast<int>(n)) + "]"},
              {"model", "mp"},
              {"params", {{"n", n}, {"c", 0.5}}},
              {"size", {{"eig_dim", n / 2}}},
              {"sweep", {{"name", "mp_conv"}, {"axes", {"n"}}}},
              {"metrics", {{"stieltjes_error", 3.0 / n}, {"edge_error", -2.0 * std::pow(n, -2.0 / 3.0)}, {"ks", 0.5}}}};
    records.push_back(r);
  }
  records.push_back({{"case", "other"}, {"model", "mp"}, {"metrics", {{"ks", 1}}}});  // not a sweep: ignored
  const auto studies = rmt::convergence_studies(records);
  ASSERT_EQ(studies.size(), 1u);
  EXPECT_EQ(studies[0].name, "mp_conv");
  EXPECT_EQ(studies[0].cases.size(), 4u);
  ASSERT_EQ(studies[0].series.size(), 3u);
  const auto& st = studies[0].series[0];
  EXPECT_EQ(st.metric, "stieltjes_error");
  EXPECT_NEAR(st.rate(), 1.0, 1e-12);
  EXPECT_EQ(st.assessment, "consistent");
  const auto& ks = studies[0].series[1];
  EXPECT_NEAR(ks.rate(), 0.0, 1e-12);  // flat: slower than expected
  EXPECT_EQ(ks.assessment, "slower");
  EXPECT_LT(ks.expected, 1.0);  // 1 − 1/ln d for log d / d
  EXPECT_NEAR(studies[0].series[2].rate(), 2.0 / 3.0, 1e-12);  // |edge_error|
  const auto j = rmt::convergence_json(studies);
  EXPECT_NEAR(j["studies"][0]["series"][0]["rate"].get<double>(), 1.0, 1e-12);
  EXPECT_EQ(j["studies"][0]["series"][0]["ci"].size(), 2u);

  // Two sizes only: no study. Another swept axis splits the study.
  records.resize(2);
  EXPECT_TRUE(rmt::convergence_studies(records).empty());
  const auto html = rmt::render_section(rmt::convergence_section(studies).value());
  EXPECT_NE(html.find("class=\"fig-convergence\""), std::string::npos);
  EXPECT_NE(html.find("href=\"#case-mp_conv_n_250_\""), std::string::npos);
}

TEST(Compare, CliSameWorseBetterAndReportSection) {
  const auto root = fs::temp_directory_path() / ("rmt_test_compare_" + std::to_string(getpid()));
  fs::remove_all(root);
  fs::create_directories(root);
  std::ofstream(root / "s.toml") << "[defaults]\nreplicates = 2\n[[case]]\nname = \"mp\"\nmodel = \"mp\"\n"
                                    "params = { n = 400 }\n[[case]]\nname = \"k\"\nmodel = \"kernel\"\nparams = { n = 300 }\n";
  const auto a = root / "a";
  ASSERT_LE(rmtbench("run " + (root / "s.toml").string() + " --backend cpu --quiet --out " + a.string()).code, 1);

  auto r = rmtbench("compare " + a.string() + " " + a.string());
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("SAME"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("WORSE"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("2 SAME, 0 BETTER, 0 AMBIGUOUS, 0 WORSE"), std::string::npos) << r.err;
  ASSERT_TRUE(fs::exists(a / "compare.json"));
  EXPECT_NE(slurp(a / "report.html").find("id=\"compare\""), std::string::npos);

  // A copy with one metric made 10 times worse.
  const auto perturb = [&](const fs::path& dir, double factor) {
    fs::remove_all(dir);
    fs::copy(a, dir, fs::copy_options::recursive);
    auto records = rmt::read_jsonl(dir / "results.jsonl").records;
    records[0]["metrics"]["stieltjes_error"] = records[0]["metrics"]["stieltjes_error"].get<double>() * factor;
    std::ofstream out(dir / "results.jsonl", std::ios::trunc);
    for (const auto& rec : records) out << rec.dump() << "\n";
  };
  perturb(root / "worse", 10);
  r = rmtbench("compare " + a.string() + " " + (root / "worse").string());
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("stieltjes_error"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("WORSE"), std::string::npos) << r.out;
  const auto j = json::parse(slurp(root / "worse" / "compare.json"));
  EXPECT_EQ(j["counts"]["WORSE"], 1);
  EXPECT_EQ(j["worse"], true);
  const auto report = slurp(root / "worse" / "report.html");
  EXPECT_NE(report.find("id=\"compare\""), std::string::npos);
  EXPECT_NE(report.find("href=\"../a/report.html\""), std::string::npos);  // link to the baseline

  // BETTER: back from the worsened run to the original (a ÷10 alone is within the replicate spread
  // of a noisy metric at 2 replicates, since the difference can be at most the metric itself).
  r = rmtbench("compare " + (root / "worse").string() + " " + a.string());
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("BETTER"), std::string::npos) << r.out;

  r = rmtbench("compare " + a.string() + " " + (root / "nonexistent").string());
  EXPECT_EQ(r.code, 2);
  fs::remove_all(root);
}

TEST(Nightly, DatedDirectoriesLatestLinkAndComparison) {
  const auto root = fs::temp_directory_path() / ("rmt_test_nightly_" + std::to_string(getpid()));
  fs::remove_all(root);
  fs::create_directories(root);
  std::ofstream(root / "s.toml") << "[[case]]\nname = \"mp\"\nmodel = \"mp\"\nparams = { n = 300 }\n";
  const auto script = fs::path(RMT_SOURCE_DIR) / "bench" / "nightly.sh";
  const auto night = [&](const std::string& date) {
    // Timings are judged too, but a loaded test machine must not fail the run on them.
    const auto cmd = "RMT_COMPARE_ARGS=--ignore-timing " + script.string() + " --root " + (root / "n").string() + " --bin " + RMT_BINARY + " --backend cpu --suite " +
                     (root / "s.toml").string() + " --date " + date + " -- --quiet";
    const int status = std::system((cmd + " >" + (root / "log").string() + " 2>&1").c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  };
  ASSERT_EQ(night("2030-01-01"), 0) << slurp(root / "log");
  EXPECT_FALSE(fs::exists(root / "n" / "2030-01-01" / "compare.json"));  // no earlier night
  ASSERT_EQ(night("2030-01-02"), 0) << slurp(root / "log");
  EXPECT_EQ(fs::read_symlink(root / "n" / "latest"), "2030-01-02");
  const auto cmp = json::parse(slurp(root / "n" / "2030-01-02" / "compare.json"));
  // The same seed measures the same numbers: every metric is SAME (timings may move on a loaded
  // machine; they are shown but ignored here).
  ASSERT_EQ(cmp["cases"].size(), 1u);
  for (const auto& m : cmp["cases"][0]["metrics"]) EXPECT_EQ(m["verdict"], "SAME") << m.dump();
  EXPECT_EQ(cmp["worse"], false);
  EXPECT_NE(slurp(root / "n" / "history.tsv").find("2030-01-02\t0\t0\t2030-01-01"), std::string::npos)
      << slurp(root / "n" / "history.tsv");
  // The same night again resumes (nothing left to measure) and still compares.
  ASSERT_EQ(night("2030-01-02"), 0) << slurp(root / "log");
  EXPECT_NE(slurp(root / "log").find("resuming"), std::string::npos) << slurp(root / "log");
  fs::remove_all(root);
}
