#pragma once
// Suite files (TOML), validated strictly: unknown keys, wrong types, bad values or ranges and
// duplicate case names are InputErrors naming the file and line. Schema (README, "Suites"):
//
//   include = ["quick.toml", { file = "other.toml", replicates = 3 }]   optional; paths relative to
//                              this file; an include table's keys are defaults of the included
//                              cases (over that file's [defaults], under each case's own keys)
//   [defaults]                 optional, under every case of this file (not of included files):
//                              seed, replicates, precision, backend, requires, params, tolerance
//   [[case]]                   one table per case (or per sweep)
//   name = "mp_c0.5"           required, unique after sweep expansion
//   model = "mp"               required
//   params = { c = 0.5 }       model parameters (a string such as "0.001:1:20log" is a grid-valued
//                              parameter of ONE case, for learning-curve models)
//   seed, replicates, precision, tolerance = { ks = 0.03 }
//   backend = "cpu"            auto | cpu | cuda, unless --backend is given
//   requires = "cuda"          skipped, with a note, when the case would not run on CUDA
//   mutation = { theory_set = { c = 0.55 }, scale = 1.05, hermite_a1 = 0.9, expect = "caught" }
//                              a deliberately wrong theory for the same draws (bench/mutation.hpp);
//                              expect = "survives" marks a known survivor that does not fail the run
//   [case.sweep]               one case per point: n = "250:4000:5log", c = [0.25, 0.5] (Cartesian)
//   [case.zip]                 parameters varied together (lists of one length)
#include <filesystem>
#include <string>
#include <functional>
#include <string_view>
#include <vector>

#include "bench/case.hpp"

namespace rmt::bench {

struct SuiteCase {
  CaseSpec spec;
  std::string backend;  // "" (the run's choice), "auto", "cpu" or "cuda"
  std::string needs;    // "" or "cuda" (the suite key `requires`)
  std::string sweep;    // the [[case]] name a sweep point came from; "" for a plain case
  std::vector<std::string> sweep_axes;  // the swept parameters
  std::string origin;   // "file:line" of its [[case]] table
};

// `source_name` names the text in messages; includes are looked up relative to its directory.
std::vector<SuiteCase> parse_suite_cases(std::string_view text, std::string_view source_name);
std::vector<SuiteCase> load_suite_cases(const std::filesystem::path& path);
std::vector<SuiteCase> default_suite_cases();  // the embedded bench/suites/quick.toml

// The same, case specifications only.
std::vector<CaseSpec> parse_suite(std::string_view text, std::string_view source_name);
std::vector<CaseSpec> load_suite(const std::filesystem::path& path);
std::vector<CaseSpec> default_suite();

// Throws InputError naming both places when two cases share a name.
void check_unique_names(const std::vector<SuiteCase>& cases);

// What `run` and `calibrate` select: the suites (none: the embedded default suite) or one --model
// case, narrowed to the --case names (a case, or a sweep for all its points), with the --set
// assignments added to every case except where a sweep sweeps that parameter (`note`, when given, is
// told once per such sweep and parameter).
struct CaseSelection {
  std::vector<std::string> suites;
  std::string model;
  std::vector<std::string> cases;
  std::vector<std::string> sets;  // KEY=VALUE
};
std::vector<SuiteCase> select_suite_cases(const CaseSelection& selection,
                                          const std::function<void(const std::string&)>& note = {});

}  // namespace rmt::bench
