#include "core/base/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

#include <boost/math/distributions/normal.hpp>
#include <boost/math/special_functions/airy.hpp>
#include <boost/math/tools/roots.hpp>
#include <fmt/format.h>
#include <lapacke.h>

#include "core/base/error.hpp"

namespace rmt {

std::vector<double> snap_to_atoms(std::vector<double> sorted, const std::vector<Atom>& atoms, double tol) {
  for (auto& x : sorted)
    for (const auto& a : atoms)
      if (std::abs(x - a.x) <= tol) x = a.x;
  std::sort(sorted.begin(), sorted.end());
  return sorted;
}

double ks_distance(std::span<const double> sorted, const SpectralCdf& cdf) {
  const auto n = static_cast<double>(sorted.size());
  double d = 0;
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    d = std::max(d, (static_cast<double>(i) + 1) / n - cdf(sorted[i]));
    d = std::max(d, cdf.left(sorted[i]) - static_cast<double>(i) / n);
  }
  return d;
}

double abs_gap_integral(double u, double v, double fu, double fm, double fv, double c) {
  const double gu = fu - c, gm = fm - c, gv = fv - c;
  if ((gu >= 0 && gv >= 0) || (gu <= 0 && gv <= 0))
    return (v - u) / 6.0 * (std::abs(gu) + 4 * std::abs(gm) + std::abs(gv));
  // F crosses c inside: split at the linear-interpolation crossing, trapezoids on both sides.
  const double t = gu / (gu - gv);
  const double x = u + t * (v - u);
  return 0.5 * (x - u) * std::abs(gu) + 0.5 * (v - x) * std::abs(gv);
}

double wasserstein1(std::span<const double> sorted, const SpectralCdf& cdf,
                    const std::vector<Interval>& support, int grid_per_component) {
  if (sorted.empty()) return 0;
  std::vector<double> points(sorted.begin(), sorted.end());
  for (const auto& s : support)
    for (int k = 0; k <= grid_per_component; ++k)
      points.push_back(s.lo + (s.hi - s.lo) * k / grid_per_component);
  for (const auto& a : cdf.atoms()) points.push_back(a.x);
  std::sort(points.begin(), points.end());
  points.erase(std::unique(points.begin(), points.end()), points.end());

  const auto n = static_cast<double>(sorted.size());
  double total = 0;
  std::size_t below = 0;  // eigenvalues ≤ current left end
  for (std::size_t k = 0; k + 1 < points.size(); ++k) {
    const double u = points[k], v = points[k + 1];
    while (below < sorted.size() && sorted[below] <= u) ++below;
    const double c = static_cast<double>(below) / n;
    total += abs_gap_integral(u, v, cdf(u), cdf(0.5 * (u + v)), cdf.left(v), c);
  }
  return total;
}

std::vector<double> empirical_moments(std::span<const double> eigs, int count) {
  std::vector<double> m(static_cast<std::size_t>(count), 0.0);
  for (const double x : eigs) {
    double p = 1;
    for (int k = 0; k < count; ++k) m[k] += (p *= x);
  }
  for (auto& v : m) v /= static_cast<double>(eigs.size());
  return m;
}

complex empirical_stieltjes(std::span<const double> eigs, complex z) {
  complex sum = 0;
  for (const double x : eigs) sum += 1.0 / (x - z);
  return sum / static_cast<double>(eigs.size());
}

std::vector<complex> standard_stieltjes_points(const std::vector<Interval>& support, double scale) {
  double lo = support.empty() ? 0.0 : support.front().lo;
  double hi = support.empty() ? scale : support.back().hi;
  std::vector<complex> z;
  for (const double eta : {0.05, 0.1, 0.3})
    for (const double f : {0.0, 0.25, 0.5, 0.75, 1.0}) z.emplace_back(lo + f * (hi - lo), eta * scale);
  z.emplace_back(std::min(0.0, lo) - scale, 0.0);  // real, left of the support
  return z;
}

double distance_to_support(complex z, const std::vector<Interval>& support) {
  if (support.empty()) return std::abs(z);
  const double x = std::clamp(z.real(), support.front().lo, support.back().hi);
  return std::abs(z - complex(x, 0.0));
}

