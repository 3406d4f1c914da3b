#pragma once
// Continuation towards the real axis for the Stieltjes-transform solvers (conjugate kernel, NTK,
// random-feature Gram): from the physical root `state` at x + iη, descend to x + i·target
// (target < η) solving with `newton(state, z) -> bool` at each step. Steps grow on success and
// shrink on failure. At a spectral edge the equations are singular at η = 0 (square-root branch
// point), so a descent that stalls below `accept_below` keeps its current η: within O(√η) of the limit.
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "core/base/error.hpp"
#include "core/base/types.hpp"

namespace rmt::theory::numerics {

template <typename State, typename Newton>
void descend_to_axis(State& state, double x, double target, double& eta, double accept_below, double floor,
                     Newton&& newton, const char* who, double factor = 0.01) {
  for (int steps = 0; eta > target; ++steps) {
    if (steps > 400)
      throw NumericalError(fmt::format("{}: continuation did not reach Im z = {} at Re z = {} in 400 steps (stopped at Im z = {})",
                                       who, target, x, eta));
    double next = eta * factor;
    if (next <= std::max(target, floor)) next = target;
    State trial = state;
    if (newton(trial, complex(x, next))) {
      state = std::move(trial);
      eta = next;
      factor = std::max(1e-8, factor * factor);
      continue;
    }
    if (eta <= accept_below) return;
    factor = factor < 1e-4 ? 1e-2 : std::sqrt(factor);
    if (factor > 0.95)
      throw NumericalError(fmt::format("{}: continuation stalled at {}+{}i (Newton fails at every smaller Im z; "
                                       "target {}, accepted below {})", who, x, eta, target, accept_below));
  }
}

}  // namespace rmt::theory::numerics
