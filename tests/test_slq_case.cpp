// SLQ cases end to end (bench/slq_case.hpp): the estimate against the dense spectrum of the same
// matrix, calibrated standard errors, the error rates in k and in probes, stored = regenerated, and
// the record and CLI contract.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <numeric>

#include <gtest/gtest.h>

#include "bench/slq_case.hpp"
#include "core/base/error.hpp"
#include "core/base/fit.hpp"
#include "core/results/npy.hpp"
#include "core/slq/lanczos.hpp"
#include "core/slq/slq_metrics.hpp"
#include "tests/law_support.hpp"
#include "tests/support.hpp"

namespace rmt {
namespace {

using test_support::rmtbench;

bench::ResolvedCase slq_case(const std::string& model, Assignments params, bench::SlqSettings s, int replicates = 1,
                             std::uint64_t seed = 2026) {
  bench::CaseSpec spec;
  spec.model = model;
  spec.name = model + "_slq";
  spec.params = std::move(params);
  spec.replicates = replicates;
  spec.seed = seed;
  spec.method = "slq";
  spec.slq = s;
  return bench::resolve_case(spec);
}

// The matrix of replicate 0 of a case, as an operator, and its dense eigenpairs.
struct SameMatrix {
  std::unique_ptr<Backend> backend = make_cpu_backend();
  std::unique_ptr<LinearOperator> op;
  EigenPairs eig;
  explicit SameMatrix(const bench::ResolvedCase& c, bool vectors = false) {
    const StreamKey key{c.spec.seed, c.case_key, 0, 0};
    bench::GramFeatures g = c.model->gram_features(*backend, c.params, key);
    op = make_gram_operator(*backend, std::move(g.features), g.alpha, g.side, OperatorStorage::stored);
    const index_t d = op->dim();
    std::vector<double> identity(static_cast<std::size_t>(d * d), 0.0);
    for (index_t i = 0; i < d; ++i) identity[static_cast<std::size_t>(i * d + i)] = 1.0;
    Matrix a;
    op->apply(backend->from_host(d, d, identity), a);
    eig = vectors ? backend->top_eigenpairs(a, d) : EigenPairs{backend->eigenvalues(a), {}, d, 0};
  }
  std::vector<Quadrature> quadratures(index_t probes, index_t steps, std::uint64_t probe_seed, bool reorth = false,
                                      std::vector<double>* v = nullptr) {
    const Matrix start = rademacher_probes(*backend, {probe_seed, 1, 0, 200}, op->dim(), probes);
    if (v) *v = backend->to_host(start);
    std::vector<Quadrature> q;
    for (const auto& t : block_lanczos(*backend, *op, start, {steps, reorth})) q.push_back(gauss_quadrature(t));
    return q;
  }
  test_support::DiscreteLaw esd() const {
    std::vector<Atom> atoms;
    for (const double x : eig.values) atoms.push_back({x, 1.0 / static_cast<double>(eig.values.size())});
    return test_support::DiscreteLaw(atoms);
  }
};

// SLQ and the dense eigensolver on the same d = 2000 matrix agree within the stated bounds: W1 ≤
// 0.25·width/k + 3 s.e., the KS bracket, the moments and the Stieltjes transform within t₇(10⁻³) = 5.41
// s.e. (the bounds the case's tolerances add to the dense finite-size term).
TEST(SlqCase, AgreesWithTheDenseSpectrumOfTheSameMatrix) {
  const auto c = slq_case("mp", {{"n", "4000"}}, {});
  SameMatrix m(c);
  const auto law = m.esd();
  const SpectralCdf cdf(law);
  const index_t k = 100;
  const auto q = m.quadratures(8, k, 5);
  const double width = m.eig.values.back() - m.eig.values.front();
  const std::vector<complex> z = {complex(0.5, 0.2), complex(1.5, 0.1), complex(2.5, 0.3), complex(-1.0, 0.0)};
  const auto cmp = compare_slq(q, law, cdf, {}, z, law.moments(2), 1.0, k, m.eig.values.back());
  const auto& mt = cmp.metrics;
  const double t7 = probe_noise_multiple(7);
  EXPECT_LE(mt.at("w1").value, 0.25 * width / static_cast<double>(k) + 3 * mt.at("w1").se);
  EXPECT_LE(mt.at("ks").value, t7 * mt.at("ks").se + 1e-12);
  EXPECT_LE(mt.at("moment_error").value, t7 * mt.at("moment_error").se);
  EXPECT_LE(mt.at("stieltjes_error").value, t7 * mt.at("stieltjes_error").se);
  EXPECT_NEAR(mt.at("edge_error").value, 0.0, 1e-8 * width);  // the largest Ritz value is λ_max
  // ... and both paths give the same verdict against Marchenko–Pastur.
  auto dense = test_support::make_case("mp", {{"n", "4000"}});
  EXPECT_EQ(test_support::run_on_cpu(dense)["verdict"], "pass");
  EXPECT_EQ(test_support::run_on_cpu(c)["verdict"], "pass");
}

// Over 150 probe seeds, |estimate − exact| ≤ 2 s.e. about 95 % of the time for the first moment and
// for the Stieltjes transform at a real point (smooth linear functionals, where the jackknife over
// probes is the sample standard error of a mean).
TEST(SlqCase, StandardErrorsAreCalibrated) {
  const auto c = slq_case("mp", {{"n", "800"}}, {});
  SameMatrix m(c);
  const auto law = m.esd();
  const SpectralCdf cdf(law);
  const std::vector<complex> real_point = {complex(-1.0, 0.0)};
  const auto moments = law.moments(1);
  int moment_inside = 0, stieltjes_inside = 0;
  const int seeds = 150;
  for (int s = 0; s < seeds; ++s) {
    const auto q = m.quadratures(8, 40, 1000 + static_cast<std::uint64_t>(s));
    const auto cmp = compare_slq(q, law, cdf, {}, real_point, moments, 1.0, 40, NAN);
    moment_inside += cmp.metrics.at("moment_error").value <= 2 * cmp.metrics.at("moment_error").se;
    stieltjes_inside += cmp.metrics.at("stieltjes_error").value <= 2 * cmp.metrics.at("stieltjes_error").se;
  }
  // 95 % expected; ±2 binomial sd over 150 seeds is ±3.6 %; a t(7) tail makes it ~92 %.
  for (const int inside : {moment_inside, stieltjes_inside}) {
    EXPECT_GE(inside, static_cast<int>(0.86 * seeds));
    EXPECT_LE(inside, static_cast<int>(0.99 * seeds));
  }
}

// The quadrature error alone (against the probes' own averaged spectral measure) falls like 1/k, and
// the probe noise (first moment against the exact trace) like 1/√b.
TEST(SlqCase, ErrorRatesInStepsAndProbes) {
  const auto c = slq_case("mp", {{"n", "1200"}}, {});
  SameMatrix m(c, /*vectors=*/true);
  const auto d = static_cast<std::size_t>(m.op->dim());
  std::vector<double> ks, w1s;
  for (const index_t k : {6, 12, 24, 48}) {
    std::vector<double> v;
    const auto q = m.quadratures(4, k, 77, /*reorth=*/true, &v);
    std::vector<Atom> mine;
    for (std::size_t i = 0; i < d; ++i) {
      double mass = 0;
      for (std::size_t p = 0; p < 4; ++p) {
        double proj = 0;
        for (std::size_t r = 0; r < d; ++r) proj += v[r + p * d] * m.eig.vectors[r + i * d];
        mass += proj * proj / 4;
      }
      mine.push_back({m.eig.values[i], mass});
    }
    const test_support::DiscreteLaw law(mine);
    const SpectralCdf cdf(law);
    const auto cmp = compare_slq(q, law, cdf, {}, {}, {}, 1.0, k, NAN);
    ks.push_back(static_cast<double>(k));
    w1s.push_back(cmp.metrics.at("w1").value);
  }
  const auto steps_fit = fit_power_law(ks, w1s);
  EXPECT_GT(steps_fit.exponent, -1.6) << "W1 against k";
  EXPECT_LT(steps_fit.exponent, -0.7) << "W1 against k";

  const auto law = m.esd();
  const SpectralCdf cdf(law);
  const auto moments = law.moments(1);
  std::vector<double> bs, rms;
  for (const index_t b : {2, 8, 32}) {
    double ss = 0;
    const int seeds = 40;
    for (int s = 0; s < seeds; ++s) {
      const auto q = m.quadratures(b, 10, 5000 + static_cast<std::uint64_t>(s));
      const double e = compare_slq(q, law, cdf, {}, {}, moments, 1.0, 10, NAN).metrics.at("moment_error").value;
      ss += e * e;
    }
    bs.push_back(static_cast<double>(b));
    rms.push_back(std::sqrt(ss / seeds));
  }
  const auto probes_fit = fit_power_law(bs, rms);
  EXPECT_GT(probes_fit.exponent, -0.7) << "moment error against probes";
  EXPECT_LT(probes_fit.exponent, -0.3) << "moment error against probes";
}

// Models with predicted outliers: the nodes above the separation are dropped and no outlier metric is
// judged (SLQ computes no eigenpairs); the bulk passes against its law.
TEST(SlqCase, OutlierModelsJudgeTheBulkOnly) {
  for (const auto& [model, params] :
       {std::pair<std::string, Assignments>{"spiked", {{"n", "1200"}}}, {"rf", {{"n", "900"}, {"centred", "0"}}}}) {
    SCOPED_TRACE(model);
    const auto rec = test_support::run_on_cpu(slq_case(model, params, {.probes = 8, .steps = 60}));
    EXPECT_EQ(rec["verdict"], "pass") << rec["metrics"].dump() << rec["tolerance"].dump();
    for (const auto& [k, v] : rec["tolerance"].items()) EXPECT_EQ(k.rfind("outlier_", 0), std::string::npos) << k;
    EXPECT_LT(rec["empirical"]["slq"]["max_ritz"].get<double>(), 1e6);
  }
}

// Power: the same quadratures re-scored against a Marchenko–Pastur law whose scale is off by 3 % FAIL
// (the record's sensitivity: the smallest scale error detected with probability ≥ 0.9).
TEST(SlqCase, AScaleErrorOfThreePercentFailsOnTheSameQuadratures) {
  const auto rec = test_support::run_on_cpu(slq_case("mp", {{"n", "4000"}}, {}), /*sensitivity=*/true);
  EXPECT_EQ(rec["verdict"], "pass");
  ASSERT_TRUE(rec["sensitivity"]["scale"].is_number()) << rec["sensitivity_detail"].dump();
  EXPECT_LE(rec["sensitivity"]["scale"].get<double>(), 0.03);
}

// Stored and regenerated operators (ragged tiles) give the same record, to rounding: the products
// differ in the last bits (tiles sum in another order), which 30 Lanczos steps without
// reorthogonalisation amplify to ~1e-7 relative in the jackknife spreads (measured 3e-7 for w1_se).
TEST(SlqCase, StoredAndRegeneratedOperatorsGiveTheSameResult) {
  for (const auto& [model, n] : {std::pair{"mp", "301"}, std::pair{"rf", "201"}, std::pair{"ck", "151"}}) {
    SCOPED_TRACE(model);
    bench::SlqSettings stored{.probes = 4, .steps = 30, .storage = "stored"};
    bench::SlqSettings regenerated{.probes = 4, .steps = 30, .storage = "regenerate", .tile = 14};
    const auto a = test_support::run_on_cpu(slq_case(model, {{"n", n}}, stored));
    const auto b = test_support::run_on_cpu(slq_case(model, {{"n", n}}, regenerated));
    EXPECT_EQ(a["empirical"]["slq"]["storage"], "stored");
    EXPECT_EQ(b["empirical"]["slq"]["storage"], "regenerate");
    EXPECT_EQ(a["empirical"]["slq"]["matvecs"], b["empirical"]["slq"]["matvecs"]);
    for (const auto& [k, v] : a["metrics"].items())
      EXPECT_NEAR(v.get<double>(), b["metrics"][k].get<double>(), 1e-5 * std::max(1e-3, std::abs(v.get<double>()))) << k;
  }
}

TEST(SlqCase, RecordCarriesTheSlqBlockAndTheQuadratures) {
  const auto dir = std::filesystem::temp_directory_path() / ("rmt_slq_cli_" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  const auto r = rmtbench("run --model mp --set n=500 --method slq --probes 4 --steps 20 --replicates 2 --backend cpu "
                          "--no-sensitivity --json --quiet --out " + dir.string());
  ASSERT_EQ(r.code, 0) << r.err;
  const auto rec = nlohmann::json::parse(r.out.substr(0, r.out.find('\n')));
  EXPECT_EQ(rec["method"], "slq");
  EXPECT_TRUE(rec["empirical"]["eigenvalues"].is_null());
  const auto& s = rec["empirical"]["slq"];
  EXPECT_EQ(s["probes"], 4);
  EXPECT_EQ(s["steps"], 20);
  EXPECT_EQ(s["reorth"], false);
  EXPECT_EQ(s["matvecs"], 2 * 4 * 20);
  for (const char* k : {"ks", "w1", "stieltjes_error", "moment_error"}) {
    EXPECT_TRUE(rec["metrics"].contains(std::string(k) + "_se")) << k;
    EXPECT_GT(rec["tolerance"][k].get<double>(), rec["metrics"][std::string(k) + "_se"].get<double>()) << k;
  }
  EXPECT_FALSE(rec["tolerance"].contains("edge_error_tw"));  // the edge is reported, not judged
  const auto nodes = read_npy(dir / s["nodes"].get<std::string>());
  EXPECT_EQ(nodes.size(), 2u * 4u * 20u);
  EXPECT_NE(rec["repro"].get<std::string>().find("--method slq"), std::string::npos);
  EXPECT_NE(rec["case_id"], nullptr);
  std::filesystem::remove_all(dir);
}

// The large suite parses and passes at reduced size, and its report draws one SLQ figure per case.
TEST(SlqCase, LargeSuiteRunsScaledDown) {
  const auto dir = std::filesystem::temp_directory_path() / ("rmt_slq_large_" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  const auto suite = (test_support::source_dir() / "bench/suites/large.toml").string();
  const auto r = rmtbench("run " + suite + " --set n=800 --steps 40 --probes 4 --backend cpu --no-sensitivity --quiet --out " +
                          dir.string());
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  const auto html = test_support::slurp(dir / "report.html");
  std::size_t figures = 0;
  for (auto at = html.find("class=\"fig-slq\""); at != std::string::npos; at = html.find("class=\"fig-slq\"", at + 1)) ++figures;
  EXPECT_EQ(figures, 4u);
  std::filesystem::remove_all(dir);
}

TEST(SlqCase, BenchReportsProductRatesAgainstTheRoofline) {
  const auto file = std::filesystem::temp_directory_path() / ("rmt_slq_bench_" + std::to_string(getpid()) + ".json");
  const auto r = rmtbench("bench --method slq --model mp --n 300,600 --repeats 2 --probes 4 --backend cpu --quiet --out " +
                          file.string());
  ASSERT_EQ(r.code, 0) << r.err;
  const auto doc = nlohmann::json::parse(test_support::slurp(file));
  EXPECT_EQ(doc["method"], "slq");
  EXPECT_GT(doc["peaks"]["gemm_gflops"].get<double>(), 0);
  EXPECT_GT(doc["peaks"]["bandwidth_gbs"].get<double>(), 0);
  EXPECT_GT(doc["peaks"]["sample_normals_per_s"].get<double>(), 0);
  ASSERT_EQ(doc["results"].size(), 2u);
  for (const auto& res : doc["results"]) {
    EXPECT_EQ(res["probes"], 4);
    EXPECT_NEAR(res["matvecs_per_s"].get<double>(), 4 / res["product_s"].get<double>(), 1e-9 * res["matvecs_per_s"].get<double>());
    EXPECT_GT(res["vs_roofline"].get<double>(), 0);
  }
  EXPECT_EQ(rmtbench("bench --method slq --model kernel --n 300 --quiet").code, 2);
  std::filesystem::remove(file);
}

TEST(SlqCase, ModelsWithoutAProductAndBadSettingsAreRefused) {
  const auto kernel = rmtbench("run --model kernel --method slq --backend cpu --quiet --out /nonexistent/x");
  EXPECT_EQ(kernel.code, 2);
  EXPECT_NE(kernel.err.find("no matrix-free product"), std::string::npos) << kernel.err;
  const auto ntk = rmtbench("run --model deep_ntk --set kernel=ntk --method slq --backend cpu --quiet --out /nonexistent/x");
  EXPECT_EQ(ntk.code, 2) << ntk.err;
  EXPECT_EQ(rmtbench("run --model mp --method slq --probes 1 --quiet --out /nonexistent/x").code, 2);
  EXPECT_EQ(rmtbench("run --model mp --method lanczos --quiet --out /nonexistent/x").code, 2);
  EXPECT_EQ(rmtbench("run --model ridge --method slq --quiet --out /nonexistent/x").code, 2);
  // Stored features of 1.5·10⁶ × 3·10⁶ do not fit: exit 3 naming the bytes, before anything is allocated.
  const auto big = rmtbench("run --model mp --set n=3000000 --method slq --storage stored --backend cpu --quiet "
                            "--out /nonexistent/x");
  EXPECT_EQ(big.code, 3) << big.err;
  EXPECT_NE(big.err.find("bytes"), std::string::npos) << big.err;
  EXPECT_NE(big.err.find("SLQ"), std::string::npos) << big.err;
}

}  // namespace
}  // namespace rmt
