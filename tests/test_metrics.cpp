#include <gtest/gtest.h>

#include <cmath>

#include "core/base/metrics.hpp"
#include "core/base/spectral_cdf.hpp"
#include "theory/mp.hpp"

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
  const auto e = edge_error(3.1, 3.0, 1000);
  EXPECT_NEAR(e.absolute, 0.1, 1e-15);
  EXPECT_NEAR(e.scaled, 10.0, 1e-12);
  const auto z_points = standard_stieltjes_points({{1.0, 3.0}}, 2.0);
  ASSERT_EQ(z_points.size(), 16u);
  for (std::size_t k = 0; k + 1 < z_points.size(); ++k) {
    EXPECT_GE(z_points[k].imag(), 0.1 - 1e-15);
    EXPECT_LE(z_points[k].imag(), 0.6 + 1e-15);
  }
  EXPECT_EQ(z_points.back(), complex(-2.0, 0.0));
}
