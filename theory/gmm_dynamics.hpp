#pragma once
// Liao & Couillet (ICML 2018), "The dynamics of learning: a random matrix approach" (docs/theory.md §7.4):
// binary Gaussian mixture x = μy + z, z ~ N(0, I_p), y = ±1 balanced, c = p/n; gradient descent with
// step α on ‖y − Xᵀw‖²/(2n) + (γ/2)‖w‖² from w0 ~ N(0, σ0²/p I), time t = number of steps,
// f_t(x) = e^{−αtx}. The score wᵀx of a class-(+1) test point is asymptotically N(E(t), V(t)):
//   E(t) = ∫ (1 − f_t(x+γ))/(x+γ) ω(dx) + (‖μ‖⁴ − c)⁺/‖μ‖² (1 − f_t(λs+γ))/(λs+γ),
//   V(t) = (‖μ‖² + c)/‖μ‖² [∫ (1 − f_t(x+γ))²/(x+γ)² ω(dx) + (‖μ‖⁴ − c)⁺/‖μ‖² (1 − f_t(λs+γ))²/(λs+γ)²]
//          + σ0² [∫ f_t(x+γ)² ρ_c(dx) + (1 − 1/c)⁺ f_t(γ)²],
// ω(x) = √((x − a)(b − x))/(2π(λs − x)) on the MP support [a, b] = [(1 − √c)², (1 + √c)²], ρ_c the MP
// density, λs = 1 + c + ‖μ‖² + c/‖μ‖² the mean-spike outlier. Error rate Q(E/√V).

namespace rmt::theory {

struct GmmDynamicsPoint {
  double t = 0, mean = 0 /*E(t)*/, var = 0 /*V(t)*/, error_rate = 0 /*Q(E/√V)*/;
};

// c = p/n > 0, mu_norm2 = ‖μ‖² > 0, step α > 0, ridge γ ≥ 0, σ0² ≥ 0, t ≥ 0 steps (real; +inf gives
// the limit, which diverges for c = 1, γ = 0: NumericalError). Throws rmt::InputError on out-of-range input.
GmmDynamicsPoint gmm_dynamics(double c, double mu_norm2, double step, double gamma, double sigma0_sq, double t);

}  // namespace rmt::theory
