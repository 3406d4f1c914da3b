#include "core/results/report_sections.hpp"

#include <cctype>
#include <fstream>
#include <utility>

#include <fmt/format.h>

#include "core/results/svg.hpp"

namespace rmt {

namespace {

constexpr std::string_view kSectionStyle = R"(
.runsec{border:1px solid #d1d9e0;border-radius:8px;padding:12px 16px;margin:18px 0}
.runsec table td.same,.runsec span.same{background:#f6f8fa}.runsec td.better,.runsec span.better{background:#dafbe1}
.runsec td.worse,.runsec span.worse{background:#ffebe9}.runsec td.ambiguous,.runsec span.ambiguous{background:#fff8c5}
.runsec td.consistent{background:#dafbe1}.runsec td.faster,.runsec td.slower{background:#fff8c5}
.runsec span.same,.runsec span.better,.runsec span.worse,.runsec span.ambiguous{padding:1px 7px;border-radius:6px;font-weight:600;font-size:12px}
.runsec .figs{display:flex;flex-wrap:wrap;gap:8px}.runsec .study{margin:10px 0 18px}
svg .cv0{fill:#1f77b4}svg .cv1{fill:#d62728}svg .cv2{fill:#2ca02c}svg .cv3{fill:#9467bd}svg .cv4{fill:#ff7f0e}svg .cv5{fill:#8c564b}
svg .cl0{stroke:#1f77b4}svg .cl1{stroke:#d62728}svg .cl2{stroke:#2ca02c}svg .cl3{stroke:#9467bd}svg .cl4{stroke:#ff7f0e}svg .cl5{stroke:#8c564b}
svg .cl0,svg .cl1,svg .cl2,svg .cl3,svg .cl4,svg .cl5{fill:none;stroke-width:1.4;stroke-dasharray:6 3}
)";

nlohmann::json read_json_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) return nullptr;
  auto j = nlohmann::json::parse(in, nullptr, false);
  return j.is_discarded() ? nlohmann::json(nullptr) : j;
}

}  // namespace

std::string case_anchor(std::string_view name) {
  std::string id = "case-";
  for (const char c : name)
    id += std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ? c : '_';
  return id;
}

std::string_view run_section_css() { return kSectionStyle; }

std::optional<ReportSection> skipped_section(const nlohmann::json& run_info) {
  if (!run_info.is_object() || !run_info.contains("skipped") || !run_info["skipped"].is_array() ||
      run_info["skipped"].empty())
    return std::nullopt;
  std::string rows;
  for (const auto& s : run_info["skipped"]) {
    const auto get = [&](const char* k) {
      return s.is_object() && s.contains(k) && s[k].is_string() ? svg::escape(s[k].get<std::string>()) : std::string("—");
    };
    rows += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td></tr>", get("case"), get("model"), get("reason"));
  }
  return ReportSection{
      .id = "skipped",
      .css_class = "runsec",
      .heading = fmt::format("Skipped cases ({})", run_info["skipped"].size()),
      .body = R"(<table><thead><tr><th>case</th><th>model</th><th>why</th></tr></thead><tbody>)" + rows +
              "</tbody></table>",
      .css = std::string(kSectionStyle)};
}

std::vector<ReportSection> run_sections(const std::filesystem::path& dir, const std::vector<nlohmann::json>& records) {
  std::vector<ReportSection> out;
  // What changed since the baseline first: that is what a nightly reader looks for.
  for (auto s : {compare_section(read_json_file(dir / "compare.json"), dir),
                 skipped_section(read_json_file(dir / "run.json")), convergence_section(convergence_studies(records)),
                 beyond_section(records)})
    if (s) out.push_back(std::move(*s));
  return out;
}

}  // namespace rmt
