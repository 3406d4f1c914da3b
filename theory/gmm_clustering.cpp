#include "theory/gmm_clustering.hpp"

#include <cmath>

#include <fmt/format.h>

#include "core/base/error.hpp"

namespace rmt::theory {

ClusteringPrediction two_class_clustering(double theta2, double c) {
  if (!(theta2 >= 0 && std::isfinite(theta2))) throw InputError(fmt::format("clustering: theta2 = {} must be >= 0", theta2));
  if (!(c > 0 && std::isfinite(c))) throw InputError(fmt::format("clustering: c = {} must be > 0", c));
  ClusteringPrediction out;
  out.threshold = std::sqrt(c);
  out.above_threshold = theta2 > out.threshold;
  if (!out.above_threshold) {
    out.top_eigenvalue = (1 + std::sqrt(c)) * (1 + std::sqrt(c));
    out.misclassification = 0.5;
    return out;
  }
  const double gap = theta2 * theta2 - c;
  out.top_eigenvalue = 1 + c + theta2 + c / theta2;
  out.alignment = gap / (theta2 * (theta2 + 1));
  out.alignment_mean = gap / (theta2 * (theta2 + c));
  // Entries √n v̂_i ≈ α y_i + √(1 − α²) g_i: error when the noise beats α, Q(α/√(1 − α²)).
  out.misclassification = 0.5 * std::erfc(std::sqrt(gap / (theta2 + c)) / std::sqrt(2.0));
  return out;
}

}  // namespace rmt::theory
