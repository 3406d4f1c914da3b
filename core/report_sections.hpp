#pragma once
// Run-level sections of the HTML report, after the summary table: the comparison with a baseline
// run (DIR/compare.json, written by `rmtbench compare`), cases that were skipped (DIR/run.json) and
// convergence studies of sweeps over n (fitted log–log slopes, from the records).
// Same rules as core/report.hpp: XHTML-well-formed, inline SVG, no scripts, no network.
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "convergence.hpp"

namespace rmt {

// Every run-level section for the run in `dir` (empty when there is nothing to show).
std::string run_sections_html(const std::filesystem::path& dir, const std::vector<nlohmann::json>& records);

// Inserts `sections` before the first case panel of a rendered page (before </body> when none).
std::string insert_run_sections(std::string page, std::string_view sections);

// The parts, for tests.
std::string convergence_section(const std::vector<ConvergenceStudy>& studies);
// `dir` is the run directory the report lives in (links to the baseline's report are relative).
std::string compare_section(const nlohmann::json& comparison, const std::filesystem::path& dir);
std::string skipped_section(const nlohmann::json& run_info);

// The report's anchor of a case ("case-<name>", characters outside [A-Za-z0-9._-] replaced), as
// core/report.cpp makes it (first occurrence).
std::string case_anchor(std::string_view name);

}  // namespace rmt
