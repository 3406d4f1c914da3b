#include "core/base/metrics.hpp"

#include <algorithm>
#include <cmath>

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

namespace {

// ∫_u^v |c - F(x)| dx for F continuous and increasing on (u, v), from F at u⁺, midpoint, v⁻.
double abs_gap_integral(double u, double v, double fu, double fm, double fv, double c) {
  const double gu = fu - c, gm = fm - c, gv = fv - c;
  if ((gu >= 0 && gv >= 0) || (gu <= 0 && gv <= 0))
    return (v - u) / 6.0 * (std::abs(gu) + 4 * std::abs(gm) + std::abs(gv));
  // F crosses c inside: split at the linear-interpolation crossing, trapezoids on both sides.
  const double t = gu / (gu - gv);
  const double x = u + t * (v - u);
  return 0.5 * (x - u) * std::abs(gu) + 0.5 * (v - x) * std::abs(gv);
}

}  // namespace

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

EdgeError edge_error(double lambda_max, double right_edge, index_t dim) {
  const double a = lambda_max - right_edge;
  return {a, a * std::pow(static_cast<double>(dim), 2.0 / 3.0)};
}

}  // namespace rmt
