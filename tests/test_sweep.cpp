// Suites with sweeps, includes and defaults (bench/suite.hpp, bench/sweep.hpp): expansion order,
// naming, strict validation with file and line, and the suites shipped in bench/suites/.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "bench/model.hpp"
#include "bench/suite.hpp"
#include "bench/sweep.hpp"
#include "core/base/error.hpp"

using namespace rmt;
using namespace rmt::bench;
namespace fs = std::filesystem;

namespace {

std::string error_of(std::string_view text) {
  try {
    parse_suite_cases(text, "s.toml");
  } catch (const InputError& e) {
    return e.what();
  }
  return "no error";
}

std::vector<std::string> names(const std::vector<SuiteCase>& cases) {
  std::vector<std::string> out;
  for (const auto& c : cases) out.push_back(c.spec.name);
  return out;
}

std::string param(const SuiteCase& c, const std::string& key) {
  std::string value = "<unset>";
  for (const auto& [k, v] : c.spec.params)
    if (k == key) value = v;  // the last assignment wins, as in resolve_params
  return value;
}

// A scratch directory with suite files.
struct Files {
  fs::path dir = fs::temp_directory_path() / ("rmt_test_sweep_" + std::to_string(getpid()));
  Files() { fs::create_directories(dir); }
  ~Files() { fs::remove_all(dir); }
  fs::path write(const std::string& name, const std::string& text) const {
    fs::create_directories((dir / name).parent_path());
    std::ofstream(dir / name) << text;
    return dir / name;
  }
};

}  // namespace

TEST(Sweep, GridValuesAndLabels) {
  const auto lin = grid_values("250:1000:4", true, "n");
  ASSERT_EQ(lin.size(), 4u);
  EXPECT_EQ(lin[0].text, "250");
  EXPECT_EQ(lin[1].text, "500");
  EXPECT_EQ(lin[3].text, "1000");
  const auto geo = grid_values("250:4000:5log", true, "n");
  std::vector<std::string> texts;
  for (const auto& v : geo) texts.push_back(v.text);
  EXPECT_EQ(texts, (std::vector<std::string>{"250", "500", "1000", "2000", "4000"}));
  // Real values: full precision in the parameter, short but distinct labels in the name.
  const auto lam = grid_values("0.001:1:4log", false, "lambda");
  EXPECT_EQ(lam[1].label, "0.01");
  EXPECT_EQ(lam[1].text.substr(0, 5), "0.01");
  const auto close = grid_values("1,1.00001", false, "c");
  EXPECT_NE(close[0].label, close[1].label);
  EXPECT_THROW(grid_values("10:11:5", true, "n"), InputError);  // integers repeat after rounding
  EXPECT_THROW(grid_values("1:0:3log", false, "c"), InputError);
  EXPECT_THROW(grid_values("relu", false, "activation"), InputError);
}

TEST(Sweep, CartesianFirstAxisSlowestThenZip) {
  SweepSpec s;
  s.cartesian = {{"a", list_values({"1", "2"})}, {"b", list_values({"x", "y", "z"})}};
  auto points = expand_sweep(s);
  ASSERT_EQ(points.size(), 6u);
  EXPECT_EQ(points[0].label, "a=1,b=x");
  EXPECT_EQ(points[1].label, "a=1,b=y");
  EXPECT_EQ(points[3].label, "a=2,b=x");
  s.zipped = {{"c", list_values({"0.1", "0.2"})}, {"d", list_values({"5", "6"})}};
  points = expand_sweep(s);
  ASSERT_EQ(points.size(), 12u);  // 2 × 3 × (one zipped axis of 2)
  EXPECT_EQ(points[0].label, "a=1,b=x,c=0.1,d=5");
  EXPECT_EQ(points[1].label, "a=1,b=x,c=0.2,d=6");
  EXPECT_EQ(sweep_case_name("base", points[1]), "base[a=1,b=x,c=0.2,d=6]");
  s.zipped[1].values.pop_back();
  EXPECT_THROW(expand_sweep(s), InputError);  // zipped lists of different lengths
  SweepSpec twice;
  twice.cartesian = {{"a", list_values({"1"})}};
  twice.zipped = {{"a", list_values({"2"})}};
  EXPECT_THROW(expand_sweep(twice), InputError);
  SweepSpec big;
  big.cartesian = {{"a", grid_values("1:100:100", false, "a")}, {"b", grid_values("1:200:200", false, "b")}};
  EXPECT_THROW(expand_sweep(big), InputError);  // 20000 points
}

