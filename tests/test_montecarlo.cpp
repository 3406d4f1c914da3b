// Empirical spectra against theory at n ≈ 2000 on the CPU backend, fixed seeds, tolerances of
// docs/theory.md §9.5 scaled with the size (bench/spectral_case.cpp, default_tolerances).
#include <gtest/gtest.h>

#include <filesystem>

#include "bench/case.hpp"
#include "bench/spectral_case.hpp"
#include "core/base/metrics.hpp"
#include "tests/support.hpp"
#include "core/results/npy.hpp"
#include "theory/mp.hpp"

using namespace rmt;
using namespace rmt::bench;
using test_support::make_case;

namespace {

std::filesystem::path scratch() {
  auto dir = std::filesystem::temp_directory_path() / "rmt_test_montecarlo";
  std::filesystem::create_directories(dir);
  return dir;
}

nlohmann::json run(ResolvedCase c) {
  c.spec.sensitivity = false;  // not what these tests measure (tests/support.hpp, run_on_cpu)
  auto backend = make_cpu_backend();
  return run_case(*backend, c, scratch());
}

void expect_pass(const nlohmann::json& r) {
  EXPECT_EQ(r["verdict"], "pass") << r["case"] << " metrics " << r["metrics"].dump() << " tolerance "
                                  << r["tolerance"].dump();
}

}  // namespace

TEST(MonteCarlo, MarchenkoPasturAtOtherParameters) {
  const auto r = run(make_case("mp", {{"n", "2000"}, {"c", "0.3"}, {"sigma2", "2"}}));
  expect_pass(r);
  // docs/theory.md §9.5: Stieltjes error ≲ 5e-3 at Im z ≥ 0.1 for n ≈ 1000; here p = 600, so allow 2.5x.
  const auto& emp = r["empirical"]["stieltjes"];
  const auto& th = r["theory"]["stieltjes"];
  for (std::size_t k = 0; k < emp.size(); ++k) {
    const double im = emp[k]["z"][1].get<double>();
    if (im < 0.1 * 2.0) continue;  // points are in units of the mean eigenvalue σ² = 2
    const complex e(emp[k]["value"][0].get<double>(), emp[k]["value"][1].get<double>());
    const complex t(th[k]["value"][0].get<double>(), th[k]["value"][1].get<double>());
    EXPECT_LT(std::abs(e - t), 2.5 * 5e-3) << "z index " << k;
  }
}

TEST(MonteCarlo, MarchenkoPasturWithAtomAtZero) {
  const auto r = run(make_case("mp", {{"n", "1000"}, {"c", "1.6"}}));
  expect_pass(r);
  ASSERT_EQ(r["theory"]["atoms"].size(), 1u);
  EXPECT_NEAR(r["theory"]["atoms"][0]["mass"].get<double>(), 1 - 1 / 1.6, 1e-15);
}

TEST(MonteCarlo, BaiSilversteinTwoPopulations) {
  expect_pass(run(make_case("silverstein", {{"n", "2000"}, {"c", "0.2"}, {"pop", "1:2,4:1"}})));
  expect_pass(run(make_case("silverstein", {{"n", "2000"}})));
}

TEST(MonteCarlo, SpikedOutliersAndAlignments) {
  const auto r = run(make_case("spiked", {{"n", "2000"}, {"c", "0.25"}, {"spikes", "1,3,0.3"}}));
  expect_pass(r);
  // Two spikes above √c = 0.5 give outliers, the third (0.3) none.
  ASSERT_EQ(r["theory"]["outliers"].size(), 2u);
  EXPECT_NEAR(r["theory"]["outliers"][1]["position"].get<double>(), 2.5, 1e-12);  // docs/theory.md §2: c = 0.25, ℓ = 1
  EXPECT_NEAR(r["theory"]["outliers"][1]["alignment"].get<double>(), 0.6, 1e-12);
  const auto& emp = r["empirical"]["outliers"];
  ASSERT_EQ(emp.size(), 3u);
  EXPECT_NEAR(emp[0]["position"].get<double>(), 4.0 * (1 + 0.25 / 3), 0.15);
  EXPECT_NEAR(emp[1]["position"].get<double>(), 2.5, 0.15);
  // The sub-threshold spike sticks to the edge (1 + √c)² = 2.25 and its eigenvector is delocalised.
  EXPECT_NEAR(emp[2]["position"].get<double>(), 2.25, 0.1);
  EXPECT_LT(emp[2]["alignment"].get<double>(), 0.1);
}

TEST(MonteCarlo, ReplicatesAreAveragedAndSaved) {
  const auto c = make_case("mp", {{"n", "400"}, {"c", "0.5"}}, 3);
  const auto r = run(c);
  expect_pass(r);
  std::vector<std::size_t> shape;
  const auto eigs = read_npy(scratch() / r["empirical"]["eigenvalues"].get<std::string>(), &shape);
  EXPECT_EQ(shape, (std::vector<std::size_t>{3, 200}));
  // Replicates are different draws.
  EXPECT_NE(eigs[199], eigs[399]);
}

TEST(MonteCarlo, SameSeedSameSpectrumOtherSeedOtherSpectrum) {
  auto backend = make_cpu_backend();
  const auto c = make_case("silverstein", {{"n", "600"}});
  StageTimes t;
  const StreamKey key{c.spec.seed, c.case_key, 0, 0};
  const auto a = c.model->sample(*backend, c.params, key, t).eigenvalues;
  const auto b = c.model->sample(*backend, c.params, key, t).eigenvalues;
  EXPECT_EQ(a, b);
  StreamKey other = key;
  other.seed += 1;
  EXPECT_NE(a, c.model->sample(*backend, c.params, other, t).eigenvalues);
}

TEST(MonteCarlo, MetricsDetectAWrongLaw) {
  // A 20% error in the aspect ratio must fail the KS and Stieltjes checks: the tests can fail.
  auto backend = make_cpu_backend();
  const auto c = make_case("mp", {{"n", "2000"}, {"c", "0.5"}});
  StageTimes t;
  const auto eigs = c.model->sample(*backend, c.params, StreamKey{c.spec.seed, c.case_key, 0, 0}, t).eigenvalues;
  const theory::MarchenkoPastur right(0.5), wrong(0.6);
  const auto tol = default_tolerances(c, build_theory(c));  // the model's law is `right`
  EXPECT_LT(ks_distance(eigs, SpectralCdf(right)), tol.at("ks"));
  EXPECT_GT(ks_distance(eigs, SpectralCdf(wrong)), tol.at("ks"));
  std::vector<complex> z = standard_stieltjes_points(right.support(), 1.0), emp, th_right, th_wrong;
  for (const auto zk : z) {
    emp.push_back(empirical_stieltjes(eigs, zk));
    th_right.push_back(right.stieltjes(zk));
    th_wrong.push_back(wrong.stieltjes(zk));
  }
  EXPECT_LT(stieltjes_error(z, emp, th_right, right.support()), tol.at("stieltjes_error"));
  EXPECT_GT(stieltjes_error(z, emp, th_wrong, right.support()), tol.at("stieltjes_error"));
}
