#pragma once
// Results are never left half-written: write to a temporary file in the same directory, fsync,
// then rename over the target (atomic on POSIX file systems). A failure (disk full) removes the
// temporary file and leaves the target as it was.
#include <filesystem>
#include <string_view>

namespace rmt {

void write_file_atomically(const std::filesystem::path& path, std::string_view contents);

// Throws the error for a failed file operation `what` ("cannot write") on `path` with errno `err`:
// ResourceError (exit 3) when the disk is full, the quota or the file-size limit (ulimit -f) is
// reached, rmt::Error otherwise; the message names the file and the system's reason.
[[noreturn]] void throw_file_error(std::string_view what, const std::filesystem::path& path, int err);

}  // namespace rmt
