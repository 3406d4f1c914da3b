// method = distributed across MPI ranks (mpi/, bench/distributed_case.hpp), run by ctest under
// mpirun -np 1, 2 and 4 (grids 1x1, 1x2, 2x2; tests/mpi/CMakeLists.txt). Every rank checks its own
// part and any failure on any rank fails the run.
//   * Each rank's block-cyclic tiles equal the blocks of the serial Gram matrix of the same seed.
//   * The distributed eigenvalues (pdsyevr and ELPA two-stage) equal the serial LAPACK eigenvalues of
//     the dense path (Model::sample) to 1e-10·‖G‖, and another seed's spectrum does not (the check
//     can fail); ELPA equals pdsyevr to the same bound.
// Sizes are odd against the block size 16, so edge blocks are partial and every rank holds several.
#include <mpi.h>

#include <algorithm>
#include <cmath>
#include <memory>

#include <gtest/gtest.h>

#include "bench/case.hpp"
#include "bench/model.hpp"
#include "mpi/blacs_grid.hpp"
#include "mpi/distributed_eigen.hpp"
#include "mpi/distributed_gram.hpp"
#include "mpi/mpi_session.hpp"

namespace {

using namespace rmt;

struct Setup {
  const char* model;
  Assignments params;
};

// The cases: sample covariance (scaled rows: silverstein, spiked), random features (W rows formed per
// rank), and an odd dimension.
const std::vector<Setup>& setups() {
  static const std::vector<Setup> all = {
      {"mp", {{"n", "402"}, {"c", "0.5"}}},
      {"silverstein", {{"n", "300"}, {"c", "0.7"}}},
      {"spiked", {{"n", "300"}, {"c", "0.5"}}},
      {"rf", {{"n", "300"}, {"phi", "0.5"}, {"psi", "0.8"}}},
      {"rf", {{"n", "260"}, {"phi", "0.6"}, {"psi", "0.9"}, {"activation", "tanh"}, {"centred", "0"}}},
  };
  return all;
}

constexpr index_t kBlock = 16;

struct Case {
  const bench::Model* model;
  Params params;
  StreamKey key;
};

Case make_case(const Setup& s, std::uint64_t seed) {
  const bench::Model& m = bench::find_model(s.model);
  Params p = resolve_params(s.model, m.params(), s.params);
  return {&m, p, StreamKey{seed, bench::case_key(s.model, p), 0, 0}};
}

// The serial Gram matrix alpha·F Fᵀ of the slq path's features (the same F as the dense path).
std::vector<double> serial_gram(Backend& backend, const Case& c, index_t& n) {
  auto features = c.model->gram_features(backend, c.params, c.key);
  const Matrix f = features.features->columns(backend, 0, features.features->cols());
  n = f.rows();
  return backend.to_host(backend.gram(f, features.alpha, GramSide::rows));
}

double largest_abs(const std::vector<double>& v) {
  double m = 0;
  for (const double x : v) m = std::max(m, std::abs(x));
  return m;
}

double max_difference(const std::vector<double>& a, const std::vector<double>& b) {
  EXPECT_EQ(a.size(), b.size());
  double m = 0;
  for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i) m = std::max(m, std::abs(a[i] - b[i]));
  return m;
}

class Distributed : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    session = std::make_unique<mpi::Session>();
    grid = std::make_unique<mpi::BlacsGrid>(session->size());
  }
  static void TearDownTestSuite() {
    grid.reset();
    session.reset();
  }
  static std::unique_ptr<mpi::Session> session;
  static std::unique_ptr<mpi::BlacsGrid> grid;
};
std::unique_ptr<mpi::Session> Distributed::session;
std::unique_ptr<mpi::BlacsGrid> Distributed::grid;

