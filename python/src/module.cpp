// rmtbench._rmtbench: the engine's entry points for the Python package (python/rmtbench). Errors
// become Python exceptions with the CLI's one-line message: bad input (exit 2) -> ValueError, not
// enough memory (exit 3) -> MemoryError, no usable backend -> rmtbench.BackendUnavailable, Ctrl-C
// during a run -> KeyboardInterrupt, anything else (exit 1) -> RuntimeError.
#include <Python.h>

#include <new>

#include "bench/queries.hpp"
#include "core/base/error.hpp"
#include "python/src/bindings.hpp"

namespace rmt::python {

bool python_signal_pending() {
  py::gil_scoped_acquire gil;
  return PyErr_CheckSignals() != 0;  // -1: a handler raised (KeyboardInterrupt), left set for the caller
}

}  // namespace rmt::python

PYBIND11_MODULE(_rmtbench, m) {
  namespace py = pybind11;
  using namespace rmt::python;
  m.doc() = "rmtbench engine bindings (use the rmtbench package, not this module)";

  // A plain reference kept for the life of the process (the same with pybind11 2.10 and 3.x).
  static PyObject* backend_unavailable =
      PyErr_NewException("rmtbench._rmtbench.BackendUnavailable", PyExc_RuntimeError, nullptr);
  m.attr("BackendUnavailable") = py::handle(backend_unavailable);
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const rmt::Interrupted&) {
      if (!PyErr_Occurred()) PyErr_SetString(PyExc_KeyboardInterrupt, "interrupted");
    } catch (const rmt::InputError& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    } catch (const rmt::ResourceError& e) {
      PyErr_SetString(PyExc_MemoryError, e.what());
    } catch (const rmt::BackendUnavailable& e) {
      PyErr_SetString(backend_unavailable, e.what());
    }
  });

  m.def("models_json", [] { return rmt::bench::models_json().dump(); },
        "Every model, its parameters, defaults and ranges, as `rmtbench models --json` prints them (JSON text).");
  bind_theory(m);
  bind_runs(m);
}
