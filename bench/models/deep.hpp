#pragma once
// Shared by ck and ntk: deep random network X0 = G/√d0, X_ℓ = σ(W_ℓ X_{ℓ-1})/√d_ℓ with σ normalised.
#include <vector>

#include "bench/model.hpp"
#include "core/activation.hpp"

namespace rmt::bench {

struct NetworkShape {
  index_t n = 0;
  std::vector<index_t> widths;  // d0, d1, ..., dL
};

// d_ℓ = round(n / γ_ℓ) for γ0 and the layer ratios.
NetworkShape network_shape(index_t n, double gamma0, const std::vector<double>& gammas);

// Normalised activation σ = (f - E f)/sd and its constants b = E σ'(ξ), a = E σ'(ξ)².
struct NormalisedActivation {
  Activation sigma;
  double b = 0;
  double a = 0;
};
NormalisedActivation normalised_activation(const Params& p);

// Peak bytes of one forward pass plus an n×n kernel.
std::size_t network_bytes(const NetworkShape& shape);

// X0 = G/√d0 (stream 0).
Matrix sample_input(Backend& backend, const NetworkShape& shape, const StreamKey& key, StageTimes& t);
// Pre-activations W_ℓ X_{ℓ-1} with W_ℓ iid N(0,1) from stream ℓ (same W_ℓ every call).
Matrix preactivation(Backend& backend, const NetworkShape& shape, int layer, const Matrix& x_prev,
                     const StreamKey& key, StageTimes& t);
// X_ℓ = σ(H)/√d_ℓ in place.
void activate_layer(Backend& backend, Matrix& h, const Activation& sigma, index_t width, StageTimes& t);

}  // namespace rmt::bench
