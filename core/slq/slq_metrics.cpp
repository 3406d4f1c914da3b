// SLQ estimates against a law, with jackknife standard errors over probes (core/slq/slq_metrics.hpp).
#include "core/slq/slq_metrics.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <numbers>
#include <numeric>

#include <boost/math/distributions/students_t.hpp>
#include <fmt/format.h>

#include "core/base/error.hpp"
#include "core/base/metrics.hpp"

namespace rmt {
namespace {

// Jackknife over probes: the statistic of all probes and its standard error from the b
// leave-one-out values, se² = (b−1)/b Σ (θ₋ₚ − θ̄)². `stat(skip)` leaves probe `skip` out (−1: none).
SlqMetric jackknife(std::size_t probes, const std::function<double(std::ptrdiff_t)>& stat) {
  SlqMetric out{stat(-1), 0.0};
  if (probes < 2) return out;
  std::vector<double> loo(probes);
  double mean = 0;
  for (std::size_t p = 0; p < probes; ++p) mean += (loo[p] = stat(static_cast<std::ptrdiff_t>(p)));
  mean /= static_cast<double>(probes);
  double ss = 0;
  for (const double v : loo) ss += (v - mean) * (v - mean);
  out.se = std::sqrt(ss * static_cast<double>(probes - 1) / static_cast<double>(probes));
  return out;
}

// The probes' quadratures on one merged set of breakpoints, with the law's CDF evaluated there once:
// every step function of the probes (their CDFs and CMS brackets) is constant between breakpoints.
// Interval k ∈ [0, K] is (x[k−1], x[k]) with x[−1] = −∞ and x[K] = +∞.
class MergedNodes {
 public:
  MergedNodes(std::span<const Quadrature> probes, const SpectralCdf& cdf, const std::vector<Interval>& support,
              int grid_per_component)
      : probes_(probes) {
    for (const auto& q : probes)
      for (const double x : q.nodes) x_.push_back(x);
    for (const auto& s : support)
      for (int k = 0; k <= grid_per_component; ++k) x_.push_back(s.lo + (s.hi - s.lo) * k / grid_per_component);
    for (const auto& a : cdf.atoms()) x_.push_back(a.x);
    std::sort(x_.begin(), x_.end());
    x_.erase(std::unique(x_.begin(), x_.end()), x_.end());
    const std::size_t k = x_.size();
    f_right_.resize(k);
    f_left_.resize(k);
    f_mid_.resize(k > 0 ? k - 1 : 0);
    for (std::size_t i = 0; i < k; ++i) {
      f_right_[i] = cdf(x_[i]);
      f_left_[i] = cdf.left(x_[i]);
      if (i + 1 < k) f_mid_[i] = cdf(0.5 * (x_[i] + x_[i + 1]));
    }
    // Each probe's weights, placed on the interval that starts at a node (its CDF), at the next
    // node (the CMS lower bracket) and at the previous one (the upper bracket).
    for (const auto& q : probes) {
      Contributions c;
      const std::size_t m = q.nodes.size();
      for (std::size_t j = 0; j < m; ++j) {
        const std::size_t at = interval_after(q.nodes[j]);
        c.cdf.push_back({at, q.weights[j]});
        if (j + 1 < m) c.lower.push_back({interval_after(q.nodes[j + 1]), q.weights[j]});
        c.upper.push_back({j == 0 ? 0 : interval_after(q.nodes[j - 1]), q.weights[j]});
      }
      contributions_.push_back(std::move(c));
    }
  }

  // The probe-averaged step functions on every interval, probe `skip` left out (−1: none).
  struct Steps {
    std::vector<double> cdf, lower, upper;
  };
  Steps steps(std::ptrdiff_t skip) const {
    const std::size_t intervals = x_.size() + 1;
    Steps s{std::vector<double>(intervals), std::vector<double>(intervals), std::vector<double>(intervals)};
    const double count = static_cast<double>(probes_.size() - (skip >= 0 ? 1 : 0));
    for (std::size_t p = 0; p < contributions_.size(); ++p) {
      if (static_cast<std::ptrdiff_t>(p) == skip) continue;
      for (const auto& [at, w] : contributions_[p].cdf) s.cdf[at] += w / count;
      for (const auto& [at, w] : contributions_[p].lower) s.lower[at] += w / count;
      for (const auto& [at, w] : contributions_[p].upper) s.upper[at] += w / count;
    }
    for (auto* v : {&s.cdf, &s.lower, &s.upper}) std::partial_sum(v->begin(), v->end(), v->begin());
    return s;
  }

