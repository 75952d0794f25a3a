// Residual add fusion (runtime-passes.c, pass 4): an add of two same-shape f32 / f16
// operands whose one operand comes from a fully connected / convolution / binary / add2
// node (its only reader) runs as that node's epilogue. Random blocks (1x1 GEMM, 3x3 IGEMM
// and Winograd, depthwise, fully connected, per-channel scale producers; either
// operand order; clamps before and after the add; add2 and binary add; f32, f16, DRQ)
// against the same graph with the option no_residual_fusion: bit-identical outputs, at
// the defined shapes and after a reshape, with and without a threadpool. Then the graphs
// that must not fuse.
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

enum class Producer { conv1x1, conv3x3_igemm, conv3x3_winograd, depthwise, fully_connected,
    scale /* binary multiply by a per-channel constant: a squeeze-excite x * s */ };
constexpr int kProducers = 6;

struct Block {
  Producer producer = Producer::conv1x1;
  size_t n = 1, h = 5, w = 7, c = 8;
  bool residual_first = false;   // add(B, A) instead of add(A, B)
  bool clamp_after = false;      // relu6 after the add (fused into the add first)
  bool producer_clamp = false;   // the producer's own bounds, before the add
  bool binary_add = false;       // pqnn_define_binary(add) instead of add2
  bool two_blocks = false;       // the block's output is the next block's residual
};


// x [n][h][w][3] -> 1x1 stem (3 -> c) = B -> producer = A -> add(A, B) [-> clamp] -> y.
// With two_blocks, y is the residual of a second 1x1 block.
void define_block(Graph& g, const Block& k, const BlockWeights& wt, uint32_t x, uint32_t* y_out,
    uint32_t y_external) {
  const float inf = INFINITY;
  const size_t c = k.c;
  const std::vector<size_t> dims = {k.n, k.h, k.w, c};
  const uint32_t stem_w = g.f32({c, 1, 1, 3}, wt.stem_w.data());
  const uint32_t stem_b = g.f32({c}, wt.stem_b.data());
  const uint32_t b = g.f32(dims);
  ASSERT_EQ(pqnn_define_convolution_2d(g.sg, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 3, c, -inf, inf,
      x, stem_w, stem_b, b, 0), pqnn_status_success);
  uint32_t in = b;
  for (int block = 0; block < (k.two_blocks ? 2 : 1); block++) {
    const uint32_t a = g.f32(dims);
    const float lo = k.producer_clamp ? -0.5f : -inf, hi = k.producer_clamp ? 0.75f : inf;
    const uint32_t bias = g.f32({c}, wt.b.data());
    const Producer p = block == 0 ? k.producer : Producer::conv1x1;
    switch (p) {
      case Producer::conv1x1:
        ASSERT_EQ(pqnn_define_convolution_2d(g.sg, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, c, c, lo, hi,
            in, g.f32({c, 1, 1, c}, wt.w.data()), bias, a, 0), pqnn_status_success);
        break;
      case Producer::conv3x3_igemm:
      case Producer::conv3x3_winograd:
        ASSERT_EQ(pqnn_define_convolution_2d(g.sg, 1, 1, 1, 1, 3, 3, 1, 1, 1, 1, 1, c, c, lo, hi,
            in, g.f32({c, 3, 3, c}, wt.w.data()), bias, a,
            p == Producer::conv3x3_igemm ? PQNN_FLAG_NO_WINOGRAD : 0), pqnn_status_success);
        break;
      case Producer::depthwise:
        ASSERT_EQ(pqnn_define_depthwise_convolution_2d(g.sg, 1, 1, 1, 1, 3, 3, 1, 1, 1, 1, 1, c,
            lo, hi, in, g.f32({1, 3, 3, c}, wt.w.data()), bias, a, 0), pqnn_status_success);
        break;
      case Producer::fully_connected:
        ASSERT_EQ(pqnn_define_fully_connected(g.sg, lo, hi, in, g.f32({c, c}, wt.w.data()), bias,
            a, 0), pqnn_status_success);
        break;
      case Producer::scale:
        ASSERT_EQ(pqnn_define_binary(g.sg, pqnn_binary_multiply, lo, hi, in,
            g.f32({1, 1, 1, c}, wt.w.data()), a, 0), pqnn_status_success);
        break;
    }
    const bool last = block == (k.two_blocks ? 1 : 0);
    const uint32_t sum = last && !k.clamp_after ? y_external : g.f32(dims);
    const uint32_t first = k.residual_first ? in : a, second = k.residual_first ? a : in;
    if (k.binary_add) {
      ASSERT_EQ(pqnn_define_binary(g.sg, pqnn_binary_add, -inf, inf, first, second, sum, 0),
          pqnn_status_success);
    } else {
      ASSERT_EQ(pqnn_define_add2(g.sg, -inf, inf, first, second, sum, 0), pqnn_status_success);
    }
    in = sum;
    if (last && k.clamp_after) {
      ASSERT_EQ(pqnn_define_clamp(g.sg, 0.0f, 6.0f, sum, y_external, 0), pqnn_status_success);
      in = y_external;
    }
  }
  *y_out = in;
}

