// Gaussian expectations and Hermite coefficients of activations (docs/theory.md §0, §3.1, §9.3; §10 rows
// 10 and 29).
//
// Extra golden values at other parameters (q = 2.5, ELU, GELU, sign, leaky ReLU) come from the
// independent Python reference implementation rmt_ref.py (not shipped; hermite_coeffs / gauss_E_split: adaptive quadrature
// split at the kink), e.g. for ELU at q = 2.5 (mu0, mu1, mu2, E f², E f'²):
//   python3 -c "   # in the folder of rmt_ref.py
//   import numpy as np; from rmt_ref import hermite_coeffs, gauss_E_split
//   s = np.sqrt(2.5); f = lambda u: np.where(u > 0, u, np.expm1(np.minimum(u, 0)))
//   df = lambda u: np.where(u > 0, 1.0, np.exp(np.minimum(u, 0))); g = lambda u: f(s*u)
//   print(hermite_coeffs(g, kmax=2), gauss_E_split(lambda u: g(u)**2), gauss_E_split(lambda u: df(s*u)**2))"
// and likewise for tanh, relu, gelu (0.5 u (1 + erf(u/√2))), sign, leaky (slope 0.1) at q ∈ {1, 2.5}.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <vector>

#include "core/base/error.hpp"
#include "theory/gaussian.hpp"

