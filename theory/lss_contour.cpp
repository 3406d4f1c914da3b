#include "theory/lss_contour.hpp"

#include <cmath>
#include <numbers>

#include <fmt/format.h>

#include "core/base/error.hpp"
#include "theory/silverstein.hpp"

namespace rmt::theory {

LssContour::LssContour(PopulationSpectrum h, double c, int nodes) : resolvent_(h, c), nodes_(nodes) {
  if (!(c > 0 && c < 1))
    throw InputError(fmt::format("lss: a general population needs c = p/n in (0, 1), got {}", c));
  if (nodes < 64) throw InputError(fmt::format("lss: {} contour nodes are too few (at least 64)", nodes));
  const auto support = BaiSilverstein(std::move(h), c).support();
  a_ = support.front().lo;
  b_ = support.back().hi;
  // Left ends at 0.35a and 0.7a, vertical semi-axes 0.5(b − a) and 0.3(b − a): both enclose [a, b], leave 0
  // outside, and stay apart, so the double integral's kernel is smooth on them.
  outer_ = ellipse(0.35 * a_, 0.5 * (b_ - a_));
  inner_ = ellipse(0.7 * a_, 0.3 * (b_ - a_));
}

std::vector<LssContour::Node> LssContour::ellipse(double left_end, double vertical_semi_axis) const {
  const double centre = 0.5 * (a_ + b_), horizontal = centre - left_end, step = 2 * std::numbers::pi / nodes_;
  std::vector<Node> out(static_cast<std::size_t>(nodes_));
  for (int j = 0; j < nodes_; ++j) {
    const double theta = step * (j + 0.5);  // offset: no node on the real axis
    Node& n = out[static_cast<std::size_t>(j)];
    n.z = {centre + horizontal * std::cos(theta), vertical_semi_axis * std::sin(theta)};
    n.dz = complex{-horizontal * std::sin(theta), vertical_semi_axis * std::cos(theta)} * step;
    n.mt = resolvent_.companion(n.z);
    n.dmt = 1.0 / resolvent_.dz(n.mt);
  }
  return out;
}

namespace {

// −(1/2πi) Σ g(z_j) dz_j: the trapezoid rule for −(1/2πi) ∮ g(z) dz (counter-clockwise).
template <class Nodes, class G>
double minus_contour_mean(const Nodes& nodes, G&& g) {
  complex sum = 0;
  for (const auto& n : nodes) sum += g(n) * n.dz;
  return (-sum / complex{0, 2 * std::numbers::pi}).real();
}

}  // namespace

double LssContour::integral(const ComplexFunction& f) const {
  return minus_contour_mean(outer_, [&](const Node& n) { return f(n.z) * resolvent_.trace(n.z); });
}

double LssContour::mean(const ComplexFunction& f) const {
  return minus_contour_mean(outer_, [&](const Node& n) { return f(n.z) * resolvent_.trace_bias(n.z); });
}

double LssContour::covariance(const ComplexFunction& f, const ComplexFunction& g) const {
  std::vector<complex> fo(outer_.size()), gi(inner_.size());
  for (std::size_t j = 0; j < outer_.size(); ++j) fo[j] = f(outer_[j].z) * outer_[j].dmt * outer_[j].dz;
  for (std::size_t k = 0; k < inner_.size(); ++k) gi[k] = g(inner_[k].z) * inner_[k].dmt * inner_[k].dz;
  complex sum = 0;
  for (std::size_t j = 0; j < outer_.size(); ++j) {
    complex row = 0;
    for (std::size_t k = 0; k < inner_.size(); ++k) {
      const complex d = outer_[j].mt - inner_[k].mt;
      row += gi[k] / (d * d);
    }
    sum += fo[j] * row;
  }
  return (-sum / (2 * std::numbers::pi * std::numbers::pi)).real();
}

}  // namespace rmt::theory
