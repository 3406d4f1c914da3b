// Marchenko–Pastur law (docs/theory.md §1.1, §10 rows 1–6).
//
// Extra golden values at other parameters come from an independent Python reference
// implementation, rmt_ref.py (not shipped; run in its folder), e.g.
//   python3 -c "from rmt_ref import *; print(repr(mp_stieltjes(2+1j, 0.3, 2.0)))"
// and, where the oracle's double-precision closed form loses digits (large |z|), from the same
// closed form evaluated with mpmath at 40 digits:
//   python3 -c "import mpmath as mp; mp.mp.dps=40; z=mp.mpc(10000,1); c=mp.mpf('0.3'); s=mp.mpf(2);
//     a=s*(1-mp.sqrt(c))**2; b=s*(1+mp.sqrt(c))**2;
//     print(mp.nstr((s*(1-c)-z+mp.sqrt(z-a)*mp.sqrt(z-b))/(2*s*c*z), 20))"
#include <gtest/gtest.h>

#include <boost/math/quadrature/gauss_kronrod.hpp>
#include <cmath>
#include <limits>
#include <numbers>

#include "core/base/error.hpp"
#include "theory/mp.hpp"
#include "tests/law_support.hpp"

namespace {

using rmt::test_support::expect_complex_near;

using rmt::complex;
using rmt::theory::MarchenkoPastur;
constexpr double kPi = std::numbers::pi;

// ∫ f ρ over the bulk with x = a + (b - a) sin²(θ/2): the substitution removes the √ edges
// (and the x^{-1/2} edge at 0 when c = 1), so adaptive Gauss–Kronrod reaches ~1e-14.
template <typename F>
double integrate_bulk(const MarchenkoPastur& mp, F f) {
  const double a = mp.lower_edge(), b = mp.upper_edge();
  const auto h = [&](double th) {
    const double sh = std::sin(th / 2);
    const double x = a + (b - a) * sh * sh;
    return f(x) * mp.density(x) * (b - a) * 0.5 * std::sin(th);
  };
  return boost::math::quadrature::gauss_kronrod<double, 61>::integrate(h, 0.0, kPi, 8, 1e-13);
}

// ---- docs/theory.md §10 rows 1–6 ------------------------------------------------------------------------

TEST(MarchenkoPastur, Row1EdgesHalf) {
  const MarchenkoPastur mp(0.5);
  EXPECT_NEAR(mp.lower_edge(), 0.085786437627, 1e-12);
  EXPECT_NEAR(mp.upper_edge(), 2.914213562373, 1e-12);
  EXPECT_NEAR(mp.lower_edge(), 1.5 - std::sqrt(2.0), 1e-15);
  EXPECT_NEAR(mp.upper_edge(), 1.5 + std::sqrt(2.0), 1e-15);
  ASSERT_EQ(mp.support().size(), 1u);
  EXPECT_EQ(mp.support()[0].lo, mp.lower_edge());
  EXPECT_EQ(mp.support()[0].hi, mp.upper_edge());
  EXPECT_TRUE(mp.atoms().empty());
}

TEST(MarchenkoPastur, Row2DensityAtOne) {
  const double cs[] = {0.25, 0.5, 1.0, 2.0};
  const double printed[] = {0.616404444061, 0.421084399348, 0.275664447711, 0.159154943092};
  for (int i = 0; i < 4; ++i) {
    const double c = cs[i];
    const MarchenkoPastur mp(c);
    EXPECT_NEAR(mp.density(1.0), printed[i], 1e-12) << "c = " << c;
    EXPECT_NEAR(mp.density(1.0), std::sqrt(4 * c - c * c) / (2 * kPi * c), 1e-15) << "c = " << c;
  }
  EXPECT_NEAR(MarchenkoPastur(0.5).density(1.0), std::sqrt(1.75) / kPi, 1e-15);
  EXPECT_NEAR(MarchenkoPastur(1.0).density(1.0), std::sqrt(3.0) / (2 * kPi), 1e-15);
  EXPECT_NEAR(MarchenkoPastur(2.0).density(1.0), 1 / (2 * kPi), 1e-15);
}

TEST(MarchenkoPastur, Row3MassAndMomentsCTwo) {
  const MarchenkoPastur mp(2.0);
  ASSERT_EQ(mp.atoms().size(), 1u);
  EXPECT_EQ(mp.atoms()[0].x, 0.0);
  EXPECT_NEAR(mp.atoms()[0].mass, 0.5, 1e-15);
  EXPECT_NEAR(integrate_bulk(mp, [](double) { return 1.0; }), 0.5, 1e-12);
  const auto m = mp.moments(2);
  ASSERT_EQ(m.size(), 2u);
  EXPECT_NEAR(m[0], 1.0, 1e-15);
  EXPECT_NEAR(m[1], 3.0, 1e-15);
  EXPECT_NEAR(integrate_bulk(mp, [](double x) { return x; }), 1.0, 1e-12);
  EXPECT_NEAR(integrate_bulk(mp, [](double x) { return x * x; }), 3.0, 1e-12);
}

TEST(MarchenkoPastur, Row4StieltjesAtMinusOne) {
  EXPECT_NEAR(MarchenkoPastur(0.5).stieltjes(-1.0).real(), 0.5615528128, 1e-10);
  expect_complex_near(MarchenkoPastur(0.5).stieltjes(-1.0), (std::sqrt(17.0) - 3) / 2, 1e-15);
  EXPECT_NEAR(MarchenkoPastur(2.0).stieltjes(-1.0).real(), 0.7071067812, 1e-10);
  expect_complex_near(MarchenkoPastur(2.0).stieltjes(-1.0), 1 / std::sqrt(2.0), 1e-15);
}

TEST(MarchenkoPastur, Row5StieltjesHalf) {
  const MarchenkoPastur mp(0.5);
  expect_complex_near(mp.stieltjes({2, 1}), {-0.344349368740, 0.514505897261}, 1e-12);
  expect_complex_near(mp.stieltjes({0.5, 0.01}), {0.019598159636, 1.979808006816}, 1e-12);
}

TEST(MarchenkoPastur, Row6StieltjesTwo) {
  expect_complex_near(MarchenkoPastur(2.0).stieltjes({2, 1}), {-0.242581098869, 0.352553830450},
                      1e-12);
}

// ---- Other parameters (oracle) ----------------------------------------------------------------

TEST(MarchenkoPastur, OracleCPoint3Sigma2) {
  // python3 -c "from rmt_ref import *; print(mp_edges(0.3,2.0));
  // print(repr(mp_density(np.array([1.5,3.0,0.5]),0.3,2.0)))"
  const MarchenkoPastur mp(0.3, 2.0);
  EXPECT_NEAR(mp.lower_edge(), 0.4091097699793356, 1e-15);
  EXPECT_NEAR(mp.upper_edge(), 4.790890230020664, 1e-14);
  EXPECT_NEAR(mp.density(1.5), 0.335061745404233, 1e-14);
  EXPECT_NEAR(mp.density(3.0), 0.19046124409332651, 1e-14);
  EXPECT_NEAR(mp.density(0.5), 0.3313074336813656, 1e-14);
  // python3 -c "from rmt_ref import *; [print(repr(mp_stieltjes(z,0.3,2.0))) for z in
  // [2+1j,-1+0j,0.5+0.01j,10+0.001j]]"
  expect_complex_near(mp.stieltjes({2, 1}), {-0.060845718377796024, 0.5914048791189397}, 1e-14);
  expect_complex_near(mp.stieltjes(-1.0), 0.38047614284761666, 1e-14);
  expect_complex_near(mp.stieltjes({0.5, 0.01}), {1.4639735810773196, 0.9965231820360471}, 1e-14);
  expect_complex_near(mp.stieltjes({10, 0.001}), {-0.12764676286361695, 1.6676084094342707e-05},
                      1e-15);
  // mpmath, 40 digits (the oracle's (B + R)/(2A) loses ~1e-12 relative here by cancellation).
  const complex far = mp.stieltjes({1e4, 1});
  EXPECT_NEAR(far.real(), -0.00010002000420099223677, 1e-18);
  EXPECT_NEAR(far.imag(), 1.0004001460557018446e-8, 1e-21);
  // python3 -c "from rmt_ref import *; [print(repr(mp_companion(z,0.3,2.0))) for z in
  // [1+0.5j,-2+0j]]"
  expect_complex_near(mp.companion_stieltjes({1, 0.5}), {-0.4618555558434884, 0.5186075346178413},
                      1e-14);
  expect_complex_near(mp.companion_stieltjes(-2.0), 0.4305937104039171, 1e-14);
}

TEST(MarchenkoPastur, OracleCTwoAndAHalf) {
  // python3 -c "from rmt_ref import *; c,s=2.5,0.7; print(mp_edges(c,s),
  // repr(mp_density(np.array([2.0]),c,s)),
  //   repr(mp_stieltjes(1+0.3j,c,s)), repr(mp_stieltjes(-0.5+0j,c,s)),
  //   repr(mp_companion(-1+0j,c,s)), repr(mp_companion(2+0.2j,c,s)))"
  const MarchenkoPastur mp(2.5, 0.7);
  EXPECT_NEAR(mp.lower_edge(), 0.2364056378821345, 1e-15);
  EXPECT_NEAR(mp.upper_edge(), 4.663594362117866, 1e-14);
  EXPECT_NEAR(mp.density(2.0), 0.09855654754752413, 1e-15);
  expect_complex_near(mp.stieltjes({1, 0.3}), {-0.4922124028464788, 0.5528136541989852}, 1e-14);
  expect_complex_near(mp.stieltjes(-0.5), 1.4285714285714284, 1e-14);
  expect_complex_near(mp.companion_stieltjes(-1.0), 0.425874088914177, 1e-14);
  expect_complex_near(mp.companion_stieltjes({2, 0.2}), {-0.28063810851057913, 0.7341254081644766},
                      1e-14);
  ASSERT_EQ(mp.atoms().size(), 1u);
  EXPECT_NEAR(mp.atoms()[0].mass, 0.6, 1e-15);
}

// ---- Consistency --------------------------------------------------------------------------------

TEST(MarchenkoPastur, DensityIntegratesToOneMinusAtom) {
  for (double c : {0.05, 0.3, 0.5, 1.0, 1.7, 4.0, 20.0}) {
    for (double s2 : {1.0, 2.5}) {
      const MarchenkoPastur mp(c, s2);
      double atoms = 0;
      for (const auto& a : mp.atoms()) atoms += a.mass;
      const double tol = 1e-12;
      EXPECT_NEAR(integrate_bulk(mp, [](double) { return 1.0; }) + atoms, 1.0, tol)
          << "c = " << c << " sigma2 = " << s2;
    }
  }
}

TEST(MarchenkoPastur, NarayanaMomentsMatchQuadrature) {
  for (double c : {0.3, 1.0, 2.5}) {
    const MarchenkoPastur mp(c, 0.7);
    const auto m = mp.moments(6);
    ASSERT_EQ(m.size(), 6u);
    for (int k = 1; k <= 6; ++k) {
      const double q = integrate_bulk(mp, [k](double x) { return std::pow(x, k); });
      EXPECT_NEAR(m[k - 1], q, 1e-11 * std::abs(q)) << "c = " << c << " k = " << k;
    }
  }
  // Closed forms: m3 = σ⁶(1 + 3c + c²), m4 = σ⁸(1 + 6c + 6c² + c³).
  const auto m = MarchenkoPastur(0.3, 2.0).moments(4);
  EXPECT_NEAR(m[2], 8 * (1 + 0.9 + 0.09), 1e-13);
  EXPECT_NEAR(m[3], 16 * (1 + 1.8 + 0.54 + 0.027), 1e-13);
  EXPECT_TRUE(MarchenkoPastur(0.3).moments(0).empty());
}

TEST(MarchenkoPastur, StieltjesInUpperHalfPlaneAndConjugateSymmetric) {
  for (double c : {0.3, 1.0, 2.5}) {
    const MarchenkoPastur mp(c, 1.3);
    for (double x = -3; x <= 10; x += 0.37) {
      for (double eta : {1e-12, 1e-6, 1e-2, 1.0, 30.0}) {
        const complex m = mp.stieltjes({x, eta});
        EXPECT_GT(m.imag(), 0.0) << "c = " << c << " z = " << x << "+" << eta << "i";
        const complex mc = mp.stieltjes({x, -eta});
        EXPECT_EQ(mc, std::conj(m));
        // Measure on [0, ∞): Im(z m(z)) ≥ 0 too.
        EXPECT_GE((complex(x, eta) * m).imag(), -1e-12 * std::abs(m));
      }
    }
  }
}

TEST(MarchenkoPastur, LargeZAsymptotics) {
  for (double c : {0.3, 2.5}) {
    const MarchenkoPastur mp(c, 1.5);
    const auto mom = mp.moments(2);
    for (complex z : {complex(1e6, 1), complex(-1e6, 0), complex(3e5, 4e5), complex(0, 1e7)}) {
      // m(z) = -1/z - m1/z² - m2/z³ + O(z⁻⁴).
      const complex expected = -1.0 / z - mom[0] / (z * z) - mom[1] / (z * z * z);
      const complex m = mp.stieltjes(z);
      EXPECT_LT(std::abs(m - expected), 1e-14 * std::abs(expected)) << "z = " << z;
    }
  }
}

TEST(MarchenkoPastur, StieltjesInversionRecoversDensity) {
  for (double c : {0.3, 1.0, 2.5}) {
    const MarchenkoPastur mp(c, 0.8);
    const double a = mp.lower_edge(), b = mp.upper_edge();
    for (int i = 1; i < 40; ++i) {
      const double x = a + (b - a) * i / 40.0;
      const double rho = mp.stieltjes({x, 1e-9}).imag() / kPi;
      EXPECT_NEAR(rho, mp.density(x), 1e-7 * (1 + mp.density(x))) << "c = " << c << " x = " << x;
      // Real argument = boundary value from C⁺.
      EXPECT_NEAR(mp.stieltjes(x).imag() / kPi, mp.density(x), 1e-14) << "x = " << x;
    }
    EXPECT_EQ(mp.density(a - 1e-3), 0.0);
    EXPECT_EQ(mp.density(b + 1e-3), 0.0);
    EXPECT_EQ(mp.density(-1.0), 0.0);
  }
}

TEST(MarchenkoPastur, AtomFromStieltjes) {
  // μ({0}) = lim y→0 y Im m(iy).
  for (double c : {0.5, 2.0, 5.0}) {
    const MarchenkoPastur mp(c);
    const double y = 1e-10;
    const double mass = c > 1 ? 1 - 1 / c : 0.0;
    EXPECT_NEAR(y * mp.stieltjes({0, y}).imag(), mass, 1e-8) << "c = " << c;
  }
}

TEST(MarchenkoPastur, RealAxisBranch) {
  // Below the support m is positive and increasing, above it negative; both are real.
  const MarchenkoPastur mp(0.5);
  double prev = mp.stieltjes(-5.0).real();
  for (double x : {-2.0, -0.5, 0.0, 0.05, 3.0, 4.0, 10.0}) {
    const complex m = mp.stieltjes(x);
    EXPECT_EQ(m.imag(), 0.0) << "x = " << x;
    if (x < mp.lower_edge()) {
      EXPECT_GT(m.real(), prev);
      EXPECT_GT(m.real(), 0.0);
    } else {
      EXPECT_LT(m.real(), 0.0);
    }
    prev = m.real();
  }
  // m(0) = ∫ dμ/x = 1/(σ²(1 - c)) for c < 1.
  EXPECT_NEAR(MarchenkoPastur(0.5, 2.0).stieltjes(0.0).real(), 1.0, 1e-15);
  // -0 imaginary part is the real axis, not the lower half plane.
  EXPECT_EQ(mp.stieltjes(complex(1.0, -0.0)), mp.stieltjes(complex(1.0, 0.0)));
  EXPECT_GT(mp.stieltjes(complex(1.0, -0.0)).imag(), 0.0);
}

TEST(MarchenkoPastur, CompanionTransform) {
  for (double c : {0.3, 1.0, 2.5}) {
    const MarchenkoPastur mp(c);
    for (complex z : {complex(2, 1), complex(-1, 0), complex(0.5, 0.01), complex(7, 0)}) {
      const complex mt = mp.companion_stieltjes(z);
      expect_complex_near(mt, c * mp.stieltjes(z) - (1 - c) / z, 1e-14);
      // σ = 1: m̃ = 1/(-z + c/(1 + m̃)).
      expect_complex_near(mt, 1.0 / (-z + c / (1.0 + mt)), 1e-14);
    }
  }
  // c > 1: the companion law cμ + (1-c)δ₀ has no atom, so m̃(0) is finite: m_{1/c}(0)/c = 1/(c-1).
  EXPECT_NEAR(MarchenkoPastur(2.5).companion_stieltjes(0.0).real(), 1 / 1.5, 1e-15);
}

TEST(MarchenkoPastur, PolesThrow) {
  EXPECT_THROW(MarchenkoPastur(2.0).stieltjes(0.0), rmt::InputError);
  EXPECT_THROW(MarchenkoPastur(1.0).stieltjes(0.0), rmt::InputError);
  EXPECT_THROW(MarchenkoPastur(0.5).companion_stieltjes(0.0), rmt::InputError);
  EXPECT_THROW(MarchenkoPastur(1.0).companion_stieltjes(0.0), rmt::InputError);
}

TEST(MarchenkoPastur, BadInputThrows) {
  EXPECT_THROW(MarchenkoPastur(0.0), rmt::InputError);
  EXPECT_THROW(MarchenkoPastur(-1.0), rmt::InputError);
  EXPECT_THROW(MarchenkoPastur{std::nan("")}, rmt::InputError);
  EXPECT_THROW(MarchenkoPastur{std::numeric_limits<double>::infinity()}, rmt::InputError);
  EXPECT_THROW(MarchenkoPastur(0.5, 0.0), rmt::InputError);
  EXPECT_THROW(MarchenkoPastur(0.5, -2.0), rmt::InputError);
  EXPECT_THROW(MarchenkoPastur(0.5).moments(-1), rmt::InputError);
  EXPECT_THROW(MarchenkoPastur(0.5).stieltjes({std::nan(""), 1.0}), rmt::InputError);
}

}  // namespace
