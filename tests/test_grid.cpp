#include <gtest/gtest.h>

#include "core/base/error.hpp"
#include "core/base/grid.hpp"

using rmt::parse_grid;

TEST(Grid, ScalarsAndLists) {
  EXPECT_EQ(parse_grid("0.5", "x"), std::vector<double>{0.5});
  EXPECT_EQ(parse_grid("1, 2,3", "x"), (std::vector<double>{1, 2, 3}));
  EXPECT_FALSE(rmt::is_grid("0.5"));
  EXPECT_TRUE(rmt::is_grid("1,2"));
  EXPECT_TRUE(rmt::is_grid("1:2:3"));
}

TEST(Grid, LinearRangeIncludesBothEnds) {
  const auto g = parse_grid("0.2:5:30", "psi1");
  ASSERT_EQ(g.size(), 30u);
  EXPECT_DOUBLE_EQ(g.front(), 0.2);
  EXPECT_DOUBLE_EQ(g.back(), 5.0);
  EXPECT_NEAR(g[1] - g[0], 4.8 / 29, 1e-15);
}

TEST(Grid, RangeWithHugeEndsStaysFinite) {
  const auto v = parse_grid("-1e308:1e308:3", "x");
  ASSERT_EQ(v.size(), 3u);
  EXPECT_EQ(v[0], -1e308);
  EXPECT_EQ(v[1], 0.0);
  EXPECT_EQ(v[2], 1e308);
}

TEST(Grid, GeometricRangeHasConstantRatio) {
  const auto g = parse_grid("0.001:1:4log", "lambda");
  ASSERT_EQ(g.size(), 4u);
  EXPECT_NEAR(g[1], 0.01, 1e-15);
  EXPECT_NEAR(g[2], 0.1, 1e-15);
  EXPECT_EQ(g.back(), 1.0);
}

TEST(Grid, BadGridsNameTheProblem) {
  EXPECT_THROW(parse_grid("1:2", "x"), rmt::InputError);
  EXPECT_THROW(parse_grid("1:2:0", "x"), rmt::InputError);
  EXPECT_THROW(parse_grid("0:1:5log", "x"), rmt::InputError);
  EXPECT_THROW(parse_grid("1:2:3,4", "x"), rmt::InputError);
  EXPECT_THROW(parse_grid("a:2:3", "x"), rmt::InputError);
  EXPECT_THROW(parse_grid("1:2:3:4", "x"), rmt::InputError);
  try {
    parse_grid("1:2:x", "--set lambda");
    FAIL();
  } catch (const rmt::InputError& e) {
    EXPECT_NE(std::string(e.what()).find("--set lambda"), std::string::npos);
  }
}
