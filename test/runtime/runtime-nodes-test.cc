// Runtime graphs of the node-kernel nodes (add2 with broadcasting, clamp, GELU, global
// average and max pooling, softmax, static reshape, converts) against plain references,
// and the f16 inference pass (node info shows fp16 and the inserted converts; outputs
// within the f16 tolerance of f32).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include <fp16.h>
#include <pqnn.h>

#include "common/conv-reference.h"
#include "common/runtime-graph.h"
#include "common/test-pool.h"

using namespace pqnn_test;

namespace {

TEST(RuntimeNodes, Add2Broadcast) {
  // a [2][3][1][4] + b [3][5][1] -> [2][3][5][4], then a clamp that fuses.
  const auto a = random_f32(2 * 3 * 4, -1, 1, 1);
  const auto b = random_f32(3 * 5, -1, 1, 2);
  for (uint32_t fp16 : {0u, unsigned(PQNN_FLAG_FORCE_FP16_INFERENCE)}) {
    Graph g(3);
    const uint32_t ia = g.input(0, {2, 3, 1, 4});
    const uint32_t ib = g.input(1, {3, 5, 1});
    const uint32_t mid = g.f32({2, 3, 5, 4});
    const uint32_t out = g.output(2, {2, 3, 5, 4});
    ASSERT_EQ(pqnn_define_add2(g.sg, -INFINITY, INFINITY, ia, ib, mid, 0), pqnn_status_success);
    ASSERT_EQ(pqnn_define_clamp(g.sg, -0.5f, 1.0f, mid, out, 0), pqnn_status_success);
    std::vector<float> y(2 * 3 * 5 * 4);
    pqnn_runtime_t rt = run_graph(g.sg, fp16,
        {{0, (void*) a.data()}, {1, (void*) b.data()}, {2, y.data()}});
    const auto infos = node_infos(rt);
    pqnn_delete_runtime(rt);
    if (fp16) {
      ASSERT_EQ(infos.size(), 4u);  // 2 input converts, add2, output convert
      EXPECT_EQ(infos[2].type, pqnn_node_type_add2);
      EXPECT_EQ(infos[2].compute_datatype, pqnn_datatype_fp16);
      EXPECT_EQ(infos[2].fused_clamp, 1u);
      EXPECT_EQ(infos[3].inserted, 1u);
    } else {
      ASSERT_EQ(infos.size(), 1u);
      EXPECT_EQ(infos[0].fused_clamp, 1u);
    }
    for (size_t i0 = 0; i0 < 2; i0++)
      for (size_t i1 = 0; i1 < 3; i1++)
        for (size_t i2 = 0; i2 < 5; i2++)
          for (size_t i3 = 0; i3 < 4; i3++) {
            const float r = std::min(1.0f, std::max(-0.5f, a[(i0 * 3 + i1) * 4 + i3] + b[i1 * 5 + i2]));
            ASSERT_NEAR(y[((i0 * 3 + i1) * 5 + i2) * 4 + i3], r, fp16 ? 2e-3 : 0.0);
          }
  }
}

TEST(RuntimeNodes, Add2WithStaticOperandAndUnfusedClamp) {
  const auto a = random_f32(6 * 8, -2, 2, 3);
  const auto c = random_f32(8, -1, 1, 4);
  Graph g(3);
  const uint32_t ia = g.input(0, {6, 8});
  const uint32_t ic = g.f32({8}, c.data());
  const uint32_t sum = g.output(1, {6, 8});
  const uint32_t out = g.output(2, {6, 8});
  ASSERT_EQ(pqnn_define_add2(g.sg, -INFINITY, INFINITY, ia, ic, sum, 0), pqnn_status_success);
  ASSERT_EQ(pqnn_define_clamp(g.sg, 0.0f, 6.0f, sum, out, 0), pqnn_status_success);
  for (uint32_t flags : {0u, unsigned(PQNN_FLAG_FORCE_FP16_INFERENCE)}) {
    std::vector<float> ys(48), y(48);
    pqnn_runtime_t rt = run_graph(g.sg, flags, {{0, (void*) a.data()}, {1, ys.data()}, {2, y.data()}});
    const auto infos = node_infos(rt);
    pqnn_delete_runtime(rt);
    EXPECT_EQ(infos.size(), flags ? 5u : 2u);  // sum is external: the clamp is not fused
    for (size_t i = 0; i < 48; i++) {
      const float r = a[i] + c[i % 8];
      ASSERT_NEAR(ys[i], r, flags ? 4e-3 : 0.0);
      ASSERT_NEAR(y[i], std::min(6.0f, std::max(0.0f, r)), flags ? 4e-3 : 0.0);
    }
  }
}

TEST(RuntimeNodes, PoolingSoftmaxGeluReshape) {
  // x [2][6][5][3] -> maxpool 3x3 s2 pad 1 -> [2][3][3][3] -> gavgpool [2][3] -> gelu ->
  // reshape [3][2] -> softmax
  const auto x = random_f32(2 * 6 * 5 * 3, -3, 3, 5);
  for (uint32_t flags : {0u, unsigned(PQNN_FLAG_FORCE_FP16_INFERENCE)}) {
    Graph g(3);
    const uint32_t in = g.input(0, {2, 6, 5, 3});
    const uint32_t mp = g.output(1, {2, 3, 3, 3});
    const uint32_t gap = g.f32({2, 3});
    const uint32_t ge = g.f32({2, 3});
    const uint32_t rs = g.f32({3, 2});
    const uint32_t out = g.output(2, {3, 2});
    ASSERT_EQ(pqnn_define_max_pooling_2d(g.sg, 1, 1, 1, 1, 3, 3, 2, 2, 1, 1, -INFINITY, INFINITY,
        in, mp, 0), pqnn_status_success);
    ASSERT_EQ(pqnn_define_global_average_pooling_2d(g.sg, -INFINITY, INFINITY, mp, gap, 0),
        pqnn_status_success);
    ASSERT_EQ(pqnn_define_gelu(g.sg, gap, ge, 0), pqnn_status_success);
    const size_t shape[2] = {0, 2};
    ASSERT_EQ(pqnn_define_static_reshape(g.sg, 2, shape, ge, rs, 0), pqnn_status_success);
    ASSERT_EQ(pqnn_define_softmax(g.sg, rs, out, 0), pqnn_status_success);
    std::vector<float> ymp(54), y(6);
    pqnn_runtime_t rt = run_graph(g.sg, flags, {{0, (void*) x.data()}, {1, ymp.data()}, {2, y.data()}});
    const auto infos = node_infos(rt);
    pqnn_delete_runtime(rt);
    for (const auto& info : infos) {
      if (!info.inserted) {
        EXPECT_EQ(info.compute_datatype, flags ? pqnn_datatype_fp16 : pqnn_datatype_fp32);
      }
    }
    const double tol = flags ? 3e-3 : 1e-6;
    std::vector<double> mp_ref(54), gap_ref(6);
    for (size_t n = 0; n < 2; n++)
      for (size_t oy = 0; oy < 3; oy++)
        for (size_t ox = 0; ox < 3; ox++)
          for (size_t c = 0; c < 3; c++) {
            double m = -INFINITY;
            for (int ky = 0; ky < 3; ky++)
              for (int kx = 0; kx < 3; kx++) {
                const int iy = int(oy * 2) + ky - 1, ix = int(ox * 2) + kx - 1;
                if (iy < 0 || iy >= 6 || ix < 0 || ix >= 5) continue;
                m = std::max(m, double(x[((n * 6 + iy) * 5 + ix) * 3 + c]));
              }
            mp_ref[((n * 3 + oy) * 3 + ox) * 3 + c] = m;
            gap_ref[n * 3 + c] += m / 9;
          }
    for (size_t i = 0; i < 54; i++) ASSERT_NEAR(ymp[i], mp_ref[i], flags ? 3e-3 : 0.0);
    std::vector<double> ge_ref(6);
    for (size_t i = 0; i < 6; i++) ge_ref[i] = 0.5 * gap_ref[i] * (1 + std::erf(gap_ref[i] / std::sqrt(2.0)));
    for (size_t r = 0; r < 3; r++) {
      const double m = std::max(ge_ref[2 * r], ge_ref[2 * r + 1]);
      const double e0 = std::exp(ge_ref[2 * r] - m), e1 = std::exp(ge_ref[2 * r + 1] - m);
      ASSERT_NEAR(y[2 * r], e0 / (e0 + e1), tol);
      ASSERT_NEAR(y[2 * r + 1], e1 / (e0 + e1), tol);
    }
  }
}

TEST(RuntimeNodes, Converts) {
  // f32 -> f16 -> f32 and f32 -> qint8 -> f32 round trips
  const auto x = random_f32(3 * 7, -2, 2, 6);
  Graph g(3);
  const uint32_t in = g.input(0, {3, 7});
  uint32_t h, q;
  const size_t dims[2] = {3, 7};
  ASSERT_EQ(pqnn_define_tensor_value(g.sg, pqnn_datatype_fp16, 2, dims, nullptr,
      PQNN_INVALID_VALUE_ID, 0, &h), pqnn_status_success);
  q = g.q8({3, 7}, 3, 0.02f);
  const uint32_t o1 = g.output(1, {3, 7});
  const uint32_t o2 = g.output(2, {3, 7});
  ASSERT_EQ(pqnn_define_convert(g.sg, in, h, 0), pqnn_status_success);
  ASSERT_EQ(pqnn_define_convert(g.sg, h, o1, 0), pqnn_status_success);
  ASSERT_EQ(pqnn_define_convert(g.sg, in, q, 0), pqnn_status_success);
  ASSERT_EQ(pqnn_define_convert(g.sg, q, o2, 0), pqnn_status_success);
  std::vector<float> y1(21), y2(21);
  // Neither f16 flag applies to a graph with its own converts: it runs as defined.
  pqnn_runtime_t rt = run_graph(g.sg, PQNN_FLAG_FORCE_FP16_INFERENCE,
      {{0, (void*) x.data()}, {1, y1.data()}, {2, y2.data()}});
  EXPECT_EQ(node_infos(rt).size(), 4u);
  enum pqnn_fp16_decision decision = pqnn_fp16_decision_none;
  ASSERT_EQ(pqnn_get_runtime_fp16_decision(rt, &decision), pqnn_status_success);
  EXPECT_EQ(decision, pqnn_fp16_decision_as_defined);
  pqnn_delete_runtime(rt);
  for (size_t i = 0; i < 21; i++) {
    EXPECT_EQ(y1[i], fp16_ieee_to_fp32_value(fp16_ieee_from_fp32_value(x[i])));
    const float qv = std::min(127.0f, std::max(-128.0f, std::nearbyint(x[i] / 0.02f) + 3));
    EXPECT_EQ(y2[i], (qv - 3) * 0.02f);
  }
}

// FC -> clamp -> conv chain under f16 inference, with and without DRQ.
TEST(RuntimePasses, Fp16InferenceAndCombinedWithDrq) {
  ConvShape s;
  s.batch = 2; s.input_height = 6; s.input_width = 6; s.kernel_height = 3; s.kernel_width = 3;
  s.pad_top = s.pad_bottom = s.pad_left = s.pad_right = 1;
  s.group_input_channels = 8; s.group_output_channels = 6;
  s.input_channel_stride = 8; s.output_channel_stride = 6;
  // The FC reduces over 64 channels: DRQ applies from PQNN_QD8_MIN_REDUCTION = 64.
  const auto x = random_f32(2 * 36 * 64, -1, 1, 7);
  const auto w1 = random_f32(8 * 64, -0.25f, 0.25f, 8);
  const auto w2 = random_f32(s.kernel_elements(), -0.5f, 0.5f, 9);
  const auto b2 = random_f32(6, -1, 1, 10);
  Graph g(2);
  const uint32_t in = g.input(0, {2, 6, 6, 64});
  const uint32_t w1id = g.f32({8, 64}, w1.data());
  const uint32_t h = g.f32({2, 6, 6, 8});
  const uint32_t hc = g.f32({2, 6, 6, 8});
  const uint32_t w2id = g.f32({6, 3, 3, 8}, w2.data());
  const uint32_t b2id = g.f32({6}, b2.data());
  const uint32_t out = g.output(1, {2, 6, 6, 6});
  ASSERT_EQ(pqnn_define_fully_connected(g.sg, -INFINITY, INFINITY, in, w1id, PQNN_INVALID_VALUE_ID, h, 0),
      pqnn_status_success);
  ASSERT_EQ(pqnn_define_clamp(g.sg, 0.0f, 6.0f, h, hc, 0), pqnn_status_success);
  ASSERT_EQ(pqnn_define_convolution_2d(g.sg, 1, 1, 1, 1, 3, 3, 1, 1, 1, 1, 1, 8, 6, -INFINITY,
      INFINITY, hc, w2id, b2id, out, 0), pqnn_status_success);
  // reference in double
  std::vector<double> h_ref, abs1;
  reference_fully_connected(72, 64, 8, 64, x.data(), w1.data(), false, nullptr, 0.0f, 6.0f, h_ref, &abs1);
  std::vector<float> hf(h_ref.begin(), h_ref.end());
  std::vector<double> ref, abs2;
  reference_conv2d(s, hf.data(), w2.data(), b2.data(), -INFINITY, INFINITY, ref, &abs2);
  const uint32_t both = PQNN_FLAG_FORCE_FP16_INFERENCE | PQNN_FLAG_DYNAMIC_RANGE_QUANTIZATION;
  for (uint32_t flags : {unsigned(PQNN_FLAG_FORCE_FP16_INFERENCE), both}) {
    SCOPED_TRACE(flags);
    std::vector<float> y(2 * 36 * 6);
    pqnn_runtime_t rt = run_graph(g.sg, flags, {{0, (void*) x.data()}, {1, y.data()}});
    const auto infos = node_infos(rt);
    pqnn_delete_runtime(rt);
    if (flags == both) {
      // convert f32->f16, convert f16->qd8, FC qd8, convert f16->qd8, conv qd8, convert f16->f32
      ASSERT_EQ(infos.size(), 6u);
      EXPECT_EQ(infos[1].compute_datatype, pqnn_datatype_qdint8);
      EXPECT_EQ(infos[2].compute_datatype, pqnn_datatype_qdint8);
      EXPECT_EQ(infos[2].fused_clamp, 1u);
      EXPECT_EQ(infos[4].type, pqnn_node_type_convolution_2d);
      EXPECT_EQ(infos[4].compute_datatype, pqnn_datatype_qdint8);
    } else {
      ASSERT_EQ(infos.size(), 4u);
      EXPECT_EQ(infos[0].inserted, 1u);
      EXPECT_EQ(infos[0].compute_datatype, pqnn_datatype_fp16);
      EXPECT_EQ(infos[1].compute_datatype, pqnn_datatype_fp16);
      EXPECT_EQ(infos[1].fused_clamp, 1u);
      EXPECT_EQ(infos[2].compute_datatype, pqnn_datatype_fp16);
      EXPECT_EQ(infos[3].inserted, 1u);
    }
    double dot = 0, nr = 0, ny = 0;
    for (size_t i = 0; i < y.size(); i++) {
      const double tol = flags == both ? 0.05 * abs2[i] + 0.05 : 4e-3 * abs2[i] + 2e-3;
      ASSERT_NEAR(y[i], ref[i], tol) << i;
      dot += y[i] * ref[i];
      nr += ref[i] * ref[i];
      ny += double(y[i]) * y[i];
    }
    EXPECT_GT(dot / std::sqrt(nr * ny), flags == both ? 0.999 : 0.9999);
  }
}

// The threadpool splits the node kernels' rows; results are identical to a NULL pool.
TEST(RuntimeThreads, PoolGivesIdenticalResults) {
  const auto x = random_f32(2 * 16 * 16 * 32, -3, 3, 11);
  for (uint32_t flags : {0u, unsigned(PQNN_FLAG_FORCE_FP16_INFERENCE)}) {
    Graph g(3);
    const uint32_t in = g.input(0, {2, 16, 16, 32});
    const uint32_t ge = g.f32({2, 16, 16, 32});
    const uint32_t mp = g.f32({2, 8, 8, 32});
    const uint32_t gap = g.f32({2, 32});
    const uint32_t sm = g.output(1, {2, 32});
    const uint32_t sum = g.output(2, {2, 16, 16, 32});
    ASSERT_EQ(pqnn_define_gelu(g.sg, in, ge, 0), pqnn_status_success);
    ASSERT_EQ(pqnn_define_max_pooling_2d(g.sg, 0, 0, 0, 0, 2, 2, 2, 2, 1, 1, -INFINITY, INFINITY,
        ge, mp, 0), pqnn_status_success);
    ASSERT_EQ(pqnn_define_global_average_pooling_2d(g.sg, -INFINITY, INFINITY, mp, gap, 0),
        pqnn_status_success);
    ASSERT_EQ(pqnn_define_softmax(g.sg, gap, sm, 0), pqnn_status_success);
    ASSERT_EQ(pqnn_define_add2(g.sg, -1.0f, 1.0f, in, ge, sum, 0), pqnn_status_success);
    std::vector<float> y1(64), y2(64), s1(x.size()), s2(x.size());
    pqnn_runtime_t rt = run_graph(g.sg, flags, {{0, (void*) x.data()}, {1, y1.data()}, {2, s1.data()}});
    pqnn_delete_runtime(rt);
    pthreadpool_t pool = pqnn_test::create_pool(3);
    rt = run_graph(g.sg, flags, {{0, (void*) x.data()}, {1, y2.data()}, {2, s2.data()}}, pool);
    pqnn_delete_runtime(rt);
    pqnn_test::destroy_pool(pool);
    EXPECT_EQ(y1, y2);
    EXPECT_EQ(s1, s2);
  }
}

// Issue 16, defect 4: TF SAME padding of a max pooling with a dilation >= 2^31 was
// truncated to 32 bits. Width 3, pool 5, dilation 2^31 + 1: the padding before is
// 2^32 + 2 and only the centre tap (k = 2) lands in the input, so the output is the input;
// truncated to 2, tap 0 reads x[o - 2] and outputs 0 and 1 had no tap at all.
TEST(RuntimeNodes, MaxPoolingSamePaddingWithHugeDilation) {
  const uint32_t dilation = 0x80000001u;
  Graph g(2);
  const uint32_t in = g.input(0, {1, 1, 3, 2});
  const uint32_t out = g.output(1, {1, 1, 3, 2});
  const enum pqnn_status defined = pqnn_define_max_pooling_2d(g.sg, 0, 0, 0, 0, 1, 5, 1, 1, 1,
      dilation, -INFINITY, INFINITY, in, out, PQNN_FLAG_TENSORFLOW_SAME_PADDING);
  if (sizeof(size_t) < 8) {  // the padded extent does not fit a 32-bit size_t
    EXPECT_EQ(defined, pqnn_status_invalid_parameter);
    return;
  }
  ASSERT_EQ(defined, pqnn_status_success);
  const std::vector<float> x = {1, -2, 3, -4, 5, -6};
  std::vector<float> y(6, 0.0f);
  pqnn_runtime_t rt = run_graph(g.sg, 0, {{0, (void*) x.data()}, {1, y.data()}});
  EXPECT_EQ(y, x);
  pqnn_delete_runtime(rt);
}

}  // namespace
