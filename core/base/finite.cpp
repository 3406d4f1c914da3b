#include "core/base/finite.hpp"

#include <cmath>
#include <cstddef>
#include <string>

#include <fmt/format.h>

#include "core/base/error.hpp"

namespace rmt {

namespace {

template <typename T>
void check(std::span<const T> values, std::string_view what) {
  std::size_t bad = 0;
  std::string first;
  for (std::size_t i = 0; i < values.size(); ++i) {
    const T v = values[i];
    if (std::isfinite(v)) continue;
    if (++bad <= 3)
      first += fmt::format("{}{} at {}", bad > 1 ? ", " : "", std::isnan(v) ? "NaN" : (v > 0 ? "+Inf" : "-Inf"), i);
  }
  if (bad == 0) return;
  throw NumericalError(fmt::format("{}: {} of {} values are not finite ({}{})", what, bad, values.size(), first,
                                   bad > 3 ? ", ..." : ""));
}

}  // namespace

void require_finite(std::span<const double> values, std::string_view what) { check(values, what); }
void require_finite(std::span<const float> values, std::string_view what) { check(values, what); }

}  // namespace rmt
