// libFuzzer target: fuzz/entry_points.hpp, rmt::fuzz::params.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz/entry_points.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  rmt::fuzz::params(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
