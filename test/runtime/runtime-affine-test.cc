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

enum class Chain { none, act, act_add, add_act };
constexpr int kChains = 4;

struct Block : BlockDims {
  Producer producer = Producer::conv1x1;
  Chain chain = Chain::none;
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
  uint32_t b = 0, a = 0;
  ASSERT_NO_FATAL_FAILURE(define_producer(g, k.producer, dims, wt, -inf, inf, x, &b, &a));
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
  pqnn_runtime_options options = {};
  options.no_activation_fusion = f.activation ? 0 : 1;
  options.no_residual_fusion = f.residual ? 0 : 1;
  options.no_affine_fusion = f.affine ? 0 : 1;
  return run_defined_block(k.n, k.h, k.w, k.c,
      [&](Graph& g, uint32_t x, uint32_t y) { define_block(g, k, wt, scale, shift, x, y); },
      options, flags, pool);
}

size_t count_affines(const std::vector<pqnn_runtime_node_info>& infos) {
  return count_fused(infos, &pqnn_runtime_node_info::fused_affine);
}

const char* chain_name(Chain c) {
  static const char* const kNames[] = {"none", "act", "act_add", "add_act"};
  return kNames[static_cast<int>(c)];
}

TEST(RuntimeAffineFusion, RandomBlocksMatchTheUnfusedGraph) {
  std::mt19937 rng(2031);
  pthreadpool_t pool = create_pool(2);
  std::set<std::string> paths;
  size_t affines = 0;
  const int kTrials = kProducers * kChains * 4;
  for (int trial = 0; trial < kTrials; trial++) {
    Block k;
    k.producer = static_cast<Producer>(trial % kProducers);
    k.chain = static_cast<Chain>((trial / kProducers) % kChains);
    k.randomize(rng, 100);
    k.affine_bias = (rng() % 4) != 0;
    k.affine_clamp = (rng() % 3) == 0;
    k.uniform_scale = (rng() % 4) == 0;
    const uint32_t flags = kBlockFlags[(trial / (kProducers * kChains)) % 4];
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
      record_fused_node(i, &paths);
    }
  }
  destroy_pool(pool);
  EXPECT_GE(affines, static_cast<size_t>(kTrials / 2));
  expect_every_path(paths);  // each ran the affine
}

