#include "theory/rf_ridge_de.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/base/error.hpp"
#include "theory/ridge.hpp"

namespace rmt::theory {
namespace {

struct Sums {
  double df1 = 0, df2 = 0;
  double t1 = 0, t2 = 0;  // Σ w² s/(s+κ), Σ w² s/(s+κ)²
};

Sums sums(std::span<const double> s, std::span<const double> w2, double kappa) {
  Sums out;
  for (std::size_t k = 0; k < s.size(); ++k) {
    const double q = s[k] / (s[k] + kappa);
    out.df1 += q;
    out.df2 += q * q;
    out.t1 += w2[k] * q;
    out.t2 += w2[k] * q / (s[k] + kappa);
  }
  return out;
}

void validate(std::span<const double> s, std::span<const double> w2, double N, double P, double lambda,
              double sigma2) {
  constexpr const char* who = "rf_ridge_de";
  if (s.empty()) throw InputError(fmt::format("{}: empty spectrum", who));
  if (w2.size() != s.size())
    throw InputError(fmt::format("{}: {} eigenvalues but {} target coefficients", who, s.size(), w2.size()));
  for (std::size_t k = 0; k < s.size(); ++k) {
    if (!(std::isfinite(s[k]) && s[k] > 0.0))
      throw InputError(fmt::format("{}: eigenvalue s[{}] = {} must be > 0", who, k, s[k]));
    if (!(std::isfinite(w2[k]) && w2[k] >= 0.0))
      throw InputError(fmt::format("{}: coefficient w2[{}] = {} must be >= 0", who, k, w2[k]));
  }
  if (!(N > 0.0) || std::isnan(N)) throw InputError(fmt::format("{}: N = {} must be > 0 (inf allowed)", who, N));
  if (!(std::isfinite(P) && P > 0.0)) throw InputError(fmt::format("{}: P = {} must be > 0", who, P));
  if (!(std::isfinite(lambda) && lambda >= 0.0))
    throw InputError(fmt::format("{}: lambda = {} must be >= 0", who, lambda));
  if (!(std::isfinite(sigma2) && sigma2 >= 0.0))
    throw InputError(fmt::format("{}: sigma2 = {} must be >= 0", who, sigma2));
}

}  // namespace

RfRidgeDE rf_ridge_de(std::span<const double> s, std::span<const double> w2, double N, double P,
                      double lambda, double sigma2) {
  validate(s, w2, N, P, lambda, sigma2);
  const double inv_n = std::isinf(N) ? 0.0 : 1.0 / N;
  const double rank = static_cast<double>(s.size());
  const double bottleneck = std::min(N, P);
  if (lambda == 0.0 && (rank == bottleneck || (N == P && rank > bottleneck)))
    throw InputError("rf_ridge_de: ridgeless risk diverges at the interpolation threshold (N = P or D = min(N, P))");

  // κ₀ (df₁(κ₀) = min(N, P), the ridgeless limit) is the §5.1 ridgeless κ with n = min(N, P). Above
  // it both factors of g are in [0, 1] and g increases, while below it g may turn positive again
  // (df₁ > max(N, P)), so the bracket starts at max(λ, κ₀).
  const double kappa0 = rank > bottleneck ? ridge_kappa(s, bottleneck, 0.0) : 0.0;
  RfRidgeDE r;
  if (lambda == 0.0) {
    r.kappa2 = kappa0;
  } else {
    double trace = 0.0;
    for (double v : s) trace += v;
    const auto g = [&](double kappa) {
      const Sums t = sums(s, w2, kappa);
      const double a = 1.0 - t.df1 / P, b = 1.0 - t.df1 * inv_n;
      const double slope = a * b + (t.df1 - t.df2) * (b / P + a * inv_n);
      return std::pair{kappa * a * b - lambda, slope};
    };
    // g(hi) ≥ 0 at hi = λ + tr(s)(1/P + 1/N), since (1 − x)(1 − y) ≥ 1 − x − y and κ df₁ ≤ tr(s).
    r.kappa2 = solve_kappa_equation(g, std::max(lambda, kappa0), lambda + trace * (1.0 / P + inv_n));
  }

  const Sums t = sums(s, w2, r.kappa2);
  r.df1 = t.df1;
  r.df2 = t.df2;
  // 𝖣 = (N − df₁)/(N − df₂) and 1 − 𝖣 = (df₁ − df₂)/(N − df₂), written without cancellation.
  const double one_minus_d = std::isinf(N) ? 0.0 : (t.df1 - t.df2) / (N - t.df2);
  const double d = 1.0 - one_minus_d;
  const double gamma1 = (t.df2 + one_minus_d * (t.df1 - t.df2)) / P;
  const double k = r.kappa2;
  // E_test − σ² = (κ²T₂𝖣 + κT₁(1 − 𝖣) + σ²γ₁)/(1 − γ₁): the excess without subtracting σ².
  r.excess = (k * k * t.t2 * d + k * t.t1 * one_minus_d + sigma2 * gamma1) / (1.0 - gamma1);
  r.test = r.excess + sigma2;
  return r;
}

}  // namespace rmt::theory
