#pragma once
// The self-contained HTML report of a run directory: one XHTML-well-formed page with inline CSS and
// inline SVG figures, no scripts and no network requests (it opens from a file, offline, forever).
//
// Layout: header with a verdict strip, a summary table (one row per case), run-level sections
// (comparison with a baseline, skipped cases, convergence studies), then one panel per case:
// histogram of the eigenvalues over the theory density (linear and log-y), Q–Q plot, metrics with
// their tolerances, moments / Stieltjes / outlier comparisons, learning curve or risk (when the
// model has one), timing bars per stage, the repro command and the parameters.
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/results/report_page.hpp"

namespace rmt {

struct ReportInputs {
  std::string title = "rmtbench report";
  std::string generated_at;  // shown verbatim in the header, e.g. "2025-01-31 02:00:00 UTC"
  // Eigenvalues of each case (pooled over replicates), keyed by the record's "case".
  std::map<std::string, std::vector<double>> eigenvalues;
  // Per case: why its eigenvalues are missing (unreadable .npy, ...); shown in its panel.
  std::map<std::string, std::string> notes;
};

// The sections made from run records: the header with its verdict strip, the summary table and one
// panel per case (id "case-<name>", see case_anchor in core/results/report_sections.hpp).
struct RecordSections {
  std::string header;
  ReportSection summary;
  std::vector<ReportSection> cases;
};
RecordSections record_sections(const std::vector<nlohmann::json>& records, const ReportInputs& in);

// The page: header, summary, then the `run_level` sections (comparison, skipped cases, convergence;
// core/results/report_sections.hpp), then the case panels.
ReportPage report_page(const std::vector<nlohmann::json>& records, const ReportInputs& in,
                       std::vector<ReportSection> run_level = {});

// Renders the page for `records` (run records as in docs/architecture.md; every key but "case" and "model" may
// be absent, numbers may be NaN/inf). Never throws on odd record contents.
std::string render_report(const std::vector<nlohmann::json>& records, const ReportInputs& in);

// Reads dir/results.jsonl and the .npy eigenvalue files it names (paths relative to dir) and writes
// dir/report.html atomically. Throws InputError when results.jsonl is missing or malformed; an
// unreadable .npy only leaves a note in that case's panel.
void write_report(const std::filesystem::path& dir);

}  // namespace rmt
