// The spectral figures of a case panel: histogram of the eigenvalues over the theory density
// (linear and log-y), the Q–Q plot against the theory quantiles, and the note on atoms.
#include <algorithm>
#include <cmath>
#include <iterator>

#include <fmt/format.h>

#include "core/results/report_case.hpp"
#include "core/results/report_fields.hpp"

namespace rmt::rpt {

using svg::compact;
using svg::escape;
using svg::Pt;

namespace {

double quantile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return kNaN;
  const double pos = q * static_cast<double>(sorted.size() - 1);
  const auto i = static_cast<std::size_t>(pos);
  const double t = pos - static_cast<double>(i);
  return i + 1 < sorted.size() ? sorted[i] * (1 - t) + sorted[i + 1] * t : sorted.back();
}

// Freedman–Diaconis bins (Sturges when the IQR vanishes), 10–150 of them. Eigenvalues are far more
// regular than iid samples (rigidity), so at least one bin per ~40 eigenvalues (up to 30) is kept.
Histogram make_histogram(const std::vector<double>& bulk, std::size_t total) {
  Histogram h;
  if (bulk.empty() || total == 0) return h;
  const double lo = bulk.front(), hi = bulk.back();
  const double n = static_cast<double>(bulk.size());
  const double iqr = quantile(bulk, 0.75) - quantile(bulk, 0.25);
  double bins = iqr > 0 ? std::ceil((hi - lo) / (2 * iqr * std::cbrt(1 / n))) : std::ceil(std::log2(n) + 1);
  bins = std::clamp(bins, std::min(std::max(10.0, std::min(n / 40, 30.0)), n), 150.0);
  h.lo = lo;
  h.width = hi > lo ? (hi - lo) / bins : std::max(std::abs(lo) * 1e-3, 1e-12);
  const auto nb = static_cast<std::size_t>(hi > lo ? bins : 1);
  h.density.assign(nb, 0.0);
  for (const double v : bulk) {
    const auto b = std::min(static_cast<std::size_t>(std::max((v - lo) / h.width, 0.0)), nb - 1);
    h.density[b] += 1;
  }
  for (double& d : h.density) d /= static_cast<double>(total) * h.width;
  return h;
}

void split_atoms(const json& rec, CaseData& d) {
  double scale = 1.0;
  for (const double v : d.sorted) scale = std::max(scale, std::abs(v));
  d.atom_tol = (text(field(rec, "precision")) == "fp32" ? 1e-4 : 1e-8) * scale;
  for (const auto& a : items(field(rec, "theory", "atoms"))) {
    const auto x = number(field(a, "x"));
    const auto m = number(field(a, "mass"));
    if (x && std::isfinite(*x)) d.atoms.push_back({*x, m.value_or(kNaN)});
  }
  for (const double v : d.sorted) {
    auto it = std::find_if(d.atoms.begin(), d.atoms.end(),
                           [&](const Atom& a) { return std::abs(v - a.x) <= d.atom_tol; });
    if (it != d.atoms.end()) ++it->count;
    else d.bulk.push_back(v);
  }
}

}  // namespace

CaseData case_data(const json& rec, const std::vector<double>* eigs) {
  CaseData d;
  if (eigs != nullptr)
    for (const double v : *eigs) {
      if (std::isfinite(v)) d.sorted.push_back(v);
      else ++d.non_finite;
    }
  std::sort(d.sorted.begin(), d.sorted.end());
  split_atoms(rec, d);
  d.hist = make_histogram(d.bulk, d.sorted.size());
  for (const auto& p : items(field(rec, "theory", "density"))) {
    const auto x = number(field(p, "x"));
    if (x && std::isfinite(*x)) d.density.push_back({*x, number(field(p, "value")).value_or(kNaN)});
  }
  std::sort(d.density.begin(), d.density.end(), [](const Pt& a, const Pt& b) { return a.x < b.x; });
  for (const auto& s : items(field(rec, "theory", "support"))) {
    if (s.is_array() && s.size() == 2 && s[0].is_number() && s[1].is_number())
      d.support.emplace_back(s[0].get<double>(), s[1].get<double>());
  }
  for (const auto& o : items(field(rec, "theory", "outliers")))
    if (const auto x = number(field(o, "position")); x && std::isfinite(*x)) d.theory_outliers.push_back(*x);
  return d;
}

