#include <fmt/format.h>

#include "bench/curve_model.hpp"
#include "bench/functional_model.hpp"
#include "core/base/error.hpp"

namespace rmt::bench {

const std::vector<std::unique_ptr<CurveModel>>& curve_models() {
  static const std::vector<std::unique_ptr<CurveModel>> all = [] {
    std::vector<std::unique_ptr<CurveModel>> v;
    v.push_back(make_ridge_model());
    v.push_back(make_rf_ridge_model());
    v.push_back(make_gf_model());
    v.push_back(make_scaling_model());
    v.push_back(make_llc_ridge_model());
    v.push_back(make_rff_ridge_model());
    v.push_back(make_rf_gf_model());
    v.push_back(make_gf_general_model());
    v.push_back(make_gmm_dynamics_model());
    v.push_back(make_rf_ridge_de_model());
    return v;
  }();
  return all;
}

const CurveModel* find_curve_model(std::string_view name) {
  for (const auto& m : curve_models())
    if (m->name() == name) return m.get();
  return nullptr;
}

const ModelBase& find_any_model(std::string_view name) {
  if (const auto* curve = find_curve_model(name)) return *curve;
  if (const auto* functional = find_functional_model(name)) return *functional;
  std::string known;
  for (const auto& m : models()) {
    if (m->name() == name) return *m;
    known += (known.empty() ? "" : ", ") + std::string(m->name());
  }
  for (const auto& m : curve_models()) known += ", " + std::string(m->name());
  for (const auto& m : functional_models()) known += ", " + std::string(m->name());
  throw InputError(fmt::format("unknown model '{}' (known: {})", name, known));
}

CurveAxis curve_axis(const CurveModel& model, const Params& p) {
  const auto axes = model.axes();
  std::vector<std::string> grids;
  for (const auto& a : axes)
    if (p.is_grid(a)) grids.push_back(a);
  if (grids.size() > 1)
    throw InputError(fmt::format("model {}: only one parameter may be a grid, got {} and {}", model.name(), grids[0],
                                 grids[1]));
  const std::string name = grids.empty() ? axes.front() : grids.front();
  return {name, p.grid(name)};
}

Params at_point(const Params& p, const CurveAxis& axis, std::size_t i) {
  Params q = p;
  q.set(axis.name, axis.values.at(i));
  return q;
}

}  // namespace rmt::bench
