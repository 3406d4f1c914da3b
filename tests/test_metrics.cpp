#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "core/base/metrics.hpp"
#include "core/base/spectral_cdf.hpp"
#include "theory/mp.hpp"
#include "theory/silverstein.hpp"

using namespace rmt;

namespace {

// Mass `atom` at 0 plus a uniform density of mass 1 - atom on [lo, hi]: every metric by hand.
class UniformLaw final : public SpectralLaw {
 public:
  UniformLaw(double lo, double hi, double atom = 0) : lo_(lo), hi_(hi), atom_(atom) {}
  std::vector<Interval> support() const override { return {{lo_, hi_}}; }
  std::vector<Atom> atoms() const override {
    if (atom_ > 0) return {{0.0, atom_}};
    return {};
  }
  double density(double x) const override { return (x >= lo_ && x <= hi_) ? (1 - atom_) / (hi_ - lo_) : 0.0; }
  complex stieltjes(complex) const override { return 0; }
  std::vector<double> moments(int) const override { return {}; }

 private:
  double lo_, hi_, atom_;
};

// The semicircle on [−2, 2] (GOE normalisation): ρ(x) = √(4 − x²)/(2π) ≈ (1/π)√(2 − x) at the right
// edge, so a = 1 and σ_d = d^{-2/3}. `power` = 3 makes ρ ∝ (4 − x²)^{3/2}: no square-root edge.
class Semicircle final : public SpectralLaw {
 public:
  explicit Semicircle(int power = 1) : power_(power) {}
  std::vector<Interval> support() const override { return {{-2.0, 2.0}}; }
  std::vector<Atom> atoms() const override { return {}; }
  double density(double x) const override {
    return std::abs(x) < 2 ? std::pow(std::sqrt(4 - x * x), power_) / (2 * std::numbers::pi) : 0.0;
  }
  complex stieltjes(complex) const override { return 0; }
  std::vector<double> moments(int) const override { return {}; }

 private:
  int power_;
};

}  // namespace

TEST(SpectralCdf, UniformIsExact) {
  const UniformLaw law(0, 1);
  const SpectralCdf cdf(law);
  EXPECT_NEAR(cdf.total_mass(), 1.0, 1e-13);
  for (const double x : {-1.0, 0.0, 0.1, 0.5, 0.77, 1.0, 2.0})
    EXPECT_NEAR(cdf(x), std::clamp(x, 0.0, 1.0), 1e-13) << x;
}

TEST(SpectralCdf, MarchenkoPasturMassAndAtom) {
  const theory::MarchenkoPastur mp(2.0, 1.0);  // atom 1/2 at 0
  const SpectralCdf cdf(mp);
  EXPECT_NEAR(cdf.total_mass(), 1.0, 1e-12);
  EXPECT_NEAR(cdf.left(0.0), 0.0, 1e-15);
  EXPECT_NEAR(cdf(0.0), 0.5, 1e-15);
  const theory::MarchenkoPastur half(0.5, 1.0);
  const SpectralCdf cdf_half(half);
  // The MP(0.5) law is not symmetric, but its mass is 1 and the CDF is monotone.
  double previous = 0;
  for (double x = 0; x < 3; x += 0.01) {
    const double f = cdf_half(x);
    EXPECT_GE(f, previous - 1e-15);
    previous = f;
  }
  EXPECT_NEAR(cdf_half(3.0), 1.0, 1e-12);
}

TEST(Metrics, KolmogorovSmirnovByHand) {
  const UniformLaw law(0, 1);
  const SpectralCdf cdf(law);
  const std::vector<double> eigs = {0.25, 0.5, 0.75};
  EXPECT_NEAR(ks_distance(eigs, cdf), 0.25, 1e-13);
  // Atom of 1/2 at 0 and uniform 1/2 on [1, 2]: the largest gap is just below 1.5.
  const UniformLaw mixed(1, 2, 0.5);
  const SpectralCdf cdf_mixed(mixed);
  EXPECT_NEAR(ks_distance(std::vector<double>{0, 0, 1.5, 1.75}, cdf_mixed), 0.25, 1e-13);
}

TEST(Metrics, Wasserstein1ByHand) {
  const UniformLaw law(0, 1);
  const SpectralCdf cdf(law);
  // ∫|F_n - x| over [0, 1] for the steps at 1/4, 1/2, 3/4: 2/32 + 2 (1/288 + 1/72) = 0.0972222...
  EXPECT_NEAR(wasserstein1(std::vector<double>{0.25, 0.5, 0.75}, cdf, law.support()), 7.0 / 72.0, 1e-12);
  // A point mass at 2 against U(0,1): W1 = 2 - 1/2.
  EXPECT_NEAR(wasserstein1(std::vector<double>{2.0}, cdf, law.support()), 1.5, 1e-12);
}

TEST(Metrics, SnapMovesNumericalZerosOntoTheAtom) {
  const auto snapped = snap_to_atoms({-3e-15, 1e-14, 0.5}, {{0.0, 0.5}}, 1e-9);
  EXPECT_EQ(snapped, (std::vector<double>{0.0, 0.0, 0.5}));
}

