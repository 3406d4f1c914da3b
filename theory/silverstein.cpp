#include "theory/silverstein.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "core/base/error.hpp"
#include "theory/numerics/polynomial.hpp"

namespace rmt::theory {
namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kEps = std::numeric_limits<double>::epsilon();

// ---- Population validation ---------------------------------------------------------------

// Sorted by t, equal t merged, zero weights dropped, weights renormalised (they must already sum
// to 1 up to rounding). Zero weights and repeated t would only add spurious common factors to
// the polynomials below.
PopulationSpectrum normalized(PopulationSpectrum h) {
  if (h.t.empty()) throw InputError("BaiSilverstein: empty population spectrum");
  if (h.t.size() != h.w.size())
    throw InputError(
        fmt::format("BaiSilverstein: {} eigenvalues but {} weights", h.t.size(), h.w.size()));
  double total = 0.0;
  for (std::size_t k = 0; k < h.t.size(); ++k) {
    if (!(std::isfinite(h.t[k]) && h.t[k] > 0.0))
      throw InputError(fmt::format("BaiSilverstein: eigenvalue t[{}] = {} must be > 0", k, h.t[k]));
    if (!(std::isfinite(h.w[k]) && h.w[k] >= 0.0))
      throw InputError(fmt::format("BaiSilverstein: weight w[{}] = {} must be >= 0", k, h.w[k]));
    total += h.w[k];
  }
  if (!(std::abs(total - 1.0) <= 1e-9))
    throw InputError(fmt::format("BaiSilverstein: weights sum to {}, not 1", total));

  std::vector<std::size_t> order(h.t.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](auto i, auto j) { return h.t[i] < h.t[j]; });
  PopulationSpectrum out;
  for (auto i : order) {
    if (h.w[i] == 0.0) continue;
    if (!out.t.empty() && out.t.back() == h.t[i]) {
      out.w.back() += h.w[i] / total;
    } else {
      out.t.push_back(h.t[i]);
      out.w.push_back(h.w[i] / total);
    }
  }
  return out;
}

// ---- The inverse function and its derivatives -----------------------------------------------
//
// Internally z is written in s = -1/m̃ (Im s > 0 ⇔ Im m̃ > 0):
//   z(s) = (1 - c) s + c s² Σ_k w_k/(s - t_k).
// This is the same function as -1/m̃ + c Σ w t/(1 + t m̃), but the m̃ form cancels two O(1/m̃)
// terms when |m̃| is large (c ≈ 1 near x = 0: the lower edge of the support), whereas in s both
// terms are O(s) and O(c s²) with no cancellation as s → 0. dz/dm̃ = s² dz/ds, so critical
// points and the sign test z'(m̃) > 0 carry over unchanged.

complex z_of_s(const PopulationSpectrum& h, double c, complex s) {
  complex sum = 0.0;
  for (std::size_t k = 0; k < h.t.size(); ++k) sum += h.w[k] / (s - h.t[k]);
  return (1.0 - c) * s + c * s * s * sum;
}

// dz/ds = (1 - c) + c Σ w s(s - 2t)/(s - t)²  (= 1 - c Σ w t²/(s - t)², without the cancellation).
complex dz_ds(const PopulationSpectrum& h, double c, complex s) {
  complex sum = 0.0;
  for (std::size_t k = 0; k < h.t.size(); ++k) {
    const complex d = s - h.t[k];
    sum += h.w[k] * s * (s - 2.0 * h.t[k]) / (d * d);
  }
  return (1.0 - c) + c * sum;
}

// d²z/ds² = 2c Σ w t²/(s - t)³ (real s only: used to polish the critical points).
double d2z_ds2(const PopulationSpectrum& h, double c, double s) {
  double sum = 0.0;
  for (std::size_t k = 0; k < h.t.size(); ++k) {
    const double d = s - h.t[k];
    sum += h.w[k] * h.t[k] * h.t[k] / (d * d * d);
  }
  return 2.0 * c * sum;
}

