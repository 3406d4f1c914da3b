#include "bench/record.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "bench/environment.hpp"

namespace rmt::bench {

namespace {

nlohmann::json number_map(const std::map<std::string, double>& m) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [k, v] : m) j[k] = v;
  return j;
}

}  // namespace

Summary summarise(std::span<const double> values) {
  Summary s;
  if (values.empty()) return s;
  const double n = static_cast<double>(values.size());
  for (const double v : values) s.mean += v / n;
  if (values.size() < 2) return s;
  double ss = 0;  // two passes: no cancellation when the spread is small against the mean
  for (const double v : values) ss += (v - s.mean) * (v - s.mean);
  s.sd = std::sqrt(ss / (n - 1.0));
  s.se = std::sqrt(ss / (n - 1.0) / n);
  return s;
}

double median(std::vector<double> values) {
  if (values.empty()) return std::numeric_limits<double>::quiet_NaN();
  std::sort(values.begin(), values.end());
  const std::size_t h = values.size() / 2;
  return values.size() % 2 ? values[h] : 0.5 * (values[h - 1] + values[h]);
}

std::string file_safe(std::string_view name) {
  std::string out(name);
  for (auto& ch : out)
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '.' && ch != '-' && ch != '_') ch = '_';
  return out;
}

bool within_tolerance(const std::map<std::string, double>& metrics, const std::map<std::string, double>& tolerance) {
  for (const auto& [k, tol] : tolerance) {
    const auto it = metrics.find(k);
    if (it == metrics.end() || !std::isfinite(it->second) || !(std::abs(it->second) <= tol)) return false;
  }
  return true;
}

nlohmann::json timing_json(const StageTimes& stages, double theory_s, double total_s) {
  return {{"sample_s", stages.sample_s}, {"gram_s", stages.gram_s},     {"activation_s", stages.activation_s},
          {"eig_s", stages.eig_s},       {"theory_s", theory_s},         {"total_s", total_s}};
}

std::string repro_command(const ResolvedCase& c, std::string_view backend) {
  std::string command = fmt::format("rmtbench run --model {}{} --seed {} --replicates {} --backend {}", c.spec.model,
                                    c.params.as_set_args(), c.spec.seed, c.spec.replicates, backend);
  if (c.spec.precision != "fp64") command += " --precision " + c.spec.precision;
  if (c.spec.method == "slq") {
    const auto& s = c.spec.slq;
    command += fmt::format(" --method slq --steps {} --storage {}{}", s.steps, s.storage, s.reorth ? " --reorth" : "");
    if (s.probes > 0) command += fmt::format(" --probes {}", s.probes);
    if (s.tile > 0) command += fmt::format(" --tile {}", s.tile);
  }
  if (c.spec.method == "distributed")  // under mpirun (README "One matrix across MPI ranks")
    command += fmt::format(" --method distributed --eigensolver {} --block {}", c.spec.distributed.solver,
                           c.spec.distributed.block);
  return command;
}

nlohmann::json run_record(const Backend& backend, const ResolvedCase& c, nlohmann::json empirical, nlohmann::json theory,
                          const std::map<std::string, double>& metrics, const std::map<std::string, double>& tolerance,
                          nlohmann::json timing) {
  const DeviceInfo info = backend.info();
  return {
      {"schema_version", 1},
      {"case", c.spec.name},
      {"model", c.spec.model},
      {"backend", backend.name()},
      {"device", info.name},
      {"precision", c.spec.precision},
      {"params", c.params.to_json()},
      {"seed", c.spec.seed},
      {"replicates", c.spec.replicates},
      {"size", {{"rows", c.sizes.rows}, {"cols", c.sizes.cols}, {"eig_dim", c.sizes.eig_dim}}},
      {"empirical", std::move(empirical)},
      {"theory", std::move(theory)},
      {"metrics", number_map(metrics)},
      {"tolerance", number_map(tolerance)},
      {"verdict", within_tolerance(metrics, tolerance) ? "pass" : "fail"},
      {"timing", std::move(timing)},
      {"repro", repro_command(c, backend.name())},
      // Where the tolerances come from: "rule" (docs/theory.md §9.5 size rule) unless the spectral case
      // sets "calibrated:<table>" (bench/calibration.hpp).
      {"tolerance_source", "rule"},
      {"method", c.spec.method},
      // Build, host and driver (bench/environment.hpp), so that a history can say what changed.
      {"environment", environment_json(&info)},
  };
}

}  // namespace rmt::bench
