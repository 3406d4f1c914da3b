#include "theory/mp.hpp"

#include <cmath>

#include "core/base/error.hpp"

namespace rmt::theory {
namespace {

constexpr double kPi = 3.14159265358979323846;

bool positive_finite(double v) { return std::isfinite(v) && v > 0.0; }

// A real z may carry a signed zero imaginary part; -0 would put the principal square root on
// the wrong side of its cut. Real arguments always mean the boundary value from C⁺.
complex upper_boundary(complex z) { return z.imag() == 0.0 ? complex(z.real(), 0.0) : z; }

// Stieltjes transform of MP(c, σ²): the root of A m² - B m + 1 = 0 with A = σ² c z,
// B = σ²(1 - c) - z that is selected by R = √(z-a)·√(z-b) (product of principal roots, docs/theory.md
// §1.1): m = (B + R)/(2A). The two roots multiply to 1/A, so the same root is also 2/(B - R);
// we evaluate whichever of B ± R is larger in modulus, which avoids the cancellation in B + R
// at large |z|.
complex mp_stieltjes(double c, double sigma2, complex z) {
  if (!(std::isfinite(z.real()) && std::isfinite(z.imag())))
    throw InputError("MarchenkoPastur: non-finite argument");
  z = upper_boundary(z);
  if (z == 0.0) {
    // m(0) = ∫ dμ(x)/x = 1/(σ²(1 - c)) for c < 1; the atom (c > 1) or the x^{-1/2} edge (c = 1)
    // makes 0 a singular point. Decided here because the general formula is 0/0 at z = 0.
    if (c >= 1.0) throw InputError("MarchenkoPastur: m(z) is singular at z = 0 for c >= 1");
    return 1.0 / (sigma2 * (1.0 - c));
  }
  const double sc = std::sqrt(c);
  const double a = sigma2 * (1.0 - sc) * (1.0 - sc);
  const double b = sigma2 * (1.0 + sc) * (1.0 + sc);
  const complex r = std::sqrt(z - a) * std::sqrt(z - b);
  const complex bb = sigma2 * (1.0 - c) - z;
  const complex plus = bb + r;
  const complex minus = bb - r;
  if (std::abs(minus) >= std::abs(plus)) {
    return 2.0 / minus;
  }
  return plus / (2.0 * sigma2 * c * z);
}

double binomial(int n, int k) {
  double out = 1.0;
  for (int i = 0; i < k; ++i) out = out * (n - i) / (i + 1);
  return out;
}

}  // namespace

MarchenkoPastur::MarchenkoPastur(double c, double sigma2) : c_(c), sigma2_(sigma2) {
  if (!positive_finite(c))
    throw InputError(fmt::format("MarchenkoPastur: c must be > 0, got {}", c));
  if (!positive_finite(sigma2))
    throw InputError(fmt::format("MarchenkoPastur: sigma2 must be > 0, got {}", sigma2));
}

double MarchenkoPastur::lower_edge() const {
  const double d = 1.0 - std::sqrt(c_);
  return sigma2_ * d * d;
}

double MarchenkoPastur::upper_edge() const {
  const double d = 1.0 + std::sqrt(c_);
  return sigma2_ * d * d;
}

double MarchenkoPastur::upper_edge_sqrt_coefficient() const {
  // ρ = √((x − a)(b − x))/(2πσ²cx) ≈ √(b − a)/(2πσ²cb) · √(b − x), b − a = 4σ²√c.
  return std::sqrt(upper_edge() - lower_edge()) / (2.0 * sigma2_ * c_ * upper_edge());
}

double MarchenkoPastur::johnstone_tw_scale(double dim) const {
  const double root = std::sqrt(c_), n = dim / c_;
  return sigma2_ * (1.0 + root) * std::cbrt(1.0 + 1.0 / root) * std::pow(n, -2.0 / 3.0);
}

std::vector<Interval> MarchenkoPastur::support() const { return {{lower_edge(), upper_edge()}}; }

std::vector<Atom> MarchenkoPastur::atoms() const {
  if (c_ > 1.0) return {{0.0, 1.0 - 1.0 / c_}};
  return {};
}

double MarchenkoPastur::density(double x) const {
  const double a = lower_edge();
  const double b = upper_edge();
  if (!(x > a && x < b)) return 0.0;  // also 0 at x = 0 when c = 1 (integrable x^{-1/2} edge)
  return std::sqrt((x - a) * (b - x)) / (2.0 * kPi * sigma2_ * c_ * x);
}

complex MarchenkoPastur::stieltjes(complex z) const { return mp_stieltjes(c_, sigma2_, z); }

// XᵀX/n = c · (XᵀX/p) and XᵀX/p follows MP(1/c, σ²), so m̃(z) = m_{1/c}(z/c)/c. Equal to
// c m(z) - (1 - c)/z, but finite at z = 0 when c > 1 (where the two terms have cancelling poles).
complex MarchenkoPastur::companion_stieltjes(complex z) const {
  return mp_stieltjes(1.0 / c_, sigma2_, upper_boundary(z) / c_) / c_;
}

// Narayana polynomials: m_k = σ^{2k} Σ_{j<k} c^j/(j+1) C(k,j) C(k-1,j). All terms are positive,
// so plain summation is accurate.
std::vector<double> MarchenkoPastur::moments(int count) const {
  if (count < 0) throw InputError(fmt::format("moments: count must be >= 0, got {}", count));
  std::vector<double> out;
  out.reserve(count);
  for (int k = 1; k <= count; ++k) {
    double sum = 0.0;
    double cj = 1.0;
    for (int j = 0; j < k; ++j) {
      sum += cj / (j + 1) * binomial(k, j) * binomial(k - 1, j);
      cj *= c_;
    }
    out.push_back(std::pow(sigma2_, k) * sum);
  }
  return out;
}

}  // namespace rmt::theory