// Newton on z(s) = z starting from the companion value m̃ (s = -1/m̃); returns m̃ = -1/s.
// Stops when the step is at rounding level, or when it stops shrinking (rounding-limited).
complex newton_inverse(const PopulationSpectrum& h, double c, complex z, complex m,
                       bool* converged = nullptr) {
  constexpr int kMaxSteps = 40;
  complex s = -1.0 / m;
  double last_step = std::numeric_limits<double>::infinity();
  bool ok = false;
  for (int it = 0; it < kMaxSteps; ++it) {
    const complex d = dz_ds(h, c, s);
    if (d == 0.0) break;
    const complex step = (z_of_s(h, c, s) - z) / d;
    if (!(std::isfinite(step.real()) && std::isfinite(step.imag()))) break;
    const double size = std::abs(step);
    if (size > last_step && it > 3) break;
    s -= step;
    last_step = size;
    if (size <= 4.0 * kEps * std::abs(s)) {
      ok = true;
      break;
    }
  }
  if (converged) *converged = ok;
  return -1.0 / s;
}

// ---- Polynomials of §1.2 --------------------------------------------------------------------

// Π_{j≠skip} (1 + t_j m̃)^power, low to high (skip = K keeps every factor).
std::vector<double> factor_product(const PopulationSpectrum& h, std::size_t skip, int power) {
  std::vector<double> p{1.0};
  for (std::size_t j = 0; j < h.t.size(); ++j) {
    if (j == skip) continue;
    const double f[2] = {1.0, h.t[j]};
    for (int r = 0; r < power; ++r) p = numerics::polynomial_multiply(p, f);
  }
  return p;
}

// x = z(m̃) multiplied by m̃ Π(1 + t_k m̃):  x m̃ P + P - c m̃ Σ_k w_k t_k P_k = 0  (degree K+1).
template <typename T>
std::vector<T> inverse_polynomial(const PopulationSpectrum& h, double c, T x) {
  const std::size_t K = h.t.size();
  const std::vector<double> p = factor_product(h, K, 1);
  std::vector<T> out(K + 2, T(0));
  for (std::size_t i = 0; i <= K; ++i) {
    out[i] += p[i];
    out[i + 1] += x * p[i];
  }
  for (std::size_t k = 0; k < K; ++k) {
    const std::vector<double> pk = factor_product(h, k, 1);
    for (std::size_t i = 0; i < pk.size(); ++i) out[i + 1] -= c * h.w[k] * h.t[k] * pk[i];
  }
  return out;
}

// z'(m̃) = 0 multiplied by m̃² Π(1 + t_k m̃)²:  P² - c m̃² Σ_k w_k t_k² P_k² = 0  (degree 2K).
std::vector<double> critical_polynomial(const PopulationSpectrum& h, double c) {
  const std::size_t K = h.t.size();
  std::vector<double> out = factor_product(h, K, 2);
  for (std::size_t k = 0; k < K; ++k) {
    const std::vector<double> pk = factor_product(h, k, 2);
    for (std::size_t i = 0; i < pk.size(); ++i) out[i + 2] -= c * h.w[k] * h.t[k] * h.t[k] * pk[i];
  }
  return out;
}

// The root of the degree-(K+1) polynomial at real x with the largest imaginary part, polished.
// Inside the bulk it is m̃(x + i0) (Im > 0); outside, all roots are real.
complex top_root_at(const PopulationSpectrum& h, double c, double x) {
  const std::vector<double> poly = inverse_polynomial(h, c, x);
  const std::vector<complex> roots = numerics::polynomial_roots(poly);
  const auto best = std::max_element(roots.begin(), roots.end(),
                                     [](complex a, complex b) { return a.imag() < b.imag(); });
  if (best->imag() <= 0.0) return *best;
  const complex m = newton_inverse(h, c, complex(x, 0.0), *best);
  return m.imag() > 0.0 ? m : *best;
}

