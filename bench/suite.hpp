#pragma once
// Suite files (TOML). Schema (README, "Suites"):
//   [defaults]                 optional: seed, replicates, precision applied to every case
//   [[case]]                   one table per case
//   name = "mp_c0.5"           required, unique
//   model = "mp"               required
//   params = { c = 0.5 }       optional; model parameters
//   seed, replicates, precision, tolerance = { ks = 0.03 }   optional
// Unknown keys, wrong types and duplicate names are InputErrors naming the file and line.
#include <filesystem>
#include <string_view>
#include <vector>

#include "bench/case.hpp"

namespace rmt::bench {

std::vector<CaseSpec> parse_suite(std::string_view text, std::string_view source_name);
std::vector<CaseSpec> load_suite(const std::filesystem::path& path);
// The embedded default suite (bench/suites/quick.toml).
std::vector<CaseSpec> default_suite();

}  // namespace rmt::bench
