#pragma once
// A history of runs (`rmtbench history DIR... --out FILE.html`, README "Nightly history"): the same
// cases over a window of run directories, oldest first, with each run judged against the one before
// it exactly as `rmtbench compare PREVIOUS RUN` would judge it (core/results/run_compare.hpp), and the
// first run against the last (a drift that no single night shows). The page is drawn by
// history_page (core/results/report_history.cpp).
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/results/report_page.hpp"
#include "core/results/run_compare.hpp"

namespace rmt {

// One run directory of the window.
struct HistoryRun {
  std::string label;            // shown for the run: the directory's name, "2026-12-06"
  std::string report_link;      // relative link to the run's report.html ("" for none)
  nlohmann::json info;          // DIR/run.json (null when absent): "started", "environment", ...
  std::vector<nlohmann::json> records;  // DIR/results.jsonl
};

// One case across the window, keyed by its name (the first record of that name in a run).
struct CaseHistory {
  std::string name, model;
  std::vector<const nlohmann::json*> records;  // per run; null where the run has no such case
  // Per run: the case judged against the run before (as `compare` would); null for the first run and
  // wherever `compare` does not match the case (absent, or its case_id changed: other backend, seed, size).
  std::vector<const CaseChange*> steps;
  const CaseChange* window = nullptr;  // first run that has the case against the last (null: not matched)
  bool verdict_changed = false;        // the recorded verdict is not the same in every run that has the case
  bool worse_anywhere = false;         // some step or the window judged an item WORSE
  bool changed = false;                // verdict_changed, or some step or the window has a BETTER/WORSE item
};

struct History {
  std::vector<HistoryRun> runs;
  std::vector<Comparison> steps;   // steps[i]: runs[i] against runs[i + 1]
  std::vector<Comparison> window;  // per case whose first and last runs differ: the pair compared
  std::vector<CaseHistory> cases;  // in order of first appearance
  CompareOptions options;

  History() = default;
  History(const History&) = delete;  // CaseHistory points into steps and window
  History& operator=(const History&) = delete;
  History(History&&) = default;
  History& operator=(History&&) = default;
};

History build_history(std::vector<HistoryRun> runs, const CompareOptions& options = {});

// The self-contained page (XHTML, inline SVG, no scripts; like the run report): the runs with commit,
// build, host and device; the cases that changed; one panel per case with the series of each metric
// against its tolerance and of each stage time, WORSE points ringed (class "worse").
ReportPage history_page(const History& h, const std::string& generated_at);

// The git commit a run was measured with: "0123456789ab" (+ "-dirty"), from its first record's
// environment, else run.json's; "" when unknown.
std::string run_commit(const HistoryRun& run);

}  // namespace rmt