// Is x inside a bulk component, judged by the polynomial alone (used while building edges)?
bool inside_bulk(const PopulationSpectrum& h, double c, double x) {
  const complex m = top_root_at(h, c, x);
  return m.imag() > 1e-9 * std::abs(m);
}

// ---- Edges ----------------------------------------------------------------------------------

// Real critical points of z(m̃), polished by Newton on z'(m̃) = 0, mapped to x = z(m̃*).
std::vector<double> candidate_edges(const PopulationSpectrum& h, double c) {
  const std::vector<complex> roots = numerics::polynomial_roots(critical_polynomial(h, c));
  std::vector<double> xs;
  for (complex r : roots) {
    if (std::abs(r.imag()) > 1e-7 * std::abs(r)) continue;
    double sv = -1.0 / r.real();  // s* = -1/m̃*, polished by Newton on dz/ds = 0
    for (int it = 0; it < 5; ++it) {
      const double d2 = d2z_ds2(h, c, sv);
      if (d2 == 0.0) break;
      const double step = dz_ds(h, c, sv).real() / d2;
      if (!std::isfinite(step) || std::abs(step) > 1e-3 * std::abs(sv)) break;
      sv -= step;
      if (std::abs(step) <= 4.0 * kEps * std::abs(sv)) break;
    }
    const double x = z_of_s(h, c, sv).real();
    if (std::isfinite(x)) xs.push_back(x);
  }
  // At c = 1 the leading coefficient (1 - c)Π t_k² vanishes: the lower edge sits at x = 0
  // (reached as m̃ → ∞), not at a finite critical point.
  if (c == 1.0) xs.push_back(0.0);
  std::sort(xs.begin(), xs.end());
  return xs;
}

// Keep the candidates that really bound the support: test the density between consecutive
// candidates and merge adjacent positive stretches (a double critical point where two bulk
// components just touch, or a numerically split root, is then not reported as an edge).
std::vector<double> true_edges(const PopulationSpectrum& h, double c) {
  const std::vector<double> xs = candidate_edges(h, c);
  std::vector<double> edges;
  bool open = false;
  for (std::size_t i = 0; i + 1 < xs.size(); ++i) {
    const double lo = xs[i], hi = xs[i + 1];
    const bool bulk =
        hi - lo > 1e-14 * std::max(1.0, std::abs(hi)) && inside_bulk(h, c, 0.5 * (lo + hi));
    if (bulk && !open) edges.push_back(lo);
    if (!bulk && open) edges.push_back(lo);
    open = bulk;
  }
  if (open) edges.push_back(xs.back());
  if (edges.size() < 2 || edges.size() % 2 != 0)
    throw NumericalError("BaiSilverstein: could not determine the support edges");
  return edges;
}

// ---- Moments --------------------------------------------------------------------------------

// Power-series form of the Silverstein equation: with M(u) = Σ m_k u^k (m_0 = 1), the form
// m(z) = ∫ dH(t)/(t(1 - c - c z m) - z) becomes M = Σ_j h_j (u A)^j with A = 1 + c(M - 1) and
// h_j = ∫ t^j dH. The u^k coefficient of the right side only needs m_1..m_{k-1}, so the
// moments follow order by order (this is the non-crossing-partition expansion of MP ⊠ H).
std::vector<double> series_moments(const PopulationSpectrum& h, double c, int count) {
  std::vector<double> hj(count + 1, 0.0);
  for (std::size_t k = 0; k < h.t.size(); ++k) {
    double tp = 1.0;
    for (int j = 0; j <= count; ++j, tp *= h.t[k]) hj[j] += h.w[k] * tp;
  }
  std::vector<double> m(count + 1, 0.0);
  m[0] = 1.0;
  for (int k = 1; k <= count; ++k) {
    std::vector<double> b(k + 1, 0.0);  // B = u A, truncated at degree k
    b[1] = 1.0;
    for (int i = 2; i <= k; ++i) b[i] = c * m[i - 1];
    std::vector<double> power = b;
    double acc = 0.0;
    for (int j = 1; j <= k; ++j) {
      acc += hj[j] * power[k];
      std::vector<double> next(k + 1, 0.0);
      for (int i = 0; i <= k; ++i)
        for (int l = 0; i + l <= k; ++l) next[i + l] += power[i] * b[l];
      power.swap(next);
    }
    m[k] = acc;
  }
  return {m.begin() + 1, m.end()};
}

}  // namespace

