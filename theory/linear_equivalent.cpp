#include "theory/linear_equivalent.hpp"

#include <cmath>

namespace rmt::theory {

double kernel_second_derivative(const KernelFunction& f, double t) {
  switch (f.kind) {
    case KernelFunctionKind::exp: return std::exp(t);
    case KernelFunctionKind::gaussian: return 0.25 * std::exp(-0.5 * t);
    case KernelFunctionKind::poly2: return 2;
  }
  return 0;
}

InnerProductEquivalent inner_product_equivalent(const KernelFunction& f, double tau, double tr_c2_over_p2) {
  InnerProductEquivalent e;
  e.constant = f.value(0) + 0.5 * kernel_second_derivative(f, 0) * tr_c2_over_p2;
  e.slope = f.derivative(0);
  e.upsilon = f.value(tau) - f.value(0) - tau * f.derivative(0);
  e.diagonal_gap = f.derivative(tau) - f.derivative(0);
  return e;
}

SlopeInterval linear_equivalent_slope(bool exact_diagonal) {
  return exact_diagonal ? SlopeInterval{-0.60, -0.45} : SlopeInterval{-0.62, -0.40};
}

}  // namespace rmt::theory