namespace {

using rmt::Activation;
using rmt::ActivationKind;
using rmt::theory::centred;
using rmt::theory::gaussian_expectation;
using rmt::theory::hermite_coefficients;
using rmt::theory::normalised;
constexpr double kPi = std::numbers::pi;

Activation make(ActivationKind k, double slope = 0.01) {
  Activation a;
  a.kind = k;
  a.slope = slope;
  return a;
}

std::vector<ActivationKind> all_kinds() {
  std::vector<ActivationKind> out;
  for (int k = 0; k <= static_cast<int>(ActivationKind::swish); ++k) out.push_back(static_cast<ActivationKind>(k));
  return out;
}

// docs/theory.md §10 row 29.
TEST(GaussianExpectation, SpecRow29) {
  EXPECT_NEAR(gaussian_expectation([](double x) { return std::pow(std::tanh(x), 2); }, false), 0.39429449039784,
              1e-13);
  EXPECT_NEAR(gaussian_expectation([](double x) { return 1 - std::pow(std::tanh(x), 2); }, false),
              0.605705509602159, 1e-14);
  EXPECT_NEAR(gaussian_expectation([](double x) { return std::pow(std::erf(x), 2); }, false),
              2 / kPi * std::asin(2.0 / 3.0), 1e-14);
  EXPECT_NEAR(gaussian_expectation([](double x) { return std::cos(x); }, false), std::exp(-0.5), 1e-14);
  EXPECT_NEAR(gaussian_expectation([](double x) { return x > 0 ? x : std::expm1(x); }), 0.1605205722665561, 1e-14);
  EXPECT_NEAR(gaussian_expectation([](double x) { return x > 0 ? x * std::tanh(x) : 0.0; }), 0.3028527548010794,
              1e-14);
}

// Kinked and discontinuous integrands: closed forms.
TEST(GaussianExpectation, KinkedClosedForms) {
  const double inv_sqrt_2pi = 1 / std::sqrt(2 * kPi);
  EXPECT_NEAR(gaussian_expectation([](double x) { return x > 0 ? x : 0.0; }), inv_sqrt_2pi, 1e-14);
  EXPECT_NEAR(gaussian_expectation([](double x) { return std::fabs(x); }), 2 * inv_sqrt_2pi, 1e-14);
  EXPECT_NEAR(gaussian_expectation([](double x) { return x > 0 ? x : 0.2 * x; }), 0.8 * inv_sqrt_2pi, 1e-14);
  EXPECT_NEAR(gaussian_expectation([](double x) { return x > 0 ? 1.0 : 0.0; }), 0.5, 1e-14);
  EXPECT_NEAR(gaussian_expectation([](double x) { return x > 0 ? 1.0 : (x < 0 ? -1.0 : 0.0); }), 0.0, 1e-14);
  EXPECT_NEAR(gaussian_expectation([](double x) { return x > 0 ? x * x : 0.0; }), 0.5, 1e-14);
  // E e^{3ξ} = e^{4.5}: a growing integrand whose mass sits far from 0.
  EXPECT_NEAR(gaussian_expectation([](double x) { return std::exp(3 * x); }) / std::exp(4.5), 1.0, 1e-13);
  EXPECT_NEAR(gaussian_expectation([](double x) { return std::pow(x, 4); }), 3.0, 1e-13);
}

// docs/theory.md §3.1 / §10 row 10: η = E f_c², ζ = (E f')² at q = 1 for centred ReLU, tanh, |x|.
TEST(Hermite, PenningtonWorahConstantsRow10) {
  struct Case {
    ActivationKind kind;
    double eta, zeta;
  };
  for (const Case& c : {Case{ActivationKind::relu, 0.340845056908, 0.25},
                        Case{ActivationKind::tanh, 0.394294490398, 0.366879164362},
                        Case{ActivationKind::abs, 0.363380227632, 0.0}}) {
    const Activation f = centred(make(c.kind));
    const double eta = gaussian_expectation([&f](double x) { return f(x) * f(x); });
    const auto h = hermite_coefficients(f);
    const double zeta = h.derivative_mean * h.derivative_mean;
    EXPECT_NEAR(eta, c.eta, 1e-12) << rmt::activation_name(c.kind);
    EXPECT_NEAR(zeta, c.zeta, 1e-12) << rmt::activation_name(c.kind);
    // η - ζ = μ⋆² (docs/theory.md §3.2).
    EXPECT_NEAR(eta - zeta, h.mu_star * h.mu_star, 1e-13) << rmt::activation_name(c.kind);
  }
  EXPECT_NEAR(gaussian_expectation([](double x) {
                const Activation f = centred(make(ActivationKind::relu));
                return f(x) * f(x);
              }),
              0.5 - 1 / (2 * kPi), 1e-14);
}

// Oracle values (see the header comment) at q = 1 and q = 2.5.
TEST(Hermite, OracleCoefficients) {
  struct Case {
    Activation f;
    double q, mu0, mu1, mu2, ef2, edf2;
  };
  const double nan = std::nan("");
  const std::vector<Case> cases = {
      {make(ActivationKind::tanh), 1.0, 0.0, 0.605705509602159, 0.0, 0.394294490397841, 0.464402902448268},
      {make(ActivationKind::relu), 1.0, 0.398942280401433, 0.5, 0.282094791773878, 0.5, 0.5},
      {make(ActivationKind::elu), 1.0, 0.160520572266556, 0.761578291865123, 0.184963783989023, 0.644945417492924,
       0.668102001223171},
      {make(ActivationKind::gelu), 1.0, 0.282094791773878, 0.5, 0.299206710301075, 0.425221482570299,
       0.455850865649287},
      {make(ActivationKind::sign), 1.0, 0.0, 0.797884560802865, 0.0, 1.0, nan},
      {make(ActivationKind::leaky_relu, 0.1), 1.0, 0.359048052361289, 0.55, 0.253885312596490, 0.505, 0.505},
      {make(ActivationKind::tanh), 2.5, 0.0, 0.697564567568477, 0.0, 0.558821430290638, 0.316908003390993},
      {make(ActivationKind::relu), 2.5, 0.630783130505040, 0.790569415042095, 0.446031029038193, 1.25, 0.5},
      {make(ActivationKind::elu), 2.5, 0.329464442745361, 1.104712152637347, 0.351222257950431, 1.468800522707592,
       0.616163147188233},
      {make(ActivationKind::gelu), 2.5, 0.533109046557308, 0.790569415042095, 0.484669313913301, 1.173612976378722,
       0.496517996149880},
      {make(ActivationKind::sign), 2.5, 0.0, 0.797884560802865, 0.0, 1.0, nan},
      {make(ActivationKind::leaky_relu, 0.1), 2.5, 0.567704817454536, 0.869626356546304, 0.401427926134374, 1.2625,
       0.505},
  };
  for (const Case& c : cases) {
    const auto h = hermite_coefficients(c.f, c.q);
    const auto name = std::string(rmt::activation_name(c.f.kind)) + " q=" + std::to_string(c.q);
    EXPECT_NEAR(h.mu0, c.mu0, 1e-13) << name;
    EXPECT_NEAR(h.mu1, c.mu1, 1e-13) << name;
    EXPECT_NEAR(h.mu2, c.mu2, 1e-13) << name;
    EXPECT_NEAR(h.second_moment, c.ef2, 1e-13) << name;
    EXPECT_NEAR(h.mu_star, std::sqrt(c.ef2 - c.mu0 * c.mu0 - c.mu1 * c.mu1), 1e-12) << name;
    EXPECT_NEAR(h.derivative_mean, c.mu1 / std::sqrt(c.q), 1e-13) << name;
    if (std::isnan(c.edf2)) {
      EXPECT_TRUE(std::isnan(h.derivative_square)) << name;
    } else {
      EXPECT_NEAR(h.derivative_square, c.edf2, 1e-13) << name;
    }
  }
}

// Closed forms: linear, quadratic (μ2 = √2 q), exp, cos.
TEST(Hermite, ClosedForms) {
  const double q = 1.7;
  const auto lin = hermite_coefficients(make(ActivationKind::linear), q);
  EXPECT_NEAR(lin.mu0, 0.0, 1e-15);
  EXPECT_NEAR(lin.mu1, std::sqrt(q), 1e-14);
  EXPECT_NEAR(lin.mu2, 0.0, 1e-14);
  EXPECT_NEAR(lin.mu_star, 0.0, 1e-7);  // √(rounding)
  EXPECT_NEAR(lin.derivative_square, 1.0, 1e-14);
  const auto quad = hermite_coefficients(make(ActivationKind::quadratic), q);
  EXPECT_NEAR(quad.mu0, q, 1e-14);
  EXPECT_NEAR(quad.mu1, 0.0, 1e-14);
  EXPECT_NEAR(quad.mu2, std::sqrt(2.0) * q, 1e-13);
  EXPECT_NEAR(quad.second_moment, 3 * q * q, 1e-13);
  const auto ex = hermite_coefficients(make(ActivationKind::exp), q);
  EXPECT_NEAR(ex.mu0, std::exp(q / 2), 1e-13);
  EXPECT_NEAR(ex.mu1, std::sqrt(q) * std::exp(q / 2), 1e-13);
  EXPECT_NEAR(ex.mu2, q * std::exp(q / 2) / std::sqrt(2.0), 1e-13);
  EXPECT_NEAR(ex.second_moment, std::exp(2 * q), 1e-12);
  const auto co = hermite_coefficients(make(ActivationKind::cos), q);
  EXPECT_NEAR(co.mu0, std::exp(-q / 2), 1e-14);
  EXPECT_NEAR(co.mu2, -q * std::exp(-q / 2) / std::sqrt(2.0), 1e-14);
  EXPECT_NEAR(co.derivative_square, (1 - std::exp(-2 * q)) / 2, 1e-14);  // E sin²
}

// Stein: E[ξ f(√q ξ)] = √q E f'(√q ξ) for every activation with an ordinary derivative; for sign and
// step the derivative is a delta at 0: E f' = 2φ(0) and φ(0) respectively.
TEST(Hermite, SteinIdentity) {
  for (const double q : {0.5, 1.0, 3.0}) {
    for (const ActivationKind k : all_kinds()) {
      const Activation f = make(k);
      const auto h = hermite_coefficients(f, q);
      const double s = std::sqrt(q);
      const auto name = std::string(rmt::activation_name(k)) + " q=" + std::to_string(q);
      if (k == ActivationKind::sign || k == ActivationKind::step) {
        const double phi0 = 1 / std::sqrt(2 * kPi);
        EXPECT_NEAR(h.derivative_mean, (k == ActivationKind::sign ? 2 : 1) * phi0 / s, 1e-14) << name;
        EXPECT_TRUE(std::isnan(h.derivative_square)) << name;
        continue;
      }
      const double direct = gaussian_expectation([&f, s](double x) { return f.derivative(s * x); });
      EXPECT_NEAR(h.derivative_mean, direct, 1e-13 * (1 + std::abs(direct))) << name;
      // Second Stein identity: E[(ξ² - 1) f(√q ξ)] = q E f''(√q ξ) = √q E[ξ f'(√q ξ)].
      const double stein2 = s * gaussian_expectation([&f, s](double x) { return x * f.derivative(s * x); });
      EXPECT_NEAR(h.mu2 * std::sqrt(2.0), stein2, 1e-12 * (1 + std::abs(stein2))) << name;
    }
  }
}

// centred(): E f = 0 (scale untouched); normalised(): E f = 0 and E f² = 1 for every activation.
TEST(Hermite, CentredAndNormalised) {
  for (const double q : {0.3, 1.0, 2.0}) {
    for (const ActivationKind k : all_kinds()) {
      const auto name = std::string(rmt::activation_name(k)) + " q=" + std::to_string(q);
      const double s = std::sqrt(q);
      Activation base = make(k);
      base.scale = 3.0;
      const Activation c = centred(base, q);
      EXPECT_EQ(c.scale, 3.0) << name;
      EXPECT_NEAR(gaussian_expectation([&c, s](double x) { return c(s * x); }), 0.0, 1e-13) << name;
      const Activation n = normalised(make(k), q);
      const double mean = gaussian_expectation([&n, s](double x) { return n(s * x); });
      const double second = gaussian_expectation([&n, s](double x) { return n(s * x) * n(s * x); });
      EXPECT_NEAR(mean, 0.0, 1e-12) << name;
      EXPECT_NEAR(second, 1.0, 1e-12) << name;
    }
  }
  // Example: normalised ReLU has scale 1/√(1/2 - 1/(2π)).
  EXPECT_NEAR(normalised(make(ActivationKind::relu)).scale, 1 / std::sqrt(0.5 - 1 / (2 * kPi)), 1e-13);
}

TEST(Hermite, RejectsBadVariance) {
  EXPECT_THROW(hermite_coefficients(make(ActivationKind::tanh), 0.0), rmt::InputError);
  EXPECT_THROW(hermite_coefficients(make(ActivationKind::tanh), -1.0), rmt::InputError);
  EXPECT_THROW(centred(make(ActivationKind::tanh), std::nan("")), rmt::InputError);
  EXPECT_THROW(normalised(make(ActivationKind::tanh), 0.0), rmt::InputError);
}

}  // namespace
