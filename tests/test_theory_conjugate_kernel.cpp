// Fan–Wang conjugate kernel (docs/theory.md §3.4, §9.1–9.2, §10 rows 15–16).
//
// Golden values: docs/theory.md §3.4 / §10 row 15 (normalised centred ReLU, γ0 = 2/3, γ = (0.8, 1.25)) and
// row 16 (b = 0). Extra values at other parameters from an independent Python reference
// implementation, rmt_ref.py (nested damped fixed point, tol 1e-13; not shipped), command (run
// in that script's folder):
//   python3 -c "from rmt_ref import *; b=0.6; m0=lambda z: mp_stieltjes(z,1.5);
//     m1=fw_ck_stieltjes(m0,0.5,b); m2=fw_ck_stieltjes(m1,2.0,b); m3=fw_ck_stieltjes(m2,1.1,b);
//     [print(z, complex(m1(z)), complex(m2(z)), complex(m3(z))) for z in (0.7+0.05j, 3+0.2j, -1)]"
// At z = 0.7+0.05i the oracle's m3 is -0.69073-1.00764i: Im m < 0 for Im z > 0, i.e. the plain
// nested damped iteration converged to a non-physical root there (our own nested_layer_stieltjes
// reproduces it). The value used below is the physical root (Im > 0, every intermediate
// evaluation point in C⁺); a Monte-Carlo run (n = 1500, σ = 0.6ξ + 0.8(ξ²-1)/√2) gives
// -0.645+0.980i, against -0.589+1.023i here and -0.691-1.008i from the oracle.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <numbers>
#include <vector>

#include "core/base/error.hpp"
#include "theory/conjugate_kernel.hpp"
#include "theory/mp.hpp"
#include "tests/law_support.hpp"

