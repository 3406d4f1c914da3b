#include "theory/rf_dynamics.hpp"

#include <cblas.h>
#include <fmt/format.h>

#include <cmath>

#include "core/base/error.hpp"
#include "theory/llc.hpp"
#include "theory/llc_ridge.hpp"

namespace rmt::theory {

namespace {

numerics::DeltaEquation make_equation(const KernelEigen& e, double alpha) {
  return {e.lambda, std::vector<double>(e.lambda.size(), 1.0 / static_cast<double>(e.n)), alpha};
}

KernelEigen checked_eigen(const Activation& f, std::span<const double> x, index_t p, index_t n,
                          std::span<const double> y, double N) {
  if (y.size() != static_cast<std::size_t>(n))
    throw InputError(fmt::format("RandomFeatureResolvent: need n = {} targets (got {})", n, y.size()));
  if (!(N > 0) || !std::isfinite(N))
    throw InputError(fmt::format("RandomFeatureResolvent: N = {} must be positive", N));
  return kernel_eigen(f, x, p, n);
}

}  // namespace

RandomFeatureResolvent::RandomFeatureResolvent(const Activation& f, std::span<const double> x, index_t p, index_t n,
                                               std::span<const double> y, double N)
    : RandomFeatureResolvent(checked_eigen(f, x, p, n, y, N), y, N / static_cast<double>(n)) {}

RandomFeatureResolvent::RandomFeatureResolvent(const KernelEigen& e, std::span<const double> y, double alpha)
    : equation_(make_equation(e, alpha)), lambda_(e.lambda), uy2_(e.lambda.size(), 0.0), alpha_(alpha) {
  if (y.size() != static_cast<std::size_t>(e.n))
    throw InputError(fmt::format("RandomFeatureResolvent: need n = {} targets (got {})", e.n, y.size()));
  const auto n = static_cast<blasint>(e.n);
  cblas_dgemv(CblasColMajor, CblasTrans, n, n, 1.0, e.u.data(), n, y.data(), 1, 0.0, uy2_.data(), 1);
  for (double& v : uy2_) v = v * v / static_cast<double>(e.n);
}

complex RandomFeatureResolvent::form_at(complex z, complex delta) const {
  const complex u = 1.0 / (1.0 + delta);
  complex sum = 0;
  for (std::size_t k = 0; k < lambda_.size(); ++k) sum += uy2_[k] / (alpha_ * lambda_[k] * u - z);
  return sum;
}

complex RandomFeatureResolvent::delta(complex z) const { return equation_.at(z); }

complex RandomFeatureResolvent::quadratic_form(complex z) const { return form_at(z, delta(z)); }

double RandomFeatureResolvent::train_error(double t, int talbot_nodes) const {
  if (!(t >= 0) || !std::isfinite(t))
    throw InputError(fmt::format("rf_gf_train_error: time {} must be finite and non-negative", t));
  if (talbot_nodes < 8 || talbot_nodes > 128 || talbot_nodes % 2 != 0)
    throw InputError(fmt::format("rf_gf_train_error: talbot_nodes = {} must be even, 8..128", talbot_nodes));
  double norm = 0;
  for (const double v : uy2_) norm += v;
  if (t == 0) return norm;  // ‖y‖²/n
  // e^{−TG} = L⁻¹[(s + G)⁻¹](T) and (s + G)⁻¹ = Q(−s): the rule at T = 2t on (1/n) yᵀQ̄(−s)y.
  const numerics::TalbotRule rule = numerics::fixed_talbot(2 * t, talbot_nodes);
  const std::vector<complex> delta = numerics::delta_on_talbot(equation_, rule);
  complex sum = 0;
  for (std::size_t k = 0; k < rule.s.size(); ++k) sum += rule.w[k] * form_at(-rule.s[k], delta[k]);
  return sum.real();
}

std::vector<double> rf_gf_train_error(const Activation& f, std::span<const double> x, index_t p, index_t n,
                                      std::span<const double> y, double N, std::span<const double> times) {
  const RandomFeatureResolvent resolvent(f, x, p, n, y, N);
  std::vector<double> out;
  out.reserve(times.size());
  for (const double t : times) out.push_back(resolvent.train_error(t));
  return out;
}

namespace {

KernelEigen checked_pair(const Activation& f, std::span<const double> x, std::span<const double> y,
                         std::span<const double> xtest, std::span<const double> ytest, index_t p, double N) {
  const char* who = "RandomFeatureTestError";
  if (p <= 0 || y.empty() || x.size() != static_cast<std::size_t>(p) * y.size() || ytest.empty() ||
      xtest.size() != static_cast<std::size_t>(p) * ytest.size())
    throw InputError(fmt::format("{}: need X p×n, y (n), X̂ p×n̂, ŷ (n̂) with p = {}", who, p));
  if (!(N > 0) || !std::isfinite(N)) throw InputError(fmt::format("{}: N = {} must be positive", who, N));
  return kernel_eigen(f, x, p, static_cast<index_t>(y.size()));
}

}  // namespace

RandomFeatureTestError::RandomFeatureTestError(const Activation& f, std::span<const double> x,
                                               std::span<const double> y, std::span<const double> xtest,
                                               std::span<const double> ytest, index_t p, double N)
    : RandomFeatureTestError(checked_pair(f, x, y, xtest, ytest, p, N), f, x, y, xtest, ytest, p, N) {}

RandomFeatureTestError::RandomFeatureTestError(const KernelEigen& e, const Activation& f, std::span<const double> x,
                                               std::span<const double> y, std::span<const double> xtest,
                                               std::span<const double> ytest, index_t p, double N)
    : equation_(make_equation(e, N / static_cast<double>(e.n))),
      lambda_(e.lambda),
      v_(e.lambda.size(), 0.0),
      c_row2_(e.lambda.size(), 0.0),
      c_y_(e.lambda.size(), 0.0),
      n_(e.n),
      nt_(static_cast<index_t>(ytest.size())),
      alpha_(N / static_cast<double>(e.n)) {
  const auto n = static_cast<blasint>(n_), nt = static_cast<blasint>(nt_);
  cblas_dgemv(CblasColMajor, CblasTrans, n, n, 1.0, e.u.data(), n, y.data(), 1, 0.0, v_.data(), 1);
  const std::vector<double> cross = cross_kernel_matrix(f, x, n_, xtest, nt_, p);
  c_.resize(cross.size());
  cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, n, nt, n, 1.0, e.u.data(), n, cross.data(), n, 0.0, c_.data(),
              n);
  cblas_dgemv(CblasColMajor, CblasNoTrans, n, nt, 1.0, c_.data(), n, ytest.data(), 1, 0.0, c_y_.data(), 1);
  for (index_t j = 0; j < nt_; ++j)
    for (index_t k = 0; k < n_; ++k)
      c_row2_[static_cast<std::size_t>(k)] += std::pow(c_[static_cast<std::size_t>(k + j * n_)], 2);
  y_norm2_ = 0;
  trace_test_ = 0;
  for (index_t j = 0; j < nt_; ++j) {
    y_norm2_ += ytest[static_cast<std::size_t>(j)] * ytest[static_cast<std::size_t>(j)];
    double norm2 = 0;
    for (index_t i = 0; i < p; ++i) norm2 += std::pow(xtest[static_cast<std::size_t>(i + j * p)], 2);
    trace_test_ += expected_product(f, norm2, norm2, norm2);
  }
  y_norm2_ /= static_cast<double>(nt_);
  trace_test_ /= static_cast<double>(nt_);
}

