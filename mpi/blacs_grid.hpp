#pragma once
// A 2-D BLACS process grid over MPI_COMM_WORLD and the block-cyclic layout of an n × n matrix on it
// (nb × nb blocks, first block on process (0, 0), ScaLAPACK's convention): which global rows and
// columns a process owns, in the order of its local storage.
#include <vector>

#include "core/base/feature_rows.hpp"
#include "core/base/types.hpp"

namespace rmt::mpi {

class BlacsGrid {
 public:
  // P ranks as a nprow × npcol grid, as square as P allows with nprow ≤ npcol (1 → 1×1, 2 → 1×2,
  // 4 → 2×2, 6 → 2×3). Collective.
  explicit BlacsGrid(int ranks);
  ~BlacsGrid();
  BlacsGrid(const BlacsGrid&) = delete;
  BlacsGrid& operator=(const BlacsGrid&) = delete;

  int context() const { return context_; }
  int nprow() const { return nprow_; }
  int npcol() const { return npcol_; }
  int myrow() const { return myrow_; }
  int mycol() const { return mycol_; }

  // Rows (or columns) of an n × n matrix in nb blocks that this process owns, as ranges in ascending
  // order (its local rows are these, stacked).
  std::vector<RowRange> owned_rows(index_t n, index_t nb) const { return owned(n, nb, myrow_, nprow_); }
  std::vector<RowRange> owned_cols(index_t n, index_t nb) const { return owned(n, nb, mycol_, npcol_); }
  static std::vector<RowRange> owned(index_t n, index_t nb, int process, int processes);
  // The square-ish grid shape of P ranks: {nprow, npcol}.
  static std::pair<int, int> shape(int ranks);

 private:
  int context_ = -1;
  int nprow_ = 1, npcol_ = 1, myrow_ = 0, mycol_ = 0;
};

// Sorted, disjoint, adjacent ranges merged: the union of a and b.
std::vector<RowRange> merged_union(const std::vector<RowRange>& a, const std::vector<RowRange>& b);

}  // namespace rmt::mpi