double stieltjes_error(std::span<const complex> z, std::span<const complex> empirical,
                       std::span<const complex> theory, const std::vector<Interval>& support) {
  double worst = 0;
  for (std::size_t k = 0; k < z.size(); ++k)
    worst = std::max(worst, distance_to_support(z[k], support) * std::abs(empirical[k] - theory[k]));
  return worst;
}

double normal_two_sided_quantile(double p) {
  RMT_EXPECTS(p > 0 && p < 1, "two-sided normal quantile at p = {}", p);
  return boost::math::quantile(boost::math::complement(boost::math::normal(), p / 2));
}

double tracy_widom_scale(double sqrt_coefficient, index_t dim) {
  return std::pow(sqrt_coefficient * static_cast<double>(dim), -2.0 / 3.0);
}

double sqrt_edge_coefficient(const SpectralLaw& law, double right_edge, double window) {
  constexpr int kPoints = 12;
  // Least squares of q(x) = π²ρ(x)² on c0 + c1 u + c2 u², u = (λ₊ - x)/window ∈ [1/12, 1].
  double ata[3][3] = {}, atb[3] = {};
  std::vector<double> u(kPoints), q(kPoints);
  for (int k = 0; k < kPoints; ++k) {
    u[k] = (k + 1.0) / kPoints;
    const double rho = law.density(right_edge - u[k] * window);
    q[k] = std::numbers::pi * std::numbers::pi * rho * rho;
    const double basis[3] = {1.0, u[k], u[k] * u[k]};
    for (int i = 0; i < 3; ++i) {
      atb[i] += basis[i] * q[k];
      for (int j = 0; j < 3; ++j) ata[i][j] += basis[i] * basis[j];
    }
  }
  // 3×3 normal equations by Cramer's rule (well conditioned on [1/12, 1]).
  const auto det3 = [](const double m[3][3]) {
    return m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
           m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
  };
  const double det = det3(ata);
  double c[3];
  for (int col = 0; col < 3; ++col) {
    double m[3][3];
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j) m[i][j] = j == col ? atb[i] : ata[i][j];
    c[col] = det3(m) / det;
  }
  // The root u₀ of c0 + c1 u + c2 u² next to u = 0 (the fitted edge), by Newton from the linear root.
  if (!(c[1] > 0)) return std::numeric_limits<double>::quiet_NaN();
  double u0 = -c[0] / c[1];
  for (int it = 0; it < 20; ++it) u0 -= (c[0] + u0 * (c[1] + c[2] * u0)) / (c[1] + 2 * c[2] * u0);
  const double slope = c[1] + 2 * c[2] * u0;  // dq/du at the root: a² · window
  double residual = 0, scale = 0;
  for (int k = 0; k < kPoints; ++k) {
    residual = std::max(residual, std::abs(q[k] - (c[0] + u[k] * (c[1] + c[2] * u[k]))));
    scale = std::max(scale, std::abs(q[k]));
  }
  // A square-root edge: the fitted edge within a quarter window of λ₊, and the quadratic fits.
  if (!(std::abs(u0) < 0.25 && slope > 0 && residual <= 1e-3 * scale)) return std::numeric_limits<double>::quiet_NaN();
  return std::sqrt(slope / window);
}

EdgeError edge_error(double lambda_max, double right_edge, double tw_scale) {
  const double a = lambda_max - right_edge;
  return {a, tw_scale > 0 ? a / tw_scale : std::numeric_limits<double>::quiet_NaN()};
}

