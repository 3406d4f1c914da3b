#pragma once
// Least-squares power laws: y = prefactor · x^exponent, fitted as a straight line in log–log
// (convergence rates of metrics against n, scaling-law exponents). The interval on the exponent is
// the Student-t interval of the ordinary least-squares slope.
#include <span>

namespace rmt {

struct PowerLawFit {
  double exponent = 0;   // the log–log slope (negative for an error that shrinks with x)
  double prefactor = 0;  // y at x = 1
  double stderr_ = 0;    // standard error of the exponent (0 for an exact fit; NaN with 2 points)
  double ci_low = 0;     // confidence interval of the exponent
  double ci_high = 0;
  int points = 0;        // points used (x > 0 and y > 0, finite)
};

// Points with x <= 0, y <= 0 or non-finite values are left out (they have no logarithm). Throws
// rmt::InputError with fewer than 2 usable points or when all usable x are equal. With exactly 2
// points the slope is exact but has no interval: stderr_ and the bounds are NaN.
PowerLawFit fit_power_law(std::span<const double> x, std::span<const double> y, double confidence = 0.95);

}  // namespace rmt
