// method = distributed with MPI (bench/distributed_case.hpp; built when cmake/RmtMpi.cmake finds
// Open MPI, ScaLAPACK and ELPA). The protocol between rank 0 and the others is one broadcast of five
// integers per draw: {draw (1) | stop (0), case index, replicate, seed, case key}; every rank resolved the
// same cases, so the index names the same case everywhere (the seed and key are checked).
#include "bench/distributed_case.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>

#include <fmt/format.h>

#include "core/base/error.hpp"
#include "mpi/blacs_grid.hpp"
#include "mpi/distributed_eigen.hpp"
#include "mpi/distributed_gram.hpp"
#include "mpi/mpi_session.hpp"

namespace rmt::bench {

bool distributed_available() { return true; }

void validate_distributed(const ResolvedCase& c) {
  const auto& spec = c.spec;
  if (c.kind != CaseKind::spectral || !c.model->has_gram_rows(c.params))
    throw InputError(fmt::format("case '{}': method = distributed needs a sample-covariance (mp, silverstein, spiked) or "
                                 "random-feature (rf) model; {} does not form its features row by row",
                                 spec.name, spec.model));
  if (spec.precision != "fp64")
    throw InputError(fmt::format("case '{}': method = distributed runs in fp64 (ScaLAPACK/ELPA double)", spec.name));
  if (spec.mutation.active())
    throw InputError(fmt::format("case '{}': mutations run on the dense path only (method = dense)", spec.name));
  mpi::parse_distributed_solver(spec.distributed.solver, fmt::format("case '{}': eigensolver", spec.name));
  if (spec.distributed.block < 1 || spec.distributed.block > 4096)
    throw InputError(fmt::format("case '{}': block = {} is out of range [1, 4096]", spec.name, spec.distributed.block));
}

namespace {

enum : std::int64_t { kStop = 0, kDraw = 1 };

class MpiRun;
MpiRun* current_run = nullptr;  // the run of this process (one `rmtbench run` at a time)

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

class MpiRun final : public DistributedRun {
 public:
  explicit MpiRun(std::vector<const ResolvedCase*> cases)
      : cases_(std::move(cases)), grid_(session_.size()), backend_(make_cpu_backend()) {
    current_run = this;
  }
  ~MpiRun() override {
    current_run = nullptr;
    if (session_.rank() != 0) return;
    std::array<std::int64_t, 5> stop{kStop, 0, 0, 0, 0};
    try {
      session_.broadcast(stop);
    } catch (...) {  // MPI is failing already: nothing more to tell the other ranks
    }
  }

  int rank() const override { return session_.rank(); }

  int serve() override {
    for (;;) {
      std::array<std::int64_t, 5> task{};
      session_.broadcast(task);
      if (task[0] == kStop) return 0;
      const auto index = static_cast<std::size_t>(task[1]);
      if (index >= cases_.size()) throw Error(fmt::format("distributed: rank 0 asked for case {} of {}", index, cases_.size()));
      const ResolvedCase& c = *cases_[index];
      if (static_cast<std::uint64_t>(task[3]) != c.spec.seed || static_cast<std::uint32_t>(task[4]) != c.case_key)
        throw Error(fmt::format("distributed: case {} ('{}') differs between rank 0 and rank {}", index, c.spec.name,
                                session_.rank()));
      StageTimes ignored;
      draw(c, StreamKey{c.spec.seed, c.case_key, static_cast<std::uint32_t>(task[2]), 0}, ignored);
    }
  }

  // Rank 0: ask the others for this draw, then take part in it.
  std::vector<double> lead(const ResolvedCase& c, const StreamKey& key, StageTimes& t) {
    const auto it = std::find(cases_.begin(), cases_.end(), &c);
    if (it == cases_.end()) throw Error(fmt::format("distributed: case '{}' was not announced to the ranks", c.spec.name));
    std::array<std::int64_t, 5> task{kDraw, it - cases_.begin(), key.replicate, static_cast<std::int64_t>(c.spec.seed),
                                     static_cast<std::int64_t>(c.case_key)};
    session_.broadcast(task);
    return draw(c, key, t);
  }

