// Stochastic Lanczos quadrature (core/slq): the recurrence, the Gauss rules, and the metrics' logic,
// on small matrices whose spectra and probe measures are known exactly.
#include <algorithm>
#include <cmath>
#include <numeric>

#include <gtest/gtest.h>

#include "core/base/backend.hpp"
#include "core/base/error.hpp"
#include "core/base/spectral_cdf.hpp"
#include "core/slq/lanczos.hpp"
#include "core/slq/slq_metrics.hpp"
#include "tests/law_support.hpp"

namespace rmt {
namespace {

struct Fixture {
  std::unique_ptr<Backend> backend = make_cpu_backend();
  index_t dim;
  Matrix s;                  // S = XXᵀ/n
  std::vector<double> s_host;
  EigenPairs eig;            // all eigenpairs of S

  Fixture(index_t d, index_t n, std::uint64_t seed) : dim(d) {
    const Matrix x = backend->sample_gaussian({seed, 7, 0, 0}, d, n);
    s = backend->gram(x, 1.0 / static_cast<double>(n));
    s_host = backend->to_host(s);
    Matrix copy = backend->from_host(d, d, s_host);
    eig = backend->top_eigenpairs(copy, d);
  }
  std::unique_ptr<LinearOperator> op() { return make_dense_operator(*backend, backend->from_host(dim, dim, s_host)); }

  // The exact spectral measure of unit vector v: atoms λ_i with mass (vᵀu_i)².
  std::vector<Atom> probe_measure(const std::vector<double>& v) const {
    std::vector<Atom> atoms;
    const auto d = static_cast<std::size_t>(dim);
    for (std::size_t i = 0; i < d; ++i) {
      double proj = 0;
      for (std::size_t r = 0; r < d; ++r) proj += v[r] * eig.vectors[r + i * d];
      atoms.push_back({eig.values[i], proj * proj});
    }
    return atoms;
  }

