#include "theory/conjugate_kernel.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/base/error.hpp"
#include "theory/mp.hpp"
#include "theory/numerics/continuation.hpp"
#include "theory/numerics/support_scan.hpp"

// Numerical method (docs/theory.md §3.4, §1.3, §9.1).
//
// The nested Silverstein equation m_ℓ(z) = m_{ℓ-1}(w_ℓ)/(b² A_ℓ), A_ℓ = 1 - γ_ℓ - γ_ℓ z m_ℓ(z),
// w_ℓ = (z - (1 - b²) A_ℓ)/(b² A_ℓ), evaluates m_{ℓ-1} at one point per iteration, and that point
// again needs m_{ℓ-2} at one point, and so on. Following the single chain of evaluation points
// z_L = z, z_{ℓ-1} = w_ℓ(z_ℓ) turns the whole recursion into L coupled scalar equations in the
// unknowns A_1..A_L:
//     z_{ℓ-1} = (z_ℓ - (1 - b²) A_ℓ)/(b² A_ℓ)           (top-down),
//     M_0 = m_MP(γ0)(z_0),  M_ℓ = M_{ℓ-1}/(b² A_ℓ)      (bottom-up, M_ℓ = m_ℓ(z_ℓ)),
//     R_ℓ = A_ℓ - (1 - γ_ℓ - γ_ℓ z_ℓ M_ℓ) = 0.
// This is exactly the nested fixed point of §3.4 (no discretisation), solved simultaneously by
// Newton's method (analytic Jacobian by forward-mode dual numbers) with continuation in Im z
// from far above the spectrum down to the requested point (docs/theory.md §1.3 items 2–3). Cost O(L³) per
// Newton step instead of O(iterations^L), so depth 10 costs microseconds per z.
//
// Branch control: A_ℓ = -z_ℓ m̃_ℓ(z_ℓ) with m̃_ℓ the companion transform, so z_{ℓ-1} =
// -1/(b² m̃_ℓ) - (1 - b²)/b² lies in C⁺ exactly when m̃_ℓ does. The Silverstein equation of layer
// ℓ at a point z_ℓ ∈ C⁺ has a unique solution with m̃_ℓ ∈ C⁺ (Silverstein 1995), so a root of
// the joint system with every z_ℓ (ℓ < L) and every M_ℓ in C⁺ is, by induction from ℓ = 0, the
// physical one. Every accepted Newton root is checked for this. Continuation steps are small
// (Im z divided by ≤ 10) so Newton tracks the physical branch; on the real axis (η = 0, used
// for densities and real z) the last step starts from η ≈ 1e-13 × scale.
//
// Accuracy: agrees with the literal nested damped fixed point (nested_layer_stieltjes) to
// ~1e-13 at depth 2–3 (see tests/test_theory_conjugate_kernel.cpp); the quantile-atom
// discretisation suggested for deep nets in §3.4 is therefore not needed (it would carry an
// O(1/K) discretisation error with K atoms).

namespace rmt::theory {
namespace {

constexpr double kPi = 3.14159265358979323846;

bool finite(complex z) { return std::isfinite(z.real()) && std::isfinite(z.imag()); }

// MP(c) Stieltjes transform and its z-derivative: from c z m² - (1 - c - z) m + 1 = 0,
// m' = -(c m² + m)/(2 c z m - (1 - c - z)).
complex mp_with_derivative(const MarchenkoPastur& mp, complex z, complex& dm) {
  const complex m = mp.stieltjes(z);
  const double c = mp.c();
  dm = -(c * m * m + m) / (2.0 * c * z * m - (1.0 - c - z));
  return m;
}

// Solve J x = r in place (complex Gaussian elimination with partial pivoting); false if singular.
bool solve_linear(std::vector<complex>& j, std::vector<complex>& r, int n) {
  for (int col = 0; col < n; ++col) {
    int piv = col;
    for (int row = col + 1; row < n; ++row)
      if (std::abs(j[row * n + col]) > std::abs(j[piv * n + col])) piv = row;
    if (!(std::abs(j[piv * n + col]) > 0.0)) return false;
    if (piv != col) {
      for (int k = 0; k < n; ++k) std::swap(j[col * n + k], j[piv * n + k]);
      std::swap(r[col], r[piv]);
    }
    for (int row = col + 1; row < n; ++row) {
      const complex f = j[row * n + col] / j[col * n + col];
      if (f == 0.0) continue;
      for (int k = col; k < n; ++k) j[row * n + k] -= f * j[col * n + k];
      r[row] -= f * r[col];
    }
  }
  for (int row = n - 1; row >= 0; --row) {
    complex s = r[row];
    for (int k = row + 1; k < n; ++k) s -= j[row * n + k] * r[k];
    r[row] = s / j[row * n + row];
  }
  return true;
}

// The joint system of one CK stack truncated at layer L (b > 0).
class Chain {
 public:
  Chain(double b, double gamma0, const std::vector<double>& gammas, int layers)
      : b2_(b * b), mp0_(gamma0), gammas_(gammas), layers_(layers) {}

