#pragma once
// Progress of a run on stderr. On a terminal: one status line, redrawn in place once a second
// ("[3/12] ████░░░░ 25% mp_conv[n=500] · 0:12 elapsed · ETA 0:36"). Otherwise (a log file, CI):
// plain lines, one when a case starts and one when it ends. Disabled: silent (--quiet).
//
// The ETA weights the remaining cases by an estimated cost (about d³ for the eigensolver), so a
// sweep's big last points are not predicted to take as long as its small first ones.
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace rmt {

class Progress {
 public:
  enum class Mode { off, lines, terminal };
  // `total_cost` is the sum of the costs of the cases this run will measure.
  Progress(Mode mode, std::size_t total, double total_cost, std::FILE* out = stderr);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // Terminal when `fd` is a TTY, lines otherwise; off when `quiet`.
  static Mode mode_for(bool quiet, int fd = 2);

  void start(std::string_view name, std::string_view detail, double cost);
  void finish(std::string_view name, std::string_view outcome, double seconds, double cost);
  // A line of its own (a note, a skipped case), kept above the status line.
  void note(std::string_view line);
  // Runs `print` (which writes to stdout, maybe the same terminal) with the status line removed.
  void print_above(const std::function<void()>& print);

  static std::string clock(double seconds);  // "0:07", "12:03", "1:02:03"

 private:
  double elapsed() const;
  std::string eta_text() const;  // caller holds mutex_
  void draw();                   // caller holds mutex_
  void erase();                  // caller holds mutex_
  void tick();

  Mode mode_;
  std::size_t total_, done_ = 0;
  double total_cost_, done_cost_ = 0, done_seconds_ = 0;
  std::string current_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now(), case_start_ = start_;
  std::FILE* out_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false, drawn_ = false;
  std::thread ticker_;  // terminal mode only: redraws the elapsed time while a long case runs
};

}  // namespace rmt
