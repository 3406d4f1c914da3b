#include "core/results/npy.hpp"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cstring>
#include <fstream>
#include <iterator>
#include <numeric>

#include <fmt/format.h>

#include "core/results/atomic_file.hpp"
#include "core/base/error.hpp"

namespace rmt {

static_assert(std::endian::native == std::endian::little, "npy writer assumes a little-endian host");

std::string npy_bytes(const std::vector<double>& values, const std::vector<std::size_t>& shape) {
  const auto count = std::accumulate(shape.begin(), shape.end(), std::size_t{1}, std::multiplies<>());
  if (count != values.size()) throw Error("npy: shape does not match the number of values");
  std::string dims;
  for (const auto d : shape) dims += fmt::format("{},", d);
  if (shape.size() > 1) dims.pop_back();  // (n,) for 1-D, (a, b) otherwise
  std::string header = fmt::format("{{'descr': '<f8', 'fortran_order': False, 'shape': ({}), }}", dims);
  // magic(6) + version(2) + header length(2) + header, padded with spaces to a multiple of 64, '\n'.
  const std::size_t unpadded = 10 + header.size() + 1;
  header.append((64 - unpadded % 64) % 64, ' ');
  header.push_back('\n');
  std::string out("\x93NUMPY\x01\x00", 8);
  out.push_back(static_cast<char>(header.size() & 0xff));
  out.push_back(static_cast<char>(header.size() >> 8));
  out += header;
  out.append(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(double));
  return out;
}

void write_npy(const std::filesystem::path& path, const std::vector<double>& values,
               const std::vector<std::size_t>& shape) {
  write_file_atomically(path, npy_bytes(values, shape));
}

std::vector<double> read_npy(const std::filesystem::path& path, std::vector<std::size_t>* shape) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(fmt::format("cannot open '{}'", path.string()));
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return parse_npy(bytes, path.string(), shape);
}

std::vector<double> parse_npy(std::string_view bytes, std::string_view name, std::vector<std::size_t>* shape) {
  const auto bad = [&](std::string_view why) {
    return InputError(fmt::format("'{}' is not a float64 .npy file: {}", name, why));
  };
  if (bytes.size() < 10 || bytes.compare(0, 6, "\x93NUMPY") != 0) throw bad("missing magic");
  const auto major = static_cast<unsigned char>(bytes[6]);
  std::size_t header_len = 0, offset = 0;
  if (major == 1) {
    header_len = static_cast<unsigned char>(bytes[8]) | (static_cast<unsigned char>(bytes[9]) << 8);
    offset = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) throw bad("truncated header");
    std::uint32_t len = 0;
    std::memcpy(&len, bytes.data() + 8, 4);
    header_len = len;
    offset = 12;
  } else {
    throw bad("unsupported version");
  }
  if (bytes.size() < offset + header_len) throw bad("truncated header");
  const std::string header(bytes.substr(offset, header_len));
  if (header.find("'<f8'") == std::string::npos) throw bad("dtype is not '<f8'");
  if (header.find("'fortran_order': False") == std::string::npos) throw bad("not C order");
  const auto open = header.find('(', header.find("'shape'"));
  const auto close = header.find(')', open);
  if (open == std::string::npos || close == std::string::npos) throw bad("no shape");
  std::vector<std::size_t> dims;
  std::size_t pos = open + 1;
  while (pos < close) {
    const auto comma = std::min(header.find(',', pos), close);
    const auto token = header.substr(pos, comma - pos);
    const auto digits = token.substr(std::min(token.find_first_not_of(' '), token.size()));
    if (!digits.empty()) {
      std::size_t d = 0;
      const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), d);
      if (ec != std::errc() || digits.find_first_not_of(' ', static_cast<std::size_t>(end - digits.data())) != std::string::npos)
        throw bad(fmt::format("bad shape dimension '{}'", digits));
      dims.push_back(d);
    }
    pos = comma + 1;
  }
  const auto count = std::accumulate(dims.begin(), dims.end(), std::size_t{1}, std::multiplies<>());
  const auto data_offset = offset + header_len;
  if (bytes.size() != data_offset + count * sizeof(double)) throw bad("data size does not match shape");
  std::vector<double> values(count);
  if (count > 0) std::memcpy(values.data(), bytes.data() + data_offset, count * sizeof(double));  // no null for 0
  if (shape) *shape = dims;
  return values;
}

}  // namespace rmt
