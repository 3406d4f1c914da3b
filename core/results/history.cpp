#include "core/results/history.hpp"

#include <map>

namespace rmt {

namespace {

using nlohmann::json;

std::string str(const json& j, const char* key) {
  return j.is_object() && j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
}

const CaseChange* find_change(const Comparison& c, const std::string& name) {
  for (const auto& k : c.cases)
    if (k.name == name) return &k;
  return nullptr;
}

// Timing items count unless the options say timings do not gate (`--ignore-timing`).
bool has_change(const CaseChange* c, bool worse_only, const CompareOptions& o) {
  if (c == nullptr) return false;
  for (const auto* items : {&c->metrics, &c->timing})
    if (items == &c->metrics || o.timing_gates)
      for (const auto& i : *items)
      if (i.change == Change::worse || (!worse_only && i.change == Change::better)) return true;
  return false;
}

}  // namespace

History build_history(std::vector<HistoryRun> runs, const CompareOptions& options) {
  History h;
  h.options = options;
  h.runs = std::move(runs);
  const std::size_t n = h.runs.size();
  for (std::size_t i = 0; i + 1 < n; ++i) h.steps.push_back(compare_runs(h.runs[i].records, h.runs[i + 1].records, options));

  // Cases by name, in order of first appearance; a name repeated within a run keeps its first record.
  std::map<std::string, std::size_t> index;
  for (std::size_t r = 0; r < n; ++r)
    for (const auto& rec : h.runs[r].records) {
      const auto name = str(rec, "case");
      auto [it, fresh] = index.try_emplace(name, h.cases.size());
      if (fresh) {
        CaseHistory c;
        c.name = name;
        c.model = str(rec, "model");
        c.records.assign(n, nullptr);
        c.steps.assign(n, nullptr);
        h.cases.push_back(std::move(c));
      }
      auto& c = h.cases[it->second];
      if (c.records[r] == nullptr) c.records[r] = &rec;
    }

  h.window.reserve(h.cases.size());  // CaseHistory::window points into it
  for (auto& c : h.cases) {
    std::optional<std::size_t> first, last;
    std::string verdict;
    for (std::size_t r = 0; r < n; ++r) {
      if (c.records[r] == nullptr) continue;
      if (!first) first = r;
      last = r;
      const auto v = str(*c.records[r], "verdict");
      if (first == r) verdict = v;
      else if (v != verdict) c.verdict_changed = true;
      // The step into run r: `compare` of run r - 1 with run r, when it matched this case.
      if (r > 0) c.steps[r] = find_change(h.steps[r - 1], c.name);
    }
    if (first && last && *first < *last) {
      h.window.push_back(compare_runs({*c.records[*first]}, {*c.records[*last]}, options));
      if (!h.window.back().cases.empty()) c.window = &h.window.back().cases.front();
    }
    c.worse_anywhere = has_change(c.window, true, options);
    bool any_step = has_change(c.window, false, options);
    for (const auto* s : c.steps) {
      c.worse_anywhere = c.worse_anywhere || has_change(s, true, options);
      any_step = any_step || has_change(s, false, options);
    }
    c.changed = c.verdict_changed || any_step;
  }
  return h;
}

std::string run_commit(const HistoryRun& run) {
  // The records' own environment first (what was measured), else run.json's.
  const json* env = nullptr;
  for (const auto& r : run.records)
    if (r.is_object() && r.contains("environment") && r["environment"].is_object()) {
      env = &r["environment"];
      break;
    }
  if (env == nullptr && run.info.is_object() && run.info.contains("environment")) env = &run.info["environment"];
  if (env == nullptr || !env->is_object()) return {};
  const auto commit = str(*env, "git_commit");
  if (commit.empty()) return {};
  const bool dirty = env->contains("git_dirty") && (*env)["git_dirty"].is_boolean() && (*env)["git_dirty"].get<bool>();
  return commit.substr(0, 12) + (dirty ? "-dirty" : "");
}

}  // namespace rmt
