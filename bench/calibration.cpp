// Calibrated tolerances from the null table (bench/calibration.hpp, docs/theory.md §9.5).
#include "bench/calibration.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include <fmt/format.h>

#include "bench/embedded_calibration.hpp"
#include "bench/record.hpp"
#include "core/base/error.hpp"

namespace rmt::bench {

namespace {

// Type-7 (linear) empirical quantile of sorted values.
double quantile_sorted(const std::vector<double>& v, double p) {
  if (v.empty()) return NAN;
  const double h = p * static_cast<double>(v.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(h));
  const auto hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (h - static_cast<double>(lo)) * (v[hi] - v[lo]);
}

constexpr double kTiny = 1e-300;  // floor for logs of values that are exactly 0

// value at d from (d0, v0) along |v| ∝ d^-rate
double along(double v0, double d0, double d, double rate) { return v0 * std::pow(d0 / d, rate); }

}  // namespace

nlohmann::json null_summary(std::span<const double> values) {
  std::vector<double> abs_values;
  double signed_sum = 0;
  for (const double v : values) {
    abs_values.push_back(std::abs(v));
    signed_sum += v;
  }
  const Summary s = summarise(abs_values);
  std::sort(abs_values.begin(), abs_values.end());
  return {{"mean", s.mean},
          {"sd", s.sd},
          {"signed_mean", values.empty() ? 0.0 : signed_sum / static_cast<double>(values.size())},
          {"q90", quantile_sorted(abs_values, 0.90)},
          {"q99", quantile_sorted(abs_values, 0.99)},
          {"q995", quantile_sorted(abs_values, 0.995)},
          {"max", abs_values.empty() ? NAN : abs_values.back()},
          {"normal_q99", s.mean + 2.3263478740408408 * s.sd},
          {"gumbel_q99", gumbel_quantile(s.mean, s.sd, 0.99)}};
}

double gumbel_quantile(double mean, double sd, double p) {
  const double beta = sd * std::sqrt(6.0) / std::numbers::pi;
  const double mu = mean - std::numbers::egamma * beta;
  return mu - beta * std::log(-std::log(p));
}

double calibrated_tolerance(double mean, double sd, int seeds, int replicates, double alpha) {
  // The sd from S draws is uncertain by ~1/√(2(S−1)) relatively: use its 97.5 % upper bound.
  const double inflate = 1.0 + 2.0 / std::sqrt(2.0 * std::max(1, seeds - 1));
  const double sd_mean = sd * inflate / std::sqrt(static_cast<double>(std::max(1, replicates)));
  // −log(1 − α) computed without cancellation for small α.
  const double minus_log_p = -std::log1p(-alpha);
  const double beta = sd_mean * std::sqrt(6.0) / std::numbers::pi;
  return mean - std::numbers::egamma * beta - beta * std::log(minus_log_p);
}

double expected_rate(std::string_view metric, bool nonlinear) {
  if (metric == "edge_error_tw") return 0.0;
  if (metric.starts_with("outlier_")) return 0.5;
  if (nonlinear) return 0.5;
  if (metric == "edge_error") return 2.0 / 3.0;
  return 1.0;
}

bool table_sets_tolerance(std::string_view metric) {
  return metric == "ks" || metric == "w1" || metric == "stieltjes_error" || metric == "moment_error" ||
         metric == "outlier_position_error" || metric == "outlier_alignment_error";
}

nlohmann::json fit_rates(const nlohmann::json& sizes, bool nonlinear) {
  nlohmann::json out = nlohmann::json::object();
  if (sizes.size() < 2) return out;
  for (const auto& item : sizes.front().at("metrics").items()) {
    const std::string metric = item.key();  // a named copy: clang 14 cannot capture a structured binding
    const auto slope = [&](const char* field) {
      double sx = 0, sy = 0, sxx = 0, sxy = 0, n = 0;
      for (const auto& s : sizes) {
        if (!s.at("metrics").contains(metric)) continue;
        const double x = std::log(s.at("d").get<double>());
        const double y = std::log(std::max(kTiny, s.at("metrics").at(metric).at(field).get<double>()));
        sx += x, sy += y, sxx += x * x, sxy += x * y, n += 1;
      }
      const double den = n * sxx - sx * sx;
      return n < 2 || den <= 0 ? std::nan("") : -(n * sxy - sx * sy) / den;
    };
    out[metric] = {{"mean_rate", slope("mean")}, {"sd_rate", slope("sd")},
                   {"expected_rate", expected_rate(metric, nonlinear)}};
  }
  return out;
}

std::string CalibrationTable::key(std::string_view model, const Params& params) {
  std::string out = fmt::format("{}|", model);
  bool first = true;
  for (const auto& [k, v] : params.values()) {
    if (k == "n") continue;
    out += fmt::format("{}{}={}", first ? "" : ";", k, format_value(v));
    first = false;
  }
  return out;
}

CalibrationTable::CalibrationTable(const nlohmann::json& table, std::string name) : name_(std::move(name)) {
  try {
    if (!table.is_object() || !table.contains("entries")) throw InputError("no 'entries'");
    for (const auto& e : table.at("entries")) {
      Entry entry;
      for (const auto& s : e.at("sizes"))
        entry.sizes.push_back({s.at("d").get<double>(), s.at("seeds").get<int>(), s.at("metrics")});
      std::sort(entry.sizes.begin(), entry.sizes.end(), [](const Size& a, const Size& b) { return a.d < b.d; });
      entry.judged = e.value("judged", std::vector<std::string>{});
      entry.fit = e.value("fit", nlohmann::json::object());
      entry.nonlinear = e.value("nonlinear", false);
      if (entry.sizes.empty()) throw InputError(fmt::format("entry '{}' has no sizes", e.at("key").get<std::string>()));
      entries_[e.at("key").get<std::string>()] = std::move(entry);
    }
  } catch (const nlohmann::json::exception& e) {
    throw InputError(fmt::format("calibration table '{}': {}", name_, e.what()));
  } catch (const InputError& e) {
    throw InputError(fmt::format("calibration table '{}': {}", name_, e.what()));
  }
}

std::vector<std::string> CalibrationTable::judged(const std::string& key) const {
  const auto it = entries_.find(key);
  return it == entries_.end() ? std::vector<std::string>{} : it->second.judged;
}

std::optional<CalibrationTable::Point> CalibrationTable::lookup(const std::string& key, std::string_view metric,
                                                                double d) const {
  const auto it = entries_.find(key);
  if (it == entries_.end() || !(d > 0)) return std::nullopt;
  std::vector<const Size*> sizes;
  for (const auto& s : it->second.sizes)
    if (s.metrics.contains(metric)) sizes.push_back(&s);
  if (sizes.empty()) return std::nullopt;
  const double lo = sizes.front()->d, hi = sizes.back()->d;
  if (d < lo / kMaxExtrapolation || d > hi * kMaxExtrapolation) return std::nullopt;
  const auto value = [&](const Size& s, const char* field) { return s.metrics.at(metric).at(field).get<double>(); };
  const auto fitted = [&](const char* field) {
    const auto& fit = it->second.fit;
    const std::string m(metric);
    if (!fit.contains(m) || !fit[m].contains(field) || !fit[m][field].is_number()) return std::nan("");
    return fit[m][field].get<double>();
  };
  const double expected = expected_rate(metric, it->second.nonlinear);
  Point p;
  if (d <= lo || d >= hi) {
    // Extrapolate from the nearest size along the rate that gives the larger value (conservative).
    const Size& s = d <= lo ? *sizes.front() : *sizes.back();
    for (const auto& [field, rate_field, out] :
         {std::tuple{"mean", "mean_rate", &p.mean}, std::tuple{"sd", "sd_rate", &p.sd}}) {
      const double f = fitted(rate_field);
      double rate = expected;
      if (std::isfinite(f)) rate = d <= lo ? std::max(f, expected) : std::min(f, expected);
      *out = along(value(s, field), s.d, d, std::max(0.0, rate));
    }
    p.seeds = s.seeds;
    return p;
  }
  // Between two calibrated sizes: linear in log-log.
  std::size_t k = 1;
  while (sizes[k]->d < d) ++k;
  const Size& a = *sizes[k - 1];
  const Size& b = *sizes[k];
  const double t = std::log(d / a.d) / std::log(b.d / a.d);
  for (const auto& [field, out] : {std::pair{"mean", &p.mean}, std::pair{"sd", &p.sd}}) {
    const double va = std::max(kTiny, value(a, field)), vb = std::max(kTiny, value(b, field));
    *out = std::exp((1 - t) * std::log(va) + t * std::log(vb));
  }
  p.seeds = std::min(a.seeds, b.seeds);
  return p;
}

const CalibrationTable& embedded_calibration() {
  static const CalibrationTable table(nlohmann::json::parse(kCalibrationTable), kCalibrationTableName);
  return table;
}

std::optional<NullStats> calibrated_null(const ResolvedCase& c, std::string_view metric) {
  return calibrated_null(embedded_calibration(), c, metric);
}

std::optional<NullStats> calibrated_null(const CalibrationTable& table, const ResolvedCase& c, std::string_view metric) {
  if (c.kind != CaseKind::spectral || !c.model) return std::nullopt;
  const auto key = CalibrationTable::key(c.spec.model, c.params);
  const auto point = table.lookup(key, metric, static_cast<double>(c.sizes.eig_dim));
  if (!point) return std::nullopt;
  const auto judged = table.judged(key);
  const double alpha = kFalseAlarmRate / static_cast<double>(std::max<std::size_t>(1, judged.size()));
  NullStats s;
  s.mean = point->mean;
  s.sd = point->sd / std::sqrt(static_cast<double>(std::max(1, c.spec.replicates)));
  s.tolerance = calibrated_tolerance(point->mean, point->sd, point->seeds, c.spec.replicates, alpha);
  s.false_alarm_rate = alpha;
  return s;
}

}  // namespace rmt::bench
