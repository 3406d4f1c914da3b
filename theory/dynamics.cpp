#include "theory/dynamics.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <numeric>
#include <vector>

#include "core/base/error.hpp"
#include "theory/numerics/band_quadrature.hpp"
#include "theory/numerics/contour.hpp"

namespace rmt::theory {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

void require(bool ok, const char* who, const char* what, double value) {
  if (!ok) throw InputError(fmt::format("{}: {} (got {})", who, what, value));
}

// Σ's spectrum with equal eigenvalues merged: the equivalents only see distinct values, their
// multiplicities and the signal power on each eigenspace. Zero eigenvalues are dropped: those
// directions carry no data, no test risk and no training residual.
struct GroupedSpectrum {
  std::vector<double> s, count, beta2;
  double rank = 0;  // number of positive eigenvalues
};

GroupedSpectrum group_spectrum(std::span<const double> sigma_eig, std::span<const double> beta2) {
  std::vector<std::size_t> order(sigma_eig.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t i, std::size_t j) { return sigma_eig[i] < sigma_eig[j]; });
  GroupedSpectrum g;
  for (const std::size_t i : order) {
    if (sigma_eig[i] == 0) continue;
    if (g.s.empty() || g.s.back() != sigma_eig[i]) {
      g.s.push_back(sigma_eig[i]);
      g.count.push_back(0);
      g.beta2.push_back(0);
    }
    g.count.back() += 1;
    g.beta2.back() += beta2[i];
    g.rank += 1;
  }
  return g;
}

// Ridgeless limit (docs/theory.md §5.1, λ ↓ 0): κ = 0 below the threshold, else κ₀ with df₁(κ₀) = n.
FlowPoint ridgeless(const GroupedSpectrum& g, double n, double sigma2) {
  FlowPoint out;
  out.t = kInf;
  if (g.rank < n) {
    out.variance = sigma2 * g.rank / (n - g.rank);
    out.train = sigma2 * (1 - g.rank / n);
  } else if (g.rank == n) {
    out.variance = kInf;  // interpolation threshold
  } else {
    const auto df = [&](double kappa, int power) {
      double sum = 0;
      for (std::size_t i = 0; i < g.s.size(); ++i) sum += g.count[i] * std::pow(g.s[i] / (g.s[i] + kappa), power);
      return sum;
    };
    // df₁ decreases from rank (κ = 0) to 0: bisection in log κ on a bracket found by doubling.
    double lo = g.s.front() * 1e-300, hi = g.s.back();
    while (df(hi, 1) > n) hi *= 2;
    while (df(lo, 1) < n) lo /= 2;
    for (int it = 0; it < 2000 && hi > lo * (1 + 1e-15); ++it) {
      const double mid = std::sqrt(lo * hi);
      (df(mid, 1) > n ? lo : hi) = mid;
    }
    const double kappa = std::sqrt(lo * hi), df2 = df(kappa, 2);
    double b = 0;
    for (std::size_t i = 0; i < g.s.size(); ++i) b += g.beta2[i] * g.s[i] / ((g.s[i] + kappa) * (g.s[i] + kappa));
    out.bias = kappa * kappa * b / (1 - df2 / n);
    out.variance = sigma2 * df2 / n / (1 - df2 / n);
  }
  out.test = out.bias + out.variance;
  return out;
}

// Diagonal of Q̄(z) = (aΣ − z)⁻¹ at z = −s: q_g = 1/(a s_g + s).
std::vector<complex> qbar_diagonal(const GroupedSpectrum& g, complex a, complex s) {
  std::vector<complex> q(g.s.size());
  for (std::size_t i = 0; i < g.s.size(); ++i) q[i] = 1.0 / (a * g.s[i] + s);
  return q;
}

}  // namespace

