// Nightly history (core/results/history.hpp, `rmtbench history`, bench/nightly.sh --history) and the
// run metadata it reads (bench/environment.hpp: "environment" in every record and in run.json).
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/results/history.hpp"
#include "core/results/jsonl.hpp"
#include "support.hpp"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using rmt::test_support::rmtbench;
using rmt::test_support::slurp;

// A record as `run` writes it, reduced to what compare and history read. Without metrics_sd, compare
// judges a metric by an assumed 25 % spread per replicate: with 4 replicates, ×5 is 9 standard errors
// (WORSE) and ×1.3 is 1.5 (SAME).
json record(const std::string& name, double ks, double tol, double total_s, const std::string& commit) {
  return {{"case", name},
          {"case_id", "id-" + name},
          {"model", "mp"},
          {"device", "host CPU (test)"},
          {"replicates", 4},
          {"metrics", {{"ks", ks}, {"w1", 0.005}}},
          {"tolerance", {{"ks", tol}}},
          {"verdict", std::abs(ks) <= tol ? "pass" : "fail"},
          {"timing", {{"sample_s", 0.1 * total_s}, {"eig_s", 0.8 * total_s}, {"total_s", total_s}}},
          {"environment", {{"git_commit", commit}, {"git_dirty", false}, {"build_type", "Release"}}}};
}

rmt::HistoryRun run(const std::string& label, std::vector<json> records) {
  rmt::HistoryRun r;
  r.label = label;
  r.records = std::move(records);
  return r;
}

// Three nights: "stable" does not move, "drift" gets 5× worse on the last night (still passing),
// "flip" goes from pass to fail on the second night, "slow" takes 3× as long on the last night.
std::vector<rmt::HistoryRun> three_nights() {
  const std::string c1(40, 'a'), c2(40, 'b'), c3(40, 'c');
  return {run("2030-01-01", {record("stable", 0.010, 0.03, 1.0, c1), record("drift", 0.010, 0.1, 1.0, c1),
                             record("flip", 0.025, 0.03, 1.0, c1), record("slow", 0.010, 0.03, 1.0, c1)}),
          run("2030-01-02", {record("stable", 0.0101, 0.03, 1.02, c2), record("drift", 0.0102, 0.1, 1.0, c2),
                             record("flip", 0.032, 0.03, 1.0, c2), record("slow", 0.010, 0.03, 1.05, c2)}),
          run("2030-01-03", {record("stable", 0.0099, 0.03, 0.98, c3), record("drift", 0.050, 0.1, 1.0, c3),
                             record("flip", 0.033, 0.03, 1.0, c3), record("slow", 0.010, 0.03, 3.0, c3)})};
}

const rmt::CaseHistory& find_case(const rmt::History& h, const std::string& name) {
  for (const auto& c : h.cases)
    if (c.name == name) return c;
  throw std::runtime_error("no case " + name);
}

// The HTML of one case panel (<section ... id="case-NAME"> up to the next section).
std::string section_of(const std::string& html, const std::string& id) {
  const auto start = html.find("id=\"" + id + "\"");
  if (start == std::string::npos) return {};
  return html.substr(start, html.find("</section>", start) - start);
}

std::size_t count(const std::string& s, const std::string& what) {
  std::size_t n = 0;
  for (auto p = s.find(what); p != std::string::npos; p = s.find(what, p + what.size())) ++n;
  return n;
}

