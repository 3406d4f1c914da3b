#pragma once
// Results are never left half-written: write to a temporary file in the same directory, fsync,
// then rename over the target (atomic on POSIX file systems).
#include <filesystem>
#include <string_view>

namespace rmt {

void write_file_atomically(const std::filesystem::path& path, std::string_view contents);

}  // namespace rmt
