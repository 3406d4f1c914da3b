#include "mpi/blacs_grid.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "core/base/error.hpp"
#include "mpi/scalapack.hpp"

namespace rmt::mpi {

std::pair<int, int> BlacsGrid::shape(int ranks) {
  RMT_EXPECTS(ranks >= 1, "{} ranks", ranks);
  int rows = 1;
  for (int r = 1; r * r <= ranks; ++r)
    if (ranks % r == 0) rows = r;
  return {rows, ranks / rows};
}

BlacsGrid::BlacsGrid(int ranks) {
  const auto [rows, cols] = shape(ranks);
  int me = 0, procs = 0;
  Cblacs_pinfo(&me, &procs);
  if (procs != ranks) throw Error(fmt::format("BLACS sees {} processes, MPI {}", procs, ranks));
  Cblacs_get(-1, 0, &context_);  // the system context: MPI_COMM_WORLD
  Cblacs_gridinit(&context_, "C", rows, cols);
  Cblacs_gridinfo(context_, &nprow_, &npcol_, &myrow_, &mycol_);
  if (nprow_ != rows || npcol_ != cols || myrow_ < 0)
    throw Error(fmt::format("BLACS grid {}x{} requested, {}x{} made (this process at {}, {})", rows, cols, nprow_,
                            npcol_, myrow_, mycol_));
}

BlacsGrid::~BlacsGrid() {
  if (context_ >= 0) Cblacs_gridexit(context_);
}

std::vector<RowRange> BlacsGrid::owned(index_t n, index_t nb, int process, int processes) {
  RMT_EXPECTS(nb >= 1 && n >= 0, "block size {} for n = {}", nb, n);
  std::vector<RowRange> out;
  const index_t stride = nb * processes;
  for (index_t first = nb * process; first < n; first += stride) {
    const index_t last = std::min(n, first + nb);
    if (!out.empty() && out.back().last == first) out.back().last = last;  // one process in this dimension
    else out.push_back({first, last});
  }
  return out;
}

std::vector<RowRange> merged_union(const std::vector<RowRange>& a, const std::vector<RowRange>& b) {
  std::vector<RowRange> all(a);
  all.insert(all.end(), b.begin(), b.end());
  std::sort(all.begin(), all.end(), [](const RowRange& x, const RowRange& y) { return x.first < y.first; });
  std::vector<RowRange> out;
  for (const auto& r : all) {
    if (r.size() == 0) continue;
    if (!out.empty() && r.first <= out.back().last) out.back().last = std::max(out.back().last, r.last);
    else out.push_back(r);
  }
  return out;
}

}  // namespace rmt::mpi
