#pragma once
// Parsing of user-supplied values. Every failure throws rmt::InputError naming the offending token.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/base/types.hpp"

namespace rmt {

// `what` names the value in error messages, e.g. "--set c" or "--z".
double parse_real(std::string_view text, std::string_view what);
std::int64_t parse_integer(std::string_view text, std::string_view what);
// "a+bi", "a-bi", "a", "bi", "2+i"
complex parse_complex(std::string_view text, std::string_view what);
// Comma-separated lists.
std::vector<double> parse_real_list(std::string_view text, std::string_view what);
std::vector<complex> parse_complex_list(std::string_view text, std::string_view what);
// "value:weight,value:weight,..." (a bare value has weight 1).
std::vector<std::pair<double, double>> parse_weighted_list(std::string_view text, std::string_view what);
// "KEY=VALUE"
std::pair<std::string, std::string> parse_assignment(std::string_view text, std::string_view what);

std::string_view trim(std::string_view s);

}  // namespace rmt