TEST(Suite, SweepExpandsIntoNamedCases) {
  const auto cases = parse_suite_cases(R"(
[defaults]
replicates = 2

[[case]]
name = "mp_conv"
model = "mp"
params = { c = 0.5 }
[case.sweep]
n = "250:1000:3log"

[[case]]
name = "grid"
model = "rf"
params = { n = 200 }
[case.sweep]
psi = [0.5, 0.8]
activation = ["relu", "tanh"]
[case.zip]
phi = [0.25, 0.5]
slope = [0.01, 0.02]

[[case]]
name = "plain"
model = "mp"
params = { n = 100 }
)", "s.toml");
  const auto n = names(cases);
  ASSERT_EQ(n.size(), 3u + 8u + 1u);
  EXPECT_EQ(n[0], "mp_conv[n=250]");
  EXPECT_EQ(n[1], "mp_conv[n=500]");
  EXPECT_EQ(n[2], "mp_conv[n=1000]");
  // Cartesian axes in the order written (psi before activation), the zipped pair last.
  EXPECT_EQ(n[3], "grid[psi=0.5,activation=relu,phi=0.25,slope=0.01]");
  EXPECT_EQ(n[4], "grid[psi=0.5,activation=relu,phi=0.5,slope=0.02]");
  EXPECT_EQ(n[5], "grid[psi=0.5,activation=tanh,phi=0.25,slope=0.01]");
  EXPECT_EQ(n[10], "grid[psi=0.8,activation=tanh,phi=0.5,slope=0.02]");
  EXPECT_EQ(n[11], "plain");
  EXPECT_EQ(param(cases[1], "n"), "500");
  EXPECT_EQ(param(cases[1], "c"), "0.5");
  EXPECT_EQ(cases[1].sweep, "mp_conv");
  EXPECT_EQ(cases[1].sweep_axes, (std::vector<std::string>{"n"}));
  EXPECT_EQ(cases[4].sweep_axes, (std::vector<std::string>{"psi", "activation", "phi", "slope"}));
  EXPECT_EQ(cases[11].sweep, "");
  for (const auto& c : cases) EXPECT_EQ(c.spec.replicates, 2) << c.spec.name;
  EXPECT_EQ(cases[0].origin, "s.toml:5");
  std::set<std::string> unique(n.begin(), n.end());
  EXPECT_EQ(unique.size(), n.size());
}

TEST(Suite, GridParameterIsOneCaseNotASweep) {
  // A string value in params stays one parameter value; only [case.sweep] makes several cases.
  const auto cases = parse_suite_cases("[[case]]\nname = \"s\"\nmodel = \"spiked\"\nparams = { spikes = \"1,2,3\" }\n",
                                       "s.toml");
  ASSERT_EQ(cases.size(), 1u);
  EXPECT_EQ(param(cases[0], "spikes"), "1,2,3");
  EXPECT_NE(error_of("[[case]]\nname=\"a\"\nmodel=\"mp\"\nparams={n=[100,200]}\n").find("s.toml:4: parameter 'n' is an array"),
            std::string::npos);
}

