// Learning curves (issue #5) on the CPU backend: ridge, random-features ridge and gradient flow
// fitted on sampled data against their deterministic equivalents, at the sizes of docs/theory.md §10 with
// fixed seeds; the spectral evaluation against a plain gradient-descent loop; bad input.
#include <gtest/gtest.h>

#include <cmath>
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sys/wait.h>

#include "bench/case.hpp"
#include "bench/curve_model.hpp"
#include "bench/models/common/regression.hpp"
#include "core/base/error.hpp"
#include "tests/support.hpp"

using namespace rmt;
using namespace rmt::bench;
using test_support::make_case;

namespace {

nlohmann::json run(const ResolvedCase& c) { return test_support::run_on_cpu(c); }

// The verdict, and the acceptance bound: every point within `relative` of the theory.
void expect_agreement(const nlohmann::json& r, double relative) {
  EXPECT_EQ(r["verdict"], "pass") << r["case"] << " metrics " << r["metrics"].dump() << " tolerance "
                                  << r["tolerance"].dump();
  EXPECT_LE(r["metrics"]["risk_error"].get<double>(), relative) << r["case"];
}

}  // namespace

TEST(LearningCurves, RidgeTwoLevelCovarianceAtSpecSizes) {
  // docs/theory.md §5.1 MC sizes (p = 400; n = 300 overparametrised, n = 800), 20 replicates, within 5%.
  expect_agreement(run(make_case("ridge", {{"n", "300"}, {"gamma", "1.3333333333333333"}, {"pop", "1:1,4:1"},
                                           {"sigma2", "0.5"}, {"lambda", "0.1"}}, 20)), 0.05);
  expect_agreement(run(make_case("ridge", {{"n", "800"}, {"gamma", "0.5"}, {"pop", "1:1,4:1"}, {"sigma2", "0.5"},
                                           {"lambda", "0.5"}}, 20)), 0.05);
}

TEST(LearningCurves, RidgeLambdaGridSharesOneDecomposition) {
  // Not a docs/theory.md §10 size: judged by the statistical verdict (theory error + 3 standard errors) only.
  const auto r = run(make_case("ridge", {{"n", "600"}, {"gamma", "0.7"}, {"pop", "0.5:1,2:1"}, {"lambda", "0.001:1:6log"}}, 20));
  EXPECT_EQ(r["verdict"], "pass") << r["metrics"].dump() << " " << r["tolerance"].dump();
  ASSERT_EQ(r["theory"]["curve"].size(), 6u);
  ASSERT_EQ(r["empirical"]["curve"].size(), 6u);
  EXPECT_EQ(r["empirical"]["axis"], "lambda");
  // Ridge shrinks: the training error grows with λ, in theory and in the sample.
  for (std::size_t i = 1; i < 6; ++i)
    EXPECT_GT(r["empirical"]["curve"][i]["train"].get<double>(), r["empirical"]["curve"][i - 1]["train"].get<double>());
}

TEST(LearningCurves, RidgelessBothSidesOfTheInterpolationThreshold) {
  expect_agreement(run(make_case("ridge", {{"n", "400"}, {"gamma", "0.5"}, {"lambda", "0"}}, 20)), 0.05);
  const auto over = run(make_case("ridge", {{"n", "300"}, {"gamma", "2"}, {"lambda", "0"}}, 20));
  expect_agreement(over, 0.05);
  EXPECT_LT(over["empirical"]["risk"]["train"].get<double>(), 1e-12);  // min-norm interpolation
}

TEST(LearningCurves, GradientFlowIsotropicAtSpecSizes) {
  // docs/theory.md §7.1 MC: p, n ∈ {300, 600}; test errors within 2.5%, late times 4% (§9.5).
  expect_agreement(run(make_case("gf", {{"n", "600"}, {"gamma", "0.5"}, {"t", "0.5,2,10"}}, 20)), 0.05);
  expect_agreement(run(make_case("gf", {{"n", "300"}, {"gamma", "2"}, {"t", "0.5,2,10"}}, 20)), 0.05);
}