  // Residual R_ℓ (index ℓ-1), the chain values M_ℓ = m_ℓ(z_ℓ), z_ℓ (index ℓ) at the unknowns
  // a[ℓ-1] = A_ℓ, and, if `jac` is given, the Jacobian dR_k/dA_j (row-major L×L), all in one pass.
  void evaluate(const std::vector<complex>& a, complex z, std::vector<complex>& r,
                std::vector<complex>& m, std::vector<complex>& zz,
                std::vector<complex>* jac = nullptr) const {
    const int L = layers_;
    const double c1 = 1.0 - b2_;
    zz.assign(L + 1, 0.0);
    m.assign(L + 1, 0.0);
    r.assign(L, 0.0);
    zz[L] = z;
    for (int k = L; k >= 1; --k) zz[k - 1] = (zz[k] - c1 * a[k - 1]) / (b2_ * a[k - 1]);
    complex dm0 = 0.0;
    if (!finite(zz[0]) || zz[0] == 0.0) {  // a wild Newton iterate: report a non-finite residual
      r.assign(L, complex(std::numeric_limits<double>::quiet_NaN(), 0.0));
      if (jac) jac->assign(static_cast<std::size_t>(L) * L, 0.0);
      return;
    }
    m[0] = mp_with_derivative(mp0_, zz[0], dm0);
    for (int k = 1; k <= L; ++k) m[k] = m[k - 1] / (b2_ * a[k - 1]);
    for (int k = 1; k <= L; ++k) {
      const double g = gammas_[k - 1];
      r[k - 1] = a[k - 1] - (1.0 - g) + g * zz[k] * m[k];
    }
    if (!jac) return;
    // Derivatives along A_j: dz_{k-1} = dz_k/(b²A_k) - δ_jk z_k/(b²A_k²) (z_{k-1} depends on
    // A_k..A_L), dM_k = dM_{k-1}/(b²A_k) - δ_jk M_k/A_k, dR_k = δ_jk + γ_k (dz_k M_k + z_k dM_k).
    jac->assign(static_cast<std::size_t>(L) * L, 0.0);
    std::vector<complex> dz(static_cast<std::size_t>(L + 1) * L, 0.0);  // dz[k*L + j]
    std::vector<complex> dm(static_cast<std::size_t>(L + 1) * L, 0.0);
    for (int k = L; k >= 1; --k) {
      const complex s = 1.0 / (b2_ * a[k - 1]);
      for (int j = 0; j < L; ++j) dz[(k - 1) * L + j] = dz[k * L + j] * s;
      dz[(k - 1) * L + (k - 1)] -= zz[k] * s / a[k - 1];
    }
    for (int j = 0; j < L; ++j) dm[j] = dm0 * dz[j];
    for (int k = 1; k <= L; ++k) {
      const complex s = 1.0 / (b2_ * a[k - 1]);
      for (int j = 0; j < L; ++j) dm[k * L + j] = dm[(k - 1) * L + j] * s;
      dm[k * L + (k - 1)] -= m[k] / a[k - 1];
    }
    for (int k = 1; k <= L; ++k) {
      const double g = gammas_[k - 1];
      for (int j = 0; j < L; ++j)
        (*jac)[(k - 1) * L + j] = g * (dz[k * L + j] * m[k] + zz[k] * dm[k * L + j]);
      (*jac)[(k - 1) * L + (k - 1)] += 1.0;
    }
  }

  // Newton from `a` at z. True on convergence to a finite root that passes `physical`.
  bool newton(std::vector<complex>& a, complex z) const {
    const int L = layers_;
    std::vector<complex> r, m, zz, jac;
    double last = std::numeric_limits<double>::infinity();
    int growing = 0;
    for (int it = 0; it < 40; ++it) {
      evaluate(a, z, r, m, zz, &jac);
      for (int k = 0; k < L; ++k)
        if (!finite(r[k])) return false;
      if (!solve_linear(jac, r, L)) return false;
      double step = 0.0, size = 0.0;
      for (int k = 0; k < L; ++k) {
        a[k] -= r[k];
        step = std::max(step, std::abs(r[k]));
        size = std::max(size, std::abs(a[k]));
      }
      if (!std::isfinite(step)) return false;
      // Converged, or rounding-limited (the step stopped shrinking at a tiny size).
      if (step <= 1e-15 * (1.0 + size) || (step <= 1e-11 * (1.0 + size) && step >= 0.5 * last))
        return physical(a, z);
      growing = step > last ? growing + 1 : 0;
      if (growing >= 3) return false;  // diverging: let the caller take a smaller step
      last = step;
    }
    return false;
  }

