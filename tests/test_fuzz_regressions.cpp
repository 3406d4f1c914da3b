// Inputs the fuzzers (fuzz/) or a review found to break a reader, fed back to the fuzz targets'
// own entry points (fuzz/entry_points.hpp): each must now be refused with an InputError or read
// correctly, with every invariant of its entry point holding.
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "fuzz/entry_points.hpp"

namespace {

using namespace std::string_literals;

// The committed seeds pass too (the corpus is not stale against the readers).
TEST(FuzzRegressions, SeedsPass) {
  EXPECT_NO_THROW(rmt::fuzz::params("\x07" "0.001:1:20log"s));
  EXPECT_NO_THROW(rmt::fuzz::params("\x0a" "mp\nn=300\nc=0.5"s));
}

// fuzz_params (CI, 2026-12-06): a 97040-point sweep axis timed out in the harness's own pairwise
// label check (O(k²)); the check is a set now, and the axis itself is built in O(k log k).
TEST(FuzzRegressions, LargeSweepAxisIsChecked) {
  EXPECT_NO_THROW(rmt::fuzz::params("\x08" "571:4:97040log"s));
  EXPECT_EQ(rmt::bench::grid_values("571:4:97040log", false, "x").size(), 97040u);
}

// A suite that includes a device file: /dev/zero was read until memory ran out, /dev/stdin
// waited for a terminal. Includes must be regular files.
TEST(FuzzRegressions, SuiteIncludeOfADeviceIsRefused) {
  for (const char* device : {"/dev/zero", "/dev/stdin", "/dev/null"}) {
    const std::string suite = "include = [\""s + device + "\"]\n";
    EXPECT_NO_THROW(rmt::fuzz::suite(suite)) << device;
    try {
      rmt::bench::parse_suite_cases(suite, "x/fuzz.toml");
      ADD_FAILURE() << device << " was accepted";
    } catch (const rmt::InputError& e) {
      EXPECT_NE(std::string(e.what()).find("not a regular file"), std::string::npos) << e.what();
    }
  }
}

// fuzz_npy: an empty array (shape (0, 4)) passed the null data() of an empty vector to memcpy (UBSan).
TEST(FuzzRegressions, EmptyNpyArrayReads) {
  std::string header = "{'descr': '<f8', 'fortran_order': False, 'shape': (0,4), }";
  header.append((64 - (10 + header.size() + 1) % 64) % 64, ' ');
  header.push_back('\n');
  const std::string bytes = "\x93NUMPY\x01\x00"s + static_cast<char>(header.size()) + '\0' + header;
  EXPECT_NO_THROW(rmt::fuzz::npy(bytes));
  std::vector<std::size_t> shape;
  EXPECT_TRUE(rmt::parse_npy(bytes, "empty.npy", &shape).empty());
  EXPECT_EQ(shape, (std::vector<std::size_t>{0, 4}));
}

// fuzz_npy: a shape entry that is not a number ("(3,:") escaped as std::invalid_argument (exit 1).
TEST(FuzzRegressions, NpyShapeThatIsNotANumberIsAnInputError) {
  std::string header = "{'descr': '<f8', 'fortran_order': False, 'shape': (3,:(3,), }";
  header.append((64 - (10 + header.size() + 1) % 64) % 64, ' ');
  header.push_back('\n');
  const std::string bytes = "\x93NUMPY\x01\x00"s + static_cast<char>(header.size()) + '\0' + header;
  EXPECT_NO_THROW(rmt::fuzz::npy(bytes));
  EXPECT_THROW(rmt::parse_npy(bytes, "bad.npy"), rmt::InputError);
}

}  // namespace
