#pragma once
// El Karoui (2010) linearisations of kernel matrices (docs/theory.md §8.1), x_i = Σ^{1/2} z_i, τ = tr Σ / p:
//   inner product  K_ij = f(x_iᵀx_j / p):     K ≈ c 11ᵀ + f'(0) XᵀX/p + υ I,  υ = f(τ) - f(0) - τ f'(0)
//   distance       K_ij = f(‖x_i - x_j‖²/p):  K ≈ ... - 2 f'(2τ) XᵀX/p + υ I,  υ = f(0) + 2τ f'(2τ) - f(2τ)
// so the bulk of K is the MP law of XᵀX/p, scaled by f'(0) or -2 f'(2τ) and shifted by υ.
#include <string_view>

#include "core/base/kernel_function.hpp"

namespace rmt::theory {

using rmt::KernelFunction;
using rmt::KernelFunctionKind;

KernelFunctionKind parse_kernel_function(std::string_view name);  // throws InputError

struct KernelLinearisation {
  double slope;    // coefficient of XᵀX/p
  double upsilon;  // isotropic shift υ
};
KernelLinearisation inner_product_linearisation(const KernelFunction& f, double tau);
KernelLinearisation distance_linearisation(const KernelFunction& f, double tau);

}  // namespace rmt::theory
