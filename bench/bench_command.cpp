// `rmtbench bench`: per-stage timings of a spectral model's pipeline (sample, activation, Gram,
// eigenvalues) after a warm-up, with achieved rates next to the backend's GEMM rate (in the working
// precision), device-side sampling rate and copy bandwidth measured in the same run (issues #6, #11).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>

#include <fmt/format.h>

#include "bench/case.hpp"
#include "bench/commands.hpp"
#include "bench/record.hpp"
#include "core/results/atomic_file.hpp"
#include "core/base/error.hpp"
#include "core/base/grid.hpp"
#include "core/base/parse.hpp"
#include "core/base/stopwatch.hpp"
#include "core/base/utc_time.hpp"

namespace rmt::bench {

namespace {

// The backend's GEMM rate (FLOP/s) on m×m operands in the working precision (DGEMM for fp64, SGEMM
// for fp32), its sampling rate (normals/s of Backend::sample_gaussian on an m×m matrix in the working
// precision, allocation included; on the device for CUDA) and its host↔device copy bandwidth
// (bytes/s): the peaks the stage rates are divided by.
struct Calibration {
  double gemm_flops = 0;
  double sample_normals_per_s = 0;
  double copy_bytes_per_s = 0;
  index_t gemm_size = 0;
};

Calibration calibrate(Backend& backend, index_t m, int repeats) {
  Calibration c;
  c.gemm_size = m;
  const Matrix a = backend.sample_gaussian({1, 2, 0, 0}, m, m), b = backend.sample_gaussian({1, 2, 0, 1}, m, m);
  backend.multiply(a, b, 1.0);  // warm-up
  std::vector<double> t;
  for (int r = 0; r < repeats; ++r) t.push_back(seconds([&] { backend.multiply(a, b, 1.0); }));
  c.gemm_flops = 2.0 * std::pow(static_cast<double>(m), 3) / median(t);
  std::vector<double> draw;
  for (int r = 0; r < repeats; ++r) {
    Matrix x;  // freed after the timing
    draw.push_back(seconds([&] { x = backend.sample_gaussian({1, 3, static_cast<std::uint32_t>(r), 0}, m, m); }));
  }
  c.sample_normals_per_s = static_cast<double>(m) * static_cast<double>(m) / median(draw);
  std::vector<double> copy;
  std::vector<double> host;
  for (int r = 0; r < repeats; ++r) copy.push_back(seconds([&] { host = backend.to_host(a); }));
  c.copy_bytes_per_s = static_cast<double>(host.size() * element_bytes(a.precision())) / median(copy);
  // Initialise the eigensolver (library handles, first workspace) outside every timed stage.
  Matrix small = backend.gram(backend.sample_gaussian({1, 4, 0, 0}, 64, 128), 1.0 / 128);
  backend.eigenvalues(small);
  return c;
}

}  // namespace

std::vector<ResolvedCase> resolve_bench_cases(const BenchOptions& o) {
  if (o.repeats < 1 || o.repeats > 1000) throw InputError(fmt::format("--repeats: {} is out of range [1, 1000]", o.repeats));
  if (o.warmup < 0 || o.warmup > 100) throw InputError(fmt::format("--warmup: {} is out of range [0, 100]", o.warmup));
  const Precision precision = parse_precision(o.precision, "--precision");
  std::vector<index_t> sizes;
  for (const double n : parse_grid(o.sizes, "--n")) {
    if (!(n >= 2 && n <= 1e7)) throw InputError(fmt::format("--n: size {} is out of range [2, 1e7]", n));
    sizes.push_back(static_cast<index_t>(std::llround(n)));
  }
  std::vector<ResolvedCase> cases;
  for (const index_t n : sizes) {
    CaseSpec spec;
    spec.model = o.model;
    spec.name = fmt::format("{}_n={}", o.model, n);
    spec.precision = std::string(to_string(precision));
    spec.method = o.method;
    if (o.probes) spec.slq.probes = *o.probes;
    if (!o.storage.empty()) spec.slq.storage = o.storage;
    for (const auto& s : o.sets) spec.params.push_back(parse_assignment(s, "--set"));
    spec.params.emplace_back("n", std::to_string(n));
    auto c = resolve_case(spec);
    if (c.kind != CaseKind::spectral) throw InputError(fmt::format("bench: model {} is a learning curve; bench times spectral models", o.model));
    cases.push_back(std::move(c));
  }
  return cases;
}

int bench_command(const BenchOptions& o) {
  const auto cases = resolve_bench_cases(o);  // bad input exits 2 before anything is measured
  const Precision precision = parse_precision(o.precision, "--precision");
  std::string note;
  auto backend = select_backend(o.backend, &note);
  const PrecisionScope scope(*backend, precision);  // calibration and every run in the working precision
  for (const auto& c : cases) check_memory(c, *backend);
  const auto info = backend->info();
  const bool fp32 = precision == Precision::fp32;
  const std::string precision_name(to_string(precision));
  const char* gemm_name = fp32 ? "SGEMM" : "DGEMM";
  // A GEMM at m = 8192 on a GPU (≈ 10-40 ms on an A100/H100): small sizes measure launch overhead.
  // The CPU keeps m ≤ 2048 (a few seconds on two cores).
  const index_t gemm_size = backend->name() == "cuda" ? index_t{8192} : std::min<index_t>(2048, std::max<index_t>(256, cases.back().params.integer("n")));
  if (!o.quiet) fmt::print(stderr, "{} — {} ({})\ncalibrating {} at m = {}, sampling and copies ...\n", note, info.name, precision_name, gemm_name, gemm_size);
  const auto cal = calibrate(*backend, gemm_size, o.repeats);

  nlohmann::json results = nlohmann::json::array();
  fmt::print("{:<10} {:>8} {:>5} {:>10} {:>10} {:>10} {:>10} {:>11} {:>10}\n", "model", "n", "prec", "sample_s", "activ_s",
             "gram_s", "eig_s", "gram/GEMM", "eig GF/s");
  for (const auto& c : cases) {
    if (!o.quiet) fmt::print(stderr, "{} ...\n", c.spec.name);
    for (int w = 0; w < o.warmup; ++w) {  // untimed: workspaces at this size, page faults
      StageTimes warm;
      c.model->sample(*backend, c.params, {c.spec.seed, c.case_key, static_cast<std::uint32_t>(1000 + w), 0}, warm);
    }
    std::vector<double> sample, activation, gram, eig, total;
    for (int r = 0; r < o.repeats; ++r) {
      StageTimes t;
      c.model->sample(*backend, c.params, {c.spec.seed, c.case_key, static_cast<std::uint32_t>(r + 1), 0}, t);
      sample.push_back(t.sample_s);
      activation.push_back(t.activation_s);
      gram.push_back(t.gram_s);
      eig.push_back(t.eig_s);
      total.push_back(t.sample_s + t.activation_s + t.gram_s + t.eig_s);
    }
    const double d = static_cast<double>(c.sizes.eig_dim);
    const double other = static_cast<double>(c.sizes.rows) * static_cast<double>(c.sizes.cols) / d;
    const double gram_flops = d * d * other;               // SYRK: d(d+1)/2 · k multiply-adds ≈ d²k FLOP
    const double eig_flops = 4.0 / 3.0 * d * d * d;        // nominal: the tridiagonal reduction
    const double sample_bytes = static_cast<double>(c.sizes.rows) * static_cast<double>(c.sizes.cols) *
                                static_cast<double>(element_bytes(precision));
    const double ts = median(sample), ta = median(activation), tg = median(gram), te = median(eig);
    nlohmann::json rates = nlohmann::json::object();
    if (tg > 0) {
      rates["gram_gflops"] = gram_flops / tg / 1e9;
      rates["gram_vs_gemm"] = gram_flops / tg / cal.gemm_flops;
      if (!fp32) rates["gram_vs_dgemm"] = gram_flops / tg / cal.gemm_flops;
    }
    if (te > 0) {
      rates["eig_gflops_nominal"] = eig_flops / te / 1e9;
      rates["eig_vs_gemm"] = eig_flops / te / cal.gemm_flops;
      if (!fp32) rates["eig_vs_dgemm"] = eig_flops / te / cal.gemm_flops;
    }
    if (ts > 0) rates["sample_gbs"] = sample_bytes / ts / 1e9;
    results.push_back({{"model", o.model},
                       {"n", c.params.integer("n")},
                       {"precision", precision_name},
                       {"params", c.params.to_json()},
                       {"size", {{"rows", c.sizes.rows}, {"cols", c.sizes.cols}, {"eig_dim", c.sizes.eig_dim}}},
                       {"repeats", o.repeats},
                       {"warmup", o.warmup},
                       {"stages", {{"sample_s", ts}, {"activation_s", ta}, {"gram_s", tg}, {"eig_s", te},
                                   {"total_s", median(total)}}},
                       {"rates", rates}});
    fmt::print("{:<10} {:>8} {:>5} {:>10.4f} {:>10.4f} {:>10.4f} {:>10.4f} {:>11.3f} {:>10.2f}\n", o.model,
               c.params.integer("n"), precision_name, ts, ta, tg, te, tg > 0 ? gram_flops / tg / cal.gemm_flops : 0.0,
               te > 0 ? eig_flops / te / 1e9 : 0.0);
  }
  nlohmann::json calibration = {{"gemm", gemm_name},
                                {"gemm_size", cal.gemm_size},
                                {"gemm_gflops", cal.gemm_flops / 1e9},
                                {"sample_normals_per_s", cal.sample_normals_per_s},
                                {"sample_normals", cal.gemm_size * cal.gemm_size},
                                {"copy_gbs", cal.copy_bytes_per_s / 1e9}};
  if (!fp32) calibration["dgemm_size"] = cal.gemm_size, calibration["dgemm_gflops"] = cal.gemm_flops / 1e9;
  const nlohmann::json doc = {{"schema_version", 1},
                              {"date", utc_timestamp("%Y-%m-%d")},
                              {"command", o.command_line},
                              {"backend", backend->name()},
                              {"device", info.name},
                              {"details", info.details},
                              {"precision", precision_name},
                              {"calibration", calibration},
                              {"results", results}};
  fmt::print("calibration: {} {:.1f} GFLOP/s at {}, sampling {:.3g} normals/s (sample_gaussian {}x{}), copy {:.2f} GB/s\n",
             gemm_name, cal.gemm_flops / 1e9, cal.gemm_size, cal.sample_normals_per_s, cal.gemm_size, cal.gemm_size,
             cal.copy_bytes_per_s / 1e9);
  if (!o.out.empty()) {
    write_file_atomically(o.out, doc.dump(2) + "\n");
    if (!o.quiet) fmt::print(stderr, "wrote {}\n", o.out);
  }
  return 0;
}

}  // namespace rmt::bench