// The depthwise row kernels with the epilogue in their registers (f32-dwconv-row-epi,
// src/configs/epilogue-config.c): 3x3 and 5x5 depthwise layers (same-size output), whose
// border columns run in the row kernel (dilation 1: k / 2 a side) or per pixel beside it
// (dilated: 5 or 6 a side, more than PQNN_DWCONV_ROW_EDGES),
// then hardswish + affine, clamp + affine, the affine alone, hardswish alone, at widths of
// 1 .. 33 and channel counts through the last partial vector, with and without a
// threadpool, against the graph with no fusion: bit-identical outputs.
TEST(RuntimeAffineFusion, DepthwiseRowEpiloguesMatchTheUnfusedGraph) {
  std::mt19937 rng(77);
  pthreadpool_t pool = create_pool(2);
  const float inf = INFINITY;
  int trial = 0;
  for (uint32_t k : {3u, 5u}) {
    for (uint32_t dil : {1u, k == 3 ? 5u : 3u}) {
      const uint32_t pad = dil * (k / 2);
      for (int chain = 0; chain < 4; chain++) {
        for (size_t c : {size_t{5}, size_t{16}, size_t{48}, size_t{67}}) {
          const size_t w = std::vector<size_t>{1, 7, 12, 33}[trial % 4];
          const size_t h = 1 + rng() % 6;
          const bool affine = chain != 3;
          const bool act = chain != 2;
          trial++;
          SCOPED_TRACE(testing::Message() << k << "x" << k << " dilation " << dil << " chain "
              << chain << " " << h << "x" << w << " c" << c);
          const BlockWeights wt = random_block_weights(c, 300 + trial);
          const auto dw = random_f32(k * k * c, -1, 1, 400 + trial);
          const auto scale = random_f32(c, -2, 2, 500 + trial);
          const auto shift = random_f32(c, -1, 1, 600 + trial);
          auto define = [&](Graph& g, uint32_t x, uint32_t y) {
            const std::vector<size_t> dims = {1, h, w, c};
            uint32_t b = 0, a = 0;
            ASSERT_NO_FATAL_FAILURE(define_producer(g, Producer::conv1x1, dims, wt, -inf, inf,
                x, &b, &a));
            const uint32_t d = !act && !affine ? y : g.f32(dims);
            ASSERT_EQ(pqnn_define_depthwise_convolution_2d(g.sg, pad, pad, pad, pad, k, k, 1,
                1, dil, dil, 1, c, -5.0f, 5.5f, a, g.f32({1, k, k, c}, dw.data()),
                g.f32({c}, shift.data()), affine || act ? d : y, 0), pqnn_status_success);
            uint32_t t = d;
            if (act) {
              t = affine ? g.f32(dims) : y;
              if (chain == 1) {
                ASSERT_EQ(pqnn_define_clamp(g.sg, -0.5f, 0.75f, d, t, 0), pqnn_status_success);
              } else {
                const pqnn_unary_params up = {};
                ASSERT_EQ(pqnn_define_unary(g.sg, pqnn_unary_hardswish, &up, d, t, 0),
                    pqnn_status_success);
              }
            }
            if (affine) {
              ASSERT_EQ(pqnn_define_depthwise_convolution_2d(g.sg, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1,
                  1, c, -1.0f, inf, t, g.f32({1, 1, 1, c}, scale.data()),
                  g.f32({c}, shift.data()), y, 0), pqnn_status_success);
            }
          };
          pqnn_runtime_options on = {}, off = {};
          off.no_activation_fusion = 1;
          off.no_affine_fusion = 1;
          const pthreadpool_t p = (trial & 1) != 0 ? pool : nullptr;
          const BlockResult fused = run_defined_block(1, h, w, c, define, on, 0, p);
          const BlockResult plain = run_defined_block(1, h, w, c, define, off, 0, p);
          ASSERT_FALSE(fused.infos.empty());
          ASSERT_FALSE(plain.infos.empty());
          EXPECT_LT(fused.infos.size(), plain.infos.size());
          EXPECT_TRUE(same_bits(fused.y, plain.y));
          EXPECT_TRUE(same_bits(fused.y_reshaped, plain.y_reshaped));
        }
      }
    }
  }
  destroy_pool(pool);
}

// Deconvolution [-> act] -> affine on each deconvolution layout (direct wide 2x2 s2, tall
// 2x2 s2 to few channels with and without output padding rows, accumulating 3x3 s1),
// f32 / f16 / DRQ, against the unfused graph.
TEST(RuntimeAffineFusion, DeconvolutionMatchesTheUnfusedGraph) {
  const DeconvLayer layers[] = {{2, 2, 0, 0, 24}, {2, 2, 0, 0, 1}, {2, 2, 0, 1, 2},
      {3, 1, 1, 0, 40}};
  pthreadpool_t pool = create_pool(2);
  std::mt19937 rng(13);
  int trial = 0;
  for (const DeconvLayer& l : layers) {
    for (uint32_t flags : kDeconvFlags) {
      const bool act = (trial % 2) == 0;
      const DeconvBlock d = deconv_block(l, trial, rng);
      const pthreadpool_t p = (trial++ & 1) != 0 ? pool : nullptr;
      SCOPED_TRACE(deconv_trace(d, act ? "act true" : "act false", flags));
      const auto scale = random_f32(l.goc, -2, 2, 8 + trial);
      const auto shift = random_f32(l.goc, -1, 1, 9 + trial);
      FusionRuns r;
      for (uint32_t no_fusion : {0u, 1u}) {
        Graph g(2);
        uint32_t a = 0, y = 0;
        ASSERT_NO_FATAL_FAILURE(define_deconv(g, d, &a, &y));
        uint32_t t = a;
        if (act) {
          const pqnn_unary_params up = {};
          t = g.f32({d.n, d.oh, d.ow, l.goc});
          ASSERT_EQ(pqnn_define_unary(g.sg, pqnn_unary_hardswish, &up, a, t, 0),
              pqnn_status_success);
        }
        ASSERT_EQ(pqnn_define_depthwise_convolution_2d(g.sg, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1,
            l.goc, -INFINITY, INFINITY, t, g.f32({1, 1, 1, l.goc}, scale.data()),
            g.f32({l.goc}, shift.data()), y, 0), pqnn_status_success);
        pqnn_runtime_options options = {};
        options.no_affine_fusion = no_fusion;
        options.qd8_float_depthwise = 1;  // the affine stays float under DRQ
        ASSERT_NO_FATAL_FAILURE(run_deconv_graph(g.sg, d, p, flags, options, &r, no_fusion));
      }
      expect_fused_deconv(r, &pqnn_runtime_node_info::fused_affine,
          [&](const pqnn_runtime_node_info& i) {
            EXPECT_EQ(i.fused_activation, act ? 1u : 0u);
          });
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
      FusionRuns r;
      for (uint32_t no_fusion : {0u, 1u}) {
        IneligibleGraph ig(c, 4, oh, variant == 1);
        Graph& g = ig.g;
        const uint32_t x = ig.x, a = ig.a, y = ig.y;
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
          ASSERT_NO_FATAL_FAILURE(ig.read_a_twice());
        }
        pqnn_runtime_options options = {};
        options.no_affine_fusion = no_fusion;
        ASSERT_NO_FATAL_FAILURE(ig.run_once(in, oh, variant <= 1, flags, options, &r, no_fusion));
      }
      expect_same_outputs(r, &pqnn_runtime_node_info::fused_affine);
      const size_t fused = variant == 6 ? 1u : 0u;
      EXPECT_EQ(count_affines(r.infos[0]), fused);
      EXPECT_EQ(r.infos[0].size() + fused, r.infos[1].size());
    }
  }
}

