#pragma once
// The Gram matrix G = alpha · F Fᵀ (n × n, F n × m) laid out block-cyclically on a BLACS grid, each
// process forming its own tiles: it asks F (core/base/feature_rows.hpp) for the rows its tiles need —
// its block rows I and block columns J — column chunk by column chunk, and accumulates
// G(I, J) += alpha · F(I, chunk) F(J, chunk)ᵀ with one GEMM. No communication: F's elements are
// regenerated from their Philox counters on every process that needs them.
#include <array>
#include <vector>

#include "core/base/feature_rows.hpp"
#include "mpi/blacs_grid.hpp"

namespace rmt::mpi {

struct DistributedMatrix {
  index_t n = 0;                    // global n × n
  index_t nb = 0;                   // block size
  index_t local_rows = 0;           // this process's part, column-major, leading dimension max(1, local_rows)
  index_t local_cols = 0;
  std::vector<double> local;
  std::array<int, 9> desc{};        // the ScaLAPACK descriptor
  std::vector<RowRange> rows, cols; // the global rows and columns of the local part, in local order
};

struct GramTiming {
  double form_s = 0;  // forming the rows of F (sampling, and the activation GEMM of random features)
  double gemm_s = 0;  // the local GEMMs
};

// Every element of the n × n (both triangles: ELPA reads the full matrix). `chunk` columns of F per
// step (0: about 2^22 elements of F's rows per step), rounded up to even. Collective only through
// descinit (no messages).
DistributedMatrix form_gram_tiles(const BlacsGrid& grid, FeatureRows& features, double alpha, index_t nb,
                                  index_t chunk = 0, GramTiming* timing = nullptr);

// The descriptor of an n × n matrix in nb blocks on `grid`, with this process's local sizes.
DistributedMatrix empty_distributed(const BlacsGrid& grid, index_t n, index_t nb);

}  // namespace rmt::mpi
