#pragma once
// JSON Lines files that survive being killed at any moment: a record is appended as one complete
// line in a single O_APPEND write followed by fsync, so a crash leaves at most one partial line at
// the very end, which readers ignore (and a resumed run cuts off before appending).
#include <cstddef>
#include <filesystem>
#include <initializer_list>
#include <optional>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace rmt {

struct JsonlContents {
  std::vector<nlohmann::json> records;  // one JSON object per complete line
  std::size_t complete_bytes = 0;       // length of the prefix made of complete lines
  bool partial_tail = false;            // bytes after the last newline (an interrupted append)
};

// Reads every complete line; blank lines are skipped. A complete line that is not a JSON object is
// an InputError naming the file and line (that is corruption, not an interrupted append).
JsonlContents read_jsonl(const std::filesystem::path& path);
// The same on the bytes of a file; `name` names it in messages.
JsonlContents parse_jsonl(std::string_view bytes, std::string_view name);

// Appends `line` (no newline inside) and a newline in one write, then fsyncs; creates the file.
void append_jsonl_line(const std::filesystem::path& path, std::string_view line);

// Cuts the file to `size` bytes and fsyncs (drops the partial tail before appending again).
void truncate_file(const std::filesystem::path& path, std::size_t size);

// The number at `path` inside a record (e.g. {"metrics", "ks"}), or nothing when any key is missing
// or the value is not a number.
std::optional<double> number_at(const nlohmann::json& j, std::initializer_list<const char*> path);

}  // namespace rmt
