// Upsampled residual folding (runtime-pass-upsample.c): the FPN top-down add of PaddleOCR
// det's neck, y = resize(lo) + (x * s + x), where residual add fusion first put the add into
// the resize and x * s + x into the multiply. The resize and its add then run inside the
// multiply, which adds lo at each output pixel's nearest source pixel after its own
// residual. Random shapes, per-axis integer scales, every coordinate transform and rounding,
// operand orders, clamps after the adds, add2 / binary adds, a source map written after the
// multiply (the multiply moves down), f32 and f16, with and without a threadpool, at the
// defined shapes and after a reshape: bit-identical to the same graph with
// no_residual_fusion (nothing fused). Then the graphs that must not fold.
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
  size_t n = 1, h = 3, w = 4, c = 8, sh = 2, sw = 2;
  pqnn_resize_mode mode = pqnn_resize_nearest;
  pqnn_resize_coordinates coordinates = pqnn_resize_asymmetric;
  pqnn_resize_nearest_rounding rounding = pqnn_resize_floor;
  bool resized_first = true;   // add(resized, t) instead of add(t, resized)
  bool clamp_after = false;    // a clamp after the top-down add
  bool clamp_se = false;       // a clamp after x * s + x
  bool binary_add = false;     // pqnn_define_binary(add) instead of add2
  bool lo_late = false;        // lo is written by a node defined after the multiply
  bool t_read_twice = false;   // x * s + x is also an external output: must not fold
};

using Result = LowHighResult;

// lo_in [n][h][w][c] (-> clamp when lo_late) = lo -> resize = up; x_in [n][H][W][c] ->
// clamp = x; x * s + x [-> clamp] = t; add(up, t) [-> clamp] -> y (external 2); t external 3 when
// t_read_twice.
Result run_case(const Case& k, uint32_t flags, bool fuse, pthreadpool_t pool) {
  const size_t c = k.c, hh = k.h * k.sh, ww = k.w * k.sw;
  Graph g(4);
  const uint32_t lo_in = g.input(0, {k.n, k.h, k.w, c});
  // x is written by an op (a clamp that keeps every value): a residual read from an
  // external value does not fuse (runtime-passes.c), and in det x is a conv's output.
  const uint32_t x_in = g.input(1, {k.n, hh, ww, c});
  const uint32_t x = g.f32({k.n, hh, ww, c});
  EXPECT_EQ(pqnn_define_clamp(g.sg, -8.0f, 8.0f, x_in, x, 0), pqnn_status_success);
  const uint32_t y = g.output(2, {k.n, hh, ww, c});
  const auto scale = random_f32(c, 0.5f, 1.5f, 7);
  const uint32_t xs = g.f32({k.n, hh, ww, c});
  EXPECT_EQ(pqnn_define_binary(g.sg, pqnn_binary_multiply, -INFINITY, INFINITY, x,
      g.f32({1, 1, 1, c}, scale.data()), xs, 0), pqnn_status_success);
  const uint32_t t = k.t_read_twice ? g.output(3, {k.n, hh, ww, c}) : g.f32({k.n, hh, ww, c});
  const uint32_t t_sum = k.clamp_se ? g.f32({k.n, hh, ww, c}) : t;
  define_unbounded_add(g, k.binary_add, xs, x, t_sum);
  if (k.clamp_se) {
    EXPECT_EQ(pqnn_define_clamp(g.sg, -1.5f, 1.75f, t_sum, t, 0), pqnn_status_success);
  }
  uint32_t lo = lo_in;
  if (k.lo_late) {
    lo = g.f32({k.n, k.h, k.w, c});
    EXPECT_EQ(pqnn_define_clamp(g.sg, -0.75f, 0.75f, lo_in, lo, 0), pqnn_status_success);
  }
  pqnn_resize_params rp = {};
  rp.mode = k.mode;
  rp.coordinates = k.coordinates;
  rp.rounding = k.rounding;
  rp.height_scale = (float) k.sh;
  rp.width_scale = (float) k.sw;
  const uint32_t up = g.f32({k.n, hh, ww, c});
  EXPECT_EQ(pqnn_define_static_resize_2d(g.sg, &rp, lo, up, 0), pqnn_status_success);
  const uint32_t sum = k.clamp_after ? g.f32({k.n, hh, ww, c}) : y;
  define_unbounded_add(g, k.binary_add, k.resized_first ? up : t, k.resized_first ? t : up, sum);
  if (k.clamp_after) {
    EXPECT_EQ(pqnn_define_clamp(g.sg, -0.25f, 1.0f, sum, y, 0), pqnn_status_success);
  }
  return run_low_high(g, flags, fuse, pool, k.n, k.h, k.w, c, k.sh, k.sw, k.t_read_twice);
}

size_t count(const std::vector<pqnn_runtime_node_info>& infos, pqnn_node_type type) {
  size_t n = 0;
  for (const auto& i : infos) n += i.type == type;
  return n;
}

size_t upsampled_adds(const std::vector<pqnn_runtime_node_info>& infos) {
  size_t n = 0;
  for (const auto& i : infos) n += i.fused_upsampled_add;
  return n;
}

