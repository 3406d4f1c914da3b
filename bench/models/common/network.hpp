#pragma once
// Helpers shared by the nonlinear models (rf, kernel, ck, ntk): the activation parameters and the
// stage-timed backend calls.
#include <functional>
#include <string>
#include <vector>

#include "bench/model.hpp"
#include "core/base/activation.hpp"

namespace rmt::bench {

// `activation` (with the given default) and `slope` (leaky_relu). `restrict`, when given, rejects
// activations a model cannot use (throws InputError naming `what` and the value).
using ActivationRestriction = std::function<void(ActivationKind, std::string_view value, std::string_view what)>;
std::vector<ParamSpec> activation_params(std::string default_activation, ActivationRestriction restrict = {});
// The raw activation named by the parameters (shift 0, scale 1).
Activation activation_from(const Params& p);

// 2·layers when the activation's second Hermite coefficient μ2 ≠ 0, else 0: each layer's μ2 term
// adds a rank-two perturbation (row and column norm fluctuations) that the laws of §3 leave out.
int second_hermite_outliers(const Params& p, int layers);

// μ2 of the activation, for the "dropped μ2" theory mutation (bench/mutation.hpp). Throws InputError
// when μ2 = 0 (an odd activation): dropping the term would change nothing.
double droppable_mu2(const Params& p);

// Parses "0.8,1.25" (γ_ℓ = n/d_ℓ per layer), each in (0, 100].
std::vector<double> parse_layer_ratios(std::string_view text, std::string_view what);

}  // namespace rmt::bench
