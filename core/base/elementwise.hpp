#pragma once
// The elementwise operations of the backends, written once: each functor computes one element (or
// one Box–Muller pair) and is run by the CPU backend's OpenMP loops (core/cpu/cpu_backend.cpp) and by
// the CUDA backend's grid-stride kernels (cuda/kernels.cuh). Functors hold pointers and values
// only, so they are trivially copyable into a kernel launch.
//
// Two index shapes: "index" functors take a linear index e < count; "cell" functors take the row i
// and column j of a column-major rows×cols matrix (element i + j·rows), so the CPU walks columns
// without a division per element while the device derives (i, j) from its thread index.
//
// Rounding rule, the same on both backends: normals, activations, row scales and kernel functions
// are evaluated in double and rounded once to the matrix's element type T; the Hadamard product
// multiplies in T. Every element depends on its own inputs only, so the result does not depend on
// the number of threads or on how the elements are split between them.
#include <cstdint>

#include "core/base/activation.hpp"
#include "core/base/host_device.hpp"
#include "core/base/kernel_function.hpp"
#include "core/base/philox.hpp"

namespace rmt::elementwise {

// Index functor over Box–Muller pairs p < ⌈count/2⌉: out[e] = gaussian_at(key, e + 2·first_pair) ·
// scale[e mod rows] for e = 2p, 2p+1 (< count); scale null: 1. The CUDA backend runs it; the CPU
// backend runs its batched equivalent (core/cpu/philox_batch.hpp: the same Philox words, the same
// normals to a few ulp, the same row scale and rounding to T).
template <typename T>
struct SampleGaussianPairs {
  StreamKey key;
  T* out;
  std::uint64_t count;
  std::uint64_t rows;
  const double* scale;
  std::uint64_t first_pair;

  RMT_HD void operator()(std::uint64_t pair) const {
    const NormalPair g = gaussian_pair(key, pair + first_pair);
    const std::uint64_t e = 2 * pair;
    if (scale) {
      const std::uint64_t i = e % rows;
      out[e] = static_cast<T>(g.first * scale[i]);
      if (e + 1 < count) out[e + 1] = static_cast<T>(g.second * scale[i + 1 == rows ? 0 : i + 1]);
    } else {
      out[e] = static_cast<T>(g.first);
      if (e + 1 < count) out[e + 1] = static_cast<T>(g.second);
    }
  }
};

// Index functor: x[e] ← f(x[e]) (with f's shift and scale).
template <typename T>
struct ApplyActivation {
  T* x;
  Activation f;
  RMT_HD void operator()(std::uint64_t e) const { x[e] = static_cast<T>(f(static_cast<double>(x[e]))); }
};

// Index functor: x[e] ← f'(x[e]).
template <typename T>
struct ApplyDerivative {
  T* x;
  Activation f;
  RMT_HD void operator()(std::uint64_t e) const { x[e] = static_cast<T>(f.derivative(static_cast<double>(x[e]))); }
};

// Index functor: x[e] ← x[e] · y[e].
template <typename T>
struct Hadamard {
  T* x;
  const T* y;
  RMT_HD void operator()(std::uint64_t e) const { x[e] *= y[e]; }
};

// Cell functor: x(i, j) ← s[i] · x(i, j).
template <typename T>
struct ScaleRows {
  T* x;
  const double* s;
  std::uint64_t rows;
  RMT_HD void operator()(std::uint64_t i, std::uint64_t j) const {
    T& v = x[i + j * rows];
    v = static_cast<T>(static_cast<double>(v) * s[i]);
  }
};

// Index functor over e < min(rows, cols): x(e, e) ← value.
template <typename T>
struct SetDiagonal {
  T* x;
  std::uint64_t rows;
  T value;
  RMT_HD void operator()(std::uint64_t e) const { x[e + e * rows] = value; }
};

// Index functor over e < n: diag[e] ← x(e, e) of an n×n matrix (apply_kernel reads the diagonal
// before it overwrites it).
template <typename T>
struct CopyDiagonal {
  const T* x;
  T* diag;
  std::uint64_t n;
  RMT_HD void operator()(std::uint64_t e) const { diag[e] = x[e + e * n]; }
};

// Cell functor on the n×n Gram matrix G: G_ij ← f(G_ij), or f(G_ii + G_jj − 2 G_ij) with
// distance, where diag holds the G_ii from before the call.
template <typename T>
struct ApplyKernel {
  T* x;
  const T* diag;
  std::uint64_t n;
  KernelFunction f;
  bool distance;
  RMT_HD void operator()(std::uint64_t i, std::uint64_t j) const {
    T& v = x[i + j * n];
    const double g = static_cast<double>(v);
    const double t = distance ? static_cast<double>(diag[i]) + static_cast<double>(diag[j]) - 2 * g : g;
    v = static_cast<T>(f.value(t));
  }
};

// The column operations of block Lanczos (core/slq; Backend::sample_rademacher, add_scaled_columns,
// scale_columns). Column scales are doubles; the arithmetic is in double, rounded once to T.

// Index functor: out[e] ← rademacher_at(key, offset + e) (±1, exact in any T).
template <typename T>
struct SampleRademacher {
  StreamKey key;
  T* out;
  std::uint64_t offset;
  RMT_HD void operator()(std::uint64_t e) const { out[e] = static_cast<T>(rademacher_at(key, offset + e)); }
};

// Cell functor: x(i, j) ← x(i, j) + s[j] · y(i, j).
template <typename T>
struct AddScaledColumns {
  T* x;
  const T* y;
  const double* s;
  std::uint64_t rows;
  RMT_HD void operator()(std::uint64_t i, std::uint64_t j) const {
    T& v = x[i + j * rows];
    v = static_cast<T>(static_cast<double>(v) + s[j] * static_cast<double>(y[i + j * rows]));
  }
};

// Cell functor: x(i, j) ← s[j] · x(i, j).
template <typename T>
struct ScaleColumns {
  T* x;
  const double* s;
  std::uint64_t rows;
  RMT_HD void operator()(std::uint64_t i, std::uint64_t j) const {
    T& v = x[i + j * rows];
    v = static_cast<T>(static_cast<double>(v) * s[j]);
  }
};

}  // namespace rmt::elementwise
