// The learning-curve figure of a case panel (models with a curve instead of a spectrum).
#include <algorithm>
#include <cmath>
#include <utility>

#include <fmt/format.h>

#include "core/results/report_case.hpp"
#include "core/results/report_fields.hpp"

namespace rmt::rpt {

using svg::compact;
using svg::Pt;

// Learning curve (theory.curve, empirical.curve): train and test against t.
// Learning curves (issue #5): theory lines through empirical points with ±2 standard errors, on log
// axes when the values span decades; the interpolation peak (ψ1 = ψ2, γ = 1) and, for scaling
// laws, the fitted power law with its exponent next to the predicted one.
std::string curve_figure(const json& rec) {
  const auto& th = items(field(rec, "theory", "curve"));
  const auto& em = items(field(rec, "empirical", "curve"));
  if (th.empty() && em.empty()) return {};
  const std::string recorded_axis = text(field(rec, "empirical", "axis"));
  const std::string axis = recorded_axis.empty() ? std::string("t") : recorded_axis;
  const auto series = [&](const json& arr, const char* key) {
    std::vector<Pt> v;
    for (const auto& e : arr)
      if (const auto x = number(field(e, axis)))
        if (const auto y = number(field(e, key))) v.push_back({*x, *y});
    std::sort(v.begin(), v.end(), [](const Pt& a, const Pt& b) { return a.x < b.x; });
    return v;
  };
  const auto errors = [&](const char* key) {
    std::vector<std::pair<double, double>> v;  // (x, 2 s.e.)
    for (const auto& e : em)
      if (const auto x = number(field(e, axis))) v.emplace_back(*x, 2.0 * number(field(e, key)).value_or(0.0));
    std::sort(v.begin(), v.end());
    std::vector<double> out;
    for (const auto& [x, h] : v) out.push_back(h);
    return out;
  };
  // A scaling law is about the test error; its (interpolating) training error would flatten the axis.
  const std::vector<const char*> keys = axis == "n" ? std::vector<const char*>{"test"} : std::vector<const char*>{"train", "test"};
  Span xs, ys;
  bool positive_x = true, positive_y = true;
  for (const auto* arr : {&th, &em})
    for (const char* key : keys)
      for (const auto& pt : series(*arr, key)) {
        xs.add(pt.x), ys.add(pt.y);
        positive_x = positive_x && pt.x > 0;
        positive_y = positive_y && pt.y > 0;
      }
  const bool log_x = positive_x && (xs.hi >= 20 * xs.lo || (axis == "n" && xs.hi > xs.lo));
  const bool log_y = positive_y && ys.hi >= 30 * ys.lo;
  const std::string xlabel = axis == "t" ? "time t" : axis;
  const auto x = log_x ? svg::Axis::logarithmic(xs.lo, xs.hi, xlabel) : svg::Axis::linear(xs.lo, xs.hi, xlabel);
  const auto y = log_y ? svg::Axis::logarithmic(ys.lo, ys.hi, "error")
                       : svg::Axis::linear(std::min(0.0, ys.lo), ys.hi * 1.05, "error");
  svg::Plot p("fig-curve", "Learning curve", x, y);
  p.polyline(series(th, "test"), "theory");
  const bool show_train = keys.size() == 2;
  if (show_train) p.polyline(series(th, "train"), "theory2");
  const auto em_test = series(em, "test");
  const auto em_train = show_train ? series(em, "train") : std::vector<Pt>{};
  p.error_bars(em_test, errors("test_se"), "errbar");
  if (show_train) p.error_bars(em_train, errors("train_se"), "errbar2");
  p.markers(em_test, "emp");
  p.markers(em_train, "emp2");
  if (axis == "psi1")
    if (const auto psi2 = number(field(rec, "params", "psi2"))) {
      p.vline(*psi2, "edge");
      p.note(fmt::format("dashed: interpolation threshold N = n (ψ1 = ψ2 = {})", compact(*psi2)));
    }
  if (axis == "gamma") p.vline(1.0, "edge");
  if (const json* fit = field(rec, "empirical", "scaling")) {
    const auto e = number(field(fit, "exponent")), c = number(field(fit, "prefactor"));
    if (e && c) {
      std::vector<Pt> line;
      for (const auto& pt : em_test) line.push_back({pt.x, *c * std::pow(pt.x, *e)});
      p.polyline(line, "fitline");
      p.legend("fitline", "least-squares fit", svg::Key::Dashed);
      const json* ci = field(fit, "ci");
      const auto predicted = number(field(rec, "theory", "scaling") ? field(field(rec, "theory", "scaling"), "exponent")
                                                                    : nullptr);
      p.note(fmt::format("fitted exponent {}{}; predicted {}", compact(*e),
                         ci && ci->is_array() && ci->size() == 2
                             ? fmt::format(" [{}, {}]", compact((*ci)[0].get<double>()), compact((*ci)[1].get<double>()))
                             : std::string(),
                         predicted ? compact(*predicted) : std::string("—")));
    }
  }
  p.legend("theory", "theory test", svg::Key::Line);
  if (show_train) p.legend("theory2", "theory train", svg::Key::Line);
  if (!em.empty()) p.legend("emp", "empirical test ±2 s.e.", svg::Key::Dot);
  if (!em_train.empty()) p.legend("emp2", "empirical train ±2 s.e.", svg::Key::Dot);
  return p.str();
}

}  // namespace rmt::rpt
