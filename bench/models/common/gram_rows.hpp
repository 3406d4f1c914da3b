#pragma once
// What the spectral models share for method = distributed (bench/model.hpp, GramRows): a FeatureRows
// made from a function of the row ranges and the column range, and the rows of a Philox Gaussian
// matrix drawn on their own.
#include <functional>
#include <span>
#include <vector>

#include "bench/model.hpp"
#include "core/base/feature_rows.hpp"

namespace rmt::bench {

// Rows `ranges` (stacked in that order) and columns [c0, c1) of the total_rows × · matrix that
// backend.sample_gaussian(key, total_rows, ·, row_scale) draws (row_scale empty: 1), column-major:
// the same normals, element (i, j) at Philox element i + j·total_rows, without drawing the other rows.
std::vector<double> gaussian_rows(const StreamKey& key, index_t total_rows, std::span<const RowRange> ranges, index_t c0,
                                  index_t c1, std::span<const double> row_scale = {});

// Rows of all `ranges` stacked: Σ sizes.
index_t stacked_rows(std::span<const RowRange> ranges);

using FormRows = std::function<std::vector<double>(std::span<const RowRange> ranges, index_t c0, index_t c1)>;
std::unique_ptr<FeatureRows> make_feature_rows(index_t rows, index_t cols, FormRows form);

}  // namespace rmt::bench