namespace tw1 {

namespace {

// Gauss–Legendre nodes and weights on [0, 1] (Golub–Welsch: eigenvalues of the Jacobi matrix).
struct Rule {
  std::vector<double> x, w;
};

Rule gauss_legendre(int m) {
  std::vector<double> diag(static_cast<std::size_t>(m), 0.0), off(static_cast<std::size_t>(m - 1));
  for (int k = 1; k < m; ++k) off[k - 1] = k / std::sqrt(4.0 * k * k - 1.0);
  std::vector<double> z(static_cast<std::size_t>(m) * m);
  if (LAPACKE_dstev(LAPACK_COL_MAJOR, 'V', m, diag.data(), off.data(), z.data(), m) != 0)
    throw NumericalError("tw1: Gauss–Legendre nodes (dstev) failed");
  Rule r{std::vector<double>(static_cast<std::size_t>(m)), std::vector<double>(static_cast<std::size_t>(m))};
  for (int k = 0; k < m; ++k) {
    r.x[k] = 0.5 * (diag[k] + 1.0);
    const double v = z[static_cast<std::size_t>(k) * m];  // first component of the k-th eigenvector
    r.w[k] = v * v;                                       // 2v² on [-1, 1], halved on [0, 1]
  }
  return r;
}

// Ai((x + y)/2 + s) < 1e-20 beyond this argument.
constexpr double kAiryCutoff = 17.0;

double fredholm_cdf(double s, int m) {
  if (s >= kAiryCutoff) return 1.0;
  const double length = 2.0 * (kAiryCutoff - s);  // x ∈ [0, L]: beyond it every kernel entry is negligible
  const Rule r = gauss_legendre(m);
  std::vector<double> a(static_cast<std::size_t>(m) * m);
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < m; ++j) {
      const double xi = length * r.x[i], xj = length * r.x[j];
      const double k = 0.5 * boost::math::airy_ai(0.5 * (xi + xj) + s);
      a[static_cast<std::size_t>(j) * m + i] = (i == j ? 1.0 : 0.0) - length * std::sqrt(r.w[i] * r.w[j]) * k;
    }
  std::vector<lapack_int> pivots(static_cast<std::size_t>(m));
  if (LAPACKE_dgetrf(LAPACK_COL_MAJOR, m, m, a.data(), m, pivots.data()) < 0)
    throw NumericalError("tw1: LU of the Fredholm matrix failed");
  double det = 1;
  for (int i = 0; i < m; ++i) det *= (pivots[i] != i + 1 ? -1.0 : 1.0) * a[static_cast<std::size_t>(i) * m + i];
  return std::clamp(det, 0.0, 1.0);
}

// Nodes: the kernel oscillates like Ai(-X) (wavelength 2π/√X) on the part of [0, L] where the argument
// is negative; 40 nodes resolve the decaying part, 3 per unit of L the oscillations.
int nodes_for(double s) { return 40 + static_cast<int>(3.0 * std::max(0.0, -s)); }

struct Moments {
  double mean, variance;
};

// E X = ∫₀^∞ (1 − F) − ∫_{−∞}^0 F, E X² = ∫₀^∞ 2s(1 − F) + ∫_{−∞}^0 2|s| F, on [−12, 0] and [0, 14]
// (F₁(−12) < 1e-30, 1 − F₁(14) < 1e-16), Gauss–Legendre in s.
Moments compute_moments() {
  constexpr int kNodes = 80;
  const Rule r = gauss_legendre(kNodes);
  double m1 = 0, m2 = 0;
  for (int k = 0; k < kNodes; ++k) {
    const double sl = -12.0 * r.x[k], wl = 12.0 * r.w[k];
    const double fl = cdf(sl);
    m1 -= wl * fl;
    m2 += wl * 2.0 * (-sl) * fl;
    const double su = 14.0 * r.x[k], wu = 14.0 * r.w[k];
    const double gu = 1.0 - cdf(su);
    m1 += wu * gu;
    m2 += wu * 2.0 * su * gu;
  }
  return {m1, m2 - m1 * m1};
}

const Moments& moments() {
  static const Moments m = compute_moments();
  return m;
}

// Root of g on [lo, hi] (g(lo) < 0 < g(hi)), TOMS 748.
template <typename G>
double root(G g, double lo, double hi) {
  boost::uintmax_t iterations = 200;
  const auto r = boost::math::tools::toms748_solve(g, lo, hi, boost::math::tools::eps_tolerance<double>(45), iterations);
  return 0.5 * (r.first + r.second);
}

}  // namespace

double cdf(double s) { return fredholm_cdf(s, nodes_for(s)); }

double quantile(double u) {
  if (!(u > 0 && u < 1)) throw InputError(fmt::format("tw1::quantile: u = {} is not in (0, 1)", u));
  return root([u](double s) { return cdf(s) - u; }, -12.0, 14.0);
}

double mean() { return moments().mean; }
double variance() { return moments().variance; }

double abs_bound(double alpha) {
  if (!(alpha > 0 && alpha < 1)) throw InputError(fmt::format("tw1::abs_bound: alpha = {} is not in (0, 1)", alpha));
  return root([alpha](double t) { return alpha - (cdf(-t) + 1.0 - cdf(t)); }, 1e-6, 14.0);
}

}  // namespace tw1

}  // namespace rmt
