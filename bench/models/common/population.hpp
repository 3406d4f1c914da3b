#pragma once
// Discrete population spectra (`pop` = "eigenvalue:weight,..."), shared by silverstein and ridge.
#include <string_view>
#include <vector>

#include "core/base/types.hpp"
#include "theory/silverstein.hpp"

namespace rmt::bench {

// Parses and normalises the weights; throws InputError naming `what`.
theory::PopulationSpectrum parse_population(std::string_view text, std::string_view what);

// Diagonal Σ with round(w_k p) entries equal to t_k (largest-remainder rounding): √Σ_ii per row.
std::vector<double> population_row_scale(const theory::PopulationSpectrum& h, index_t p);

}  // namespace rmt::bench
