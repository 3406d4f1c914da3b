// The history page (core/results/history.hpp): a header with counts, the runs of the window (commit,
// build, host, devices), the cases that changed, then one panel per case with the series of each
// metric against its tolerance and of each stage time. A point that `compare` judged WORSE against
// the run before is ringed (class "worse"); every point has a hover text with its run, commit,
// device and value.
#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include <fmt/format.h>

#include "core/results/history.hpp"
#include "core/results/report_fields.hpp"
#include "core/results/report_sections.hpp"
#include "core/results/svg.hpp"

namespace rmt {

namespace {

using namespace rpt;  // NOLINT(google-build-using-namespace): the report's record helpers
using svg::compact;
using svg::escape;

constexpr std::string_view kHistoryStyle = R"(
.hist{border:1px solid #d1d9e0;border-radius:8px;padding:12px 16px;margin:18px 0}
.hist .figs{display:flex;flex-wrap:wrap;gap:6px}
.hist span.same,.hist span.better,.hist span.worse,.hist span.ambiguous{padding:0 6px;border-radius:6px;font-weight:600;font-size:11px}
.hist span.same{background:#f6f8fa;color:#59636e}.hist span.better{background:#dafbe1}.hist span.worse{background:#ffebe9;color:#a40e26}.hist span.ambiguous{background:#fff8c5}
.hist td.worse{background:#ffebe9}.hist td.changed{background:#fff8c5}
.hist table.strip td,.hist table.strip th{padding:1px 5px;font-size:12px;text-align:center}
.hist .key{font-size:12px;color:#59636e}
svg .series{fill:none;stroke:#1f77b4;stroke-width:1.4}svg .pt{fill:#1f77b4}svg .pt.fail{fill:#cf222e}
svg .tol{fill:none;stroke:#d62728;stroke-width:1.2;stroke-dasharray:5 3}
svg circle.worse{fill:none;stroke:#cf222e;stroke-width:2}svg circle.better{fill:none;stroke:#1a7f37;stroke-width:1.6}
svg .st0{stroke:#1f77b4;fill:#1f77b4}svg .st1{stroke:#ff7f0e;fill:#ff7f0e}svg .st2{stroke:#2ca02c;fill:#2ca02c}
svg .st3{stroke:#9467bd;fill:#9467bd}svg .st4{stroke:#8c564b;fill:#8c564b}svg .st5{stroke:#e377c2;fill:#e377c2}
svg .st6{stroke:#17becf;fill:#17becf}svg .st7{stroke:#bcbd22;fill:#bcbd22}svg .st8{stroke:#7f7f7f;fill:#7f7f7f}
svg .st9{stroke:#000;fill:#000}svg polyline.st0,svg polyline.st1,svg polyline.st2,svg polyline.st3,svg polyline.st4,
svg polyline.st5,svg polyline.st6,svg polyline.st7,svg polyline.st8,svg polyline.st9{fill:none;stroke-width:1.4}
)";

// Stage times in pipeline order; others follow in the order of their names.
const std::vector<std::string> kStageOrder = {"sample_s", "activation_s", "gram_s",       "operator_s", "eig_s",
                                              "lanczos_s", "theory_s",    "metrics_s",    "sensitivity_s", "total_s"};

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string change_span(Change c) {
  const std::string w = change_word(c);
  return fmt::format(R"(<span class="{}">{}</span>)", lower(w), w);
}

const json* environment_of(const HistoryRun& run) {
  if (const json* e = field(run.info, "environment"); e != nullptr && e->is_object()) return e;
  for (const auto& r : run.records)
    if (const json* e = field(r, "environment"); e != nullptr && e->is_object()) return e;
  return nullptr;
}

// Distinct non-empty values of a record field (a.b when b is given) over the run, joined.
std::string distinct(const HistoryRun& run, std::string_view a, std::string_view b = {}) {
  std::vector<std::string> seen;
  for (const auto& r : run.records) {
    const std::string v = text(b.empty() ? field(r, a) : field(r, a, b));
    if (!v.empty() && std::find(seen.begin(), seen.end(), v) == seen.end()) seen.push_back(v);
  }
  std::string out;
  for (const auto& v : seen) out += (out.empty() ? "" : "; ") + v;
  return out;
}

// The commit a record was measured with ("0123456789ab", "-dirty"), else its run's.
std::string commit_of(const HistoryRun& run, const json& rec) {
  HistoryRun one;
  one.records.push_back(json{{"environment", field(rec, "environment") ? *field(rec, "environment") : json(nullptr)}});
  const auto c = run_commit(one);
  return c.empty() ? run_commit(run) : c;
}

std::string run_name(const History& h, std::size_t r) { return fmt::format("#{} {}", r + 1, h.runs[r].label); }

const ItemChange* item_of(const CaseChange* c, const std::string& key, bool timing) {
  if (c == nullptr) return nullptr;
  for (const auto& i : timing ? c->timing : c->metrics)
    if (i.key == key) return &i;
  return nullptr;
}

// "ks 0.0031 → 0.0062 (+100%, 4.1 se) WORSE"
std::string item_text(const ItemChange& i) {
  if (i.key == "verdict") return fmt::format("verdict {} {}", i.basis, change_word(i.change));
  std::string detail;
  if (i.relative) detail += fmt::format("{}{}%", *i.relative >= 0 ? "+" : "", compact(100 * *i.relative, 3));
  if (i.z) detail += fmt::format("{}{} se", detail.empty() ? "" : ", ", compact(*i.z, 2));
  return fmt::format("{} {} → {}{} {}", i.key, i.base ? compact(*i.base) : "—", i.now ? compact(*i.now) : "—",
                     detail.empty() ? "" : " (" + detail + ")", change_word(i.change));
}

// The items of a comparison that are not SAME, one per line (escaped).
std::string changed_items(const CaseChange* c, bool worse_only = false) {
  std::string out;
  if (c == nullptr) return out;
  for (const auto* items : {&c->metrics, &c->timing})
    for (const auto& i : *items)
      if (i.change == Change::worse || (!worse_only && i.change != Change::same))
        out += fmt::format("<div>{}</div>", escape(item_text(i)));
  return out;
}

// The same on one line, "; "-separated (a hover text).
std::string changes_line(const CaseChange& c) {
  std::string t;
  for (const auto* items : {&c.metrics, &c.timing})
    for (const auto& i : *items)
      if (i.change != Change::same) t += (t.empty() ? "" : "; ") + item_text(i);
  return t;
}

std::string or_dash_html(const std::string& html) { return html.empty() ? "—" : html; }

// An x axis with one tick per run (or every k-th), runs at 1..N.
svg::Axis run_axis(std::size_t n) {
  svg::Axis a = svg::Axis::linear(0.5, static_cast<double>(n) + 0.5, "run #", false);
  a.step = std::max(1.0, svg::nice_number(static_cast<double>(n) / 10.0, true));
  return a;
}

// The hover text of a point: run, commit, device, what is plotted, and the step's judgement.
std::string point_title(const History& h, std::size_t r, const json& rec, const std::string& what,
                        const ItemChange* item) {
  std::string t = run_name(h, r);
  if (const auto commit = commit_of(h.runs[r], rec); !commit.empty()) t += " · " + commit;
  if (const auto dev = text(field(rec, "device")); !dev.empty()) t += " · " + dev;
  t += " · " + what;
  if (item != nullptr && item->change != Change::same)
    t += fmt::format(" · vs {}: {}", r > 0 ? run_name(h, r - 1) : "—", item_text(*item));
  return t;
}

// The series of one metric with its tolerance (±tolerance when the metric takes both signs).
std::string metric_figure(const History& h, const CaseHistory& c, const std::string& key) {
  const std::size_t n = h.runs.size();
  std::vector<svg::Pt> values, tol_hi, tol_lo;
  double lo = 0, hi = 0;
  bool negative = false;
  for (std::size_t r = 0; r < n; ++r) {
    const json* rec = c.records[r];
    const double v = rec ? number(field(*rec, "metrics", key)).value_or(NAN) : NAN;
    const double t = rec ? number(field(*rec, "tolerance", key)).value_or(NAN) : NAN;
    const double x = static_cast<double>(r + 1);
    values.push_back({x, std::isfinite(v) ? v : NAN});
    tol_hi.push_back({x, std::isfinite(t) ? t : NAN});
    if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v), negative = negative || v < 0;
    if (std::isfinite(t)) hi = std::max(hi, t);
  }
  if (negative)
    for (const auto& p : tol_hi) {
      tol_lo.push_back({p.x, -p.y});
      if (std::isfinite(p.y)) lo = std::min(lo, -p.y);
    }
  svg::Plot plot("fig-history-metric", key, run_axis(n), svg::Axis::linear(lo, hi + 0.05 * (hi - lo), key), 330, 200);
  plot.polyline(tol_hi, "tol");
  if (negative) plot.polyline(tol_lo, "tol");
  plot.polyline(values, "series");
  for (std::size_t r = 0; r < n; ++r) {
    if (!std::isfinite(values[r].y)) continue;
    const json& rec = *c.records[r];
    const bool fails = judge(rec, key) == Status::Fail;
    const ItemChange* item = item_of(c.steps[r], key, false);
    const std::string what =
        fmt::format("{} = {}{}", key, compact(values[r].y),
                    std::isfinite(tol_hi[r].y) ? fmt::format(" (tolerance {})", compact(tol_hi[r].y)) : std::string());
    const auto title = point_title(h, r, rec, what, item);
    plot.marker(values[r], fails ? "pt fail" : "pt", title);
    if (item != nullptr && (item->change == Change::worse || item->change == Change::better))
      plot.marker(values[r], item->change == Change::worse ? "worse" : "better", title, 6);
  }
  return plot.str();  // no legend: it would hide points; the panel's caption explains the marks
}

// Every stage time of the case over the window, log scale.
std::string timing_figure(const History& h, const CaseHistory& c) {
  const std::size_t n = h.runs.size();
  std::set<std::string> keys;
  for (const json* rec : c.records)
    if (const json* t = rec ? field(*rec, "timing") : nullptr; t != nullptr && t->is_object())
      for (const auto& [k, v] : t->items())
        if (k.size() > 2 && k.ends_with("_s") && v.is_number() && v.get<double>() > 0) keys.insert(k);
  if (keys.empty()) return {};
  std::vector<std::string> stages;
  for (const auto& k : kStageOrder)
    if (keys.erase(k)) stages.push_back(k);
  stages.insert(stages.end(), keys.begin(), keys.end());
  double lo = INFINITY, hi = 0;
  for (const json* rec : c.records)
    for (const auto& k : stages)
      if (const auto v = rec ? number(field(*rec, "timing", k)) : std::nullopt; v && *v > 0 && std::isfinite(*v))
        lo = std::min(lo, *v), hi = std::max(hi, *v);
  // The runs take the left 65 % of the axis, so that the legend on the right hides no point.
  svg::Axis x = run_axis(n);
  x.hi = 0.5 + static_cast<double>(n) / 0.65;
  svg::Plot plot("fig-history-timing", "stage times (s)", x, svg::Axis::logarithmic(lo, hi, "seconds"), 640,
                 std::max(220.0, 60.0 + 15.0 * static_cast<double>(stages.size())));
  for (std::size_t s = 0; s < stages.size(); ++s) {
    const auto cls = fmt::format("st{}", s % 10);
    std::vector<svg::Pt> pts;
    for (std::size_t r = 0; r < n; ++r) {
      const auto v = c.records[r] ? number(field(*c.records[r], "timing", stages[s])) : std::nullopt;
      pts.push_back({static_cast<double>(r + 1), v && *v > 0 ? *v : NAN});
    }
    plot.polyline(pts, cls);
    for (std::size_t r = 0; r < n; ++r) {
      if (!std::isfinite(pts[r].y)) continue;
      const ItemChange* item = item_of(c.steps[r], stages[s], true);
      const auto title = point_title(h, r, *c.records[r], fmt::format("{} = {} s", stages[s], compact(pts[r].y)), item);
      plot.marker(pts[r], cls, title, 2);
      if (item != nullptr && (item->change == Change::worse || item->change == Change::better))
        plot.marker(pts[r], item->change == Change::worse ? "worse" : "better", title, 6);
    }
    plot.legend(cls, stages[s], svg::Key::Line);
  }
  return plot.str();
}

// Per run: the verdict, the step's judgement, the device (a letter, explained below) and the commit.
std::string strip_table(const History& h, const CaseHistory& c) {
  const std::size_t n = h.runs.size();
  std::vector<std::string> devices;
  std::string head = "<tr><th></th>", verdicts = "<tr><th>verdict</th>", steps = "<tr><th>vs previous</th>",
              devs = "<tr><th>device</th>", commits = "<tr><th>commit</th>";
  for (std::size_t r = 0; r < n; ++r) {
    head += fmt::format(R"(<th title="{}">#{}</th>)", escape(h.runs[r].label), r + 1);
    const json* rec = c.records[r];
    if (rec == nullptr) {
      for (auto* row : {&verdicts, &steps, &devs, &commits}) *row += "<td>—</td>";
      continue;
    }
    verdicts += "<td>" + badge(verdict_of(*rec)) + "</td>";
    const CaseChange* s = c.steps[r];
    steps += s == nullptr ? std::string("<td>—</td>")
                          : fmt::format(R"(<td title="{}">{}</td>)", escape(changes_line(*s)), change_span(s->overall));
    const auto dev = text(field(*rec, "device"));
    auto it = std::find(devices.begin(), devices.end(), dev);
    if (it == devices.end()) it = devices.insert(devices.end(), dev);
    devs += fmt::format(R"(<td title="{}">{}</td>)", escape(dev), static_cast<char>('A' + (it - devices.begin()) % 26));
    const auto commit = commit_of(h.runs[r], *rec);
    commits += fmt::format("<td><code>{}</code></td>", escape(commit.empty() ? "?" : commit.substr(0, 7)));
  }
  std::string key;
  for (std::size_t d = 0; d < devices.size(); ++d)
    key += fmt::format("{}{} = {}", d ? " · " : "", static_cast<char>('A' + d % 26), escape(devices[d].empty() ? "?" : devices[d]));
  return fmt::format(R"(<table class="strip">{}</tr>{}</tr>{}</tr>{}</tr>{}</tr></table><p class="key">device: {}</p>)",
                     head, verdicts, steps, devs, commits, key);
}

ReportSection case_section(const History& h, const CaseHistory& c) {
  std::vector<std::string> metrics;  // judged metrics first, then the reported ones; no standard errors
  std::set<std::string> judged, reported;
  for (const json* rec : c.records) {
    if (rec == nullptr) continue;
    if (const json* m = field(*rec, "metrics"); m != nullptr && m->is_object())
      for (const auto& [k, v] : m->items())
        if (v.is_number() && !k.ends_with("_se")) (field(*rec, "tolerance", k) ? judged : reported).insert(k);
  }
  for (const auto& k : judged) metrics.push_back(k);
  for (const auto& k : reported)
    if (!judged.count(k)) metrics.push_back(k);
  std::string body = strip_table(h, c) +
                     R"(<p class="key">Per metric: its value per run; dashed red: its tolerance (± for a metric of either sign); )"
                     R"(red points fail; a red ring: WORSE than the run before, green: BETTER (hover a point for details).</p>)"
                     R"(<div class="figs">)";
  for (const auto& k : metrics) body += metric_figure(h, c, k);
  body += timing_figure(h, c) + "</div>";
  if (c.window != nullptr)
    if (const auto items = changed_items(c.window); !items.empty())
      body += fmt::format(R"(<h4>first → last run in the window</h4>{})", items);
  std::string heading = escape(c.name) + fmt::format(R"( <span class="muted">{}</span>)", escape(c.model));
  if (c.verdict_changed) heading += R"( <span class="ambiguous">verdict changed</span>)";
  if (c.worse_anywhere) heading += R"( <span class="worse">WORSE</span>)";
  return {.id = case_anchor(c.name), .css_class = "hist", .heading = heading, .body = body,
          .css = std::string(kHistoryStyle)};
}

ReportSection runs_section(const History& h) {
  std::string rows;
  for (std::size_t r = 0; r < h.runs.size(); ++r) {
    const auto& run = h.runs[r];
    const json* env = environment_of(run);
    const auto env_text = [&](const char* key) { return or_dash(text(field(env, key))); };
    int pass = 0, fail = 0;
    for (const auto& rec : run.records) (verdict_of(rec) == Status::Pass ? pass : fail) += 1;
    std::string vs = "—";
    if (r > 0) {
      std::map<Change, int> counts;
      for (const auto& k : h.steps[r - 1].cases) ++counts[k.overall];
      vs.clear();
      for (const Change ch : {Change::worse, Change::ambiguous, Change::better, Change::same})
        if (counts[ch] > 0) vs += fmt::format("{} {} ", counts[ch], change_span(ch));
    }
    const std::string name = escape(run.label);
    const auto commit = run_commit(run);
    std::string drivers = distinct(run, "environment", "cuda_driver");
    if (const auto rt = distinct(run, "environment", "cuda_runtime"); !rt.empty()) drivers += " / runtime " + rt;
    rows += fmt::format(
        R"(<tr><td class="num">{}</td><td>{}</td><td>{}</td><td><code>{}</code></td><td>{} · {}</td><td>{}</td><td>{}</td><td>{}</td><td class="num">{} / {}</td><td>{}</td></tr>)",
        r + 1, run.report_link.empty() ? name : fmt::format(R"(<a href="{}">{}</a>)", escape(run.report_link), name),
        or_dash(text(field(run.info, "started"))), or_dash(commit), env_text("build_type"), env_text("compiler"),
        env_text("host"), or_dash(distinct(run, "device")), or_dash(drivers), pass, fail, vs);
  }
  const std::string body =
      "<table><tr><th>#</th><th>run</th><th>started</th><th>commit</th><th>build</th><th>host</th><th>devices</th>"
      "<th>CUDA driver</th><th>pass / fail</th><th>cases vs previous run</th></tr>" +
      rows + "</table>";
  return {.id = "runs", .css_class = "hist", .heading = "Runs", .body = body, .css = std::string(kHistoryStyle)};
}

ReportSection changed_section(const History& h) {
  std::string rows;
  int count = 0;
  for (const auto& c : h.cases) {
    if (!c.changed) continue;
    ++count;
    std::string verdicts, prev;
    for (std::size_t r = 0; r < h.runs.size(); ++r) {
      if (c.records[r] == nullptr) continue;
      const auto v = text(field(*c.records[r], "verdict"));
      if (prev.empty()) verdicts = escape(v);
      else if (v != prev) verdicts += fmt::format(" → {} <span class=\"muted\">(#{})</span>", escape(v), r + 1);
      prev = v;
    }
    std::string worse;
    for (std::size_t r = 1; r < h.runs.size(); ++r)
      if (const auto items = changed_items(c.steps[r], true); !items.empty())
        worse += fmt::format("<div><b>{}</b></div>{}", escape(run_name(h, r)), items);
    std::string timing = "—";
    if (const ItemChange* t = item_of(c.window, "total_s", true))
      timing = escape(fmt::format("{} → {} s{}", t->base ? compact(*t->base, 3) : "—", t->now ? compact(*t->now, 3) : "—",
                                  t->relative ? fmt::format(" ({}{}%)", *t->relative >= 0 ? "+" : "", compact(100 * *t->relative, 3)) : "")) +
               " " + change_span(t->change);
    rows += fmt::format(R"(<tr><td><a href="#{}">{}</a></td><td>{}</td><td class="{}">{}</td><td class="{}">{}</td><td>{}</td><td>{}</td></tr>)",
                        case_anchor(c.name), escape(c.name), escape(c.model), c.verdict_changed ? "changed" : "", verdicts,
                        worse.empty() ? "" : "worse", worse.empty() ? "—" : worse, or_dash_html(changed_items(c.window)), timing);
  }
  std::string body;
  if (count == 0) body = R"(<p class="muted">No case changed its verdict or was judged BETTER or WORSE in the window.</p>)";
  else
    body = "<table><tr><th>case</th><th>model</th><th>verdict over the window</th><th>WORSE than the run before</th>"
           "<th>first → last run</th><th>total time first → last</th></tr>" + rows + "</table>";
  return {.id = "changed", .css_class = "hist", .heading = fmt::format("Changed cases ({})", count), .body = body,
          .css = std::string(kHistoryStyle)};
}

}  // namespace

ReportPage history_page(const History& h, const std::string& generated_at) {
  ReportPage page;
  page.title = "rmtbench history";
  int changed = 0, worse = 0, failing = 0;
  for (const auto& c : h.cases) {
    changed += c.changed;
    worse += c.worse_anywhere;
    if (!h.runs.empty() && c.records.back() != nullptr && verdict_of(*c.records.back()) == Status::Fail) ++failing;
  }
  const std::string window = h.runs.empty() ? "no runs"
                                            : fmt::format("{} runs, {} … {}", h.runs.size(), h.runs.front().label,
                                                          h.runs.back().label);
  page.header = fmt::format(
      R"(<header><h1>rmtbench history</h1><p class="meta">Generated {} · {} · {} cases · each run judged against the one before as <code>rmtbench compare</code> judges it</p><div class="strip"><span class="count"><b>{}</b> cases</span><span class="count warn"><b>{}</b> changed</span><span class="count fail"><b>{}</b> with a WORSE point</span><span class="count fail"><b>{}</b> failing in the last run</span></div></header>)",
      or_dash(generated_at), escape(window), h.cases.size(), h.cases.size(), changed, worse, failing);
  page.sections.push_back(runs_section(h));
  page.sections.push_back(changed_section(h));
  for (const auto& c : h.cases) page.sections.push_back(case_section(h, c));
  return page;
}

}  // namespace rmt
