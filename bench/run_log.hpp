#pragma once
// The results.jsonl of a run directory as an append-only log: each finished case is one line,
// appended and fsync'd (core/results/jsonl.hpp), so a run killed at any moment loses at most the case in
// flight, and `run --resume DIR` skips every case already recorded.
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/case.hpp"

namespace rmt::bench {

// The identity of a measurement, stored in each record as "case_id": 16 hex digits of a 64-bit
// FNV-1a hash of the model, its resolved parameters, the sizes, seed, replicates, backend and
// precision. The case name is not part of it (renaming a case does not invalidate its result).
std::string case_id(const ResolvedCase& c, std::string_view backend);

class RunLog {
 public:
  // resume = false: start fresh, replacing results.jsonl atomically by an empty file.
  // resume = true: keep the complete records, cut off a partial last line (an interrupted append).
  RunLog(const std::filesystem::path& dir, bool resume);

  // The recorded result of a case: same case_id and name (records without a case_id: same name).
  // The name counts too, so that two cases of a suite that measure the same thing both get a record.
  const nlohmann::json* find(std::string_view id, std::string_view name) const;
  void append(const nlohmann::json& record);

  const std::vector<nlohmann::json>& records() const { return records_; }
  bool dropped_partial_line() const { return dropped_partial_; }

 private:
  std::filesystem::path file_;
  std::vector<nlohmann::json> records_;
  bool dropped_partial_ = false;
};

// One JSON line, as written to results.jsonl and printed by --json.
std::string record_line(const nlohmann::json& record);

}  // namespace rmt::bench
