// Beyond eigenvalues, theory layer (docs/theory.md §12): resolvent functionals of the Bai–Silverstein model,
// their bias and fluctuations, the LSS CLT and two-class spectral clustering, against golden values.
//
// Golden values: an independent Python reference (beyond_ref.py, not shipped; its closed forms and the
// contour recipe of §12.2 agree to ≤ 1e-10), run as `python3 beyond_ref.py`. Tolerances as the reference
// states them: 1e-10 absolute for first-order quantities, 1e-8 for the second-order ones.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <vector>

#include "core/base/error.hpp"
#include "theory/feature_linear_equivalent.hpp"
#include "theory/gaussian.hpp"
#include "theory/gmm_clustering.hpp"
#include "theory/linear_equivalent.hpp"
#include "theory/llc.hpp"
#include "theory/lss_clt.hpp"
#include "theory/lss_contour.hpp"
#include "theory/resolvent_functionals.hpp"

namespace {

using rmt::complex;
using rmt::theory::EntryField;
using rmt::theory::LssStatistic;
using rmt::theory::SampleCovarianceResolvent;

// H = (δ1 + δ3 + δ7)/3, c = 1/2 (docs/theory.md §12.6).
SampleCovarianceResolvent three_atoms() { return SampleCovarianceResolvent({{1, 3, 7}, {1 / 3., 1 / 3., 1 / 3.}}, 0.5); }

const complex kZ1{-1, 0}, kZ2{-0.1, 0}, kZ3{2, 0.5};

void expect_complex(complex got, complex want, double tol) {
  EXPECT_NEAR(got.real(), want.real(), tol);
  EXPECT_NEAR(got.imag(), want.imag(), tol);
}

TEST(ResolventFunctionals, CompanionTransformG1) {
  const auto r = three_atoms();
  expect_complex(r.companion(kZ1), {0.682583750971, 0}, 1e-11);
  expect_complex(r.companion(kZ2), {5.400254583910, 0}, 1e-11);
  expect_complex(r.companion(kZ3), {-0.289404714333, 0.251686113480}, 1e-11);
  expect_complex(r.companion(std::conj(kZ3)), std::conj(r.companion(kZ3)), 1e-15);
  expect_complex(r.bbar(kZ3), {0.704652485407, -0.358669869793}, 1e-11);
}

TEST(ResolventFunctionals, DiagonalAndTracesG2G3) {
  const auto r = three_atoms();
  expect_complex(r.diagonal(kZ1, 1), {0.594324056335, 0}, 1e-11);
  expect_complex(r.diagonal(kZ2, 1), {1.562437848197, 0}, 1e-11);
  expect_complex(r.diagonal(kZ3, 1), {-0.536322676756, 0.355521678800}, 1e-11);
  expect_complex(r.diagonal(kZ1, 3), {0.328110766600, 0}, 1e-11);
  expect_complex(r.diagonal(kZ1, 7), {0.173067682890, 0}, 1e-11);
  expect_complex(r.diagonal(kZ3, 3), {0.045641538927, 0.631213667992}, 1e-11);
  expect_complex(r.diagonal(kZ3, 7), {0.166017557711, 0.170440157616}, 1e-11);
  expect_complex(r.trace_population(kZ1), {0.930043378788, 0}, 1e-11);
  expect_complex(r.trace_population(kZ2), {1.703529100200, 0}, 1e-11);
  expect_complex(r.trace_population(kZ3), {0.254241614668, 1.147414595363}, 1e-11);
  expect_complex(r.trace(kZ1), {0.365167501942, 0}, 1e-11);
  expect_complex(r.trace(kZ2), {0.800509167819, 0}, 1e-11);
  expect_complex(r.trace(kZ3), {-0.108221193373, 0.385725168136}, 1e-11);
  // κ(λ = 1) = 1/m̃(−1).
  EXPECT_NEAR(1 / r.companion(kZ1).real(), 1.465021689394, 1e-11);
  // (1/p) tr CQ̄ is also the weighted sum of the diagonal (the closed form and the sum must agree).
  const complex sum = (1.0 * r.diagonal(kZ3, 1) + 3.0 * r.diagonal(kZ3, 3) + 7.0 * r.diagonal(kZ3, 7)) / 3.0;
  expect_complex(sum, r.trace_population(kZ3), 1e-13);
}

// p = 600 in three blocks of 200 (t = 1, 3, 7); e1 in the first block, e7 = the first of the last.
struct Blocks {
  std::vector<double> diag, e1, e7, a;
};
Blocks blocks600() {
  Blocks b;
  for (double t : {1.0, 3.0, 7.0}) b.diag.insert(b.diag.end(), 200, t);
  b.e1.assign(600, 0);
  b.e7.assign(600, 0);
  b.e1[0] = 1;
  b.e7[400] = 1;
  b.a.assign(600, 0);
  b.a[0] = b.a[400] = 1 / std::sqrt(2.0);
  return b;
}

TEST(ResolventFunctionals, QuadraticFormsG4) {
  const auto r = three_atoms();
  const auto b = blocks600();
  expect_complex(r.quadratic_form(kZ1, b.diag, b.a, b.a), {0.383695869612, 0}, 1e-11);
  expect_complex(r.quadratic_form(kZ2, b.diag, b.a, b.a), {0.910078984926, 0}, 1e-11);
  expect_complex(r.quadratic_form(kZ3, b.diag, b.a, b.a), {-0.185152559523, 0.262980918208}, 1e-11);
  expect_complex(r.quadratic_form(kZ1, b.diag, b.e1, b.e7), {0, 0}, 1e-15);
}

TEST(ResolventFunctionals, TraceBiasAndVarianceG5G6) {
  const auto r = three_atoms();
  expect_complex(r.trace_bias(kZ1), {0.067532211201, 0}, 1e-11);
  expect_complex(r.trace_bias(kZ2), {0.509243842053, 0}, 1e-11);
  expect_complex(r.trace_bias(kZ3), {-0.109811713243, -0.062463201372}, 1e-11);
  EXPECT_NEAR(r.trace_covariance(kZ1, kZ1).real(), 0.0502203238, 1e-8);
  EXPECT_NEAR(r.trace_covariance(kZ2, kZ2).real(), 1.5911576118, 1e-8);
  EXPECT_NEAR(r.trace_covariance(kZ3, std::conj(kZ3)).real(), 1.8527093135, 1e-8);
  // The same-point limit continues the two-point formula (no jump at the switch).
  const double two_point = r.trace_covariance(kZ1, complex(-1.002, 0)).real();
  EXPECT_NEAR(two_point, r.trace_covariance(kZ1, kZ1).real(), 5e-4);
  // MP (C = I, c = 1/2): m(−1) = (√17 − 3)/2, Var tr Q(−1) = 0.0553633218.
  const SampleCovarianceResolvent mp({{1}, {1}}, 0.5);
  EXPECT_NEAR(mp.trace(kZ1).real(), (std::sqrt(17.0) - 3) / 2, 1e-12);
  EXPECT_NEAR(mp.trace_covariance(kZ1, kZ1).real(), 0.0553633218, 1e-9);
}

TEST(ResolventFunctionals, QuadraticFormVarianceG7G8) {
  const auto r = three_atoms();
  const auto b = blocks600();
  EXPECT_NEAR(r.quadratic_form_covariance(kZ1, kZ1, b.diag, b.e1, b.e1).real(), 0.1484131431, 1e-8);
  EXPECT_NEAR(r.quadratic_form_covariance(kZ2, kZ2, b.diag, b.e1, b.e1).real(), 6.0418354463, 1e-8);
  EXPECT_NEAR(r.quadratic_form_covariance(kZ1, kZ1, b.diag, b.a, b.a).real(), 0.0942243568, 1e-8);
  EXPECT_NEAR(r.quadratic_form_covariance(kZ2, kZ2, b.diag, b.a, b.a).real(), 2.1405917600, 1e-8);
  EXPECT_NEAR(r.quadratic_form_covariance(kZ1, kZ1, b.diag, b.e1, b.e7).real(), 0.0440479546, 1e-8);
  EXPECT_NEAR(r.quadratic_form_covariance(kZ2, kZ2, b.diag, b.e1, b.e7).real(), 0.5753446660, 1e-8);
  const auto v = rmt::theory::split_variance(r.quadratic_form_covariance(kZ3, std::conj(kZ3), b.diag, b.e1, b.e1),
                                             r.quadratic_form_covariance(kZ3, kZ3, b.diag, b.e1, b.e1));
  EXPECT_NEAR(v.re, 0.2720090637, 1e-8);
  EXPECT_NEAR(v.im, 0.4614703073, 1e-8);
}

TEST(ResolventFunctionals, HaarReductionForIdentityCovariance) {
  // C = I, a = b: n·Var aᵀQa = (2/c)(m' − m²) at real z (docs/theory.md §12.1(b), the Haar-vector formula).
  const double c = 0.5;
  const SampleCovarianceResolvent mp({{1}, {1}}, c);
  const std::vector<double> diag(10, 1.0);
  std::vector<double> e(10, 0.0);
  e[3] = 1;
  const double z = -0.7, h = 1e-5;
  const double m = mp.trace(z).real();
  const double dm = (mp.trace(z + h).real() - mp.trace(z - h).real()) / (2 * h);
  EXPECT_NEAR(mp.quadratic_form_covariance(z, z, diag, e, e).real(), 2 / c * (dm - m * m), 1e-8);
}

TEST(ResolventFunctionals, RejectsRealZInsideOrRightOfTheSpectrum) {
  const auto r = three_atoms();
  EXPECT_THROW(r.companion(complex(0.5, 0)), rmt::InputError);
}

TEST(LssClt, ClosedFormsG10G11) {
  // Limits at c = p/n exactly: (500, 1000) and (250, 1000).
  const auto log_half = rmt::theory::lss_law(LssStatistic::logdet, 500, 1000, 1, EntryField::real);
  EXPECT_NEAR(log_half.mean, -0.346573590280, 1e-11);
  EXPECT_NEAR(log_half.variance, 1.386294361120, 1e-11);
  const auto sq_half = rmt::theory::lss_law(LssStatistic::square, 500, 1000, 1, EntryField::real);
  EXPECT_NEAR(sq_half.mean, 0.5, 1e-14);
  EXPECT_NEAR(sq_half.variance, 10, 1e-12);
  const auto x_half = rmt::theory::lss_law(LssStatistic::trace, 500, 1000, 1, EntryField::real);
  EXPECT_NEAR(x_half.variance, 1, 1e-14);
  const auto log_q = rmt::theory::lss_law(LssStatistic::logdet, 250, 1000, 1, EntryField::real);
  EXPECT_NEAR(log_q.mean, -0.143841036226, 1e-11);
  EXPECT_NEAR(log_q.variance, 0.575364144904, 1e-11);
  const auto sq_q = rmt::theory::lss_law(LssStatistic::square, 250, 1000, 1, EntryField::real);
  EXPECT_NEAR(sq_q.mean, 0.25, 1e-14);
  EXPECT_NEAR(sq_q.variance, 3.375, 1e-12);
  // Complex entries: mean 0, half the variance.
  const auto log_c = rmt::theory::lss_law(LssStatistic::logdet, 500, 1000, 1, EntryField::complex);
  EXPECT_EQ(log_c.mean, 0);
  EXPECT_NEAR(log_c.variance, 0.693147180560, 1e-11);
  // Centring p ∫ f dF^{c_n}: ∫ log dF^{1/2} = (1 − 2) log(1/2) − 1; a variance σ² adds p log σ².
  EXPECT_NEAR(log_half.centring, 500 * (std::log(2.0) - 1), 1e-9);
  const auto scaled = rmt::theory::lss_law(LssStatistic::logdet, 500, 1000, 2, EntryField::real);
  EXPECT_NEAR(scaled.centring - log_half.centring, 500 * std::log(2.0), 1e-9);
  EXPECT_NEAR(rmt::theory::lss_law(LssStatistic::square, 500, 1000, 2, EntryField::real).variance, 160, 1e-10);
  EXPECT_THROW(rmt::theory::lss_law(LssStatistic::logdet, 1000, 1000, 1, EntryField::real), rmt::InputError);
}

TEST(LssClt, RademacherKappa4Terms) {
  // κ₄ = −2 at c = ½: log (½ log ½ + ½, −2 log ½ − 1) = (0.153426409720, 0.386294361120); x: variance c(2 + κ₄) = 0.
  const auto log = rmt::theory::lss_law(LssStatistic::logdet, 500, 1000, 1, EntryField::rademacher);
  EXPECT_NEAR(log.mean, 0.153426409720, 1e-11);
  EXPECT_NEAR(log.variance, 0.386294361120, 1e-11);
  EXPECT_EQ(rmt::theory::lss_law(LssStatistic::trace, 500, 1000, 1, EntryField::rademacher).variance, 0);
  EXPECT_THROW(rmt::theory::lss_law(LssStatistic::square, 500, 1000, 1, EntryField::rademacher), rmt::InputError);
}

TEST(LssClt, ExactFiniteLogG12) {
  const auto exact = rmt::theory::exact_log_lss(500, 1000);
  EXPECT_NEAR(exact.mean, -0.346490007005, 1e-9);
  EXPECT_NEAR(exact.variance, 1.387293858787, 1e-9);
}

// The contour recipe (general population): it reproduces the closed forms of C = I, and G13/G14 for
// H = (δ1 + δ4)/2, c = 1/2 (edges 0.122224141676, 9.299949950239).
const rmt::theory::ComplexFunction kLog = [](complex z) { return std::log(z); };
const rmt::theory::ComplexFunction kSquare = [](complex z) { return z * z; };
const rmt::theory::ComplexFunction kInverse1p = [](complex z) { return 1.0 / (1.0 + z); };

TEST(LssContour, ReproducesTheClosedFormsOfTheIdentity) {
  for (const double c : {0.25, 0.5}) {
    const rmt::theory::LssContour contour({{1}, {1}}, c);
    const auto log = rmt::theory::lss_law(LssStatistic::logdet, static_cast<long>(1000 * c), 1000, 1, EntryField::real);
    const auto sq = rmt::theory::lss_law(LssStatistic::square, static_cast<long>(1000 * c), 1000, 1, EntryField::real);
    EXPECT_NEAR(contour.integral(kLog), log.centring / (1000 * c), 1e-10) << c;
    EXPECT_NEAR(contour.mean(kLog), log.mean, 1e-10) << c;
    EXPECT_NEAR(contour.variance(kLog), log.variance, 1e-10) << c;
    EXPECT_NEAR(contour.integral(kSquare), 1 + c, 1e-10) << c;
    EXPECT_NEAR(contour.mean(kSquare), sq.mean, 1e-10) << c;
    EXPECT_NEAR(contour.variance(kSquare), sq.variance, 1e-9) << c;
    // Cov(G(x), G(x²)) = V_{1,2} = 4c(c + 1) (the x^r covariance formula); its asymmetry is the rule's error.
    const rmt::theory::ComplexFunction x = [](complex z) { return z; };
    EXPECT_NEAR(contour.covariance(x, kSquare), 4 * c * (c + 1), 1e-10) << c;
    EXPECT_NEAR(contour.covariance(kSquare, x), 4 * c * (c + 1), 1e-10) << c;
  }
}

TEST(LssContour, TwoAtomPopulationG13G14) {
  const rmt::theory::LssContour contour({{1, 4}, {0.5, 0.5}}, 0.5);
  EXPECT_NEAR(contour.lower_edge(), 0.122224141676, 1e-10);
  EXPECT_NEAR(contour.upper_edge(), 9.299949950239, 1e-10);
  // G13: f = 1/(1 + x).
  EXPECT_NEAR(contour.integral(kInverse1p), 0.422259838724, 1e-10);
  EXPECT_NEAR(contour.mean(kInverse1p), 0.064342563426, 1e-9);
  EXPECT_NEAR(contour.variance(kInverse1p), 0.052323025300, 1e-9);
  // G14: f = x² (1e-8 relative); ∫x² dF = ∫t² dH + c (∫t dH)², mean c ∫t² dH exactly.
  EXPECT_NEAR(contour.integral(kSquare), 11.625, 11.625 * 1e-8);
  EXPECT_NEAR(contour.mean(kSquare), 4.25, 4.25 * 1e-8);
  EXPECT_NEAR(contour.variance(kSquare), 964.375, 964.375 * 1e-8);
  // log: the same law for every H (log det S = log det C + log det ZZᵀ/n); the centring moves by ∫log t dH.
  EXPECT_NEAR(contour.integral(kLog), 0.386294361120, 1e-10);
  EXPECT_NEAR(contour.mean(kLog), -0.346573590280, 1e-10);
  EXPECT_NEAR(contour.variance(kLog), 1.386294361120, 1e-9);
  // The mean's kernel is 𝓜 itself: −(1/2πi) ∮ 𝓜(z)/(z − z0) dz = 𝓜(z0) for z0 outside the contour.
  const SampleCovarianceResolvent resolvent({{1, 4}, {0.5, 0.5}}, 0.5);
  for (const double x0 : {-0.5, -3.0}) {
    const complex z0{x0, 0};
    const double cauchy = contour.mean([&](complex z) { return 1.0 / (z - z0); });
    EXPECT_NEAR(cauchy, resolvent.trace_bias(z0).real(), 1e-10) << x0;
  }
}

TEST(LssContour, RejectsRatiosOutsideTheUnitInterval) {
  EXPECT_THROW(rmt::theory::LssContour({{1, 4}, {0.5, 0.5}}, 1.5), rmt::InputError);
  EXPECT_THROW(rmt::theory::LssContour({{1}, {1}}, 0.5, 8), rmt::InputError);
}

TEST(GmmClustering, GoldenG15G16G17) {
  const auto g15 = rmt::theory::two_class_clustering(2, 0.5);
  EXPECT_TRUE(g15.above_threshold);
  EXPECT_NEAR(g15.top_eigenvalue, 3.75, 1e-14);
  EXPECT_NEAR(g15.alignment, 0.583333333333, 1e-11);
  EXPECT_NEAR(g15.alignment_mean, 0.7, 1e-14);
  EXPECT_NEAR(g15.misclassification, 0.118361785319, 1e-11);
  const auto g16 = rmt::theory::two_class_clustering(4, 0.5);
  EXPECT_NEAR(g16.top_eigenvalue, 5.625, 1e-14);
  EXPECT_NEAR(g16.alignment, 0.775, 1e-14);
  EXPECT_NEAR(g16.alignment_mean, 0.861111111111, 1e-11);
  EXPECT_NEAR(g16.misclassification, 0.031732377240, 1e-11);
  const auto g17 = rmt::theory::two_class_clustering(2, 2);
  EXPECT_NEAR(g17.top_eigenvalue, 6, 1e-14);
  EXPECT_NEAR(g17.alignment, 1 / 3.0, 1e-14);
  EXPECT_NEAR(g17.alignment_mean, 0.25, 1e-14);
  EXPECT_NEAR(g17.misclassification, 0.239750061093, 1e-11);
  const auto g1 = rmt::theory::two_class_clustering(1, 0.5);
  EXPECT_NEAR(g1.misclassification, 0.2818514308, 1e-10);
  const auto below = rmt::theory::two_class_clustering(0.5, 0.5);
  EXPECT_FALSE(below.above_threshold);
  EXPECT_NEAR(below.top_eigenvalue, 2.9142135624, 1e-10);
  EXPECT_EQ(below.alignment, 0);
  EXPECT_EQ(below.misclassification, 0.5);
}

TEST(LinearEquivalent, ElKarouiCoefficientsG18) {
  const rmt::KernelFunction f{rmt::KernelFunctionKind::exp};
  const auto e = rmt::theory::inner_product_equivalent(f, 1.0, 0.0);
  EXPECT_NEAR(e.upsilon, 0.718281828459, 1e-11);       // e − 2
  EXPECT_NEAR(e.diagonal_gap, 1.718281828459, 1e-11);  // e − 1
  EXPECT_EQ(e.slope, 1.0);
  EXPECT_NEAR(rmt::theory::inner_product_equivalent(f, 1.0, 1e-3).constant, 1.0005, 1e-15);
  const rmt::KernelFunction g{rmt::KernelFunctionKind::gaussian};
  const double h = 1e-4;  // f'' by differences of f'
  EXPECT_NEAR(rmt::theory::kernel_second_derivative(g, 0.3), (g.derivative(0.3 + h) - g.derivative(0.3 - h)) / (2 * h), 1e-8);
  const auto iso = rmt::theory::linear_equivalent_slope(false), exact = rmt::theory::linear_equivalent_slope(true);
  EXPECT_LT(iso.lo, -0.5);
  EXPECT_GT(exact.hi, -0.5);
}

// §12.4(b): the ReLU random-feature kernel's equivalents. Golden: (d0, d1, d2) = ((1/4 − 1/2π)τ, 1/4, 1/(8πτ)),
// the same as the quadrature of d_coefficients (theory/llc.hpp, independent), and the Hermite coefficients of ReLU
// μ0 = 1/√(2π), μ1 = 1/2, μ★ = √(1/2 − 1/(2π) − 1/4) (0.398942280401, 0.5, 0.301405137495).
TEST(FeatureLinearEquivalent, ReluCoefficientsGolden) {
  const double pi = std::numbers::pi;
  const rmt::Activation relu{rmt::ActivationKind::relu};
  for (const double tau : {1.0, 0.7}) {
    const auto e = rmt::theory::relu_feature_equivalent(tau, 0.0);
    EXPECT_NEAR(e.d0, (0.25 - 1 / (2 * pi)) * tau, 1e-15);
    EXPECT_EQ(e.d1, 0.25);
    EXPECT_NEAR(e.d2, 1 / (8 * pi * tau), 1e-15);
    const auto q = rmt::theory::d_coefficients(relu, tau);
    EXPECT_NEAR(e.d0, q.d0, 1e-10) << tau;
    EXPECT_NEAR(e.d1, q.d1, 1e-10) << tau;
    EXPECT_NEAR(e.d2, q.d2, 1e-10) << tau;
    EXPECT_NEAR(e.constant, tau / (2 * pi), 1e-15);
    EXPECT_NEAR(e.diagonal_gap, 0.25 - 1 / (2 * pi), 1e-15);
  }
  EXPECT_NEAR(rmt::theory::relu_feature_equivalent(1.0, 0.002).constant, 1 / (2 * pi) + 2 * 0.002 / (8 * pi), 1e-15);
  const auto h = rmt::theory::hermite_coefficients(relu);
  EXPECT_NEAR(h.mu0, 0.398942280401, 1e-11);
  EXPECT_NEAR(h.mu1, 0.5, 1e-11);
  EXPECT_NEAR(h.mu_star, 0.301405137495, 1e-11);
}

// Φ̃_full is the second-order expansion of the arc-cosine kernel F(a, b, t) about (τ, τ, 0): with its 11ᵀ mean
// 2 d2 tr C²/p² replaced by the pointwise 2 d2 t², the remainder is third order (halving the step divides it by ≈ 8).
TEST(FeatureLinearEquivalent, FullFormIsTheSecondOrderExpansionOfTheArcCosineKernel) {
  const rmt::Activation relu{rmt::ActivationKind::relu};
  const double tau = 0.8;
  const auto e = rmt::theory::relu_feature_equivalent(tau, 0.0);
  const auto remainder = [&](double h) {
    const double phi_i = 0.7 * h, phi_j = -0.4 * h, t = 0.9 * h;
    const double exact = *rmt::theory::kernel_closed_form(relu, tau + phi_i, t, tau + phi_j);
    const double second = rmt::theory::relu_feature_equivalent_entry(e, rmt::theory::FeatureEquivalentForm::full, t,
                                                                      phi_i, phi_j, false) + 2 * e.d2 * t * t;
    return std::abs(exact - second);
  };
  for (const double h : {0.02, 0.01}) {
    const double ratio = remainder(h) / remainder(h / 2);
    EXPECT_GT(ratio, 7.0) << h;
    EXPECT_LT(ratio, 9.0) << h;
  }
  EXPECT_LT(remainder(0.01), 1e-5);
  // Standard form: no 11ᵀ or φ1ᵀ terms; the diagonal gets d0.
  using rmt::theory::FeatureEquivalentForm;
  EXPECT_NEAR(rmt::theory::relu_feature_equivalent_entry(e, FeatureEquivalentForm::standard, 0.1, 0.2, 0.3, false),
              0.25 * 0.1 + e.d2 * 0.06, 1e-15);
  EXPECT_NEAR(rmt::theory::relu_feature_equivalent_entry(e, FeatureEquivalentForm::standard, 0.1, 0.2, 0.3, true),
              0.25 * 0.1 + e.d2 * 0.06 + e.d0, 1e-15);
  EXPECT_NEAR(rmt::theory::relu_feature_equivalent_entry(e, FeatureEquivalentForm::standard, 0.1, 0.2, 0.3, true, {false, true, true}),
              0.25 * 0.1 + e.d2 * 0.06, 1e-15);
  const auto standard = rmt::theory::feature_equivalent_slope(FeatureEquivalentForm::standard, false);
  const auto exact = rmt::theory::feature_equivalent_slope(FeatureEquivalentForm::full, true);
  EXPECT_LT(standard.lo, -0.5);
  EXPECT_GT(standard.hi, -0.5 + 0.5 * std::log(std::log(2000.0) / std::log(250.0)) / std::log(8.0));  // √(log n/n)'s local slope
  EXPECT_LT(exact.lo, -0.5);
  EXPECT_GT(exact.hi, -0.5);
}

}  // namespace
