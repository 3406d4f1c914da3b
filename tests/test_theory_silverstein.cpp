// Bai–Silverstein law with a discrete population spectrum (docs/theory.md §1.2–1.3, §9.1–9.2, §10 rows
// 7–8) and the polynomial helpers it is built on.
//
// Golden values come from an independent Python reference implementation, rmt_ref.py (not
// shipped), and were re-solved at 40
// digits with mpmath (the oracle agrees with those to ≤ 2e-14; its unpolished polynomial roots are
// the limiting factor). Commands (run in the folder of rmt_ref.py):
//   edges:    python3 -c "from rmt_ref import *;
//   print(silverstein_edges(np.array(T),np.array(W),c)[0])" density:  python3 -c "from rmt_ref
//   import *; print(silverstein_density(x,np.array(T),np.array(W),c))" m(z):     python3 -c "from
//   rmt_ref import *; mt,_=silverstein_fp(z,np.array(T),np.array(W),c,tol=1e-16);
//                         print(mt/c+(1-c)/(c*z))"
//   40 digits: the same equations with mpmath (mp.mp.dps=40), mp.findroot started from the oracle
//     root: z'(m̃)=0 for edges (edge = z(m̃*)), z(m̃)=x for densities (Im m̃/(cπ)), z(m̃)=z for m(z).
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/math/quadrature/gauss_kronrod.hpp>
#include <cmath>
#include <numbers>
#include <random>
#include <vector>

#include "core/base/error.hpp"
#include "theory/mp.hpp"
#include "theory/numerics/polynomial.hpp"
#include "theory/silverstein.hpp"
#include "tests/law_support.hpp"

