// Batched Philox4x32-10 + Box–Muller (core/cpu/philox_batch.hpp). Compiled with -ffp-contract=off
// and -fno-math-errno (core/CMakeLists.txt): no fused multiply-adds, so every clone rounds alike.
#include "core/cpu/philox_batch.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <memory>

namespace rmt::philox_batch {
namespace {

// One clone per x86-64 level, picked at load time (GCC ifunc); other compilers and targets build the
// generic loops only.
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && !defined(RMT_PHILOX_NO_CLONES)
#define RMT_PHILOX_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define RMT_PHILOX_CLONES
#endif
#define RMT_ALWAYS_INLINE inline __attribute__((always_inline))

// Philox4x32 constants (Random123 philox.h).
constexpr std::uint32_t kM0 = 0xD2511F53u, kM1 = 0xCD9E8D57u;
constexpr std::uint32_t kW0 = 0x9E3779B9u, kW1 = 0xBB67AE85u;

// Ten rounds on one counter; the words stay in registers (the loop over counters is vectorised).
struct Words {
  std::uint32_t w0, w1, w2, w3;
};
RMT_ALWAYS_INLINE Words philox10(std::uint32_t c0, std::uint32_t c1, std::uint32_t c2, std::uint32_t c3,
                                 std::uint32_t k0, std::uint32_t k1) {
  for (int round = 0; round < 10; ++round) {
    const std::uint64_t p0 = static_cast<std::uint64_t>(kM0) * c0;
    const std::uint64_t p1 = static_cast<std::uint64_t>(kM1) * c2;
    const std::uint32_t n0 = static_cast<std::uint32_t>(p1 >> 32) ^ c1 ^ k0;
    const std::uint32_t n2 = static_cast<std::uint32_t>(p0 >> 32) ^ c3 ^ k1;
    c1 = static_cast<std::uint32_t>(p1);
    c3 = static_cast<std::uint32_t>(p0);
    c0 = n0;
    c2 = n2;
    k0 += kW0;
    k1 += kW1;
  }
  return {c0, c1, c2, c3};
}

// mask ? a : b for mask all ones or all zeros, without a branch (the loops stay if-converted on
// every x86-64 level).
RMT_ALWAYS_INLINE double select(std::uint64_t mask, double a, double b) {
  return std::bit_cast<double>((std::bit_cast<std::uint64_t>(a) & mask) | (std::bit_cast<std::uint64_t>(b) & ~mask));
}
// An integer |v| < 2^51 as a double, exactly (no 64-bit integer → double instruction before AVX-512).
constexpr double kMagic = 0x1.8p52;
RMT_ALWAYS_INLINE double small_to_double(std::int64_t v) {
  return std::bit_cast<double>(std::bit_cast<std::uint64_t>(kMagic) + static_cast<std::uint64_t>(v)) - kMagic;
}
// A 32-bit word as a double, exactly: signed, or unsigned (through the signed range and 2^31).
RMT_ALWAYS_INLINE double signed_word(std::uint32_t w) { return static_cast<double>(static_cast<std::int32_t>(w)); }
RMT_ALWAYS_INLINE double unsigned_word(std::uint32_t w) {
  return static_cast<double>(static_cast<std::int32_t>(w ^ 0x80000000u)) + 2147483648.0;
}

// Random123 uniform.hpp: uneg11<double>(int64 hi:lo) = int64·2^-63 + 2^-64, u01<double>(uint64 hi:lo)
// = uint64·2^-64 + 2^-65. hi·2^32 and lo are exact doubles, so their sum is the correctly rounded
// conversion of the 64-bit integer (one rounding), as the scalar conversion; the scale is exact.
RMT_ALWAYS_INLINE double uneg11(std::uint32_t lo, std::uint32_t hi) {
  const double v = signed_word(hi) * 4294967296.0 + unsigned_word(lo);
  return v * 0x1p-63 + 0x1p-64;
}
RMT_ALWAYS_INLINE double u01(std::uint32_t lo, std::uint32_t hi) {
  const double v = unsigned_word(hi) * 4294967296.0 + unsigned_word(lo);
  return v * 0x1p-64 + 0x1p-65;
}

// log(u) for normal u > 0: fdlibm e_log.c (< 1 ulp), both branches evaluated and one selected.
RMT_ALWAYS_INLINE double log_positive(double u) {
  constexpr double ln2_hi = 6.93147180369123816490e-01, ln2_lo = 1.90821492927058770002e-10;
  constexpr double Lg1 = 6.666666666666735130e-01, Lg2 = 3.999999999940941908e-01, Lg3 = 2.857142874366239149e-01,
                   Lg4 = 2.222219843214978396e-01, Lg5 = 1.818357216161805012e-01, Lg6 = 1.531383769920937332e-01,
                   Lg7 = 1.479819860511658591e-01;
  const std::uint64_t bits = std::bit_cast<std::uint64_t>(u);
  std::int64_t hx = static_cast<std::int64_t>(bits >> 32);
  std::int64_t k = (hx >> 20) - 1023;
  hx &= 0x000fffff;
  const std::int64_t i = (hx + 0x95f64) & 0x100000;  // m ≥ √2: halve it, k + 1
  const double m = std::bit_cast<double>((static_cast<std::uint64_t>(hx | (i ^ 0x3ff00000)) << 32) | (bits & 0xffffffffu));
  k += i >> 20;
  const double f = m - 1.0;
  const double s = f / (2.0 + f);
  const double dk = small_to_double(k);
  const double z = s * s;
  const double w = z * z;
  const double t1 = w * (Lg2 + w * (Lg4 + w * Lg6));
  const double t2 = z * (Lg1 + w * (Lg3 + w * (Lg5 + w * Lg7)));
  const double R = t2 + t1;
  const double hfsq = 0.5 * f * f;
  const double far = dk * ln2_hi - ((hfsq - (s * (hfsq + R) + dk * ln2_lo)) - f);
  const double near = dk * ln2_hi - ((s * (f - R) - dk * ln2_lo) - f);
  // fdlibm: the far branch where 0x6147a < hx < 0x6b851 (m - 1 not small), i.e. the sign bit of
  // (hx - 0x6147a) | (0x6b851 - hx) clear and that value nonzero (it is never zero).
  const std::uint64_t far_mask = (static_cast<std::uint64_t>((hx - 0x6147a) | (0x6b851 - hx)) >> 63) - 1;
  return select(far_mask, far, near);
}

// sin and cos of |x| ≤ π + small: reduction by π/2 with π/2 in three Cody–Waite parts (musl
// __rem_pio2, all three rounds: 151 bits, enough for every double), then fdlibm's __sin and __cos
// kernels (musl) on the double-double remainder y0 + y1.
RMT_ALWAYS_INLINE void sincos_reduced(double x, double& sin_x, double& cos_x) {
  constexpr double invpio2 = 6.36619772367581382433e-01;
  constexpr double pio2_1 = 1.57079632673412561417e+00;
  constexpr double pio2_2 = 6.07710050630396597660e-11;
  constexpr double pio2_3 = 2.02226624871116645580e-21, pio2_3t = 8.47842766036889956997e-32;
  const double shifted = x * invpio2 + kMagic;
  const std::uint64_t quadrant = std::bit_cast<std::uint64_t>(shifted) & 3u;
  const double fn = shifted - kMagic;
  // x − fn·π/2 = r3 + e3 + e2 − fn·pio2_3t: fn·pio2_1, fn·pio2_2 and fn·pio2_3 are exact (33-bit
  // parts, |fn| ≤ 2), r1 is exact (Sterbenz), e2 and e3 are the exact errors of the two subtractions.
  const double r1 = x - fn * pio2_1;
  const double a2 = fn * pio2_2;
  const double r2 = r1 - a2;
  const double e2 = (r1 - r2) - a2;
  const double a3 = fn * pio2_3;
  const double r = r2 - a3;
  const double e3 = (r2 - r) - a3;
  const double w = fn * pio2_3t - e3 - e2;
  const double y0 = r - w;
  const double y1 = (r - y0) - w;

  constexpr double S1 = -1.66666666666666324348e-01, S2 = 8.33333333332248946124e-03,
                   S3 = -1.98412698298579493134e-04, S4 = 2.75573137070700676789e-06,
                   S5 = -2.50507602534068634195e-08, S6 = 1.58969099521155010221e-10;
  constexpr double C1 = 4.16666666666666019037e-02, C2 = -1.38888888888741095749e-03,
                   C3 = 2.48015872894767294178e-05, C4 = -2.75573143513906633035e-07,
                   C5 = 2.08757232129817482790e-09, C6 = -1.13596475577881948265e-11;
  const double z = y0 * y0;
  const double zz = z * z;
  const double rs = S2 + z * (S3 + z * S4) + z * zz * (S5 + z * S6);
  const double v = z * y0;
  const double s = y0 - ((z * (0.5 * y1 - v * rs) - y1) - v * S1);
  const double rc = z * (C1 + z * (C2 + z * C3)) + zz * zz * (C4 + z * (C5 + z * C6));
  const double hz = 0.5 * z;
  const double one_minus = 1.0 - hz;
  const double c = one_minus + (((1.0 - one_minus) - hz) + (z * rc - y0 * y1));
  // Quadrant q: sin x = (s, c, −s, −c)[q], cos x = (c, −s, −c, s)[q].
  const std::uint64_t odd = 0 - (quadrant & 1u);
  const std::uint64_t sin_sign = (quadrant & 2u) << 62, cos_sign = ((quadrant + 1u) & 2u) << 62;
  sin_x = std::bit_cast<double>(std::bit_cast<std::uint64_t>(select(odd, c, s)) ^ sin_sign);
  cos_x = std::bit_cast<double>(std::bit_cast<std::uint64_t>(select(odd, s, c)) ^ cos_sign);
}

// The Philox words of pairs first_pair + q, q < n ≤ kBlock, in four arrays.
RMT_ALWAYS_INLINE void philox_soa(const StreamKey& key, std::uint64_t first_pair, std::size_t n, std::uint32_t* w0,
                                  std::uint32_t* w1, std::uint32_t* w2, std::uint32_t* w3) {
  const std::uint32_t k0 = static_cast<std::uint32_t>(key.seed), k1 = static_cast<std::uint32_t>(key.seed >> 32);
  const std::uint32_t c2 = key.case_key, c3 = (key.replicate << 8) | (key.stream & 0xffu);
  const std::uint32_t lo = static_cast<std::uint32_t>(first_pair), hi = static_cast<std::uint32_t>(first_pair >> 32);
  if (static_cast<std::uint64_t>(lo) + n <= 0x100000000u) {  // no carry into the high counter word
#pragma omp simd
    for (std::size_t q = 0; q < n; ++q) {
      const Words r = philox10(lo + static_cast<std::uint32_t>(q), hi, c2, c3, k0, k1);
      w0[q] = r.w0;
      w1[q] = r.w1;
      w2[q] = r.w2;
      w3[q] = r.w3;
    }
  } else {
    for (std::size_t q = 0; q < n; ++q) {
      const std::uint64_t pair = first_pair + q;
      const Words r = philox10(static_cast<std::uint32_t>(pair), static_cast<std::uint32_t>(pair >> 32), c2, c3, k0, k1);
      w0[q] = r.w0;
      w1[q] = r.w1;
      w2[q] = r.w2;
      w3[q] = r.w3;
    }
  }
}

// r123::boxmuller(u0, u1) with u0 = w1:w0, u1 = w3:w2: out[2q] = r·sin θ, out[2q + 1] = r·cos θ,
// θ = PI·uneg11(u0) rounded (r123::sincospi), r = √(−2 log u01(u1)).
RMT_ALWAYS_INLINE void boxmuller_soa(const std::uint32_t* w0, const std::uint32_t* w1, const std::uint32_t* w2,
                                     const std::uint32_t* w3, std::size_t n, double* out) {
  constexpr double kPi = 3.1415926535897932;  // r123::sincospi's PI
#pragma omp simd
  for (std::size_t q = 0; q < n; ++q) {
    const double theta = kPi * uneg11(w0[q], w1[q]);
    const double radius = std::sqrt(-2.0 * log_positive(u01(w2[q], w3[q])));
    double s, c;
    sincos_reduced(theta, s, c);
    out[2 * q] = s * radius;
    out[2 * q + 1] = c * radius;
  }
}

RMT_ALWAYS_INLINE void gaussian_block(const StreamKey& key, std::uint64_t first_pair, std::size_t n, double* out) {
  alignas(64) std::uint32_t w0[kBlock], w1[kBlock], w2[kBlock], w3[kBlock];
  philox_soa(key, first_pair, n, w0, w1, w2, w3);
  boxmuller_soa(w0, w1, w2, w3, n, out);
}

// Elements [e0, e0 + m) of the matrix (pairs first_pair + e0/2 ...): out[j] = T(g_j · scale[i_j]),
// i_j = (e0 + j) mod rows, starting at i0 = e0 mod rows; scale null: T(g_j). m ≤ 2·kBlock.
template <typename T>
RMT_ALWAYS_INLINE void sample_block(const StreamKey& key, std::uint64_t first_pair, T* out, std::size_t m,
                                    std::uint64_t rows, const double* scale, std::uint64_t i0) {
  alignas(64) double g[2 * kBlock];
  gaussian_block(key, first_pair, (m + 1) / 2, g);
  if (scale) {
    std::size_t j = 0;
    std::uint64_t i = i0;
    while (j < m) {  // runs down one column at a time
      const std::size_t run = static_cast<std::size_t>(std::min<std::uint64_t>(m - j, rows - i));
#pragma omp simd
      for (std::size_t t = 0; t < run; ++t) out[j + t] = static_cast<T>(g[j + t] * scale[i + t]);
      j += run;
      i = 0;
    }
  } else {
#pragma omp simd
    for (std::size_t j = 0; j < m; ++j) out[j] = static_cast<T>(g[j]);
  }
}

RMT_PHILOX_CLONES void sample_block_f64(const StreamKey& key, std::uint64_t first_pair, double* out, std::size_t m,
                                        std::uint64_t rows, const double* scale, std::uint64_t i0) {
  sample_block(key, first_pair, out, m, rows, scale, i0);
}
RMT_PHILOX_CLONES void sample_block_f32(const StreamKey& key, std::uint64_t first_pair, float* out, std::size_t m,
                                        std::uint64_t rows, const double* scale, std::uint64_t i0) {
  sample_block(key, first_pair, out, m, rows, scale, i0);
}
void sample_block_any(const StreamKey& key, std::uint64_t first_pair, double* out, std::size_t m, std::uint64_t rows,
                      const double* scale, std::uint64_t i0) {
  sample_block_f64(key, first_pair, out, m, rows, scale, i0);
}
void sample_block_any(const StreamKey& key, std::uint64_t first_pair, float* out, std::size_t m, std::uint64_t rows,
                      const double* scale, std::uint64_t i0) {
  sample_block_f32(key, first_pair, out, m, rows, scale, i0);
}

}  // namespace

RMT_PHILOX_CLONES void philox_words(const StreamKey& key, std::uint64_t first_pair, std::size_t n,
                                    std::uint32_t* words) {
  alignas(64) std::uint32_t w0[kBlock], w1[kBlock], w2[kBlock], w3[kBlock];
  if (n > kBlock) n = kBlock;
  philox_soa(key, first_pair, n, w0, w1, w2, w3);
  for (std::size_t q = 0; q < n; ++q) {
    words[4 * q] = w0[q];
    words[4 * q + 1] = w1[q];
    words[4 * q + 2] = w2[q];
    words[4 * q + 3] = w3[q];
  }
}

RMT_PHILOX_CLONES void normals_from_words(const std::uint32_t* words, std::size_t n, double* out) {
  alignas(64) std::uint32_t w0[kBlock], w1[kBlock], w2[kBlock], w3[kBlock];
  if (n > kBlock) n = kBlock;
  for (std::size_t q = 0; q < n; ++q) {
    w0[q] = words[4 * q];
    w1[q] = words[4 * q + 1];
    w2[q] = words[4 * q + 2];
    w3[q] = words[4 * q + 3];
  }
  boxmuller_soa(w0, w1, w2, w3, n, out);
}

RMT_PHILOX_CLONES void gaussian_pairs(const StreamKey& key, std::uint64_t first_pair, std::size_t n, double* out) {
  gaussian_block(key, first_pair, n > kBlock ? kBlock : n, out);
}

template <typename T>
void sample_gaussian(const StreamKey& key, std::uint64_t first_pair, T* out, std::uint64_t count, std::uint64_t rows,
                     const double* scale) {
  constexpr std::uint64_t kElements = 2 * kBlock;
  const std::uint64_t blocks = (count + kElements - 1) / kElements;
  // Blocks of 2·kBlock elements, split statically between the threads; each element is its own
  // counter's, so the split does not change a bit. Below 2^15 elements one thread (as the backend's
  // other elementwise loops).
#pragma omp parallel for schedule(static) if (count >= (std::uint64_t{1} << 15))
  for (std::uint64_t b = 0; b < blocks; ++b) {
    const std::uint64_t e0 = b * kElements;
    const auto m = static_cast<std::size_t>(std::min(kElements, count - e0));
    sample_block_any(key, first_pair + b * kBlock, out + e0, m, rows, scale, scale ? e0 % rows : 0);
  }
}
template void sample_gaussian<double>(const StreamKey&, std::uint64_t, double*, std::uint64_t, std::uint64_t,
                                      const double*);
template void sample_gaussian<float>(const StreamKey&, std::uint64_t, float*, std::uint64_t, std::uint64_t,
                                     const double*);

namespace {
template <typename T>
class UninitialisedStorage final : public Matrix::Storage {
 public:
  explicit UninitialisedStorage(std::size_t count) : values_(std::make_unique_for_overwrite<T[]>(count)) {}
  void* data() override { return values_.get(); }

 private:
  std::unique_ptr<T[]> values_;
};
}  // namespace

Matrix uninitialised_host_matrix(index_t rows, index_t cols, Precision precision) {
  const auto count = static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols);
  if (precision == Precision::fp32)
    return Matrix(rows, cols, std::make_unique<UninitialisedStorage<float>>(count), precision);
  return Matrix(rows, cols, std::make_unique<UninitialisedStorage<double>>(count), precision);
}

const char* isa() {
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && !defined(RMT_PHILOX_NO_CLONES)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("x86-64-v4")) return "x86-64-v4";
  if (__builtin_cpu_supports("x86-64-v3")) return "x86-64-v3";
  return "x86-64";
#else
  return "generic";
#endif
}

}  // namespace rmt::philox_batch
