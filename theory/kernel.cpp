#include "theory/kernel.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include "core/base/error.hpp"
#include "theory/numerics/polynomial.hpp"
#include "theory/numerics/support_scan.hpp"

namespace rmt::theory {
namespace {

constexpr double kPi = 3.14159265358979323846;

bool finite(complex z) { return std::isfinite(z.real()) && std::isfinite(z.imag()); }

// m (z + a1² m/(c + a1 m) + b m/c) = -1 with b = ν - a1² (docs/theory.md §3.3), times c (c + a1 m):
//   b a1 m³ + (c a1 z + c a1² + b c) m² + (c² z + c a1) m + c² = 0.
// a1 = 0 or b = 0 make the leading coefficients exact zeros; polynomial_roots drops them.
std::vector<complex> candidates(double a1, double nu, double c, complex z) {
  const double b = nu - a1 * a1 <= 1e-12 * nu ? 0.0 : nu - a1 * a1;  // linear f up to rounding: exact 0
  const std::array<complex, 4> poly = {complex(c * c), c * c * z + c * a1, c * a1 * z + c * a1 * a1 + b * c,
                                       complex(b * a1)};
  return numerics::polynomial_roots(std::span<const complex>(poly));
}

}  // namespace

ChengSinger::ChengSinger(double a1, double nu, double c) : a1_(a1), nu_(nu), c_(c) {
  if (!std::isfinite(a1)) throw InputError(fmt::format("ChengSinger: a1 must be finite, got {}", a1));
  if (!(std::isfinite(nu) && nu > 0.0)) throw InputError(fmt::format("ChengSinger: nu must be > 0, got {}", nu));
  if (!(std::isfinite(c) && c > 0.0)) throw InputError(fmt::format("ChengSinger: c must be > 0, got {}", c));
  if (a1 * a1 > nu * (1.0 + 1e-12))
    throw InputError(fmt::format("ChengSinger: a1² = (E ξf)² <= nu = E f² (Cauchy–Schwarz), got a1 = {}, nu = {}", a1, nu));
  nu_ = std::max(nu_, a1_ * a1_);
  // Mean 0, variance ν/c, third moment a1³/c²: the law is skewed by a1 and the support sits
  // within a few sd of 0; scan ±(10 sd + the shift a1/c scale), widened if the density has
  // not vanished at the ends.
  const double sd = std::sqrt(nu_ / c_);
  double half = 10.0 * sd + 4.0 * std::abs(a1_) / c_;
  const auto dens = [this](double x) { return density(x); };
  for (int widen = 0; widen < 8 && (dens(half) > 0.0 || dens(-half) > 0.0); ++widen) half *= 2.0;
  support_ = numerics::scan_support(dens, -half, half, 4000, 1e-10);
}

std::vector<Interval> ChengSinger::support() const { return support_; }

// No atoms for ν > a1². For linear f (ν = a1²) K ≈ a1 (S - I) with S = ZᵀZ/p ~ MP(ratio 1/c),
// whose atom (1 - c)⁺ at S = 0 sits at -a1.
std::vector<Atom> ChengSinger::atoms() const {
  if (nu_ - a1_ * a1_ <= 1e-12 * nu_ && c_ < 1.0 && a1_ != 0.0) return {{-a1_, 1.0 - c_}};
  return {};
}

// ρ(x) = Im m(x + i0)/π: at real x the cubic has real coefficients; inside the support the
// physical root is the member of the complex pair with Im m > 0 (largest Im m). Outside the
// support all roots are real up to rounding (checked against root tracking from x + 50i in
// python over a1 ∈ {0.1, …, 1.2}, ν ∈ {1, 1.5, 3}, c ∈ {0.2, …, 5}).
double ChengSinger::density(double x) const {
  if (!std::isfinite(x)) return 0.0;
  const auto cands = candidates(a1_, nu_, c_, complex(x, 0.0));
  double best = 0.0;
  for (const complex m : cands) best = std::max(best, m.imag());
  const double rho = best / kPi;
  return rho > 1e-13 * std::sqrt(c_ / nu_) ? rho : 0.0;
}

// Im z > 0: the root with Im m > 0 when unique, else tracked from z + iR where m ≈ -1/z.
// Im z < 0: conjugate symmetry. Real z: boundary value in the support; outside it the real root
// continued from C⁺ (tracked down to Im z = 1e-13·scale, then snapped onto the axis).
complex ChengSinger::stieltjes(complex z) const {
  if (!finite(z)) throw InputError("ChengSinger: non-finite argument");
  if (z.imag() < 0.0) return std::conj(stieltjes(std::conj(z)));
  if (z.imag() > 0.0) {
    auto cands = candidates(a1_, nu_, c_, z);
    std::sort(cands.begin(), cands.end(), [](complex a, complex b) { return a.imag() > b.imag(); });
    if (cands[0].imag() > 0.0 && (cands.size() == 1 || cands[1].imag() < 0.0)) return cands[0];
  } else if (density(z.real()) > 0.0) {
    const auto cands = candidates(a1_, nu_, c_, complex(z.real(), 0.0));
    return *std::max_element(cands.begin(), cands.end(), [](complex a, complex b) { return a.imag() < b.imag(); });
  }
  double scale = std::sqrt(nu_ / c_);
  for (const auto& s : support_) scale = std::max({scale, std::abs(s.lo), std::abs(s.hi)});
  const double x = z.real();
  const double y_end = z.imag() > 0.0 ? z.imag() : 1e-13 * scale;
  double y = std::max(100.0 * (scale + std::abs(x)) + 1.0, y_end);
  complex current = numerics::nearest_root(candidates(a1_, nu_, c_, complex(x, y)), -1.0 / complex(x, y), nullptr);
  double step = 0.8;
  while (y > y_end) {
    const double y_next = std::max(y * step, y_end);
    double sep = 0.0;
    const complex next = numerics::nearest_root(candidates(a1_, nu_, c_, complex(x, y_next)), current, &sep);
    if (sep > 0.25 && step < 0.999) {
      step = std::sqrt(step);
      continue;
    }
    current = next;
    y = y_next;
    step = std::min(0.8, step * step);
  }
  if (z.imag() > 0.0) return current;
  const complex snapped = numerics::nearest_root(candidates(a1_, nu_, c_, complex(x, 0.0)), current, nullptr);
  return complex(snapped.real(), 0.0);
}

// Moments from the large-z expansion m = -Σ_k s_k z^{-k-1}: with w = 1/z and m = -w s(w) the
// cubic becomes F(s) = c s - a1 w s² - ν w² s² + (a1 b/c) w³ s³ - c + a1 w s = 0 (b = ν - a1²),
// whose w^n coefficient is c s_n plus terms in s_0..s_{n-1}; hence s_0 = 1, s_1 = 0, s_2 = ν/c,
// s_3 = a1³/c², ... (s_1 = 0 also because K has a zero diagonal: tr K = 0).
std::vector<double> ChengSinger::moments(int count) const {
  if (count < 0) throw InputError(fmt::format("moments: count must be >= 0, got {}", count));
  const double b = nu_ - a1_ * a1_;
  std::vector<double> s(static_cast<std::size_t>(count) + 1, 0.0);
  s[0] = 1.0;
  // Coefficient n of s², s³ from the current (truncated) series.
  const auto sq = [&s](int n) {
    double v = 0.0;
    for (int i = 0; i <= n; ++i) v += s[i] * s[n - i];
    return v;
  };
  const auto cube = [&s, &sq](int n) {
    double v = 0.0;
    for (int i = 0; i <= n; ++i) v += s[i] * sq(n - i);
    return v;
  };
  for (int n = 1; n <= count; ++n) {
    double rest = a1_ * s[n - 1] - a1_ * sq(n - 1);
    if (n >= 2) rest -= nu_ * sq(n - 2);
    if (n >= 3) rest += a1_ * b / c_ * cube(n - 3);
    s[n] = -rest / c_;
  }
  return std::vector<double>(s.begin() + 1, s.end());
}

}  // namespace rmt::theory
