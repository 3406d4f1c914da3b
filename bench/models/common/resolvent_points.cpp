#include "bench/models/common/resolvent_points.hpp"

#include <cmath>

#include <fmt/format.h>

#include "core/base/error.hpp"
#include "core/base/parse.hpp"
#include "theory/resolvent_functionals.hpp"

namespace rmt::bench {

ParamSpec resolvent_points_param(std::string default_points) {
  return ParamSpec::text("z", std::move(default_points), "resolvent points: real z < 0 or complex z off the real axis",
                         [](std::string_view v, std::string_view what) {
                           for (const complex z : parse_complex_list(v, what))
                             if (z.imag() == 0 && !(z.real() < 0))
                               throw InputError(
                                   fmt::format("{}: real z = {} must be < 0 (left of the spectrum)", what, z.real()));
                         });
}

std::string at_z(complex z) {
  return z.imag() == 0 ? fmt::format("@z={}", z.real()) : fmt::format("@z={}{:+}i", z.real(), z.imag());
}

void add_prediction(std::vector<FunctionalPrediction>& out, complex z, const ComplexPrediction& p) {
  const auto var = theory::split_variance(p.cov_conj, p.cov_same);
  const auto one = [&](const std::string& part, double value, double bias, double variance) {
    FunctionalPrediction f;
    f.name = p.name + part;
    f.value = value;
    f.bias = bias;
    f.sd = std::isfinite(variance) ? std::sqrt(std::max(variance, 0.0)) : variance;
    f.allowance = p.allowance;
    out.push_back(f);
    if (!p.judge_variance || !std::isfinite(variance)) return;
    FunctionalPrediction fv;
    fv.name = "var " + f.name;
    fv.stat = FunctionalStat::variance;
    fv.of = f.name;
    fv.value = variance;
    fv.allowance = p.variance_allowance * variance;
    out.push_back(fv);
  };
  if (z.imag() == 0) {
    one("", p.value.real(), p.bias.real(), p.cov_same.real());
  } else {
    one(".re", p.value.real(), p.bias.real(), var.re);
    one(".im", p.value.imag(), p.bias.imag(), var.im);
  }
}

void add_value(std::vector<NamedValue>& out, const std::string& name, complex z, complex value) {
  if (z.imag() == 0) {
    out.push_back({name, value.real()});
  } else {
    out.push_back({name + ".re", value.real()});
    out.push_back({name + ".im", value.imag()});
  }
}

}  // namespace rmt::bench
