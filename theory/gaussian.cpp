#include "theory/gaussian.hpp"

#include <cmath>
#include <limits>

#include <boost/math/quadrature/gauss_kronrod.hpp>

#include "core/base/error.hpp"

namespace rmt::theory {
namespace {

constexpr double kInvSqrt2Pi = 0.39894228040143267794;  // 1/√(2π)
constexpr double kInvSqrt2 = 0.70710678118654752440;

// ∫_0^∞ h(x) φ(x) dx, φ the standard normal density, by adaptive 61-point Gauss–Kronrod on
// [0, ∞) (Boost maps the half line to [0, 1)). Splitting at 0 keeps kinks and jumps of the
// integrand on an interval end, where Gauss–Kronrod never evaluates and converges spectrally.
double half_line(const std::function<double(double)>& h) {
  const auto integrand = [&h](double x) {
    const double w = std::exp(-0.5 * x * x);
    return w == 0.0 ? 0.0 : h(x) * w;  // avoids 0 · inf for growing h far out
  };
  double error = 0.0;
  const double value = boost::math::quadrature::gauss_kronrod<double, 61>::integrate(
      integrand, 0.0, std::numeric_limits<double>::infinity(), 15, 1e-12, &error);
  return value * kInvSqrt2Pi;
}

bool has_delta_derivative(ActivationKind k) { return k == ActivationKind::sign || k == ActivationKind::step; }

void check_q(double q, const char* who) {
  if (!(std::isfinite(q) && q > 0.0))
    throw InputError(fmt::format("{}: variance q must be finite and > 0, got {}", who, q));
}

}  // namespace

double gaussian_expectation(const std::function<double(double)>& g, bool split_at_zero) {
  // Both halves are integrated on [0, ∞) after reflection; without a split the integrand is the
  // even part, which is as smooth as g (still fine for smooth g; the flag mainly documents intent).
  if (split_at_zero) {
    return half_line(g) + half_line([&g](double x) { return g(-x); });
  }
  return half_line([&g](double x) { return g(x) + g(-x); });
}

HermiteCoefficients hermite_coefficients(const Activation& f, double q) {
  check_q(q, "hermite_coefficients");
  const double s = std::sqrt(q);
  const auto fr = [&f, s](double x) { return f.raw(s * x); };
  HermiteCoefficients h;
  h.mu0 = gaussian_expectation(fr);
  h.mu1 = gaussian_expectation([&fr](double x) { return x * fr(x); });
  h.mu2 = gaussian_expectation([&fr](double x) { return (x * x - 1.0) * fr(x); }) * kInvSqrt2;
  h.second_moment = gaussian_expectation([&fr](double x) {
    const double v = fr(x);
    return v * v;
  });
  const double star2 = h.second_moment - h.mu0 * h.mu0 - h.mu1 * h.mu1;
  // Rounding can leave a tiny negative value for (affine) linear f, where μ⋆ = 0 exactly.
  h.mu_star = star2 > 0.0 ? std::sqrt(star2) : 0.0;
  h.derivative_mean = h.mu1 / s;
  if (has_delta_derivative(f.kind)) {
    h.derivative_square = std::numeric_limits<double>::quiet_NaN();
  } else {
    h.derivative_square = gaussian_expectation([&f, s](double x) {
      const double d = f.derivative(s * x);
      return d * d;
    });
  }
  return h;
}

Activation centred(Activation f, double q) {
  check_q(q, "centred");
  const double s = std::sqrt(q);
  f.shift = gaussian_expectation([&f, s](double x) { return f.raw(s * x); });
  return f;
}

Activation normalised(Activation f, double q) {
  check_q(q, "normalised");
  const double s = std::sqrt(q);
  const double mean = gaussian_expectation([&f, s](double x) { return f.raw(s * x); });
  // Var f = E (f - mean)², integrated directly (not E f² - mean²) to avoid cancellation.
  const double var = gaussian_expectation([&f, s, mean](double x) {
    const double v = f.raw(s * x) - mean;
    return v * v;
  });
  const double second = gaussian_expectation([&f, s](double x) {
    const double v = f.raw(s * x);
    return v * v;
  });
  if (!(var > 1e-24 * (1.0 + second)) || !std::isfinite(var))
    throw InputError(fmt::format("normalised: activation '{}' has zero or non-finite variance at q = {}",
                                 activation_name(f.kind), q));
  f.shift = mean;
  f.scale = 1.0 / std::sqrt(var);
  return f;
}

}  // namespace rmt::theory
