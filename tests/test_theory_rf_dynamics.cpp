// Random-feature gradient-flow dynamics on given data (docs/theory.md §7.3): the training error by the Talbot
// rule against the oracle's ellipse contour (more nodes than chk_rfdyn.py uses), the resolvent form at
// complex z, the test error through the two-point equivalent (against a numpy double contour, LLC's
// ridge test error, and Monte Carlo in time), and Monte-Carlo runs.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
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

// chk_rfdyn.py's configuration on gmm(13, 200, 600, 2.5): p = 200, n = 600, N = 400, ReLU.
// Oracle (theory/ref/rmt_ref.py; chk_rfdyn.py's ellipse with ry = 2 and M = 4000 instead of 2000, which
// is converged only to ~1e-8; a numpy fixed-Talbot rule with Newton-solved δ, M = 40 and 48, agrees
// to 2e-13 for t ≤ 10 and 6e-11 at t = 100, whose value below is Talbot's):
//   X, y = gmm(13, 200, 600, 2.5); Phi = llc_kernel('relu', X, X); L, U = np.linalg.eigh(Phi); L = np.maximum(L, 0)
//   Uy = U.T @ y; yQy(z) = np.mean(Uy**2/(N/n*L/(1+delta_z(z)) - z))        # delta_z as in chk_rfdyn.py, tol 1e-15
//   xmax = (N/n)*L.max()*(1+np.sqrt(n/N))**2*1.5+1; z, dz = ellipse_contour(-0.05, xmax, 4000, ry=2.0)
//   [(-(1/(2j*np.pi))*np.sum(np.exp(-2*t*z)*vals*dz)).real for t in ts]
struct Config {
  Data d = gmm(13, 200, 600, 2.5);
  RandomFeatureResolvent resolvent{Activation{ActivationKind::relu}, d.x, 200, 600, d.y, 400};
};

const Config& config() {
  static const Config c;
  return c;
}

TEST(RfDynamics, TrainErrorOracle) {
  const Config& c = config();
  const double times[] = {0.1, 1, 10, 100};
  const double expected[] = {0.5574388681931289, 0.16051972028025138, 0.0900255424019913, 0.0635759194262533};
  const std::vector<double> got =
      rf_gf_train_error(Activation{ActivationKind::relu}, c.d.x, 200, 600, c.d.y, 400, times);
  ASSERT_EQ(got.size(), 4u);
  for (int i = 0; i < 4; ++i) EXPECT_NEAR(got[static_cast<std::size_t>(i)], expected[i], 1e-9) << times[i];
  for (const int m : {32, 40, 64})
    for (int i = 0; i < 4; ++i)
      EXPECT_NEAR(c.resolvent.train_error(times[i], m), expected[i], 1e-9) << m << " " << times[i];
  EXPECT_NEAR(c.resolvent.train_error(0), 1.0, 1e-12);  // ‖y‖²/n with y = ±1
  // docs/theory.md's equivalent (0.54623/0.15895/0.09124/0.06449) is for another draw of the same model.
  const double spec[] = {0.54623, 0.15895, 0.09124, 0.06449};
  for (int i = 0; i < 4; ++i) EXPECT_NEAR(got[static_cast<std::size_t>(i)], spec[i], 0.03 * spec[i]) << times[i];
}

TEST(RfDynamics, ResolventFormOffTheAxis) {
  const Config& c = config();
  // Oracle: delta_z and yQy of chk_rfdyn.py (damped fixed point to 1e-15).
  EXPECT_NEAR(c.resolvent.delta(-0.1).real(), 1.2430858921706411, 1e-12);
  EXPECT_NEAR(c.resolvent.quadratic_form(-0.1).real(), 1.4466411779682822, 1e-12);
  EXPECT_NEAR(c.resolvent.quadratic_form(-1.0).real(), 0.34441203000707754, 1e-12);
  const complex d = c.resolvent.delta({0.5, 0.2}), q = c.resolvent.quadratic_form({0.5, 0.2});
  EXPECT_NEAR(d.real(), -0.1165192397989073, 1e-12);
  EXPECT_NEAR(d.imag(), 0.5130077175121819, 1e-12);
  EXPECT_NEAR(q.real(), -0.01310517552108787, 1e-12);
  EXPECT_NEAR(q.imag(), 0.34662274923259184, 1e-12);
  // Conjugate symmetry below the axis.
  const complex qc = c.resolvent.quadratic_form({0.5, -0.2});
  EXPECT_NEAR(qc.real(), q.real(), 1e-13);
  EXPECT_NEAR(qc.imag(), -q.imag(), 1e-13);
}

