#include "theory/mei_montanari.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/base/error.hpp"

namespace rmt::theory {
namespace {

constexpr double kEps = std::numeric_limits<double>::epsilon();

// The ν-equations at ξ = iy reduced to one scalar equation. On the imaginary axis ν1 = ia,
// ν2 = ib with a, b > 0 and 1 − ζ²ν1ν2 = 1 + ζ²q, q = ab = −χ, so the two equations read
//   a y + h(q) = ψ1,  b y + h(q) = ψ2,   h(q) = q + ζ²q/(1 + ζ²q).
// Hence a = (ψ1 − h)/y, b = (ψ2 − h)/y and q solves
//   F(q) = y² q − (ψ1 − h(q))(ψ2 − h(q)) = 0   on (0, q_max),  h(q_max) = min(ψ1, ψ2).
// F is increasing and concave there (h concave increasing, (ψ1 − u)(ψ2 − u) convex decreasing in
// u), so the root is unique — the analytic C⁺ branch, without the branch hazards of iterating the
// complex pair — and Newton from q = 0 climbs to it monotonically.
struct Reduced {
  double zeta2, psi1, psi2;
  double h(double q) const { return q + zeta2 * q / (1.0 + zeta2 * q); }
  double dh(double q) const { return 1.0 + zeta2 / ((1.0 + zeta2 * q) * (1.0 + zeta2 * q)); }
};

// h(q) = ψ ⇔ ζ²q² − Aq − ψ = 0 with A = ψζ² − ζ² − 1; the positive root, written without
// cancellation. χ = −q_max is docs/theory.md's ridgeless closed form.
double q_at_level(double zeta2, double psi) {
  const double a = psi * zeta2 - zeta2 - 1.0;
  const double disc = std::sqrt(a * a + 4.0 * psi * zeta2);
  return a >= 0.0 ? (a + disc) / (2.0 * zeta2) : 2.0 * psi / (disc - a);
}

double solve_q(const Reduced& r, double y2) {
  const double qmax = q_at_level(r.zeta2, std::min(r.psi1, r.psi2));
  double q = 0.0, f = 0.0;
  for (int it = 0; it < 500; ++it) {
    const double h = r.h(q);
    f = y2 * q - (r.psi1 - h) * (r.psi2 - h);
    const double df = y2 + r.dh(q) * ((r.psi1 - h) + (r.psi2 - h));
    const double step = f / df;
    const double next = std::clamp(q - step, 0.0, qmax);
    if (std::abs(next - q) <= 4.0 * kEps * next) return next;
    q = next;
  }
  throw NumericalError(fmt::format(
      "mei_montanari: the nu-equations did not converge in 500 Newton steps (q = {}, residual {:.3g})", q, f));
}

}  // namespace

MeiMontanariRisk mei_montanari(double zeta, double psi1, double psi2, double lambda_bar, double F1sq,
                               double Fstar_sq, double tau2) {
  const auto positive = [](double v) { return std::isfinite(v) && v > 0.0; };
  const auto nonnegative = [](double v) { return std::isfinite(v) && v >= 0.0; };
  if (!positive(zeta)) throw InputError(fmt::format("mei_montanari: zeta = {} must be > 0", zeta));
  if (!positive(psi1)) throw InputError(fmt::format("mei_montanari: psi1 = {} must be > 0", psi1));
  if (!positive(psi2)) throw InputError(fmt::format("mei_montanari: psi2 = {} must be > 0", psi2));
  if (!nonnegative(lambda_bar))
    throw InputError(fmt::format("mei_montanari: lambda_bar = {} must be >= 0", lambda_bar));
  if (!nonnegative(F1sq) || !nonnegative(Fstar_sq) || !nonnegative(tau2))
    throw InputError(fmt::format("mei_montanari: F1sq = {}, Fstar_sq = {}, tau2 = {} must be >= 0", F1sq,
                                 Fstar_sq, tau2));
  if (lambda_bar == 0.0 && psi1 == psi2)
    throw InputError("mei_montanari: ridgeless risk diverges at the interpolation threshold psi1 = psi2");

  const double z2 = zeta * zeta;
  const Reduced reduced{z2, psi1, psi2};
  const double q = lambda_bar == 0.0 ? q_at_level(z2, std::min(psi1, psi2))
                                     : solve_q(reduced, psi1 * psi2 * lambda_bar);
  const double chi = -q;

  const double z4 = z2 * z2, z6 = z4 * z2;
  const double c2 = chi * chi, c3 = c2 * chi, c4 = c3 * chi, c5 = c4 * chi;
  const double pp = psi1 * psi2;
  const double e0 = -c5 * z6 + 3.0 * c4 * z4 + (pp - psi2 - psi1 + 1.0) * c3 * z6 - 2.0 * c3 * z4 -
                    3.0 * c3 * z2 + (psi1 + psi2 - 3.0 * pp + 1.0) * c2 * z4 + 2.0 * c2 * z2 + c2 +
                    3.0 * pp * chi * z2 - pp;
  const double e1 = psi2 * c3 * z4 - psi2 * c2 * z2 + pp * chi * z2 - pp;
  const double e2 = c5 * z6 - 3.0 * c4 * z4 + (psi1 - 1.0) * c3 * z6 + 2.0 * c3 * z4 + 3.0 * c3 * z2 +
                    (-psi1 - 1.0) * c2 * z4 - 2.0 * c2 * z2 - c2;

  MeiMontanariRisk r;
  r.chi = chi;
  r.bias = e1 / e0;
  r.variance = e2 / e0;
  r.excess = F1sq * r.bias + (tau2 + Fstar_sq) * r.variance;
  r.risk = r.excess + Fstar_sq;
  return r;
}

}  // namespace rmt::theory
