#include "theory/numerics/polynomial.hpp"

#include <algorithm>
#include <cmath>
#include <complex>
#include <limits>

// Use std::complex for LAPACK's complex types (the default in C++ mode is the C99 `_Complex`
// extension, which -Wpedantic rejects). Layout-compatible by the standard.
#define lapack_complex_float std::complex<float>
#define lapack_complex_double std::complex<double>
#include <lapacke.h>

#include "core/base/error.hpp"

namespace rmt::theory::numerics {
namespace {

bool is_finite(double v) { return std::isfinite(v); }
bool is_finite(complex v) { return std::isfinite(v.real()) && std::isfinite(v.imag()); }

// p(x) and p'(x) together by Horner's rule.
template <typename T>
void horner_with_derivative(std::span<const T> p, complex x, complex& value, complex& derivative) {
  value = 0.0;
  derivative = 0.0;
  for (std::size_t k = p.size(); k-- > 0;) {
    derivative = derivative * x + value;
    value = value * x + complex(p[k]);
  }
}

// Eigenvalues of the (balanced) companion matrix of the monic polynomial x^n + Σ a_k x^k.
// dgeev/zgeev balance the matrix first, which is what makes companion roots accurate when the
// coefficients span many orders of magnitude.
std::vector<complex> companion_eigenvalues(const std::vector<double>& monic_low) {
  const int n = static_cast<int>(monic_low.size());
  std::vector<double> a(static_cast<std::size_t>(n) * n, 0.0);
  for (int j = 0; j < n; ++j) a[static_cast<std::size_t>(j) * n] = -monic_low[n - 1 - j];
  for (int i = 1; i < n; ++i) a[i + static_cast<std::size_t>(i - 1) * n] = 1.0;
  std::vector<double> wr(n), wi(n);
  const lapack_int info = LAPACKE_dgeev(LAPACK_COL_MAJOR, 'N', 'N', n, a.data(), n, wr.data(),
                                        wi.data(), nullptr, 1, nullptr, 1);
  if (info != 0)
    throw NumericalError(fmt::format("polynomial_roots: dgeev failed (info = {})", info));
  std::vector<complex> roots(n);
  for (int i = 0; i < n; ++i) roots[i] = complex(wr[i], wi[i]);
  return roots;
}

std::vector<complex> companion_eigenvalues(const std::vector<complex>& monic_low) {
  const int n = static_cast<int>(monic_low.size());
  std::vector<complex> a(static_cast<std::size_t>(n) * n, 0.0);
  for (int j = 0; j < n; ++j) a[static_cast<std::size_t>(j) * n] = -monic_low[n - 1 - j];
  for (int i = 1; i < n; ++i) a[i + static_cast<std::size_t>(i - 1) * n] = 1.0;
  std::vector<complex> w(n);
  const lapack_int info =
      LAPACKE_zgeev(LAPACK_COL_MAJOR, 'N', 'N', n, a.data(), n, w.data(), nullptr, 1, nullptr, 1);
  if (info != 0)
    throw NumericalError(fmt::format("polynomial_roots: zgeev failed (info = {})", info));
  return w;
}

// A few Newton steps on the original polynomial. A step is taken only if it lowers |p| and is
// small compared with the distance to the nearest other root, so that polishing can never move
// a root of a cluster onto one of its neighbours.
template <typename T>
void newton_polish(std::span<const T> p, std::vector<complex>& roots) {
  constexpr int kSteps = 3;
  for (std::size_t i = 0; i < roots.size(); ++i) {
    double nearest = std::numeric_limits<double>::infinity();
    for (std::size_t j = 0; j < roots.size(); ++j)
      if (j != i) nearest = std::min(nearest, std::abs(roots[j] - roots[i]));
    complex r = roots[i];
    complex value, derivative;
    horner_with_derivative(p, r, value, derivative);
    for (int step = 0; step < kSteps && value != 0.0 && derivative != 0.0; ++step) {
      const complex delta = value / derivative;
      if (!(std::abs(delta) < 0.25 * nearest)) break;
      complex new_value, new_derivative;
      horner_with_derivative(p, r - delta, new_value, new_derivative);
      if (!(std::abs(new_value) < std::abs(value))) break;
      r -= delta;
      value = new_value;
      derivative = new_derivative;
    }
    roots[i] = r;
  }
}

template <typename T>
std::vector<complex> roots_impl(std::span<const T> coeffs) {
  for (const T& v : coeffs)
    if (!is_finite(v)) throw InputError("polynomial_roots: non-finite coefficient");
  // Drop exact leading zeros: the number of roots is the true degree.
  std::size_t hi = coeffs.size();
  while (hi > 0 && coeffs[hi - 1] == T(0)) --hi;
  if (hi == 0) throw InputError("polynomial_roots: the zero polynomial has no finite root set");
  // Exact trailing zeros are exact roots at 0; factor them out before the eigenvalue problem.
  std::size_t lo = 0;
  while (coeffs[lo] == T(0)) ++lo;
  std::vector<complex> roots(lo, complex(0.0));
  const std::span<const T> p = coeffs.subspan(lo, hi - lo);
  const std::size_t degree = p.size() - 1;
  if (degree == 0) return roots;
  std::vector<T> monic(degree);
  for (std::size_t k = 0; k < degree; ++k) monic[k] = p[k] / p[degree];
  std::vector<complex> found;
  if (degree == 1) {
    found = {complex(-monic[0])};
  } else {
    found = companion_eigenvalues(monic);
    newton_polish(p, found);
  }
  roots.insert(roots.end(), found.begin(), found.end());
  return roots;
}

template <typename T>
std::vector<T> multiply_impl(std::span<const T> a, std::span<const T> b) {
  if (a.empty() || b.empty()) return {};
  std::vector<T> out(a.size() + b.size() - 1, T(0));
  for (std::size_t i = 0; i < a.size(); ++i)
    for (std::size_t j = 0; j < b.size(); ++j) out[i + j] += a[i] * b[j];
  return out;
}

}  // namespace

std::vector<complex> polynomial_roots(std::span<const double> coeffs_low_to_high) {
  return roots_impl(coeffs_low_to_high);
}
std::vector<complex> polynomial_roots(std::span<const complex> coeffs_low_to_high) {
  return roots_impl(coeffs_low_to_high);
}

std::vector<double> polynomial_multiply(std::span<const double> a, std::span<const double> b) {
  return multiply_impl(a, b);
}
std::vector<complex> polynomial_multiply(std::span<const complex> a, std::span<const complex> b) {
  return multiply_impl(a, b);
}

complex polynomial_evaluate(std::span<const double> coeffs_low_to_high, complex x) {
  complex value, derivative;
  horner_with_derivative(coeffs_low_to_high, x, value, derivative);
  return value;
}
complex polynomial_evaluate(std::span<const complex> coeffs_low_to_high, complex x) {
  complex value, derivative;
  horner_with_derivative(coeffs_low_to_high, x, value, derivative);
  return value;
}

complex nearest_root(const std::vector<complex>& candidates, complex target, double* ratio) {
  double d1 = std::numeric_limits<double>::infinity();
  double d2 = d1;
  complex best = candidates.front();
  for (const complex v : candidates) {
    const double d = std::abs(v - target);
    if (d < d1) {
      d2 = d1;
      d1 = d;
      best = v;
    } else if (d < d2) {
      d2 = d;
    }
  }
  if (ratio) *ratio = std::isfinite(d2) && d2 > 0 ? d1 / d2 : 0.0;
  return best;
}

}  // namespace rmt::theory::numerics
