#include "theory/gmm_dynamics.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numbers>

#include "core/base/error.hpp"
#include "theory/numerics/band_quadrature.hpp"

namespace rmt::theory {

GmmDynamicsPoint gmm_dynamics(double c, double mu_norm2, double step, double gamma, double sigma0_sq, double t) {
  const auto require = [](bool ok, const char* what, double v) {
    if (!ok) throw InputError(fmt::format("gmm_dynamics: {} (got {})", what, v));
  };
  require(c > 0 && std::isfinite(c), "c = p/n must be positive", c);
  require(mu_norm2 > 0 && std::isfinite(mu_norm2), "‖μ‖² must be positive", mu_norm2);
  require(step > 0 && std::isfinite(step), "the step α must be positive", step);
  require(gamma >= 0 && std::isfinite(gamma), "the ridge γ must be non-negative", gamma);
  require(sigma0_sq >= 0 && std::isfinite(sigma0_sq), "σ0² must be non-negative", sigma0_sq);
  require(t >= 0, "t must be non-negative", t);

  constexpr double kPi = std::numbers::pi;
  const double a = std::pow(1 - std::sqrt(c), 2), b = std::pow(1 + std::sqrt(c), 2);
  const double spike_x = 1 + c + mu_norm2 + c / mu_norm2;  // λs ≥ b (equality at ‖μ‖² = √c)
  const double spike_w = std::max(0.0, mu_norm2 * mu_norm2 - c) / mu_norm2;  // (‖μ‖⁴ − c)⁺/‖μ‖²
  const double at = step * t;
  // g(x) = (1 − f_t(x+γ))/(x+γ) = ∫_0^{αt} e^{−u(x+γ)} du, without cancellation for small αt(x+γ);
  // at t = ∞ it is 1/(x+γ).
  const auto g = [&](double x) {
    const double y = x + gamma;
    if (!std::isfinite(at)) return 1 / y;
    return y > 0 ? -std::expm1(-at * y) / y : at;
  };
  const auto f = [&](double x) {
    const double y = x + gamma;
    return y == 0 ? 1.0 : std::exp(-at * y);  // the null space (atom, γ = 0) never decays, even at t = ∞
  };
  // The narrowest feature: e^{−αt x} at the lower edge, width ~1/√(αt(b − a)) in θ.
  const double horizon = std::isfinite(at) ? at : 0.0;
  const long min_nodes = 64 + static_cast<long>(std::min(4e6, 16 * std::sqrt(horizon * (b - a) + 1)));
  const auto band = [&](auto&& h) { return numerics::integrate_band(a, b, h, min_nodes, 1e-14, 1e-16); };
  // ∫ h ω = (1/2π) ∫ h(x)/(λs − x) √((x − a)(b − x)) dx. The pole at λs approaches the support as
  // ‖μ‖² → √c, where the trapezoid would converge slowly; subtract it:
  //   ∫ h(x)/(λs − x) √· = h(λs)·π[(λs − (a + b)/2) − √((λs − a)(λs − b))] + ∫ (h(x) − h(λs))/(λs − x) √·,
  // the divided difference being as smooth as h. λs − x = (λs − b) + (b − x), exact near b.
  const double pole_mass = kPi * ((spike_x - (a + b) / 2) - std::sqrt((spike_x - a) * (spike_x - b)));
  const auto omega = [&](auto&& h) {
    const double h_pole = h(spike_x);
    const double rest = band([&](double x, double below_b) { return (h(x) - h_pole) / ((spike_x - b) + below_b); });
    return (h_pole * pole_mass + rest) / (2 * kPi);
  };
  // ∫ f(x+γ)² ρ_c + (1 − 1/c)⁺ f(γ)²: ρ_c = √((x − a)(b − x))/(2πcx) has a pole at 0, near the
  // support when c ≈ 1; while e^{−2αtx} has not decayed at a, subtract it as in gf_isotropic:
  // f(x+γ)² = f(γ)² (1 + expm1(−2αtx)), the second part over x entire.
  const auto initial = [&] {
    const double atom = std::max(0.0, 1 - 1 / c) * f(0) * f(0);
    if (!std::isfinite(at)) return atom;  // the continuous part has decayed (x + γ ≥ a > 0 or γ > 0)
    const double norm = 2 * kPi * c;
    if (at * a <= 1) {
      const double f0 = f(0) * f(0);
      return atom + f0 * (std::min(1.0, 1 / c) + band([&](double x) { return std::expm1(-2 * at * x) / x; }) / norm);
    }
    return atom + band([&](double x) { return f(x) * f(x) / x; }) / norm;
  };

  GmmDynamicsPoint out;
  out.t = t;
  out.mean = omega(g) + spike_w * g(spike_x);
  const double signal = omega([&](double x) { return g(x) * g(x); }) + spike_w * g(spike_x) * g(spike_x);
  out.var = (mu_norm2 + c) / mu_norm2 * signal + sigma0_sq * initial();
  out.error_rate = 0.5 * std::erfc(out.mean / std::sqrt(2 * out.var));
  return out;
}

}  // namespace rmt::theory
