// Liao–Couillet (ICML 2018) dynamics of a binary Gaussian-mixture classifier (docs/theory.md §7.4).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "core/base/error.hpp"
#include "theory/gmm_dynamics.hpp"

namespace rmt::theory {
namespace {

// The §7.4 formulas (as in theory/ref/chk_lc18.py) by mpmath at 30 digits:
//   import mpmath as mp; mp.mp.dps = 30
//   def lc18(c, m2, alpha, gamma, s02, t):
//       c, m2, alpha, gamma, s02, t = map(mp.mpf, (c, m2, alpha, gamma, s02, t))
//       a = (1-mp.sqrt(c))**2; b = (1+mp.sqrt(c))**2; ls = 1+c+m2+c/m2; f = lambda x: mp.exp(-alpha*t*x)
//       band = lambda h: ((b-a)/2)**2*mp.quad(lambda th: h(a+(b-a)*mp.sin(th/2)**2)*mp.sin(th)**2, mp.linspace(0, mp.pi, 9))
//       om = lambda h: band(lambda x: h(x)/(2*mp.pi*(ls-x))); rho = lambda h: band(lambda x: h(x)/(2*mp.pi*c*x))
//       spike = max(m2**2-c, 0)/m2
//       E = om(lambda x: (1-f(x+gamma))/(x+gamma)) + spike*(1-f(ls+gamma))/(ls+gamma)
//       V1 = om(lambda x: (1-f(x+gamma))**2/(x+gamma)**2) + spike*(1-f(ls+gamma))**2/(ls+gamma)**2
//       V = (m2+c)/m2*V1 + s02*(rho(lambda x: f(x+gamma)**2) + max(1-1/c, 0)*f(gamma)**2)
//       return E, V, mp.erfc(E/mp.sqrt(2*V))/2
TEST(GmmDynamics, SpecValuesToMoreDigits) {
  // p = 256, n = 512, ‖μ‖² = 2.25, α = 0.01, σ0² = 0.1, γ = 0 (docs/theory.md: 0.18778/0.10185, 0.61280/0.25239, 0.68796/0.46266).
  struct Row {
    double t, mean, var, error;
  };
  const Row rows[] = {{10, 0.18777661147092845, 0.1018458163446473, 0.27813317496820573},
                      {100, 0.61280171873409501, 0.25238509115741971, 0.11127061839625374},
                      {1000, 0.6879573440269996, 0.46265939416306679, 0.15590812662658313}};
  for (const Row& r : rows) {
    const GmmDynamicsPoint g = gmm_dynamics(0.5, 2.25, 0.01, 0.0, 0.1, r.t);
    EXPECT_EQ(g.t, r.t);
    EXPECT_NEAR(g.mean, r.mean, 1e-11) << r.t;
    EXPECT_NEAR(g.var, r.var, 1e-11) << r.t;
    EXPECT_NEAR(g.error_rate, r.error, 1e-11) << r.t;
  }
}

TEST(GmmDynamics, OtherParameters) {
  struct Row {
    double c, m2, alpha, gamma, s02, t, mean, var, error;
  };
  const Row rows[] = {
      // c > 1 (atom of the sample covariance at 0), ridge γ > 0.
      {2, 3, 0.05, 0.1, 0.2, 50, 0.56851535997585635, 0.33030384902776189, 0.16128193733020337},
      // ‖μ‖² = 0.6 < √c: below the spike threshold, no outlier term.
      {0.5, 0.6, 0.02, 0, 0.1, 200, 0.3500657461292121, 0.54695702803342854, 0.31798538935394254},
      // c = 1: the MP density reaches 0 (1/x edge), long time.
      {1, 1.5, 0.01, 0.01, 0, 5000, 0.57178017242223683, 1.5430477255394459, 0.32265104503656556},
      // Just above the spike threshold (‖μ‖² = √c (1 + 1e-4)): λs is 5e-9 beyond b. mpmath with break points
      // clustered at θ = 0 and π (pts = [0] + [10**-e for e in 8..1] + linspace(0.2, π − 0.2, 6) + [π − 10**-e] + [π]).
      {0.25, 0.5 * (1 + 1e-4), 0.01, 0, 0.1, 100, 0.24295154860566106, 0.20532074067217644, 0.29592021261033265},
      // c ≈ 1: the 1/x pole of ρ_c 2.5e-11 from the support.
      {0.99999, 2, 0.01, 0, 0.3, 1e4, 0.65412411332965078, 2.2684448532401308, 0.33203304495953871},
  };
  for (const Row& r : rows) {
    const GmmDynamicsPoint g = gmm_dynamics(r.c, r.m2, r.alpha, r.gamma, r.s02, r.t);
    EXPECT_NEAR(g.mean, r.mean, 1e-11) << r.c << " " << r.t;
    EXPECT_NEAR(g.var, r.var, 1e-11) << r.c << " " << r.t;
    EXPECT_NEAR(g.error_rate, r.error, 1e-11) << r.c << " " << r.t;
  }
}

TEST(GmmDynamics, Limits) {
  // t = 0: w = w0, the score is pure initialisation noise: E = 0, V = σ0²(∫ρ + atom) = σ0².
  for (const double c : {0.5, 2.0}) {
    const GmmDynamicsPoint g = gmm_dynamics(c, 2.25, 0.01, 0.0, 0.1, 0.0);
    EXPECT_NEAR(g.mean, 0, 1e-15);
    EXPECT_NEAR(g.var, 0.1, 1e-12);
    EXPECT_NEAR(g.error_rate, 0.5, 1e-15);
  }
  // t = ∞ with γ > 0: the ridge solution; a huge finite t gets there.
  const double inf = std::numeric_limits<double>::infinity();
  const GmmDynamicsPoint far = gmm_dynamics(0.5, 2.25, 0.01, 0.1, 0.1, 1e7);
  const GmmDynamicsPoint lim = gmm_dynamics(0.5, 2.25, 0.01, 0.1, 0.1, inf);
  EXPECT_NEAR(far.mean, lim.mean, 1e-12);
  EXPECT_NEAR(far.var, lim.var, 1e-12);
  // σ0² enters V only, linearly.
  const GmmDynamicsPoint a = gmm_dynamics(0.5, 2.25, 0.01, 0.0, 0.0, 100),
                         b = gmm_dynamics(0.5, 2.25, 0.01, 0.0, 0.3, 100);
  EXPECT_DOUBLE_EQ(a.mean, b.mean);
  EXPECT_LT(a.var, b.var);
  // At the spike threshold ‖μ‖² = √c the outlier merges with the edge (λs = b): still finite.
  const GmmDynamicsPoint edge = gmm_dynamics(0.25, 0.5, 0.01, 0.0, 0.1, 100);
  EXPECT_TRUE(std::isfinite(edge.mean) && std::isfinite(edge.var));
}

TEST(GmmDynamics, RejectsBadInput) {
  EXPECT_THROW(gmm_dynamics(0, 2.25, 0.01, 0, 0.1, 10), InputError);
  EXPECT_THROW(gmm_dynamics(0.5, 0, 0.01, 0, 0.1, 10), InputError);
  EXPECT_THROW(gmm_dynamics(0.5, 2.25, 0, 0, 0.1, 10), InputError);
  EXPECT_THROW(gmm_dynamics(0.5, 2.25, 0.01, -1, 0.1, 10), InputError);
  EXPECT_THROW(gmm_dynamics(0.5, 2.25, 0.01, 0, -0.1, 10), InputError);
  EXPECT_THROW(gmm_dynamics(0.5, 2.25, 0.01, 0, 0.1, -1), InputError);
}

}  // namespace
}  // namespace rmt::theory