// Monte Carlo: (1/n) yᵀe^{−2tG}y with G = ΣᵀΣ/n, Σ = relu(WX), W iid N(0, 1) (std::mt19937_64), over
// 4 draws on the CPU backend (docs/theory.md: DE and simulation within 1% at these sizes).
TEST(RfDynamics, MonteCarlo) {
  const Config& c = config();
  const int p = 200, n = 600, N = 400, reps = 4;
  const double times[] = {0.1, 1, 10, 100};
  const auto backend = make_cpu_backend();
  const Matrix x = backend->from_host(p, n, c.d.x);
  std::mt19937_64 rng(777);
  std::normal_distribution<double> normal;
  double emp[4] = {};
  for (int rep = 0; rep < reps; ++rep) {
    std::vector<double> w(static_cast<std::size_t>(N * p));
    for (double& v : w) v = normal(rng);
    Matrix s = backend->multiply(backend->from_host(N, p, w), x, 1.0);
    backend->apply_activation(s, Activation{ActivationKind::relu});
    Matrix g = backend->gram(s, 1.0 / n, GramSide::cols);
    const EigenPairs e = backend->top_eigenpairs(g, n);
    for (int k = 0; k < n; ++k) {
      double proj = 0;
      for (int i = 0; i < n; ++i)
        proj += e.vectors[static_cast<std::size_t>(i + k * n)] * c.d.y[static_cast<std::size_t>(i)];
      for (int j = 0; j < 4; ++j)
        emp[j] += std::exp(-2 * times[j] * e.values[static_cast<std::size_t>(k)]) * proj * proj / n / reps;
    }
  }
  for (int j = 0; j < 4; ++j) {
    const double th = c.resolvent.train_error(times[j]);
    EXPECT_NEAR(emp[j], th, 0.03 * th) << times[j];
  }
}

// Test error (§7.3, two-point equivalent) on chk_rf2pt.py's sizes: train gmm(16, 150, 500, 2.5), test
// gmm(26, 150, 300, 2.5), N = 350, ReLU. Reference: a numpy double contour on the oracle's ellipse
// (ellipse_contour(-0.05, xmax, 4000, ry=2), φ_t(z) = −expm1(−tz)/z, δ by Newton continuation along it),
// with T(z1, z2) as in chk_rf2pt.py; M = 2000 agrees to 1e-11, a numpy fixed-Talbot rule (M = 32, 40) to 1e-12.
// A numpy Monte Carlo (20 draws) gives 0.2114 ± 0.0041, 0.2135 ± 0.0030, 0.3372 ± 0.0069 at t = 0.5, 5, 50.
TEST(RfDynamics, TestErrorOracle) {
  const Data tr = gmm(16, 150, 500, 2.5), te = gmm(26, 150, 300, 2.5);
  const Activation relu{ActivationKind::relu};
  const double times[] = {0.5, 5, 50};
  const double expected[] = {0.21215597583877027, 0.21534855524110233, 0.34365325238205924};
  const std::vector<double> got = rf_gf_test_error(relu, tr.x, tr.y, te.x, te.y, 150, 350, times);
  for (int i = 0; i < 3; ++i) EXPECT_NEAR(got[static_cast<std::size_t>(i)], expected[i], 1e-9) << times[i];
  const RandomFeatureTestError model(relu, tr.x, tr.y, te.x, te.y, 150, 350);
  EXPECT_NEAR(model.test_error(0), 1.0, 1e-14);  // β(0) = 0: ‖ŷ‖²/n̂
  // At z1 = z2 = −γ the two-point equivalent is LLC's Ē_test (docs/theory.md §7.3).
  for (const double gamma : {0.01, 0.1, 1.0})
    EXPECT_NEAR(model.ridge_test_error(gamma), llc_ridge(relu, tr.x, tr.y, te.x, te.y, 150, 350, gamma).test, 1e-12)
        << gamma;
}

