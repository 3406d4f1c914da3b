// The report's convergence section: per study, |metric| against n on log–log axes with the fitted
// power law, and a table of the fitted rates next to the expected ones.
#include <algorithm>
#include <cmath>
#include <utility>

#include <fmt/format.h>

#include "core/results/report_sections.hpp"
#include "core/results/svg.hpp"

namespace rmt {

namespace {

using svg::compact;
using svg::escape;

std::string short_name(const std::string& metric) {
  if (metric == "stieltjes_error") return "stieltjes";
  if (metric == "edge_error") return "|edge|";
  if (metric == "risk_error") return "risk";
  if (metric == "outlier_position_error") return "outlier pos.";
  if (metric == "outlier_alignment_error") return "alignment";
  return metric;
}

std::string study_figure(const ConvergenceStudy& st) {
  double xlo = INFINITY, xhi = -INFINITY, ylo = INFINITY, yhi = -INFINITY;
  for (const auto& s : st.series)
    for (std::size_t i = 0; i < s.n.size(); ++i) {
      xlo = std::min(xlo, s.n[i]), xhi = std::max(xhi, s.n[i]);
      ylo = std::min(ylo, s.value[i]), yhi = std::max(yhi, s.value[i]);
    }
  if (!(xlo > 0 && ylo > 0)) return {};
  const auto x = svg::Axis::logarithmic(xlo / 1.2, xhi * 1.2, "n (log)");
  const auto y = svg::Axis::logarithmic(ylo / 1.5, yhi * 1.5, "|metric| (log)");
  svg::Plot p("fig-convergence", fmt::format("Convergence: {}", st.name), x, y, 600, 320);
  for (std::size_t k = 0; k < st.series.size(); ++k) {
    const auto& s = st.series[k];
    const auto cls = k % 6;
    std::vector<svg::Pt> pts;
    for (std::size_t i = 0; i < s.n.size(); ++i) pts.push_back({s.n[i], s.value[i]});
    p.markers(pts, fmt::format("cv{}", cls));
    if (s.fit) {
      const double a = s.n.front(), b = s.n.back();
      p.polyline({{a, s.fit->prefactor * std::pow(a, s.fit->exponent)}, {b, s.fit->prefactor * std::pow(b, s.fit->exponent)}},
                 fmt::format("cl{}", cls));
      p.legend(fmt::format("cl{}", cls), fmt::format("{} s={} ({})", short_name(s.metric), compact(s.rate(), 2),
                                                     compact(s.expected, 2)),
               svg::Key::Line);
    } else {
      p.legend(fmt::format("cv{}", cls), short_name(s.metric), svg::Key::Dot);
    }
  }
  return p.str();
}

std::string study_table(const ConvergenceStudy& st) {
  std::string rows;
  for (const auto& s : st.series) {
    std::string rate = "—", ci = "—";
    if (s.fit) {
      rate = escape(compact(s.rate(), 3));
      if (std::isfinite(s.fit->ci_low))
        ci = fmt::format("[{}, {}]", escape(compact(-s.fit->ci_high, 3)), escape(compact(-s.fit->ci_low, 3)));
    }
    rows += fmt::format(
        R"(<tr><td>{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td><td>{}</td><td class="{}">{}</td><td class="num">{}</td></tr>)",
        escape(s.metric), rate, ci, escape(compact(s.expected, 3)), escape(s.basis), escape(s.assessment),
        escape(s.assessment), s.n.size());
  }
  return R"(<table><thead><tr><th>metric</th><th>rate s (|metric| ∝ n<sup>−s</sup>)</th><th>95% interval</th>)"
         R"(<th>expected</th><th>basis (docs/theory.md §9.5)</th><th>assessment</th><th>points</th></tr></thead><tbody>)" +
         rows + "</tbody></table>";
}

}  // namespace

std::optional<ReportSection> convergence_section(const std::vector<ConvergenceStudy>& studies) {
  if (studies.empty()) return std::nullopt;
  std::string s = R"(<p class="muted">Each sweep over n is fitted as |metric| = C·n<sup>−s</sup> by least squares in )"
                  R"(log–log; the interval is Student-t on the slope. Rates are informative, not judged: one seed )"
                  R"(per size gives noisy points. Data: <a href="convergence.json">convergence.json</a>.</p>)";
  for (const auto& st : studies) {
    s += fmt::format(R"(<div class="study"><h3>{} <span class="muted">{}</span></h3>)", escape(st.name), escape(st.model));
    s += R"(<div class="figs">)" + study_figure(st) + "</div>" + study_table(st);
    s += R"(<p class="muted">Cases:)";
    for (const auto& c : st.cases) s += fmt::format(R"( <a href="#{}">{}</a>)", case_anchor(c), escape(c));
    s += "</p></div>";
  }
  return ReportSection{.id = "convergence",
                       .css_class = "runsec",
                       .heading = "Convergence studies",
                       .body = std::move(s),
                       .css = std::string(run_section_css())};
}

}  // namespace rmt
