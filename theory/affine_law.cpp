#include "theory/affine_law.hpp"

#include <algorithm>
#include <cmath>

#include "core/base/error.hpp"

namespace rmt::theory {

AffineLaw::AffineLaw(std::unique_ptr<SpectralLaw> base, double a, double b) : base_(std::move(base)), a_(a), b_(b) {
  if (!base_ || !(std::isfinite(a) && a != 0 && std::isfinite(b)))
    throw InputError("AffineLaw: need a base law, a finite non-zero scale and a finite shift");
}

std::vector<Interval> AffineLaw::support() const {
  std::vector<Interval> out;
  for (const auto& s : base_->support()) {
    const double u = a_ * s.lo + b_, v = a_ * s.hi + b_;
    out.push_back({std::min(u, v), std::max(u, v)});
  }
  std::sort(out.begin(), out.end(), [](const Interval& p, const Interval& q) { return p.lo < q.lo; });
  return out;
}

std::vector<Atom> AffineLaw::atoms() const {
  std::vector<Atom> out;
  for (const auto& atom : base_->atoms()) out.push_back({a_ * atom.x + b_, atom.mass});
  return out;
}

double AffineLaw::density(double x) const { return base_->density((x - b_) / a_) / std::abs(a_); }

complex AffineLaw::stieltjes(complex z) const {
  const complex w = (z - b_) / a_;
  // For a < 0, w is in the lower half-plane: use m(w̄) conjugated (m(conj w) = conj m(w)).
  if (w.imag() < 0) return std::conj(base_->stieltjes(std::conj(w))) / a_;
  return base_->stieltjes(w) / a_;
}

std::vector<double> AffineLaw::moments(int count) const {
  const auto m = base_->moments(std::min(count, 2));
  if (count > 2) throw InputError("AffineLaw: only the first two moments are implemented");
  std::vector<double> out;
  if (count >= 1) out.push_back(a_ * m[0] + b_);
  if (count >= 2) out.push_back(a_ * a_ * m[1] + 2 * a_ * b_ * m[0] + b_ * b_);
  return out;
}

}  // namespace rmt::theory
