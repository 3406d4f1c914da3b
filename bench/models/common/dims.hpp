#pragma once
// Matrix dimensions from the size parameters. Every model turns a ratio into a dimension the same
// way: the nearest integer (halves away from zero), at least 1.
#include <algorithm>
#include <cmath>

#include "core/base/params.hpp"
#include "core/base/types.hpp"

namespace rmt::bench {

// round(ratio · n) (ratio = p/n, e.g. c) and round(n / ratio) (ratio = n/d, e.g. γ), at least 1.
inline index_t dimension_times(index_t n, double ratio) {
  return std::max<index_t>(1, static_cast<index_t>(std::llround(ratio * static_cast<double>(n))));
}
inline index_t dimension_over(index_t n, double ratio) {
  return std::max<index_t>(1, static_cast<index_t>(std::llround(static_cast<double>(n) / ratio)));
}

// The sizes of a random-feature model on a data set (llc_gram, rff, llc_ridge, rff_ridge, rf_gf):
// n samples, p = round(c n) dimensions, N = round(features_ratio · n) features.
struct DataDims {
  index_t n, p, features;
};

inline DataDims data_dims(const Params& prm, double features_ratio) {
  const index_t n = prm.integer("n");
  return {n, dimension_times(n, prm.real("c")), dimension_times(n, features_ratio)};
}

}  // namespace rmt::bench