  // Every M_ℓ and every evaluation point z_ℓ in the closed upper half plane (up to rounding), as
  // characterises the physical root (see the file comment).
  bool physical(const std::vector<complex>& a, complex z) const {
    std::vector<complex> r, m, zz;
    evaluate(a, z, r, m, zz);
    for (int k = 0; k <= layers_; ++k) {
      if (!finite(m[k]) || !finite(zz[k])) return false;
      if (m[k].imag() < -1e-10 * std::abs(m[k])) return false;
      if (zz[k].imag() < -1e-10 * (1.0 + std::abs(zz[k]))) return false;
    }
    return true;
  }

  complex top_value(const std::vector<complex>& a, complex z) const {
    std::vector<complex> r, m, zz;
    evaluate(a, z, r, m, zz);
    return m[layers_];
  }

 private:
  double b2_;
  MarchenkoPastur mp0_;
  const std::vector<double>& gammas_;
  int layers_;
};

// Upper bound of the support of μ_ℓ: ‖X_ℓᵀX_ℓ‖ ≤ ‖W‖² ‖K_ℓ‖ with ‖ZᵀZ/d‖ → (1 + √γ)².
double top_bound(double b, double gamma, double previous_top) {
  const double s = 1.0 + std::sqrt(gamma);
  return s * s * ((1.0 - b * b) + b * b * previous_top);
}

// Solver for one layer (b > 0, layer ≥ 1): continuation in η = Im z along the vertical line
// Re z = x, from far above the spectrum (where A_ℓ ≈ 1, i.e. m ≈ -1/z) down to the target.
// ρ = Im m(x + i0)/π; outside the support the root is real and Im m is rounding noise.
double density_from(complex m) {
  return m.imag() > 1e-12 * std::abs(m) ? m.imag() / kPi : 0.0;
}

class LayerSolver {
 public:
  LayerSolver(double b, double gamma0, const std::vector<double>& gammas, int layer)
      : chain_(b, gamma0, gammas, layer), layer_(layer) {
    double top = MarchenkoPastur(gamma0).upper_edge();
    for (int k = 1; k <= layer; ++k) top = top_bound(b, gammas[k - 1], top);
    scale_ = std::max(1.0, top);
  }

  double scale() const { return scale_; }

  // Physical root at x + iη for some η ≥ 0 large enough that Newton from A = 1 converges.
  void far_start(double x, double min_eta, std::vector<complex>& a, double& eta) const {
    eta = std::max(min_eta, 4.0 * (scale_ + std::abs(x)));
    for (int attempt = 0; attempt < 6; ++attempt, eta *= 10.0) {
      a.assign(layer_, complex(1.0, 0.0));
      if (chain_.newton(a, complex(x, eta))) return;
    }
    throw NumericalError(fmt::format("ConjugateKernel: no starting point at Re z = {}", x));
  }

  // From the physical root `a` at x + iη down to x + i·target (target < η).
  void descend(double x, double target, std::vector<complex>& a, double& eta, double factor = 0.01) const {
    numerics::descend_to_axis(
        a, x, target, eta, 1e-10 * scale_, 1e-13 * scale_,
        [this](std::vector<complex>& s, complex z) { return chain_.newton(s, z); }, "ConjugateKernel", factor);
  }

  complex solve(complex z) const {
    std::vector<complex> a;
    double eta = 0.0;
    far_start(z.real(), z.imag(), a, eta);
    if (eta > z.imag()) descend(z.real(), z.imag(), a, eta);
    const complex m = chain_.top_value(a, complex(z.real(), eta));
    // Boundary value on the real axis: Im m ≥ 0 (a negative value is rounding).
    return z.imag() == 0.0 && m.imag() < 0.0 ? complex(m.real(), 0.0) : m;
  }

