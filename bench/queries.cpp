#include "bench/queries.hpp"

#include <cmath>

#include <fmt/format.h>

#include "bench/case.hpp"
#include "bench/curve_case.hpp"
#include "bench/theory_json.hpp"
#include "core/base/error.hpp"
#include "core/base/metrics.hpp"
#include "core/base/parse.hpp"

namespace rmt::bench {

nlohmann::json models_json() {
  nlohmann::json all = nlohmann::json::array();
  for (const auto& m : models()) {
    nlohmann::json params = nlohmann::json::array();
    for (const auto& p : m->params()) params.push_back(p.to_json());
    all.push_back({{"name", m->name()}, {"matrix", m->matrix()}, {"theory", m->section()}, {"params", params},
                   {"outputs", m->tracked_spikes(resolve_params(m->name(), m->params(), {})) > 0
                                   ? nlohmann::json{"support", "atoms", "density", "stieltjes", "moments", "outliers"}
                                   : nlohmann::json{"support", "atoms", "density", "stieltjes", "moments"}}});
    if (!m->edge_note().empty()) all.back()["edge"] = m->edge_note();
  }
  for (const auto& m : curve_models()) {
    nlohmann::json params = nlohmann::json::array();
    for (const auto& p : m->params()) params.push_back(p.to_json());
    all.push_back({{"name", m->name()}, {"matrix", m->matrix()}, {"theory", m->section()}, {"params", params},
                   {"axes", m->axes()}, {"outputs", nlohmann::json{"risk", "curve"}}});
  }
  for (const auto& m : functional_models()) {
    nlohmann::json params = nlohmann::json::array();
    for (const auto& p : m->params()) params.push_back(p.to_json());
    all.push_back({{"name", m->name()}, {"matrix", m->matrix()}, {"theory", m->section()}, {"params", params},
                   {"outputs", nlohmann::json{"functionals"}}});
  }
  return all;
}

namespace {

// A functional model's predictions (docs/theory.md §12): value, and per kind bias/allowance/sd, of/lo/hi.
nlohmann::json functional_theory_json(const FunctionalModel& model, const Params& params) {
  auto functionals = nlohmann::json::array();
  for (const auto& f : model.theory(params)) {
    nlohmann::json j = {{"name", f.name},
                        {"stat", f.stat == FunctionalStat::mean ? "mean" : f.stat == FunctionalStat::range ? "range" : "variance"},
                        {"value", std::isfinite(f.value) ? nlohmann::json(f.value) : nlohmann::json(nullptr)}};
    if (f.stat == FunctionalStat::range) {
      j["lo"] = f.lo;
      j["hi"] = f.hi;
    } else if (f.stat == FunctionalStat::mean) {
      j["bias"] = f.bias;
      j["allowance"] = f.allowance;
      j["sd"] = std::isfinite(f.sd) ? nlohmann::json(f.sd) : nlohmann::json(nullptr);
    } else {
      j["of"] = f.of;
      j["allowance"] = f.allowance;
    }
    functionals.push_back(std::move(j));
  }
  return {{"schema_version", 1}, {"model", model.name()}, {"params", params.to_json()}, {"functionals", functionals}};
}

}  // namespace

TheoryQuery::TheoryQuery(const std::string& model, const std::vector<std::string>& sets, const std::string& t,
                         std::uint64_t seed)
    : name_(model), seed_(seed) {
  Assignments assignments;
  for (const auto& s : sets) assignments.push_back(parse_assignment(s, "--set"));
  if ((curve_ = find_curve_model(model))) {
    if (!t.empty()) assignments.emplace_back("t", t);
    params_ = resolve_params(model, curve_->params(), assignments);
    curve_->validate(params_);
    axis_ = curve_axis(*curve_, params_);
    points_ = curve_->theory(params_, axis_);
    return;
  }
  if ((functional_ = find_functional_model(model))) {
    if (!t.empty()) throw InputError(fmt::format("--t: model {} measures functionals; set its points with --set", model));
    params_ = resolve_params(model, functional_->params(), assignments);
    functional_->validate(params_);
    return;
  }
  model_ = &find_model(model);
  params_ = resolve_params(model, model_->params(), assignments);
  if (!t.empty()) throw InputError(fmt::format("--t: model {} has no time dependence", model));
}

const SpectralLaw& TheoryQuery::law(std::string_view what) const {
  if (!model_)
    throw InputError(fmt::format("{}: model {} {}; it has no spectrum", what, name_,
                                 curve_ ? "is a learning curve" : "measures functionals"));
  if (!law_) law_ = model_->law(params_, StreamKey{seed_, case_key(name_, params_), 0, 0});
  return *law_;
}

bool TheoryQuery::has_outliers() const { return model_ && model_->tracked_spikes(params_) > 0; }

std::vector<Outlier> TheoryQuery::outliers() const {
  return has_outliers() ? model_->theory_outliers(params_) : std::vector<Outlier>{};
}

std::vector<double> TheoryQuery::default_x() const { return density_grid(law("--x"), 21); }

std::vector<complex> TheoryQuery::default_z() const {
  const auto& l = law("--z");
  return standard_stieltjes_points(l.support(), spectral_scale(l.moments(2)));
}

nlohmann::json TheoryQuery::json(const std::vector<double>& x, const std::vector<complex>& z) const {
  if (curve_ || functional_) {
    if (!x.empty() || !z.empty()) law("--x/--z");  // throws: no spectrum
    return curve_ ? curve_theory_json(*curve_, params_, axis_, points_) : functional_theory_json(*functional_, params_);
  }
  return theory_json(*model_, params_, law("--x"), x.empty() ? default_x() : x, z.empty() ? default_z() : z);
}

}  // namespace rmt::bench
