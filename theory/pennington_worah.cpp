#include "theory/pennington_worah.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include "core/base/error.hpp"
#include "theory/numerics/polynomial.hpp"
#include "theory/numerics/support_scan.hpp"

namespace rmt::theory {
namespace {

constexpr double kPi = 3.14159265358979323846;

bool finite(complex z) { return std::isfinite(z.real()) && std::isfinite(z.imag()); }

// f is linear (η = ζ, Cauchy–Schwarz equality) up to rounding in the Gaussian expectations.
bool is_linear(double eta, double zeta) { return eta - zeta <= 1e-12 * eta; }

// Candidates m = -G for the Stieltjes transform, from the roots P of
// (P - 1 - (η-ζ) t A(P)) (1 - ζ t A(P)) - ζ t A(P) = 0, t = 1/(zψ), A = P_φ P_ψ (docs/theory.md §3.1),
// and G = ψ P / z + (1 - ψ)/z. Exact zero leading coefficients (ζ = 0, or linear f) lower the
// degree; polynomial_roots drops them.
std::vector<complex> m_candidates(double eta, double zeta, double phi, double psi, complex z) {
  const complex t = 1.0 / (z * psi);
  const std::array<double, 3> a = {(1 - phi) * (1 - psi), (1 - phi) * psi + phi * (1 - psi), phi * psi};
  const double ez = is_linear(eta, zeta) ? 0.0 : eta - zeta;
  std::array<complex, 3> left{};
  std::array<complex, 3> right{};
  std::array<complex, 3> zta{};
  for (int k = 0; k < 3; ++k) {
    left[k] = -ez * t * a[k];
    zta[k] = zeta * t * a[k];
    right[k] = -zta[k];
  }
  left[0] += -1.0;
  left[1] += 1.0;
  right[0] += 1.0;
  std::vector<complex> poly = numerics::polynomial_multiply(std::span<const complex>(left), std::span<const complex>(right));
  for (int k = 0; k < 3; ++k) poly[k] -= zta[k];
  // Exact zeros at the top when ez = 0 or ζ = 0 (products of exact zeros stay exact zeros).
  const auto roots = numerics::polynomial_roots(std::span<const complex>(poly));
  std::vector<complex> out;
  out.reserve(roots.size());
  for (const complex p : roots) out.push_back(-(psi * p + (1.0 - psi)) / z);
  return out;
}

}  // namespace

PenningtonWorah::PenningtonWorah(double eta, double zeta, double phi, double psi)
    : eta_(eta), zeta_(zeta), phi_(phi), psi_(psi) {
  const auto pos = [](double v) { return std::isfinite(v) && v > 0.0; };
  if (!pos(eta)) throw InputError(fmt::format("PenningtonWorah: eta must be > 0, got {}", eta));
  if (!(std::isfinite(zeta) && zeta >= 0.0))
    throw InputError(fmt::format("PenningtonWorah: zeta must be >= 0, got {}", zeta));
  if (zeta > eta * (1.0 + 1e-12))
    throw InputError(fmt::format("PenningtonWorah: zeta = (E f')^2 <= eta = E f^2 (Cauchy–Schwarz), got zeta = {} > eta = {}",
                                 zeta, eta));
  if (!pos(phi)) throw InputError(fmt::format("PenningtonWorah: phi must be > 0, got {}", phi));
  if (!pos(psi)) throw InputError(fmt::format("PenningtonWorah: psi must be > 0, got {}", psi));
  zeta_ = std::min(zeta_, eta_);
  // The law lives on [0, ∞); the upper edge lies well within mean + 10 sd (checked below:
  // the scan is widened until the density vanishes at its right end).
  const auto mom = moments(2);
  const double sd = std::sqrt(std::max(mom[1] - mom[0] * mom[0], 0.0));
  double hi = mom[0] + 10.0 * sd;
  const auto dens = [this](double x) { return density(x); };
  for (int widen = 0; widen < 8 && dens(hi) > 0.0; ++widen) hi *= 2.0;
  support_ = numerics::scan_support(dens, 0.0, hi, 4000, 1e-10);
}

std::vector<complex> PenningtonWorah::green_candidates(complex z) const {
  if (!finite(z) || z == 0.0) throw InputError("PenningtonWorah: z must be finite and non-zero");
  auto m = m_candidates(eta_, zeta_, phi_, psi_, z);
  for (auto& v : m) v = -v;
  return m;
}

std::vector<Interval> PenningtonWorah::support() const { return support_; }

std::vector<Atom> PenningtonWorah::atoms() const {
  const double mass = is_linear(eta_, zeta_) ? 1.0 - psi_ * std::min(1.0, 1.0 / phi_) : 1.0 - psi_ / phi_;
  if (mass > 0.0) return {{0.0, mass}};
  return {};
}

// ρ(x) = Im m(x + i0)/π: at real x the quartic has real coefficients, and inside the support the
// physical root is the member of the complex-conjugate pair with Im m > 0, i.e. the candidate with
// the largest Im m (most negative Im G, docs/theory.md §3.1). Evaluating at ε = 0 (not 1e-9) keeps the
// Lorentzian tail of the atom at 0 out of the absolutely continuous density. Outside the support
// all roots are real up to rounding (~1e-16), far below scan_support's threshold.
double PenningtonWorah::density(double x) const {
  if (!(x > 0.0) || !std::isfinite(x)) return 0.0;
  const auto cands = m_candidates(eta_, zeta_, phi_, psi_, complex(x, 0.0));
  double best = 0.0;
  for (const complex m : cands) best = std::max(best, m.imag());
  const double rho = best / kPi;
  return rho > 1e-13 * (1.0 + 1.0 / x) ? rho : 0.0;
}

// m(z) = -G(z).
//  * Im z > 0: the physical root has Im m > 0; when it is the only candidate with Im m > 0 it is
//    taken directly, otherwise the root is tracked down a vertical path from z + iR, where
//    m ≈ -1/z and the other candidates are O(1) away.
//  * Im z < 0: conjugate symmetry.
//  * real z: in the support the boundary value of the density rule; outside it the real root that
//    is the continuation from C⁺ (tracked to Im z = 1e-13·scale, then snapped to the nearest
//    candidate at Im z = 0). At z = 0 (outside the support, no atom) the mean over a tiny circle.
complex PenningtonWorah::stieltjes(complex z) const {
  if (!finite(z)) throw InputError("PenningtonWorah: non-finite argument");
  if (z.imag() < 0.0) return std::conj(stieltjes(std::conj(z)));
  const double scale = support_.empty() ? eta_ : std::max(support_.back().hi, eta_);
  if (z == 0.0) {
    const bool singular = !atoms().empty() || support_.empty() || support_.front().lo <= 1e-6 * scale;
    if (singular) throw InputError("PenningtonWorah: m(z) is singular at z = 0 (atom or edge at 0)");
    // m is analytic on |z| < lower edge: the trapezoid mean over 16 points of a circle of radius
    // δ is m(0) up to O(δ^16).
    const double delta = 0.25 * support_.front().lo;
    complex sum = 0.0;
    for (int k = 0; k < 16; ++k) sum += stieltjes(std::polar(delta, 2.0 * kPi * (k + 0.5) / 16.0));
    return complex(sum.real() / 16.0, 0.0);
  }
  if (z.imag() > 0.0) {
    auto cands = m_candidates(eta_, zeta_, phi_, psi_, z);
    std::sort(cands.begin(), cands.end(), [](complex a, complex b) { return a.imag() > b.imag(); });
    if (cands[0].imag() > 0.0 && (cands.size() == 1 || cands[1].imag() < 0.0)) return cands[0];
  } else {
    const double rho = density(z.real());
    if (rho > 0.0) {
      const auto cands = m_candidates(eta_, zeta_, phi_, psi_, complex(z.real(), 0.0));
      return *std::max_element(cands.begin(), cands.end(), [](complex a, complex b) { return a.imag() < b.imag(); });
    }
  }
  // Tracking from far above: y from R down to y_end geometrically, refining the step whenever the
  // nearest candidate is not clearly separated from the second nearest.
  const double x = z.real();
  const double y_end = z.imag() > 0.0 ? z.imag() : 1e-13 * scale;
  const double big = 100.0 * (scale + std::abs(x)) + 1.0;
  double y = std::max(big, y_end);
  complex current = numerics::nearest_root(m_candidates(eta_, zeta_, phi_, psi_, complex(x, y)), -1.0 / complex(x, y), nullptr);
  double ratio_step = 0.8;
  while (y > y_end) {
    const double y_next = std::max(y * ratio_step, y_end);
    double sep = 0.0;
    const complex next = numerics::nearest_root(m_candidates(eta_, zeta_, phi_, psi_, complex(x, y_next)), current, &sep);
    if (sep > 0.25 && ratio_step < 0.999) {
      ratio_step = std::sqrt(ratio_step);  // smaller step, retry
      continue;
    }
    current = next;
    y = y_next;
    ratio_step = std::min(0.8, ratio_step * ratio_step);
  }
  if (z.imag() > 0.0) return current;
  // Real z outside the support: snap to the candidate at the axis itself; it is real.
  const complex snapped = numerics::nearest_root(m_candidates(eta_, zeta_, phi_, psi_, complex(x, 0.0)), current, nullptr);
  return complex(snapped.real(), 0.0);
}

std::vector<double> PenningtonWorah::moments(int count) const {
  if (count < 0) throw InputError(fmt::format("moments: count must be >= 0, got {}", count));
  if (count > 2)
    throw InputError(fmt::format("PenningtonWorah::moments: only the first two moments are available, got count = {}",
                                 count));
  const std::array<double, 2> all = {eta_, eta_ * eta_ * (1.0 + phi_ / psi_) + zeta_ * zeta_ / psi_};
  return std::vector<double>(all.begin(), all.begin() + count);
}

}  // namespace rmt::theory
