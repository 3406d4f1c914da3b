#pragma once
// Counter-based sampling shared by every backend: element `index` of stream (seed, case, replicate,
// stream) is a pure function of those numbers, so the CPU and CUDA backends draw the same matrix
// whatever the thread layout. Philox4x32-10 (Random123) turns one 128-bit counter into two 64-bit
// uniforms, Box-Muller turns them into the normals of elements 2k and 2k+1.
#include <cstdint>

#include <Random123/boxmuller.hpp>
#include <Random123/philox.h>

#include "core/base/host_device.hpp"

namespace rmt {

struct StreamKey {
  std::uint64_t seed = 0;
  std::uint32_t case_key = 0;   // hash of the model and its resolved parameters
  std::uint32_t replicate = 0;  // < 2^24
  std::uint32_t stream = 0;     // which matrix of the case (X, W, ...), < 256
};

struct NormalPair {
  double first;
  double second;
};

RMT_HD inline r123::Philox4x32::ctr_type philox_block(const StreamKey& k, std::uint64_t pair) {
  r123::Philox4x32 rng;
  r123::Philox4x32::ctr_type ctr = {{static_cast<std::uint32_t>(pair),
                                     static_cast<std::uint32_t>(pair >> 32), k.case_key,
                                     (k.replicate << 8) | (k.stream & 0xffu)}};
  r123::Philox4x32::key_type key = {
      {static_cast<std::uint32_t>(k.seed), static_cast<std::uint32_t>(k.seed >> 32)}};
  return rng(ctr, key);
}

// Standard normals of elements 2*pair and 2*pair+1.
RMT_HD inline NormalPair gaussian_pair(const StreamKey& k, std::uint64_t pair) {
  const auto r = philox_block(k, pair);
  const std::uint64_t u0 = (static_cast<std::uint64_t>(r[1]) << 32) | r[0];
  const std::uint64_t u1 = (static_cast<std::uint64_t>(r[3]) << 32) | r[2];
  const auto g = r123::boxmuller(u0, u1);
  return {g.x, g.y};
}

RMT_HD inline double gaussian_at(const StreamKey& k, std::uint64_t index) {
  const NormalPair g = gaussian_pair(k, index >> 1);
  return (index & 1u) ? g.second : g.first;
}

// Rademacher ±1 of element `index`: bit index % 128 of Philox block index / 128 (the probes of
// stochastic Lanczos quadrature; 128 signs per block, on every backend the same).
RMT_HD inline double rademacher_at(const StreamKey& k, std::uint64_t index) {
  const auto r = philox_block(k, index >> 7);
  const std::uint32_t word = r[static_cast<unsigned>((index >> 5) & 3u)];
  return ((word >> (index & 31u)) & 1u) ? 1.0 : -1.0;
}

}  // namespace rmt