namespace {

using rmt::test_support::expect_complex_near;
using rmt::test_support::integrate_law;

using rmt::complex;
using rmt::theory::BaiSilverstein;
using rmt::theory::MarchenkoPastur;
using rmt::theory::PopulationSpectrum;
constexpr double kPi = std::numbers::pi;

PopulationSpectrum three_atoms() { return {{1, 3, 7}, {1.0 / 3, 1.0 / 3, 1.0 / 3}}; }
PopulationSpectrum skewed_three() { return {{0.5, 2, 5}, {0.2, 0.5, 0.3}}; }
PopulationSpectrum two_atoms() { return {{1, 4}, {0.6, 0.4}}; }

void expect_edges(const BaiSilverstein& law, const std::vector<double>& expected, double tol) {
  const auto edges = law.edges();
  ASSERT_EQ(edges.size(), expected.size());
  for (std::size_t i = 0; i < edges.size(); ++i) EXPECT_NEAR(edges[i], expected[i], tol) << i;
  const auto support = law.support();
  ASSERT_EQ(support.size(), expected.size() / 2);
  for (std::size_t i = 0; i < support.size(); ++i) {
    EXPECT_EQ(support[i].lo, edges[2 * i]);
    EXPECT_EQ(support[i].hi, edges[2 * i + 1]);
  }
}

// ---- Polynomial helpers ------------------------------------------------------------------------

TEST(Polynomial, RootsOfKnownPolynomials) {
  using rmt::theory::numerics::polynomial_roots;
  // (x - 1)(x - 2)(x - 3) = -6 + 11x - 6x² + x³
  const double cubic[] = {-6, 11, -6, 1};
  auto r = polynomial_roots(cubic);
  ASSERT_EQ(r.size(), 3u);
  std::sort(r.begin(), r.end(), [](complex a, complex b) { return a.real() < b.real(); });
  for (int i = 0; i < 3; ++i) expect_complex_near(r[i], i + 1.0, 1e-14);
  // x² + 1 with trailing and leading exact zeros: 0·x⁵ + x⁴ + x²  → roots 0, 0, ±i.
  const double padded[] = {0, 0, 1, 0, 1, 0};
  r = polynomial_roots(padded);
  ASSERT_EQ(r.size(), 4u);
  int zeros = 0, plus_i = 0, minus_i = 0;
  for (complex v : r) {
    zeros += std::abs(v) == 0.0;
    plus_i += std::abs(v - complex(0, 1)) < 1e-15;
    minus_i += std::abs(v - complex(0, -1)) < 1e-15;
  }
  EXPECT_EQ(zeros, 2);
  EXPECT_EQ(plus_i, 1);
  EXPECT_EQ(minus_i, 1);
  // Wilkinson-like spread: roots 1e-3, 1, 1e3.
  const double a = 1e-3, b = 1.0, c = 1e3;
  const double spread[] = {-a * b * c, a * b + a * c + b * c, -(a + b + c), 1};
  r = polynomial_roots(spread);
  std::sort(r.begin(), r.end(), [](complex u, complex v) { return u.real() < v.real(); });
  EXPECT_NEAR(r[0].real(), a, 1e-15);
  EXPECT_NEAR(r[1].real(), b, 1e-14);
  EXPECT_NEAR(r[2].real(), c, 1e-11);
  // Complex coefficients: (x - i)(x - 2 + i) = x² - 2x + (1 + 2i).
  const complex zc[] = {complex(1, 2), -2.0, 1.0};
  auto rc = polynomial_roots(std::span<const complex>(zc));
  std::sort(rc.begin(), rc.end(), [](complex u, complex v) { return u.real() < v.real(); });
  expect_complex_near(rc[0], complex(0, 1), 1e-15);
  expect_complex_near(rc[1], complex(2, -1), 1e-15);
  // Degree 0 and 1.
  const double constant[] = {3.0};
  EXPECT_TRUE(polynomial_roots(constant).empty());
  const double linear[] = {3.0, -2.0};
  expect_complex_near(polynomial_roots(linear).at(0), 1.5, 0);
}

TEST(Polynomial, BadInputThrows) {
  using rmt::theory::numerics::polynomial_roots;
  const double zero[] = {0.0, 0.0};
  EXPECT_THROW(polynomial_roots(zero), rmt::InputError);
  EXPECT_THROW(polynomial_roots(std::span<const double>{}), rmt::InputError);
  const double bad[] = {1.0, std::nan("")};
  EXPECT_THROW(polynomial_roots(bad), rmt::InputError);
}

TEST(Polynomial, MultiplyAndEvaluate) {
  using namespace rmt::theory::numerics;
  const double a[] = {1, 2};      // 1 + 2x
  const double b[] = {-1, 0, 3};  // -1 + 3x²
  const auto p = polynomial_multiply(a, b);
  ASSERT_EQ(p.size(), 4u);
  EXPECT_EQ(p, (std::vector<double>{-1, -2, 3, 6}));
  expect_complex_near(
      polynomial_evaluate(p, complex(0.5, 1)),
      (1.0 + 2.0 * complex(0.5, 1)) * (-1.0 + 3.0 * complex(0.5, 1) * complex(0.5, 1)), 1e-14);
}

// ---- docs/theory.md §10 rows 7–8 -------------------------------------------------------------------------

TEST(BaiSilverstein, Row7ThreeAtomsCPoint1) {
  const BaiSilverstein law(three_atoms(), 0.1);
  // Printed in docs/theory.md to 9 decimals.
  expect_edges(law, {0.600417561, 1.285018437, 1.936307124, 3.999018575, 4.928488498, 9.984083138},
               1e-8);
  // Oracle (silverstein_edges) / mpmath, 20 digits.
  expect_edges(law,
               {0.60041756103277454648, 1.2850184371397566966, 1.9363071239864178559,
                3.9990185752581562973, 4.9284884978019323738, 9.9840831381142955632},
               1e-13);
  EXPECT_NEAR(law.density(1.0), 0.5572973605, 1e-10);
  EXPECT_NEAR(law.density(3.0), 0.1964387459, 1e-10);
  EXPECT_NEAR(law.density(1.0), 0.55729736045812421865, 1e-13);
  EXPECT_NEAR(law.density(3.0), 0.19643874587674993293, 1e-13);
  // Between the components the density vanishes.
  EXPECT_EQ(law.density(1.6), 0.0);
  EXPECT_EQ(law.density(4.5), 0.0);
  EXPECT_TRUE(law.atoms().empty());
}

TEST(BaiSilverstein, Row8ThreeAtomsCHalf) {
  const BaiSilverstein law(three_atoms(), 0.5);
  expect_edges(law, {0.145419676, 14.785527050}, 1e-8);
  expect_edges(law, {0.14541967596150104387, 14.78552704985743847}, 1e-13);
  EXPECT_NEAR(law.density(1.0), 0.2166117554, 1e-10);
  EXPECT_NEAR(law.density(3.0), 0.0944489400, 1e-10);
  EXPECT_NEAR(law.density(1.0), 0.21661175542556194031, 1e-13);
  EXPECT_NEAR(law.density(3.0), 0.094448940017465036159, 1e-13);
}

TEST(BaiSilverstein, StieltjesRows7And8) {
  // mpmath-polished oracle fixed point (silverstein_fp) values.
  const BaiSilverstein a(three_atoms(), 0.1), b(three_atoms(), 0.5);
  expect_complex_near(a.stieltjes(-1.0), 0.30494841334405432291, 1e-14);
  expect_complex_near(a.stieltjes({2, 0.5}), {0.06121479548787095617, 0.37499629709085226357},
                      1e-14);
  expect_complex_near(a.companion_stieltjes({2, 0.5}),
                      {-0.41740793221591878674, 0.14338198265026169694}, 1e-14);
  expect_complex_near(b.stieltjes(-1.0), 0.36516750194156937315, 1e-14);
  expect_complex_near(b.stieltjes({2, 0.5}), {-0.10822119337271966945, 0.38572516813591490635},
                      1e-14);
}

// ---- Other parameters --------------------------------------------------------------------------

TEST(BaiSilverstein, OracleSkewedThreeAtoms) {
  // H = 0.2 δ_0.5 + 0.5 δ_2 + 0.3 δ_5, c = 0.3: two bulk components.
  const BaiSilverstein law(skewed_three(), 0.3);
  expect_edges(law,
               {0.18249693629045416572, 0.56743529359075141602, 0.66286186495972308657,
                8.9154930902263269894},
               1e-13);
  EXPECT_NEAR(law.density(0.5), 0.36075646382050325746, 1e-13);
  EXPECT_NEAR(law.density(1.5), 0.25252521577138058247, 1e-13);
  EXPECT_NEAR(law.density(3.0), 0.098596374615393132435, 1e-13);
  EXPECT_NEAR(law.density(6.0), 0.059056812698345131174, 1e-13);
  EXPECT_EQ(law.density(0.6), 0.0);
  expect_complex_near(law.stieltjes(-1.0), 0.39075987795837888654, 1e-14);
  expect_complex_near(law.stieltjes({1, 0.5}), {0.14588304030848953535, 0.6261307922575016266},
                      1e-14);
  expect_complex_near(law.stieltjes({3, 0.01}), {-0.37843434774192325937, 0.30990107600156537889},
                      1e-14);
  expect_complex_near(law.companion_stieltjes({3, 0.01}),
                      {-0.34686104509212398284, 0.0937480919363681037}, 1e-14);
}

TEST(BaiSilverstein, OracleTwoAtomsCTwo) {
  // H = 0.6 δ_1 + 0.4 δ_4, c = 2: atom 1/2 at 0, the lower edge comes from a critical point m̃* > 0.
  const BaiSilverstein law(two_atoms(), 2.0);
  expect_edges(law, {0.27073263210550374972, 15.737164711461822371}, 1e-13);
  EXPECT_NEAR(law.density(1.0), 0.11261522307160712088, 1e-13);
  EXPECT_NEAR(law.density(5.0), 0.033906626693300558742, 1e-13);
  EXPECT_NEAR(law.density(10.0), 0.016187369673026203432, 1e-13);
  ASSERT_EQ(law.atoms().size(), 1u);
  EXPECT_NEAR(law.atoms()[0].mass, 0.5, 1e-15);
  expect_complex_near(law.stieltjes(-1.0), 0.64720990921958688382, 1e-14);
  expect_complex_near(law.companion_stieltjes(-1.0), 0.29441981843917376764, 1e-14);
  expect_complex_near(law.stieltjes({2, 0.5}), {-0.24635639374941973303, 0.26420834730243596262},
                      1e-14);
}

// ---- Reduction to Marchenko–Pastur -------------------------------------------------------------

TEST(BaiSilverstein, PointMassReducesToMarchenkoPastur) {
  for (double c : {0.1, 0.5, 1.0, 2.0, 7.0}) {
    for (double s2 : {1.0, 2.5}) {
      const BaiSilverstein law({{s2}, {1.0}}, c);
      const MarchenkoPastur mp(c, s2);
      SCOPED_TRACE(testing::Message() << "c = " << c << " sigma2 = " << s2);
      expect_edges(law, {mp.lower_edge(), mp.upper_edge()}, 1e-13 * s2);
      ASSERT_EQ(law.atoms().size(), mp.atoms().size());
      if (!mp.atoms().empty()) {
        EXPECT_NEAR(law.atoms()[0].mass, mp.atoms()[0].mass, 1e-15);
      }
      const double a = mp.lower_edge(), b = mp.upper_edge();
      for (int i = 1; i < 50; ++i) {
        const double x = a + (b - a) * i / 50.0;
        EXPECT_NEAR(law.density(x), mp.density(x), 1e-13 * (1 + mp.density(x))) << "x = " << x;
        expect_complex_near(law.stieltjes(x), mp.stieltjes(x),
                            1e-12 * (1 + std::abs(mp.stieltjes(x))));
      }
      for (complex z :
           {complex(-1, 0), complex(-0.01, 0), complex(b + 0.5, 0), complex(50, 0), complex(2, 1),
            complex(0.5, 1e-3), complex(1, 1e-9), complex(-3, 2), complex(1e5, 3)}) {
        expect_complex_near(law.stieltjes(z), mp.stieltjes(z), 1e-12 * std::abs(mp.stieltjes(z)));
        expect_complex_near(law.companion_stieltjes(z), mp.companion_stieltjes(z),
                            1e-12 * std::abs(mp.companion_stieltjes(z)));
      }
      // Next to an edge m̃ ≈ m̃* + C√(z - edge): solving z(m̃) = z (derivative ~ √|z - edge|)
      // attains only ~ε/√|z - edge| there, and the closed form sees an edge that differs in the
      // last bit; so a looser tolerance.
      for (complex z : {complex(a, 1e-6), complex(b, 1e-6), complex(b, 1e-12)}) {
        expect_complex_near(law.stieltjes(z), mp.stieltjes(z), 1e-9 * std::abs(mp.stieltjes(z)));
        expect_complex_near(law.companion_stieltjes(z), mp.companion_stieltjes(z),
                            1e-9 * std::abs(mp.companion_stieltjes(z)));
      }
      // At the edges themselves (double root: only ~√ε attainable).
      for (double e : {a, b}) {
        if (e == 0.0) continue;  // c = 1: singular point, throws in both
        expect_complex_near(law.stieltjes(e), mp.stieltjes(e), 1e-7 * std::abs(mp.stieltjes(e)));
      }
      const auto mom = law.moments(6), mom_mp = mp.moments(6);
      for (int k = 0; k < 6; ++k) EXPECT_NEAR(mom[k], mom_mp[k], 1e-13 * mom_mp[k]);
    }
  }
}

TEST(BaiSilverstein, DuplicatesAndZeroWeightsAreMerged) {
  const BaiSilverstein law({{2, 1, 2, 5}, {0.25, 0.5, 0.25, 0.0}}, 0.4);
  EXPECT_EQ(law.population().t, (std::vector<double>{1, 2}));
  EXPECT_EQ(law.population().w, (std::vector<double>{0.5, 0.5}));
  const BaiSilverstein ref({{1, 2}, {0.5, 0.5}}, 0.4);
  EXPECT_EQ(law.edges(), ref.edges());
}

// ---- Consistency --------------------------------------------------------------------------------

std::vector<BaiSilverstein> sample_laws() {
  return {BaiSilverstein(three_atoms(), 0.1),  BaiSilverstein(three_atoms(), 0.5),
          BaiSilverstein(skewed_three(), 0.3), BaiSilverstein(two_atoms(), 2.0),
          BaiSilverstein(two_atoms(), 1.0),    BaiSilverstein({{1, 10}, {0.5, 0.5}}, 0.01)};
}

TEST(BaiSilverstein, MassIsOne) {
  for (const auto& law : sample_laws()) {
    const double tol = 1e-12;
    EXPECT_NEAR(integrate_law(law, [](double) { return 1.0; }), 1.0, tol) << "c = " << law.c();
  }
}

TEST(BaiSilverstein, MomentsMatchQuadratureAndClosedForms) {
  for (const auto& law : sample_laws()) {
    const auto& h = law.population();
    double h1 = 0, h2 = 0;
    for (std::size_t k = 0; k < h.t.size(); ++k) {
      h1 += h.w[k] * h.t[k];
      h2 += h.w[k] * h.t[k] * h.t[k];
    }
    const auto m = law.moments(5);
    ASSERT_EQ(m.size(), 5u);
    EXPECT_NEAR(m[0], h1, 1e-14 * h1);
    EXPECT_NEAR(m[1], h2 + law.c() * h1 * h1, 1e-14 * m[1]);
    for (int k = 1; k <= 5; ++k) {
      const double q = integrate_law(law, [k](double x) { return std::pow(x, k); });
      EXPECT_NEAR(m[k - 1], q, 1e-11 * q) << "c = " << law.c() << " k = " << k;
    }
  }
  // Third moment: h3 + 3c h1 h2 + c² h1³ (Bai–Silverstein).
  const BaiSilverstein law(skewed_three(), 0.3);
  const double h1 = 0.2 * 0.5 + 0.5 * 2 + 0.3 * 5, h2 = 0.2 * 0.25 + 0.5 * 4 + 0.3 * 25,
               h3 = 0.2 * 0.125 + 0.5 * 8 + 0.3 * 125, c = 0.3;
  EXPECT_NEAR(law.moments(3)[2], h3 + 3 * c * h1 * h2 + c * c * h1 * h1 * h1, 1e-12);
  EXPECT_TRUE(law.moments(0).empty());
}

TEST(BaiSilverstein, StieltjesInUpperHalfPlane) {
  for (const auto& law : sample_laws()) {
    const double top = law.edges().back();
    for (double x = -2; x <= top + 3; x += top / 37) {
      for (double eta : {1e-12, 1e-8, 1e-4, 1e-2, 1.0, 50.0}) {
        const complex z(x, eta);
        const complex m = law.stieltjes(z);
        EXPECT_GT(m.imag(), 0.0) << "c = " << law.c() << " z = " << z;
        EXPECT_GE((z * m).imag(), -1e-12 * std::abs(m)) << "z = " << z;  // measure on [0, ∞)
        EXPECT_EQ(law.stieltjes(std::conj(z)), std::conj(m));
        // m̃ solves the fixed-point equation of §1.2.
        const complex mt = law.companion_stieltjes(z);
        EXPECT_LT(std::abs(law.z_of_companion(mt) - z), 1e-12 * (1 + std::abs(z))) << "z = " << z;
        EXPECT_GT(mt.imag(), 0.0) << "z = " << z;
      }
    }
  }
}

TEST(BaiSilverstein, LargeZAsymptotics) {
  for (const auto& law : sample_laws()) {
    const auto mom = law.moments(2);
    for (complex z : {complex(1e6, 1), complex(-1e6, 0), complex(3e5, 4e5), complex(0, 1e7)}) {
      const complex expected = -1.0 / z - mom[0] / (z * z) - mom[1] / (z * z * z);
      EXPECT_LT(std::abs(law.stieltjes(z) - expected), 1e-12 * std::abs(expected)) << "z = " << z;
    }
  }
}

TEST(BaiSilverstein, StieltjesInversionRecoversDensity) {
  for (const auto& law : sample_laws()) {
    for (const auto& s : law.support()) {
      for (int i = 1; i < 30; ++i) {
        const double x = s.lo + (s.hi - s.lo) * i / 30.0;
        const double rho = law.density(x);
        EXPECT_GT(rho, 0.0);
        EXPECT_NEAR(law.stieltjes({x, 1e-9}).imag() / kPi, rho, 1e-7 * (1 + rho))
            << "c = " << law.c() << " x = " << x;
        EXPECT_NEAR(law.stieltjes(x).imag() / kPi, rho, 1e-14 * (1 + rho));
      }
    }
    // Outside the support: density 0, m real and increasing in x.
    const auto edges = law.edges();
    EXPECT_EQ(law.density(edges.front() - 1e-6), 0.0);
    EXPECT_EQ(law.density(edges.back() + 1e-6), 0.0);
    double prev = law.stieltjes(-10.0).real();
    for (double x : {-5.0, -1.0, -0.1, edges.back() + 0.01, edges.back() + 1, edges.back() * 10}) {
      const complex m = law.stieltjes(x);
      EXPECT_EQ(m.imag(), 0.0);
      if (x > 0) prev = -std::numeric_limits<double>::infinity();  // jump across the support
      EXPECT_GT(m.real(), prev) << "x = " << x;
      prev = m.real();
    }
  }
}

TEST(BaiSilverstein, RandomPopulations) {
  // Seeded random discrete populations (K = 1..6 atoms over two decades, c over three decades):
  // the support intervals carry positive density and the gaps none, the mass is 1, and m̃(z)
  // solves the Silverstein equation in C⁺ down to Im z = 1e-10.
  std::mt19937 gen(42);
  const auto uniform = [&] { return gen() / 4294967296.0; };
  for (int trial = 0; trial < 60; ++trial) {
    const int K = 1 + static_cast<int>(gen() % 6);
    PopulationSpectrum h;
    double total = 0;
    for (int k = 0; k < K; ++k) {
      h.t.push_back(std::exp(4 * uniform() - 2));
      h.w.push_back(uniform() + 0.01);
      total += h.w.back();
    }
    for (auto& w : h.w) w /= total;
    const double c = std::exp(6 * uniform() - 4);
    const BaiSilverstein law(h, c);
    SCOPED_TRACE(testing::Message() << "trial " << trial << " K = " << K << " c = " << c);
    const auto edges = law.edges();
    for (std::size_t i = 0; i + 1 < edges.size(); ++i) {
      const double mid = 0.5 * (edges[i] + edges[i + 1]);
      EXPECT_EQ(law.density(mid) > 0, i % 2 == 0) << "between edges " << i << " and " << i + 1;
    }
    double mass = 0;
    for (const auto& a : law.atoms()) mass += a.mass;
    for (const auto& s : law.support()) {
      const auto g = [&](double th) {
        const double sh = std::sin(th / 2);
        return law.density(s.lo + (s.hi - s.lo) * sh * sh) * (s.hi - s.lo) * 0.5 * std::sin(th);
      };
      // Deeper than integrate_law(): c ≈ 1 puts an x^{-1/2} stretch just above a tiny lower edge.
      mass += boost::math::quadrature::gauss_kronrod<double, 61>::integrate(g, 0.0, kPi, 15, 1e-13);
    }
    EXPECT_NEAR(mass, 1.0, 1e-10);
    for (int j = 0; j < 10; ++j) {
      const complex z(edges.back() * 1.2 * uniform() - 0.2, std::pow(10.0, -10 * uniform()));
      const complex mt = law.companion_stieltjes(z);
      EXPECT_GT(mt.imag(), 0.0) << "z = " << z;
      EXPECT_LT(std::abs(law.z_of_companion(mt) - z), 1e-12 * (1 + std::abs(z))) << "z = " << z;
    }
  }
}

TEST(BaiSilverstein, StieltjesInAGap) {
  // Real z in the gap between two components: real, and equal to the limit from C⁺.
  const BaiSilverstein law(three_atoms(), 0.1);
  for (double x : {1.3, 1.6, 1.9, 4.2, 4.9}) {
    const complex m = law.stieltjes(x);
    EXPECT_EQ(m.imag(), 0.0);
    expect_complex_near(law.stieltjes({x, 1e-10}), m, 1e-8);
  }
}

TEST(BaiSilverstein, ValueAtZero) {
  // c < 1: m(0) = ∫ dμ/x = ∫ t⁻¹ dH / (1 - c).
  const BaiSilverstein law(skewed_three(), 0.3);
  const double expected = (0.2 / 0.5 + 0.5 / 2 + 0.3 / 5) / 0.7;
  EXPECT_NEAR(law.stieltjes(0.0).real(), expected, 1e-15);
  EXPECT_NEAR(integrate_law(law, [](double x) { return 1 / x; }), expected, 1e-11);
  EXPECT_THROW(BaiSilverstein(two_atoms(), 2.0).stieltjes(0.0), rmt::InputError);
  EXPECT_THROW(law.companion_stieltjes(0.0), rmt::InputError);
  // c > 1: the companion has no atom at 0.
  const BaiSilverstein wide(two_atoms(), 2.0);
  const complex mt0 = wide.companion_stieltjes(0.0);
  EXPECT_GT(mt0.real(), 0.0);
  EXPECT_NEAR(wide.z_of_companion(mt0).real(), 0.0, 1e-14);
}

TEST(BaiSilverstein, InverseFunction) {
  const BaiSilverstein law(three_atoms(), 0.1);
  const complex mt(0.3, -0.2);
  const complex expected =
      -1.0 / mt + 0.1 / 3 * (1.0 / (1.0 + mt) + 3.0 / (1.0 + 3.0 * mt) + 7.0 / (1.0 + 7.0 * mt));
  expect_complex_near(law.z_of_companion(mt), expected, 1e-15);
}

TEST(BaiSilverstein, BadInputThrows) {
  EXPECT_THROW(BaiSilverstein(three_atoms(), 0.0), rmt::InputError);
  EXPECT_THROW(BaiSilverstein(three_atoms(), -0.5), rmt::InputError);
  EXPECT_THROW(BaiSilverstein(three_atoms(), std::nan("")), rmt::InputError);
  EXPECT_THROW(BaiSilverstein(PopulationSpectrum{}, 0.5), rmt::InputError);
  EXPECT_THROW(BaiSilverstein(PopulationSpectrum({{1, 2}, {1.5, -0.5}}), 0.5), rmt::InputError);
  EXPECT_THROW(BaiSilverstein(PopulationSpectrum({{1, 2}, {0.5, 0.4}}), 0.5), rmt::InputError);
  EXPECT_THROW(BaiSilverstein(PopulationSpectrum({{1, 2}, {1.0}}), 0.5), rmt::InputError);
  EXPECT_THROW(BaiSilverstein(PopulationSpectrum({{0, 2}, {0.5, 0.5}}), 0.5), rmt::InputError);
  EXPECT_THROW(BaiSilverstein(PopulationSpectrum({{-1, 2}, {0.5, 0.5}}), 0.5), rmt::InputError);
  EXPECT_THROW(BaiSilverstein(PopulationSpectrum({{1, 2}, {0.0, 0.0}}), 0.5), rmt::InputError);
  EXPECT_THROW(BaiSilverstein(three_atoms(), 0.5).moments(-1), rmt::InputError);
  EXPECT_THROW(BaiSilverstein(three_atoms(), 0.5).stieltjes({1.0, std::nan("")}), rmt::InputError);
}

}  // namespace
