#pragma once
// Comparing an SLQ estimate of a spectral distribution with a law, fairly (docs/theory.md, "Stochastic
// Lanczos quadrature"): every metric is computed from the probes' Gauss quadratures, with a standard
// error from the spread over probes, and never judges what the quadrature cannot resolve.
//  - Stieltjes error at the standard points with the imaginary part raised to at least the
//    resolution η_k = 4·width/k, the law evaluated at the same raised points (smoothed on both sides);
//  - KS through the Chebyshev–Markov–Stieltjes bracket: between consecutive nodes θ_i < x < θ_{i+1}
//    of a probe, its distribution function lies in [S_{i−1}, S_{i+1}] (S_i the partial sums of the
//    weights); the metric is the largest distance from the law's CDF to the probe-averaged bracket,
//    a lower bound on the KS distance of the probe-averaged measure;
//  - W1 of the probe-averaged quadrature measure (its error from the quadrature alone is ≲ width/k);
//  - moments of degree ≤ 2k − 1 are exact per probe (pure probe noise);
//  - the largest Ritz value is the right edge, reported and not judged.
#include <map>
#include <span>
#include <string>
#include <vector>

#include "core/base/spectral_cdf.hpp"
#include "core/base/spectral_law.hpp"
#include "core/slq/lanczos.hpp"

namespace rmt {

struct SlqMetric {
  double value = 0;
  double se = 0;  // standard error from the spread over probes
};

struct SlqComparison {
  std::map<std::string, SlqMetric> metrics;  // ks, w1, stieltjes_error, moment_error, edge_error
  std::vector<complex> z;                    // the comparison points, η raised to the resolution
  std::vector<complex> empirical;            // probe-averaged m(z)
  std::vector<complex> theory;               // the law's m(z)
  std::vector<double> moments;               // probe-averaged moments of degree 1, 2
  double resolution = 0;                     // η_k = 4·width/k
  double min_ritz = 0, max_ritz = 0;
};

// The multiple of a jackknife standard error that probe noise alone exceeds with probability `alpha`
// (two-sided): the Student-t quantile with `dof` degrees of freedom (b − 1 for b probes; the standard
// error is itself estimated from the probes, so few probes need a wider multiple: 12.9 at b = 4,
// 5.41 at b = 8, 4.07 at b = 16, 3.29 as b → ∞, at alpha = 10⁻³).
double probe_noise_multiple(double dof, double alpha = 1e-3);

// The quadratures of every probe with the nodes above `threshold` removed and the remaining weights
// renormalised (outliers kept out of the bulk, as the dense path does with eigenvalues).
std::vector<Quadrature> drop_nodes_above(std::span<const Quadrature> probes, double threshold);

// `z` the standard points (metrics.hpp), `scale` the spectral scale they are in units of, `steps` k,
// `theory_moments` the law's first two moments, `right_edge` the law's (NaN: no edge error).
SlqComparison compare_slq(std::span<const Quadrature> probes, const SpectralLaw& law, const SpectralCdf& cdf,
                          const std::vector<Interval>& support, std::span<const complex> z,
                          std::span<const double> theory_moments, double scale, index_t steps, double right_edge);

// The KS bracket distance (see above) of the probe-averaged quadratures against `cdf`, with its
// jackknife standard error over probes (the `ks` of compare_slq).
SlqMetric ks_bracket(std::span<const Quadrature> probes, const SpectralCdf& cdf);

// The smoothed density (1/π) Im m(x + iη) of the probe-averaged quadrature (mean and standard error
// over probes) and of the law at the same η, on `x`.
struct SmoothedDensity {
  double eta = 0;
  std::vector<double> x, mean, se, theory;
};
SmoothedDensity smoothed_density(std::span<const Quadrature> probes, const SpectralLaw& law, std::span<const double> x,
                                 double eta);

}  // namespace rmt
