#include "core/results/convergence.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>

#include "core/results/jsonl.hpp"

namespace rmt {

namespace {

using nlohmann::json;

// The size a study runs over: the parameter n, else the measured matrix dimension.
std::optional<double> size_of(const json& rec) {
  if (auto n = number_at(rec, {"params", "n"})) return n;
  return number_at(rec, {"size", "eig_dim"});
}

json finite_or_null(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

}  // namespace

std::optional<ExpectedRate> expected_rate(std::string_view metric) {
  // docs/theory.md §9.5: Stieltjes transforms and smooth linear statistics ~1/n; the top eigenvalue fluctuates
  // on the Tracy–Widom scale n^{-2/3}; outliers and alignments (near BBP) and test risks — quadratic
  // forms in the random data, not linear spectral statistics — fluctuate like n^{-1/2}.
  static const std::map<std::string, ExpectedRate, std::less<>> rates = {
      {"stieltjes_error", {1.0, "Stieltjes transform (1/n)"}},
      {"ks", {1.0, "log d / d: local rate 1 − 1/ln d", true}},
      {"edge_error", {2.0 / 3.0, "edge (Tracy–Widom, n^-2/3)"}},
      {"risk_error", {0.5, "risk fluctuation (n^-1/2)"}},
      {"outlier_position_error", {0.5, "outlier near BBP (n^-1/2)"}},
      {"outlier_alignment_error", {0.5, "alignment near BBP (n^-1/2)"}},
  };
  const auto it = rates.find(metric);
  if (it == rates.end()) return std::nullopt;
  return it->second;
}

std::vector<ConvergenceStudy> convergence_studies(const std::vector<json>& records) {
  // Group by sweep name and the values of the other swept parameters.
  std::vector<std::string> order;
  std::map<std::string, std::vector<const json*>> groups;
  std::map<std::string, std::string> model_of;
  for (const auto& r : records) {
    if (!r.is_object() || !r.contains("sweep") || !r["sweep"].is_object()) continue;
    const auto& sw = r["sweep"];
    if (!sw.contains("name") || !sw["name"].is_string() || !sw.contains("axes") || !sw["axes"].is_array()) continue;
    bool over_n = false;
    std::string others;
    for (const auto& axis : sw["axes"]) {
      if (!axis.is_string()) continue;
      const auto key = axis.get<std::string>();
      if (key == "n") {
        over_n = true;
        continue;
      }
      std::string value = "?";
      if (r.contains("params") && r["params"].is_object() && r["params"].contains(key)) {
        const auto& v = r["params"][key];
        value = v.is_string() ? v.get<std::string>() : v.dump();
      }
      others += fmt::format("{}{}={}", others.empty() ? "" : ",", key, value);
    }
    if (!over_n || !size_of(r)) continue;
    const auto name = sw["name"].get<std::string>() + (others.empty() ? "" : " [" + others + "]");
    if (!groups.count(name)) order.push_back(name);
    groups[name].push_back(&r);
    if (r.contains("model") && r["model"].is_string()) model_of[name] = r["model"].get<std::string>();
  }

  std::vector<ConvergenceStudy> out;
  for (const auto& name : order) {
    auto members = groups[name];
    std::stable_sort(members.begin(), members.end(), [](const json* a, const json* b) { return *size_of(*a) < *size_of(*b); });
    std::vector<double> sizes;
    for (const auto* r : members) sizes.push_back(*size_of(*r));
    if (std::unique(sizes.begin(), sizes.end()) - sizes.begin() < 3) continue;

    ConvergenceStudy study;
    study.name = name;
    study.model = model_of[name];
    for (const auto* r : members)
      study.cases.push_back(r->contains("case") && (*r)["case"].is_string() ? (*r)["case"].get<std::string>() : "?");
    for (const char* metric : {"stieltjes_error", "ks", "edge_error", "risk_error", "outlier_position_error",
                               "outlier_alignment_error"}) {
      ConvergenceSeries s;
      s.metric = metric;
      const auto rate = expected_rate(metric);
      s.expected = rate->rate;
      s.basis = rate->basis;
      double log_dim = 0;  // mean of ln d over the points
      for (const auto* r : members)
        if (const auto v = number_at(*r, {"metrics", metric}); v && std::isfinite(*v) && *v != 0) {
          s.n.push_back(*size_of(*r));
          s.value.push_back(std::abs(*v));
          log_dim += std::log(number_at(*r, {"size", "eig_dim"}).value_or(s.n.back()));
        }
      if (s.n.empty()) continue;
      log_dim /= static_cast<double>(s.n.size());
      if (rate->log_factor && log_dim > 1) s.expected = 1.0 - 1.0 / log_dim;
      try {
        s.fit = fit_power_law(s.n, s.value);
      } catch (const std::exception&) {  // too few distinct sizes: shown without a fit
      }
      if (!s.fit || !std::isfinite(s.fit->ci_low)) {
        s.assessment = "no interval";
      } else {
        const double lo = -s.fit->ci_high, hi = -s.fit->ci_low;  // interval of the rate s
        s.assessment = s.expected < lo ? "faster" : s.expected > hi ? "slower" : "consistent";
      }
      study.series.push_back(std::move(s));
    }
    out.push_back(std::move(study));
  }
  return out;
}

json convergence_json(const std::vector<ConvergenceStudy>& studies) {
  json list = json::array();
  for (const auto& st : studies) {
    json series = json::array();
    for (const auto& s : st.series) {
      json e = {{"metric", s.metric}, {"n", s.n}, {"values", s.value}, {"expected_rate", s.expected},
                {"basis", s.basis}, {"assessment", s.assessment}};
      if (s.fit) {
        e["rate"] = finite_or_null(-s.fit->exponent);
        e["ci"] = {finite_or_null(-s.fit->ci_high), finite_or_null(-s.fit->ci_low)};
        e["stderr"] = finite_or_null(s.fit->stderr_);
        e["prefactor"] = finite_or_null(s.fit->prefactor);
        e["points"] = s.fit->points;
      }
      series.push_back(std::move(e));
    }
    list.push_back({{"name", st.name}, {"model", st.model}, {"cases", st.cases}, {"series", std::move(series)}});
  }
  return {{"schema_version", 1}, {"confidence", 0.95}, {"studies", std::move(list)}};
}

}  // namespace rmt
