// Runtime graphs of fully connected, convolution and depthwise convolution nodes against
// the double-precision references: f32, clamp fusion, the arena (reuse and results),
// pqnn_reshape_external_value, and the dynamic-range quantization pass (node info shows
// qdint8 and the inserted converts; outputs within the qd8 error bound of f32).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include <pqnn.h>

#include "common/conv-reference.h"
#include "common/runtime-graph.h"

using namespace pqnn_test;

namespace {

void expect_near_ref(const std::vector<float>& y, const std::vector<double>& ref,
    const std::vector<double>& abs_sum, double rel) {
  ASSERT_EQ(y.size(), ref.size());
  for (size_t i = 0; i < y.size(); i++) {
    ASSERT_NEAR(y[i], ref[i], rel * abs_sum[i] + 1e-6) << "at " << i;
  }
}

struct FcCase {
  size_t rows = 6, ic = 16, oc = 8;
  bool transposed = false, bias = true;
  float lo = -INFINITY, hi = INFINITY;
};

// input [rows/2][2][ic] -> output [rows/2][2][oc]
std::vector<float> run_fc(const FcCase& c, uint32_t flags, std::vector<double>* ref,
    std::vector<double>* abs_sum, std::vector<pqnn_runtime_node_info>* infos) {
  const auto w = random_f32(c.ic * c.oc, -1, 1, 2);
  const auto b = random_f32(c.oc, -1, 1, 3);
  const auto x = random_f32(c.rows * c.ic, -1, 1, 4);
  Graph g(2);
  const uint32_t in = g.input(0, {c.rows / 2, 2, c.ic});
  const uint32_t wid = g.f32(c.transposed ? std::vector<size_t>{c.ic, c.oc}
                                          : std::vector<size_t>{c.oc, c.ic}, w.data());
  const uint32_t bid = c.bias ? g.f32({c.oc}, b.data()) : PQNN_INVALID_VALUE_ID;
  const uint32_t out = g.output(1, {c.rows / 2, 2, c.oc});
  EXPECT_EQ(pqnn_define_fully_connected(g.sg, c.lo, c.hi, in, wid, bid, out,
      c.transposed ? PQNN_FLAG_TRANSPOSE_WEIGHTS : 0), pqnn_status_success);
  std::vector<float> y(c.rows * c.oc, NAN);
  pqnn_runtime_t rt = run_graph(g.sg, flags, {{0, (void*) x.data()}, {1, y.data()}});
  if (infos != nullptr) *infos = node_infos(rt);
  pqnn_delete_runtime(rt);
  reference_fully_connected(c.rows, c.ic, c.oc, c.ic, x.data(), w.data(), c.transposed,
      c.bias ? b.data() : nullptr, c.lo, c.hi, *ref, abs_sum);
  return y;
}

TEST(RuntimeFullyConnected, F32MatchesReference) {
  for (bool transposed : {false, true}) {
    for (bool bias : {false, true}) {
      FcCase c;
      c.transposed = transposed;
      c.bias = bias;
      std::vector<double> ref, abs_sum;
      std::vector<pqnn_runtime_node_info> infos;
      const auto y = run_fc(c, 0, &ref, &abs_sum, &infos);
      expect_near_ref(y, ref, abs_sum, 1e-5);
      ASSERT_EQ(infos.size(), 1u);
      EXPECT_EQ(infos[0].type, pqnn_node_type_fully_connected);
      EXPECT_EQ(infos[0].compute_datatype, pqnn_datatype_fp32);
    }
  }
}

TEST(RuntimeFullyConnected, DynamicRangeQuantization) {
  for (bool transposed : {false, true}) {
    FcCase c;
    c.transposed = transposed;
    c.ic = 80;
    std::vector<double> ref, abs_sum;
    std::vector<pqnn_runtime_node_info> infos;
    const auto y = run_fc(c, PQNN_FLAG_DYNAMIC_RANGE_QUANTIZATION, &ref, &abs_sum, &infos);
    ASSERT_EQ(infos.size(), 2u);
    EXPECT_EQ(infos[0].type, pqnn_node_type_convert);
    EXPECT_EQ(infos[0].inserted, 1u);
    EXPECT_EQ(infos[0].compute_datatype, pqnn_datatype_qdint8);
    EXPECT_EQ(infos[1].type, pqnn_node_type_fully_connected);
    EXPECT_EQ(infos[1].compute_datatype, pqnn_datatype_qdint8);
    // qd8 error bound: inputs within 1 (row scale <= 2/255), weights within 1 (scale <=
    // 1/127): |err| <= sum_k (|w| * sx / 2 + |x| * sw / 2 + sx * sw / 4).
    const double sx = 2.0 / 255, sw = 1.0 / 127;
    const double bound = c.ic * (sx / 2 + sw / 2 + sx * sw / 4) + 1e-5;
    double max_err = 0;
    for (size_t i = 0; i < y.size(); i++) max_err = std::max(max_err, std::fabs(y[i] - ref[i]));
    EXPECT_LE(max_err, bound);
    EXPECT_GT(max_err, 0.0) << "qd8 result identical to f32: the pass did not run";
  }
}

// With f32 filters, DRQ applies from 64 multiply-adds per output (PQNN_QD8_MIN_REDUCTION):
// below that the layer stays f32 (and exact); a qcint8 filter is qd8 whatever its size.
TEST(RuntimeFullyConnected, DynamicRangeQuantizationSkipsSmallReductions) {
  for (size_t ic : {1, 27, 63, 64}) {
    SCOPED_TRACE(ic);
    FcCase c;
    c.ic = ic;
    std::vector<double> ref, abs_sum;
    std::vector<pqnn_runtime_node_info> infos;
    const auto y = run_fc(c, PQNN_FLAG_DYNAMIC_RANGE_QUANTIZATION, &ref, &abs_sum, &infos);
    if (ic < 64) {
      ASSERT_EQ(infos.size(), 1u);
      EXPECT_EQ(infos[0].compute_datatype, pqnn_datatype_fp32);
      expect_near_ref(y, ref, abs_sum, 1e-5);
    } else {
      ASSERT_EQ(infos.size(), 2u);
      EXPECT_EQ(infos[1].compute_datatype, pqnn_datatype_qdint8);
    }
  }
}

TEST(RuntimeFullyConnected, ChannelwiseFilterRunsQd8WithoutFlag) {
  const size_t ic = 24, oc = 5, rows = 3;
  std::vector<int8_t> w(ic * oc);
  std::mt19937 rng(5);
  for (auto& v : w) v = int8_t(int(rng() % 255) - 127);
  std::vector<float> scale(oc), wf(ic * oc);
  for (size_t n = 0; n < oc; n++) scale[n] = 0.01f * float(n + 1);
  for (size_t i = 0; i < w.size(); i++) wf[i] = w[i] * scale[i / ic];
  const auto x = random_f32(rows * ic, -1, 1, 6);
  Graph g(2);
  const uint32_t in = g.input(0, {rows, ic});
  uint32_t wid;
  const size_t wdims[2] = {oc, ic};
  ASSERT_EQ(pqnn_define_channelwise_quantized_tensor_value(g.sg, pqnn_datatype_qcint8,
      scale.data(), 2, 0, wdims, w.data(), PQNN_INVALID_VALUE_ID, 0, &wid), pqnn_status_success);
  const uint32_t out = g.output(1, {rows, oc});
  ASSERT_EQ(pqnn_define_fully_connected(g.sg, -INFINITY, INFINITY, in, wid,
      PQNN_INVALID_VALUE_ID, out, 0), pqnn_status_success);
  std::vector<float> y(rows * oc);
  pqnn_runtime_t rt = run_graph(g.sg, 0, {{0, (void*) x.data()}, {1, y.data()}});
  const auto infos = node_infos(rt);
  pqnn_delete_runtime(rt);
  ASSERT_EQ(infos.size(), 2u);
  EXPECT_EQ(infos[1].compute_datatype, pqnn_datatype_qdint8);
  {
    // The same with a user-defined f32 -> qdint8 convert: identical bits.
    Graph g2(2);
    const uint32_t in2 = g2.input(0, {rows, ic});
    uint32_t q, w2;
    const size_t qdims[2] = {rows, ic};
    ASSERT_EQ(pqnn_define_tensor_value(g2.sg, pqnn_datatype_qdint8, 2, qdims, nullptr,
        PQNN_INVALID_VALUE_ID, 0, &q), pqnn_status_success);
    ASSERT_EQ(pqnn_define_channelwise_quantized_tensor_value(g2.sg, pqnn_datatype_qcint8,
        scale.data(), 2, 0, wdims, w.data(), PQNN_INVALID_VALUE_ID, 0, &w2), pqnn_status_success);
    const uint32_t out2 = g2.output(1, {rows, oc});
    ASSERT_EQ(pqnn_define_convert(g2.sg, in2, q, 0), pqnn_status_success);
    ASSERT_EQ(pqnn_define_fully_connected(g2.sg, -INFINITY, INFINITY, q, w2,
        PQNN_INVALID_VALUE_ID, out2, 0), pqnn_status_success);
    std::vector<float> y2(rows * oc);
    pqnn_delete_runtime(run_graph(g2.sg, 0, {{0, (void*) x.data()}, {1, y2.data()}}));
    EXPECT_EQ(y, y2);
  }
  std::vector<double> ref, abs_sum;
  reference_fully_connected(rows, ic, oc, ic, x.data(), wf.data(), false, nullptr, -INFINITY,
      INFINITY, ref, &abs_sum);
  for (size_t i = 0; i < y.size(); i++) {
    // only the activations are quantized: |err| <= sum_k |w| * sx / 2
    double wsum = 0;
    for (size_t k = 0; k < ic; k++) wsum += std::fabs(wf[(i % oc) * ic + k]);
    EXPECT_NEAR(y[i], ref[i], wsum / 255.0 + 1e-5);
  }
}

TEST(RuntimeFullyConnected, ClampFusion) {
  FcCase c;
  const auto w = random_f32(c.ic * c.oc, -1, 1, 2);
  const auto x = random_f32(c.rows * c.ic, -1, 1, 4);
  for (bool intermediate_external : {false, true}) {
    Graph g(3);
    const uint32_t in = g.input(0, {c.rows, c.ic});
    const uint32_t wid = g.f32({c.oc, c.ic}, w.data());
    const uint32_t mid = intermediate_external ? g.output(2, {c.rows, c.oc}) : g.f32({c.rows, c.oc});
    const uint32_t out = g.output(1, {c.rows, c.oc});
    ASSERT_EQ(pqnn_define_fully_connected(g.sg, -1.0f, INFINITY, in, wid, PQNN_INVALID_VALUE_ID,
        mid, 0), pqnn_status_success);
    ASSERT_EQ(pqnn_define_clamp(g.sg, 0.0f, 0.5f, mid, out, 0), pqnn_status_success);
    std::vector<float> y(c.rows * c.oc), ymid(c.rows * c.oc);
    std::vector<pqnn_external_value> ext = {{0, (void*) x.data()}, {1, y.data()}};
    if (intermediate_external) ext.push_back({2, ymid.data()});
    pqnn_runtime_t rt = run_graph(g.sg, 0, ext);
    const auto infos = node_infos(rt);
    pqnn_delete_runtime(rt);
    if (intermediate_external) {
      ASSERT_EQ(infos.size(), 2u);
      EXPECT_EQ(infos[0].fused_clamp, 0u);
      EXPECT_EQ(infos[1].type, pqnn_node_type_clamp);
    } else {
      ASSERT_EQ(infos.size(), 1u);
      EXPECT_EQ(infos[0].fused_clamp, 1u);
    }
    std::vector<double> ref, abs_sum;
    reference_fully_connected(c.rows, c.ic, c.oc, c.ic, x.data(), w.data(), false, nullptr, 0.0f,
        0.5f, ref, &abs_sum);
    expect_near_ref(y, ref, abs_sum, 1e-5);
  }
}

// A chain of 3 depthwise 3x3 convolutions of c channels on h x w, through the arena and
// with every value external (no arena): the arena's size and whether both give the same
// results (they do not depend on the placement).
struct DepthwiseChain {
  size_t arena = 0, no_arena = 0;
  bool same = false;
};

DepthwiseChain depthwise_chain(size_t c, size_t h, size_t w) {
  const size_t layers = 3;
  const auto x = random_f32(h * w * c, -1, 1, 21);
  std::vector<std::vector<float>> filters;
  for (size_t l = 0; l < layers; l++) filters.push_back(random_f32(9 * c, -0.5f, 0.5f, 22 + l));
  // external: every intermediate an external value of the caller's (no arena).
  auto run = [&](bool external, size_t* arena) {
    Graph g(external ? layers + 1 : 2);
    std::vector<std::vector<float>> values(layers, std::vector<float>(h * w * c));
    std::vector<pqnn_external_value> ext = {{0, (void*) x.data()}};
    uint32_t prev = g.input(0, {1, h, w, c});
    for (size_t l = 0; l < layers; l++) {
      const uint32_t fid = g.f32({1, 3, 3, c}, filters[l].data());
      const uint32_t id = external ? uint32_t(l + 1) : 1;
      const uint32_t next = (external || l + 1 == layers) ? g.output(id, {1, h, w, c})
                                                          : g.f32({1, h, w, c});
      if (external || l + 1 == layers) ext.push_back({id, values[l].data()});
      EXPECT_EQ(pqnn_define_depthwise_convolution_2d(g.sg, 1, 1, 1, 1, 3, 3, 1, 1, 1, 1, 1,
          uint32_t(c), -INFINITY, INFINITY, prev, fid, PQNN_INVALID_VALUE_ID, next, 0),
          pqnn_status_success);
      prev = next;
    }
    pqnn_runtime_t rt = run_graph(g.sg, 0, ext);
    size_t unshared = 0;
    EXPECT_EQ(pqnn_get_runtime_arena_size(rt, arena, &unshared), pqnn_status_success);
    pqnn_delete_runtime(rt);
    return values.back();
  };
  DepthwiseChain r;
  const std::vector<float> y = run(false, &r.arena);
  r.same = y == run(true, &r.no_arena);
  return r;
}

// 256 channels (1 KiB pixel steps): the arena keeps each output 256 bytes modulo 512 off
// its input (src/runtime/runtime-arena.c: the f32 row kernels would otherwise 4 KiB-alias),
// at the cost of those bytes.
TEST(RuntimeArena, DepthwiseOutputsSkewedFromInputs) {
  const size_t c = 256, h = 4, w = 4;
  const DepthwiseChain r = depthwise_chain(c, h, w);
  const size_t tensor = h * w * c * sizeof(float);
  EXPECT_EQ(r.arena, 2 * tensor + 256);  // ping-pong, the second buffer 256 bytes on
  EXPECT_EQ(r.no_arena, 0u);
  EXPECT_TRUE(r.same);
}

// 32 channels (128-byte pixels, 16 KiB tensors): the row walk's next loads reach 3 pixels
// (384 bytes) ahead of its stores, so the second buffer lies not 256 bytes on (256 modulo
// 512, but inside that window modulo 4 KiB) but 768.
TEST(RuntimeArena, DepthwiseOutputsClearOfRowWalk) {
  const size_t c = 32, h = 4, w = 32;
  const DepthwiseChain r = depthwise_chain(c, h, w);
  const size_t tensor = h * w * c * sizeof(float);
  EXPECT_EQ(r.arena, 2 * tensor + 768);
  EXPECT_TRUE(r.same);
}

// A chain of FCs: intermediates share the arena; results stay those of the reference.
TEST(RuntimeArena, ChainReusesMemoryAndKeepsResults) {
  const size_t rows = 4, width = 64, layers = 5;
  Graph g(2);
  std::vector<std::vector<float>> weights;
  uint32_t prev = g.input(0, {rows, width});
  for (size_t l = 0; l < layers; l++) {
    weights.push_back(random_f32(width * width, -0.2f, 0.2f, uint32_t(10 + l)));
    const uint32_t wid = g.f32({width, width}, weights.back().data());
    const uint32_t next = l + 1 == layers ? g.output(1, {rows, width}) : g.f32({rows, width});
    ASSERT_EQ(pqnn_define_fully_connected(g.sg, -INFINITY, INFINITY, prev, wid,
        PQNN_INVALID_VALUE_ID, next, 0), pqnn_status_success);
    prev = next;
  }
  const auto x = random_f32(rows * width, -1, 1, 9);
  std::vector<float> y(rows * width);
  pqnn_runtime_t rt = run_graph(g.sg, 0, {{0, (void*) x.data()}, {1, y.data()}});
  size_t arena = 0, unshared = 0;
  ASSERT_EQ(pqnn_get_runtime_arena_size(rt, &arena, &unshared), pqnn_status_success);
  const size_t tensor = rows * width * sizeof(float);
  EXPECT_EQ(unshared, (layers - 1) * tensor);
  EXPECT_EQ(arena, 2 * tensor);  // ping-pong between two buffers
  pqnn_delete_runtime(rt);
  std::vector<float> cur = x;
  std::vector<double> ref, abs_sum;
  for (size_t l = 0; l < layers; l++) {
    reference_fully_connected(rows, width, width, width, cur.data(), weights[l].data(), false,
        nullptr, -INFINITY, INFINITY, ref, &abs_sum);
    cur.assign(ref.begin(), ref.end());
  }
  for (size_t i = 0; i < y.size(); i++) EXPECT_NEAR(y[i], ref[i], 1e-4 * (1 + std::fabs(ref[i])));
}

ConvShape conv_case(bool depthwise, bool same) {
  ConvShape s;
  s.batch = 2;
  s.input_height = 7;
  s.input_width = 9;
  s.kernel_height = 3;
  s.kernel_width = 3;
  s.stride_height = 2;
  s.stride_width = 1;
  if (same) {
    s.flags |= PQNN_FLAG_TENSORFLOW_SAME_PADDING;
  } else {
    s.pad_top = 1;
    s.pad_bottom = 0;
    s.pad_left = 2;
    s.pad_right = 1;
  }
  if (depthwise) {
    s.groups = 5;
    s.group_input_channels = 1;
    s.group_output_channels = 2;
    s.flags |= PQNN_FLAG_DEPTHWISE_CONVOLUTION;
  } else {
    s.groups = 2;
    s.group_input_channels = 3;
    s.group_output_channels = 4;
  }
  s.input_channel_stride = s.input_channels();
  s.output_channel_stride = s.output_channels();
  return s;
}

std::vector<float> run_conv(const ConvShape& s, uint32_t flags, std::vector<double>* ref,
    std::vector<double>* abs_sum, std::vector<pqnn_runtime_node_info>* infos) {
  const bool dw = (s.flags & PQNN_FLAG_DEPTHWISE_CONVOLUTION) != 0;
  const auto w = random_f32(s.kernel_elements(), -1, 1, 21);
  const auto b = random_f32(s.output_channels(), -1, 1, 22);
  const auto x = random_f32(s.input_span(), -1, 1, 23);
  Graph g(2);
  const uint32_t in = g.input(0, {s.batch, s.input_height, s.input_width, s.input_channels()});
  const uint32_t wid = dw ? g.f32({1, s.kernel_height, s.kernel_width, s.output_channels()}, w.data())
      : g.f32({s.output_channels(), s.kernel_height, s.kernel_width, s.group_input_channels}, w.data());
  const uint32_t bid = g.f32({s.output_channels()}, b.data());
  const uint32_t out = g.output(1, {s.batch, s.output_height(), s.output_width(), s.output_channels()});
  const uint32_t node_flags = s.flags & PQNN_FLAG_TENSORFLOW_SAME_PADDING;
  if (dw) {
    EXPECT_EQ(pqnn_define_depthwise_convolution_2d(g.sg, s.pad_top, s.pad_right, s.pad_bottom,
        s.pad_left, s.kernel_height, s.kernel_width, s.stride_height, s.stride_width,
        s.dilation_height, s.dilation_width, uint32_t(s.group_output_channels), s.groups,
        -INFINITY, INFINITY, in, wid, bid, out, node_flags), pqnn_status_success);
  } else {
    EXPECT_EQ(pqnn_define_convolution_2d(g.sg, s.pad_top, s.pad_right, s.pad_bottom, s.pad_left,
        s.kernel_height, s.kernel_width, s.stride_height, s.stride_width, s.dilation_height,
        s.dilation_width, s.groups, s.group_input_channels, s.group_output_channels, -INFINITY,
        INFINITY, in, wid, bid, out, node_flags), pqnn_status_success);
  }
  std::vector<float> y(s.output_span(), NAN);
  pqnn_runtime_t rt = run_graph(g.sg, flags, {{0, (void*) x.data()}, {1, y.data()}});
  *infos = node_infos(rt);
  pqnn_delete_runtime(rt);
  reference_conv2d(s, x.data(), w.data(), b.data(), -INFINITY, INFINITY, *ref, abs_sum);
  return y;
}

TEST(RuntimeConvolution, F32AndDepthwiseMatchReference) {
  for (bool dw : {false, true}) {
    for (bool same : {false, true}) {
      SCOPED_TRACE(testing::Message() << "depthwise " << dw << " same " << same);
      std::vector<double> ref, abs_sum;
      std::vector<pqnn_runtime_node_info> infos;
      const auto y = run_conv(conv_case(dw, same), 0, &ref, &abs_sum, &infos);
      expect_near_ref(y, ref, abs_sum, 1e-5);
      ASSERT_EQ(infos.size(), 1u);
      EXPECT_EQ(infos[0].type, dw ? pqnn_node_type_depthwise_convolution_2d
                                  : pqnn_node_type_convolution_2d);
    }
  }
}

TEST(RuntimeConvolution, DynamicRangeQuantization) {
  for (bool dw : {false, true}) {
    std::vector<double> ref, abs_sum;
    std::vector<pqnn_runtime_node_info> infos;
    // 3x3 taps x 8 group input channels = 72 multiply-adds per output (>= 64: qd8).
    ConvShape s = conv_case(dw, false);
    if (!dw) {
      s.group_input_channels = 8;
      s.input_channel_stride = s.input_channels();
    }
    const auto y = run_conv(s, PQNN_FLAG_DYNAMIC_RANGE_QUANTIZATION, &ref, &abs_sum, &infos);
    if (dw) {  // depthwise stays f32
      ASSERT_EQ(infos.size(), 1u);
      EXPECT_EQ(infos[0].compute_datatype, pqnn_datatype_fp32);
      expect_near_ref(y, ref, abs_sum, 1e-5);
      continue;
    }
    ASSERT_EQ(infos.size(), 2u);
    EXPECT_EQ(infos[0].inserted, 1u);
    EXPECT_EQ(infos[0].compute_datatype, pqnn_datatype_qdint8);
    EXPECT_EQ(infos[1].compute_datatype, pqnn_datatype_qdint8);
    // per product |x w|: relative error of x <= 1/255 of the image range (2), w <= 1/254
    // of its channel max (1): |err| <= taps * (2/255/2 + 1/127/2 + tiny)
    const double taps = 9 * 8;
    double max_err = 0;
    for (size_t i = 0; i < y.size(); i++) {
      max_err = std::max(max_err, std::fabs(y[i] - ref[i]));
      ASSERT_NEAR(y[i], ref[i], taps * (1.0 / 255 + 0.5 / 127 + 1e-4) + 1e-5);
    }
    EXPECT_GT(max_err, 0.0);
  }
}

TEST(RuntimeReshape, ExternalValueNewBatchAndImageSize) {
  ConvShape s = conv_case(false, false);
  const auto w = random_f32(s.kernel_elements(), -1, 1, 31);
  Graph g(2);
  const uint32_t in = g.input(0, {1, 5, 5, s.input_channels()});
  const uint32_t wid = g.f32({s.output_channels(), 3, 3, s.group_input_channels}, w.data());
  s.batch = 1;
  s.input_height = 5;
  s.input_width = 5;
  const uint32_t out = g.output(1, {1, s.output_height(), s.output_width(), s.output_channels()});
  ASSERT_EQ(pqnn_define_convolution_2d(g.sg, s.pad_top, s.pad_right, s.pad_bottom, s.pad_left, 3,
      3, s.stride_height, s.stride_width, 1, 1, s.groups, s.group_input_channels,
      s.group_output_channels, -INFINITY, INFINITY, in, wid, PQNN_INVALID_VALUE_ID, out, 0),
      pqnn_status_success);
  for (uint32_t flags : {0u, unsigned(PQNN_FLAG_DYNAMIC_RANGE_QUANTIZATION)}) {
    pqnn_runtime_t rt = nullptr;
    ASSERT_EQ(pqnn_create_runtime(g.sg, nullptr, flags, &rt), pqnn_status_success);
    size_t arena_small = 0, unshared = 0;
    pqnn_get_runtime_arena_size(rt, &arena_small, &unshared);
    for (size_t step = 0; step < 2; step++) {
      s.batch = step == 0 ? 3 : 2;
      s.input_height = step == 0 ? 11 : 6;
      s.input_width = step == 0 ? 8 : 13;
      const size_t dims[4] = {s.batch, s.input_height, s.input_width, s.input_channels()};
      ASSERT_EQ(pqnn_reshape_external_value(rt, 0, 4, dims), pqnn_status_success);
      ASSERT_EQ(pqnn_invoke_runtime(rt), pqnn_status_invalid_state);
      ASSERT_EQ(pqnn_reshape_runtime(rt), pqnn_status_success);
      const auto x = random_f32(s.input_span(), -1, 1, uint32_t(40 + step));
      std::vector<float> y(s.output_span());
      const pqnn_external_value ext[2] = {{0, (void*) x.data()}, {1, y.data()}};
      ASSERT_EQ(pqnn_setup_runtime(rt, 2, ext), pqnn_status_success);
      ASSERT_EQ(pqnn_invoke_runtime(rt), pqnn_status_success);
      std::vector<double> ref, abs_sum;
      reference_conv2d(s, x.data(), w.data(), nullptr, -INFINITY, INFINITY, ref, &abs_sum);
      for (size_t i = 0; i < y.size(); i++) {
        ASSERT_NEAR(y[i], ref[i], flags != 0 ? 0.1 : 1e-5 * abs_sum[i] + 1e-6);
      }
    }
    pqnn_delete_runtime(rt);
  }
}

}  // namespace
