#include "bench/suite.hpp"

#include <algorithm>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "bench/embedded_suites.hpp"
#include "bench/sweep.hpp"
#include "core/base/error.hpp"
#include "core/base/parse.hpp"

namespace rmt::bench {

namespace {

namespace fs = std::filesystem;

// Keys shared by [defaults], include tables and [[case]]: each may set any of them.
struct Common {
  std::optional<std::uint64_t> seed;
  std::optional<int> replicates;
  std::optional<std::string> precision, backend, needs, method, storage;
  std::optional<int> probes, steps;
  std::optional<bool> reorth;
  std::optional<index_t> tile;
  Assignments params;
  std::map<std::string, double> tolerance;

  // These keys win where they are set; parameters are appended (the last assignment wins).
  void apply_to(SuiteCase& c) const {
    if (seed) c.spec.seed = *seed;
    if (replicates) c.spec.replicates = *replicates;
    if (precision) c.spec.precision = *precision;
    if (backend) c.backend = *backend;
    if (needs) c.needs = *needs;
    if (method) c.spec.method = *method;
    if (storage) c.spec.slq.storage = *storage;
    if (probes) c.spec.slq.probes = *probes;
    if (steps) c.spec.slq.steps = *steps;
    if (reorth) c.spec.slq.reorth = *reorth;
    if (tile) c.spec.slq.tile = *tile;
    c.spec.params.insert(c.spec.params.end(), params.begin(), params.end());
    for (const auto& [k, v] : tolerance) c.spec.tolerance[k] = v;
  }

  // This, with `over` on top (its keys win).
  Common layered(const Common& over) const {
    Common out = *this;
    if (over.seed) out.seed = over.seed;
    if (over.replicates) out.replicates = over.replicates;
    if (over.precision) out.precision = over.precision;
    if (over.backend) out.backend = over.backend;
    if (over.needs) out.needs = over.needs;
    if (over.method) out.method = over.method;
    if (over.storage) out.storage = over.storage;
    if (over.probes) out.probes = over.probes;
    if (over.steps) out.steps = over.steps;
    if (over.reorth) out.reorth = over.reorth;
    if (over.tile) out.tile = over.tile;
    out.params.insert(out.params.end(), over.params.begin(), over.params.end());
    for (const auto& [k, v] : over.tolerance) out.tolerance[k] = v;
    return out;
  }
};

const std::vector<std::string_view> kCommonKeys = {"seed",     "replicates", "precision", "backend", "requires",
                                                  "params",   "tolerance",  "method",    "probes",  "steps",
                                                  "reorth",   "storage",    "tile"};

std::uint32_t line_of(const toml::node& node) { return node.source().begin.line; }

class SuiteReader {
 public:
  SuiteReader(std::string source, std::vector<fs::path>* open_files) : source_(std::move(source)), open_(open_files) {}

  [[noreturn]] void fail(std::uint32_t line, std::string_view message) const {
    throw InputError(fmt::format("{}:{}: {}", source_, line, message));
  }
  [[noreturn]] void fail(const toml::node& node, std::string_view message) const { fail(line_of(node), message); }

  std::string origin(const toml::node& node) const { return fmt::format("{}:{}", source_, line_of(node)); }