// Builds the block and runs it at its shape, then reshaped.
BlockResult run_block(const Block& k, const BlockWeights& wt, uint32_t flags, bool fuse,
    pthreadpool_t pool) {
  Graph g(2);
  const uint32_t x = g.input(0, {k.n, k.h, k.w, 3});
  const uint32_t y_ext = g.output(1, {k.n, k.h, k.w, k.c});
  uint32_t y = PQNN_INVALID_VALUE_ID;
  define_block(g, k, wt, x, &y, y_ext);
  if (y != y_ext) return BlockResult();
  pqnn_runtime_options options = {};
  options.no_residual_fusion = fuse ? 0 : 1;
  return run_block_graph(g.sg, k.n, k.h, k.w, k.c, 1.0f, flags, options, pool);
}

size_t count_fused(const std::vector<pqnn_runtime_node_info>& infos) {
  size_t n = 0;
  for (const auto& i : infos) n += i.fused_add;
  return n;
}

const char* producer_name(Producer p) {
  static const char* const kNames[] = {"conv1x1", "conv3x3_igemm", "conv3x3_winograd",
      "depthwise", "fully_connected", "scale"};
  return kNames[static_cast<int>(p)];
}

TEST(RuntimeResidualFusion, RandomBlocksMatchTheUnfusedGraph) {
  std::mt19937 rng(2026);
  pthreadpool_t pool = create_pool(2);
  const uint32_t flag_sets[] = {0, PQNN_FLAG_FORCE_FP16_INFERENCE, PQNN_FLAG_DYNAMIC_RANGE_QUANTIZATION,
      PQNN_FLAG_FORCE_FP16_INFERENCE | PQNN_FLAG_DYNAMIC_RANGE_QUANTIZATION};
  for (int trial = 0; trial < 60; trial++) {
    Block k;
    k.producer = static_cast<Producer>(trial % kProducers);
    k.n = 1 + rng() % 2;
    k.h = 1 + rng() % 9;
    k.w = 1 + rng() % 11;
    k.c = 1 + rng() % 72;
    k.residual_first = (rng() & 1) != 0;
    k.clamp_after = (rng() & 1) != 0;
    k.producer_clamp = (rng() & 1) != 0;
    k.binary_add = (rng() & 1) != 0;
    k.two_blocks = (rng() % 3) == 0;
    const uint32_t flags = flag_sets[(trial / kProducers) % 4];
    const pthreadpool_t p = (trial & 1) != 0 ? pool : nullptr;
    SCOPED_TRACE(testing::Message() << producer_name(k.producer) << " n" << k.n << " " << k.h
        << "x" << k.w << " c" << k.c << " flags 0x" << std::hex << flags << std::dec
        << " residual_first " << k.residual_first << " clamp_after " << k.clamp_after
        << " producer_clamp " << k.producer_clamp << " binary " << k.binary_add
        << " two_blocks " << k.two_blocks << " pool " << (p != nullptr));
    const BlockWeights wt = random_block_weights(k.c, 10 + trial);
    const BlockResult fused = run_block(k, wt, flags, true, p);
    const BlockResult plain = run_block(k, wt, flags, false, p);
    ASSERT_FALSE(fused.y.empty());
    EXPECT_EQ(count_fused(fused.infos), k.two_blocks ? 2u : 1u);
    EXPECT_EQ(count_fused(plain.infos), 0u);
    EXPECT_EQ(fused.infos.size() + count_fused(fused.infos), plain.infos.size());
    EXPECT_TRUE(same_bits(fused.y, plain.y));
    EXPECT_TRUE(same_bits(fused.y_reshaped, plain.y_reshaped));
    bool finite = true;
    for (float v : fused.y) finite = finite && std::isfinite(v);
    EXPECT_TRUE(finite);
    size_t clamps = 0;
    for (const auto& i : fused.infos) {
      clamps += i.fused_clamp;
      if (i.fused_add != 0) {
        EXPECT_TRUE(i.type == pqnn_node_type_convolution_2d ||
            i.type == pqnn_node_type_depthwise_convolution_2d ||
            i.type == pqnn_node_type_fully_connected || i.type == pqnn_node_type_binary);
      } else {
        EXPECT_EQ(i.fused_clamp, 0u);  // the relu6 after the add went with the add
      }
    }
    EXPECT_EQ(clamps, k.clamp_after ? 1u : 0u);
  }
  destroy_pool(pool);
}

