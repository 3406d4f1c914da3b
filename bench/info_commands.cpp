// `rmtbench theory`, `models`, `devices` and `report`.
#include <cmath>

#include <fmt/format.h>

#include "bench/case.hpp"
#include "bench/commands.hpp"
#include "bench/curve_case.hpp"
#include "bench/functional_model.hpp"
#include "bench/model.hpp"
#include "bench/queries.hpp"
#include "bench/theory_json.hpp"
#include "core/base/backend.hpp"
#include "core/base/error.hpp"
#include "core/base/metrics.hpp"
#include "core/base/parse.hpp"
#include "core/results/report.hpp"

namespace rmt::bench {

int theory_command(const TheoryOptions& o) {
  // Checked in this order: --x/--z of a learning curve, the parameters (and --t), the point lists, the law.
  if (find_curve_model(o.model) && (!o.x.empty() || !o.z.empty()))
    throw InputError(fmt::format("--x/--z: model {} is a learning curve; it has no spectrum", o.model));
  if (find_functional_model(o.model) && (!o.x.empty() || !o.z.empty() || !o.t.empty()))
    throw InputError(fmt::format("--x/--z/--t: model {} measures functionals; set its points with --set", o.model));
  const TheoryQuery query(o.model, o.sets, o.t, o.seed);
  const auto x = o.x.empty() ? std::vector<double>{} : parse_real_list(o.x, "--x");
  const auto z = o.z.empty() ? std::vector<complex>{} : parse_complex_list(o.z, "--z");
  fmt::print("{}\n", query.json(x, z).dump());
  return 0;
}

int models_command(bool json) {
  const nlohmann::json all = models_json();
  if (json) {
    fmt::print("{}\n", all.dump(2));
    return 0;
  }
  for (const auto& m : all) {
    fmt::print("{}  ({}, docs/theory.md {})\n", m["name"].get<std::string>(), m["matrix"].get<std::string>(),
               m["theory"].get<std::string>());
    if (m.contains("edge")) fmt::print("    right edge {}\n", m["edge"].get<std::string>());
    for (const auto& p : m["params"]) {
      const std::string range = p.contains("min")
                                    ? fmt::format(" in {}{}, {}{}", p["min_open"].get<bool>() ? '(' : '[', p["min"].dump(),
                                                  p["max"].dump(), p["max_open"].get<bool>() ? ')' : ']')
                                    : "";
      fmt::print("    {:<10} {:<8} default {:<12}{}  {}\n", p["name"].get<std::string>(), p["type"].get<std::string>(),
                 p["default"].get<std::string>(), range, p["description"].get<std::string>());
    }
  }
  return 0;
}

int devices_command(bool json) {
  nlohmann::json out = nlohmann::json::array();
  const auto cpu = make_cpu_backend()->info();
  out.push_back({{"backend", "cpu"}, {"usable", true}, {"name", cpu.name}, {"memory_bytes", cpu.memory_bytes}, {"details", cpu.details}});
  const CudaProbe probe = probe_cuda();
  nlohmann::json cuda = {{"backend", "cuda"}, {"compiled", probe.compiled}, {"usable", probe.usable}};
  if (probe.usable) {
    const auto info = make_cuda_backend()->info();
    cuda.update({{"name", info.name}, {"memory_bytes", info.memory_bytes}, {"details", info.details}, {"device_count", probe.device_count}});
  } else {
    cuda["reason"] = probe.reason;
  }
  out.push_back(cuda);
  if (json) {
    fmt::print("{}\n", out.dump(2));
    return 0;
  }
  for (const auto& d : out) {
    if (d["usable"].get<bool>())
      fmt::print("{:<5} {}  ({:.1f} GiB available)  {}\n", d["backend"].get<std::string>(), d["name"].get<std::string>(),
                 d["memory_bytes"].get<double>() / 1073741824.0, d["details"].get<std::string>());
    else
      fmt::print("{:<5} not usable: {}\n", d["backend"].get<std::string>(), d["reason"].get<std::string>());
  }
  return 0;
}

int report_command(const std::string& dir) {
  write_report(dir);
  fmt::print(stderr, "wrote {}/report.html\n", dir);
  return 0;
}

}  // namespace rmt::bench