// Monte Carlo of the test error in time: f̂_t = Σ̂ᵀβ(t), β(t) = (1/n) Σ φ_t(G) y, 8 draws of W.
TEST(RfDynamics, TestErrorMonteCarlo) {
  const int p = 150, n = 500, nt = 300, N = 350, reps = 8;
  const Data tr = gmm(16, p, n, 2.5), te = gmm(26, p, nt, 2.5);
  const double times[] = {0.5, 5, 50};
  const auto backend = make_cpu_backend();
  const Matrix x = backend->from_host(p, n, tr.x), xt = backend->from_host(p, nt, te.x);
  std::mt19937_64 rng(99);
  std::normal_distribution<double> normal;
  double emp[3] = {}, emp2[3] = {};
  for (int rep = 0; rep < reps; ++rep) {
    std::vector<double> w(static_cast<std::size_t>(N * p));
    for (double& v : w) v = normal(rng);
    const Matrix wm = backend->from_host(N, p, w);
    Matrix s = backend->multiply(wm, x, 1.0), st = backend->multiply(wm, xt, 1.0);
    backend->apply_activation(s, Activation{ActivationKind::relu});
    backend->apply_activation(st, Activation{ActivationKind::relu});
    Matrix g = backend->gram(s, 1.0 / n, GramSide::cols);
    const EigenPairs e = backend->top_eigenpairs(g, n);
    const std::vector<double> sh = backend->to_host(s), sth = backend->to_host(st);
    std::vector<double> proj(static_cast<std::size_t>(n), 0.0);
    for (int k = 0; k < n; ++k)
      for (int i = 0; i < n; ++i)
        proj[static_cast<std::size_t>(k)] +=
            e.vectors[static_cast<std::size_t>(i + k * n)] * tr.y[static_cast<std::size_t>(i)];
    for (int j = 0; j < 3; ++j) {
      // c = U φ_t(λ) Uᵀy, β = Σc/n, f̂ = Σ̂ᵀβ.
      std::vector<double> c(static_cast<std::size_t>(n), 0.0), beta(static_cast<std::size_t>(N), 0.0);
      for (int k = 0; k < n; ++k) {
        const double l = e.values[static_cast<std::size_t>(k)];
        const double phi = l > 1e-12 ? -std::expm1(-times[j] * l) / l : times[j];
        for (int i = 0; i < n; ++i)
          c[static_cast<std::size_t>(i)] +=
              e.vectors[static_cast<std::size_t>(i + k * n)] * phi * proj[static_cast<std::size_t>(k)];
      }
      for (int i = 0; i < n; ++i)
        for (int a = 0; a < N; ++a)
          beta[static_cast<std::size_t>(a)] +=
              sh[static_cast<std::size_t>(a + i * N)] * c[static_cast<std::size_t>(i)] / n;
      double err = 0;
      for (int i = 0; i < nt; ++i) {
        double f = 0;
        for (int a = 0; a < N; ++a) f += sth[static_cast<std::size_t>(a + i * N)] * beta[static_cast<std::size_t>(a)];
        err += std::pow(te.y[static_cast<std::size_t>(i)] - f, 2) / nt;
      }
      emp[j] += err / reps;
      emp2[j] += err * err / reps;
    }
  }
  const RandomFeatureTestError model(Activation{ActivationKind::relu}, tr.x, tr.y, te.x, te.y, p, N);
  for (int j = 0; j < 3; ++j) {
    const double se = std::sqrt((emp2[j] - emp[j] * emp[j]) / (reps - 1));
    const double th = model.test_error(times[j]);
    EXPECT_NEAR(emp[j], th, 3 * se + 0.01 * th) << times[j] << " (standard error " << se << ")";
  }
}

TEST(RfDynamics, RejectsBadInput) {
  const Config& c = config();
  EXPECT_THROW(c.resolvent.train_error(-1), InputError);
  EXPECT_THROW(c.resolvent.train_error(std::numeric_limits<double>::infinity()), InputError);
  EXPECT_THROW(c.resolvent.train_error(1, 31), InputError);
  const std::vector<double> y(5, 1.0);
  EXPECT_THROW(RandomFeatureResolvent(Activation{ActivationKind::relu}, c.d.x, 200, 600, y, 400), InputError);
  EXPECT_THROW(RandomFeatureResolvent(Activation{ActivationKind::relu}, c.d.x, 200, 600, c.d.y, 0), InputError);
}

}  // namespace
}  // namespace rmt::theory
