#include "bench/models/common/gram_features.hpp"

#include <algorithm>

#include "core/base/error.hpp"

namespace rmt::bench {
namespace {

class FunctionFeatures final : public FeatureColumns {
 public:
  FunctionFeatures(index_t rows, index_t cols, FormColumns form) : rows_(rows), cols_(cols), form_(std::move(form)) {}
  index_t rows() const override { return rows_; }
  index_t cols() const override { return cols_; }
  Matrix columns(Backend& backend, index_t c0, index_t c1) override {
    RMT_EXPECTS(0 <= c0 && c0 < c1 && c1 <= cols_, "columns [{}, {}) of a feature matrix with {} columns", c0, c1,
                cols_);
    Matrix f = form_(backend, c0, c1);
    RMT_EXPECTS(f.rows() == rows_ && f.cols() == c1 - c0, "feature tile {}x{}, expected {}x{}", f.rows(), f.cols(),
                rows_, c1 - c0);
    return f;
  }

 private:
  index_t rows_, cols_;
  FormColumns form_;
};

}  // namespace

std::unique_ptr<FeatureColumns> make_feature_columns(index_t rows, index_t cols, FormColumns form) {
  return std::make_unique<FunctionFeatures>(rows, cols, std::move(form));
}

index_t columns_per_call(index_t rows, index_t cols, OperatorStorage storage, index_t tile) {
  if (storage == OperatorStorage::stored) return cols;
  return std::min(cols, operator_tile(rows, cols, tile));
}

}  // namespace rmt::bench
