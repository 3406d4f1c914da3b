// The HTML report: well-formed XHTML, one histogram and one log-density figure per case, escaped
// text, no network references, robust to NaN/inf and to missing keys. tests/check_report.sh also runs
// xmllint on a real report written by `rmtbench run`.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <numbers>
#include <random>
#include <regex>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "core/base/error.hpp"
#include "core/results/npy.hpp"
#include "core/results/report.hpp"
#include "core/results/report_page.hpp"
#include "core/results/report_sections.hpp"

namespace {

using nlohmann::json;
namespace fs = std::filesystem;

// ---------------------------------------------------------------------------------------------
// A minimal XML well-formedness scanner: balanced tags (self-closing understood), quoted attributes,
// comments, <!DOCTYPE ...>, and only XML's own entities (&amp; &lt; &gt; &quot; &apos; &#N; &#xH;).
// Returns "" when well-formed, otherwise what went wrong and where.

bool valid_entity(const std::string& s, std::size_t amp) {
  static const std::regex entity(R"(&(amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);)");
  const auto end = s.find(';', amp);
  return end != std::string::npos && end - amp < 12 &&
         std::regex_match(s.substr(amp, end - amp + 1), entity);
}

std::string check_text(const std::string& s, std::size_t from, std::size_t to) {
  for (std::size_t i = from; i < to; ++i)
    if (s[i] == '&' && !valid_entity(s, i)) return "bad entity at offset " + std::to_string(i);
  return {};
}

// Parses the tag starting at s[i] == '<' into its name; sets `closing`/`self_closing`; returns the
// index past '>' or npos on a syntax error.
std::size_t scan_tag(const std::string& s, std::size_t i, std::string& name, bool& closing, bool& self_closing,
                     std::string& error) {
  std::size_t k = i + 1;
  closing = k < s.size() && s[k] == '/';
  if (closing) ++k;
  const std::size_t name_start = k;
  while (k < s.size() && (std::isalnum(static_cast<unsigned char>(s[k])) || s[k] == '-' || s[k] == ':' || s[k] == '_'))
    ++k;
  name = s.substr(name_start, k - name_start);
  if (name.empty()) return error = "empty tag name at " + std::to_string(i), std::string::npos;
  while (k < s.size() && s[k] != '>') {
    if (s[k] == '/' && k + 1 < s.size() && s[k + 1] == '>') {
      self_closing = true;
      return k + 2;
    }
    if (std::isspace(static_cast<unsigned char>(s[k]))) {
      ++k;
      continue;
    }
    // attribute: name="value" or name='value'
    const std::size_t eq = s.find('=', k);
    if (closing || eq == std::string::npos || eq + 1 >= s.size() || (s[eq + 1] != '"' && s[eq + 1] != '\''))
      return error = "unquoted attribute or junk in <" + name + "> at " + std::to_string(k), std::string::npos;
    const std::size_t close = s.find(s[eq + 1], eq + 2);
    if (close == std::string::npos) return error = "unterminated attribute", std::string::npos;
    const std::string value = s.substr(eq + 2, close - eq - 2);
    if (value.find('<') != std::string::npos) return error = "'<' in attribute of <" + name + ">", std::string::npos;
    if (auto e = check_text(s, eq + 2, close); !e.empty()) return error = e, std::string::npos;
    k = close + 1;
  }
  self_closing = false;
  return k < s.size() ? k + 1 : (error = "unterminated tag <" + name, std::string::npos);
}

std::string xml_wellformed(const std::string& s) {
  std::vector<std::string> stack;
  std::size_t i = 0;
  bool root_seen = false;
  while (i < s.size()) {
    const std::size_t lt = s.find('<', i);
    if (auto e = check_text(s, i, lt == std::string::npos ? s.size() : lt); !e.empty()) return e;
    if (lt == std::string::npos) break;
    if (s.compare(lt, 4, "<!--") == 0) {
      const auto end = s.find("-->", lt + 4);
      if (end == std::string::npos) return "unterminated comment";
      i = end + 3;
      continue;
    }
    if (s.compare(lt, 9, "<!DOCTYPE") == 0) {
      if (root_seen) return "DOCTYPE after the root element";
      i = s.find('>', lt) + 1;
      continue;
    }
    std::string name, error;
    bool closing = false, self_closing = false;
    const std::size_t next = scan_tag(s, lt, name, closing, self_closing, error);
    if (next == std::string::npos) return error;
    if (closing) {
      if (stack.empty() || stack.back() != name)
        return "</" + name + "> does not close <" + (stack.empty() ? "nothing" : stack.back()) + "> at offset " +
               std::to_string(lt);
      stack.pop_back();
    } else if (!self_closing) {
      if (stack.empty() && root_seen) return "second root element <" + name + ">";
      stack.push_back(name);
      root_seen = true;
    }
    i = next;
  }
  if (!stack.empty()) return "unclosed <" + stack.back() + ">";
  return root_seen ? "" : "no root element";
}

std::size_t count(const std::string& hay, const std::string& needle) {
  std::size_t n = 0;
  for (auto p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + needle.size())) ++n;
  return n;
}

