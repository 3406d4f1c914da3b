// The host-memory defaults of the Backend's column operations (core/base/backend.hpp): correct on
// every backend, one round trip per call; the CPU and CUDA backends override them.
#include <fmt/format.h>

#include "core/base/backend.hpp"
#include "core/base/error.hpp"

namespace rmt {
namespace {

void expect_same_shape(const Matrix& a, const Matrix& b, std::string_view what) {
  RMT_EXPECTS(a.rows() == b.rows() && a.cols() == b.cols(), "{}: {}x{} and {}x{}", what, a.rows(), a.cols(),
              b.rows(), b.cols());
}

}  // namespace

Matrix Backend::sample_rademacher(const StreamKey& key, index_t rows, index_t cols, std::uint64_t offset) {
  RMT_EXPECTS(rows > 0 && cols > 0, "matrix {}x{}", rows, cols);
  std::vector<double> values(static_cast<std::size_t>(rows * cols));
  for (std::size_t e = 0; e < values.size(); ++e) values[e] = rademacher_at(key, offset + e);
  return from_host(rows, cols, values);
}

std::vector<double> Backend::column_dots(const Matrix& a, const Matrix& b) {
  expect_same_shape(a, b, "column_dots");
  const auto x = to_host(a), y = to_host(b);
  std::vector<double> dots(static_cast<std::size_t>(a.cols()), 0.0);
  const auto rows = static_cast<std::size_t>(a.rows());
  for (std::size_t j = 0; j < dots.size(); ++j)
    for (std::size_t i = 0; i < rows; ++i) dots[j] += x[i + j * rows] * y[i + j * rows];
  return dots;
}

void Backend::add_scaled_columns(Matrix& a, const Matrix& b, std::span<const double> s) {
  expect_same_shape(a, b, "add_scaled_columns");
  RMT_EXPECTS(static_cast<index_t>(s.size()) == a.cols(), "{} column scales for {} columns", s.size(), a.cols());
  auto x = to_host(a);
  const auto y = to_host(b);
  const auto rows = static_cast<std::size_t>(a.rows());
  for (std::size_t j = 0; j < s.size(); ++j)
    for (std::size_t i = 0; i < rows; ++i) x[i + j * rows] += s[j] * y[i + j * rows];
  a = from_host(a.rows(), a.cols(), x);
}

void Backend::scale_columns(Matrix& a, std::span<const double> s) {
  RMT_EXPECTS(static_cast<index_t>(s.size()) == a.cols(), "{} column scales for {} columns", s.size(), a.cols());
  auto x = to_host(a);
  const auto rows = static_cast<std::size_t>(a.rows());
  for (std::size_t j = 0; j < s.size(); ++j)
    for (std::size_t i = 0; i < rows; ++i) x[i + j * rows] *= s[j];
  a = from_host(a.rows(), a.cols(), x);
}

}  // namespace rmt
