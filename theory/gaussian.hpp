#pragma once
// Gaussian expectations of activations (docs/theory.md §0, §9.3): E g(ξ), ξ ~ N(0,1), to ~1e-12, with the
// integral split at the kink for kinked functions; Hermite coefficients; centring/normalisation.
#include <functional>

#include "core/base/activation.hpp"

namespace rmt::theory {

// E[g(ξ)], ξ ~ N(0, 1). `split_at_zero`: integrate (-∞, 0] and [0, ∞) separately (kinks, jumps).
double gaussian_expectation(const std::function<double(double)>& g, bool split_at_zero = true);

// Coefficients of x ↦ f(√q x) for the raw activation (its shift and scale are ignored):
struct HermiteCoefficients {
  double mu0 = 0;              // E f(√q ξ)
  double mu1 = 0;              // E[ξ f(√q ξ)]  (= √q E f'(√q ξ), Stein)
  double mu2 = 0;              // E[(ξ² - 1) f(√q ξ)] / √2
  double second_moment = 0;    // E f(√q ξ)²
  double mu_star = 0;          // √(E f² - μ0² - μ1²)
  double derivative_mean = 0;  // E f'(√q ξ) (via Stein: μ1/√q)
  double derivative_square = 0;  // E f'(√q ξ)², the a_σ of the NTK (infinite for sign/step: NaN)
};
HermiteCoefficients hermite_coefficients(const Activation& f, double q = 1.0);

// f with shift = E f(√q ξ) (centred), and additionally scale = 1/sd (normalised: E f = 0, E f² = 1).
Activation centred(Activation f, double q = 1.0);
Activation normalised(Activation f, double q = 1.0);

}  // namespace rmt::theory