TEST(LearningCurves, TestErrorOnFreshSamples) {
  // The same verdicts when the excess risk is measured on fresh test points instead of from Σ.
  expect_agreement(run(make_case("ridge", {{"n", "600"}, {"gamma", "0.7"}, {"pop", "1:1,4:1"}, {"lambda", "0.01:1:3log"},
                                           {"test_samples", "2000"}}, 20)), 0.05);
  expect_agreement(run(make_case("gf", {{"n", "600"}, {"gamma", "0.5"}, {"t", "0.5,2,10"}, {"test_samples", "1000"}}, 20)), 0.05);
}

TEST(LearningCurves, GradientDescentWithAStep) {
  expect_agreement(run(make_case("gf", {{"n", "600"}, {"gamma", "0.5"}, {"eta", "0.2"}, {"t", "1,4,20"}}, 20)), 0.05);
}

TEST(LearningCurves, SpectralFilterEqualsAPlainGradientDescentLoop) {
  // w_{k+1} = w_k − η (Ŝ w_k − Xy/n) from 0, against V filter(D) Vᵀ Xy/n, on a small problem.
  auto backend = make_cpu_backend();
  const index_t p = 30, n = 50;
  const StreamKey key{5, 7, 0, 0};
  const Matrix x = backend->sample_gaussian(key, p, n);
  const auto beta = host_gaussians({5, 7, 0, 1}, p, 0.2);
  const auto noise = host_gaussians({5, 7, 0, 2}, n, 0.5);
  StageTimes t;
  const EigenRegression reg = decompose_regression(*backend, x, beta, noise, t);
  const auto xh = backend->to_host(x);
  std::vector<double> y(n, 0.0), xy(p, 0.0), w(p, 0.0);
  for (index_t j = 0; j < n; ++j) {
    for (index_t i = 0; i < p; ++i) y[j] += xh[i + j * p] * beta[i];
    y[j] += noise[j];
  }
  for (index_t j = 0; j < n; ++j)
    for (index_t i = 0; i < p; ++i) xy[i] += xh[i + j * p] * y[j] / n;
  const double eta = 0.1;
  const int steps = 40;
  for (int k = 0; k < steps; ++k) {
    std::vector<double> sw(p, 0.0), xw(n, 0.0);
    for (index_t j = 0; j < n; ++j)
      for (index_t i = 0; i < p; ++i) xw[j] += xh[i + j * p] * w[i];
    for (index_t j = 0; j < n; ++j)
      for (index_t i = 0; i < p; ++i) sw[i] += xh[i + j * p] * xw[j] / n;
    for (index_t i = 0; i < p; ++i) w[i] -= eta * (sw[i] - xy[i]);
  }
  const auto spectral = reg.coefficients(reg.filter([&](double d) { return flow_filter(d, eta * steps, eta); }));
  for (index_t i = 0; i < p; ++i) EXPECT_NEAR(spectral[i], w[i], 1e-12 * (1 + std::abs(w[i]))) << i;
  // And the training error of the loop's iterate.
  double train = 0;
  for (index_t j = 0; j < n; ++j) {
    double f = 0;
    for (index_t i = 0; i < p; ++i) f += xh[i + j * p] * w[i];
    train += (y[j] - f) * (y[j] - f) / n;
  }
  EXPECT_NEAR(reg.train_error(reg.filter([&](double d) { return flow_filter(d, eta * steps, eta); })), train, 1e-12);
}

TEST(LearningCurves, MeiMontanariAtSpecSizes) {
  // docs/theory.md §5.2 MC: d = 200, ψ2 = 3 (n = 600), ReLU, F1 = 1, τ² = 0.25; ~2% at this size.
  expect_agreement(run(make_case("rf_ridge", {{"n", "600"}, {"psi1", "1,6"}, {"lambda", "0.001"}}, 20)), 0.05);
  expect_agreement(run(make_case("rf_ridge", {{"n", "600"}, {"psi1", "1,3,6"}, {"lambda", "0.1"}}, 20)), 0.05);
}

TEST(LearningCurves, SameSeedSameNumbers) {
  const auto c = make_case("gf", {{"n", "200"}, {"t", "1,5"}}, 5, 11);
  EXPECT_EQ(run(c)["empirical"], run(c)["empirical"]);
  const auto other = make_case("gf", {{"n", "200"}, {"t", "1,5"}}, 5, 12);
  EXPECT_NE(run(c)["empirical"], run(other)["empirical"]);
}

