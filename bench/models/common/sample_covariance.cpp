#include "bench/models/common/sample_covariance.hpp"

#include <algorithm>
#include <cmath>
#include <memory>

#include "bench/models/common/gram_features.hpp"
#include "bench/models/common/gram_rows.hpp"

namespace rmt::bench {

std::vector<ParamSpec> sample_covariance_params(std::string default_c) {
  return {ParamSpec::integer("n", "2000", "number of samples (columns of X)", 2, 1e7),
          ParamSpec::real("c", std::move(default_c), "aspect ratio p/n", 0, 100, /*min_open=*/true)};
}

MemoryPlan sample_covariance_plan(index_t p, index_t n, index_t top_k) {
  MemoryPlan plan;
  plan.add("sample X", cells(p, n) + static_cast<elements_t>(p))
      .add("gram S = XXᵀ/n", cells(p, n) + cells(p, p))
      .add_eigen(top_k > 0 ? "top eigenpairs of S" : "eigenvalues of S", cells(p, p), p, top_k);
  return plan;
}

MemoryPlan SampleCovarianceModel::memory_plan(const Params& p) const {
  const Sizes s = sizes(p);
  return sample_covariance_plan(s.rows, s.cols, std::min<index_t>(tracked_spikes(p), s.rows));
}

GramFeatures SampleCovarianceModel::gram_features(Backend&, const Params& p, const StreamKey& key) const {
  const Sizes s = sizes(p);
  auto scale = std::make_shared<const std::vector<double>>(row_scale(p));
  const index_t rows = s.rows;
  auto form = [scale, rows, key](Backend& backend, index_t c0, index_t c1) {
    return backend.sample_gaussian(key, rows, c1 - c0, *scale, static_cast<std::uint64_t>(c0) * static_cast<std::uint64_t>(rows));
  };
  return {make_feature_columns(s.rows, s.cols, form), 1.0 / static_cast<double>(s.cols), GramSide::rows};
}

GramRows SampleCovarianceModel::gram_rows(Backend&, const Params& p, const StreamKey& key) const {
  const Sizes s = sizes(p);
  auto scale = std::make_shared<const std::vector<double>>(row_scale(p));
  const index_t rows = s.rows;
  auto form = [scale, rows, key](std::span<const RowRange> ranges, index_t c0, index_t c1) {
    return gaussian_rows(key, rows, ranges, c0, c1, *scale);
  };
  return {make_feature_rows(s.rows, s.cols, form), 1.0 / static_cast<double>(s.cols)};
}

// One call: its p×columns block of X and the p row scales copied to the backend.
elements_t SampleCovarianceModel::slq_operator_elements(const Params& p, OperatorStorage storage, index_t tile) const {
  const Sizes s = sizes(p);
  return cells(s.rows, columns_per_call(s.rows, s.cols, storage, tile)) + static_cast<elements_t>(s.rows);
}

CovarianceDraw sample_covariance(Backend& backend, index_t p, index_t n, std::span<const double> row_scale,
                                 const StreamKey& key, index_t top_k, StageTimes& t) {
  Matrix x = timed(t.sample_s, [&] { return backend.sample_gaussian(key, p, n, row_scale); });
  Matrix s = timed(t.gram_s, [&] { return backend.gram(x, 1.0 / static_cast<double>(n)); });
  x = Matrix();  // release the data matrix before the eigensolver allocates its workspace
  CovarianceDraw out;
  if (top_k > 0) {
    out.top = timed(t.eig_s, [&] { return backend.top_eigenpairs(s, top_k); });
    out.eigenvalues = out.top.values;
  } else {
    out.eigenvalues = timed(t.eig_s, [&] { return backend.eigenvalues(s); });
  }
  return out;
}

}  // namespace rmt::bench
