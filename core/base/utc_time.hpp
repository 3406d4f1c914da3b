#pragma once
// The current time in UTC, formatted with strftime (run logs, `rmtbench bench` files, reports).
#include <ctime>
#include <string>

#include "core/base/error.hpp"

namespace rmt {

// `format` is a strftime format, e.g. "%Y-%m-%dT%H:%M:%SZ"; `when` defaults to now.
inline std::string utc_timestamp(const char* format, std::time_t when = std::time(nullptr)) {
  std::tm tm{};
  if (!gmtime_r(&when, &tm)) throw Error("utc_timestamp: the time is out of range");
  char buf[128];
  const std::size_t n = std::strftime(buf, sizeof buf, format, &tm);
  if (n == 0 && *format != '\0') throw Error(std::string("utc_timestamp: format '") + format + "' is too long");
  return std::string(buf, n);
}

}  // namespace rmt
