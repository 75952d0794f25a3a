// Squeeze-excite folding (runtime-pass-sefold.c): a block x = L(y) (a linear 1x1 conv or
// FC), s = clamp01(FC(relu(FC(GAP(x))))), out = x * s [+ x or + r] [+ resize(lo)] as in
// PaddleOCR det's neck. Three plans of each random graph: node by node (no_pool_commute),
// the pooling commuted (GAP(y), then L's copy on the pooled row) with the multiply a node
// (no_scale_fusion), and commuted with the multiply folded into L's epilogue (both with
// f32_pool_commute: f32 graphs commute only when asked; by default only under dynamic
// quantization or f16 inference, DefaultPlans below).
// Folded == commuted bit for bit; commuted within 1e-5 of the output's scale of node by
// node. Sizes, channel counts that are no multiple of 16, 1-2 images, operand orders, the
// residual x, another residual or none, an upsampled add or none, with and without a
// pool, at the defined shapes and again after a reshape. Then graphs that must not fold.
#include <gtest/gtest.h>

#include <algorithm>
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

enum class Residual { kNone, kX, kOther };
// kDefault: no option set (f32 graphs keep their pooling unless dynamic quantization or
// f16 inference runs: runtime-pass-sefold.c); the other plans opt f32 in.
enum class Plan { kNodes, kCommuted, kFolded, kDefault };

struct Case {
  size_t n = 1, h = 4, w = 5, cin = 12, c = 24, scale = 2;  // scale: upsampled map's factor
  bool conv = false;          // L is a 1x1 convolution (else an FC over the pixels)
  bool scale_first = false;   // s * x instead of x * s
  Residual residual = Residual::kX;
  bool upsampled = false;     // + resize(lo)
  // negative cases
  bool x_output = false;      // x is also read by a clamp writing external output 4
  bool bounded = false;       // L has bounds (an activation)
  bool kxk = false;           // L is a 3x3 padded convolution
  bool bounded_pool = false;  // the pooling has bounds
  uint32_t flags = 0;         // runtime flags (f16 inference)
};

struct Result {
  std::vector<float> y, y_reshaped;
  std::vector<pqnn_runtime_node_info> infos;
  size_t arena = 0;
};

