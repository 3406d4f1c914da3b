#include "theory/llc_ridge.hpp"

#include <cblas.h>
#include <fmt/format.h>
#include <lapacke.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/base/error.hpp"
#include "theory/gaussian.hpp"
#include "theory/llc.hpp"
#include "theory/numerics/contour.hpp"

namespace rmt::theory {

namespace {

void check_lapack(lapack_int info, const char* routine, index_t n) {
  if (info > 0) throw NumericalError(fmt::format("{} failed (info = {}, n = {})", routine, info, n));
  if (info < 0) throw Error(fmt::format("{}: argument {} had an illegal value", routine, -info));
}

void check_data(const char* who, std::span<const double> x, index_t p, index_t n, std::span<const double> y) {
  if (p <= 0 || n <= 0 || x.size() != static_cast<std::size_t>(p * n) || y.size() != static_cast<std::size_t>(n))
    throw InputError(
        fmt::format("{}: need X of p×n = {}×{} values and n targets (got {} and {})", who, p, n, x.size(), y.size()));
}

void check_positive(const char* who, const char* what, double v) {
  if (!(v > 0) || !std::isfinite(v)) throw InputError(fmt::format("{}: {} must be positive (got {})", who, what, v));
}

// C = A B for square n×n column-major matrices.
std::vector<double> multiply(const std::vector<double>& a, const std::vector<double>& b, index_t n) {
  std::vector<double> c(static_cast<std::size_t>(n * n));
  const auto ln = static_cast<blasint>(n);
  cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, ln, ln, ln, 1.0, a.data(), ln, b.data(), ln, 0.0, c.data(),
              ln);
  return c;
}

// tr(AB) = Σ_ij A_ij B_ji.
double trace_of_product(const std::vector<double>& a, const std::vector<double>& b, index_t n) {
  double s = 0;
  for (index_t j = 0; j < n; ++j)
    for (index_t i = 0; i < n; ++i)
      s += a[static_cast<std::size_t>(i + j * n)] * b[static_cast<std::size_t>(j + i * n)];
  return s;
}

// Inverse of a symmetric positive-definite matrix (Cholesky), both triangles filled.
std::vector<double> spd_inverse(std::vector<double> a, index_t n) {
  const auto ln = static_cast<lapack_int>(n);
  check_lapack(LAPACKE_dpotrf(LAPACK_COL_MAJOR, 'L', ln, a.data(), ln), "dpotrf", n);
  check_lapack(LAPACKE_dpotri(LAPACK_COL_MAJOR, 'L', ln, a.data(), ln), "dpotri", n);
  for (index_t j = 0; j < n; ++j)
    for (index_t i = j + 1; i < n; ++i) a[static_cast<std::size_t>(j + i * n)] = a[static_cast<std::size_t>(i + j * n)];
  return a;
}

}  // namespace

