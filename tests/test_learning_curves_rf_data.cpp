// Random-feature learning curves on given data (docs/theory.md §4.3, §4.4, §7.3) on the CPU backend:
// llc_ridge, rff_ridge and rf_gf against their deterministic equivalents at the Monte-Carlo sizes of
// docs/theory.md §10 with fixed seeds; the readout's linear algebra against a direct solve; the data sets;
// determinism; bad input.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sys/wait.h>

#include "bench/case.hpp"
#include "bench/curve_model.hpp"
#include "bench/models/common/data.hpp"
#include "bench/models/common/feature_readout.hpp"
#include "bench/models/common/labelled_data.hpp"
#include "bench/models/common/regression.hpp"
#include "core/base/error.hpp"
#include "tests/support.hpp"

using namespace rmt;
using namespace rmt::bench;
using test_support::make_case;

namespace {

nlohmann::json run(const ResolvedCase& c) { return test_support::run_on_cpu(c); }

// The points of a record's curve (or its single `risk`).
nlohmann::json points(const nlohmann::json& block) {
  return block.contains("curve") ? block["curve"] : nlohmann::json::array({block["risk"]});
}

// The verdict, and the acceptance bound: every predicted point within 5% of the theory, or
// within 3 standard errors where the value is so small that 5% is below the Monte-Carlo noise.
void expect_agreement(const nlohmann::json& r, bool test_predicted) {
  EXPECT_EQ(r["verdict"], "pass") << r["case"] << " metrics " << r["metrics"].dump() << " tolerance "
                                  << r["tolerance"].dump();
  EXPECT_TRUE(r["metrics"].contains("train_error")) << r["case"];
  EXPECT_EQ(r["metrics"].contains("risk_error"), test_predicted) << r["case"];
  const auto theory = points(r["theory"]), empirical = r["empirical"]["curve"];
  ASSERT_EQ(theory.size(), empirical.size());
  for (std::size_t i = 0; i < theory.size(); ++i)
    for (const std::string key : {"train", "test"}) {
      if (!theory[i].contains(key)) {
        EXPECT_FALSE(test_predicted) << r["case"] << " point " << i << " has no " << key;
        continue;
      }
      const double th = theory[i][key], emp = empirical[i][key], se = empirical[i][key + "_se"];
      EXPECT_LE(std::abs(emp - th), std::max(0.05 * std::abs(th), 3 * se))
          << r["case"] << " point " << i << " " << key << ": theory " << th << ", empirical " << emp << " ± " << se;
    }
}

}  // namespace

TEST(RandomFeatureCurves, LlcRidgeAtSpecSizes) {
  // docs/theory.md §4.3 / §10: GMM data p = 256, n = 1024, N = 512, 20 draws of W; within 1–2 s.e.
  const auto r = run(make_case("llc_ridge", {{"n", "1024"}, {"c", "0.25"}, {"features", "0.5"}, {"gamma", "0.01,0.1,1"}}, 20));
  expect_agreement(r, true);
  ASSERT_EQ(r["theory"]["curve"].size(), 3u);
  EXPECT_EQ(r["empirical"]["axis"], "gamma");
}

TEST(RandomFeatureCurves, LlcRidgeFeaturesGridOnAGaussianTeacher) {
  // A features grid (one nested weight draw per replicate; N = 128 < n and N = 512 > n) on the linear teacher.
  const auto r = run(make_case(
      "llc_ridge", {{"n", "256"}, {"c", "0.5"}, {"features", "0.5,2"}, {"gamma", "0.1"}, {"data", "gaussian"}, {"noise", "0.1"}},
      20));
  expect_agreement(r, true);
  EXPECT_EQ(r["empirical"]["axis"], "features");
}

TEST(RandomFeatureCurves, FourierRidgeTrainErrorAtSpecSizes) {
  // docs/theory.md §4.4: p = 100, n = 400, N = 150; the training error only (no test prediction, no risk_error).
  const auto r = run(make_case("rff_ridge", {{"n", "400"}, {"c", "0.25"}, {"features", "0.375"}, {"gamma", "0.001,0.1,1"}}, 20));
  expect_agreement(r, false);
  for (const auto& point : r["empirical"]["curve"]) EXPECT_GT(point["test"].get<double>(), 0.0);  // measured anyway
}