TEST_F(Distributed, GridShapeFollowsRanks) {
  const auto [rows, cols] = mpi::BlacsGrid::shape(session->size());
  EXPECT_EQ(grid->nprow() * grid->npcol(), session->size());
  EXPECT_EQ(grid->nprow(), rows);
  EXPECT_LE(grid->nprow(), grid->npcol());
  EXPECT_EQ(mpi::BlacsGrid::shape(4), std::make_pair(2, 2));
  EXPECT_EQ(mpi::BlacsGrid::shape(2), std::make_pair(1, 2));
  EXPECT_EQ(mpi::BlacsGrid::shape(6), std::make_pair(2, 3));
}

TEST_F(Distributed, LocalTilesEqualSerialGramBlocks) {
  auto backend = make_cpu_backend();
  for (const auto& s : setups()) {
    const Case c = make_case(s, 7);
    index_t n = 0;
    const auto serial = serial_gram(*backend, c, n);
    auto rows = c.model->gram_rows(*backend, c.params, c.key);
    // A small chunk: several column steps, the last one partial.
    const auto g = mpi::form_gram_tiles(*grid, *rows.features, rows.alpha, kBlock, 38);
    ASSERT_EQ(g.n, n);
    const double bound = 1e-12 * largest_abs(serial);
    double worst = 0;
    index_t li = 0, lj = 0;
    lj = 0;
    for (const auto& cr : g.cols)
      for (index_t j = cr.first; j < cr.last; ++j, ++lj) {
        li = 0;
        for (const auto& rr : g.rows)
          for (index_t i = rr.first; i < rr.last; ++i, ++li)
            worst = std::max(worst, std::abs(g.local[static_cast<std::size_t>(li + lj * g.local_rows)] -
                                             serial[static_cast<std::size_t>(i + j * n)]));
      }
    EXPECT_EQ(li, g.local_rows);
    EXPECT_EQ(lj, g.local_cols);
    EXPECT_LE(worst, bound) << s.model << " on rank " << session->rank();
  }
}

TEST_F(Distributed, EigenvaluesEqualSerialLapackAndElpaEqualsPdsyevr) {
  auto backend = make_cpu_backend();
  for (const auto& s : setups()) {
    const Case c = make_case(s, 11);
    bench::StageTimes t;
    std::vector<double> serial = c.model->sample(*backend, c.params, c.key, t).eigenvalues;  // the dense path
    std::sort(serial.begin(), serial.end());
    const double bound = 1e-10 * largest_abs(serial);
    std::vector<double> by_solver[2];
    for (const auto solver : {mpi::DistributedSolver::pdsyevr, mpi::DistributedSolver::elpa}) {
      auto rows = c.model->gram_rows(*backend, c.params, c.key);
      auto g = mpi::form_gram_tiles(*grid, *rows.features, rows.alpha, kBlock);
      by_solver[solver == mpi::DistributedSolver::elpa] = mpi::distributed_eigenvalues(*grid, g, solver);
    }
    EXPECT_LE(max_difference(by_solver[0], serial), bound) << s.model << " pdsyevr";
    EXPECT_LE(max_difference(by_solver[1], serial), bound) << s.model << " elpa";
    EXPECT_LE(max_difference(by_solver[1], by_solver[0]), bound) << s.model << " elpa against pdsyevr";
    // Another seed's matrix: far beyond the bound (the comparison can fail).
    const Case other = make_case(s, 12);
    auto rows = other.model->gram_rows(*backend, other.params, other.key);
    auto g = mpi::form_gram_tiles(*grid, *rows.features, rows.alpha, kBlock);
    EXPECT_GT(max_difference(mpi::distributed_eigenvalues(*grid, g, mpi::DistributedSolver::pdsyevr), serial), 1e4 * bound)
        << s.model;
  }
}

}  // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  MPI_Init(&argc, &argv);
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  if (rank != 0) {  // one report: the other ranks print failures only
    auto& listeners = ::testing::UnitTest::GetInstance()->listeners();
    delete listeners.Release(listeners.default_result_printer());
  }
  const int result = RUN_ALL_TESTS();
  int any = 0;
  MPI_Allreduce(&result, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  MPI_Finalize();
  return any;
}
