#pragma once
// The rmtbench subcommands (DESIGN.md, "Command line"). Each returns the process exit code and
// throws rmt::InputError / ResourceError for bad input / missing resources (main maps them).
#include <optional>
#include <string>
#include <vector>

namespace rmt::bench {

struct RunOptions {
  std::vector<std::string> suites;
  std::vector<std::string> cases;
  std::string model;
  std::vector<std::string> sets;
  std::string backend = "auto";
  std::string precision = "fp64";
  std::optional<std::uint64_t> seed;
  std::optional<int> replicates;
  std::string out = "results";
  bool json = false;
  bool quiet = false;
};
int run_command(const RunOptions& o);

struct TheoryOptions {
  std::string model;
  std::vector<std::string> sets;
  std::string x, z, t;  // comma-separated lists (empty: defaults)
  std::uint64_t seed = 42;  // the data set of data-dependent models (llc_gram)
};
int theory_command(const TheoryOptions& o);

int models_command(bool json);
int devices_command(bool json);
int report_command(const std::string& dir);

}  // namespace rmt::bench
