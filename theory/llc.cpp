#include "theory/llc.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <numeric>

#include <boost/math/quadrature/gauss_kronrod.hpp>
#include <cblas.h>

#include "core/base/error.hpp"
#include "theory/gaussian.hpp"
#include "theory/numerics/continuation.hpp"
#include "theory/numerics/newton_stop.hpp"
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
  std::vector<double> gram(static_cast<std::size_t>(n * n));  // XᵀX, upper triangle (i ≤ j)
  cblas_dsyrk(CblasColMajor, CblasUpper, CblasTrans, static_cast<int>(n), static_cast<int>(p), 1.0, x.data(),
              static_cast<int>(p), 0.0, gram.data(), static_cast<int>(n));
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
    : RandomFeatureGram(std::vector<std::vector<double>>{std::move(phi_eigenvalues)}, std::vector<double>{alpha}) {}

RandomFeatureGram::RandomFeatureGram(std::vector<std::vector<double>> kernel_eigenvalues, std::vector<double> alphas)
    : kappa_(std::move(kernel_eigenvalues)), alpha_(std::move(alphas)) {
  if (kappa_.empty() || kappa_.size() != alpha_.size() || kappa_.front().empty())
    throw InputError("RandomFeatureGram: need kernel eigenvalues and one α = N/n per block");
  double top = 0;
  for (std::size_t j = 0; j < kappa_.size(); ++j) {
    if (!(alpha_[j] > 0)) throw InputError("RandomFeatureGram: every α = N/n must be positive");
    if (kappa_[j].size() != kappa_.front().size()) throw InputError("RandomFeatureGram: blocks of different sizes");
    for (auto& l : kappa_[j]) l = std::max(l, 0.0);  // kernels are positive semi-definite; drop rounding noise
    top = std::max(top, alpha_[j] * *std::max_element(kappa_[j].begin(), kappa_[j].end()));
  }
  if (!(top > 0)) throw InputError("RandomFeatureGram: the kernel is zero");
  last_delta_.assign(kappa_.size(), 0.0);
  scale_ = moments(1)[0] > 0 ? moments(1)[0] : top;
  double total = 0;
  for (const double a : alpha_) total += a;
  const double hi = top * std::pow(1 + 1 / std::sqrt(total), 2) * 1.2 * static_cast<double>(kappa_.size()) + scale_;
  support_ = numerics::scan_support([this](double x) { return density(x); }, 0.0, hi, 4000, 1e-7 / scale_);
}

// Newton on F_j(δ) = δ_j - (1/n) Σ_k κ_jk / D_k, D_k = Σ_l α_l κ_lk/(1+δ_l) - z; accepts only Im δ ≥ 0.
bool RandomFeatureGram::newton(std::vector<complex>& delta, complex z) const {
  const std::size_t J = kappa_.size(), n = kappa_.front().size();
  const double inv_n = 1.0 / static_cast<double>(n);
  std::vector<complex> u(J), f(J), jac(J * J);
  numerics::NewtonStop stop;
  for (int it = 0; it < 60; ++it) {
    for (std::size_t j = 0; j < J; ++j) u[j] = 1.0 / (1.0 + delta[j]);
    f = delta;
    std::fill(jac.begin(), jac.end(), complex(0.0));
    for (std::size_t j = 0; j < J; ++j) jac[j * J + j] = 1.0;
    for (std::size_t k = 0; k < n; ++k) {
      complex d = -z;
      for (std::size_t l = 0; l < J; ++l) d += alpha_[l] * kappa_[l][k] * u[l];
      // 1/d as conj(d)/|d|²: d is O(scale) and never 0 off the axis, so the careful complex division
      // (its overflow and NaN handling dominated the profile) is not needed.
      const complex inv = std::conj(d) / std::norm(d), inv2 = inv * inv;
      for (std::size_t j = 0; j < J; ++j) {
        f[j] -= kappa_[j][k] * inv * inv_n;
        for (std::size_t l = 0; l < J; ++l) jac[j * J + l] -= kappa_[j][k] * alpha_[l] * kappa_[l][k] * u[l] * u[l] * inv2 * inv_n;
      }
    }
    // Solve jac · step = f by Gaussian elimination with partial pivoting (J is 1 or 2).
    std::vector<complex> step = f;
    for (std::size_t c = 0; c < J; ++c) {
      std::size_t piv = c;
      for (std::size_t r = c + 1; r < J; ++r)
        if (std::abs(jac[r * J + c]) > std::abs(jac[piv * J + c])) piv = r;
      if (piv != c) {
        for (std::size_t l = 0; l < J; ++l) std::swap(jac[c * J + l], jac[piv * J + l]);
        std::swap(step[c], step[piv]);
      }
      if (std::abs(jac[c * J + c]) == 0.0) return false;
      for (std::size_t r = c + 1; r < J; ++r) {
        const complex m = jac[r * J + c] / jac[c * J + c];
        for (std::size_t l = c; l < J; ++l) jac[r * J + l] -= m * jac[c * J + l];
        step[r] -= m * step[c];
      }
    }
    for (std::size_t c = J; c-- > 0;) {
      for (std::size_t l = c + 1; l < J; ++l) step[c] -= jac[c * J + l] * step[l];
      step[c] /= jac[c * J + c];
    }
    double size = 0, norm = 0, residual = 0;
    for (std::size_t j = 0; j < J; ++j) {
      delta[j] -= step[j];
      if (!std::isfinite(delta[j].real()) || !std::isfinite(delta[j].imag())) return false;
      size = std::max(size, std::abs(step[j]));
      norm = std::max(norm, std::abs(delta[j]));
      residual = std::max(residual, std::abs(f[j]));
    }
    if (stop.converged(size, norm, residual)) {
      for (const auto& d : delta)
        if (d.imag() < -1e-12 * (1 + std::abs(d))) return false;
      return true;
    }
  }
  return false;
}

