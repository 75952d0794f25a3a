// A qs8 graph (conv qs8 with a fused clamp -> depthwise qs8_qc8w -> residual add2 -> global
// average pooling -> fully connected qs8_qc8w) must equal, bit for bit, the same work done by
// chaining the public qs8 operators and the qs8 node kernels by hand; then the f32 <-> qint8
// boundary converts.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include <pqnn.h>

#include "common/runtime-graph.h"
extern "C" {
#include "runtime/node-kernels.h"
}

using namespace pqnn_test;

namespace {

std::vector<int8_t> random_i8(size_t n, int lo, int hi, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> d(lo, hi);
  std::vector<int8_t> v(n);
  for (auto& x : v) x = int8_t(d(rng));
  return v;
}

std::vector<int32_t> random_i32(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> d(-1000, 1000);
  std::vector<int32_t> v(n);
  for (auto& x : v) x = d(rng);
  return v;
}

TEST(RuntimeQs8, GraphBitExactAgainstChainedOperators) {
  const size_t N = 2, H = 7, W = 6, C = 4, K = 10;
  struct Q { int32_t zp; float scale; };
  const Q qx{-3, 0.05f}, qc{5, 0.5f}, qd{-2, 0.2f}, qa{0, 0.6f}, qg{1, 0.3f}, qy{0, 0.5f};
  const float conv_kernel_scale = 0.02f;
  const auto x = random_i8(N * H * W * C, -128, 127, 1);
  const auto wc = random_i8(C * 3 * 3 * C, -20, 20, 2);
  const auto bc = random_i32(C, 3);
  const auto wd = random_i8(3 * 3 * C, -20, 20, 4);
  const auto bd = random_i32(C, 5);
  const auto wf = random_i8(K * C, -20, 20, 6);
  const auto bf = random_i32(K, 7);
  std::vector<float> sd(C), sf(K);
  for (size_t c = 0; c < C; c++) sd[c] = 0.01f + 0.002f * c;
  for (size_t k = 0; k < K; k++) sf[k] = 0.008f + 0.001f * k;

  Graph g(2);
  const uint32_t in = g.q8({N, H, W, C}, qx.zp, qx.scale, nullptr, 0, PQNN_VALUE_FLAG_EXTERNAL_INPUT);
  const uint32_t wcid = g.q8({C, 3, 3, C}, 0, conv_kernel_scale, wc.data());
  uint32_t bcid, wdid, bdid, wfid, bfid;
  const size_t dc[1] = {C}, dk[1] = {K}, dwd[4] = {1, 3, 3, C}, dwf[2] = {K, C};
  ASSERT_EQ(pqnn_define_quantized_tensor_value(g.sg, pqnn_datatype_int32, 0, qx.scale * conv_kernel_scale,
      1, dc, bc.data(), PQNN_INVALID_VALUE_ID, 0, &bcid), pqnn_status_success);
  ASSERT_EQ(pqnn_define_channelwise_quantized_tensor_value(g.sg, pqnn_datatype_qcint8, sd.data(), 4, 3,
      dwd, wd.data(), PQNN_INVALID_VALUE_ID, 0, &wdid), pqnn_status_success);
  ASSERT_EQ(pqnn_define_channelwise_quantized_tensor_value(g.sg, pqnn_datatype_qcint32, sd.data(), 1, 0,
      dc, bd.data(), PQNN_INVALID_VALUE_ID, 0, &bdid), pqnn_status_success);
  ASSERT_EQ(pqnn_define_channelwise_quantized_tensor_value(g.sg, pqnn_datatype_qcint8, sf.data(), 2, 0,
      dwf, wf.data(), PQNN_INVALID_VALUE_ID, 0, &wfid), pqnn_status_success);
  ASSERT_EQ(pqnn_define_channelwise_quantized_tensor_value(g.sg, pqnn_datatype_qcint32, sf.data(), 1, 0,
      dk, bf.data(), PQNN_INVALID_VALUE_ID, 0, &bfid), pqnn_status_success);
  const uint32_t c0 = g.q8({N, H, W, C}, qc.zp, qc.scale);
  const uint32_t c1 = g.q8({N, H, W, C}, qc.zp, qc.scale);
  const uint32_t d1 = g.q8({N, H, W, C}, qd.zp, qd.scale);
  const uint32_t a1 = g.q8({N, H, W, C}, qa.zp, qa.scale);
  const uint32_t g1 = g.q8({N, C}, qg.zp, qg.scale);
  const uint32_t out = g.q8({N, K}, qy.zp, qy.scale, nullptr, 1, PQNN_VALUE_FLAG_EXTERNAL_OUTPUT);
  ASSERT_EQ(pqnn_define_convolution_2d(g.sg, 1, 1, 1, 1, 3, 3, 1, 1, 1, 1, 1, C, C, -INFINITY,
      INFINITY, in, wcid, bcid, c0, 0), pqnn_status_success);
  ASSERT_EQ(pqnn_define_clamp(g.sg, 0.0f, INFINITY, c0, c1, 0), pqnn_status_success);
  ASSERT_EQ(pqnn_define_depthwise_convolution_2d(g.sg, 1, 1, 1, 1, 3, 3, 1, 1, 1, 1, 1, C,
      -INFINITY, INFINITY, c1, wdid, bdid, d1, 0), pqnn_status_success);
  ASSERT_EQ(pqnn_define_add2(g.sg, -INFINITY, INFINITY, c1, d1, a1, 0), pqnn_status_success);
  ASSERT_EQ(pqnn_define_global_average_pooling_2d(g.sg, -INFINITY, INFINITY, a1, g1, 0),
      pqnn_status_success);
  ASSERT_EQ(pqnn_define_fully_connected(g.sg, -INFINITY, INFINITY, g1, wfid, bfid, out, 0),
      pqnn_status_success);
  std::vector<int8_t> y(N * K);
  pqnn_runtime_t rt = run_graph(g.sg, PQNN_FLAG_DYNAMIC_RANGE_QUANTIZATION,
      {{0, (void*) x.data()}, {1, y.data()}});
  const auto infos = node_infos(rt);
  pqnn_delete_runtime(rt);
  ASSERT_EQ(infos.size(), 5u);
  EXPECT_EQ(infos[0].fused_clamp, 1u);
  for (const auto& info : infos) EXPECT_EQ(info.compute_datatype, pqnn_datatype_qint8);

  // The same by hand.
  const int8_t relu_min = int8_t(qc.zp);  // rne(0 / scale) + zp
  std::vector<int8_t> rc1(N * H * W * C), rd1(N * H * W * C), ra1(N * H * W * C), rg1(N * C), ry(N * K);
  size_t oh, ow;
  pqnn_operator_t op = nullptr;
  ASSERT_EQ(pqnn_create_convolution2d_nhwc_qs8(1, 1, 1, 1, 3, 3, 1, 1, 1, 1, 1, C, C, C, C,
      int8_t(qx.zp), qx.scale, conv_kernel_scale, wc.data(), bc.data(), int8_t(qc.zp), qc.scale,
      relu_min, 127, 0, &op), pqnn_status_success);
  ASSERT_EQ(pqnn_reshape_convolution2d_nhwc_qs8(op, N, H, W, &oh, &ow, nullptr), pqnn_status_success);
  ASSERT_EQ(pqnn_setup_convolution2d_nhwc_qs8(op, x.data(), rc1.data()), pqnn_status_success);
  ASSERT_EQ(pqnn_run_operator(op, nullptr), pqnn_status_success);
  pqnn_delete_operator(op);
  ASSERT_EQ(pqnn_create_convolution2d_nhwc_qs8_qc8w(1, 1, 1, 1, 3, 3, 1, 1, 1, 1, C, 1, 1, C, C,
      int8_t(qc.zp), qc.scale, sd.data(), wd.data(), bd.data(), int8_t(qd.zp), qd.scale, -128, 127,
      PQNN_FLAG_DEPTHWISE_CONVOLUTION, &op), pqnn_status_success);
  ASSERT_EQ(pqnn_reshape_convolution2d_nhwc_qs8_qc8w(op, N, H, W, &oh, &ow, nullptr), pqnn_status_success);
  ASSERT_EQ(pqnn_setup_convolution2d_nhwc_qs8_qc8w(op, rc1.data(), rd1.data()), pqnn_status_success);
  ASSERT_EQ(pqnn_run_operator(op, nullptr), pqnn_status_success);
  pqnn_delete_operator(op);
  const pqnn_add2_shape s = {{1, 1, N * H * W, C}, {0, 0, C, 1}, {0, 0, C, 1}};
  pqnn_node_qs8_add2(&s, 0, N * H * W, rc1.data(), qc.zp, qc.scale, rd1.data(), qd.zp, qd.scale,
      ra1.data(), qa.zp, qa.scale, -128, 127);
  pqnn_node_qs8_global_average_pooling(0, N, H * W, C, ra1.data(), qa.zp, qa.scale, rg1.data(),
      qg.zp, qg.scale, -128, 127);
  ASSERT_EQ(pqnn_create_fully_connected_nc_qs8_qc8w(C, K, C, K, int8_t(qg.zp), qg.scale, sf.data(),
      wf.data(), bf.data(), int8_t(qy.zp), qy.scale, -128, 127, 0, &op), pqnn_status_success);
  ASSERT_EQ(pqnn_reshape_fully_connected_nc_qs8_qc8w(op, N, nullptr), pqnn_status_success);
  ASSERT_EQ(pqnn_setup_fully_connected_nc_qs8_qc8w(op, rg1.data(), ry.data()), pqnn_status_success);
  ASSERT_EQ(pqnn_run_operator(op, nullptr), pqnn_status_success);
  pqnn_delete_operator(op);
  EXPECT_EQ(y, ry);
  size_t distinct = 0;
  for (size_t i = 1; i < ry.size(); i++) distinct += ry[i] != ry[0];
  EXPECT_GT(distinct, 0u) << "degenerate test data";
}

TEST(RuntimeQs8, QintClampMustFuse) {
  // A qint8 clamp whose input is external cannot fuse and has no kernel: unsupported.
  Graph g(2);
  const uint32_t in = g.q8({4}, 0, 0.1f, nullptr, 0, PQNN_VALUE_FLAG_EXTERNAL_INPUT);
  const uint32_t out = g.q8({4}, 0, 0.1f, nullptr, 1, PQNN_VALUE_FLAG_EXTERNAL_OUTPUT);
  ASSERT_EQ(pqnn_define_clamp(g.sg, 0.0f, 1.0f, in, out, 0), pqnn_status_success);
  pqnn_runtime_t rt = nullptr;
  EXPECT_EQ(pqnn_create_runtime(g.sg, nullptr, 0, &rt), pqnn_status_unsupported_parameter);
  EXPECT_EQ(rt, nullptr);
}

}  // namespace
