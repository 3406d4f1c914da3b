// Random-feature ridge regression on given data (docs/theory.md §4.3, §4.4; §10 row 19): the LLC
// micro-example, oracle values at other parameters, the consistency identity
// Ē_train = γ² d/dz[(1/n) yᵀQ̄(z)y] at z = −γ, and the random-Fourier-feature training error
// against the oracle and a Monte-Carlo run.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <numbers>
#include <random>
#include <vector>

#include "core/base/backend.hpp"
#include "core/base/error.hpp"
#include "tests/oracle_data.hpp"
#include "theory/llc_ridge.hpp"
#include "theory/rf_dynamics.hpp"

namespace rmt::theory {
namespace {

using test_support::Data;
using test_support::gmm;

// docs/theory.md §4.3 micro-example: X = (1/√2)[[1, 0, 1, 0.5], [0, 1, 1, −0.5]], y = (1, −1, 1, −1),
// X̂ = [[0.3, −0.7], [0.9, 0.2]], ŷ = (1, −1) (column-major below).
const std::vector<double> kX = {1 / std::numbers::sqrt2,
                                0,
                                0,
                                1 / std::numbers::sqrt2,
                                1 / std::numbers::sqrt2,
                                1 / std::numbers::sqrt2,
                                0.5 / std::numbers::sqrt2,
                                -0.5 / std::numbers::sqrt2};
const std::vector<double> kY = {1, -1, 1, -1};
const std::vector<double> kXt = {0.3, 0.9, -0.7, 0.2};
const std::vector<double> kYt = {1, -1};

Activation act(ActivationKind k) { return Activation{k}; }

TEST(LlcRidge, SpecMicroExample) {
  struct Row {
    ActivationKind kind;
    double delta, train, test;
  };
  const Row rows[] = {
      {ActivationKind::relu, 0.397046633796, 0.296894703194, 0.783168385367},
      {ActivationKind::erf, 0.345984651740, 0.680148737395, 0.529642504820},
      {ActivationKind::linear, 0.306788311431, 0.751059159592, 0.331843822570},
  };
  for (const Row& r : rows) {
    const LlcRidge e = llc_ridge(act(r.kind), kX, kY, kXt, kYt, 2, 8, 0.1);
    EXPECT_NEAR(e.delta, r.delta, 1e-10) << activation_name(r.kind);
    EXPECT_NEAR(e.train, r.train, 1e-10) << activation_name(r.kind);
    EXPECT_NEAR(e.test, r.test, 1e-10) << activation_name(r.kind);
  }
}

// Oracle values at parameters docs/theory.md does not print (rmt_ref.llc_errors, llc_kernel):
//   for act in ['abs','cos','sign','sin','step']:
//       Phi=llc_kernel(act,X,X); Pc=llc_kernel(act,X,Xt); Ptd=np.diag(llc_kernel(act,Xt,Xt))
//       print(llc_errors(Phi,Pc,Ptd,y,yt,20,0.01))            # N = 20, γ = 0.01
// and the shifted ReLU σ(t) = max(t, 0) − 1/√(2π): Φ − c(m_i + m_j) + c², m_i = ‖x_i‖/√(2π), N = 8, γ = 0.1.
TEST(LlcRidge, MicroExampleOtherActivations) {
  struct Row {
    ActivationKind kind;
    double delta, train, test;
  };
  const Row rows[] = {
      {ActivationKind::abs, 0.23527058718549834, 0.0013130303879810754, 1.72827282608771},
      {ActivationKind::cos, 0.20759821353340394, 0.011662091224537492, 2.1950576869780427},
      {ActivationKind::sign, 0.24845294418333583, 7.033988274808156e-05, 1.1165499571685307},
      {ActivationKind::sin, 0.21176631192531814, 0.11183977203200966, 3.643012979149867},
      {ActivationKind::step, 0.24516576792713746, 0.0005422685065391392, 1.3830456276149192},
  };
  for (const Row& r : rows) {
    const LlcRidge e = llc_ridge(act(r.kind), kX, kY, kXt, kYt, 2, 20, 0.01);
    EXPECT_NEAR(e.delta, r.delta, 1e-10 * r.delta) << activation_name(r.kind);
    EXPECT_NEAR(e.train, r.train, 1e-9 * r.train) << activation_name(r.kind);
    EXPECT_NEAR(e.test, r.test, 1e-10 * r.test) << activation_name(r.kind);
  }
  Activation shifted = act(ActivationKind::relu);
  shifted.shift = 1 / std::sqrt(2 * std::numbers::pi);
  const LlcRidge e = llc_ridge(shifted, kX, kY, kXt, kYt, 2, 8, 0.1);
  EXPECT_NEAR(e.delta, 0.4058421350776663, 1e-10);
  EXPECT_NEAR(e.train, 0.2421903380326623, 1e-10);
  EXPECT_NEAR(e.test, 0.6592055104839422, 1e-10);
}

// Two-class Gaussian mixture (gmm(7, 64, 256, 3) train, gmm(8, 64, 128, 3) test, N = 200):
//   X, y = gmm(7, 64, 256, 3.0); Xt, yt = gmm(8, 64, 128, 3.0)
//   llc_errors(llc_kernel(act,X,X), llc_kernel(act,X,Xt), np.diag(llc_kernel(act,Xt,Xt)), y, yt, 200, gam)
TEST(LlcRidge, GaussianMixtureOracle) {
  const Data tr = gmm(7, 64, 256, 3.0), te = gmm(8, 64, 128, 3.0);
  struct Row {
    ActivationKind kind;
    double gamma, delta, train, test;
  };
  const Row rows[] = {
      {ActivationKind::relu, 1e-2, 4.805069908655292, 0.03006317893815616, 0.24630167337613068},
      {ActivationKind::relu, 1e-1, 1.0474347706584215, 0.05300959273942877, 0.1540976456908273},
      {ActivationKind::erf, 1e-2, 2.988298782108255, 0.025708285882812328, 0.1582923200359796},
      {ActivationKind::erf, 1e-1, 0.755082188417545, 0.04725316927294229, 0.11646332112562849},
      {ActivationKind::cos, 1e-2, 6.324011832551163, 0.24683378411536105, 2.3719432489559655},
      {ActivationKind::cos, 1e-1, 1.1879606435331955, 0.4247368905333713, 1.3297570496848607},
  };
  for (const Row& r : rows) {
    const LlcRidge e = llc_ridge(act(r.kind), tr.x, tr.y, te.x, te.y, 64, 200, r.gamma);
    EXPECT_NEAR(e.delta, r.delta, 1e-9 * r.delta) << activation_name(r.kind) << " " << r.gamma;
    EXPECT_NEAR(e.train, r.train, 1e-8 * r.train) << activation_name(r.kind) << " " << r.gamma;
    EXPECT_NEAR(e.test, r.test, 1e-8 * r.test) << activation_name(r.kind) << " " << r.gamma;
  }
}

// docs/theory.md §4.3 consistency identity (V-int): Ē_train = γ² d/dz[(1/n) yᵀQ̄(z)y] at z = −γ.
TEST(LlcRidge, TrainErrorIsDerivativeOfResolventForm) {
  const Data tr = gmm(7, 64, 256, 3.0), te = gmm(8, 64, 128, 3.0);
  for (const ActivationKind kind : {ActivationKind::relu, ActivationKind::erf}) {
    const RandomFeatureResolvent r(act(kind), tr.x, 64, 256, tr.y, 200);
    for (const double gamma : {0.05, 0.5}) {
      const double h = 1e-4 * gamma;
      // Fourth-order central difference.
      const double d = (-r.quadratic_form(-gamma + 2 * h).real() + 8 * r.quadratic_form(-gamma + h).real() -
                        8 * r.quadratic_form(-gamma - h).real() + r.quadratic_form(-gamma - 2 * h).real()) /
                       (12 * h);
      const LlcRidge e = llc_ridge(act(kind), tr.x, tr.y, te.x, te.y, 64, 200, gamma);
      EXPECT_NEAR(e.train, gamma * gamma * d, 1e-10) << activation_name(kind) << " " << gamma;
      EXPECT_NEAR(r.delta(-gamma).real(), e.delta, 1e-12 * e.delta);
    }
  }
}

TEST(LlcRidge, RejectsBadInput) {
  EXPECT_THROW(llc_ridge(act(ActivationKind::relu), kX, kY, kXt, kYt, 2, 8, 0.0), InputError);
  EXPECT_THROW(llc_ridge(act(ActivationKind::relu), kX, kY, kXt, kYt, 2, 0, 0.1), InputError);
  EXPECT_THROW(llc_ridge(act(ActivationKind::relu), kX, kY, kXt, kYt, 3, 8, 0.1), InputError);
  EXPECT_THROW(llc_ridge(act(ActivationKind::relu), kX, std::vector<double>{1, 2}, kXt, kYt, 2, 8, 0.1), InputError);
  EXPECT_THROW(rff_ridge_train(kX, kY, 2, 8, -1), InputError);
}

// §4.4 on gmm(17, 100, 400, 2) with N = 150 (the sizes of theory/ref/chk_rff.py, its DE code on this data):
//   Kc=llc_kernel('cos',X,X); Ks=llc_kernel('sin',X,X); fixed point iterated to 1e-15, then Ē_train as in chk_rff.py.
TEST(RffRidge, Oracle) {
  const Data d = gmm(17, 100, 400, 2.0);
  struct Row {
    double gamma, dc, ds, train;
  };
  const Row rows[] = {
      {1e-3, 52.68774067394495, 38.27684870484902, 0.05941682586366098},
      {1e-1, 1.1903678132185223, 1.276355303716995, 0.11307467148441225},
      {1.0, 0.183070043562865, 0.28580535798129353, 0.2578859573426463},
  };
  for (const Row& r : rows) {
    const RffRidge e = rff_ridge_train(d.x, d.y, 100, 150, r.gamma);
    EXPECT_NEAR(e.delta_cos, r.dc, 1e-10 * r.dc) << r.gamma;
    EXPECT_NEAR(e.delta_sin, r.ds, 1e-10 * r.ds) << r.gamma;
    EXPECT_NEAR(e.train, r.train, 1e-9 * r.train) << r.gamma;
  }
  // docs/theory.md's values (0.05955 at γ = 1e-3, 0.26003 at γ = 1) are for another draw of the same
  // model (numpy's generator); the equivalent moves little between draws.
  EXPECT_NEAR(rff_ridge_train(d.x, d.y, 100, 150, 1e-3).train, 0.05955, 0.01 * 0.05955);
  EXPECT_NEAR(rff_ridge_train(d.x, d.y, 100, 150, 1.0).train, 0.26003, 0.02 * 0.26003);
}

// Monte Carlo: Σ = [cos WX; sin WX], W iid N(0, 1) (std::mt19937_64), E_train = (γ²/n) yᵀ(G + γ)⁻²y with
// G = ΣᵀΣ/n, over 16 draws on the CPU backend; within 3 standard errors plus 1% (finite-size bias).
TEST(RffRidge, MonteCarlo) {
  const int p = 100, n = 400, N = 150, reps = 16;
  const Data d = gmm(17, p, n, 2.0);
  const auto backend = make_cpu_backend();
  std::mt19937_64 rng(4242);
  std::normal_distribution<double> normal;
  const Matrix x = backend->from_host(p, n, d.x);
  for (const double gamma : {1e-1, 1.0}) {
    double sum = 0, sum2 = 0;
    for (int rep = 0; rep < reps; ++rep) {
      std::vector<double> w(static_cast<std::size_t>(N * p));
      for (double& v : w) v = normal(rng);
      const Matrix wm = backend->from_host(N, p, w);
      Matrix c = backend->multiply(wm, x, 1.0);
      Matrix s = backend->multiply(wm, x, 1.0);
      backend->apply_activation(c, Activation{ActivationKind::cos});
      backend->apply_activation(s, Activation{ActivationKind::sin});
      Matrix g = backend->gram(c, 1.0 / n, GramSide::cols);
      backend->add_scaled(g, backend->gram(s, 1.0 / n, GramSide::cols), 1.0);
      const EigenPairs e = backend->top_eigenpairs(g, n);
      double err = 0;
      for (int k = 0; k < n; ++k) {
        double proj = 0;
        for (int i = 0; i < n; ++i)
          proj += e.vectors[static_cast<std::size_t>(i + k * n)] * d.y[static_cast<std::size_t>(i)];
        err += gamma * gamma * proj * proj / std::pow(e.values[static_cast<std::size_t>(k)] + gamma, 2) / n;
      }
      sum += err;
      sum2 += err * err;
    }
    const double mean = sum / reps, se = std::sqrt((sum2 / reps - mean * mean) / (reps - 1));
    const double th = rff_ridge_train(d.x, d.y, p, N, gamma).train;
    EXPECT_NEAR(mean, th, 3 * se + 0.01 * th) << gamma << " (standard error " << se << ")";
  }
}

}  // namespace
}  // namespace rmt::theory
