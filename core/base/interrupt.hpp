#pragma once
// Cooperative interruption for a host that embeds the engine (the Python package): the host installs
// a check, and the engine polls it where stopping leaves nothing half-done (before each replicate's
// draw), throwing Interrupted. The CLI installs none (it handles SIGINT itself), so the poll is a
// no-op there.
#include "core/base/error.hpp"

namespace rmt {

// Stopped at the host's request (e.g. Ctrl-C in Python); the host reports it its own way.
class Interrupted : public Error {
 public:
  using Error::Error;
};

// Returns true when the work should stop. Called on the thread that runs the engine.
using InterruptCheck = bool (*)();

// Installs `check` (nullptr: none) and returns the previous one.
InterruptCheck set_interrupt_check(InterruptCheck check);

// Throws Interrupted when the installed check says so.
void check_interrupt();

// Installs a check for the lifetime of the scope, then puts the previous one back.
class InterruptCheckScope {
 public:
  explicit InterruptCheckScope(InterruptCheck check) : previous_(set_interrupt_check(check)) {}
  ~InterruptCheckScope() { set_interrupt_check(previous_); }
  InterruptCheckScope(const InterruptCheckScope&) = delete;
  InterruptCheckScope& operator=(const InterruptCheckScope&) = delete;

 private:
  InterruptCheck previous_;
};

}  // namespace rmt
