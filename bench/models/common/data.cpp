#include "bench/models/common/data.hpp"

#include <cmath>

#include <lapacke.h>

#include <fmt/format.h>

#include "core/base/error.hpp"

namespace rmt::bench {

std::vector<ParamSpec> data_params() {
  return {ParamSpec::text("data", "gaussian", "data set: gaussian, sphere or gmm",
                          [](std::string_view v, std::string_view what) {
                            if (v != "gaussian" && v != "sphere" && v != "gmm")
                              throw InputError(fmt::format("{}: unknown data set '{}' (known: gaussian, sphere, gmm)", what, v));
                          }),
          ParamSpec::integer("classes", "2", "gmm: number of classes k (equal sizes)", 1, 64),
          ParamSpec::real("mean_norm", "2", "gmm: ‖μ_a‖ of each class mean (orthogonal means)", 0, 1e3),
          ParamSpec::text("mean_scale", "sqrt_p",
                          "gmm: sqrt_p (x = (μ_a + z)/√p, the Liao–Couillet regime of the laws: the means add an O(1) "
                          "rank-k term to XᵀX) or unit (x = μ_a + z/√p: means of norm mean_norm, an O(n) rank-k term "
                          "outside the laws' regime)",
                          [](std::string_view v, std::string_view what) {
                            if (v != "sqrt_p" && v != "unit")
                              throw InputError(fmt::format("{}: unknown mean scale '{}' (known: sqrt_p, unit)", what, v));
                          })};
}

std::vector<double> generate_data(const Params& p, index_t dim, index_t n, const StreamKey& case_key,
                                  std::uint32_t stream) {
  StreamKey key = case_key;
  key.replicate = 0;  // the data set is fixed across replicates; only the weights are redrawn
  key.stream = stream;
  std::vector<double> x(static_cast<std::size_t>(dim * n));
  for (std::size_t e = 0; e < x.size(); ++e) x[e] = gaussian_at(key, e);
  const std::string& kind = p.text("data");
  const index_t classes = p.integer("classes");
  if (kind == "gmm" && classes > dim)
    throw InputError(fmt::format("gmm: {} classes need p ≥ {} (orthogonal means), p = {}", classes, classes, dim));
  const bool unit_means = kind == "gmm" && p.text("mean_scale") == "unit";
  for (index_t j = 0; j < n; ++j) {
    double* col = x.data() + j * dim;
    if (kind == "gmm" && !unit_means) col[j % classes] += p.real("mean_norm");
    double scale = 1.0 / std::sqrt(static_cast<double>(dim));
    if (kind == "sphere") {
      double norm2 = 0;
      for (index_t i = 0; i < dim; ++i) norm2 += col[i] * col[i];
      scale = 1.0 / std::sqrt(norm2);
    }
    for (index_t i = 0; i < dim; ++i) col[i] *= scale;
    if (unit_means) col[j % classes] += p.real("mean_norm");  // after the normalisation
  }
  return x;
}

std::vector<double> symmetric_eigenvalues(std::vector<double> a, index_t n, std::string_view what) {
  std::vector<double> w(static_cast<std::size_t>(n));
  const auto info = LAPACKE_dsyevd(LAPACK_COL_MAJOR, 'N', 'L', static_cast<lapack_int>(n), a.data(),
                                   static_cast<lapack_int>(n), w.data());
  if (info != 0) throw NumericalError(fmt::format("dsyevd on {} failed (info = {})", what, info));
  return w;
}

}  // namespace rmt::bench
