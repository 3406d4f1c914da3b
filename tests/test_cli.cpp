// End-to-end: the rmtbench binary as users and external tests call it (docs/architecture.md contracts).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/base/backend.hpp"
#include "core/results/npy.hpp"
#include "tests/support.hpp"

namespace fs = std::filesystem;

namespace {

fs::path scratch(const std::string& name) {
  // Per process: two builds' test runs (or ctest -j) must not share output directories.
  const auto dir = fs::temp_directory_path() / ("rmt_test_cli_" + std::to_string(getpid())) / name;
  fs::remove_all(dir);
  fs::create_directories(dir.parent_path());
  return dir;
}

using rmt::test_support::rmtbench;

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(line);
  return out;
}

// One clear line naming the problem, exit 2, nothing written.
void expect_bad_input(const std::string& args, const std::string& token) {
  const auto out = scratch("bad");
  const auto r = rmtbench(args + " --out " + out.string());
  EXPECT_EQ(r.code, 2) << args << "\n" << r.err;
  EXPECT_EQ(lines(r.err).size(), 1u) << r.err;
  EXPECT_NE(r.err.find(token), std::string::npos) << "stderr does not name '" << token << "': " << r.err;
  EXPECT_FALSE(fs::exists(out)) << "partial results written for: " << args;
}

}  // namespace

TEST(Cli, DefaultSuiteWritesRecordsEigenvaluesAndReport) {
  const auto out = scratch("default");
  // --no-sensitivity: the keys stay (checked below); tests/check_report.sh runs the default suite with
  // the search and checks what the report says of it.
  const auto r = rmtbench("run --backend cpu --json --quiet --no-sensitivity --out " + out.string());
  ASSERT_EQ(r.code, 0) << r.err;
  const auto records = lines(r.out);
  ASSERT_GE(records.size(), 3u);
  const std::set<std::string> contract = {"schema_version", "case", "model", "backend", "device", "precision",
                                          "params", "seed", "replicates", "size", "empirical", "theory",
                                          "metrics", "tolerance", "verdict", "timing", "repro"};
  std::set<std::string> models;
  for (const auto& line : records) {
    const auto j = nlohmann::json::parse(line);
    std::set<std::string> keys;
    for (const auto& [k, v] : j.items()) keys.insert(k);
    keys.erase("case_id");  // an extension of the contract (resumable runs)
    EXPECT_TRUE(keys.erase("tolerance_source")) << "an extension of the contract (calibrated tolerances)";
    // Extensions of the contract (docs/architecture.md): what the case would catch.
    EXPECT_TRUE(keys.erase("sensitivity")) << line.substr(0, 200);
    keys.erase("sensitivity_detail");
    // DESIGN's planned extension: `method` ("dense" when absent; the default suite is dense).
    EXPECT_EQ(j.value("method", std::string("dense")), "dense");
    keys.erase("method");
    // Extension: what measured the record (bench/environment.hpp, for `rmtbench history`).
    EXPECT_TRUE(keys.erase("environment")) << line.substr(0, 200);
    EXPECT_EQ(keys, contract) << line.substr(0, 200);
    EXPECT_EQ(j["schema_version"], 1);
    EXPECT_EQ(j["backend"], "cpu");
    EXPECT_EQ(j["verdict"], "pass") << j["case"] << j["metrics"].dump();
    for (const auto* key : {"sample_s", "gram_s", "eig_s", "theory_s", "total_s"}) EXPECT_TRUE(j["timing"].contains(key));
    models.insert(j["model"].get<std::string>());
    if (j["empirical"].contains("curve")) {  // learning curves: risk metrics, no spectrum
      EXPECT_TRUE(j["metrics"].contains("risk_error") || j["metrics"].contains("train_error")) << j["case"];
      EXPECT_TRUE(j["theory"].contains("curve") || j["theory"].contains("risk")) << j["case"];
      continue;
    }
    for (const auto* key : {"ks", "w1", "edge_error", "stieltjes_error"}) EXPECT_TRUE(j["metrics"].contains(key));
    std::vector<std::size_t> shape;
    const auto eigs = rmt::read_npy(out / j["empirical"]["eigenvalues"].get<std::string>(), &shape);
    EXPECT_EQ(shape, (std::vector<std::size_t>{j["size"]["eig_dim"].get<std::size_t>()}));
    EXPECT_DOUBLE_EQ(eigs.back(), j["empirical"]["max"].get<double>());
  }
  EXPECT_EQ(models, (std::set<std::string>{"mp", "silverstein", "spiked", "rf", "kernel", "ck", "ntk", "llc_gram",
                                           "kernel_el_karoui", "rff", "deep_ntk", "ridge", "rf_ridge", "gf", "scaling",
                                           "llc_ridge", "rff_ridge", "rf_gf", "gf_general", "gmm_dynamics", "rf_ridge_de"}));
  // results.jsonl holds the same records as stdout.
  std::ifstream in(out / "results.jsonl");
  std::stringstream jsonl;
  jsonl << in.rdbuf();
  EXPECT_EQ(lines(jsonl.str()), records);
  EXPECT_TRUE(fs::exists(out / "report.html"));
  EXPECT_GT(fs::file_size(out / "report.html"), 1000u);
}

