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

struct Result {
  std::vector<float> y, y_reshaped;
  std::vector<pqnn_runtime_node_info> infos;
};

// lo [n][h][w][c] -> resize x scale = A; hi [n][H][W][c] -> multiply by a per-channel
// constant = B; add(A, B) [-> clamp] -> y (external 2).
Result run_case(const Case& k, uint32_t flags, bool fuse, pthreadpool_t pool) {
  Result r;
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
  if (k.binary_add) {
    EXPECT_EQ(pqnn_define_binary(g.sg, pqnn_binary_add, -INFINITY, INFINITY, first, second, sum,
        0), pqnn_status_success);
  } else {
    EXPECT_EQ(pqnn_define_add2(g.sg, -INFINITY, INFINITY, first, second, sum, 0),
        pqnn_status_success);
  }
  if (k.clamp_after) {
    EXPECT_EQ(pqnn_define_clamp(g.sg, -0.25f, 1.0f, sum, y, 0), pqnn_status_success);
  }
  pqnn_runtime_options options = {};
  options.no_residual_fusion = fuse ? 0 : 1;
  pqnn_runtime_t rt = nullptr;
  EXPECT_EQ(pqnn_create_runtime_with_options(g.sg, pool, flags, &options, &rt),
      pqnn_status_success);
  if (rt == nullptr) return r;
  // Run at the defined shape, then with the spatial dims grown by one low-res pixel.
  for (int pass = 0; pass < 2; pass++) {
    const size_t h = k.h + (size_t) pass, w = k.w + (size_t) pass;
    const size_t H = h * k.scale, W = w * k.scale;
    if (pass == 1) {
      const size_t lo_dims[4] = {k.n, h, w, c}, hi_dims[4] = {k.n, H, W, c};
      EXPECT_EQ(pqnn_reshape_external_value(rt, 0, 4, lo_dims), pqnn_status_success);
      EXPECT_EQ(pqnn_reshape_external_value(rt, 1, 4, hi_dims), pqnn_status_success);
      EXPECT_EQ(pqnn_reshape_runtime(rt), pqnn_status_success);
    }
    const auto lo_data = random_f32(k.n * h * w * c, -1, 1, 11 + pass);
    const auto hi_data = random_f32(k.n * H * W * c, -1, 1, 21 + pass);
    std::vector<float>& out = pass == 0 ? r.y : r.y_reshaped;
    out.assign(k.n * H * W * c, -1234.5f);
    std::vector<float> extra(out.size());
    std::vector<pqnn_external_value> ext = {{0, (void*) lo_data.data()},
        {1, (void*) hi_data.data()}, {2, out.data()}};
    if (k.resized_read_twice) ext.push_back({3, extra.data()});
    EXPECT_EQ(pqnn_setup_runtime(rt, ext.size(), ext.data()), pqnn_status_success);
    EXPECT_EQ(pqnn_invoke_runtime(rt), pqnn_status_success);
  }
  r.infos = node_infos(rt);
  pqnn_delete_runtime(rt);
  return r;
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
