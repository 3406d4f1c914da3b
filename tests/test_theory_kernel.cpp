// Cheng–Singer law of inner-product kernel matrices at the 1/√p scale (docs/theory.md §3.3).
//
// Golden values: the damped fixed point of an independent Python check script, chk_cs.py (not
// shipped; m ← ½ m + ½ (-1/(z +
// a1² m/(c + a1 m) + (ν - a1²) m/c)), from m = -1/z, to 1e-15), at parameters other than the
// script's simulation; moments by the trapezoid rule on |z| = 20 (512 points) of the same m:
//   python3 -c "
//   def m_cs(z,a1,nu,c):
//       m=-1/z
//       for it in range(2000000):
//           new=0.5*(-1/(z+a1*a1*m/(c+a1*m)+(nu-a1*a1)*m/c))+0.5*m
//           if abs(new-m)<1e-15: return new
//           m=new
//   print(m_cs(0.5+0.1j, 0.605705509602159, 0.394294490397841, 0.5))"
// Moments (derived from the large-z expansion of the cubic, confirmed by the contour integral):
// m1 = 0 (K has a zero diagonal, tr K = 0), m2 = ν/c (= (n-1) E K_ij² → ν n/p), m3 = a1³/c².
#include <gtest/gtest.h>

#include <boost/math/quadrature/tanh_sinh.hpp>
#include <cmath>
#include <numbers>

#include "core/base/error.hpp"
#include "theory/kernel.hpp"
#include "theory/mp.hpp"
#include "tests/law_support.hpp"

