#pragma once
// Matrix-free operators for stochastic Lanczos quadrature (method = slq): a symmetric dim × dim
// matrix known only through its products with dim × b blocks, on a backend. The Gram operators of
// the models (alpha · F Fᵀ or alpha · FᵀF of a feature matrix F) either keep F (stored) or form its
// column tiles again from the same Philox counters on every product (regenerate), so memory is
// O(rows · tile + dim · b) beyond what a model keeps (e.g. the weights of a network).
#include <cstdint>
#include <memory>
#include <string_view>

#include "core/base/backend.hpp"

namespace rmt {

class LinearOperator {
 public:
  virtual ~LinearOperator() = default;
  virtual index_t dim() const = 0;
  // y ← A v, v a dim × b matrix of the backend (y is replaced by a new dim × b matrix).
  virtual void apply(const Matrix& v, Matrix& y) = 0;
  // Matrix–vector products so far: b per apply of a dim × b block.
  std::uint64_t matvecs() const { return matvecs_; }

 protected:
  std::uint64_t matvecs_ = 0;
};

// A feature matrix F (rows × cols) whose column blocks can be formed on their own: what a model
// gives for method = slq (bench/model.hpp). columns(c0, c1) must equal columns c0..c1-1 of the F the
// dense path forms, to rounding, for any split; c0 is always a multiple of the operator's tile, which
// is even (Philox draws normals in pairs, so a block of a rows × cols Gaussian matrix starting at
// column c0 starts at an even element offset c0 · rows).
class FeatureColumns {
 public:
  virtual ~FeatureColumns() = default;
  virtual index_t rows() const = 0;
  virtual index_t cols() const = 0;
  virtual Matrix columns(Backend& backend, index_t c0, index_t c1) = 0;
};

enum class OperatorStorage {
  stored,      // F formed once and kept
  regenerate,  // F formed tile by tile on every product
};
std::string_view to_string(OperatorStorage s);
// "stored" | "regenerate"; anything else throws InputError naming `what`.
OperatorStorage parse_operator_storage(std::string_view text, std::string_view what);

// The default tile: columns of F per regenerated block, so one block holds about 2^24 elements
// (128 MiB in fp64), even, at least 2 and at most cols rounded up to even.
index_t default_tile(index_t rows, index_t cols);
// The tile a Gram operator regenerates with when asked for `tile` (0: default_tile; odd: one more).
index_t operator_tile(index_t rows, index_t cols, index_t tile);

// alpha · F Fᵀ (side rows: dim = F.rows) or alpha · FᵀF (side cols: dim = F.cols) on `backend`.
// `tile` = 0 takes default_tile; an odd tile is rounded up. The backend must outlive the operator.
std::unique_ptr<LinearOperator> make_gram_operator(Backend& backend, std::unique_ptr<FeatureColumns> features,
                                                   double alpha, GramSide side, OperatorStorage storage,
                                                   index_t tile = 0);

// A dense symmetric matrix as an operator (tests, and models whose matrix is formed once).
std::unique_ptr<LinearOperator> make_dense_operator(Backend& backend, Matrix a);

}  // namespace rmt
