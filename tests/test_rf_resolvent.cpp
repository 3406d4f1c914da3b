// The random-feature Gram resolvent on fixed data (docs/theory.md §12.1b; theory/rf_gram_functionals.hpp,
// model rf_resolvent): golden values of the Louart–Liao–Couillet equivalent and of the Gaussian-proxy covariance
// on a deterministic micro-example, then a functional case at (p, n, N) = (128, 512, 256) that passes, and
// wrong laws on the same draws (N/n 10 % off; the class means ignored) that fail.
//
// Golden values: an independent Python reference (beyond_ref.py, not shipped: Φ by the arc-cosine formula,
// δ by the damped fixed point), run as `python3 beyond_ref.py`; ≤ 1e-10 here.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "bench/functional_case.hpp"
#include "bench/mutation.hpp"
#include "core/base/activation.hpp"
#include "core/base/error.hpp"
#include "theory/llc_ridge.hpp"
#include "theory/rf_gram_functionals.hpp"
#include "support.hpp"

namespace rmt {
namespace {

using theory::RfGramFunctionals;

void expect_complex(complex got, complex want, double tol) {
  EXPECT_NEAR(got.real(), want.real(), tol);
  EXPECT_NEAR(got.imag(), want.imag(), tol);
}

Activation relu() {
  Activation f;
  f.kind = ActivationKind::relu;
  return f;
}

// X = (1/√2) [[1, 0, 1, 0.5], [0, 1, 1, −0.5]] (p = 2, n = 4, column-major), ReLU, N = 8.
RfGramFunctionals micro() {
  const double s = 1 / std::sqrt(2.0);
  const std::vector<double> x = {s, 0, 0, s, s, s, 0.5 * s, -0.5 * s};
  return RfGramFunctionals(theory::kernel_eigen(relu(), x, 2, 4), 8);
}

const std::vector<double> kA = {1 / std::sqrt(2.0), 0, 1 / std::sqrt(2.0), 0};
const std::vector<double> kB = {0, 1 / std::sqrt(2.0), 0, 1 / std::sqrt(2.0)};

TEST(RfGramFunctionals, GoldenValuesAtRealZ) {
  const auto de = micro();
  const complex z{-0.1, 0};
  expect_complex(de.delta(z), {0.397046633796, 0}, 1e-10);
  expect_complex(de.quadratic_form(z, kA, kA), {1.784491406907, 0}, 1e-10);
  expect_complex(de.quadratic_form(z, kA, kB), {-1.752778206259, 0}, 1e-10);
  expect_complex(de.trace(z), {4.315914384087, 0}, 1e-10);
  // Gaussian-proxy Cov(aᵀQa(z), aᵀQa(z̄)); at real z the bilinear and the conjugate covariance coincide.
  expect_complex(de.quadratic_form_covariance(z, z, kA, kA), {0.363221202281, 0}, 1e-10);
  expect_complex(de.bbar(z), 1.0 / (1.0 + de.delta(z)), 1e-15);
}

TEST(RfGramFunctionals, GoldenValuesAtComplexZ) {
  const auto de = micro();
  const complex z{0.2, 0.1};
  expect_complex(de.delta(z), {0.244027543613, 0.332781287426}, 1e-10);
  expect_complex(de.quadratic_form(z, kA, kA), {0.158481687658, 1.240328911912}, 1e-10);
  expect_complex(de.quadratic_form(z, kA, kB), {1.729284903804, -1.454163574317}, 1e-10);
  expect_complex(de.delta(std::conj(z)), std::conj(de.delta(z)), 1e-12);
  // E|X − EX|² is real and positive, and bounds |E(X − EX)²|.
  const complex conj_cov = de.quadratic_form_covariance(z, std::conj(z), kA, kB);
  EXPECT_NEAR(conj_cov.imag(), 0, 1e-12);
  EXPECT_GT(conj_cov.real(), std::abs(de.quadratic_form_covariance(z, z, kA, kB)));
}

TEST(RfGramFunctionals, DeltaSolvesItsFixedPointAndRejectsTheSpectrum) {
  const auto de = micro();
  const double alpha = 8.0 / 4.0;
  for (const complex z : {complex(-0.1, 0), complex(0.2, 0.1), complex(3, 0.05)}) {
    const complex d = de.delta(z);
    complex rhs = 0;
    for (const double l : de.kernel_eigenvalues()) rhs += l / (alpha * l / (1.0 + d) - z);
    expect_complex(d, rhs / 4.0, 1e-12);
    // (1/n) tr Q̄ is the mean of the quadratic forms on the canonical basis.
    complex mean = 0;
    for (int i = 0; i < 4; ++i) {
      std::vector<double> e(4, 0.0);
      e[static_cast<std::size_t>(i)] = 1;
      mean += de.quadratic_form(z, e, e) / 4.0;
    }
    expect_complex(mean, de.trace(z), 1e-12);
  }
  EXPECT_THROW(de.delta({0.5, 0}), InputError);
  EXPECT_THROW(de.quadratic_form({-1, 0}, std::vector<double>(3, 0.0), kA), InputError);
  EXPECT_THROW(RfGramFunctionals(theory::KernelEigen{}, 0), InputError);
}

// --- the case: (p, n, N) = (128, 512, 256), two-class mixture ‖μ_a‖ = 2.5, ReLU -------------------------------

nlohmann::json run_mutated(Assignments theory_set, int replicates) {
  bench::CaseSpec spec;
  spec.model = "rf_resolvent";
  spec.name = "rf_resolvent_mutated";
  spec.replicates = replicates;
  spec.seed = 2026;
  spec.mutation.set = std::move(theory_set);
  return test_support::run_on_cpu(bench::resolve_case(spec));
}

void expect_caught(const nlohmann::json& rec) {
  ASSERT_TRUE(rec.contains("mutation")) << rec.dump();
  EXPECT_EQ(rec["mutation"]["correct_verdict"], "pass") << rec["mutation"].dump();
  EXPECT_EQ(rec["verdict"], "fail");
  EXPECT_EQ(rec["mutation"]["status"], "caught") << rec["metrics"].dump();
}

// The largest z of the judged functionals whose name starts with `prefix`.
double worst(const nlohmann::json& rec, const std::string& prefix) {
  double out = -1;
  for (const auto& f : rec.at("empirical").at("functionals"))
    if (f.at("judged").get<bool>() && f.at("name").get<std::string>().rfind(prefix, 0) == 0)
      out = std::max(out, f.at("z").get<double>());
  return out;
}

TEST(RfResolventCase, PassesAndLosesToTenPercentMoreFeatures) {
  // 30 replicates: the quadratic forms' variances are judged too (against the proxy, 15 % allowed).
  const auto rec = run_mutated({{"features", "0.55"}}, 30);
  expect_caught(rec);
  EXPECT_LT(rec["mutation"]["correct_metrics"]["functional_error"].get<double>(), bench::kFunctionalTolerance);
  EXPECT_GT(worst(rec, "trQ/n"), 20.0);  // N/n enters (1/n) tr Q̄ at first order
  bool variance_judged = false;
  for (const auto& f : rec["theory"]["functionals"])
    if (f["stat"] == "variance" && f["judged"].get<bool>()) variance_judged = true;
  EXPECT_TRUE(variance_judged);
  for (const char* name : {"trQ/n@z=-0.1", "j1'Qj2@z=0.2+0.1i.re", "v'Qv@z=0.5+0.2i.im", "var j2'Qj2@z=-0.1"}) {
    bool found = false;
    for (const auto& f : rec["empirical"]["functionals"]) found = found || f["name"] == name;
    EXPECT_TRUE(found) << name;
  }
}

TEST(RfResolventCase, ClassFormsCatchTheMeansIgnored) {
  // The same noise without the class means: the trace barely moves (the means are a rank-2 perturbation of X),
  // the class-indicator forms, which load on the mean directions of Φ, fail.
  const auto rec = run_mutated({{"mean_norm", "0"}}, 20);
  expect_caught(rec);
  EXPECT_LT(worst(rec, "trQ/n"), bench::kFunctionalTolerance);
  EXPECT_GT(worst(rec, "j1'Qj1"), 20.0);
  EXPECT_GT(worst(rec, "v'Qv"), 20.0);
}

TEST(RfResolventCase, RejectsPointsOnTheSpectrumAndTooManyClasses) {
  EXPECT_THROW(test_support::make_case("rf_resolvent", {{"z", "0.5"}}), InputError);
  EXPECT_THROW(test_support::make_case("rf_resolvent", {{"n", "8"}, {"c", "0.25"}, {"classes", "3"}}), InputError);
  EXPECT_THROW(test_support::make_case("rf_resolvent", {{"activation", "tanh"}}), InputError);
  EXPECT_NO_THROW(test_support::make_case("rf_resolvent", {{"n", "64"}, {"classes", "3"}}));
}

}  // namespace
}  // namespace rmt
