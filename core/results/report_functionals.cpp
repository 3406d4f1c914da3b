// Functional cases (records with empirical.functionals, docs/theory.md §12): each functional's deviation from
// its high-dimensional equivalent in units of its scale, with ±2 s.e. bars and the tolerance band, and the
// table of values.
#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "core/results/report_case.hpp"
#include "core/results/report_fields.hpp"
#include "core/results/report_sections.hpp"

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

namespace rmt {

namespace {

using nlohmann::json;
using rpt::field;
using rpt::items;
using rpt::number;
using rpt::text;
using svg::compact;
using svg::escape;
using svg::Pt;

// The empirical (value, se) and theory value of functional `name` in a record.
struct Point {
  double x = 0, emp = 0, se = 0, theory = 0;
};
std::optional<Point> functional_point(const json& rec, const std::string& name, double x) {
  const auto& em = items(field(rec, "empirical", "functionals"));
  const auto& th = items(field(rec, "theory", "functionals"));
  for (std::size_t i = 0; i < em.size() && i < th.size(); ++i)
    if (text(field(em[i], "name")) == name) {
      const auto e = number(field(em[i], "value")), s = number(field(em[i], "se")), t = number(field(th[i], "value"));
      if (e && t) return Point{x, *e, s.value_or(0.0), *t};
    }
  return std::nullopt;
}

// One curve across a sweep of theta2: empirical ±2 s.e. over the theory, the threshold √c dashed.
std::string clustering_figure(std::vector<Point> pts, const std::string& name, const std::string& title, double threshold) {
  std::sort(pts.begin(), pts.end(), [](const Point& a, const Point& b) { return a.x < b.x; });
  rpt::Span xs, ys;
  for (const auto& p : pts) xs.add(p.x), ys.add(p.emp + 2 * p.se), ys.add(p.emp - 2 * p.se), ys.add(p.theory);
  xs.add(threshold);
  svg::Plot plot("fig-transition", title, svg::Axis::linear(0, xs.hi, "θ² = ‖μ‖²"),
                 svg::Axis::linear(std::min(0.0, ys.lo), ys.hi * 1.05, name));
  std::vector<Pt> theory, emp;
  std::vector<double> bars;
  for (const auto& p : pts) {
    theory.push_back({p.x, p.theory});
    emp.push_back({p.x, p.emp});
    bars.push_back(2 * p.se);
  }
  plot.polyline(theory, "theory");
  plot.error_bars(emp, bars, "errbar");
  plot.markers(emp, "emp");
  plot.vline(threshold, "edge");
  plot.legend("theory", "theory", svg::Key::Line);
  plot.legend("emp", "empirical ±2 s.e.", svg::Key::Dot);
  plot.note(fmt::format("dashed: phase transition θ² = √c = {}", compact(threshold)));
  return plot.str();
}

std::string le_figure(const json& rec) {
  const json* fit = field(rec, "empirical", "le_fit");
  if (fit == nullptr) return {};
  const auto& ns = items(field(fit, "n"));
  const auto& es = items(field(fit, "mean_error"));
  std::vector<Pt> pts;
  rpt::Span xs, ys;
  for (std::size_t i = 0; i < ns.size() && i < es.size(); ++i)
    if (ns[i].is_number() && es[i].is_number()) {
      pts.push_back({ns[i].get<double>(), es[i].get<double>()});
      xs.add(pts.back().x), ys.add(pts.back().y);
    }
  if (pts.size() < 2 || !(ys.lo > 0)) return {};
  // kernel = rf_gram measures a distance of spectra, not an operator norm.
  const std::string what = text(field(rec, "params", "kernel")) == "rf_gram" ? "Kolmogorov distance of the ESDs" : "‖K − K̃‖_op";
  svg::Plot plot("fig-le", what + " against n: " + escape(text(field(rec, "case"))), svg::Axis::logarithmic(xs.lo, xs.hi, "n"),
                 svg::Axis::logarithmic(ys.lo, ys.hi, what));
  plot.markers(pts, "emp");
  const auto e = number(field(fit, "exponent")), c = number(field(fit, "prefactor"));
  if (e && c) {
    std::vector<Pt> line;
    for (const auto& p : pts) line.push_back({p.x, *c * std::pow(p.x, *e)});
    plot.polyline(line, "fitline");
    const json* ci = field(fit, "ci95");
    const auto lo = ci && ci->is_array() && ci->size() == 2 ? number(&(*ci)[0]) : std::nullopt;
    const auto hi = ci && ci->is_array() && ci->size() == 2 ? number(&(*ci)[1]) : std::nullopt;
    plot.note(fmt::format("fitted slope {} [{}, {}] (95 %)", compact(*e), lo ? compact(*lo) : "—", hi ? compact(*hi) : "—"));
  }
  plot.legend("emp", "replicate mean", svg::Key::Dot);
  plot.legend("fitline", "log–log fit", svg::Key::Dashed);
  return plot.str();
}

}  // namespace

std::optional<ReportSection> beyond_section(const std::vector<json>& records) {
  // gmm_cluster points grouped by sweep (unmutated records only), le_kernel records one figure each.
  std::map<std::string, std::vector<const json*>> sweeps;
  std::vector<const json*> le;
  for (const auto& r : records) {
    if (field(r, "mutation") != nullptr) continue;
    const std::string model = text(field(r, "model"));
    if (model == "gmm_cluster") {
      const std::string sweep = text(field(field(r, "sweep"), "name"));
      sweeps[sweep.empty() ? text(field(r, "case")) : sweep].push_back(&r);
    } else if (model == "le_kernel") {
      le.push_back(&r);
    }
  }
  std::string body;
  for (const auto& [name, recs] : sweeps) {
    if (recs.size() < 2) continue;
    std::vector<Point> align, error;
    double c = 0;
    for (const json* r : recs) {
      const auto theta2 = number(field(*r, "params", "theta2"));
      if (!theta2) continue;
      c = number(field(*r, "params", "c")).value_or(c);
      if (auto p = functional_point(*r, "alignment", *theta2)) align.push_back(*p);
      if (auto p = functional_point(*r, "misclassification", *theta2)) error.push_back(*p);
    }
    if (align.size() < 2) continue;
    body += fmt::format("<h3>Spectral clustering across the transition: {}</h3><div class=\"figs\">{}{}</div>", escape(name),
                        clustering_figure(align, "|⟨v̂, y/√n⟩|²", "Alignment", std::sqrt(c)),
                        clustering_figure(error, "misclassification", "Misclassification of sign(v̂)", std::sqrt(c)));
  }
  if (!le.empty()) {
    body += "<h3>Linear equivalents in operator norm</h3><div class=\"figs\">";
    for (const json* r : le) body += le_figure(*r);
    body += "</div>";
  }
  if (body.empty()) return std::nullopt;
  return ReportSection{.id = "beyond",
                       .css_class = "runsec",
                       .heading = "Beyond eigenvalues",
                       .body = "<p class=\"muted\">Functional cases (README \"Beyond eigenvalues\"): eigenvector alignment and "
                               "misclassification against θ², ‖K − K̃‖ against n with its fitted slope.</p>" + body,
                       .css = std::string(run_section_css())};
}

}  // namespace rmt
