// Theory-side mutations (bench/mutation.hpp): the wrapper model that samples with the case's own
// parameters and builds its law from mutated ones, and the record keys of a mutated case.
#include "bench/mutation.hpp"

#include <cmath>

#include <fmt/format.h>

#include "bench/case.hpp"
#include "bench/curve_model.hpp"
#include "core/base/error.hpp"
#include "theory/affine_law.hpp"

namespace rmt::bench {

namespace {

// Samples with the wrapped model and the case's parameters; the law and the predicted outliers come
// from `theory_` (the mutated parameters), with a₁ scaled by `a1_` (or μ₂ dropped) and the law scaled by `scale_`.
class MutatedModel final : public Model {
 public:
  MutatedModel(const Model& inner, Params theory, double scale, double a1, bool drop_mu2)
      : inner_(inner), theory_(std::move(theory)), scale_(scale), a1_(a1), drop_mu2_(drop_mu2) {}

  std::string_view name() const override { return inner_.name(); }
  std::string_view matrix() const override { return inner_.matrix(); }
  std::string_view section() const override { return inner_.section(); }
  std::vector<ParamSpec> params() const override { return inner_.params(); }
  Sizes sizes(const Params& p) const override { return inner_.sizes(p); }
  MemoryPlan memory_plan(const Params& p) const override { return inner_.memory_plan(p); }

  std::unique_ptr<SpectralLaw> law(const Params&, const StreamKey& key) const override {
    auto law = drop_mu2_  ? inner_.law_without_mu2(theory_, key)
               : a1_ != 1 ? inner_.law_hermite_a1(theory_, key, a1_)
                          : inner_.law(theory_, key);
    if (!law) throw InputError(fmt::format("model {} has no law with this Hermite change", inner_.name()));
    if (scale_ != 1) law = std::make_unique<theory::AffineLaw>(std::move(law), scale_, 0.0);
    return law;
  }

  // The mutated predictions, labelled with the sampled spikes (k-th largest with k-th largest) so
  // that bench/spectral_case.cpp pairs them with the measured outliers.
  std::vector<Outlier> theory_outliers(const Params& p) const override {
    auto out = inner_.theory_outliers(theory_);
    const auto sampled = inner_.theory_outliers(p);
    for (std::size_t k = 0; k < out.size(); ++k) {
      out[k].position *= scale_;
      out[k].position_tolerance *= scale_;
      if (out.size() == sampled.size()) out[k].spike = sampled[k].spike;
    }
    return out;
  }

  int unpredicted_outliers(const Params& p) const override { return inner_.unpredicted_outliers(p); }
  bool judges_edge(const Params& p) const override { return inner_.judges_edge(p); }
  std::string_view edge_note() const override { return inner_.edge_note(); }
  double finite_size_factor() const override { return inner_.finite_size_factor(); }
  int tracked_spikes(const Params& p) const override { return inner_.tracked_spikes(p); }
  std::string_view aspect_param() const override { return inner_.aspect_param(); }
  Draw sample(Backend& backend, const Params& p, const StreamKey& key, StageTimes& t) const override {
    return inner_.sample(backend, p, key, t);
  }
  // The sampled matrix is the inner model's: so is its matrix-free form (method = slq).
  bool has_gram_features(const Params& p) const override { return inner_.has_gram_features(p); }
  GramFeatures gram_features(Backend& backend, const Params& p, const StreamKey& key) const override {
    return inner_.gram_features(backend, p, key);
  }
  elements_t slq_operator_elements(const Params& p, OperatorStorage storage, index_t tile) const override {
    return inner_.slq_operator_elements(p, storage, tile);
  }

