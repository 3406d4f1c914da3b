#include "bench/models/common/population.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include <fmt/format.h>

#include "core/base/error.hpp"
#include "core/base/parse.hpp"

namespace rmt::bench {

theory::PopulationSpectrum parse_population(std::string_view text, std::string_view what) {
  theory::PopulationSpectrum h;
  for (const auto& [t, w] : parse_weighted_list(text, what)) {
    if (!(t > 0)) throw InputError(fmt::format("{}: population eigenvalue {} must be positive", what, t));
    if (!(w > 0)) throw InputError(fmt::format("{}: weight {} must be positive", what, w));
    h.t.push_back(t);
    h.w.push_back(w);
  }
  const double total = std::accumulate(h.w.begin(), h.w.end(), 0.0);
  for (auto& w : h.w) w /= total;
  return h;
}

std::vector<double> population_row_scale(const theory::PopulationSpectrum& h, index_t p) {
  const auto k = h.t.size();
  std::vector<index_t> count(k);
  std::vector<double> remainder(k);
  index_t assigned = 0;
  for (std::size_t i = 0; i < k; ++i) {
    const double exact = h.w[i] * static_cast<double>(p);
    count[i] = static_cast<index_t>(std::floor(exact));
    remainder[i] = exact - std::floor(exact);
    assigned += count[i];
  }
  std::vector<std::size_t> order(k);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) { return remainder[a] > remainder[b]; });
  for (std::size_t i = 0; assigned < p; ++i, ++assigned) ++count[order[i % k]];
  std::vector<double> scale;
  for (std::size_t i = 0; i < k; ++i) scale.insert(scale.end(), static_cast<std::size_t>(count[i]), std::sqrt(h.t[i]));
  return scale;
}

}  // namespace rmt::bench
