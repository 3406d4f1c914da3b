#pragma once
// Shared pieces of the extension module rmtbench._rmtbench (python/src/*.cpp).
#include <utility>
#include <vector>

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include "core/base/interrupt.hpp"

namespace rmt::python {

namespace py = pybind11;

// A 1-D (or shaped) NumPy array that owns `values` without copying them: the vector moves into a
// capsule that NumPy frees with the array.
template <typename T>
py::array_t<T> to_numpy(std::vector<T>&& values, std::vector<py::ssize_t> shape = {}) {
  auto* owned = new std::vector<T>(std::move(values));
  py::capsule free_when_done(owned, [](void* p) { delete static_cast<std::vector<T>*>(p); });
  if (shape.empty()) shape = {static_cast<py::ssize_t>(owned->size())};
  return py::array_t<T>(shape, owned->data(), free_when_done);
}

// The engine's interruption poll while Python's lock is released (core/base/interrupt.hpp): takes the
// lock and runs Python's signal handlers; Ctrl-C leaves KeyboardInterrupt set and stops the engine.
bool python_signal_pending();

// Runs `work` with the GIL released and Ctrl-C polled by the engine between draws.
template <typename F>
auto without_gil(F&& work) {
  const InterruptCheckScope poll(&python_signal_pending);
  py::gil_scoped_release release;
  return work();
}

void bind_theory(py::module_& m);
void bind_runs(py::module_& m);

}  // namespace rmt::python
