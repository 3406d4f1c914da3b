// The CPU backend's batched sampler (core/cpu/philox_batch.hpp) against the scalar definition
// (core/base/philox.hpp, the functor the CUDA backend runs): the Philox words bit for bit, the
// normals to rounding (a few ulp of the glibc sin/cos/log the scalar path calls), the
// sample_gaussian contract (row_scale, even offsets, fp32) and independence of the thread count.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <vector>

#include <omp.h>

#include "core/base/backend.hpp"
#include "core/base/error.hpp"
#include "core/base/philox.hpp"
#include "core/cpu/philox_batch.hpp"

using namespace rmt;

namespace {

constexpr std::size_t kBlock = philox_batch::kBlock;

// Distance in units in the last place between two doubles of the same sign (±0 are one point).
std::uint64_t ulp_distance(double a, double b) {
  const auto ordered = [](double v) {
    const auto bits = std::bit_cast<std::int64_t>(v);
    return bits < 0 ? std::numeric_limits<std::int64_t>::min() - bits : bits;
  };
  const std::int64_t x = ordered(a), y = ordered(b);
  return x > y ? static_cast<std::uint64_t>(x - y) : static_cast<std::uint64_t>(y - x);
}

// The agreement the batched normals keep with the scalar path: measured at most 3 ulp (6.5e-16
// relative) over 2·10^8 normals (10^8 pairs of one key) and 2 ulp over the extreme words below; the
// bound leaves one ulp of room. The same bits come from the generic, AVX2 and AVX-512 clones, from
// -O0 to -O3 and from clang (checked by hashing 10^7 pairs of each build).
constexpr std::uint64_t kMaxUlp = 4;
constexpr double kMaxRelative = 1e-15;

struct Agreement {
  std::uint64_t max_ulp = 0;
  double max_relative = 0;
  std::size_t compared = 0;
  void add(double scalar, double batched) {
    max_ulp = std::max(max_ulp, ulp_distance(scalar, batched));
    if (scalar != 0) max_relative = std::max(max_relative, std::abs(batched - scalar) / std::abs(scalar));
    else EXPECT_EQ(batched, 0.0);
    ++compared;
  }
  void expect_within_bounds(const char* what) const {
    std::printf("%s (%s code): %zu normals, max %llu ulp, max relative difference %.3g\n", what,
                philox_batch::isa(), compared, static_cast<unsigned long long>(max_ulp), max_relative);
    EXPECT_LE(max_ulp, kMaxUlp) << what;
    EXPECT_LE(max_relative, kMaxRelative) << what;
  }
};

const StreamKey kKeys[] = {{20261206, 0x5eed1234u, 7, 3}, {0, 0, 0, 0}, {~std::uint64_t{0}, 0xffffffffu, 0xffffffu, 255}};

}  // namespace

TEST(PhiloxBatch, WordsAreBitIdenticalToTheScalarBlock) {
  std::vector<std::uint32_t> words(4 * kBlock);
  for (const StreamKey& key : kKeys)
    // Ragged counts, and blocks across the carry into the counter's high word.
    for (const std::uint64_t first : {std::uint64_t{0}, std::uint64_t{12345}, std::uint64_t{0xffffff80u},
                                      std::uint64_t{0x1ffffffffull}, ~std::uint64_t{0} - 300})
      for (const std::size_t n : {std::size_t{1}, std::size_t{3}, std::size_t{17}, kBlock - 1, kBlock}) {
        philox_batch::philox_words(key, first, n, words.data());
        for (std::size_t q = 0; q < n; ++q) {
          const auto r = philox_block(key, first + q);
          for (unsigned w = 0; w < 4; ++w) ASSERT_EQ(words[4 * q + w], r[w]) << "pair " << first + q << " word " << w;
        }
      }
}

TEST(PhiloxBatch, NormalsMatchTheScalarPathToRounding) {
  Agreement agreement;
  std::vector<double> out(2 * kBlock);
  for (const StreamKey& key : kKeys)
    for (std::uint64_t first = 0; first < (std::uint64_t{1} << 20); first += kBlock) {
      philox_batch::gaussian_pairs(key, first, kBlock, out.data());
      for (std::size_t q = 0; q < kBlock; ++q) {
        const NormalPair g = gaussian_pair(key, first + q);
        agreement.add(g.first, out[2 * q]);
        agreement.add(g.second, out[2 * q + 1]);
      }
    }
  agreement.expect_within_bounds("random words");
}