Span x_span(const CaseData& d) {
  Span s;
  if (!d.bulk.empty()) s.add(d.bulk.front()), s.add(d.bulk.back());
  for (const auto& [a, b] : d.support) s.add(a), s.add(b);
  for (const auto& p : d.density) s.add(p.x);
  for (const double x : d.theory_outliers) s.add(x);
  return s;
}

// A 2% margin around the data, that does not push a non-negative range below zero.
double padded_lo(const Span& s) {
  if (s.empty()) return s.lo;
  const double lo = s.lo - 0.02 * (s.hi - s.lo);
  const bool non_negative = s.lo >= -1e-9 * std::max(1.0, std::abs(s.hi));  // numerical zeros count as 0
  return non_negative ? std::max(lo, std::min(s.lo, 0.0)) : lo;
}

double padded_hi(const Span& s) { return s.empty() ? s.hi : s.hi + 0.02 * (s.hi - s.lo); }

namespace {

void draw_histogram(svg::Plot& p, const CaseData& d) {
  for (std::size_t i = 0; i < d.hist.density.size(); ++i) {
    const double x0 = d.hist.lo + static_cast<double>(i) * d.hist.width;
    p.bar(x0, x0 + d.hist.width, d.hist.density[i], "bar");
  }
  p.polyline(d.density, "theory");
  for (const auto& [a, b] : d.support) p.vline(a, "edge"), p.vline(b, "edge");
  for (const double x : d.theory_outliers) p.vline(x, "outlier");
  if (!d.hist.density.empty())
    p.legend("bar", fmt::format("empirical (N={})", d.sorted.size()), svg::Key::Box);
  if (!d.density.empty()) p.legend("theory", "theory density", svg::Key::Line);
  if (!d.support.empty()) p.legend("edge", "support edges", svg::Key::Dashed);
  if (!d.theory_outliers.empty()) p.legend("outlier", "predicted outliers", svg::Key::Dashed);
}

}  // namespace