std::vector<double> cross_kernel_matrix(const Activation& f, std::span<const double> a, index_t na,
                                        std::span<const double> b, index_t nb, index_t p) {
  if (p <= 0 || a.size() != static_cast<std::size_t>(p * na) || b.size() != static_cast<std::size_t>(p * nb))
    throw InputError("cross_kernel_matrix: data sizes do not match p");
  const auto column_norm2 = [p](std::span<const double> m, index_t j) {
    double s = 0;
    for (index_t k = 0; k < p; ++k)
      s += m[static_cast<std::size_t>(k + j * p)] * m[static_cast<std::size_t>(k + j * p)];
    return s;
  };
  std::vector<double> na2(static_cast<std::size_t>(na)), nb2(static_cast<std::size_t>(nb));
  for (index_t i = 0; i < na; ++i) na2[static_cast<std::size_t>(i)] = column_norm2(a, i);
  for (index_t j = 0; j < nb; ++j) nb2[static_cast<std::size_t>(j)] = column_norm2(b, j);
  std::vector<double> inner(static_cast<std::size_t>(na * nb));
  cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, static_cast<blasint>(na), static_cast<blasint>(nb),
              static_cast<blasint>(p), 1.0, a.data(), static_cast<blasint>(p), b.data(), static_cast<blasint>(p), 0.0,
              inner.data(), static_cast<blasint>(na));

  Activation raw = f;
  raw.shift = 0;
  raw.scale = 1;
  std::vector<double> phi(inner.size());
  if (!kernel_closed_form(raw, 1, 0.5, 1)) {
    for (index_t j = 0; j < nb; ++j)
      for (index_t i = 0; i < na; ++i) {
        const auto k = static_cast<std::size_t>(i + j * na);
        phi[k] = kernel_quadrature(f, na2[static_cast<std::size_t>(i)], inner[k], nb2[static_cast<std::size_t>(j)]);
      }
    return phi;
  }
  // E[(σ(u) − c)(σ(v) − c)] = E σσ − c(E σ(u) + E σ(v)) + c², the means once per column.
  const auto means = [&](const std::vector<double>& norms) {
    std::vector<double> m(norms.size(), 0.0);
    if (f.shift != 0)
      for (std::size_t i = 0; i < norms.size(); ++i) {
        const double r = std::sqrt(norms[i]);
        m[i] = gaussian_expectation([&](double t) { return raw(r * t); });
      }
    return m;
  };
  const std::vector<double> ma = means(na2), mb = means(nb2);
  for (index_t j = 0; j < nb; ++j)
    for (index_t i = 0; i < na; ++i) {
      const auto k = static_cast<std::size_t>(i + j * na);
      const double closed =
          *kernel_closed_form(raw, na2[static_cast<std::size_t>(i)], inner[k], nb2[static_cast<std::size_t>(j)]);
      phi[k] =
          f.scale * f.scale *
          (closed - f.shift * (ma[static_cast<std::size_t>(i)] + mb[static_cast<std::size_t>(j)]) + f.shift * f.shift);
    }
  return phi;
}

KernelEigen kernel_eigen(const Activation& f, std::span<const double> x, index_t p, index_t n) {
  if (p <= 0 || n <= 0 || x.size() != static_cast<std::size_t>(p * n))
    throw InputError(fmt::format("kernel_eigen: need p×n = {}×{} values (got {})", p, n, x.size()));
  KernelEigen e;
  e.n = n;
  e.u = expected_kernel_matrix(f, std::vector<double>(x.begin(), x.end()), p, n);
  e.lambda.resize(static_cast<std::size_t>(n));
  check_lapack(LAPACKE_dsyevd(LAPACK_COL_MAJOR, 'V', 'L', static_cast<lapack_int>(n), e.u.data(),
                              static_cast<lapack_int>(n), e.lambda.data()),
               "dsyevd", n);
  for (double& l : e.lambda) l = std::max(l, 0.0);
  return e;
}

