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

// Column dots of two column-major rows×cols matrices, accumulated in double, in two deterministic
// passes (the sums do not depend on scheduling). Pass 1: block (c, j) (c < chunks along x, columns j
// along y, grid-stride) sums a(i, j)·b(i, j) over i ≡ c·blockDim + t (mod chunks·blockDim) and
// reduces its threads in shared memory to partial[j·chunks + c]. Needs blockDim.x == kThreads.
template <typename T>
__global__ void column_dots_partial_kernel(const T* a, const T* b, std::uint64_t rows, std::uint64_t cols,
                                           std::uint64_t chunks, double* partial) {
  __shared__ double sums[kThreads];
  const std::uint64_t stride = chunks * blockDim.x;
  for (std::uint64_t j = blockIdx.y; j < cols; j += gridDim.y) {
    const T* x = a + j * rows;
    const T* y = b + j * rows;
    double sum = 0;
    for (std::uint64_t i = std::uint64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < rows; i += stride)
      sum += static_cast<double>(x[i]) * static_cast<double>(y[i]);
    sums[threadIdx.x] = sum;
    __syncthreads();
    for (unsigned half = blockDim.x / 2; half > 0; half /= 2) {
      if (threadIdx.x < half) sums[threadIdx.x] += sums[threadIdx.x + half];
      __syncthreads();
    }
    if (threadIdx.x == 0) partial[j * chunks + blockIdx.x] = sums[0];
    __syncthreads();  // sums is reused by the next column
  }
}

// Pass 2: dots[j] = Σ_c partial[j·chunks + c], in order, one thread per column (grid-stride).
__global__ inline void column_dots_final_kernel(const double* partial, std::uint64_t cols, std::uint64_t chunks,
                                                double* dots) {
  const std::uint64_t stride = std::uint64_t(blockDim.x) * gridDim.x;
  for (std::uint64_t j = std::uint64_t(blockIdx.x) * blockDim.x + threadIdx.x; j < cols; j += stride) {
    double sum = 0;
    for (std::uint64_t c = 0; c < chunks; ++c) sum += partial[j * chunks + c];
    dots[j] = sum;
  }
}

}  // namespace rmt::cuda_detail