TEST(Cli, AdHocCaseReproducesItself) {
  const auto out = scratch("adhoc");
  const auto a = rmtbench("run --backend cpu --model mp --set c=0.25 --set n=800 --seed 5 --json --quiet --out " + out.string());
  ASSERT_EQ(a.code, 0) << a.err;
  const auto first = nlohmann::json::parse(a.out);
  EXPECT_EQ(first["params"]["c"], 0.25);
  EXPECT_EQ(first["seed"], 5);
  // The repro command gives the same spectrum.
  const auto repro = first["repro"].get<std::string>();
  const auto b = rmtbench(repro.substr(std::string("rmtbench ").size()) + " --json --quiet --out " + out.string() + "2");
  ASSERT_EQ(b.code, 0) << b.err;
  const auto second = nlohmann::json::parse(b.out);
  EXPECT_EQ(first["metrics"]["ks"], second["metrics"]["ks"]);
  EXPECT_EQ(first["empirical"]["max"], second["empirical"]["max"]);
}

TEST(Cli, TheoryFollowsTheContract) {
  const auto r = rmtbench("theory mp --set c=0.5 --x 1 --z 2+1i,-1");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["schema_version"], 1);
  EXPECT_EQ(j["model"], "mp");
  EXPECT_EQ(j["params"]["sigma2"], 1.0);
  EXPECT_NEAR(j["density"][0]["value"].get<double>(), 0.421084399348, 1e-11);
  EXPECT_NEAR(j["stieltjes"][0]["value"][0].get<double>(), -0.344349368740, 1e-11);
  EXPECT_NEAR(j["stieltjes"][0]["value"][1].get<double>(), 0.514505897261, 1e-11);
  EXPECT_NEAR(j["stieltjes"][1]["value"][0].get<double>(), 0.5615528128, 1e-10);
  EXPECT_NEAR(j["support"][0][1].get<double>(), 2.914213562373, 1e-11);
  EXPECT_FALSE(j.contains("outliers"));
  EXPECT_FALSE(j.contains("risk"));
  const auto s = nlohmann::json::parse(rmtbench("theory spiked --set c=0.5 --set spikes=0.5,2").out);
  ASSERT_EQ(s["outliers"].size(), 1u);  // 0.5 < √0.5: no outlier
  EXPECT_NEAR(s["outliers"][0]["position"].get<double>(), 3.75, 1e-12);
  EXPECT_NEAR(s["outliers"][0]["alignment"].get<double>(), 0.7, 1e-12);
}

TEST(Cli, ModelsAndDevicesList) {
  const auto m = rmtbench("models --json");
  ASSERT_EQ(m.code, 0);
  const auto j = nlohmann::json::parse(m.out);
  std::set<std::string> names;
  for (const auto& model : j) names.insert(model["name"].get<std::string>());
  EXPECT_TRUE(names.count("mp") && names.count("silverstein") && names.count("spiked"));
  const auto d = rmtbench("devices --json");
  ASSERT_EQ(d.code, 0);
  EXPECT_EQ(nlohmann::json::parse(d.out)[0]["backend"], "cpu");
}

TEST(Cli, BadInputExitsTwoWithOneLineNamingIt) {
  expect_bad_input("run --model nosuch", "nosuch");
  expect_bad_input("run --model mp --set foo=1", "foo");
  expect_bad_input("run --model mp --set c=-1", "c");
  expect_bad_input("run --model mp --set c=abc", "abc");
  expect_bad_input("run --model mp --set n=1.5", "1.5");
  expect_bad_input("run --model mp --set c", "--set");
  expect_bad_input("run --model spiked --set spikes=2,,4", "spikes");
  expect_bad_input("run --model silverstein --set pop=1:x", "pop");
  expect_bad_input("run --bogus-option", "--bogus-option");
  expect_bad_input("run --backend tpu", "tpu");
  expect_bad_input("run --precision fp16", "fp16");
  expect_bad_input("run /nonexistent/suite.toml", "/nonexistent/suite.toml");
  expect_bad_input("run --case nosuchcase", "nosuchcase");
  expect_bad_input("run --model rf --set activation=foo", "foo");
  expect_bad_input("run --model ntk --set activation=step", "step");
  expect_bad_input("run --model ck --set gammas=0.5,0", "gammas");
  expect_bad_input("run --model llc_gram --set activation=tanh", "tanh");
  expect_bad_input("run --model llc_gram --set data=mnist", "mnist");
  const auto suite = fs::temp_directory_path() / ("rmt_test_cli_bad_suite_" + std::to_string(getpid()) + ".toml");
  std::ofstream(suite) << "[[case]]\nname = \"x\"\nmodel = \"mp\"\nparams = { c = 0.5 }\ncolour = \"red\"\n";
  expect_bad_input("run " + suite.string(), "colour");
  std::ofstream(suite) << "[[case]\nname = \n";
  expect_bad_input("run " + suite.string(), suite.string());
  const auto t = rmtbench("theory mp --z 2+xi");
  EXPECT_EQ(t.code, 2);
  EXPECT_NE(t.err.find("2+xi"), std::string::npos) << t.err;
  EXPECT_EQ(rmtbench("theory nosuch").code, 2);
  EXPECT_EQ(rmtbench("theory mp --t 1").code, 2);
  EXPECT_EQ(rmtbench("").code, 2);
}

