#pragma once
// NumPy .npy (format 1.0) for float64 arrays, so results load with np.load directly.
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace rmt {

// Serialised .npy bytes of a C-order float64 array of the given shape.
std::string npy_bytes(const std::vector<double>& values, const std::vector<std::size_t>& shape);
void write_npy(const std::filesystem::path& path, const std::vector<double>& values,
               const std::vector<std::size_t>& shape);
// Reads a little-endian float64 .npy (C order); throws InputError on anything else.
std::vector<double> read_npy(const std::filesystem::path& path, std::vector<std::size_t>* shape = nullptr);
// The same on the bytes of a file; `name` names it in messages.
std::vector<double> parse_npy(std::string_view bytes, std::string_view name,
                              std::vector<std::size_t>* shape = nullptr);

}  // namespace rmt
