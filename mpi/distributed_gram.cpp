#include "mpi/distributed_gram.hpp"

#include <cblas.h>

#include <algorithm>
#include <chrono>
#include <limits>

#include <fmt/format.h>

#include "core/base/error.hpp"
#include "mpi/scalapack.hpp"

namespace rmt::mpi {
namespace {

index_t stacked(const std::vector<RowRange>& ranges) {
  index_t n = 0;
  for (const auto& r : ranges) n += r.size();
  return n;
}

// For each row of `part` (stacked), its row in `whole` (stacked); part ⊆ whole, both ascending.
std::vector<index_t> positions_in(const std::vector<RowRange>& part, const std::vector<RowRange>& whole) {
  std::vector<index_t> out;
  out.reserve(static_cast<std::size_t>(stacked(part)));
  std::size_t w = 0;
  index_t base = 0;  // stacked row of whole[w].first
  for (const auto& r : part)
    for (index_t g = r.first; g < r.last; ++g) {
      while (w < whole.size() && whole[w].last <= g) base += whole[w++].size();
      RMT_EXPECTS(w < whole.size() && whole[w].first <= g, "row {} is not among the formed rows", g);
      out.push_back(base + (g - whole[w].first));
    }
  return out;
}

// rows `at` of the column-major (rows × cols) matrix `from`, or `from` itself when `at` is all of it.
const double* gather(const std::vector<double>& from, index_t rows, index_t cols, const std::vector<index_t>& at,
                     std::vector<double>& buffer) {
  const auto m = static_cast<index_t>(at.size());
  bool identity = m == rows;
  for (index_t i = 0; identity && i < m; ++i) identity = at[static_cast<std::size_t>(i)] == i;
  if (identity) return from.data();
  buffer.resize(static_cast<std::size_t>(m * cols));
  for (index_t j = 0; j < cols; ++j)
    for (index_t i = 0; i < m; ++i)
      buffer[static_cast<std::size_t>(i + j * m)] = from[static_cast<std::size_t>(at[static_cast<std::size_t>(i)] + j * rows)];
  return buffer.data();
}

double since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

DistributedMatrix empty_distributed(const BlacsGrid& grid, index_t n, index_t nb) {
  RMT_EXPECTS(n >= 1 && nb >= 1, "distributed {}x{} matrix in {} blocks", n, n, nb);
  if (n > std::numeric_limits<int>::max()) throw InputError(fmt::format("n = {} exceeds ScaLAPACK's int indices", n));
  DistributedMatrix a;
  a.n = n;
  a.nb = nb;
  a.rows = grid.owned_rows(n, nb);
  a.cols = grid.owned_cols(n, nb);
  a.local_rows = stacked(a.rows);
  a.local_cols = stacked(a.cols);
  const int zero = 0, ni = static_cast<int>(n), nbi = static_cast<int>(nb), ctx = grid.context();
  const int lld = static_cast<int>(std::max<index_t>(1, a.local_rows));
  int info = 0;
  descinit_(a.desc.data(), &ni, &ni, &nbi, &nbi, &zero, &zero, &ctx, &lld, &info);
  if (info != 0) throw Error(fmt::format("descinit: info = {} (n = {}, nb = {}, lld = {})", info, n, nb, lld));
  a.local.assign(static_cast<std::size_t>(a.local_rows * a.local_cols), 0.0);
  return a;
}

DistributedMatrix form_gram_tiles(const BlacsGrid& grid, FeatureRows& features, double alpha, index_t nb,
                                  index_t chunk, GramTiming* timing) {
  const index_t n = features.rows(), m = features.cols();
  DistributedMatrix g = empty_distributed(grid, n, nb);
  if (g.local_rows == 0 || g.local_cols == 0) return g;  // a process with no tile (n small against the grid)
  const std::vector<RowRange> formed = merged_union(g.rows, g.cols);
  const index_t formed_rows = stacked(formed);
  const auto at_rows = positions_in(g.rows, formed);
  const auto at_cols = positions_in(g.cols, formed);
  if (chunk <= 0) chunk = std::max<index_t>(2, (index_t{1} << 22) / std::max<index_t>(1, formed_rows));
  chunk = std::min(chunk + (chunk % 2), m + (m % 2));
  std::vector<double> buffer_a, buffer_b;
  for (index_t c0 = 0; c0 < m; c0 += chunk) {
    const index_t c1 = std::min(m, c0 + chunk);
    auto start = std::chrono::steady_clock::now();
    const std::vector<double> f = features.form(formed, c0, c1);
    if (timing) timing->form_s += since(start);
    start = std::chrono::steady_clock::now();
    const index_t k = c1 - c0;
    const double* a = gather(f, formed_rows, k, at_rows, buffer_a);
    const double* b = gather(f, formed_rows, k, at_cols, buffer_b);
    cblas_dgemm(CblasColMajor, CblasNoTrans, CblasTrans, static_cast<blasint>(g.local_rows),
                static_cast<blasint>(g.local_cols), static_cast<blasint>(k), alpha, a,
                static_cast<blasint>(a == f.data() ? formed_rows : g.local_rows), b,
                static_cast<blasint>(b == f.data() ? formed_rows : g.local_cols), 1.0, g.local.data(),
                static_cast<blasint>(g.local_rows));
    if (timing) timing->gemm_s += since(start);
  }
  return g;
}

}  // namespace rmt::mpi
