#pragma once
// A model ties together what the engine needs for one family: its parameters, the sizes of its
// matrices, how to sample its spectrum on a backend, and its theoretical law.
#include <chrono>
#include <memory>
#include <type_traits>
#include <string>
#include <string_view>
#include <vector>

#include "core/backend.hpp"
#include "core/params.hpp"
#include "core/spectral_law.hpp"

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
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  } else {
    auto result = f();
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
  }
}

struct Outlier {
  double spike = 0;
  double position = 0;
  double alignment = 0;
  double position_tolerance = 0;  // model-specific tolerance on the position (0: the default of case.cpp)
};

struct Draw {
  std::vector<double> eigenvalues;  // ascending, all of them
  std::vector<Outlier> outliers;    // largest eigenvalues paired with the spikes (spiked models)
};

// What every model declares: its name, what it measures, its parameters and its sizes.
class ModelBase {
 public:
  virtual ~ModelBase() = default;
  virtual std::string_view name() const = 0;
  virtual std::string_view matrix() const = 0;   // the matrix whose spectrum (or the estimator whose risk) is measured
  virtual std::string_view section() const = 0;  // SPEC section of its theory
  virtual std::vector<ParamSpec> params() const = 0;
  virtual Sizes sizes(const Params& p) const = 0;
  // Peak bytes of matrix storage on the backend for one draw.
  virtual std::size_t bytes_needed(const Params& p) const = 0;
};

// A spectral model: the eigenvalue distribution of one random matrix against its law.
class Model : public ModelBase {
 public:
  std::size_t bytes_needed(const Params& p) const override;
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
  // Ratio of this family's finite-size errors to Marchenko–Pastur's (SPEC §9.5): scales the tolerances.
  virtual double finite_size_factor() const { return 1.0; }
  // Number of spikes whose top eigenpairs are measured (0: eigenvalues only).
  virtual int tracked_spikes(const Params&) const { return 0; }
  virtual Draw sample(Backend& backend, const Params& p, const StreamKey& key, StageTimes& t) const = 0;
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