// Words chosen for the edges of Box–Muller: the uniform of the radius next to 0 (the far tail,
// |z| up to √(2·65·ln 2) ≈ 9.5) and at 1 (radius 0), and angles next to 0, ±π/2 and ±π (the
// argument reduction's worst cancellations).
TEST(PhiloxBatch, NormalsMatchTheScalarPathAtTheExtremes) {
  std::vector<std::uint32_t> radius_words;  // (lo, hi) of u1
  std::vector<std::uint32_t> angle_words;   // (lo, hi) of u0
  for (std::uint32_t lo = 0; lo < 64; ++lo)
    for (const std::uint32_t hi : {0u, 1u, 2u, 0xffffffffu, 0xfffffffeu, 0x80000000u, 0x7fffffffu}) {
      radius_words.insert(radius_words.end(), {lo, hi});
      radius_words.insert(radius_words.end(), {~lo, hi});
    }
  for (std::uint32_t lo = 0; lo < 64; ++lo)
    for (const std::uint32_t hi : {0u, 0xffffffffu, 0x3fffffffu, 0x40000000u, 0xbfffffffu, 0xc0000000u, 0x7fffffffu,
                                   0x80000000u, 0x7ffffffeu, 0x80000001u, 0x20000000u, 0x60000000u}) {
      angle_words.insert(angle_words.end(), {lo * 0x9E3779B9u, hi});
      angle_words.insert(angle_words.end(), {~lo, hi});
      angle_words.insert(angle_words.end(), {lo, hi});
    }
  Agreement agreement;
  std::vector<std::uint32_t> words;
  const auto check = [&] {
    std::vector<double> out(2 * kBlock);
    for (std::size_t q0 = 0; q0 < words.size() / 4; q0 += kBlock) {
      const std::size_t n = std::min(kBlock, words.size() / 4 - q0);
      philox_batch::normals_from_words(words.data() + 4 * q0, n, out.data());
      for (std::size_t q = 0; q < n; ++q) {
        const std::uint32_t* w = words.data() + 4 * (q0 + q);
        const auto u0 = (static_cast<std::uint64_t>(w[1]) << 32) | w[0];
        const auto u1 = (static_cast<std::uint64_t>(w[3]) << 32) | w[2];
        const auto g = r123::boxmuller(u0, u1);
        agreement.add(g.x, out[2 * q]);
        agreement.add(g.y, out[2 * q + 1]);
      }
    }
    words.clear();
  };
  // Every extreme angle with every extreme radius.
  for (std::size_t a = 0; a < angle_words.size(); a += 2)
    for (std::size_t r = 0; r < radius_words.size(); r += 2 * 7) {
      words.insert(words.end(), {angle_words[a], angle_words[a + 1], radius_words[r], radius_words[r + 1]});
      if (words.size() >= 4 * 4096) check();
    }
  check();
  agreement.expect_within_bounds("extreme words");
}

class PhiloxBatchBackend : public ::testing::Test {
 protected:
  std::unique_ptr<Backend> cpu = make_cpu_backend();
};

