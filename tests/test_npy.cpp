#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/base/error.hpp"
#include "core/results/npy.hpp"

using namespace rmt;

namespace {
std::filesystem::path scratch(const char* name) {
  auto dir = std::filesystem::temp_directory_path() / "rmt_test_npy";
  std::filesystem::create_directories(dir);
  return dir / name;
}
}  // namespace

TEST(Npy, RoundTripOneAndTwoDimensions) {
  const std::vector<double> v = {1.0, -2.5, 3.25, 1e-300, 6.0, 7.0};
  write_npy(scratch("a.npy"), v, {6});
  std::vector<std::size_t> shape;
  EXPECT_EQ(read_npy(scratch("a.npy"), &shape), v);
  EXPECT_EQ(shape, (std::vector<std::size_t>{6}));
  write_npy(scratch("b.npy"), v, {2, 3});
  EXPECT_EQ(read_npy(scratch("b.npy"), &shape), v);
  EXPECT_EQ(shape, (std::vector<std::size_t>{2, 3}));
}

TEST(Npy, HeaderFollowsTheFormat) {
  const auto bytes = npy_bytes({1.0, 2.0}, {2});
  EXPECT_EQ(bytes.substr(0, 6), "\x93NUMPY");
  const std::size_t header_len = static_cast<unsigned char>(bytes[8]) | (static_cast<unsigned char>(bytes[9]) << 8);
  EXPECT_EQ((10 + header_len) % 64, 0u);  // data aligned as NumPy writes it
  EXPECT_EQ(bytes[10 + header_len - 1], '\n');
  EXPECT_NE(bytes.find("'shape': (2,)"), std::string::npos);
  EXPECT_EQ(bytes.size(), 10 + header_len + 16);
}

TEST(Npy, RejectsMalformedFiles) {
  std::ofstream(scratch("bad.npy")) << "not a numpy file";
  EXPECT_THROW(read_npy(scratch("bad.npy")), InputError);
  auto bytes = npy_bytes({1.0, 2.0}, {2});
  bytes.pop_back();
  std::ofstream(scratch("short.npy"), std::ios::binary) << bytes;
  EXPECT_THROW(read_npy(scratch("short.npy")), InputError);
  EXPECT_THROW(read_npy(scratch("missing.npy")), InputError);
  EXPECT_THROW(npy_bytes({1.0}, {2}), Error);
}
