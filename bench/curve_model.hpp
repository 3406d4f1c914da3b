#pragma once
// A learning-curve model (issue #5): an estimator fitted on sampled data, whose training and test
// errors are compared with a deterministic equivalent along a curve — a grid of one parameter
// (`--set lambda=0.001:1:20log`, `--t 0.1,1,10`, `--set psi1=0.2:5:30`).
#include <cmath>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/model.hpp"

namespace rmt::bench {

inline constexpr double not_predicted = std::numeric_limits<double>::quiet_NaN();

// Errors at one point of a curve. `test` is the excess test risk (label noise excluded), `train` the
// training mean squared error; NaN where the theory makes no prediction.
struct RiskPoint {
  double train = not_predicted;
  double test = not_predicted;
  double bias = not_predicted;
  double variance = not_predicted;
};

// One replicate's measurement at every point of the curve.
struct CurveDraw {
  std::vector<double> train;
  std::vector<double> test;
  // Further per-point series a model measures (a classifier's score mean and variance): the engine
  // records their replicate means as `<name>` and standard errors as `<name>_se` in every point of
  // `empirical.curve`, where `analyse` compares them with the model's own theory.
  std::map<std::string, std::vector<double>> extra;
};

// The curve of a case: the parameter it runs over and its values.
struct CurveAxis {
  std::string name;
  std::vector<double> values;
};

class CurveModel : public ModelBase {
 public:
  // Parameters that may be grids; the first is the default axis when none is.
  virtual std::vector<std::string> axes() const = 0;
  // Rejects parameter combinations the theory cannot evaluate (InputError), before anything runs.
  virtual void validate(const Params&) const {}
  // Fewest replicates that give a standard error (the engine raises smaller requests to this).
  virtual int min_replicates() const { return 5; }
  // Relative error of the deterministic equivalent at this size (docs/theory.md §9.5), on top of the Monte-Carlo error.
  virtual double relative_tolerance(const Params& p) const = 0;
  virtual std::vector<RiskPoint> theory(const Params& p, const CurveAxis& axis) const = 0;
  // The theory with the activation's second Hermite term dropped from its nonlinear part (a mutation,
  // as Model::law_without_mu2); empty where the family has no such term.
  virtual std::vector<RiskPoint> theory_without_mu2(const Params&, const CurveAxis&) const { return {}; }
  virtual CurveDraw sample(Backend& backend, const Params& p, const CurveAxis& axis, const StreamKey& key,
                           StageTimes& t) const = 0;
  // Analysis of the whole curve beyond pointwise agreement (scaling laws fit an exponent): adds to
  // the record's theory/empirical blocks, metrics and tolerances.
  virtual void analyse(const Params&, const CurveAxis&, const std::vector<double>& /*empirical test*/,
                       const std::vector<double>& /*standard errors*/, nlohmann::json& /*theory*/,
                       nlohmann::json& /*empirical*/, std::map<std::string, double>& /*metrics*/,
                       std::map<std::string, double>& /*tolerance*/) const {}
};

const std::vector<std::unique_ptr<CurveModel>>& curve_models();
const CurveModel* find_curve_model(std::string_view name);  // nullptr when not a curve model

// The axis of a case: the one grid parameter, or the model's default axis (throws InputError when
// more than one parameter is a grid).
CurveAxis curve_axis(const CurveModel& model, const Params& p);
// The parameters at one point of the curve (the axis set to that value).
Params at_point(const Params& p, const CurveAxis& axis, std::size_t i);

// Registration functions, one per model file.
std::unique_ptr<CurveModel> make_ridge_model();
std::unique_ptr<CurveModel> make_gf_model();
std::unique_ptr<CurveModel> make_rf_ridge_model();
std::unique_ptr<CurveModel> make_scaling_model();
std::unique_ptr<CurveModel> make_llc_ridge_model();
std::unique_ptr<CurveModel> make_rff_ridge_model();
std::unique_ptr<CurveModel> make_rf_gf_model();
std::unique_ptr<CurveModel> make_gf_general_model();
std::unique_ptr<CurveModel> make_gmm_dynamics_model();
std::unique_ptr<CurveModel> make_rf_ridge_de_model();

}  // namespace rmt::bench
