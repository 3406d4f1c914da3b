#pragma once
// What the spectral models share for method = slq (bench/model.hpp, GramFeatures): a FeatureColumns
// made from a function of the column range, and the number of columns formed at once under a
// storage and tile (for slq_operator_elements).
#include <functional>

#include "bench/model.hpp"

namespace rmt::bench {

// F (rows × cols) whose columns [c0, c1) are form(backend, c0, c1). `form` holds whatever the model
// keeps for the operator's lifetime (e.g. a network's weights, through a shared_ptr).
using FormColumns = std::function<Matrix(Backend& backend, index_t c0, index_t c1)>;
std::unique_ptr<FeatureColumns> make_feature_columns(index_t rows, index_t cols, FormColumns form);

// Columns of F formed by one call to FeatureColumns::columns under `storage`: all of them (stored:
// the operator forms F once), or the operator's tile (regenerate: core/slq operator_tile), at most cols. slq_operator_elements counts what one call keeps alive
// beside what the model keeps: under stored, that call's result is F itself.
index_t columns_per_call(index_t rows, index_t cols, OperatorStorage storage, index_t tile);

}  // namespace rmt::bench
