// `rmtbench theory`, `models`, `devices` and `report`.
#include <cmath>

#include <fmt/format.h>

#include "bench/case.hpp"
#include "bench/commands.hpp"
#include "bench/curve_case.hpp"
#include "bench/functional_model.hpp"
#include "bench/model.hpp"
#include "bench/theory_json.hpp"
#include "core/base/backend.hpp"
#include "core/base/error.hpp"
#include "core/base/metrics.hpp"
#include "core/base/parse.hpp"
#include "core/results/report.hpp"

namespace rmt::bench {

namespace {

// `theory` for a learning-curve model: `risk` at one point, `curve` along a grid (or --t).
int curve_theory_command(const CurveModel& model, const TheoryOptions& o, Assignments sets) {
  if (!o.x.empty() || !o.z.empty())
    throw InputError(fmt::format("--x/--z: model {} is a learning curve; it has no spectrum", o.model));
  if (!o.t.empty()) sets.emplace_back("t", o.t);
  const Params params = resolve_params(o.model, model.params(), sets);
  model.validate(params);
  const CurveAxis axis = curve_axis(model, params);
  fmt::print("{}\n", curve_theory_json(model, params, axis, model.theory(params, axis)).dump());
  return 0;
}

// `theory` for a functional model: every prediction (value, bias, single-draw sd) of docs/theory.md §12.
int functional_theory_command(const FunctionalModel& model, const TheoryOptions& o, const Assignments& sets) {
  if (!o.x.empty() || !o.z.empty() || !o.t.empty())
    throw InputError(fmt::format("--x/--z/--t: model {} measures functionals; set its points with --set", o.model));
  const Params params = resolve_params(o.model, model.params(), sets);
  model.validate(params);
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
    }
    functionals.push_back(std::move(j));
  }
  fmt::print("{}\n", nlohmann::json{{"schema_version", 1}, {"model", model.name()}, {"params", params.to_json()},
                                   {"functionals", functionals}}.dump());
  return 0;
}

}  // namespace

int theory_command(const TheoryOptions& o) {
  Assignments sets;
  for (const auto& s : o.sets) sets.push_back(parse_assignment(s, "--set"));
  if (const CurveModel* curve = find_curve_model(o.model)) return curve_theory_command(*curve, o, sets);
  if (const FunctionalModel* f = find_functional_model(o.model)) return functional_theory_command(*f, o, sets);
  const Model& model = find_model(o.model);
  const Params params = resolve_params(o.model, model.params(), sets);
  if (!o.t.empty()) throw InputError(fmt::format("--t: model {} has no time dependence", o.model));
  const auto x = o.x.empty() ? std::vector<double>{} : parse_real_list(o.x, "--x");
  const auto z = o.z.empty() ? std::vector<complex>{} : parse_complex_list(o.z, "--z");
  const auto law = model.law(params, StreamKey{o.seed, case_key(o.model, params), 0, 0});
  const double scale = spectral_scale(law->moments(2));
  const auto json = theory_json(model, params, *law, o.x.empty() ? density_grid(*law, 21) : x,
                                o.z.empty() ? standard_stieltjes_points(law->support(), scale) : z);
  fmt::print("{}\n", json.dump());
  return 0;
}

int models_command(bool json) {
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
  if (json) {
    fmt::print("{}\n", all.dump(2));
    return 0;
  }
  for (const auto& m : all) {
    fmt::print("{}  ({}, docs/theory.md §{})\n", m["name"].get<std::string>(), m["matrix"].get<std::string>(),
               m["theory"].get<std::string>());
    if (m.contains("edge")) fmt::print("    right edge {}\n", m["edge"].get<std::string>());
    for (const auto& p : m["params"]) {
      const std::string range = p.contains("min")
                                    ? fmt::format(" in {}{}, {}{}", p["min_open"].get<bool>() ? '(' : '[', p["min"].dump(),
                                                  p["max"].dump(), p["max_open"].get<bool>() ? ')' : ']')
                                    : "";
      fmt::print("    {:<10} {:<8} default {:<12}{}  {}\n", p["name"].get<std::string>(), p["type"].get<std::string>(),
                 p["default"].get<std::string>(), range, p["description"].get<std::string>());
    }
  }
  return 0;
}

int devices_command(bool json) {
  nlohmann::json out = nlohmann::json::array();
  const auto cpu = make_cpu_backend()->info();
  out.push_back({{"backend", "cpu"}, {"usable", true}, {"name", cpu.name}, {"memory_bytes", cpu.memory_bytes}, {"details", cpu.details}});
  const CudaProbe probe = probe_cuda();
  nlohmann::json cuda = {{"backend", "cuda"}, {"compiled", probe.compiled}, {"usable", probe.usable}};
  if (probe.usable) {
    const auto info = make_cuda_backend()->info();
    cuda.update({{"name", info.name}, {"memory_bytes", info.memory_bytes}, {"details", info.details}, {"device_count", probe.device_count}});
  } else {
    cuda["reason"] = probe.reason;
  }
  out.push_back(cuda);
  if (json) {
    fmt::print("{}\n", out.dump(2));
    return 0;
  }
  for (const auto& d : out) {
    if (d["usable"].get<bool>())
      fmt::print("{:<5} {}  ({:.1f} GiB available)  {}\n", d["backend"].get<std::string>(), d["name"].get<std::string>(),
                 d["memory_bytes"].get<double>() / 1073741824.0, d["details"].get<std::string>());
    else
      fmt::print("{:<5} not usable: {}\n", d["backend"].get<std::string>(), d["reason"].get<std::string>());
  }
  return 0;
}

int report_command(const std::string& dir) {
  write_report(dir);
  fmt::print(stderr, "wrote {}/report.html\n", dir);
  return 0;
}

}  // namespace rmt::bench
