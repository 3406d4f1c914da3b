// One-hidden-layer neural tangent kernel (docs/theory.md §3.5, §9.1, §10 row 17).
//
// Golden values: docs/theory.md §3.5 / §10 row 17 (normalised centred ReLU, a_σ = 1.466942206924,
// γ0 = 2/3, γ1 = 0.8). Extra values from an independent Python reference implementation,
// rmt_ref.py (not shipped), command (run in its folder):
//   python3 -c "from rmt_ref import *
//   for (a,b,g0,g1) in [(1.2,0.6,1.5,2.5),(1.3,1.0,1.5,0.5)]:
//     mn=fw_ntk1_stieltjes(lambda z: mp_stieltjes(z,g0),g1,b,a)
//     print([complex(mn(z)) for z in (1.5+0.05j, 4+0.3j, -0.3)])"
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "core/base/error.hpp"
#include "theory/mp.hpp"
#include "theory/ntk.hpp"
#include "tests/law_support.hpp"

namespace {

using rmt::test_support::expect_complex_near;
using rmt::test_support::integrate_law;

using rmt::complex;
using rmt::theory::MarchenkoPastur;
using rmt::theory::NeuralTangentKernel;
constexpr double kPi = std::numbers::pi;

// Normalised centred ReLU: b = (1/2)/√v, a_σ = (1/2)/v, v = 1/2 - 1/(2π).
const double kVar = 0.5 - 1.0 / (2.0 * kPi);
const double kReluB = 0.5 / std::sqrt(kVar);
const double kReluA = 0.5 / kVar;

NeuralTangentKernel spec_ntk() { return NeuralTangentKernel(kReluA, kReluB, 2.0 / 3.0, 0.8); }

TEST(NeuralTangentKernel, SpecRow17) {
  EXPECT_NEAR(kReluA, 1.466942206924, 1e-12);
  const NeuralTangentKernel ntk = spec_ntk();
  expect_complex_near(ntk.stieltjes({2, 0.1}), {-0.3026330935, 0.8160573244}, 1e-8);
  expect_complex_near(ntk.stieltjes({3, 0.1}), {-0.3604648807, 0.4759962419}, 1e-8);
  expect_complex_near(ntk.stieltjes(-0.5), {0.4156187176, 0.0}, 1e-8);
}

TEST(NeuralTangentKernel, OracleValuesOtherParameters) {
  const NeuralTangentKernel first(1.2, 0.6, 1.5, 2.5);
  expect_complex_near(first.stieltjes({1.5, 0.05}), {-0.8078899195914753, 0.9597299093671151}, 1e-10);
  expect_complex_near(first.stieltjes({4, 0.3}), {-0.28122089899410196, 0.21049445930487398}, 1e-10);
  expect_complex_near(first.stieltjes(-0.3), {0.5595595819116475, 0.0}, 1e-10);
  const NeuralTangentKernel linear(1.3, 1.0, 1.5, 0.5);  // b = 1: input atom survives
  expect_complex_near(linear.stieltjes({1.5, 0.05}), {-0.3201111810487987, 0.43998889357670573}, 1e-10);
  expect_complex_near(linear.stieltjes({4, 0.3}), {-0.20519197975038397, 0.20377436012020578}, 1e-10);
  expect_complex_near(linear.stieltjes(-0.3), {0.8749926944305122, 0.0}, 1e-10);
}

TEST(NeuralTangentKernel, ZeroBIsShiftedMarchenkoPastur) {
  // b = 0: K ≃ (a - 1) I + I + ZᵀZ/d1, i.e. μ = a + MP(γ1).
  const double a = 1.25, g1 = 0.8;
  const NeuralTangentKernel ntk(a, 0.0, 2.0 / 3.0, g1);
  const MarchenkoPastur mp(g1);
  for (complex z : {complex(2, 0.1), complex(0.5, 0.0), complex(3.5, 1e-3), complex(-1, 2)})
    expect_complex_near(ntk.stieltjes(z), mp.stieltjes(z - a), 1e-15);
  EXPECT_NEAR(ntk.density(a + 1.0), mp.density(1.0), 1e-15);
  ASSERT_EQ(ntk.support().size(), 1u);
  EXPECT_NEAR(ntk.support()[0].lo, a + mp.lower_edge(), 1e-14);
  EXPECT_NEAR(ntk.support()[0].hi, a + mp.upper_edge(), 1e-14);
  // The κ, δ equations at tiny b reach the same law.
  const NeuralTangentKernel tiny(a, 1e-4, 2.0 / 3.0, g1);
  for (complex z : {complex(2, 0.1), complex(0.5, 0.0), complex(3, 0.5)})
    expect_complex_near(tiny.stieltjes(z), mp.stieltjes(z - a), 1e-7);
  EXPECT_NEAR(tiny.support().front().lo, a + mp.lower_edge(), 1e-6);
  EXPECT_NEAR(tiny.support().back().hi, a + mp.upper_edge(), 1e-6);
}

TEST(NeuralTangentKernel, StieltjesIsHerglotzAndConjugateSymmetric) {
  for (const NeuralTangentKernel& ntk : {spec_ntk(), NeuralTangentKernel(1.2, 0.6, 1.5, 2.5),
                                         NeuralTangentKernel(1.3, 1.0, 1.5, 0.5)}) {
    for (double x : {-2.0, 0.0, 0.5, 1.0, 2.0, 4.0, 8.0})
      for (double y : {1e-6, 1e-3, 0.1, 1.0, 10.0}) {
        const complex m = ntk.stieltjes({x, y});
        EXPECT_GT(m.imag(), 0.0) << "z=" << x << "+" << y << "i";
        expect_complex_near(ntk.stieltjes({x, -y}), std::conj(m), 0.0);
      }
    expect_complex_near(-complex(0, 1e6) * ntk.stieltjes({0, 1e6}), 1.0, 1e-5);
  }
}

TEST(NeuralTangentKernel, DensityAndSupport) {
  const NeuralTangentKernel ntk = spec_ntk();
  for (double x : {1.0, 2.0, 3.0, 5.0}) {
    const double rho = ntk.density(x);
    EXPECT_GT(rho, 0.0);
    EXPECT_NEAR(rho, ntk.stieltjes({x, 1e-9}).imag() / kPi, 1e-7);
  }
  const auto support = ntk.support();
  ASSERT_EQ(support.size(), 1u);
  const auto s = support[0];
  EXPECT_GT(s.lo, kReluA - 1.0 + (1.0 - kReluB * kReluB));  // A ≥ T ≥ 1 - b² (strictly, here)
  EXPECT_EQ(ntk.density(s.lo - 1e-6), 0.0);
  EXPECT_EQ(ntk.density(s.hi + 1e-6), 0.0);
  EXPECT_GT(ntk.density(s.lo + 1e-4 * (s.hi - s.lo)), 0.0);
  EXPECT_GT(ntk.density(s.hi - 1e-4 * (s.hi - s.lo)), 0.0);
  EXPECT_EQ(ntk.density(0.0), 0.0);
  EXPECT_EQ(ntk.density(50.0), 0.0);
}

TEST(NeuralTangentKernel, MassIsOne) {
  const NeuralTangentKernel ntk = spec_ntk();
  EXPECT_TRUE(ntk.atoms().empty());
  EXPECT_NEAR(integrate_law(ntk, [](double) { return 1.0; }), 1.0, 1e-9);
  const NeuralTangentKernel other(1.2, 0.6, 1.5, 2.5);
  EXPECT_TRUE(other.atoms().empty());
  EXPECT_NEAR(integrate_law(other, [](double) { return 1.0; }), 1.0, 1e-9);
  // b = 1: ker A = ker X0ᵀX0, atom (1 - 1/γ0)⁺ = 1/3 at a - 1, confirmed by y Im m(a-1+iy).
  const NeuralTangentKernel linear(1.3, 1.0, 1.5, 0.5);
  ASSERT_EQ(linear.atoms().size(), 1u);
  EXPECT_NEAR(linear.atoms()[0].x, 0.3, 1e-15);
  EXPECT_NEAR(linear.atoms()[0].mass, 1.0 / 3.0, 1e-15);
  const double y = 1e-8;
  EXPECT_NEAR(y * linear.stieltjes({0.3, y}).imag(), 1.0 / 3.0, 1e-6);
  EXPECT_NEAR(y * ntk.stieltjes({kReluA - 1.0, y}).imag(), 0.0, 1e-6);
  EXPECT_NEAR(integrate_law(linear, [](double) { return 1.0; }), 1.0, 1e-8);
  EXPECT_THROW(linear.stieltjes(linear.atoms()[0].x), rmt::InputError);
}

TEST(NeuralTangentKernel, MomentsFromFreeConvolution) {
  // m1 = a + 1, m2 = (a-1)² + 4(a-1) + 4(1 + b⁴γ0) + γ1; checked against ∫ x^k dμ.
  for (const NeuralTangentKernel& ntk : {spec_ntk(), NeuralTangentKernel(1.2, 0.6, 1.5, 2.5),
                                         NeuralTangentKernel(1.3, 1.0, 1.5, 0.5)}) {
    const auto mom = ntk.moments(2);
    ASSERT_EQ(mom.size(), 2u);
    EXPECT_NEAR(integrate_law(ntk, [](double x) { return x; }), mom[0], 1e-8);
    EXPECT_NEAR(integrate_law(ntk, [](double x) { return x * x; }), mom[1], 1e-7);
  }
  const auto mom = spec_ntk().moments(2);
  const double s = kReluA - 1.0, b4 = std::pow(kReluB, 4);
  EXPECT_NEAR(mom[0], kReluA + 1.0, 1e-15);
  EXPECT_NEAR(mom[1], s * s + 4 * s + 4 * (1 + b4 * 2.0 / 3.0) + 0.8, 1e-14);
  EXPECT_EQ(spec_ntk().moments(1).size(), 1u);
  EXPECT_THROW(spec_ntk().moments(3), rmt::InputError);
}

TEST(NeuralTangentKernel, RejectsBadInput) {
  EXPECT_THROW(NeuralTangentKernel(0.2, 0.5, 1.0, 1.0), rmt::InputError);  // a_σ < b²
  EXPECT_THROW(NeuralTangentKernel(1.0, -0.1, 1.0, 1.0), rmt::InputError);
  EXPECT_THROW(NeuralTangentKernel(1.0, 1.5, 1.0, 1.0), rmt::InputError);
  EXPECT_THROW(NeuralTangentKernel(1.0, 0.5, 0.0, 1.0), rmt::InputError);
  EXPECT_THROW(NeuralTangentKernel(1.0, 0.5, 1.0, -1.0), rmt::InputError);
  EXPECT_THROW(NeuralTangentKernel(NAN, 0.5, 1.0, 1.0), rmt::InputError);
  EXPECT_THROW(spec_ntk().stieltjes({NAN, 1.0}), rmt::InputError);
  // a_σ = b² is allowed (σ' constant in law: linear σ with b = 1 gives a_σ = 1).
  EXPECT_NO_THROW(NeuralTangentKernel(0.25, 0.5, 1.0, 1.0));
}

}  // namespace
