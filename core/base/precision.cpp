// Precision parsing and the Matrix precision check. Kept apart from
// backend_select.cpp, which pulls in the CUDA probe: code that only needs
// these must not drag the CUDA backend onto its link line.
#include <fmt/format.h>

#include "core/base/backend.hpp"
#include "core/base/error.hpp"

namespace rmt {

Precision parse_precision(std::string_view text, std::string_view what) {
  if (text == "fp64") return Precision::fp64;
  if (text == "fp32") return Precision::fp32;
  throw InputError(fmt::format("{}: unknown precision '{}' (expected fp64 or fp32)", what, text));
}

void Matrix::throw_precision_mismatch(Precision wanted) const {
  throw Error(fmt::format("a {} matrix ({}x{}) was used as {}", to_string(precision_), rows_, cols_,
                          to_string(wanted)));
}

}  // namespace rmt
