#pragma once
// ∫_a^b h(x) √((x − a)(b − x)) dx for smooth h: the weight of every Marchenko–Pastur-type density
// (MP, its spiked variant ω of Liao–Couillet). With x = a + (b − a) sin²(θ/2) the integral becomes
// ((b − a)/2)² ∫_0^π h(x(θ)) sin²θ dθ, an even 2π-periodic integrand, for which the trapezoid rule
// converges geometrically (no square-root edge left). The node count doubles until two successive
// refinements agree; `min_nodes` must resolve the narrowest feature of h (e.g. e^{−2tx} near the
// lower edge has width ~1/√(t(b − a)) in θ), or a coarse rule could miss it and look converged.
#include <cmath>
#include <numbers>

#include <fmt/format.h>

#include "core/error.hpp"

namespace rmt::theory::numerics {

template <typename H>
double integrate_band(double a, double b, H&& h, long min_nodes = 32, double rel_tol = 1e-14) {
  constexpr double kPi = std::numbers::pi;
  constexpr long kMaxNodes = 1L << 23;
  const double half = (b - a) / 2;
  // x(θ) without cancellation at either end: a + (b − a) sin²(θ/2) = b − (b − a) cos²(θ/2).
  const auto term = [&](double theta) {
    const double s = std::sin(theta / 2), c = std::cos(theta / 2);
    const double x = theta < kPi / 2 ? a + (b - a) * s * s : b - (b - a) * c * c;
    const double st = std::sin(theta);
    return h(x) * st * st;
  };
  // Trapezoid on [0, π]: the end points carry sin²θ = 0 and are never evaluated (h may be singular
  // there, e.g. 1/x when a = 0).
  long nodes = 8;
  double sum = 0, abs_sum = 0;
  for (long k = 1; k < nodes; ++k) {
    const double v = term(kPi * static_cast<double>(k) / static_cast<double>(nodes));
    sum += v;
    abs_sum += std::fabs(v);
  }
  double previous = sum * kPi / static_cast<double>(nodes);
  int agreed = 0;
  while (true) {
    // Halve the spacing: the new nodes are the odd multiples of π/(2·nodes).
    for (long k = 1; k < 2 * nodes; k += 2) {
      const double v = term(kPi * static_cast<double>(k) / static_cast<double>(2 * nodes));
      sum += v;
      abs_sum += std::fabs(v);
    }
    nodes *= 2;
    const double h_step = kPi / static_cast<double>(nodes);
    const double current = sum * h_step;
    const double scale = abs_sum * h_step;
    agreed = std::fabs(current - previous) <= rel_tol * scale + 1e-300 ? agreed + 1 : 0;
    previous = current;
    if (agreed >= 2 && nodes >= min_nodes) return half * half * current;
    if (nodes >= kMaxNodes)
      throw NumericalError(fmt::format("integrate_band: no convergence on [{}, {}] with {} nodes", a, b, nodes));
  }
}

}  // namespace rmt::theory::numerics
