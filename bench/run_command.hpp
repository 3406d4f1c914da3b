#pragma once
// `rmtbench run` with the backends made by a given factory instead of select_backend: the tests run
// it in-process on a CPU backend wrapped to inject faults (tests/test_faults.cpp).
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "bench/commands.hpp"
#include "core/base/backend.hpp"

namespace rmt::bench {

// Makes the backend for a request ("auto", "cpu", "cuda"), writing a one-line note about the choice.
using BackendFactory = std::function<std::unique_ptr<Backend>(std::string_view request, std::string* note)>;

int run_command(const RunOptions& o, const BackendFactory& make_backend);

}  // namespace rmt::bench
