// The report's comparison section (DIR/compare.json from `rmtbench compare BASE DIR`): counts per
// verdict, then one row per matched case with what changed.
#include <cmath>
#include <map>
#include <utility>

#include <fmt/format.h>

#include "core/results/report_sections.hpp"
#include "core/results/svg.hpp"

namespace rmt {

namespace {

using nlohmann::json;
using svg::compact;
using svg::escape;

std::string s_of(const json& j, const char* key) {
  return j.is_object() && j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
}

// j[key] or null: operator[] on a const json must not be used for missing keys.
const json& at(const json& j, const char* key) {
  static const json null;
  return j.is_object() && j.contains(key) ? j[key] : null;
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string verdict_span(const std::string& v) {
  return fmt::format(R"(<span class="{}">{}</span>)", escape(lower(v)), escape(v.empty() ? "?" : v));
}

std::string num_text(const json& j, const char* key) {
  return j.contains(key) && j[key].is_number() ? compact(j[key].get<double>(), 4) : "—";
}

// "ks 0.0031 → 0.0062 (+100%, 4.1 se) WORSE" for every item that is not SAME.
std::string changes(const json& list) {
  std::string out;
  if (!list.is_array()) return out;
  for (const auto& i : list) {
    const auto v = s_of(i, "verdict");
    if (v == "SAME") continue;
    std::string detail;
    if (i.contains("relative") && i["relative"].is_number())
      detail += fmt::format("{}{}%", i["relative"].get<double>() >= 0 ? "+" : "", compact(100 * i["relative"].get<double>(), 3));
    if (i.contains("z") && i["z"].is_number())
      detail += fmt::format("{}{} se", detail.empty() ? "" : ", ", compact(i["z"].get<double>(), 2));
    if (s_of(i, "key") == "verdict") detail = s_of(i, "basis");
    out += fmt::format("<div>{} {} → {}{} {}</div>", escape(s_of(i, "key")), escape(num_text(i, "base")),
                       escape(num_text(i, "new")), detail.empty() ? "" : " (" + escape(detail) + ")", verdict_span(v));
  }
  return out;
}

std::string total_time(const json& c) {
  if (!c.contains("timing") || !c["timing"].is_array()) return "—";
  for (const auto& t : c["timing"])
    if (s_of(t, "key") == "total_s") return escape(num_text(t, "base") + " → " + num_text(t, "new") + " s");
  return "—";
}

}  // namespace

std::optional<ReportSection> compare_section(const json& cmp, const std::filesystem::path& dir) {
  if (!cmp.is_object() || !cmp.contains("cases") || !cmp["cases"].is_array()) return std::nullopt;
  const auto base = s_of(cmp, "base");
  std::string link = escape(base);
  std::error_code ec;
  const auto rel = std::filesystem::relative(std::filesystem::path(base) / "report.html", dir, ec);
  if (!base.empty() && !ec && !rel.empty()) link = fmt::format(R"(<a href="{}">{}</a>)", escape(rel.generic_string()), escape(base));
  std::string s = fmt::format(R"(<p class="meta">Baseline: {} · data: <a href="compare.json">compare.json</a></p><p>)",
                              link);
  for (const char* v : {"SAME", "BETTER", "AMBIGUOUS", "WORSE"}) {
    const auto n = cmp.contains("counts") && cmp["counts"].contains(v) && cmp["counts"][v].is_number()
                       ? cmp["counts"][v].get<int>()
                       : 0;
    s += fmt::format(R"(<span class="{}">{} {}</span> )", lower(v), n, v);
  }
  s += "</p>";
  for (const char* side : {"only_base", "only_new"})
    if (cmp.contains(side) && cmp[side].is_array() && !cmp[side].empty()) {
      std::string names;
      for (const auto& n : cmp[side]) names += (names.empty() ? "" : ", ") + escape(n.is_string() ? n.get<std::string>() : "?");
      s += fmt::format(R"(<p class="muted">{}: {}</p>)",
                       std::string_view(side) == "only_base" ? "Only in the baseline" : "New cases", names);
    }
  // Changed cases get a row each; the SAME ones one line of links, so that a nightly reader sees
  // at once what moved.
  std::string rows, same;
  for (const auto& c : cmp["cases"]) {
    const auto v = s_of(c, "verdict");
    const auto name = s_of(c, "case");
    if (v == "SAME") {
      same += fmt::format(R"({}<a href="#{}">{}</a>)", same.empty() ? "" : ", ", case_anchor(name), escape(name));
      continue;
    }
    rows += fmt::format(R"(<tr><td><a href="#{}">{}</a></td><td class="{}">{}</td><td>{} → {}</td><td>{}</td><td class="num">{}</td></tr>)",
                        case_anchor(name), escape(name), escape(lower(v)), escape(v), escape(s_of(at(c, "status"), "base")),
                        escape(s_of(at(c, "status"), "new")), changes(at(c, "metrics")) + changes(at(c, "timing")),
                        total_time(c));
  }
  if (!rows.empty())
    s += R"(<table><thead><tr><th>case</th><th>verdict</th><th>status</th><th>changes (metric: |value|, timing: s)</th><th>total time</th></tr></thead><tbody>)" +
         rows + "</tbody></table>";
  if (!same.empty()) s += R"(<p><span class="same">SAME</span> )" + same + "</p>";
  if (cmp.contains("options") && cmp["options"].is_object() && cmp["options"].value("timing_gates", true) == false)
    s += R"(<p class="muted">Timings were judged but do not gate this comparison (--ignore-timing).</p>)";
  s += R"(<p class="muted">Metrics: SAME within 2 standard errors of the difference of replicate means (from the )"
       R"(recorded spread over replicates, or an assumed relative spread), BETTER/WORSE beyond 3; timings: )"
       R"(relative change with a noise floor. See README, "Comparing runs".</p>)";
  return ReportSection{.id = "compare",
                       .css_class = "runsec",
                       .heading = "Comparison with the baseline",
                       .body = std::move(s),
                       .css = std::string(run_section_css())};
}

}  // namespace rmt