namespace {

using rmt::test_support::expect_complex_near;
using rmt::test_support::integrate_law;

using rmt::complex;
using rmt::theory::ConjugateKernel;
using rmt::theory::MarchenkoPastur;
constexpr double kPi = std::numbers::pi;

// Normalised centred ReLU: b = (1/2)/√(1/2 - 1/(2π)).
const double kReluB = 0.5 / std::sqrt(0.5 - 1.0 / (2.0 * kPi));

ConjugateKernel spec_net() { return ConjugateKernel(kReluB, 2.0 / 3.0, {0.8, 1.25}); }
ConjugateKernel other_net() { return ConjugateKernel(0.6, 1.5, {0.5, 2.0, 1.1}); }

TEST(ConjugateKernel, SpecRow15) {
  const ConjugateKernel ck = spec_net();
  EXPECT_EQ(ck.depth(), 2);
  expect_complex_near(ck.layer_stieltjes(1, {1, 0.1}), {-0.5682046517, 0.8409747983}, 1e-8);
  expect_complex_near(ck.layer_stieltjes(2, {1, 0.1}), {-0.6113168461, 0.6607277003}, 1e-8);
  expect_complex_near(ck.layer_stieltjes(1, {2, 0.1}), {-0.4897853378, 0.4165983017}, 1e-8);
  expect_complex_near(ck.layer_stieltjes(2, {2, 0.1}), {-0.4486378643, 0.3221870475}, 1e-8);
  expect_complex_near(ck.layer_stieltjes(1, -0.5), {0.9998564779, 0.0}, 1e-8);
  expect_complex_near(ck.layer_stieltjes(2, -0.5), {1.1526540010, 0.0}, 1e-8);
  expect_complex_near(ck.stieltjes({2, 0.1}), ck.layer_stieltjes(2, {2, 0.1}), 0.0);
  // Layer 0 is the input Gram matrix: MP(γ0).
  expect_complex_near(ck.layer_stieltjes(0, {1, 0.3}), MarchenkoPastur(2.0 / 3.0).stieltjes({1, 0.3}),
                      1e-15);
}

TEST(ConjugateKernel, OracleValuesOtherParameters) {
  const ConjugateKernel ck = other_net();
  expect_complex_near(ck.layer_stieltjes(1, {0.7, 0.05}), {-0.4491249630629173, 1.5637004794549276}, 1e-10);
  expect_complex_near(ck.layer_stieltjes(2, {0.7, 0.05}), {-0.6092634338481757, 0.6219217553328094}, 1e-10);
  expect_complex_near(ck.layer_stieltjes(1, {3, 0.2}), {-0.5086051879944011, 0.2327156878294177}, 1e-10);
  expect_complex_near(ck.layer_stieltjes(2, {3, 0.2}), {-0.3184533318441825, 0.22830583160299908}, 1e-10);
  expect_complex_near(ck.layer_stieltjes(3, {3, 0.2}), {-0.39013755993323995, 0.23166605050223177}, 1e-10);
  expect_complex_near(ck.layer_stieltjes(1, -1.0), {0.5771746195387755, 0.0}, 1e-10);
  expect_complex_near(ck.layer_stieltjes(2, -1.0), {0.7096685359237601, 0.0}, 1e-10);
  expect_complex_near(ck.layer_stieltjes(3, -1.0), {0.6421417540298578, 0.0}, 1e-10);

  // The physical root where the oracle's iteration fails (see the file comment): Im > 0, and it
  // solves the layer-3 equation with m2 from the (here reliable) nested recursion.
  const complex z(0.7, 0.05);
  const complex m3 = ck.layer_stieltjes(3, z);
  EXPECT_GT(m3.imag(), 0.5);
  expect_complex_near(m3, {-0.58933946267749, 1.02266948499956}, 1e-10);
  const double b2 = 0.36, g = 1.1;
  const complex a = 1.0 - g - g * z * m3;
  const complex w = (z - (1.0 - b2) * a) / (b2 * a);
  EXPECT_GT(w.imag(), 0.0);
  expect_complex_near(m3, ck.nested_layer_stieltjes(2, w) / (b2 * a), 1e-12);
}

TEST(ConjugateKernel, JointSolverMatchesNestedRecursion) {
  // The nested damped fixed point of §3.4, literally (cost ∝ iterations^depth), against the
  // joint Newton/continuation solver; agreement ~1e-13 at depth ≤ 3 (≤ 1e-13 at depth 4).
  const ConjugateKernel relu = spec_net();
  const ConjugateKernel other(0.6, 1.5, {0.5, 2.0, 1.1, 0.8});
  for (complex z : {complex(0.3, 0.1), complex(1, 0.5), complex(2.5, 0.02), complex(-0.2, 0.0),
                    complex(10, 0.0), complex(0.05, 1e-3)}) {
    for (int layer = 1; layer <= 2; ++layer)
      expect_complex_near(relu.layer_stieltjes(layer, z), relu.nested_layer_stieltjes(layer, z), 1e-11);
  }
  for (complex z : {complex(1, 0.2), complex(3, 0.2), complex(-1, 0.0), complex(0.2, 0.3)})
    for (int layer = 1; layer <= 3; ++layer)
      expect_complex_near(other.layer_stieltjes(layer, z), other.nested_layer_stieltjes(layer, z), 1e-11);
  expect_complex_near(other.layer_stieltjes(4, {1, 0.2}), other.nested_layer_stieltjes(4, {1, 0.2}), 1e-11);
}

TEST(ConjugateKernel, ZeroBIsMarchenkoPastur) {
  // docs/theory.md §10 row 16: b = 0 forgets the input, m_ℓ ≡ MP(γ_ℓ).
  const ConjugateKernel ck(0.0, 2.0 / 3.0, {0.8, 1.25});
  expect_complex_near(ck.layer_stieltjes(1, {1, 0.1}), {-0.4328519317, 0.9832212619}, 1e-10);
  for (complex z : {complex(1, 0.1), complex(0.5, 1e-6), complex(-0.5, 0.0), complex(3, 2)}) {
    EXPECT_EQ(ck.layer_stieltjes(1, z), MarchenkoPastur(0.8).stieltjes(z));
    EXPECT_EQ(ck.layer_stieltjes(2, z), MarchenkoPastur(1.25).stieltjes(z));
  }
  // The general recursion at tiny b approaches MP too.
  const ConjugateKernel tiny(1e-4, 2.0 / 3.0, {0.8});
  expect_complex_near(tiny.layer_stieltjes(1, {1, 0.1}), MarchenkoPastur(0.8).stieltjes({1, 0.1}), 1e-7);
  const MarchenkoPastur mp(1.25);
  ASSERT_EQ(ck.support().size(), 1u);
  EXPECT_NEAR(ck.support()[0].lo, mp.lower_edge(), 1e-14);
  EXPECT_NEAR(ck.support()[0].hi, mp.upper_edge(), 1e-14);
  ASSERT_EQ(ck.atoms().size(), 1u);
  EXPECT_NEAR(ck.atoms()[0].mass, 0.2, 1e-15);
  EXPECT_DOUBLE_EQ(ck.density(1.0), mp.density(1.0));
  EXPECT_NEAR(ck.moments(2)[1], 1.0 + 1.25, 1e-15);
}

TEST(ConjugateKernel, StieltjesIsHerglotzAndConjugateSymmetric) {
  const ConjugateKernel ck = other_net();
  for (double x : {-2.0, 0.0, 0.001, 0.3, 1.0, 2.0, 4.0, 5.5, 8.0})
    for (double y : {1e-6, 1e-3, 0.1, 1.0, 10.0})
      for (int layer = 1; layer <= 3; ++layer) {
        const complex m = ck.layer_stieltjes(layer, {x, y});
        EXPECT_GT(m.imag(), 0.0) << "layer " << layer << " z=" << x << "+" << y << "i";
        expect_complex_near(ck.layer_stieltjes(layer, {x, -y}), std::conj(m), 0.0);
      }
  // -z m(z) → 1 at infinity.
  expect_complex_near(-complex(0, 1e6) * ck.stieltjes({0, 1e6}), 1.0, 1e-5);
}

TEST(ConjugateKernel, DensityIsImaginaryPartOnTheAxis) {
  const ConjugateKernel ck = spec_net();
  for (double x : {0.2, 1.0, 2.0, 4.0}) {
    const double rho = ck.density(x);
    EXPECT_GT(rho, 0.0);
    EXPECT_NEAR(rho, ck.stieltjes({x, 1e-9}).imag() / kPi, 1e-7);
    EXPECT_NEAR(rho, ck.stieltjes(x).imag() / kPi, 1e-13);
  }
  EXPECT_EQ(ck.density(-1.0), 0.0);
  EXPECT_EQ(ck.density(0.0), 0.0);
  EXPECT_EQ(ck.density(100.0), 0.0);
  EXPECT_NEAR(ck.layer_density(1, 1.0), ck.layer_stieltjes(1, {1.0, 1e-10}).imag() / kPi, 1e-8);
}

TEST(ConjugateKernel, SupportBracketsTheDensity) {
  for (const ConjugateKernel& ck : {spec_net(), other_net()}) {
    const auto support = ck.support();
    ASSERT_FALSE(support.empty());
    for (const auto& s : support) {
      EXPECT_LT(s.lo, s.hi);
      EXPECT_EQ(ck.density(s.lo - 1e-6), 0.0);
      EXPECT_EQ(ck.density(s.hi + 1e-6), 0.0);
      EXPECT_GT(ck.density(s.lo + 1e-4 * (s.hi - s.lo)), 0.0);
      EXPECT_GT(ck.density(s.hi - 1e-4 * (s.hi - s.lo)), 0.0);
      // Square-root edges: ρ² linear, so ρ(edge ± 1e-8) ~ 1e-4 ≫ the edge accuracy.
    }
    EXPECT_GT(support.front().lo, 0.0);
  }
}

TEST(ConjugateKernel, MassIsOneIncludingAtom) {
  const ConjugateKernel relu = spec_net();  // γ2 = 1.25: atom 1 - 1/1.25 = 0.2 at 0
  ASSERT_EQ(relu.atoms().size(), 1u);
  EXPECT_NEAR(relu.atoms()[0].mass, 0.2, 1e-15);
  EXPECT_NEAR(integrate_law(relu, [](double) { return 1.0; }), 1.0, 1e-8);

  const ConjugateKernel other = other_net();  // γ3 = 1.1: atom 1/11
  ASSERT_EQ(other.atoms().size(), 1u);
  EXPECT_NEAR(other.atoms()[0].mass, 1.0 - 1.0 / 1.1, 1e-15);
  EXPECT_NEAR(integrate_law(other, [](double) { return 1.0; }), 1.0, 1e-8);

  const ConjugateKernel no_atom(0.6, 1.5, {2.0, 0.7});  // input atom forgotten for b < 1
  EXPECT_TRUE(no_atom.atoms().empty());
  EXPECT_NEAR(integrate_law(no_atom, [](double) { return 1.0; }), 1.0, 1e-8);
}

TEST(ConjugateKernel, AtomMatchesStieltjesLimit) {
  // μ({0}) = lim y Im m(iy) (docs/theory.md §9.1), against atoms() including the linear case b = 1, where
  // kernels accumulate: 1 - min(1 - 1/3, 1/0.5) = 1/3.
  const ConjugateKernel relu = spec_net();
  const ConjugateKernel linear(1.0, 1.5, {0.5});
  const ConjugateKernel no_atom(0.6, 1.5, {2.0, 0.7});
  const double y = 1e-8;
  EXPECT_NEAR(y * relu.stieltjes({0, y}).imag(), 0.2, 1e-6);
  ASSERT_EQ(linear.atoms().size(), 1u);
  EXPECT_NEAR(linear.atoms()[0].mass, 1.0 / 3.0, 1e-15);
  EXPECT_NEAR(y * linear.stieltjes({0, y}).imag(), 1.0 / 3.0, 1e-6);
  EXPECT_NEAR(y * no_atom.stieltjes({0, y}).imag(), 0.0, 1e-6);
  // z = 0 itself is a pole when there is an atom; finite otherwise (m(0) = ∫ dμ/x > 0).
  EXPECT_THROW(relu.stieltjes(0.0), rmt::InputError);
  EXPECT_GT(no_atom.stieltjes(0.0).real(), 0.0);
  expect_complex_near(no_atom.stieltjes(0.0), no_atom.nested_layer_stieltjes(2, complex(0.0, 0.0)), 1e-11);
}

TEST(ConjugateKernel, MomentsFromFreeConvolution) {
  // m1 = 1, m2 = 1 - b⁴ + b⁴ m2(prev) + γ (m2(μ0) = 1 + γ0), checked against ∫ x^k dμ.
  const ConjugateKernel relu = spec_net();
  const double b4 = std::pow(kReluB, 4);
  const double m2_1 = 1.0 - b4 + b4 * (1.0 + 2.0 / 3.0) + 0.8;
  const double m2_2 = 1.0 - b4 + b4 * m2_1 + 1.25;
  const auto mom = relu.moments(2);
  ASSERT_EQ(mom.size(), 2u);
  EXPECT_DOUBLE_EQ(mom[0], 1.0);
  EXPECT_NEAR(mom[1], m2_2, 1e-14);
  EXPECT_NEAR(integrate_law(relu, [](double x) { return x; }), mom[0], 1e-8);
  EXPECT_NEAR(integrate_law(relu, [](double x) { return x * x; }), mom[1], 1e-8);
  // b = 1 (linear net, product of Wisharts): m2 = 1 + γ0 + γ1.
  EXPECT_NEAR(ConjugateKernel(1.0, 1.5, {0.5}).moments(2)[1], 3.0, 1e-15);
  EXPECT_EQ(relu.moments(1).size(), 1u);
  EXPECT_TRUE(relu.moments(0).empty());
  EXPECT_THROW(relu.moments(3), rmt::InputError);
  EXPECT_THROW(relu.moments(-1), rmt::InputError);
}

// The time is recorded, not asserted: speed is a benchmark's business, and this test also runs
// under the sanitizers.
TEST(ConjugateKernel, Depth10IsConsistent) {
  const std::vector<double> gammas{0.8, 1.25, 0.5, 2.0, 1.0, 0.7, 1.5, 0.9, 1.1, 0.6};
  const auto start = std::chrono::steady_clock::now();
  const ConjugateKernel deep(kReluB, 2.0 / 3.0, gammas);  // includes the support scan
  std::vector<complex> values;
  const std::vector<complex> zs{{1, 0.1}, {2, 0.1}, {0.5, 0.01}, {-0.5, 0.0}, {3.0, 0.0}};
  for (complex z : zs) values.push_back(deep.stieltjes(z));
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  RecordProperty("depth10_seconds", std::to_string(seconds));

  const double b2 = kReluB * kReluB, g = gammas.back();
  for (std::size_t i = 0; i < zs.size(); ++i) {
    const complex z = zs[i], m = values[i];
    EXPECT_GE(m.imag(), 0.0);
    // The layer-10 Silverstein equation holds with layer 9 solved independently.
    const complex a = 1.0 - g - g * z * m;
    const complex w = (z - (1.0 - b2) * a) / (b2 * a);
    expect_complex_near(m, deep.layer_stieltjes(9, w) / (b2 * a), 1e-11);
  }
  // Asymptotics -1/z - m1/z² - m2/z³ + O(z⁻⁴) with m1, m2 from moments().
  const auto mom = deep.moments(2);
  const complex z(0, 300.0);
  const complex series = -1.0 / z - mom[0] / (z * z) - mom[1] / (z * z * z);
  EXPECT_LT(std::abs(deep.stieltjes(z) - series), 5.0 * 50.0 / std::pow(300.0, 4));
  // Mass one and Herglotz at depth 10.
  EXPECT_NEAR(integrate_law(deep, [](double) { return 1.0; }), 1.0, 1e-7);
  EXPECT_NEAR(integrate_law(deep, [](double x) { return x * x; }), mom[1], 1e-6);
  EXPECT_GT(deep.stieltjes({4.0, 1e-3}).imag(), 0.0);
  // Depth 4 is still affordable for the literal nested recursion.
  const ConjugateKernel four(kReluB, 2.0 / 3.0, {0.8, 1.25, 0.5, 2.0});
  expect_complex_near(four.stieltjes({1.5, 0.2}), deep.layer_stieltjes(4, {1.5, 0.2}), 1e-12);
  expect_complex_near(four.stieltjes({1.5, 0.2}), four.nested_layer_stieltjes(4, {1.5, 0.2}), 1e-11);
}

TEST(ConjugateKernel, RejectsBadInput) {
  EXPECT_THROW(ConjugateKernel(-0.1, 1.0, {1.0}), rmt::InputError);
  EXPECT_THROW(ConjugateKernel(1.1, 1.0, {1.0}), rmt::InputError);
  EXPECT_THROW(ConjugateKernel(std::nan(""), 1.0, {1.0}), rmt::InputError);
  EXPECT_THROW(ConjugateKernel(0.5, 0.0, {1.0}), rmt::InputError);
  EXPECT_THROW(ConjugateKernel(0.5, 1.0, {1.0, -2.0}), rmt::InputError);
  EXPECT_THROW(ConjugateKernel(0.5, 1.0, {INFINITY}), rmt::InputError);
  const ConjugateKernel ck = spec_net();
  EXPECT_THROW(ck.layer_stieltjes(3, {1, 1}), rmt::InputError);
  EXPECT_THROW(ck.layer_stieltjes(-1, {1, 1}), rmt::InputError);
  EXPECT_THROW(ck.stieltjes({NAN, 1}), rmt::InputError);
  EXPECT_THROW(ck.density(NAN), rmt::InputError);
  // Depth 0 is the input law.
  const ConjugateKernel input(0.5, 2.0, {});
  EXPECT_EQ(input.stieltjes({1, 1}), MarchenkoPastur(2.0).stieltjes({1, 1}));
  EXPECT_NEAR(input.atoms().at(0).mass, 0.5, 1e-15);
}

}  // namespace
