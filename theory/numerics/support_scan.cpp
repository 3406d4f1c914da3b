#include "theory/numerics/support_scan.hpp"

#include <cmath>

namespace rmt::theory::numerics {

namespace {

// Edge between a point outside (density ≤ tol) and one inside, to ~1e-13 of the interval.
double refine_edge(const std::function<double(double)>& density, double outside, double inside, double tol) {
  for (int it = 0; it < 200 && std::abs(inside - outside) > 1e-14 * (1 + std::abs(inside)); ++it) {
    const double mid = 0.5 * (outside + inside);
    (density(mid) > tol ? inside : outside) = mid;
  }
  return 0.5 * (outside + inside);
}

}  // namespace

std::vector<Interval> scan_support(const std::function<double(double)>& density, double lo, double hi, int points,
                                   double tol) {
  std::vector<Interval> support;
  const double h = (hi - lo) / points;
  bool inside = false;
  double start = lo;
  double previous = lo;
  for (int k = 0; k <= points; ++k) {
    const double x = lo + k * h;
    const bool now = density(x) > tol;
    if (now && !inside) start = k == 0 ? x : refine_edge(density, previous, x, tol);
    if (!now && inside) support.push_back({start, refine_edge(density, x, previous, tol)});
    inside = now;
    previous = x;
  }
  if (inside) support.push_back({start, hi});
  return support;
}

}  // namespace rmt::theory::numerics
