#include "bench/run_log.hpp"

#include <fmt/format.h>

#include "core/results/atomic_file.hpp"
#include "core/base/hash.hpp"
#include "core/results/jsonl.hpp"

namespace rmt::bench {

std::string slq_identity(const SlqSettings& s) {
  return fmt::format("|slq:probes={},steps={},reorth={},storage={},tile={}", s.probes, s.steps, s.reorth ? 1 : 0,
                     s.storage, s.tile);
}

std::string case_id(const ResolvedCase& c, std::string_view backend) {
  auto identity = fmt::format("{}|{}|{}x{}x{}|seed={}|replicates={}|{}|{}", c.spec.model, c.params.canonical(),
                                    c.sizes.rows, c.sizes.cols, c.sizes.eig_dim, c.spec.seed, c.spec.replicates,
                                    backend, c.spec.precision);
  // Dense cases keep the identity they always had; SLQ settings are part of an SLQ case's identity.
  if (c.spec.method == "slq") identity += slq_identity(c.spec.slq);
  if (c.spec.method == "distributed") identity += "|distributed";
  return fmt::format("{:016x}", fnv1a64(identity));
}

RunLog::RunLog(const std::filesystem::path& dir, bool resume) : file_(dir / "results.jsonl") {
  if (!resume || !std::filesystem::exists(file_)) {
    write_file_atomically(file_, "");  // never a half-old, half-new file
    return;
  }
  auto contents = read_jsonl(file_);
  records_ = std::move(contents.records);
  if (contents.partial_tail) {
    truncate_file(file_, contents.complete_bytes);
    dropped_partial_ = true;
  }
}

const nlohmann::json* RunLog::find(std::string_view id, std::string_view name) const {
  for (const auto& r : records_) {
    const auto it = r.find("case_id");
    const bool same_id = it == r.end() || (it->is_string() && it->get<std::string>() == id);
    if (same_id && r.contains("case") && r["case"].is_string() && r["case"].get<std::string>() == name) return &r;
  }
  return nullptr;
}

void RunLog::append(const nlohmann::json& record) {
  append_jsonl_line(file_, record_line(record));
  records_.push_back(record);
}

std::string record_line(const nlohmann::json& record) {
  return record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace rmt::bench
