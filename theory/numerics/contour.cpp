#include "theory/numerics/contour.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numbers>

#include "core/base/error.hpp"

namespace rmt::theory::numerics {

namespace {
constexpr double kPi = std::numbers::pi;
}

TalbotRule fixed_talbot(double T, int M) {
  if (!(T > 0) || !std::isfinite(T))
    throw InputError(fmt::format("fixed_talbot: time {} must be positive and finite", T));
  if (M < 4 || M % 2 != 0) throw InputError(fmt::format("fixed_talbot: node count {} must be even and at least 4", M));
  const double r = 0.2 * M / T;
  TalbotRule rule;
  rule.r = r;
  rule.s.resize(static_cast<std::size_t>(M));
  rule.w.resize(static_cast<std::size_t>(M));
  for (int k = 0; k < M; ++k) {
    const double th = -kPi + (k + 0.5) * 2 * kPi / M;  // never 0 for even M
    const double cot = std::cos(th) / std::sin(th), sin2 = std::sin(th) * std::sin(th);
    const complex s = r * complex(th * cot, th);
    const complex ds = r * complex(cot - th / sin2, 1.0);
    // w = e^{sT} s'(θ) (2π/M) / (2πi)
    rule.s[static_cast<std::size_t>(k)] = s;
    rule.w[static_cast<std::size_t>(k)] = std::exp(s * T) * ds / (complex(0, 1) * static_cast<double>(M));
  }
  return rule;
}

ContourRule ellipse_rule(double lo, double hi, double ry, int M) {
  if (!(hi > lo) || !(ry > 0) || M < 4) throw InputError("ellipse_rule: need hi > lo, ry > 0 and M ≥ 4");
  const double c = (lo + hi) / 2, rx = (hi - lo) / 2;
  ContourRule rule;
  for (int j = 0; j < M; ++j) {
    const double th = 2 * kPi * (j + 0.5) / M;
    rule.z.emplace_back(c + rx * std::cos(th), ry * std::sin(th));
    rule.dz.push_back(complex(-rx * std::sin(th), ry * std::cos(th)) * (2 * kPi / M));
  }
  return rule;
}

DeltaEquation::DeltaEquation(std::vector<double> lambda, std::vector<double> weight, double alpha)
    : lambda_(std::move(lambda)), weight_(std::move(weight)), alpha_(alpha) {
  if (lambda_.empty() || lambda_.size() != weight_.size() || !(alpha_ > 0))
    throw InputError("DeltaEquation: need matching non-empty λ and ω, and α > 0");
  for (std::size_t j = 0; j < lambda_.size(); ++j)
    if (!(lambda_[j] >= 0) || !(weight_[j] > 0)) throw InputError("DeltaEquation: need λ ≥ 0 and ω > 0");
}

DeltaEquation::Residual DeltaEquation::residual(complex delta, complex z) const {
  const complex u = 1.0 / (1.0 + delta);
  Residual r{delta, 1.0, 0.0, std::abs(delta)};
  for (std::size_t j = 0; j < lambda_.size(); ++j) {
    const double l = lambda_[j], w = weight_[j];
    const complex q = 1.0 / (alpha_ * l * u - z);
    const complex term = w * l * q;
    r.f -= term;
    r.size += std::abs(term);
    // ∂/∂δ of 1/(αλu − z) is αλu²q² (u' = −u²); ∂/∂z is q².
    r.df_ddelta -= term * alpha_ * l * u * u * q;
    r.df_dz -= term * q;
  }
  return r;
}

double DeltaEquation::at_negative(double z) const {
  if (!(z < 0)) throw InputError(fmt::format("DeltaEquation::at_negative: z = {} must be negative", z));
  // F(δ) = δ − Σ ωλ(1+δ)/(αλ + |z|(1+δ)) is convex in δ with F(0) < 0, and δ* < Σωλ/|z| (the
  // supremum of the sum): Newton from that bound decreases monotonically to the root. A step that
  // does not decrease δ means rounding has been reached.
  double delta = 0;
  for (std::size_t j = 0; j < lambda_.size(); ++j) delta += weight_[j] * lambda_[j];
  delta /= -z;
  double last_residual = 0;
  for (int it = 0; it < 500; ++it) {
    const Residual r = residual(delta, z);
    last_residual = std::abs(r.f);
    const double step = r.f.real() / r.df_ddelta.real();
    if (!(step > 0)) return delta;
    delta -= step;
    if (step <= 1e-15 * (1 + delta)) return delta;
  }
  throw NumericalError(fmt::format("DeltaEquation: no convergence at z = {} in 500 Newton steps (δ = {}, residual {:.3g})",
                                   z, delta, last_residual));
}

bool DeltaEquation::newton(complex& delta, complex z) const {
  for (int it = 0; it < 16; ++it) {
    const Residual r = residual(delta, z);
    // Converged when the residual is at rounding level of its terms (the step alone can stay large
    // where F is flat, e.g. next to an atom of the spectrum).
    const bool small = std::abs(r.f) <= 4e-16 * r.size;
    const complex step = r.f / r.df_ddelta;
    delta -= step;
    if (!std::isfinite(delta.real()) || !std::isfinite(delta.imag()) || std::abs(1.0 + delta) < 1e-300) return false;
    if (small || std::abs(step) <= 1e-14 * (1 + std::abs(delta)))
      // The branch test: Im δ ≥ 0 above the axis (δ is a Stieltjes transform there).
      return z.imag() < 0 || delta.imag() >= -1e-12 * (1 + std::abs(delta));
  }
  return false;
}

complex DeltaEquation::step(complex z0, complex d0, complex z1, int depth) const {
  const Residual r = residual(d0, z0);
  complex d1 = d0 - r.df_dz / r.df_ddelta * (z1 - z0);  // Euler predictor: dδ/dz = −F_z/F_δ
  // A short step should move δ by a small fraction; a large jump is a branch change.
  if (newton(d1, z1) && std::abs(d1 - d0) <= 0.5 * (1 + std::abs(d0))) return d1;
  if (depth >= 40)
    throw NumericalError(fmt::format("DeltaEquation: cannot follow the root to {}+{}i", z1.real(), z1.imag()));
  const complex mid = 0.5 * (z0 + z1);
  const complex dm = step(z0, d0, mid, depth + 1);
  return step(mid, dm, z1, depth + 1);
}

std::vector<complex> DeltaEquation::track(std::span<const complex> path) const {
  if (path.empty()) return {};
  if (!(path[0].real() < 0) || path[0].imag() != 0)
    throw InputError("DeltaEquation::track: the path must start at a negative real point");
  std::vector<complex> out(path.size());
  out[0] = at_negative(path[0].real());
  for (std::size_t k = 1; k < path.size(); ++k) {
    if (path[k].imag() < 0) throw InputError("DeltaEquation::track: the path must stay in the upper half plane");
    out[k] = step(path[k - 1], out[k - 1], path[k], 0);
  }
  return out;
}

complex DeltaEquation::at(complex z) const {
  if (z.imag() == 0 && z.real() < 0) return at_negative(z.real());
  // Round the spectrum through the upper half plane: left of it, up, across, down to z.
  const double start = -std::abs(z) - 1, height = std::max(std::fabs(z.imag()), 1 + std::abs(z));
  const complex path[] = {start, complex(start, height), complex(z.real(), height),
                          complex(z.real(), std::fabs(z.imag()))};
  const complex d = track(path).back();
  return z.imag() < 0 ? std::conj(d) : d;
}

std::vector<complex> delta_on_talbot(const DeltaEquation& equation, const TalbotRule& rule) {
  const std::size_t m = rule.s.size(), half = m / 2;
  // Nodes k ≥ M/2 have θ > 0, Im s > 0, so z = −s lies below the axis; track their conjugates
  // −conj(s_k), which climb from the crossing −r into the upper half plane as θ grows.
  std::vector<complex> path{complex(-rule.r, 0.0)};
  for (std::size_t k = half; k < m; ++k) path.push_back(-std::conj(rule.s[k]));
  const std::vector<complex> upper = equation.track(path);
  std::vector<complex> out(m);
  for (std::size_t k = half; k < m; ++k) {
    out[k] = std::conj(upper[k - half + 1]);
    out[m - 1 - k] = upper[k - half + 1];
  }
  return out;
}

}  // namespace rmt::theory::numerics
