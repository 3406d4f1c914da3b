#include <gtest/gtest.h>

#include "bench/case.hpp"
#include "bench/suite.hpp"
#include "core/base/error.hpp"

using namespace rmt;
using namespace rmt::bench;

namespace {
std::string error_of(std::string_view text) {
  try {
    for (const auto& c : parse_suite(text, "s.toml")) resolve_case(c);
  } catch (const InputError& e) {
    return e.what();
  }
  return "no error";
}
}  // namespace

TEST(Suite, ParsesCasesWithDefaults) {
  const auto cases = parse_suite(R"(
[defaults]
seed = 7
replicates = 3

[[case]]
name = "a"
model = "mp"
params = { c = 0.25, n = 400, sigma2 = 2 }

[[case]]
name = "b"
model = "spiked"
seed = 9
params = { spikes = "1,3" }
tolerance = { ks = 0.5 }
)", "s.toml");
  ASSERT_EQ(cases.size(), 2u);
  EXPECT_EQ(cases[0].seed, 7u);
  EXPECT_EQ(cases[0].replicates, 3);
  EXPECT_EQ(cases[1].seed, 9u);
  EXPECT_DOUBLE_EQ(cases[1].tolerance.at("ks"), 0.5);
  const auto a = resolve_case(cases[0]);
  EXPECT_DOUBLE_EQ(a.params.real("c"), 0.25);
  EXPECT_EQ(a.sizes.rows, 100);
  EXPECT_EQ(a.sizes.eig_dim, 100);
  EXPECT_EQ(resolve_case(cases[1]).params.text("spikes"), "1,3");
}

TEST(Suite, EmbeddedDefaultSuiteResolves) {
  const auto cases = default_suite();
  EXPECT_GE(cases.size(), 3u);
  for (const auto& c : cases) EXPECT_NO_THROW(resolve_case(c)) << c.name;
}

TEST(Suite, ErrorsNameTheLineAndToken) {
  EXPECT_NE(error_of("[[case]]\nname = \"a\"\nmodel = \"mp\"\nbogus = 1\n").find("s.toml:4: unknown key 'bogus'"),
            std::string::npos);
  EXPECT_NE(error_of("[[case]]\nname=\"a\"\nmodel=\"mp\"\n[[case]]\nname=\"a\"\nmodel=\"mp\"\n").find("duplicate case name 'a'"),
            std::string::npos);
  EXPECT_NE(error_of("[[case]]\nname=\"a\"\n").find("no 'model'"), std::string::npos);
  EXPECT_NE(error_of("[[case]]\nname=\"a\"\nmodel=\"nope\"\n").find("unknown model 'nope'"), std::string::npos);
  EXPECT_NE(error_of("[[case]]\nname=\"a\"\nmodel=\"mp\"\nparams={c=-1}\n").find("out of range"), std::string::npos);
  EXPECT_NE(error_of("[[case]]\nname=\"a\"\nmodel=\"mp\"\nparams={foo=1}\n").find("unknown parameter 'foo'"),
            std::string::npos);
  EXPECT_NE(error_of("[[case]]\nname=\"a\"\nmodel=\"mp\"\nreplicates=0\n").find("s.toml:4"), std::string::npos);
  EXPECT_NE(error_of("[[case]\n").find("s.toml:1"), std::string::npos);
  EXPECT_NE(error_of("title = 1\n").find("unknown key 'title'"), std::string::npos);
  EXPECT_NE(error_of("").find("no [[case]]"), std::string::npos);
  EXPECT_NE(error_of("[[case]]\nname=\"a\"\nmodel=\"silverstein\"\nparams={pop=\"1:0\"}\n").find("weight"),
            std::string::npos);
  EXPECT_NE(error_of("[[case]]\nname=\"a\"\nmodel=\"spiked\"\nparams={spikes=\"2,x\"}\n").find("'x'"),
            std::string::npos);
}

TEST(Suite, MissingFileIsInputError) { EXPECT_THROW(load_suite("/nonexistent/suite.toml"), InputError); }

TEST(Case, KeyDependsOnModelAndParametersOnly) {
  CaseSpec a, b;
  a.name = "x";
  a.model = b.model = "mp";
  a.params = {{"c", "0.5"}};
  b.name = "y";
  b.params = {{"c", "0.50"}, {"n", "2000"}};
  EXPECT_EQ(resolve_case(a).case_key, resolve_case(b).case_key);  // same resolved parameters
  b.params = {{"c", "0.6"}};
  EXPECT_NE(resolve_case(a).case_key, resolve_case(b).case_key);
}
