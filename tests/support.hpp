#pragma once
// Helpers shared by the test executables: cases resolved and run on the CPU backend, and the
// rmtbench binary run as a process (RMT_BINARY is defined per test target by tests/CMakeLists.txt).
// The environment variables RMT_BINARY and RMT_SOURCE_DIR, when set, override the compile-time
// paths: the test executables of the relocatable bundle run away from their build tree.
#include <unistd.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/case.hpp"

namespace rmt::test_support {

// The rmtbench executable: $RMT_BINARY, else the one of this build tree.
inline std::string binary() {
  const char* env = std::getenv("RMT_BINARY");
  return env && *env ? env : RMT_BINARY;
}

// The source tree (suites, scripts): $RMT_SOURCE_DIR, else the one this test was built from.
inline std::filesystem::path source_dir() {
  const char* env = std::getenv("RMT_SOURCE_DIR");
  return env && *env ? env : RMT_SOURCE_DIR;
}

// A case named after its model and parameters ("ridge_n=300_gamma=2").
inline bench::ResolvedCase make_case(std::string model, Assignments params, int replicates = 1,
                                     std::uint64_t seed = 2026) {
  bench::CaseSpec spec;
  spec.model = model;
  spec.name = model;
  for (const auto& [k, v] : params) spec.name += "_" + k + "=" + v;
  spec.params = std::move(params);
  spec.replicates = replicates;
  spec.seed = seed;
  return bench::resolve_case(spec);
}

// Runs a case on the CPU backend; eigenvalue files go to a per-process scratch directory. The
// sensitivity search (bench/sensitivity.hpp) runs only when asked for: it re-scores the draws against
// rebuilt laws (several times the case's own cost for llc_gram and rff) and only the Sensitivity
// tests read it; the verdict does not depend on it.
inline nlohmann::json run_on_cpu(bench::ResolvedCase c, bool sensitivity = false) {
  c.spec.sensitivity = sensitivity;
  const auto dir = std::filesystem::temp_directory_path() / ("rmt_test_cases_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  auto backend = make_cpu_backend();
  return bench::run_case(*backend, c, dir);
}

inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct CliResult {
  int code;
  std::string out, err;
};

// `rmtbench ARGS`: exit code, stdout and stderr (one stderr file per process: ctest runs in parallel).
inline CliResult rmtbench(const std::string& args) {
  const auto err_file = std::filesystem::temp_directory_path() / ("rmt_test_stderr_" + std::to_string(getpid()));
  FILE* pipe = popen((binary() + " " + args + " 2>" + err_file.string()).c_str(), "r");
  std::string out;
  char buffer[4096];
  while (const auto n = fread(buffer, 1, sizeof buffer, pipe)) out.append(buffer, n);
  const int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out, slurp(err_file)};
}

// `rmtbench ARGS` as a child process (stdout to LOG, stderr to LOG.err), for tests that signal or
// limit it; wait_exit gives its exit code, 128 + signal when a signal ended it.
inline pid_t spawn(const std::vector<std::string>& args, const std::filesystem::path& log) {
  const pid_t pid = fork();
  if (pid == 0) {
    if (!std::freopen(log.c_str(), "w", stdout) || !std::freopen((log.string() + ".err").c_str(), "w", stderr))
      _exit(126);
    std::string bin = binary();
    std::vector<std::string> copy = args;
    std::vector<char*> argv = {bin.data()};
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(bin.c_str(), argv.data());
    _exit(127);
  }
  return pid;
}

inline int wait_exit(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace rmt::test_support
