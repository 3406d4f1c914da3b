#include "theory/feature_linear_equivalent.hpp"

#include <numbers>

namespace rmt::theory {

ReluFeatureEquivalent relu_feature_equivalent(double tau, double tr_c2_over_p2) {
  constexpr double pi = std::numbers::pi;
  ReluFeatureEquivalent e;
  e.d0 = (0.25 - 1 / (2 * pi)) * tau;
  e.d1 = 0.25;
  e.d2 = 1 / (8 * pi * tau);
  // √(ab)/2π about a = b = τ: τ/2π + (φ_i + φ_j)/4π − (φ_i² + φ_j²)/(16πτ) + φ_iφ_j/(8πτ) (the last is d2 φφᵀ);
  // (1/2)∂²_t F t² = 2 d2 t², whose off-diagonal mean is 2 d2 tr C²/p².
  e.constant = tau / (2 * pi) + 2 * e.d2 * tr_c2_over_p2;
  e.phi_linear = 1 / (4 * pi);
  e.phi_square = -1 / (16 * pi * tau);
  e.diagonal_gap = e.d0 / tau;
  return e;
}

double relu_feature_equivalent_entry(const ReluFeatureEquivalent& e, FeatureEquivalentForm form, double gram,
                                     double phi_i, double phi_j, bool diagonal, const FeatureEquivalentTerms& terms) {
  double v = e.d1 * gram + (terms.square ? e.d2 * phi_i * phi_j : 0.0) + (diagonal && terms.shift ? e.d0 : 0.0);
  if (form == FeatureEquivalentForm::full)
    v += (terms.constant ? e.constant : 0.0) + e.phi_linear * (phi_i + phi_j) + e.phi_square * (phi_i * phi_i + phi_j * phi_j);
  return v;
}

SlopeInterval feature_equivalent_slope(FeatureEquivalentForm form, bool exact_diagonal) {
  if (form == FeatureEquivalentForm::standard) return {-0.55, -0.39};
  return exact_diagonal ? SlopeInterval{-0.59, -0.45} : SlopeInterval{-0.57, -0.39};
}

SlopeInterval gaussian_equivalent_slope(SpectralDistance distance) {
  return distance == SpectralDistance::kolmogorov ? SlopeInterval{-0.99, -0.77} : SlopeInterval{-1.01, -0.84};
}

}  // namespace rmt::theory
