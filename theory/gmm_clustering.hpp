#pragma once
// Spectral clustering of a two-class Gaussian mixture (docs/theory.md §12.3): X = μ yᵀ + Z ∈ R^{p×n},
// y_i = ±1 balanced, Z iid N(0,1), θ² = ‖μ‖², c = p/n. The top eigenvector v̂ of XᵀX (oriented with
// ⟨v̂, y⟩ ≥ 0) and û of XXᵀ/n against the labels and the mean direction (rank-one information-plus-noise
// model, Benaych-Georges & Nadakuditi 2012).
namespace rmt::theory {

struct ClusteringPrediction {
  bool above_threshold = false;  // θ² > √c: an outlier separates from the bulk
  double threshold = 0;          // √c
  double top_eigenvalue = 0;     // of XXᵀ/n: 1 + c + θ² + c/θ² above, (1 + √c)² below
  double alignment = 0;          // |⟨v̂, y/√n⟩|² → (θ⁴ − c)/(θ²(θ² + 1)) above, 0 below
  double alignment_mean = 0;     // |⟨û, μ/‖μ‖⟩|² → (θ⁴ − c)/(θ²(θ² + c)) above, 0 below
  double misclassification = 0;  // of sign(v̂): Φ(−√((θ⁴ − c)/(θ² + c))) above, 1/2 below
};

ClusteringPrediction two_class_clustering(double theta2, double c);

}  // namespace rmt::theory
