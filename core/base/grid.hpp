#pragma once
// Grids of real values written on the command line or in suites (issue #5 curves, issue #7 sweeps):
//   "0.1"             one value
//   "0.1,0.5,2"       a list
//   "0.2:5:30"        30 equally spaced values from 0.2 to 5 (both included)
//   "0.001:1:20log"   20 geometrically spaced values from 0.001 to 1 (both included; a, b > 0)
// Failures throw rmt::InputError naming `what` and the token.
#include <string_view>
#include <vector>

namespace rmt {

std::vector<double> parse_grid(std::string_view text, std::string_view what);

// Whether `text` is more than one value (a list or a range), i.e. names a grid rather than a scalar.
bool is_grid(std::string_view text);

}  // namespace rmt