std::vector<complex> RandomFeatureGram::deltas(complex z) const {
  const complex at(z.real(), std::max(z.imag(), 1e-12 * scale_));
  // Warm starts only inside a band (Im δ > 0 before and after): from a gap, Newton would stay on
  // the real root and never enter a band, so gaps and band entries take the continuation.
  const auto in_band = [](const std::vector<complex>& v) {
    for (const auto& d : v)
      if (d.imag() > 1e-10 * (1 + std::abs(d))) return true;
    return false;
  };
  std::vector<complex> d = last_delta_;
  const bool near = last_z_.imag() > 0 && std::abs(at - last_z_) < 0.05 * scale_ &&
                    std::abs(std::log(at.imag() / last_z_.imag())) < 1.0 && in_band(last_delta_);
  if (!(near && newton(d, at) && in_band(d))) d = continuation(at);
  last_z_ = at;
  last_delta_ = d;
  if (z.imag() <= 0)
    for (auto& v : d) v = {v.real(), 0.0};  // real z outside the support: the real limit
  return d;
}

// Continuation in Im z from far above the spectrum, where δ_j ≈ -(1/n) Σ κ_j / z.
std::vector<complex> RandomFeatureGram::continuation(complex z) const {
  double eta = std::max(z.imag(), 10.0 * (scale_ + std::abs(z.real())));
  std::vector<complex> d(kappa_.size());
  for (std::size_t j = 0; j < kappa_.size(); ++j) {
    const double mean = std::accumulate(kappa_[j].begin(), kappa_[j].end(), 0.0) / static_cast<double>(kappa_[j].size());
    d[j] = -mean / complex(z.real(), eta);
  }
  if (!newton(d, complex(z.real(), eta))) throw NumericalError("RandomFeatureGram: no start for δ");
  numerics::descend_to_axis(
      d, z.real(), z.imag(), eta, 1e-6 * scale_, 0.0,
      [this](std::vector<complex>& v, complex at) { return newton(v, at); }, "RandomFeatureGram");
  return d;
}

complex RandomFeatureGram::stieltjes(complex z) const {
  const auto d = deltas(z);
  const std::size_t n = kappa_.front().size();
  complex m = 0;
  for (std::size_t k = 0; k < n; ++k) {
    complex den = -z;
    for (std::size_t j = 0; j < kappa_.size(); ++j) den += alpha_[j] * kappa_[j][k] / (1.0 + d[j]);
    m += std::conj(den) / std::norm(den);
  }
  return m / static_cast<double>(n);
}

double RandomFeatureGram::density(double x) const {
  if (x <= 0) return 0.0;  // the atom at 0 is reported separately
  return std::max(0.0, stieltjes(complex(x, 1e-12 * scale_)).imag() / std::numbers::pi);
}

std::vector<Interval> RandomFeatureGram::support() const { return support_; }

std::vector<Atom> RandomFeatureGram::atoms() const {
  const double n = static_cast<double>(kappa_.front().size());
  double rank = 0;
  for (std::size_t j = 0; j < kappa_.size(); ++j) {
    const double top = *std::max_element(kappa_[j].begin(), kappa_[j].end());
    const auto r = std::count_if(kappa_[j].begin(), kappa_[j].end(), [&](double l) { return l > 1e-10 * top; });
    rank += std::min(alpha_[j], static_cast<double>(r) / n);
  }
  const double mass = 1.0 - std::min(1.0, rank);
  if (mass > 1e-12) return {{0.0, mass}};
  return {};
}

std::vector<double> RandomFeatureGram::moments(int count) const {
  if (count > 2) throw InputError("RandomFeatureGram: only the first two moments are implemented");
  const std::size_t J = kappa_.size();
  const double n = static_cast<double>(kappa_.front().size());
  std::vector<double> mean(J, 0.0);
  for (std::size_t j = 0; j < J; ++j)
    for (const double l : kappa_[j]) mean[j] += l / n;
  double m1 = 0, m2 = 0;
  for (std::size_t j = 0; j < J; ++j) {
    m1 += alpha_[j] * mean[j];
    m2 += alpha_[j] * mean[j] * mean[j];
    for (std::size_t l = 0; l < J; ++l) {
      double cross = 0;
      for (std::size_t k = 0; k < kappa_[j].size(); ++k) cross += kappa_[j][k] * kappa_[l][k] / n;
      m2 += alpha_[j] * alpha_[l] * cross;
    }
  }
  // One block, G = ΣᵀΣ/n with E[ΣᵀΣ] = NΦ: tr G/n = α mean λ; E tr G²/n = α² mean λ² + α (mean λ)².
  std::vector<double> m = {m1, m2};
  m.resize(static_cast<std::size_t>(std::max(count, 0)));
  return m;
}

}  // namespace rmt::theory
