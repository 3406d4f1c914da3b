#pragma once
// One case of a run: a model with parameters, a seed and a number of replicates. Cases are
// resolved (validated) before anything runs, so bad input never leaves partial results. The kind of
// case (spectral, learning curve or functional) is decided once, by resolve_case; run_case dispatches on it to
// bench/spectral_case.hpp or bench/curve_case.hpp, which both build their record with bench/record.hpp.
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "bench/model.hpp"
#include "bench/mutation.hpp"

namespace rmt::bench {

// How a spectral case measures its spectrum: all eigenvalues of the dense matrix, or stochastic Lanczos
// quadrature of the matrix-free operator (core/slq, bench/slq_case.hpp).
struct SlqSettings {
  int probes = 0;                // b Rademacher probes, run together (one block product per step); 0: slq_probes
  int steps = 200;               // k Lanczos steps per probe
  bool reorth = false;           // full reorthogonalisation (O(k·d·b) memory; tests and small cases)
  std::string storage = "auto";  // stored | regenerate | auto (stored when it fits in memory)
  index_t tile = 0;              // feature columns per regenerated tile (0: core/slq default_tile)
};

// method = distributed (bench/distributed_case.hpp): the eigensolver and the block-cyclic block size.
// Not part of case_id: every solver gives the same eigenvalues to rounding.
struct DistributedSettings {
  std::string solver = "elpa";  // elpa (two-stage) | pdsyevr
  index_t block = 64;           // nb of the nb × nb blocks
};

struct CaseSpec {
  std::string name;
  std::string model;
  Assignments params;
  std::uint64_t seed = 42;
  int replicates = 1;
  std::string precision = "fp64";
  std::map<std::string, double> tolerance;  // overrides of the default tolerances
  TheoryMutation mutation;                   // theory-side mutation (bench/mutation.hpp); inactive by default
  bool sensitivity = true;  // run the sensitivity search (bench/sensitivity.hpp); not part of case_id
  std::string method = "dense";  // dense | slq | distributed
  SlqSettings slq;               // method = slq only (part of case_id then)
  DistributedSettings distributed;  // method = distributed only
};

class CurveModel;       // bench/curve_model.hpp
class FunctionalModel;  // bench/functional_model.hpp

enum class CaseKind {
  spectral,  // an eigenvalue distribution against its law (Model)
  curve,     // a learning curve against its deterministic equivalent (CurveModel)
  functional,  // scalar functionals (traces, quadratic forms, LSS, alignments) against their equivalents (FunctionalModel)
};

struct ResolvedCase {
  CaseSpec spec;
  CaseKind kind = CaseKind::spectral;
  const ModelBase* base = nullptr;   // the model, whichever kind
  const Model* model = nullptr;      // kind == spectral: the same model (nullptr otherwise)
  const CurveModel* curve = nullptr; // kind == curve: the same model (nullptr otherwise)
  const FunctionalModel* functional = nullptr;  // kind == functional: the same model (nullptr otherwise)
  Params params;
  Sizes sizes;
  std::uint32_t case_key = 0;  // Philox key: hash of the model and its resolved parameters
  // The theory side (bench/mutation.hpp): the parameters the theory is built from and, for learning
  // curves, the factor on its risks — params and 1 unless spec.mutation is active. A mutated spectral
  // case's `model` points to a wrapper owned here that builds the mutated law.
  Params theory_params;
  double theory_scale = 1;
  bool theory_drop_mu2 = false;  // learning curves: CurveModel::theory_without_mu2 (mutation drop_mu2)
  std::shared_ptr<const Model> owned_model;
};

ResolvedCase resolve_case(const CaseSpec& spec);  // throws InputError

// The Philox case key: a hash of the model and its resolved parameters (not of the case name), so
// a record's repro command draws the same matrices.
std::uint32_t case_key(std::string_view model, const Params& params);

// Throws ResourceError (exit 3) naming the bytes needed when the case cannot fit in the backend's memory.
void check_memory(const ResolvedCase& c, Backend& backend);

// method = slq: the operator storage of the case on `backend` (storage = auto: stored when the stored
// features and the Lanczos blocks fit in the available memory, else regenerate).
OperatorStorage slq_storage(const ResolvedCase& c, const Backend& backend);
// Backend elements of the Lanczos blocks: q, q_prev, w, a product's result, with reorth every step's
// block, and the product's small intermediates.
elements_t lanczos_elements(const ResolvedCase& c, const Backend& backend);
// The probes of an SLQ case on `backend`: the case's, or by default 16 on the CPU and 32 on CUDA (a
// step streams the features through two skinny GEMMs: on two CPU cores one product took the same
// 0.15 s at b = 8, 16 and 32 for a 5000 × 20000 feature matrix, so probes up to ~32 are nearly free).
int slq_probes(const ResolvedCase& c, const Backend& backend);

// Runs every replicate, writes DIR/eigs/<case>.npy (spectral models) and returns the run record
// (docs/architecture.md).
nlohmann::json run_case(Backend& backend, const ResolvedCase& c, const std::filesystem::path& out_dir);

}  // namespace rmt::bench
