#pragma once
// Learning dynamics of least squares (docs/theory.md §7.1, §7.2): gradient flow / gradient descent on
// 𝓛(w) = ‖y − Xw‖²/(2n), rows of X ~ (0, Σ), y = Xβ* + ε, Var ε = σ², started at w0 ~ (0, σ0²/p I).
// Deterministic equivalents of the excess test risk 𝓑 + 𝓥 + 𝓘 and of the training error at time t.
#include <span>

namespace rmt::theory {

struct FlowPoint {
  double t = 0;
  double bias = 0, variance = 0, init = 0;  // 𝓑(t), 𝓥(t), 𝓘(t)
  double test = 0;                          // excess risk 𝓑 + 𝓥 + 𝓘
  double train = 0;                         // training MSE, including the w0 term σ0² ∫ x e^{−2tx} dμ
};

// Isotropic Σ = I (§7.1, Advani–Saxe form): γ = p/n, ‖β*‖² = r2, noise σ², w0 ~ N(0, σ0²/p I).
// eta = 0: gradient flow at time t; eta > 0: gradient descent with step eta after k = round(t/eta)
// steps (e^{−tx} replaced by (1 − ηx)^k; FlowPoint::t is the t given). Throws rmt::InputError if
// eta ≥ 2/λmax, λmax = (1 + √γ)² the upper MP edge. t = +inf gives the ridgeless limit (the
// variance is +inf at γ = 1). Integrals against the MP density to ~1e-13 (trapezoid rule in θ after
// x = a + (b − a) sin²(θ/2), which removes the square-root edges; see numerics/band_quadrature.hpp).
// Training error with w0: E_train = (β* − w0)ᵀŜe^{−2tŜ}(β* − w0) + (σ²/n) tr e^{−2tK}, so w0 adds
// σ0² ∫ x e^{−2tx} ρ_γ(x) dx.
FlowPoint gf_isotropic(double gamma, double t, double r2, double sigma2, double sigma0_sq = 0, double eta = 0);

// General Σ (§7.2, fixed-Talbot rule, w0 = 0): Σ eigenvalues sigma_eig (p of them, ≥ 0), signal
// power per eigendirection beta2_k = (β*ᵀu_k)², n samples, noise σ². The bias is the two-resolvent
// double contour integral, the variance and the training error single ones
// (E_train = β*ᵀŜe^{−2tŜ}β* + (σ²/n) tr e^{−2tK}, K = XXᵀ/n). t = +inf allowed (ridgeless limit,
// docs/theory.md §5.1 with λ ↓ 0; p = n gives an infinite variance); t = 0 is the starting point.
// talbot_nodes M: even, 8..128. Discretisation error falls like e^{−cM} while the double integral
// amplifies rounding by ~e^{0.4M}: on the §7.2 reference configuration M = 32–40 is accurate to
// ~1e-11 for t ∈ [0.3, 50], M = 24 to ~1e-8, M = 64 to ~1e-8 (bias; variance and train ~1e-11).
FlowPoint gf_general(std::span<const double> sigma_eig, std::span<const double> beta2, double n, double sigma2,
                     double t, int talbot_nodes = 32);

}  // namespace rmt::theory
