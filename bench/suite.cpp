#include "bench/suite.hpp"

#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "bench/embedded_suites.hpp"
#include "core/error.hpp"

namespace rmt::bench {

namespace {

class SuiteReader {
 public:
  explicit SuiteReader(std::string_view source) : source_(source) {}

  [[noreturn]] void fail(const toml::node& node, std::string_view message) const {
    throw InputError(fmt::format("{}:{}: {}", source_, node.source().begin.line, message));
  }

  void allow_only(const toml::table& table, std::initializer_list<std::string_view> keys, std::string_view where) const {
    for (const auto& [key, node] : table) {
      if (std::find(keys.begin(), keys.end(), key.str()) == keys.end()) {
        std::string known;
        for (const auto k : keys) known += (known.empty() ? "" : ", ") + std::string(k);
        fail(node, fmt::format("unknown key '{}' in {} (allowed: {})", key.str(), where, known));
      }
    }
  }

  std::string text(const toml::node& node, std::string_view key) const {
    if (const auto* s = node.as_string()) return s->get();
    fail(node, fmt::format("'{}' must be a string", key));
  }

  std::int64_t integer(const toml::node& node, std::string_view key) const {
    if (const auto* i = node.as_integer()) return i->get();
    fail(node, fmt::format("'{}' must be an integer", key));
  }

  double number(const toml::node& node, std::string_view key) const {
    if (const auto* i = node.as_integer()) return static_cast<double>(i->get());
    if (const auto* f = node.as_floating_point()) return f->get();
    fail(node, fmt::format("'{}' must be a number", key));
  }

  // Parameter values are kept as text and validated against the model's schema later.
  std::string param_value(const toml::node& node, std::string_view key) const {
    if (const auto* i = node.as_integer()) return fmt::format("{}", i->get());
    if (const auto* f = node.as_floating_point()) return fmt::format("{}", f->get());
    if (const auto* s = node.as_string()) return s->get();
    fail(node, fmt::format("parameter '{}' must be a number or a string", key));
  }

  const toml::table& table(const toml::node& node, std::string_view key) const {
    if (const auto* t = node.as_table()) return *t;
    fail(node, fmt::format("'{}' must be a table", key));
  }

  // Applies the keys shared by [defaults] and [[case]].
  void common(const toml::table& t, CaseSpec& spec) const {
    if (const auto* n = t.get("seed")) {
      const auto v = integer(*n, "seed");
      if (v < 0) fail(*n, "'seed' must be >= 0");
      spec.seed = static_cast<std::uint64_t>(v);
    }
    if (const auto* n = t.get("replicates")) {
      const auto v = integer(*n, "replicates");
      if (v < 1 || v > 100000) fail(*n, fmt::format("'replicates' = {} is out of range [1, 100000]", v));
      spec.replicates = static_cast<int>(v);
    }
    if (const auto* n = t.get("precision")) spec.precision = text(*n, "precision");
  }

  CaseSpec read_case(const toml::table& t, const CaseSpec& defaults) const {
    allow_only(t, {"name", "model", "params", "seed", "replicates", "precision", "tolerance"}, "[[case]]");
    CaseSpec spec = defaults;
    const auto* name = t.get("name");
    const auto* model = t.get("model");
    if (!name) fail(t, "[[case]] has no 'name'");
    if (!model) fail(t, "[[case]] has no 'model'");
    spec.name = text(*name, "name");
    if (spec.name.empty()) fail(*name, "'name' must not be empty");
    spec.model = text(*model, "model");
    common(t, spec);
    if (const auto* p = t.get("params"))
      for (const auto& [key, value] : table(*p, "params")) spec.params.emplace_back(std::string(key.str()), param_value(value, key.str()));
    if (const auto* tol = t.get("tolerance"))
      for (const auto& [key, value] : table(*tol, "tolerance")) spec.tolerance[std::string(key.str())] = number(value, key.str());
    return spec;
  }

  std::vector<CaseSpec> read(const toml::table& root) const {
    allow_only(root, {"defaults", "case"}, "the suite");
    CaseSpec defaults;
    if (const auto* d = root.get("defaults")) {
      const auto& t = table(*d, "defaults");
      allow_only(t, {"seed", "replicates", "precision"}, "[defaults]");
      common(t, defaults);
    }
    const auto* cases = root.get("case");
    if (!cases || !cases->is_array_of_tables()) fail(root, "the suite has no [[case]] tables");
    std::vector<CaseSpec> out;
    std::set<std::string> names;
    for (const auto& node : *cases->as_array()) {
      out.push_back(read_case(*node.as_table(), defaults));
      if (!names.insert(out.back().name).second) fail(node, fmt::format("duplicate case name '{}'", out.back().name));
    }
    return out;
  }

 private:
  std::string source_;
};

}  // namespace

std::vector<CaseSpec> parse_suite(std::string_view text, std::string_view source_name) {
  toml::table root;
  try {
    root = toml::parse(text, source_name);
  } catch (const toml::parse_error& e) {
    throw InputError(fmt::format("{}:{}: {}", source_name, e.source().begin.line, e.description()));
  }
  return SuiteReader(source_name).read(root);
}

std::vector<CaseSpec> load_suite(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw InputError(fmt::format("cannot read suite file '{}'", path.string()));
  std::stringstream buffer;
  buffer << in.rdbuf();
  return parse_suite(buffer.str(), path.string());
}

std::vector<CaseSpec> default_suite() { return parse_suite(kQuickSuite, "<embedded quick.toml>"); }

}  // namespace rmt::bench