TEST(Suite, DefaultsBackendAndRequires) {
  const auto cases = parse_suite_cases(R"(
[defaults]
seed = 3
backend = "cpu"
params = { n = 300 }
tolerance = { ks = 0.5 }

[[case]]
name = "a"
model = "mp"

[[case]]
name = "b"
model = "mp"
params = { n = 400 }
requires = "cuda"
backend = "auto"
tolerance = { w1 = 0.25 }
)", "s.toml");
  ASSERT_EQ(cases.size(), 2u);
  EXPECT_EQ(cases[0].spec.seed, 3u);
  EXPECT_EQ(cases[0].backend, "cpu");
  EXPECT_EQ(cases[0].needs, "");
  EXPECT_EQ(param(cases[0], "n"), "300");
  EXPECT_EQ(param(cases[1], "n"), "400");  // the case's own value wins over [defaults]
  EXPECT_EQ(cases[1].backend, "auto");
  EXPECT_EQ(cases[1].needs, "cuda");
  EXPECT_DOUBLE_EQ(cases[1].spec.tolerance.at("ks"), 0.5);
  EXPECT_DOUBLE_EQ(cases[1].spec.tolerance.at("w1"), 0.25);
}

TEST(Suite, IncludesWithOverridesAndTheirOwnDefaults) {
  Files f;
  f.write("base.toml", "[defaults]\nreplicates = 5\nseed = 9\n\n[[case]]\nname = \"m\"\nmodel = \"mp\"\n"
                       "params = { n = 200 }\n\n[[case]]\nname = \"k\"\nmodel = \"kernel\"\nreplicates = 4\n");
  f.write("sub/inc.toml", "include = [\"../base.toml\"]\n");
  const auto top = f.write("top.toml", R"(
include = ["sub/inc.toml", { file = "base.toml", replicates = 2, params = { n = 120 } }]
[defaults]
replicates = 7
[[case]]
name = "own"
model = "mp"
)");
  // Including base.toml twice gives duplicate names: an error naming both places.
  try {
    load_suite_cases(top);
    FAIL() << "duplicate names accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("duplicate case name 'm'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("/base.toml:5"), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).find(".."), std::string::npos) << e.what();
  }
  f.write("top.toml", R"(include = [{ file = "base.toml", replicates = 2, params = { n = 120 } }]
[defaults]
replicates = 7
[[case]]
name = "own"
model = "mp"
)");
  const auto cases = load_suite_cases(top);
  ASSERT_EQ(names(cases), (std::vector<std::string>{"m", "k", "own"}));
  // The include table's keys win over base.toml's [defaults] ...
  EXPECT_EQ(cases[0].spec.replicates, 2);
  EXPECT_EQ(param(cases[1], "n"), "120");
  // ... but not over a case's own keys.
  EXPECT_EQ(param(cases[0], "n"), "200");
  EXPECT_EQ(cases[1].spec.replicates, 4);
  EXPECT_EQ(cases[0].spec.seed, 9u);       // base.toml's own [defaults] still apply to its cases
  EXPECT_EQ(cases[2].spec.replicates, 7);  // top.toml's [defaults] do not reach included cases
  EXPECT_EQ(cases[2].spec.seed, 42u);

  f.write("loop.toml", "include = [\"loop.toml\"]\n");
  EXPECT_THROW(load_suite_cases(f.dir / "loop.toml"), InputError);
  f.write("bad.toml", "[[case]]\nname = \"x\"\nmodel = \"mp\"\nwhat = 1\n");
  f.write("inc_bad.toml", "\ninclude = [\"bad.toml\"]\n");
  try {
    load_suite_cases(f.dir / "inc_bad.toml");
    FAIL();
  } catch (const InputError& e) {  // both the include line and the offending line are named
    EXPECT_NE(std::string(e.what()).find("inc_bad.toml:2"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("bad.toml:4: unknown key 'what'"), std::string::npos) << e.what();
  }
  EXPECT_NE(error_of("include = [\"/nonexistent/x.toml\"]\n").find("cannot read suite file"), std::string::npos);
  EXPECT_NE(error_of("include = [{ path = \"x.toml\" }]\n").find("unknown key 'path'"), std::string::npos);
}