double RandomFeatureTestError::evaluate(std::span<const complex> z, std::span<const complex> delta,
                                        std::span<const complex> omega) const {
  const std::size_t m = z.size(), n = lambda_.size();
  const double dn = static_cast<double>(n_), dnt = static_cast<double>(nt_);
  std::vector<complex> a(m), single(m);  // a_k, Σ_j c̃_j q_kj
  std::vector<std::vector<complex>> q(m, std::vector<complex>(n));
  std::vector<complex> u(n, 0.0);  // Σ_k ω_k a_k (q_k ∘ v): the factorised first term of T
  complex mean = 0;                // Σ_k ω_k (1/n̂) ŷᵀΨ_X̂X(z_k) Q̄(z_k) y
  for (std::size_t k = 0; k < m; ++k) {
    a[k] = 1.0 / (1.0 + delta[k]);
    complex cy = 0;
    for (std::size_t j = 0; j < n; ++j) {
      const complex qj = 1.0 / (alpha_ * lambda_[j] * a[k] - z[k]);
      q[k][j] = qj;
      single[k] += c_row2_[j] * qj;
      cy += c_y_[j] * qj * v_[j];
      u[j] += omega[k] * a[k] * qj * v_[j];
    }
    mean += omega[k] * alpha_ * a[k] * cy / dnt;
  }
  // (α²/n̂) ‖Cᵀu‖² without conjugation (a bilinear form in the nodes).
  complex first = 0;
  for (index_t i = 0; i < nt_; ++i) {
    complex w = 0;
    for (std::size_t j = 0; j < n; ++j) w += c_[j + static_cast<std::size_t>(i) * n] * u[j];
    first += w * w;
  }
  first *= alpha_ * alpha_ / dnt;
  // Θ_kl β_kl: Θ = (α/n) a_k a_l yᵀQ̄_kΦQ̄_ly / (1 − (α/n) a_k a_l tr ΦQ̄_kΦQ̄_l),
  // β = tr Φ_X̂X̂/n̂ − α(a_k tr Φ_X̂XQ̄_kΦ_XX̂ + a_l ·)/n̂ + α² a_k a_l tr Φ_X̂XQ̄_kΦQ̄_lΦ_XX̂/n̂.
  complex second = 0;
  for (std::size_t k = 0; k < m; ++k) {
    complex row = 0;
    for (std::size_t l = 0; l < m; ++l) {
      complex s1 = 0, s2 = 0, s3 = 0;
      for (std::size_t j = 0; j < n; ++j) {
        const complex qq = q[k][j] * q[l][j] * lambda_[j];
        s1 += v_[j] * v_[j] * qq;
        s2 += lambda_[j] * qq;
        s3 += c_row2_[j] * qq;
      }
      const complex aa = a[k] * a[l];
      const complex theta = alpha_ / dn * aa * s1 / (1.0 - alpha_ / dn * aa * s2);
      const complex beta =
          trace_test_ - alpha_ * (a[k] * single[k] + a[l] * single[l]) / dnt + alpha_ * alpha_ * aa * s3 / dnt;
      row += omega[l] * theta * beta;
    }
    second += omega[k] * row;
  }
  return y_norm2_ - 2 * mean.real() + first.real() + second.real();
}

