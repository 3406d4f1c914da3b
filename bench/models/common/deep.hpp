#pragma once
// Shared by ck and ntk: deep random network X0 = G/√d0, X_ℓ = σ(W_ℓ X_{ℓ-1})/√d_ℓ with σ normalised.
#include <functional>
#include <vector>

#include "bench/model.hpp"
#include "core/base/activation.hpp"

namespace rmt::bench {

struct NetworkShape {
  index_t n = 0;
  std::vector<index_t> widths;  // d0, d1, ..., dL
};

// d_ℓ = round(n / γ_ℓ) for γ0 and the layer ratios.
NetworkShape network_shape(index_t n, double gamma0, const std::vector<double>& gammas);
// The same from a deep model's parameters n, gamma0 and gammas ("γ1,γ2,…").
NetworkShape deep_network_shape(const Params& p);

// Normalised activation σ = (f - E f)/sd and its constants b = E σ'(ξ), a = E σ'(ξ)².
struct NormalisedActivation {
  Activation sigma;
  double b = 0;
  double a = 0;
};
NormalisedActivation normalised_activation(const Params& p);


// X0 = G/√d0 (stream 0).
Matrix sample_input(Backend& backend, const NetworkShape& shape, const StreamKey& key, StageTimes& t);
// Bytes of a weight matrix held at once: larger W_ℓ are drawn in column blocks (memory O(width × n)).
inline constexpr std::size_t kWeightBlockBytes = std::size_t(256) << 20;
// Columns of W (rows × cols) per block for `block_bytes` (even; cols when W fits whole).
index_t weight_block_columns(index_t rows, index_t cols, std::size_t block_bytes);

// Memory planning: the elements preactivation(layer) allocates beside its input X_{ℓ-1} at its peak
// (W and H, or, when W is drawn in column blocks, one block of W, the matching row block of X_{ℓ-1},
// the partial product and H), and the size of X_ℓ.
elements_t preactivation_elements(const NetworkShape& shape, int layer, std::size_t block_bytes = kWeightBlockBytes);
elements_t layer_elements(const NetworkShape& shape, int layer);  // d_ℓ × n
// Phases of forward_pass (every X_ℓ kept), `base` more elements alive in each.
MemoryPlan forward_pass_plan(const NetworkShape& shape, elements_t base = 0);
// fp64 bytes of the largest phase of a forward pass that keeps only the previous layer, then
// X_L and its n×n Gram matrix (ck's matrices, eigensolver workspace excluded).
std::size_t network_bytes(const NetworkShape& shape);

// Pre-activations W_ℓ X_{ℓ-1} with W_ℓ iid N(0,1) from stream ℓ (same W_ℓ every call, whole or in
// column blocks of at most `block_bytes`).
Matrix preactivation(Backend& backend, const NetworkShape& shape, int layer, const Matrix& x_prev,
                     const StreamKey& key, StageTimes& t, std::size_t block_bytes = kWeightBlockBytes);
// X_ℓ = σ(H)/√d_ℓ in place.
void activate_layer(Backend& backend, Matrix& h, const Activation& sigma, index_t width, StageTimes& t);

// The forward pass X_0, X_1, …, X_L.
std::vector<Matrix> forward_pass(Backend& backend, const NetworkShape& shape, const NormalisedActivation& act,
                                 const StreamKey& key, StageTimes& t);

// The NTK of f(x) = wᵀX_L(x) (‖w‖² = d_L, stream 200) by back-propagation (docs/theory.md §3.5):
//   Θ = X_LᵀX_L + Σ_ℓ (X_{ℓ−1}ᵀX_{ℓ−1}) ⊙ (B_ℓᵀB_ℓ),  B_L = diag(w) σ'(H_L)/√d_L,
//   B_ℓ = σ'(H_ℓ)/√d_ℓ ⊙ (W_{ℓ+1}ᵀ B_{ℓ+1}).
Matrix backpropagated_ntk(Backend& backend, const NetworkShape& shape, const NormalisedActivation& act,
                          const std::vector<Matrix>& x, const StreamKey& key, StageTimes& t);

// Its linearisation r₊ I + X_LᵀX_L + Σ_{ℓ<L} b^{2(L−ℓ)} X_ℓᵀX_ℓ, r₊ = Σ_{ℓ<L} (a^{L−ℓ} − b^{2(L−ℓ)}).
Matrix linearised_ntk(Backend& backend, const NormalisedActivation& act, const std::vector<Matrix>& x, StageTimes& t);

// Matrix-free forward passes (method = slq: ck, deep_ntk). Column j of every X_ℓ depends on column j
// of X0 only, so a tile of columns runs through the network on its own, given the weights.
// W_1, …, W_L, each drawn whole from stream ℓ (the matrices preactivation draws, whole or in blocks).
std::vector<Matrix> sample_all_weights(Backend& backend, const NetworkShape& shape, const StreamKey& key);
elements_t all_weights_elements(const NetworkShape& shape);
// Columns [c0, c1) of X_0 (sample_input's normals, at offset c0·d0; c0 even), then of X_1, …, X_L with
// the given weights; visit(ℓ, X_ℓ's tile) is called for each layer, X_0 included, before the next is
// formed. Returns X_L's tile.
Matrix forward_columns(Backend& backend, const NetworkShape& shape, const Activation& sigma,
                       const std::vector<Matrix>& weights, const StreamKey& key, index_t c0, index_t c1,
                       const std::function<void(int layer, const Matrix& x)>& visit = {});
// The most elements forward_columns holds at once for a tile of `columns` columns (X_{ℓ−1}'s tile and
// H_ℓ's, or X_0's tile and its row scales), weights excluded.
elements_t forward_columns_elements(const NetworkShape& shape, index_t columns);

}  // namespace rmt::bench
