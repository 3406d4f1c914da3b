#include "mpi/distributed_eigen.hpp"

#include <mpi.h>

#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "core/base/error.hpp"
#include "mpi/elpa_bridge.h"
#include "mpi/scalapack.hpp"

namespace rmt::mpi {

std::string_view to_string(DistributedSolver s) { return s == DistributedSolver::elpa ? "elpa" : "pdsyevr"; }

DistributedSolver parse_distributed_solver(std::string_view text, std::string_view what) {
  if (text == "elpa") return DistributedSolver::elpa;
  if (text == "pdsyevr") return DistributedSolver::pdsyevr;
  throw InputError(fmt::format("{}: unknown distributed eigensolver '{}' (expected elpa or pdsyevr)", what, text));
}

namespace {

struct PdsyevrWork {
  std::vector<double> work;
  std::vector<int> iwork;
};

// JOBZ = 'N', RANGE = 'A', the lower triangle; lwork = liwork = -1 asks for the sizes.
int call_pdsyevr(DistributedMatrix& a, double* w, double* work, int lwork, int* iwork, int liwork) {
  const int n = static_cast<int>(a.n), one = 1, il = 0, iu = 0;
  const double vl = 0, vu = 0;
  int found = 0, vectors = 0, info = 0;
  double* data = a.local.empty() ? w : a.local.data();  // a process without a tile passes any valid pointer
  pdsyevr_("N", "A", "L", &n, data, &one, &one, a.desc.data(), &vl, &vu, &il, &iu, &found, &vectors, w, nullptr, &one,
           &one, a.desc.data(), work, &lwork, iwork, &liwork, &info, 1, 1, 1);
  if (info != 0) throw NumericalError(fmt::format("pdsyevr: info = {} (n = {})", info, n));
  if (lwork != -1 && found != n) throw NumericalError(fmt::format("pdsyevr found {} of {} eigenvalues", found, n));
  return info;
}

PdsyevrWork pdsyevr_workspace(DistributedMatrix& a) {
  double work_size = 0;
  int iwork_size = 0;
  std::vector<double> w(static_cast<std::size_t>(a.n));
  call_pdsyevr(a, w.data(), &work_size, -1, &iwork_size, -1);
  PdsyevrWork ws;
  ws.work.resize(static_cast<std::size_t>(work_size) + 1);
  ws.iwork.resize(static_cast<std::size_t>(std::max(iwork_size, 1)));
  return ws;
}

}  // namespace

std::size_t distributed_solver_bytes(const BlacsGrid&, const DistributedMatrix& a, DistributedSolver solver) {
  if (solver == DistributedSolver::elpa) return 2 * a.local.size() * sizeof(double) + 16 * static_cast<std::size_t>(a.n) * sizeof(double);
  DistributedMatrix probe = a;  // the query reads only the descriptor
  const auto ws = pdsyevr_workspace(probe);
  return ws.work.size() * sizeof(double) + ws.iwork.size() * sizeof(int);
}

std::vector<double> distributed_eigenvalues(const BlacsGrid& grid, DistributedMatrix& a, DistributedSolver solver) {
  std::vector<double> w(static_cast<std::size_t>(a.n));
  if (solver == DistributedSolver::pdsyevr) {
    auto ws = pdsyevr_workspace(a);
    call_pdsyevr(a, w.data(), ws.work.data(), static_cast<int>(ws.work.size()), ws.iwork.data(),
                 static_cast<int>(ws.iwork.size()));
  } else {
    std::array<char, 512> message{};
    double* data = a.local.empty() ? w.data() : a.local.data();
    const int rc = rmt_elpa_eigenvalues(static_cast<int>(a.n), static_cast<int>(a.nb), static_cast<int>(a.local_rows),
                                        static_cast<int>(a.local_cols), static_cast<int>(MPI_Comm_c2f(MPI_COMM_WORLD)),
                                        grid.myrow(), grid.mycol(), grid.context(), /*two_stage=*/1, data, w.data(),
                                        message.data(), static_cast<int>(message.size()));
    if (rc != 0) throw NumericalError(message.data());
  }
  std::sort(w.begin(), w.end());
  return w;
}

}  // namespace rmt::mpi