std::string histogram_figure(const CaseData& d, bool logy) {
  const Span xs = x_span(d);
  const auto x = svg::Axis::linear(padded_lo(xs), padded_hi(xs), "eigenvalue λ");
  double dmax = 0, dmin_pos = kNaN;
  for (const auto& p : d.density)
    if (std::isfinite(p.y)) {
      dmax = std::max(dmax, p.y);
      if (p.y > 0 && !(p.y >= dmin_pos)) dmin_pos = p.y;
    }
  const double hmax = d.hist.max();
  // A divergent theory density (hard edge) must not flatten the histogram.
  double ymax = hmax > 0 ? std::max(hmax, std::min(dmax, 2 * hmax)) : dmax;
  if (!(ymax > 0)) ymax = 1;
  svg::Axis y;
  if (logy) {
    double lo = hmax > 0 ? 0.5 * d.hist.min_positive() : dmin_pos;
    lo = std::max(std::isfinite(lo) ? lo : ymax * 1e-4, ymax * 1e-6);
    y = svg::Axis::logarithmic(lo, ymax * 1.3, "density (log)");
  } else {
    y = svg::Axis::linear(0, ymax * 1.08, "density");
  }
  svg::Plot p(logy ? "fig-logdensity" : "fig-hist",
              logy ? "Eigenvalue density, log scale" : "Eigenvalue histogram vs theory density", x, y);
  draw_histogram(p, d);
  if (d.sorted.empty()) p.note("no eigenvalues available");
  if (d.density.empty()) p.note("no theory density in the record");
  return p.str();
}
namespace {


// Theory CDF from the density grid (trapezoid rule, scaled to the continuous mass) plus atom jumps,
// as (x, F) vertices of a piecewise-linear, non-decreasing curve.
std::vector<Pt> theory_cdf(const CaseData& d) {
  double atom_mass = 0;
  for (const auto& a : d.atoms)
    if (std::isfinite(a.mass)) atom_mass += a.mass;
  std::vector<Pt> c;
  double acc = 0;
  for (std::size_t i = 0; i < d.density.size(); ++i) {
    if (i > 0) {
      const auto val = [](double v) { return std::isfinite(v) && v > 0 ? v : 0.0; };
      acc += 0.5 * (val(d.density[i - 1].y) + val(d.density[i].y)) * (d.density[i].x - d.density[i - 1].x);
    }
    c.push_back({d.density[i].x, acc});
  }
  if (!(acc > 0)) return {};
  for (auto& p : c) p.y *= std::max(1 - atom_mass, 0.0) / acc;
  for (const auto& a : d.atoms) {  // insert a vertical jump at each atom
    if (!std::isfinite(a.mass)) continue;
    auto it = std::lower_bound(c.begin(), c.end(), a.x, [](const Pt& p, double x) { return p.x < x; });
    const double before = it == c.begin() ? 0.0 : std::prev(it)->y;
    it = c.insert(it, {a.x, before});
    for (auto k = std::next(it); k != c.end(); ++k) k->y += a.mass;
    c.insert(std::next(it), {a.x, before + a.mass});
  }
  return c;
}

double cdf_quantile(const std::vector<Pt>& cdf, double p) {
  const auto it = std::lower_bound(cdf.begin(), cdf.end(), p, [](const Pt& a, double q) { return a.y < q; });
  if (it == cdf.end()) return cdf.back().x;
  if (it == cdf.begin() || it->y == std::prev(it)->y) return it->x;
  const auto& a = *std::prev(it);
  return a.x + (p - a.y) / (it->y - a.y) * (it->x - a.x);
}
}  // namespace

std::string qq_figure(const CaseData& d) {
  const auto cdf = theory_cdf(d);
  if (cdf.empty() || d.sorted.empty()) return {};
  const std::size_t n = d.sorted.size(), m = std::min<std::size_t>(n, 400);
  std::vector<Pt> pts;
  Span s;
  for (std::size_t k = 0; k < m; ++k) {
    const std::size_t i = std::min(n - 1, static_cast<std::size_t>((static_cast<double>(k) + 0.5) * n / m));
    const double q = cdf_quantile(cdf, (static_cast<double>(i) + 0.5) / static_cast<double>(n));
    pts.push_back({q, d.sorted[i]});
    s.add(q), s.add(d.sorted[i]);
  }
  const auto ax = svg::Axis::linear(padded_lo(s), padded_hi(s), "theory quantile F⁻¹((i−½)/N)");
  auto ay = ax;
  ay.label = "sorted eigenvalue λ₍ᵢ₎";
  svg::Plot p("fig-qq", "Q–Q plot: empirical vs theory quantiles", ax, ay, 420, 300);
  p.polyline({{ax.lo, ax.lo}, {ax.hi, ax.hi}}, "diag");
  p.markers(pts, "qq");
  return p.str();
}

std::string atoms_note(const CaseData& d) {
  if (d.atoms.empty()) return {};
  std::string s = R"(<p class="atoms">Atoms (excluded from the histogram, which integrates to the bulk fraction):)";
  const double n = static_cast<double>(std::max<std::size_t>(d.sorted.size(), 1));
  for (const auto& a : d.atoms)
    s += fmt::format(" at λ = {}: theory mass {}, empirical fraction {} ({} eigenvalues within {});",
                     escape(compact(a.x)), escape(compact(a.mass)),
                     d.sorted.empty() ? "—" : escape(compact(static_cast<double>(a.count) / n)), a.count,
                     escape(compact(d.atom_tol, 2)));
  s.back() = '.';
  return s + "</p>";
}

}  // namespace rmt::rpt
