// Random-feature kernels Φ = E σ(u)σ(v) (docs/theory.md §4.2, row 18), d-coefficients (§4.5, row 20) and the
// El Karoui shift υ (§8.1, row 28).
#include <gtest/gtest.h>

#include <cmath>
#include <memory>

#include "core/base/error.hpp"
#include "theory/affine_law.hpp"
#include "theory/el_karoui.hpp"
#include "theory/llc.hpp"
#include "theory/mp.hpp"

using namespace rmt;
using namespace rmt::theory;

namespace {
Activation act(ActivationKind k, double slope = 0.01) {
  Activation f;
  f.kind = k;
  f.slope = slope;
  return f;
}
}  // namespace

TEST(LlcKernels, UnitVectorsTable) {
  const double angles[] = {-1, -0.5, 0, 0.5, 1};
  const double relu[] = {0, 0.054498890522, 0.159154943092, 0.304498890522, 0.5};
  const double abs_[] = {1, 0.717995562088, 0.636619772368, 0.717995562088, 1};
  const double sign[] = {-1, -1.0 / 3, 0, 1.0 / 3, 1};
  const double erf_[] = {-0.464559054398, -0.216346895939, 0, 0.216346895939, 0.464559054398};
  for (int k = 0; k < 5; ++k) {
    EXPECT_NEAR(expected_product(act(ActivationKind::relu), 1, angles[k], 1), relu[k], 1e-11) << angles[k];
    EXPECT_NEAR(expected_product(act(ActivationKind::abs), 1, angles[k], 1), abs_[k], 1e-11) << angles[k];
    EXPECT_NEAR(expected_product(act(ActivationKind::sign), 1, angles[k], 1), sign[k], 1e-11) << angles[k];
    EXPECT_NEAR(expected_product(act(ActivationKind::erf), 1, angles[k], 1), erf_[k], 1e-11) << angles[k];
  }
}

TEST(LlcKernels, NonUnitVectorsTable) {
  // ‖a‖ = 1, ‖b‖ = 0.8, angle 0.3: s11 = 1, s12 = 0.24, s22 = 0.64.
  const struct {
    ActivationKind kind;
    double value;
    double slope;
  } rows[] = {{ActivationKind::relu, 0.193097713534, 0},   {ActivationKind::abs, 0.532390854137, 0},
              {ActivationKind::step, 0.298493342010, 0},   {ActivationKind::sign, 0.193973368041, 0},
              {ActivationKind::erf, 0.117506567147, 0},    {ActivationKind::cos, 0.453177088448, 0},
              {ActivationKind::sin, 0.106721278118, 0},    {ActivationKind::exp, 2.886370989268, 0},
              // docs/theory.md's leaky ReLU (ς₊, ς₋) = (1, 0.2) is max(t,0) + 0.2 max(-t,0): slope -0.2 here.
              {ActivationKind::leaky_relu, 0.230060707489, -0.2}};
  for (const auto& r : rows)
    EXPECT_NEAR(expected_product(act(r.kind, r.slope), 1, 0.24, 0.64), r.value, 1e-11) << activation_name(r.kind);
}

TEST(LlcKernels, QuadratureAgreesWithEveryClosedForm) {
  for (const auto kind : {ActivationKind::linear, ActivationKind::relu, ActivationKind::leaky_relu,
                          ActivationKind::abs, ActivationKind::erf, ActivationKind::cos, ActivationKind::sin,
                          ActivationKind::exp, ActivationKind::quadratic}) {
    const auto f = act(kind, 0.3);
    const double closed = *kernel_closed_form(f, 1.3, -0.4, 0.7);
    EXPECT_NEAR(kernel_quadrature(f, 1.3, -0.4, 0.7), closed, 1e-9 * (1 + std::abs(closed))) << activation_name(kind);
  }
  // Jumps converge more slowly but the kink split keeps them accurate.
  for (const auto kind : {ActivationKind::step, ActivationKind::sign}) {
    const auto f = act(kind);
    EXPECT_NEAR(kernel_quadrature(f, 1.3, -0.4, 0.7), *kernel_closed_form(f, 1.3, -0.4, 0.7), 1e-7)
        << activation_name(kind);
  }
}

TEST(LlcKernels, CentredActivationShiftsTheKernel) {
  // E[(σ(u) - c)(σ(v) - c)] by closed form + shift equals the quadrature of the shifted function.
  Activation f = act(ActivationKind::relu);
  f.shift = 0.4;
  f.scale = 1.5;
  EXPECT_NEAR(expected_product(f, 1.0, 0.3, 0.5), kernel_quadrature(f, 1.0, 0.3, 0.5), 1e-10);
}

