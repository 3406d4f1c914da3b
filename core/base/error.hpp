#pragma once
// Error types of rmtbench. The CLI maps them to exit codes: InputError -> 2, ResourceError -> 3,
// anything else -> 1. Library code throws; it never calls exit() or abort().
#include <stdexcept>
#include <string>

#include <fmt/format.h>

namespace rmt {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Bad user input: unknown model/key/option, out-of-range or malformed value, malformed file.
class InputError : public Error {
 public:
  using Error::Error;
};

// Not enough host or device memory for the requested size (message carries the bytes needed).
class ResourceError : public Error {
 public:
  using Error::Error;
};

// A backend that was not compiled in or has no usable device.
class BackendUnavailable : public Error {
 public:
  using Error::Error;
};

// A numerical routine failed (e.g. eigensolver did not converge).
class NumericalError : public Error {
 public:
  using Error::Error;
};

}  // namespace rmt

#define RMT_EXPECTS(cond, ...)                                                              \
  do {                                                                                      \
    if (!(cond))                                                                            \
      throw ::rmt::Error(fmt::format("{}:{}: precondition '{}' failed: {}", __FILE__,       \
                                     __LINE__, #cond, fmt::format(__VA_ARGS__)));           \
  } while (0)