TEST(RuntimeUpsampledResidual, RandomFpnAddsMatchTheUnfusedGraph) {
  std::mt19937 rng(2031);
  pthreadpool_t pool = create_pool(2);
  const uint32_t flag_sets[] = {0, PQNN_FLAG_FORCE_FP16_INFERENCE};
  const pqnn_resize_coordinates coordinates[] = {pqnn_resize_half_pixel,
      pqnn_resize_pytorch_half_pixel, pqnn_resize_align_corners, pqnn_resize_asymmetric};
  const pqnn_resize_nearest_rounding roundings[] = {pqnn_resize_round_prefer_floor,
      pqnn_resize_round_prefer_ceil, pqnn_resize_floor, pqnn_resize_ceil};
  for (int trial = 0; trial < 48; trial++) {
    Case k;
    k.n = 1 + rng() % 2;
    k.h = 1 + rng() % 20;
    k.w = 1 + rng() % 20;
    k.c = 1 + rng() % 40;
    k.sh = 1 + rng() % 4;
    k.sw = 1 + rng() % 4;
    k.coordinates = coordinates[rng() % 4];
    k.rounding = roundings[rng() % 4];
    k.resized_first = (rng() & 1) != 0;
    k.clamp_after = (rng() & 1) != 0;
    k.clamp_se = (rng() % 4) == 0;
    k.binary_add = (rng() & 1) != 0;
    k.lo_late = (trial & 2) != 0;
    const uint32_t flags = flag_sets[(trial / 4) % 2];
    const pthreadpool_t p = (trial & 1) != 0 ? pool : nullptr;
    SCOPED_TRACE(testing::Message() << "n" << k.n << " " << k.h << "x" << k.w << " c" << k.c
        << " x" << k.sh << "x" << k.sw << " coordinates " << k.coordinates << " rounding "
        << k.rounding << " flags 0x" << std::hex << flags << std::dec << " resized_first "
        << k.resized_first << " clamp_after " << k.clamp_after << " clamp_se " << k.clamp_se
        << " binary " << k.binary_add << " lo_late " << k.lo_late << " pool "
        << (p != nullptr));
    const Result fused = run_case(k, flags, true, p);
    const Result plain = run_case(k, flags, false, p);
    ASSERT_FALSE(fused.y.empty());
    EXPECT_EQ(upsampled_adds(fused.infos), 1u);
    EXPECT_EQ(upsampled_adds(plain.infos), 0u);
    EXPECT_EQ(count(fused.infos, pqnn_node_type_static_resize_2d), 0u);
    EXPECT_TRUE(same_bits(fused.y, plain.y));
    EXPECT_TRUE(same_bits(fused.y_reshaped, plain.y_reshaped));
    bool written = true;
    for (float v : fused.y_reshaped) written = written && v != -1234.5f && std::isfinite(v);
    EXPECT_TRUE(written);
  }
  destroy_pool(pool);
}

// The graph as PaddleOCR det's 80 -> 160 step, one thread and two: exact, one op left.
TEST(RuntimeUpsampledResidual, DetNeckStep) {
  Case k;
  k.h = 20;
  k.w = 20;
  k.c = 96;
  k.coordinates = pqnn_resize_asymmetric;
  k.rounding = pqnn_resize_floor;
  k.lo_late = true;
  pthreadpool_t pool = create_pool(2);
  for (pthreadpool_t p : {static_cast<pthreadpool_t>(nullptr), pool}) {
    const Result fused = run_case(k, 0, true, p);
    const Result plain = run_case(k, 0, false, p);
    ASSERT_FALSE(fused.y.empty());
    EXPECT_EQ(upsampled_adds(fused.infos), 1u);
    EXPECT_EQ(fused.infos.size(), 3u);  // the two clamps, the multiply with both adds
    EXPECT_TRUE(same_bits(fused.y, plain.y));
    EXPECT_TRUE(same_bits(fused.y_reshaped, plain.y_reshaped));
  }
  destroy_pool(pool);
}

// x * s + x also leaves the graph (two readers), or the resize is bilinear: the top-down
// add stays in the resize.
TEST(RuntimeUpsampledResidual, OtherGraphsDoNotFold) {
  for (int variant = 0; variant < 2; variant++) {
    Case k;
    k.h = 5;
    k.w = 6;
    k.c = 16;
    if (variant == 0) {
      k.t_read_twice = true;
    } else {
      k.mode = pqnn_resize_bilinear;
      k.coordinates = pqnn_resize_half_pixel;
    }
    const Result r = run_case(k, 0, true, nullptr);
    ASSERT_FALSE(r.y.empty());
    EXPECT_EQ(upsampled_adds(r.infos), 0u);
    EXPECT_EQ(count(r.infos, pqnn_node_type_static_resize_2d), 1u);
    const Result plain = run_case(k, 0, false, nullptr);
    EXPECT_TRUE(same_bits(r.y, plain.y));
    EXPECT_TRUE(same_bits(r.y_reshaped, plain.y_reshaped));
  }
}

}  // namespace