TEST(RandomFeatureCurves, GradientFlowAtSpecSizes) {
  // docs/theory.md §7.3: p = 200, n = 600, N = 400, ReLU, t = 0.1, 1, 10, 100.
  const auto r = run(make_case("rf_gf", {{"n", "600"}, {"c", "0.3333"}, {"features", "0.6667"}, {"t", "0.1,1,10,100"}}, 20));
  expect_agreement(r, true);
  // The flow fits: the training error falls along t, in theory and in the sample.
  const auto curve = r["empirical"]["curve"];
  for (std::size_t i = 1; i < curve.size(); ++i) EXPECT_LT(curve[i]["train"].get<double>(), curve[i - 1]["train"].get<double>());
}

TEST(RandomFeatureCurves, ReadoutMatchesADirectSolveOnEitherSide) {
  // β = Σ(ΣᵀΣ/n + γ)⁻¹y/n by Gaussian elimination, against the spectral readout from S (F×F) and from G (n×n).
  auto backend = make_cpu_backend();
  const index_t features = 12, n = 20, nt = 7;
  const Matrix sigma = backend->sample_gaussian({3, 4, 0, 0}, features, n);
  const Matrix sigma_test = backend->sample_gaussian({3, 4, 0, 1}, features, nt);
  const auto y = host_gaussians({3, 4, 0, 2}, n), y_test = host_gaussians({3, 4, 0, 3}, nt);
  const auto s = backend->to_host(sigma), st = backend->to_host(sigma_test);
  const double gamma = 0.3;
  // A = ΣᵀΣ/n + γ, solve A α = y.
  std::vector<double> a(n * n), alpha(y);
  for (index_t i = 0; i < n; ++i)
    for (index_t j = 0; j < n; ++j) {
      double v = 0;
      for (index_t k = 0; k < features; ++k) v += s[k + i * features] * s[k + j * features] / n;
      a[i + j * n] = v + (i == j ? gamma : 0.0);
    }
  for (index_t c = 0; c < n; ++c)
    for (index_t r = c + 1; r < n; ++r) {
      const double m = a[r + c * n] / a[c + c * n];
      for (index_t k = c; k < n; ++k) a[r + k * n] -= m * a[c + k * n];
      alpha[r] -= m * alpha[c];
    }
  for (index_t c = n - 1; c >= 0; --c) {
    for (index_t k = c + 1; k < n; ++k) alpha[c] -= a[c + k * n] * alpha[k];
    alpha[c] /= a[c + c * n];
  }
  std::vector<double> beta(features, 0.0);
  for (index_t j = 0; j < n; ++j)
    for (index_t k = 0; k < features; ++k) beta[k] += s[k + j * features] * alpha[j] / n;
  const auto mse = [&](const std::vector<double>& m, const std::vector<double>& target, index_t cols) {
    double e = 0;
    for (index_t j = 0; j < cols; ++j) {
      double f = 0;
      for (index_t k = 0; k < features; ++k) f += m[k + j * features] * beta[k];
      e += (target[j] - f) * (target[j] - f) / cols;
    }
    return e;
  };
  const double train = mse(s, y, n), test = mse(st, y_test, nt);
  StageTimes t;
  const auto ridge = ridge_filter(gamma, 0.0);
  const auto flow = [](double g) { return flow_filter(g, 2.5, 0.0); };
  std::vector<CurveDraw> sides;
  for (const auto side : {FeatureReadout::Side::features, FeatureReadout::Side::samples}) {
    const FeatureReadout readout(*backend, sigma, sigma_test, y, y_test, t, side);
    sides.push_back(readout.errors({ridge, flow}, t));
    EXPECT_NEAR(sides.back().train[0], train, 1e-12);
    EXPECT_NEAR(sides.back().test[0], test, 1e-12);
  }
  EXPECT_NEAR(sides[0].train[1], sides[1].train[1], 1e-12);  // gradient flow: the two sides agree
  EXPECT_NEAR(sides[0].test[1], sides[1].test[1], 1e-12);
  // The training-only readout (rf_ridge_de): the same training errors, and the coefficients β of
  // the direct solve, on either side.
  for (const auto side : {FeatureReadout::Side::features, FeatureReadout::Side::samples}) {
    const FeatureReadout readout(*backend, sigma, y, t, side);
    const auto trains = readout.train_errors({ridge, flow});
    EXPECT_NEAR(trains[0], train, 1e-12);
    EXPECT_NEAR(trains[1], sides[0].train[1], 1e-12);
    const auto coefficients = backend->to_host(readout.coefficients(sigma, {ridge, flow}, t));
    ASSERT_EQ(coefficients.size(), 2 * beta.size());
    for (index_t k = 0; k < features; ++k) EXPECT_NEAR(coefficients[k], beta[k], 1e-12) << k;
    EXPECT_THROW(readout.errors({ridge}, t), Error);  // no test features
  }
}

