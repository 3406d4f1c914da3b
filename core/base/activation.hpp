#pragma once
// Activation functions shared by the host (theory, CPU backend) and CUDA kernels. The engine
// applies y = scale * (f(x) - shift): `shift` = E f(√q ξ) centres, `scale` = 1/sd normalises
// (the theory layer computes both; see theory/gaussian.hpp).
#include <cmath>
#include <string_view>

#include "core/base/host_device.hpp"

namespace rmt {

enum class ActivationKind : int {
  linear, relu, abs, tanh, erf, sigmoid, sign, step, cos, sin, exp, quadratic,
  leaky_relu, elu, softplus, gelu, swish
};

// "relu" -> ActivationKind::relu; throws InputError listing the names.
ActivationKind parse_activation_kind(std::string_view name);
std::string_view activation_name(ActivationKind k);

struct Activation {
  ActivationKind kind = ActivationKind::linear;
  double slope = 0.01;  // leaky_relu: f(x) = x for x > 0, slope * x otherwise
  double shift = 0.0;
  double scale = 1.0;

  RMT_HD double raw(double x) const {
    switch (kind) {
      case ActivationKind::linear: return x;
      case ActivationKind::relu: return x > 0 ? x : 0.0;
      case ActivationKind::abs: return std::fabs(x);
      case ActivationKind::tanh: return std::tanh(x);
      case ActivationKind::erf: return std::erf(x);
      case ActivationKind::sigmoid: return 1.0 / (1.0 + std::exp(-x));
      case ActivationKind::sign: return x > 0 ? 1.0 : (x < 0 ? -1.0 : 0.0);
      case ActivationKind::step: return x > 0 ? 1.0 : 0.0;
      case ActivationKind::cos: return std::cos(x);
      case ActivationKind::sin: return std::sin(x);
      case ActivationKind::exp: return std::exp(x);
      case ActivationKind::quadratic: return x * x;
      case ActivationKind::leaky_relu: return x > 0 ? x : slope * x;
      case ActivationKind::elu: return x > 0 ? x : std::expm1(x);
      case ActivationKind::softplus: return x > 0 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x));
      case ActivationKind::gelu: return 0.5 * x * (1.0 + std::erf(x * 0.70710678118654752440));
      case ActivationKind::swish: return x / (1.0 + std::exp(-x));
    }
    return x;
  }

  // f'(x); for sign and step the (distributional) derivative is 0 away from the jump.
  RMT_HD double derivative(double x) const {
    switch (kind) {
      case ActivationKind::linear: return 1.0;
      case ActivationKind::relu: return x > 0 ? 1.0 : 0.0;
      case ActivationKind::abs: return x > 0 ? 1.0 : (x < 0 ? -1.0 : 0.0);
      case ActivationKind::tanh: {
        const double t = std::tanh(x);
        return 1.0 - t * t;
      }
      case ActivationKind::erf: return 1.12837916709551257390 * std::exp(-x * x);
      case ActivationKind::sigmoid: {
        const double s = 1.0 / (1.0 + std::exp(-x));
        return s * (1.0 - s);
      }
      case ActivationKind::sign:
      case ActivationKind::step: return 0.0;
      case ActivationKind::cos: return -std::sin(x);
      case ActivationKind::sin: return std::cos(x);
      case ActivationKind::exp: return std::exp(x);
      case ActivationKind::quadratic: return 2.0 * x;
      case ActivationKind::leaky_relu: return x > 0 ? 1.0 : slope;
      case ActivationKind::elu: return x > 0 ? 1.0 : std::exp(x);
      case ActivationKind::softplus: return 1.0 / (1.0 + std::exp(-x));
      case ActivationKind::gelu:
        return 0.5 * (1.0 + std::erf(x * 0.70710678118654752440)) +
               x * 0.39894228040143267794 * std::exp(-0.5 * x * x);
      case ActivationKind::swish: {
        const double s = 1.0 / (1.0 + std::exp(-x));
        return s + x * s * (1.0 - s);
      }
    }
    return 1.0;
  }

  RMT_HD double operator()(double x) const { return scale * (raw(x) - shift); }
};

}  // namespace rmt
