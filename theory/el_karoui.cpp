#include "theory/el_karoui.hpp"

#include <cmath>
#include <string>

#include <fmt/format.h>

#include "core/base/error.hpp"

namespace rmt::theory {

KernelFunctionKind parse_kernel_function(std::string_view name) {
  if (name == "exp") return KernelFunctionKind::exp;
  if (name == "gaussian") return KernelFunctionKind::gaussian;
  if (name == "poly2") return KernelFunctionKind::poly2;
  throw InputError(fmt::format("unknown kernel function '{}' (known: exp, gaussian, poly2)", name));
}

KernelLinearisation inner_product_linearisation(const KernelFunction& f, double tau) {
  return {f.derivative(0), f.value(tau) - f.value(0) - tau * f.derivative(0)};
}

KernelLinearisation distance_linearisation(const KernelFunction& f, double tau) {
  return {-2 * f.derivative(2 * tau), f.value(0) + 2 * tau * f.derivative(2 * tau) - f.value(2 * tau)};
}

}  // namespace rmt::theory
