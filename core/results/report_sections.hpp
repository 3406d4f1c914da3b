#pragma once
// Run-level sections of the HTML report, placed after the summary table: the comparison with a
// baseline run (DIR/compare.json, written by `rmtbench compare`), cases that were skipped
// (DIR/run.json) and convergence studies of sweeps over n (fitted log–log slopes, from the records).
// Each producer returns its section (class "runsec", with the CSS it needs), or nothing when there
// is nothing to show; core/results/report_page.hpp lays them out.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/results/convergence.hpp"
#include "core/results/report_page.hpp"

namespace rmt {

// Every run-level section for the run in `dir`, in page order: comparison, skipped, convergence.
std::vector<ReportSection> run_sections(const std::filesystem::path& dir, const std::vector<nlohmann::json>& records);

// The parts. `dir` is the run directory the report lives in (links to the baseline's report are
// relative to it).
std::optional<ReportSection> compare_section(const nlohmann::json& comparison, const std::filesystem::path& dir);
std::optional<ReportSection> skipped_section(const nlohmann::json& run_info);
std::optional<ReportSection> convergence_section(const std::vector<ConvergenceStudy>& studies);
// Functional cases (core/results/report_functionals.cpp): clustering curves across a theta2 sweep, linear-equivalent
// errors against n with the fitted slope.
std::optional<ReportSection> beyond_section(const std::vector<nlohmann::json>& records);

// The style rules of the run-level sections (ReportSection::css of each).
std::string_view run_section_css();

// The report's anchor of a case ("case-<name>", characters outside [A-Za-z0-9._-] replaced); the
// first case of a name gets it, repeated names get "-2", "-3", ... appended.
std::string case_anchor(std::string_view name);

}  // namespace rmt