// CpuBackend::sample_gaussian is the contract of core/base/backend.hpp: X(i, j) = row_scale[i] ·
// gaussian_at(key, offset + i + j·rows), rounded once to the element type.
TEST_F(PhiloxBatchBackend, SampleGaussianKeepsTheContractOnRaggedShapes) {
  const StreamKey key = kKeys[0];
  struct Shape {
    index_t rows, cols;
  };
  for (const Precision precision : {Precision::fp64, Precision::fp32}) {
    const PrecisionScope scope(*cpu, precision);
    for (const Shape s : {Shape{1, 1}, Shape{1, 3}, Shape{7, 5}, Shape{5, 103}, Shape{513, 3}, Shape{181, 183}})
      for (const bool scaled : {false, true})
        for (const std::uint64_t offset : {std::uint64_t{0}, std::uint64_t{2}, std::uint64_t{1022},
                                           2 * (std::uint64_t{0xffffffffu} - 300)}) {  // across the counter carry
          std::vector<double> scale;
          if (scaled)
            for (index_t i = 0; i < s.rows; ++i) scale.push_back(0.5 + 0.375 * static_cast<double>(i % 7));
          const Matrix x = cpu->sample_gaussian(key, s.rows, s.cols, scale, offset);
          ASSERT_EQ(x.precision(), precision);
          const auto host = cpu->to_host(x);
          for (index_t j = 0; j < s.cols; ++j)
            for (index_t i = 0; i < s.rows; ++i) {
              const auto e = static_cast<std::uint64_t>(i + j * s.rows);
              const double row = scaled ? scale[static_cast<std::size_t>(i)] : 1.0;
              const double expected = gaussian_at(key, offset + e) * row;
              const double got = host[e];
              if (precision == Precision::fp64) {
                // The normal to a few ulp, then the same product with the row scale.
                ASSERT_NEAR(got, expected, 2 * kMaxRelative * std::abs(expected) + 1e-300)
                    << i << "," << j << " of " << s.rows << "x" << s.cols << " offset " << offset;
              } else {
                // Rounded once to float: the float of the scalar value, or its neighbour where the
                // double lies within a few ulp of a rounding boundary.
                const auto f = static_cast<float>(expected);
                ASSERT_TRUE(static_cast<float>(got) == f || static_cast<float>(got) == std::nextafter(f, 0.0f) ||
                            static_cast<float>(got) == std::nextafter(f, 2 * f))
                    << i << "," << j << ": " << got << " vs " << expected;
                ASSERT_EQ(got, static_cast<double>(static_cast<float>(got)));
              }
            }
        }
  }
}

TEST_F(PhiloxBatchBackend, OddOffsetsAndWrongScalesAreRejected) {
  EXPECT_THROW(cpu->sample_gaussian(kKeys[0], 4, 4, {}, 1), Error);
  EXPECT_THROW(cpu->sample_gaussian(kKeys[0], 4, 4, {}, 1023), Error);
  EXPECT_THROW(cpu->sample_gaussian(kKeys[0], 4, 4, std::vector<double>(5, 1.0)), Error);
  EXPECT_NO_THROW(cpu->sample_gaussian(kKeys[0], 4, 4, {}, 1024));
}

// Column blocks with an offset are the columns of the whole matrix, bit for bit (the blocks of the
// batched sampler start wherever the offset puts them).
TEST_F(PhiloxBatchBackend, OffsetBlocksAreTheColumnsOfTheWholeMatrix) {
  const StreamKey key = kKeys[2];
  const index_t rows = 97, cols = 700;  // odd rows: blocks start at odd element counts
  std::vector<double> scale(static_cast<std::size_t>(rows));
  for (index_t i = 0; i < rows; ++i) scale[static_cast<std::size_t>(i)] = 1.0 + 0.01 * static_cast<double>(i);
  const auto whole = cpu->to_host(cpu->sample_gaussian(key, rows, cols, scale));
  for (const index_t c0 : {0, 2, 6, 300, 698}) {
    const index_t c1 = std::min<index_t>(cols, c0 + 350);
    const auto part =
        cpu->to_host(cpu->sample_gaussian(key, rows, c1 - c0, scale, static_cast<std::uint64_t>(c0 * rows)));
    for (std::size_t e = 0; e < part.size(); ++e)
      ASSERT_EQ(part[e], whole[static_cast<std::size_t>(c0 * rows) + e]) << "block at column " << c0 << ", " << e;
  }
}

TEST_F(PhiloxBatchBackend, ResultDoesNotDependOnTheThreadCount) {
  const StreamKey key = kKeys[0];
  const index_t rows = 301, cols = 219;  // 65919 elements (odd): parallel, a ragged last block
  std::vector<double> scale(static_cast<std::size_t>(rows));
  for (index_t i = 0; i < rows; ++i) scale[static_cast<std::size_t>(i)] = 2.0 - 1.0 / static_cast<double>(i + 1);
  const int saved = omp_get_max_threads();
  for (const Precision precision : {Precision::fp64, Precision::fp32}) {
    const PrecisionScope scope(*cpu, precision);
    const auto draw = [&](int threads) {
      omp_set_num_threads(threads);
      return cpu->to_host(cpu->sample_gaussian(key, rows, cols, scale, 4096));
    };
    const auto one = draw(1);
    EXPECT_EQ(draw(2), one);
    EXPECT_EQ(draw(3), one);
  }
  omp_set_num_threads(saved);
}