TEST(RandomFeatureCurves, DataSetsAreFixedByTheDataParameters) {
  const auto c = make_case("llc_ridge", {{"n", "64"}, {"c", "0.5"}, {"data", "gaussian"}, {"noise", "0.2"}}, 5);
  const LabelledData d = labelled_data(c.params, 32, 64);
  EXPECT_NE(d.x, d.x_test);  // train and test are independent draws
  EXPECT_NE(d.y, d.y_test);
  // The same data for another ridge grid and another model (rf_gf) at the same data parameters.
  const auto other = make_case("rf_gf", {{"n", "64"}, {"c", "0.5"}, {"data", "gaussian"}, {"noise", "0.2"}}, 5);
  EXPECT_EQ(labelled_data(other.params, 32, 64).x_test, d.x_test);
  const auto seeded = make_case("llc_ridge", {{"n", "64"}, {"c", "0.5"}, {"data", "gaussian"}, {"noise", "0.2"}, {"data_seed", "2"}}, 5);
  EXPECT_NE(labelled_data(seeded.params, 32, 64).x, d.x);
  // GMM targets are the class labels ±1.
  const auto gmm = make_case("llc_ridge", {{"n", "64"}, {"c", "0.5"}, {"classes", "3"}}, 5);
  const LabelledData g = labelled_data(gmm.params, 32, 64);
  for (index_t j = 0; j < 64; ++j) EXPECT_EQ(g.y[j], j % 3 == 0 ? 1.0 : -1.0);
  // generate_data's default stream is llc_gram's: its data set is unchanged.
  const StreamKey key{42, 7, 0, 0};
  EXPECT_EQ(generate_data(gmm.params, 8, 16, key), generate_data(gmm.params, 8, 16, key, 10));
  EXPECT_NE(generate_data(gmm.params, 8, 16, key), generate_data(gmm.params, 8, 16, key, 11));
}

TEST(RandomFeatureCurves, GmmMeanScale) {
  // Class means of norm mean_norm/√p (sqrt_p, the default: Liao–Couillet) or mean_norm (unit), the
  // noise z/√p the same draw in both.
  const index_t p = 400, n = 2000;
  const StreamKey key{42, 7, 0, 0};
  const auto class_mean_norm = [&](const std::vector<double>& x) {
    std::vector<double> mean(p, 0.0);  // class 0: columns j ≡ 0 mod 2
    for (index_t j = 0; j < n; j += 2)
      for (index_t i = 0; i < p; ++i) mean[i] += x[i + j * p] / (n / 2);
    double norm2 = 0;
    for (const double m : mean) norm2 += m * m;
    return std::sqrt(norm2);
  };
  const auto base = make_case("llc_gram", {{"data", "gmm"}, {"mean_norm", "3"}}, 1);
  EXPECT_EQ(base.params.text("mean_scale"), "sqrt_p");
  const auto unit = make_case("llc_gram", {{"data", "gmm"}, {"mean_norm", "3"}, {"mean_scale", "unit"}}, 1);
  const auto xs = generate_data(base.params, p, n, key), xu = generate_data(unit.params, p, n, key);
  // The empirical class mean adds the noise mean, of norm ≈ √(p/(n/2))/√p = 0.032.
  EXPECT_NEAR(class_mean_norm(xs), 3 / std::sqrt(double(p)), 0.04);
  EXPECT_NEAR(class_mean_norm(xu), 3.0, 0.04);
  EXPECT_NEAR(xu[0] - xs[0], 3.0 - 3.0 / std::sqrt(double(p)), 1e-12);  // x_{0,0} carries μ_0's entry
  EXPECT_EQ(xu[1], xs[1]);
  EXPECT_THROW(make_case("llc_gram", {{"data", "gmm"}, {"mean_scale", "root"}}, 1), InputError);
}

