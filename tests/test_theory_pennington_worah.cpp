// Pennington–Worah law of nonlinear random-feature Gram matrices (docs/theory.md §3.1; §10 rows 11–14).
//
// Extra golden values at other (φ, ψ) come from an independent Python reference implementation,
// rmt_ref.py (not shipped; run in its folder); densities with the oracle's root rule at ε = 1e-13, Stieltjes
// transforms by its root tracking from far above, edges by bisection on the oracle density:
//   python3 -c "from rmt_ref import *; print(pw_density(0.3, 0.394294490398, 0.366879164362, 1.5, 0.6, eps=1e-13))"
//   python3 -c "from rmt_ref import *; import numpy as np; z=0.7+0.2j;
//     print(-pw_G_tracked(np.linspace(50j+z.real, z, 4000), 0.394294490398, 0.366879164362, 1.5, 0.6)[-1])"
//   edges: xs = linspace(1e-6, 8, 8001), sign changes of "the candidates pw_G_candidates(x + 0j, ...) at
//   real x include a complex pair" (|Im G| > 1e-9 max|G|), refined by 60 bisections. (Bisecting
//   pw_density(x, eps) > threshold instead is biased by the Lorentzian term eps·∫dμ/(t-x)², up to
//   2e-3 at the lower edge of the linear case below.)
#include <gtest/gtest.h>

#include <boost/math/quadrature/tanh_sinh.hpp>
#include <cmath>
#include <numbers>

#include "core/base/activation.hpp"
#include "core/base/error.hpp"
#include "theory/gaussian.hpp"
#include "theory/mp.hpp"
#include "theory/pennington_worah.hpp"
#include "tests/law_support.hpp"

