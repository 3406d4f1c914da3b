// Gram operators of a feature matrix, stored or regenerated tile by tile (core/slq/linear_operator.hpp).
#include <algorithm>

#include <fmt/format.h>

#include "core/base/error.hpp"
#include "core/slq/linear_operator.hpp"

namespace rmt {

std::string_view to_string(OperatorStorage s) { return s == OperatorStorage::stored ? "stored" : "regenerate"; }

OperatorStorage parse_operator_storage(std::string_view text, std::string_view what) {
  if (text == "stored") return OperatorStorage::stored;
  if (text == "regenerate") return OperatorStorage::regenerate;
  throw InputError(fmt::format("{}: unknown storage '{}' (expected stored, regenerate or auto)", what, text));
}

index_t default_tile(index_t rows, index_t cols) {
  constexpr index_t kBlockElements = index_t{1} << 24;
  const index_t even_cols = cols + (cols & 1);
  index_t tile = std::max<index_t>(2, kBlockElements / std::max<index_t>(rows, 1));
  tile += tile & 1;
  return std::min(tile, even_cols);
}

index_t operator_tile(index_t rows, index_t cols, index_t tile) {
  return tile > 0 ? tile + (tile & 1) : default_tile(rows, cols);
}

namespace {

class GramOperator final : public LinearOperator {
 public:
  GramOperator(Backend& backend, std::unique_ptr<FeatureColumns> features, double alpha, GramSide side,
               OperatorStorage storage, index_t tile)
      : backend_(backend), features_(std::move(features)), alpha_(alpha), side_(side) {
    RMT_EXPECTS(features_ && features_->rows() > 0 && features_->cols() > 0, "empty feature matrix");
    tile_ = operator_tile(features_->rows(), features_->cols(), tile);
    if (storage == OperatorStorage::stored) stored_ = features_->columns(backend_, 0, features_->cols());
  }

  index_t dim() const override { return side_ == GramSide::rows ? features_->rows() : features_->cols(); }

  void apply(const Matrix& v, Matrix& y) override {
    RMT_EXPECTS(v.rows() == dim(), "operator of dimension {} applied to a {}x{} block", dim(), v.rows(), v.cols());
    matvecs_ += static_cast<std::uint64_t>(v.cols());
    if (stored_.rows() > 0) {
      y = side_ == GramSide::rows ? backend_.multiply(stored_, backend_.multiply_transposed(stored_, v, 1.0), alpha_)
                                  : backend_.multiply_transposed(stored_, backend_.multiply(stored_, v, 1.0), alpha_);
      return;
    }
    side_ == GramSide::rows ? apply_rows(v, y) : apply_cols(v, y);
  }

 private:
  // y = alpha Σ_t F_t (F_tᵀ v), one tile alive at a time.
  void apply_rows(const Matrix& v, Matrix& y) {
    bool first = true;
    for (index_t c0 = 0; c0 < features_->cols(); c0 += tile_) {
      const Matrix f = features_->columns(backend_, c0, std::min(features_->cols(), c0 + tile_));
      Matrix part = backend_.multiply(f, backend_.multiply_transposed(f, v, 1.0), alpha_);
      if (first) y = std::move(part);
      else backend_.add_scaled(y, part, 1.0);
      first = false;
    }
  }

  // t = Σ_t F_t v_t (rows of v in tile t), then rows t of y = alpha F_tᵀ t: every tile formed twice.
  // The row blocks of y are assembled in host memory (dim × b, once per product).
  void apply_cols(const Matrix& v, Matrix& y) {
    const index_t cols = features_->cols();
    Matrix t;
    for (index_t c0 = 0; c0 < cols; c0 += tile_) {
      const index_t c1 = std::min(cols, c0 + tile_);
      const Matrix f = features_->columns(backend_, c0, c1);
      Matrix part = backend_.multiply(f, backend_.row_block(v, c0, c1), 1.0);
      if (c0 == 0) t = std::move(part);
      else backend_.add_scaled(t, part, 1.0);
    }
    const auto b = static_cast<std::size_t>(v.cols());
    std::vector<double> out(static_cast<std::size_t>(cols) * b);
    for (index_t c0 = 0; c0 < cols; c0 += tile_) {
      const index_t c1 = std::min(cols, c0 + tile_);
      const Matrix f = features_->columns(backend_, c0, c1);
      const auto block = backend_.to_host(backend_.multiply_transposed(f, t, alpha_));
      const auto h = static_cast<std::size_t>(c1 - c0);
      for (std::size_t j = 0; j < b; ++j)
        std::copy_n(block.begin() + static_cast<std::ptrdiff_t>(j * h), h,
                    out.begin() + static_cast<std::ptrdiff_t>(j * static_cast<std::size_t>(cols) +
                                                              static_cast<std::size_t>(c0)));
    }
    y = backend_.from_host(cols, v.cols(), out);
  }

  Backend& backend_;
  std::unique_ptr<FeatureColumns> features_;
  double alpha_;
  GramSide side_;
  index_t tile_ = 0;
  Matrix stored_;
};

class DenseOperator final : public LinearOperator {
 public:
  DenseOperator(Backend& backend, Matrix a) : backend_(backend), a_(std::move(a)) {
    RMT_EXPECTS(a_.rows() == a_.cols() && a_.rows() > 0, "a dense operator needs a square matrix, not {}x{}",
                a_.rows(), a_.cols());
  }
  index_t dim() const override { return a_.rows(); }
  void apply(const Matrix& v, Matrix& y) override {
    RMT_EXPECTS(v.rows() == dim(), "operator of dimension {} applied to a {}x{} block", dim(), v.rows(), v.cols());
    matvecs_ += static_cast<std::uint64_t>(v.cols());
    y = backend_.multiply(a_, v, 1.0);
  }

 private:
  Backend& backend_;
  Matrix a_;
};

}  // namespace

std::unique_ptr<LinearOperator> make_gram_operator(Backend& backend, std::unique_ptr<FeatureColumns> features,
                                                   double alpha, GramSide side, OperatorStorage storage,
                                                   index_t tile) {
  return std::make_unique<GramOperator>(backend, std::move(features), alpha, side, storage, tile);
}

std::unique_ptr<LinearOperator> make_dense_operator(Backend& backend, Matrix a) {
  return std::make_unique<DenseOperator>(backend, std::move(a));
}

}  // namespace rmt
