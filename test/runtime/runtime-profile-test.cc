// Runtime profiling (pqnn_enable_runtime_profiling, pqnn_get_runtime_node_profile) and value
// reads after an invoke (keep_values option, pqnn_get_runtime_value): counters per node,
// multiply-adds per node type, the value each node writes, and argument checks.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include <pqnn.h>

#include "common/runtime-graph.h"

using namespace pqnn_test;

namespace {

const float kInf = INFINITY;

// in [2, 8] -> FC (8 x 8, weights 0.25) -> mid -> softmax -> out.
struct FcSoftmax {
  Graph g{2};
  std::vector<float> w = std::vector<float>(8 * 8, 0.25f);
  uint32_t in, wid, mid, out;
  FcSoftmax() {
    in = g.input(0, {2, 8});
    wid = g.f32({8, 8}, w.data());
    mid = g.f32({2, 8});
    out = g.output(1, {2, 8});
    EXPECT_EQ(pqnn_define_fully_connected(g.sg, -kInf, kInf, in, wid, PQNN_INVALID_VALUE_ID,
        mid, 0), pqnn_status_success);
    EXPECT_EQ(pqnn_define_softmax(g.sg, mid, out, 0), pqnn_status_success);
  }
};

TEST(RuntimeProfile, CountsRunsAndTimePerNode) {
  FcSoftmax m;
  pqnn_runtime_t rt = nullptr;
  ASSERT_EQ(pqnn_create_runtime(m.g.sg, nullptr, 0, &rt), pqnn_status_success);
  std::vector<float> x = random_f32(16), y(16);
  const pqnn_external_value ext[2] = {{0, x.data()}, {1, y.data()}};
  ASSERT_EQ(pqnn_setup_runtime(rt, 2, ext), pqnn_status_success);
  size_t count = 0;
  ASSERT_EQ(pqnn_get_runtime_node_count(rt, &count), pqnn_status_success);
  ASSERT_EQ(count, 2u);
  // Never enabled: zero counters, but the static facts are there.
  pqnn_runtime_node_profile p;
  ASSERT_EQ(pqnn_invoke_runtime(rt), pqnn_status_success);
  ASSERT_EQ(pqnn_get_runtime_node_profile(rt, 0, &p), pqnn_status_success);
  EXPECT_EQ(p.runs, 0u);
  EXPECT_EQ(p.time_ns, 0u);
  EXPECT_EQ(p.macs, 2u * 8 * 8);
  EXPECT_EQ(p.output_value, m.mid);
  ASSERT_EQ(pqnn_get_runtime_node_profile(rt, 1, &p), pqnn_status_success);
  EXPECT_EQ(p.macs, 0u);
  EXPECT_EQ(p.output_value, m.out);

  ASSERT_EQ(pqnn_enable_runtime_profiling(rt, 1), pqnn_status_success);
  for (int i = 0; i < 3; i++) ASSERT_EQ(pqnn_invoke_runtime(rt), pqnn_status_success);
  for (size_t k = 0; k < count; k++) {
    ASSERT_EQ(pqnn_get_runtime_node_profile(rt, k, &p), pqnn_status_success);
    EXPECT_EQ(p.runs, 3u);
  }
  // Time adds up (a coarse clock, as under WebAssembly, may need more runs to tick).
  uint64_t total_ns = 0;
  for (int i = 0; i < 100000 && total_ns == 0; i++) {
    ASSERT_EQ(pqnn_invoke_runtime(rt), pqnn_status_success);
    total_ns = 0;
    for (size_t k = 0; k < count; k++) {
      ASSERT_EQ(pqnn_get_runtime_node_profile(rt, k, &p), pqnn_status_success);
      total_ns += p.time_ns;
    }
  }
  EXPECT_GT(total_ns, 0u);
  // Off: counters frozen; on again: cleared.
  ASSERT_EQ(pqnn_get_runtime_node_profile(rt, 0, &p), pqnn_status_success);
  const uint64_t runs = p.runs;
  EXPECT_GE(runs, 4u);
  ASSERT_EQ(pqnn_enable_runtime_profiling(rt, 0), pqnn_status_success);
  ASSERT_EQ(pqnn_invoke_runtime(rt), pqnn_status_success);
  ASSERT_EQ(pqnn_get_runtime_node_profile(rt, 0, &p), pqnn_status_success);
  EXPECT_EQ(p.runs, runs);
  ASSERT_EQ(pqnn_enable_runtime_profiling(rt, 1), pqnn_status_success);
  ASSERT_EQ(pqnn_get_runtime_node_profile(rt, 0, &p), pqnn_status_success);
  EXPECT_EQ(p.runs, 0u);
  ASSERT_EQ(pqnn_invoke_runtime(rt), pqnn_status_success);
  ASSERT_EQ(pqnn_get_runtime_node_profile(rt, 1, &p), pqnn_status_success);
  EXPECT_EQ(p.runs, 1u);
  ASSERT_EQ(pqnn_reset_runtime_profile(rt), pqnn_status_success);
  ASSERT_EQ(pqnn_get_runtime_node_profile(rt, 1, &p), pqnn_status_success);
  EXPECT_EQ(p.runs, 0u);
  EXPECT_EQ(p.time_ns, 0u);
  // Profiling does not change results.
  std::vector<float> y_profiled = y;
  ASSERT_EQ(pqnn_invoke_runtime(rt), pqnn_status_success);
  EXPECT_EQ(0, std::memcmp(y.data(), y_profiled.data(), y.size() * sizeof(float)));

  // Arguments.
  EXPECT_EQ(pqnn_enable_runtime_profiling(nullptr, 1), pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_enable_runtime_profiling(rt, 2), pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_reset_runtime_profile(nullptr), pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_get_runtime_node_profile(nullptr, 0, &p), pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_get_runtime_node_profile(rt, 0, nullptr), pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_get_runtime_node_profile(rt, 2, &p), pqnn_status_invalid_parameter);
  pqnn_delete_runtime(rt);
}

TEST(RuntimeProfile, MultiplyAddsOfConvolutionsAndBatchMatmul) {
  Graph g(4);
  const std::vector<float> w = random_f32(4 * 3 * 3 * 2), dw = random_f32(3 * 3 * 4);
  const uint32_t x = g.input(0, {1, 5, 5, 2});
  const uint32_t wid = g.f32({4, 3, 3, 2}, w.data());
  const uint32_t c = g.f32({1, 5, 5, 4});
  const uint32_t dwid = g.f32({1, 3, 3, 4}, dw.data());
  const uint32_t d = g.output(1, {1, 3, 3, 4});
  ASSERT_EQ(pqnn_define_convolution_2d(g.sg, 1, 1, 1, 1, 3, 3, 1, 1, 1, 1, 1, 2, 4, -kInf, kInf,
      x, wid, PQNN_INVALID_VALUE_ID, c, 0), pqnn_status_success);
  ASSERT_EQ(pqnn_define_depthwise_convolution_2d(g.sg, 0, 0, 0, 0, 3, 3, 1, 1, 1, 1, 1, 4,
      -kInf, kInf, c, dwid, PQNN_INVALID_VALUE_ID, d, 0), pqnn_status_success);
  const uint32_t a = g.input(2, {2, 3, 4});
  const uint32_t bb = g.output(3, {2, 3, 5});
  const std::vector<float> bdata = random_f32(2 * 4 * 5);
  const uint32_t bs = g.f32({2, 4, 5}, bdata.data());
  ASSERT_EQ(pqnn_define_batch_matrix_multiply(g.sg, a, bs, bb, 0), pqnn_status_success);
  pqnn_runtime_t rt = nullptr;
  ASSERT_EQ(pqnn_create_runtime(g.sg, nullptr, 0, &rt), pqnn_status_success);
  size_t count = 0;
  ASSERT_EQ(pqnn_get_runtime_node_count(rt, &count), pqnn_status_success);
  bool seen_conv = false, seen_dw = false, seen_bmm = false;
  for (size_t k = 0; k < count; k++) {
    pqnn_runtime_node_info info;
    pqnn_runtime_node_profile p;
    ASSERT_EQ(pqnn_get_runtime_node_info(rt, k, &info), pqnn_status_success);
    ASSERT_EQ(pqnn_get_runtime_node_profile(rt, k, &p), pqnn_status_success);
    switch (info.type) {
      case pqnn_node_type_convolution_2d:
        EXPECT_EQ(p.macs, 5u * 5 * 4 * 3 * 3 * 2);  // output elements x kh x kw x input channels
        seen_conv = true;
        break;
      case pqnn_node_type_depthwise_convolution_2d:
        EXPECT_EQ(p.macs, 3u * 3 * 4 * 3 * 3);      // output elements x kh x kw
        seen_dw = true;
        break;
      case pqnn_node_type_batch_matrix_multiply:
        EXPECT_EQ(p.macs, 2u * 3 * 5 * 4);          // output elements x K
        EXPECT_EQ(p.output_value, bb);
        seen_bmm = true;
        break;
      default:
        EXPECT_EQ(p.macs, 0u);
    }
  }
  EXPECT_TRUE(seen_conv && seen_dw && seen_bmm);
  pqnn_delete_runtime(rt);
}

TEST(RuntimeProfile, KeepValuesMakesIntermediatesReadable) {
  for (uint32_t flags : {0u, unsigned(PQNN_FLAG_FORCE_FP16_INFERENCE)}) {
    FcSoftmax m;
    std::vector<float> x = random_f32(16), y(16);
    const pqnn_external_value ext[2] = {{0, x.data()}, {1, y.data()}};
    pqnn_datatype dt;
    size_t num_dims = 0, dims[PQNN_MAX_TENSOR_DIMS] = {};
    const void* data = nullptr;

    // Default: the arena is shared, intermediates are not readable; externals are.
    pqnn_runtime_t rt = nullptr;
    ASSERT_EQ(pqnn_create_runtime(m.g.sg, nullptr, flags, &rt), pqnn_status_success);
    EXPECT_EQ(pqnn_get_runtime_value(rt, m.out, &dt, &num_dims, dims, &data),
        pqnn_status_invalid_parameter);  // not set up yet
    ASSERT_EQ(pqnn_setup_runtime(rt, 2, ext), pqnn_status_success);
    ASSERT_EQ(pqnn_invoke_runtime(rt), pqnn_status_success);
    EXPECT_EQ(pqnn_get_runtime_value(rt, m.mid, &dt, &num_dims, dims, &data),
        pqnn_status_invalid_state);
    ASSERT_EQ(pqnn_get_runtime_value(rt, m.out, &dt, &num_dims, dims, &data),
        pqnn_status_success);
    EXPECT_EQ(data, y.data());
    EXPECT_EQ(dt, pqnn_datatype_fp32);
    EXPECT_EQ(pqnn_get_runtime_value(rt, m.wid, &dt, &num_dims, dims, &data),
        pqnn_status_invalid_parameter);  // weights are not an activation
    pqnn_delete_runtime(rt);

    pqnn_runtime_options options = {};
    options.keep_values = 1;
    ASSERT_EQ(pqnn_create_runtime_with_options(m.g.sg, nullptr, flags, &options, &rt),
        pqnn_status_success);
    size_t arena = 0, unshared = 0;
    ASSERT_EQ(pqnn_get_runtime_arena_size(rt, &arena, &unshared), pqnn_status_success);
    EXPECT_EQ(arena, unshared);
    ASSERT_EQ(pqnn_setup_runtime(rt, 2, ext), pqnn_status_success);
    ASSERT_EQ(pqnn_invoke_runtime(rt), pqnn_status_success);
    ASSERT_EQ(pqnn_get_runtime_value(rt, m.mid, &dt, &num_dims, dims, &data),
        pqnn_status_success);
    ASSERT_EQ(num_dims, 2u);
    EXPECT_EQ(dims[0], 2u);
    EXPECT_EQ(dims[1], 8u);
    EXPECT_EQ(dt, flags == 0 ? pqnn_datatype_fp32 : pqnn_datatype_fp16);
    if (flags == 0) {
      // Every FC output is 0.25 * the sum of its input row.
      const float* mid = static_cast<const float*>(data);
      for (size_t r = 0; r < 2; r++) {
        float sum = 0.0f;
        for (size_t k = 0; k < 8; k++) sum += x[r * 8 + k];
        for (size_t k = 0; k < 8; k++) EXPECT_NEAR(mid[r * 8 + k], 0.25f * sum, 1e-5f);
      }
    }
    // Arguments.
    EXPECT_EQ(pqnn_get_runtime_value(nullptr, m.mid, &dt, &num_dims, dims, &data),
        pqnn_status_invalid_parameter);
    EXPECT_EQ(pqnn_get_runtime_value(rt, m.mid, nullptr, &num_dims, dims, &data),
        pqnn_status_invalid_parameter);
    EXPECT_EQ(pqnn_get_runtime_value(rt, m.mid, &dt, nullptr, dims, &data),
        pqnn_status_invalid_parameter);
    EXPECT_EQ(pqnn_get_runtime_value(rt, m.mid, &dt, &num_dims, nullptr, &data),
        pqnn_status_invalid_parameter);
    EXPECT_EQ(pqnn_get_runtime_value(rt, m.mid, &dt, &num_dims, dims, nullptr),
        pqnn_status_invalid_parameter);
    EXPECT_EQ(pqnn_get_runtime_value(rt, 99, &dt, &num_dims, dims, &data),
        pqnn_status_invalid_parameter);
    pqnn_delete_runtime(rt);
  }
}

TEST(RuntimeProfile, FusedAwayValueIsNotReadable) {
  Graph g(2);
  const std::vector<float> w(4 * 4, 0.5f);
  const uint32_t in = g.input(0, {1, 4});
  const uint32_t wid = g.f32({4, 4}, w.data());
  const uint32_t mid = g.f32({1, 4});
  const uint32_t out = g.output(1, {1, 4});
  ASSERT_EQ(pqnn_define_fully_connected(g.sg, -kInf, kInf, in, wid, PQNN_INVALID_VALUE_ID, mid,
      0), pqnn_status_success);
  ASSERT_EQ(pqnn_define_clamp(g.sg, 0.0f, 6.0f, mid, out, 0), pqnn_status_success);
  pqnn_runtime_options options = {};
  options.keep_values = 1;
  pqnn_runtime_t rt = nullptr;
  ASSERT_EQ(pqnn_create_runtime_with_options(g.sg, nullptr, 0, &options, &rt),
      pqnn_status_success);
  size_t count = 0;
  ASSERT_EQ(pqnn_get_runtime_node_count(rt, &count), pqnn_status_success);
  ASSERT_EQ(count, 1u);  // the clamp is fused into the FC
  pqnn_runtime_node_profile p;
  ASSERT_EQ(pqnn_get_runtime_node_profile(rt, 0, &p), pqnn_status_success);
  EXPECT_EQ(p.output_value, out);
  std::vector<float> x = random_f32(4), y(4);
  const pqnn_external_value ext[2] = {{0, x.data()}, {1, y.data()}};
  ASSERT_EQ(pqnn_setup_runtime(rt, 2, ext), pqnn_status_success);
  ASSERT_EQ(pqnn_invoke_runtime(rt), pqnn_status_success);
  pqnn_datatype dt;
  size_t num_dims = 0, dims[PQNN_MAX_TENSOR_DIMS] = {};
  const void* data = nullptr;
  EXPECT_EQ(pqnn_get_runtime_value(rt, mid, &dt, &num_dims, dims, &data),
      pqnn_status_invalid_parameter);
  pqnn_delete_runtime(rt);
}

}  // namespace
