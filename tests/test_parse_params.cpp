#include <gtest/gtest.h>

#include "core/base/error.hpp"
#include "core/base/params.hpp"
#include "core/base/parse.hpp"

using namespace rmt;

TEST(Parse, RealsAndIntegers) {
  EXPECT_DOUBLE_EQ(parse_real("0.5", "x"), 0.5);
  EXPECT_DOUBLE_EQ(parse_real(" +2e-3 ", "x"), 2e-3);
  EXPECT_EQ(parse_integer("2000", "n"), 2000);
  EXPECT_EQ(parse_integer("2e3", "n"), 2000);
  EXPECT_THROW(parse_real("abc", "x"), InputError);
  EXPECT_THROW(parse_real("1.5x", "x"), InputError);
  EXPECT_THROW(parse_real("nan", "x"), InputError);
  EXPECT_THROW(parse_real("inf", "x"), InputError);
  EXPECT_THROW(parse_integer("2.5", "n"), InputError);
}

TEST(Parse, ComplexForms) {
  EXPECT_EQ(parse_complex("2+1i", "z"), complex(2, 1));
  EXPECT_EQ(parse_complex("2-0.5i", "z"), complex(2, -0.5));
  EXPECT_EQ(parse_complex("-1", "z"), complex(-1, 0));
  EXPECT_EQ(parse_complex("0.5i", "z"), complex(0, 0.5));
  EXPECT_EQ(parse_complex("-i", "z"), complex(0, -1));
  EXPECT_EQ(parse_complex("2+i", "z"), complex(2, 1));
  EXPECT_EQ(parse_complex("1e-3+2e-1i", "z"), complex(1e-3, 0.2));
  EXPECT_EQ(parse_complex("-1e+2-3i", "z"), complex(-100, -3));
  for (const char* bad : {"", "2+", "i2", "2+xi", "1+2i+3i", "abc"}) {
    try {
      parse_complex(bad, "--z");
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find(std::string("'") + bad + "'"), std::string::npos) << e.what();
    }
  }
}

TEST(Parse, Lists) {
  EXPECT_EQ(parse_real_list("1, 2,3", "x"), (std::vector<double>{1, 2, 3}));
  const auto w = parse_weighted_list("1:1,3:2,7", "pop");
  ASSERT_EQ(w.size(), 3u);
  EXPECT_EQ(w[1], std::make_pair(3.0, 2.0));
  EXPECT_EQ(w[2], std::make_pair(7.0, 1.0));
  EXPECT_THROW(parse_real_list("1,,2", "x"), InputError);
  EXPECT_THROW(parse_weighted_list("1:a", "pop"), InputError);
  EXPECT_THROW(parse_assignment("novalue", "--set"), InputError);
  EXPECT_EQ(parse_assignment("c=0.5", "--set"), std::make_pair(std::string("c"), std::string("0.5")));
}

namespace {
std::vector<ParamSpec> specs() {
  return {ParamSpec::integer("n", "2000", "samples", 2, 1e7),
          ParamSpec::real("c", "0.5", "ratio", 0, 100, /*min_open=*/true),
          ParamSpec::text("pop", "1:1", "population", {})};
}
}  // namespace

TEST(Params, DefaultsOverridesAndCanonicalText) {
  const Params p = resolve_params("mp", specs(), {{"c", "2"}, {"n", "500"}});
  EXPECT_EQ(p.integer("n"), 500);
  EXPECT_DOUBLE_EQ(p.real("c"), 2.0);
  EXPECT_EQ(p.text("pop"), "1:1");
  EXPECT_EQ(p.canonical(), "c=2;n=500;pop=1:1");
  EXPECT_EQ(p.to_json()["n"], 500);
  EXPECT_EQ(p.to_json()["c"], 2.0);
}

TEST(Params, RejectsBadInputNamingIt) {
  const auto message = [](const Assignments& a) {
    try {
      resolve_params("mp", specs(), a);
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message({{"foo", "1"}}).find("unknown parameter 'foo'"), std::string::npos);
  EXPECT_NE(message({{"c", "0"}}).find("out of range"), std::string::npos);
  EXPECT_NE(message({{"c", "-1"}}).find("out of range"), std::string::npos);
  EXPECT_NE(message({{"c", "abc"}}).find("'abc'"), std::string::npos);
  EXPECT_NE(message({{"n", "1"}}).find("out of range"), std::string::npos);
  EXPECT_NE(message({{"n", "12.5"}}).find("not an integer"), std::string::npos);
}

TEST(Params, HashIsStable) {
  EXPECT_EQ(fnv1a32(""), 2166136261u);
  EXPECT_EQ(fnv1a32("a"), 0xe40c292cu);  // FNV-1a test vector
}
