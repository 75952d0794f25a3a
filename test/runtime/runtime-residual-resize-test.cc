// Residual add fusion into a 2-D resize (runtime-passes.c, pass 4; the FPN top-down add of
// an upsampled map and a lateral one): add(resize(lo), B) with B written by an earlier op
// runs as the resize plus its residual, chunk of rows by chunk of rows. Random shapes,
// scales, modes (nearest, bilinear), operand orders, clamps after the add, f32 and f16,
// with and without a threadpool, at the defined shapes and after a reshape: bit-identical
// to the same graph with no_residual_fusion. Then the graphs that must not fuse.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include <pqnn.h>

#include "common/fusion-block.h"
#include "common/low-high-run.h"
#include "common/runtime-graph.h"
#include "common/test-pool.h"

using namespace pqnn_test;

namespace {

struct Case {
  size_t n = 1, h = 3, w = 4, c = 8, scale = 2;
  pqnn_resize_mode mode = pqnn_resize_nearest;
  bool resized_first = true;   // add(A, B) instead of add(B, A)
  bool clamp_after = false;    // a clamp after the add (fused into the add first)
  bool binary_add = false;     // pqnn_define_binary(add) instead of add2
  bool resized_read_twice = false;  // A also feeds an external output: must not fuse
};

using Result = LowHighResult;

// lo [n][h][w][c] -> resize x scale = A; hi [n][H][W][c] -> multiply by a per-channel
// constant = B; add(A, B) [-> clamp] -> y (external 2).
Result run_case(const Case& k, uint32_t flags, bool fuse, pthreadpool_t pool) {
  const size_t c = k.c, hh = k.h * k.scale, ww = k.w * k.scale;
  Graph g(4);
  const uint32_t lo = g.input(0, {k.n, k.h, k.w, c});
  const uint32_t hi = g.input(1, {k.n, hh, ww, c});
  const uint32_t y = g.output(2, {k.n, hh, ww, c});
  const uint32_t a = k.resized_read_twice ? g.output(3, {k.n, hh, ww, c}) : g.f32({k.n, hh, ww, c});
  const uint32_t b = g.f32({k.n, hh, ww, c});
  const auto scale = random_f32(c, 0.5f, 1.5f, 7);
  EXPECT_EQ(pqnn_define_binary(g.sg, pqnn_binary_multiply, -INFINITY, INFINITY, hi,
      g.f32({1, 1, 1, c}, scale.data()), b, 0), pqnn_status_success);
  pqnn_resize_params rp = {};
  rp.mode = k.mode;
  rp.coordinates = k.mode == pqnn_resize_nearest ? pqnn_resize_asymmetric : pqnn_resize_half_pixel;
  rp.rounding = pqnn_resize_floor;
  rp.height_scale = rp.width_scale = (float) k.scale;
  EXPECT_EQ(pqnn_define_static_resize_2d(g.sg, &rp, lo, a, 0), pqnn_status_success);
  const uint32_t sum = k.clamp_after ? g.f32({k.n, hh, ww, c}) : y;
  const uint32_t first = k.resized_first ? a : b, second = k.resized_first ? b : a;
  define_unbounded_add(g, k.binary_add, first, second, sum);
  if (k.clamp_after) {
    EXPECT_EQ(pqnn_define_clamp(g.sg, -0.25f, 1.0f, sum, y, 0), pqnn_status_success);
  }
  return run_low_high(g, flags, fuse, pool, k.n, k.h, k.w, c, k.scale, k.scale,
      k.resized_read_twice);
}

size_t fused_into(const std::vector<pqnn_runtime_node_info>& infos, pqnn_node_type type) {
  size_t n = 0;
  for (const auto& i : infos) n += i.fused_add != 0 && i.type == type;
  return n;
}

size_t fused_into_resize(const std::vector<pqnn_runtime_node_info>& infos) {
  return fused_into(infos, pqnn_node_type_static_resize_2d);
}

TEST(RuntimeResidualResize, RandomFpnAddsMatchTheUnfusedGraph) {
  std::mt19937 rng(2027);
  pthreadpool_t pool = create_pool(2);
  const uint32_t flag_sets[] = {0, PQNN_FLAG_FORCE_FP16_INFERENCE};
  for (int trial = 0; trial < 32; trial++) {
    Case k;
    k.n = 1 + rng() % 2;
    k.h = 1 + rng() % 24;
    k.w = 1 + rng() % 24;
    k.c = 1 + rng() % 40;
    k.scale = 1 + rng() % 4;
    k.mode = (trial & 2) != 0 ? pqnn_resize_bilinear : pqnn_resize_nearest;
    k.resized_first = (rng() & 1) != 0;
    k.clamp_after = (rng() & 1) != 0;
    k.binary_add = (rng() & 1) != 0;
    const uint32_t flags = flag_sets[(trial / 4) % 2];
    const pthreadpool_t p = (trial & 1) != 0 ? pool : nullptr;
    SCOPED_TRACE(testing::Message() << "n" << k.n << " " << k.h << "x" << k.w << " c" << k.c
        << " x" << k.scale << " mode " << k.mode << " flags 0x" << std::hex << flags << std::dec
        << " resized_first " << k.resized_first << " clamp_after " << k.clamp_after
        << " binary " << k.binary_add << " pool " << (p != nullptr));
    const Result fused = run_case(k, flags, true, p);
    const Result plain = run_case(k, flags, false, p);
    ASSERT_FALSE(fused.y.empty());
    EXPECT_EQ(fused_into_resize(fused.infos), 1u);
    EXPECT_EQ(fused_into_resize(plain.infos), 0u);
    EXPECT_EQ(fused_into(fused.infos, pqnn_node_type_binary), 0u);
    EXPECT_EQ(fused.infos.size() + 1, plain.infos.size());
    EXPECT_TRUE(same_bits(fused.y, plain.y));
    EXPECT_TRUE(same_bits(fused.y_reshaped, plain.y_reshaped));
    bool written = true;
    for (float v : fused.y_reshaped) written = written && v != -1234.5f && std::isfinite(v);
    EXPECT_TRUE(written);
  }
  destroy_pool(pool);
}

// The upsampled map also leaves the graph (an external output, two readers): the add does
// not fuse into the resize; the planner moves the multiply down and fuses it there.
TEST(RuntimeResidualResize, ResizedMapReadElsewhereStaysUnfused) {
  Case k;
  k.h = 5;
  k.w = 6;
  k.c = 16;
  k.resized_read_twice = true;
  const Result r = run_case(k, 0, true, nullptr);
  ASSERT_FALSE(r.y.empty());
  EXPECT_EQ(fused_into_resize(r.infos), 0u);
  EXPECT_EQ(fused_into(r.infos, pqnn_node_type_binary), 1u);
  EXPECT_EQ(r.infos.size(), 2u);
  const Result plain = run_case(k, 0, false, nullptr);
  EXPECT_TRUE(same_bits(r.y, plain.y));
}

}  // namespace
