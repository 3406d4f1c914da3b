#pragma once
// All eigenvalues of a symmetric block-cyclic matrix (mpi/distributed_gram.hpp), eigenvalues only:
// ELPA's two-stage solver, or ScaLAPACK's pdsyevr with JOBZ = 'N' (MRRR; pdsyevd has no
// eigenvalues-only mode). Collective; every process gets all eigenvalues, ascending.
#include <string_view>
#include <vector>

#include "mpi/blacs_grid.hpp"
#include "mpi/distributed_gram.hpp"

namespace rmt::mpi {

enum class DistributedSolver { elpa, pdsyevr };
std::string_view to_string(DistributedSolver s);
// "elpa" | "pdsyevr"; anything else throws InputError naming `what`.
DistributedSolver parse_distributed_solver(std::string_view text, std::string_view what);

// Destroys a.local.
std::vector<double> distributed_eigenvalues(const BlacsGrid& grid, DistributedMatrix& a, DistributedSolver solver);

// Bytes one process allocates for the solver beside its local part of the matrix (pdsyevr: its
// workspace query; ELPA: a copy of the local part and the band matrices, bounded by 2× the local part).
std::size_t distributed_solver_bytes(const BlacsGrid& grid, const DistributedMatrix& a, DistributedSolver solver);

}  // namespace rmt::mpi