FlowPoint gf_isotropic(double gamma, double t, double r2, double sigma2, double sigma0_sq, double eta) {
  const char* who = "gf_isotropic";
  require(gamma > 0 && std::isfinite(gamma), who, "gamma = p/n must be positive", gamma);
  require(t >= 0, who, "t must be non-negative", t);
  require(r2 >= 0 && std::isfinite(r2), who, "r2 must be non-negative", r2);
  require(sigma2 >= 0 && std::isfinite(sigma2), who, "sigma2 must be non-negative", sigma2);
  require(sigma0_sq >= 0 && std::isfinite(sigma0_sq), who, "sigma0_sq must be non-negative", sigma0_sq);
  require(eta >= 0 && std::isfinite(eta), who, "eta must be non-negative", eta);
  const double a = std::pow(1 - std::sqrt(gamma), 2), b = std::pow(1 + std::sqrt(gamma), 2);
  if (eta > 0 && !(eta < 2 / b))
    throw InputError(
        fmt::format("{}: step eta = {} is unstable: gradient descent needs eta < 2/λmax = {}", who, eta, 2 / b));
  const double atom = std::max(0.0, 1 - 1 / gamma);

  // d(x) = e^{−tx} (flow) or (1 − ηx)^k (descent): the decay of the residual along eigenvalue x.
  // While d > 0, log d = −tx or k·log1p(−ηx) keeps full relative accuracy (pow would amplify the
  // rounding of 1 − ηx by k), and expm1 gives d − 1 and d² − 1 without cancellation.
  const double steps = eta > 0 ? std::round(t / eta) : 0;
  const auto log_decay = [&](double x) { return eta == 0 ? -t * x : steps * std::log1p(-eta * x); };
  const auto positive = [&](double x) { return eta == 0 || eta * x < 1; };
  const auto decay = [&](double x) { return positive(x) ? std::exp(log_decay(x)) : std::pow(1 - eta * x, steps); };
  const auto decay2_minus_1 = [&](double x) {
    return positive(x) ? std::expm1(2 * log_decay(x)) : std::pow(1 - eta * x, 2 * steps) - 1;
  };
  const auto one_minus_decay = [&](double x) { return positive(x) ? -std::expm1(log_decay(x)) : 1 - decay(x); };

  // ∫ f ρ_γ = (1/(2πγ)) ∫ f(x)/x √((x − a)(b − x)) dx. The narrowest feature of d² sits at the lower
  // edge with width ~1/√(t(b − a)) in θ (for descent also at the upper edge, of the same order).
  // Absolute accuracy 1e-16: the integrals are compared with masses of order 1.
  const double horizon = std::isfinite(t) ? t : 0.0;
  const long min_nodes = 64 + static_cast<long>(std::min(4e6, 16 * std::sqrt(horizon * (b - a) + 1)));
  const double norm = 2 * std::numbers::pi * gamma;
  const auto integrate = [&](auto&& h) {
    return numerics::integrate_band(a, b, h, min_nodes, 1e-14, 1e-16 * norm) / norm;
  };
  const double mass = std::min(1.0, 1 / gamma);  // ∫ρ_γ
  // ∫ρ_γ/x (the ridgeless variance): 1/(1 − γ) below the threshold, 1/(γ(γ − 1)) above.
  const double inverse_mean = gamma == 1 ? kInf : gamma < 1 ? 1 / (1 - gamma) : 1 / (gamma * (gamma - 1));

  // Once |d| ≤ 1e-18 on the whole support (sup at an edge) only the ridgeless limit is left.
  double i_decay = 0, i_train = 0, i_var = inverse_mean;
  if (std::isfinite(t) && std::max(std::fabs(decay(a)), std::fabs(decay(b))) > 1e-18) {
    // ∫ d² ρ: ρ's 1/x is a pole at distance a of the support, close when γ ≈ 1, which the trapezoid
    // resolves slowly; while d has not decayed at a, subtract it: ∫ d² ρ = ∫ρ + ∫ (d² − 1) ρ with
    // (d² − 1)ρ = [(d² − 1)/x] √((x − a)(b − x))/(2πγ), the bracket entire. Once d(a) is small,
    // d²/x itself is the better-behaved form.
    if (-log_decay(a) <= 1 && positive(a))
      i_decay = mass + integrate([&](double x) { return decay2_minus_1(x) / x; });
    else
      i_decay = integrate([&](double x) {
        const double d = decay(x);
        return d * d / x;
      });
    i_train = integrate([&](double x) {
      const double d = decay(x);
      return d * d;  // x d²/x
    });
    // (1 − d)²/x² is bounded (by t² for the flow): no pole to remove.
    i_var = integrate([&](double x) {
      const double o = one_minus_decay(x);
      return o * o / (x * x);
    });
  }

  FlowPoint out;
  out.t = t;
  out.bias = r2 * (i_decay + atom);  // the null space of X (the atom) is never learned
  out.variance = sigma2 * gamma * i_var;
  out.init = sigma0_sq * (i_decay + atom);
  out.test = out.bias + out.variance + out.init;
  out.train = (r2 + sigma0_sq) * i_train + sigma2 * (gamma * (i_decay + atom) + 1 - gamma);
  return out;
}