double RandomFeatureTestError::test_error(double t, int talbot_nodes) const {
  if (!(t >= 0) || !std::isfinite(t))
    throw InputError(fmt::format("rf_gf_test_error: time {} must be finite and non-negative", t));
  if (talbot_nodes < 8 || talbot_nodes > 128 || talbot_nodes % 2 != 0)
    throw InputError(fmt::format("rf_gf_test_error: talbot_nodes = {} must be even, 8..128", talbot_nodes));
  if (t == 0) return y_norm2_;
  // φ_t(G) = L⁻¹[(1/s)(s + G)⁻¹](t): nodes z = −s, weights w/s.
  const numerics::TalbotRule rule = numerics::fixed_talbot(t, talbot_nodes);
  const std::vector<complex> delta = numerics::delta_on_talbot(equation_, rule);
  std::vector<complex> z(rule.s.size()), omega(rule.s.size());
  for (std::size_t k = 0; k < z.size(); ++k) {
    z[k] = -rule.s[k];
    omega[k] = rule.w[k] / rule.s[k];
  }
  return evaluate(z, delta, omega);
}

double RandomFeatureTestError::ridge_test_error(double gamma) const {
  if (!(gamma > 0) || !std::isfinite(gamma))
    throw InputError(fmt::format("ridge_test_error: gamma = {} must be positive", gamma));
  const complex z[] = {-gamma}, delta[] = {equation_.at_negative(-gamma)}, omega[] = {1.0};
  return evaluate(z, delta, omega);
}

std::vector<double> rf_gf_test_error(const Activation& f, std::span<const double> x, std::span<const double> y,
                                     std::span<const double> xtest, std::span<const double> ytest, index_t p, double N,
                                     std::span<const double> times) {
  const RandomFeatureTestError model(f, x, y, xtest, ytest, p, N);
  std::vector<double> out;
  out.reserve(times.size());
  for (const double t : times) out.push_back(model.test_error(t));
  return out;
}

}  // namespace rmt::theory
