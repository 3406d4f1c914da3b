#include "core/base/fit.hpp"

#include <cmath>
#include <limits>
#include <vector>

#include <boost/math/distributions/students_t.hpp>
#include <fmt/format.h>

#include "core/base/error.hpp"

namespace rmt {

PowerLawFit fit_power_law(std::span<const double> x, std::span<const double> y, double confidence) {
  if (x.size() != y.size())
    throw InputError(fmt::format("fit_power_law: {} x values for {} y values", x.size(), y.size()));
  if (!(confidence > 0 && confidence < 1))
    throw InputError(fmt::format("fit_power_law: confidence {} is not in (0, 1)", confidence));
  std::vector<double> u, v;  // log x, log y
  for (std::size_t i = 0; i < x.size(); ++i)
    if (std::isfinite(x[i]) && std::isfinite(y[i]) && x[i] > 0 && y[i] > 0) {
      u.push_back(std::log(x[i]));
      v.push_back(std::log(y[i]));
    }
  const auto n = static_cast<double>(u.size());
  if (u.size() < 2) throw InputError(fmt::format("fit_power_law: {} usable points (need 2 with x, y > 0)", u.size()));
  double mu = 0, mv = 0;
  for (std::size_t i = 0; i < u.size(); ++i) mu += u[i] / n, mv += v[i] / n;
  double suu = 0, suv = 0;
  for (std::size_t i = 0; i < u.size(); ++i) suu += (u[i] - mu) * (u[i] - mu), suv += (u[i] - mu) * (v[i] - mv);
  if (!(suu > 0)) throw InputError("fit_power_law: all x values are equal");

  PowerLawFit fit;
  fit.points = static_cast<int>(u.size());
  fit.exponent = suv / suu;
  const double intercept = mv - fit.exponent * mu;
  fit.prefactor = std::exp(intercept);
  if (u.size() == 2) {  // two points fix the line exactly and say nothing about its uncertainty
    fit.stderr_ = fit.ci_low = fit.ci_high = std::numeric_limits<double>::quiet_NaN();
    return fit;
  }
  double rss = 0;
  for (std::size_t i = 0; i < u.size(); ++i) {
    const double r = v[i] - intercept - fit.exponent * u[i];
    rss += r * r;
  }
  const double dof = n - 2;
  fit.stderr_ = std::sqrt(rss / dof / suu);
  const boost::math::students_t dist(dof);
  const double t = boost::math::quantile(boost::math::complement(dist, (1 - confidence) / 2));
  fit.ci_low = fit.exponent - t * fit.stderr_;
  fit.ci_high = fit.exponent + t * fit.stderr_;
  return fit;
}

}  // namespace rmt