// Every "http://" or "https://" reference outside the XHTML and SVG namespace declarations.
std::vector<std::string> external_references(const std::string& html) {
  std::string s = html;
  for (const std::string ns : {"xmlns=\"http://www.w3.org/1999/xhtml\"", "xmlns=\"http://www.w3.org/2000/svg\""})
    for (auto p = s.find(ns); p != std::string::npos; p = s.find(ns, p)) s.erase(p, ns.size());
  std::vector<std::string> out;
  static const std::regex url(R"(https?://[^\s"'<>]*)");
  for (auto it = std::sregex_iterator(s.begin(), s.end(), url); it != std::sregex_iterator(); ++it)
    out.push_back(it->str());
  return out;
}

// ---------------------------------------------------------------------------------------------
// Synthetic records and eigenvalues.

std::vector<double> mp_like(std::size_t n, double c, unsigned seed) {
  // Eigenvalues of a small Wishart-like draw are not needed: a smooth sample over the MP support
  // (plus a few zeros for the atom) exercises the same code paths.
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  const double a = std::pow(1 - std::sqrt(c), 2), b = std::pow(1 + std::sqrt(c), 2);
  std::vector<double> v;
  for (std::size_t i = 0; i < n; ++i) {
    const double t = 0.5 - 0.5 * std::cos(std::numbers::pi * u(rng));  // denser near the edges
    v.push_back(a + (b - a) * t);
  }
  return v;
}

json density_grid(double a, double b, int points) {
  json d = json::array();
  for (int i = 0; i <= points; ++i) {
    const double x = a + (b - a) * i / points;
    d.push_back({{"x", x}, {"value", std::sqrt(std::max((b - x) * (x - a), 0.0)) / (2 * std::numbers::pi * x)}});
  }
  return d;
}

json mp_record() {
  return json::parse(R"json({"schema_version":1,"case":"mp_c0.5","model":"mp","backend":"cpu",
    "device":"x86_64 (2 threads, OpenBLAS)","precision":"fp64","params":{"n":2000,"c":0.5,"sigma2":1.0},
    "seed":42,"replicates":1,"size":{"rows":1000,"cols":2000,"eig_dim":1000},
    "empirical":{"eigenvalues":"eigs/mp_c0.5.npy","min":0.09,"max":2.9,"moments":[1.0,1.5],
      "stieltjes":[{"z":[1.0,0.1],"value":[-0.1,0.8]}],"outliers":[]},
    "theory":{"support":[[0.0858,2.914]],"atoms":[],"density":[],
      "stieltjes":[{"z":[1.0,0.1],"value":[-0.1,0.8]}],"moments":[1.0,1.5]},
    "metrics":{"ks":0.004,"w1":0.002,"edge_error":-0.01,"edge_error_tw":-1.2,"stieltjes_error":0.003,"moment_error":0.001},
    "tolerance":{"ks":0.02,"w1":0.02,"edge_error_tw":6,"stieltjes_error":0.02,"moment_error":0.02},
    "verdict":"pass","timing":{"sample_s":0.1,"gram_s":0.2,"eig_s":0.3,"theory_s":0.01,"metrics_s":0.01,"total_s":0.7},
    "repro":"rmtbench run --model mp --set c=0.5 --set n=2000 --seed 42"})json");
}