BaiSilverstein::BaiSilverstein(PopulationSpectrum h, double c)
    : h_(normalized(std::move(h))), c_(c) {
  if (!(std::isfinite(c) && c > 0.0))
    throw InputError(fmt::format("BaiSilverstein: c must be > 0, got {}", c));
  edges_ = true_edges(h_, c_);
}

complex BaiSilverstein::z_of_companion(complex mt) const { return z_of_s(h_, c_, -1.0 / mt); }

std::vector<double> BaiSilverstein::edges() const { return edges_; }

std::pair<double, double> BaiSilverstein::upper_edge_sqrt_coefficient() const {
  // dz/ds = 1 − c Σ w t²/(s − t)² rises from −∞ to 1 on (max t, ∞): one root, by bisection.
  const double t_max = *std::max_element(h_.t.begin(), h_.t.end());
  double lo = t_max * (1.0 + 1e-15), hi = 2.0 * t_max;
  while (dz_ds(h_, c_, complex(hi, 0.0)).real() <= 0.0) hi *= 2.0;
  for (int it = 0; it < 200 && hi - lo > 4.0 * kEps * hi; ++it) {
    const double mid = 0.5 * (lo + hi);
    (dz_ds(h_, c_, complex(mid, 0.0)).real() > 0.0 ? hi : lo) = mid;
  }
  const double s = 0.5 * (lo + hi);
  return {std::sqrt(2.0 / d2z_ds2(h_, c_, s)) / (c_ * s * s), z_of_s(h_, c_, complex(s, 0.0)).real()};
}

std::vector<Interval> BaiSilverstein::support() const {
  std::vector<Interval> out;
  for (std::size_t i = 0; i + 1 < edges_.size(); i += 2) out.push_back({edges_[i], edges_[i + 1]});
  return out;
}

std::vector<Atom> BaiSilverstein::atoms() const {
  if (c_ > 1.0) return {{0.0, 1.0 - 1.0 / c_}};
  return {};
}

double BaiSilverstein::density(double x) const {
  bool inside = false;
  for (const Interval& s : support()) inside = inside || (x > s.lo && x < s.hi);
  if (!inside || x <= 0.0) return 0.0;
  const complex mt = top_root_at(h_, c_, x);
  return std::max(0.0, mt.imag()) / (c_ * kPi);  // Im m = Im m̃ / c at real x
}

