#pragma once
// Device kernels of the CUDA backend, templated on the element type T (double or float).
// Normals, activations and kernel functions are evaluated in double and rounded once to T, the
// same rule the CPU backend follows, so the two backends draw the same fp32 matrix.
#include <cstdint>

#include <cuda_runtime.h>

#include "core/activation.hpp"
#include "core/kernel_function.hpp"
#include "core/philox.hpp"

namespace rmt::cuda_detail {

constexpr int kThreads = 256;   // elementwise and sampling kernels
constexpr int kTile = 32;       // symmetrise: 32×32 tiles
constexpr int kTileRows = 8;    // ... read and written by 32×8 threads

// out[e] = gaussian_at(key, e) * scale[e % rows] for e < count; one thread per pair (2p, 2p+1).
template <typename T>
__global__ void sample_gaussian_kernel(StreamKey key, T* __restrict__ out, std::uint64_t count, std::uint64_t rows,
                                       const double* __restrict__ scale, std::uint64_t first_pair) {
  const std::uint64_t pairs = (count + 1) / 2;
  const std::uint64_t stride = std::uint64_t(blockDim.x) * gridDim.x;
  for (std::uint64_t p = std::uint64_t(blockIdx.x) * blockDim.x + threadIdx.x; p < pairs; p += stride) {
    const NormalPair g = gaussian_pair(key, p + first_pair);
    const std::uint64_t e = 2 * p;
    if (scale) {
      const std::uint64_t i = e % rows;
      out[e] = static_cast<T>(g.first * scale[i]);
      if (e + 1 < count) out[e + 1] = static_cast<T>(g.second * scale[i + 1 == rows ? 0 : i + 1]);
    } else {
      out[e] = static_cast<T>(g.first);
      if (e + 1 < count) out[e + 1] = static_cast<T>(g.second);
    }
  }
}

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

// f(e) for every e < count (grid-stride); `f` is a small functor passed by value.
template <typename F>
__global__ void for_each_kernel(std::uint64_t count, F f) {
  const std::uint64_t stride = std::uint64_t(blockDim.x) * gridDim.x;
  for (std::uint64_t e = std::uint64_t(blockIdx.x) * blockDim.x + threadIdx.x; e < count; e += stride) f(e);
}

// Functors of for_each_kernel (trivially copyable: pointers and values only).
template <typename T>
struct ApplyActivation {
  T* x;
  Activation f;
  __device__ void operator()(std::uint64_t e) const { x[e] = static_cast<T>(f(static_cast<double>(x[e]))); }
};
template <typename T>
struct ApplyDerivative {
  T* x;
  Activation f;
  __device__ void operator()(std::uint64_t e) const {
    x[e] = static_cast<T>(f.derivative(static_cast<double>(x[e])));
  }
};
template <typename T>
struct Hadamard {
  T* x;
  const T* y;
  __device__ void operator()(std::uint64_t e) const { x[e] *= y[e]; }
};
template <typename T>
struct ScaleRows {  // column-major: element e is in row e % rows
  T* x;
  const double* s;
  std::uint64_t rows;
  __device__ void operator()(std::uint64_t e) const { x[e] = static_cast<T>(x[e] * s[e % rows]); }
};
template <typename T>
struct CopyDiagonal {  // e < n
  const T* x;
  T* diag;
  std::uint64_t n;
  __device__ void operator()(std::uint64_t e) const { diag[e] = x[e + e * n]; }
};
template <typename T>
struct ApplyKernel {  // n×n column-major; distance: f(G_ii + G_jj - 2 G_ij), else f(G_ij)
  T* x;
  const T* diag;
  std::uint64_t n;
  KernelFunction f;
  bool distance;
  __device__ void operator()(std::uint64_t e) const {
    const double g = x[e];
    const double t = distance ? double(diag[e % n]) + double(diag[e / n]) - 2 * g : g;
    x[e] = static_cast<T>(f.value(t));
  }
};
template <typename T>
struct SetDiagonal {  // e < min(rows, cols)
  T* x;
  std::uint64_t rows;
  T value;
  __device__ void operator()(std::uint64_t e) const { x[e + e * rows] = value; }
};

}  // namespace rmt::cuda_detail