// c = 2 (atom of mass 1/2 at 0) with two spikes, one outlier pair, and a failing verdict.
json spiked_record() {
  json r = json::parse(R"json({"schema_version":1,"case":"spiked<&>\"odd'","model":"spiked","backend":"cuda",
    "device":"NVIDIA H200 <sm_90>","precision":"fp64","params":{"c":2.0,"spikes":"2,4","note":"a<b & c>d"},
    "seed":7,"replicates":2,"size":{"rows":400,"cols":200,"eig_dim":400},
    "empirical":{"eigenvalues":"eigs/spiked.npy","moments":[1.0,3.1,12.0],
      "outliers":[{"spike":4,"position":7.6,"alignment":0.61}]},
    "theory":{"atoms":[{"x":0.0,"mass":0.5}],"moments":[1.0,3.0],
      "outliers":[{"spike":4,"position":7.5,"alignment":0.625}]},
    "metrics":{"ks":0.09,"w1":0.03,"stieltjes_error":0.01},
    "tolerance":{"ks":0.02,"w1":0.05,"stieltjes_error":0.02},
    "verdict":"fail","timing":{"sample_s":0.05,"eig_s":1.5,"total_s":1.6},
    "repro":"rmtbench run --model spiked --set 'spikes=2,4' --set c=2 --seed 7 && echo <done>"})json");
  const double c = 2.0, a = std::pow(1 - std::sqrt(c), 2), b = std::pow(1 + std::sqrt(c), 2);
  r["theory"]["support"] = json::array({json::array({a, b})});
  r["theory"]["density"] = density_grid(a, b, 200);
  return r;
}

// A failed case with NaN/inf numbers everywhere and most keys missing.
json broken_record() {
  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  json r = {{"case", "broken"}, {"model", "kernel"}, {"verdict", "fail"}};
  r["metrics"] = {{"ks", nan}, {"w1", inf}, {"edge_error", -inf}};
  r["tolerance"] = {{"ks", 0.02}, {"w1", 0.02}};
  r["theory"] = {{"density", json::array({{{"x", 0.0}, {"value", nan}}, {{"x", 1.0}, {"value", inf}},
                                          {{"x", 2.0}, {"value", 0.5}}})},
                 {"support", json::array({json::array({nan, inf})})},
                 {"stieltjes", json::array({{{"z", {1.0, nan}}, {"value", {inf, 0.0}}}})}};
  r["timing"] = {{"total_s", nan}, {"eig_s", inf}};
  r["size"] = "not an object";
  return r;
}

struct Rendered {
  std::vector<json> records;
  std::string html;
};

Rendered render_all() {
  Rendered out;
  out.records = {mp_record(), spiked_record(), broken_record()};
  rmt::ReportInputs in;
  in.title = "nightly <test> & co";
  in.generated_at = "2025-01-01 00:00:00 UTC";
  in.eigenvalues["mp_c0.5"] = mp_like(1000, 0.5, 1);
  auto spiked = mp_like(400, 0.5, 2);  // 200 bulk values (the support is off, on purpose) + 200 zeros
  spiked.resize(200);
  for (auto& v : spiked) v *= 3;
  spiked.insert(spiked.end(), 198, 0.0);
  spiked.push_back(7.6);
  spiked.push_back(1e-15);
  in.eigenvalues[spiked_record()["case"].get<std::string>()] = spiked;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  in.eigenvalues["broken"] = {nan, 1.0, std::numeric_limits<double>::infinity(), 1.0, 1.0};
  out.html = rmt::render_report(out.records, in);
  return out;
}

