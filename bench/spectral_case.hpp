#pragma once
// Spectral cases (bench/model.hpp): every replicate's eigenvalues against the model's law, computed
// once per case (SpectralTheory), with the metrics, their default tolerances and the record.
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/case.hpp"
#include "core/base/spectral_cdf.hpp"

namespace rmt::bench {

// What a spectral case needs of its theory, evaluated once per case.
struct SpectralTheory {
  std::unique_ptr<SpectralLaw> law;
  std::unique_ptr<SpectralCdf> cdf;
  std::vector<Interval> support;
  std::vector<Atom> atoms;
  std::vector<Outlier> outliers;  // Model::theory_outliers
  std::vector<double> moments;    // the first two
  std::vector<complex> z;         // the standard Stieltjes points
  std::vector<complex> m;         // the law's Stieltjes transform at z
  double scale = 1;          // the unit of the Stieltjes points (spectral_scale of the moments)
  int unpredicted = 0;       // bound on outliers the theory leaves out (Model::unpredicted_outliers)
  double edge_scale = 1;     // δ of edge_scale()
  double tw_scale = 0;       // σ_d of tracy_widom_edge_scale() (0: the right edge is not a square-root edge)
  double separation = 0;     // eigenvalues above this are clearly beyond the right edge
};

// The theory of a spectral case (c.kind == CaseKind::spectral).
SpectralTheory build_theory(const ResolvedCase& c);

// The edge scale δ: the distance from the right edge of `support` to the quantile 1 - 1/d, where the
// largest of d eigenvalues lives (∝ d^{-2/3} at a square-root edge, wider when the density is thin there).
double edge_scale(const std::vector<Interval>& support, const SpectralCdf& cdf, index_t dim);

// The Tracy–Widom scale σ_d = (a d)^{-2/3} of the largest of `dim` eigenvalues at the law's right edge,
// with the square-root coefficient a estimated from the density on the last δ/16 (δ = `edge_scale`) below the
// edge (docs/theory.md §9.5); 0 when the right edge is not a square-root edge.
double tracy_widom_edge_scale(const SpectralLaw& law, const std::vector<Interval>& support, double edge_scale,
                              index_t dim);

class CalibrationTable;  // bench/calibration.hpp

// Default tolerances from docs/theory.md §9.5: the calibrated null of `table` (the embedded
// bench/calibration/spectral.json when null) for the metrics and sizes it covers, else the size rule
// (see README, "Tolerances"); then the fp32 widening and the case's overrides. `source`, when given,
// gets the record's tolerance_source: "calibrated:<table>" or "rule".
std::map<std::string, double> default_tolerances(const ResolvedCase& c, const SpectralTheory& t,
                                                 std::string* source = nullptr, const CalibrationTable* table = nullptr);

// The metrics of replicate `replicate` of the case (its seed is c.spec.seed), measured against `t` as
// run_spectral_case measures every replicate: `rmtbench calibrate` draws its null distributions here.
std::map<std::string, double> measure_one_draw(Backend& backend, const ResolvedCase& c, const SpectralTheory& t,
                                               std::uint32_t replicate);

// Runs every replicate, writes DIR/eigs/<case>.npy and returns the run record.
nlohmann::json run_spectral_case(Backend& backend, const ResolvedCase& c, const std::filesystem::path& out_dir);

}  // namespace rmt::bench
