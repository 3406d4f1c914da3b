#pragma once
// FNV-1a (Fowler–Noll–Vo), in the 32- and 64-bit widths: the case key of the Philox stream (32 bits)
// and the identity of a case in a run log (64 bits). Stable across platforms and releases: both
// values end up in files (case keys decide the matrices drawn, case ids the records resumed).
#include <concepts>
#include <cstdint>
#include <string_view>

namespace rmt {

namespace detail {
template <std::unsigned_integral H>
struct FnvParameters;
template <>
struct FnvParameters<std::uint32_t> {
  static constexpr std::uint32_t offset = 2166136261u, prime = 16777619u;
};
template <>
struct FnvParameters<std::uint64_t> {
  static constexpr std::uint64_t offset = 14695981039346656037ull, prime = 1099511628211ull;
};
}  // namespace detail

// FNV-1a of the bytes of `text` in the width of H (std::uint32_t or std::uint64_t).
template <std::unsigned_integral H>
constexpr H fnv1a(std::string_view text) {
  H h = detail::FnvParameters<H>::offset;
  for (const char ch : text) {
    h ^= static_cast<unsigned char>(ch);
    h *= detail::FnvParameters<H>::prime;
  }
  return h;
}

constexpr std::uint32_t fnv1a32(std::string_view text) { return fnv1a<std::uint32_t>(text); }
constexpr std::uint64_t fnv1a64(std::string_view text) { return fnv1a<std::uint64_t>(text); }

// The published test vectors.
static_assert(fnv1a32("") == 2166136261u && fnv1a32("a") == 0xe40c292cu);
static_assert(fnv1a64("") == 14695981039346656037ull && fnv1a64("a") == 0xaf63dc4c8601ec8cull);

}  // namespace rmt