// Externals: 0 y_in [n][H][W][cin], 1 lo [n][H/scale][W/scale][c], 2 out, 3 r_in, 4 x.
Result run_case(const Case& k, Plan plan, pthreadpool_t pool) {
  const size_t c = k.c, ci = k.cin, H = k.h * k.scale, W = k.w * k.scale;
  Graph g(5);
  const uint32_t y = g.input(0, {k.n, H, W, ci});
  const auto w1 = random_f32(c * ci, -0.5f, 0.5f, 3);
  const auto b1 = random_f32(c, -0.5f, 0.5f, 4);
  const uint32_t x = g.f32({k.n, H, W, c});
  if (k.x_output) {
    EXPECT_EQ(pqnn_define_clamp(g.sg, -8.0f, 8.0f, x, g.output(4, {k.n, H, W, c}), 0),
        pqnn_status_success);
  }
  const float lo_bound = k.bounded ? -1.0f : -INFINITY, hi_bound = k.bounded ? 1.0f : INFINITY;
  const size_t kk = k.kxk ? 3 : 1, pad = k.kxk ? 1 : 0;
  const auto wk = random_f32(c * kk * kk * ci, -0.3f, 0.3f, 3);  // read at create
  if (k.conv || k.kxk) {
    EXPECT_EQ(pqnn_define_convolution_2d(g.sg, pad, pad, pad, pad, kk, kk, 1, 1, 1, 1, 1, ci, c,
        lo_bound, hi_bound, y, g.f32({c, kk, kk, ci}, k.kxk ? wk.data() : w1.data()),
        g.f32({c}, b1.data()), x, 0), pqnn_status_success);
  } else {
    EXPECT_EQ(pqnn_define_fully_connected(g.sg, lo_bound, hi_bound, y,
        g.f32({c, ci}, w1.data()), g.f32({c}, b1.data()), x, 0), pqnn_status_success);
  }
  const size_t mid = c / 4 + 1;
  const auto w2 = random_f32(mid * c, -1.0f, 1.0f, 5);
  const auto b2 = random_f32(mid, -0.2f, 0.2f, 6);
  const auto w3 = random_f32(c * mid, -1.0f, 1.0f, 7);
  const auto b3 = random_f32(c, 0.0f, 1.0f, 8);
  const uint32_t p = g.f32({k.n, 1, 1, c});
  EXPECT_EQ(pqnn_define_global_average_pooling_2d(g.sg, k.bounded_pool ? -0.1f : -INFINITY,
      k.bounded_pool ? 0.1f : INFINITY, x, p, 0), pqnn_status_success);
  const uint32_t hmid = g.f32({k.n, 1, 1, mid});
  EXPECT_EQ(pqnn_define_fully_connected(g.sg, 0.0f, INFINITY, p, g.f32({mid, c}, w2.data()),
      g.f32({mid}, b2.data()), hmid, 0), pqnn_status_success);
  const uint32_t s = g.f32({k.n, 1, 1, c});
  EXPECT_EQ(pqnn_define_fully_connected(g.sg, 0.0f, 1.0f, hmid, g.f32({c, mid}, w3.data()),
      g.f32({c}, b3.data()), s, 0), pqnn_status_success);
  const uint32_t out = g.output(2, {k.n, H, W, c});
  const bool sum = k.residual != Residual::kNone;
  const uint32_t xs = sum || k.upsampled ? g.f32({k.n, H, W, c}) : out;
  EXPECT_EQ(pqnn_define_binary(g.sg, pqnn_binary_multiply, -INFINITY, INFINITY,
      k.scale_first ? s : x, k.scale_first ? x : s, xs, 0), pqnn_status_success);
  uint32_t t = xs;
  if (sum) {
    uint32_t r = x;
    if (k.residual == Residual::kOther) {  // written by an op: a clamp keeping every value
      r = g.f32({k.n, H, W, c});
      EXPECT_EQ(pqnn_define_clamp(g.sg, -8.0f, 8.0f, g.input(3, {k.n, H, W, c}), r, 0),
          pqnn_status_success);
    }
    t = k.upsampled ? g.f32({k.n, H, W, c}) : out;
    EXPECT_EQ(pqnn_define_add2(g.sg, -INFINITY, INFINITY, xs, r, t, 0), pqnn_status_success);
  }
  if (k.upsampled) {
    pqnn_resize_params rp = {};
    rp.mode = pqnn_resize_nearest;
    rp.coordinates = pqnn_resize_asymmetric;
    rp.rounding = pqnn_resize_floor;
    rp.height_scale = rp.width_scale = (float) k.scale;
    const uint32_t up = g.f32({k.n, H, W, c});
    EXPECT_EQ(pqnn_define_static_resize_2d(g.sg, &rp, g.input(1, {k.n, k.h, k.w, c}), up, 0),
        pqnn_status_success);
    EXPECT_EQ(pqnn_define_add2(g.sg, -INFINITY, INFINITY, up, t, out, 0), pqnn_status_success);
  }

  Result res;
  pqnn_runtime_options options = {};
  options.no_pool_commute = plan == Plan::kNodes ? 1 : 0;
  options.no_scale_fusion = plan == Plan::kCommuted ? 1 : 0;
  options.f32_pool_commute = plan == Plan::kCommuted || plan == Plan::kFolded ? 1 : 0;
  pqnn_runtime_t rt = nullptr;
  EXPECT_EQ(pqnn_create_runtime_with_options(g.sg, pool, k.flags, &options, &rt),
      pqnn_status_success);
  if (rt == nullptr) return res;
  size_t unshared = 0;
  EXPECT_EQ(pqnn_get_runtime_arena_size(rt, &res.arena, &unshared), pqnn_status_success);
  for (int pass = 0; pass < 2; pass++) {
    const size_t h = k.h + (size_t) pass, w = k.w + (size_t) pass * 2;
    const size_t HH = h * k.scale, WW = w * k.scale;
    if (pass == 1) {
      const size_t y_dims[4] = {k.n, HH, WW, ci}, lo_dims[4] = {k.n, h, w, c},
          hi_dims[4] = {k.n, HH, WW, c};
      EXPECT_EQ(pqnn_reshape_external_value(rt, 0, 4, y_dims), pqnn_status_success);
      if (k.upsampled) {
        EXPECT_EQ(pqnn_reshape_external_value(rt, 1, 4, lo_dims), pqnn_status_success);
      }
      if (k.residual == Residual::kOther) {
        EXPECT_EQ(pqnn_reshape_external_value(rt, 3, 4, hi_dims), pqnn_status_success);
      }
      EXPECT_EQ(pqnn_reshape_runtime(rt), pqnn_status_success);
    }
    const auto y_data = random_f32(k.n * HH * WW * ci, -1, 1, 11 + pass);
    const auto lo_data = random_f32(k.n * h * w * c, -1, 1, 21 + pass);
    const auto r_data = random_f32(k.n * HH * WW * c, -1, 1, 31 + pass);
    std::vector<float>& o = pass == 0 ? res.y : res.y_reshaped;
    o.assign(k.n * HH * WW * c, -1234.5f);
    std::vector<float> x_data(o.size());
    std::vector<pqnn_external_value> ext = {{0, (void*) y_data.data()}, {2, o.data()}};
    if (k.upsampled) ext.push_back({1, (void*) lo_data.data()});
    if (k.residual == Residual::kOther) ext.push_back({3, (void*) r_data.data()});
    if (k.x_output) ext.push_back({4, x_data.data()});
    EXPECT_EQ(pqnn_setup_runtime(rt, ext.size(), ext.data()), pqnn_status_success);
    EXPECT_EQ(pqnn_invoke_runtime(rt), pqnn_status_success);
  }
  res.infos = node_infos(rt);
  pqnn_delete_runtime(rt);
  return res;
}

