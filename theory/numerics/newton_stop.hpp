#pragma once
// When to stop a Newton iteration on the Stieltjes-transform equations. Normally when the step is
// below `tol`·(1 + |x|). Near a spectral edge the Jacobian is nearly singular: the residual reaches
// its rounding floor while the step, that floor divided by the small pivot, stays above `tol`, and
// the iterates only jitter. Such a stagnation (a step no smaller than half the previous one) counts
// as convergence once the step is below `stagnation_tol`·(1 + |x|) and the residual below
// `residual_tol`·(1 + |x|); anything else is no convergence.
#include <limits>

namespace rmt::theory::numerics {

class NewtonStop {
 public:
  explicit NewtonStop(double tol = 1e-13, double stagnation_tol = 1e-9, double residual_tol = 1e-11)
      : tol_(tol), stagnation_tol_(stagnation_tol), residual_tol_(residual_tol) {}

  // step: size of this iteration's Newton step; norm: size of the iterate; residual: size of the
  // residual that the step was computed from.
  bool converged(double step, double norm, double residual) {
    const double scale = 1.0 + norm;
    const bool stagnant = step >= 0.5 * previous_;
    previous_ = step;
    if (step <= tol_ * scale) return true;
    return stagnant && step <= stagnation_tol_ * scale && residual <= residual_tol_ * scale;
  }

 private:
  double tol_, stagnation_tol_, residual_tol_;
  double previous_ = std::numeric_limits<double>::infinity();
};

}  // namespace rmt::theory::numerics