  void allow_only(const toml::table& table, const std::vector<std::string_view>& keys, std::string_view where) const {
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

  std::string one_of(const toml::node& node, std::string_view key, std::initializer_list<std::string_view> allowed) const {
    const std::string v = text(node, key);
    if (std::find(allowed.begin(), allowed.end(), v) != allowed.end()) return v;
    std::string known;
    for (const auto a : allowed) known += (known.empty() ? "" : ", ") + std::string(a);
    fail(node, fmt::format("'{}' = \"{}\" is not one of {}", key, v, known));
  }

  std::int64_t integer(const toml::node& node, std::string_view key) const {
    if (const auto* i = node.as_integer()) return i->get();
    fail(node, fmt::format("'{}' must be an integer", key));
  }

  std::int64_t bounded(const toml::node& node, std::string_view key, std::int64_t lo, std::int64_t hi) const {
    const auto v = integer(node, key);
    if (v < lo || v > hi) fail(node, fmt::format("'{}' = {} is out of range [{}, {}]", key, v, lo, hi));
    return v;
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
    if (node.is_array())
      fail(node, fmt::format("parameter '{}' is an array: put it under [case.sweep] to run one case per value "
                             "(a grid-valued parameter of one case is a string such as \"0.001:1:20log\")",
                             key));
    fail(node, fmt::format("parameter '{}' must be a number or a string", key));
  }

  const toml::table& table(const toml::node& node, std::string_view key) const {
    if (const auto* t = node.as_table()) return *t;
    fail(node, fmt::format("'{}' must be a table", key));
  }

  Common common(const toml::table& t) const {
    Common c;
    if (const auto* n = t.get("seed")) {
      const auto v = integer(*n, "seed");
      if (v < 0) fail(*n, "'seed' must be >= 0");
      c.seed = static_cast<std::uint64_t>(v);
    }
    if (const auto* n = t.get("replicates")) {
      const auto v = integer(*n, "replicates");
      if (v < 1 || v > 100000) fail(*n, fmt::format("'replicates' = {} is out of range [1, 100000]", v));
      c.replicates = static_cast<int>(v);
    }
    if (const auto* n = t.get("precision")) c.precision = one_of(*n, "precision", {"fp64", "fp32"});
    if (const auto* n = t.get("backend")) c.backend = one_of(*n, "backend", {"auto", "cpu", "cuda"});
    if (const auto* n = t.get("requires")) c.needs = one_of(*n, "requires", {"cuda"});
    if (const auto* n = t.get("method")) c.method = one_of(*n, "method", {"dense", "slq", "distributed"});
    if (const auto* n = t.get("storage")) c.storage = one_of(*n, "storage", {"auto", "stored", "regenerate"});
    if (const auto* n = t.get("probes")) c.probes = static_cast<int>(bounded(*n, "probes", 2, 4096));
    if (const auto* n = t.get("steps")) c.steps = static_cast<int>(bounded(*n, "steps", 2, 100000));
    if (const auto* n = t.get("tile")) c.tile = bounded(*n, "tile", 0, std::int64_t{1} << 40);
    if (const auto* n = t.get("reorth")) {
      if (const auto* b = n->as_boolean()) c.reorth = b->get();
      else fail(*n, "'reorth' must be true or false");
    }
    if (const auto* p = t.get("params"))
      for (const auto& [key, value] : table(*p, "params")) c.params.emplace_back(std::string(key.str()), param_value(value, key.str()));
    if (const auto* tol = t.get("tolerance"))
      for (const auto& [key, value] : table(*tol, "tolerance")) {
        const double v = number(value, key.str());
        if (!(v >= 0)) fail(value, fmt::format("tolerance '{}' = {} must be >= 0", key.str(), v));
        c.tolerance[std::string(key.str())] = v;
      }
    return c;
  }

  // mutation = { theory_set = { c = 0.55 }, scale = 1.05, hermite_a1 = 0.9, drop_mu2 = true, expect = "caught" }
  // (bench/mutation.hpp; values are checked against the case when it resolves).
  TheoryMutation mutation(const toml::node& node) const {
    const auto& t = table(node, "mutation");
    allow_only(t, {"theory_set", "scale", "hermite_a1", "drop_mu2", "expect"}, "mutation");
    TheoryMutation m;
    if (const auto* set = t.get("theory_set"))
      for (const auto& [key, value] : table(*set, "theory_set")) m.set.emplace_back(std::string(key.str()), param_value(value, key.str()));
    if (const auto* n = t.get("scale")) m.scale = number(*n, "scale");
    if (const auto* n = t.get("hermite_a1")) m.hermite_a1 = number(*n, "hermite_a1");
    if (const auto* n = t.get("drop_mu2")) {
      const auto* b = n->as_boolean();
      if (!b) fail(*n, "'drop_mu2' must be true or false");
      m.drop_mu2 = b->get();
    }
    if (const auto* n = t.get("expect")) m.expect = one_of(*n, "expect", {"caught", "survives"});
    if (!m.active()) fail(node, "'mutation' changes nothing (give theory_set, scale, hermite_a1 or drop_mu2)");
    return m;
  }

  // The axes of a [case.sweep] / [case.zip] table, in the order written.
  std::vector<SweepAxis> axes(const toml::table& t, std::string_view where, const ModelBase& model) const {
    std::vector<std::pair<std::string, const toml::node*>> entries;
    for (const auto& [key, node] : t) entries.emplace_back(std::string(key.str()), &node);
    std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
      const auto sa = a.second->source().begin, sb = b.second->source().begin;
      return sa.line != sb.line ? sa.line < sb.line : sa.column < sb.column;
    });
    const auto specs = model.params();
    std::vector<SweepAxis> out;
    for (const auto& [key, node] : entries) {
      const auto spec = std::find_if(specs.begin(), specs.end(), [&name = key](const ParamSpec& s) { return s.name == name; });
      if (spec == specs.end()) {
        std::string known;
        for (const auto& s : specs) known += (known.empty() ? "" : ", ") + s.name;
        fail(*node, fmt::format("{}: unknown parameter '{}' for model {} (known: {})", where, key, model.name(), known));
      }
      SweepAxis axis{key, {}};
      const auto what = fmt::format("{} '{}'", where, key);
      if (const auto* s = node->as_string()) {
        try {
          axis.values = grid_values(s->get(), spec->kind == ParamSpec::Kind::integer, what);
        } catch (const InputError& e) {
          fail(*node, fmt::format("{} (text values go in an array: {} = [\"a\", \"b\"])", e.what(), key));
        }
      } else if (const auto* a = node->as_array()) {
        std::vector<std::string> texts;
        for (const auto& v : *a) texts.push_back(param_value(v, key));
        if (texts.empty()) fail(*node, fmt::format("{} has no values", what));
        axis.values = list_values(texts);
      } else {
        fail(*node, fmt::format("{} must be an array of values or a grid string (\"a:b:k\", \"a:b:klog\", \"1,2,3\")", what));
      }
      out.push_back(std::move(axis));
    }
    return out;
  }

