#include "core/results/atomic_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>

#include <fmt/format.h>

#include "core/base/error.hpp"

namespace rmt {

namespace {

[[noreturn]] void fail(std::string_view what, const std::filesystem::path& path) {
  throw_file_error(what, path, errno);
}

}  // namespace

void throw_file_error(std::string_view what, const std::filesystem::path& path, int err) {
  const auto message = fmt::format("{} '{}': {}", what, path.string(), std::strerror(err));
  if (err == ENOSPC || err == EFBIG || err == EDQUOT)
    throw ResourceError(message + " (out of disk space, quota or file-size limit)");
  throw Error(message);
}

void write_file_atomically(const std::filesystem::path& path, std::string_view contents) {
  const auto dir = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  std::filesystem::create_directories(dir);
  std::random_device rd;
  const auto tmp = dir / fmt::format(".{}.tmp{:08x}", path.filename().string(), rd());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) fail("cannot create", tmp);
  std::size_t done = 0;
  while (done < contents.size()) {
    const auto n = ::write(fd, contents.data() + done, contents.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      throw_file_error("cannot write", tmp, err);
    }
    done += static_cast<std::size_t>(n);
  }
  const bool synced = ::fsync(fd) == 0;
  const int sync_err = errno;
  const bool closed = ::close(fd) == 0;
  if (!synced || !closed) {
    const int err = synced ? errno : sync_err;
    ::unlink(tmp.c_str());
    throw_file_error("cannot flush", tmp, err);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    throw_file_error("cannot rename into", path, err);
  }
}

}  // namespace rmt