const Rendered& rendered() {
  static const Rendered r = render_all();
  return r;
}

}  // namespace

TEST(ReportScanner, RejectsMalformedXml) {
  EXPECT_EQ(xml_wellformed("<!DOCTYPE html>\n<html><br/><!-- x < y --><p a=\"1\">&amp;&#38;&#x26;</p></html>"), "");
  EXPECT_NE(xml_wellformed("<html><p></html>"), "");
  EXPECT_NE(xml_wellformed("<html><p a=1></p></html>"), "");
  EXPECT_NE(xml_wellformed("<html>&nbsp;</html>"), "");
  EXPECT_NE(xml_wellformed("<html>a & b</html>"), "");
  EXPECT_NE(xml_wellformed("<html></html><html></html>"), "");
}

TEST(Report, IsWellFormedXhtml) {
  const auto& html = rendered().html;
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html.find("<html xmlns=\"http://www.w3.org/1999/xhtml\""), std::string::npos);
  EXPECT_EQ(xml_wellformed(html), "");
}

TEST(Report, HasOneHistogramAndOneLogDensityPerCase) {
  const auto& [records, html] = rendered();
  EXPECT_EQ(count(html, "class=\"fig-hist\""), records.size());
  EXPECT_EQ(count(html, "class=\"fig-logdensity\""), records.size());
  EXPECT_EQ(count(html, "<svg "), count(html, "</svg>"));
  // Every case has a panel with its anchor, linked from the summary table.
  EXPECT_EQ(count(html, "<section class=\"case\" id=\"case-"), records.size());
  EXPECT_NE(html.find("href=\"#case-mp_c0.5\""), std::string::npos);
  EXPECT_NE(html.find("id=\"case-mp_c0.5\""), std::string::npos);
}

TEST(Report, ShowsSummaryMetricsVerdictsTimingAndRepro) {
  const auto& html = rendered().html;
  EXPECT_NE(html.find("<table class=\"summary\">"), std::string::npos);
  EXPECT_EQ(count(html, "<table class=\"metrics\">"), 3u);
  EXPECT_NE(html.find("<b>1</b> PASS"), std::string::npos);
  EXPECT_NE(html.find("<b>2</b> FAIL"), std::string::npos);
  EXPECT_GE(count(html, "class=\"fig-timing\""), 3u);
  EXPECT_NE(html.find(">eig<"), std::string::npos);  // a stage label of the timing bars
  EXPECT_NE(html.find("<code>rmtbench run --model mp --set c=0.5 --set n=2000 --seed 42</code>"), std::string::npos);
  EXPECT_NE(html.find("rmtbench run --model spiked --set &#39;spikes=2,4&#39; --set c=2 --seed 7 &amp;&amp; echo &lt;done&gt;"),
            std::string::npos);
  EXPECT_NE(html.find("0.004"), std::string::npos);  // ks of the first case
  EXPECT_NE(html.find("≤ 0.02"), std::string::npos);  // its tolerance
}

TEST(Report, ShowsAtomsOutliersMomentsAndStieltjes) {
  const auto& html = rendered().html;
  // The atom at 0: theory mass 0.5, empirical fraction 199/400 (198 zeros and 1e-15).
  EXPECT_NE(html.find("theory mass 0.5, empirical fraction 0.4975"), std::string::npos);
  EXPECT_NE(html.find("Outliers (theory 1, empirical 1)"), std::string::npos);
  EXPECT_NE(html.find("7.6"), std::string::npos);
  EXPECT_NE(html.find("0.625"), std::string::npos);
  EXPECT_NE(html.find("Moments"), std::string::npos);
  EXPECT_NE(html.find("Stieltjes transform"), std::string::npos);
  EXPECT_NE(html.find("1 + 0.1i"), std::string::npos);
  EXPECT_GE(count(html, "class=\"fig-qq\""), 1u);
}

