// Sensitivity of a case's verdict to standard perturbations of its law (bench/sensitivity.hpp,
// docs/theory.md §9.5 "Sensitivity").
#include "bench/sensitivity.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <optional>

#include <fmt/format.h>

#include "bench/calibration.hpp"
#include "bench/mutation.hpp"
#include "bench/record.hpp"

namespace rmt::bench {

namespace {

// Relative errors tried, ascending (0.3 % to 30 %, steps of ~3): a bisection over this grid (at most 3
// evaluations per sign and perturbation), then, for the laws that are cheap to rebuild (the linear
// families, finite_size_factor() == 1: ~1 ms for Marchenko–Pastur), kRefinements bisections in value
// between the last miss and the first hit. Every evaluation re-scores all replicates against a freshly
// built law: 0.3–0.7 s for the nonlinear families at d ≈ 1000, 2–3 s for the data-dependent laws
// (llc_gram, rff), whose values therefore stay grid points. The choice is the model's, not the clock's:
// the same seed gives the same record.
constexpr std::array<double, 5> kGrid = {0.003, 0.01, 0.03, 0.1, 0.3};
constexpr int kRefinements = 3;

// Whether the verdict fails with probability ≥ 0.9 at one ε, and the metric that makes it fail;
// nullopt when the perturbed law could not be evaluated there.
struct Probe {
  bool detected = false;
  std::string metric;
};
using ProbeFn = std::function<std::optional<Probe>(double epsilon)>;

struct SignResult {
  std::optional<double> epsilon;  // smallest |ε| found to detect
  std::string metric;
  std::string note;  // why there is no value, or why it is coarse
};

struct Search {
  bool refine = false;  // refine between grid points (cheap laws)
  int evaluations = 0;
};

// Bisection over kGrid for the smallest detected |ε| of one sign, starting at kGrid[first]; index -1
// stands for ε = 0 (not detected), index N for "beyond the grid" (detected by convention). A point where
// the perturbed law does not exist (a₁ of a normalised activation beyond 1) caps the grid there.
SignResult search(const ProbeFn& probe, double sign, Search& state, int first) {
  constexpr int n = static_cast<int>(kGrid.size());
  const auto grid = [](int k) { return kGrid[static_cast<std::size_t>(k)]; };
  int lo = -1, hi = n, cap = n;  // kGrid[lo] not detected, kGrid[hi] detected, nothing evaluable from cap
  std::string metric, note;
  for (int next = first; std::min(hi, cap) - lo > 1; next = (lo + std::min(hi, cap)) / 2) {
    ++state.evaluations;
    const auto p = probe(sign * grid(next));
    if (!p) {
      cap = next;
    } else if (p->detected) {
      hi = next;
      metric = p->metric;
    } else {
      lo = next;
    }
  }
  if (hi >= cap) {  // nothing detected where the law exists
    if (lo < 0) return {std::nullopt, {}, "the perturbed law could not be evaluated"};
    return {std::nullopt, {}, fmt::format("not detected up to {} %", 100 * grid(lo))};
  }
  double miss = lo < 0 ? 0.0 : grid(lo), hit = grid(hi);
  for (int k = 0; k < kRefinements && state.refine; ++k) {
    const double mid = 0.5 * (miss + hit);
    ++state.evaluations;
    const auto p = probe(sign * mid);
    if (p && p->detected) {
      hit = mid;
      metric = p->metric;
    } else {
      miss = mid;
    }
  }
  note = fmt::format("detected at {:.4g}, not at {:.4g}", hit, miss);
  return {hit, metric, note};
}

// Both signs; the value is the larger of the two (the error size caught whichever its sign). The first
// sign starts in the middle of the grid; the second where the first stopped (the two are usually close).
nlohmann::json both_signs(const ProbeFn& probe, nlohmann::json& detail, Search& state) {
  constexpr int middle = static_cast<int>(kGrid.size()) / 2;
  const SignResult minus = search(probe, -1.0, state, middle);
  int first = middle;
  if (minus.epsilon)
    first = static_cast<int>(std::lower_bound(kGrid.begin(), kGrid.end(), *minus.epsilon - 1e-12) - kGrid.begin());
  const SignResult plus = search(probe, +1.0, state, std::min(first, static_cast<int>(kGrid.size()) - 1));
  const auto side = [](const SignResult& r) {
    nlohmann::json j = {{"epsilon", r.epsilon ? nlohmann::json(*r.epsilon) : nlohmann::json(nullptr)}};
    if (!r.metric.empty()) j["metric"] = r.metric;
    if (!r.note.empty()) j["note"] = r.note;
    return j;
  };
  detail = {{"minus", side(minus)}, {"plus", side(plus)}};
  if (!minus.epsilon || !plus.epsilon) return nullptr;
  return std::max(*minus.epsilon, *plus.epsilon);
}

}  // namespace

MetricValues mean_metrics(const std::vector<MetricValues>& replicates) {
  std::map<std::string, std::vector<double>> by_key;
  for (const auto& r : replicates)
    for (const auto& [k, v] : r) by_key[k].push_back(v);
  MetricValues out;
  for (const auto& [k, v] : by_key) out[k] = summarise(v).mean;
  return out;
}

double null_spread(const ResolvedCase& c, const SpectralTheory&, const std::string& metric,
                   const std::map<std::string, double>& tolerance, std::string* source) {
  // The measured null of the calibration table (bench/calibration.hpp) where it covers the case.
  if (const auto null = calibrated_null(c, metric)) {
    if (source) *source = embedded_calibration().source();
    return null->sd;
  }
  // Else the fallback rule (docs/theory.md §9.5): the tolerance read as the 1 − 10⁻³ one-sided quantile
  // of a zero-mean Gaussian null.
  constexpr double z_999 = 3.090232306167813;
  if (source) *source = "rule: tolerance / 3.09";
  const auto it = tolerance.find(metric);
  return it == tolerance.end() ? 0.0 : it->second / z_999;
}

Sensitivity spectral_sensitivity(const ResolvedCase& c, const SpectralTheory& t,
                                 const std::map<std::string, double>& tolerance, const Rescorer& rescore) {
  Search state;
  state.refine = c.model->finite_size_factor() <= 1.0;
  Sensitivity s;
  nlohmann::json skipped = nlohmann::json::object(), per_sign = nlohmann::json::object();
  const std::size_t reps = static_cast<std::size_t>(c.spec.replicates);
  std::string spread_source = reps > 1 ? "replicates: sd / sqrt(replicates) of the re-scored metric" : "";
  const auto judged = [&](const std::vector<MetricValues>& per_rep) {
    Probe p;
    for (const auto& [metric, tol] : tolerance) {
      std::vector<double> values;
      for (const auto& r : per_rep)
        if (const auto it = r.find(metric); it != r.end()) values.push_back(it->second);
      if (values.empty()) continue;
      const Summary sm = summarise(values);
      if (!std::isfinite(sm.mean)) return Probe{true, metric};  // a non-finite metric fails outright
      std::string source;
      const double spread =
          reps > 1 ? sm.sd / std::sqrt(static_cast<double>(values.size())) : null_spread(c, t, metric, tolerance, &source);
      if (reps == 1) spread_source = source;
      if (std::abs(sm.mean) - kDetectionZ * spread > tol) return Probe{true, metric};
    }
    return p;
  };
  const auto probe_with = [&](auto make_mutation) -> ProbeFn {
    return [&, make_mutation](double epsilon) -> std::optional<Probe> {
      try {
        const ResolvedCase perturbed = mutated_case(c, make_mutation(epsilon));
        return judged(rescore(build_theory(perturbed)));
      } catch (const std::exception&) {  // parameters out of range, a law that does not converge there
        return std::nullopt;
      }
    };
  };

  if (c.spec.mutation.active() || !c.spec.sensitivity) {
    for (const char* key : {"scale", "aspect", "hermite_a1"}) {
      s.values[key] = nullptr;
      skipped[key] = c.spec.sensitivity ? "a mutated case (its law is deliberately wrong)" : "--no-sensitivity";
    }
  } else {
    s.values["scale"] = both_signs(probe_with([](double e) {
                                     TheoryMutation m;
                                     m.scale = 1 + e;
                                     return m;
                                   }),
                                   per_sign["scale"], state);
    if (!c.model->law_hermite_a1(c.params, StreamKey{c.spec.seed, c.case_key, 0, 0}, 1.0)) {
      s.values["hermite_a1"] = nullptr;
      skipped["hermite_a1"] = "no first Hermite coefficient among the law's inputs (linear family or data-dependent theory)";
    } else {
      s.values["hermite_a1"] = both_signs(probe_with([](double e) {
                                            TheoryMutation m;
                                            m.hermite_a1 = 1 + e;
                                            return m;
                                          }),
                                          per_sign["hermite_a1"], state);
    }
    const std::string aspect(c.model->aspect_param());
    if (aspect.empty()) {
      s.values["aspect"] = nullptr;
      skipped["aspect"] = "the law is built from a data set drawn with this shape: no aspect parameter to perturb alone";
    } else {
      const double value = c.params.real(aspect);
      s.values["aspect"] = both_signs(probe_with([aspect, value](double e) {
                                        TheoryMutation m;
                                        m.set = {{aspect, fmt::format("{:.17g}", value * (1 + e))}};
                                        return m;
                                      }),
                                      per_sign["aspect"], state);
      per_sign["aspect"]["param"] = aspect;
    }
  }
  s.detail = {{"probability", 0.9},
              {"method", "re-scored measured eigenvalues against the perturbed law, case tolerances; "
                         "value = max over the two signs of the smallest detected |epsilon|"},
              {"spread", spread_source.empty() ? "rule: tolerance / 3.09" : spread_source},
              {"per_sign", per_sign},
              {"skipped", skipped},
              {"evaluations", state.evaluations},
              {"refined", state.refine}};
  return s;
}

Sensitivity curve_sensitivity(const std::function<RiskCheck(double)>& risk_error) {
  Sensitivity s;
  Search state;
  state.refine = true;  // rescaling a computed curve costs nothing
  const ProbeFn probe = [&](double epsilon) -> std::optional<Probe> {
    const RiskCheck r = risk_error(1 + epsilon);
    if (!std::isfinite(r.error)) return Probe{true, "risk_error"};
    return Probe{r.error - kDetectionZ * r.spread > r.tolerance, "risk_error"};
  };
  nlohmann::json per_sign;
  s.values["risk"] = both_signs(probe, per_sign, state);
  s.detail = {{"probability", 0.9},
              {"method", "measured curve against the predicted test risk scaled by (1 ± epsilon), the case's "
                         "risk_error tolerance; spread: standard error of the mean at the worst point"},
              {"per_sign", {{"risk", per_sign}}},
              {"evaluations", state.evaluations}};
  return s;
}

}  // namespace rmt::bench
