#pragma once
// Sweeps of a suite case (README, "Suites"): a case with a [case.sweep] and/or [case.zip] table
// expands into one case per point. Every key of `sweep` is a Cartesian axis (the first one written
// varies slowest); the keys of `zip` vary together, as one more axis (their lists must have the same
// length). A point's case is named `<name>[k1=v1,k2=v2]`, keys in axis order.
//
// This is different from a grid-valued parameter (`params = { lambda = "0.001:1:20log" }`), which
// stays ONE case whose learning curve runs over the grid.
#include <string>
#include <utility>
#include <vector>

#include "core/base/params.hpp"

namespace rmt::bench {

struct SweepValue {
  std::string text;   // the parameter value as given to the model (full precision)
  std::string label;  // how it appears in the case name (short, but distinct along its axis)
};

struct SweepAxis {
  std::string key;
  std::vector<SweepValue> values;
};

struct SweepSpec {
  std::vector<SweepAxis> cartesian;  // in the order written
  std::vector<SweepAxis> zipped;     // empty, or lists of one common length
  bool empty() const { return cartesian.empty() && zipped.empty(); }
  std::vector<std::string> keys() const;  // every swept parameter, in naming order
};

struct SweepPoint {
  Assignments values;  // (key, text) in naming order
  std::string label;   // "k1=v1,k2=v2"
};

// The values of a numeric grid ("1,2,3", "a:b:k", "a:b:klog"; core/base/grid.hpp); integer parameters are
// rounded (and must stay distinct). Labels use the fewest significant digits (at least 4) that keep
// the values apart. Throws InputError naming `what`.
std::vector<SweepValue> grid_values(std::string_view grid, bool integer, std::string_view what);

// Labels for values written out one by one (a TOML array): the text itself.
std::vector<SweepValue> list_values(const std::vector<std::string>& texts);

// Every point, first Cartesian axis slowest, the zipped group last. Throws InputError when the
// zipped lists differ in length, a key is swept twice, or there are more than `max_points` points.
std::vector<SweepPoint> expand_sweep(const SweepSpec& sweep, std::size_t max_points = 10000);

std::string sweep_case_name(std::string_view base, const SweepPoint& point);

}  // namespace rmt::bench