size_t count(const std::vector<pqnn_runtime_node_info>& infos,
    uint32_t pqnn_runtime_node_info::*field) {
  size_t n = 0;
  for (const auto& i : infos) n += i.*field;
  return n;
}

size_t binaries(const std::vector<pqnn_runtime_node_info>& infos) {
  size_t n = 0;
  for (const auto& i : infos) n += i.type == pqnn_node_type_binary;
  return n;
}

// |a - b| <= tolerance * max |b| everywhere.
void expect_close(const std::vector<float>& a, const std::vector<float>& b,
    float tolerance = 1e-5f) {
  ASSERT_EQ(a.size(), b.size());
  float scale = 0.0f;
  for (float v : b) scale = std::max(scale, std::fabs(v));
  float worst = 0.0f;
  for (size_t i = 0; i < a.size(); i++) worst = std::max(worst, std::fabs(a[i] - b[i]));
  EXPECT_LE(worst, tolerance * scale) << "scale " << scale;
  for (float v : a) ASSERT_NE(v, -1234.5f);
}

TEST(RuntimeSeFold, RandomBlocksMatchNodeByNode) {
  std::mt19937 rng(1414);
  pthreadpool_t pool = create_pool(2);
  for (int trial = 0; trial < 40; trial++) {
    Case k;
    k.n = 1 + rng() % 2;
    k.h = 1 + rng() % 9;
    k.w = 1 + rng() % 9;
    k.cin = 1 + rng() % 20;
    k.c = 1 + rng() % 70;
    k.scale = 1 + rng() % 3;
    k.conv = (rng() & 1) != 0;
    k.scale_first = (rng() & 1) != 0;
    k.residual = (Residual) (rng() % 3);
    k.upsampled = k.residual != Residual::kNone && (rng() & 1) != 0;
    const pthreadpool_t p = (trial & 1) != 0 ? pool : nullptr;
    SCOPED_TRACE(testing::Message() << "n" << k.n << " " << k.h * k.scale << "x"
        << k.w * k.scale << " cin " << k.cin << " c " << k.c << " conv " << k.conv
        << " scale_first " << k.scale_first << " residual " << (int) k.residual
        << " upsampled " << k.upsampled << " x" << k.scale << " pool " << (p != nullptr));
    const Result nodes = run_case(k, Plan::kNodes, p);
    const Result commuted = run_case(k, Plan::kCommuted, p);
    const Result folded = run_case(k, Plan::kFolded, p);
    ASSERT_FALSE(folded.y.empty());
    EXPECT_TRUE(same_bits(folded.y, commuted.y));
    EXPECT_TRUE(same_bits(folded.y_reshaped, commuted.y_reshaped));
    expect_close(commuted.y, nodes.y);
    expect_close(commuted.y_reshaped, nodes.y_reshaped);
    EXPECT_EQ(count(nodes.infos, &pqnn_runtime_node_info::pool_commuted), 0u);
    EXPECT_EQ(count(commuted.infos, &pqnn_runtime_node_info::pool_commuted), 2u);
    EXPECT_EQ(count(folded.infos, &pqnn_runtime_node_info::pool_commuted), 2u);
    EXPECT_EQ(count(commuted.infos, &pqnn_runtime_node_info::fused_channel_scale), 0u);
    EXPECT_EQ(count(folded.infos, &pqnn_runtime_node_info::fused_channel_scale), 1u);
    EXPECT_EQ(binaries(commuted.infos), 1u);
    EXPECT_EQ(binaries(folded.infos), 0u);
    EXPECT_EQ(count(folded.infos, &pqnn_runtime_node_info::fused_upsampled_add),
        k.upsampled ? 1u : 0u);
    EXPECT_LE(folded.arena, commuted.arena);  // x is never written
  }
  destroy_pool(pool);
}

