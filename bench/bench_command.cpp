// `rmtbench bench`: per-stage timings of a spectral model's pipeline (sample, activation, Gram,
// eigenvalues) after a warm-up, with achieved rates next to the backend's measured DGEMM rate and
// copy bandwidth from the same run (issue #6, the measurement half; the GPU figures need a device).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <fstream>

#include <fmt/format.h>

#include "bench/case.hpp"
#include "bench/commands.hpp"
#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/grid.hpp"
#include "core/parse.hpp"

namespace rmt::bench {

namespace {

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t m = v.size() / 2;
  return v.size() % 2 ? v[m] : 0.5 * (v[m - 1] + v[m]);
}

template <typename F>
double seconds(F&& f) {
  const auto start = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// The backend's DGEMM rate (FLOP/s) on m×m operands and its host↔device copy bandwidth (bytes/s):
// the peaks the stage rates are divided by.
struct Calibration {
  double dgemm_flops = 0;
  double copy_bytes_per_s = 0;
  index_t dgemm_size = 0;
};

Calibration calibrate(Backend& backend, index_t m, int repeats) {
  Calibration c;
  c.dgemm_size = m;
  const Matrix a = backend.sample_gaussian({1, 2, 0, 0}, m, m), b = backend.sample_gaussian({1, 2, 0, 1}, m, m);
  backend.multiply(a, b, 1.0);  // warm-up
  std::vector<double> t;
  for (int r = 0; r < repeats; ++r) t.push_back(seconds([&] { backend.multiply(a, b, 1.0); }));
  c.dgemm_flops = 2.0 * std::pow(static_cast<double>(m), 3) / median(t);
  std::vector<double> copy;
  std::vector<double> host;
  for (int r = 0; r < repeats; ++r) copy.push_back(seconds([&] { host = backend.to_host(a); }));
  c.copy_bytes_per_s = static_cast<double>(host.size() * sizeof(double)) / median(copy);
  return c;
}

std::string today() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

}  // namespace

int bench_command(const BenchOptions& o) {
  if (o.repeats < 1 || o.repeats > 1000) throw InputError(fmt::format("--repeats: {} is out of range [1, 1000]", o.repeats));
  std::vector<index_t> sizes;
  for (const double n : parse_grid(o.sizes, "--n")) {
    if (!(n >= 2 && n <= 1e7)) throw InputError(fmt::format("--n: size {} is out of range [2, 1e7]", n));
    sizes.push_back(static_cast<index_t>(std::llround(n)));
  }
  // Resolve every size first: bad input exits 2 before anything is measured.
  std::vector<ResolvedCase> cases;
  for (const index_t n : sizes) {
    CaseSpec spec;
    spec.model = o.model;
    spec.name = fmt::format("{}_n={}", o.model, n);
    for (const auto& s : o.sets) spec.params.push_back(parse_assignment(s, "--set"));
    spec.params.emplace_back("n", std::to_string(n));
    auto c = resolve_case(spec);
    if (!c.model) throw InputError(fmt::format("bench: model {} is a learning curve; bench times spectral models", o.model));
    cases.push_back(std::move(c));
  }
  std::string note;
  auto backend = select_backend(o.backend, &note);
  for (const auto& c : cases) check_memory(c, *backend);
  const auto info = backend->info();
  if (!o.quiet) fmt::print(stderr, "{} — {}\ncalibrating DGEMM and copies ...\n", note, info.name);
  const auto cal = calibrate(*backend, std::min<index_t>(2048, std::max<index_t>(256, sizes.back())), o.repeats);

  nlohmann::json results = nlohmann::json::array();
  fmt::print("{:<10} {:>8} {:>10} {:>10} {:>10} {:>10} {:>12} {:>10}\n", "model", "n", "sample_s", "activ_s", "gram_s",
             "eig_s", "gram/DGEMM", "eig GF/s");
  for (const auto& c : cases) {
    if (!o.quiet) fmt::print(stderr, "{} ...\n", c.spec.name);
    StageTimes warm;
    c.model->sample(*backend, c.params, {c.spec.seed, c.case_key, 0, 0}, warm);
    std::vector<double> sample, activation, gram, eig;
    for (int r = 0; r < o.repeats; ++r) {
      StageTimes t;
      c.model->sample(*backend, c.params, {c.spec.seed, c.case_key, static_cast<std::uint32_t>(r + 1), 0}, t);
      sample.push_back(t.sample_s);
      activation.push_back(t.activation_s);
      gram.push_back(t.gram_s);
      eig.push_back(t.eig_s);
    }
    const double d = static_cast<double>(c.sizes.eig_dim);
    const double other = static_cast<double>(c.sizes.rows) * static_cast<double>(c.sizes.cols) / d;
    const double gram_flops = d * d * other;               // SYRK: d(d+1)/2 · k multiply-adds ≈ d²k FLOP
    const double eig_flops = 4.0 / 3.0 * d * d * d;        // nominal: the tridiagonal reduction
    const double sample_bytes = static_cast<double>(c.sizes.rows) * static_cast<double>(c.sizes.cols) * sizeof(double);
    const double ts = median(sample), ta = median(activation), tg = median(gram), te = median(eig);
    nlohmann::json rates = nlohmann::json::object();
    if (tg > 0) rates["gram_gflops"] = gram_flops / tg / 1e9, rates["gram_vs_dgemm"] = gram_flops / tg / cal.dgemm_flops;
    if (te > 0) rates["eig_gflops_nominal"] = eig_flops / te / 1e9, rates["eig_vs_dgemm"] = eig_flops / te / cal.dgemm_flops;
    if (ts > 0) rates["sample_gbs"] = sample_bytes / ts / 1e9, rates["sample_vs_copy"] = sample_bytes / ts / cal.copy_bytes_per_s;
    results.push_back({{"model", o.model},
                       {"n", c.params.integer("n")},
                       {"params", c.params.to_json()},
                       {"size", {{"rows", c.sizes.rows}, {"cols", c.sizes.cols}, {"eig_dim", c.sizes.eig_dim}}},
                       {"repeats", o.repeats},
                       {"stages", {{"sample_s", ts}, {"activation_s", ta}, {"gram_s", tg}, {"eig_s", te}}},
                       {"rates", rates}});
    fmt::print("{:<10} {:>8} {:>10.4f} {:>10.4f} {:>10.4f} {:>10.4f} {:>12.3f} {:>10.2f}\n", o.model, c.params.integer("n"),
               ts, ta, tg, te, tg > 0 ? gram_flops / tg / cal.dgemm_flops : 0.0, te > 0 ? eig_flops / te / 1e9 : 0.0);
  }
  const nlohmann::json doc = {{"schema_version", 1},
                              {"date", today()},
                              {"command", o.command_line},
                              {"backend", backend->name()},
                              {"device", info.name},
                              {"details", info.details},
                              {"calibration",
                               {{"dgemm_size", cal.dgemm_size},
                                {"dgemm_gflops", cal.dgemm_flops / 1e9},
                                {"copy_gbs", cal.copy_bytes_per_s / 1e9}}},
                              {"results", results}};
  fmt::print("calibration: DGEMM {:.1f} GFLOP/s at {}, copy {:.2f} GB/s\n", cal.dgemm_flops / 1e9, cal.dgemm_size,
             cal.copy_bytes_per_s / 1e9);
  if (!o.out.empty()) {
    write_file_atomically(o.out, doc.dump(2) + "\n");
    if (!o.quiet) fmt::print(stderr, "wrote {}\n", o.out);
  }
  return 0;
}

}  // namespace rmt::bench
