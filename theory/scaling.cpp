#include "theory/scaling.hpp"

#include "core/base/fit.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "core/base/error.hpp"
#include "theory/rf_ridge_de.hpp"

namespace rmt::theory {
namespace {

void check_alpha_r(double alpha, double r, const char* who) {
  if (!(std::isfinite(alpha) && alpha > 1.0))
    throw InputError(fmt::format("{}: alpha = {} must be > 1", who, alpha));
  if (!(std::isfinite(r) && r > 0.0)) throw InputError(fmt::format("{}: r = {} must be > 0", who, r));
}

}  // namespace

PowerLawSpectrum power_law_spectrum(double alpha, double r, std::size_t D) {
  check_alpha_r(alpha, r, "power_law_spectrum");
  if (D == 0) throw InputError("power_law_spectrum: D must be >= 1");
  PowerLawSpectrum out;
  out.s.resize(D);
  out.w2.resize(D);
  const double w2_exponent = alpha - 1.0 - 2.0 * alpha * r;  // w_k² = k^{-(1+2αr)} / k^{-α}
  for (std::size_t k = 0; k < D; ++k) {
    const double kk = static_cast<double>(k + 1);
    out.s[k] = std::pow(kk, -alpha);
    out.w2[k] = std::pow(kk, w2_exponent);
  }
  return out;
}

double c_alpha(double alpha) {
  if (!(std::isfinite(alpha) && alpha > 1.0))
    throw InputError(fmt::format("c_alpha: alpha = {} must be > 1", alpha));
  const double x = std::numbers::pi / alpha;
  return x / std::sin(x);
}

double predicted_exponent(ScalingRegime regime, double alpha, double r) {
  check_alpha_r(alpha, r, "predicted_exponent");
  switch (regime) {
    case ScalingRegime::ridge_noiseless:
    case ScalingRegime::rf_in_samples:
      return -2.0 * alpha * std::min(r, 1.0);  // the bias saturates at r = 1
    case ScalingRegime::ridge_optimal_noisy: {
      const double a = 2.0 * alpha * std::min(r, 1.0);
      return -a / (a + 1.0);  // bias–variance balance at the optimal λ
    }
    case ScalingRegime::rf_in_features:
      return -2.0 * alpha * std::min(r, 0.5);  // the feature bottleneck saturates at r = 1/2
  }
  throw InputError("predicted_exponent: unknown regime");
}

TunedRidge optimal_ridge(std::span<const double> s, std::span<const double> beta2, double n, double sigma2,
                         double lambda_lo, double lambda_hi) {
  if (!(std::isfinite(lambda_lo) && lambda_lo > 0.0 && std::isfinite(lambda_hi) && lambda_hi > lambda_lo))
    throw InputError(fmt::format("optimal_ridge: need 0 < lambda_lo < lambda_hi (got {}, {})", lambda_lo, lambda_hi));
  const auto risk_at = [&](double log_lambda) {
    return ridge_risk_spectrum(s, beta2, n, std::exp(log_lambda), sigma2).test;
  };
  // A coarse scan first (the risk need not be unimodal over many decades), then golden section
  // between the neighbours of the best grid point.
  constexpr int kGrid = 25;
  const double a0 = std::log(lambda_lo), a1 = std::log(lambda_hi);
  const double h = (a1 - a0) / (kGrid - 1);
  int best = 0;
  double best_risk = risk_at(a0);
  for (int i = 1; i < kGrid; ++i) {
    const double v = risk_at(a0 + i * h);
    if (v < best_risk) {
      best_risk = v;
      best = i;
    }
  }
  double lo = a0 + std::max(best - 1, 0) * h, hi = a0 + std::min(best + 1, kGrid - 1) * h;
  const double phi = (std::sqrt(5.0) - 1.0) / 2.0;
  double x1 = hi - phi * (hi - lo), x2 = lo + phi * (hi - lo);
  double f1 = risk_at(x1), f2 = risk_at(x2);
  while (hi - lo > 1e-4) {
    if (f1 < f2) {  // the minimum lies in [lo, x2]
      hi = x2;
      x2 = x1;
      f2 = f1;
      x1 = hi - phi * (hi - lo);
      f1 = risk_at(x1);
    } else {  // in [x1, hi]
      lo = x1;
      x1 = x2;
      f1 = f2;
      x2 = lo + phi * (hi - lo);
      f2 = risk_at(x2);
    }
  }
  TunedRidge out;
  out.lambda = std::exp(0.5 * (lo + hi));
  out.risk = ridge_risk_spectrum(s, beta2, n, out.lambda, sigma2);
  return out;
}

double learning_curve_point(ScalingRegime regime, const PowerLawSpectrum& spectrum, double size, double sigma2,
                            double other) {
  const std::span<const double> s = spectrum.s, w2 = spectrum.w2;
  switch (regime) {
    case ScalingRegime::ridge_noiseless:
      return ridge_risk_spectrum(s, w2, size, 0.0, 0.0).test;
    case ScalingRegime::ridge_optimal_noisy:
      return optimal_ridge(s, w2, size, sigma2).risk.test;
    case ScalingRegime::rf_in_features:
      return rf_ridge_de(s, w2, size, other, 0.0, 0.0).excess;
    case ScalingRegime::rf_in_samples:
      return rf_ridge_de(s, w2, other, size, 0.0, 0.0).excess;
  }
  throw InputError("learning_curve_point: unknown regime");
}

// Strict about its input (a DE curve has no zeros to drop), then the shared least-squares fit.
double loglog_slope(std::span<const double> x, std::span<const double> y) {
  if (x.size() != y.size() || x.size() < 2)
    throw InputError(fmt::format("loglog_slope: need >= 2 points of each (got {} and {})", x.size(), y.size()));
  for (std::size_t i = 0; i < x.size(); ++i)
    if (!(x[i] > 0.0 && y[i] > 0.0))
      throw InputError(fmt::format("loglog_slope: point {} = ({}, {}) is not positive", i, x[i], y[i]));
  return fit_power_law(x, y).exponent;
}

double fitted_exponent(ScalingRegime regime, const PowerLawSpectrum& spectrum, std::span<const double> sizes,
                       double sigma2, double other) {
  std::vector<double> curve;
  curve.reserve(sizes.size());
  for (double size : sizes) curve.push_back(learning_curve_point(regime, spectrum, size, sigma2, other));
  return loglog_slope(sizes, curve);
}

}  // namespace rmt::theory
