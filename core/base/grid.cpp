#include "core/base/grid.hpp"

#include <cmath>
#include <string>

#include <fmt/format.h>

#include "core/base/error.hpp"
#include "core/base/parse.hpp"

namespace rmt {

namespace {

std::vector<double> parse_range(std::string_view text, std::string_view what) {
  const auto first = text.find(':');
  const auto second = text.find(':', first + 1);
  if (second == std::string_view::npos || text.find(':', second + 1) != std::string_view::npos)
    throw InputError(fmt::format("{}: '{}' is not a range (expected a:b:k or a:b:klog)", what, text));
  const double a = parse_real(trim(text.substr(0, first)), what);
  const double b = parse_real(trim(text.substr(first + 1, second - first - 1)), what);
  std::string_view count = trim(text.substr(second + 1));
  const bool geometric = count.size() > 3 && count.substr(count.size() - 3) == "log";
  if (geometric) count.remove_suffix(3);
  const auto k = parse_integer(count, what);
  if (k < 1 || k > 100000) throw InputError(fmt::format("{}: range '{}' needs a count in [1, 100000]", what, text));
  if (k == 1 && a != b) throw InputError(fmt::format("{}: range '{}' has one point but two different ends", what, text));
  if (geometric && !(a > 0 && b > 0))
    throw InputError(fmt::format("{}: geometric range '{}' needs positive ends", what, text));
  std::vector<double> out;
  for (std::int64_t i = 0; i < k; ++i) {
    const double s = k == 1 ? 0.0 : static_cast<double>(i) / static_cast<double>(k - 1);
    // Powers of ten in log10 space, so 0.001:1:4log gives exactly 0.01 and 0.1.
    // std::lerp: b − a overflows for ends near ±DBL_MAX (−1e308:1e308:3 gave NaN), lerp does not.
    out.push_back(geometric ? std::pow(10.0, std::log10(a) + s * (std::log10(b) - std::log10(a))) : std::lerp(a, b, s));
  }
  out.back() = b;  // exact end point, whatever the rounding of the steps
  return out;
}

}  // namespace

bool is_grid(std::string_view text) {
  return text.find(',') != std::string_view::npos || text.find(':') != std::string_view::npos;
}

std::vector<double> parse_grid(std::string_view text, std::string_view what) {
  text = trim(text);
  if (text.find(':') != std::string_view::npos) {
    if (text.find(',') != std::string_view::npos)
      throw InputError(fmt::format("{}: '{}' mixes a list and a range", what, text));
    return parse_range(text, what);
  }
  return parse_real_list(text, what);
}

}  // namespace rmt
