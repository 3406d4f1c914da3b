// Nonlinear random features, kernels and deep networks against their deterministic equivalents,
// CPU backend, fixed seeds, n ≈ 1200–2000 (SPEC §9.5 tolerances, bench/case.cpp).
#include <gtest/gtest.h>

#include <filesystem>

#include "bench/case.hpp"

using namespace rmt;
using namespace rmt::bench;

namespace {

nlohmann::json run(const std::string& model, Assignments params, std::uint64_t seed = 7) {
  CaseSpec spec;
  spec.model = model;
  spec.name = model;
  for (const auto& [k, v] : params) spec.name += "_" + k + "=" + v;
  spec.params = std::move(params);
  spec.seed = seed;
  const auto dir = std::filesystem::temp_directory_path() / "rmt_test_mc_networks";
  auto backend = make_cpu_backend();
  return run_case(*backend, resolve_case(spec), dir);
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
  // |x| has E f' = 0: ζ = 0 and the law is MP(φ/ψ) scaled by η.
  expect_pass(run("rf", {{"n", "1600"}, {"phi", "0.5"}, {"psi", "0.8"}, {"activation", "abs"}}));
}

TEST(Networks, LinearActivationIsProductWishart) {
  expect_pass(run("rf", {{"n", "1600"}, {"phi", "0.5"}, {"psi", "0.7"}, {"activation", "linear"}}));
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
