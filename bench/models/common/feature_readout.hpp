#pragma once
// The linear readout of random features Σ ∈ R^{F×n} (test features Σ̂ ∈ R^{F×n̂}) for any spectral
// filter h of the Gram matrix G = ΣᵀΣ/n,
//     β_h = (1/n) Σ h(G) y          (ridge: h(g) = 1/(g + γ); gradient flow from 0: h = φ_t),
// with its training and test errors, from one eigendecomposition per draw. Since Σ h(G) = h(S) Σ
// with S = ΣΣᵀ/n, the smaller of S (F×F) and G (n×n) is decomposed:
//   features side  S = V diag(g) Vᵀ, c = Vᵀ Σy/n, β_h = V (h(g) ∘ c), train weights w = c²;
//   samples side   G = U diag(g) Uᵀ, c = Uᵀ y,   β_h = Σ U (h(g) ∘ c)/n, w = g c²/n;
// then E_train = (1/n)‖y − Σᵀβ_h‖² = ‖y‖²/n − 2 Σ_k h_k w_k + Σ_k g_k h_k² w_k, and the test
// predictions Σ̂ᵀβ_h = B (h(g) ∘ c) with B = Σ̂ᵀV (or Σ̂ᵀΣU/n) kept on the backend.
#include <functional>
#include <span>
#include <vector>

#include "bench/curve_model.hpp"

namespace rmt::bench {

class FeatureReadout {
 public:
  enum class Side { automatic, features, samples };  // automatic: the smaller Gram matrix

  FeatureReadout(Backend& backend, const Matrix& sigma, const Matrix& sigma_test, std::span<const double> y,
                 std::span<const double> y_test, StageTimes& t, Side side = Side::automatic);

  // Training and test mean squared errors of β_h for each filter h (test predictions of all of them
  // in one backend product).
  CurveDraw errors(const std::vector<std::function<double(double)>>& filters, StageTimes& t) const;

  // Eigenvalues g of the decomposed Gram matrix, ascending (clipped at 0).
  const std::vector<double>& eigenvalues() const { return g_; }

 private:
  Backend& backend_;
  index_t n_ = 0;
  std::vector<double> g_, c_, w_;  // eigenvalues, coordinates of the data, train weights
  std::vector<double> y_test_;
  double yy_ = 0;  // ‖y‖²/n
  Matrix b_;       // n̂×rank: test predictions per eigen-coordinate
};

}  // namespace rmt::bench
