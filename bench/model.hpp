#pragma once
// A model ties together what the engine needs for one family: its parameters, the sizes of its
// matrices, how to sample its spectrum on a backend, and its theoretical law.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <memory>
#include <type_traits>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/backend.hpp"
#include "core/base/feature_rows.hpp"
#include "core/base/params.hpp"
#include "core/base/spectral_law.hpp"
#include "core/base/stopwatch.hpp"
#include "core/slq/linear_operator.hpp"

namespace rmt::bench {

struct Sizes {
  index_t rows = 0;     // rows of the sampled data matrix
  index_t cols = 0;     // columns of the sampled data matrix
  index_t eig_dim = 0;  // dimension of the matrix whose spectrum is measured
};

// Time spent per stage, in seconds (each backend call synchronises before returning).
struct StageTimes {
  double sample_s = 0;
  double activation_s = 0;  // GEMMs and elementwise activations of the nonlinear models
  double gram_s = 0;
  double eig_s = 0;
};

// Runs f() and adds its wall time to `seconds` (backend calls synchronise before returning).
template <typename F>
auto timed(double& seconds, F&& f) {
  const auto start = std::chrono::steady_clock::now();
  if constexpr (std::is_void_v<decltype(f())>) {
    f();
    seconds += seconds_since(start);
  } else {
    auto result = f();
    seconds += seconds_since(start);
    return result;
  }
}

struct Outlier {
  double spike = 0;
  double position = 0;
  double alignment = 0;
  double position_tolerance = 0;  // model-specific tolerance on the position (0: the default of case.cpp)
  double position_sd = 0;  // sd of the position's fluctuation at this size (0: not known; no shift metric)
};

struct Draw {
  std::vector<double> eigenvalues;  // ascending, all of them
  std::vector<Outlier> outliers;    // largest eigenvalues paired with the spikes (spiked models)
};

// Memory planning (exit 3, checked before anything is sampled). A model declares, for one draw, the
// phases of its pipeline and the backend storage alive together in each (in elements of the working
// precision: matrices, plus the small vectors a backend call copies to the device), and which phases
// run the eigensolver on which dimension. The peak is the maximum over phases of
//   elements · element_bytes(backend.precision()) + backend.eigensolver_workspace_bytes(dim, top_k)
// (the second term only in eigensolver phases), so buffers freed before the eigensolve do not count
// next to its workspace. The plans follow the models' `sample` code line by line: a model that
// changes what it keeps alive must change its plan (tests/test_memory_plan.cpp measures both).
using elements_t = std::uint64_t;

// Elements of a rows × cols matrix.
constexpr elements_t cells(index_t rows, index_t cols) {
  return static_cast<elements_t>(rows) * static_cast<elements_t>(cols);
}

struct MemoryPhase {
  std::string name;        // what runs, e.g. "gram" (named in exit-3 messages)
  elements_t elements = 0; // backend storage alive together, the eigensolver's input included
  index_t eig_dim = 0;     // > 0: the phase runs the eigensolver on an eig_dim × eig_dim matrix
  index_t top_k = 0;       // eigenvectors requested (top_eigenpairs), 0: eigenvalues only
};

struct MemoryPlan {
  std::vector<MemoryPhase> phases;

