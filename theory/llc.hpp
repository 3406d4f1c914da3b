#pragma once
// Kernels of random features (SPEC §4.2, §4.5): Φ(a, b) = E_w[σ(wᵀa) σ(wᵀb)] for w ~ N(0, I_p),
// i.e. E[σ(u)σ(v)] with (u, v) ~ N(0, [[s11, s12], [s12, s22]]), s11 = ‖a‖², s12 = aᵀb, s22 = ‖b‖²;
// and the Gaussian-mixture linearisation coefficients d0, d1, d2 (Liao–Couillet 2018).
#include <optional>

#include "core/activation.hpp"

namespace rmt::theory {

// The closed forms of the §4.2 table (raw σ; linear, relu, leaky_relu, abs, step, sign, erf, cos,
// sin, exp, quadratic), or nothing for activations without one.
std::optional<double> kernel_closed_form(const Activation& f, double s11, double s12, double s22);

// Nested 1-D adaptive quadrature, the inner integral split at the kink of σ(v): any activation.
double kernel_quadrature(const Activation& f, double s11, double s12, double s22);

// The closed form when there is one, quadrature otherwise. The activation's shift and scale apply.
double expected_product(const Activation& f, double s11, double s12, double s22);

struct DCoefficients {
  double d0;  // Var σ(√τ ξ) - τ (E σ'(√τ ξ))²
  double d1;  // (E σ'(√τ ξ))²
  double d2;  // (E σ''(√τ ξ))² / 4
};
DCoefficients d_coefficients(const Activation& f, double tau);

}  // namespace rmt::theory
