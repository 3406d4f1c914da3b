#include "core/base/spectral_cdf.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include <boost/math/quadrature/gauss.hpp>

namespace rmt {

namespace {
using Rule = boost::math::quadrature::gauss<double, 10>;
}

SpectralCdf::SpectralCdf(const SpectralLaw& law, int panels)
    : law_(law), panels_(panels), atoms_(law.atoms()) {
  for (const auto& range : law.support()) {
    Component c{range, std::vector<double>(static_cast<std::size_t>(panels) + 1, 0.0)};
    const double h = std::numbers::pi / panels;
    for (int k = 0; k < panels; ++k)
      c.cumulative[k + 1] = c.cumulative[k] + integrate_theta(c, k * h, (k + 1) * h);
    total_mass_ += c.cumulative.back();
    components_.push_back(std::move(c));
  }
  for (const auto& a : atoms_) total_mass_ += a.mass;
}

double SpectralCdf::integrate_theta(const Component& c, double from, double to) const {
  const double a = c.range.lo, half_width = 0.5 * (c.range.hi - c.range.lo);
  return Rule::integrate(
      [&](double theta) {
        const double x = a + half_width * (1.0 - std::cos(theta));
        return law_.density(x) * half_width * std::sin(theta);
      },
      from, to);
}

double SpectralCdf::continuous_below(double x) const {
  double mass = 0;
  for (const auto& c : components_) {
    if (x >= c.range.hi) {
      mass += c.cumulative.back();
    } else if (x > c.range.lo) {
      const double u = 1.0 - 2.0 * (x - c.range.lo) / (c.range.hi - c.range.lo);
      const double theta = std::acos(std::clamp(u, -1.0, 1.0));
      const double h = std::numbers::pi / panels_;
      const int k = std::min(panels_ - 1, static_cast<int>(theta / h));
      mass += c.cumulative[k] + integrate_theta(c, k * h, theta);
    }
  }
  return mass;
}

double SpectralCdf::operator()(double x) const {
  double mass = continuous_below(x);
  for (const auto& a : atoms_)
    if (a.x <= x) mass += a.mass;
  return mass;
}

double SpectralCdf::quantile(double u) const {
  double lo = components_.empty() ? 0.0 : components_.front().range.lo;
  double hi = components_.empty() ? 0.0 : components_.back().range.hi;
  for (const auto& a : atoms_) {
    lo = std::min(lo, a.x);
    hi = std::max(hi, a.x);
  }
  for (int it = 0; it < 200 && hi - lo > 1e-15 * (1 + std::abs(hi)); ++it) {
    const double mid = 0.5 * (lo + hi);
    ((*this)(mid) >= u ? hi : lo) = mid;
  }
  return hi;
}

double SpectralCdf::left(double x) const {
  double mass = continuous_below(x);
  for (const auto& a : atoms_)
    if (a.x < x) mass += a.mass;
  return mass;
}

}  // namespace rmt