  MemoryPlan& add(std::string name, elements_t elements) {
    phases.push_back({std::move(name), elements, 0, 0});
    return *this;
  }
  // A phase that runs eigenvalues (top_k = 0) or top_eigenpairs(·, top_k) on a dim × dim matrix
  // (`elements` counts that matrix and everything else alive).
  MemoryPlan& add_eigen(std::string name, elements_t elements, index_t dim, index_t top_k) {
    phases.push_back({std::move(name), elements, dim, top_k});
    return *this;
  }
  // Appends another plan's phases with `base` more elements alive in each.
  MemoryPlan& append(const MemoryPlan& other, elements_t base = 0) {
    for (const auto& ph : other.phases) phases.push_back({ph.name, ph.elements + base, ph.eig_dim, ph.top_k});
    return *this;
  }
  // The largest element count of any phase (workspace excluded).
  elements_t peak_elements() const {
    elements_t peak = 0;
    for (const auto& ph : phases) peak = std::max(peak, ph.elements);
    return peak;
  }
};

struct MemoryPeak {
  std::size_t bytes = 0;   // peak over phases (saturates at SIZE_MAX)
  std::string phase;       // the phase that reaches it
  std::size_t workspace = 0;  // eigensolver workspace counted in that phase
};

// The peak of a plan on a backend, in the backend's working precision.
MemoryPeak peak_memory(const MemoryPlan& plan, const Backend& backend);

// What every model declares: its name, what it measures, its parameters and its sizes.
class ModelBase {
 public:
  virtual ~ModelBase() = default;
  virtual std::string_view name() const = 0;
  virtual std::string_view matrix() const = 0;   // the matrix whose spectrum (or the estimator whose risk) is measured
  virtual std::string_view section() const = 0;  // docs/theory.md section of its theory
  virtual std::vector<ParamSpec> params() const = 0;
  virtual Sizes sizes(const Params& p) const = 0;
  // The phases of one draw and the backend storage alive in each (see MemoryPlan).
  virtual MemoryPlan memory_plan(const Params& p) const = 0;
  // Peak bytes on `backend` for one draw, in its working precision.
  std::size_t bytes_needed(const Params& p, const Backend& backend) const {
    return peak_memory(memory_plan(p), backend).bytes;
  }
};

// The measured matrix of a spectral model as a Gram matrix of features, for method = slq:
// alpha · F Fᵀ (side rows) or alpha · FᵀF (side cols), F's column tiles formed on their own
// (core/slq/linear_operator.hpp).
struct GramFeatures {
  std::unique_ptr<FeatureColumns> features;
  double alpha = 1;
  GramSide side = GramSide::rows;
};

// The measured matrix of a spectral model as alpha · F Fᵀ with F's rows formed on their own, for
// method = distributed (mpi/, bench/distributed_case.hpp): each MPI rank forms the rows of F its
// block-cyclic tiles need (core/base/feature_rows.hpp).
struct GramRows {
  std::unique_ptr<FeatureRows> features;
  double alpha = 1;
};

// A spectral model: the eigenvalue distribution of one random matrix against its law.
class Model : public ModelBase {
 public:
  // The theoretical law. `key` names the case's random streams (seed, case): models whose theory
  // depends on a data set drawn from them (llc_gram) regenerate it; the others ignore it.
  virtual std::unique_ptr<SpectralLaw> law(const Params& p, const StreamKey& key) const = 0;
  // Predicted outliers (only those separated from the bulk).
  virtual std::vector<Outlier> theory_outliers(const Params&) const { return {}; }
  // At most how many outliers finite-rank terms that the theory leaves out can produce (e.g. the
  // second Hermite coefficient of an activation). Eigenvalues among the top ones that lie clearly
  // beyond the right edge are then counted as such outliers and kept out of the bulk metrics.
  virtual int unpredicted_outliers(const Params&) const { return 0; }
  // Whether the right edge is judged: false when the theory's own error at finite size is larger
  // than the edge scale (edge_error is then reported without a tolerance).
  virtual bool judges_edge(const Params&) const { return true; }
  // When judges_edge is false, in words for `rmtbench models` ("never: …" or "only when …"); empty
  // when the edge is always judged.
  virtual std::string_view edge_note() const { return {}; }
  // Ratio of this family's finite-size errors to Marchenko–Pastur's (docs/theory.md §9.5): scales the tolerances.
  virtual double finite_size_factor() const { return 1.0; }
  // Number of spikes whose top eigenpairs are measured (0: eigenvalues only).
  virtual int tracked_spikes(const Params&) const { return 0; }
  // Perturbation hooks of the theory side (bench/sensitivity.hpp, bench/mutation.hpp).
  // The real parameter that is this family's aspect ratio (c = p/n, φ, γ0), or empty when the law
  // cannot be rebuilt with it perturbed alone (data-dependent theories).
  virtual std::string_view aspect_param() const { return {}; }
  // The law with the activation's first Hermite coefficient a₁ (E f'(ξ) of the activation the theory
  // uses) multiplied by `factor`, every other input of the law unchanged; nullptr where the family
  // has no such coefficient or its theory does not take it as an input.
  virtual std::unique_ptr<SpectralLaw> law_hermite_a1(const Params&, const StreamKey&, double /*factor*/) const {
    return nullptr;
  }
  // The law with the activation's second Hermite term dropped (μ₂² removed from the nonlinear
  // variance the law takes, e.g. E f_c² → E f_c² − μ₂²): a plausible derivation slip, used as a
  // mutation; nullptr where the family's theory has no such input.
  virtual std::unique_ptr<SpectralLaw> law_without_mu2(const Params&, const StreamKey&) const { return nullptr; }
  virtual Draw sample(Backend& backend, const Params& p, const StreamKey& key, StageTimes& t) const = 0;

  // Matrix-free access (method = slq). Whether the family (with these parameters) has a cheap
  // product; false: slq is refused with a clear message (kernel matrices, the full NTK).
  virtual bool has_gram_features(const Params&) const { return false; }
  // The features of one draw (replicate key.replicate): F equals, to rounding, the matrix whose Gram
  // `sample` forms for the same key. Whatever the model keeps beside F's tiles (e.g. a network's
  // weights) is formed here, once. Only called when has_gram_features().
  virtual GramFeatures gram_features(Backend& backend, const Params& p, const StreamKey& key) const;
  // Backend elements alive while the operator of gram_features applies, excluding the Lanczos blocks:
  // what gram_features keeps plus F (stored) or one tile of `tile` columns and its intermediates
  // (regenerate). Drives the exit-3 check and storage = auto.
  virtual elements_t slq_operator_elements(const Params& p, OperatorStorage storage, index_t tile) const;

  // Row access (method = distributed). Whether the family forms its feature matrix row by row; false:
  // distributed is refused with a clear message.
  virtual bool has_gram_rows(const Params&) const { return false; }
  // The features of one draw (replicate key.replicate), equal to the F whose Gram `sample` forms for
  // the same key, to rounding; what the model keeps beside them (e.g. rows of a weight matrix) is
  // formed lazily by the first call. Only called when has_gram_rows().
  virtual GramRows gram_rows(Backend& backend, const Params& p, const StreamKey& key) const;
};

const std::vector<std::unique_ptr<Model>>& models();
const Model& find_model(std::string_view name);  // throws InputError listing the known models
// Any model, spectral or learning-curve (bench/curve_model.hpp); throws InputError listing them all.
const ModelBase& find_any_model(std::string_view name);

// Registration functions, one per model family file.
std::unique_ptr<Model> make_mp_model();
std::unique_ptr<Model> make_silverstein_model();
std::unique_ptr<Model> make_spiked_model();
std::unique_ptr<Model> make_rf_model();
std::unique_ptr<Model> make_kernel_model();
std::unique_ptr<Model> make_ck_model();
std::unique_ptr<Model> make_ntk_model();
std::unique_ptr<Model> make_llc_gram_model();
std::unique_ptr<Model> make_kernel_el_karoui_model();
std::unique_ptr<Model> make_rff_model();
std::unique_ptr<Model> make_deep_ntk_model();

}  // namespace rmt::bench
