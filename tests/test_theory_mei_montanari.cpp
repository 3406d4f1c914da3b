// Mei–Montanari random-features regression (docs/theory.md §5.2; §10 row 23).
//
// Golden values not printed in docs/theory.md come from an independent Python reference implementation,
// rmt_ref.py (not shipped), run in its folder:
//   python3 -c "from rmt_ref import *
//   print([repr(v) for v in mm_BV(0.8, 4.0, 7.0, 0.02)])"                  # (B, V, chi)
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <limits>
#include <numbers>
#include <vector>

#include "core/base/error.hpp"
#include "theory/mei_montanari.hpp"
#include "theory/ridge.hpp"

namespace {

using rmt::theory::mei_montanari;
using rmt::theory::MeiMontanariRisk;
using cplx = std::complex<double>;

// ReLU: μ1 = 1/2, μ*² = 1/4 − 1/(2π).
const double kMuStar2 = 0.25 - 1.0 / (2.0 * std::numbers::pi);
const double kZetaRelu = 0.5 / std::sqrt(kMuStar2);

MeiMontanariRisk bv(double zeta, double psi1, double psi2, double lambda_bar) {
  return mei_montanari(zeta, psi1, psi2, lambda_bar, 1.0, 0.0, 0.0);
}

// docs/theory.md's own recipe, kept independent of the library's scalar reduction: damped fixed point
// of the complex ν-equations from ν1 = ν2 = i.
double chi_by_fixed_point(double zeta, double psi1, double psi2, double lambda_bar) {
  const cplx xi(0.0, std::sqrt(psi1 * psi2 * lambda_bar));
  const double z2 = zeta * zeta;
  cplx n1(0.0, 1.0), n2(0.0, 1.0);
  for (int it = 0; it < 2000000; ++it) {
    const cplx c = z2 / (1.0 - z2 * n1 * n2);
    const cplx m1 = 0.5 * psi1 / (-xi - n2 - c * n2) + 0.5 * n1;
    const cplx m2 = 0.5 * psi2 / (-xi - n1 - c * n1) + 0.5 * n2;
    const double change = std::abs(m1 - n1) + std::abs(m2 - n2);
    n1 = m1;
    n2 = m2;
    if (change < 1e-15) break;
  }
  return (n1 * n2).real();
}

// Relative residual of the complex ν-equations at the χ returned by the library: on ξ = iy the
// solution is ν1 = ia, ν2 = ib with a = (ψ1 − h)/y, b = (ψ2 − h)/y, h = q + ζ²q/(1 + ζ²q), q = −χ.
// Rebuilding a and b cancels digits when h ≈ ψ (small λ̄): `cond` is that loss, the residual an
// exact χ would still show relative to machine epsilon.
double nu_residual(double zeta, double psi1, double psi2, double lambda_bar, double chi, bool& positive,
                   double& cond) {
  const double y = std::sqrt(psi1 * psi2 * lambda_bar);
  const double z2 = zeta * zeta, q = -chi;
  const double h = q + z2 * q / (1.0 + z2 * q);
  const cplx n1(0.0, (psi1 - h) / y), n2(0.0, (psi2 - h) / y);
  positive = n1.imag() > 0.0 && n2.imag() > 0.0;
  cond = (std::max(psi1, psi2) + 2.0 * h) / std::min(psi1 - h, psi2 - h);
  const cplx xi(0.0, y);
  const cplx c = z2 / (1.0 - z2 * n1 * n2);
  const cplx r1 = n1 - psi1 / (-xi - n2 - c * n2);
  const cplx r2 = n2 - psi2 / (-xi - n1 - c * n1);
  return std::abs(r1) / std::abs(n1) + std::abs(r2) / std::abs(n2) + std::abs(n1 * n2 - chi) / q;
}

// ---- docs/theory.md §5.2 values (ReLU) --------------------------------------------------------------------

TEST(MeiMontanari, ReluConstants) {
  EXPECT_NEAR(kMuStar2, 0.090845056908, 1e-12);
  EXPECT_NEAR(kZetaRelu, 1.658896739970, 1e-12);
}

TEST(MeiMontanari, SpecValues) {
  struct Row {
    double psi1, psi2, lambda_bar, chi, bias, variance;
    bool has_chi;
  };
  const Row rows[] = {
      {1, 3, 0, -0.4479062053, 0.6718593080, 0.5, true},
      {2, 3, 0, -1.2282997976, 0.6848993928, 2.0, true},
      {6, 3, 0, -2.1448737756, 0.1726269344, 1.3223087223, true},
      {3, 1, 0, 0, 0.5125350214, 0.9384506213, false},
      {3, 3, 0.1 / kMuStar2, -0.4210018900, 0.3251649720, 0.1780582757, true},
      // testvalues.py, λ = 1e-3 at the peak ψ1 = ψ2.
      {3, 3, 1e-3 / kMuStar2, -1.7546354769, 0.5770988148, 2.9539739166, true},
  };
  for (const Row& row : rows) {
    const MeiMontanariRisk r = bv(kZetaRelu, row.psi1, row.psi2, row.lambda_bar);
    if (row.has_chi) {
      EXPECT_NEAR(r.chi, row.chi, 1e-9) << row.psi1 << " " << row.psi2;
    }
    EXPECT_NEAR(r.bias, row.bias, 1e-9) << row.psi1 << " " << row.psi2;
    EXPECT_NEAR(r.variance, row.variance, 1e-9) << row.psi1 << " " << row.psi2;
  }
  EXPECT_NEAR(bv(kZetaRelu, 3, 1, 0).chi, -0.4479062053, 1e-9);  // ψ = min(ψ1, ψ2) = 1
}

TEST(MeiMontanari, GoldenValuesFromOracle) {
  struct Row {
    double zeta, psi1, psi2, lambda_bar, chi, bias, variance;
  };
  const Row rows[] = {
      {kZetaRelu, 0.5, 2.0, 0.3, -0.16117267538583166, 0.8665119429714424, 0.28149033477667573},
      {kZetaRelu, 10.0, 0.5, 0.05, -0.17296381255765578, 0.6145139923419028, 0.3139990856668041},
      {0.8, 4.0, 7.0, 0.02, -2.885170337404484, 0.5815209207628763, 0.8080534629018656},
      {0.8, 1.5, 1.5, 0.01, -0.969429024306146, 3.1762303504446123, 4.371295836875059},
      {2.5, 0.3, 12.0, 1.0, -0.04930067023521705, 0.7706751427389994, 0.023073636922820828},
      {0.8, 4.0, 7.0, 0.0, -3.3200192214570947, 0.746711516733221, 1.333333333333333},
      {2.5, 15.0, 0.7, 0.0, -0.17607881008493906, 0.39616770033100307, 0.6940489670195552},
  };
  for (const Row& row : rows) {
    const MeiMontanariRisk r = bv(row.zeta, row.psi1, row.psi2, row.lambda_bar);
    EXPECT_NEAR(r.chi, row.chi, 1e-10 * std::abs(row.chi)) << row.psi1 << " " << row.psi2 << " " << row.lambda_bar;
    EXPECT_NEAR(r.bias, row.bias, 1e-9 * row.bias) << row.psi1 << " " << row.psi2 << " " << row.lambda_bar;
    EXPECT_NEAR(r.variance, row.variance, 1e-9 * row.variance) << row.psi1 << " " << row.psi2;
  }
}

TEST(MeiMontanari, RiskComposition) {
  const MeiMontanariRisk r = mei_montanari(kZetaRelu, 2.0, 3.0, 0.05, 1.3, 0.4, 0.25);
  EXPECT_DOUBLE_EQ(r.excess, 1.3 * r.bias + (0.25 + 0.4) * r.variance);
  EXPECT_DOUBLE_EQ(r.risk, r.excess + 0.4);
}

// ---- docs/theory.md §10 row 23 identities -----------------------------------------------------------------

TEST(MeiMontanari, RidgelessVarianceIdentity) {
  // 𝓥 = ψ1/(ψ2 − ψ1) for ψ1 < ψ2, whatever ζ.
  for (double zeta : {0.3, kZetaRelu, 4.0}) {
    for (auto [psi1, psi2] : {std::pair{0.2, 0.5}, {1.0, 3.0}, {2.9, 3.0}, {5.0, 20.0}}) {
      const double v = bv(zeta, psi1, psi2, 0.0).variance;
      EXPECT_NEAR(v, psi1 / (psi2 - psi1), 1e-12 * v) << zeta << " " << psi1 << " " << psi2;
    }
  }
}

TEST(MeiMontanari, WideLimitIsHmrtRidge) {
  // ψ1 → ∞ ridgeless = HMRT isotropic ridge with γ = 1/ψ2, λ = 1/(ψ2ζ²): the self-induced ridge.
  const double psi2 = 3.0;
  const rmt::theory::RidgeRisk h =
      rmt::theory::hmrt_isotropic(1.0 / psi2, 1.0 / (psi2 * kZetaRelu * kZetaRelu), 1.0, 1.0);
  EXPECT_NEAR(h.bias, 0.0277531587, 1e-10);
  EXPECT_NEAR(h.variance, 0.3223087223, 1e-10);
  // At finite ψ1 = 1e7 the MM formula is still ~3e-7 away (docs/theory.md row 23); the gap closes like 1/ψ1.
  const MeiMontanariRisk wide = bv(kZetaRelu, 1e7, psi2, 0.0);
  const double gap7 = std::abs(wide.variance - h.variance);
  EXPECT_LT(std::abs(wide.bias - h.bias), 1e-6);
  EXPECT_GT(gap7, 1e-7);
  EXPECT_LT(gap7, 1e-6);
  const double gap5 = std::abs(bv(kZetaRelu, 1e5, psi2, 0.0).variance - h.variance);
  EXPECT_NEAR(gap5 / gap7, 100.0, 2.0);
}

// ---- Solver: agreement with docs/theory.md's fixed point, robustness, continuity ----------------------

TEST(MeiMontanari, AgreesWithDampedFixedPoint) {
  for (double zeta : {0.8, kZetaRelu}) {
    for (double lambda_bar : {0.02, 0.3, 2.0, 10.0}) {
      for (auto [psi1, psi2] : {std::pair{0.5, 2.0}, {3.0, 3.0}, {6.0, 3.0}, {20.0, 0.1}}) {
        const double chi = bv(zeta, psi1, psi2, lambda_bar).chi;
        EXPECT_NEAR(chi, chi_by_fixed_point(zeta, psi1, psi2, lambda_bar), 1e-11 * std::abs(chi))
            << zeta << " " << lambda_bar << " " << psi1 << " " << psi2;
      }
    }
  }
}

TEST(MeiMontanari, SolvesNuEquationsOverWideRange) {
  const double psis[] = {0.1, 0.5, 1.0, 2.9, 3.0, 3.1, 10.0, 20.0};
  for (double zeta : {0.3, kZetaRelu, 4.0}) {
    for (double lambda_bar : {1e-6, 1e-4, 1e-2, 1.0, 10.0}) {
      for (double psi1 : psis) {
        for (double psi2 : psis) {
          const MeiMontanariRisk r = bv(zeta, psi1, psi2, lambda_bar);
          bool positive = false;
          double cond = 0.0;
          const double residual = nu_residual(zeta, psi1, psi2, lambda_bar, r.chi, positive, cond);
          ASSERT_TRUE(positive) << zeta << " " << lambda_bar << " " << psi1 << " " << psi2;
          EXPECT_LT(residual, 1e-13 + 20.0 * std::numeric_limits<double>::epsilon() * cond)
              << zeta << " " << lambda_bar << " " << psi1 << " " << psi2 << " cond " << cond;
          EXPECT_TRUE(std::isfinite(r.bias) && r.bias >= 0.0) << psi1 << " " << psi2 << " " << lambda_bar;
          EXPECT_TRUE(std::isfinite(r.variance) && r.variance >= 0.0) << psi1 << " " << psi2 << " " << lambda_bar;
        }
      }
    }
  }
}

TEST(MeiMontanari, SmallRidgeApproachesRidgeless) {
  for (auto [psi1, psi2] : {std::pair{1.0, 3.0}, {6.0, 3.0}, {3.0, 1.0}}) {
    const MeiMontanariRisk limit = bv(kZetaRelu, psi1, psi2, 0.0);
    const MeiMontanariRisk small = bv(kZetaRelu, psi1, psi2, 1e-12);
    EXPECT_NEAR(small.chi, limit.chi, 1e-5 * std::abs(limit.chi)) << psi1 << " " << psi2;
    EXPECT_NEAR(small.bias, limit.bias, 1e-5) << psi1 << " " << psi2;
    EXPECT_NEAR(small.variance, limit.variance, 1e-5) << psi1 << " " << psi2;
  }
}

TEST(MeiMontanari, DoubleDescentSweepIsContinuous) {
  // The §5.2 MC setting: ReLU, ψ2 = 3, F1 = 1, τ² = 0.25, λ = 1e-3 (λ̄ ≈ 0.011); ψ1 over [0.2, 5].
  const double psi2 = 3.0, lambda_bar = 1e-3 / kMuStar2;
  std::vector<double> psi1s, risk, chi;
  for (int i = 0; i < 30; ++i) {
    psi1s.push_back(0.2 + (5.0 - 0.2) * i / 29.0);
    const MeiMontanariRisk r = mei_montanari(kZetaRelu, psi1s.back(), psi2, lambda_bar, 1.0, 0.0, 0.25);
    risk.push_back(r.risk);
    chi.push_back(r.chi);
  }
  std::size_t peak = 0;
  for (std::size_t i = 1; i < risk.size(); ++i)
    if (risk[i] > risk[peak]) peak = i;
  std::size_t valley = 0;
  for (std::size_t i = 1; i < peak; ++i)
    if (risk[i] < risk[valley]) valley = i;
  // The interpolation peak sits at the grid point nearest ψ1 = ψ2 (ψ1 = 2.848; the ridge pulls it
  // slightly below ψ2), after a first descent to a valley near ψ1 = 1.
  EXPECT_NEAR(psi1s[peak], psi2, 0.2);
  EXPECT_NEAR(psi1s[valley], 1.0, 0.2);
  EXPECT_GT(risk[peak], 1.6 * risk[valley]);
  EXPECT_GT(risk[peak], 2.0 * risk.back());
  for (std::size_t i = 0; i + 1 < risk.size(); ++i) {
    // One branch throughout: χ falls steadily with ψ1 and neither χ nor the risk jumps between
    // neighbours; the risk falls to the valley, rises to the peak, then falls.
    EXPECT_LT(chi[i + 1], chi[i]) << psi1s[i];
    EXPECT_LT(std::abs(chi[i + 1] - chi[i]), 0.15) << psi1s[i];
    EXPECT_LT(std::abs(std::log(risk[i + 1] / risk[i])), 0.15) << psi1s[i];
    if (i < valley || i >= peak) {
      EXPECT_LT(risk[i + 1], risk[i]) << psi1s[i];
    } else {
      EXPECT_GT(risk[i + 1], risk[i]) << psi1s[i];
    }
  }
  // Oracle values on the grid (mm_BV(zeta, psi1, 3.0, 1e-3/ms2): B + 0.25 V).
  EXPECT_NEAR(risk[5], 0.788547449860991, 1e-9);
  EXPECT_NEAR(risk[16], 1.3415078202549693, 1e-9);
  EXPECT_NEAR(risk[17], 1.311613771238398, 1e-9);
  EXPECT_NEAR(chi[29], -2.000349584367384, 1e-10);
}

TEST(MeiMontanari, BadInputsThrow) {
  EXPECT_THROW(bv(kZetaRelu, 3.0, 3.0, 0.0), rmt::InputError);  // ridgeless interpolation peak
  EXPECT_NO_THROW(bv(kZetaRelu, 3.0, 3.0, 1e-8));
  EXPECT_THROW(bv(0.0, 1.0, 3.0, 0.1), rmt::InputError);
  EXPECT_THROW(bv(kZetaRelu, -1.0, 3.0, 0.1), rmt::InputError);
  EXPECT_THROW(bv(kZetaRelu, 1.0, 0.0, 0.1), rmt::InputError);
  EXPECT_THROW(bv(kZetaRelu, 1.0, 3.0, -0.1), rmt::InputError);
  EXPECT_THROW(mei_montanari(kZetaRelu, 1.0, 3.0, 0.1, -1.0, 0.0, 0.0), rmt::InputError);
  EXPECT_THROW(mei_montanari(kZetaRelu, 1.0, 3.0, 0.1, 1.0, 0.0, std::nan("")), rmt::InputError);
}

}  // namespace