TEST(Report, EscapesCaseNamesAndText) {
  const auto& html = rendered().html;
  EXPECT_NE(html.find("spiked&lt;&amp;&gt;&quot;odd&#39;"), std::string::npos);
  EXPECT_EQ(html.find("spiked<&>"), std::string::npos);
  EXPECT_NE(html.find("nightly &lt;test&gt; &amp; co"), std::string::npos);
  EXPECT_NE(html.find("NVIDIA H200 &lt;sm_90&gt;"), std::string::npos);
  EXPECT_NE(html.find("a&lt;b &amp; c&gt;d"), std::string::npos);
  EXPECT_NE(html.find("id=\"case-spiked____odd_\""), std::string::npos);  // anchors are plain names
}

TEST(Report, MakesNoNetworkRequests) {
  const auto& html = rendered().html;
  EXPECT_TRUE(external_references(html).empty()) << external_references(html).front();
  for (const char* bad : {"<script", "<link", "@import", "url(", "<img", "<iframe", "<object"})
    EXPECT_EQ(html.find(bad), std::string::npos) << bad;
}

TEST(Report, SurvivesNanInfAndMissingKeys) {
  const auto& html = rendered().html;
  EXPECT_EQ(html.find("nan\""), std::string::npos);  // no NaN coordinates in SVG attributes
  EXPECT_EQ(html.find("inf\""), std::string::npos);
  EXPECT_NE(html.find("2 non-finite eigenvalues dropped"), std::string::npos);
  // A record with only the two required keys still renders a full panel.
  const std::string minimal = rmt::render_report({json{{"case", "x"}, {"model", "mp"}}}, {});
  EXPECT_EQ(xml_wellformed(minimal), "");
  EXPECT_EQ(count(minimal, "class=\"fig-hist\""), 1u);
  EXPECT_EQ(count(minimal, "class=\"fig-logdensity\""), 1u);
  EXPECT_NE(minimal.find("no eigenvalues available"), std::string::npos);
  // No records at all.
  EXPECT_EQ(xml_wellformed(rmt::render_report({}, {})), "");
}

TEST(Report, EscapesControlCharactersAndInvalidUtf8) {
  json r = {{"case", std::string("bad\x01\xff name", 11)}, {"model", "mp"}};
  const std::string html = rmt::render_report({r}, {});
  EXPECT_EQ(xml_wellformed(html), "");
  EXPECT_EQ(html.find('\x01'), std::string::npos);
  EXPECT_EQ(html.find('\xff'), std::string::npos);
}

// The document model: sections in the order given, each distinct CSS string once, in <head>.
TEST(ReportPage, LaysOutSectionsInOrderWithTheirCssOnceInTheHead) {
  rmt::ReportPage page;
  page.title = "t & u";
  page.header = "<header><h1>h</h1></header>";
  page.sections = {{"b", "", "B &amp; b", "<p>two</p>", ".x{color:red}"},
                   {"a", "runsec", "A", "<p>one</p>", ".x{color:red}"},
                   {"c", "case", "C", "<p>three</p>", ".y{color:blue}"}};
  const std::string html = rmt::render_page(page);
  EXPECT_EQ(xml_wellformed(html), "");
  EXPECT_NE(html.find("<title>t &amp; u</title>"), std::string::npos);
  const auto head_end = html.find("</head>");
  EXPECT_EQ(count(html, "<style>"), 3u);  // the base style and the two distinct section styles
  EXPECT_EQ(count(html, ".x{color:red}"), 1u);
  EXPECT_LT(html.rfind("<style>"), head_end);
  EXPECT_LT(html.find("<header>"), html.find("<section id=\"b\"><h2>B &amp; b</h2><p>two</p></section>"));
  EXPECT_LT(html.find("id=\"b\""), html.find("<section class=\"runsec\" id=\"a\"><h2>A</h2>"));
  EXPECT_LT(html.find("id=\"a\""), html.find("<section class=\"case\" id=\"c\">"));
}

