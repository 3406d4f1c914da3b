#include "theory/el_karoui.hpp"

#include <cmath>
#include <string>

#include <fmt/format.h>

#include "core/error.hpp"

namespace rmt::theory {

KernelFunctionKind parse_kernel_function(std::string_view name) {
  if (name == "exp") return KernelFunctionKind::exp;
  if (name == "gaussian") return KernelFunctionKind::gaussian;
  if (name == "poly2") return KernelFunctionKind::poly2;
  throw InputError(fmt::format("unknown kernel function '{}' (known: exp, gaussian, poly2)", name));
}

double KernelFunction::value(double t) const {
  switch (kind) {
    case KernelFunctionKind::exp: return std::exp(t);
    case KernelFunctionKind::gaussian: return std::exp(-t / 2);
    case KernelFunctionKind::poly2: return (1 + t) * (1 + t);
  }
  return 0;
}

double KernelFunction::derivative(double t) const {
  switch (kind) {
    case KernelFunctionKind::exp: return std::exp(t);
    case KernelFunctionKind::gaussian: return -std::exp(-t / 2) / 2;
    case KernelFunctionKind::poly2: return 2 * (1 + t);
  }
  return 0;
}

double KernelFunction::second_derivative(double t) const {
  switch (kind) {
    case KernelFunctionKind::exp: return std::exp(t);
    case KernelFunctionKind::gaussian: return std::exp(-t / 2) / 4;
    case KernelFunctionKind::poly2: return 2;
  }
  return 0;
}

KernelLinearisation inner_product_linearisation(const KernelFunction& f, double tau) {
  return {f.derivative(0), f.value(tau) - f.value(0) - tau * f.derivative(0)};
}

KernelLinearisation distance_linearisation(const KernelFunction& f, double tau) {
  return {-2 * f.derivative(2 * tau), f.value(0) + 2 * tau * f.derivative(2 * tau) - f.value(2 * tau)};
}

}  // namespace rmt::theory