// x -> 1x1 conv = A; x -> abs = B (defined after, so ordered after A): the add cannot run
// in A's epilogue where A is computed, so the planner moves the conv down past abs and
// fuses there (same results). With abs -> A and a clamp after it for B, no FC / conv
// writes an operand: no fusion.
TEST(RuntimeResidualFusion, OperandComputedLaterMovesTheProducer) {
  const size_t c = 8;
  const auto w = random_f32(c * c, -1, 1, 3);
  const auto in = random_f32(16 * c, -1, 1, 4);
  for (bool conv : {true, false}) {
    SCOPED_TRACE(conv);
    std::vector<float> out[2];
    for (uint32_t no_fusion : {0u, 1u}) {
      Graph g(2);
      const uint32_t x = g.input(0, {1, 4, 4, c});
      const uint32_t a = g.f32({1, 4, 4, c}), b = g.f32({1, 4, 4, c});
      const uint32_t y = g.output(1, {1, 4, 4, c});
      const pqnn_unary_params up = {};
      if (conv) {
        ASSERT_EQ(pqnn_define_convolution_2d(g.sg, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, c, c,
            -INFINITY, INFINITY, x, g.f32({c, 1, 1, c}, w.data()), PQNN_INVALID_VALUE_ID, a, 0),
            pqnn_status_success);
      } else {
        ASSERT_EQ(pqnn_define_unary(g.sg, pqnn_unary_negate, &up, x, a, 0), pqnn_status_success);
      }
      ASSERT_EQ(pqnn_define_unary(g.sg, pqnn_unary_abs, &up, x, b, 0), pqnn_status_success);
      ASSERT_EQ(pqnn_define_add2(g.sg, -INFINITY, INFINITY, a, b, y, 0), pqnn_status_success);
      pqnn_runtime_options options = {};
      options.no_residual_fusion = no_fusion;
      pqnn_runtime_t rt = nullptr;
      ASSERT_EQ(pqnn_create_runtime_with_options(g.sg, nullptr, 0, &options, &rt),
          pqnn_status_success);
      out[no_fusion].assign(16 * c, NAN);
      const pqnn_external_value ext[2] = {{0, (void*) in.data()}, {1, out[no_fusion].data()}};
      ASSERT_EQ(pqnn_setup_runtime(rt, 2, ext), pqnn_status_success);
      ASSERT_EQ(pqnn_invoke_runtime(rt), pqnn_status_success);
      const auto infos = node_infos(rt);
      if (conv && no_fusion == 0) {
        ASSERT_EQ(infos.size(), 2u);
        EXPECT_EQ(infos[0].type, pqnn_node_type_unary);
        EXPECT_EQ(infos[1].type, pqnn_node_type_convolution_2d);
        EXPECT_EQ(infos[1].fused_add, 1u);
      } else {
        EXPECT_EQ(infos.size(), 3u);
        EXPECT_EQ(count_fused(infos), 0u);
      }
      pqnn_delete_runtime(rt);
    }
    EXPECT_TRUE(same_bits(out[0], out[1]));
  }
}

// add(A, A); A read by a second node; A an external output; a static operand: no fusion.
TEST(RuntimeResidualFusion, IneligibleAddsStayNodes) {
  const size_t c = 8;
  const auto w = random_f32(c * c, -1, 1, 3);
  const auto s = random_f32(16 * c, -1, 1, 5);
  for (int variant = 0; variant < 4; variant++) {
    SCOPED_TRACE(variant);
    Graph g(4);
    const uint32_t x = g.input(0, {1, 4, 4, c});
    const uint32_t b = g.f32({1, 4, 4, c});
    const uint32_t a = variant == 2 ? g.output(2, {1, 4, 4, c}) : g.f32({1, 4, 4, c});
    const uint32_t y = g.output(1, {1, 4, 4, c});
    ASSERT_EQ(pqnn_define_clamp(g.sg, -0.5f, 0.5f, x, b, 0), pqnn_status_success);
    ASSERT_EQ(pqnn_define_convolution_2d(g.sg, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, c, c, -INFINITY,
        INFINITY, b, g.f32({c, 1, 1, c}, w.data()), PQNN_INVALID_VALUE_ID, a, 0),
        pqnn_status_success);
    const uint32_t other = variant == 0 ? a : variant == 3 ? g.f32({1, 4, 4, c}, s.data()) : b;
    ASSERT_EQ(pqnn_define_add2(g.sg, -INFINITY, INFINITY, a, other, y, 0), pqnn_status_success);
    std::vector<float> extra(16 * c);
    if (variant == 1) {
      ASSERT_EQ(pqnn_define_clamp(g.sg, 0.0f, 1.0f, a, g.output(3, {1, 4, 4, c}), 0),
          pqnn_status_success);
    }
    const auto in = random_f32(16 * c, -1, 1, 4);
    std::vector<float> out(16 * c);
    std::vector<pqnn_external_value> ext = {{0, (void*) in.data()}, {1, out.data()}};
    if (variant == 1) ext.push_back({3, extra.data()});
    if (variant == 2) ext.push_back({2, extra.data()});
    pqnn_runtime_t rt = run_graph(g.sg, 0, ext);
    ASSERT_NE(rt, nullptr);
    const auto infos = node_infos(rt);
    EXPECT_EQ(count_fused(infos), 0u);
    EXPECT_EQ(infos.size(), variant == 1 ? 4u : 3u);
    pqnn_delete_runtime(rt);
    if (variant == 2) {  // the add still computes a + b, a being the external output
      for (size_t i = 0; i < out.size(); i++) {
        ASSERT_EQ(out[i], extra[i] + std::fmin(std::fmax(in[i], -0.5f), 0.5f)) << i;
      }
    }
  }
}

}  // namespace
