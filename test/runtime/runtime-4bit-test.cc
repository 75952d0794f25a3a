// 4-bit fully connected weights in the runtime (issue 15): dynamic quantization with the
// runtime option qd8_fc_4bit_weights (per channel, or blockwise with a block size) and
// qbint4 filters (pqnn_define_blockwise_quantized_tensor_value). Each planned graph is
// checked against the same public operators called directly (convert_nc_f32_qd8 + the
// qd8 x qc4w / qb4w FC on weights from pqnn_quantize_weights_*): identical bits; the node
// info reports the decision; bad options and values are rejected.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include <pqnn.h>

#include "common/runtime-graph.h"

using namespace pqnn_test;

namespace {

struct Weights4 {
  std::vector<uint8_t> kernel;
  std::vector<float> scale;
  size_t block;  // 0: qc4w
};

Weights4 quantize(const std::vector<float>& w, size_t oc, size_t ic, size_t block) {
  EXPECT_EQ(pqnn_initialize(), pqnn_status_success);
  Weights4 q{std::vector<uint8_t>(oc * ((ic + 1) / 2)),
             std::vector<float>(oc * (block == 0 ? 1 : (ic + block - 1) / block)), block};
  EXPECT_EQ(block == 0
      ? pqnn_quantize_weights_qc4w(oc, ic, w.data(), q.kernel.data(), q.scale.data())
      : pqnn_quantize_weights_qb4w(oc, ic, block, w.data(), q.kernel.data(), q.scale.data()),
      pqnn_status_success);
  return q;
}

// convert_nc_f32_qd8 then the 4-bit FC, single-threaded: what the runtime should compute.
std::vector<float> direct(const std::vector<float>& x, size_t rows, size_t ic, size_t oc,
    const Weights4& q, const float* bias) {
  std::vector<int8_t> xq(rows * ic);
  std::vector<pqnn_quantization_params> qp(rows);
  pqnn_operator_t op = nullptr;
  EXPECT_EQ(pqnn_create_convert_nc_f32_qd8(ic, ic, ic, 0, &op), pqnn_status_success);
  EXPECT_EQ(pqnn_reshape_convert_nc_f32_qd8(op, rows, nullptr), pqnn_status_success);
  EXPECT_EQ(pqnn_setup_convert_nc_f32_qd8(op, x.data(), xq.data(), qp.data()), pqnn_status_success);
  EXPECT_EQ(pqnn_run_operator(op, nullptr), pqnn_status_success);
  pqnn_delete_operator(op);
  std::vector<float> y(rows * oc);
  if (q.block == 0) {
    EXPECT_EQ(pqnn_create_fully_connected_nc_qd8_f32_qc4w(ic, oc, ic, oc, q.scale.data(),
        q.kernel.data(), bias, -INFINITY, INFINITY, 0, &op), pqnn_status_success);
    EXPECT_EQ(pqnn_reshape_fully_connected_nc_qd8_f32_qc4w(op, rows, nullptr), pqnn_status_success);
    EXPECT_EQ(pqnn_setup_fully_connected_nc_qd8_f32_qc4w(op, xq.data(), y.data(), qp.data()),
        pqnn_status_success);
  } else {
    EXPECT_EQ(pqnn_create_fully_connected_nc_qd8_f32_qb4w(ic, oc, ic, oc, q.block,
        q.scale.data(), q.kernel.data(), bias, -INFINITY, INFINITY, 0, &op), pqnn_status_success);
    EXPECT_EQ(pqnn_reshape_fully_connected_nc_qd8_f32_qb4w(op, rows, nullptr), pqnn_status_success);
    EXPECT_EQ(pqnn_setup_fully_connected_nc_qd8_f32_qb4w(op, xq.data(), y.data(), qp.data()),
        pqnn_status_success);
  }
  EXPECT_EQ(pqnn_run_operator(op, nullptr), pqnn_status_success);
  pqnn_delete_operator(op);
  return y;
}

std::vector<pqnn_runtime_node_info> run(pqnn_subgraph_t sg, uint32_t flags,
    const pqnn_runtime_options* options, const std::vector<float>& x, std::vector<float>& y) {
  pqnn_runtime_t rt = nullptr;
  EXPECT_EQ(pqnn_create_runtime_with_options(sg, nullptr, flags, options, &rt),
      pqnn_status_success);
  if (rt == nullptr) return {};
  const pqnn_external_value ext[2] = {{0, const_cast<float*>(x.data())}, {1, y.data()}};
  EXPECT_EQ(pqnn_setup_runtime(rt, 2, ext), pqnn_status_success);
  EXPECT_EQ(pqnn_invoke_runtime(rt), pqnn_status_success);
  const auto infos = node_infos(rt);
  pqnn_delete_runtime(rt);
  return infos;
}

void expect_two_qd8_nodes(const std::vector<pqnn_runtime_node_info>& infos,
    pqnn_qd8_decision decision) {
  ASSERT_EQ(infos.size(), 2u);
  EXPECT_EQ(infos[0].type, pqnn_node_type_convert);
  EXPECT_EQ(infos[0].inserted, 1u);
  EXPECT_EQ(infos[1].type, pqnn_node_type_fully_connected);
  EXPECT_EQ(infos[1].compute_datatype, pqnn_datatype_qdint8);
  EXPECT_EQ(infos[1].qd8_decision, decision) << pqnn_qd8_decision_string(infos[1].qd8_decision);
}

TEST(Runtime4Bit, DynamicQuantizationChoosesFourBitWeights) {
  const size_t rows = 5, ic = 100, oc = 37;
  const auto w = random_f32(ic * oc, -1, 1, 11);
  const auto b = random_f32(oc, -1, 1, 12);
  const auto x = random_f32(rows * ic, -2, 2, 13);
  std::vector<float> wt(ic * oc);  // [ic][oc] for PQNN_FLAG_TRANSPOSE_WEIGHTS
  for (size_t n = 0; n < oc; n++) {
    for (size_t k = 0; k < ic; k++) wt[k * oc + n] = w[n * ic + k];
  }
  for (const size_t block : {0, 32, 64, 128}) {
    const Weights4 q = quantize(w, oc, ic, block);
    const std::vector<float> want = direct(x, rows, ic, oc, q, b.data());
    for (const bool transposed : {false, true}) {
      SCOPED_TRACE(testing::Message() << "block " << block << " transposed " << transposed);
      Graph g(2);
      const uint32_t in = g.input(0, {rows, ic});
      const uint32_t wid = transposed ? g.f32({ic, oc}, wt.data()) : g.f32({oc, ic}, w.data());
      const uint32_t bid = g.f32({oc}, b.data());
      const uint32_t out = g.output(1, {rows, oc});
      ASSERT_EQ(pqnn_define_fully_connected(g.sg, -INFINITY, INFINITY, in, wid, bid, out,
          transposed ? PQNN_FLAG_TRANSPOSE_WEIGHTS : 0), pqnn_status_success);
      pqnn_runtime_options options{};
      options.qd8_fc_4bit_weights = 1;
      options.qd8_fc_4bit_block_size = block;
      std::vector<float> y(rows * oc, NAN);
      const auto infos = run(g.sg, PQNN_FLAG_DYNAMIC_RANGE_QUANTIZATION, &options, x, y);
      expect_two_qd8_nodes(infos, block == 0 ? pqnn_qd8_decision_quantized_qc4w
                                             : pqnn_qd8_decision_quantized_qb4w);
      EXPECT_EQ(y, want);
      // Without the option: qc8w, a different (more accurate) result.
      std::vector<float> y8(rows * oc, NAN);
      expect_two_qd8_nodes(run(g.sg, PQNN_FLAG_DYNAMIC_RANGE_QUANTIZATION, nullptr, x, y8),
          pqnn_qd8_decision_quantized);
      EXPECT_NE(y8, want);
      // The option alone (no DRQ flag) changes nothing: f32.
      std::vector<float> yf(rows * oc, NAN);
      const auto fi = run(g.sg, 0, &options, x, yf);
      ASSERT_EQ(fi.size(), 1u);
      EXPECT_EQ(fi[0].compute_datatype, pqnn_datatype_fp32);
    }
  }
}

TEST(Runtime4Bit, SmallReductionsAndConvolutionsKeepTheirRules) {
  // An FC below qd8_min_reduction stays f32 with the 4-bit option too.
  const size_t rows = 2, ic = 32, oc = 8;
  const auto w = random_f32(ic * oc, -1, 1, 21);
  const auto x = random_f32(rows * ic, -1, 1, 22);
  Graph g(2);
  const uint32_t in = g.input(0, {rows, ic});
  const uint32_t wid = g.f32({oc, ic}, w.data());
  const uint32_t out = g.output(1, {rows, oc});
  ASSERT_EQ(pqnn_define_fully_connected(g.sg, -INFINITY, INFINITY, in, wid,
      PQNN_INVALID_VALUE_ID, out, 0), pqnn_status_success);
  pqnn_runtime_options options{};
  options.qd8_fc_4bit_weights = 1;
  std::vector<float> y(rows * oc);
  const auto infos = run(g.sg, PQNN_FLAG_DYNAMIC_RANGE_QUANTIZATION, &options, x, y);
  ASSERT_EQ(infos.size(), 1u);
  EXPECT_EQ(infos[0].qd8_decision, pqnn_qd8_decision_float_small_reduction);
  // 1: every FC, now 4-bit.
  options.qd8_min_reduction = 1;
  expect_two_qd8_nodes(run(g.sg, PQNN_FLAG_DYNAMIC_RANGE_QUANTIZATION, &options, x, y),
      pqnn_qd8_decision_quantized_qc4w);
}

TEST(Runtime4Bit, BadBlockSizeOption) {
  Graph g(2);
  const auto w = random_f32(64 * 4, -1, 1, 31);
  const uint32_t in = g.input(0, {1, 64});
  const uint32_t wid = g.f32({4, 64}, w.data());
  const uint32_t out = g.output(1, {1, 4});
  ASSERT_EQ(pqnn_define_fully_connected(g.sg, -INFINITY, INFINITY, in, wid,
      PQNN_INVALID_VALUE_ID, out, 0), pqnn_status_success);
  pqnn_runtime_options options{};
  options.qd8_fc_4bit_weights = 1;
  pqnn_runtime_t rt = nullptr;
  for (const size_t block : {1, 16, 48, 100}) {
    options.qd8_fc_4bit_block_size = block;
    EXPECT_EQ(pqnn_create_runtime_with_options(g.sg, nullptr,
        PQNN_FLAG_DYNAMIC_RANGE_QUANTIZATION, &options, &rt), pqnn_status_invalid_parameter);
  }
  // A block size without the 4-bit switch is ignored.
  options.qd8_fc_4bit_weights = 0;
  ASSERT_EQ(pqnn_create_runtime_with_options(g.sg, nullptr,
      PQNN_FLAG_DYNAMIC_RANGE_QUANTIZATION, &options, &rt), pqnn_status_success);
  pqnn_delete_runtime(rt);
}

TEST(Runtime4Bit, BlockwiseFilterAlwaysRunsQd8) {
  const size_t rows = 3, ic = 160, oc = 21;
  const auto w = random_f32(ic * oc, -1, 1, 41);
  const auto b = random_f32(oc, -1, 1, 42);
  const auto x = random_f32(rows * ic, -1, 1, 43);
  for (const size_t block : {32, 64}) {
    SCOPED_TRACE(block);
    const Weights4 q = quantize(w, oc, ic, block);
    const std::vector<float> want = direct(x, rows, ic, oc, q, b.data());
    Graph g(2);
    const uint32_t in = g.input(0, {rows, ic});
    uint32_t wid;
    const size_t dims[2] = {oc, ic};
    ASSERT_EQ(pqnn_define_blockwise_quantized_tensor_value(g.sg, pqnn_datatype_qbint4, block,
        q.scale.data(), 2, dims, q.kernel.data(), PQNN_INVALID_VALUE_ID, 0, &wid),
        pqnn_status_success);
    const uint32_t bid = g.f32({oc}, b.data());
    const uint32_t out = g.output(1, {rows, oc});
    ASSERT_EQ(pqnn_define_fully_connected(g.sg, -INFINITY, INFINITY, in, wid, bid, out, 0),
        pqnn_status_success);
    for (const uint32_t flags : {0u, unsigned(PQNN_FLAG_DYNAMIC_RANGE_QUANTIZATION)}) {
      std::vector<float> y(rows * oc, NAN);
      expect_two_qd8_nodes(run(g.sg, flags, nullptr, x, y), pqnn_qd8_decision_qbint4);
      EXPECT_EQ(y, want);
    }
    // f16 inference: f16 activations, the qd8_f16_qb4w face, within f16 rounding.
    std::vector<float> yh(rows * oc, NAN);
    const auto infos = run(g.sg, PQNN_FLAG_FORCE_FP16_INFERENCE, nullptr, x, yh);
    bool found = false;
    for (const auto& info : infos) {
      if (info.type != pqnn_node_type_fully_connected) continue;
      found = true;
      EXPECT_EQ(info.qd8_decision, pqnn_qd8_decision_qbint4);
    }
    EXPECT_TRUE(found);
    for (size_t i = 0; i < yh.size(); i++) {
      EXPECT_NEAR(yh[i], want[i], 0.02 * std::fabs(want[i]) + 0.05) << i;
    }
  }
}

TEST(Runtime4Bit, BlockwiseValueValidation) {
  Graph g(2);
  const std::vector<uint8_t> k(4 * 32);
  const std::vector<float> s(4 * 2, 1.0f);
  const size_t dims[2] = {4, 64}, dims3[3] = {4, 8, 8};
  uint32_t id;
  auto define = [&](pqnn_datatype type, size_t block, const float* scale, size_t nd,
      const size_t* d, const void* data) {
    return pqnn_define_blockwise_quantized_tensor_value(g.sg, type, block, scale, nd, d, data,
        PQNN_INVALID_VALUE_ID, 0, &id);
  };
  EXPECT_EQ(define(pqnn_datatype_qbint4, 32, s.data(), 2, dims, k.data()), pqnn_status_success);
  EXPECT_EQ(define(pqnn_datatype_qcint8, 32, s.data(), 2, dims, k.data()),
      pqnn_status_invalid_parameter);
  EXPECT_EQ(define(pqnn_datatype_qbint4, 48, s.data(), 2, dims, k.data()),
      pqnn_status_invalid_parameter);
  EXPECT_EQ(define(pqnn_datatype_qbint4, 0, s.data(), 2, dims, k.data()),
      pqnn_status_invalid_parameter);
  EXPECT_EQ(define(pqnn_datatype_qbint4, 32, nullptr, 2, dims, k.data()),
      pqnn_status_invalid_parameter);
  EXPECT_EQ(define(pqnn_datatype_qbint4, 32, s.data(), 2, dims, nullptr),
      pqnn_status_invalid_parameter);
  EXPECT_EQ(define(pqnn_datatype_qbint4, 32, s.data(), 3, dims3, k.data()),
      pqnn_status_invalid_parameter);
  std::vector<float> bad(s);
  bad[7] = NAN;
  EXPECT_EQ(define(pqnn_datatype_qbint4, 32, bad.data(), 2, dims, k.data()),
      pqnn_status_invalid_parameter);
  bad[7] = 0.0f;
  EXPECT_EQ(define(pqnn_datatype_qbint4, 32, bad.data(), 2, dims, k.data()),
      pqnn_status_invalid_parameter);
  // A qbint4 filter: FC only, not transposed; never a conv filter.
  // (Square, so that only the flag is wrong.)
  const std::vector<uint8_t> k64(64 * 32);
  const std::vector<float> s64(64 * 2, 1.0f);
  const size_t square[2] = {64, 64};
  ASSERT_EQ(define(pqnn_datatype_qbint4, 32, s64.data(), 2, square, k64.data()),
      pqnn_status_success);
  const uint32_t wid = id;
  const uint32_t in = g.input(0, {1, 64});
  const uint32_t out = g.output(1, {1, 64});
  EXPECT_EQ(pqnn_define_fully_connected(g.sg, -INFINITY, INFINITY, in, wid,
      PQNN_INVALID_VALUE_ID, out, PQNN_FLAG_TRANSPOSE_WEIGHTS), pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_define_fully_connected(g.sg, -INFINITY, INFINITY, in, wid,
      PQNN_INVALID_VALUE_ID, out, 0), pqnn_status_success);
  EXPECT_STREQ(pqnn_datatype_string(pqnn_datatype_qbint4), "qbint4");
}

}  // namespace
