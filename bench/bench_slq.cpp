// `rmtbench bench --method slq`: the matrix-free path's rates — one block product with the model's
// Gram operator (b probes), as matrix–vector products per second, FLOP/s and the fraction of the
// roofline min(GEMM peak, bandwidth × intensity) measured in the same run; forming the stored features
// and, for storage = regenerate, the rate at which feature elements are formed again per product.
#include <algorithm>
#include <chrono>
#include <cmath>

#include <fmt/format.h>

#include "bench/case.hpp"
#include "bench/commands.hpp"
#include "bench/record.hpp"
#include "core/base/stopwatch.hpp"
#include "core/base/utc_time.hpp"
#include "core/results/atomic_file.hpp"
#include "core/slq/lanczos.hpp"

namespace rmt::bench {
namespace {

// The two peaks of the roofline, measured on the backend in its working precision: the GEMM rate on
// m×m operands and the memory bandwidth of a streaming update a ← a + b of two 8192 × 8192 matrices
// (three passes over 2²⁶ elements: 1.5 GB in fp64, beyond any cache, so memory and not cache
// bandwidth; on 2048² the 2-core VM measured its 480 MiB L3 at 36 GB/s).
struct Peaks {
  double gemm_flops = 0, bandwidth = 0;
  double normals_per_s = 0;  // sample_gaussian of an m×m matrix: what regenerate lives on
};

Peaks measure_peaks(Backend& backend, index_t m, int repeats) {
  constexpr index_t kStream = 8192;
  const Matrix a = backend.sample_gaussian({1, 2, 0, 0}, m, m);
  const Matrix b = backend.sample_gaussian({1, 2, 0, 1}, m, m);
  backend.multiply(a, b, 1.0);
  Matrix u = backend.sample_gaussian({1, 5, 0, 0}, kStream, kStream);
  const Matrix w = backend.sample_gaussian({1, 5, 0, 1}, kStream, kStream);
  backend.add_scaled(u, w, 1e-3);
  std::vector<double> gemm, stream, draw;
  for (int r = 0; r < repeats; ++r) {
    gemm.push_back(seconds([&] { backend.multiply(a, b, 1.0); }));
    stream.push_back(seconds([&] { backend.add_scaled(u, w, 1e-3); }));
    draw.push_back(seconds([&] { backend.sample_gaussian({1, 3, static_cast<std::uint32_t>(r), 0}, m, m); }));
  }
  const double mm = static_cast<double>(m) * static_cast<double>(m);
  const double streamed = 3.0 * static_cast<double>(kStream) * static_cast<double>(kStream);
  return {2.0 * mm * static_cast<double>(m) / median(gemm),
          streamed * static_cast<double>(element_bytes(backend.precision())) / median(stream), mm / median(draw)};
}

}  // namespace

int bench_slq_command(const BenchOptions& o) {
  const auto cases = resolve_bench_cases(o);  // bad input exits 2 before anything is measured
  const Precision precision = parse_precision(o.precision, "--precision");
  std::string note;
  auto backend = select_backend(o.backend, &note);
  const PrecisionScope scope(*backend, precision);
  for (const auto& c : cases) check_memory(c, *backend);
  const index_t m = backend->name() == "cuda" ? index_t{8192} : index_t{2048};
  if (!o.quiet) fmt::print(stderr, "{} — {}\nmeasuring the GEMM rate and the bandwidth at m = {} ...\n", note, backend->info().name, m);
  const Peaks peaks = measure_peaks(*backend, m, o.repeats);
  const double elem = static_cast<double>(element_bytes(precision));

  nlohmann::json results = nlohmann::json::array();
  fmt::print("{:<8} {:>8} {:>7} {:>10} {:>6} {:>10} {:>10} {:>11} {:>9} {:>10}\n", "model", "n", "dim", "storage", "b",
             "form_s", "product_s", "matvec/s", "GF/s", "roofline");
  for (const auto& c : cases) {
    const OperatorStorage storage = slq_storage(c, *backend);
    const int b = slq_probes(c, *backend);
    if (!o.quiet) fmt::print(stderr, "{} ({}, {} probes) ...\n", c.spec.name, to_string(storage), b);
    const StreamKey key{c.spec.seed, c.case_key, 0, 0};
    std::unique_ptr<LinearOperator> op;
    index_t rows = 0, cols = 0;
    const double form_s = seconds([&] {
      GramFeatures g = c.model->gram_features(*backend, c.params, key);
      rows = g.features->rows();
      cols = g.features->cols();
      op = make_gram_operator(*backend, std::move(g.features), g.alpha, g.side, storage, c.spec.slq.tile);
    });
    const Matrix v = rademacher_probes(*backend, {c.spec.seed, c.case_key, 0, 200}, op->dim(), b);
    Matrix y;
    for (int w = 0; w < std::max(1, o.warmup); ++w) op->apply(v, y);
    std::vector<double> t;
    for (int r = 0; r < o.repeats; ++r) t.push_back(seconds([&] { op->apply(v, y); }));
    const double product_s = median(t);
    // Two passes over F (F_tᵀV, then F_t·T), 2·rows·cols·b FLOP each; F read twice.
    const double f_elements = static_cast<double>(rows) * static_cast<double>(cols);
    const double flops = 4.0 * f_elements * b;
    const double bytes = 2.0 * f_elements * elem;
    const double roofline_s = std::max(flops / peaks.gemm_flops, bytes / peaks.bandwidth);
    nlohmann::json r = {{"model", o.model},
                        {"n", c.params.integer("n")},
                        {"params", c.params.to_json()},
                        {"dim", c.sizes.eig_dim},
                        {"features", {{"rows", rows}, {"cols", cols}}},
                        {"storage", to_string(storage)},
                        {"probes", b},
                        {"form_s", form_s},
                        {"product_s", product_s},
                        {"matvecs_per_s", b / product_s},
                        {"gflops", flops / product_s / 1e9},
                        {"roofline_s", roofline_s},
                        {"vs_roofline", roofline_s / product_s}};
    if (storage == OperatorStorage::regenerate) r["regenerated_elements_per_s"] = f_elements / product_s;
    results.push_back(r);
    fmt::print("{:<8} {:>8} {:>7} {:>10} {:>6} {:>10.3f} {:>10.4f} {:>11.4g} {:>9.2f} {:>10.3f}\n", o.model,
               c.params.integer("n"), c.sizes.eig_dim, to_string(storage), b, form_s, product_s, b / product_s,
               flops / product_s / 1e9, roofline_s / product_s);
  }
  fmt::print("peaks: {} {:.1f} GFLOP/s at m = {}, bandwidth {:.1f} GB/s (a ← a + b, 8192²), sampling {:.3g} normals/s\n",
             precision == Precision::fp32 ? "SGEMM" : "DGEMM", peaks.gemm_flops / 1e9, m, peaks.bandwidth / 1e9,
             peaks.normals_per_s);
  const nlohmann::json doc = {{"schema_version", 1},
                              {"date", utc_timestamp("%Y-%m-%d")},
                              {"command", o.command_line},
                              {"method", "slq"},
                              {"backend", backend->name()},
                              {"device", backend->info().name},
                              {"precision", std::string(to_string(precision))},
                              {"peaks", {{"gemm_gflops", peaks.gemm_flops / 1e9}, {"gemm_size", m},
                                         {"bandwidth_gbs", peaks.bandwidth / 1e9},
                                         {"sample_normals_per_s", peaks.normals_per_s}}},
                              {"results", results}};
  if (!o.out.empty()) {
    write_file_atomically(o.out, doc.dump(2) + "\n");
    if (!o.quiet) fmt::print(stderr, "wrote {}\n", o.out);
  }
  return 0;
}

}  // namespace rmt::bench
