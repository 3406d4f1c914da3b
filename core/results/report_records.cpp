// The sections made from run records: the page header (verdict strip), the summary table (one row
// per case) and one panel per case (figures, metrics, comparisons with theory, timing, repro,
// parameters).
#include <cmath>
#include <map>
#include <set>
#include <utility>

#include <fmt/format.h>

#include "core/results/report.hpp"
#include "core/results/report_case.hpp"
#include "core/results/report_fields.hpp"
#include "core/results/report_sections.hpp"

namespace rmt {

namespace {

using namespace rpt;  // NOLINT(google-build-using-namespace): the report's record helpers
using svg::compact;
using svg::escape;

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

// After the verdict badge: what a mutation did ("mutation caught"), or what the case would have
// caught (`sensitivity`: "would catch a 1.2 % scale error", "a 12 % risk error").
std::string verdict_note(const json& rec) {
  if (const json* m = field(rec, "mutation"); m != nullptr && field(m, "status") != nullptr)
    return fmt::format(R"( <span class="muted">mutation {}</span>)", escape(text(field(m, "status"))));
  for (const auto& [key, what] : {std::pair{"scale", "scale"}, std::pair{"risk", "risk"}})
    if (const auto eps = number(field(rec, "sensitivity", key)))
      return fmt::format(R"( <span class="muted">would catch a {} % {} error</span>)", escape(compact(100 * *eps, 2)), what);
  return {};
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
                        badge(verdict_of(r)) + verdict_note(r));
    for (const auto& m : metrics) rows += metric_cell(r, m);
    const auto t = number(field(r, "timing", "total_s"));
    rows += fmt::format(R"(<td class="num">{}</td></tr>)", t ? escape(compact(*t, 3)) + " s" : "—");
  }
  return R"(<table class="summary"><thead>)" + head + "</thead><tbody>" + rows + "</tbody></table>";
}

std::string page_header(const std::vector<json>& records, const ReportInputs& in) {
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

ReportSection case_panel(const json& rec, const std::string& id, const ReportInputs& in) {
  const std::string name = text(field(rec, "case"));
  const auto it = in.eigenvalues.find(name);
  const CaseData d = case_data(rec, it == in.eigenvalues.end() ? nullptr : &it->second);
  ReportSection sec;
  sec.id = id;
  sec.css_class = "case";
  sec.heading = fmt::format(R"({} {} <span class="muted">{}</span>)", badge(verdict_of(rec)) + verdict_note(rec), or_dash(name),
                            or_dash(text(field(rec, "model"))));
  std::string s = fmt::format(R"(<p class="meta">size {} · {} · {} · seed {} · replicates {})", size_text(rec),
                              backend_text(rec), or_dash(text(field(rec, "precision"))),
                              or_dash(text(field(rec, "seed"))), or_dash(text(field(rec, "replicates"))));
  const bool slq = text(field(rec, "method")) == "slq";
  if (slq)
    s += fmt::format(" · SLQ quadratures: {}", or_dash(text(field(field(rec, "empirical", "slq"), "nodes"))));
  else if (field(rec, "empirical", "curve") == nullptr && field(rec, "empirical", "functionals") == nullptr)
    s += fmt::format(" · eigenvalues: {}", or_dash(text(field(rec, "empirical", "eigenvalues"))));
  if (d.non_finite > 0) s += fmt::format(R"( · <span class="bad">{} non-finite eigenvalues dropped</span>)", d.non_finite);
  s += "</p>";
  if (const auto n = in.notes.find(name); n != in.notes.end())
    s += fmt::format(R"(<p class="warnnote">{}</p>)", escape(n->second));
  const bool learning_curve = field(rec, "empirical", "curve") != nullptr;  // no spectrum to draw
  const bool functionals = field(rec, "empirical", "functionals") != nullptr;
  s += R"(<div class="figs">)" +
       (functionals      ? functional_figure(rec)
        : learning_curve ? curve_figure(rec)
        : slq          ? slq_density_figure(rec)
                       : histogram_figure(d, false) + histogram_figure(d, true) + qq_figure(d)) +
       "</div>";
  s += atoms_note(d);
  s += R"(<div class="cols"><div><h3>Metrics</h3>)" + metric_table(rec) + "</div>";
  s += "<div><h3>Empirical vs theory</h3>" + extremes_table(rec, d) + moments_table(rec) + stieltjes_table(rec) +
       outliers_table(rec) + risk_table(rec) + "</div></div>";
  s += functionals_table(rec);
  s += "<h3>Timing per stage</h3>" + timing_figure(rec);
  s += fmt::format("<h3>Reproduce</h3><pre><code>{}</code></pre>", or_dash(text(field(rec, "repro"))));
  s += "<h3>Parameters</h3>" + params_table(rec);
  sec.body = s + R"(<p class="top"><a href="#summary">↑ summary</a></p>)";
  return sec;
}

// Anchors as case_anchor makes them, made unique ("-2", "-3", ... for repeated names).
std::vector<std::string> anchor_ids(const std::vector<json>& records) {
  std::vector<std::string> ids;
  std::set<std::string> seen;
  for (const auto& r : records) {
    const std::string id = case_anchor(text(field(r, "case")));
    std::string unique = id;
    for (int k = 2; !seen.insert(unique).second; ++k) unique = fmt::format("{}-{}", id, k);
    ids.push_back(unique);
  }
  return ids;
}

}  // namespace

RecordSections record_sections(const std::vector<json>& records, const ReportInputs& in) {
  RecordSections out;
  const auto ids = anchor_ids(records);
  out.header = page_header(records, in);
  out.summary.id = "summary";
  out.summary.heading = "Summary";
  out.summary.body = records.empty() ? R"(<p class="muted">No cases.</p>)" : summary_table(records, ids);
  out.summary.body +=
      "<p class=\"muted\">Metric cells are green when |value| ≤ tolerance, red otherwise (edge_error is judged "
      "on edge_error_tw, the Tracy–Widom scale). Raw data: <a href=\"results.jsonl\">results.jsonl</a>, "
      "eigenvalues in <code>eigs/</code> (NumPy .npy, float64).</p>";
  for (std::size_t i = 0; i < records.size(); ++i) out.cases.push_back(case_panel(records[i], ids[i], in));
  return out;
}

}  // namespace rmt