TEST(RandomFeatureCurves, SameSeedSameNumbers) {
  for (const char* model : {"llc_ridge", "rff_ridge", "rf_gf"}) {
    const Assignments params = {{"n", "128"}, {"c", "0.25"}, {"features", "0.5"}};
    const auto a = run(make_case(model, params, 5, 11)), b = run(make_case(model, params, 5, 11));
    EXPECT_EQ(a["empirical"], b["empirical"]) << model;
    EXPECT_EQ(a["theory"], b["theory"]) << model;
    const auto other = run(make_case(model, params, 5, 12));
    EXPECT_NE(a["empirical"], other["empirical"]) << model;  // new weights
    EXPECT_EQ(a["theory"], other["theory"]) << model;        // same data
  }
}

TEST(RandomFeatureCurves, BadInputIsRejectedBeforeRunning) {
  EXPECT_THROW(make_case("llc_ridge", {{"activation", "tanh"}}, 5), InputError);  // no closed-form kernel
  EXPECT_THROW(make_case("rf_gf", {{"activation", "swish"}}, 5), InputError);
  EXPECT_THROW(make_case("llc_ridge", {{"gamma", "0"}}, 5), InputError);
  EXPECT_THROW(make_case("rff_ridge", {{"gamma", "-0.1,1"}}, 5), InputError);
  EXPECT_THROW(make_case("llc_ridge", {{"gamma", "0.1,1"}, {"features", "0.5,1"}}, 5), InputError);  // two grids
  EXPECT_THROW(make_case("llc_ridge", {{"n", "20"}, {"c", "0.1"}, {"classes", "3"}}, 5), InputError);  // p = 2 < 3 classes
  EXPECT_THROW(make_case("rf_gf", {{"t", "-1"}}, 5), InputError);
  EXPECT_THROW(make_case("rf_gf", {{"features", "0.5,1"}}, 5), InputError);  // rf_gf runs over t only
  EXPECT_THROW(make_case("rff_ridge", {{"activation", "relu"}}, 5), InputError);  // Fourier features only
}

namespace {

using test_support::rmtbench;

}  // namespace

TEST(RandomFeatureCurvesCli, TheoryAndBadInput) {
  const auto flow = rmtbench("theory rf_gf --set n=200 --t 1,10");
  ASSERT_EQ(flow.code, 0) << flow.err;
  const auto curve = nlohmann::json::parse(flow.out)["curve"];
  ASSERT_EQ(curve.size(), 2u);
  EXPECT_GT(curve[0]["train"].get<double>(), curve[1]["train"].get<double>());
  const auto rff = nlohmann::json::parse(rmtbench("theory rff_ridge --set n=200 --set gamma=0.1").out);
  EXPECT_TRUE(rff["risk"].contains("train"));
  EXPECT_FALSE(rff["risk"].contains("test"));
  for (const char* args : {"theory llc_ridge --set gamma=0", "theory llc_ridge --set activation=tanh",
                           "run --model rf_gf --set activation=gelu --out /tmp/rmt_never_rf"}) {
    const auto r = rmtbench(args);
    EXPECT_EQ(r.code, 2) << args << ": " << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << args << ": " << r.err;
  }
  EXPECT_FALSE(std::filesystem::exists("/tmp/rmt_never_rf/results.jsonl"));
}
