#pragma once
// ∫_a^b h(x) √((x − a)(b − x)) dx for smooth h: the weight of every Marchenko–Pastur-type density
// (MP, its spiked variant ω of Liao–Couillet). With x = a + (b − a) sin²(θ/2) the integral becomes
// ((b − a)/2)² ∫_0^π h(x(θ)) sin²θ dθ, an even 2π-periodic integrand, for which the trapezoid rule
// converges geometrically (no square-root edge left). The node count doubles until two successive
// refinements agree (relative to ∫|integrand|, or within abs_tol of the result). h may also take
// (x, b − x), b − x then computed accurately near b.
// `min_nodes` must resolve the narrowest feature of h (e.g. e^{−2tx} near the lower edge has width
// ~1/√(t(b − a)) in θ), or a coarse rule could miss it and look converged.
#include <fmt/format.h>

#include <cmath>
#include <numbers>
#include <type_traits>

#include "core/base/error.hpp"

namespace rmt::theory::numerics {

template <typename H>
double integrate_band(double a, double b, H&& h, long min_nodes = 32, double rel_tol = 1e-14, double abs_tol = 0) {
  constexpr double kPi = std::numbers::pi;
  constexpr long kMaxNodes = 1L << 23;
  const double half = (b - a) / 2;
  // x(θ) without cancellation at either end: a + (b − a) sin²(θ/2) = b − (b − a) cos²(θ/2).
  const auto term = [&](double theta) {
    const double s = std::sin(theta / 2), c = std::cos(theta / 2);
    const double x = theta < kPi / 2 ? a + (b - a) * s * s : b - (b - a) * c * c;
    const double st = std::sin(theta);
    // h(x, b − x) for integrands with a pole at or just beyond b: b − x from θ keeps its relative
    // accuracy where b − x itself would be rounding noise.
    if constexpr (std::is_invocable_v<H, double, double>)
      return h(x, (b - a) * c * c) * st * st;
    else
      return h(x) * st * st;
  };
  // Trapezoid on [0, π]. The end values are sin²θ·h = 0 where h is finite; where h is singular
  // (1/x when a = 0; 1/(λ − x) with λ = b) sin²θ·h still has a finite, non-zero limit that the rule
  // must include: it is extrapolated from just inside, F(0) ≈ (4F(ε) − F(2ε))/3 (exact up to O(ε⁴)
  // for the even integrand).
  constexpr double kEnd = 1e-6;
  const auto end_value = [&](double theta, double dir) {
    const double direct = term(theta);
    if (std::isfinite(direct)) return direct;
    return (4 * term(theta + dir * kEnd) - term(theta + 2 * dir * kEnd)) / 3;
  };
  // Compensated (Neumaier) summation: with up to millions of nodes a plain sum drifts by more
  // than the convergence tolerance.
  double sum = 0, carry = 0, abs_sum = 0;
  const auto add = [&](double v) {
    const double next = sum + v;
    carry += std::fabs(sum) >= std::fabs(v) ? (sum - next) + v : (v - next) + sum;
    sum = next;
    abs_sum += std::fabs(v);
  };
  long nodes = 8;
  add(0.5 * (end_value(0, 1) + end_value(kPi, -1)));
  for (long k = 1; k < nodes; ++k) add(term(kPi * static_cast<double>(k) / static_cast<double>(nodes)));
  double previous = (sum + carry) * kPi / static_cast<double>(nodes);
  int agreed = 0;
  while (true) {
    // Halve the spacing: the new nodes are the odd multiples of π/(2·nodes).
    for (long k = 1; k < 2 * nodes; k += 2) add(term(kPi * static_cast<double>(k) / static_cast<double>(2 * nodes)));
    nodes *= 2;
    const double h_step = kPi / static_cast<double>(nodes);
    const double current = (sum + carry) * h_step;
    const double scale = abs_sum * h_step;
    agreed = std::fabs(current - previous) * half * half <= (rel_tol * scale + 1e-300) * half * half + abs_tol
                 ? agreed + 1
                 : 0;
    previous = current;
    if (agreed >= 2 && nodes >= min_nodes) return half * half * current;
    if (nodes >= kMaxNodes)
      throw NumericalError(fmt::format("integrate_band: no convergence on [{}, {}] with {} nodes", a, b, nodes));
  }
}

}  // namespace rmt::theory::numerics