// Run-level sections go between the summary and the case panels, their style in <head>.
TEST(Report, PlacesRunLevelSectionsAfterTheSummary) {
  const auto skipped = rmt::skipped_section(json::parse(R"({"skipped":[{"case":"g<1>","model":"mp","reason":"needs cuda"}]})"));
  ASSERT_TRUE(skipped.has_value());
  EXPECT_FALSE(rmt::skipped_section(json::object()).has_value());
  EXPECT_FALSE(rmt::skipped_section(json::parse(R"({"skipped":[]})")).has_value());
  EXPECT_FALSE(rmt::compare_section(nullptr, ".").has_value());
  EXPECT_FALSE(rmt::convergence_section({}).has_value());
  const std::vector<json> records = {mp_record(), broken_record()};
  const std::string html = rmt::render_page(rmt::report_page(records, {}, {*skipped}));
  EXPECT_EQ(xml_wellformed(html), "");
  const auto summary = html.find("<section id=\"summary\">");
  const auto run_level = html.find("<section class=\"runsec\" id=\"skipped\"><h2>Skipped cases (1)</h2>");
  const auto first_case = html.find("<section class=\"case\"");
  ASSERT_NE(run_level, std::string::npos);
  EXPECT_LT(summary, run_level);
  EXPECT_LT(run_level, first_case);
  EXPECT_NE(html.find("<td>g&lt;1&gt;</td>"), std::string::npos);
  EXPECT_EQ(count(html, "<section class=\"case\""), 2u);
  EXPECT_EQ(count(html, std::string(rmt::run_section_css())), 1u);
  EXPECT_LT(html.find(std::string(rmt::run_section_css())), html.find("</head>"));
  // Without run-level sections the page is render_report's.
  EXPECT_EQ(rmt::render_page(rmt::report_page(records, {})), rmt::render_report(records, {}));
}

// The xmllint check of the unit-test report, when xmllint is installed (check_report.sh does the
// same on a report written by the binary).
TEST(Report, PassesXmllintWhenAvailable) {
  const char* env = std::getenv("RMT_XMLLINT");
  const fs::path xmllint = env != nullptr ? env : "/usr/bin/xmllint";
  if (!fs::exists(xmllint)) GTEST_SKIP() << "xmllint not installed";
  const fs::path file = fs::temp_directory_path() / fmt::format("rmt_report_{}.html", ::getpid());
  std::ofstream(file) << rendered().html;
  const int rc = std::system(fmt::format("'{}' --noout '{}'", xmllint.string(), file.string()).c_str());
  fs::remove(file);
  EXPECT_EQ(rc, 0);
}

TEST(WriteReport, ReadsResultsAndEigenvaluesAndWritesAtomically) {
  const fs::path dir = fs::temp_directory_path() / fmt::format("rmt_write_report_{}", ::getpid());
  fs::remove_all(dir);
  fs::create_directories(dir / "eigs");
  auto a = mp_record();
  auto b = spiked_record();  // its .npy file is missing: the report says so and goes on
  {
    std::ofstream out(dir / "results.jsonl");
    out << a.dump() << "\n\n" << b.dump() << "\n";
  }
  const auto eigs = mp_like(2 * 300, 0.5, 3);
  rmt::write_npy(dir / "eigs/mp_c0.5.npy", eigs, {2, 300});  // two replicates, pooled
  rmt::write_report(dir);
  std::ifstream in(dir / "report.html");
  const std::string html((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(xml_wellformed(html), "");
  EXPECT_EQ(count(html, "class=\"fig-hist\""), 2u);
  EXPECT_NE(html.find("empirical (N=600)"), std::string::npos);
  EXPECT_NE(html.find("Eigenvalues unavailable"), std::string::npos);
  for (const auto& e : fs::directory_iterator(dir))  // no temporary left behind
    EXPECT_EQ(e.path().filename().string().find(".tmp"), std::string::npos) << e.path();

  std::ofstream(dir / "results.jsonl", std::ios::app) << "{not json\n";
  EXPECT_THROW(rmt::write_report(dir), rmt::InputError);
  fs::remove_all(dir);
  EXPECT_THROW(rmt::write_report(dir), rmt::InputError);
}