namespace {

using rmt::test_support::expect_complex_near;

using rmt::complex;
using rmt::theory::MarchenkoPastur;
using rmt::theory::PenningtonWorah;
constexpr double kPi = std::numbers::pi;

constexpr double kReluEta = 0.5 - 1 / (2 * kPi);  // 0.340845056908
constexpr double kTanhEta = 0.394294490397841;
constexpr double kTanhZeta = 0.605705509602159 * 0.605705509602159;
constexpr double kAbsEta = 1 - 2 / kPi;

// ∫ g ρ over the support; tanh–sinh copes with √ edges and an integrable x^{-1/2} edge at 0.
template <typename G>
double integrate(const PenningtonWorah& law, G g) {
  boost::math::quadrature::tanh_sinh<double> ts;
  double total = 0.0;
  for (const auto& iv : law.support()) total += ts.integrate([&](double x) { return g(x) * law.density(x); }, iv.lo, iv.hi);
  return total;
}

// Row 10 constants computed by the theory layer itself (not hard-coded).
TEST(PenningtonWorah, ConstantsFromGaussianLayer) {
  rmt::Activation relu;
  relu.kind = rmt::ActivationKind::relu;
  const auto h = rmt::theory::hermite_coefficients(relu);
  EXPECT_NEAR(h.second_moment - h.mu0 * h.mu0, 0.340845056908, 1e-12);
  EXPECT_NEAR(h.derivative_mean * h.derivative_mean, 0.25, 1e-13);
}

// Row 11: ζ = 0 is MP with ratio φ/ψ and scale η.
TEST(PenningtonWorah, ZetaZeroIsMarchenkoPastur) {
  const PenningtonWorah pw(0.7, 0.0, 0.5, 0.8);
  expect_complex_near(pw.stieltjes({0.5, 0.3}), {-0.050519859533, 1.569161173945}, 1e-11);
  const MarchenkoPastur mp(0.5 / 0.8, 0.7);
  for (const complex z : {complex(0.5, 0.3), complex(2.0, 0.01), complex(-1.0, 0.0), complex(0.1, 1e-3)})
    expect_complex_near(pw.stieltjes(z), mp.stieltjes(z), 1e-11);
  for (const double x : {0.05, 0.3, 1.0, 2.0}) EXPECT_NEAR(pw.density(x), mp.density(x), 1e-11) << x;
  ASSERT_EQ(pw.support().size(), 1u);
  EXPECT_NEAR(pw.support()[0].lo, mp.lower_edge(), 1e-9);
  EXPECT_NEAR(pw.support()[0].hi, mp.upper_edge(), 1e-9);
  // |x|_c at φ/ψ > 1: MP with an atom.
  const PenningtonWorah abs_c(kAbsEta, 0.0, 0.5, 0.25);
  const MarchenkoPastur mp2(2.0, kAbsEta);
  for (const double x : {0.1, 0.7, 1.5}) EXPECT_NEAR(abs_c.density(x), mp2.density(x), 1e-11) << x;
  ASSERT_EQ(abs_c.atoms().size(), 1u);
  EXPECT_NEAR(abs_c.atoms()[0].mass, 0.5, 1e-15);
}

// Row 12.
TEST(PenningtonWorah, Moments) {
  const PenningtonWorah pw(kReluEta, 0.25, 0.5, 0.8);
  const auto m = pw.moments(2);
  ASSERT_EQ(m.size(), 2u);
  EXPECT_NEAR(m[0], kReluEta, 1e-15);
  EXPECT_NEAR(m[1], 0.266909948, 1e-9);
  // The same moments from the density (+ the atom at 0, which adds nothing).
  EXPECT_NEAR(integrate(pw, [](double x) { return x; }), m[0], 1e-9);
  EXPECT_NEAR(integrate(pw, [](double x) { return x * x; }), m[1], 1e-9);
  const PenningtonWorah lin(1.0, 1.0, 0.5, 0.8);
  EXPECT_NEAR(lin.moments(2)[1], 1 + 1.5 / 0.8, 1e-14);
  EXPECT_NEAR(integrate(lin, [](double x) { return x * x; }), 1 + 1.5 / 0.8, 1e-9);
  EXPECT_TRUE(pw.moments(0).empty());
  EXPECT_THROW(pw.moments(3), rmt::InputError);
}

// Row 13 and the tanh / |x|_c densities of §3.1 (8 digits printed).
TEST(PenningtonWorah, SpecDensities) {
  struct Case {
    double eta, zeta, r05, r1;
  };
  for (const Case& c : {Case{kReluEta, 0.25, 0.47725120, 0.20602701}, Case{kTanhEta, kTanhZeta, 0.40745187, 0.20087773},
                        Case{kAbsEta, 0.0, 0.79521672, 0.28241932}, Case{1.0, 1.0, 0.32686672, 0.18794362}}) {
    const PenningtonWorah pw(c.eta, c.zeta, 0.5, 0.8);
    EXPECT_NEAR(pw.density(0.5), c.r05, 1e-8) << c.eta;
    EXPECT_NEAR(pw.density(1.0), c.r1, 1e-8) << c.eta;
  }
}

// Row 14: atom at 0, (1 - ψ/φ)⁺ nonlinear, (1 - ψ min(1, 1/φ))⁺ linear.
TEST(PenningtonWorah, AtomAtZero) {
  for (const double eta_zeta : {0.0, 1.0}) {
    const PenningtonWorah relu(kReluEta, 0.25 * eta_zeta, 0.5, 0.25);
    ASSERT_EQ(relu.atoms().size(), 1u);
    EXPECT_EQ(relu.atoms()[0].x, 0.0);
    EXPECT_NEAR(relu.atoms()[0].mass, 0.5, 1e-15);
  }
  const PenningtonWorah lin(1.0, 1.0, 0.5, 0.25);
  ASSERT_EQ(lin.atoms().size(), 1u);
  EXPECT_NEAR(lin.atoms()[0].mass, 0.75, 1e-15);
  EXPECT_TRUE(PenningtonWorah(kReluEta, 0.25, 0.5, 0.8).atoms().empty());
  EXPECT_NEAR(PenningtonWorah(1.0, 1.0, 2.0, 0.8).atoms()[0].mass, 0.6, 1e-15);  // 1 - ψ/φ... min(1, 1/φ) = 1/2
  // The atom as the limit y Im m(iy) (docs/theory.md §9.1).
  const double y = 1e-7;
  EXPECT_NEAR(y * PenningtonWorah(kTanhEta, kTanhZeta, 0.5, 0.25).stieltjes({0.0, y}).imag(), 0.5, 1e-4);
  EXPECT_NEAR(y * lin.stieltjes({0.0, y}).imag(), 0.75, 1e-4);
}

// ∫ ρ + atoms = 1, for several activations and aspect ratios.
TEST(PenningtonWorah, TotalMassIsOne) {
  struct Case {
    double eta, zeta, phi, psi;
  };
  for (const Case& c : {Case{kReluEta, 0.25, 0.5, 0.8}, Case{kTanhEta, kTanhZeta, 0.5, 0.8}, Case{kAbsEta, 0.0, 0.5, 0.8},
                        Case{1.0, 1.0, 0.5, 0.8}, Case{kReluEta, 0.25, 0.5, 0.25}, Case{1.0, 1.0, 0.5, 0.25},
                        Case{kTanhEta, kTanhZeta, 1.5, 0.6}, Case{kReluEta, 0.25, 2.0, 3.0}, Case{1.0, 1.0, 0.3, 1.7}}) {
    const PenningtonWorah pw(c.eta, c.zeta, c.phi, c.psi);
    double atoms = 0.0;
    for (const auto& a : pw.atoms()) atoms += a.mass;
    EXPECT_NEAR(integrate(pw, [](double) { return 1.0; }) + atoms, 1.0, 1e-8)
        << c.eta << " " << c.zeta << " " << c.phi << " " << c.psi;
  }
}

// Oracle values at other (φ, ψ): see the header comment.
TEST(PenningtonWorah, OracleOtherParameters) {
  struct Case {
    double eta, zeta, phi, psi;
    double rho[3];  // at 0.3, 0.8, 1.2
    complex m[4];   // at 0.7+0.2i, 1.5+0.05i, -0.3, 0.4+1i
    double lower_edge, upper_edge;
  };
  const Case cases[] = {
      {0.394294490398, 0.366879164362, 1.5, 0.6, {0.3108766764404, 0.1413204788462, 0.0972616917379},
       {{-0.9578020879012, 0.7044254470007}, {-0.6302771019341, 0.2589668388109}, {2.5081778992680, 0.0},
        {-0.1531091480313, 0.8063716187913}},
       0.039693524391, 4.311328337656},
      {0.340845056908, 0.25, 2.0, 3.0, {1.0379090580621, 0.3680344687850, 0.1381377511947},
       {{-1.1764419794716, 1.3919570132326}, {-0.9866659013113, 0.0641426532774}, {1.9039135555408, 0.0},
        {-0.0669746336175, 0.9168727778982}},
       0.009189895984, 1.346917679324},
      {1.0, 1.0, 0.3, 1.7, {0.7763352372380, 0.4027655186298, 0.2854694401270},
       {{-0.2779137124182, 1.2792922581499}, {-0.5857988616977, 0.7205970690772}, {1.1779502637045, 0.0},
        {0.1741477408731, 0.7161356189241}},
       0.041875443328, 3.735751314842},
  };
  const complex zs[4] = {{0.7, 0.2}, {1.5, 0.05}, {-0.3, 0.0}, {0.4, 1.0}};
  const double xs[3] = {0.3, 0.8, 1.2};
  for (const Case& c : cases) {
    const PenningtonWorah pw(c.eta, c.zeta, c.phi, c.psi);
    for (int i = 0; i < 3; ++i) EXPECT_NEAR(pw.density(xs[i]), c.rho[i], 1e-10) << c.phi << " x=" << xs[i];
    for (int i = 0; i < 4; ++i) expect_complex_near(pw.stieltjes(zs[i]), c.m[i], 1e-10);
    ASSERT_EQ(pw.support().size(), 1u) << c.phi;
    EXPECT_NEAR(pw.support()[0].lo, c.lower_edge, 1e-9) << c.phi;  // both sides threshold Im m
    EXPECT_NEAR(pw.support()[0].hi, c.upper_edge, 1e-9) << c.phi;
  }
}

// Herglotz property, m ~ -1/z, conjugate symmetry, real values outside the support.
TEST(PenningtonWorah, StieltjesProperties) {
  const PenningtonWorah pw(kTanhEta, kTanhZeta, 0.5, 0.8);
  for (const double x : {-2.0, -0.1, 0.0, 0.2, 0.5, 1.0, 1.5, 3.0}) {
    for (const double y : {1e-3, 1e-2, 0.1, 1.0, 10.0}) {
      const complex m = pw.stieltjes({x, y});
      EXPECT_GT(m.imag(), 0.0) << x << " " << y;
      // Im m(x+iy) = ∫ y/|t - z|² dμ ≤ 1/y.
      EXPECT_LE(m.imag(), 1.0 / y * (1 + 1e-12)) << x << " " << y;
      expect_complex_near(pw.stieltjes({x, -y}), std::conj(m), 1e-15);
    }
  }
  for (const double r : {1e3, 1e5}) {
    const complex z = std::polar(r, 1.0);
    const complex m = pw.stieltjes(z);
    EXPECT_NEAR(std::abs(m * z + 1.0), 0.0, 2 * kTanhEta / r) << r;
    // Next order: m = -1/z - m1/z² - m2/z³ + ...
    EXPECT_NEAR(std::abs((m + 1.0 / z) * z * z + kTanhEta), 0.0, 2 * pw.moments(2)[1] / r) << r;
  }
  // Off the axis the selected root agrees with continuous tracking in the small-Im z region, and
  // matches the boundary value of the density from above.
  for (const double x : {0.2, 0.5, 1.0}) {
    const complex near_axis = pw.stieltjes({x, 1e-9});
    EXPECT_NEAR(near_axis.imag() / kPi, pw.density(x), 1e-7) << x;
    EXPECT_NEAR(pw.stieltjes({x, 0.0}).imag() / kPi, pw.density(x), 1e-15) << x;
  }
  // Outside the support (x < 0 and above the upper edge): real, positive for x < 0, increasing.
  const double top = pw.support().back().hi;
  double previous = 0.0;
  for (const double x : {-10.0, -1.0, -0.1, -0.01}) {
    const complex m = pw.stieltjes({x, 0.0});
    EXPECT_EQ(m.imag(), 0.0);
    EXPECT_GT(m.real(), previous);
    EXPECT_LE(m.real(), 1.0 / std::abs(x));
    previous = m.real();
    expect_complex_near(m, pw.stieltjes({x, 1e-12}), 1e-8);
  }
  for (const double x : {top + 0.01, top + 1.0}) {
    const complex m = pw.stieltjes({x, 0.0});
    EXPECT_LT(m.real(), 0.0);
    expect_complex_near(m, pw.stieltjes({x, 1e-9}), 1e-6);
  }
  // Candidates: the selected value is one of the four (m = -G).
  const complex z(0.7, 0.2);
  const complex m = pw.stieltjes(z);
  double best = 1e300;
  for (const complex g : pw.green_candidates(z)) best = std::min(best, std::abs(-g - m));
  EXPECT_LT(best, 1e-14);
  EXPECT_EQ(pw.green_candidates(z).size(), 4u);
}

// The root chosen in C⁺ (unique candidate with Im m > 0, else tracking) equals the root tracked
// continuously down from z + 100i (done here with green_candidates), over a grid of z and laws.
TEST(PenningtonWorah, SelectionMatchesTracking) {
  struct Case {
    double eta, zeta, phi, psi;
  };
  for (const Case& c : {Case{kReluEta, 0.25, 0.5, 0.8}, Case{kTanhEta, kTanhZeta, 0.5, 0.25}, Case{kAbsEta, 0.0, 2.0, 0.8},
                        Case{1.0, 1.0, 0.3, 1.7}, Case{1.0, 0.05, 0.1, 4.0}, Case{1.0, 0.9, 5.0, 0.5}}) {
    const PenningtonWorah pw(c.eta, c.zeta, c.phi, c.psi);
    for (const double x : {-1.0, -0.05, 0.05, 0.3, 0.9, 2.0, 5.0}) {
      for (const double y : {1e-3, 3e-2, 0.5}) {
        complex cur = -1.0 / complex(x, 100.0);
        for (double yy = 100.0;; yy = std::max(yy * 0.97, y)) {
          complex best = 0.0;
          double dist = 1e300;
          for (const complex g : pw.green_candidates({x, yy}))
            if (std::abs(-g - cur) < dist) dist = std::abs(-g - cur), best = -g;
          cur = best;
          if (yy == y) break;
        }
        expect_complex_near(pw.stieltjes({x, y}), cur, 1e-10 * (1 + std::abs(cur)));
      }
    }
  }
}

// No atom and the bulk away from 0: m(0) = ∫ dμ/t, finite; with an atom it is singular.
TEST(PenningtonWorah, StieltjesAtZero) {
  const PenningtonWorah lin(1.0, 1.0, 0.3, 1.7);
  ASSERT_TRUE(lin.atoms().empty());
  const complex m0 = lin.stieltjes(0.0);
  EXPECT_EQ(m0.imag(), 0.0);
  expect_complex_near(m0, lin.stieltjes({1e-6, 0.0}), 1e-3);
  EXPECT_NEAR(m0.real(), integrate(lin, [](double x) { return 1.0 / x; }), 1e-8);
  EXPECT_THROW(PenningtonWorah(kReluEta, 0.25, 0.5, 0.25).stieltjes(0.0), rmt::InputError);
}

TEST(PenningtonWorah, RejectsBadParameters) {
  EXPECT_THROW(PenningtonWorah(0.0, 0.0, 0.5, 0.8), rmt::InputError);
  EXPECT_THROW(PenningtonWorah(1.0, -0.1, 0.5, 0.8), rmt::InputError);
  EXPECT_THROW(PenningtonWorah(1.0, 1.5, 0.5, 0.8), rmt::InputError);  // ζ > η
  EXPECT_THROW(PenningtonWorah(1.0, 0.5, 0.0, 0.8), rmt::InputError);
  EXPECT_THROW(PenningtonWorah(1.0, 0.5, 0.5, -1.0), rmt::InputError);
  EXPECT_THROW(PenningtonWorah(1.0, 0.5, std::nan(""), 0.8), rmt::InputError);
  const PenningtonWorah pw(1.0, 0.5, 0.5, 0.8);
  EXPECT_THROW(pw.stieltjes({std::nan(""), 1.0}), rmt::InputError);
}

}  // namespace