complex BaiSilverstein::companion_stieltjes(complex z) const {
  if (!(std::isfinite(z.real()) && std::isfinite(z.imag())))
    throw InputError("BaiSilverstein: non-finite argument");
  if (z.imag() < 0.0) return std::conj(companion_stieltjes(std::conj(z)));
  if (z.imag() > 0.0) {
    // Damped fixed point from -1/z (docs/theory.md §1.3): a contraction on C⁺, but slow (O(1/η)) near the
    // axis, so it only has to bring m̃ into Newton's basin. Accept Newton's root only if it
    // lies in C⁺, where the solution is unique; otherwise fall back to the polynomial roots.
    constexpr int kMaxFixedPoint = 200;
    constexpr double kDamping = 0.5;
    complex m = -1.0 / z;
    for (int it = 0; it < kMaxFixedPoint; ++it) {
      complex s = 0.0;
      for (std::size_t k = 0; k < h_.t.size(); ++k) s += h_.w[k] * h_.t[k] / (1.0 + h_.t[k] * m);
      const complex next = (1.0 - kDamping) * m + kDamping / (-z + c_ * s);
      const bool small = std::abs(next - m) <= 1e-6 * std::abs(next);
      m = next;
      if (small) break;
    }
    bool converged = false;
    const complex polished = newton_inverse(h_, c_, z, m, &converged);
    if (converged && polished.imag() > 0.0) return polished;
    const std::vector<complex> roots = numerics::polynomial_roots(inverse_polynomial(h_, c_, z));
    const complex best = *std::max_element(
        roots.begin(), roots.end(), [](complex a, complex b) { return a.imag() < b.imag(); });
    const complex refined = newton_inverse(h_, c_, z, best);
    const complex root = refined.imag() > 0.0 ? refined : best;
    // Never a silent number: the root must solve z(m̃) = z (to the polynomial's conditioning).
    const double residual = std::abs(z_of_s(h_, c_, -1.0 / root) - z);
    if (!(residual <= 1e-6 * (1.0 + std::abs(z))))
      throw NumericalError(fmt::format("BaiSilverstein: no root of z(m̃) = {}+{}i (best m̃ = {}+{}i, residual {:.3g})",
                                       z.real(), z.imag(), root.real(), root.imag(), residual));
    return root;
  }
  // Real z: boundary value m̃(x + i0).
  const double x = z.real();
  if (x == 0.0 && c_ <= 1.0)
    throw InputError("BaiSilverstein: the companion transform has a pole at z = 0 for c <= 1");
  if (density(x) > 0.0) return top_root_at(h_, c_, x);
  // Outside the support the physical root is real: the unique real root on an increasing
  // branch of z(m̃) (Silverstein–Choi), i.e. with z'(m̃) > 0.
  const std::vector<complex> roots = numerics::polynomial_roots(inverse_polynomial(h_, c_, x));
  double best = 0.0, best_slope = -std::numeric_limits<double>::infinity();
  for (complex r : roots) {
    if (std::abs(r.imag()) > 1e-7 * std::abs(r)) continue;  // not a (numerically) real root
    const double slope = dz_ds(h_, c_, complex(-1.0 / r.real(), 0.0)).real();  // sign of z'(m̃)
    if (slope > best_slope) {
      best_slope = slope;
      best = r.real();
    }
  }
  if (!std::isfinite(best_slope))
    throw NumericalError(fmt::format("BaiSilverstein: no real root of z(m̃) = {}", x));
  // At an edge itself the root is double (slope 0) and Newton is ill-conditioned; a polish that
  // moves the root by more than rounding-level noise would have jumped branches, so refuse it.
  const double polished = newton_inverse(h_, c_, complex(x, 0.0), complex(best, 0.0)).real();
  return std::abs(polished - best) <= 1e-6 * std::abs(best) ? polished : best;
}

complex BaiSilverstein::stieltjes(complex z) const {
  if (z.imag() < 0.0) return std::conj(stieltjes(std::conj(z)));
  if (z == 0.0) {
    // m(0) = ∫ dμ(x)/x = ∫ t⁻¹ dH / (1 - c) for c < 1; the atom at 0 makes it a pole otherwise.
    if (c_ >= 1.0) throw InputError("BaiSilverstein: m(z) has a pole at z = 0 for c >= 1");
    double inv = 0.0;
    for (std::size_t k = 0; k < h_.t.size(); ++k) inv += h_.w[k] / h_.t[k];
    return inv / (1.0 - c_);
  }
  return companion_stieltjes(z) / c_ + (1.0 - c_) / (c_ * z);
}

std::vector<double> BaiSilverstein::moments(int count) const {
  if (count < 0) throw InputError(fmt::format("moments: count must be >= 0, got {}", count));
  return series_moments(h_, c_, count);
}

}  // namespace rmt::theory
