// Nonlinear random features, kernels and deep networks against their deterministic equivalents,
// CPU backend, fixed seeds, n ≈ 1200–2000 (docs/theory.md §9.5 tolerances, bench/spectral_case.cpp).
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "bench/case.hpp"
#include "support.hpp"

using namespace rmt;
using namespace rmt::bench;

namespace {

nlohmann::json run(const std::string& model, Assignments params, std::uint64_t seed = 7) {
  return test_support::run_on_cpu(test_support::make_case(model, std::move(params), 1, seed));
}

void expect_pass(const nlohmann::json& r) {
  EXPECT_EQ(r["verdict"], "pass") << r["case"] << "\nmetrics " << r["metrics"].dump() << "\ntolerance "
                                  << r["tolerance"].dump();
}

}  // namespace

TEST(Networks, RandomFeaturesPenningtonWorah) {
  expect_pass(run("rf", {{"n", "1600"}, {"phi", "0.6"}, {"psi", "0.9"}, {"activation", "relu"}}));
  expect_pass(run("rf", {{"n", "1600"}, {"phi", "0.4"}, {"psi", "0.5"}, {"activation", "tanh"}}));
}

TEST(Networks, RandomFeaturesZetaZeroIsMarchenkoPastur) {
  // |x| has E f' = 0: ζ = 0 and the law is MP(φ/ψ) scaled by η. Its μ2 = 1/√π term lifts one
  // eigenvalue clearly above the edge (strength μ2²/ψ = 0.40): counted, and kept out of the bulk.
  const auto r = run("rf", {{"n", "1600"}, {"phi", "0.5"}, {"psi", "0.8"}, {"activation", "abs"}});
  expect_pass(r);
  EXPECT_GE(r["metrics"]["unpredicted_outliers"].get<double>(), 1.0);
}

TEST(Networks, LinearActivationIsProductWishart) {
  const auto r = run("rf", {{"n", "1600"}, {"phi", "0.5"}, {"psi", "0.7"}, {"activation", "linear"}});
  expect_pass(r);
  EXPECT_EQ(r["metrics"]["unpredicted_outliers"].get<double>(), 0.0);  // μ2 = 0: nothing is excluded
}

TEST(Networks, KernelChengSinger) {
  expect_pass(run("kernel", {{"n", "1600"}, {"c", "0.6"}, {"activation", "tanh"}}));
  expect_pass(run("kernel", {{"n", "1600"}, {"c", "0.6"}, {"activation", "relu"}}));
}

TEST(Networks, ConjugateKernelThreeLayers) {
  expect_pass(run("ck", {{"n", "1200"}, {"gamma0", "0.8"}, {"gammas", "1,0.75,1.5"}, {"activation", "tanh"}}));
}

TEST(Networks, NeuralTangentKernelOneHiddenLayer) {
  expect_pass(run("ntk", {{"n", "1200"}, {"gamma0", "0.5"}, {"gamma1", "0.75"}, {"activation", "relu"}}));
}

TEST(Networks, ConjugateKernelWithZeroSlopeForgetsTheInput) {
  // Normalised |x| has b = E σ'(ξ) = 0: every layer is MP(γ_ℓ) of its own width, whatever came before.
  const auto r = run("ck", {{"n", "1200"}, {"gamma0", "0.5"}, {"gammas", "1.5,0.6"}, {"activation", "abs"}});
  expect_pass(r);
  const double g = 0.6;  // last layer: MP with ratio γ_L, support [(1-√γ)², (1+√γ)²]
  EXPECT_NEAR(r["theory"]["support"][0][0].get<double>(), std::pow(1 - std::sqrt(g), 2), 1e-8);
  EXPECT_NEAR(r["theory"]["support"][0][1].get<double>(), std::pow(1 + std::sqrt(g), 2), 1e-8);
}

TEST(Networks, LouartLiaoCouilletGramOnGivenData) {
  // The deterministic equivalent is built from the expected kernel Φ of the very data sampled.
  for (const char* data : {"gaussian", "sphere", "gmm"})
    expect_pass(run("llc_gram", {{"n", "600"}, {"c", "0.4"}, {"features", "1.25"}, {"data", data}, {"activation", "erf"}}));
  expect_pass(run("llc_gram", {{"n", "600"}, {"features", "0.7"}, {"activation", "relu"}}));  // N < n: atom at 0
}

TEST(Networks, NonCentredActivationGivesThePredictedMeanOutlier) {
  // Raw ReLU has mean μ0 = 1/√(2π): an outlier near μ0² N, aligned with the constant vector, kept out
  // of the bulk, which still follows Pennington–Worah.
  const auto r = run("rf", {{"n", "1600"}, {"centred", "0"}, {"activation", "relu"}});
  expect_pass(r);
  ASSERT_EQ(r["theory"]["outliers"].size(), 1u);
  const double n_features = r["size"]["rows"].get<double>();
  EXPECT_NEAR(r["theory"]["outliers"][0]["position"].get<double>() / n_features, 1 / (2 * M_PI), 0.01);
  EXPECT_GT(r["empirical"]["outliers"][0]["alignment"].get<double>(), 0.99);
}

TEST(Networks, MeanOutlierIsPredictedOncePerParameterSet) {
  // rf keeps the prediction of the last parameter set (every replicate's sample asks for it): it
  // follows the parameters, never a stale set.
  const Model& rf = find_model("rf");
  const auto params = [&rf](const char* n, const char* centred) {
    return resolve_params("rf", rf.params(), {{"n", n}, {"centred", centred}});
  };
  const Params small = params("400", "0"), large = params("1600", "0"), centred = params("1600", "1");
  const auto first = rf.theory_outliers(small);
  ASSERT_EQ(first.size(), 1u);
  const auto other = rf.theory_outliers(large);
  ASSERT_EQ(other.size(), 1u);
  EXPECT_NEAR(other[0].position / first[0].position, 4.0, 0.1);  // ≈ μ0² N
  EXPECT_TRUE(rf.theory_outliers(centred).empty());
  EXPECT_EQ(rf.theory_outliers(small)[0].position, first[0].position);
  EXPECT_EQ(rf.tracked_spikes(large), 1);
}

TEST(Networks, ElKarouiKernelLinearisation) {
  // Bulk = affine image of MP(n/p); the 11ᵀ term is the one far outlier, kept out of the bulk.
  for (const char* kind : {"inner", "distance"}) {
    const auto r = run("kernel_el_karoui", {{"n", "1000"}, {"c", "1.5"}, {"kind", kind}, {"f", "gaussian"}});
    expect_pass(r);
    EXPECT_EQ(r["metrics"]["unpredicted_outliers"].get<double>(), 1.0);
  }
  expect_pass(run("kernel_el_karoui", {{"n", "1000"}, {"c", "2"}, {"kind", "inner"}, {"f", "exp"}}));
}
