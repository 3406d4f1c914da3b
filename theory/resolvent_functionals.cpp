#include "theory/resolvent_functionals.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "core/base/error.hpp"

namespace rmt::theory {

SampleCovarianceResolvent::SampleCovarianceResolvent(PopulationSpectrum h, double c)
    : h_(std::move(h)), c_(c), law_(h_, c) {
  if (!(c_ > 0 && std::isfinite(c_))) throw InputError(fmt::format("resolvent: c = {} must be finite and > 0", c_));
}

complex SampleCovarianceResolvent::z_of(complex mt) const {
  complex s = 0;
  for (std::size_t k = 0; k < h_.t.size(); ++k) s += h_.w[k] * h_.t[k] / (1.0 + h_.t[k] * mt);
  return -1.0 / mt + c_ * s;
}

complex SampleCovarianceResolvent::dz(complex mt) const {
  complex s = 0;
  for (std::size_t k = 0; k < h_.t.size(); ++k) {
    const complex d = 1.0 + h_.t[k] * mt;
    s += h_.w[k] * h_.t[k] * h_.t[k] / (d * d);
  }
  return 1.0 / (mt * mt) - c_ * s;
}

complex SampleCovarianceResolvent::d2z(complex mt) const {
  complex s = 0;
  for (std::size_t k = 0; k < h_.t.size(); ++k) {
    const complex d = 1.0 + h_.t[k] * mt;
    s += h_.w[k] * std::pow(h_.t[k], 3) / (d * d * d);
  }
  return -2.0 / (mt * mt * mt) + 2.0 * c_ * s;
}

complex SampleCovarianceResolvent::d3z(complex mt) const {
  complex s = 0;
  for (std::size_t k = 0; k < h_.t.size(); ++k) {
    const complex d = 1.0 + h_.t[k] * mt;
    s += h_.w[k] * std::pow(h_.t[k], 4) / (d * d * d * d);
  }
  return 6.0 / (mt * mt * mt * mt) - 6.0 * c_ * s;
}

// Real z = −λ < 0: κ = 1/m̃ solves g(κ) = κ(1 − c Σ w t/(t + κ)) − λ = 0 on (κ₀, λ + c Σ w t], where
// κ₀ makes the bracket vanish (0 when c ≤ 1: all t > 0). Bisection to the last bit, then Newton.
double SampleCovarianceResolvent::real_companion(double z) const {
  const double lambda = -z;
  const auto bracket = [&](double kappa) {
    double s = 0;
    for (std::size_t k = 0; k < h_.t.size(); ++k) s += h_.w[k] * h_.t[k] / (h_.t[k] + kappa);
    return 1.0 - c_ * s;
  };
  double kappa0 = 0;
  if (c_ > 1) {  // bracket(0) = 1 − c < 0: find where it turns positive
    double lo = 0, hi = 1;
    while (bracket(hi) <= 0) hi *= 2;
    for (int it = 0; it < 200 && hi - lo > 1e-16 * hi; ++it) {
      const double mid = 0.5 * (lo + hi);
      (bracket(mid) <= 0 ? lo : hi) = mid;
    }
    kappa0 = hi;
  }
  double mean_t = 0;
  for (std::size_t k = 0; k < h_.t.size(); ++k) mean_t += h_.w[k] * h_.t[k];
  double lo = std::max(lambda, kappa0), hi = lambda + c_ * mean_t;
  const auto g = [&](double kappa) { return kappa * bracket(kappa) - lambda; };
  if (g(lo) > 0) lo = kappa0;  // λ ≥ κ₀ always brackets, but keep the root inside whatever the rounding
  for (int it = 0; it < 200 && hi - lo > 1e-15 * hi; ++it) {
    const double mid = 0.5 * (lo + hi);
    (g(mid) < 0 ? lo : hi) = mid;
  }
  double m = 1.0 / (0.5 * (lo + hi));
  for (int it = 0; it < 3; ++it) m -= (z_of(m).real() - z) / dz(m).real();
  return m;
}

complex SampleCovarianceResolvent::companion(complex z) const {
  if (z.imag() == 0.0) {
    if (!(z.real() < 0))
      throw InputError(fmt::format("resolvent: real z = {} must be < 0 (on the real axis only left of the spectrum)", z.real()));
    return real_companion(z.real());
  }
  if (z.imag() < 0) return std::conj(companion(std::conj(z)));
  complex m = law_.companion_stieltjes(z);
  for (int it = 0; it < 3; ++it) m -= (z_of(m) - z) / dz(m);  // polish to the last bits
  return m;
}

complex SampleCovarianceResolvent::diagonal(complex z, double s) const { return -1.0 / (z * (1.0 + companion(z) * s)); }

complex SampleCovarianceResolvent::bbar(complex z) const { return -z * companion(z); }

complex SampleCovarianceResolvent::trace(complex z) const { return companion(z) / c_ + (1.0 - c_) / (c_ * z); }

complex SampleCovarianceResolvent::trace_population(complex z) const {
  const complex m = companion(z);
  return -(1.0 + z * m) / (c_ * z * m);
}

complex SampleCovarianceResolvent::trace_bias(complex z) const {
  const complex m = companion(z);
  complex s3 = 0, s2 = 0;
  for (std::size_t k = 0; k < h_.t.size(); ++k) {
    const complex d = 1.0 + h_.t[k] * m;
    const double t2 = h_.t[k] * h_.t[k];
    s3 += h_.w[k] * t2 / (d * d * d);
    s2 += h_.w[k] * t2 / (d * d);
  }
  const complex den = 1.0 - c_ * m * m * s2;
  return c_ * m * m * m * s3 / (den * den);
}

complex SampleCovarianceResolvent::trace_covariance(complex z1, complex z2) const {
  const complex m1 = companion(z1), m2 = companion(z2);
  if (std::abs(z1 - z2) > 1e-3 * (1.0 + std::abs(z1))) {
    const complex d1 = 1.0 / dz(m1), d2 = 1.0 / dz(m2);
    return 2.0 * (d1 * d2 / ((m1 - m2) * (m1 - m2)) - 1.0 / ((z1 - z2) * (z1 - z2)));
  }
  // Same point (or nearly): the exact limit, with z', z'', z''' taken at m̃(z1).
  const complex d1 = dz(m1), d2 = d2z(m1), d3 = d3z(m1);
  const complex s = d3 / d1 - 1.5 * (d2 / d1) * (d2 / d1);
  return -s / (3.0 * d1 * d1);
}

namespace {

void check_vectors(std::span<const double> diag, std::span<const double> a, std::span<const double> b) {
  if (a.size() != diag.size() || b.size() != diag.size())
    throw InputError(fmt::format("resolvent: vectors of length {} and {} for a diagonal of length {}", a.size(), b.size(),
                                 diag.size()));
}

}  // namespace

complex SampleCovarianceResolvent::quadratic_form(complex z, std::span<const double> diag, std::span<const double> a,
                                                  std::span<const double> b) const {
  check_vectors(diag, a, b);
  const complex m = companion(z);
  complex s = 0;
  for (std::size_t i = 0; i < diag.size(); ++i)
    if (a[i] != 0 && b[i] != 0) s += a[i] * b[i] * (-1.0 / (z * (1.0 + m * diag[i])));
  return s;
}

complex SampleCovarianceResolvent::quadratic_form_covariance(complex z1, complex z2, std::span<const double> diag,
                                                             std::span<const double> a, std::span<const double> b) const {
  check_vectors(diag, a, b);
  const complex m1 = companion(z1), m2 = companion(z2);
  const auto q1 = [&](double s) { return -1.0 / (z1 * (1.0 + m1 * s)); };
  const auto q2 = [&](double s) { return -1.0 / (z2 * (1.0 + m2 * s)); };
  complex adb = 0, ada = 0, bdb = 0;
  for (std::size_t i = 0; i < diag.size(); ++i) {
    if (a[i] == 0 && b[i] == 0) continue;
    const complex d = diag[i] * q1(diag[i]) * q2(diag[i]);
    adb += a[i] * b[i] * d;
    ada += a[i] * a[i] * d;
    bdb += b[i] * b[i] * d;
  }
  complex gamma = 0;
  for (std::size_t k = 0; k < h_.t.size(); ++k) gamma += h_.w[k] * h_.t[k] * h_.t[k] * q1(h_.t[k]) * q2(h_.t[k]);
  gamma *= c_;
  const complex b1 = -z1 * m1, b2 = -z2 * m2;
  return b1 * b2 * (adb * adb + ada * bdb) / (1.0 - b1 * b2 * gamma);
}

ComplexVariance split_variance(complex cov_conj, complex cov_same) {
  return {0.5 * (cov_conj.real() + cov_same.real()), 0.5 * (cov_conj.real() - cov_same.real())};
}

}  // namespace rmt::theory
