#pragma once
// Random-feature ridge regression on given data (docs/theory.md §4.3, §4.4): the Louart–Liao–Couillet
// deterministic equivalents of the training and test MSE of
//     β = (1/n) Σ (ΣᵀΣ/n + γ I_n)⁻¹ y,   Σ = σ(WX) ∈ R^{N×n},   W iid N(0, 1),
// and the random-Fourier-feature training error (Σ = [cos(WX); sin(WX)] ∈ R^{2N×n}).
// Data are p×n column-major, already scaled as §4.1 wants (‖x_i‖ = O(1), e.g. raw data / √p).
#include <span>
#include <vector>

#include "core/base/activation.hpp"
#include "core/base/types.hpp"

namespace rmt::theory {

// Φ(A, B) = E_w[σ(Aᵀw) σ(wᵀB)] (na×nb, column-major) for A p×na and B p×nb: the closed forms of
// §4.2 when σ has one (its shift applied once per column), quadrature otherwise.
std::vector<double> cross_kernel_matrix(const Activation& f, std::span<const double> a, index_t na,
                                        std::span<const double> b, index_t nb, index_t p);

// Φ(X, X) diagonalised once (LAPACK dsyevd): Φ = U diag(λ) Uᵀ, λ ascending and clipped at 0 (Φ is
// positive semi-definite; rounding may leave tiny negatives), U n×n column-major.
struct KernelEigen {
  index_t n = 0;
  std::vector<double> lambda, u;
};
KernelEigen kernel_eigen(const Activation& f, std::span<const double> x, index_t p, index_t n);

struct LlcRidge {
  double delta = 0, train = 0, test = 0;
};
// X p×n train data, y (n), Xtest p×nt, ytest (nt), N features, ridge gamma > 0, activation f
// (kernel via expected_product / expected_kernel_matrix). §4.3:
//   δ = (1/n) tr ΦQ̄, Q̄ = (Ψ + γ)⁻¹, Ψ = (N/n) Φ/(1 + δ),
//   Ē_train = (γ²/n) yᵀQ̄[(1/N) tr ΨQ̄² / (1 − (1/N) tr (ΨQ̄)²) Ψ + I]Q̄y,
//   Ē_test  = (1/n̂)‖ŷ − Ψ_X̂X Q̄y‖² + (1/N) yᵀQ̄ΨQ̄y / (1 − (1/N) tr (ΨQ̄)²)
//             · (1/n̂)[tr Ψ_X̂X̂ − tr((I + γQ̄)Ψ_XX̂ Ψ_X̂X Q̄)].
LlcRidge llc_ridge(const Activation& f, std::span<const double> x, std::span<const double> y,
                   std::span<const double> xtest, std::span<const double> ytest, index_t p, double N, double gamma);

struct RffRidge {
  double delta_cos = 0, delta_sin = 0, train = 0;
};
// §4.4 (Liao–Couillet–Mahoney 2020): two coupled fixed points δ_cos, δ_sin with
// Q̄ = ((N/n)(K_cos/(1 + δ_cos) + K_sin/(1 + δ_sin)) + γ)⁻¹, solved by Newton (its Jacobian is
// I − (N/n)Ω, the Ω of the training-error formula); N is the number of frequencies (2N features).
RffRidge rff_ridge_train(std::span<const double> x, std::span<const double> y, index_t p, double N, double gamma);

}  // namespace rmt::theory
