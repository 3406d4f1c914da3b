#pragma once
// NaN or ±Inf in a sampled matrix, a Gram matrix or its eigenvalues is a failed measurement, not a
// number to compare with theory: require_finite throws NumericalError naming what holds them, how
// many there are and where the first few sit, e.g.
//   "the matrix given to the eigensolver (300x300): 2 of 90000 values are not finite (NaN at 0, NaN at 1)".
// A scan is O(size), negligible next to the eigensolver that follows it.
#include <span>
#include <string_view>

namespace rmt {

void require_finite(std::span<const double> values, std::string_view what);
void require_finite(std::span<const float> values, std::string_view what);

}  // namespace rmt
