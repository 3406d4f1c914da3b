#pragma once
// Polynomial helpers for the theory layer: roots by the eigenvalues of the companion matrix
// (LAPACK, with balancing) polished by complex Newton steps, and coefficient arithmetic.
// Coefficients are stored low to high: p(x) = Σ_k coeffs[k] x^k.
#include <span>
#include <vector>

#include "core/base/types.hpp"

namespace rmt::theory::numerics {

// All roots of p (with multiplicity). Leading exact zeros are dropped, so the number of roots
// is the true degree. Throws rmt::InputError for the zero polynomial or non-finite
// coefficients, rmt::NumericalError when the eigensolver fails.
std::vector<complex> polynomial_roots(std::span<const double> coeffs_low_to_high);
std::vector<complex> polynomial_roots(std::span<const complex> coeffs_low_to_high);

// Product of two polynomials (low to high).
std::vector<double> polynomial_multiply(std::span<const double> a, std::span<const double> b);
std::vector<complex> polynomial_multiply(std::span<const complex> a, std::span<const complex> b);

// p(x) by Horner's rule.
complex polynomial_evaluate(std::span<const double> coeffs_low_to_high, complex x);
complex polynomial_evaluate(std::span<const complex> coeffs_low_to_high, complex x);

// The candidate nearest to `target` (root tracking along a path); `ratio` receives
// (nearest distance)/(second nearest distance), small when the choice is unambiguous.
complex nearest_root(const std::vector<complex>& candidates, complex target, double* ratio = nullptr);

}  // namespace rmt::theory::numerics
