#pragma once
// The entry points of the libFuzzer targets (fuzz/fuzz_*.cpp), shared with the regression tests
// (tests/test_fuzz_regressions.cpp), which feed each input a fuzzer found back to the same function.
//
// Contract checked on every input: the reader either returns a well-formed result or throws
// rmt::InputError (exit 2, a message naming the input). Any other exception escapes (libFuzzer
// reports it as a crash, a test as a failure); a result that breaks an invariant throws
// rmt::fuzz::Violation. Memory errors and undefined behaviour are the sanitizers' to report.
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "bench/case.hpp"
#include "bench/model.hpp"
#include "bench/run_log.hpp"
#include "bench/suite.hpp"
#include "bench/sweep.hpp"
#include "core/base/error.hpp"
#include "core/base/grid.hpp"
#include "core/results/jsonl.hpp"
#include "core/results/npy.hpp"
#include "core/base/params.hpp"
#include "core/base/parse.hpp"
#include "core/results/run_compare.hpp"

namespace rmt::fuzz {

struct Violation : std::logic_error {
  using std::logic_error::logic_error;
};

inline void check(bool ok, std::string_view what) {
  if (!ok) throw Violation(std::string(what));
}

// Runs `body`; rmt::InputError is the accepted way to refuse an input.
template <class F>
void refusing_is_fine(F&& body) {
  try {
    body();
  } catch (const InputError&) {
  }
}

// A per-process scratch directory (fuzzers and tests may run side by side).
inline std::filesystem::path scratch_dir() {
  static const auto dir = [] {
    auto d = std::filesystem::temp_directory_path() / fmt::format("rmt_fuzz_{}", ::getpid());
    std::filesystem::create_directories(d);
    return d;
  }();
  return dir;
}

inline void write_bytes(const std::filesystem::path& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// --- suite files (TOML): the text of one suite, includes looked up next to a non-existent file --
inline void suite(std::string_view text) {
  refusing_is_fine([&] {
    const auto source = (scratch_dir() / "no_such_dir" / "fuzz.toml").string();
    const auto cases = bench::parse_suite_cases(text, source);
    check(!cases.empty(), "a suite parsed into no cases");
    for (const auto& c : cases) {
      check(!c.spec.name.empty(), "a case without a name");
      const auto r = bench::resolve_case(c.spec);  // already validated: must resolve again
      check(r.base != nullptr, "a case without a model");
      (void)r.params.canonical();
    }
  });
}

// "MODEL\nKEY=VALUE\n...": a case resolved as `run --model MODEL --set ...` resolves it; the
// resolved parameters, written back as --set values, must resolve to the same parameters.
inline void model_params(std::string_view text) {
  std::vector<std::string_view> lines;
  for (std::size_t start = 0; start <= text.size();) {
    const auto end = std::min(text.find('\n', start), text.size());
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  bench::CaseSpec spec;
  spec.name = "fuzz";
  spec.model = std::string(trim(lines.front()));
  for (std::size_t i = 1; i < lines.size(); ++i) spec.params.push_back(parse_assignment(lines[i], "--set"));
  const auto resolved = bench::resolve_case(spec);
  bench::CaseSpec again = spec;
  again.params.clear();
  for (const auto& [key, value] : resolved.params.values()) again.params.emplace_back(key, format_value(value));
  const auto round_trip = bench::resolve_case(again);
  check(round_trip.params.canonical() == resolved.params.canonical(),
        "resolved parameters do not survive being written back as --set values");
}

// --- the parsers of --set, --x/--z, grids, sweeps and model parameters ---------------------------
// The first byte picks the parser, the rest is its text.
inline void params(std::string_view input) {
  if (input.empty()) return;
  const auto op = static_cast<unsigned char>(input.front()) % 11;
  const std::string_view text = input.substr(1);
  refusing_is_fine([&] {
    switch (op) {
      case 0:
        check(std::isfinite(parse_real(text, "fuzz")), "parse_real gave a non-finite number");
        break;
      case 1:
        (void)parse_integer(text, "fuzz");
        break;
      case 2: {
        const auto z = parse_complex(text, "fuzz");
        check(std::isfinite(z.real()) && std::isfinite(z.imag()), "parse_complex gave a non-finite number");
        break;
      }
      case 3: {
        const auto v = parse_real_list(text, "fuzz");
        check(!v.empty(), "an empty real list was accepted");
        for (const double x : v) check(std::isfinite(x), "parse_real_list gave a non-finite number");
        break;
      }
      case 4: {
        const auto v = parse_complex_list(text, "fuzz");
        check(!v.empty(), "an empty complex list was accepted");
        for (const auto& z : v)
          check(std::isfinite(z.real()) && std::isfinite(z.imag()), "parse_complex_list gave a non-finite number");
        break;
      }
      case 5:
        for (const auto& [value, weight] : parse_weighted_list(text, "fuzz"))
          check(std::isfinite(value) && std::isfinite(weight), "parse_weighted_list gave a non-finite number");
        break;
      case 6: {
        const auto [key, value] = parse_assignment(text, "fuzz");
        check(!key.empty() && key.find('=') == std::string::npos, "parse_assignment split at the wrong '='");
        break;
      }
      case 7: {
        const auto v = parse_grid(text, "fuzz");
        check(!v.empty() && v.size() <= 100000, "parse_grid gave no values or too many");
        for (const double x : v) check(std::isfinite(x), "parse_grid gave a non-finite value");
        break;
      }
      case 8:
      case 9: {
        const auto values = bench::grid_values(text, op == 9, "fuzz");
        check(!values.empty(), "a sweep axis without values");
        std::set<std::string> labels;  // a set: a grid may have 10⁵ points
        for (const auto& v : values) check(labels.insert(v.label).second, "two sweep values share a label");
        break;
      }
      case 10:
        model_params(text);
        break;
    }
  });
}

// --- .npy: the reader on arbitrary bytes; what it accepts must be written back byte for byte -----
inline void npy_reader(std::string_view bytes) {
  refusing_is_fine([&] {
    std::vector<std::size_t> shape;
    const auto values = parse_npy(bytes, "fuzz.npy", &shape);
    std::size_t count = 1;
    for (const auto d : shape) count *= d;
    check(count == values.size(), "the shape read does not match the number of values");
    const auto written = npy_bytes(values, shape);
    std::vector<std::size_t> shape_again;
    const auto again = parse_npy(written, "written.npy", &shape_again);
    check(shape_again == shape, "npy_bytes changed the shape");
    check(again.size() == values.size() &&
              std::equal(again.begin(), again.end(), values.begin(),
                         [](double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }),
          "npy_bytes changed the values");
  });
}

// --- .npy writer: a shape and values from the bytes; the file must read back as written ---------
inline void npy_writer(std::string_view bytes) {
  if (bytes.empty()) return;
  const std::size_t rank = static_cast<unsigned char>(bytes.front()) % 8;
  bytes.remove_prefix(1);
  std::vector<std::size_t> shape;
  std::size_t count = 1;
  for (std::size_t k = 0; k < rank && !bytes.empty(); ++k) {
    shape.push_back(static_cast<unsigned char>(bytes.front()) % 6);
    count *= shape.back();
    bytes.remove_prefix(1);
  }
  std::vector<double> values(count);
  for (std::size_t i = 0; i < count && bytes.size() >= sizeof(double); ++i) {
    std::memcpy(&values[i], bytes.data(), sizeof(double));
    bytes.remove_prefix(sizeof(double));
  }
  const auto written = npy_bytes(values, shape);
  check(written.size() % 64 == count * sizeof(double) % 64, "the .npy header is not padded to 64 bytes");
  std::vector<std::size_t> shape_again;
  const auto again = parse_npy(written, "written.npy", &shape_again);  // must not throw
  check(shape_again == shape, "a written .npy reads back with another shape");
  check(count == 0 || std::memcmp(again.data(), values.data(), count * sizeof(double)) == 0,
        "a written .npy reads back with other values");
}

// Both, on the same bytes (one fuzz target).
inline void npy(std::string_view bytes) {
  npy_reader(bytes);
  npy_writer(bytes);
}

// --- results.jsonl: as `compare` and `run --resume` read it ---------------------------------------
inline void jsonl(std::string_view bytes) {
  refusing_is_fine([&] {
    const auto contents = parse_jsonl(bytes, "fuzz.jsonl");
    check(contents.complete_bytes <= bytes.size(), "complete_bytes beyond the end");
    check(contents.partial_tail == (contents.complete_bytes < bytes.size()), "partial_tail is wrong");
    check(contents.complete_bytes == 0 || bytes[contents.complete_bytes - 1] == '\n',
          "complete_bytes does not end at a newline");
    for (const auto& r : contents.records) check(r.is_object(), "a record that is not an object");
    // compare: the run against itself (all SAME) and against its first half.
    const auto self = compare_runs(contents.records, contents.records);
    check(!self.any_worse(), "a run is WORSE than itself");
    const std::vector<nlohmann::json> half(contents.records.begin(),
                                           contents.records.begin() + static_cast<long>(contents.records.size() / 2));
    (void)compare_runs(half, contents.records);
    (void)compare_runs(contents.records, half);
    // run --resume: the log keeps the complete records and cuts the partial line off the file.
    const auto dir = scratch_dir() / "resume";
    std::filesystem::create_directories(dir);
    write_bytes(dir / "results.jsonl", bytes);
    const bench::RunLog log(dir, true);
    check(log.records().size() == contents.records.size(), "RunLog kept another number of records");
    check(log.dropped_partial_line() == contents.partial_tail, "RunLog disagrees about the partial line");
    check(std::filesystem::file_size(dir / "results.jsonl") == contents.complete_bytes,
          "RunLog did not cut the file to its complete lines");
    for (const auto& r : log.records()) {
      const auto id = r.contains("case_id") && r["case_id"].is_string() ? r["case_id"].get<std::string>() : "";
      const auto name = r.contains("case") && r["case"].is_string() ? r["case"].get<std::string>() : "";
      (void)log.find(id, name);
      (void)bench::record_line(r);
    }
  });
}

}  // namespace rmt::fuzz