  // Density at x for a scan in increasing x: warm-starts at η_s = 1e-6·scale from the previous
  // point's root (a certified start: every accepted root at η > 0 is the physical one), then
  // jumps to η = 0. Falls back to the full continuation when the warm start fails.
  double scan_density(double x) {
    const double eta_s = 1e-6 * scale_;
    bool ok = false;
    if (warm_valid_ && std::abs(x - warm_x_) <= 0.02 * scale_) {
      warm_eta_ = eta_s;
      std::vector<complex> trial = warm_a_;
      ok = chain_.newton(trial, complex(x, eta_s));
      if (ok) warm_a_.swap(trial);
    }
    if (!ok) {
      far_start(x, 0.0, warm_a_, warm_eta_);
      descend(x, eta_s, warm_a_, warm_eta_);
    }
    warm_valid_ = true;
    warm_x_ = x;
    std::vector<complex> a = warm_a_;
    double eta = warm_eta_;
    descend(x, 0.0, a, eta, 0.0);
    return density_from(chain_.top_value(a, complex(x, eta)));
  }

 private:
  Chain chain_;
  int layer_;
  double scale_ = 1.0;
  bool warm_valid_ = false;
  double warm_x_ = 0.0, warm_eta_ = 0.0;
  std::vector<complex> warm_a_;
};

}  // namespace

ConjugateKernel::ConjugateKernel(double b, double gamma0, std::vector<double> gammas)
    : b_(b), gamma0_(gamma0), gammas_(std::move(gammas)) {
  if (!(std::isfinite(b) && b >= 0.0 && b <= 1.0))
    throw InputError(fmt::format("ConjugateKernel: b must be in [0, 1], got {}", b));
  if (!(std::isfinite(gamma0) && gamma0 > 0.0))
    throw InputError(fmt::format("ConjugateKernel: gamma0 must be > 0, got {}", gamma0));
  for (std::size_t k = 0; k < gammas_.size(); ++k)
    if (!(std::isfinite(gammas_[k]) && gammas_[k] > 0.0))
      throw InputError(
          fmt::format("ConjugateKernel: gamma[{}] must be > 0, got {}", k + 1, gammas_[k]));

  const int L = depth();
  if (L == 0 || b_ == 0.0) {
    support_ = L == 0 ? MarchenkoPastur(gamma0_).support()
                      : MarchenkoPastur(gammas_[L - 1]).support();
    return;
  }
  // Top edges layer by layer: bound from the previous layer's edge, then locate the actual
  // edge (descend until the density is positive, bisect). Keeps the scan window tight at depth.
  double top = MarchenkoPastur(gamma0_).upper_edge();
  for (int layer = 1; layer < L; ++layer) {
    const double bound = top_bound(b_, gammas_[layer - 1], top);
    LayerSolver solver(b_, gamma0_, gammas_, layer);
    double outside = bound, inside = -1.0;
    constexpr int kSteps = 100;
    for (int k = 1; k < kSteps; ++k) {
      const double x = bound * (1.0 - static_cast<double>(k) / kSteps);
      if (solver.scan_density(x) > 1e-10) {
        inside = x;
        break;
      }
      outside = x;
    }
    if (inside < 0.0) {
      top = bound;  // nothing found on the coarse grid: keep the (valid) bound
      continue;
    }
    // Only a bound for the next layer is needed: 1e-6 relative is plenty.
    for (int it = 0; it < 60 && outside - inside > 1e-6 * outside; ++it) {
      const double mid = 0.5 * (outside + inside);
      (solver.scan_density(mid) > 1e-10 ? inside : outside) = mid;
    }
    top = outside;
  }
  const double hi = top_bound(b_, gammas_[L - 1], top);
  LayerSolver solver(b_, gamma0_, gammas_, L);
  support_ = numerics::scan_support(
      [&solver](double x) { return x > 0.0 ? solver.scan_density(x) : 0.0; }, 0.0, hi, 4000,
      1e-10);
}

complex ConjugateKernel::layer_stieltjes(int layer, complex z) const {
  if (layer < 0 || layer > depth())
    throw InputError(fmt::format("ConjugateKernel: layer {} not in 0..{}", layer, depth()));
  if (!finite(z)) throw InputError("ConjugateKernel: non-finite argument");
  if (z.imag() < 0.0) return std::conj(layer_stieltjes(layer, std::conj(z)));
  if (layer == 0) return MarchenkoPastur(gamma0_).stieltjes(z);
  // b = 0: the input is forgotten, μ_ℓ = MP(γ_ℓ) exactly (docs/theory.md §3.4).
  if (b_ == 0.0) return MarchenkoPastur(gammas_[layer - 1]).stieltjes(z);
  if (z == 0.0) {
    bool singular = gammas_[layer - 1] >= 1.0;
    if (b_ == 1.0) {
      singular = singular || gamma0_ >= 1.0;
      for (int k = 0; k < layer; ++k) singular = singular || gammas_[k] >= 1.0;
    }
    if (singular)
      throw InputError("ConjugateKernel: m(z) is singular at z = 0 (atom or x^{-1/2} edge)");
  }
  return LayerSolver(b_, gamma0_, gammas_, layer).solve(z);
}

complex ConjugateKernel::nested_layer_stieltjes(int layer, complex z) const {
  if (layer < 0 || layer > depth())
    throw InputError(fmt::format("ConjugateKernel: layer {} not in 0..{}", layer, depth()));
  if (z.imag() < 0.0) return std::conj(nested_layer_stieltjes(layer, std::conj(z)));
  if (layer == 0) return MarchenkoPastur(gamma0_).stieltjes(z);
  const double g = gammas_[layer - 1];
  const double b2 = b_ * b_;
  complex m = z == 0.0 ? complex(1.0, 0.0) : -1.0 / z;
  constexpr double kDamping = 0.5;
  constexpr int kMaxSteps = 5000;
  double change = 0.0;
  for (int it = 0;; ++it) {
    if (it == kMaxSteps || !std::isfinite(change))
      throw NumericalError(fmt::format(
          "ConjugateKernel: the nested fixed point of layer {} did not converge at z = {}+{}i ({} after {} steps, "
          "m = {}+{}i, residual |T(m) − m| = {:.3g})",
          layer, z.real(), z.imag(), std::isfinite(change) ? "stopped" : "diverged", it, m.real(), m.imag(),
          change / kDamping));
    const complex a = 1.0 - g - g * z * m;
    complex next;
    if (b_ == 0.0) {
      next = 1.0 / (a - z);
    } else {
      const complex w = (z - (1.0 - b2) * a) / (b2 * a);
      next = nested_layer_stieltjes(layer - 1, w) / (b2 * a);
    }
    next = kDamping * next + (1.0 - kDamping) * m;
    change = std::abs(next - m);  // = kDamping · |T(m) − m|, the fixed point's residual scaled
    const bool done = change <= 1e-14 * (1.0 + std::abs(m));
    if (!std::isfinite(change)) continue;  // keep the last finite iterate for the error
    m = next;
    if (done) break;
  }
  return m;
}

double ConjugateKernel::layer_density(int layer, double x) const {
  if (!std::isfinite(x)) throw InputError("ConjugateKernel: non-finite argument");
  if (x <= 0.0) return 0.0;  // PSD; a possible atom at 0 is listed by atoms()
  if (layer == 0) return MarchenkoPastur(gamma0_).density(x);
  if (b_ == 0.0 && layer >= 1 && layer <= depth())
    return MarchenkoPastur(gammas_[layer - 1]).density(x);
  return density_from(layer_stieltjes(layer, complex(x, 0.0)));
}

double ConjugateKernel::density(double x) const { return layer_density(depth(), x); }

complex ConjugateKernel::stieltjes(complex z) const { return layer_stieltjes(depth(), z); }

std::vector<Interval> ConjugateKernel::support() const { return support_; }

// Rank of the n×n matrix X_Lᵀ X_L: ν_ℓ = (1 - b²) + b² μ_{ℓ-1} has no atom at 0 when b < 1, so
// rank = min(n, d_L) and μ_L({0}) = (1 - 1/γ_L)⁺. For b = 1 the kernels add up:
// μ_ℓ({0}) = 1 - min(1 - μ_{ℓ-1}({0}), 1/γ_ℓ).
std::vector<Atom> ConjugateKernel::atoms() const {
  const int L = depth();
  double mass = std::max(0.0, 1.0 - 1.0 / gamma0_);
  for (int k = 1; k <= L; ++k) {
    const double previous = b_ == 1.0 ? mass : 0.0;
    mass = 1.0 - std::min(1.0 - previous, 1.0 / gammas_[k - 1]);
  }
  if (mass > 0.0) return {{0.0, mass}};
  return {};
}

// Free multiplicative convolution μ = MP_γ ⊠ ν: m1(μ) = m1(ν), m2(μ) = m2(ν) + γ m1(ν)².
// ν = (1 - b²) + b² μ_{ℓ-1}: m1(ν) = 1 - b² + b² m1 = 1 (m1(μ0) = 1), m2(ν) = 1 - b⁴ + b⁴ m2.
std::vector<double> ConjugateKernel::moments(int count) const {
  if (count < 0 || count > 2)
    throw InputError(fmt::format("ConjugateKernel: moments are available for count 0..2, got {}",
                                 count));
  double m2 = 1.0 + gamma0_;
  const double b4 = b_ * b_ * b_ * b_;
  for (double g : gammas_) m2 = 1.0 - b4 + b4 * m2 + g;
  std::vector<double> out{1.0, m2};
  out.resize(count);
  return out;
}

}  // namespace rmt::theory