  // sup_x of the distance from the law's F(x) to [lower, upper], over every interval.
  double ks_bracket(const Steps& s) const {
    double worst = 0;
    const std::size_t k = x_.size();
    for (std::size_t i = 0; i <= k; ++i) {
      const double f_start = i == 0 ? 0.0 : f_right_[i - 1];  // F just right of the interval's left end
      const double f_end = i == k ? 1.0 : f_left_[i];        // F just left of its right end
      worst = std::max(worst, std::max(s.lower[i] - f_start, f_end - s.upper[i]));
    }
    return worst;
  }

  // The KS bracket distance with its jackknife standard error over probes.
  SlqMetric ks_bracket() const {
    return jackknife(probes_.size(), [&](std::ptrdiff_t skip) { return ks_bracket(steps(skip)); });
  }

  // ∫ |F̄(x) − F(x)| dx between the first and last breakpoints (outside them both are 0 or 1).
  double w1(const Steps& s) const {
    double total = 0;
    for (std::size_t i = 0; i + 1 < x_.size(); ++i)
      total += abs_gap_integral(x_[i], x_[i + 1], f_right_[i], f_mid_[i], f_left_[i + 1], s.cdf[i + 1]);
    return total;
  }

 private:
  // The interval (x[k−1], x[k]) just right of breakpoint x: index k + 1 where x = x[k].
  std::size_t interval_after(double x) const {
    return static_cast<std::size_t>(std::lower_bound(x_.begin(), x_.end(), x) - x_.begin()) + 1;
  }

