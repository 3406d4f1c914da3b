// The tables of a case panel (metrics with their tolerances, moments, extremes, Stieltjes
// transform, outliers, risk, parameters) and its timing bars.
#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <optional>
#include <set>
#include <string_view>

#include <fmt/format.h>

#include "core/results/report_case.hpp"
#include "core/results/report_fields.hpp"

namespace rmt::rpt {

using svg::escape;

namespace {

template <class Row>
std::string table(std::string_view cls, std::initializer_list<std::string_view> head, const Row& rows) {
  std::string s = fmt::format(R"(<table class="{}"><thead><tr>)", cls);
  for (const auto h : head) s += fmt::format("<th>{}</th>", h);
  return s + "</tr></thead><tbody>" + rows + "</tbody></table>";
}

}  // namespace

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

}  // namespace rmt::rpt