TEST(LearningCurves, RecordShapes) {
  const auto single = run(make_case("ridge", {{"n", "200"}}, 5));
  EXPECT_TRUE(single["theory"].contains("risk"));
  EXPECT_FALSE(single["theory"].contains("curve"));
  for (const char* k : {"train", "test", "bias", "variance"}) EXPECT_TRUE(single["theory"]["risk"].contains(k)) << k;
  EXPECT_TRUE(single["metrics"].contains("risk_error"));
  const auto flow = run(make_case("gf", {{"n", "200"}, {"t", "2"}}, 5));
  ASSERT_TRUE(flow["theory"].contains("curve"));  // dynamics are always a curve over t
  EXPECT_DOUBLE_EQ(flow["theory"]["curve"][0]["t"].get<double>(), 2.0);
  EXPECT_EQ(flow["replicates"], 5);
  // Fewer replicates than a standard error needs are raised to the model's minimum.
  EXPECT_EQ(make_case("gf", {{"n", "200"}}, 1).spec.replicates, 5);
}

TEST(LearningCurves, BadInputIsRejectedBeforeRunning) {
  EXPECT_THROW(make_case("ridge", {{"lambda", "0.1,1"}, {"gamma", "0.5,2"}}, 5), InputError);  // two grids
  EXPECT_THROW(make_case("ridge", {{"lambda", "0"}, {"gamma", "1"}}, 5), InputError);          // threshold
  EXPECT_THROW(make_case("ridge", {{"lambda", "-1"}}, 5), InputError);
  EXPECT_THROW(make_case("ridge", {{"lambda", "1:0.1:3log"}, {"pop", "0:1"}}, 5), InputError);
  EXPECT_THROW(make_case("gf", {{"eta", "0.5"}, {"gamma", "1"}}, 5), InputError);  // η ≥ 2/λmax = 0.5
  EXPECT_THROW(make_case("rf_ridge", {{"activation", "linear"}}, 5), InputError);
  EXPECT_THROW(make_case("rf_ridge", {{"lambda", "0"}, {"psi1", "3"}}, 5), InputError);
  EXPECT_THROW(make_case("mp", {{"c", "0.1,0.2"}}, 1), InputError);  // spectral parameters are scalars
}

namespace {

using test_support::rmtbench;

}  // namespace

TEST(LearningCurvesCli, TheoryPrintsRiskOrCurve) {
  const auto risk = rmtbench("theory ridge --set gamma=2 --set lambda=1");
  ASSERT_EQ(risk.code, 0) << risk.err;
  const auto j = nlohmann::json::parse(risk.out);
  EXPECT_NEAR(j["risk"]["bias"].get<double>(), (1 + std::sqrt(2.0)) / 4, 1e-10);  // docs/theory.md §5.1 HMRT
  EXPECT_NEAR(j["risk"]["variance"].get<double>(), (std::sqrt(2.0) - 1) / 2, 1e-10);
  const auto flow = rmtbench("theory gf --set gamma=0.5 --t 0.5,2,10");
  ASSERT_EQ(flow.code, 0) << flow.err;
  const auto c = nlohmann::json::parse(flow.out)["curve"];
  ASSERT_EQ(c.size(), 3u);
  EXPECT_NEAR(c[1]["test"].get<double>(), 0.2268499717, 1e-9);  // docs/theory.md §7.1 table, γ = 0.5, t = 2
  EXPECT_NEAR(c[1]["train"].get<double>(), 0.2086473045, 1e-9);
}

TEST(LearningCurvesCli, BadGridsExitTwoWithOneLine) {
  for (const char* args : {"run --model ridge --set lambda=1:0.1:0log --out /tmp/rmt_never", "theory ridge --set lambda=0,1 --set gamma=1,2",
                           "theory gf --t -1", "run --model gf --set eta=1 --out /tmp/rmt_never", "theory ridge --z 1+1i"}) {
    const auto r = rmtbench(args);
    EXPECT_EQ(r.code, 2) << args << ": " << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << args << ": " << r.err;
  }
  EXPECT_FALSE(std::filesystem::exists("/tmp/rmt_never/results.jsonl"));
}
