#pragma once
// The sample-covariance pipeline shared by mp, silverstein and spiked:
// X ∈ R^{p×n} with row i scaled by √Σ_ii, S = XXᵀ/n, then its eigenvalues (and top eigenvectors).
#include <span>
#include <vector>

#include "bench/model.hpp"
#include "bench/models/common/dims.hpp"

namespace rmt::bench {

// Parameters every sample-covariance model takes: n (samples) and c = p/n.
std::vector<ParamSpec> sample_covariance_params(std::string default_c = "0.5");

// X ∈ R^{p×n} with p = c·n (sample_covariance_params), and the p×p matrix S: {p, n, p}.
inline Sizes sample_covariance_sizes(const Params& p) {
  const index_t dim = dimension_times(p.integer("n"), p.real("c"));
  return {dim, p.integer("n"), dim};
}

// Base of the sample-covariance models: data X ∈ R^{p×n}, spectrum of the p×p matrix S.
class SampleCovarianceModel : public Model {
 public:
  Sizes sizes(const Params& p) const override { return sample_covariance_sizes(p); }
  MemoryPlan memory_plan(const Params& p) const override;
  std::string_view aspect_param() const override { return "c"; }

  // method = slq: F = diag(row_scale) X (p×n), S = F Fᵀ/n (side rows). Nothing is kept beside F's
  // tiles: each is sample_gaussian of its columns at offset c0·p, the same normals as `sample`.
  bool has_gram_features(const Params&) const override { return true; }
  GramFeatures gram_features(Backend& backend, const Params& p, const StreamKey& key) const override;
  elements_t slq_operator_elements(const Params& p, OperatorStorage storage, index_t tile) const override;
  // method = distributed: rows of the same F, each drawn on its own (bench/models/common/gram_rows.hpp).
  bool has_gram_rows(const Params&) const override { return true; }
  GramRows gram_rows(Backend& backend, const Params& p, const StreamKey& key) const override;

 protected:
  // √Σ_ii, the row scales of X (the same ones `sample` passes to sample_covariance).
  virtual std::vector<double> row_scale(const Params& p) const = 0;
};

// The phases of sample_covariance(p, n, top_k): X (with its row scales), X and S, then S alone
// (X is released before the eigensolver).
MemoryPlan sample_covariance_plan(index_t p, index_t n, index_t top_k);

struct CovarianceDraw {
  std::vector<double> eigenvalues;  // ascending
  EigenPairs top;                   // filled when top_k > 0
};

CovarianceDraw sample_covariance(Backend& backend, index_t p, index_t n, std::span<const double> row_scale,
                                 const StreamKey& key, index_t top_k, StageTimes& t);

}  // namespace rmt::bench
