// Functional cases (records with empirical.functionals, docs/theory.md §12): each functional's deviation from
// its high-dimensional equivalent in units of its scale, with ±2 s.e. bars and the tolerance band, and the
// table of values.
#include <cmath>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "core/results/report_case.hpp"
#include "core/results/report_fields.hpp"

namespace rmt::rpt {

using svg::compact;
using svg::escape;
using svg::Pt;

namespace {

struct Row {
  std::string name;
  std::optional<double> empirical, se, theory, scale, z;
  bool judged = false;
};

std::vector<Row> rows_of(const json& rec) {
  std::vector<Row> out;
  const auto& th = items(field(rec, "theory", "functionals"));
  const auto& em = items(field(rec, "empirical", "functionals"));
  for (std::size_t i = 0; i < em.size(); ++i) {
    Row r;
    r.name = text(field(em[i], "name"));
    r.empirical = number(field(em[i], "value"));
    r.se = number(field(em[i], "se"));
    r.z = number(field(em[i], "z"));
    const auto judged = field(em[i], "judged");
    r.judged = judged != nullptr && judged->is_boolean() && judged->get<bool>();
    if (i < th.size()) {
      const auto v = number(field(th[i], "value")), b = number(field(th[i], "bias"));
      if (v) r.theory = *v + b.value_or(0.0);
      r.scale = number(field(th[i], "se"));
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace

std::string functional_figure(const json& rec) {
  const auto rows = rows_of(rec);
  if (rows.empty()) return {};
  // Signed deviation (empirical − theory)/scale with ±2 s.e. (the measured one, in the same units).
  std::vector<Pt> judged, reported;
  std::vector<double> judged_bars, reported_bars;
  double top = 5;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& r = rows[i];
    const double scale = r.scale && *r.scale > 0 ? *r.scale : r.se.value_or(0.0);
    if (!r.empirical || !r.theory || !(scale > 0)) continue;
    const double d = (*r.empirical - *r.theory) / scale, bar = 2 * r.se.value_or(0.0) / scale;
    if (!std::isfinite(d)) continue;
    (r.judged ? judged : reported).push_back({static_cast<double>(i + 1), d});
    (r.judged ? judged_bars : reported_bars).push_back(bar);
    top = std::max(top, std::abs(d) + bar);
  }
  top = std::min(top, 50.0);
  svg::Plot p("fig-functionals", "Functionals against theory", svg::Axis::linear(0, static_cast<double>(rows.size()) + 1, "functional #"),
              svg::Axis::linear(-top, top, "(empirical − theory) / scale"));
  const double tol = number(field(rec, "tolerance", "functional_error")).value_or(5.0);
  const double n = static_cast<double>(rows.size()) + 1;
  p.polyline({{0, tol}, {n, tol}}, "edge");
  p.polyline({{0, -tol}, {n, -tol}}, "edge");
  p.polyline({{0, 0}, {n, 0}}, "theory");
  p.error_bars(judged, judged_bars, "errbar");
  p.error_bars(reported, reported_bars, "errbar2");
  p.markers(judged, "emp");
  p.markers(reported, "emp2");
  p.legend("emp", "judged ±2 s.e.", svg::Key::Dot);
  if (!reported.empty()) p.legend("emp2", "reported only", svg::Key::Dot);
  p.legend("edge", fmt::format("tolerance ±{}", compact(tol)), svg::Key::Dashed);
  p.note("numbers: rows of the functionals table; scale = theory s.e. (else the replicates')");
  return p.str();
}

std::string functionals_table(const json& rec) {
  const auto rows = rows_of(rec);
  if (rows.empty()) return {};
  std::string body;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& r = rows[i];
    const bool bad = r.judged && r.z && *r.z > number(field(rec, "tolerance", "functional_error")).value_or(5.0);
    body += fmt::format(
        R"(<tr><td class="num">{}</td><td><code>{}</code></td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td><td class="num{}">{}</td><td>{}</td></tr>)",
        i + 1, escape(r.name), cell(r.empirical, 7), cell(r.se, 3), cell(r.theory, 7), cell(r.scale, 3),
        bad ? " bad" : "", cell(r.z, 3), r.judged ? "yes" : "no");
  }
  return "<h4>Functionals</h4><table class=\"cmp\"><thead><tr><th>#</th><th>functional</th><th>empirical</th><th>s.e."
         "</th><th>theory (+bias)</th><th>scale</th><th>z</th><th>judged</th></tr></thead><tbody>" +
         body + "</tbody></table>";
}

}  // namespace rmt::rpt
