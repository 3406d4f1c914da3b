#pragma once
// Batched Philox4x32-10 + Box–Muller for the CPU backend's sample_gaussian (issue 14, item 7).
//
// The scalar functor (core/base/philox.hpp, gaussian_pair) stays the definition, and the CUDA
// backend keeps using it; this is the same computation laid out for the CPU's vector units:
//   * the Philox words of a block of pairs, in structure-of-arrays form (32×32→64-bit products),
//     bit-identical to philox_block;
//   * the uniforms of Random123's uneg11<double> / u01<double> from those words, bit-identical
//     (the 64-bit integer is converted as hi·2^32 + lo, two exact doubles summed with one
//     rounding: the correctly rounded conversion, as the scalar cvtsi2sd);
//   * θ = PI·x rounded to double as r123::sincospi does, then sin θ, cos θ and √(−2 log u) from
//     branch-free fdlibm-style kernels (Cody–Waite reduction by π/2 in three parts, the fdlibm
//     polynomials for sin, cos and log, each < 1 ulp): the normals differ from the scalar path
//     (glibc sincos/log) by rounding only, a few ulp at most (tests/test_philox_batch.cpp
//     measures the bound over millions of elements and the extreme tails).
// The translation unit is compiled with -ffp-contract=off and -fno-math-errno, and its loops are
// cloned for x86-64-v3 (AVX2) and x86-64-v4 (AVX-512) next to the generic x86-64 (SSE2) code,
// chosen at load time: the same bits on every clone, the binary runs on any x86-64.
#include <cstddef>
#include <cstdint>

#include "core/base/backend.hpp"
#include "core/base/philox.hpp"

namespace rmt::philox_batch {

// Pairs per call of the block kernels below (any n ≤ kBlock; more are cut to kBlock).
inline constexpr std::size_t kBlock = 256;

// out[e] = T(gaussian_at(key, 2·first_pair + e) · scale[e mod rows]) for e < count (scale null: 1),
// to rounding: the body of CpuBackend::sample_gaussian (core/base/backend.hpp), OpenMP over the
// cores in blocks of 2·kBlock elements. Instantiated for double and float.
template <typename T>
void sample_gaussian(const StreamKey& key, std::uint64_t first_pair, T* out, std::uint64_t count, std::uint64_t rows,
                     const double* scale);

// A rows×cols host matrix whose elements are left uninitialised, for sample_gaussian to fill: the
// backend's other host matrices are zeroed std::vectors, and at 2e8 normals (1.6 GB) zeroing them
// first cost more than the sampling (the sampler writes every element, and its threads fault the
// pages in as they go).
Matrix uninitialised_host_matrix(index_t rows, index_t cols, Precision precision);

// words[4q + w] = philox_block(key, first_pair + q)[w] for q < n ≤ kBlock: bit-identical.
void philox_words(const StreamKey& key, std::uint64_t first_pair, std::size_t n, std::uint32_t* words);

// out[2q], out[2q + 1] = r123::boxmuller(w1:w0, w3:w2) of words[4q .. 4q + 3], q < n ≤ kBlock, to
// rounding (the tests feed it extreme words: uniforms next to 0, angles next to multiples of π/2).
void normals_from_words(const std::uint32_t* words, std::size_t n, double* out);

// out[2q] = gaussian_pair(key, first_pair + q).first, out[2q + 1] = .second, to rounding, q < n ≤ kBlock.
void gaussian_pairs(const StreamKey& key, std::uint64_t first_pair, std::size_t n, double* out);

// Name of the code path the loader picked ("x86-64-v4", "x86-64-v3", "x86-64" or "generic").
const char* isa();

}  // namespace rmt::philox_batch
