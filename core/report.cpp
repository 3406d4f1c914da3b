#include "report.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <ctime>
#include <fstream>
#include <limits>
#include <map>
#include <numeric>
#include <optional>
#include <set>
#include <string_view>

#include <fmt/format.h>

#include "atomic_file.hpp"
#include "error.hpp"
#include "jsonl.hpp"
#include "npy.hpp"
#include "report_sections.hpp"
#include "svg.hpp"
#include "utc_time.hpp"

namespace rmt {

namespace {

using nlohmann::json;
using svg::compact;
using svg::escape;
using svg::Pt;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// ---------------------------------------------------------------------------------------------
// Tolerant access to records: every key may be absent or of an unexpected type.

const json* field(const json* j, std::string_view key) {
  if (j == nullptr || !j->is_object()) return nullptr;
  const auto it = j->find(std::string(key));
  return it == j->end() ? nullptr : &*it;
}

const json* field(const json& j, std::string_view key) { return field(&j, key); }

const json* field(const json& j, std::string_view a, std::string_view b) { return field(field(j, a), b); }

std::optional<double> number(const json* j) {
  if (j == nullptr || !j->is_number()) return std::nullopt;
  return j->get<double>();
}

// Strings as they are, numbers compactly, anything else as JSON text; "" when absent.
std::string text(const json* j) {
  if (j == nullptr || j->is_null()) return {};
  if (j->is_string()) return j->get<std::string>();
  if (j->is_number()) return compact(j->get<double>(), 6);
  return j->dump(-1, ' ', false, json::error_handler_t::replace);
}

// Exact JSON text for parameter values (no rounding), strings unquoted.
std::string exact(const json& j) {
  if (j.is_string()) return j.get<std::string>();
  if (j.is_number_float() && !std::isfinite(j.get<double>())) return compact(j.get<double>());
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

const json& items(const json* j) {
  static const json empty = json::array();
  return j != nullptr && j->is_array() ? *j : empty;
}

std::string cell(const std::optional<double>& v, int digits = 4) { return v ? escape(compact(*v, digits)) : "—"; }

// A complex number [re, im].
std::optional<std::pair<double, double>> complex_of(const json* j) {
  if (j == nullptr || !j->is_array() || j->size() != 2 || !(*j)[0].is_number() || !(*j)[1].is_number())
    return std::nullopt;
  return std::pair{(*j)[0].get<double>(), (*j)[1].get<double>()};
}

std::string complex_text(const std::optional<std::pair<double, double>>& c) {
  if (!c) return "—";
  const auto [re, im] = *c;
  return escape(fmt::format("{} {} {}i", compact(re), std::signbit(im) ? "−" : "+", compact(std::abs(im))));
}

// ---------------------------------------------------------------------------------------------
// Verdicts and metric judgement.

enum class Status { Pass, Fail, Warn, None };

Status verdict_of(const json& rec) {
  const std::string v = text(field(rec, "verdict"));
  if (v == "pass" || v == "PASS" || v == "OK") return Status::Pass;
  if (v == "fail" || v == "FAIL" || v == "FAILED") return Status::Fail;
  if (v == "warn" || v == "WARN") return Status::Warn;
  return Status::None;
}

const char* status_class(Status s) {
  switch (s) {
    case Status::Pass: return "pass";
    case Status::Fail: return "fail";
    case Status::Warn: return "warn";
    default: return "none";
  }
}

const char* status_word(Status s) {
  switch (s) {
    case Status::Pass: return "PASS";
    case Status::Fail: return "FAIL";
    case Status::Warn: return "WARN";
    default: return "????";
  }
}

// |metric| <= tolerance; None when either is missing.
Status judge(const json& rec, const std::string& key) {
  const auto v = number(field(rec, "metrics", key));
  const auto tol = number(field(rec, "tolerance", key));
  if (!v || !tol) return Status::None;
  return std::isfinite(*v) && std::abs(*v) <= *tol ? Status::Pass : Status::Fail;
}

std::string badge(Status s) {
  return fmt::format(R"(<span class="badge {}">{}</span>)", status_class(s), status_word(s));
}

// ---------------------------------------------------------------------------------------------
// What each panel draws, computed once per case.

struct Atom {
  double x, mass;
  std::size_t count = 0;  // eigenvalues within the snapping tolerance
};

struct Histogram {
  double lo = 0, width = 1;
  std::vector<double> density;  // count / (N_total · width): the histogram integrates to the bulk fraction
  double max() const { return density.empty() ? 0.0 : *std::max_element(density.begin(), density.end()); }
  double min_positive() const {
    double m = kNaN;
    for (const double d : density)
      if (d > 0 && !(d >= m)) m = d;
    return m;
  }
};

struct CaseData {
  std::vector<double> sorted;  // all eigenvalues, ascending (finite only)
  std::size_t non_finite = 0;
  std::vector<double> bulk;  // eigenvalues not snapped to an atom
  std::vector<Atom> atoms;
  double atom_tol = 0;
  Histogram hist;
  std::vector<Pt> density;  // theory density, ascending x
  std::vector<std::pair<double, double>> support;
  std::vector<double> theory_outliers;
};

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

// ---------------------------------------------------------------------------------------------
// Figures.

struct Span {
  double lo = std::numeric_limits<double>::infinity(), hi = -std::numeric_limits<double>::infinity();
  void add(double v) {
    if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
  }
  bool empty() const { return !(lo <= hi); }
};

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

// Learning curve (theory.curve, empirical.curve): train and test against t.
// Learning curves (issue #5): theory lines through empirical points with ±2 standard errors, on log
// axes when the values span decades; the interpolation peak (ψ1 = ψ2, γ = 1) and, for scaling
// laws, the fitted power law with its exponent next to the predicted one.
std::string curve_figure(const json& rec) {
  const auto& th = items(field(rec, "theory", "curve"));
  const auto& em = items(field(rec, "empirical", "curve"));
  if (th.empty() && em.empty()) return {};
  std::string axis = text(field(rec, "empirical", "axis"));
  if (axis.empty()) axis = "t";
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

std::string timing_figure(const json& rec) {
  const json* t = field(rec, "timing");
  if (t == nullptr || !t->is_object() || t->empty()) return R"(<p class="muted">No timing recorded.</p>)";
  static const std::vector<std::string> order = {"sample_s", "gram_s", "eig_s", "theory_s", "metrics_s"};
  std::vector<std::pair<std::string, double>> rows;
  const auto add = [&](const std::string& key) {
    if (const auto v = number(field(t, key))) rows.emplace_back(key.substr(0, key.size() - 2), *v);
  };
  for (const auto& k : order) add(k);
  for (const auto& [k, v] : t->items())
    if (k.size() > 2 && k.ends_with("_s") && k != "total_s" &&
        std::find(order.begin(), order.end(), k) == order.end())
      add(k);
  add("total_s");
  return svg::hbar_chart("fig-timing", rows, "s", "total");
}

// ---------------------------------------------------------------------------------------------
// Tables.

template <class Row>
std::string table(std::string_view cls, std::initializer_list<std::string_view> head, const Row& rows) {
  std::string s = fmt::format(R"(<table class="{}"><thead><tr>)", cls);
  for (const auto h : head) s += fmt::format("<th>{}</th>", h);
  return s + "</tr></thead><tbody>" + rows + "</tbody></table>";
}

std::string metric_table(const json& rec) {
  std::vector<std::string> keys;  // the usual order first, then any other metric
  for (const char* k : {"ks", "w1", "edge_error", "edge_error_tw", "stieltjes_error", "moment_error", "risk_error"})
    if (field(rec, "metrics", k) != nullptr || field(rec, "tolerance", k) != nullptr) keys.emplace_back(k);
  for (const char* group : {"metrics", "tolerance"}) {
    const json* g = field(rec, group);
    if (g != nullptr && g->is_object())
      for (const auto& [k, v] : g->items())
        if (std::find(keys.begin(), keys.end(), k) == keys.end()) keys.push_back(k);
  }
  if (keys.empty()) return R"(<p class="muted">No metrics recorded.</p>)";
  std::string rows;
  for (const auto& k : keys) {
    const Status s = judge(rec, k);
    const auto v = number(field(rec, "metrics", k));
    const auto tol = number(field(rec, "tolerance", k));
    rows += fmt::format(R"(<tr class="{}"><td>{}</td><td class="num">{}</td><td class="num">{}</td><td>{}</td></tr>)",
                        status_class(s), escape(k), v ? cell(v) : "missing", tol ? "≤ " + cell(tol) : "—",
                        s == Status::None ? "—" : badge(s));
  }
  return table("metrics", {"metric", "value", "tolerance (on |value|)", "status"}, rows);
}

std::string moments_table(const json& rec) {
  const auto& e = items(field(rec, "empirical", "moments"));
  const auto& t = items(field(rec, "theory", "moments"));
  if (e.empty() && t.empty()) return {};
  std::string rows;
  for (std::size_t k = 0; k < std::max(e.size(), t.size()); ++k) {
    const auto ev = k < e.size() ? number(&e[k]) : std::nullopt;
    const auto tv = k < t.size() ? number(&t[k]) : std::nullopt;
    const auto diff = ev && tv ? std::optional(std::abs(*ev - *tv)) : std::nullopt;
    rows += fmt::format(R"(<tr><td>m{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td></tr>)",
                        k + 1, cell(ev, 6), cell(tv, 6), cell(diff, 3));
  }
  return "<h4>Moments (1/d) tr λᵏ</h4>" + table("cmp", {"k", "empirical", "theory", "|Δ|"}, rows);
}

std::string extremes_table(const json& rec, const CaseData& d) {
  Span hull;
  for (const auto& [a, b] : d.support) hull.add(a), hull.add(b);
  auto lmin = number(field(rec, "empirical", "min"));
  auto lmax = number(field(rec, "empirical", "max"));
  if (!lmin && !d.sorted.empty()) lmin = d.sorted.front();
  if (!lmax && !d.sorted.empty()) lmax = d.sorted.back();
  if (!lmin && !lmax && hull.empty()) return {};
  const auto edge = [&](double v) { return hull.empty() ? std::nullopt : std::optional(v); };
  const auto row = [&](const char* name, std::optional<double> e, std::optional<double> t) {
    const auto diff = e && t ? std::optional(*e - *t) : std::nullopt;
    return fmt::format(R"(<tr><td>{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td></tr>)",
                       name, cell(e, 6), cell(t, 6), cell(diff, 3));
  };
  return "<h4>Spectrum extremes vs support edges</h4>" +
         table("cmp", {"", "empirical", "theory edge", "Δ"},
               row("λ_min", lmin, edge(hull.lo)) + row("λ_max", lmax, edge(hull.hi)));
}

std::string stieltjes_table(const json& rec) {
  const auto& e = items(field(rec, "empirical", "stieltjes"));
  const auto& t = items(field(rec, "theory", "stieltjes"));
  if (e.empty() && t.empty()) return {};
  // Pair entries by z (exact match), keeping the theory order, then unmatched empirical ones.
  std::vector<std::pair<const json*, const json*>> pairs;
  std::set<std::size_t> used;
  for (const auto& te : t) {
    const json* match = nullptr;
    for (std::size_t i = 0; i < e.size() && match == nullptr; ++i)
      if (!used.count(i) && complex_of(field(e[i], "z")) && complex_of(field(e[i], "z")) == complex_of(field(te, "z")))
        match = &e[i], used.insert(i);
    pairs.emplace_back(match, &te);
  }
  for (std::size_t i = 0; i < e.size(); ++i)
    if (!used.count(i)) pairs.emplace_back(&e[i], nullptr);
  std::string rows;
  for (const auto& [em, th] : pairs) {
    const auto z = complex_of(field(em != nullptr ? em : th, "z"));
    const auto me = em != nullptr ? complex_of(field(*em, "value")) : std::nullopt;
    const auto mt = th != nullptr ? complex_of(field(*th, "value")) : std::nullopt;
    std::optional<double> diff;
    if (me && mt) diff = std::hypot(me->first - mt->first, me->second - mt->second);
    rows += fmt::format(R"(<tr><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td></tr>)",
                        complex_text(z), complex_text(me), complex_text(mt), cell(diff, 3));
  }
  return "<h4>Stieltjes transform m(z) = ∫ μ(dt)/(t − z)</h4>" +
         table("cmp", {"z", "empirical", "theory", "|Δ|"}, rows);
}

std::string outliers_table(const json& rec) {
  const auto& e = items(field(rec, "empirical", "outliers"));
  const auto& t = items(field(rec, "theory", "outliers"));
  if (e.empty() && t.empty()) return {};
  std::string rows;
  for (std::size_t k = 0; k < std::max(e.size(), t.size()); ++k) {
    const json* te = k < t.size() ? &t[k] : nullptr;
    const json* ee = k < e.size() ? &e[k] : nullptr;
    const auto spike = number(field(te != nullptr ? te : ee, "spike"));
    const auto tp = number(field(te, "position")), ep = number(field(ee, "position"));
    const auto ta = number(field(te, "alignment")), ea = number(field(ee, "alignment"));
    const auto dp = tp && ep ? std::optional(*ep - *tp) : std::nullopt;
    rows += fmt::format(
        R"(<tr><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td></tr>)",
        cell(spike), cell(tp, 6), cell(ep, 6), cell(dp, 3), cell(ta, 4), cell(ea, 4));
  }
  return fmt::format("<h4>Outliers (theory {}, empirical {})</h4>", t.size(), e.size()) +
         table("cmp", {"spike ℓ", "theory position", "empirical position", "Δ", "theory ⟨û,u⟩²", "empirical ⟨û,u⟩²"},
               rows);
}

std::string risk_table(const json& rec) {
  const json* th = field(rec, "theory", "risk");
  const json* em = field(rec, "empirical", "risk");
  if ((th == nullptr || !th->is_object()) && (em == nullptr || !em->is_object())) return {};
  std::vector<std::string> keys;
  for (const json* g : {th, em})
    if (g != nullptr && g->is_object())
      for (const auto& [k, v] : g->items())
        if (std::find(keys.begin(), keys.end(), k) == keys.end()) keys.push_back(k);
  std::string rows;
  for (const auto& k : keys) {
    const auto e = number(field(em, k)), t = number(field(th, k));
    const auto rel = e && t && *t != 0 ? std::optional(std::abs(*e - *t) / std::abs(*t)) : std::nullopt;
    rows += fmt::format(R"(<tr><td>{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td></tr>)",
                        escape(k), cell(e, 6), cell(t, 6), cell(rel, 3));
  }
  return "<h4>Risk</h4>" + table("cmp", {"", "empirical", "theory", "rel. error"}, rows);
}

std::string params_table(const json& rec) {
  std::string rows;
  const json* p = field(rec, "params");
  if (p != nullptr && p->is_object())
    for (const auto& [k, v] : p->items())
      rows += fmt::format("<tr><td>{}</td><td><code>{}</code></td></tr>", escape(k), escape(exact(v)));
  for (const char* k : {"seed", "replicates", "precision", "backend", "device", "schema_version"})
    if (const json* v = field(rec, k))
      rows += fmt::format(R"(<tr class="meta"><td>{}</td><td><code>{}</code></td></tr>)", k, escape(exact(*v)));
  return rows.empty() ? std::string() : table("params", {"parameter", "value"}, rows);
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

// ---------------------------------------------------------------------------------------------
// Page sections.

std::string size_text(const json& rec) {
  const auto rows = number(field(rec, "size", "rows")), cols = number(field(rec, "size", "cols"));
  const auto dim = number(field(rec, "size", "eig_dim"));
  std::string s = rows && cols ? fmt::format("{}×{}", compact(*rows, 9), compact(*cols, 9)) : std::string();
  if (dim) s += (s.empty() ? "" : ", ") + fmt::format("d={}", compact(*dim, 9));
  return s.empty() ? "—" : escape(s);
}

std::string backend_text(const json& rec) {
  const std::string b = text(field(rec, "backend")), dev = text(field(rec, "device"));
  if (b.empty() && dev.empty()) return "—";
  return escape(b) + (dev.empty() ? "" : R"( <span class="muted">)" + escape(dev) + "</span>");
}

std::string or_dash(const std::string& s) { return s.empty() ? "—" : escape(s); }

const std::vector<std::string> kKeyMetrics = {"ks", "w1", "edge_error", "stieltjes_error"};

std::vector<std::string> summary_metrics(const std::vector<json>& records) {
  auto keys = kKeyMetrics;
  for (const auto& r : records)
    if (field(r, "metrics", "risk_error") != nullptr) {
      keys.push_back("risk_error");
      break;
    }
  return keys;
}

std::string metric_cell(const json& rec, const std::string& key) {
  Status s = judge(rec, key);
  if (s == Status::None && key == "edge_error") s = judge(rec, "edge_error_tw");  // tolerance on the TW scale
  return fmt::format(R"(<td class="num {}">{}</td>)", status_class(s), cell(number(field(rec, "metrics", key))));
}

std::string summary_table(const std::vector<json>& records, const std::vector<std::string>& ids) {
  const auto metrics = summary_metrics(records);
  std::string head = "<tr><th>case</th><th>model</th><th>size</th><th>backend / device</th><th>precision</th>"
                     "<th>replicates</th><th>verdict</th>";
  for (const auto& m : metrics) head += fmt::format("<th>{}</th>", escape(m));
  head += "<th>total time</th></tr>";
  std::string rows;
  for (std::size_t i = 0; i < records.size(); ++i) {
    const auto& r = records[i];
    rows += fmt::format(R"(<tr><td><a href="#{}">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class="num">{}</td><td>{}</td>)",
                        ids[i], or_dash(text(field(r, "case"))), or_dash(text(field(r, "model"))), size_text(r),
                        backend_text(r), or_dash(text(field(r, "precision"))), or_dash(text(field(r, "replicates"))),
                        badge(verdict_of(r)));
    for (const auto& m : metrics) rows += metric_cell(r, m);
    const auto t = number(field(r, "timing", "total_s"));
    rows += fmt::format(R"(<td class="num">{}</td></tr>)", t ? escape(compact(*t, 3)) + " s" : "—");
  }
  return R"(<table class="summary"><thead>)" + head + "</thead><tbody>" + rows + "</tbody></table>";
}

std::string header(const std::vector<json>& records, const ReportInputs& in) {
  std::map<Status, int> counts;
  std::set<std::string> backends, devices, models;
  double total = 0;
  for (const auto& r : records) {
    ++counts[verdict_of(r)];
    if (const auto t = number(field(r, "timing", "total_s")); t && std::isfinite(*t)) total += *t;
    using Target = std::pair<std::set<std::string>*, const char*>;
    for (const auto& [dst, key] : {Target{&backends, "backend"}, Target{&devices, "device"}, Target{&models, "model"}})
      if (const auto v = text(field(r, key)); !v.empty()) dst->insert(v);
  }
  const auto join = [](const std::set<std::string>& s) {
    std::string out;
    for (const auto& v : s) out += (out.empty() ? "" : ", ") + v;
    return out.empty() ? "—" : escape(out);
  };
  std::string s = fmt::format("<header><h1>{}</h1><p class=\"meta\">Generated {} · {} cases · {} models · "
                              "backends: {} · devices: {} · total case time {} s</p>",
                              escape(in.title), or_dash(in.generated_at), records.size(), models.size(),
                              join(backends), join(devices), escape(compact(total, 4)));
  s += R"(<div class="strip">)";
  for (const Status st : {Status::Pass, Status::Warn, Status::Fail, Status::None})
    s += fmt::format(R"(<span class="count {}"><b>{}</b> {}</span>)", status_class(st), counts[st], status_word(st));
  return s + "</div></header>";
}

std::string case_panel(const json& rec, const std::string& id, const ReportInputs& in) {
  const std::string name = text(field(rec, "case"));
  const auto it = in.eigenvalues.find(name);
  const CaseData d = case_data(rec, it == in.eigenvalues.end() ? nullptr : &it->second);
  std::string s = fmt::format(R"(<section class="case" id="{}"><h2>{} {} <span class="muted">{}</span></h2>)", id,
                              badge(verdict_of(rec)), or_dash(name), or_dash(text(field(rec, "model"))));
  s += fmt::format(R"(<p class="meta">size {} · {} · {} · seed {} · replicates {})", size_text(rec), backend_text(rec),
                   or_dash(text(field(rec, "precision"))), or_dash(text(field(rec, "seed"))),
                   or_dash(text(field(rec, "replicates"))));
  if (field(rec, "empirical", "curve") == nullptr)
    s += fmt::format(" · eigenvalues: {}", or_dash(text(field(rec, "empirical", "eigenvalues"))));
  if (d.non_finite > 0) s += fmt::format(R"( · <span class="bad">{} non-finite eigenvalues dropped</span>)", d.non_finite);
  s += "</p>";
  if (const auto n = in.notes.find(name); n != in.notes.end())
    s += fmt::format(R"(<p class="warnnote">{}</p>)", escape(n->second));
  const bool learning_curve = field(rec, "empirical", "curve") != nullptr;  // no spectrum to draw
  s += R"(<div class="figs">)" +
       (learning_curve ? curve_figure(rec) : histogram_figure(d, false) + histogram_figure(d, true) + qq_figure(d)) +
       "</div>";
  s += atoms_note(d);
  s += R"(<div class="cols"><div><h3>Metrics</h3>)" + metric_table(rec) + "</div>";
  s += "<div><h3>Empirical vs theory</h3>" + extremes_table(rec, d) + moments_table(rec) + stieltjes_table(rec) +
       outliers_table(rec) + risk_table(rec) + "</div></div>";
  s += "<h3>Timing per stage</h3>" + timing_figure(rec);
  s += fmt::format("<h3>Reproduce</h3><pre><code>{}</code></pre>", or_dash(text(field(rec, "repro"))));
  s += "<h3>Parameters</h3>" + params_table(rec);
  return s + R"(<p class="top"><a href="#summary">↑ summary</a></p></section>)";
}

// Anchors "case-<name>" with characters outside [A-Za-z0-9._-] replaced, made unique.
std::vector<std::string> anchor_ids(const std::vector<json>& records) {
  std::vector<std::string> ids;
  std::set<std::string> seen;
  for (const auto& r : records) {
    std::string id = "case-";
    for (const char c : text(field(r, "case")))
      id += std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ? c : '_';
    std::string unique = id;
    for (int k = 2; !seen.insert(unique).second; ++k) unique = fmt::format("{}-{}", id, k);
    ids.push_back(unique);
  }
  return ids;
}

constexpr std::string_view kStyle = R"(
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2328;margin:0 auto;max-width:1320px;padding:0 20px 40px}
h1{font-size:22px;margin:18px 0 4px}h2{font-size:18px;margin:0 0 4px}h3{font-size:15px;margin:16px 0 6px}h4{font-size:13px;margin:12px 0 4px}
.meta,.muted{color:#59636e}.meta{margin:2px 0 8px}
table{border-collapse:collapse;font-size:13px}th,td{border:1px solid #d1d9e0;padding:3px 7px;text-align:left;vertical-align:top}
th{background:#f6f8fa}td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.pass{background:#dafbe1}td.fail{background:#ffebe9}tr.fail td{background:#fff5f4}tr.meta td{color:#59636e}
.badge{display:inline-block;padding:0 7px;border-radius:9px;font-size:12px;font-weight:600;color:#fff;background:#8c959f}
.badge.pass{background:#1a7f37}.badge.fail{background:#cf222e}.badge.warn{background:#9a6700}
.strip{display:flex;gap:10px;margin:8px 0 14px}.count{padding:5px 12px;border-radius:6px;background:#eaeef2}
.count.pass{background:#dafbe1;color:#116329}.count.fail{background:#ffebe9;color:#a40e26}.count.warn{background:#fff8c5;color:#7d4e00}
.case{border:1px solid #d1d9e0;border-radius:8px;padding:12px 16px;margin:18px 0}
.figs{display:flex;flex-wrap:wrap;gap:8px}.cols{display:flex;flex-wrap:wrap;gap:28px}
pre{background:#f6f8fa;padding:8px 10px;border-radius:6px;overflow-x:auto;white-space:pre-wrap}
.warnnote{background:#fff8c5;padding:4px 8px;border-radius:4px}.bad{color:#cf222e}.atoms{font-size:13px}
.top{text-align:right;font-size:12px;margin:4px 0 0}
svg{background:#fff;font-family:system-ui,sans-serif}
svg .frame{fill:none;stroke:#8c959f;stroke-width:1}svg .grid{stroke:#eaeef2;stroke-width:1}svg .tick{stroke:#8c959f}
svg .tl{font-size:10.5px;fill:#424a53}svg .al{font-size:11.5px;fill:#1f2328}svg .title{font-size:12.5px;font-weight:600;fill:#1f2328}
svg .note{font-size:11.5px;fill:#9a6700}svg .legend{fill:#fff;fill-opacity:0.85;stroke:#d1d9e0}
svg .bar{fill:#9ecae1;stroke:#4292c6;stroke-width:0.4}svg .theory{fill:none;stroke:#d62728;stroke-width:1.8}
svg .theory2{fill:none;stroke:#ff7f0e;stroke-width:1.8}svg .edge{stroke:#424a53;stroke-width:1.1;stroke-dasharray:5 4}
svg .outlier{stroke:#8250df;stroke-width:1.2;stroke-dasharray:2 3}svg .diag{fill:none;stroke:#8c959f;stroke-dasharray:4 3}
svg .qq,svg .emp{fill:#1f77b4}svg .emp2{fill:#ff7f0e}svg .errbar{stroke:#1f77b4;stroke-width:1}svg .errbar2{stroke:#ff7f0e;stroke-width:1}svg .fitline{fill:none;stroke:#2ca02c;stroke-width:1.4;stroke-dasharray:6 3}svg .hbar{fill:#6baed6}svg .hbar.total{fill:#8c959f}
)";

// A partial last line (a run killed while appending) is ignored (core/jsonl.hpp).
std::vector<json> read_results(const std::filesystem::path& file) { return read_jsonl(file).records; }

}  // namespace

std::string render_report(const std::vector<json>& records, const ReportInputs& in) {
  const auto ids = anchor_ids(records);
  std::string s = "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>"
                  "<meta charset=\"utf-8\"/><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>";
  s += fmt::format("<title>{}</title><style>{}</style></head>\n<body>", escape(in.title), kStyle);
  s += header(records, in);
  s += R"(<section id="summary"><h2>Summary</h2>)";
  s += records.empty() ? R"(<p class="muted">No cases.</p>)" : summary_table(records, ids);
  s += "<p class=\"muted\">Metric cells are green when |value| ≤ tolerance, red otherwise (edge_error is judged "
       "on edge_error_tw, the Tracy–Widom scale). Raw data: <a href=\"results.jsonl\">results.jsonl</a>, "
       "eigenvalues in <code>eigs/</code> (NumPy .npy, float64).</p></section>\n";
  for (std::size_t i = 0; i < records.size(); ++i) s += case_panel(records[i], ids[i], in) + "\n";
  return s + "</body>\n</html>\n";
}

void write_report(const std::filesystem::path& dir) {
  const auto records = read_results(dir / "results.jsonl");
  ReportInputs in;
  in.title = "rmtbench report";
  in.generated_at = utc_timestamp("%Y-%m-%d %H:%M:%S UTC");
  for (const auto& r : records) {
    const std::string name = text(field(r, "case"));
    const json* rel = field(r, "empirical", "eigenvalues");
    if (field(r, "empirical", "curve") != nullptr) continue;  // learning curves keep no eigenvalues
    if (rel == nullptr || !rel->is_string()) {
      in.notes[name] = "The record names no eigenvalue file.";
      continue;
    }
    const auto path = dir / rel->get<std::string>();
    try {
      in.eigenvalues[name] = read_npy(path);
    } catch (const std::exception& e) {  // one unreadable file must not cost the whole report
      in.notes[name] = fmt::format("Eigenvalues unavailable: {}", e.what());
    }
  }
  // Run-level sections (skipped cases, convergence, comparison) go after the summary.
  write_file_atomically(dir / "report.html", insert_run_sections(render_report(records, in), run_sections_html(dir, records)));
}

}  // namespace rmt
