#include "bench/models/common/gram_rows.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "core/base/error.hpp"
#include "core/cpu/philox_batch.hpp"

namespace rmt::bench {
namespace {

class FunctionRows final : public FeatureRows {
 public:
  FunctionRows(index_t rows, index_t cols, FormRows form) : rows_(rows), cols_(cols), form_(std::move(form)) {}
  index_t rows() const override { return rows_; }
  index_t cols() const override { return cols_; }
  std::vector<double> form(std::span<const RowRange> ranges, index_t c0, index_t c1) override {
    RMT_EXPECTS(0 <= c0 && c0 < c1 && c1 <= cols_ && c0 % 2 == 0, "columns [{}, {}) of a feature matrix with {} columns",
                c0, c1, cols_);
    for (const auto& r : ranges)
      RMT_EXPECTS(0 <= r.first && r.first <= r.last && r.last <= rows_, "rows [{}, {}) of a feature matrix with {} rows",
                  r.first, r.last, rows_);
    auto f = form_(ranges, c0, c1);
    RMT_EXPECTS(static_cast<index_t>(f.size()) == stacked_rows(ranges) * (c1 - c0), "feature rows: {} values for {}x{}",
                f.size(), stacked_rows(ranges), c1 - c0);
    return f;
  }

 private:
  index_t rows_, cols_;
  FormRows form_;
};

}  // namespace

index_t stacked_rows(std::span<const RowRange> ranges) {
  index_t n = 0;
  for (const auto& r : ranges) n += r.size();
  return n;
}

std::vector<double> gaussian_rows(const StreamKey& key, index_t total_rows, std::span<const RowRange> ranges, index_t c0,
                                  index_t c1, std::span<const double> row_scale) {
  RMT_EXPECTS(row_scale.empty() || static_cast<index_t>(row_scale.size()) == total_rows,
              "row_scale has {} entries for {} rows", row_scale.size(), total_rows);
  const index_t m = stacked_rows(ranges);
  std::vector<double> out(static_cast<std::size_t>(m * (c1 - c0)));
  std::vector<double> pairs;
  const auto rows = static_cast<std::uint64_t>(total_rows);
  for (index_t j = c0; j < c1; ++j) {
    double* column = out.data() + (j - c0) * m;
    for (const auto& r : ranges) {
      if (r.size() == 0) continue;
      // Elements [e0, e1) of the stream; Box–Muller pairs start at even elements.
      const std::uint64_t e0 = static_cast<std::uint64_t>(r.first) + static_cast<std::uint64_t>(j) * rows;
      const std::uint64_t e1 = e0 + static_cast<std::uint64_t>(r.size());
      const std::uint64_t first_pair = e0 / 2;
      const std::uint64_t count = 2 * ((e1 + 1) / 2 - first_pair);
      pairs.resize(count);
      philox_batch::sample_gaussian<double>(key, first_pair, pairs.data(), count, count, nullptr);
      const double* from = pairs.data() + (e0 - 2 * first_pair);
      for (index_t i = 0; i < r.size(); ++i)
        column[i] = from[i] * (row_scale.empty() ? 1.0 : row_scale[static_cast<std::size_t>(r.first + i)]);
      column += r.size();
    }
  }
  return out;
}

std::unique_ptr<FeatureRows> make_feature_rows(index_t rows, index_t cols, FormRows form) {
  return std::make_unique<FunctionRows>(rows, cols, std::move(form));
}

}  // namespace rmt::bench