  // `outer`: the keys of the include tables that led to this file, between its [defaults] and the
  // case's own keys.
  std::vector<SuiteCase> read_case(const toml::table& t, const Common& defaults, const Common& outer) const {
    std::vector<std::string_view> allowed = {"name", "model", "sweep", "zip", "mutation"};
    allowed.insert(allowed.end(), kCommonKeys.begin(), kCommonKeys.end());
    allow_only(t, allowed, "[[case]]");
    const auto* name = t.get("name");
    const auto* model_node = t.get("model");
    if (!name) fail(t, "[[case]] has no 'name'");
    if (!model_node) fail(t, "[[case]] has no 'model'");
    SuiteCase base;
    base.origin = origin(t);
    base.spec.name = text(*name, "name");
    if (base.spec.name.empty()) fail(*name, "'name' must not be empty");
    base.spec.model = text(*model_node, "model");
    const ModelBase* model = nullptr;
    try {
      model = &find_any_model(base.spec.model);
    } catch (const InputError& e) {
      fail(*model_node, e.what());
    }
    defaults.apply_to(base);
    outer.apply_to(base);
    common(t).apply_to(base);
    if (const auto* m = t.get("mutation")) base.spec.mutation = mutation(*m);

    SweepSpec sweep;
    if (const auto* s = t.get("sweep")) sweep.cartesian = axes(table(*s, "sweep"), "sweep", *model);
    if (const auto* z = t.get("zip")) sweep.zipped = axes(table(*z, "zip"), "zip", *model);
    if (sweep.empty()) return {base};
    const auto* sweep_node = t.get("sweep") ? t.get("sweep") : t.get("zip");
    for (const auto& key : sweep.keys())
      if (const auto* p = t.get("params"); p && p->as_table() && p->as_table()->contains(key))
        fail(*p, fmt::format("parameter '{}' is both in params and swept", key));
    std::vector<SweepPoint> points;
    try {
      points = expand_sweep(sweep);
    } catch (const InputError& e) {
      fail(*sweep_node, e.what());
    }
    std::vector<SuiteCase> out;
    for (const auto& p : points) {
      SuiteCase c = base;
      c.spec.name = sweep_case_name(base.spec.name, p);
      c.spec.params.insert(c.spec.params.end(), p.values.begin(), p.values.end());
      c.sweep = base.spec.name;
      c.sweep_axes = sweep.keys();
      out.push_back(std::move(c));
    }
    return out;
  }

