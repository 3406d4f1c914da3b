#include "theory/deep_ntk.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include <fmt/format.h>

#include "core/base/error.hpp"
#include "theory/mp.hpp"
#include "theory/numerics/continuation.hpp"
#include "theory/numerics/support_scan.hpp"

namespace rmt::theory {

DeepNeuralTangentKernel::DeepNeuralTangentKernel(double a, double b, double gamma0, std::vector<double> gammas)
    : a_(a), b_(b), gamma0_(gamma0), gammas_(std::move(gammas)) {
  if (!(std::isfinite(b) && b >= 0.0 && b <= 1.0))
    throw InputError(fmt::format("DeepNeuralTangentKernel: b must be in [0, 1], got {}", b));
  if (!(std::isfinite(a) && a >= b * b))
    throw InputError(fmt::format("DeepNeuralTangentKernel: a = E σ'(ξ)² must be >= b² = {}, got {}", b * b, a));
  if (!(gamma0 > 0) || gammas_.empty())
    throw InputError("DeepNeuralTangentKernel: need γ0 > 0 and at least one layer");
  for (const double g : gammas_)
    if (!(g > 0)) throw InputError(fmt::format("DeepNeuralTangentKernel: layer ratio {} must be > 0", g));
  const int L = static_cast<int>(gammas_.size());
  for (int l = 0; l < L; ++l) r_plus_ += std::pow(a_, L - l) - std::pow(b_, 2.0 * (L - l));
  last_delta_.assign(gammas_.size(), 0.0);
  const auto m = moments(2);
  const double sd = std::sqrt(std::max(m[1] - m[0] * m[0], 0.0));
  support_ = numerics::scan_support([this](double x) { return density(x); }, r_plus_, m[0] + 12.0 * sd + 1.0, 4000,
                                    1e-8);
}

std::vector<complex> DeepNeuralTangentKernel::residuals(const std::vector<complex>& delta, complex z, complex* m_out) const {
  const std::size_t L = gammas_.size();
  const double b2 = b_ * b_;
  std::vector<complex> u(L), c(L + 1);
  for (std::size_t l = 0; l < L; ++l) u[l] = 1.0 / (1.0 + delta[l]);  // u[l] is u_{l+1}
  // Down: c[ℓ] = c'_ℓ, zl = z_ℓ.
  c[L] = 1.0;
  complex zl = z - r_plus_;
  for (std::size_t l = L; l >= 1; --l) {
    c[l - 1] = std::pow(b_, 2.0 * static_cast<double>(L - l + 1)) + c[l] * b2 * u[l - 1];
    zl -= c[l] * (1.0 - b2) * u[l - 1];
  }
  complex m, s;  // m and s_0
  if (c[0] == 0.0) {  // b = 0: the input is forgotten, (−z_0)⁻¹ and (1/n) tr X_0ᵀX_0 = 1
    m = s = -1.0 / zl;
  } else {
    const complex w = zl / c[0];
    const complex mmp = MarchenkoPastur(gamma0_).stieltjes(w);
    m = mmp / c[0];
    s = (1.0 + w * mmp) / c[0];
  }
  std::vector<complex> f(L);
  for (std::size_t l = 1; l <= L; ++l) {
    const complex t = (1.0 - b2) * m + b2 * s;
    f[l - 1] = delta[l - 1] - c[l] * gammas_[l - 1] * t;
    s = u[l - 1] * t;
  }
  if (m_out) *m_out = m;
  return f;
}

bool DeepNeuralTangentKernel::newton(std::vector<complex>& delta, complex z) const {
  const std::size_t L = delta.size();
  for (int it = 0; it < 80; ++it) {
    const auto f = residuals(delta, z, nullptr);
    double norm = 0, size = 0;
    for (const auto& v : f) norm = std::max(norm, std::abs(v));
    // Jacobian by complex finite differences (F is analytic in δ).
    std::vector<complex> jac(L * L);
    for (std::size_t j = 0; j < L; ++j) {
      auto shifted = delta;
      const complex h = 1e-7 * (1.0 + std::abs(delta[j]));
      shifted[j] += h;
      const auto g = residuals(shifted, z, nullptr);
      for (std::size_t i = 0; i < L; ++i) jac[i * L + j] = (g[i] - f[i]) / h;
    }
    std::vector<complex> step = f;
    for (std::size_t col = 0; col < L; ++col) {  // Gaussian elimination, partial pivoting
      std::size_t piv = col;
      for (std::size_t r = col + 1; r < L; ++r)
        if (std::abs(jac[r * L + col]) > std::abs(jac[piv * L + col])) piv = r;
      if (piv != col) {
        for (std::size_t k = 0; k < L; ++k) std::swap(jac[col * L + k], jac[piv * L + k]);
        std::swap(step[col], step[piv]);
      }
      if (jac[col * L + col] == 0.0) return false;
      for (std::size_t r = col + 1; r < L; ++r) {
        const complex factor = jac[r * L + col] / jac[col * L + col];
        for (std::size_t k = col; k < L; ++k) jac[r * L + k] -= factor * jac[col * L + k];
        step[r] -= factor * step[col];
      }
    }
    for (std::size_t col = L; col-- > 0;) {
      for (std::size_t k = col + 1; k < L; ++k) step[col] -= jac[col * L + k] * step[k];
      step[col] /= jac[col * L + col];
    }
    double scale = 0;
    for (std::size_t l = 0; l < L; ++l) {
      delta[l] -= step[l];
      if (!std::isfinite(delta[l].real()) || !std::isfinite(delta[l].imag())) return false;
      size = std::max(size, std::abs(step[l]));
      scale = std::max(scale, std::abs(delta[l]));
    }
    if (size < 1e-13 * (1 + scale) || (norm < 1e-15 && size < 1e-10 * (1 + scale))) {
      complex m;
      residuals(delta, z, &m);
      return z.imag() <= 0 || m.imag() >= -1e-12 * (1 + std::abs(m));  // the physical branch
    }
  }
  return false;
}

std::vector<complex> DeepNeuralTangentKernel::deltas(complex z) const {
  const double scale = 1.0 + r_plus_;
  const complex at(z.real(), std::max(z.imag(), 1e-12 * scale));
  std::vector<complex> d = last_delta_;
  const bool near = last_z_.imag() > 0 && std::abs(at - last_z_) < 0.02 * scale &&
                    std::abs(std::log(at.imag() / last_z_.imag())) < 1.0;
  if (!(near && newton(d, at))) {
    double eta = std::max(at.imag(), 10.0 * (scale + std::abs(at.real())) * (1.0 + gammas_.size()));
    for (std::size_t l = 0; l < d.size(); ++l) d[l] = -gammas_[l] / complex(at.real(), eta);
    if (!newton(d, complex(at.real(), eta))) throw NumericalError("DeepNeuralTangentKernel: no start for δ");
    numerics::descend_to_axis(
        d, at.real(), at.imag(), eta, 1e-6 * scale, 0.0,
        [this](std::vector<complex>& v, complex w) { return newton(v, w); }, "DeepNeuralTangentKernel");
  }
  last_z_ = at;
  last_delta_ = d;
  return d;
}

complex DeepNeuralTangentKernel::stieltjes(complex z) const {
  if (z.imag() < 0) return std::conj(stieltjes(std::conj(z)));
  complex m;
  const auto d = deltas(z);
  residuals(d, complex(z.real(), std::max(z.imag(), 1e-12 * (1.0 + r_plus_))), &m);
  return m;
}

double DeepNeuralTangentKernel::density(double x) const {
  if (x <= r_plus_) return 0.0;
  return std::max(0.0, stieltjes(complex(x, 1e-12 * (1.0 + r_plus_))).imag() / std::numbers::pi);
}

std::vector<Interval> DeepNeuralTangentKernel::support() const { return support_; }

// G_ℓ = X_ℓᵀX_ℓ: (1/n) tr G_ℓ = 1; M_ℓ = (1/n) tr G_ℓ² = (1 − b²)² + 2b²(1 − b²) + b⁴ M_{ℓ−1} + γ_ℓ,
// M_0 = 1 + γ0; C(ℓ, k) = (1/n) tr G_ℓ G_k = (1 − b²) + b² C(ℓ−1, k) for ℓ > k, C(k, k) = M_k.
std::vector<double> DeepNeuralTangentKernel::moments(int count) const {
  if (count < 0 || count > 2) throw InputError("DeepNeuralTangentKernel: moments are available for count 0..2");
  const int L = static_cast<int>(gammas_.size());
  const double b2 = b_ * b_;
  std::vector<double> coef(static_cast<std::size_t>(L + 1)), m2(static_cast<std::size_t>(L + 1));
  for (int l = 0; l <= L; ++l) coef[l] = std::pow(b_, 2.0 * (L - l));
  m2[0] = 1.0 + gamma0_;
  for (int l = 1; l <= L; ++l) m2[l] = (1 - b2) * (1 - b2) + 2 * b2 * (1 - b2) + b2 * b2 * m2[l - 1] + gammas_[l - 1];
  double first = r_plus_, second = r_plus_ * r_plus_;
  for (int l = 0; l <= L; ++l) first += coef[l];
  for (int l = 0; l <= L; ++l) second += 2 * r_plus_ * coef[l];
  for (int k = 0; k <= L; ++k) {
    double cross = m2[k];  // C(k, k), then C(ℓ, k) for ℓ = k+1..L
    second += coef[k] * coef[k] * cross;
    for (int l = k + 1; l <= L; ++l) {
      cross = (1 - b2) + b2 * cross;
      second += 2 * coef[l] * coef[k] * cross;
    }
  }
  std::vector<double> out{first, second};
  out.resize(static_cast<std::size_t>(count));
  return out;
}

}  // namespace rmt::theory