// Under f16 inference the pooling commutes too (f16 in and out), the multiply stays a node
// (the fold is f32 only): within f16 rounding of node by node.
TEST(RuntimeSeFold, Fp16CommutesWithoutFolding) {
  std::mt19937 rng(77);
  for (int trial = 0; trial < 6; trial++) {
    Case k;
    k.n = 1 + rng() % 2;
    k.cin = 1 + rng() % 20;
    k.c = 1 + rng() % 40;
    k.conv = (trial & 1) != 0;
    k.upsampled = (trial & 2) != 0;
    k.flags = PQNN_FLAG_FORCE_FP16_INFERENCE;
    SCOPED_TRACE(testing::Message() << "trial " << trial);
    const Result nodes = run_case(k, Plan::kNodes, nullptr);
    const Result folded = run_case(k, Plan::kFolded, nullptr);
    ASSERT_FALSE(folded.y.empty());
    EXPECT_EQ(count(folded.infos, &pqnn_runtime_node_info::pool_commuted), 2u);
    EXPECT_EQ(count(folded.infos, &pqnn_runtime_node_info::fused_channel_scale), 0u);
    expect_close(folded.y, nodes.y, 1e-2f);
    expect_close(folded.y_reshaped, nodes.y_reshaped, 1e-2f);
  }
}

// Without options an f32 graph keeps its pooling (the commuted one rounds unlike it: the
// bits are node by node's); with PQNN_FLAG_DYNAMIC_RANGE_QUANTIZATION (its small FCs stay
// f32) the pooling commutes and the multiply folds by default.
TEST(RuntimeSeFold, DefaultPlans) {
  for (int drq = 0; drq < 2; drq++) {
    Case k;
    k.cin = 7;  // an FC of 7 inputs stays f32 under dynamic quantization (a conv would not)
    k.c = 24;
    k.conv = false;
    k.residual = Residual::kX;
    k.upsampled = true;
    k.flags = drq != 0 ? PQNN_FLAG_DYNAMIC_RANGE_QUANTIZATION : 0;
    SCOPED_TRACE(testing::Message() << "drq " << drq);
    const Result nodes = run_case(k, Plan::kNodes, nullptr);
    const Result plain = run_case(k, Plan::kDefault, nullptr);
    ASSERT_FALSE(plain.y.empty());
    EXPECT_EQ(count(plain.infos, &pqnn_runtime_node_info::pool_commuted), drq != 0 ? 2u : 0u);
    EXPECT_EQ(count(plain.infos, &pqnn_runtime_node_info::fused_channel_scale),
        drq != 0 ? 1u : 0u);
    if (drq == 0) {
      EXPECT_TRUE(same_bits(plain.y, nodes.y));
      EXPECT_TRUE(same_bits(plain.y_reshaped, nodes.y_reshaped));
    } else {
      expect_close(plain.y, nodes.y);
      expect_close(plain.y_reshaped, nodes.y_reshaped);
    }
  }
}

// Graphs that must not commute or fold: x read by another node (commutes, no fold), a
// bounded L (an activation), a 3x3 L, a bounded pooling (neither).
TEST(RuntimeSeFold, NegativeCases) {
  for (int variant = 0; variant < 4; variant++) {
    Case k;
    k.x_output = variant == 0;
    k.bounded = variant == 1;
    k.kxk = variant == 2;
    k.bounded_pool = variant == 3;
    k.conv = variant != 0;
    k.upsampled = true;
    SCOPED_TRACE(testing::Message() << "variant " << variant);
    const Result nodes = run_case(k, Plan::kNodes, nullptr);
    const Result folded = run_case(k, Plan::kFolded, nullptr);
    ASSERT_FALSE(folded.y.empty());
    EXPECT_EQ(count(folded.infos, &pqnn_runtime_node_info::fused_channel_scale), 0u);
    EXPECT_EQ(binaries(folded.infos), 1u);
    EXPECT_EQ(count(folded.infos, &pqnn_runtime_node_info::pool_commuted),
        variant == 0 ? 2u : 0u);
    if (variant == 0) {
      expect_close(folded.y, nodes.y);
      expect_close(folded.y_reshaped, nodes.y_reshaped);
    } else {
      EXPECT_TRUE(same_bits(folded.y, nodes.y));
      EXPECT_TRUE(same_bits(folded.y_reshaped, nodes.y_reshaped));
    }
  }
}

}  // namespace