 private:
  const Model& inner_;
  Params theory_;
  double scale_, a1_;
  bool drop_mu2_;
};

}  // namespace

std::string TheoryMutation::describe() const {
  std::string out;
  for (const auto& [k, v] : set) out += fmt::format("{}{}={}", out.empty() ? "theory " : ", ", k, v);
  if (scale != 1) out += fmt::format("{}scale ×{}", out.empty() ? "" : ", ", scale);
  if (hermite_a1 != 1) out += fmt::format("{}a1 ×{}", out.empty() ? "" : ", ", hermite_a1);
  if (drop_mu2) out += fmt::format("{}μ2 dropped", out.empty() ? "" : ", ");
  return out;
}

nlohmann::json TheoryMutation::to_json() const {
  nlohmann::json set_json = nlohmann::json::object();
  for (const auto& [k, v] : set) set_json[k] = v;
  return {{"theory_set", set_json}, {"scale", scale}, {"hermite_a1", hermite_a1}, {"drop_mu2", drop_mu2}, {"expect", expect},
          {"description", describe()}};
}

void validate_mutation(const TheoryMutation& m, const ResolvedCase& c) {
  const auto where = fmt::format("case '{}': mutation", c.spec.name);
  if (!(std::isfinite(m.scale) && m.scale > 0))
    throw InputError(fmt::format("{}: scale = {} must be finite and > 0", where, m.scale));
  if (!(std::isfinite(m.hermite_a1) && m.hermite_a1 > 0))
    throw InputError(fmt::format("{}: hermite_a1 = {} must be finite and > 0", where, m.hermite_a1));
  if (m.expect != "caught" && m.expect != "survives")
    throw InputError(fmt::format("{}: expect = \"{}\" is not one of caught, survives", where, m.expect));
  if (m.hermite_a1 != 1) {
    if (c.kind != CaseKind::spectral)
      throw InputError(fmt::format("{}: hermite_a1 applies to spectral models only", where));
    if (!c.model->law_hermite_a1(c.params, StreamKey{}, 1.0))
      throw InputError(fmt::format("{}: model {} has no law with a scaled Hermite coefficient a1", where, c.spec.model));
  }
  if (m.drop_mu2) {
    if (m.hermite_a1 != 1) throw InputError(fmt::format("{}: drop_mu2 and hermite_a1 cannot be combined", where));
    const bool supported = c.kind == CaseKind::spectral
                               ? c.model->law_without_mu2(c.params, StreamKey{}) != nullptr
                               : c.curve && !c.curve->theory_without_mu2(c.params, curve_axis(*c.curve, c.params)).empty();
    if (!supported)
      throw InputError(fmt::format("{}: model {} has no second Hermite term among its theory's inputs (drop_mu2)", where,
                                   c.spec.model));
  }
}

ResolvedCase mutated_case(const ResolvedCase& c, const TheoryMutation& m) {
  ResolvedCase out = c;
  Assignments given = c.spec.params;
  given.insert(given.end(), m.set.begin(), m.set.end());
  out.theory_params = resolve_params(c.spec.model, c.base->params(), given);
  if (c.kind == CaseKind::functional) {  // every prediction × scale (bench/functional_case.hpp)
    out.theory_scale = c.theory_scale * m.scale;
    return out;
  }
  if (c.kind == CaseKind::curve) {
    out.theory_scale = c.theory_scale * m.scale;
    out.theory_drop_mu2 = m.drop_mu2;
    const auto axis = curve_axis(*c.curve, c.params), theory_axis = curve_axis(*c.curve, out.theory_params);
    if (axis.name != theory_axis.name || axis.values.size() != theory_axis.values.size())
      throw InputError(fmt::format("case '{}': the mutated theory must run over the same curve ({} points of {})",
                                   c.spec.name, axis.values.size(), axis.name));
    return out;
  }
  const Model& inner = find_model(c.spec.model);  // the registry's model, not a wrapper
  out.owned_model = std::make_shared<MutatedModel>(inner, out.theory_params, m.scale, m.hermite_a1, m.drop_mu2);
  out.model = out.owned_model.get();
  out.base = out.model;
  return out;
}

ResolvedCase unmutated_case(const ResolvedCase& c) {
  ResolvedCase out = c;
  out.spec.mutation = TheoryMutation{};
  out.theory_params = c.params;
  out.theory_scale = 1;
  out.theory_drop_mu2 = false;
  out.owned_model.reset();
  if (c.kind == CaseKind::spectral) {
    out.model = &find_model(c.spec.model);
    out.base = out.model;
  }
  return out;
}

nlohmann::json mutation_json(const TheoryMutation& m, bool mutated_passes, bool correct_passes,
                             const nlohmann::json& correct_metrics) {
  nlohmann::json j = m.to_json();
  j["correct_verdict"] = correct_passes ? "pass" : "fail";
  j["correct_metrics"] = correct_metrics;
  j["status"] = !correct_passes ? "inconclusive" : mutated_passes ? "survived" : "caught";
  return j;
}

bool record_fails_run(const nlohmann::json& record) {
  if (const auto it = record.find("mutation"); it != record.end() && it->is_object() && it->contains("status")) {
    if (it->value("expect", std::string("caught")) == "survives") return it->value("status", std::string()) == "inconclusive";
    return it->value("status", std::string()) != "caught";
  }
  return record.value("verdict", std::string()) != "pass";
}

std::string verdict_word(const nlohmann::json& record) {
  if (const auto it = record.find("mutation"); it != record.end() && it->is_object() && it->contains("status")) {
    const auto status = it->value("status", std::string());
    if (status == "caught") return "CAUGHT";
    if (status == "survived") return it->value("expect", std::string()) == "survives" ? "SURVIVED (known)" : "SURVIVED";
    return "INCONCLUSIVE";
  }
  return record.value("verdict", std::string()) == "pass" ? "PASS" : "FAIL";
}

}  // namespace rmt::bench