TEST(History, JudgesEachRunAgainstThePreviousAsCompareDoes) {
  const rmt::History h = rmt::build_history(three_nights());
  ASSERT_EQ(h.runs.size(), 3u);
  ASSERT_EQ(h.steps.size(), 2u);
  ASSERT_EQ(h.cases.size(), 4u);

  const auto& stable = find_case(h, "stable");
  EXPECT_FALSE(stable.changed);
  EXPECT_FALSE(stable.worse_anywhere);
  EXPECT_EQ(stable.steps[0], nullptr);  // the first run has nothing before it
  ASSERT_NE(stable.steps[2], nullptr);
  EXPECT_EQ(stable.steps[2]->overall, rmt::Change::same);

  // The planted regression: WORSE on the last night only, as `compare` of night 2 with night 3 says.
  const auto& drift = find_case(h, "drift");
  EXPECT_TRUE(drift.worse_anywhere);
  EXPECT_TRUE(drift.changed);
  EXPECT_FALSE(drift.verdict_changed);
  ASSERT_NE(drift.steps[1], nullptr);
  EXPECT_EQ(drift.steps[1]->overall, rmt::Change::same);
  ASSERT_NE(drift.steps[2], nullptr);
  const auto direct = rmt::compare_runs(h.runs[1].records, h.runs[2].records);
  for (const auto& c : direct.cases) EXPECT_TRUE(c.name != "drift" || c.overall == drift.steps[2]->overall);
  bool ks_worse = false;
  for (const auto& i : drift.steps[2]->metrics) ks_worse = ks_worse || (i.key == "ks" && i.change == rmt::Change::worse);
  EXPECT_TRUE(ks_worse);

  const auto& flip = find_case(h, "flip");
  EXPECT_TRUE(flip.verdict_changed);
  EXPECT_TRUE(flip.changed);
  ASSERT_NE(flip.steps[1], nullptr);
  EXPECT_EQ(flip.steps[1]->overall, rmt::Change::worse);  // pass → fail

  const auto& slow = find_case(h, "slow");
  EXPECT_TRUE(slow.worse_anywhere);
  EXPECT_FALSE(slow.verdict_changed);

  // Timings that do not gate (`--ignore-timing`) are drawn but are no change.
  rmt::CompareOptions o;
  o.timing_gates = false;
  const rmt::History quiet = rmt::build_history(three_nights(), o);
  EXPECT_FALSE(find_case(quiet, "slow").changed);
  EXPECT_TRUE(find_case(quiet, "drift").worse_anywhere);
}

