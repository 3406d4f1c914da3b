#pragma once
// Data sets for the models that take data (llc_gram): generated on the host from the same Philox
// stream on every backend, so the theory (built from the data) and the sample see the same X.
//   gaussian  x_i = z_i/√p                         (‖x_i‖ ≈ 1)
//   sphere    x_i = z_i/‖z_i‖                      (‖x_i‖ = 1)
//   gmm       x_i = (μ_a + z_i)/√p, class a = i mod k, μ_a = mean_norm · e_a   (docs/theory.md §4.5)
//             (mean_scale = sqrt_p, the default); mean_scale = unit: x_i = μ_a + z_i/√p.
// The Liao–Couillet regime (sqrt_p) keeps ‖μ_a‖ = O(1) before the normalisation: the class means add
// k directions of strength O(1) to XᵀX (outliers past a BBP-type threshold, the bulk unchanged);
// with unit means they add O(n) and dominate the spectrum, beyond what the laws of llc_gram and rff
// describe (measured at n = 1000, mean_norm = 1 and 2: both cases fail their tolerances).
#include <cstdint>
#include <vector>

#include "bench/model.hpp"

namespace rmt::bench {

std::vector<ParamSpec> data_params();
// Column-major p×n data matrix for the case's data stream (independent of the replicate). Another
// `stream` draws an independent data set of the same distribution (e.g. test data); 10 is llc_gram's.
// Eigenvalues (ascending) of a symmetric n×n host matrix (LAPACK dsyevd); `what` names it in errors.
std::vector<double> symmetric_eigenvalues(std::vector<double> a, index_t n, std::string_view what);

std::vector<double> generate_data(const Params& p, index_t dim, index_t n, const StreamKey& case_key,
                                  std::uint32_t stream = 10);

}  // namespace rmt::bench
