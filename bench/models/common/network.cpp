#include "bench/models/common/network.hpp"

#include <cmath>

#include <fmt/format.h>

#include "core/base/error.hpp"
#include "core/base/parse.hpp"
#include "theory/gaussian.hpp"

namespace rmt::bench {

std::vector<ParamSpec> activation_params(std::string default_activation, ActivationRestriction restrict) {
  return {ParamSpec::text("activation", std::move(default_activation),
                          "activation: linear, relu, abs, tanh, erf, sigmoid, sign, step, cos, sin, exp, quadratic, "
                          "leaky_relu, elu, softplus, gelu, swish",
                          [restrict](std::string_view v, std::string_view what) {
                            const ActivationKind kind = parse_activation_kind(trim(v));
                            if (restrict) restrict(kind, v, what);
                          }),
          ParamSpec::real("slope", "0.01", "negative-side slope of leaky_relu", -1e3, 1e3)};
}

Activation activation_from(const Params& p) {
  Activation f;
  f.kind = parse_activation_kind(p.text("activation"));
  f.slope = p.real("slope");
  return f;
}

int second_hermite_outliers(const Params& p, int layers) {
  return std::abs(theory::hermite_coefficients(activation_from(p)).mu2) > 1e-12 ? 2 * layers : 0;
}

double droppable_mu2(const Params& p) {
  const double mu2 = theory::hermite_coefficients(activation_from(p)).mu2;
  if (!(std::abs(mu2) > 1e-12))
    throw InputError(fmt::format("drop_mu2: activation {} has no second Hermite term (μ2 = 0), dropping it changes nothing",
                                 p.text("activation")));
  return mu2;
}

std::vector<double> parse_layer_ratios(std::string_view text, std::string_view what) {
  const auto ratios = parse_real_list(text, what);
  for (const double g : ratios)
    if (!(g > 0 && g <= 100)) throw InputError(fmt::format("{}: layer ratio {} is out of range (0, 100]", what, g));
  if (ratios.size() > 32) throw InputError(fmt::format("{}: at most 32 layers", what));
  return ratios;
}

}  // namespace rmt::bench
