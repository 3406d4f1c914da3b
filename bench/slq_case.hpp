#pragma once
// Spectral cases measured by stochastic Lanczos quadrature (method = slq, core/slq): the model's
// matrix-free Gram operator, b Rademacher probes, k Lanczos steps, and the fair SLQ metrics against
// the same law as the dense path, each with its standard error over probes (docs/theory.md,
// "Stochastic Lanczos quadrature").
#include <filesystem>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "bench/case.hpp"
#include "bench/spectral_case.hpp"

namespace rmt::bench {

// The tolerances of an SLQ case: the dense path's (finite-size term, docs/theory.md §9.5) plus
// probe_noise_multiple(R(b − 1)) standard errors (two-sided 10⁻³: probe noise alone fails a correct
// law with probability ≤ 10⁻³ per metric; R replicates of b probes); W1 also 0.25·width/k for the quadrature's own resolution; the edge is
// reported, not judged. `se` holds each metric's standard error.
std::map<std::string, double> slq_tolerances(const ResolvedCase& c, const SpectralTheory& t,
                                             const std::map<std::string, double>& se, int probes,
                                             std::string* source = nullptr);

// Runs every replicate (new matrix, new probes), writes DIR/slq/<case>.nodes.npy and .weights.npy
// (replicate × probe × step; a probe whose recurrence ended early is padded with NaN nodes and zero
// weights) and returns the record: every dense key, with method = "slq", empirical.eigenvalues null,
// empirical.slq and metrics.<metric>_se.
nlohmann::json run_slq_case(Backend& backend, const ResolvedCase& c, const std::filesystem::path& out_dir);

}  // namespace rmt::bench
