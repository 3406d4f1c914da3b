#include "core/base/activation.hpp"

#include <array>
#include <string>

#include <fmt/format.h>

#include "core/base/error.hpp"

namespace rmt {

namespace {
constexpr std::array<std::string_view, 17> kNames = {
    "linear", "relu", "abs", "tanh", "erf", "sigmoid", "sign", "step", "cos",
    "sin", "exp", "quadratic", "leaky_relu", "elu", "softplus", "gelu", "swish"};
}

std::string_view activation_name(ActivationKind k) { return kNames[static_cast<std::size_t>(k)]; }

ActivationKind parse_activation_kind(std::string_view name) {
  for (std::size_t i = 0; i < kNames.size(); ++i)
    if (kNames[i] == name) return static_cast<ActivationKind>(i);
  std::string known;
  for (const auto n : kNames) known += (known.empty() ? "" : ", ") + std::string(n);
  throw InputError(fmt::format("unknown activation '{}' (known: {})", name, known));
}

}  // namespace rmt