TEST(History, PageMarksTheRegressionAndListsChangedCases) {
  const rmt::History h = rmt::build_history(three_nights());
  const std::string html = rmt::render_page(rmt::history_page(h, "2030-01-03 06:00:00 UTC"));
  // One ring on the drift's ks point, two on the slow case's eig_s and total_s points; none elsewhere.
  EXPECT_EQ(count(section_of(html, "case-drift"), "<circle class=\"worse\""), 1u);
  EXPECT_EQ(count(section_of(html, "case-slow"), "<circle class=\"worse\""), 2u);
  EXPECT_EQ(count(section_of(html, "case-stable"), "<circle class=\"worse\""), 0u);
  EXPECT_EQ(count(section_of(html, "case-flip"), "<circle class=\"worse\""), 0u);  // only the verdict is WORSE
  // A series per metric (ks, w1) and one timing figure per case.
  EXPECT_EQ(count(html, "class=\"fig-history-metric\""), 8u);
  EXPECT_EQ(count(html, "class=\"fig-history-timing\""), 4u);
  // The changed cases: drift, flip (pass → fail at night 2), slow; not stable.
  const auto changed = section_of(html, "changed");
  EXPECT_NE(changed.find("Changed cases (3)"), std::string::npos);
  EXPECT_NE(changed.find("href=\"#case-flip\""), std::string::npos);
  EXPECT_NE(changed.find("pass → fail"), std::string::npos);
  EXPECT_NE(changed.find("href=\"#case-drift\""), std::string::npos);
  EXPECT_NE(changed.find("href=\"#case-slow\""), std::string::npos);
  EXPECT_EQ(changed.find("href=\"#case-stable\""), std::string::npos);
  // Commit and device per point: in the runs table and in each point's hover text.
  EXPECT_NE(section_of(html, "runs").find("cccccccccccc"), std::string::npos);
  EXPECT_NE(section_of(html, "case-drift").find("#3 2030-01-03 · cccccccccccc · host CPU (test) · ks = 0.05"),
            std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
}

// The environment of a record or run.json: every key present; values of the right type or null.
void expect_environment(const json& env, bool with_device) {
  ASSERT_TRUE(env.is_object()) << env.dump();
  EXPECT_TRUE(env["rmtbench"].is_string());
  const auto& commit = env["git_commit"];
  EXPECT_TRUE(commit.is_null() || std::regex_match(commit.get<std::string>(), std::regex("[0-9a-f]{40}"))) << commit;
  EXPECT_TRUE(env["git_dirty"].is_null() || env["git_dirty"].is_boolean());
  EXPECT_TRUE(env["build_type"].is_string());
  EXPECT_FALSE(env["compiler"].get<std::string>().empty());
  EXPECT_TRUE(env.contains("cuda_toolkit"));
  EXPECT_FALSE(env["host"].get<std::string>().empty());
  EXPECT_EQ(env.contains("cuda_driver"), with_device);
  EXPECT_EQ(env.contains("cuda_runtime"), with_device);
  EXPECT_EQ(env.contains("device_details"), with_device);
}

// The page checked by a real browser, when one is installed (Chromium from Debian; RMT_CHROMIUM).
std::string chromium() {
  if (const char* env = std::getenv("RMT_CHROMIUM"); env && *env) return env;
  for (const char* p : {"/usr/bin/chromium", "/usr/bin/chromium-browser"})
    if (fs::exists(p)) return p;
  return {};
}

int shell(const std::string& command) {
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(HistoryCli, ThreeRunDirectoriesRenderWithTheRegressionMarked) {
  const auto root = fs::temp_directory_path() / ("rmt_test_history_" + std::to_string(getpid()));
  fs::remove_all(root);
  fs::create_directories(root);
  std::ofstream(root / "s.toml") << "[defaults]\nreplicates = 2\n[[case]]\nname = \"mp\"\nmodel = \"mp\"\n"
                                    "params = { n = 300 }\n[[case]]\nname = \"k\"\nmodel = \"kernel\"\nparams = { n = 200 }\n";
  const auto a = root / "2030-01-01";
  ASSERT_LE(rmtbench("run " + (root / "s.toml").string() + " --backend cpu --quiet --no-sensitivity --out " + a.string()).code, 1);

  // Metadata: every record and run.json carry the environment.
  const auto records = rmt::read_jsonl(a / "results.jsonl").records;
  ASSERT_EQ(records.size(), 2u);
  for (const auto& r : records) expect_environment(r["environment"], true);
  expect_environment(json::parse(slurp(a / "run.json"))["environment"], false);

  // Night 2: the same numbers. Night 3: the mp case's stieltjes_error 10× worse (WORSE, as in
  // test_compare), the kernel case failing, and another commit.
  const auto night = [&](const fs::path& dir, bool planted) {
    fs::remove_all(dir);
    fs::copy(a, dir, fs::copy_options::recursive);
    auto recs = rmt::read_jsonl(dir / "results.jsonl").records;
    if (planted) {
      recs[0]["metrics"]["stieltjes_error"] = recs[0]["metrics"]["stieltjes_error"].get<double>() * 10;
      recs[1]["verdict"] = "fail";
      for (auto& r : recs) r["environment"]["git_commit"] = std::string(40, 'f');
    }
    std::ofstream out(dir / "results.jsonl", std::ios::trunc);
    for (const auto& rec : recs) out << rec.dump() << "\n";
  };
  const auto b = root / "2030-01-02", c = root / "2030-01-03";
  night(b, false);
  night(c, true);

  const auto page = root / "pages" / "history.html";
  auto r = rmtbench("history " + a.string() + " " + b.string() + " " + c.string() + " --out " + page.string());
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("history: 3 runs, 2 cases, 2 changed, 2 with a WORSE point"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("k "), std::string::npos) << r.out;
  const std::string html = slurp(page);
  const auto mp = section_of(html, "case-mp");
  EXPECT_GE(count(mp, "<circle class=\"worse\""), 1u);
  EXPECT_NE(mp.find("stieltjes_error = "), std::string::npos);
  EXPECT_NE(section_of(html, "changed").find("pass → fail"), std::string::npos);
  EXPECT_NE(section_of(html, "runs").find("ffffffffffff"), std::string::npos);
  EXPECT_NE(html.find("href=\"../2030-01-01/report.html\""), std::string::npos);  // each run's own report
  EXPECT_EQ(count(html, "class=\"fig-history-timing\""), 2u);
  // What history marks on the last night is what `compare` says of it.
  r = rmtbench("compare " + b.string() + " " + c.string());
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("WORSE"), std::string::npos);
  // Self-contained: no scripts, no external resources.
  for (const char* bad : {"<script", "<link", "@import", "url(", "<img", "src="}) EXPECT_EQ(html.find(bad), std::string::npos) << bad;

  const char* xmllint_env = std::getenv("RMT_XMLLINT");
  const std::string xmllint = xmllint_env && *xmllint_env ? xmllint_env : (fs::exists("/usr/bin/xmllint") ? "/usr/bin/xmllint" : "");
  if (!xmllint.empty()) {
    EXPECT_EQ(shell(xmllint + " --noout " + page.string()), 0) << "not well-formed XHTML";
  }

  if (const auto browser = chromium(); !browser.empty()) {
    const std::string flags = " --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run --user-data-dir=" +
                              (root / "chromium-profile").string() + " ";
    const auto url = "file://" + fs::absolute(page).string();
    ASSERT_EQ(shell("timeout 120 " + browser + flags + "--dump-dom " + url + " >" + (root / "dom.html").string() + " 2>" +
                    (root / "chromium.log").string()),
              0)
        << slurp(root / "chromium.log");
    const auto dom = slurp(root / "dom.html");
    EXPECT_EQ(count(dom, "class=\"fig-history-timing\""), 2u);
    EXPECT_GE(count(dom, "class=\"worse\""), 1u);
    EXPECT_NE(dom.find("id=\"changed\""), std::string::npos);
    const auto png = root / "history.png";
    ASSERT_EQ(shell("timeout 120 " + browser + flags + "--window-size=1280,1800 --screenshot=" + png.string() + " " + url +
                    " >>" + (root / "chromium.log").string() + " 2>&1"),
              0);
    EXPECT_GT(fs::file_size(png), 10000u);
  } else {
    std::cerr << "history page not rendered: no chromium (set RMT_CHROMIUM)\n";
  }

  // Bad input: a directory without results, or none at all.
  EXPECT_EQ(rmtbench("history " + (root / "nonexistent").string() + " --out " + page.string()).code, 2);
  EXPECT_EQ(rmtbench("history --out " + page.string()).code, 2);
  fs::remove_all(root);
}

TEST(Nightly, HistoryPageOverTheLastNights) {
  const auto root = fs::temp_directory_path() / ("rmt_test_nightly_history_" + std::to_string(getpid()));
  fs::remove_all(root);
  fs::create_directories(root);
  std::ofstream(root / "s.toml") << "[[case]]\nname = \"mp\"\nmodel = \"mp\"\nparams = { n = 200 }\n";
  const auto script = rmt::test_support::source_dir() / "bench" / "nightly.sh";
  const auto night = [&](const std::string& date) {
    return shell("RMT_COMPARE_ARGS=--ignore-timing " + script.string() + " --root " + (root / "n").string() + " --bin " +
                 rmt::test_support::binary() + " --backend cpu --history 2 --suite " + (root / "s.toml").string() +
                 " --date " + date + " -- --quiet --no-sensitivity >" + (root / "log").string() + " 2>&1");
  };
  for (const char* date : {"2030-01-01", "2030-01-02", "2030-01-03"}) ASSERT_EQ(night(date), 0) << slurp(root / "log");
  const auto html = slurp(root / "n" / "history.html");
  EXPECT_NE(html.find("2 runs, 2030-01-02 … 2030-01-03"), std::string::npos);  // --history 2: the last two nights
  EXPECT_NE(html.find("id=\"case-mp\""), std::string::npos);
  EXPECT_EQ(rmtbench("history " + (root / "n" / "2030-01-01").string() + " --out " + (root / "one.html").string()).code, 0);
  fs::remove_all(root);
}

}  // namespace
