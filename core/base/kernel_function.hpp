#pragma once
// Scalar kernel functions f of kernel matrices K_ij = f(x_iᵀx_j/p) or f(‖x_i - x_j‖²/p) (docs/theory.md §8.1),
// shared by the theory layer and the elementwise kernels of the backends.
#include <cmath>

#include "core/base/host_device.hpp"

namespace rmt {

enum class KernelFunctionKind : int { exp, gaussian, poly2 };  // e^t, e^{-t/2}, (1 + t)²

struct KernelFunction {
  KernelFunctionKind kind = KernelFunctionKind::exp;

  RMT_HD double value(double t) const {
    switch (kind) {
      case KernelFunctionKind::exp: return std::exp(t);
      case KernelFunctionKind::gaussian: return std::exp(-0.5 * t);
      case KernelFunctionKind::poly2: return (1 + t) * (1 + t);
    }
    return 0;
  }
  RMT_HD double derivative(double t) const {
    switch (kind) {
      case KernelFunctionKind::exp: return std::exp(t);
      case KernelFunctionKind::gaussian: return -0.5 * std::exp(-0.5 * t);
      case KernelFunctionKind::poly2: return 2 * (1 + t);
    }
    return 0;
  }
};

}  // namespace rmt
