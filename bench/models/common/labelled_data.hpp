#pragma once
// Supervised data sets of the random-feature regression models (llc_ridge, rff_ridge, rf_gf): inputs
// from bench/models/common/data.hpp — a training set X (p×n) and a test set X̂ (p×n̂), two independent draws of
// the same distribution — with targets
//   gmm              y_i = +1 for class 0 and −1 for the other classes (LLC's classification setting)
//   gaussian, sphere y_i = √p ⟨β*, x_i⟩ for a fixed unit vector β* (a linear teacher of unit variance)
// plus label noise √noise · ε_i on the training and the test targets alike.
//
// The data set is fixed by the data parameters and `data_seed` alone (not by the run's seed, the
// ridge or time grid, the activation or the number of features): the theory of these models is
// conditional on the data, and CurveModel::theory gets no random key, so the theory and every
// replicate must rebuild the same data from the parameters. Replicates redraw only the weights W,
// and the three models see the same data at the same data parameters.
#include <vector>

#include "bench/model.hpp"

namespace rmt::bench {

struct LabelledData {
  index_t p = 0, n = 0, n_test = 0;
  std::vector<double> x, y;            // p×n column-major, n targets
  std::vector<double> x_test, y_test;  // p×n̂, n̂ targets
};

// data, classes, mean_norm (data.hpp; `data` defaults to gmm here), noise, n_test, data_seed.
std::vector<ParamSpec> labelled_data_params();
// n̂: the `n_test` parameter, or n when it is 0.
index_t test_samples(const Params& prm, index_t n);
// Rejects a data set the generator cannot build (gmm with more classes than dimensions).
void validate_labelled_data(const Params& prm, index_t p);
LabelledData labelled_data(const Params& prm, index_t p, index_t n);

}  // namespace rmt::bench
