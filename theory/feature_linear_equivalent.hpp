#pragma once
// Linear equivalent of the ReLU random-feature kernel in operator norm (docs/theory.md §12.4):
// x_i = ω_i/√p, ω_i ~ N(0, C), τ = tr C/p, Φ_ij = E_w[relu(wᵀx_i) relu(wᵀx_j)] (the arc-cosine kernel,
// theory/llc.hpp), φ_i = ‖x_i‖² − τ. Two equivalents:
//   standard  Φ̃ = d0 I + d1 XᵀX + d2 φφᵀ, compared as PΦP vs PΦ̃P (P = I − 11ᵀ/n): rate √(log n/n);
//   full      Φ̃_full = Φ̃ + [τ/2π + 2 d2 tr C²/p²] 11ᵀ + (1/4π)(φ1ᵀ + 1φᵀ) − (1/16πτ)(φ∘²1ᵀ + 1φ∘²ᵀ),
//             no projection: the second-order expansion of Φ_ij = F(‖x_i‖², ‖x_j‖², x_iᵀx_j) about (τ, τ, 0),
//             F(a, b, 0) = √(ab)/2π; the mixed term ∂_a∂_t F vanishes for ReLU. Its diagonal misses
//             Φ_ii = ‖x_i‖²/2 by ≈ (d0/τ) φ_i (rate √(log n/n)); with the diagonal matched exactly the rest
//             decays like n^{-1/2}.
// (d0, d1, d2) = ((1/4 − 1/2π) τ, 1/4, 1/(8πτ)) (the Gaussian-mixture coefficients of §4.5 for ReLU).
#include "theory/linear_equivalent.hpp"

namespace rmt::theory {

enum class FeatureEquivalentForm { standard, full };

struct ReluFeatureEquivalent {
  double d0 = 0, d1 = 0, d2 = 0;  // coefficients of I, XᵀX, φφᵀ
  double constant = 0;            // full: coefficient of 11ᵀ, τ/2π + 2 d2 tr C²/p²
  double phi_linear = 0;          // full: coefficient of φ1ᵀ + 1φᵀ, 1/4π
  double phi_square = 0;          // full: coefficient of φ∘²1ᵀ + 1φ∘²ᵀ, −1/(16πτ)
  double diagonal_gap = 0;        // full: Φ_ii − Φ̃_full,ii ≈ diagonal_gap · φ_i, d0/τ
};
ReluFeatureEquivalent relu_feature_equivalent(double tau, double tr_c2_over_p2);

// Terms of the equivalent that a deliberately wrong one leaves out (negative controls).
struct FeatureEquivalentTerms {
  bool shift = true;     // d0 I
  bool square = true;    // d2 φφᵀ
  bool constant = true;  // full: the 11ᵀ term
};

// Entry (i, j) of Φ̃ (standard) or Φ̃_full, from gram = x_iᵀx_j, φ_i, φ_j; `diagonal`: i = j.
double relu_feature_equivalent_entry(const ReluFeatureEquivalent& e, FeatureEquivalentForm form, double gram,
                                     double phi_i, double phi_j, bool diagonal, const FeatureEquivalentTerms& terms = {});

// The interval the fitted log–log slope of the error over n = 250…2000 must fall in (docs/theory.md §12.4,
// ReLU, C = I, c = 1/2): the measured 95 % interval of the slope widened by 0.06 on each side, its upper end
// raised to 0.03 above the local slope of the asymptotic rate over these sizes where that is higher
// (√(log n/n): −0.423; n^{-1/2}: −0.5): standard [−0.55, −0.39] (measured −0.470 [−0.488, −0.451]), full
// [−0.57, −0.39] (−0.493 [−0.512, −0.473]), full with the exact diagonal [−0.59, −0.45] (−0.519 [−0.530, −0.507]).
SlopeInterval feature_equivalent_slope(FeatureEquivalentForm form, bool exact_diagonal);

// Sample Gram G = ΣᵀΣ/n, Σ = relu(WX) (W: N×p iid N(0, 1), N = n), against its Gaussian equivalent
// G_lin = Σ_linᵀΣ_lin/n, Σ_lin = μ0 11ᵀ + μ1 WX + μ★ Ξ (same W, Ξ iid N(0, 1) independent), μ the Hermite
// coefficients of ReLU at τ = 1 (theory/gaussian.hpp): two different matrices whose spectra converge, not their
// difference in operator norm. The intervals for the log–log slope over n = 250…2000 (c = 1/2), by the same rule
// as above: Kolmogorov distance of the ESDs [−0.99, −0.77] (measured −0.88 [−0.93, −0.83], ≈ 0.7 log n/n, local
// slope −0.846), W1 of the bulk (the top outlier of each removed) [−1.01, −0.84] (measured −0.93 [−0.95, −0.90]).
enum class SpectralDistance { kolmogorov, wasserstein1 };
SlopeInterval gaussian_equivalent_slope(SpectralDistance distance);

}  // namespace rmt::theory
