#pragma once
// Device kernels of the CUDA backend: the grid-stride drivers that run the elementwise functors of
// core/base/elementwise.hpp (the same functors the CPU backend runs in its OpenMP loops), and the tiled
// symmetrisation of a SYRK result.
#include <cstdint>

#include <cuda_runtime.h>

#include "core/base/elementwise.hpp"

namespace rmt::cuda_detail {

constexpr int kThreads = 256;   // elementwise and sampling kernels
constexpr int kTile = 32;       // symmetrise: 32×32 tiles
constexpr int kTileRows = 8;    // ... read and written by 32×8 threads

// Copies the lower triangle of the n×n column-major matrix c onto its upper triangle. Block
// (bx, by) with bx <= by reads tile (by, bx) of the lower part and writes its transpose to tile
// (bx, by); blocks below the diagonal exit. Off-diagonal blocks read and write disjoint tiles.
template <typename T>
__global__ void symmetrise_lower_kernel(T* c, std::int64_t n) {
  __shared__ T tile[kTile][kTile + 1];
  const std::int64_t bx = blockIdx.x;
  const std::int64_t by = blockIdx.y;
  if (bx > by) return;
  const int tx = threadIdx.x;
  // Load source tile: rows by*T + tx, columns bx*T + ty (coalesced over tx).
  for (int ty = threadIdx.y; ty < kTile; ty += kTileRows) {
    const std::int64_t row = by * kTile + tx;
    const std::int64_t col = bx * kTile + ty;
    if (row < n && col < n) tile[ty][tx] = c[row + col * n];
  }
  __syncthreads();
  // Write destination: element (i, j) = (bx*T + tx, by*T + ty) takes c(j, i) = tile[tx][ty].
  for (int ty = threadIdx.y; ty < kTile; ty += kTileRows) {
    const std::int64_t i = bx * kTile + tx;
    const std::int64_t j = by * kTile + ty;
    if (i < j && j < n) c[i + j * n] = tile[tx][ty];
  }
}

// f(e) for every e < count (grid-stride): an index functor of core/base/elementwise.hpp, passed by value.
template <typename F>
__global__ void for_each_index_kernel(std::uint64_t count, F f) {
  const std::uint64_t stride = std::uint64_t(blockDim.x) * gridDim.x;
  for (std::uint64_t e = std::uint64_t(blockIdx.x) * blockDim.x + threadIdx.x; e < count; e += stride) f(e);
}

// f(i, j) for every cell of a column-major rows×cols matrix (grid-stride over e = i + j·rows): a
// cell functor of core/base/elementwise.hpp.
template <typename F>
__global__ void for_each_cell_kernel(std::uint64_t rows, std::uint64_t count, F f) {
  const std::uint64_t stride = std::uint64_t(blockDim.x) * gridDim.x;
  for (std::uint64_t e = std::uint64_t(blockIdx.x) * blockDim.x + threadIdx.x; e < count; e += stride)
    f(e % rows, e / rows);
}

}  // namespace rmt::cuda_detail
