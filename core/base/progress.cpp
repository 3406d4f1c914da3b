#include "core/base/progress.hpp"
#include "core/base/stopwatch.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace rmt {

Progress::Progress(Mode mode, std::size_t total, double total_cost, std::FILE* out)
    : mode_(mode), total_(total), total_cost_(total_cost), out_(out) {
  if (mode_ == Mode::terminal) ticker_ = std::thread([this] { tick(); });
}

Progress::~Progress() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
    erase();
  }
  wake_.notify_all();
  if (ticker_.joinable()) ticker_.join();
}

Progress::Mode Progress::mode_for(bool quiet, int fd) {
  if (quiet) return Mode::off;
  return ::isatty(fd) ? Mode::terminal : Mode::lines;
}

std::string Progress::clock(double seconds) {
  const auto s = static_cast<long long>(std::max(0.0, std::round(seconds)));
  if (s >= 3600) return fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
  return fmt::format("{}:{:02}", s / 60, s % 60);
}

double Progress::elapsed() const {
  return seconds_since(start_);
}

std::string Progress::eta_text() const {
  if (done_ == 0 || !(done_cost_ > 0)) return "ETA —";
  const double in_case = seconds_since(case_start_);
  const double rate = done_seconds_ / done_cost_;
  const double left = std::max(0.0, rate * (total_cost_ - done_cost_) - (current_.empty() ? 0.0 : in_case));
  return "ETA " + clock(left);
}

void Progress::erase() {
  if (mode_ == Mode::terminal && drawn_) {
    fmt::print(out_, "\r\033[K");
    std::fflush(out_);
    drawn_ = false;
  }
}

void Progress::draw() {
  if (mode_ != Mode::terminal || stop_) return;
  constexpr int kWidth = 20;
  const double frac = total_cost_ > 0 ? std::clamp(done_cost_ / total_cost_, 0.0, 1.0)
                                      : (total_ > 0 ? static_cast<double>(done_) / static_cast<double>(total_) : 1.0);
  const int filled = static_cast<int>(std::round(frac * kWidth));
  std::string bar;
  for (int i = 0; i < kWidth; ++i) bar += i < filled ? "█" : "░";
  std::string name = current_;
  if (name.size() > 40) name = name.substr(0, 37) + "...";
  fmt::print(out_, "\r\033[K[{}/{}] {} {:3.0f}% {} · {} elapsed · {}", done_, total_, bar, 100 * frac, name,
             clock(elapsed()), eta_text());
  std::fflush(out_);
  drawn_ = true;
}

void Progress::tick() {
  std::unique_lock lock(mutex_);
  while (!stop_) {
    wake_.wait_for(lock, std::chrono::seconds(1));
    if (!stop_) draw();
  }
}

void Progress::start(std::string_view name, std::string_view detail, double) {
  std::lock_guard lock(mutex_);
  current_ = name;
  case_start_ = std::chrono::steady_clock::now();
  if (mode_ == Mode::lines) {
    fmt::print(out_, "[{}/{}] {} ({}) ...\n", done_ + 1, total_, name, detail);
    std::fflush(out_);
  }
  draw();
}

void Progress::finish(std::string_view name, std::string_view outcome, double seconds, double cost) {
  std::lock_guard lock(mutex_);
  ++done_;
  done_cost_ += cost;
  done_seconds_ += seconds;
  current_.clear();
  if (mode_ == Mode::lines) {
    fmt::print(out_, "[{}/{}] {}: {} in {:.2f} s · {} elapsed · {}\n", done_, total_, name, outcome, seconds,
               clock(elapsed()), done_ < total_ ? eta_text() : "done");
    std::fflush(out_);
  }
  draw();
}

void Progress::note(std::string_view line) {
  std::lock_guard lock(mutex_);
  if (mode_ == Mode::off) return;
  erase();
  fmt::print(out_, "{}\n", line);
  std::fflush(out_);
  draw();
}

void Progress::print_above(const std::function<void()>& print) {
  std::lock_guard lock(mutex_);
  erase();
  print();
  draw();
}

}  // namespace rmt