  MemoryPlan memory_plan(const ResolvedCase& c) const {
    const index_t n = c.sizes.eig_dim, nb = c.spec.distributed.block;
    const auto rows = grid_.owned_rows(n, nb), cols = grid_.owned_cols(n, nb);
    index_t local_rows = 0, local_cols = 0, formed = 0;
    for (const auto& r : rows) local_rows += r.size();
    for (const auto& r : cols) local_cols += r.size();
    for (const auto& r : mpi::merged_union(rows, cols)) formed += r.size();
    const elements_t local = cells(local_rows, local_cols);
    // form_gram_tiles' chunk (about 2^22 elements of feature rows) and the two gathered copies of it.
    const elements_t chunk = 3 * std::max<elements_t>(elements_t{1} << 22, static_cast<elements_t>(2 * formed));
    MemoryPlan plan;
    plan.add(fmt::format("this rank's Gram tiles ({}x{}) and feature rows", local_rows, local_cols), local + chunk)
        .add("distributed eigensolver (tiles, the solver's copy and band)", 2 * local + 16 * static_cast<elements_t>(n));
    return plan;
  }

  nlohmann::json describe(const ResolvedCase& c) const {
    return {{"ranks", session_.size()},
            {"grid", {grid_.nprow(), grid_.npcol()}},
            {"block", c.spec.distributed.block},
            {"solver", c.spec.distributed.solver},
            {"mpi", session_.library()}};
  }

 private:
  // Every rank: its tiles of the Gram matrix, then the eigenvalues (all of them, on every rank). The
  // stage times are rank 0's, each stage ended by a barrier, so they include waiting for the slowest rank.
  std::vector<double> draw(const ResolvedCase& c, const StreamKey& key, StageTimes& t) {
    const PrecisionScope fp64(*backend_, Precision::fp64);
    auto start = std::chrono::steady_clock::now();
    GramRows rows = c.model->gram_rows(*backend_, c.params, key);
    mpi::GramTiming timing;
    mpi::DistributedMatrix g = mpi::form_gram_tiles(grid_, *rows.features, rows.alpha, c.spec.distributed.block, 0, &timing);
    session_.barrier();
    const double gram_wall = seconds_since(start);
    t.sample_s += timing.form_s;
    t.gram_s += gram_wall - timing.form_s;  // the local GEMMs and the wait for the slowest rank
    start = std::chrono::steady_clock::now();
    const auto solver = mpi::parse_distributed_solver(c.spec.distributed.solver, "eigensolver");
    auto values = mpi::distributed_eigenvalues(grid_, g, solver);
    t.eig_s += seconds_since(start);
    return values;
  }

  mpi::Session session_;
  std::vector<const ResolvedCase*> cases_;
  mpi::BlacsGrid grid_;
  std::unique_ptr<Backend> backend_;
};

}  // namespace

std::unique_ptr<DistributedRun> start_distributed_run(const std::vector<const ResolvedCase*>& cases) {
  if (std::none_of(cases.begin(), cases.end(), [](const ResolvedCase* c) { return c->spec.method == "distributed"; }))
    return nullptr;
  return std::make_unique<MpiRun>(cases);
}

Draw distributed_draw(const ResolvedCase& c, const StreamKey& key, StageTimes& t) {
  if (!current_run)
    throw InputError(fmt::format("case '{}': method = distributed runs under `rmtbench run` only", c.spec.name));
  Draw out{current_run->lead(c, key, t), {}};
  // Eigenvalues only: the predicted outliers are paired with the largest eigenvalues (largest with
  // largest), their alignments are not measured (NaN: the record omits outlier_alignment_error).
  auto predicted = c.model->theory_outliers(c.params);
  std::sort(predicted.begin(), predicted.end(), [](const Outlier& a, const Outlier& b) { return a.position > b.position; });
  const std::size_t k = std::min<std::size_t>(predicted.size(), out.eigenvalues.size());
  for (std::size_t j = 0; j < k; ++j)
    out.outliers.push_back({predicted[j].spike, out.eigenvalues[out.eigenvalues.size() - 1 - j], std::nan("")});
  return out;
}

MemoryPlan distributed_memory_plan(const ResolvedCase& c) {
  if (!current_run) throw InputError(fmt::format("case '{}': method = distributed runs under `rmtbench run` only", c.spec.name));
  return current_run->memory_plan(c);
}

nlohmann::json distributed_json(const ResolvedCase& c) {
  if (!current_run) return nullptr;
  return current_run->describe(c);
}

}  // namespace rmt::bench