TEST(LlcKernels, DCoefficientsAtTau07) {
  const auto relu = d_coefficients(act(ActivationKind::relu), 0.7);
  EXPECT_NEAR(relu.d0, 0.0635915398, 1e-10);
  EXPECT_NEAR(relu.d1, 0.25, 1e-12);
  EXPECT_NEAR(relu.d2, 0.0568410511, 1e-10);
  const auto erf = d_coefficients(act(ActivationKind::erf), 0.7);
  EXPECT_NEAR(erf.d0, 0.0251421851, 1e-10);
  EXPECT_NEAR(erf.d1, 0.5305164770, 1e-10);
  EXPECT_NEAR(erf.d2, 0.0, 1e-12);
  const auto cos = d_coefficients(act(ActivationKind::cos), 0.7);
  EXPECT_NEAR(cos.d0, 0.1267131782, 1e-10);
  EXPECT_NEAR(cos.d1, 0.0, 1e-12);
  EXPECT_NEAR(cos.d2, 0.1241463259, 1e-10);
  // The table's closed forms at another τ (docs/theory.md §4.5): |t| at τ = 1.3 is ((1 - 2/π)τ, 0, 1/(2πτ)).
  const auto abs = d_coefficients(act(ActivationKind::abs), 1.3);
  EXPECT_NEAR(abs.d0, (1 - 2 / M_PI) * 1.3, 1e-11);
  EXPECT_NEAR(abs.d1, 0.0, 1e-12);
  EXPECT_NEAR(abs.d2, 1 / (2 * M_PI * 1.3), 1e-11);
}

TEST(ElKaroui, UpsilonOfTheGaussianDistanceKernel) {
  const KernelFunction f{KernelFunctionKind::gaussian};
  EXPECT_NEAR(distance_linearisation(f, 1.5).upsilon, 1 - 2.5 * std::exp(-1.5), 1e-15);
  EXPECT_NEAR(distance_linearisation(f, 1.5).upsilon, 0.4421745996, 1e-10);
  EXPECT_NEAR(distance_linearisation(f, 1.5).slope, std::exp(-1.5), 1e-15);
  const KernelFunction e{KernelFunctionKind::exp};
  EXPECT_NEAR(inner_product_linearisation(e, 0.8).upsilon, std::exp(0.8) - 1 - 0.8, 1e-15);
  EXPECT_THROW(parse_kernel_function("laplace"), InputError);
}

TEST(RandomFeatureGram, IdentityKernelIsScaledMarchenkoPastur) {
  // Φ = I: G = α · (ΣᵀΣ/N) with iid rows, so its law is α · MP(1/α): m(z) = m_MP(z/α)/α.
  for (const double alpha : {1.5, 0.6}) {
    const RandomFeatureGram law(std::vector<double>(300, 1.0), alpha);
    const MarchenkoPastur mp(1 / alpha);
    for (const complex z : {complex(0.7, 0.2), complex(2.0, 0.05), complex(-0.5, 0.0), complex(3.0, 1.0)}) {
      const complex expected = mp.stieltjes(z / alpha) / alpha;
      EXPECT_NEAR(std::abs(law.stieltjes(z) - expected), 0.0, 1e-10) << "alpha " << alpha << " z " << z;
    }
    EXPECT_NEAR(law.density(alpha * 1.0), mp.density(1.0) / alpha, 1e-6);
    ASSERT_EQ(law.support().size(), 1u);
    EXPECT_NEAR(law.support()[0].hi, alpha * mp.upper_edge(), 1e-6);
    EXPECT_NEAR(law.moments(2)[0], alpha, 1e-14);
    EXPECT_NEAR(law.moments(2)[1], alpha * alpha * (1 + 1 / alpha), 1e-12);
  }
  EXPECT_EQ(RandomFeatureGram(std::vector<double>(100, 1.0), 1.5).atoms().size(), 0u);
  EXPECT_NEAR(RandomFeatureGram(std::vector<double>(100, 1.0), 0.6).atoms().at(0).mass, 0.4, 1e-12);
}

TEST(AffineLaw, IsTheImageOfTheBaseLaw) {
  // a λ + b for λ ~ MP(0.5): both signs of a.
  for (const double a : {2.0, -1.5}) {
    const AffineLaw law(std::make_unique<MarchenkoPastur>(0.5), a, 0.3);
    const MarchenkoPastur mp(0.5);
    const auto s = law.support();
    ASSERT_EQ(s.size(), 1u);
    EXPECT_NEAR(s[0].lo, std::min(a * mp.lower_edge(), a * mp.upper_edge()) + 0.3, 1e-14);
    EXPECT_NEAR(law.density(a * 1.0 + 0.3), mp.density(1.0) / std::abs(a), 1e-14);
    const complex z(0.7, 0.4);
    // m(z) = E 1/(aλ + b - z): check against the defining integral through the base transform.
    const complex expected = mp.stieltjes((z - 0.3) / a) / a;
    const complex got = law.stieltjes(z);
    if (a > 0) {
      EXPECT_NEAR(std::abs(got - expected), 0.0, 1e-14);
    }
    EXPECT_GT(got.imag(), 0.0);
    EXPECT_NEAR(law.moments(2)[0], a * 1.0 + 0.3, 1e-14);
    EXPECT_NEAR(law.moments(2)[1], a * a * 1.5 + 2 * a * 0.3 + 0.09, 1e-13);
  }
}
