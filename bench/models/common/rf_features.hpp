#pragma once
// What the random-feature regression models (llc_ridge, rff_ridge, rf_gf) share: their sizes from
// the ratios, the size parameters, and the features of the training and test data on the backend.
#include <functional>
#include <string>
#include <vector>

#include "bench/models/common/feature_readout.hpp"
#include "bench/models/common/labelled_data.hpp"
#include "bench/models/common/network.hpp"

namespace rmt::bench {

struct FeatureDims {
  index_t n, p, features, n_test;  // features: N (rows of W; rff_ridge has 2N features)
};

// data_dims (n, p = round(c n), N = round(features_ratio · n)) and n̂.
FeatureDims feature_dims(const Params& prm, double features_ratio);
// The largest N of a case (features may be a grid).
FeatureDims largest_feature_dims(const Params& prm);

// `n`, `c` = p/n and `features` = N/n (a grid when `features_grid`), with these defaults.
std::vector<ParamSpec> feature_size_params(std::string n, std::string c, std::string features, bool features_grid);

// Rejects activations without a closed-form kernel (docs/theory.md §4.2): the theory needs Φ at n² (and n n̂)
// pairs of points, affordable only in closed form.
ActivationRestriction closed_form_kernel_only();

// The distinct numbers of features N along the axis, in the order ridge_curve builds their readouts.
std::vector<index_t> readout_feature_counts(const Params& p, const CurveAxis& axis);

struct FeatureMatrices {
  Matrix train, test;  // F×n and F×n̂
};

// Weights W ∈ R^{p×N} iid N(0,1) from `wkey`, column j the weights of feature j: the features of a
// smaller N are the first rows of a larger N's, so a features grid nests its draws.
Matrix sample_weights(Backend& backend, const StreamKey& wkey, index_t p, index_t features, StageTimes& t);

// Σ = σ(WᵀX), Σ̂ = σ(WᵀX̂) (N×n, N×n̂); σ raw as in LLC (its mean is part of Φ).
FeatureMatrices activation_features(Backend& backend, const Matrix& w, const Matrix& x, const Matrix& x_test,
                                    const Activation& f, StageTimes& t);

// Random Fourier features [cos(WᵀX); sin(WᵀX)] (2N×n) and the same on X̂, in one product each:
// sin u = cos(u − π/2), so the weights [W W; 0 −π/2] act on X with a row of ones appended.
FeatureMatrices fourier_features(Backend& backend, const Matrix& w, const LabelledData& d, StageTimes& t);

// One draw's ridge curve over a `gamma` or `features` axis: the readout of N features (built by
// `readout_for(N)`) is decomposed once per distinct N and serves every γ at that N.
CurveDraw ridge_curve(const Params& p, const CurveAxis& axis, StageTimes& t,
                      const std::function<FeatureReadout(index_t features)>& readout_for);

}  // namespace rmt::bench