// The operator side (internal): argument checks; the affine stays across reshapes and
// setups, runs after a bound activation and residual, and gives the depthwise operator's
// output on the plain output bit for bit.
TEST(OutputAffine, ArgumentsAndOrder) {
  FcOperator fc;
  ASSERT_NO_FATAL_FAILURE(fc.create(8, 40, 5));
  const size_t oc = fc.oc, rows = fc.rows;
  const pqnn_operator_t op = fc.op;
  const auto scale = random_f32(oc, -2, 2, 7);
  const auto shift = random_f32(oc, -1, 1, 8);
  pqnn_operator_t affine = nullptr, wrong = nullptr, q = nullptr;
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
  ASSERT_NO_FATAL_FAILURE(create_qs8_fc(fc.ic, oc, &q));
  EXPECT_EQ(pqnn_set_output_affine(q, affine), pqnn_status_invalid_parameter);
  pqnn_delete_operator(q);

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
  fc.run(plain, false);
  fc.run(with_residual, true);
  ASSERT_EQ(pqnn_set_output_affine(op, affine), pqnn_status_success);
  fc.run(fused, false);
  fc.run(fused_residual, true);
  EXPECT_TRUE(same_bits(fused, reference(plain)));
  EXPECT_TRUE(same_bits(fused_residual, reference(with_residual)));
  ASSERT_EQ(pqnn_set_output_affine(op, nullptr), pqnn_status_success);
  fc.run(none, false);
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

namespace {

// The one-pass epilogue (f32-vunary-affine): with an activation bound (none, relu,
// hardswish, sigmoid; tanh has no one-pass kernel and keeps the passes) and a residual
// (none, before or after the activation), f32 pieces of random width over rows of outputs
// mixing signed zeros, infinities, NaNs and hardswish's breakpoints, against the passes
// one by one (the tier's unary kernel, the tier's add, the depthwise operator on the whole
// rows); and the one-pass kernels are bound wherever the pair has one.
TEST(OutputAffine, OnePassMatchesThePasses) {
  ASSERT_EQ(pqnn_initialize(), pqnn_status_success);
  const pqnn_elementwise_config* ec = pqnn_get_elementwise_config();
  std::mt19937 rng(17);
  const float inf = INFINITY;
  const float specials[] = {0.0f, -0.0f, inf, -inf, NAN, 3.0f, -3.0f, 6.0f, -2.9999998f,
      1e-40f, -1e-40f};
  for (pqnn_unary_operator u : {pqnn_unary_invalid, pqnn_unary_relu, pqnn_unary_hardswish,
           pqnn_unary_sigmoid, pqnn_unary_tanh}) {
    for (int residual = 0; residual < 3; residual++) {  // none, act -> add, add -> act
      for (size_t oc : {1, 7, 16, 33, 77, 130}) {
        SCOPED_TRACE(testing::Message() << "unary " << u << " residual " << residual << " oc "
            << oc);
        const size_t ic = 4, rows = 9;
        const auto w = random_f32(ic * oc, -1, 1, 3);
        const auto scale = random_f32(oc, -2, 2, 7 + oc);
        const auto shift = random_f32(oc, -1, 1, 8 + oc);
        pqnn_operator_t op = nullptr, affine = nullptr;
        ASSERT_EQ(pqnn_create_fully_connected_nc_f32(ic, oc, ic, oc, w.data(), nullptr,
            -INFINITY, INFINITY, 0, &op), pqnn_status_success);
        ASSERT_EQ(pqnn_create_convolution2d_nhwc_f32(0, 0, 0, 0, 1, 1, 1, 1, 1, 1, oc, 1, 1,
            oc, oc, scale.data(), shift.data(), residual == 2 ? -INFINITY : -1.5f, 1.5f,
            PQNN_FLAG_DEPTHWISE_CONVOLUTION, &affine), pqnn_status_success);
        const pqnn_vunary_ukernel_fn act = u == pqnn_unary_invalid ? nullptr : ec->unary[u];
        const pqnn_f32_elementwise_params ap = {-INFINITY, INFINITY, 0.0f, 0.0f};
        ASSERT_EQ(pqnn_set_output_activation(op, act, &ap, residual == 1),
            pqnn_status_success);
        ASSERT_EQ(pqnn_set_output_affine(op, affine), pqnn_status_success);
        const bool paired = u != pqnn_unary_tanh;
        EXPECT_EQ(op->epilogue.affine_only != nullptr, true);
        EXPECT_EQ(op->epilogue.affine_act != nullptr, act != nullptr && paired);
        auto values = random_f32(rows * oc, -5, 5, 11 + oc);
        for (size_t i = 0; i < values.size(); i += 3) {
          values[i] = specials[rng() % (sizeof(specials) / sizeof(specials[0]))];
        }
        const auto res = random_f32(rows * oc, -4, 4, 12 + oc);
        pqnn_epilogue& e = op->epilogue;
        if (residual != 0) {
          e.data = reinterpret_cast<const char*>(res.data());
          e.pixel_stride = oc * sizeof(float);
          e.params = {-inf, inf, 0.0f, 0.0f};
          e.add = ec->vv[pqnn_binary_add];
        }
        // The passes one by one.
        std::vector<float> ref = values;
        const size_t n = ref.size();
        if (act != nullptr && residual == 1) act(n, ref.data(), ref.data(), &ap);
        if (residual != 0) e.add(n, ref.data(), res.data(), ref.data(), &e.params);
        if (act != nullptr && residual != 1) act(n, ref.data(), ref.data(), &ap);
        std::vector<float> expected(n);
        ASSERT_EQ(pqnn_reshape_convolution2d_nhwc_f32(affine, rows, 1, 1, nullptr, nullptr,
            nullptr), pqnn_status_success);
        ASSERT_EQ(pqnn_setup_convolution2d_nhwc_f32(affine, ref.data(), expected.data()),
            pqnn_status_success);
        ASSERT_EQ(pqnn_run_operator(affine, nullptr), pqnn_status_success);
        for (int round = 0; round < 4; round++) {
          std::vector<float> y = values;
          size_t begin = 0;
          while (begin < oc) {
            const size_t width = std::min<size_t>(oc - begin, 1 + rng() % 40);
            pqnn_apply_epilogue(&e, y.data() + begin, oc * sizeof(float), 0,
                begin * sizeof(float), rows, width);
            begin += width;
          }
          ASSERT_TRUE(same_bits(y, expected)) << "round " << round;
        }
        e.data = nullptr;
        pqnn_delete_operator(op);
        pqnn_delete_operator(affine);
      }
    }
  }
}

}  // namespace
