// The spectral figure of an SLQ case (method = slq, docs/theory.md §9.6): the smoothed density
// (1/π) Im m(x + iη) of the probe-averaged quadrature with its ±2 s.e. band over the law smoothed at the
// same η — never a smoothed estimate against an unsmoothed law.
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "core/results/report_case.hpp"
#include "core/results/report_fields.hpp"

namespace rmt::rpt {

using svg::Pt;

std::string slq_density_figure(const json& rec) {
  const json* slq = field(rec, "empirical", "slq");
  const json* s = field(slq, "smoothed_density");
  const auto& x = items(field(s, "x"));
  const auto& mean = items(field(s, "mean"));
  const auto& se = items(field(s, "se"));
  const auto& theory = items(field(s, "theory"));
  const std::size_t n = std::min({x.size(), mean.size(), se.size(), theory.size()});
  std::vector<Pt> est, lo, hi, law;
  Span xs, ys;
  for (std::size_t i = 0; i < n; ++i) {
    const auto xi = number(&x[i]), m = number(&mean[i]), e = number(&se[i]), t = number(&theory[i]);
    if (!xi || !m || !e || !t) continue;
    est.push_back({*xi, *m});
    lo.push_back({*xi, *m - 2 * *e});
    hi.push_back({*xi, *m + 2 * *e});
    law.push_back({*xi, *t});
    xs.add(*xi);
    ys.add(*m + 2 * *e), ys.add(*t);
  }
  const auto eta = number(field(s, "eta"));
  svg::Plot p("fig-slq", fmt::format("SLQ density, smoothed at η = {} on both sides", svg::compact(eta.value_or(kNaN), 3)),
              svg::Axis::linear(xs.empty() ? 0.0 : xs.lo, xs.empty() ? 1.0 : xs.hi, "eigenvalue λ"),
              svg::Axis::linear(0, ys.empty() || !(ys.hi > 0) ? 1.0 : ys.hi * 1.08, "density"));
  p.polyline(law, "theory");
  p.polyline(est, "theory2");
  p.polyline(lo, "edge");
  p.polyline(hi, "edge");
  p.legend("theory", "law, smoothed at η", svg::Key::Line);
  p.legend("theory2", "SLQ estimate", svg::Key::Line);
  p.legend("edge", "±2 s.e. (probes)", svg::Key::Dashed);
  if (est.empty()) p.note("no smoothed density in the record");
  const auto probes = text(field(slq, "probes"));
  const auto steps = text(field(slq, "steps"));
  p.note(fmt::format("{} probes × {} Lanczos steps, {} operator", probes.empty() ? "?" : probes,
                     steps.empty() ? "?" : steps, text(field(slq, "storage"))));
  return p.str();
}

}  // namespace rmt::rpt
