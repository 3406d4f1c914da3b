#pragma once
// One case of a run: a model with parameters, a seed and a number of replicates. Cases are
// resolved (validated) before anything runs, so bad input never leaves partial results.
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "bench/model.hpp"
#include "core/spectral_cdf.hpp"

namespace rmt::bench {

struct CaseSpec {
  std::string name;
  std::string model;
  Assignments params;
  std::uint64_t seed = 42;
  int replicates = 1;
  std::string precision = "fp64";
  std::map<std::string, double> tolerance;  // overrides of the default tolerances
};

class CurveModel;

struct ResolvedCase {
  CaseSpec spec;
  const ModelBase* base = nullptr;   // the model, whichever kind
  const Model* model = nullptr;      // set for spectral models
  const CurveModel* curve = nullptr; // set for learning-curve models (bench/curve_model.hpp)
  Params params;
  Sizes sizes;
  std::uint32_t case_key = 0;  // Philox key: hash of the model and its resolved parameters
};

ResolvedCase resolve_case(const CaseSpec& spec);  // throws InputError

// The Philox case key: a hash of the model and its resolved parameters (not of the case name), so
// a record's repro command draws the same matrices.
std::uint32_t case_key(std::string_view model, const Params& params);

// Throws ResourceError (exit 3) naming the bytes needed when the case cannot fit in the backend's memory.
void check_memory(const ResolvedCase& c, Backend& backend);

// Runs every replicate, writes DIR/eigs/<case>.npy (spectral models) and returns the run record (DESIGN.md).
nlohmann::json run_case(Backend& backend, const ResolvedCase& c, const std::filesystem::path& out_dir);

// The run record of DESIGN.md around a case's blocks: the verdict passes when every metric with a
// tolerance is finite and within it.
nlohmann::json run_record(const Backend& backend, const ResolvedCase& c, nlohmann::json empirical, nlohmann::json theory,
                          const std::map<std::string, double>& metrics, const std::map<std::string, double>& tolerance,
                          nlohmann::json timing);

// "rmtbench run --model ... --set ... --seed ... --replicates ... --backend ..."
std::string repro_command(const ResolvedCase& c, std::string_view backend);

// The edge scale δ: the distance from the right edge to the quantile 1 - 1/d, where the largest of
// d eigenvalues lives (∝ d^{-2/3} at a square-root edge, wider when the density is thin there).
double edge_scale(const SpectralLaw& law, const SpectralCdf& cdf, index_t dim);

// Default tolerances from SPEC §9.5, scaled with the size (see README, "Tolerances").
std::map<std::string, double> default_tolerances(const ResolvedCase& c, const SpectralLaw& law, double delta);

}  // namespace rmt::bench