TEST(Cli, TooLargeExitsThreeBeforeAllocating) {
  const auto out = scratch("huge");
  const auto r = rmtbench("run --backend cpu --model mp --set n=9000000 --set c=1 --out " + out.string());
  EXPECT_EQ(r.code, 3) << r.err;
  EXPECT_NE(r.err.find("bytes"), std::string::npos) << r.err;
  EXPECT_EQ(lines(r.err).size(), 2u) << r.err;  // the backend line, then the error
  EXPECT_FALSE(fs::exists(out));
}

TEST(Cli, CudaRequestWithoutDeviceIsAClearError) {
  if (rmt::probe_cuda().usable) GTEST_SKIP() << "a CUDA device is present";
  const auto r = rmtbench("run --backend cuda --model mp --set n=100 --out " + scratch("nocuda").string());
  EXPECT_EQ(r.code, 3);
  EXPECT_NE(r.err.find("cuda"), std::string::npos) << r.err;
}

TEST(Cli, ReportRebuildsFromResults) {
  const auto out = scratch("report");
  ASSERT_EQ(rmtbench("run --backend cpu --model mp --set n=300 --quiet --out " + out.string()).code, 0);
  fs::remove(out / "report.html");
  const auto r = rmtbench("report " + out.string());
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(fs::exists(out / "report.html"));
  const auto missing = rmtbench("report " + (out / "nonexistent").string());
  EXPECT_EQ(missing.code, 2) << missing.err;
  EXPECT_EQ(lines(missing.err).size(), 1u) << missing.err;
}

TEST(Cli, BenchTimesStagesAgainstTheMeasuredDgemmRate) {
  const auto out = scratch("bench") / "bench.json";
  fs::create_directories(out.parent_path());
  const auto r = rmtbench("bench --model mp --n 300,600 --repeats 2 --backend cpu --quiet --out " + out.string());
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(rmt::test_support::slurp(out));
  for (const char* key : {"schema_version", "date", "command", "backend", "device", "calibration", "results"})
    EXPECT_TRUE(j.contains(key)) << key;
  EXPECT_GT(j["calibration"]["dgemm_gflops"].get<double>(), 0);
  // The sampling rate: normals/s of sample_gaussian on a gemm_size² draw (m = 600 here).
  EXPECT_GT(j["calibration"]["sample_normals_per_s"].get<double>(), 0);
  EXPECT_EQ(j["calibration"]["sample_normals"].get<std::int64_t>(), 600 * 600);
  ASSERT_EQ(j["results"].size(), 2u);
  for (const auto& res : j["results"]) {
    for (const char* stage : {"sample_s", "gram_s", "eig_s"}) EXPECT_GT(res["stages"][stage].get<double>(), 0) << stage;
    EXPECT_GT(res["rates"]["gram_vs_dgemm"].get<double>(), 0);
  }
  EXPECT_EQ(rmtbench("bench --model ridge --n 100 --quiet").code, 2);  // learning curves are not timed here
  EXPECT_EQ(rmtbench("bench --model mp --n 1 --quiet").code, 2);
}

// An empty --x/--z/--t is bad input (one line, exit 2), not a silent fall-back to the default points.
TEST(Cli, TheoryEmptyPointListIsBadInput) {
  for (const std::string option : {"--x", "--z", "--t"}) {
    for (const std::string value : {"''", "' '"}) {
      const auto model = option == "--t" ? std::string("gf") : std::string("mp");
      const auto r = rmtbench("theory " + model + " " + option + " " + value);
      EXPECT_EQ(r.code, 2) << option << " " << value << "\n" << r.out;
      EXPECT_EQ(lines(r.err).size(), 1u) << r.err;
      EXPECT_NE(r.err.find(option + ": the list is empty"), std::string::npos) << r.err;
      EXPECT_TRUE(r.out.empty()) << r.out;
    }
  }
  EXPECT_EQ(rmtbench("theory mp --x ,").code, 2);
  EXPECT_EQ(rmtbench("theory mp --x 1").code, 0);
}