  std::vector<SuiteCase> read_include(const toml::node& node, const fs::path& base_dir, const Common& outer) const {
    std::string file;
    Common over;
    if (const auto* s = node.as_string()) {
      file = s->get();
    } else if (const auto* t = node.as_table()) {
      std::vector<std::string_view> allowed = {"file"};
      allowed.insert(allowed.end(), kCommonKeys.begin(), kCommonKeys.end());
      allow_only(*t, allowed, "an include table");
      const auto* f = t->get("file");
      if (!f) fail(node, "an include table needs 'file'");
      file = text(*f, "file");
      over = common(*t);
    } else {
      fail(node, "an include is a file name or a table { file = \"...\", ... }");
    }
    const fs::path path = (fs::path(file).is_absolute() ? fs::path(file) : base_dir / file).lexically_normal();
    try {
      return load(path, over.layered(outer));  // the outermost include table has the last word
    } catch (const InputError& e) {
      fail(node, fmt::format("in include '{}': {}", file, e.what()));
    }
  }

  std::vector<SuiteCase> read(const toml::table& root, const fs::path& base_dir, const Common& outer) const {
    allow_only(root, {"include", "defaults", "case"}, "the suite");
    std::vector<SuiteCase> out;
    if (const auto* inc = root.get("include")) {
      const auto* list = inc->as_array();
      if (!list) fail(*inc, "'include' must be an array of file names or tables");
      for (const auto& node : *list)
        for (auto& c : read_include(node, base_dir, outer)) out.push_back(std::move(c));
    }
    Common defaults;
    if (const auto* d = root.get("defaults")) {
      const auto& t = table(*d, "defaults");
      allow_only(t, kCommonKeys, "[defaults]");
      defaults = common(t);
    }
    if (const auto* cases = root.get("case")) {
      if (!cases->is_array_of_tables()) fail(*cases, "'case' must be written as [[case]] tables");
      for (const auto& node : *cases->as_array())
        for (auto& c : read_case(*node.as_table(), defaults, outer)) out.push_back(std::move(c));
    }
    if (out.empty()) fail(root, "the suite has no [[case]] tables (and includes none)");
    return out;
  }

  std::vector<SuiteCase> parse(std::string_view text, const fs::path& base_dir, const Common& outer = {}) const {
    toml::table root;
    try {
      root = toml::parse(text, source_);
    } catch (const toml::parse_error& e) {
      fail(e.source().begin.line, e.description());
    }
    return read(root, base_dir, outer);
  }

  std::vector<SuiteCase> load(const fs::path& path, const Common& outer = {}) const {
    std::error_code ec;
    const auto canonical = fs::weakly_canonical(path, ec);
    if (std::find(open_->begin(), open_->end(), canonical) != open_->end())
      throw InputError(fmt::format("'{}' includes itself", path.string()));
    // A device (/dev/zero, /dev/stdin) would be read forever: suites are regular files.
    if (fs::exists(path, ec) && !fs::is_regular_file(path, ec))
      throw InputError(fmt::format("cannot read suite file '{}': not a regular file", path.string()));
    std::ifstream in(path);
    if (!in) throw InputError(fmt::format("cannot read suite file '{}'", path.string()));
    std::stringstream buffer;
    buffer << in.rdbuf();
    open_->push_back(canonical);
    auto cases = SuiteReader(path.string(), open_).parse(buffer.str(), path.parent_path(), outer);
    open_->pop_back();
    return cases;
  }

