#pragma once
// Linear equivalent of an El Karoui inner-product kernel in operator norm (docs/theory.md §12.4):
// K_ij = f(x_iᵀx_j/p), x_i = C^{1/2}z_i, τ = tr C/p,
//   K̃ = [f(0) + f''(0)/2 · tr C²/p²] 11ᵀ + f'(0) XᵀX/p + υ I,   υ = f(τ) − f(0) − τ f'(0),
// and ‖K − K̃‖_op → 0 at the rate √(log n / n) (the diagonal mismatch (f'(τ) − f'(0)) ψ_i, ψ_i = ‖x_i‖²/p − τ,
// dominates), or n^{-1/2} when the diagonal is matched exactly (diag K̃ = diag K).
#include "core/base/kernel_function.hpp"

namespace rmt::theory {

// f''(t) of the kernel functions of core/base/kernel_function.hpp.
double kernel_second_derivative(const KernelFunction& f, double t);

struct InnerProductEquivalent {
  double constant = 0;      // coefficient of 11ᵀ: f(0) + f''(0)/2 · tr C²/p²
  double slope = 0;         // coefficient of XᵀX/p: f'(0)
  double upsilon = 0;       // isotropic shift υ = f(τ) − f(0) − τ f'(0)
  double diagonal_gap = 0;  // f'(τ) − f'(0): the size of the diagonal error per unit ψ_i
};
InnerProductEquivalent inner_product_equivalent(const KernelFunction& f, double tau, double tr_c2_over_p2);

// The interval the fitted log–log slope of ‖K − K̃‖_op over n, 2n, 4n, 8n must fall in (docs/theory.md §12.4,
// measured for f = exp, C = I, c = 1/2): [−0.62, −0.40] for the isotropic-shift form (√(log n/n) with its
// curvature), [−0.60, −0.45] with the exact diagonal (n^{-1/2}).
struct SlopeInterval {
  double lo = 0, hi = 0;
};
SlopeInterval linear_equivalent_slope(bool exact_diagonal);

}  // namespace rmt::theory
