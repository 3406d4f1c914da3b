#include "theory/llc.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <numeric>

#include <boost/math/quadrature/gauss_kronrod.hpp>

#include "core/error.hpp"
#include "theory/gaussian.hpp"
#include "theory/numerics/continuation.hpp"
#include "theory/numerics/support_scan.hpp"

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

std::vector<double> expected_kernel_matrix(const Activation& f, const std::vector<double>& x, index_t p, index_t n) {
  std::vector<double> gram(static_cast<std::size_t>(n * n));
  for (index_t j = 0; j < n; ++j)
    for (index_t i = 0; i <= j; ++i) {
      double s = 0;
      for (index_t k = 0; k < p; ++k) s += x[k + i * p] * x[k + j * p];
      gram[i + j * n] = s;
    }
  std::vector<double> phi(gram.size());
  Activation raw = f;
  raw.shift = 0;
  raw.scale = 1;
  if (!kernel_closed_form(raw, 1, 0.5, 1)) {
    for (index_t j = 0; j < n; ++j)
      for (index_t i = 0; i <= j; ++i)
        phi[i + j * n] = phi[j + i * n] = kernel_quadrature(f, gram[i + i * n], gram[i + j * n], gram[j + j * n]);
    return phi;
  }
  // Closed form of the raw σ, then the shift: E[(σ(u) - c)(σ(v) - c)] = E σσ - c(E σ(u) + E σ(v)) + c²,
  // with E σ(u) computed once per data point rather than once per pair.
  std::vector<double> mean(static_cast<std::size_t>(n), 0.0);
  if (f.shift != 0)
    for (index_t i = 0; i < n; ++i) {
      const double norm = std::sqrt(gram[i + i * n]);
      mean[i] = gaussian_expectation([&](double t) { return raw(norm * t); });
    }
  for (index_t j = 0; j < n; ++j)
    for (index_t i = 0; i <= j; ++i) {
      const double closed = *kernel_closed_form(raw, gram[i + i * n], gram[i + j * n], gram[j + j * n]);
      phi[i + j * n] = phi[j + i * n] =
          f.scale * f.scale * (closed - f.shift * (mean[i] + mean[j]) + f.shift * f.shift);
    }
  return phi;
}

RandomFeatureGram::RandomFeatureGram(std::vector<double> phi_eigenvalues, double alpha)
    : lambda_(std::move(phi_eigenvalues)), alpha_(alpha) {
  if (lambda_.empty() || !(alpha > 0)) throw InputError("RandomFeatureGram: need Φ eigenvalues and α = N/n > 0");
  for (auto& l : lambda_) l = std::max(l, 0.0);  // Φ is positive semi-definite; drop rounding noise
  const double top = *std::max_element(lambda_.begin(), lambda_.end());
  if (!(top > 0)) throw InputError("RandomFeatureGram: Φ is zero");
  scale_ = moments(1)[0] > 0 ? moments(1)[0] : top;
  const double hi = alpha_ * top * std::pow(1 + 1 / std::sqrt(alpha_), 2) * 1.2 + scale_;
  support_ = numerics::scan_support([this](double x) { return density(x); }, 0.0, hi, 4000, 1e-7 / scale_);
}

// Newton on F(δ) = δ - (1/n) Σ λ/(αλ/(1+δ) - z); accepts only Im δ ≥ 0 (Im z > 0).
bool RandomFeatureGram::newton(complex& delta, complex z) const {
  const double n = static_cast<double>(lambda_.size());
  for (int it = 0; it < 60; ++it) {
    complex f = delta, df = 1.0;
    const complex u = 1.0 / (1.0 + delta);
    for (const double l : lambda_) {
      const complex d = alpha_ * l * u - z;
      f -= l / d / n;
      df -= l * alpha_ * l * u * u / (d * d) / n;
    }
    const complex step = f / df;
    delta -= step;
    if (!std::isfinite(delta.real()) || !std::isfinite(delta.imag())) return false;
    if (std::abs(step) < 1e-13 * (1 + std::abs(delta))) return delta.imag() >= -1e-12 * (1 + std::abs(delta));
  }
  return false;
}

complex RandomFeatureGram::delta(complex z) const {
  const complex at(z.real(), std::max(z.imag(), 1e-12 * scale_));
  // Warm starts only inside a band (Im δ > 0 before and after): from a gap, Newton would stay on
  // the real root and never enter a band, so gaps and band entries take the continuation.
  const auto in_band = [](complex v) { return v.imag() > 1e-10 * (1 + std::abs(v)); };
  complex d = last_delta_;
  const bool near = last_z_.imag() > 0 && std::abs(at - last_z_) < 0.05 * scale_ &&
                    std::abs(std::log(at.imag() / last_z_.imag())) < 1.0 && in_band(last_delta_);
  if (!(near && newton(d, at) && in_band(d))) d = continuation(at);
  last_z_ = at;
  last_delta_ = d;
  if (z.imag() <= 0) d = {d.real(), 0.0};  // real z outside the support: the real limit
  return d;
}

// Continuation in Im z from far above the spectrum, where δ ≈ -(1/n) Σ λ / z.
complex RandomFeatureGram::continuation(complex z) const {
  const double mean = std::accumulate(lambda_.begin(), lambda_.end(), 0.0) / static_cast<double>(lambda_.size());
  double eta = std::max(z.imag(), 10.0 * (scale_ + std::abs(z.real())));
  complex d = -mean / complex(z.real(), eta);
  if (!newton(d, complex(z.real(), eta))) throw NumericalError("RandomFeatureGram: no start for δ");
  numerics::descend_to_axis(
      d, z.real(), z.imag(), eta, 1e-6 * scale_, 0.0, [this](complex& v, complex at) { return newton(v, at); },
      "RandomFeatureGram");
  return d;
}

complex RandomFeatureGram::stieltjes(complex z) const {
  const complex u = 1.0 / (1.0 + delta(z));
  complex m = 0;
  for (const double l : lambda_) m += 1.0 / (alpha_ * l * u - z);
  return m / static_cast<double>(lambda_.size());
}

double RandomFeatureGram::density(double x) const {
  if (x <= 0) return 0.0;  // the atom at 0 is reported separately
  return std::max(0.0, stieltjes(complex(x, 1e-12 * scale_)).imag() / std::numbers::pi);
}

std::vector<Interval> RandomFeatureGram::support() const { return support_; }

std::vector<Atom> RandomFeatureGram::atoms() const {
  const double top = *std::max_element(lambda_.begin(), lambda_.end());
  const auto rank = std::count_if(lambda_.begin(), lambda_.end(), [&](double l) { return l > 1e-10 * top; });
  const double n = static_cast<double>(lambda_.size());
  const double mass = 1.0 - std::min(alpha_, static_cast<double>(rank) / n);
  if (mass > 1e-12) return {{0.0, mass}};
  return {};
}

std::vector<double> RandomFeatureGram::moments(int count) const {
  if (count > 2) throw InputError("RandomFeatureGram: only the first two moments are implemented");
  const double n = static_cast<double>(lambda_.size());
  double s1 = 0, s2 = 0;
  for (const double l : lambda_) {
    s1 += l / n;
    s2 += l * l / n;
  }
  // G = ΣᵀΣ/n with E[ΣᵀΣ] = NΦ: tr G/n = α mean λ; E tr G²/n = α² mean λ² + α (mean λ)².
  std::vector<double> m = {alpha_ * s1, alpha_ * alpha_ * s2 + alpha_ * s1 * s1};
  m.resize(static_cast<std::size_t>(std::max(count, 0)));
  return m;
}

}  // namespace rmt::theory
