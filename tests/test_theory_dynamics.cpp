// Least-squares learning dynamics (docs/theory.md §7.1, §7.2; §10 rows 26, 27): isotropic gradient flow and
// descent against docs/theory.md table and high-precision references, the general-Σ Talbot equivalent
// against an independent ellipse contour, limits, and a Monte-Carlo run of gradient descent.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <numbers>
#include <random>
#include <vector>

#include "core/base/error.hpp"
#include "theory/dynamics.hpp"
#include "theory/numerics/contour.hpp"

namespace rmt::theory {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// docs/theory.md §7.1 table (§10 row 26): r² = 1, σ² = 0.3, w0 = 0.
TEST(GfIsotropic, SpecTable) {
  struct Row {
    double gamma, t, bias, var, total, train;
  };
  const Row rows[] = {
      {0.5, 0.5, 0.4525101661, 0.0196738687, 0.4721840348, 0.5016363834},
      {0.5, 2, 0.1303133662, 0.0965366056, 0.2268499717, 0.2086473045},
      {0.5, 10, 0.0065779593, 0.2451117365, 0.2516896958, 0.1519277770},
      {2, 0.5, 0.6337953738, 0.0484094982, 0.6822048719, 0.1995089435},
      {2, 2, 0.5244309330, 0.1599595974, 0.6843905303, 0.0248536937},
      {2, 10, 0.5002570133, 0.2855925215, 0.7858495348, 0.0002144514},
  };
  for (const Row& r : rows) {
    const FlowPoint f = gf_isotropic(r.gamma, r.t, 1.0, 0.3);
    EXPECT_NEAR(f.bias, r.bias, 1e-9) << r.gamma << " " << r.t;
    EXPECT_NEAR(f.variance, r.var, 1e-9) << r.gamma << " " << r.t;
    EXPECT_NEAR(f.test, r.total, 1e-9) << r.gamma << " " << r.t;
    EXPECT_NEAR(f.train, r.train, 1e-9) << r.gamma << " " << r.t;
    EXPECT_EQ(f.init, 0.0);
    EXPECT_EQ(f.t, r.t);
  }
}

// Parameters not printed in docs/theory.md, including w0 ≠ 0 and gradient descent: the §7.1 integrals
// evaluated by mpmath at 30 digits (tanh-sinh in θ after x = a + (b − a) sin²(θ/2)):
//   import mpmath as mp; mp.mp.dps = 30
//   def iso(gamma, t, r2, s2, s02=0, eta=0):
//       g = mp.mpf(gamma); t = mp.mpf(t); a = (1-mp.sqrt(g))**2; b = (1+mp.sqrt(g))**2
//       atom = max(mp.mpf(0), 1-1/g); k = mp.nint(t/eta) if eta else None
//       d = (lambda x: (1-eta*x)**k) if eta else (lambda x: mp.exp(-t*x))
//       def I(f):
//           h = lambda th: f(a+(b-a)*mp.sin(th/2)**2)*mp.sin(th)**2/(2*mp.pi*g*(a+(b-a)*mp.sin(th/2)**2))
//           return ((b-a)/2)**2*mp.quad(h, mp.linspace(0, mp.pi, 9))
//       ib = I(lambda x: d(x)**2); iv = I(lambda x: (1-d(x))**2/x); it = I(lambda x: x*d(x)**2)
//       return r2*(ib+atom), s2*g*iv, s02*(ib+atom), (r2+s02)*it + s2*(g*(ib+atom)+1-g)
TEST(GfIsotropic, HighPrecisionReferences) {
  struct Row {
    double gamma, t, r2, s2, s02, eta, bias, var, init, train;
  };
  const Row rows[] = {
      {1, 3, 1, 0.3, 0, 0, 0.22789052050362142, 0.20947943381085264, 0, 0.086944539366116586},
      {0.25, 100, 1.5, 0.2, 0, 0, 3.165343709446158e-25, 0.066666666666650854, 0, 0.15000000000000001},
      {3, 0.7, 0.8, 0.5, 0.4, 0, 0.55444751754660644, 0.11890658228872594, 0.27722375877330322, 0.078381591966534439},
      {0.5, 2, 1, 0.3, 0.2, 0, 0.13031336615982711, 0.096536605582096903, 0.026062673231965424, 0.21646736442188313},
      {0.5, 2, 1, 0.3, 0, 0.1, 0.12690752012902776, 0.098974270385655249, 0, 0.20604707995561642},
      {2, 5, 1, 0.3, 0.3, 0.05, 0.50321419270876221, 0.24589801479602261, 0.15096425781262866, 0.0031165002507019909},
      {0.8, 40, 1, 0.1, 0, 0.3, 0.0078446010141985285, 0.27901699375545096, 0, 0.020816710870523319},
      {1.5, 1000, 1, 0.3, 0, 0, 0.33333333333333333, 0.59999999999999998, 0, 3.3579069869187309e-50},
      // Near the threshold γ = 1, where ρ's 1/x pole is within (1 − √γ)² of the support (mpmath with break
      // points at θ = 10⁻⁸ … 10⁻¹ and linspace(0.2, π, 8) instead of linspace(0, π, 9)).
      {0.999, 100, 1, 0.3, 0.1, 0, 0.039413185069163987, 1.8351855919177316, 0.003941318506916399, 0.01222181449753139},
      {0.99999, 1e4, 1, 0.3, 0, 0, 0.0039844422025410166, 19.679898006924535, 0, 0.0011984204427688995},
      {1.001, 1e6, 1, 0.3, 0, 0, 0.001082293654493579, 177.1922967331415, 0, 2.5012844906904664e-5},
      {1, 1e6, 1, 0.3, 0, 0, 0.00039894226793448583, 198.14679112947266, 0, 0.0001196827801159065},
      {0.99, 100, 1, 0.3, 0, 0.2, 0.035319938148703537, 1.8294917412075329, 0, 0.013589726311436559},
  };
  for (const Row& r : rows) {
    const FlowPoint f = gf_isotropic(r.gamma, r.t, r.r2, r.s2, r.s02, r.eta);
    const auto tol = [](double v) { return 1e-11 * std::max(1.0, std::fabs(v)); };
    EXPECT_NEAR(f.bias, r.bias, tol(r.bias)) << r.gamma << " " << r.t << " " << r.eta;
    EXPECT_NEAR(f.variance, r.var, tol(r.var)) << r.gamma << " " << r.t << " " << r.eta;
    EXPECT_NEAR(f.init, r.init, tol(r.init)) << r.gamma << " " << r.t << " " << r.eta;
    EXPECT_NEAR(f.train, r.train, tol(r.train)) << r.gamma << " " << r.t << " " << r.eta;
    EXPECT_DOUBLE_EQ(f.test, f.bias + f.variance + f.init);
  }
}

TEST(GfIsotropic, Limits) {
  // t = 0: nothing learned yet.
  const FlowPoint start = gf_isotropic(0.5, 0, 1.3, 0.3, 0.2);
  EXPECT_NEAR(start.bias, 1.3, 1e-12);
  EXPECT_NEAR(start.variance, 0, 1e-15);
  EXPECT_NEAR(start.init, 0.2, 1e-12);
  EXPECT_NEAR(start.train, 1.3 + 0.2 + 0.3, 1e-12);  // E‖y − Xw0‖²/n = r² + σ0² + σ²
  // t = ∞: HMRT ridgeless (docs/theory.md §5.1), the null-space part of β* (and of w0) stays.
  const FlowPoint under = gf_isotropic(0.5, kInf, 1, 0.3);
  EXPECT_NEAR(under.bias, 0, 1e-14);
  EXPECT_NEAR(under.variance, 0.3 * 0.5 / 0.5, 1e-11);
  EXPECT_NEAR(under.train, 0.3 * 0.5, 1e-12);
  const FlowPoint over = gf_isotropic(2, kInf, 1, 0.3, 0.4);
  EXPECT_NEAR(over.bias, 0.5, 1e-14);
  EXPECT_NEAR(over.variance, 0.3 / (2 - 1), 1e-11);
  EXPECT_NEAR(over.init, 0.4 * 0.5, 1e-14);
  EXPECT_NEAR(over.train, 0, 1e-14);
  EXPECT_EQ(gf_isotropic(1, kInf, 1, 0.3).variance, kInf);
  // Descent with a small step follows the flow (O(η) apart).
  const FlowPoint flow = gf_isotropic(0.5, 2, 1, 0.3, 0.1);
  const FlowPoint descent = gf_isotropic(0.5, 2, 1, 0.3, 0.1, 1e-4);
  EXPECT_NEAR(descent.test, flow.test, 1e-4);
  EXPECT_NEAR(descent.train, flow.train, 1e-4);
}

TEST(GfIsotropic, RejectsUnstableStepAndBadInput) {
  const double lmax = std::pow(1 + std::sqrt(0.5), 2);
  EXPECT_THROW(gf_isotropic(0.5, 1, 1, 0.3, 0, 2 / lmax), InputError);
  EXPECT_THROW(gf_isotropic(0.5, 1, 1, 0.3, 0, 2.5 / lmax), InputError);
  EXPECT_NO_THROW(gf_isotropic(0.5, 1, 1, 0.3, 0, 1.99 / lmax));
  EXPECT_THROW(gf_isotropic(0, 1, 1, 0.3), InputError);
  EXPECT_THROW(gf_isotropic(0.5, -1, 1, 0.3), InputError);
  EXPECT_THROW(gf_isotropic(0.5, 1, -1, 0.3), InputError);
  EXPECT_THROW(gf_isotropic(0.5, 1, 1, 0.3, -0.1), InputError);
}

// Monte Carlo: gradient descent from a random w0 on Gaussian data, p = 200, n = 400, 20 draws.
// The w0 terms (𝓘 and its training contribution) and the descent form are derived, not in docs/theory.md's tables.
TEST(GfIsotropic, GradientDescentMonteCarlo) {
  const int p = 200, n = 400, reps = 20, steps = 10;
  const double r2 = 1, s2 = 0.3, s02 = 0.5, eta = 0.4;
  std::mt19937_64 rng(20250607);
  std::normal_distribution<double> normal;
  double test = 0, train = 0;
  std::vector<double> x(static_cast<std::size_t>(n * p)), beta(p), w(p), y(n), res(n), grad(p);
  for (int rep = 0; rep < reps; ++rep) {
    for (double& v : x) v = normal(rng);
    double norm = 0;
    for (double& v : beta) {
      v = normal(rng);
      norm += v * v;
    }
    for (double& v : beta) v *= std::sqrt(r2 / norm);
    for (double& v : w) v = normal(rng) * std::sqrt(s02 / p);
    for (int i = 0; i < n; ++i) {
      double s = 0;
      for (int j = 0; j < p; ++j) s += x[static_cast<std::size_t>(i * p + j)] * beta[static_cast<std::size_t>(j)];
      y[static_cast<std::size_t>(i)] = s + std::sqrt(s2) * normal(rng);
    }
    const auto residual = [&] {
      for (int i = 0; i < n; ++i) {
        double s = 0;
        for (int j = 0; j < p; ++j) s += x[static_cast<std::size_t>(i * p + j)] * w[static_cast<std::size_t>(j)];
        res[static_cast<std::size_t>(i)] = y[static_cast<std::size_t>(i)] - s;
      }
    };
    for (int k = 0; k < steps; ++k) {
      residual();
      std::fill(grad.begin(), grad.end(), 0.0);
      for (int i = 0; i < n; ++i)
        for (int j = 0; j < p; ++j)
          grad[static_cast<std::size_t>(j)] +=
              x[static_cast<std::size_t>(i * p + j)] * res[static_cast<std::size_t>(i)];
      for (int j = 0; j < p; ++j) w[static_cast<std::size_t>(j)] += eta * grad[static_cast<std::size_t>(j)] / n;
    }
    residual();
    double e = 0, tr = 0;
    for (int j = 0; j < p; ++j) e += std::pow(w[static_cast<std::size_t>(j)] - beta[static_cast<std::size_t>(j)], 2);
    for (const double v : res) tr += v * v / n;
    test += e / reps;
    train += tr / reps;
  }
  const FlowPoint th = gf_isotropic(0.5, steps * eta, r2, s2, s02, eta);
  EXPECT_NEAR(test, th.test, 0.03 * th.test);
  EXPECT_NEAR(train, th.train, 0.03 * th.train);
}

// ---- general Σ (§7.2) ----

struct GeneralConfig {
  std::vector<double> s, beta2;
  double n, sigma2;
};

// docs/theory.md §7.2 reference configuration: p = 300, n = 450, Σ eigenvalues 0.5 and 3 (150 each),
// β²_i = 3/p on the first half and 0.3/p on the second, σ² = 0.2.
GeneralConfig spec72() {
  GeneralConfig c{{}, {}, 450, 0.2};
  for (int i = 0; i < 300; ++i) {
    c.s.push_back(i < 150 ? 0.5 : 3.0);
    c.beta2.push_back((i < 150 ? 3.0 : 0.3) / 300);
  }
  return c;
}

TEST(GfGeneral, SpecReferenceValues) {
  const GeneralConfig c = spec72();
  struct Row {
    double t, bias, var;
  };
  for (const Row& r :
       {Row{0.3, 0.76276875, 0.02070716}, Row{5, 0.17300565, 0.16037737}, Row{50, 0.00159338, 0.37220224}}) {
    const FlowPoint f = gf_general(c.s, c.beta2, c.n, c.sigma2, r.t);
    EXPECT_NEAR(f.bias, r.bias, 6e-9) << r.t;
    EXPECT_NEAR(f.variance, r.var, 6e-9) << r.t;
  }
  const FlowPoint inf = gf_general(c.s, c.beta2, c.n, c.sigma2, kInf);
  EXPECT_NEAR(inf.bias, 0, 1e-15);
  EXPECT_NEAR(inf.variance, 0.4, 1e-14);  // σ²p/(n − p)
  EXPECT_NEAR(inf.train, 0.2 * (1 - 300.0 / 450), 1e-14);
}

// The same quantities by a 60-digit mpmath fixed-Talbot rule with M = 64 and 96 (identical to all 16
// printed digits), the spectrum grouped into distinct eigenvalues; bias and variance agree with the
// oracle's ellipse (rmt_ref.gf_linear_de, M = 3200 and 4800, pad 0.005) to 1e-14:
//   import mpmath as mp; mp.mp.dps = 60
//   def newton(d, z, s, w):
//       for _ in range(200):
//           u = 1/(1+d); f = d - sum(wi*si/(si*u-z) for si, wi in zip(s, w))
//           df = 1 - sum(wi*si*si*u*u/(si*u-z)**2 for si, wi in zip(s, w)); st = f/df; d -= st
//           if abs(st) < mp.mpf(10)**-55*(1+abs(d)): return d
//   def talbot_deltas(s, w, T, M):            # nodes, weights, delta(-s_k); tracked from the crossing -r
//       r = mp.mpf(2)*M/10/T; th = [-mp.pi+(k+mp.mpf(1)/2)*2*mp.pi/M for k in range(M)]
//       sk = [r*(x*mp.cot(x)+1j*x) for x in th]; wk = [mp.exp(v*T)*r*(mp.cot(x)-x/mp.sin(x)**2+1j)/(1j*M) for v, x in zip(sk, th)]
//       d = newton(sum(a*b for a, b in zip(s, w))/r, -r, s, w); zp = -r; dk = [None]*M
//       for k in range(M//2, M):
//           z = -mp.conj(sk[k])
//           for j in range(1, 17): d = newton(d, zp+(z-zp)*j/16, s, w)
//           zp = z; dk[k] = mp.conj(d); dk[M-1-k] = d
//       return sk, wk, dk
//   def gf(s, counts, b2, n, sigma2, t, M):    # s distinct eigenvalues, b2 = summed beta^2 per eigenvalue
//       w = [mp.mpf(c)/n for c in counts]; s1, w1, d1 = talbot_deltas(s, w, t, M); s2, w2, d2 = talbot_deltas(s, w, 2*t, M)
//       a1 = [1/(1+d) for d in d1]; q = [[1/(a*si+sk) for si in s] for a, sk in zip(a1, s1)]
//       bias = sum(w1[k]*w1[l]*sum(bi*si*q[k][i]*q[l][i] for i, (si, bi) in enumerate(zip(s, b2)))
//                  / (1 - a1[k]*a1[l]*sum(wi*si*si*q[k][i]*q[l][i] for i, (si, wi) in enumerate(zip(s, w))))
//                  for k in range(M) for l in range(M))
//       g = lambda sk, wk, dk: sum(x*y/z for z, x, y in zip(sk, wk, dk)).real
//       var = sigma2*(2*g(s1, w1, d1) - g(s2, w2, d2))
//       train = sum(wk/(1+dk)*(sum(bi*si/(si/(1+dk)+sk) for si, bi in zip(s, b2)) + sigma2/sk) for sk, wk, dk in zip(s2, w2, d2))
//       return bias.real, var, train.real
//   gf([mp.mpf('0.5'), 3], [150, 150], [mp.mpf('1.5'), mp.mpf('0.15')], 450, mp.mpf('0.2'), mp.mpf(t), 64)  # and M = 96
//   (over-parametrised: gf([mp.mpf('0.2'), 1, 4], [100]*3, [mp.mpf('0.5')/3, mp.mpf(2)/3, mp.mpf(1)/3], 200, mp.mpf('0.5'), t, 64))
TEST(GfGeneral, HighPrecisionReferences) {
  const GeneralConfig c = spec72();
  struct Row {
    double t, bias, var, train;
  };
  const Row rows[] = {
      {0.3, 0.762768752490853, 0.02070716399552312, 0.5912353524490952},
      {5, 0.1730056532646202, 0.1603773719047625, 0.104553450018471},
      {50, 0.00159338325854962, 0.3722022394573712, 0.0668590002332154},
      {2, 0.3758023746216657, 0.09862737020804537, 0.1896400088528611},
  };
  for (const Row& r : rows) {
    const FlowPoint f = gf_general(c.s, c.beta2, c.n, c.sigma2, r.t);
    EXPECT_NEAR(f.bias, r.bias, 1e-10) << r.t;
    EXPECT_NEAR(f.variance, r.var, 1e-10) << r.t;
    EXPECT_NEAR(f.train, r.train, 1e-10) << r.t;
    EXPECT_DOUBLE_EQ(f.test, f.bias + f.variance);
  }
  // Over-parametrised (p = 300 > n = 200), three levels 0.2, 1, 4 (100 each), β²·p = 0.5, 2, 1, σ² = 0.5:
  // the atom of Ŝ at 0 sits inside the contour.
  GeneralConfig o{{}, {}, 200, 0.5};
  const double levels[] = {0.2, 1, 4}, powers[] = {0.5, 2, 1};
  for (int g = 0; g < 3; ++g)
    for (int i = 0; i < 100; ++i) {
      o.s.push_back(levels[g]);
      o.beta2.push_back(powers[g] / 300);
    }
  const Row over[] = {{1, 0.5978441413921277, 0.2722287137629108, 0.1942697673567665},
                      {10, 0.3190103997402862, 0.9333574221498024, 0.01525322884219822}};
  for (const Row& r : over) {
    const FlowPoint f = gf_general(o.s, o.beta2, o.n, o.sigma2, r.t);
    EXPECT_NEAR(f.bias, r.bias, 1e-10) << r.t;
    EXPECT_NEAR(f.variance, r.var, 1e-10) << r.t;
    EXPECT_NEAR(f.train, r.train, 1e-10) << r.t;
  }
  // t = ∞ above the threshold: min-norm interpolator (rmt_ref.ridge_risk(s, beta**2, 200, 0, 0.5)).
  const FlowPoint inf = gf_general(o.s, o.beta2, o.n, o.sigma2, kInf);
  EXPECT_NEAR(inf.bias, 0.284924058514021, 1e-12);
  EXPECT_NEAR(inf.variance, 1.4931324841740674, 1e-12);
  EXPECT_EQ(inf.train, 0.0);
}

// Independent check of the Talbot rule (§10 row 27): the same double contour integral on an
// ellipse around [−0.005, x_max] with the periodic trapezoid rule (M = 3200), δ tracked along it.
TEST(GfGeneral, TalbotAgreesWithEllipse) {
  const double sv[] = {0.5, 3.0}, count[] = {150, 150}, b2[] = {1.5, 0.15}, n = 450, sigma2 = 0.2;
  const numerics::DeltaEquation eq({0.5, 3.0}, {150 / n, 150 / n}, 1.0);
  const int m = 3200;
  const double xmax = std::pow(1 + std::sqrt(300 / n), 2) * 3.0 * 1.3 + 0.1;
  const numerics::ContourRule rule = numerics::ellipse_rule(-0.005, xmax, (xmax + 0.005) / 4, m);
  // Upper half: nodes m/2 − 1 … 0 run from the left crossing to the right one.
  std::vector<complex> path{complex(-0.005, 0)};
  for (int j = m / 2 - 1; j >= 0; --j) path.push_back(rule.z[static_cast<std::size_t>(j)]);
  const std::vector<complex> upper = eq.track(path);
  std::vector<complex> delta(m);
  for (int j = 0; j < m / 2; ++j) {
    delta[static_cast<std::size_t>(j)] = upper[static_cast<std::size_t>(m / 2 - j)];
    delta[static_cast<std::size_t>(m - 1 - j)] = std::conj(upper[static_cast<std::size_t>(m / 2 - j)]);
  }
  std::vector<complex> a(m), q0(m), q1(m);
  for (int j = 0; j < m; ++j) {
    const auto k = static_cast<std::size_t>(j);
    a[k] = 1.0 / (1.0 + delta[k]);
    q0[k] = 1.0 / (a[k] * sv[0] - rule.z[k]);
    q1[k] = 1.0 / (a[k] * sv[1] - rule.z[k]);
  }
  const complex two_pi_i(0, 2 * std::numbers::pi);
  for (const double t : {0.3, 5.0, 50.0}) {
    // Bias: (1/2πi)² ∮∮ e^{−tz₁}e^{−tz₂} K(z₁, z₂); variance: −(1/2πi) ∮ σ²(1 − e^{−tz})²/z δ(z) dz.
    std::vector<complex> e(m);
    for (int j = 0; j < m; ++j)
      e[static_cast<std::size_t>(j)] =
          std::exp(-t * rule.z[static_cast<std::size_t>(j)]) * rule.dz[static_cast<std::size_t>(j)];
    complex bias = 0, var = 0;
    for (int k = 0; k < m; ++k) {
      const auto kk = static_cast<std::size_t>(k);
      complex row = 0;
      for (int l = 0; l < m; ++l) {
        const auto ll = static_cast<std::size_t>(l);
        const complex num = b2[0] * sv[0] * q0[kk] * q0[ll] + b2[1] * sv[1] * q1[kk] * q1[ll];
        const complex tr =
            count[0] / n * sv[0] * sv[0] * q0[kk] * q0[ll] + count[1] / n * sv[1] * sv[1] * q1[kk] * q1[ll];
        row += e[ll] * num / (1.0 - a[kk] * a[ll] * tr);
      }
      bias += e[kk] * row;
      const complex z = rule.z[kk];
      var -= sigma2 * std::pow(1.0 - std::exp(-t * z), 2) / z * delta[kk] * rule.dz[kk];
    }
    bias /= two_pi_i * two_pi_i;
    var /= two_pi_i;
    const GeneralConfig c = spec72();
    const FlowPoint f = gf_general(c.s, c.beta2, c.n, c.sigma2, t);
    EXPECT_NEAR(f.bias, bias.real(), 1e-9) << t;
    EXPECT_NEAR(f.variance, var.real(), 1e-9) << t;
  }
}

TEST(GfGeneral, IsotropicSigmaMatchesClosedForm) {
  // Σ = I, ‖β*‖² = r², spread over p = γn directions.
  for (const double gamma : {0.5, 2.0}) {
    const int p = 300;
    const double n = p / gamma;
    const std::vector<double> s(p, 1.0), beta2(p, 1.3 / p);
    for (const double t : {0.5, 2.0, 10.0}) {
      const FlowPoint g = gf_general(s, beta2, n, 0.3, t);
      const FlowPoint iso = gf_isotropic(gamma, t, 1.3, 0.3);
      EXPECT_NEAR(g.bias, iso.bias, 1e-9) << gamma << " " << t;
      EXPECT_NEAR(g.variance, iso.variance, 1e-9) << gamma << " " << t;
      EXPECT_NEAR(g.train, iso.train, 1e-9) << gamma << " " << t;
    }
    const FlowPoint g = gf_general(s, beta2, n, 0.3, kInf);
    const FlowPoint iso = gf_isotropic(gamma, kInf, 1.3, 0.3);
    EXPECT_NEAR(g.bias, iso.bias, 1e-9) << gamma;
    EXPECT_NEAR(g.variance, iso.variance, 1e-9) << gamma;
    EXPECT_NEAR(g.train, iso.train, 1e-9) << gamma;
  }
}

TEST(GfGeneral, NodeCountsAgreeAndInputsChecked) {
  const GeneralConfig c = spec72();
  const FlowPoint ref = gf_general(c.s, c.beta2, c.n, c.sigma2, 5.0, 32);
  for (const int m : {24, 40, 48}) {
    const FlowPoint f = gf_general(c.s, c.beta2, c.n, c.sigma2, 5.0, m);
    EXPECT_NEAR(f.bias, ref.bias, 1e-7) << m;
    EXPECT_NEAR(f.variance, ref.variance, 2e-8) << m;
    EXPECT_NEAR(f.train, ref.train, 2e-8) << m;
  }
  // Zero eigenvalues (directions without data) change nothing.
  std::vector<double> s = c.s, b2 = c.beta2;
  s.push_back(0);
  b2.push_back(0.7);
  const FlowPoint padded = gf_general(s, b2, c.n, c.sigma2, 5.0);
  EXPECT_NEAR(padded.bias, ref.bias, 1e-12);
  EXPECT_NEAR(padded.train, ref.train, 1e-12);
  const FlowPoint zero = gf_general(c.s, c.beta2, c.n, c.sigma2, 0.0);
  EXPECT_NEAR(zero.bias, 1.5 * 0.5 + 0.15 * 3.0, 1e-14);
  EXPECT_NEAR(zero.train, 1.5 * 0.5 + 0.15 * 3.0 + 0.2, 1e-14);
  EXPECT_THROW(gf_general(c.s, std::vector<double>(3, 0.1), c.n, c.sigma2, 1.0), InputError);
  EXPECT_THROW(gf_general(c.s, c.beta2, c.n, c.sigma2, 1.0, 31), InputError);
  EXPECT_THROW(gf_general(c.s, c.beta2, 0, c.sigma2, 1.0), InputError);
  EXPECT_THROW(gf_general(c.s, c.beta2, c.n, c.sigma2, -1.0), InputError);
}

}  // namespace
}  // namespace rmt::theory
