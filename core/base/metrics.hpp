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

struct EdgeError {
  double absolute;  // λ_max - λ₊
  double scaled;    // (λ_max - λ₊) d^{2/3}: the Tracy–Widom scale of the edge
};
EdgeError edge_error(double lambda_max, double right_edge, index_t dim);

}  // namespace rmt
