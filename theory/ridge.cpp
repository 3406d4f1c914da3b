#include "theory/ridge.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <tuple>
#include <vector>

#include "core/base/error.hpp"

namespace rmt::theory {
namespace {

constexpr double kEps = std::numeric_limits<double>::epsilon();

// One internal form for both entry points: eigenvalues s_k with per-sample multiplicities m_k
// (df₁/n = Σ m_k s_k/(s_k + κ)) and signal b_k (β*ᵀΣ(Σ+κ)⁻²β* = Σ b_k s_k/(s_k + κ)²).
// A finite spectrum has m_k = 1/n and b_k = beta2_k; a population spectrum m_k = γw_k, b_k = r2 w_k.
struct Weighted {
  std::vector<double> s, m, b;
  double rank_ratio = 0;  // Σ m_k = rank Σ / n
};

struct Traces {
  double f1 = 0, f2 = 0;  // df₁/n, df₂/n
  double signal = 0;      // Σ b s/(s+κ)²
};

// with_signal = false skips the signal sum (and its division) inside the κ solver.
Traces traces(const Weighted& w, double kappa, bool with_signal = true) {
  Traces t;
  for (std::size_t k = 0; k < w.s.size(); ++k) {
    const double q = w.s[k] / (w.s[k] + kappa);
    t.f1 += w.m[k] * q;
    t.f2 += w.m[k] * q * q;
    if (with_signal) t.signal += w.b[k] * q / (w.s[k] + kappa);
  }
  return t;
}

void check_common(double lambda, double sigma2, const char* who) {
  if (!(std::isfinite(lambda) && lambda >= 0.0))
    throw InputError(fmt::format("{}: lambda = {} must be >= 0", who, lambda));
  if (!(std::isfinite(sigma2) && sigma2 >= 0.0))
    throw InputError(fmt::format("{}: sigma2 = {} must be >= 0", who, sigma2));
}

// κ for the weighted form. g(κ) = κ(1 − df₁/n) − λ is convex on (0, ∞) (g' = 1 − df₂/n, df₂
// decreasing) with g < 0 on (0, max(λ, κ₀)], so the root is unique and Newton from the upper end
// λ + tr Σ/n (where g ≥ 0 because κ df₁ ≤ tr Σ) converges monotonically.
double solve_kappa(const Weighted& w, double lambda, const char* who) {
  if (lambda == 0.0) {
    if (w.rank_ratio == 1.0)
      throw InputError(fmt::format("{}: ridgeless risk diverges at the interpolation threshold p = n", who));
    if (w.rank_ratio < 1.0) return 0.0;
  }
  double trace = 0.0, smin = std::numeric_limits<double>::infinity();
  for (std::size_t k = 0; k < w.s.size(); ++k) {
    trace += w.m[k] * w.s[k];
    smin = std::min(smin, w.s[k]);
  }
  const double hi = lambda + trace;
  // λ > 0: g(λ) = −λ df₁/n < 0. λ = 0, p > n: df₁/n ≥ ρ s_min/(s_min + κ) > 1 below s_min(ρ − 1).
  const double lo = lambda > 0.0 ? lambda : 0.5 * smin * (w.rank_ratio - 1.0);
  const auto g = [&](double kappa) {
    const Traces t = traces(w, kappa, false);
    return std::pair{kappa * (1.0 - t.f1) - lambda, 1.0 - t.f2};
  };
  return solve_kappa_equation(g, lo, hi);
}

RidgeRisk assemble(const Weighted& w, double lambda, double sigma2, const char* who) {
  RidgeRisk r;
  r.kappa = solve_kappa(w, lambda, who);
  if (r.kappa == 0.0) {  // ridgeless, p < n: interpolation impossible, pure variance
    const double g = w.rank_ratio;
    r.variance = sigma2 * g / (1.0 - g);
    r.test = r.variance;
    r.train = sigma2 * (1.0 - g);
    return r;
  }
  const Traces t = traces(w, r.kappa);
  const double den = 1.0 - t.f2;
  r.bias = r.kappa * r.kappa * t.signal / den;
  r.variance = sigma2 * t.f2 / den;
  r.test = r.bias + r.variance;
  // GCV identity E_train = (λ/κ)² E_test; the min-norm interpolator has zero training error.
  r.train = lambda > 0.0 ? (lambda / r.kappa) * (lambda / r.kappa) * (r.test + sigma2) : 0.0;
  return r;
}

Weighted from_spectrum(std::span<const double> s, std::span<const double> beta2, double n, const char* who) {
  if (s.empty()) throw InputError(fmt::format("{}: empty spectrum", who));
  if (beta2.size() != s.size())
    throw InputError(fmt::format("{}: {} eigenvalues but {} signal powers", who, s.size(), beta2.size()));
  if (!(std::isfinite(n) && n > 0.0)) throw InputError(fmt::format("{}: n = {} must be > 0", who, n));
  Weighted w;
  w.s.assign(s.begin(), s.end());
  w.b.assign(beta2.begin(), beta2.end());
  w.m.assign(s.size(), 1.0 / n);
  for (std::size_t k = 0; k < s.size(); ++k) {
    if (!(std::isfinite(s[k]) && s[k] > 0.0))
      throw InputError(fmt::format("{}: eigenvalue s[{}] = {} must be > 0", who, k, s[k]));
    if (!(std::isfinite(beta2[k]) && beta2[k] >= 0.0))
      throw InputError(fmt::format("{}: signal beta2[{}] = {} must be >= 0", who, k, beta2[k]));
  }
  // Exactly 1 when D = n: the ridgeless interpolation threshold.
  const double rank = static_cast<double>(s.size());
  w.rank_ratio = rank == n ? 1.0 : rank / n;
  return w;
}

}  // namespace

double solve_kappa_equation(const std::function<std::pair<double, double>(double)>& g, double lo,
                            double hi) {
  RMT_EXPECTS(lo > 0.0 && hi >= lo, "bracket [{}, {}]", lo, hi);
  auto [gx, dx] = g(hi);
  if (gx <= 0.0) return hi;
  if (g(lo).first >= 0.0) return lo;
  double x = hi;
  double step_old = hi - lo, step = step_old;
  for (int it = 0; it < 400; ++it) {
    // Newton from the latest point, unless it leaves the bracket or its step is not below half the
    // step before last (slow progress): then bisect the bracket in log κ.
    const double newton = dx > 0.0 ? gx / dx : std::numeric_limits<double>::infinity();
    if (std::abs(newton) <= 4.0 * kEps * x) return x - newton;
    const bool take_newton = x - newton > lo && x - newton < hi && 2.0 * std::abs(newton) <= step_old;
    const double next = take_newton ? x - newton : std::sqrt(lo * hi);
    step_old = step;
    step = std::abs(next - x);
    x = next;
    std::tie(gx, dx) = g(x);
    if (gx == 0.0) return x;
    (gx > 0.0 ? hi : lo) = x;
    if (hi - lo <= 4.0 * kEps * hi) return x;
  }
  throw NumericalError(fmt::format("kappa equation: no convergence in [{}, {}]", lo, hi));
}

double ridge_kappa(std::span<const double> s, double n, double lambda) {
  check_common(lambda, 0.0, "ridge_kappa");
  const std::vector<double> zeros(s.size(), 0.0);
  return solve_kappa(from_spectrum(s, zeros, n, "ridge_kappa"), lambda, "ridge_kappa");
}

RidgeRisk ridge_risk_spectrum(std::span<const double> s, std::span<const double> beta2, double n,
                              double lambda, double sigma2) {
  check_common(lambda, sigma2, "ridge_risk_spectrum");
  return assemble(from_spectrum(s, beta2, n, "ridge_risk_spectrum"), lambda, sigma2, "ridge_risk_spectrum");
}

RidgeRisk ridge_risk(const PopulationSpectrum& h, double gamma, double lambda, double r2, double sigma2) {
  constexpr const char* who = "ridge_risk";
  check_common(lambda, sigma2, who);
  if (!(std::isfinite(gamma) && gamma > 0.0)) throw InputError(fmt::format("{}: gamma = {} must be > 0", who, gamma));
  if (!(std::isfinite(r2) && r2 >= 0.0)) throw InputError(fmt::format("{}: r2 = {} must be >= 0", who, r2));
  if (h.t.empty() || h.t.size() != h.w.size())
    throw InputError(fmt::format("{}: population needs as many weights as eigenvalues (got {} and {})", who,
                                 h.t.size(), h.w.size()));
  double total = 0.0;
  for (std::size_t k = 0; k < h.t.size(); ++k) {
    if (!(std::isfinite(h.t[k]) && h.t[k] > 0.0))
      throw InputError(fmt::format("{}: eigenvalue t[{}] = {} must be > 0", who, k, h.t[k]));
    if (!(std::isfinite(h.w[k]) && h.w[k] >= 0.0))
      throw InputError(fmt::format("{}: weight w[{}] = {} must be >= 0", who, k, h.w[k]));
    total += h.w[k];
  }
  if (!(std::abs(total - 1.0) <= 1e-9)) throw InputError(fmt::format("{}: weights sum to {}, not 1", who, total));
  Weighted w;
  for (std::size_t k = 0; k < h.t.size(); ++k) {
    const double wk = h.w[k] / total;
    w.s.push_back(h.t[k]);
    w.m.push_back(gamma * wk);
    w.b.push_back(r2 * wk);
  }
  w.rank_ratio = gamma;  // every t > 0: rank Σ = p
  return assemble(w, lambda, sigma2, who);
}

RidgeRisk hmrt_isotropic(double gamma, double lambda, double r2, double sigma2) {
  constexpr const char* who = "hmrt_isotropic";
  check_common(lambda, sigma2, who);
  if (!(std::isfinite(gamma) && gamma > 0.0)) throw InputError(fmt::format("{}: gamma = {} must be > 0", who, gamma));
  if (!(std::isfinite(r2) && r2 >= 0.0)) throw InputError(fmt::format("{}: r2 = {} must be >= 0", who, r2));
  RidgeRisk r;
  if (lambda == 0.0) {
    if (gamma == 1.0)
      throw InputError(fmt::format("{}: ridgeless risk diverges at the interpolation threshold gamma = 1", who));
    if (gamma < 1.0) {
      r.variance = sigma2 * gamma / (1.0 - gamma);
      r.train = sigma2 * (1.0 - gamma);
    } else {
      r.kappa = gamma - 1.0;
      r.bias = r2 * (1.0 - 1.0 / gamma);
      r.variance = sigma2 / (gamma - 1.0);
    }
    r.test = r.bias + r.variance;
    return r;
  }
  // m(−λ) of MP(γ) is real on the negative axis, and m' follows from differentiating its quadratic
  // (no finite differences). For γ > 1, m carries the atom (1 − 1/γ)/λ, which cancels in
  // m − λm'; there the companion m_c = γm + (γ − 1)/z of XᵀX/n (no atom) is used instead:
  //   𝓥 = σ²(m_c − λm_c'),  𝓑 = (r2/γ)(λ²m_c' + γ − 1).
  if (gamma <= 1.0) {
    // γzm² − (1 − γ − z)m + 1 = 0 at z = −λ: m = 2/(d + c), m' = (m + γm²)/d with
    // d = √((λ + a)(λ + b)) = √(c² + 4γλ), c = 1 − γ + λ ≥ 0.
    const double c = 1.0 - gamma + lambda;
    const double d = std::sqrt(c * c + 4.0 * gamma * lambda);
    const double m = 2.0 / (d + c);
    const double dm = (m + gamma * m * m) / d;
    r.bias = r2 * lambda * lambda * dm;
    r.variance = sigma2 * gamma * (m - lambda * dm);
  } else {
    // zm_c² + (z − γ + 1)m_c + 1 = 0 at z = −λ: m_c = 2/(c + d), m_c' = m_c(1 + m_c)/d with
    // c = γ − 1 + λ > 0, d = √(c² + 4λ).
    const double c = gamma - 1.0 + lambda;
    const double d = std::sqrt(c * c + 4.0 * lambda);
    const double mc = 2.0 / (c + d);
    const double dmc = mc * (1.0 + mc) / d;
    r.bias = r2 / gamma * (lambda * lambda * dmc + gamma - 1.0);
    r.variance = sigma2 * (mc - lambda * dmc);
  }
  r.test = r.bias + r.variance;
  // κ from λ = κ(1 − γ/(1 + κ)), i.e. κ² + (1 − γ − λ)κ − λ = 0, positive root without cancellation.
  const double bq = lambda + gamma - 1.0;
  const double disc = std::sqrt(bq * bq + 4.0 * lambda);
  r.kappa = bq >= 0.0 ? 0.5 * (bq + disc) : 2.0 * lambda / (disc - bq);
  r.train = (lambda / r.kappa) * (lambda / r.kappa) * (r.test + sigma2);
  return r;
}

}  // namespace rmt::theory
