#include "bench/sweep.hpp"

#include <cmath>
#include <set>

#include <fmt/format.h>

#include "core/base/error.hpp"
#include "core/base/grid.hpp"

namespace rmt::bench {

std::vector<std::string> SweepSpec::keys() const {
  std::vector<std::string> out;
  for (const auto* group : {&cartesian, &zipped})
    for (const auto& axis : *group) out.push_back(axis.key);
  return out;
}

std::vector<SweepValue> grid_values(std::string_view grid, bool integer, std::string_view what) {
  const auto numbers = parse_grid(grid, what);
  std::vector<SweepValue> out;
  if (integer) {
    std::set<long long> seen;
    for (const double v : numbers) {
      const auto k = std::llround(v);
      if (!seen.insert(k).second)
        throw InputError(fmt::format("{}: '{}' gives the integer {} twice after rounding", what, grid, k));
      out.push_back({fmt::format("{}", k), fmt::format("{}", k)});
    }
    return out;
  }
  // The shortest labels (4 to 17 significant digits) that keep every value of the axis apart.
  for (int digits = 4; digits <= 17; ++digits) {
    std::set<std::string> labels;
    for (const double v : numbers) labels.insert(fmt::format("{:.{}g}", v, digits));
    if (labels.size() == numbers.size() || digits == 17) {
      out.clear();
      for (const double v : numbers) out.push_back({fmt::format("{}", v), fmt::format("{:.{}g}", v, digits)});
      break;
    }
  }
  std::set<std::string> texts;
  for (const auto& v : out)
    if (!texts.insert(v.text).second) throw InputError(fmt::format("{}: '{}' repeats the value {}", what, grid, v.text));
  return out;
}

std::vector<SweepValue> list_values(const std::vector<std::string>& texts) {
  std::vector<SweepValue> out;
  for (const auto& t : texts) out.push_back({t, t});
  return out;
}

std::vector<SweepPoint> expand_sweep(const SweepSpec& sweep, std::size_t max_points) {
  std::set<std::string> keys;
  for (const auto& k : sweep.keys())
    if (!keys.insert(k).second) throw InputError(fmt::format("parameter '{}' is swept twice", k));

  // Each axis is a list of options; an option assigns one or more (zipped) parameters.
  using Option = std::vector<std::pair<std::string, SweepValue>>;
  std::vector<std::vector<Option>> axes;
  for (const auto& axis : sweep.cartesian) {
    if (axis.values.empty()) throw InputError(fmt::format("sweep '{}' has no values", axis.key));
    auto& options = axes.emplace_back();
    for (const auto& v : axis.values) options.push_back({{axis.key, v}});
  }
  if (!sweep.zipped.empty()) {
    const auto length = sweep.zipped.front().values.size();
    for (const auto& axis : sweep.zipped)
      if (axis.values.size() != length)
        throw InputError(fmt::format("zip: '{}' has {} values but '{}' has {} (zipped lists need one length)",
                                     axis.key, axis.values.size(), sweep.zipped.front().key, length));
    if (length == 0) throw InputError(fmt::format("zip '{}' has no values", sweep.zipped.front().key));
    auto& options = axes.emplace_back(length);
    for (std::size_t i = 0; i < length; ++i)
      for (const auto& axis : sweep.zipped) options[i].push_back({axis.key, axis.values[i]});
  }

  std::size_t total = axes.empty() ? 0 : 1;
  for (const auto& a : axes) {
    total *= a.size();
    if (total > max_points) throw InputError(fmt::format("the sweep has more than {} points", max_points));
  }
  std::vector<SweepPoint> out;
  std::vector<std::size_t> index(axes.size(), 0);
  for (std::size_t n = 0; n < total; ++n) {
    SweepPoint p;
    for (std::size_t a = 0; a < axes.size(); ++a)
      for (const auto& [key, value] : axes[a][index[a]]) {
        p.values.emplace_back(key, value.text);
        p.label += fmt::format("{}{}={}", p.label.empty() ? "" : ",", key, value.label);
      }
    out.push_back(std::move(p));
    for (std::size_t a = axes.size(); a-- > 0;) {  // odometer: the last axis turns fastest
      if (++index[a] < axes[a].size()) break;
      index[a] = 0;
    }
  }
  return out;
}

std::string sweep_case_name(std::string_view base, const SweepPoint& point) {
  return fmt::format("{}[{}]", base, point.label);
}

}  // namespace rmt::bench
