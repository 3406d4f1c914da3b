#pragma once
// Support of a density known only pointwise (laws defined through their Stieltjes transform):
// scan a grid for the set where the density exceeds `tol`, then refine each edge by bisection.
// Gaps narrower than the grid step are not resolved.
#include <functional>
#include <vector>

#include "core/base/spectral_law.hpp"

namespace rmt::theory::numerics {

std::vector<Interval> scan_support(const std::function<double(double)>& density, double lo, double hi,
                                   int points = 4000, double tol = 1e-10);

}  // namespace rmt::theory::numerics
