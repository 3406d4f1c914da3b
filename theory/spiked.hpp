#pragma once
// Spiked covariance (docs/theory.md §2): Σ = I + Σ_i ℓ_i v_i v_iᵀ, bulk = MP(c), BBP transition at ℓ = √c.
#include <vector>

namespace rmt::theory {

struct SpikePrediction {
  double spike = 0;       // ℓ
  bool separated = false; // ℓ > √c
  double position = 0;    // outlier limit (1 + ℓ)(1 + c/ℓ), or the bulk edge (1 + √c)² if not separated
  double alignment = 0;   // |<û, v>|² limit: (1 - c/ℓ²)/(1 + c/ℓ), or 0
  // n · Var(outlier) in the limit, real Gaussian data: 2(1 + ℓ)²(1 − c/ℓ²) (Bai & Yao 2008, with the
  // population spike α = 1 + ℓ: 2α²(1 − c/(α − 1)²)); 0 if not separated.
  double position_variance = 0;
};

double bbp_threshold(double c);
SpikePrediction spike_prediction(double spike, double c);
std::vector<SpikePrediction> spike_predictions(const std::vector<double>& spikes, double c);

}  // namespace rmt::theory
