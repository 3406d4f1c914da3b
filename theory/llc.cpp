#include "theory/llc.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

#include <boost/math/quadrature/gauss_kronrod.hpp>

#include "theory/gaussian.hpp"

namespace rmt::theory {

namespace {

constexpr double kPi = std::numbers::pi;

// ∫ g(x) φ(x) dx over (-∞, ∞), split at `kink` (adaptive Gauss–Kronrod on each half-line).
template <typename G>
double normal_integral(G g, double kink) {
  using boost::math::quadrature::gauss_kronrod;
  const auto weighted = [&](double x) {
    const double w = std::exp(-0.5 * x * x) / std::sqrt(2 * kPi);
    return w == 0.0 ? 0.0 : g(x) * w;  // far out: avoid inf · 0 for growing σ (exp)
  };
  const double inf = std::numeric_limits<double>::infinity();
  return gauss_kronrod<double, 31>::integrate(weighted, -inf, kink, 15, 1e-12) +
         gauss_kronrod<double, 31>::integrate(weighted, kink, inf, 15, 1e-12);
}

}  // namespace

std::optional<double> kernel_closed_form(const Activation& f, double s11, double s12, double s22) {
  const double na = std::sqrt(s11), nb = std::sqrt(s22);
  const double cosine = std::clamp(s12 / (na * nb), -1.0, 1.0);
  const double sine = std::sqrt(1 - cosine * cosine);
  switch (f.kind) {
    case ActivationKind::linear: return s12;
    case ActivationKind::relu: return na * nb / (2 * kPi) * (cosine * std::acos(-cosine) + sine);
    case ActivationKind::leaky_relu: {
      const double sp = 1.0, sm = -f.slope;  // σ = ς₊ max(t,0) + ς₋ max(-t,0) with ς₋ = -slope
      return (sp * sp + sm * sm) / 2 * s12 +
             (sp + sm) * (sp + sm) / (2 * kPi) * na * nb * (sine - cosine * std::acos(cosine));
    }
    case ActivationKind::abs: return 2 / kPi * na * nb * (cosine * std::asin(cosine) + sine);
    case ActivationKind::step: return 0.5 - std::acos(cosine) / (2 * kPi);
    case ActivationKind::sign: return 2 / kPi * std::asin(cosine);
    case ActivationKind::erf: return 2 / kPi * std::asin(2 * s12 / std::sqrt((1 + 2 * s11) * (1 + 2 * s22)));
    case ActivationKind::cos: return std::exp(-(s11 + s22) / 2) * std::cosh(s12);
    case ActivationKind::sin: return std::exp(-(s11 + s22) / 2) * std::sinh(s12);
    case ActivationKind::exp: return std::exp((s11 + s22) / 2 + s12);
    case ActivationKind::quadratic: return 2 * s12 * s12 + s11 * s22;
    default: return std::nullopt;
  }
}

double kernel_quadrature(const Activation& f, double s11, double s12, double s22) {
  const double na = std::sqrt(s11), nb = std::sqrt(s22);
  const double rho = std::clamp(s12 / (na * nb), -1.0, 1.0);
  const double orth = std::sqrt(std::max(0.0, 1 - rho * rho));
  if (orth < 1e-12) return normal_integral([&](double g) { return f(na * g) * f(nb * rho * g); }, 0.0);
  return normal_integral(
      [&](double g1) {
        // v = nb (ρ g1 + orth g2) crosses the kink at 0 when g2 = -ρ g1 / orth.
        const double inner = normal_integral([&](double g2) { return f(nb * (rho * g1 + orth * g2)); }, -rho * g1 / orth);
        return f(na * g1) * inner;
      },
      0.0);
}

double expected_product(const Activation& f, double s11, double s12, double s22) {
  Activation raw = f;
  raw.shift = 0;
  raw.scale = 1;
  if (const auto closed = kernel_closed_form(raw, s11, s12, s22)) {
    // E[(s(σ(u) - c))(s(σ(v) - c))] = s²(E σσ - c E σ(u) - c E σ(v) + c²).
    if (f.shift == 0) return f.scale * f.scale * *closed;
    const double eu = gaussian_expectation([&](double x) { return raw(std::sqrt(s11) * x); });
    const double ev = gaussian_expectation([&](double x) { return raw(std::sqrt(s22) * x); });
    return f.scale * f.scale * (*closed - f.shift * (eu + ev) + f.shift * f.shift);
  }
  return kernel_quadrature(f, s11, s12, s22);
}

DCoefficients d_coefficients(const Activation& f, double tau) {
  const double rt = std::sqrt(tau);
  const auto sigma = [&](double x) { return f(rt * x); };
  const double mean = gaussian_expectation(sigma);
  const double second = gaussian_expectation([&](double x) { return sigma(x) * sigma(x); });
  // Stein: E σ'(√τ ξ) = E[ξ σ(√τ ξ)]/√τ, E σ''(√τ ξ) = E[(ξ² - 1) σ(√τ ξ)]/τ (valid for kinks and jumps).
  const double d_mean = gaussian_expectation([&](double x) { return x * sigma(x); }) / rt;
  const double dd_mean = gaussian_expectation([&](double x) { return (x * x - 1) * sigma(x); }) / tau;
  return {second - mean * mean - tau * d_mean * d_mean, d_mean * d_mean, dd_mean * dd_mean / 4};
}

}  // namespace rmt::theory
