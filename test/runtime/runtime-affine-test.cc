// Affine fusion (runtime-pass-affine.c): a 1x1 stride-1 unpadded depthwise node (a
// per-channel scale and shift, as the ONNX importer emits for Mul / Add by constants after
// an activation) whose input comes from a fully connected / convolution / depthwise /
// deconvolution node (its only reader) runs as the last step of that node's output
// epilogue, through the affine's own DWCONV kernel. Random blocks on every compute path
// (GEMM, IGEMM, PATCH, DWCONV, Winograd, fully connected, deconvolution) after every chain
// the planner fuses before it (none, act, act -> add, add -> act), with and without a bias
// and bounds on the affine, f32 / f16 / DRQ, against the same graph with the option
// no_affine_fusion and against the graph with no fusion at all: bit-identical outputs, at
// the defined shapes and after a reshape, with and without a threadpool (channel counts up
// to 100 put GEMM column tiles' starts inside the affine kernel's channel tiles). Then the
// graphs that must not fuse, and the operator side's argument checks.
#include <gtest/gtest.h>

#include <cmath>
#include <algorithm>
#include <cstring>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <pqnn.h>

#include "common/fusion-block.h"
#include "common/runtime-graph.h"
#include "common/test-pool.h"

extern "C" {
#include "operator.h"
#include "configs/config.h"
#include "operators/paths.h"
}

using namespace pqnn_test;

