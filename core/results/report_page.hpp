#pragma once
// The report's document model: a page is a title, the CSS its sections need, a header and an ordered
// list of sections. Producers (run records, convergence studies, the comparison with a baseline,
// skipped cases) return sections; render_page only lays them out. The output is one
// XHTML-well-formed page with inline CSS and inline SVG, no scripts and no network requests.
#include <string>
#include <vector>

namespace rmt {

// One <section> of the page: <section class="css_class" id="id"><h2>heading</h2>body</section>.
struct ReportSection {
  std::string id;         // the anchor, unique in the page ("summary", "compare", "case-…")
  std::string css_class;  // "" for none
  std::string heading;    // XHTML content of the <h2> (escaped by the producer)
  std::string body;       // XHTML fragment after the heading (escaped by the producer)
  std::string css;        // style rules the section needs; the page holds each distinct one once
};

struct ReportPage {
  std::string title;   // plain text (escaped when rendered)
  std::string header;  // XHTML of the <header> element, first in <body>
  std::vector<ReportSection> sections;  // in page order
};

std::string render_section(const ReportSection& s);

// The whole document: doctype, <head> with the base style and every section's CSS (each distinct
// string once, in order of first use), <body> with the header and the sections, one per line.
std::string render_page(const ReportPage& page);

}  // namespace rmt
