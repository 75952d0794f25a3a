// Bad subgraphs and misuse of the runtime return specific statuses and never crash:
// dangling ids, shape and datatype mismatches, a value produced twice, cycles, external
// values never set, unknown flags, calls out of order.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include <pqnn.h>

#include "common/runtime-graph.h"

using namespace pqnn_test;

namespace {

const float kInf = INFINITY;

TEST(RuntimeBadGraph, ValueDefinitions) {
  Graph g(2);
  uint32_t id;
  const size_t dims[2] = {2, 3}, zero[2] = {2, 0};
  const float data[6] = {};
  EXPECT_EQ(pqnn_define_tensor_value(nullptr, pqnn_datatype_fp32, 2, dims, nullptr, 0,
      PQNN_VALUE_FLAG_EXTERNAL_INPUT, &id), pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_define_tensor_value(g.sg, pqnn_datatype_fp32, 2, dims, nullptr, 0,
      PQNN_VALUE_FLAG_EXTERNAL_INPUT, nullptr), pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_define_tensor_value(g.sg, pqnn_datatype_qint8, 2, dims, nullptr,
      PQNN_INVALID_VALUE_ID, 0, &id), pqnn_status_invalid_parameter);  // needs quantization
  EXPECT_EQ(pqnn_define_tensor_value(g.sg, pqnn_datatype(99), 2, dims, nullptr,
      PQNN_INVALID_VALUE_ID, 0, &id), pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_define_tensor_value(g.sg, pqnn_datatype_fp32, 2, zero, nullptr,
      PQNN_INVALID_VALUE_ID, 0, &id), pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_define_tensor_value(g.sg, pqnn_datatype_fp32, 7, dims, nullptr,
      PQNN_INVALID_VALUE_ID, 0, &id), pqnn_status_unsupported_parameter);
  EXPECT_EQ(pqnn_define_tensor_value(g.sg, pqnn_datatype_fp32, 2, dims, nullptr, 2,
      PQNN_VALUE_FLAG_EXTERNAL_INPUT, &id), pqnn_status_invalid_parameter);  // id >= externals
  EXPECT_EQ(pqnn_define_tensor_value(g.sg, pqnn_datatype_fp32, 2, dims, data, 0,
      PQNN_VALUE_FLAG_EXTERNAL_INPUT, &id), pqnn_status_invalid_parameter);  // static external
  EXPECT_EQ(pqnn_define_tensor_value(g.sg, pqnn_datatype_fp32, 2, dims, nullptr,
      PQNN_INVALID_VALUE_ID, PQNN_VALUE_FLAG_EXTERNAL_INPUT, &id), pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_define_tensor_value(g.sg, pqnn_datatype_fp32, 2, dims, nullptr, 0, 0x10, &id),
      pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_define_tensor_value(g.sg, pqnn_datatype_fp32, 2, dims, nullptr, 0,
      PQNN_VALUE_FLAG_EXTERNAL_INPUT, &id), pqnn_status_success);
  EXPECT_EQ(id, 0u);
  EXPECT_EQ(pqnn_define_tensor_value(g.sg, pqnn_datatype_fp32, 2, dims, nullptr, 0,
      PQNN_VALUE_FLAG_EXTERNAL_INPUT, &id), pqnn_status_invalid_parameter);  // defined twice
  EXPECT_EQ(pqnn_define_quantized_tensor_value(g.sg, pqnn_datatype_qint8, 0, NAN, 2, dims,
      nullptr, PQNN_INVALID_VALUE_ID, 0, &id), pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_define_quantized_tensor_value(g.sg, pqnn_datatype_qint8, 300, 1.0f, 2, dims,
      nullptr, PQNN_INVALID_VALUE_ID, 0, &id), pqnn_status_invalid_parameter);
  const float scales[2] = {1.0f, -1.0f};
  const int8_t w[6] = {};
  EXPECT_EQ(pqnn_define_channelwise_quantized_tensor_value(g.sg, pqnn_datatype_qcint8, scales, 2,
      0, dims, w, PQNN_INVALID_VALUE_ID, 0, &id), pqnn_status_invalid_parameter);  // scale < 0
  EXPECT_EQ(pqnn_define_channelwise_quantized_tensor_value(g.sg, pqnn_datatype_qcint8, scales, 2,
      2, dims, w, PQNN_INVALID_VALUE_ID, 0, &id), pqnn_status_invalid_parameter);  // channel_dim
  pqnn_subgraph_t sg2 = nullptr;
  EXPECT_EQ(pqnn_create_subgraph(1, 0x4000, &sg2), pqnn_status_invalid_parameter);
  EXPECT_EQ(sg2, nullptr);
}

TEST(RuntimeBadGraph, NodeDefinitions) {
  Graph g(3);
  const std::vector<float> w(4 * 3, 0.5f);
  const uint32_t in = g.input(0, {2, 3});
  const uint32_t wid = g.f32({4, 3}, w.data());
  const uint32_t out = g.output(1, {2, 4});
  const uint32_t wrong = g.f32({2, 5});
  uint32_t q = g.q8({2, 4}, 0, 0.1f);
  // dangling id
  EXPECT_EQ(pqnn_define_fully_connected(g.sg, -kInf, kInf, 77, wid, PQNN_INVALID_VALUE_ID, out, 0),
      pqnn_status_invalid_parameter);
  // shape mismatch
  EXPECT_EQ(pqnn_define_fully_connected(g.sg, -kInf, kInf, in, wid, PQNN_INVALID_VALUE_ID, wrong, 0),
      pqnn_status_invalid_parameter);
  // datatype mismatch (f32 input, qint8 output)
  EXPECT_EQ(pqnn_define_fully_connected(g.sg, -kInf, kInf, in, wid, PQNN_INVALID_VALUE_ID, q, 0),
      pqnn_status_invalid_parameter);
  // dynamic (non-static) filter
  EXPECT_EQ(pqnn_define_fully_connected(g.sg, -kInf, kInf, in, in, PQNN_INVALID_VALUE_ID, out, 0),
      pqnn_status_invalid_parameter);
  // flags that do not apply, NaN bounds, empty range
  EXPECT_EQ(pqnn_define_fully_connected(g.sg, -kInf, kInf, in, wid, PQNN_INVALID_VALUE_ID, out,
      PQNN_FLAG_DEPTHWISE_CONVOLUTION), pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_define_fully_connected(g.sg, NAN, kInf, in, wid, PQNN_INVALID_VALUE_ID, out, 0),
      pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_define_fully_connected(g.sg, 1.0f, 1.0f, in, wid, PQNN_INVALID_VALUE_ID, out, 0),
      pqnn_status_invalid_parameter);
  // writing a static value or an external input
  EXPECT_EQ(pqnn_define_clamp(g.sg, 0, 1, in, wid, 0), pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_define_clamp(g.sg, 0, 1, out, in, 0), pqnn_status_invalid_parameter);
  // a value produced twice
  EXPECT_EQ(pqnn_define_fully_connected(g.sg, -kInf, kInf, in, wid, PQNN_INVALID_VALUE_ID, out, 0),
      pqnn_status_success);
  EXPECT_EQ(pqnn_define_fully_connected(g.sg, -kInf, kInf, in, wid, PQNN_INVALID_VALUE_ID, out, 0),
      pqnn_status_invalid_parameter);
  // broadcasting mismatch, reshape element count, two inferred dims, window too large
  const uint32_t a = g.f32({2, 5});
  EXPECT_EQ(pqnn_define_add2(g.sg, -kInf, kInf, in, a, g.f32({2, 5}), 0), pqnn_status_invalid_parameter);
  const size_t bad_shape[2] = {5, 0}, two_zero[2] = {0, 0};
  EXPECT_EQ(pqnn_define_static_reshape(g.sg, 2, bad_shape, in, g.f32({6}), 0), pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_define_static_reshape(g.sg, 2, two_zero, in, g.f32({6, 1}), 0), pqnn_status_invalid_parameter);
  const uint32_t img = g.f32({1, 2, 2, 3});
  EXPECT_EQ(pqnn_define_max_pooling_2d(g.sg, 0, 0, 0, 0, 3, 3, 1, 1, 1, 1, -kInf, kInf, img,
      g.f32({1, 1, 1, 3}), 0), pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_define_softmax(g.sg, in, g.q8({2, 3}, 0, 1.0f), 0), pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_define_convert(g.sg, in, g.f32({2, 3}), 0), pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_define_gelu(g.sg, in, g.f32({2, 3}), 1), pqnn_status_invalid_parameter);
}

TEST(RuntimeBadGraph, NeverProducedAndCycles) {
  {
    // a node reads an internal value that nothing produces
    Graph g(2);
    const uint32_t dangling = g.f32({4});
    const uint32_t out = g.output(1, {4});
    ASSERT_EQ(pqnn_define_gelu(g.sg, dangling, out, 0), pqnn_status_success);
    pqnn_runtime_t rt = nullptr;
    EXPECT_EQ(pqnn_create_runtime(g.sg, nullptr, 0, &rt), pqnn_status_invalid_parameter);
    EXPECT_EQ(rt, nullptr);
  }
  {
    // an external output nothing produces
    Graph g(2);
    g.input(0, {4});
    g.output(1, {4});
    pqnn_runtime_t rt = nullptr;
    EXPECT_EQ(pqnn_create_runtime(g.sg, nullptr, 0, &rt), pqnn_status_invalid_parameter);
  }
  {
    // a -> b -> c -> a: each value produced once, but in a cycle
    Graph g(2);
    const uint32_t in = g.input(0, {4});
    const uint32_t a = g.f32({4}), b = g.f32({4}), c = g.f32({4});
    const uint32_t out = g.output(1, {4});
    ASSERT_EQ(pqnn_define_add2(g.sg, -kInf, kInf, in, c, a, 0), pqnn_status_success);
    ASSERT_EQ(pqnn_define_gelu(g.sg, a, b, 0), pqnn_status_success);
    ASSERT_EQ(pqnn_define_gelu(g.sg, b, c, 0), pqnn_status_success);
    ASSERT_EQ(pqnn_define_gelu(g.sg, c, out, 0), pqnn_status_success);
    pqnn_runtime_t rt = nullptr;
    EXPECT_EQ(pqnn_create_runtime(g.sg, nullptr, 0, &rt), pqnn_status_invalid_parameter);
    EXPECT_EQ(rt, nullptr);
  }
}

TEST(RuntimeBadGraph, RuntimeMisuse) {
  Graph g(3);
  const uint32_t in = g.input(0, {2, 3});
  const uint32_t out = g.output(1, {2, 3});
  ASSERT_EQ(pqnn_define_gelu(g.sg, in, out, 0), pqnn_status_success);
  pqnn_runtime_t rt = nullptr;
  EXPECT_EQ(pqnn_create_runtime(nullptr, nullptr, 0, &rt), pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_create_runtime(g.sg, nullptr, 0x1, &rt), pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_create_runtime(g.sg, nullptr, 0, nullptr), pqnn_status_invalid_parameter);
  ASSERT_EQ(pqnn_create_runtime(g.sg, nullptr, 0, &rt), pqnn_status_success);
  // the subgraph may go away once the runtime exists
  pqnn_delete_subgraph(g.sg);
  g.sg = nullptr;
  EXPECT_EQ(pqnn_invoke_runtime(rt), pqnn_status_invalid_state);  // not set up
  std::vector<float> x(6, 1.0f), y(6);
  const pqnn_external_value only_input[1] = {{0, x.data()}};
  EXPECT_EQ(pqnn_setup_runtime(rt, 1, only_input), pqnn_status_invalid_parameter);  // output missing
  EXPECT_EQ(pqnn_invoke_runtime(rt), pqnn_status_invalid_state);
  const pqnn_external_value not_external[2] = {{0, x.data()}, {5, y.data()}};
  EXPECT_EQ(pqnn_setup_runtime(rt, 2, not_external), pqnn_status_invalid_parameter);
  const pqnn_external_value null_data[2] = {{0, x.data()}, {1, nullptr}};
  EXPECT_EQ(pqnn_setup_runtime(rt, 2, null_data), pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_setup_runtime(rt, 2, nullptr), pqnn_status_invalid_parameter);
  const size_t dims[2] = {4, 3}, zero[2] = {4, 0};
  EXPECT_EQ(pqnn_reshape_external_value(rt, 1, 2, dims), pqnn_status_invalid_parameter);  // output
  EXPECT_EQ(pqnn_reshape_external_value(rt, 2, 2, dims), pqnn_status_invalid_parameter);  // undefined
  EXPECT_EQ(pqnn_reshape_external_value(rt, 0, 2, zero), pqnn_status_invalid_parameter);
  const pqnn_external_value ext[2] = {{0, x.data()}, {1, y.data()}};
  ASSERT_EQ(pqnn_setup_runtime(rt, 2, ext), pqnn_status_success);
  EXPECT_EQ(pqnn_invoke_runtime(rt), pqnn_status_success);
  size_t count = 0;
  pqnn_runtime_node_info info;
  EXPECT_EQ(pqnn_get_runtime_node_count(rt, &count), pqnn_status_success);
  EXPECT_EQ(pqnn_get_runtime_node_info(rt, count, &info), pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_get_runtime_node_info(rt, 0, nullptr), pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_get_runtime_arena_size(rt, nullptr, nullptr), pqnn_status_invalid_parameter);
  EXPECT_STREQ(pqnn_datatype_string(pqnn_datatype_qdint8), "qdint8");
  EXPECT_STREQ(pqnn_datatype_string(pqnn_datatype(42)), "invalid");
  EXPECT_EQ(pqnn_delete_runtime(rt), pqnn_status_success);
  EXPECT_EQ(pqnn_delete_runtime(nullptr), pqnn_status_success);
  EXPECT_EQ(pqnn_delete_subgraph(nullptr), pqnn_status_success);
}

// Issue 16, defect 1: a zero-dim shape was accepted by reshape_external_value, then a qd8
// convolution's inserted convert divided by dim[0] == 0 (SIGFPE) in pqnn_reshape_runtime.
TEST(RuntimeBadGraph, ZeroDimShapesAreRejectedWhereverAShapeEnters) {
  Graph g(2);
  const std::vector<float> w(16 * 3 * 3 * 8, 0.25f);
  const uint32_t in = g.input(0, {1, 5, 5, 8});
  const uint32_t wid = g.f32({16, 3, 3, 8}, w.data());
  const uint32_t out = g.output(1, {1, 3, 3, 16});
  ASSERT_EQ(pqnn_define_convolution_2d(g.sg, 0, 0, 0, 0, 3, 3, 1, 1, 1, 1, 1, 8, 16, -kInf, kInf,
      in, wid, PQNN_INVALID_VALUE_ID, out, 0), pqnn_status_success);
  pqnn_runtime_t rt = nullptr;
  ASSERT_EQ(pqnn_create_runtime(g.sg, nullptr, PQNN_FLAG_DYNAMIC_RANGE_QUANTIZATION, &rt),
      pqnn_status_success);
  const size_t dims[4] = {1, 5, 5, 8};
  EXPECT_EQ(pqnn_reshape_external_value(rt, 0, 0, nullptr), pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_reshape_external_value(rt, 0, 0, dims), pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_reshape_runtime(rt), pqnn_status_success);
  // A rank the convolution cannot take is rejected by reshape, not a crash.
  EXPECT_EQ(pqnn_reshape_external_value(rt, 0, 1, dims + 3), pqnn_status_success);
  EXPECT_EQ(pqnn_reshape_runtime(rt), pqnn_status_invalid_parameter);
  pqnn_delete_runtime(rt);
  uint32_t id;
  EXPECT_EQ(pqnn_define_tensor_value(g.sg, pqnn_datatype_fp32, 0, nullptr, nullptr,
      PQNN_INVALID_VALUE_ID, 0, &id), pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_define_quantized_tensor_value(g.sg, pqnn_datatype_qint8, 0, 1.0f, 0, dims,
      nullptr, PQNN_INVALID_VALUE_ID, 0, &id), pqnn_status_invalid_parameter);
  const uint32_t a = g.f32({4});
  const uint32_t b = g.f32({4});
  EXPECT_EQ(pqnn_define_static_reshape(g.sg, 0, dims, a, b, 0), pqnn_status_invalid_parameter);
}

// Issue 16, defect 6: external_value_ids = 2^24 was accepted, then the first internal value
// (id 2^24) grew the value table to 2^24 + 1 entries (1.8 GB zeroed).
TEST(RuntimeBadGraph, ExternalValueIdsAreBounded) {
  ASSERT_EQ(pqnn_initialize(), pqnn_status_success);
  pqnn_subgraph_t sg = nullptr;
  EXPECT_EQ(pqnn_create_subgraph(1u << 24, 0, &sg), pqnn_status_invalid_parameter);
  EXPECT_EQ(sg, nullptr);
  EXPECT_EQ(pqnn_create_subgraph(PQNN_MAX_EXTERNAL_VALUE_IDS + 1, 0, &sg),
      pqnn_status_invalid_parameter);
  ASSERT_EQ(pqnn_create_subgraph(PQNN_MAX_EXTERNAL_VALUE_IDS, 0, &sg), pqnn_status_success);
  const size_t dims[1] = {4};
  uint32_t id = 0;
  EXPECT_EQ(pqnn_define_tensor_value(sg, pqnn_datatype_fp32, 1, dims, nullptr,
      PQNN_INVALID_VALUE_ID, 0, &id), pqnn_status_success);
  EXPECT_EQ(id, PQNN_MAX_EXTERNAL_VALUE_IDS);
  pqnn_delete_subgraph(sg);
}

}  // namespace
