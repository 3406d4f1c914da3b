#include "bench/case.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "bench/curve_case.hpp"
#include "bench/curve_model.hpp"
#include "bench/distributed_case.hpp"
#include "bench/functional_case.hpp"
#include "bench/functional_model.hpp"
#include "bench/slq_case.hpp"
#include "bench/spectral_case.hpp"
#include "core/base/error.hpp"
#include "core/base/hash.hpp"

namespace rmt::bench {

namespace {

// The model and its kind, each registry searched once: a learning-curve model, else a spectral one.
void find_model_of_case(ResolvedCase& c) {
  if (const CurveModel* curve = find_curve_model(c.spec.model)) {
    c.kind = CaseKind::curve;
    c.curve = curve;
    c.base = curve;
    return;
  }
  if (const FunctionalModel* functional = find_functional_model(c.spec.model)) {
    c.kind = CaseKind::functional;
    c.functional = functional;
    c.base = functional;
    return;
  }
  for (const auto& m : models())
    if (m->name() == c.spec.model) {
      c.kind = CaseKind::spectral;
      c.model = m.get();
      c.base = m.get();
      return;
    }
  find_any_model(c.spec.model);  // neither: throws the InputError that lists every model
  throw Error(fmt::format("internal: model '{}' is registered but neither spectral nor a learning curve", c.spec.model));
}

// method = slq: a spectral model with a matrix-free product, and sane SLQ settings.
void validate_slq(const ResolvedCase& c) {
  const auto& spec = c.spec;
  if (c.kind != CaseKind::spectral)
    throw InputError(fmt::format("case '{}': method = slq measures spectra; model {} is {}", spec.name, spec.model,
                                 c.kind == CaseKind::curve ? "a learning curve" : "a functional model"));
  if (!c.model->has_gram_features(c.params))
    throw InputError(fmt::format("case '{}': model {} has no matrix-free product (its matrix is not a Gram matrix of "
                                 "features formed column by column): use method = dense",
                                 spec.name, spec.model));
  const auto& s = spec.slq;
  if (s.probes != 0 && (s.probes < 2 || s.probes > 4096))
    throw InputError(fmt::format("case '{}': probes = {} is out of range [2, 4096] (standard errors need two; 0: default)", spec.name,
                                 s.probes));
  if (s.steps < 2 || s.steps > 100000)
    throw InputError(fmt::format("case '{}': steps = {} is out of range [2, 100000]", spec.name, s.steps));
  if (s.storage != "auto") parse_operator_storage(s.storage, fmt::format("case '{}': storage", spec.name));
  if (s.tile < 0) throw InputError(fmt::format("case '{}': tile = {} must be >= 0", spec.name, s.tile));
  if (spec.mutation.active())
    throw InputError(fmt::format("case '{}': mutations run on the dense path only (method = dense)", spec.name));
}

}  // namespace

int slq_probes(const ResolvedCase& c, const Backend& backend) {
  if (c.spec.slq.probes > 0) return c.spec.slq.probes;
  return backend.name() == "cuda" ? 32 : 16;
}

elements_t lanczos_elements(const ResolvedCase& c, const Backend& backend) {
  const auto& s = c.spec.slq;
  const int probes = slq_probes(c, backend);
  const index_t blocks = 4 + (s.reorth ? std::min<index_t>(s.steps, c.sizes.eig_dim) : 0);
  // Plus a product's small intermediates (F_tᵀV or F V: at most rows + cols of the sample by b).
  return cells(c.sizes.eig_dim, probes) * static_cast<elements_t>(blocks) +
         cells(c.sizes.rows + c.sizes.cols, probes);
}

OperatorStorage slq_storage(const ResolvedCase& c, const Backend& backend) {
  if (c.spec.slq.storage != "auto") return parse_operator_storage(c.spec.slq.storage, "storage");
  const elements_t stored = c.model->slq_operator_elements(c.params, OperatorStorage::stored, c.spec.slq.tile) +
                            lanczos_elements(c, backend);
  const double bytes = static_cast<double>(stored) * static_cast<double>(element_bytes(backend.precision()));
  return bytes <= 0.9 * static_cast<double>(backend.available_bytes()) ? OperatorStorage::stored
                                                                       : OperatorStorage::regenerate;
}

std::uint32_t case_key(std::string_view model, const Params& params) {
  return fnv1a32(fmt::format("{}:{}", model, params.canonical()));
}

ResolvedCase resolve_case(const CaseSpec& spec) {
  ResolvedCase c;
  c.spec = spec;
  find_model_of_case(c);
  if (spec.replicates < 1 || spec.replicates > 100000)
    throw InputError(fmt::format("case '{}': replicates = {} is out of range [1, 100000]", spec.name, spec.replicates));
  const Precision precision = parse_precision(spec.precision, fmt::format("case '{}': precision", spec.name));
  c.params = resolve_params(spec.model, c.base->params(), spec.params);
  c.sizes = c.base->sizes(c.params);
  switch (c.kind) {
    case CaseKind::curve:
      curve_axis(*c.curve, c.params);  // rejects two grids up front
      c.curve->validate(c.params);
      c.spec.replicates = std::max(c.spec.replicates, c.curve->min_replicates());
      // Learning curves solve ridge systems down to λ ≈ 1e-7 and difference risks near the
      // interpolation peak: fp32's 6e-8 unit roundoff is the size of the effect measured.
      if (precision == Precision::fp32)
        throw InputError(fmt::format("case '{}': model {} needs fp64 (its learning curve solves ridge systems at "
                                     "small λ, where fp32 rounding is as large as the quantity measured)",
                                     spec.name, spec.model));
      break;
    case CaseKind::functional:
      c.functional->validate(c.params);
      c.spec.replicates = std::max(c.spec.replicates, c.functional->min_replicates(c.params));
      [[fallthrough]];  // no grids either
    case CaseKind::spectral:
      for (const auto& spec_param : c.base->params())
        if (spec_param.kind == ParamSpec::Kind::grid && c.params.is_grid(spec_param.name))
          throw InputError(fmt::format("case '{}': parameter {} cannot be a grid here", spec.name, spec_param.name));
      break;
  }
  if (spec.method != "dense" && spec.method != "slq" && spec.method != "distributed")
    throw InputError(fmt::format("case '{}': method '{}' is not one of dense, slq, distributed", spec.name, spec.method));
  if (spec.method != "dense" && c.kind == CaseKind::functional)
    throw InputError(fmt::format("case '{}': model {} measures functionals; method must be dense", spec.name, spec.model));
  if (spec.method == "slq") validate_slq(c);
  if (spec.method == "distributed") validate_distributed(c);
  c.case_key = case_key(spec.model, c.params);
  for (const auto& [key, value] : spec.tolerance)
    if (!(value >= 0)) throw InputError(fmt::format("case '{}': tolerance {} = {} must be >= 0", spec.name, key, value));
  c.theory_params = c.params;
  if (spec.mutation.active()) {
    validate_mutation(spec.mutation, c);
    return mutated_case(c, spec.mutation);
  }
  return c;
}

void check_memory(const ResolvedCase& c, Backend& backend) {
  // The plan's peak (max over the phases of one draw, the eigensolver's workspace from the backend's
  // own size query) in the case's precision: the query depends on the backend's working precision.
  const Precision precision = parse_precision(c.spec.precision, "precision");
  const PrecisionScope scope(backend, precision);
  MemoryPlan plan;
  if (c.spec.method == "slq") {
    const OperatorStorage storage = slq_storage(c, backend);
    plan.add(fmt::format("SLQ, {} operator and Lanczos blocks of {} probes", to_string(storage), slq_probes(c, backend)),
             c.model->slq_operator_elements(c.params, storage, c.spec.slq.tile) + lanczos_elements(c, backend));
  } else if (c.spec.method == "distributed") {
    plan = distributed_memory_plan(c);  // one rank's share (bench/distributed_case.hpp)
  } else {
    plan = c.base->memory_plan(c.params);
  }
  const std::size_t available = backend.available_bytes();
  // Matrices alone too large: refused without asking the solver library about an absurd size.
  MemoryPlan matrices;
  for (const auto& ph : plan.phases)
    if (matrices.phases.empty() || ph.elements > matrices.phases.front().elements)
      matrices.phases = {{ph.name + ", matrices alone", ph.elements, 0, 0}};
  MemoryPeak peak = peak_memory(matrices, backend);
  if (peak.bytes <= available) peak = peak_memory(plan, backend);
  const std::size_t needed = peak.bytes;
  if (needed > available)
    throw ResourceError(fmt::format(
        "case '{}' needs {} bytes ({:.2f} GiB) of {} memory for a {}x{} sample and {}; only {} bytes "
        "({:.2f} GiB) are available (peak at '{}' in {}, {} bytes of it eigensolver workspace)",
        c.spec.name, needed, needed / 1073741824.0, backend.name(), c.sizes.rows, c.sizes.cols,
        c.spec.method == "slq" ? fmt::format("an operator of dimension {}", c.sizes.eig_dim)
                               : fmt::format("a {}x{} matrix", c.sizes.eig_dim, c.sizes.eig_dim),
        available, available / 1073741824.0, peak.phase, to_string(precision), peak.workspace));
}

nlohmann::json run_case(Backend& backend, const ResolvedCase& c, const std::filesystem::path& out_dir) {
  switch (c.kind) {
    case CaseKind::spectral:
      return c.spec.method == "slq" ? run_slq_case(backend, c, out_dir) : run_spectral_case(backend, c, out_dir);
    case CaseKind::curve: return run_curve_case(backend, c);
    case CaseKind::functional: return run_functional_case(backend, c);
  }
  throw Error("internal: unknown case kind");
}

}  // namespace rmt::bench
