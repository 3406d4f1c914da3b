// Deep networks draw large weight matrices in column blocks (memory O(width × n)): the blocked
// pre-activations equal the whole-matrix ones to rounding, whatever the block size. And the models
// whose right edge is not judged say so (rmtbench models).
#include <gtest/gtest.h>

#include <cmath>

#include "bench/model.hpp"
#include "bench/models/common/deep.hpp"

using namespace rmt;
using namespace rmt::bench;

TEST(NetworkBlocks, BlockedPreactivationsEqualTheWholeProduct) {
  auto backend = make_cpu_backend();
  const NetworkShape shape = network_shape(120, 0.5, {0.8, 1.3});  // widths 240, 150, 92
  const StreamKey key{9, 17, 0, 0};
  StageTimes t;
  const Matrix x0 = sample_input(*backend, shape, key, t);
  const auto whole = backend->to_host(preactivation(*backend, shape, 1, x0, key, t));
  double norm = 0;
  for (const double v : whole) norm = std::max(norm, std::abs(v));
  for (const std::size_t bytes : {std::size_t(150 * 8 * 2), std::size_t(150 * 8 * 37), std::size_t(150 * 8 * 100)}) {
    const index_t block = weight_block_columns(150, 240, bytes);
    EXPECT_EQ(block % 2, 0);
    EXPECT_LT(block, 240);
    const auto blocked = backend->to_host(preactivation(*backend, shape, 1, x0, key, t, bytes));
    ASSERT_EQ(blocked.size(), whole.size());
    for (std::size_t e = 0; e < whole.size(); ++e) EXPECT_NEAR(blocked[e], whole[e], 1e-12 * norm) << bytes << " " << e;
  }
  EXPECT_EQ(weight_block_columns(150, 240, kWeightBlockBytes), 240);  // small layers stay whole
  // The memory plan counts one block of W, not the whole matrix, for wide layers.
  const NetworkShape wide = network_shape(4000, 0.05, {0.05});  // 80000 × 80000 weights: 51 GB whole
  EXPECT_LT(network_bytes(wide), std::size_t(80000) * 80000 * 8 / 4);
}

// `rmtbench models` names the models whose right edge is not judged (Model::edge_note): every model
// that skips it at its defaults, or for some value of a parameter (deep_ntk kernel = ntk), says so.
TEST(NetworkBlocks, ModelsThatSkipTheEdgeSaySo) {
  for (const auto& m : models()) {
    const Params defaults = resolve_params(m->name(), m->params(), {});
    if (!m->judges_edge(defaults)) {
      EXPECT_FALSE(m->edge_note().empty()) << m->name();
    }
  }
  EXPECT_EQ(find_model("kernel_el_karoui").edge_note().substr(0, 5), "never");
  const Model& deep = find_model("deep_ntk");
  EXPECT_FALSE(deep.judges_edge(resolve_params("deep_ntk", deep.params(), {{"kernel", "ntk"}})));
  EXPECT_FALSE(deep.edge_note().empty());
  EXPECT_TRUE(find_model("mp").edge_note().empty());
}
