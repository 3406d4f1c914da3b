#pragma once
// What `rmtbench theory` and `rmtbench models` print, as values: the CLI prints them, the Python
// package (python/) hands them to Python. One resolution for both, so both give the same numbers.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/curve_model.hpp"
#include "bench/functional_model.hpp"
#include "bench/model.hpp"

namespace rmt::bench {

// Every model, its parameters, defaults and ranges (`rmtbench models --json`).
nlohmann::json models_json();

// The theory of one model with its parameters resolved: a spectral law, a learning curve's
// deterministic equivalent along its axis, or a functional model's predictions. Throws InputError with the CLI's message for bad input.
class TheoryQuery {
 public:
  // `sets` are KEY=VALUE assignments (--set); `t` the --t list (empty: none); `seed` the data set of
  // data-dependent models (llc_gram).
  TheoryQuery(const std::string& model, const std::vector<std::string>& sets, const std::string& t, std::uint64_t seed);

  bool is_curve() const { return curve_ != nullptr; }
  bool is_functional() const { return functional_ != nullptr; }
  const Params& params() const { return params_; }

  // Spectral models (InputError for a learning curve, naming the option `what`). The law is built on
  // first use, so that the CLI checks its point lists after the parameters and before the law.
  const SpectralLaw& law(std::string_view what) const;
  std::vector<Outlier> outliers() const;  // empty unless the model tracks spikes
  bool has_outliers() const;
  std::vector<double> default_x() const;  // the CLI's density grid when --x is left out
  std::vector<complex> default_z() const;  // the standard Stieltjes points when --z is left out

  // Learning curves: the axis and the deterministic equivalent at each of its points.
  const CurveAxis& axis() const { return axis_; }
  const std::vector<RiskPoint>& points() const { return points_; }

  // The JSON object `rmtbench theory` prints, at the given points (spectral models; empty: defaults;
  // functional models: every prediction with its bias, allowance and single-draw sd).
  nlohmann::json json(const std::vector<double>& x, const std::vector<complex>& z) const;
  nlohmann::json json() const { return json({}, {}); }

 private:
  std::string name_;
  const Model* model_ = nullptr;
  const CurveModel* curve_ = nullptr;
  const FunctionalModel* functional_ = nullptr;
  Params params_;
  std::uint64_t seed_ = 0;
  mutable std::unique_ptr<SpectralLaw> law_;
  CurveAxis axis_;
  std::vector<RiskPoint> points_;
};

}  // namespace rmt::bench