namespace {

using rmt::test_support::expect_complex_near;

using rmt::complex;
using rmt::theory::ChengSinger;
constexpr double kPi = std::numbers::pi;

template <typename G>
double integrate(const ChengSinger& law, G g) {
  boost::math::quadrature::tanh_sinh<double> ts;
  double total = 0.0;
  for (const auto& iv : law.support()) total += ts.integrate([&](double x) { return g(x) * law.density(x); }, iv.lo, iv.hi);
  return total;
}

struct Params {
  double a1, nu, c;
};
const Params kTanh{0.605705509602159, 0.394294490397841, 0.5};
const Params kRelu{0.5, 0.340845056908, 2.0};
const Params kBig{0.9, 1.0, 1.0};

// a1 = 0 (e.g. |x| centred, even f): semicircle of radius 2√(ν/c).
TEST(ChengSinger, SemicircleWhenA1IsZero) {
  const double nu = 0.363380227632, c = 0.7;
  const ChengSinger cs(0.0, nu, c);
  const double s2 = nu / c, r = 2 * std::sqrt(s2);
  ASSERT_EQ(cs.support().size(), 1u);
  EXPECT_NEAR(cs.support()[0].lo, -r, 1e-12);
  EXPECT_NEAR(cs.support()[0].hi, r, 1e-12);
  for (const double x : {-1.2, -0.3, 0.0, 0.5, 1.4})
    EXPECT_NEAR(cs.density(x), std::sqrt(std::max(r * r - x * x, 0.0)) / (2 * kPi * s2), 1e-12) << x;
  EXPECT_EQ(cs.density(r + 0.01), 0.0);
  // m(z) = (-z + √(z - r)√(z + r))/(2 s2).
  for (const complex z : {complex(0.5, 0.1), complex(-2.0, 0.3), complex(3.0, 0.0), complex(-3.0, 0.0)}) {
    const complex expected = (-z + std::sqrt(z - r) * std::sqrt(z + r)) / (2 * s2);
    expect_complex_near(cs.stieltjes(z), expected, 1e-12);
  }
  const auto m = cs.moments(4);
  EXPECT_NEAR(m[0], 0.0, 1e-15);
  EXPECT_NEAR(m[1], s2, 1e-15);
  EXPECT_NEAR(m[2], 0.0, 1e-15);
  EXPECT_NEAR(m[3], 2 * s2 * s2, 1e-14);  // Catalan
}

// Oracle values (header comment).
TEST(ChengSinger, OracleValues) {
  struct Case {
    Params p;
    complex m[4];    // at 0.5+0.1i, -1+0.1i, 1.5+0.2i, 0.2+1i
    double mom[4];   // moments 1..4
  };
  const Case cases[] = {
      {kTanh,
       {{-0.5931880276044, 0.6187878112035}, {1.8363318760619, 0.7435848188961}, {-0.4897598595830, 0.3471316585150},
        {-0.1859591940062, 0.6476750720502}},
       {0.0, 0.7885889807899, 0.8888829248433, 2.3205477310237}},
      {kRelu,
       {{-1.1511452668414, 1.3315753286431}, {1.1765922969687, 0.1701926351306}, {-0.7155688689628, 0.1198226567474},
        {-0.1462799999963, 0.8464167046874}},
       {0.0, 0.1704225284490, 0.0312499999989, 0.0659001763751}},
      {kBig,
       {{-0.4531545857873, 0.7216844528347}, {0.7092681415019, 1.2722058132778}, {-0.4862469758269, 0.4132149896740},
        {-0.1307979083466, 0.6078456421953}},
       {0.0, 0.9999999999932, 0.7290000000052, 2.6560999999069}},
  };
  const complex zs[4] = {{0.5, 0.1}, {-1.0, 0.1}, {1.5, 0.2}, {0.2, 1.0}};
  for (const Case& c : cases) {
    const ChengSinger cs(c.p.a1, c.p.nu, c.p.c);
    for (int i = 0; i < 4; ++i) expect_complex_near(cs.stieltjes(zs[i]), c.m[i], 1e-11);
    const auto mom = cs.moments(4);
    // The contour values carry the fixed point's 1e-15 times R^{k+1}: ~1e-9 for k = 4.
    for (int k = 0; k < 4; ++k) EXPECT_NEAR(mom[k], c.mom[k], 1e-9) << "moment " << k + 1;
    // Exact forms of the first three.
    EXPECT_EQ(mom[0], 0.0);
    EXPECT_NEAR(mom[1], c.p.nu / c.p.c, 1e-15);
    EXPECT_NEAR(mom[2], std::pow(c.p.a1, 3) / (c.p.c * c.p.c), 1e-15);
  }
}

// Mass 1 (no atoms) and the moments from the density.
TEST(ChengSinger, MassAndMomentsFromDensity) {
  for (const Params& p : {kTanh, kRelu, kBig, Params{0.3, 2.0, 4.0}, Params{1.0, 1.0 + 1e-3, 0.3}}) {
    const ChengSinger cs(p.a1, p.nu, p.c);
    EXPECT_TRUE(cs.atoms().empty());  // ν > a1²
    ASSERT_FALSE(cs.support().empty());
    EXPECT_NEAR(integrate(cs, [](double) { return 1.0; }), 1.0, 1e-9) << p.a1 << " " << p.c;
    const auto m = cs.moments(3);
    EXPECT_NEAR(integrate(cs, [](double x) { return x; }), m[0], 1e-9) << p.a1 << " " << p.c;
    EXPECT_NEAR(integrate(cs, [](double x) { return x * x; }), m[1], 1e-9) << p.a1 << " " << p.c;
    EXPECT_NEAR(integrate(cs, [](double x) { return x * x * x; }), m[2], 1e-8) << p.a1 << " " << p.c;
  }
}

// ν = a1² (f(x) = a1 x): K = a1 (ZᵀZ/p - diag) ≈ a1 (S - I) with S = ZᵀZ/p ~ MP(ratio 1/c), so
// m_K(z) = m_S(1 + z/a1)/a1 and, for c < 1, an atom of mass 1 - c at -a1 (the cubic drops to a
// quadratic).
TEST(ChengSinger, LinearIsShiftedMarchenkoPastur) {
  for (const double c : {0.5, 2.0}) {
    const double a1 = 0.8;
    const ChengSinger cs(a1, a1 * a1, c);
    const rmt::theory::MarchenkoPastur mp(1 / c);
    for (const complex z : {complex(0.3, 0.2), complex(-1.0, 0.05), complex(4.0, 0.0), complex(-3.0, 0.0)})
      expect_complex_near(cs.stieltjes(z), mp.stieltjes(1.0 + z / a1) / a1, 1e-12);
    for (const double x : {-0.5, 0.0, 1.0}) EXPECT_NEAR(cs.density(x), mp.density(1 + x / a1) / a1, 1e-12) << x;
    ASSERT_EQ(cs.support().size(), 1u);
    EXPECT_NEAR(cs.support()[0].lo, a1 * (mp.lower_edge() - 1), 1e-10);
    EXPECT_NEAR(cs.support()[0].hi, a1 * (mp.upper_edge() - 1), 1e-10);
    const auto atoms = cs.atoms();
    if (c < 1) {
      ASSERT_EQ(atoms.size(), 1u);
      EXPECT_EQ(atoms[0].x, -a1);
      EXPECT_NEAR(atoms[0].mass, 1 - c, 1e-15);
    } else {
      EXPECT_TRUE(atoms.empty());
    }
    EXPECT_NEAR(integrate(cs, [](double) { return 1.0; }) + (c < 1 ? 1 - c : 0.0), 1.0, 1e-9);
  }
}

// Herglotz, conjugate symmetry, m ~ -1/z, real outside the support (both sides), boundary values.
TEST(ChengSinger, StieltjesProperties) {
  const ChengSinger cs(kTanh.a1, kTanh.nu, kTanh.c);
  const auto sup = cs.support();
  ASSERT_EQ(sup.size(), 1u);
  EXPECT_LT(sup[0].lo, 0.0);  // the law has negative values
  for (const double x : {-4.0, -1.0, -0.2, 0.0, 0.4, 1.5, 5.0}) {
    for (const double y : {1e-3, 1e-2, 0.2, 3.0}) {
      const complex m = cs.stieltjes({x, y});
      EXPECT_GT(m.imag(), 0.0) << x << " " << y;
      EXPECT_LE(m.imag(), 1.0 / y * (1 + 1e-12));
      expect_complex_near(cs.stieltjes({x, -y}), std::conj(m), 1e-15);
    }
  }
  for (const double r : {1e3, 1e5}) {
    const complex z = std::polar(r, 2.0);
    const complex m = cs.stieltjes(z);
    // m = -1/z - 0/z² - (ν/c)/z³ - ...
    EXPECT_NEAR(std::abs(m * z + 1.0), 0.0, 2 * (kTanh.nu / kTanh.c) / (r * r)) << r;
  }
  for (const double x : {sup[0].lo - 1.0, sup[0].lo - 1e-3, sup[0].hi + 1e-3, sup[0].hi + 2.0}) {
    const complex m = cs.stieltjes({x, 0.0});
    EXPECT_EQ(m.imag(), 0.0);
    EXPECT_EQ(m.real() > 0, x < sup[0].lo) << x;
    expect_complex_near(m, cs.stieltjes({x, 1e-12}), 1e-8);
  }
  for (const double x : {-0.5, 0.0, 1.0}) {
    EXPECT_NEAR(cs.stieltjes({x, 0.0}).imag() / kPi, cs.density(x), 1e-15);
    EXPECT_NEAR(cs.stieltjes({x, 1e-10}).imag() / kPi, cs.density(x), 1e-8);
  }
}

TEST(ChengSinger, RejectsBadParameters) {
  EXPECT_THROW(ChengSinger(0.5, 0.0, 1.0), rmt::InputError);
  EXPECT_THROW(ChengSinger(0.5, 1.0, 0.0), rmt::InputError);
  EXPECT_THROW(ChengSinger(2.0, 1.0, 1.0), rmt::InputError);  // a1² > ν
  EXPECT_THROW(ChengSinger(std::nan(""), 1.0, 1.0), rmt::InputError);
  EXPECT_THROW(ChengSinger(0.5, 1.0, 1.0).moments(-1), rmt::InputError);
  EXPECT_THROW(ChengSinger(0.5, 1.0, 1.0).stieltjes({std::nan(""), 1.0}), rmt::InputError);
}

}  // namespace
