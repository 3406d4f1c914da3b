#include "core/results/report_page.hpp"

#include <algorithm>
#include <string_view>

#include <fmt/format.h>

#include "core/results/svg.hpp"

namespace rmt {

namespace {

// The page's base style: layout, tables, verdict badges, case panels and the SVG figure classes.
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

}  // namespace

std::string render_section(const ReportSection& s) {
  std::string out = "<section";
  if (!s.css_class.empty()) out += fmt::format(R"( class="{}")", s.css_class);
  return out + fmt::format(R"( id="{}"><h2>{}</h2>{}</section>)", s.id, s.heading, s.body);
}

std::string render_page(const ReportPage& page) {
  std::string s = "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>"
                  "<meta charset=\"utf-8\"/><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>";
  s += fmt::format("<title>{}</title><style>{}</style>", svg::escape(page.title), kStyle);
  std::vector<std::string_view> css;
  for (const auto& sec : page.sections)
    if (!sec.css.empty() && std::find(css.begin(), css.end(), sec.css) == css.end()) css.push_back(sec.css);
  for (const auto c : css) s += fmt::format("<style>{}</style>", c);
  s += "</head>\n<body>" + page.header;
  for (const auto& sec : page.sections) s += render_section(sec) + "\n";
  return s + "</body>\n</html>\n";
}

}  // namespace rmt
