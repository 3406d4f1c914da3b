#include "core/results/jsonl.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>

#include <fmt/format.h>

#include "core/results/atomic_file.hpp"
#include "core/base/error.hpp"

namespace rmt {

namespace {

[[noreturn]] void fail(std::string_view what, const std::filesystem::path& path) {
  throw_file_error(what, path, errno);
}

// A new directory entry is durable only once its directory is synced.
void sync_directory(const std::filesystem::path& file) {
  const auto dir = file.has_parent_path() ? file.parent_path() : std::filesystem::path(".");
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;  // best effort: the data itself is already synced
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

JsonlContents read_jsonl(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(fmt::format("cannot read '{}'", path.string()));
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return parse_jsonl(bytes, path.string());
}

JsonlContents parse_jsonl(std::string_view bytes, std::string_view name) {
  JsonlContents out;
  std::size_t start = 0;
  for (int lineno = 1;; ++lineno) {
    const auto end = bytes.find('\n', start);
    if (end == std::string_view::npos) break;
    const std::string_view line(bytes.data() + start, end - start);
    start = end + 1;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
      std::string shown(line.substr(0, 40));
      for (auto& ch : shown)
        if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f) ch = '?';
      throw InputError(fmt::format("{}:{}: not a JSON object (a corrupted record: \"{}{}\"; repair or delete that line)",
                                   name, lineno, shown, line.size() > 40 ? "..." : ""));
    }
    out.records.push_back(std::move(j));
  }
  out.complete_bytes = start;
  out.partial_tail = start < bytes.size();
  return out;
}

void append_jsonl_line(const std::filesystem::path& path, std::string_view line) {
  RMT_EXPECTS(line.find('\n') == std::string_view::npos, "a JSON Lines record must be one line");
  const bool existed = std::filesystem::exists(path);
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) fail("cannot open", path);
  std::string buffer(line);
  buffer += '\n';
  struct stat before {};
  if (::fstat(fd, &before) != 0) {
    const int err = errno;
    ::close(fd);
    throw_file_error("cannot stat", path, err);
  }
  // A failed append (disk full, file-size limit) is cut off again, so the file keeps only whole
  // records; the error names the file.
  const auto undo = [&](std::string_view what, int err) {
    if (::ftruncate(fd, before.st_size) == 0) ::fsync(fd);
    ::close(fd);
    throw_file_error(what, path, err);
  };
  // One write() for the whole line; a short write (disk full, signal) is completed in a loop, and a
  // crash in between leaves a line without its newline, which read_jsonl ignores.
  std::size_t done = 0;
  while (done < buffer.size()) {
    const auto n = ::write(fd, buffer.data() + done, buffer.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      undo("cannot append to", errno);
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) undo("cannot flush", errno);
  if (::close(fd) != 0) fail("cannot close", path);
  if (!existed) sync_directory(path);
}

void truncate_file(const std::filesystem::path& path, std::size_t size) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) fail("cannot open", path);
  if (::ftruncate(fd, static_cast<off_t>(size)) != 0 || ::fsync(fd) != 0) {
    ::close(fd);
    fail("cannot truncate", path);
  }
  ::close(fd);
}

std::optional<double> number_at(const nlohmann::json& j, std::initializer_list<const char*> path) {
  const nlohmann::json* p = &j;
  for (const char* key : path) {
    if (!p->is_object() || !p->contains(key)) return std::nullopt;
    p = &(*p)[key];
  }
  if (!p->is_number()) return std::nullopt;
  return p->get<double>();
}

}  // namespace rmt
