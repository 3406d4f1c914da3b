#include "theory/ntk.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/base/error.hpp"
#include "theory/mp.hpp"
#include "theory/numerics/continuation.hpp"
#include "theory/numerics/support_scan.hpp"

// Numerical method (docs/theory.md §3.5, §1.3, §9.1).
//
// m_NTK(z) = m_A(z - (a_σ - 1)), m_A(z) = ∫ dν(t)/(κ t - z), κ = 1 + 1/(1 + δ),
// δ = γ1 ∫ t dν(t)/(κ t - z), ν = law of (1 - b²) + b² λ, λ ~ μ0 = MP(γ0).
// The integral over ν is exact in closed form (no quadrature): with c1 = 1 - b²,
//   ∫ dν(t)/(κ t - z) = m_MP(γ0)(w)/(κ b²),  w = (z - κ c1)/(κ b²),
//   ∫ t dν(t)/(κ t - z) = (1 + z ∫ dν/(κ t - z))/κ,
// valid for every w off the MP support (the principal-root MP formula is the analytic
// continuation of ∫ dμ0(λ)/(λ - w) to all of C \ [a, b]); for b = 0, ν = δ_1 and
// ∫ dν/(κ t - z) = 1/(κ - z). The scalar equation R(δ) = δ - γ1 ∫ t dν/(κ t - z) = 0 is solved by
// Newton with an analytic derivative and continuation in Im z from far above the spectrum
// (δ ≈ 0 there), accepting only roots with Im δ ≥ 0 and Im m_A ≥ 0 (δ is γ1 times a normalised
// trace of T^{1/2} Q T^{1/2}, so Im δ > 0 on C⁺). On the real axis the last step is to η = 0.

namespace rmt::theory {
namespace {

constexpr double kPi = 3.14159265358979323846;

bool finite(complex z) { return std::isfinite(z.real()) && std::isfinite(z.imag()); }

// ρ = Im m(x + i0)/π; outside the support the root is real and Im m is rounding noise.
double density_from(complex m) {
  return m.imag() > 1e-12 * std::abs(m) ? m.imag() / kPi : 0.0;
}

class NtkSolver {
 public:
  NtkSolver(double b, double gamma0, double gamma1, double scale)
      : b2_(b * b), gamma1_(gamma1), mp0_(gamma0), scale_(scale) {}

  // I0 = ∫ dν/(κ t - z) and its κ-derivative.
  complex i0(complex kappa, complex z, complex& di0) const {
    if (b2_ == 0.0) {
      const complex d = kappa - z;
      di0 = -1.0 / (d * d);
      return 1.0 / d;
    }
    const complex kb = kappa * b2_;
    const complex w = (z - kappa * (1.0 - b2_)) / kb;
    const complex m = mp0_.stieltjes(w);
    const double c = mp0_.c();
    const complex dm = -(c * m * m + m) / (2.0 * c * w * m - (1.0 - c - w));
    const complex dw = -z / (kb * kappa);
    di0 = dm * dw / kb - m / (kb * kappa);
    return m / kb;
  }

  // R(δ) and dR/dδ; also m_A.
  complex residual(complex delta, complex z, complex& dr, complex& ma) const {
    const complex q = 1.0 / (1.0 + delta);
    const complex kappa = 1.0 + q;
    complex di0;
    ma = i0(kappa, z, di0);
    const complex i1 = (1.0 + z * ma) / kappa;
    const complex di1 = z * di0 / kappa - i1 / kappa;  // d/dκ
    dr = 1.0 + gamma1_ * di1 * q * q;                  // dκ/dδ = -q²
    return delta - gamma1_ * i1;
  }

  bool newton(complex& delta, complex z) const {
    double last = std::numeric_limits<double>::infinity();
    int growing = 0;
    for (int it = 0; it < 60; ++it) {
      complex dr, ma;
      const complex r = residual(delta, z, dr, ma);
      if (!finite(r) || !finite(dr) || dr == 0.0) return false;
      const complex step = r / dr;
      delta -= step;
      const double size = std::abs(step);
      if (!std::isfinite(size)) return false;
      if (size <= 1e-15 * (1.0 + std::abs(delta)) ||
          (size <= 1e-11 * (1.0 + std::abs(delta)) && size >= 0.5 * last))
        return physical(delta, z);
      growing = size > last ? growing + 1 : 0;
      if (growing >= 3) return false;
      last = size;
    }
    return false;
  }

  bool physical(complex delta, complex z) const {
    complex dr, ma;
    residual(delta, z, dr, ma);
    if (!finite(ma) || !finite(delta)) return false;
    return delta.imag() >= -1e-10 * (1.0 + std::abs(delta)) && ma.imag() >= -1e-10 * std::abs(ma);
  }

  complex value(complex delta, complex z) const {
    complex dr, ma;
    residual(delta, z, dr, ma);
    return ma;
  }

  void far_start(double x, double min_eta, complex& delta, double& eta) const {
    eta = std::max(min_eta, 4.0 * (scale_ + std::abs(x)));
    for (int attempt = 0; attempt < 6; ++attempt, eta *= 10.0) {
      delta = 0.0;
      if (newton(delta, complex(x, eta))) return;
    }
    throw NumericalError(fmt::format("NeuralTangentKernel: no starting point at Re z = {}", x));
  }

  void descend(double x, double target, complex& delta, double& eta, double factor = 0.01) const {
    numerics::descend_to_axis(
        delta, x, target, eta, 1e-10 * scale_, 1e-13 * scale_,
        [this](complex& d, complex z) { return newton(d, z); }, "NeuralTangentKernel", factor);
  }