LlcRidge llc_ridge(const Activation& f, std::span<const double> x, std::span<const double> y,
                   std::span<const double> xtest, std::span<const double> ytest, index_t p, double N, double gamma) {
  const char* who = "llc_ridge";
  const auto n = static_cast<index_t>(y.size()), nt = static_cast<index_t>(ytest.size());
  check_data(who, x, p, n, y);
  check_data(who, xtest, p, nt, ytest);
  check_positive(who, "N", N);
  check_positive(who, "gamma", gamma);
  const double dn = static_cast<double>(n), alpha = N / dn;

  const KernelEigen e = kernel_eigen(f, x, p, n);
  const numerics::DeltaEquation equation(e.lambda, std::vector<double>(e.lambda.size(), 1 / dn), alpha);
  const double delta = equation.at_negative(-gamma);

  // Eigenbasis of Φ: Ψ → ψ_k = αλ_k/(1 + δ), Q̄ → q_k = 1/(ψ_k + γ), y → (Uᵀy)_k.
  std::vector<double> psi(e.lambda.size()), q(e.lambda.size()), uy(e.lambda.size(), 0.0);
  cblas_dgemv(CblasColMajor, CblasTrans, static_cast<blasint>(n), static_cast<blasint>(n), 1.0, e.u.data(),
              static_cast<blasint>(n), y.data(), 1, 0.0, uy.data(), 1);
  double tr_psi_q2 = 0, tr_psi_q_sq = 0;  // (1/N) tr ΨQ̄², (1/N) tr (ΨQ̄)²
  for (std::size_t k = 0; k < psi.size(); ++k) {
    psi[k] = alpha * e.lambda[k] / (1 + delta);
    q[k] = 1 / (psi[k] + gamma);
    tr_psi_q2 += psi[k] * q[k] * q[k] / N;
    tr_psi_q_sq += psi[k] * psi[k] * q[k] * q[k] / N;
  }
  const double denominator = 1 - tr_psi_q_sq;
  double train = 0, y_qpsiq_y = 0;
  for (std::size_t k = 0; k < psi.size(); ++k) {
    train += uy[k] * uy[k] * q[k] * q[k] * (tr_psi_q2 / denominator * psi[k] + 1);
    y_qpsiq_y += uy[k] * uy[k] * psi[k] * q[k] * q[k];
  }
  train *= gamma * gamma / dn;

  // Test: UᵀΨ_XX̂ (n×nt), predictions Ψ_X̂X Q̄y, and the trace terms of the bracket.
  const std::vector<double> cross = cross_kernel_matrix(f, x, n, xtest, nt, p);
  std::vector<double> ucross(cross.size());
  cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, static_cast<blasint>(n), static_cast<blasint>(nt),
              static_cast<blasint>(n), alpha / (1 + delta), e.u.data(), static_cast<blasint>(n), cross.data(),
              static_cast<blasint>(n), 0.0, ucross.data(), static_cast<blasint>(n));
  double fit = 0, correction = 0, tr_test = 0;
  for (index_t j = 0; j < nt; ++j) {
    double pred = 0;
    for (index_t k = 0; k < n; ++k) {
      const double c = ucross[static_cast<std::size_t>(k + j * n)];
      const auto kk = static_cast<std::size_t>(k);
      pred += c * q[kk] * uy[kk];
      correction += c * c * (1 + gamma * q[kk]) * q[kk];
    }
    fit += std::pow(ytest[static_cast<std::size_t>(j)] - pred, 2);
    const std::span<const double> col = xtest.subspan(static_cast<std::size_t>(j * p), static_cast<std::size_t>(p));
    double norm2 = 0;
    for (const double v : col) norm2 += v * v;
    tr_test += alpha / (1 + delta) * expected_product(f, norm2, norm2, norm2);
  }
  const double dnt = static_cast<double>(nt);
  const double test = fit / dnt + y_qpsiq_y / N / denominator * (tr_test - correction) / dnt;
  return {delta, train, test};
}

