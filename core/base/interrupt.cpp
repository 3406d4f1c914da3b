#include "core/base/interrupt.hpp"

#include <atomic>

namespace rmt {

namespace {
std::atomic<InterruptCheck> installed{nullptr};
}  // namespace

InterruptCheck set_interrupt_check(InterruptCheck check) { return installed.exchange(check); }

void check_interrupt() {
  const InterruptCheck check = installed.load();
  if (check != nullptr && check()) throw Interrupted("interrupted");
}

}  // namespace rmt