 private:
  std::string source_;
  std::vector<fs::path>* open_;  // files being read, to catch include cycles
};

// Every case must resolve (model parameters, ranges) before anything runs; name the case's line.
void validate(const std::vector<SuiteCase>& cases) {
  for (const auto& c : cases) {
    try {
      resolve_case(c.spec);
    } catch (const InputError& e) {
      throw InputError(fmt::format("{}: case '{}': {}", c.origin, c.spec.name, e.what()));
    }
  }
  check_unique_names(cases);
}

std::vector<CaseSpec> specs_of(const std::vector<SuiteCase>& cases) {
  std::vector<CaseSpec> out;
  for (const auto& c : cases) out.push_back(c.spec);
  return out;
}

}  // namespace

void check_unique_names(const std::vector<SuiteCase>& cases) {
  std::map<std::string, const SuiteCase*> seen;
  for (const auto& c : cases) {
    const auto [it, inserted] = seen.emplace(c.spec.name, &c);
    if (!inserted)
      throw InputError(fmt::format("{}: duplicate case name '{}' (first defined at {})", c.origin, c.spec.name,
                                   it->second->origin));
  }
}

std::vector<SuiteCase> parse_suite_cases(std::string_view text, std::string_view source_name) {
  std::vector<fs::path> open;
  auto cases = SuiteReader(std::string(source_name), &open).parse(text, fs::path(source_name).parent_path());
  validate(cases);
  return cases;
}

std::vector<SuiteCase> load_suite_cases(const fs::path& path) {
  std::vector<fs::path> open;
  auto cases = SuiteReader(path.string(), &open).load(path);
  validate(cases);
  return cases;
}

std::vector<SuiteCase> default_suite_cases() { return parse_suite_cases(kQuickSuite, "<embedded quick.toml>"); }

std::vector<CaseSpec> parse_suite(std::string_view text, std::string_view source_name) {
  return specs_of(parse_suite_cases(text, source_name));
}

std::vector<CaseSpec> load_suite(const fs::path& path) { return specs_of(load_suite_cases(path)); }

std::vector<CaseSpec> default_suite() { return specs_of(default_suite_cases()); }

std::vector<SuiteCase> select_suite_cases(const CaseSelection& o, const std::function<void(const std::string&)>& note) {
  Assignments sets;
  for (const auto& s : o.sets) sets.push_back(parse_assignment(s, "--set"));
  std::vector<SuiteCase> cases;
  if (!o.model.empty()) {
    if (!o.suites.empty()) throw InputError("--model: give either suite files or --model, not both");
    SuiteCase c;
    c.spec.name = o.model;
    for (const auto& [k, v] : sets) c.spec.name += fmt::format("_{}={}", k, v);
    c.spec.model = o.model;
    c.origin = "--model";
    cases.push_back(c);
  } else if (o.suites.empty()) {
    cases = default_suite_cases();
  } else {
    for (const auto& path : o.suites)
      for (auto& c : load_suite_cases(path)) cases.push_back(std::move(c));
    check_unique_names(cases);
  }
  if (!o.cases.empty()) {  // a case name, or a sweep's name for all of its points
    std::vector<SuiteCase> chosen;
    std::set<std::string> taken;
    for (const auto& name : o.cases) {
      bool found = false;
      for (const auto& c : cases)
        if (c.spec.name == name || c.sweep == name) {
          found = true;
          if (taken.insert(c.spec.name).second) chosen.push_back(c);
        }
      if (!found) throw InputError(fmt::format("--case: no case or sweep named '{}'", name));
    }
    cases = std::move(chosen);
  }
  std::set<std::string> ignored;  // --set keys that a sweep defines
  for (auto& c : cases)
    for (const auto& [k, v] : sets) {
      // A sweep's own parameters stay as swept: overriding them would make every point the same case.
      if (std::find(c.sweep_axes.begin(), c.sweep_axes.end(), k) != c.sweep_axes.end()) {
        if (ignored.insert(fmt::format("{} {}", c.sweep, k)).second && note)
          note(fmt::format("--set {} does not apply to sweep '{}', which sweeps {}", k, c.sweep, k));
        continue;
      }
      c.spec.params.emplace_back(k, v);
    }
  return cases;
}

}  // namespace rmt::bench
