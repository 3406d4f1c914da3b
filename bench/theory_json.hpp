#pragma once
// The `theory` JSON object of docs/architecture.md (also the "theory" block of a run record).
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/model.hpp"

namespace rmt::bench {

nlohmann::json complex_json(complex z);

// The unit of the standard Stieltjes points: the mean eigenvalue, or the root mean square when the
// mean is not positive (kernel matrices with zero diagonal have mean 0).
double spectral_scale(const std::vector<double>& moments);

// `points` equally spaced points over the support hull widened by 5% on each side.
std::vector<double> density_grid(const SpectralLaw& law, int points);

nlohmann::json theory_json(const Model& model, const Params& params, const SpectralLaw& law,
                           const std::vector<double>& x, const std::vector<complex>& z);

}  // namespace rmt::bench
