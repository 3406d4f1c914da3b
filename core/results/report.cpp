#include "core/results/report.hpp"

#include <chrono>
#include <ctime>
#include <exception>
#include <iterator>
#include <utility>

#include <fmt/format.h>

#include "core/results/atomic_file.hpp"
#include "core/results/jsonl.hpp"
#include "core/results/npy.hpp"
#include "core/results/report_fields.hpp"
#include "core/results/report_sections.hpp"
#include "core/base/utc_time.hpp"

namespace rmt {

namespace {

using nlohmann::json;
using rpt::field;
using rpt::text;

// A partial last line (a run killed while appending) is ignored (core/results/jsonl.hpp).
std::vector<json> read_results(const std::filesystem::path& file) { return read_jsonl(file).records; }

}  // namespace

ReportPage report_page(const std::vector<json>& records, const ReportInputs& in, std::vector<ReportSection> run_level) {
  auto parts = record_sections(records, in);
  ReportPage page;
  page.title = in.title;
  page.header = std::move(parts.header);
  page.sections.reserve(1 + run_level.size() + parts.cases.size());
  page.sections.push_back(std::move(parts.summary));
  std::move(run_level.begin(), run_level.end(), std::back_inserter(page.sections));
  std::move(parts.cases.begin(), parts.cases.end(), std::back_inserter(page.sections));
  return page;
}

std::string render_report(const std::vector<json>& records, const ReportInputs& in) {
  return render_page(report_page(records, in));
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
    if (field(r, "empirical", "functionals") != nullptr) continue;  // nor do functional cases
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
  // Run-level sections (comparison, skipped cases, convergence) go after the summary.
  write_file_atomically(dir / "report.html", render_page(report_page(records, in, run_sections(dir, records))));
}

}  // namespace rmt
