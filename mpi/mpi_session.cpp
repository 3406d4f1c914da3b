#include "mpi/mpi_session.hpp"

#include <mpi.h>

#include <fmt/format.h>

#include "core/base/error.hpp"

namespace rmt::mpi {

namespace {
void check(int code, const char* what) {
  if (code == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(code, text, &length);
  throw Error(fmt::format("MPI {}: {}", what, std::string(text, static_cast<std::size_t>(length))));
}
}  // namespace

Session::Session() {
  int initialised = 0;
  MPI_Initialized(&initialised);
  if (!initialised) {
    int provided = 0;
    check(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided), "init");
    finalize_ = true;
  }
  check(MPI_Comm_rank(MPI_COMM_WORLD, &rank_), "comm_rank");
  check(MPI_Comm_size(MPI_COMM_WORLD, &size_), "comm_size");
}

Session::~Session() {
  if (!finalize_) return;
  int finalised = 0;
  MPI_Finalized(&finalised);
  if (!finalised) MPI_Finalize();
}

void Session::broadcast(std::span<std::int64_t> values) const {
  check(MPI_Bcast(values.data(), static_cast<int>(values.size()), MPI_INT64_T, 0, MPI_COMM_WORLD), "broadcast");
}

void Session::barrier() const { check(MPI_Barrier(MPI_COMM_WORLD), "barrier"); }

std::string Session::library() const {
  char text[MPI_MAX_LIBRARY_VERSION_STRING];
  int length = 0;
  MPI_Get_library_version(text, &length);
  std::string s(text, static_cast<std::size_t>(length));
  if (const auto end = s.find_first_of(",\n"); end != std::string::npos) s.resize(end);
  return s;
}

}  // namespace rmt::mpi
