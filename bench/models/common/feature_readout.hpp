#pragma once
// The linear readout of random features Σ ∈ R^{F×n} (test features Σ̂ ∈ R^{F×n̂}) for any spectral
// filter h of the Gram matrix G = ΣᵀΣ/n,
//     β_h = (1/n) Σ h(G) y          (ridge: h(g) = 1/(g + γ); gradient flow from 0: h = φ_t),
// with its training and test errors, from one eigendecomposition per draw: the one primal/dual
// ridge solve of every random-feature regression model (rf_ridge, rf_ridge_de, llc_ridge, rff_ridge,
// rf_gf). Since Σ h(G) = h(S) Σ with S = ΣΣᵀ/n, the smaller of S (F×F) and G (n×n) is decomposed:
//   features side  S = V diag(g) Vᵀ, c = Vᵀ Σy/n, β_h = V (h(g) ∘ c), train weights w = c²;
//   samples side   G = U diag(g) Uᵀ, c = Uᵀ y,   β_h = Σ U (h(g) ∘ c)/n, w = g c²/n;
// then E_train = (1/n)‖y − Σᵀβ_h‖² = ‖y‖²/n − 2 Σ_k h_k w_k + Σ_k g_k h_k² w_k on the features side
// and, without cancellation, (1/n) Σ_k (1 − g_k h_k)² c_k² on the samples side (U is a full basis);
// the test predictions Σ̂ᵀβ_h = B (h(g) ∘ c) with B = Σ̂ᵀV (or Σ̂ᵀΣU/n) kept on the backend. Without
// test features the eigenbasis stays on the backend instead and gives the coefficients β_h.
#include <functional>
#include <span>
#include <vector>

#include "bench/curve_model.hpp"

namespace rmt::bench {

class FeatureReadout {
 public:
  enum class Side { automatic, features, samples };  // automatic: the smaller Gram matrix
  using Filters = std::vector<std::function<double(double)>>;

  // Training and test errors (errors()): keeps B (n̂ × min(F, n)).
  FeatureReadout(Backend& backend, const Matrix& sigma, const Matrix& sigma_test, std::span<const double> y,
                 std::span<const double> y_test, StageTimes& t, Side side = Side::automatic);
  // Training errors and coefficients (train_errors(), coefficients()): keeps the eigenbasis
  // (min(F, n)², the samples side needs Σ again in coefficients()).
  FeatureReadout(Backend& backend, const Matrix& sigma, std::span<const double> y, StageTimes& t,
                 Side side = Side::automatic);

  // Training and test mean squared errors of β_h for each filter h (test predictions of all of them
  // in one backend product). Needs the test features.
  CurveDraw errors(const Filters& filters, StageTimes& t) const;
  // Training mean squared error (1/n)‖y − Σᵀβ_h‖² for each filter.
  std::vector<double> train_errors(const Filters& filters) const;
  // β_h for each filter, the columns of an F×m backend matrix. Needs the training-only readout and
  // the same Σ it was built from.
  Matrix coefficients(const Matrix& sigma, const Filters& filters, StageTimes& t) const;

  // Eigenvalues g of the decomposed Gram matrix, ascending (clipped at 0).
  const std::vector<double>& eigenvalues() const { return g_; }
  // Whether S = ΣΣᵀ/n (F×F) was decomposed rather than G = ΣᵀΣ/n.
  bool on_features() const { return on_features_; }

 private:
  // The eigendecomposition and c; returns the eigenbasis (on the backend).
  Matrix decompose(const Matrix& sigma, std::span<const double> y, StageTimes& t, Side side);
  // Column j: h_j(g) ∘ c (dim × m, host).
  std::vector<double> filtered(const Filters& filters) const;

  Backend& backend_;
  index_t n_ = 0, features_ = 0;
  bool on_features_ = true;
  std::vector<double> g_, c_;  // eigenvalues, coordinates of the data
  std::vector<double> y_test_;
  double yy_ = 0;  // ‖y‖²/n
  Matrix b_;       // n̂×dim: test predictions per eigen-coordinate (with test features)
  Matrix basis_;   // dim×dim: the eigenbasis (training-only readout)
};

// Memory planning (the phases follow the constructors and methods line by line; `base` elements
// — Σ and Σ̂ among them — alive throughout).
// FeatureReadout with test features for F features, n training and n̂ test points: the Gram matrix of
// the smaller side and its eigendecomposition, then the eigenbasis and y beside the test products.
MemoryPlan feature_readout_plan(index_t features, index_t n, index_t n_test, elements_t base);
// What it keeps on the backend: B (n̂ × min(F, n)).
elements_t feature_readout_kept(index_t features, index_t n, index_t n_test);
// FeatureReadout::errors for `filters` filters, `base` elements (B among them) alive.
MemoryPlan readout_errors_plan(index_t features, index_t n, index_t n_test, std::size_t filters, elements_t base);
// The training-only FeatureReadout: as feature_readout_plan without the test products.
MemoryPlan feature_readout_train_plan(index_t features, index_t n, elements_t base);
// What it keeps on the backend: the eigenbasis (min(F, n)²).
elements_t feature_readout_train_kept(index_t features, index_t n);
// FeatureReadout::coefficients for `filters` filters, `base` elements (the eigenbasis among them)
// alive, up to the returned F×m matrix.
MemoryPlan readout_coefficients_plan(index_t features, index_t n, std::size_t filters, elements_t base);

}  // namespace rmt::bench
