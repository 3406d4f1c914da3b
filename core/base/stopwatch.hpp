#pragma once
// Wall-clock seconds since a point on the monotonic clock: the one timer of stages, cases and progress.
#include <chrono>

namespace rmt {

inline double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Wall-clock seconds that f() takes (backend calls synchronise before returning).
template <typename F>
double seconds(F&& f) {
  const auto start = std::chrono::steady_clock::now();
  f();
  return seconds_since(start);
}

}  // namespace rmt
