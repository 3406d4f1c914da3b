#pragma once
// Theory-side mutations (docs/architecture.md, "Mutations"): a case samples its matrices (or fits
// its estimator) with its own parameters, but judges them against a theory built from changed ones —
// a deliberately wrong law. Run through the normal verdict path, a mutation must FAIL while the
// correct law PASSes on the same draws; the record says which (`mutation`). The same wrapper gives
// bench/sensitivity.hpp its perturbed laws.
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "bench/model.hpp"

namespace rmt::bench {

struct ResolvedCase;  // bench/case.hpp

// What a case's theory is built from, where it differs from the case's own parameters.
struct TheoryMutation {
  Assignments set;        // parameters of the theory only, over the case's own (suite `theory_set`)
  double scale = 1;       // spectral laws: λ → scale·λ; learning curves: every predicted risk × scale
  double hermite_a1 = 1;  // spectral: the activation's first Hermite coefficient a₁ → hermite_a1·a₁
  bool drop_mu2 = false;  // the activation's second Hermite term left out of the law's nonlinear part
  // "caught": the run fails unless the mutation is caught; "survives": a known survivor, reported
  // without failing the run (a weakness listed with its reason).
  std::string expect = "caught";

  bool active() const { return !set.empty() || scale != 1 || hermite_a1 != 1 || drop_mu2; }
  std::string describe() const;    // "theory c=0.55, scale ×1.05"
  nlohmann::json to_json() const;  // {"theory_set": {...}, "scale": .., "hermite_a1": .., "drop_mu2": .., "expect": ..}
};

// Validates a mutation against its case (InputError): `hermite_a1` needs Model::law_hermite_a1,
// `drop_mu2` Model::law_without_mu2 or CurveModel::theory_without_mu2 (and excludes hermite_a1),
// scale and hermite_a1 must be finite and > 0, expect one of caught|survives.
void validate_mutation(const TheoryMutation& m, const ResolvedCase& c);

// The case whose theory side is mutated by `m` on top of c's own mutation: for a spectral case its
// model becomes a wrapper that samples with c's model and parameters and builds the law (and the
// predicted outliers, relabelled with the sampled spikes so that they pair) from the mutated ones;
// for a learning-curve case c.theory_params and c.theory_scale change. Throws InputError when the
// mutated parameters are invalid.
ResolvedCase mutated_case(const ResolvedCase& c, const TheoryMutation& m);

// The same case with its theory unmutated (the correct law).
ResolvedCase unmutated_case(const ResolvedCase& c);

// Record keys of a mutated case once its verdict and the correct law's verdict on the same draws are
// known: the mutation, "correct_verdict", and "status": "caught" (the mutated law fails, the correct
// one passes), "survived" (both pass) or "inconclusive" (the correct law fails too).
nlohmann::json mutation_json(const TheoryMutation& m, bool mutated_passes, bool correct_passes,
                             const nlohmann::json& correct_metrics);

// Whether a record counts as a failure of the run: a plain case that did not pass, or a mutation
// expected to be caught whose status is not "caught".
bool record_fails_run(const nlohmann::json& record);

// The verdict in words for tables: PASS / FAIL, or for a mutation CAUGHT / SURVIVED / SURVIVED (known)
// / INCONCLUSIVE.
std::string verdict_word(const nlohmann::json& record);

}  // namespace rmt::bench
