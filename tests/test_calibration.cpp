// Calibrated tolerances (bench/calibration.hpp): the tail model, the table's key, lookup and
// interpolation in d, the fallback to the size rule, tolerance_source in records, and
// `rmtbench calibrate` end to end (bad input exits 2; a tiny run writes a usable table).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <numbers>

#include <nlohmann/json.hpp>

#include "bench/calibration.hpp"
#include "bench/record.hpp"
#include "bench/spectral_case.hpp"
#include "bench/suite.hpp"
#include "core/base/error.hpp"
#include "tests/support.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
using rmt::bench::CalibrationTable;
using rmt::test_support::make_case;
using rmt::test_support::rmtbench;

namespace {

fs::path scratch(const std::string& name) {
  const auto dir = fs::temp_directory_path() / ("rmt_test_calibration_" + std::to_string(getpid())) / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

json metric(double mean, double sd) { return {{"mean", mean}, {"sd", sd}}; }

// mp with c = 0.5 (sigma2 = 1) at d = 100 and d = 400: ks mean falls like 1/d, its sd like d^-1/2
// (fitted), outlier-free.
json synthetic_table() {
  json sizes = json::array();
  sizes.push_back({{"n", 200}, {"d", 100}, {"seeds", 200}, {"metrics", {{"ks", metric(0.04, 0.004)}, {"w1", metric(0.02, 0.002)},
                                                                        {"edge_error_tw", metric(2.0, 1.5)}}}});
  sizes.push_back({{"n", 800}, {"d", 400}, {"seeds", 100}, {"metrics", {{"ks", metric(0.01, 0.002)}, {"w1", metric(0.005, 0.0005)},
                                                                        {"edge_error_tw", metric(2.0, 1.5)}}}});
  json entry = {{"key", "mp|c=0.5;sigma2=1"},
                {"model", "mp"},
                {"nonlinear", false},
                {"judged", {"edge_error_tw", "ks", "moment_error", "stieltjes_error", "w1"}},
                {"sizes", sizes}};
  entry["fit"] = rmt::bench::fit_rates(sizes, false);
  return {{"schema_version", 1}, {"entries", {entry}}};
}

}  // namespace

TEST(Calibration, GumbelQuantileInvertsItsDistribution) {
  const double mean = 0.3, sd = 0.7;
  const double beta = sd * std::sqrt(6.0) / std::numbers::pi, mu = mean - std::numbers::egamma * beta;
  for (const double p : {0.5, 0.9, 0.999, 1 - 2e-4}) {
    const double q = rmt::bench::gumbel_quantile(mean, sd, p);
    EXPECT_NEAR(std::exp(-std::exp(-(q - mu) / beta)), p, 1e-12) << p;
  }
}

TEST(Calibration, ToleranceIsTheGumbelTailWithTheSdBoundAndReplicates) {
  const double alpha = 2e-4;
  const double inflate = 1.0 + 2.0 / std::sqrt(2.0 * 199);
  EXPECT_NEAR(rmt::bench::calibrated_tolerance(0.01, 0.002, 200, 1, alpha),
              rmt::bench::gumbel_quantile(0.01, 0.002 * inflate, 1 - alpha), 1e-12);
  // The record judges the replicate mean: 4 replicates halve the spread, not the mean.
  EXPECT_NEAR(rmt::bench::calibrated_tolerance(0.01, 0.002, 200, 4, alpha),
              rmt::bench::gumbel_quantile(0.01, 0.001 * inflate, 1 - alpha), 1e-12);
  // A stricter rate needs a wider tolerance; about mean + 6.2 sd at 2e-4.
  EXPECT_GT(rmt::bench::calibrated_tolerance(0.01, 0.002, 200, 1, 1e-5),
            rmt::bench::calibrated_tolerance(0.01, 0.002, 200, 1, 1e-3));
  EXPECT_NEAR((rmt::bench::calibrated_tolerance(0.01, 0.002, 1000000, 1, alpha) - 0.01) / 0.002, 6.19, 0.02);
}

TEST(Calibration, NullSummaryOfAbsoluteValues) {
  std::vector<double> v;
  for (int i = 1; i <= 101; ++i) v.push_back(i % 2 ? -i : i);  // |v| = 1..101, signed mean 51·(−1)/101…
  const json s = rmt::bench::null_summary(v);
  EXPECT_DOUBLE_EQ(s["mean"].get<double>(), 51.0);
  EXPECT_DOUBLE_EQ(s["max"].get<double>(), 101.0);
  EXPECT_NEAR(s["q90"].get<double>(), 91.0, 1e-12);
  EXPECT_NEAR(s["q99"].get<double>(), 100.0, 1e-12);
  EXPECT_LT(s["signed_mean"].get<double>(), 0.0);
}

TEST(Calibration, KeyIsTheModelAndParametersOtherThanN) {
  const auto a = make_case("mp", {{"n", "200"}, {"c", "0.5"}});
  const auto b = make_case("mp", {{"n", "1000"}, {"c", "0.5"}}, 4, 7);
  const auto other = make_case("mp", {{"n", "200"}, {"c", "0.25"}});
  EXPECT_EQ(CalibrationTable::key("mp", a.params), "mp|c=0.5;sigma2=1");
  EXPECT_EQ(CalibrationTable::key("mp", a.params), CalibrationTable::key("mp", b.params));
  EXPECT_NE(CalibrationTable::key("mp", a.params), CalibrationTable::key("mp", other.params));
}

TEST(Calibration, LookupInterpolatesAndExtrapolatesConservatively) {
  const CalibrationTable table(synthetic_table(), "test.json");
  const std::string key = "mp|c=0.5;sigma2=1";
  const auto at = [&](double d) { return table.lookup(key, "ks", d); };
  ASSERT_TRUE(at(100));
  EXPECT_DOUBLE_EQ(at(100)->mean, 0.04);
  EXPECT_EQ(at(100)->seeds, 200);
  // Log-log midpoint: d = 200 between 100 and 400.
  EXPECT_NEAR(at(200)->mean, 0.02, 1e-12);
  EXPECT_NEAR(at(200)->sd, std::sqrt(0.004 * 0.002), 1e-12);
  EXPECT_EQ(at(200)->seeds, 100);
  // Above: mean fitted at rate 1 (= expected), sd fitted at 1/2 (slower: kept).
  EXPECT_NEAR(at(800)->mean, 0.005, 1e-12);
  EXPECT_NEAR(at(800)->sd, 0.002 / std::sqrt(2.0), 1e-12);
  // Below: the faster of fitted (1/2) and expected (1) for the sd.
  EXPECT_NEAR(at(50)->sd, 0.008, 1e-12);
  // Beyond the factor 4, another key, another metric: not covered.
  EXPECT_FALSE(at(1700));
  EXPECT_FALSE(at(24));
  EXPECT_TRUE(at(1600));
  EXPECT_FALSE(table.lookup("mp|c=0.25;sigma2=1", "ks", 200));
  EXPECT_FALSE(table.lookup(key, "stieltjes_error", 200));
}

TEST(Calibration, NotATableIsAnInputError) {
  EXPECT_THROW(CalibrationTable(json::array(), "x.json"), rmt::InputError);
  EXPECT_THROW(CalibrationTable(json{{"entries", {{{"key", "mp|"}, {"sizes", json::array()}}}}}, "x.json"), rmt::InputError);
}

TEST(Calibration, DefaultTolerancesUseTheTableOrSayRule) {
  const CalibrationTable table(synthetic_table(), "test.json");
  const CalibrationTable empty(json{{"entries", json::array()}}, "empty.json");
  const auto c = make_case("mp", {{"n", "400"}, {"c", "0.5"}}, 4);  // d = 200
  const auto t = rmt::bench::build_theory(c);
  std::string source, rule_source;
  const auto tol = rmt::bench::default_tolerances(c, t, &source, &table);
  const auto rule = rmt::bench::default_tolerances(c, t, &rule_source, &empty);
  EXPECT_EQ(source, "calibrated:test.json");
  EXPECT_EQ(rule_source, "rule");
  const auto null = rmt::bench::calibrated_null(table, c, "ks");
  ASSERT_TRUE(null);
  EXPECT_DOUBLE_EQ(null->false_alarm_rate, 1e-3 / 5);
  EXPECT_NEAR(null->sd, std::sqrt(0.004 * 0.002) / 2, 1e-12);
  EXPECT_DOUBLE_EQ(tol.at("ks"), null->tolerance);
  EXPECT_DOUBLE_EQ(tol.at("ks"), rmt::bench::calibrated_tolerance(0.02, std::sqrt(0.004 * 0.002), 100, 4, 2e-4));
  EXPECT_NE(tol.at("ks"), rule.at("ks"));
  // Not in the table: the rule. edge_error_tw keeps its own rule even though its null is recorded.
  EXPECT_EQ(tol.at("stieltjes_error"), rule.at("stieltjes_error"));
  EXPECT_EQ(tol.at("edge_error_tw"), rule.at("edge_error_tw"));
  // A case's own override still wins.
  auto spec = c.spec;
  spec.tolerance["ks"] = 0.5;
  const auto overridden = rmt::bench::default_tolerances(rmt::bench::resolve_case(spec), t, nullptr, &table);
  EXPECT_EQ(overridden.at("ks"), 0.5);
}

TEST(Calibration, RecordsCarryTheirToleranceSource) {
  // mp c = 0.5 is in the committed table; c = 0.3 is not; a learning curve not in curves.json keeps the rule.
  const auto covered = rmt::test_support::run_on_cpu(make_case("mp", {{"n", "500"}, {"c", "0.5"}}));
  EXPECT_EQ(covered["tolerance_source"], "calibrated:bench/calibration/spectral.json");
  const auto ks = rmt::bench::calibrated_null(make_case("mp", {{"n", "500"}, {"c", "0.5"}}), "ks");
  ASSERT_TRUE(ks);
  EXPECT_DOUBLE_EQ(covered["tolerance"]["ks"].get<double>(), ks->tolerance);
  const auto uncovered = rmt::test_support::run_on_cpu(make_case("mp", {{"n", "500"}, {"c", "0.3"}}));
  EXPECT_EQ(uncovered["tolerance_source"], "rule");
  EXPECT_FALSE(rmt::bench::calibrated_null(make_case("mp", {{"n", "500"}, {"c", "0.3"}}), "ks"));
  const auto curve = rmt::test_support::run_on_cpu(make_case("gf", {{"n", "200"}, {"t", "1,10"}}));
  EXPECT_EQ(curve["tolerance_source"], "rule");
}

TEST(Calibration, CommittedTableCoversTheDefaultSuite) {
  for (const auto& spec : rmt::bench::default_suite()) {
    const auto c = rmt::bench::resolve_case(spec);
    if (c.kind != rmt::bench::CaseKind::spectral) continue;
    for (const char* m : {"ks", "w1", "stieltjes_error", "moment_error"})
      EXPECT_TRUE(rmt::bench::calibrated_null(c, m)) << spec.name << " " << m;
  }
}

TEST(CalibrateCli, BadInputExitsTwoAndWritesNothing) {
  const auto dir = scratch("bad");
  const auto out = dir / "t.json";
  const auto curves = dir / "curves.toml";
  std::ofstream(curves) << "[[case]]\nname = \"g\"\nmodel = \"gf\"\nparams = { n = 100, t = \"1,2\" }\n";
  for (const std::string& args : std::vector<std::string>{"--model mp --seeds 2", "--model nope", "--model mp --set c=-1", "no_such_suite.toml", "--model mp --backend gpu",
        curves.string(), curves.string() + " --model mp", "--model mp --seeds x"}) {
    const auto r = rmtbench("calibrate " + args + " --quiet --out " + out.string());
    EXPECT_EQ(r.code, 2) << args << "\n" << r.err;
    EXPECT_NE(r.err.find("rmtbench: error:"), std::string::npos) << args << "\n" << r.err;
    EXPECT_FALSE(fs::exists(out)) << args;
  }
}

TEST(CalibrateCli, TinyRunWritesAUsableTable) {
  const auto dir = scratch("tiny");
  const auto suite = dir / "tiny.toml";
  std::ofstream(suite) << "[[case]]\nname = \"mp\"\nmodel = \"mp\"\nparams = { c = 0.5 }\nsweep = { n = \"80,160\" }\n"
                          "[[case]]\nname = \"g\"\nmodel = \"gf\"\nparams = { n = 100, t = \"1,2\" }\n";
  const auto out = dir / "sub" / "table.json";
  const auto r = rmtbench("calibrate " + suite.string() + " --seeds 30 --first-seed 5 --backend cpu --out " + out.string());
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("skipped g"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("[2/2]"), std::string::npos) << r.err;
  const json t = json::parse(rmt::test_support::slurp(out));
  EXPECT_TRUE(t["complete"].get<bool>());
  ASSERT_EQ(t["entries"].size(), 1u);
  const auto& e = t["entries"][0];
  EXPECT_EQ(e["key"], "mp|c=0.5;sigma2=1");
  ASSERT_EQ(e["sizes"].size(), 2u);
  EXPECT_EQ(e["sizes"][0]["d"], 40);
  EXPECT_EQ(e["sizes"][1]["seeds"], 30);
  EXPECT_EQ(e["sizes"][1]["first_seed"], 5);
  EXPECT_NE(e["sizes"][0]["command"].get<std::string>().find("--seeds 30 --first-seed 5"), std::string::npos);
  for (const char* m : {"ks", "w1", "stieltjes_error", "moment_error", "edge_error_tw"})
    EXPECT_TRUE(e["sizes"][0]["metrics"].contains(m)) << m;
  // KS of MP shrinks about like 1/d: the fitted rate says so even from 30 seeds.
  const double rate = e["fit"]["ks"]["mean_rate"].get<double>();
  EXPECT_GT(rate, 0.6);
  EXPECT_LT(rate, 1.4);
  const CalibrationTable table(t, "tiny.json");
  const auto c = make_case("mp", {{"n", "120"}, {"c", "0.5"}});
  const auto null = rmt::bench::calibrated_null(table, c, "ks");
  ASSERT_TRUE(null);
  EXPECT_GT(null->tolerance, null->mean + 3 * null->sd);
  // Ten fresh draws of the same case pass the calibrated KS tolerance (a false alarm here has
  // probability ~10 × 2e-4).
  auto backend = rmt::make_cpu_backend();
  for (std::uint64_t seed = 100; seed < 110; ++seed) {
    auto fresh = make_case("mp", {{"n", "120"}, {"c", "0.5"}}, 1, seed);
    const auto th = rmt::bench::build_theory(fresh);
    EXPECT_LE(rmt::bench::measure_one_draw(*backend, fresh, th, 0).at("ks"), null->tolerance) << seed;
  }
}

// Power, the other side of the calibrated rule: MP at d = 1000 (the default suite's mp_c0.5) re-scored
// against a law whose scale is 1 % off (λ → 1.01 λ, i.e. σ² = 1.01) fails the calibrated tolerances in
// every draw, W1 alone already does, which under the size rule it did not; the correct law passes.
TEST(Calibration, OnePercentScaleErrorAtD1000FailsCalibratedNotRule) {
  auto backend = rmt::make_cpu_backend();
  const CalibrationTable empty(json{{"entries", json::array()}}, "empty.json");
  for (std::uint64_t seed : {7001, 7002, 7003}) {
    const auto truth = make_case("mp", {{"n", "2000"}, {"c", "0.5"}}, 1, seed);
    const auto wrong = make_case("mp", {{"n", "2000"}, {"c", "0.5"}, {"sigma2", "1.01"}}, 1, seed);
    const auto t_true = rmt::bench::build_theory(truth);
    const auto t_wrong = rmt::bench::build_theory(wrong);
    std::string source;
    const auto calibrated = rmt::bench::default_tolerances(truth, t_true, &source);
    ASSERT_EQ(source, "calibrated:bench/calibration/spectral.json");
    const auto rule = rmt::bench::default_tolerances(truth, t_true, nullptr, &empty);
    // The same draw (sampled from the true case) measured against both laws.
    const auto right = rmt::bench::measure_one_draw(*backend, truth, t_true, 0);
    const auto off = rmt::bench::measure_one_draw(*backend, truth, t_wrong, 0);
    EXPECT_TRUE(rmt::bench::within_tolerance(right, calibrated)) << seed;
    EXPECT_FALSE(rmt::bench::within_tolerance(off, calibrated)) << seed;
    // W1 alone now sees it; under the size rule it did not (the rule's moment_error does, barely).
    EXPECT_GT(off.at("w1"), calibrated.at("w1")) << seed;
    EXPECT_LT(off.at("w1"), rule.at("w1")) << seed;
    EXPECT_LT(off.at("ks"), rule.at("ks")) << seed;
    std::cout << "seed " << seed << ": 1% scale error  ks " << off.at("ks") << " (calibrated tol " << calibrated.at("ks")
              << ", rule " << rule.at("ks") << ")  w1 " << off.at("w1") << " (calibrated tol " << calibrated.at("w1")
              << ", rule " << rule.at("w1") << ")  stieltjes " << off.at("stieltjes_error") << " ("
              << calibrated.at("stieltjes_error") << ", " << rule.at("stieltjes_error") << ")  moment "
              << off.at("moment_error") << " (" << calibrated.at("moment_error") << ", " << rule.at("moment_error")
              << ")\n";
  }
}

// The nightly suite's CPU cases (its sweeps over n included) are inside the table's sizes or its 4×
// extrapolation window; only GPU-only cases may fall back to the rule.
TEST(Calibration, CommittedTableCoversTheNightlyCpuCases) {
  for (const auto& sc : rmt::bench::load_suite_cases(rmt::test_support::source_dir() / "bench/suites/nightly.toml")) {
    const auto c = rmt::bench::resolve_case(sc.spec);
    if (c.kind != rmt::bench::CaseKind::spectral || sc.needs == "cuda") continue;
    EXPECT_TRUE(rmt::bench::calibrated_null(c, "ks")) << sc.spec.name;
  }
}
