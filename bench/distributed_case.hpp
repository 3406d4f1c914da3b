#pragma once
// method = distributed: one matrix across MPI ranks (README "One matrix across MPI ranks"). Every rank
// runs the same `rmtbench run` under mpirun and resolves the same cases; rank 0 runs them as usual
// (theory, metrics, records, report) and, for each draw of a distributed case, tells the other ranks
// which (case, replicate) to draw. Then every rank of a 2-D BLACS grid forms its own block-cyclic tiles
// of the Gram matrix from its rows of the features (Model::gram_rows: Philox rows regenerated, no
// communication) and the eigenvalues come from ELPA's two-stage solver or ScaLAPACK's pdsyevr
// (mpi/). The other ranks write nothing. Built with -DRMT_ENABLE_MPI (cmake/RmtMpi.cmake); without it,
// method = distributed is refused (exit 2) with one line saying so.
#include <memory>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/case.hpp"

namespace rmt::bench {

// Whether this build has method = distributed.
bool distributed_available();

// resolve_case's checks of a distributed case (InputError naming the problem).
void validate_distributed(const ResolvedCase& c);

// The MPI side of one `rmtbench run`: started (collectively) when the selection has a distributed case.
class DistributedRun {
 public:
  virtual ~DistributedRun() = default;  // rank 0: tells the other ranks to stop
  virtual int rank() const = 0;
  // Ranks other than 0: draw what rank 0 asks for until it stops; returns the exit status.
  virtual int serve() = 0;
};

// Null when no case of `cases` is distributed; otherwise MPI is initialised (an MPI singleton when not
// started by mpirun) and the grid made. The cases must outlive the run.
std::unique_ptr<DistributedRun> start_distributed_run(const std::vector<const ResolvedCase*>& cases);

// The backend storage of one rank for one draw of a distributed case on this run's grid: its Gram
// tiles and a chunk of its feature rows, then its tiles and the solver's copy (exit 3 before drawing).
MemoryPlan distributed_memory_plan(const ResolvedCase& c);

// Rank 0: replicate key.replicate of a distributed case, with the other ranks (collective).
Draw distributed_draw(const ResolvedCase& c, const StreamKey& key, StageTimes& t);

// What the record says of the run: {ranks, grid [rows, cols], block, solver, mpi}.
nlohmann::json distributed_json(const ResolvedCase& c);

}  // namespace rmt::bench