  // vᵀ S^j v.
  double quadratic_power(const std::vector<double>& v, int j) const {
    const auto d = static_cast<std::size_t>(dim);
    std::vector<double> w = v;
    for (int k = 0; k < j; ++k) {
      std::vector<double> next(d, 0.0);
      for (std::size_t c = 0; c < d; ++c)
        for (std::size_t r = 0; r < d; ++r) next[r] += s_host[r + c * d] * w[c];
      w = std::move(next);
    }
    return std::inner_product(v.begin(), v.end(), w.begin(), 0.0);
  }
};

std::vector<double> column(const std::vector<double>& block, index_t rows, std::size_t j) {
  const auto r = static_cast<std::size_t>(rows);
  return {block.begin() + static_cast<std::ptrdiff_t>(j * r), block.begin() + static_cast<std::ptrdiff_t>((j + 1) * r)};
}

TEST(Slq, RademacherProbesAreUnitSignVectorsAndPrefixStable) {
  auto backend = make_cpu_backend();
  const StreamKey key{3, 9, 0, 5};
  const auto v4 = backend->to_host(rademacher_probes(*backend, key, 33, 4));
  const auto v2 = backend->to_host(rademacher_probes(*backend, key, 33, 2));
  for (const double x : v4) EXPECT_DOUBLE_EQ(std::abs(x), 1.0 / std::sqrt(33.0));
  EXPECT_TRUE(std::equal(v2.begin(), v2.end(), v4.begin()));  // the first probes do not depend on b
  const double sum = std::accumulate(v4.begin(), v4.end(), 0.0) * std::sqrt(33.0);
  EXPECT_LT(std::abs(sum), 4 * std::sqrt(132.0));  // signs balanced (4 sd)
  EXPECT_GT(std::count_if(v4.begin(), v4.end(), [](double x) { return x > 0; }), 40);
}

// k = d with full reorthogonalisation: the Ritz values are the eigenvalues and the Gauss rule is the
// probe's exact spectral measure, so Σ ω θʲ = vᵀSʲv for every j.
TEST(Slq, FullLanczosRecoversTheEigenvaluesAndTheProbeMeasure) {
  Fixture f(40, 90, 11);
  auto op = f.op();
  const Matrix probes = rademacher_probes(*f.backend, {1, 2, 0, 3}, f.dim, 3);
  const auto v = f.backend->to_host(probes);
  const auto t = block_lanczos(*f.backend, *op, probes, {.steps = f.dim, .reorth = true});
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(op->matvecs(), static_cast<std::uint64_t>(3 * f.dim));
  for (std::size_t p = 0; p < 3; ++p) {
    const Quadrature q = gauss_quadrature(t[p]);
    ASSERT_EQ(q.nodes.size(), static_cast<std::size_t>(f.dim));
    for (std::size_t i = 0; i < q.nodes.size(); ++i) EXPECT_NEAR(q.nodes[i], f.eig.values[i], 1e-10);
    EXPECT_NEAR(std::accumulate(q.weights.begin(), q.weights.end(), 0.0), 1.0, 1e-13);
    for (int j = 1; j <= 8; ++j) {
      double m = 0;
      for (std::size_t i = 0; i < q.nodes.size(); ++i) m += q.weights[i] * std::pow(q.nodes[i], j);
      const double exact = f.quadratic_power(column(v, f.dim, p), j);
      EXPECT_NEAR(m, exact, 1e-11 * exact) << "probe " << p << ", degree " << j;
    }
  }
}

// Without reorthogonalisation, k steps still integrate polynomials of degree ≤ 2k − 1 exactly.
TEST(Slq, KStepsIntegrateDegreeTwoKMinusOneWithoutReorthogonalisation) {
  Fixture f(120, 200, 12);
  auto op = f.op();
  const Matrix probes = rademacher_probes(*f.backend, {1, 2, 0, 4}, f.dim, 2);
  const auto v = f.backend->to_host(probes);
  const index_t k = 8;
  const auto t = block_lanczos(*f.backend, *op, probes, {.steps = k, .reorth = false});
  for (std::size_t p = 0; p < 2; ++p) {
    const Quadrature q = gauss_quadrature(t[p]);
    ASSERT_EQ(q.nodes.size(), static_cast<std::size_t>(k));
    for (int j = 1; j <= 2 * k - 1; ++j) {
      double m = 0;
      for (std::size_t i = 0; i < q.nodes.size(); ++i) m += q.weights[i] * std::pow(q.nodes[i], j);
      const double exact = f.quadratic_power(column(v, f.dim, p), j);
      EXPECT_NEAR(m, exact, 1e-10 * exact) << "degree " << j;
    }
    // Degree 2k is not integrated exactly by a k-point rule (generic measure): the test can fail.
    double m = 0;
    for (std::size_t i = 0; i < q.nodes.size(); ++i) m += q.weights[i] * std::pow(q.nodes[i], 2 * k);
    const double exact = f.quadratic_power(column(v, f.dim, p), static_cast<int>(2 * k));
    EXPECT_GT(std::abs(m - exact), 1e-8 * exact);
  }
}

// A matrix with 3 distinct eigenvalues: the recurrence breaks down after 3 steps, exactly.
TEST(Slq, BreakdownOnAnInvariantSubspaceEndsTheProbeWithAnExactRule) {
  auto backend = make_cpu_backend();
  const index_t d = 30;
  std::vector<double> a(static_cast<std::size_t>(d * d), 0.0);
  for (index_t i = 0; i < d; ++i) a[static_cast<std::size_t>(i * d + i)] = 1.0 + static_cast<double>(i % 3);
  auto op = make_dense_operator(*backend, backend->from_host(d, d, a));
  const Matrix probes = rademacher_probes(*backend, {5, 5, 0, 1}, d, 2);
  const auto t = block_lanczos(*backend, *op, probes, {.steps = 20, .reorth = false});
  for (const auto& tri : t) {
    const Quadrature q = gauss_quadrature(tri);
    ASSERT_EQ(q.nodes.size(), 3u);
    for (std::size_t i = 0; i < 3; ++i) {
      EXPECT_NEAR(q.nodes[i], 1.0 + static_cast<double>(i), 1e-12);
      EXPECT_NEAR(q.weights[i], 1.0 / 3.0, 1e-12);  // Rademacher: each eigenspace gets 10/30 of |v|²
    }
  }
}

// The Chebyshev–Markov–Stieltjes bracket contains the probe's true distribution function at every
// x, for every k: against the probe's exact measure the bracket distance is 0; against a law off by
// 5 % in scale it is not.
TEST(Slq, CmsBracketContainsTheExactProbeMeasure) {
  Fixture f(150, 300, 13);
  auto op = f.op();
  const Matrix probe = rademacher_probes(*f.backend, {9, 9, 0, 9}, f.dim, 1);
  const test_support::DiscreteLaw exact(f.probe_measure(f.backend->to_host(probe)));
  const SpectralCdf exact_cdf(exact);
  std::vector<Atom> shifted = exact.atoms();
  for (auto& a : shifted) a.x *= 1.05;
  const test_support::DiscreteLaw wrong(shifted);
  const SpectralCdf wrong_cdf(wrong);
  for (const index_t k : {3, 10, 30}) {
    const auto t = block_lanczos(*f.backend, *op, probe, {.steps = k, .reorth = true});
    const std::vector<Quadrature> q = {gauss_quadrature(t[0])};
    EXPECT_LE(ks_bracket(q, exact_cdf).value, 1e-12) << "k = " << k;
    if (k == 30) {
      EXPECT_GT(ks_bracket(q, wrong_cdf).value, 0.02);
    }
  }
}

// The probe-averaged comparison against the matrix's own empirical spectral distribution: the
// moments are unbiased estimates (probe noise only), W1 ≲ width/k, and the standard errors are of the
// size of the actual error.
TEST(Slq, ComparisonAgainstTheEmpiricalDistributionIsWithinItsErrorModel) {
  Fixture f(300, 600, 14);
  auto op = f.op();
  std::vector<Atom> esd;
  for (const double x : f.eig.values) esd.push_back({x, 1.0 / static_cast<double>(f.dim)});
  const test_support::DiscreteLaw law(esd);
  const SpectralCdf cdf(law);
  const Matrix probes = rademacher_probes(*f.backend, {2, 4, 0, 6}, f.dim, 12);
  const index_t k = 60;
  std::vector<Quadrature> q;
  for (const auto& tri : block_lanczos(*f.backend, *op, probes, {.steps = k})) q.push_back(gauss_quadrature(tri));
  const double width = f.eig.values.back() - f.eig.values.front();
  const auto moments = law.moments(2);
  const std::vector<complex> z = {complex(1.0, 0.3), complex(2.0, 0.1), complex(-1.0, 0.0)};
  const SlqComparison c = compare_slq(q, law, cdf, {}, z, moments, 1.0, k, f.eig.values.back());
  EXPECT_LT(c.metrics.at("moment_error").value, 4 * c.metrics.at("moment_error").se + 1e-12);
  EXPECT_GT(c.metrics.at("moment_error").se, 0);
  EXPECT_LT(c.metrics.at("w1").value, 0.25 * width / static_cast<double>(k) + 4 * c.metrics.at("w1").se);
  EXPECT_LT(c.metrics.at("stieltjes_error").value, 4 * c.metrics.at("stieltjes_error").se + 1e-12);
  EXPECT_NEAR(c.max_ritz, f.eig.values.back(), 1e-6 * width);  // extreme Ritz values converge first
  for (const auto zk : c.z) {
    if (zk.imag() > 0) {
      EXPECT_GE(zk.imag(), c.resolution);
    }
  }
}

TEST(Slq, DroppingNodesAboveAThresholdRenormalises) {
  const std::vector<Quadrature> q = {{{1.0, 2.0, 9.0}, {0.25, 0.25, 0.5}}};
  const auto kept = drop_nodes_above(q, 5.0);
  ASSERT_EQ(kept[0].nodes.size(), 2u);
  EXPECT_DOUBLE_EQ(kept[0].weights[0], 0.5);
  EXPECT_THROW(drop_nodes_above(q, 0.5), NumericalError);
}

}  // namespace
}  // namespace rmt
