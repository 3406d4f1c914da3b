#pragma once
// What the resolvent functional models (resolvent, rf_resolvent) share: their `z` parameter (real z < 0 or
// complex z off the real axis), the "@z=…" suffix of each functional's name, and a complex functional as one
// real functional (real z) or its ".re" and ".im" parts — both as a prediction and as a measured value.
#include <limits>
#include <string>
#include <vector>

#include "bench/functional_model.hpp"
#include "core/base/types.hpp"

namespace rmt::bench {

// The `z` parameter with its default list.
ParamSpec resolvent_points_param(std::string default_points);

// "@z=-0.1", "@z=0.2+0.1i".
std::string at_z(complex z);

// A complex functional's prediction at z. cov_conj and cov_same are the bilinear covariances Cov(z, z̄)
// and Cov(z, z) of one draw (NaN: unknown; the replicate sd is used). With `judge_variance` (and known
// covariances) each part's replicate variance is judged too, allowed `variance_allowance` of it.
struct ComplexPrediction {
  std::string name;
  complex value, bias = 0;
  complex cov_conj{kUnknown, kUnknown}, cov_same{kUnknown, kUnknown};
  double allowance = 0;
  bool judge_variance = false;
  double variance_allowance = 0;
  static constexpr double kUnknown = std::numeric_limits<double>::quiet_NaN();
};
void add_prediction(std::vector<FunctionalPrediction>& out, complex z, const ComplexPrediction& p);

// The measured value of a complex functional at z, named as add_prediction names it.
void add_value(std::vector<NamedValue>& out, const std::string& name, complex z, complex value);

}  // namespace rmt::bench