RffRidge rff_ridge_train(std::span<const double> x, std::span<const double> y, index_t p, double N, double gamma) {
  const char* who = "rff_ridge_train";
  const auto n = static_cast<index_t>(y.size());
  check_data(who, x, p, n, y);
  check_positive(who, "N", N);
  check_positive(who, "gamma", gamma);
  const double dn = static_cast<double>(n), alpha = N / dn;
  const std::vector<double> xv(x.begin(), x.end());
  const std::vector<double> kc = expected_kernel_matrix(Activation{ActivationKind::cos}, xv, p, n);
  const std::vector<double> ks = expected_kernel_matrix(Activation{ActivationKind::sin}, xv, p, n);

  // Everything the fixed point and the error need at a given (δ_c, δ_s).
  struct State {
    std::vector<double> qbar, pc, ps;  // Q̄, Q̄K_c, Q̄K_s
    double tc = 0, ts = 0;             // (1/n) tr K Q̄
    double omega[2][2] = {};           // Ω_ij = tr(Q̄K_iQ̄K_j)/(n(1 + δ_j)²)
  };
  const auto evaluate = [&](double dc, double ds) {
    State st;
    std::vector<double> a(kc.size());
    for (std::size_t k = 0; k < a.size(); ++k) a[k] = alpha * (kc[k] / (1 + dc) + ks[k] / (1 + ds));
    for (index_t i = 0; i < n; ++i) a[static_cast<std::size_t>(i + i * n)] += gamma;
    st.qbar = spd_inverse(std::move(a), n);
    st.pc = multiply(st.qbar, kc, n);
    st.ps = multiply(st.qbar, ks, n);
    for (index_t i = 0; i < n; ++i) {
      st.tc += st.pc[static_cast<std::size_t>(i + i * n)] / dn;
      st.ts += st.ps[static_cast<std::size_t>(i + i * n)] / dn;
    }
    const double cc = trace_of_product(st.pc, st.pc, n), cs = trace_of_product(st.pc, st.ps, n),
                 ss = trace_of_product(st.ps, st.ps, n);
    const double wc = 1 / (dn * (1 + dc) * (1 + dc)), ws = 1 / (dn * (1 + ds) * (1 + ds));
    st.omega[0][0] = cc * wc;
    st.omega[0][1] = cs * ws;
    st.omega[1][0] = cs * wc;
    st.omega[1][1] = ss * ws;
    return st;
  };

  // Newton on F(δ) = δ − T(δ), T = ((1/n) tr K_cQ̄, (1/n) tr K_sQ̄); ∂T_i/∂δ_j = αΩ_ij. The map T is
  // monotone from δ = 0 (as in §4.1), so a plain fixed-point step is the fallback if Newton
  // leaves δ > −1 or fails to reduce the residual.
  double dc = 0, ds = 0;
  State st = evaluate(dc, ds);
  for (int it = 0;; ++it) {
    const double fc = dc - st.tc, fs = ds - st.ts;
    if (it > 200)
      throw NumericalError(fmt::format("rff_ridge_train: the fixed point did not converge in 200 steps (δ = ({}, {}), "
                                       "residual {:.3g})", dc, ds, std::max(std::abs(fc), std::abs(fs))));
    const double j00 = 1 - alpha * st.omega[0][0], j01 = -alpha * st.omega[0][1];
    const double j10 = -alpha * st.omega[1][0], j11 = 1 - alpha * st.omega[1][1];
    const double det = j00 * j11 - j01 * j10;
    double nc = dc - (j11 * fc - j01 * fs) / det, ns = ds - (j00 * fs - j10 * fc) / det;
    if (!(nc > -1 && ns > -1) || !std::isfinite(nc) || !std::isfinite(ns)) {
      nc = st.tc;
      ns = st.ts;
    }
    const bool converged =
        std::fabs(nc - dc) <= 1e-14 * (1 + std::fabs(dc)) && std::fabs(ns - ds) <= 1e-14 * (1 + std::fabs(ds));
    State next = evaluate(nc, ns);
    if (std::hypot(nc - next.tc, ns - next.ts) > std::hypot(fc, fs) && !converged) {
      nc = st.tc;  // no progress: fall back to the fixed-point step
      ns = st.ts;
      next = evaluate(nc, ns);
    }
    dc = nc;
    ds = ns;
    st = std::move(next);
    if (converged) break;
  }

  // Ē_train = (γ²/n)‖Q̄y‖² + (γ²N/n²)[θ_c yᵀQ̄K_cQ̄y + θ_s yᵀQ̄K_sQ̄y],
  // [θ_c, θ_s] = [tr(Q̄K_cQ̄)/(n(1+δ_c)²), tr(Q̄K_sQ̄)/(n(1+δ_s)²)] (I − αΩ)⁻¹.
  std::vector<double> qy(static_cast<std::size_t>(n)), kqy(static_cast<std::size_t>(n));
  const auto ln = static_cast<blasint>(n);
  cblas_dsymv(CblasColMajor, CblasLower, ln, 1.0, st.qbar.data(), ln, y.data(), 1, 0.0, qy.data(), 1);
  const auto quad = [&](const std::vector<double>& k) {
    cblas_dsymv(CblasColMajor, CblasLower, ln, 1.0, k.data(), ln, qy.data(), 1, 0.0, kqy.data(), 1);
    return cblas_ddot(ln, qy.data(), 1, kqy.data(), 1);
  };
  // tr(Q̄K_cQ̄) = tr(Q̄ · Q̄K_c)
  const double vc = trace_of_product(st.qbar, st.pc, n) / (dn * (1 + dc) * (1 + dc));
  const double vs = trace_of_product(st.qbar, st.ps, n) / (dn * (1 + ds) * (1 + ds));
  const double m00 = 1 - alpha * st.omega[0][0], m01 = -alpha * st.omega[0][1];
  const double m10 = -alpha * st.omega[1][0], m11 = 1 - alpha * st.omega[1][1];
  const double det = m00 * m11 - m01 * m10;
  // Row vector v times M⁻¹, M⁻¹ = [[m11, −m01], [−m10, m00]]/det.
  const double theta_c = (vc * m11 - vs * m10) / det, theta_s = (-vc * m01 + vs * m00) / det;
  const double qy2 = cblas_ddot(ln, qy.data(), 1, qy.data(), 1);
  const double train =
      gamma * gamma / dn * qy2 + gamma * gamma * alpha / dn * (theta_c * quad(kc) + theta_s * quad(ks));
  return {dc, ds, train};
}

}  // namespace rmt::theory
