// Activation fusion (runtime-pass-activation.c): a unary node (any pqnn_unary_operator, or
// gelu) whose input comes from a fully connected / convolution / depthwise node (its only
// reader) runs as that node's output epilogue. Random blocks on every compute path (GEMM,
// IGEMM, PATCH, DWCONV, Winograd, fully connected; deconvolution's layouts apart) and every
// chain the planner fuses (node -> act, node -> act -> add, node -> add [-> clamp] -> act),
// f32, f16 and DRQ,
// against the same graph with the options no_activation_fusion and no_residual_fusion:
// bit-identical outputs, at the defined shapes and after a reshape, with and without a
// threadpool. Then the graphs that must not fuse (or fuse only in part), and the operator
// side's argument checks.
#include <gtest/gtest.h>

#include <cmath>
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
}

using namespace pqnn_test;

namespace {

enum class Chain { act, act_add, add_act };

struct Act {
  pqnn_node_type type = pqnn_node_type_unary;
  pqnn_unary_operator op = pqnn_unary_hardswish;
  const char* name = "hardswish";
};

const Act kActs[] = {
  {pqnn_node_type_unary, pqnn_unary_relu, "relu"},
  {pqnn_node_type_unary, pqnn_unary_leaky_relu, "leaky_relu"},
  {pqnn_node_type_unary, pqnn_unary_sigmoid, "sigmoid"},
  {pqnn_node_type_unary, pqnn_unary_tanh, "tanh"},
  {pqnn_node_type_unary, pqnn_unary_hardsigmoid, "hardsigmoid"},
  {pqnn_node_type_unary, pqnn_unary_hardswish, "hardswish"},
  {pqnn_node_type_unary, pqnn_unary_swish, "swish"},
  {pqnn_node_type_unary, pqnn_unary_exp, "exp"},
  {pqnn_node_type_unary, pqnn_unary_log, "log"},
  {pqnn_node_type_unary, pqnn_unary_sqrt, "sqrt"},
  {pqnn_node_type_unary, pqnn_unary_square, "square"},
  {pqnn_node_type_unary, pqnn_unary_abs, "abs"},
  {pqnn_node_type_unary, pqnn_unary_negate, "negate"},
  {pqnn_node_type_unary, pqnn_unary_erf, "erf"},
  {pqnn_node_type_unary, pqnn_unary_floor, "floor"},
  {pqnn_node_type_unary, pqnn_unary_ceil, "ceil"},
  {pqnn_node_type_unary, pqnn_unary_round, "round"},
  {pqnn_node_type_gelu, pqnn_unary_invalid, "gelu"},
};
constexpr int kNumActs = sizeof(kActs) / sizeof(kActs[0]);

struct Block : BlockDims {
  Producer producer = Producer::conv1x1;
  Chain chain = Chain::act;
  Act act;
  bool producer_clamp = false;   // the producer's own bounds, before everything
  bool clamp_after_add = false;  // a relu6 on the add (fused into the add first)
  bool residual_first = false;   // add(B, A) instead of add(A, B)
};


void define_act(Graph& g, const Act& a, uint32_t x, uint32_t y) {
  if (a.type == pqnn_node_type_gelu) {
    ASSERT_EQ(pqnn_define_gelu(g.sg, x, y, 0), pqnn_status_success);
    return;
  }
  const pqnn_unary_params p = {0.125f, 0.5f};
  ASSERT_EQ(pqnn_define_unary(g.sg, a.op, &p, x, y, 0), pqnn_status_success);
}

// x [n][h][w][3] -> 1x1 stem (3 -> c) = B -> producer = A -> chain -> y.
void define_block(Graph& g, const Block& k, const BlockWeights& wt, uint32_t x, uint32_t y) {
  const float inf = INFINITY;
  const std::vector<size_t> dims = {k.n, k.h, k.w, k.c};
  uint32_t b = 0, a = 0;
  ASSERT_NO_FATAL_FAILURE(define_producer(g, k.producer, dims, wt,
      k.producer_clamp ? -0.5f : -inf, k.producer_clamp ? 0.75f : inf, x, &b, &a));
  const auto add = [&](uint32_t p, uint32_t out) {
    const float alo = k.clamp_after_add ? 0.0f : -inf, ahi = k.clamp_after_add ? 6.0f : inf;
    const uint32_t first = k.residual_first ? b : p, second = k.residual_first ? p : b;
    ASSERT_EQ(pqnn_define_add2(g.sg, alo, ahi, first, second, out, 0), pqnn_status_success);
  };
  switch (k.chain) {
    case Chain::act:
      define_act(g, k.act, a, y);
      break;
    case Chain::act_add: {
      const uint32_t t = g.f32(dims);
      define_act(g, k.act, a, t);
      add(t, y);
      break;
    }
    case Chain::add_act: {
      const uint32_t t = g.f32(dims);
      add(a, t);
      define_act(g, k.act, t, y);
      break;
    }
  }
}

// Builds the block and runs it at its shape, then reshaped. fuse: the default planner;
// else neither activations nor adds fuse (the graph as defined).
BlockResult run_block(const Block& k, const BlockWeights& wt, uint32_t flags, bool fuse,
    pthreadpool_t pool) {
  pqnn_runtime_options options = {};
  options.no_activation_fusion = fuse ? 0 : 1;
  options.no_residual_fusion = fuse ? 0 : 1;
  return run_defined_block(k.n, k.h, k.w, k.c,
      [&](Graph& g, uint32_t x, uint32_t y) { define_block(g, k, wt, x, y); }, options, flags,
      pool);
}

size_t count_activations(const std::vector<pqnn_runtime_node_info>& infos) {
  return count_fused(infos, &pqnn_runtime_node_info::fused_activation);
}

const char* chain_name(Chain c) {
  static const char* const kNames[] = {"act", "act_add", "add_act"};
  return kNames[static_cast<int>(c)];
}

TEST(RuntimeActivationFusion, RandomBlocksMatchTheUnfusedGraph) {
  std::mt19937 rng(2027);
  pthreadpool_t pool = create_pool(2);
  std::set<std::string> paths;
  for (int trial = 0; trial < 144; trial++) {
    Block k;
    k.producer = static_cast<Producer>(trial % kProducers);
    k.chain = static_cast<Chain>((trial / kProducers) % 3);
    k.act = kActs[rng() % kNumActs];
    k.randomize(rng, 72);
    k.producer_clamp = (rng() & 1) != 0;
    k.clamp_after_add = (rng() & 1) != 0;
    k.residual_first = (rng() & 1) != 0;
    const uint32_t flags = kBlockFlags[(trial / (kProducers * 3)) % 4];
    const pthreadpool_t p = (trial & 1) != 0 ? pool : nullptr;
    SCOPED_TRACE(testing::Message() << producer_name(k.producer) << " " << chain_name(k.chain)
        << " " << k.act.name << " n" << k.n << " " << k.h << "x" << k.w << " c" << k.c
        << " flags 0x" << std::hex << flags << std::dec << " producer_clamp "
        << k.producer_clamp << " clamp_after_add " << k.clamp_after_add << " residual_first "
        << k.residual_first << " pool " << (p != nullptr));
    const BlockWeights wt = random_block_weights(k.c, 10 + trial);
    const BlockResult fused = run_block(k, wt, flags, true, p);
    const BlockResult plain = run_block(k, wt, flags, false, p);
    ASSERT_FALSE(fused.infos.empty());
    EXPECT_EQ(count_activations(fused.infos), 1u);
    EXPECT_EQ(count_activations(plain.infos), 0u);
    const size_t removed = 1 + (k.chain != Chain::act ? 1 : 0);
    EXPECT_EQ(fused.infos.size() + removed, plain.infos.size());
    EXPECT_TRUE(same_bits(fused.y, plain.y));
    EXPECT_TRUE(same_bits(fused.y_reshaped, plain.y_reshaped));
    for (const auto& i : fused.infos) {
      ASSERT_NE(i.fused_activation_name, nullptr);
      if (i.fused_activation == 0) {
        EXPECT_STREQ(i.fused_activation_name, "");
        continue;
      }
      EXPECT_STREQ(i.fused_activation_name, k.act.name);
      EXPECT_EQ(i.fused_add, k.chain != Chain::act ? 1u : 0u);
      EXPECT_EQ(i.activation_after_add, k.chain == Chain::add_act ? 1u : 0u);
      record_fused_node(i, &paths);
    }
  }
  destroy_pool(pool);
  expect_every_path(paths);
}

// Deconvolution -> act on each deconvolution layout (direct wide 2x2 s2, tall 2x2 s2 to few
// channels with and without output padding rows, accumulating 3x3 s1 and 4x4 s2),
// f32 / f16 / DRQ, against the unfused graph.
TEST(RuntimeActivationFusion, DeconvolutionMatchesTheUnfusedGraph) {
  const DeconvLayer layers[] = {{2, 2, 0, 0, 24}, {2, 2, 0, 0, 1}, {2, 2, 0, 1, 2},
      {3, 1, 1, 0, 16}, {4, 2, 1, 0, 8}};
  pthreadpool_t pool = create_pool(2);
  std::mt19937 rng(11);
  int trial = 0;
  for (const DeconvLayer& l : layers) {
    for (uint32_t flags : kDeconvFlags) {
      const Act act = kActs[rng() % kNumActs];
      const DeconvBlock d = deconv_block(l, trial, rng);
      const pthreadpool_t p = (trial++ & 1) != 0 ? pool : nullptr;
      SCOPED_TRACE(deconv_trace(d, act.name, flags));
      FusionRuns r;
      for (uint32_t no_fusion : {0u, 1u}) {
        Graph g(2);
        uint32_t a = 0, y = 0;
        ASSERT_NO_FATAL_FAILURE(define_deconv(g, d, &a, &y));
        define_act(g, act, a, y);
        pqnn_runtime_options options = {};
        options.no_activation_fusion = no_fusion;
        ASSERT_NO_FATAL_FAILURE(run_deconv_graph(g.sg, d, p, flags, options, &r, no_fusion));
      }
      expect_fused_deconv(r, &pqnn_runtime_node_info::fused_activation,
          [&](const pqnn_runtime_node_info& i) {
            EXPECT_STREQ(i.fused_activation_name, act.name);
          });
    }
  }
  destroy_pool(pool);
}

// Graphs that must not fuse, or fuse in part; each against the unfused graph.
//   0: the conv's output has a second reader      -> no fusion
//   1: the conv's output is an external output    -> no fusion
//   2: conv -> act -> act2                         -> act fused, act2 stays
//   3: conv -> act -> add -> act2                  -> act and add fused, act2 stays
//   4: deconvolution -> act                        -> act fused (no add chain there)
//   5: binary multiply -> act                      -> no fusion
TEST(RuntimeActivationFusion, IneligibleUnariesStayNodes) {
  const size_t c = 8;
  const auto w = random_f32(c * c * 4, -1, 1, 3);
  const auto in = random_f32(16 * c, -2, 2, 4);
  const pqnn_unary_params up = {};
  for (int variant = 0; variant < 6; variant++) {
    SCOPED_TRACE(variant);
    const size_t oh = variant == 4 ? 8 : 4;
    FusionRuns r;
    for (uint32_t no_fusion : {0u, 1u}) {
      IneligibleGraph ig(c, oh, oh, variant == 1);
      Graph& g = ig.g;
      const uint32_t x = ig.x, a = ig.a, y = ig.y;
      if (variant == 4) {
        ASSERT_EQ(pqnn_define_deconvolution_2d(g.sg, 0, 0, 0, 0, 0, 0, 2, 2, 2, 2, 1, 1, 1, c,
            c, -INFINITY, INFINITY, x, g.f32({c, 2, 2, c}, w.data()), PQNN_INVALID_VALUE_ID, a,
            0), pqnn_status_success);
      } else if (variant == 5) {
        ASSERT_EQ(pqnn_define_binary(g.sg, pqnn_binary_multiply, -INFINITY, INFINITY, x,
            g.f32({1, 1, 1, c}, w.data()), a, 0), pqnn_status_success);
      } else {
        ASSERT_EQ(pqnn_define_convolution_2d(g.sg, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, c, c,
            -INFINITY, INFINITY, x, g.f32({c, 1, 1, c}, w.data()), PQNN_INVALID_VALUE_ID, a, 0),
            pqnn_status_success);
      }
      if (variant == 2 || variant == 3) {
        const uint32_t t = g.f32({1, 4, 4, c});
        ASSERT_EQ(pqnn_define_unary(g.sg, pqnn_unary_hardswish, &up, a, t, 0),
            pqnn_status_success);
        uint32_t u = t;
        if (variant == 3) {  // the residual is written by a node (an input never fuses)
          const uint32_t b = g.f32({1, 4, 4, c});
          ASSERT_EQ(pqnn_define_clamp(g.sg, -1.0f, 1.0f, x, b, 0), pqnn_status_success);
          u = g.f32({1, 4, 4, c});
          ASSERT_EQ(pqnn_define_add2(g.sg, -INFINITY, INFINITY, t, b, u, 0),
              pqnn_status_success);
        }
        ASSERT_EQ(pqnn_define_unary(g.sg, pqnn_unary_sigmoid, &up, u, y, 0),
            pqnn_status_success);
      } else {
        ASSERT_EQ(pqnn_define_unary(g.sg, pqnn_unary_tanh, &up, a, y, 0), pqnn_status_success);
      }
      if (variant == 0) {
        ASSERT_NO_FATAL_FAILURE(ig.read_a_twice());
      }
      pqnn_runtime_options options = {};
      options.no_activation_fusion = no_fusion;
      options.no_residual_fusion = no_fusion;
      ASSERT_NO_FATAL_FAILURE(ig.run_once(in, oh, variant <= 1, 0, options, &r, no_fusion));
    }
    expect_same_outputs(r, &pqnn_runtime_node_info::fused_activation);
    const size_t fused = variant >= 2 && variant <= 4 ? 1u : 0u;
    EXPECT_EQ(count_activations(r.infos[0]), fused);
    EXPECT_EQ(r.infos[0].size() + fused + (variant == 3 ? 1u : 0u), r.infos[1].size());
    for (const auto& i : r.infos[0]) {
      if (i.type != pqnn_node_type_convolution_2d) continue;
      EXPECT_EQ(i.fused_add, variant == 3 ? 1u : 0u);
      EXPECT_EQ(i.activation_after_add, 0u);
      EXPECT_STREQ(i.fused_activation_name, fused != 0 ? "hardswish" : "");
    }
  }
}

// The operator side (internal): argument checks; the activation stays across reshapes and
// setups and runs before or after a bound residual, bit for bit the kernel on the plain
// output.
TEST(OutputActivation, ArgumentsAndOrder) {
  FcOperator fc;
  ASSERT_NO_FATAL_FAILURE(fc.create(8, 12, 5));
  const pqnn_operator_t op = fc.op;
  const pqnn_vunary_ukernel_fn hswish = pqnn_get_elementwise_config()->unary[pqnn_unary_hardswish];
  const pqnn_f32_elementwise_params params = {-INFINITY, INFINITY, 0.0f, 0.0f};
  EXPECT_EQ(pqnn_set_output_activation(nullptr, hswish, &params, true),
      pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_set_output_activation(op, hswish, nullptr, true),
      pqnn_status_invalid_parameter);
  // qs8 output: no epilogue.
  pqnn_operator_t q = nullptr;
  ASSERT_NO_FATAL_FAILURE(create_qs8_fc(fc.ic, fc.oc, &q));
  EXPECT_EQ(pqnn_set_output_activation(q, hswish, &params, true),
      pqnn_status_invalid_parameter);
  pqnn_delete_operator(q);

  std::vector<float> plain, act, act_add, add_act, none;
  fc.run(plain, false);
  ASSERT_EQ(pqnn_set_output_activation(op, hswish, &params, true), pqnn_status_success);
  fc.run(act, false);
  fc.run(act_add, true);
  ASSERT_EQ(pqnn_set_output_activation(op, hswish, &params, false), pqnn_status_success);
  fc.run(add_act, true);
  ASSERT_EQ(pqnn_set_output_activation(op, nullptr, nullptr, false), pqnn_status_success);
  fc.run(none, false);
  EXPECT_TRUE(same_bits(none, plain));
  const auto f = [&](float v) {
    float o;
    hswish(1, &v, &o, &params);
    return o;
  };
  const auto add = [&](float v, size_t i) {
    const float s = v + fc.r[i];
    return s < -0.5f ? -0.5f : s > 2.0f ? 2.0f : s;
  };
  for (size_t i = 0; i < plain.size(); i++) {
    ASSERT_EQ(act[i], f(plain[i])) << i;
    ASSERT_EQ(act_add[i], add(f(plain[i]), i)) << i;
    ASSERT_EQ(add_act[i], f(add(plain[i], i))) << i;
  }
  pqnn_delete_operator(op);
}

}  // namespace
