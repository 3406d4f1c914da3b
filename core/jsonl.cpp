#include "jsonl.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>

#include <fmt/format.h>

#include "error.hpp"

namespace rmt {

namespace {

[[noreturn]] void fail(std::string_view what, const std::filesystem::path& path) {
  throw Error(fmt::format("{} '{}': {}", what, path.string(), std::strerror(errno)));
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
    if (j.is_discarded() || !j.is_object())
      throw InputError(fmt::format("{}:{}: not a JSON object", name, lineno));
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
  // One write() for the whole line; a short write (disk full, signal) is completed in a loop, and a
  // crash in between leaves a line without its newline, which read_jsonl ignores.
  std::size_t done = 0;
  while (done < buffer.size()) {
    const auto n = ::write(fd, buffer.data() + done, buffer.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      ::close(fd);
      fail("cannot append to", path);
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) {
    ::close(fd);
    fail("cannot flush", path);
  }
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
