#pragma once
// Distances between an empirical spectrum (sorted eigenvalues) and a theoretical law.
#include <span>
#include <vector>

#include "core/base/spectral_cdf.hpp"
#include "core/base/spectral_law.hpp"

namespace rmt {

// Eigenvalues within `tol` of an atom are moved onto it: the numerical zeros of a rank-deficient
// Gram matrix (|λ| ~ 1e-15) belong to the atom at 0, on either side of it.
std::vector<double> snap_to_atoms(std::vector<double> sorted, const std::vector<Atom>& atoms, double tol);

// Kolmogorov–Smirnov: sup_x |F_n(x) - F(x)|, exact for sorted eigenvalues (F may have atoms).
double ks_distance(std::span<const double> sorted, const SpectralCdf& cdf);

// Wasserstein-1: ∫ |F_n(x) - F(x)| dx, with F sampled at the eigenvalues and on a fine grid of
// each support component (Simpson per segment, split where F crosses the step of F_n).
double wasserstein1(std::span<const double> sorted, const SpectralCdf& cdf,
                    const std::vector<Interval>& support, int grid_per_component = 512);

// ∫_u^v |c − F(x)| dx for F continuous and increasing on (u, v), from F at u⁺, the midpoint and v⁻
// (Simpson, split at the crossing when F crosses c): one segment of wasserstein1.
double abs_gap_integral(double u, double v, double fu, double fm, double fv, double c);

// (1/d) Σ λ^k, k = 1..count.
std::vector<double> empirical_moments(std::span<const double> eigs, int count);

// (1/d) Σ 1/(λ - z).
complex empirical_stieltjes(std::span<const double> eigs, complex z);

// Standard comparison points z = x + iη: x at 0, 1/4, ..., 1 of the support hull and
// η ∈ {0.05, 0.1, 0.3} times `scale` (the spectral scale), plus the real point
// z = min(0, lo) - scale, left of the support.
std::vector<complex> standard_stieltjes_points(const std::vector<Interval>& support, double scale);

// Distance from z to the convex hull of the support: the natural unit of Stieltjes errors, since
// the fluctuation of (1/d) Σ 1/(λ - z) is of order 1/(d · distance).
double distance_to_support(complex z, const std::vector<Interval>& support);

// max_k distance(z_k) · |m_n(z_k) - m(z_k)|: dimensionless, O(1/d) for a correct law.
double stieltjes_error(std::span<const complex> z, std::span<const complex> empirical,
                       std::span<const complex> theory, const std::vector<Interval>& support);

// The two-sided standard Gaussian quantile: z with P(|N(0, 1)| > z) = p, p ∈ (0, 1).
double normal_two_sided_quantile(double p);

// ---- The right edge in Tracy–Widom units (docs/theory.md §9.5) ----------------------------------
//
// At a square-root right edge, ρ(x) ≈ (a/π)√(λ₊ − x) as x ↑ λ₊, the largest of d eigenvalues
// fluctuates like λ_max ≈ λ₊ + σ_d·TW₁ with σ_d = (a d)^{-2/3} (real matrices, β = 1): the semicircle
// on [-2, 2] has a = 1 and σ_d = d^{-2/3}.

// σ_d = (a d)^{-2/3} for the square-root coefficient a.
double tracy_widom_scale(double sqrt_coefficient, index_t dim);

// The coefficient a of a square-root right edge λ₊ = `right_edge`, estimated from the law's density
// on `window` to the left of the edge: π²ρ(x)² = a²(λ₊ − x)(1 + O(λ₊ − x)) is fitted by a quadratic in
// x at 12 points of the window (least squares) and a² = −q'(x₀) at the fit's root x₀ next to λ₊, so
// a slightly misplaced edge does not bias it. Returns NaN when the density does not look like a
// square-root edge there (no root near λ₊, a² ≤ 0, or a poor fit).
double sqrt_edge_coefficient(const SpectralLaw& law, double right_edge, double window);

struct EdgeError {
  double absolute;  // λ_max - λ₊
  double tw;        // (λ_max - λ₊)/σ_d: Tracy–Widom units (NaN when σ_d is not known)
};
// `tw_scale` = σ_d (tracy_widom_scale); NaN or ≤ 0 when unknown.
EdgeError edge_error(double lambda_max, double right_edge, double tw_scale);

// The Tracy–Widom law TW₁ of the largest eigenvalue of a real symmetric matrix (GOE, real Wishart),
// computed, not tabulated: F₁(s) = det(I − K_s) on L²(0, ∞) with K_s(x, y) = ½ Ai((x + y)/2 + s)
// (Ferrari–Spohn form), evaluated by Bornemann's (2010) Gauss–Legendre discretisation of the
// Fredholm determinant on a truncated interval, the determinant by LU (LAPACK).
namespace tw1 {
// F₁(s), about 1e-14 absolute.
double cdf(double s);
// The smallest s with F₁(s) ≥ u, u ∈ (0, 1), to about 1e-12.
double quantile(double u);
// Mean and variance, from ∫(1 − F₁) and ∫F₁ on the two half-lines (computed once, then cached).
double mean();
double variance();
// The t > 0 with F₁(−t) + 1 − F₁(t) = alpha: the bound on |TW₁| exceeded with probability alpha.
double abs_bound(double alpha);
}  // namespace tw1

}  // namespace rmt
