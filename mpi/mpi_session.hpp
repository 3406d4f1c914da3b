#pragma once
// MPI for one command: initialised on first use (funnelled threads: only the main thread calls MPI,
// OpenBLAS and OpenMP threads compute), finalised when the session that initialised it ends. A
// process started without mpirun is a session of one rank (an MPI singleton).
#include <cstdint>
#include <span>
#include <string>

namespace rmt::mpi {

class Session {
 public:
  Session();
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  int rank() const { return rank_; }
  int size() const { return size_; }
  // Every rank gets rank 0's values (collective).
  void broadcast(std::span<std::int64_t> values) const;
  void barrier() const;
  // The library and version ("Open MPI v4.1.4, ...", first line).
  std::string library() const;

 private:
  bool finalize_ = false;
  int rank_ = 0;
  int size_ = 1;
};

}  // namespace rmt::mpi
