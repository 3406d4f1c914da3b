#pragma once
// A functional model (docs/theory.md §12, "Beyond eigenvalues"): scalar functionals of a random matrix —
// normalised traces and quadratic forms of its resolvent, linear spectral statistics, eigenvector
// alignments, misclassification rates — measured per draw and compared with their high-dimensional
// equivalents, in units of a stated fluctuation scale (bench/functional_case.hpp).
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/model.hpp"

namespace rmt::bench {

enum class FunctionalStat {
  mean,      // the replicate mean of a per-draw value against `value` (+ `bias`)
  variance,  // the replicate variance of the per-draw value `of` against `value`
  range,     // the replicate mean against an interval [lo, hi] the theory allows (a rate, a bound)
};

// What the theory states about one functional.
struct FunctionalPrediction {
  std::string name;
  double value = 0;  // deterministic equivalent (mean) or predicted variance of `of` (variance)
  double bias = 0;   // predicted finite-size bias E F_n − F̄ (mean; the comparison uses value + bias)
  // mean: predicted sd of one draw's value (NaN: not known, the replicate standard deviation is used).
  double sd = std::numeric_limits<double>::quiet_NaN();
  // mean: bias allowance B/n beyond `bias`; variance: the formula's known inaccuracy (absolute, both)
  double allowance = 0;
  FunctionalStat stat = FunctionalStat::mean;
  double lo = 0, hi = 0;  // range: the interval
  std::string of;      // variance: the per-draw value whose variance is predicted
  bool judged = true;  // false: reported only (`note` says why)
  std::string note;
};

struct NamedValue {
  std::string name;
  double value = 0;
};

class FunctionalModel : public ModelBase {
 public:
  // Rejects parameter combinations the theory cannot evaluate (InputError), before anything runs.
  virtual void validate(const Params&) const {}
  // Fewest replicates the judgement needs (the engine raises smaller requests to this).
  virtual int min_replicates(const Params&) const { return 2; }
  virtual std::vector<FunctionalPrediction> theory(const Params& p) const = 0;
  // One draw: the value of every per-draw functional the predictions name.
  virtual std::vector<NamedValue> sample(Backend& backend, const Params& p, const StreamKey& key,
                                         StageTimes& t) const = 0;
  // Whether a draw's functionals depend on the theory: its prediction is a matrix built per draw (a linear
  // equivalent K̃ of the sampled K). A mutated theory is then measured on the same draws by sample_against (the
  // case's K, the theory's K̃) and judged on those; the correct law is judged on sample()'s.
  virtual bool theory_in_draw() const { return false; }
  virtual std::vector<NamedValue> sample_against(Backend& backend, const Params& p, const Params& /*theory*/,
                                                 const StreamKey& key, StageTimes& t) const {
    return sample(backend, p, key, t);
  }
  // Analysis over all replicates beyond the per-functional judgement (a fit across sizes): adds to the
  // record's empirical block. draws[name][replicate].
  virtual void analyse(const Params&, const std::map<std::string, std::vector<double>>& /*draws*/,
                       nlohmann::json& /*empirical*/) const {}
};

const std::vector<std::unique_ptr<FunctionalModel>>& functional_models();
const FunctionalModel* find_functional_model(std::string_view name);  // nullptr when not one

// Registration functions, one per model file.
std::unique_ptr<FunctionalModel> make_resolvent_model();
std::unique_ptr<FunctionalModel> make_lss_model();
std::unique_ptr<FunctionalModel> make_gmm_cluster_model();
std::unique_ptr<FunctionalModel> make_le_kernel_model();
std::unique_ptr<FunctionalModel> make_rf_resolvent_model();

}  // namespace rmt::bench