TEST(Suite, InvalidSweepsNameFileAndLine) {
  const auto has = [](const std::string& text, const std::string& want) {
    const auto e = error_of(text);
    EXPECT_NE(e.find(want), std::string::npos) << "error: " << e << "\nwanted: " << want;
  };
  has("[[case]]\nname=\"a\"\nmodel=\"mp\"\n[case.sweep]\nn = \"100:50:0\"\n", "s.toml:5: sweep 'n'");
  has("[[case]]\nname=\"a\"\nmodel=\"mp\"\n[case.sweep]\nc = \"-1:2:3log\"\n", "s.toml:5");
  has("[[case]]\nname=\"a\"\nmodel=\"mp\"\n[case.sweep]\nactivation = [\"relu\"]\n",
      "s.toml:5: sweep: unknown parameter 'activation' for model mp");
  has("[[case]]\nname=\"a\"\nmodel=\"mp\"\n[case.sweep]\nc = []\n", "s.toml:5: sweep 'c' has no values");
  has("[[case]]\nname=\"a\"\nmodel=\"mp\"\n[case.sweep]\nc = 0.5\n", "s.toml:5: sweep 'c' must be an array");
  has("[[case]]\nname=\"a\"\nmodel=\"rf\"\n[case.sweep]\nactivation = \"relu\"\n", "text values go in an array");
  has("[[case]]\nname=\"a\"\nmodel=\"mp\"\n[case.zip]\nc = [0.5, 1]\nn = [100]\n", "zipped lists need one length");
  has("[[case]]\nname=\"a\"\nmodel=\"mp\"\nparams = { n = 100 }\n[case.sweep]\nn = [200]\n", "both in params and swept");
  // Values out of the model's range are caught when the expanded case resolves, naming its [[case]] line.
  has("\n[[case]]\nname=\"a\"\nmodel=\"mp\"\n[case.sweep]\nc = [0.5, 500]\n", "s.toml:2: case 'a[c=500]'");
  has("[[case]]\nname=\"a\"\nmodel=\"mp\"\nsweep = 3\n", "s.toml:4: 'sweep' must be a table");
  has("[[case]]\nname=\"a[n=100]\"\nmodel=\"mp\"\n[[case]]\nname=\"a\"\nmodel=\"mp\"\nsweep={n=[100]}\n",
      "duplicate case name 'a[n=100]' (first defined at s.toml:1)");
  has("[[case]]\nname=\"a\"\nmodel=\"mp\"\nrequires=\"gpu\"\n", "s.toml:4: 'requires' = \"gpu\" is not one of cuda");
  has("[[case]]\nname=\"a\"\nmodel=\"mp\"\nbackend=\"tpu\"\n", "s.toml:4: 'backend'");
  has("[defaults]\nname=\"a\"\n", "s.toml:2: unknown key 'name' in [defaults]");
  has("[[case]]\nname=\"a\"\nmodel=\"mp\"\ntolerance={ks=-1}\n", "s.toml:4: tolerance 'ks'");
  has("[[case]]\nname=\"a\"\nmodel=\"nope\"\n", "s.toml:3: unknown model 'nope'");
}

TEST(Suite, ShippedSuitesParse) {
  for (const auto& entry : fs::directory_iterator(fs::path(RMT_SOURCE_DIR) / "bench" / "suites"))
    if (entry.path().extension() == ".toml") {
      EXPECT_NO_THROW(load_suite_cases(entry.path())) << entry.path();
    }
}

TEST(Suite, NightlyCoversEveryModelAndHasConvergenceAndGpuCases) {
  const auto cases = load_suite_cases(fs::path(RMT_SOURCE_DIR) / "bench" / "suites" / "nightly.toml");
  std::set<std::string> models_run, swept_over_n;
  int gpu = 0;
  for (const auto& c : cases) {
    models_run.insert(c.spec.model);
    for (const auto& axis : c.sweep_axes)
      if (axis == "n") swept_over_n.insert(c.spec.model);
    gpu += c.needs == "cuda";
  }
  for (const auto& m : models()) EXPECT_TRUE(models_run.count(std::string(m->name()))) << m->name() << " is not in nightly.toml";
  EXPECT_GE(swept_over_n.size(), 5u);
  EXPECT_GE(gpu, 3);
}
