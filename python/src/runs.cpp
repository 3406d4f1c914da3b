// rmtbench.run() / run_suite() / load(): the engine's `rmtbench run` (bench/run_command.cpp) with the
// same options, so a run from Python writes the same records as the CLI; records and eigenvalues are
// read back with the engine's own readers (core/results).
#include <filesystem>
#include <string>
#include <vector>

#include <pybind11/stl.h>

#include "bench/commands.hpp"
#include "core/results/jsonl.hpp"
#include "core/results/npy.hpp"
#include "python/src/bindings.hpp"

namespace rmt::python {

void bind_runs(py::module_& m) {
  using bench::RunOptions;
  py::class_<RunOptions>(m, "RunOptions", "The options of `rmtbench run` (bench/commands.hpp)")
      .def(py::init([] {
        RunOptions o;
        o.print_records = false;   // the records come back as values, not as a table on stdout
        o.handle_signals = false;  // Ctrl-C is Python's: the engine polls it between draws
        o.quiet = true;
        return o;
      }))
      .def_readwrite("suites", &RunOptions::suites)
      .def_readwrite("cases", &RunOptions::cases)
      .def_readwrite("model", &RunOptions::model)
      .def_readwrite("sets", &RunOptions::sets)
      .def_readwrite("t", &RunOptions::t)
      .def_readwrite("backend", &RunOptions::backend)
      .def_readwrite("precision", &RunOptions::precision)
      .def_readwrite("seed", &RunOptions::seed)
      .def_readwrite("replicates", &RunOptions::replicates)
      .def_readwrite("out", &RunOptions::out)
      .def_readwrite("resume", &RunOptions::resume)
      .def_readwrite("quiet", &RunOptions::quiet)
      .def_readwrite("no_sensitivity", &RunOptions::no_sensitivity)
      .def_readwrite("method", &RunOptions::method)
      .def_readwrite("probes", &RunOptions::probes)
      .def_readwrite("steps", &RunOptions::steps);

  m.def("run_command", [](const RunOptions& o) { return without_gil([&] { return bench::run_command(o); }); },
        py::arg("options"),
        "`rmtbench run` with these options; returns its exit code (0 every case passed, 1 some case failed).");

  m.def("read_records", [](const std::string& path) {
        std::vector<std::string> lines;
        for (const auto& r : read_jsonl(path).records) lines.push_back(r.dump());
        return lines;
      },
      py::arg("path"), "The complete records of a results.jsonl, each as JSON text.");

  m.def("read_eigenvalues", [](const std::string& path) {
        std::vector<std::size_t> shape;
        auto values = read_npy(path, &shape);
        std::vector<py::ssize_t> dims(shape.begin(), shape.end());
        return to_numpy(std::move(values), dims);
      },
      py::arg("path"), "A float64 .npy file as a NumPy array (the engine's buffer, not copied again).");
}

}  // namespace rmt::python
