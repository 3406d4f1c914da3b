#include "theory/spiked.hpp"

#include <cmath>

#include "core/base/error.hpp"

namespace rmt::theory {

double bbp_threshold(double c) {
  if (!(std::isfinite(c) && c > 0.0))
    throw InputError(fmt::format("bbp_threshold: c must be > 0, got {}", c));
  return std::sqrt(c);
}

// docs/theory.md §2 (population C = I + ℓ vvᵀ, so ℓ > -1 keeps C positive definite). Only outliers above
// the bulk are modelled: below the threshold the top eigenvalue sticks to the MP edge.
SpikePrediction spike_prediction(double spike, double c) {
  const double threshold = bbp_threshold(c);
  if (!(std::isfinite(spike) && spike > -1.0))
    throw InputError(fmt::format("spike_prediction: spike must be > -1, got {}", spike));
  SpikePrediction out;
  out.spike = spike;
  out.separated = spike > threshold;
  if (out.separated) {
    out.position = (1.0 + spike) * (1.0 + c / spike);
    out.alignment = (1.0 - c / (spike * spike)) / (1.0 + c / spike);
    out.position_variance = 2.0 * (1.0 + spike) * (1.0 + spike) * (1.0 - c / (spike * spike));
  } else {
    out.position = (1.0 + threshold) * (1.0 + threshold);
    out.alignment = 0.0;
  }
  return out;
}

std::vector<SpikePrediction> spike_predictions(const std::vector<double>& spikes, double c) {
  std::vector<SpikePrediction> out;
  out.reserve(spikes.size());
  for (double s : spikes) out.push_back(spike_prediction(s, c));
  return out;
}

}  // namespace rmt::theory