TEST(Metrics, MomentsStieltjesEdges) {
  const std::vector<double> eigs = {1, 2, 3};
  const auto m = empirical_moments(eigs, 2);
  EXPECT_DOUBLE_EQ(m[0], 2.0);
  EXPECT_DOUBLE_EQ(m[1], 14.0 / 3.0);
  const complex z(0.5, 1.0);
  const complex expected = (1.0 / (1.0 - z) + 1.0 / (2.0 - z) + 1.0 / (3.0 - z)) / 3.0;
  EXPECT_NEAR(std::abs(empirical_stieltjes(eigs, z) - expected), 0.0, 1e-15);
  // edge_error_tw is (λ_max − λ₊)/σ_d since issue 13 (it was (λ_max − λ₊)·d^{2/3}, = 10 for d = 1000);
  // with σ_d = d^{-2/3} (the semicircle's scale, a = 1) the value is the same 10.
  const auto e = edge_error(3.1, 3.0, tracy_widom_scale(1.0, 1000));
  EXPECT_NEAR(e.absolute, 0.1, 1e-15);
  EXPECT_NEAR(e.tw, 10.0, 1e-12);
  EXPECT_TRUE(std::isnan(edge_error(3.1, 3.0, 0.0).tw));  // unknown scale: no Tracy–Widom value
  const auto z_points = standard_stieltjes_points({{1.0, 3.0}}, 2.0);
  ASSERT_EQ(z_points.size(), 16u);
  for (std::size_t k = 0; k + 1 < z_points.size(); ++k) {
    EXPECT_GE(z_points[k].imag(), 0.1 - 1e-15);
    EXPECT_LE(z_points[k].imag(), 0.6 + 1e-15);
  }
  EXPECT_EQ(z_points.back(), complex(-2.0, 0.0));
}

// docs/theory.md §9.5: σ_d = (a d)^{-2/3} for ρ(x) ≈ (a/π)√(λ₊ − x).
TEST(TracyWidomScale, SemicircleHasUnitCoefficient) {
  for (const index_t d : {100, 1000, 4096}) EXPECT_NEAR(tracy_widom_scale(1.0, d), std::pow(d, -2.0 / 3.0), 1e-15);
  EXPECT_NEAR(sqrt_edge_coefficient(Semicircle(), 2.0, 1e-3), 1.0, 1e-7);
  EXPECT_NEAR(sqrt_edge_coefficient(Semicircle(), 2.0, 1e-1), 1.0, 1e-4);
}

// The general rule with MP's closed-form coefficient reproduces Johnstone's (2001) centring scale
// σ²(1 + √c)(1 + 1/√c)^{1/3} n^{-2/3} (leading order, p = d = cn), on both sides of c = 1.
TEST(TracyWidomScale, MarchenkoPasturIsJohnstone) {
  for (const double c : {0.1, 0.25, 0.5, 1.0, 2.0, 5.0})
    for (const double sigma2 : {1.0, 2.5}) {
      const theory::MarchenkoPastur mp(c, sigma2);
      for (const index_t d : {200, 1000, 3000}) {
        const double rule = tracy_widom_scale(mp.upper_edge_sqrt_coefficient(), d);
        EXPECT_NEAR(rule / mp.johnstone_tw_scale(static_cast<double>(d)), 1.0, 1e-12) << c << " " << sigma2 << " " << d;
      }
      // The density fit, as the engine does it, against the closed form.
      const double a = mp.upper_edge_sqrt_coefficient();
      EXPECT_NEAR(sqrt_edge_coefficient(mp, mp.upper_edge(), 1e-3 * mp.upper_edge()) / a, 1.0, 1e-6) << c;
    }
}

// Bai–Silverstein: the edge-equation coefficient equals MP's for H = δ₁, and the density fit agrees
// with it for H = ⅓(δ₁ + δ₃ + δ₇) (whose right edge is docs/theory.md §10 row 8).
TEST(TracyWidomScale, BaiSilversteinEdgeEquation) {
  for (const double c : {0.25, 0.5, 2.0}) {
    const theory::BaiSilverstein h1({{1.0}, {1.0}}, c);
    const auto [a, edge] = h1.upper_edge_sqrt_coefficient();
    EXPECT_NEAR(a / theory::MarchenkoPastur(c).upper_edge_sqrt_coefficient(), 1.0, 1e-10) << c;
    EXPECT_NEAR(edge, theory::MarchenkoPastur(c).upper_edge(), 1e-12) << c;
  }
  const theory::BaiSilverstein h({{1.0, 3.0, 7.0}, {1.0 / 3, 1.0 / 3, 1.0 / 3}}, 0.5);
  const auto [a, edge] = h.upper_edge_sqrt_coefficient();
  EXPECT_NEAR(edge, 14.785527050, 1e-8);
  EXPECT_NEAR(sqrt_edge_coefficient(h, edge, 1e-3 * edge) / a, 1.0, 1e-6);
}

// Only square-root edges get a coefficient: a hard edge (uniform density) and a (λ₊ − x)^{3/2} edge do not.
TEST(TracyWidomScale, OtherEdgesAreRefused) {
  EXPECT_TRUE(std::isnan(sqrt_edge_coefficient(UniformLaw(0.0, 1.0), 1.0, 1e-2)));
  EXPECT_TRUE(std::isnan(sqrt_edge_coefficient(Semicircle(3), 2.0, 1e-2)));
  // A misplaced edge (the law's true edge is 2) is tolerated up to a quarter window, not beyond.
  EXPECT_NEAR(sqrt_edge_coefficient(Semicircle(), 2.0 - 1e-4, 1e-3), 1.0, 1e-3);
  EXPECT_TRUE(std::isnan(sqrt_edge_coefficient(Semicircle(), 2.0 - 1e-3, 1e-3)));
}