FlowPoint gf_general(std::span<const double> sigma_eig, std::span<const double> beta2, double n, double sigma2,
                     double t, int talbot_nodes) {
  const char* who = "gf_general";
  if (sigma_eig.empty() || sigma_eig.size() != beta2.size())
    throw InputError(fmt::format("{}: need as many signal powers as eigenvalues (got {} and {})", who, beta2.size(),
                                 sigma_eig.size()));
  for (std::size_t i = 0; i < sigma_eig.size(); ++i) {
    require(sigma_eig[i] >= 0 && std::isfinite(sigma_eig[i]), who, "Σ eigenvalues must be non-negative", sigma_eig[i]);
    require(beta2[i] >= 0 && std::isfinite(beta2[i]), who, "signal powers must be non-negative", beta2[i]);
  }
  require(n > 0 && std::isfinite(n), who, "n must be positive", n);
  require(sigma2 >= 0 && std::isfinite(sigma2), who, "sigma2 must be non-negative", sigma2);
  require(t >= 0, who, "t must be non-negative", t);
  require(talbot_nodes >= 8 && talbot_nodes <= 128 && talbot_nodes % 2 == 0, who, "talbot_nodes must be even, 8..128",
          talbot_nodes);

  const GroupedSpectrum g = group_spectrum(sigma_eig, beta2);
  if (!std::isfinite(t)) return ridgeless(g, n, sigma2);
  FlowPoint out;
  out.t = t;
  double signal = 0;  // β*ᵀΣβ*
  for (std::size_t i = 0; i < g.s.size(); ++i) signal += g.beta2[i] * g.s[i];
  if (t == 0 || g.s.empty()) {
    out.bias = out.test = signal;
    out.train = signal + sigma2;
    return out;
  }

  std::vector<double> weight(g.s.size());
  for (std::size_t i = 0; i < g.s.size(); ++i) weight[i] = g.count[i] / n;
  // δ = (1/n) tr ΣQ̄ = Σ_g (count/n) s_g/(a s_g − z): the DeltaEquation with λ = s, α = 1; a = 1/(1 + δ).
  const numerics::DeltaEquation equation(g.s, weight, 1.0);

  // Rule at T = t: bias (e^{−tŜ}Σe^{−tŜ}) and g_t; rule at T = 2t: g_{2t} and the training error.
  const numerics::TalbotRule rule1 = numerics::fixed_talbot(t, talbot_nodes);
  const numerics::TalbotRule rule2 = numerics::fixed_talbot(2 * t, talbot_nodes);
  const std::vector<complex> delta1 = numerics::delta_on_talbot(equation, rule1);
  const std::vector<complex> delta2 = numerics::delta_on_talbot(equation, rule2);
  const std::size_t m = rule1.s.size();

  // Bias: Σ_kl w_k w_l β*ᵀQ̄_kΣQ̄_lβ* / (1 − a_k a_l (1/n) tr ΣQ̄_kΣQ̄_l), Q̄_k = Q̄(−s_k) = (s_k + Ŝ)⁻¹'s equivalent.
  std::vector<std::vector<complex>> q(m);
  std::vector<complex> a(m);
  for (std::size_t k = 0; k < m; ++k) {
    a[k] = 1.0 / (1.0 + delta1[k]);
    q[k] = qbar_diagonal(g, a[k], rule1.s[k]);
  }
  complex bias = 0;
  for (std::size_t k = 0; k < m; ++k) {
    complex row = 0;
    for (std::size_t l = 0; l < m; ++l) {
      complex num = 0, tr = 0;
      for (std::size_t i = 0; i < g.s.size(); ++i) {
        const complex qq = q[k][i] * q[l][i];
        num += g.beta2[i] * g.s[i] * qq;
        tr += weight[i] * g.s[i] * g.s[i] * qq;
      }
      row += rule1.w[l] * num / (1.0 - a[k] * a[l] * tr);
    }
    bias += rule1.w[k] * row;
  }

  // Variance: (σ²/n) tr ΣŜφ_t(Ŝ)² = σ²(2 g_t − g_{2t}), g_T = (1/n) tr Σ (1 − e^{−TŜ})Ŝ⁻¹, whose
  // Laplace transform in T is (1/s)(1/n) tr Σ(s + Ŝ)⁻¹ ≃ δ(−s)/s.
  const auto g_of = [](const numerics::TalbotRule& rule, const std::vector<complex>& delta) {
    complex sum = 0;
    for (std::size_t k = 0; k < rule.s.size(); ++k) sum += rule.w[k] * delta[k] / rule.s[k];
    return sum.real();
  };
  const double variance = sigma2 * (2 * g_of(rule1, delta1) - g_of(rule2, delta2));

  // Training error at T = 2t: β*ᵀŜ(s + Ŝ)⁻¹β* ≃ a Σ_g β²_g s_g q_g and (1/n) tr (s + K)⁻¹ = m̃(−s) ≃ a/s.
  complex signal_part = 0, noise_part = 0;
  for (std::size_t k = 0; k < m; ++k) {
    const complex ak = 1.0 / (1.0 + delta2[k]);
    const std::vector<complex> qk = qbar_diagonal(g, ak, rule2.s[k]);
    complex bqb = 0;
    for (std::size_t i = 0; i < g.s.size(); ++i) bqb += g.beta2[i] * g.s[i] * qk[i];
    signal_part += rule2.w[k] * ak * bqb;
    noise_part += rule2.w[k] * ak / rule2.s[k];
  }

  out.bias = bias.real();
  out.variance = variance;
  out.test = out.bias + out.variance;
  out.train = signal_part.real() + sigma2 * noise_part.real();
  return out;
}

}  // namespace rmt::theory