  // m_A(z) for Im z ≥ 0.
  complex solve(complex z) const {
    complex delta;
    double eta = 0.0;
    far_start(z.real(), z.imag(), delta, eta);
    if (eta > z.imag()) descend(z.real(), z.imag(), delta, eta);
    const complex m = value(delta, complex(z.real(), eta));
    return z.imag() == 0.0 && m.imag() < 0.0 ? complex(m.real(), 0.0) : m;
  }

 private:
  double b2_, gamma1_;
  MarchenkoPastur mp0_;
  double scale_;
};

// Upper edge of ν and a bound for the top of A = T^{1/2}(I + W)T^{1/2}.
double nu_top(double b, double gamma0) {
  return (1.0 - b * b) + b * b * MarchenkoPastur(gamma0).upper_edge();
}
double a_top(double b, double gamma0, double gamma1) {
  return nu_top(b, gamma0) * (1.0 + MarchenkoPastur(gamma1).upper_edge());
}

}  // namespace

NeuralTangentKernel::NeuralTangentKernel(double a_sigma, double b, double gamma0, double gamma1)
    : a_sigma_(a_sigma), b_(b), gamma0_(gamma0), gamma1_(gamma1) {
  if (!(std::isfinite(b) && b >= 0.0 && b <= 1.0))
    throw InputError(fmt::format("NeuralTangentKernel: b must be in [0, 1], got {}", b));
  if (!(std::isfinite(a_sigma) && a_sigma >= b * b))
    throw InputError(fmt::format(
        "NeuralTangentKernel: a_sigma = E σ'(ξ)² must be >= b² = {} (Jensen), got {}", b * b,
        a_sigma));
  if (!(std::isfinite(gamma0) && gamma0 > 0.0))
    throw InputError(fmt::format("NeuralTangentKernel: gamma0 must be > 0, got {}", gamma0));
  if (!(std::isfinite(gamma1) && gamma1 > 0.0))
    throw InputError(fmt::format("NeuralTangentKernel: gamma1 must be > 0, got {}", gamma1));
  const double shift = a_sigma_ - 1.0;
  if (b_ == 0.0) {
    // μ_NTK = a_σ + MP(γ1).
    const MarchenkoPastur mp(gamma1_);
    support_ = {{shift + 1.0 + mp.lower_edge(), shift + 1.0 + mp.upper_edge()}};
    return;
  }
  // A ≥ T ≥ 0 and ‖A‖ ≤ ‖T‖ (1 + ‖W‖): scan [shift, shift + bound].
  const double hi = a_top(b_, gamma0_, gamma1_);
  NtkSolver solver(b_, gamma0_, gamma1_, std::max(1.0, hi));
  support_ = numerics::scan_support(
      [&](double x) {
        if (x <= shift) return 0.0;
        return density_from(solver.solve(complex(x - shift, 0.0)));
      },
      shift, shift + hi, 4000, 1e-10);
}

complex NeuralTangentKernel::stieltjes(complex z) const {
  if (!finite(z)) throw InputError("NeuralTangentKernel: non-finite argument");
  if (z.imag() < 0.0) return std::conj(stieltjes(std::conj(z)));
  const double shift = a_sigma_ - 1.0;
  const complex zs = z - shift;
  if (b_ == 0.0) return MarchenkoPastur(gamma1_).stieltjes(zs - 1.0);
  if (zs == 0.0 && b_ == 1.0 && gamma0_ >= 1.0)
    throw InputError("NeuralTangentKernel: m(z) is singular at z = a_sigma - 1 (atom)");
  const double hi = a_top(b_, gamma0_, gamma1_);
  return NtkSolver(b_, gamma0_, gamma1_, std::max(1.0, hi)).solve(zs);
}

double NeuralTangentKernel::density(double x) const {
  if (!std::isfinite(x)) throw InputError("NeuralTangentKernel: non-finite argument");
  const double shift = a_sigma_ - 1.0;
  if (b_ == 0.0) return MarchenkoPastur(gamma1_).density(x - shift - 1.0);
  if (x <= shift) return 0.0;
  return density_from(stieltjes(complex(x, 0.0)));
}

std::vector<Interval> NeuralTangentKernel::support() const { return support_; }

// T = (1 - b²) I + b² X0ᵀX0 is invertible for b < 1, and then so is A = T^{1/2}(I + W)T^{1/2}
// (I + W ≥ I): no atom. For b = 1, ker A = ker X0ᵀX0: mass (1 - 1/γ0)⁺ at a_σ - 1.
std::vector<Atom> NeuralTangentKernel::atoms() const {
  if (b_ == 1.0 && gamma0_ > 1.0) return {{a_sigma_ - 1.0, 1.0 - 1.0 / gamma0_}};
  return {};
}

// With s = a_σ - 1, V = I + W (m1(V) = 2, m2(V) = 4 + γ1), T free of V, m1(T) = 1,
// m2(T) = 1 - b⁴ + b⁴(1 + γ0) = 1 + b⁴γ0:
//   m1(A) = m1(T) m1(V) = 2,
//   m2(A) = φ(TVTV) = m2(T) m1(V)² + m1(T)² m2(V) - m1(T)² m1(V)² = 4 m2(T) + γ1;
//   m1 = s + 2,  m2 = s² + 4 s + 4 m2(T) + γ1.
std::vector<double> NeuralTangentKernel::moments(int count) const {
  if (count < 0 || count > 2)
    throw InputError(
        fmt::format("NeuralTangentKernel: moments are available for count 0..2, got {}", count));
  const double s = a_sigma_ - 1.0;
  const double b4 = b_ * b_ * b_ * b_;
  const double m2t = 1.0 + b4 * gamma0_;
  std::vector<double> out{s + 2.0, s * s + 4.0 * s + 4.0 * m2t + gamma1_};
  out.resize(count);
  return out;
}

}  // namespace rmt::theory
