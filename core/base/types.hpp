#pragma once
#include <complex>
#include <cstdint>

namespace rmt {

using index_t = std::int64_t;
using complex = std::complex<double>;

// Non-owning view of a column-major matrix: element (i, j) at data[i + j * ld].
template <typename T>
struct ColMajorView {
  T* data = nullptr;
  index_t rows = 0;
  index_t cols = 0;
  index_t ld = 0;

  T& operator()(index_t i, index_t j) const { return data[i + j * ld]; }
};

}  // namespace rmt