namespace {

enum class Producer { conv1x1, conv3x3_igemm, conv3x3_winograd, depthwise, fully_connected,
    stem3x3 /* 3 input channels: the int8 PATCH path under DRQ */ };
constexpr int kProducers = 6;

enum class Chain { none, act, act_add, add_act };
constexpr int kChains = 4;

struct Block {
  Producer producer = Producer::conv1x1;
  Chain chain = Chain::none;
  size_t n = 1, h = 5, w = 7, c = 8;
  bool affine_bias = true;
  bool affine_clamp = false;     // bounds on the affine node itself
  bool uniform_scale = false;    // one scale for every channel (an ONNX scalar Mul)
};

struct Fusion {
  bool activation, residual, affine;
};

std::vector<float> affine_scale(const Block& k, uint32_t seed) {
  std::vector<float> s = random_f32(k.c, -2, 2, seed);
  if (k.uniform_scale) s.assign(k.c, s[0]);
  return s;
}

// x [n][h][w][3] -> 1x1 stem (3 -> c) = B -> producer = A -> chain -> T -> affine -> y.
void define_block(Graph& g, const Block& k, const BlockWeights& wt,
    const std::vector<float>& scale, const std::vector<float>& shift, uint32_t x, uint32_t y) {
  const float inf = INFINITY;
  const size_t c = k.c;
  const std::vector<size_t> dims = {k.n, k.h, k.w, c};
  const uint32_t b = g.f32(dims);
  ASSERT_EQ(pqnn_define_convolution_2d(g.sg, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 3, c, -inf, inf,
      x, g.f32({c, 1, 1, 3}, wt.stem_w.data()), g.f32({c}, wt.stem_b.data()), b, 0),
      pqnn_status_success);
  const uint32_t a = g.f32(dims);
  const uint32_t bias = g.f32({c}, wt.b.data());
  switch (k.producer) {
    case Producer::conv1x1:
      ASSERT_EQ(pqnn_define_convolution_2d(g.sg, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, c, c, -inf,
          inf, b, g.f32({c, 1, 1, c}, wt.w.data()), bias, a, 0), pqnn_status_success);
      break;
    case Producer::conv3x3_igemm:
    case Producer::conv3x3_winograd:
      ASSERT_EQ(pqnn_define_convolution_2d(g.sg, 1, 1, 1, 1, 3, 3, 1, 1, 1, 1, 1, c, c, -inf,
          inf, b, g.f32({c, 3, 3, c}, wt.w.data()), bias, a,
          k.producer == Producer::conv3x3_igemm ? PQNN_FLAG_NO_WINOGRAD : 0),
          pqnn_status_success);
      break;
    case Producer::depthwise:
      ASSERT_EQ(pqnn_define_depthwise_convolution_2d(g.sg, 1, 1, 1, 1, 3, 3, 1, 1, 1, 1, 1, c,
          -inf, inf, b, g.f32({1, 3, 3, c}, wt.w.data()), bias, a, 0), pqnn_status_success);
      break;
    case Producer::fully_connected:
      ASSERT_EQ(pqnn_define_fully_connected(g.sg, -inf, inf, b, g.f32({c, c}, wt.w.data()),
          bias, a, 0), pqnn_status_success);
      break;
    case Producer::stem3x3:
      ASSERT_EQ(pqnn_define_convolution_2d(g.sg, 1, 1, 1, 1, 3, 3, 1, 1, 1, 1, 1, 3, c, -inf,
          inf, x, g.f32({c, 3, 3, 3}, wt.w.data()), bias, a, 0), pqnn_status_success);
      break;
  }
  const pqnn_unary_params up = {};
  uint32_t t = a;
  if (k.chain == Chain::act) {
    t = g.f32(dims);
    ASSERT_EQ(pqnn_define_unary(g.sg, pqnn_unary_hardswish, &up, a, t, 0), pqnn_status_success);
  } else if (k.chain == Chain::act_add) {
    const uint32_t u = g.f32(dims);
    ASSERT_EQ(pqnn_define_unary(g.sg, pqnn_unary_hardswish, &up, a, u, 0), pqnn_status_success);
    t = g.f32(dims);
    ASSERT_EQ(pqnn_define_add2(g.sg, -inf, inf, u, b, t, 0), pqnn_status_success);
  } else if (k.chain == Chain::add_act) {
    const uint32_t u = g.f32(dims);
    ASSERT_EQ(pqnn_define_add2(g.sg, 0.0f, 6.0f, a, b, u, 0), pqnn_status_success);
    t = g.f32(dims);
    ASSERT_EQ(pqnn_define_unary(g.sg, pqnn_unary_sigmoid, &up, u, t, 0), pqnn_status_success);
  }
  const float lo = k.affine_clamp ? -0.75f : -inf, hi = k.affine_clamp ? 0.5f : inf;
  ASSERT_EQ(pqnn_define_depthwise_convolution_2d(g.sg, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, c, lo,
      hi, t, g.f32({1, 1, 1, c}, scale.data()),
      k.affine_bias ? g.f32({c}, shift.data()) : PQNN_INVALID_VALUE_ID, y, 0),
      pqnn_status_success);
}

BlockResult run_block(const Block& k, const BlockWeights& wt, const std::vector<float>& scale,
    const std::vector<float>& shift, uint32_t flags, Fusion f, pthreadpool_t pool) {
  Graph g(2);
  const uint32_t x = g.input(0, {k.n, k.h, k.w, 3});
  const uint32_t y = g.output(1, {k.n, k.h, k.w, k.c});
  define_block(g, k, wt, scale, shift, x, y);
  pqnn_runtime_options options = {};
  options.no_activation_fusion = f.activation ? 0 : 1;
  options.no_residual_fusion = f.residual ? 0 : 1;
  options.no_affine_fusion = f.affine ? 0 : 1;
  options.qd8_min_reduction = 1;  // DRQ takes every FC / conv (the stem: PATCH)
  return run_block_graph(g.sg, k.n, k.h, k.w, k.c, 2.0f, flags, options, pool);
}

size_t count_affines(const std::vector<pqnn_runtime_node_info>& infos) {
  size_t n = 0;
  for (const auto& i : infos) n += i.fused_affine;
  return n;
}

const char* producer_name(Producer p) {
  static const char* const kNames[] = {"conv1x1", "conv3x3_igemm", "conv3x3_winograd",
      "depthwise", "fully_connected", "stem3x3"};
  return kNames[static_cast<int>(p)];
}

const char* chain_name(Chain c) {
  static const char* const kNames[] = {"none", "act", "act_add", "add_act"};
  return kNames[static_cast<int>(c)];
}

TEST(RuntimeAffineFusion, RandomBlocksMatchTheUnfusedGraph) {
  std::mt19937 rng(2031);
  pthreadpool_t pool = create_pool(2);
  const uint32_t flag_sets[] = {0, PQNN_FLAG_FORCE_FP16_INFERENCE, PQNN_FLAG_DYNAMIC_RANGE_QUANTIZATION,
      PQNN_FLAG_FORCE_FP16_INFERENCE | PQNN_FLAG_DYNAMIC_RANGE_QUANTIZATION};
  std::set<std::string> paths;
  size_t affines = 0;
  const int kTrials = kProducers * kChains * 4;
  for (int trial = 0; trial < kTrials; trial++) {
    Block k;
    k.producer = static_cast<Producer>(trial % kProducers);
    k.chain = static_cast<Chain>((trial / kProducers) % kChains);
    k.n = 1 + rng() % 2;
    k.h = 1 + rng() % 9;
    k.w = 1 + rng() % 11;
    k.c = 1 + rng() % 100;
    k.affine_bias = (rng() % 4) != 0;
    k.affine_clamp = (rng() % 3) == 0;
    k.uniform_scale = (rng() % 4) == 0;
    const uint32_t flags = flag_sets[(trial / (kProducers * kChains)) % 4];
    const pthreadpool_t p = (trial & 1) != 0 ? pool : nullptr;
    SCOPED_TRACE(testing::Message() << producer_name(k.producer) << " " << chain_name(k.chain)
        << " n" << k.n << " " << k.h << "x" << k.w << " c" << k.c << " flags 0x" << std::hex
        << flags << std::dec << " bias " << k.affine_bias << " clamp " << k.affine_clamp
        << " uniform " << k.uniform_scale << " pool " << (p != nullptr));
    const BlockWeights wt = random_block_weights(k.c, 40 + trial);
    const auto scale = affine_scale(k, 900 + trial);
    const auto shift = random_f32(k.c, -1, 1, 950 + trial);
    const BlockResult fused = run_block(k, wt, scale, shift, flags, {true, true, true}, p);
    const BlockResult kept = run_block(k, wt, scale, shift, flags, {true, true, false}, p);
    const BlockResult plain = run_block(k, wt, scale, shift, flags, {false, false, false}, p);
    ASSERT_FALSE(fused.infos.empty());
    // The affine is the last node the graph defines; under DRQ (every layer taken) it may
    // run qd8 itself, reading an inserted convert: then it stays a node.
    size_t last = kept.infos.size() - 1;
    while (last > 0 && kept.infos[last].inserted) last--;
    ASSERT_EQ(kept.infos[last].type, pqnn_node_type_depthwise_convolution_2d);
    const size_t expected = kept.infos[last].compute_datatype != pqnn_datatype_qdint8 ? 1 : 0;
    if ((flags & PQNN_FLAG_DYNAMIC_RANGE_QUANTIZATION) == 0) {
      EXPECT_EQ(expected, 1u);
    }
    affines += expected;
    EXPECT_EQ(count_affines(fused.infos), expected);
    EXPECT_EQ(count_affines(kept.infos), 0u);
    EXPECT_EQ(count_affines(plain.infos), 0u);
    EXPECT_EQ(fused.infos.size() + expected, kept.infos.size());
    EXPECT_TRUE(same_bits(fused.y, kept.y));
    EXPECT_TRUE(same_bits(fused.y_reshaped, kept.y_reshaped));
    EXPECT_TRUE(same_bits(fused.y, plain.y));
    EXPECT_TRUE(same_bits(fused.y_reshaped, plain.y_reshaped));
    for (const auto& i : fused.infos) {
      if (i.fused_affine == 0) continue;
      EXPECT_EQ(i.fused_activation, k.chain != Chain::none ? 1u : 0u);
      EXPECT_EQ(i.fused_add, k.chain == Chain::act_add || k.chain == Chain::add_act ? 1u : 0u);
      EXPECT_TRUE(i.type == pqnn_node_type_convolution_2d ||
          i.type == pqnn_node_type_depthwise_convolution_2d ||
          i.type == pqnn_node_type_fully_connected);
      paths.insert(i.compute_path);
    }
  }
  destroy_pool(pool);
  EXPECT_GE(affines, static_cast<size_t>(kTrials / 2));
  // Every path's epilogue ran the affine (PATCH where the tier has it).
  for (const char* path : {"gemm", "igemm", "dwconv", "winograd"}) {
    EXPECT_EQ(paths.count(path), 1u) << path;
  }
  if (std::strcmp(pqnn_isa_name(), "avx512vnni") == 0) {
    EXPECT_EQ(paths.count("patch"), 1u);
  }
}

// Deconvolution [-> act] -> affine on each deconvolution layout (direct wide 2x2 s2, tall
// 2x2 s2 to few channels with and without output padding rows, accumulating 3x3 s1),
// f32 / f16 / DRQ, against the unfused graph.
TEST(RuntimeAffineFusion, DeconvolutionMatchesTheUnfusedGraph) {
  struct Layer { uint32_t k, s, pad, adj; size_t goc; };
  const Layer layers[] = {{2, 2, 0, 0, 24}, {2, 2, 0, 0, 1}, {2, 2, 0, 1, 2}, {3, 1, 1, 0, 40}};
  const uint32_t flag_sets[] = {0, PQNN_FLAG_FORCE_FP16_INFERENCE, PQNN_FLAG_DYNAMIC_RANGE_QUANTIZATION};
  pthreadpool_t pool = create_pool(2);
  std::mt19937 rng(13);
  int trial = 0;
  for (const Layer& l : layers) {
    for (uint32_t flags : flag_sets) {
      const bool act = (trial % 2) == 0;
      const size_t n = 1 + trial % 2, h = 3 + rng() % 5, w = 2 + rng() % 7, c = 5 + rng() % 20;
      const size_t oh = (h - 1) * l.s + l.k - 2 * l.pad + l.adj;
      const size_t ow = (w - 1) * l.s + l.k - 2 * l.pad;
      const pthreadpool_t p = (trial++ & 1) != 0 ? pool : nullptr;
      SCOPED_TRACE(testing::Message() << "k" << l.k << " s" << l.s << " pad " << l.pad
          << " adj " << l.adj << " goc " << l.goc << " act " << act << " flags 0x" << std::hex
          << flags << std::dec << " n" << n << " " << h << "x" << w << " c" << c);
      const auto wt = random_f32(l.goc * l.k * l.k * c, -0.5f, 0.5f, 5 + trial);
      const auto bias = random_f32(l.goc, -1, 1, 6 + trial);
      const auto in = random_f32(n * h * w * c, -2, 2, 7 + trial);
      const auto scale = random_f32(l.goc, -2, 2, 8 + trial);
      const auto shift = random_f32(l.goc, -1, 1, 9 + trial);
      std::vector<float> out[2];
      std::vector<pqnn_runtime_node_info> infos[2];
      for (uint32_t no_fusion : {0u, 1u}) {
        Graph g(2);
        const uint32_t x = g.input(0, {n, h, w, c});
        const uint32_t a = g.f32({n, oh, ow, l.goc});
        const uint32_t y = g.output(1, {n, oh, ow, l.goc});
        ASSERT_EQ(pqnn_define_deconvolution_2d(g.sg, l.pad, l.pad, l.pad, l.pad, l.adj, 0, l.k,
            l.k, l.s, l.s, 1, 1, 1, c, l.goc, -INFINITY, INFINITY, x,
            g.f32({l.goc, l.k, l.k, c}, wt.data()), g.f32({l.goc}, bias.data()), a, 0),
            pqnn_status_success);
        uint32_t t = a;
        if (act) {
          const pqnn_unary_params up = {};
          t = g.f32({n, oh, ow, l.goc});
          ASSERT_EQ(pqnn_define_unary(g.sg, pqnn_unary_hardswish, &up, a, t, 0),
              pqnn_status_success);
        }
        ASSERT_EQ(pqnn_define_depthwise_convolution_2d(g.sg, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1,
            l.goc, -INFINITY, INFINITY, t, g.f32({1, 1, 1, l.goc}, scale.data()),
            g.f32({l.goc}, shift.data()), y, 0), pqnn_status_success);
        pqnn_runtime_options options = {};
        options.no_affine_fusion = no_fusion;
        options.qd8_min_reduction = 1;
        options.qd8_float_depthwise = 1;  // the affine stays float under DRQ
        pqnn_runtime_t rt = nullptr;
        ASSERT_EQ(pqnn_create_runtime_with_options(g.sg, p, flags, &options, &rt),
            pqnn_status_success);
        out[no_fusion].assign(n * oh * ow * l.goc, -1234.5f);
        const pqnn_external_value ext[2] = {{0, (void*) in.data()}, {1, out[no_fusion].data()}};
        ASSERT_EQ(pqnn_setup_runtime(rt, 2, ext), pqnn_status_success);
        ASSERT_EQ(pqnn_invoke_runtime(rt), pqnn_status_success);
        infos[no_fusion] = node_infos(rt);
        pqnn_delete_runtime(rt);
      }
      EXPECT_TRUE(same_bits(out[0], out[1]));
      EXPECT_EQ(count_affines(infos[0]), 1u);
      EXPECT_EQ(count_affines(infos[1]), 0u);
      EXPECT_EQ(infos[0].size() + 1, infos[1].size());
      for (const auto& i : infos[0]) {
        if (i.fused_affine == 0) continue;
        EXPECT_EQ(i.type, pqnn_node_type_deconvolution_2d);
        EXPECT_EQ(i.fused_activation, act ? 1u : 0u);
        EXPECT_STREQ(i.compute_path, "deconv");
      }
    }
  }
  destroy_pool(pool);
}

// Graphs that must not fuse, or fuse in part; each against the same graph with
// no_affine_fusion (f32 and f16).
//   0: the conv's output has a second reader          -> no fusion
//   1: the conv's output is an external output        -> no fusion
//   2: the depthwise has a 3x3 kernel (padded)        -> no fusion
//   3: the 1x1 depthwise has stride 2                 -> no fusion
//   4: binary multiply -> affine                      -> no fusion
//   5: conv -> affine -> sigmoid (the affine's own activation fused into it) -> no fusion
//   6: conv -> affine -> affine                       -> the first fused, the second stays
TEST(RuntimeAffineFusion, IneligibleAffinesStayNodes) {
  const size_t c = 24;
  const auto w = random_f32(c * c * 9, -1, 1, 3);
  const auto s = random_f32(c, -2, 2, 4);
  const auto sh = random_f32(c, -1, 1, 5);
  const auto in = random_f32(16 * c, -2, 2, 6);
  const pqnn_unary_params up = {};
  for (uint32_t flags : {0u, static_cast<uint32_t>(PQNN_FLAG_FORCE_FP16_INFERENCE)}) {
    for (int variant = 0; variant < 7; variant++) {
      SCOPED_TRACE(testing::Message() << "variant " << variant << " flags 0x" << std::hex
          << flags);
      const size_t oh = variant == 3 ? 2 : 4;
      std::vector<float> out[2], extra[2];
      std::vector<pqnn_runtime_node_info> infos[2];
      for (uint32_t no_fusion : {0u, 1u}) {
        Graph g(3);
        const uint32_t x = g.input(0, {1, 4, 4, c});
        const uint32_t a = variant == 1 ? g.output(2, {1, 4, 4, c}) : g.f32({1, 4, 4, c});
        const uint32_t y = g.output(1, {1, oh, oh, c});
        if (variant == 4) {
          ASSERT_EQ(pqnn_define_binary(g.sg, pqnn_binary_multiply, -INFINITY, INFINITY, x,
              g.f32({1, 1, 1, c}, w.data()), a, 0), pqnn_status_success);
        } else {
          ASSERT_EQ(pqnn_define_convolution_2d(g.sg, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, c, c,
              -INFINITY, INFINITY, x, g.f32({c, 1, 1, c}, w.data()), PQNN_INVALID_VALUE_ID, a,
              0), pqnn_status_success);
        }
        const uint32_t scale = g.f32({1, 1, 1, c}, s.data()), shift = g.f32({c}, sh.data());
        if (variant == 2) {
          ASSERT_EQ(pqnn_define_depthwise_convolution_2d(g.sg, 1, 1, 1, 1, 3, 3, 1, 1, 1, 1, 1,
              c, -INFINITY, INFINITY, a, g.f32({1, 3, 3, c}, w.data()), shift, y, 0),
              pqnn_status_success);
        } else {
          const uint32_t stride = variant == 3 ? 2 : 1;
          const uint32_t t = variant == 5 || variant == 6 ? g.f32({1, 4, 4, c}) : y;
          ASSERT_EQ(pqnn_define_depthwise_convolution_2d(g.sg, 0, 0, 0, 0, 1, 1, stride,
              stride, 1, 1, 1, c, -INFINITY, INFINITY, a, scale, shift, t, 0),
              pqnn_status_success);
          if (variant == 5) {
            ASSERT_EQ(pqnn_define_unary(g.sg, pqnn_unary_sigmoid, &up, t, y, 0),
                pqnn_status_success);
          } else if (variant == 6) {
            ASSERT_EQ(pqnn_define_depthwise_convolution_2d(g.sg, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1,
                1, c, -INFINITY, INFINITY, t, g.f32({1, 1, 1, c}, sh.data()),
                PQNN_INVALID_VALUE_ID, y, 0),
                pqnn_status_success);
          }
        }
        if (variant == 0) {
          ASSERT_EQ(pqnn_define_clamp(g.sg, 0.0f, 1.0f, a, g.output(2, {1, 4, 4, c}), 0),
              pqnn_status_success);
        }
        pqnn_runtime_options options = {};
        options.no_affine_fusion = no_fusion;
        pqnn_runtime_t rt = nullptr;
        ASSERT_EQ(pqnn_create_runtime_with_options(g.sg, nullptr, flags, &options, &rt),
            pqnn_status_success);
        out[no_fusion].assign(oh * oh * c, NAN);
        extra[no_fusion].assign(16 * c, NAN);
        std::vector<pqnn_external_value> ext = {{0, (void*) in.data()},
            {1, out[no_fusion].data()}};
        if (variant <= 1) ext.push_back({2, extra[no_fusion].data()});
        ASSERT_EQ(pqnn_setup_runtime(rt, ext.size(), ext.data()), pqnn_status_success);
        ASSERT_EQ(pqnn_invoke_runtime(rt), pqnn_status_success);
        infos[no_fusion] = node_infos(rt);
        pqnn_delete_runtime(rt);
      }
      EXPECT_TRUE(same_bits(out[0], out[1]));
      EXPECT_TRUE(same_bits(extra[0], extra[1]));
      EXPECT_EQ(count_affines(infos[1]), 0u);
      const size_t fused = variant == 6 ? 1u : 0u;
      EXPECT_EQ(count_affines(infos[0]), fused);
      EXPECT_EQ(infos[0].size() + fused, infos[1].size());
    }
  }
}

// The operator side (internal): argument checks; the affine stays across reshapes and
// setups, runs after a bound activation and residual, and gives the depthwise operator's
// output on the plain output bit for bit.
TEST(OutputAffine, ArgumentsAndOrder) {
  ASSERT_EQ(pqnn_initialize(), pqnn_status_success);
  const size_t ic = 8, oc = 40, rows = 5;
  const auto w = random_f32(ic * oc, -1, 1, 3);
  const auto x = random_f32(rows * ic, -2, 2, 5);
  const auto r = random_f32(rows * oc, -1, 1, 6);
  const auto scale = random_f32(oc, -2, 2, 7);
  const auto shift = random_f32(oc, -1, 1, 8);
  pqnn_operator_t op = nullptr, affine = nullptr, wrong = nullptr, q = nullptr;
  ASSERT_EQ(pqnn_create_fully_connected_nc_f32(ic, oc, ic, oc, w.data(), nullptr, -INFINITY,
      INFINITY, 0, &op), pqnn_status_success);
  ASSERT_EQ(pqnn_create_convolution2d_nhwc_f32(0, 0, 0, 0, 1, 1, 1, 1, 1, 1, oc, 1, 1, oc, oc,
      scale.data(), shift.data(), -1.5f, 1.5f, PQNN_FLAG_DEPTHWISE_CONVOLUTION, &affine),
      pqnn_status_success);
  EXPECT_EQ(pqnn_set_output_affine(nullptr, affine), pqnn_status_invalid_parameter);
  // Not a 1x1 depthwise of oc channels: a 3x3 depthwise, a dense 1x1, fewer channels.
  const auto w3 = random_f32(oc * 9, -1, 1, 9);
  ASSERT_EQ(pqnn_create_convolution2d_nhwc_f32(1, 1, 1, 1, 3, 3, 1, 1, 1, 1, oc, 1, 1, oc, oc,
      w3.data(), nullptr, -INFINITY, INFINITY, PQNN_FLAG_DEPTHWISE_CONVOLUTION, &wrong),
      pqnn_status_success);
  EXPECT_EQ(pqnn_set_output_affine(op, wrong), pqnn_status_invalid_parameter);
  pqnn_delete_operator(wrong);
  const auto wd = random_f32(oc * oc, -1, 1, 10);
  ASSERT_EQ(pqnn_create_convolution2d_nhwc_f32(0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, oc, oc, oc, oc,
      wd.data(), nullptr, -INFINITY, INFINITY, 0, &wrong), pqnn_status_success);
  EXPECT_EQ(pqnn_set_output_affine(op, wrong), pqnn_status_invalid_parameter);
  pqnn_delete_operator(wrong);
  ASSERT_EQ(pqnn_create_convolution2d_nhwc_f32(0, 0, 0, 0, 1, 1, 1, 1, 1, 1, oc - 1, 1, 1,
      oc - 1, oc - 1, scale.data(), nullptr, -INFINITY, INFINITY,
      PQNN_FLAG_DEPTHWISE_CONVOLUTION, &wrong), pqnn_status_success);
  EXPECT_EQ(pqnn_set_output_affine(op, wrong), pqnn_status_invalid_parameter);
  pqnn_delete_operator(wrong);
  // qs8 output: no epilogue.
  std::vector<int8_t> qw(ic * oc, 1);
  ASSERT_EQ(pqnn_create_fully_connected_nc_qs8(ic, oc, ic, oc, 0, 1.0f, 1.0f, qw.data(),
      nullptr, 0, 1.0f, -128, 127, 0, &q), pqnn_status_success);
  EXPECT_EQ(pqnn_set_output_affine(q, affine), pqnn_status_invalid_parameter);
  pqnn_delete_operator(q);

  const auto run = [&](std::vector<float>& y, bool residual) {
    y.assign(rows * oc, NAN);
    ASSERT_EQ(pqnn_reshape_fully_connected_nc_f32(op, rows, nullptr), pqnn_status_success);
    ASSERT_EQ(pqnn_setup_fully_connected_nc_f32(op, x.data(), y.data()), pqnn_status_success);
    if (residual) {
      ASSERT_EQ(pqnn_setup_residual_add(op, r.data(), oc, -0.5f, 2.0f), pqnn_status_success);
    }
    ASSERT_EQ(pqnn_run_operator(op, nullptr), pqnn_status_success);
  };
  // The depthwise operator itself on `in` (rows x 1 x 1 x oc).
  const auto reference = [&](const std::vector<float>& in) {
    std::vector<float> out(in.size(), NAN);
    EXPECT_EQ(pqnn_reshape_convolution2d_nhwc_f32(affine, rows, 1, 1, nullptr, nullptr,
        nullptr), pqnn_status_success);
    EXPECT_EQ(pqnn_setup_convolution2d_nhwc_f32(affine, in.data(), out.data()),
        pqnn_status_success);
    EXPECT_EQ(pqnn_run_operator(affine, nullptr), pqnn_status_success);
    return out;
  };
  std::vector<float> plain, with_residual, fused, fused_residual, none;
  run(plain, false);
  run(with_residual, true);
  ASSERT_EQ(pqnn_set_output_affine(op, affine), pqnn_status_success);
  run(fused, false);
  run(fused_residual, true);
  EXPECT_TRUE(same_bits(fused, reference(plain)));
  EXPECT_TRUE(same_bits(fused_residual, reference(with_residual)));
  ASSERT_EQ(pqnn_set_output_affine(op, nullptr), pqnn_status_success);
  run(none, false);
  EXPECT_TRUE(same_bits(none, plain));
  pqnn_delete_operator(op);
  pqnn_delete_operator(affine);
}

// The epilogue on column ranges that start anywhere (inside the affine kernel's channel
// tiles too, as GEMM column tiles narrower than the tile do), f32 and f16: pieces of random
// width over rows of a random output, against the depthwise operator on the whole rows.
TEST(OutputAffine, RangesStartingInsideAChannelTile) {
  ASSERT_EQ(pqnn_initialize(), pqnn_status_success);
  std::mt19937 rng(5);
  for (bool f16 : {false, true}) {
    for (size_t oc : {1, 7, 16, 33, 77, 130}) {
      SCOPED_TRACE(testing::Message() << (f16 ? "f16" : "f32") << " oc " << oc);
      const size_t ic = 4, rows = 9, es = f16 ? 2 : 4;
      const auto w = random_f32(ic * oc, -1, 1, 3);
      const auto scale = random_f32(oc, -2, 2, 7 + oc);
      const auto shift = random_f32(oc, -1, 1, 8 + oc);
      pqnn_operator_t op = nullptr, affine = nullptr;
      const uint32_t wf = f16 ? PQNN_FLAG_FP32_STATIC_WEIGHTS : 0;
      const uint32_t dw = PQNN_FLAG_DEPTHWISE_CONVOLUTION | wf;
      if (f16) {
        ASSERT_EQ(pqnn_create_fully_connected_nc_f16(ic, oc, ic, oc, w.data(), nullptr,
            -INFINITY, INFINITY, wf, &op), pqnn_status_success);
        ASSERT_EQ(pqnn_create_convolution2d_nhwc_f16(0, 0, 0, 0, 1, 1, 1, 1, 1, 1, oc, 1, 1, oc,
            oc, scale.data(), shift.data(), -1.5f, 1.5f, dw, &affine), pqnn_status_success);
      } else {
        ASSERT_EQ(pqnn_create_fully_connected_nc_f32(ic, oc, ic, oc, w.data(), nullptr,
            -INFINITY, INFINITY, 0, &op), pqnn_status_success);
        ASSERT_EQ(pqnn_create_convolution2d_nhwc_f32(0, 0, 0, 0, 1, 1, 1, 1, 1, 1, oc, 1, 1, oc,
            oc, scale.data(), shift.data(), -1.5f, 1.5f, dw, &affine), pqnn_status_success);
      }
      ASSERT_EQ(pqnn_set_output_affine(op, affine), pqnn_status_success);
      // Random f32 / f16 outputs: f16 from f32 by the library's own conversion.
      const auto values = random_f32(rows * oc, -3, 3, 11 + oc);
      std::vector<uint8_t> plain(rows * oc * es);
      if (f16) {
        pqnn_get_convert_config()->f32_f16(values.size(), values.data(), plain.data());
      } else {
        std::memcpy(plain.data(), values.data(), plain.size());
      }
      // The depthwise operator on the whole rows (rows x 1 x 1 x oc).
      std::vector<uint8_t> reference(plain.size());
      if (f16) {
        ASSERT_EQ(pqnn_reshape_convolution2d_nhwc_f16(affine, rows, 1, 1, nullptr, nullptr,
            nullptr), pqnn_status_success);
        ASSERT_EQ(pqnn_setup_convolution2d_nhwc_f16(affine, plain.data(), reference.data()),
            pqnn_status_success);
      } else {
        ASSERT_EQ(pqnn_reshape_convolution2d_nhwc_f32(affine, rows, 1, 1, nullptr, nullptr,
            nullptr), pqnn_status_success);
        ASSERT_EQ(pqnn_setup_convolution2d_nhwc_f32(affine, (const float*) plain.data(),
            (float*) reference.data()), pqnn_status_success);
      }
      ASSERT_EQ(pqnn_run_operator(affine, nullptr), pqnn_status_success);
      for (int round = 0; round < 8; round++) {
        std::vector<uint8_t> y = plain;
        size_t begin = 0;
        while (begin < oc) {
          const size_t width = std::min<size_t>(oc - begin, 1 + rng() % 40);
          pqnn_apply_epilogue(&op->epilogue, y.data() + begin * es, oc * es, 0, begin * es,
              rows, width);
          begin += width;
        }
        ASSERT_EQ(std::memcmp(y.data(), reference.data(), y.size()), 0) << "round " << round;
      }
      pqnn_delete_operator(op);
      pqnn_delete_operator(affine);
    }
  }
}

}  // namespace
