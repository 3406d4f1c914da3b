#pragma once
// Rows of a feature matrix F formed on their own, for method = distributed (mpi/): the measured matrix
// is alpha · F Fᵀ, and a rank that owns the block-cyclic tiles (I, J) of it needs rows I and J of F,
// nothing else. F's elements are pure functions of Philox counters (core/base/philox.hpp), so every
// rank forms its rows from the same seed without communication, equal to the rows of the F the dense
// path forms (to rounding).
#include <span>
#include <vector>

#include "core/base/types.hpp"

namespace rmt {

// Rows [first, last) of F.
struct RowRange {
  index_t first = 0;
  index_t last = 0;
  index_t size() const { return last - first; }
};

class FeatureRows {
 public:
  virtual ~FeatureRows() = default;
  virtual index_t rows() const = 0;
  virtual index_t cols() const = 0;
  // The rows of `ranges` (in that order, stacked) and columns [c0, c1) of F, column-major, host
  // memory: a (Σ range sizes) × (c1 - c0) matrix. c0 is even (Philox draws normals in pairs).
  virtual std::vector<double> form(std::span<const RowRange> ranges, index_t c0, index_t c1) = 0;
};

}  // namespace rmt
