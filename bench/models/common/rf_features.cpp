#include "bench/models/common/rf_features.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <optional>

#include <fmt/format.h>

#include "bench/models/common/dims.hpp"
#include "bench/models/common/network.hpp"
#include "bench/models/common/regression.hpp"
#include "core/base/error.hpp"
#include "theory/llc.hpp"

namespace rmt::bench {

FeatureDims feature_dims(const Params& prm, double features_ratio) {
  const DataDims d = data_dims(prm, features_ratio);
  return {d.n, d.p, d.features, test_samples(prm, d.n)};
}

FeatureDims largest_feature_dims(const Params& prm) {
  const auto ratios = prm.grid("features");
  return feature_dims(prm, *std::max_element(ratios.begin(), ratios.end()));
}

std::vector<ParamSpec> feature_size_params(std::string n, std::string c, std::string features, bool features_grid) {
  std::vector<ParamSpec> specs = {ParamSpec::integer("n", std::move(n), "training samples (columns of X)", 2, 20000),
                                  ParamSpec::real("c", std::move(c), "p/n (data dimension over samples)", 0, 100, true)};
  if (features_grid)
    specs.push_back(ParamSpec::grid("features", std::move(features), "N/n (random features over samples; may be a grid)", 0,
                                    100, true));
  else
    specs.push_back(ParamSpec::real("features", std::move(features), "N/n (random features over samples)", 0, 100, true));
  return specs;
}

ActivationRestriction closed_form_kernel_only() {
  return [](ActivationKind kind, std::string_view v, std::string_view what) {
    Activation f;
    f.kind = kind;
    if (!theory::kernel_closed_form(f, 1, 0.5, 1))
      throw InputError(fmt::format("{}: '{}' has no closed-form kernel (docs/theory.md §4.2); use linear, relu, leaky_relu, abs, "
                                   "step, sign, erf, cos, sin, exp or quadratic",
                                   what, v));
  };
}

std::vector<index_t> readout_feature_counts(const Params& p, const CurveAxis& axis) {
  std::vector<index_t> out;
  for (std::size_t i = 0; i < axis.values.size(); ++i) {
    const Params q = at_point(p, axis, i);
    const index_t features = feature_dims(q, q.real("features")).features;
    if (out.empty() || out.back() != features) out.push_back(features);
  }
  return out;
}

Matrix sample_weights(Backend& backend, const StreamKey& wkey, index_t p, index_t features, StageTimes& t) {
  return timed(t.sample_s, [&] { return backend.sample_gaussian(wkey, p, features); });
}

FeatureMatrices activation_features(Backend& backend, const Matrix& w, const Matrix& x, const Matrix& x_test,
                                    const Activation& f, StageTimes& t) {
  return timed(t.activation_s, [&] {
    FeatureMatrices out{backend.multiply_transposed(w, x, 1.0), backend.multiply_transposed(w, x_test, 1.0)};
    backend.apply_activation(out.train, f);
    backend.apply_activation(out.test, f);
    return out;
  });
}

namespace {

// [X; 1ᵀ] ((p+1)×n) for data X (p×n, host).
std::vector<double> with_ones_row(const std::vector<double>& x, index_t p, index_t n) {
  std::vector<double> out;
  out.reserve(static_cast<std::size_t>((p + 1) * n));
  for (index_t j = 0; j < n; ++j) {
    const auto col = x.begin() + static_cast<std::ptrdiff_t>(j * p);
    out.insert(out.end(), col, col + static_cast<std::ptrdiff_t>(p));
    out.push_back(1.0);
  }
  return out;
}

}  // namespace

FeatureMatrices fourier_features(Backend& backend, const Matrix& w, const LabelledData& d, StageTimes& t) {
  const index_t p = w.rows(), features = w.cols();
  // Columns j < N: (w_j, 0); columns N + j: (w_j, −π/2).
  const std::vector<double> wh = timed(t.sample_s, [&] { return backend.to_host(w); });
  std::vector<double> doubled;
  doubled.reserve(static_cast<std::size_t>(2 * (p + 1) * features));
  for (const double bias : {0.0, -std::numbers::pi / 2})
    for (index_t j = 0; j < features; ++j) {
      const auto col = wh.begin() + static_cast<std::ptrdiff_t>(j * p);
      doubled.insert(doubled.end(), col, col + static_cast<std::ptrdiff_t>(p));
      doubled.push_back(bias);
    }
  const Matrix wd = backend.from_host(p + 1, 2 * features, doubled);
  const Matrix x = backend.from_host(p + 1, d.n, with_ones_row(d.x, p, d.n));
  const Matrix x_test = backend.from_host(p + 1, d.n_test, with_ones_row(d.x_test, p, d.n_test));
  return activation_features(backend, wd, x, x_test, Activation{ActivationKind::cos}, t);
}

CurveDraw ridge_curve(const Params& p, const CurveAxis& axis, StageTimes& t,
                      const std::function<FeatureReadout(index_t features)>& readout_for) {
  CurveDraw out;
  index_t current = -1;
  std::optional<FeatureReadout> readout;
  for (std::size_t i = 0; i < axis.values.size(); ++i) {
    const Params q = at_point(p, axis, i);
    const index_t features = feature_dims(q, q.real("features")).features;
    if (features != current) {
      current = features;
      readout.emplace(readout_for(features));
    }
    const CurveDraw point = readout->errors({ridge_filter(q.real("gamma"), 0.0)}, t);
    out.train.push_back(point.train.front());
    out.test.push_back(point.test.front());
  }
  return out;
}

}  // namespace rmt::bench