  struct Contributions {
    std::vector<std::pair<std::size_t, double>> cdf, lower, upper;
  };
  std::span<const Quadrature> probes_;
  std::vector<double> x_, f_right_, f_left_, f_mid_;
  std::vector<Contributions> contributions_;
};

complex quadrature_stieltjes(const Quadrature& q, complex z) {
  complex sum = 0;
  for (std::size_t i = 0; i < q.nodes.size(); ++i) sum += q.weights[i] / (q.nodes[i] - z);
  return sum;
}

// Mean over the probes other than `skip`.
template <typename F>
auto probe_mean(std::size_t probes, std::ptrdiff_t skip, F value) {
  decltype(value(std::size_t{0})) sum{};
  double count = 0;
  for (std::size_t p = 0; p < probes; ++p) {
    if (static_cast<std::ptrdiff_t>(p) == skip) continue;
    sum += value(p);
    count += 1;
  }
  return sum / count;
}

}  // namespace

double probe_noise_multiple(double dof, double alpha) {
  RMT_EXPECTS(dof >= 1 && alpha > 0 && alpha < 1, "probe_noise_multiple: dof = {}, alpha = {}", dof, alpha);
  return boost::math::quantile(boost::math::students_t(dof), 1 - alpha / 2);
}

std::vector<Quadrature> drop_nodes_above(std::span<const Quadrature> probes, double threshold) {
  std::vector<Quadrature> out;
  for (const auto& q : probes) {
    Quadrature kept;
    double mass = 0;
    for (std::size_t i = 0; i < q.nodes.size(); ++i)
      if (q.nodes[i] <= threshold) {
        kept.nodes.push_back(q.nodes[i]);
        kept.weights.push_back(q.weights[i]);
        mass += q.weights[i];
      }
    if (kept.nodes.empty())
      throw NumericalError(fmt::format("SLQ: every quadrature node of a probe lies above {} (the outlier threshold)",
                                       threshold));
    for (auto& w : kept.weights) w /= mass;
    out.push_back(std::move(kept));
  }
  return out;
}

SlqMetric ks_bracket(std::span<const Quadrature> probes, const SpectralCdf& cdf) {
  // Extra breakpoints (a support grid) split intervals where the bracket is constant: the same supremum.
  return MergedNodes(probes, cdf, {}, 0).ks_bracket();
}

SlqComparison compare_slq(std::span<const Quadrature> probes, const SpectralLaw& law, const SpectralCdf& cdf,
                          const std::vector<Interval>& support, std::span<const complex> z,
                          std::span<const double> theory_moments, double scale, index_t steps, double right_edge) {
  RMT_EXPECTS(!probes.empty(), "SLQ comparison without probes");
  const std::size_t b = probes.size();
  SlqComparison out;
  out.min_ritz = INFINITY;
  out.max_ritz = -INFINITY;
  for (const auto& q : probes) {
    out.min_ritz = std::min(out.min_ritz, q.nodes.front());
    out.max_ritz = std::max(out.max_ritz, q.nodes.back());
  }
  double lo = out.min_ritz, hi = out.max_ritz;
  if (!support.empty()) {
    lo = std::min(lo, support.front().lo);
    hi = std::max(hi, support.back().hi);
  }
  out.resolution = 4.0 * (hi - lo) / static_cast<double>(steps);

  // Stieltjes transform at the standard points, η raised to the resolution on both sides.
  for (const auto p : z) {
    const complex raised = p.imag() > 0 ? complex(p.real(), std::max(p.imag(), out.resolution)) : p;
    out.z.push_back(raised);
    out.theory.push_back(law.stieltjes(raised));
  }
  std::vector<std::vector<complex>> per_probe(b);
  for (std::size_t p = 0; p < b; ++p)
    for (const auto zk : out.z) per_probe[p].push_back(quadrature_stieltjes(probes[p], zk));
  const auto stieltjes_at = [&](std::ptrdiff_t skip) {
    std::vector<complex> m;
    for (std::size_t k = 0; k < out.z.size(); ++k) m.push_back(probe_mean(b, skip, [&](std::size_t p) { return per_probe[p][k]; }));
    return m;
  };
  out.empirical = stieltjes_at(-1);
  out.metrics["stieltjes_error"] =
      jackknife(b, [&](std::ptrdiff_t skip) { return stieltjes_error(out.z, stieltjes_at(skip), out.theory, support); });

  // Moments of degree 1 and 2: exact per probe.
  std::vector<std::array<double, 2>> moments(b);
  for (std::size_t p = 0; p < b; ++p)
    for (std::size_t i = 0; i < probes[p].nodes.size(); ++i) {
      moments[p][0] += probes[p].weights[i] * probes[p].nodes[i];
      moments[p][1] += probes[p].weights[i] * probes[p].nodes[i] * probes[p].nodes[i];
    }
  const auto moment_error = [&](std::ptrdiff_t skip) {
    double worst = 0;
    for (std::size_t k = 0; k < 2 && k < theory_moments.size(); ++k) {
      const double m = probe_mean(b, skip, [&](std::size_t p) { return moments[p][k]; });
      worst = std::max(worst, std::abs(m - theory_moments[k]) / std::pow(scale, static_cast<double>(k + 1)));
    }
    return worst;
  };
  for (std::size_t k = 0; k < 2; ++k) out.moments.push_back(probe_mean(b, -1, [&](std::size_t p) { return moments[p][k]; }));
  out.metrics["moment_error"] = jackknife(b, moment_error);

  // KS through the CMS bracket and W1 of the averaged quadrature, on one merged set of breakpoints.
  const MergedNodes merged(probes, cdf, support, 512);
  out.metrics["ks"] = merged.ks_bracket();
  out.metrics["w1"] = jackknife(b, [&](std::ptrdiff_t skip) { return merged.w1(merged.steps(skip)); });
  if (std::isfinite(right_edge)) out.metrics["edge_error"] = {out.max_ritz - right_edge, 0.0};
  return out;
}

SmoothedDensity smoothed_density(std::span<const Quadrature> probes, const SpectralLaw& law, std::span<const double> x,
                                 double eta) {
  RMT_EXPECTS(eta > 0 && !probes.empty(), "smoothed density with η = {} and {} probes", eta, probes.size());
  SmoothedDensity out{eta, {x.begin(), x.end()}, {}, {}, {}};
  const double b = static_cast<double>(probes.size());
  for (const double xi : x) {
    const complex z(xi, eta);
    double sum = 0, sum2 = 0;
    for (const auto& q : probes) {
      const double v = quadrature_stieltjes(q, z).imag() / std::numbers::pi;
      sum += v;
      sum2 += v * v;
    }
    const double mean = sum / b;
    out.mean.push_back(mean);
    out.se.push_back(b > 1 ? std::sqrt(std::max(0.0, sum2 / b - mean * mean) * b / (b - 1) / b) : 0.0);
    out.theory.push_back(law.stieltjes(z).imag() / std::numbers::pi);
  }
  return out;
}

}  // namespace rmt
