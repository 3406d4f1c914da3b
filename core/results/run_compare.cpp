#include "core/results/run_compare.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "core/results/jsonl.hpp"

namespace rmt {

namespace {

using nlohmann::json;

std::optional<double> num(const json& j, std::initializer_list<const char*> path) { return number_at(j, path); }

std::string str(const json& j, const char* key) {
  return j.is_object() && j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
}

int rank(Change c) {
  switch (c) {
    case Change::same: return 0;
    case Change::better: return 1;
    case Change::ambiguous: return 2;
    case Change::worse: return 3;
  }
  return 0;
}

ItemChange judge_metric(const std::string& key, const json& base, const json& now, const CompareOptions& o) {
  ItemChange item;
  item.key = key;
  item.base = num(base, {"metrics", key.c_str()});
  item.now = num(now, {"metrics", key.c_str()});
  if (!item.base || !item.now) {
    item.basis = item.base ? "missing in the new run" : "new metric";
    item.change = item.base ? Change::ambiguous : Change::same;
    return item;
  }
  const double b = std::abs(*item.base), v = std::abs(*item.now);
  if (!std::isfinite(b) || !std::isfinite(v)) {
    item.basis = "non-finite";
    item.change = std::isfinite(b) == std::isfinite(v) ? Change::same : (std::isfinite(b) ? Change::worse : Change::better);
    return item;
  }
  const double d = v - b;
  if (b > 0) item.relative = d / b;
  const double rb = std::max(1.0, num(base, {"replicates"}).value_or(1));
  const double rn = std::max(1.0, num(now, {"replicates"}).value_or(1));
  auto sdb = num(base, {"empirical", "metrics_sd", key.c_str()});
  auto sdn = num(now, {"empirical", "metrics_sd", key.c_str()});
  if (sdb && !(*sdb > 0)) sdb.reset();
  if (sdn && !(*sdn > 0)) sdn.reset();
  const auto tol = num(now, {"tolerance", key.c_str()}).value_or(num(base, {"tolerance", key.c_str()}).value_or(0));
  if (d == 0 || std::abs(d) <= o.tolerance_floor * tol) {
    item.change = Change::same;
    return item;
  }
  double z;
  if (sdb || sdn) {
    // Difference of two replicate means: se² = sd_b²/R_b + sd_n²/R_n.
    const double sb = sdb.value_or(sdn.value_or(0)), sn = sdn.value_or(sb);
    z = std::abs(d) / std::sqrt(sb * sb / rb + sn * sn / rn);
    item.basis = "replicate sd";
  } else if (b > 0 && v > 0) {
    // A spread proportional to the value: judge the log ratio, so that ×k and ÷k weigh the same.
    z = std::abs(std::log(v / b)) / (o.assumed_rel_sd * std::sqrt(1 / rb + 1 / rn));
    item.basis = "assumed spread";
  } else {  // one of them is exactly zero
    z = std::abs(d) / (o.assumed_rel_sd * std::max(b, v) * std::sqrt(1 / rb + 1 / rn));
    item.basis = "assumed spread";
  }
  item.z = z;
  item.change = z <= o.same_z ? Change::same : z > o.clear_z ? (d < 0 ? Change::better : Change::worse) : Change::ambiguous;
  return item;
}

ItemChange judge_time(const std::string& key, double tb, double tn, const CompareOptions& o) {
  ItemChange item;
  item.key = key;
  item.base = tb;
  item.now = tn;
  item.basis = "timing";
  const double d = tn - tb;
  if (tb > 0) item.relative = d / tb;
  // The log ratio, so that twice as slow and twice as fast are judged alike.
  const double r = tb > 0 && tn > 0 ? std::abs(std::log(tn / tb)) : INFINITY;
  if (std::abs(d) <= o.time_floor_s) item.change = Change::same;
  else if (r <= std::log1p(o.time_same)) item.change = Change::same;
  else if (r > std::log1p(o.time_clear)) item.change = d < 0 ? Change::better : Change::worse;
  else item.change = Change::ambiguous;
  return item;
}

CaseChange compare_case(const json& base, const json& now, const CompareOptions& o) {
  CaseChange c;
  c.name = str(now, "case");
  c.case_id = str(now, "case_id");
  c.base_verdict = str(base, "verdict");
  c.new_verdict = str(now, "verdict");
  if (c.base_verdict != c.new_verdict && !c.base_verdict.empty() && !c.new_verdict.empty()) {
    ItemChange v;
    v.key = "verdict";
    v.basis = c.base_verdict + " → " + c.new_verdict;
    v.change = c.new_verdict == "pass" ? Change::better : c.base_verdict == "pass" ? Change::worse : Change::ambiguous;
    c.metrics.push_back(v);
  }
  std::set<std::string> keys;
  for (const json* r : {&base, &now})
    if (r->contains("metrics") && (*r)["metrics"].is_object())
      for (const auto& [k, v] : (*r)["metrics"].items()) keys.insert(k);
  for (const auto& k : keys) c.metrics.push_back(judge_metric(k, base, now, o));
  if (base.contains("timing") && base["timing"].is_object())
    for (const auto& [k, v] : base["timing"].items()) {
      const auto tb = num(base, {"timing", k.c_str()}), tn = num(now, {"timing", k.c_str()});
      if (k.size() > 2 && k.ends_with("_s") && tb && tn) c.timing.push_back(judge_time(k, *tb, *tn, o));
    }
  for (const auto* items : {&c.metrics, &c.timing})
    for (const auto& i : *items)
      if (rank(i.change) > rank(c.overall)) c.overall = i.change;
  return c;
}

}  // namespace

const char* change_word(Change c) {
  switch (c) {
    case Change::same: return "SAME";
    case Change::better: return "BETTER";
    case Change::worse: return "WORSE";
    case Change::ambiguous: return "AMBIGUOUS";
  }
  return "?";
}

bool Comparison::any_worse(bool count_timing) const {
  return std::any_of(cases.begin(), cases.end(), [&](const CaseChange& c) {
    if (count_timing) return c.overall == Change::worse;
    return std::any_of(c.metrics.begin(), c.metrics.end(), [](const ItemChange& i) { return i.change == Change::worse; });
  });
}

Comparison compare_runs(const std::vector<json>& base, const std::vector<json>& now, const CompareOptions& o) {
  Comparison out;
  std::vector<bool> used(base.size(), false);
  const auto match = [&](const json& r, std::string* how) -> std::size_t {
    const auto id = str(r, "case_id"), name = str(r, "case");
    for (std::size_t i = 0; i < base.size(); ++i) {
      if (used[i]) continue;
      const auto bid = str(base[i], "case_id");
      if (!id.empty() && !bid.empty()) {
        if (bid == id) return *how = "case_id", i;
      } else if (!name.empty() && str(base[i], "case") == name) {
        return *how = "case", i;
      }
    }
    return base.size();
  };
  for (const auto& r : now) {
    std::string how;
    const auto i = match(r, &how);
    if (i == base.size()) {
      out.only_new.push_back(str(r, "case"));
      continue;
    }
    used[i] = true;
    out.cases.push_back(compare_case(base[i], r, o));
    out.cases.back().matched_by = how;
  }
  for (std::size_t i = 0; i < base.size(); ++i)
    if (!used[i]) out.only_base.push_back(str(base[i], "case"));
  return out;
}

json comparison_json(const Comparison& c, const CompareOptions& o, const std::string& base_dir, const std::string& new_dir) {
  const auto opt = [](const std::optional<double>& v) { return v && std::isfinite(*v) ? json(*v) : json(nullptr); };
  const auto items = [&](const std::vector<ItemChange>& list) {
    json a = json::array();
    for (const auto& i : list)
      a.push_back({{"key", i.key}, {"base", opt(i.base)}, {"new", opt(i.now)}, {"z", opt(i.z)},
                   {"relative", opt(i.relative)}, {"basis", i.basis}, {"verdict", change_word(i.change)}});
    return a;
  };
  std::map<std::string, int> counts = {{"SAME", 0}, {"BETTER", 0}, {"WORSE", 0}, {"AMBIGUOUS", 0}};
  json cases = json::array();
  for (const auto& k : c.cases) {
    ++counts[change_word(k.overall)];
    cases.push_back({{"case", k.name}, {"case_id", k.case_id}, {"matched_by", k.matched_by},
                     {"verdict", change_word(k.overall)}, {"status", {{"base", k.base_verdict}, {"new", k.new_verdict}}},
                     {"metrics", items(k.metrics)}, {"timing", items(k.timing)}});
  }
  return {{"schema_version", 1},
          {"base", base_dir},
          {"new", new_dir},
          {"worse", c.any_worse(o.timing_gates)},
          {"counts", counts},
          {"only_base", c.only_base},
          {"only_new", c.only_new},
          {"options",
           {{"assumed_rel_sd", o.assumed_rel_sd}, {"same_z", o.same_z}, {"clear_z", o.clear_z},
            {"tolerance_floor", o.tolerance_floor}, {"time_same", o.time_same}, {"time_clear", o.time_clear},
            {"time_floor_s", o.time_floor_s}, {"timing_gates", o.timing_gates}}},
          {"cases", cases}};
}

}  // namespace rmt
