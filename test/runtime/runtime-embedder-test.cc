// What an embedding application reads back from a runtime: external value shapes after a
// reshape, node type names and the dynamic-quantization decisions in the planner report,
// and the per-runtime quantization threshold (pqnn_create_runtime_with_options).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <pqnn.h>

#include "common/runtime-graph.h"

extern "C" {
#include "configs/config.h"
#include "operator.h"
}

using namespace pqnn_test;

namespace {

const float kInf = INFINITY;

TEST(RuntimeEmbedder, ExternalValueShapeFollowsTheInputAfterReshape) {
  for (uint32_t flags : {0u, unsigned(PQNN_FLAG_FORCE_FP16_INFERENCE)}) {
    Graph g(2);
    const std::vector<float> w(4 * 3, 0.25f);
    const uint32_t in = g.input(0, {2, 3});
    const uint32_t wid = g.f32({4, 3}, w.data());
    const uint32_t out = g.output(1, {2, 4});
    ASSERT_EQ(pqnn_define_fully_connected(g.sg, -kInf, kInf, in, wid, PQNN_INVALID_VALUE_ID,
        out, 0), pqnn_status_success);
    pqnn_runtime_t rt = nullptr;
    ASSERT_EQ(pqnn_create_runtime(g.sg, nullptr, flags, &rt), pqnn_status_success);
    size_t num_dims = 0, dims[PQNN_MAX_TENSOR_DIMS] = {};
    ASSERT_EQ(pqnn_get_external_value_shape(rt, 1, &num_dims, dims), pqnn_status_success);
    ASSERT_EQ(num_dims, 2u);
    EXPECT_EQ(dims[0], 2u);
    EXPECT_EQ(dims[1], 4u);
    const size_t new_dims[3] = {5, 7, 3};
    ASSERT_EQ(pqnn_reshape_external_value(rt, 0, 3, new_dims), pqnn_status_success);
    EXPECT_EQ(pqnn_get_external_value_shape(rt, 1, &num_dims, dims), pqnn_status_invalid_state);
    ASSERT_EQ(pqnn_reshape_runtime(rt), pqnn_status_success);
    ASSERT_EQ(pqnn_get_external_value_shape(rt, 1, &num_dims, dims), pqnn_status_success);
    ASSERT_EQ(num_dims, 3u);
    EXPECT_EQ(dims[0], 5u);
    EXPECT_EQ(dims[1], 7u);
    EXPECT_EQ(dims[2], 4u);
    ASSERT_EQ(pqnn_get_external_value_shape(rt, 0, &num_dims, dims), pqnn_status_success);
    EXPECT_EQ(num_dims, 3u);
    EXPECT_EQ(dims[2], 3u);
    // Arguments: NULL pointers, a value that is not external, an id out of range.
    EXPECT_EQ(pqnn_get_external_value_shape(nullptr, 1, &num_dims, dims),
        pqnn_status_invalid_parameter);
    EXPECT_EQ(pqnn_get_external_value_shape(rt, 1, nullptr, dims), pqnn_status_invalid_parameter);
    EXPECT_EQ(pqnn_get_external_value_shape(rt, 1, &num_dims, nullptr),
        pqnn_status_invalid_parameter);
    EXPECT_EQ(pqnn_get_external_value_shape(rt, wid, &num_dims, dims),
        pqnn_status_invalid_parameter);
    EXPECT_EQ(pqnn_get_external_value_shape(rt, 999, &num_dims, dims),
        pqnn_status_invalid_parameter);
    pqnn_delete_runtime(rt);
  }
}

TEST(RuntimeEmbedder, NodeInfoNamesEveryNodeType) {
  EXPECT_STREQ(pqnn_node_type_string(pqnn_node_type_fully_connected), "fully_connected");
  EXPECT_STREQ(pqnn_node_type_string(pqnn_node_type_convert), "convert");
  EXPECT_STREQ(pqnn_node_type_string(pqnn_node_type_static_reshape), "static_reshape");
  EXPECT_STREQ(pqnn_node_type_string(pqnn_node_type(1000)), "invalid");
  EXPECT_STREQ(pqnn_qd8_decision_string(pqnn_qd8_decision(1000)), "invalid");
  Graph g(2);
  const std::vector<float> w(8 * 8, 0.25f);
  const uint32_t in = g.input(0, {2, 8});
  const uint32_t wid = g.f32({8, 8}, w.data());
  const uint32_t mid = g.f32({2, 8});
  const uint32_t out = g.output(1, {2, 8});
  ASSERT_EQ(pqnn_define_fully_connected(g.sg, -kInf, kInf, in, wid, PQNN_INVALID_VALUE_ID, mid,
      0), pqnn_status_success);
  ASSERT_EQ(pqnn_define_softmax(g.sg, mid, out, 0), pqnn_status_success);
  pqnn_runtime_t rt = nullptr;
  ASSERT_EQ(pqnn_create_runtime(g.sg, nullptr, PQNN_FLAG_FORCE_FP16_INFERENCE, &rt),
      pqnn_status_success);
  const auto infos = node_infos(rt);
  ASSERT_EQ(infos.size(), 4u);  // convert, FC, softmax, convert
  const char* expected[4] = {"convert", "fully_connected", "softmax", "convert"};
  for (size_t i = 0; i < infos.size(); i++) {
    ASSERT_NE(infos[i].type_name, nullptr);
    EXPECT_STREQ(infos[i].type_name, expected[i]);
    EXPECT_STREQ(infos[i].type_name, pqnn_node_type_string(infos[i].type));
  }
  pqnn_delete_runtime(rt);
}

// "type:compute:decision" per planned op of `sg` ("+" marks inserted converts).
std::vector<std::string> plan_of(pqnn_subgraph_t sg, uint32_t flags, size_t threshold,
    uint32_t float_depthwise = 0) {
  pqnn_runtime_t rt = nullptr;
  pqnn_runtime_options options{};
  options.qd8_min_reduction = threshold;
  options.qd8_float_depthwise = float_depthwise;
  EXPECT_EQ(pqnn_create_runtime_with_options(sg, nullptr, flags, &options, &rt),
      pqnn_status_success);
  std::vector<std::string> report;
  if (rt == nullptr) return report;
  for (const auto& info : node_infos(rt)) {
    report.push_back(std::string(info.inserted ? "+" : "") + info.type_name + ":" +
        pqnn_datatype_string(info.compute_datatype) + ":" +
        std::to_string(int(info.qd8_decision)));
  }
  pqnn_delete_runtime(rt);
  return report;
}

// input [1][8][8][3] -> conv 3x3 3->256 (27 multiply-adds per output) -> depthwise 3x3
// (stride dw_stride) -> conv 1x1 256->64 (256 per output) -> output. 256 channels: a 1 KiB
// pixel step, where the planner does not count on the f32 row kernels (they run only off
// 4 KiB aliasing), so DRQ takes the stride-1 depthwise layer wherever the CPU's qd8 dwconv
// kernels beat the f32 ones (every tier but aarch64's: depthwise_runs_qd8 in
// src/runtime/runtime-passes.c, drq_depthwise in src/configs/qd8-dwconv-config.c).
struct DrqGraph {
  Graph g{2};
  std::vector<float> w0 = random_f32(256 * 3 * 3 * 3, -1, 1, 3);
  std::vector<float> wd = random_f32(3 * 3 * 256, -1, 1, 4);
  std::vector<float> w1 = random_f32(64 * 256, -1, 1, 5);
  explicit DrqGraph(uint32_t dw_stride = 1) {
    const size_t o = dw_stride == 1 ? 8 : 4;
    const uint32_t in = g.input(0, {1, 8, 8, 3});
    const uint32_t f0 = g.f32({256, 3, 3, 3}, w0.data());
    const uint32_t fd = g.f32({1, 3, 3, 256}, wd.data());
    const uint32_t f1 = g.f32({64, 1, 1, 256}, w1.data());
    const uint32_t a = g.f32({1, 8, 8, 256});
    const uint32_t b = g.f32({1, o, o, 256});
    const uint32_t out = g.output(1, {1, o, o, 64});
    EXPECT_EQ(pqnn_define_convolution_2d(g.sg, 1, 1, 1, 1, 3, 3, 1, 1, 1, 1, 1, 3, 256, -kInf,
        kInf, in, f0, PQNN_INVALID_VALUE_ID, a, 0), pqnn_status_success);
    EXPECT_EQ(pqnn_define_depthwise_convolution_2d(g.sg, 1, 1, 1, 1, 3, 3, dw_stride,
        dw_stride, 1, 1, 1, 256, -kInf, kInf, a, fd, PQNN_INVALID_VALUE_ID, b, 0),
        pqnn_status_success);
    EXPECT_EQ(pqnn_define_convolution_2d(g.sg, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 256, 64, -kInf,
        kInf, b, f1, PQNN_INVALID_VALUE_ID, out, 0), pqnn_status_success);
  }
  std::vector<std::string> plan(uint32_t flags, size_t threshold, uint32_t float_depthwise = 0) {
    return plan_of(g.sg, flags, threshold, float_depthwise);
  }
};

TEST(RuntimeEmbedder, DynamicQuantizationDecisionsAreReported) {
  DrqGraph d;
  const int small = pqnn_qd8_decision_float_small_reduction;
  const int dw = pqnn_qd8_decision_float_depthwise;
  const int quantized = pqnn_qd8_decision_quantized;
  const uint32_t drq = PQNN_FLAG_DYNAMIC_RANGE_QUANTIZATION;
  using V = std::vector<std::string>;
  const std::string c = "convolution_2d:", dwc = "depthwise_convolution_2d:";
  const std::string q = "+convert:qdint8:0";
  const std::string dwq = dwc + "qdint8:" + std::to_string(quantized);
  // The stride-1 depthwise layer: qd8 behind its own convert, or (aarch64) f32.
#if defined(__aarch64__)
  const V dwp{dwc + "fp32:" + std::to_string(dw)};
  (void) dwq;
#else
  const V dwp{q, dwq};
#endif
  const auto cat = [](V a, const V& b, const V& c2) {
    a.insert(a.end(), b.begin(), b.end());
    a.insert(a.end(), c2.begin(), c2.end());
    return a;
  };
  EXPECT_EQ(d.plan(0, 0), (V{c + "fp32:0", dwc + "fp32:0", c + "fp32:0"}));
  // Threshold 64 set explicitly: the stem (27) stays f32 on every CPU; the stride-1
  // depthwise (see dwp) and the 1x1 conv (256) are qd8, each behind its own convert.
  EXPECT_EQ(d.plan(drq, 64), cat(V{c + "fp32:" + std::to_string(small)}, dwp,
      V{q, c + "qdint8:" + std::to_string(quantized)}));
  // The default threshold (64) is the same: a stem stays f32 on every CPU (small
  // convolutions that are not stems: SmallConvolutionDecisionIsReported).
  EXPECT_EQ(d.plan(drq, 0), cat(V{c + "fp32:" + std::to_string(small)}, dwp,
      V{q, c + "qdint8:" + std::to_string(quantized)}));
  EXPECT_STREQ(pqnn_qd8_decision_string(pqnn_qd8_decision_quantized_small_conv),
      "qd8: convolution below the threshold (this CPU's int8 kernels win there)");
  // A per-runtime threshold of 16 quantizes the stem too; 300 leaves the 1x1 conv in f32
  // (the threshold does not apply to depthwise layers).
  EXPECT_EQ(d.plan(drq, 16), cat(V{q, c + "qdint8:" + std::to_string(quantized)}, dwp,
      V{q, c + "qdint8:" + std::to_string(quantized)}));
  EXPECT_EQ(d.plan(drq, 300), cat(V{c + "fp32:" + std::to_string(small)}, dwp,
      V{c + "fp32:" + std::to_string(small)}));
  // The qd8_float_depthwise option keeps the depthwise layer float.
  EXPECT_EQ(d.plan(drq, 64, 1), (V{c + "fp32:" + std::to_string(small),
      dwc + "fp32:" + std::to_string(dw), q, c + "qdint8:" + std::to_string(quantized)}));
  EXPECT_EQ(d.plan(0, 0, 1), (V{c + "fp32:0", dwc + "fp32:0", c + "fp32:0"}));
  // A strided depthwise layer stays float.
  DrqGraph strided(2);
  EXPECT_EQ(strided.plan(drq, 64), (V{c + "fp32:" + std::to_string(small),
      dwc + "fp32:" + std::to_string(dw), q, c + "qdint8:" + std::to_string(quantized)}));
  EXPECT_STREQ(pqnn_qd8_decision_string(pqnn_qd8_decision_float_depthwise),
      "float: depthwise (strided, faster in f32, or runtime option qd8_float_depthwise)");
}

// A 1x1 convolution 16 -> 16 (16 multiply-adds per output, not a stem): below the
// default threshold it runs qd8 where the qd8 tier takes small convolutions (decision
// quantized_small_conv), else f32; an explicit threshold applies on every CPU.
TEST(RuntimeEmbedder, SmallConvolutionDecisionIsReported) {
  Graph g{2};
  const std::vector<float> w = random_f32(16 * 16, -1, 1, 6);
  const uint32_t in = g.input(0, {1, 4, 4, 16});
  const uint32_t f = g.f32({16, 1, 1, 16}, w.data());
  const uint32_t out = g.output(1, {1, 4, 4, 16});
  ASSERT_EQ(pqnn_define_convolution_2d(g.sg, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 16, 16, -kInf,
      kInf, in, f, PQNN_INVALID_VALUE_ID, out, 0), pqnn_status_success);
  using V = std::vector<std::string>;
  const uint32_t drq = PQNN_FLAG_DYNAMIC_RANGE_QUANTIZATION;
  const std::string f32 = "convolution_2d:fp32:" +
      std::to_string(int(pqnn_qd8_decision_float_small_reduction));
  EXPECT_EQ(plan_of(g.sg, drq, 64), (V{f32}));
  const V by_default = plan_of(g.sg, drq, 0);
  if (by_default.size() == 2) {
    EXPECT_EQ(by_default, (V{"+convert:qdint8:0", "convolution_2d:qdint8:" +
        std::to_string(int(pqnn_qd8_decision_quantized_small_conv))}));
  } else {
    EXPECT_EQ(by_default, (V{f32}));
  }
}

// A 3x3 stride-1 convolution that the f32 operator runs as Winograd stays f32 under
// dynamic quantization when it has at most a third as many output as input channels and
// the qd8 IGEMM path would not run it on its config's narrow tile (decision float_winograd,
// runtime-passes.c winograd_beats_qd8: PaddleOCR det's 96 -> 24 where the tier has no narrow
// qd8 tile), and gives the f32 run's bits; more output channels, the narrow tile (avx512vnni:
// N <= 32), PQNN_FLAG_NO_WINOGRAD or stride 2 (no Winograd) run qd8. Whether the f32 layer
// takes Winograd is read from the f32 runtime's compute path (every tier with f32 GEMM
// kernels has it).
TEST(RuntimeEmbedder, WinogradConvolutionDecisionIsReported) {
  struct Case { size_t ic, oc; uint32_t stride, node_flags; bool few_outputs, winograd; };
  const Case cases[] = {{96, 24, 1, 0, true, true}, {96, 32, 1, 0, true, true},
      {96, 33, 1, 0, false, true}, {96, 48, 1, 0, false, true}, {120, 40, 1, 0, true, true},
      {96, 24, 1, PQNN_FLAG_NO_WINOGRAD, true, false}, {96, 24, 2, 0, true, false}};
  for (const Case& c : cases) {
    Graph g{2};
    const std::vector<float> w = random_f32(c.oc * 3 * 3 * c.ic, -1, 1, 11);
    const size_t o = c.stride == 1 ? 8 : 4;
    const uint32_t in = g.input(0, {1, 8, 8, c.ic});
    const uint32_t f = g.f32({c.oc, 3, 3, c.ic}, w.data());
    const uint32_t out = g.output(1, {1, o, o, c.oc});
    ASSERT_EQ(pqnn_define_convolution_2d(g.sg, 1, 1, 1, 1, 3, 3, c.stride, c.stride, 1, 1, 1,
        c.ic, c.oc, -kInf, kInf, in, f, PQNN_INVALID_VALUE_ID, out, c.node_flags),
        pqnn_status_success);
    const std::string label = "ic " + std::to_string(c.ic) + " oc " + std::to_string(c.oc) +
        " stride " + std::to_string(c.stride) + " flags " + std::to_string(c.node_flags);
    const auto x = random_f32(8 * 8 * c.ic, -1, 1, 12);
    std::vector<float> ref(o * o * c.oc), y(o * o * c.oc);
    pqnn_runtime_t rt = run_graph(g.sg, 0, {{0, (void*) x.data()}, {1, ref.data()}});
    ASSERT_NE(rt, nullptr);
    EXPECT_EQ(std::string(node_infos(rt)[0].compute_path) == "winograd", c.winograd) << label;
    pqnn_delete_runtime(rt);
    using V = std::vector<std::string>;
    const uint32_t drq = PQNN_FLAG_DYNAMIC_RANGE_QUANTIZATION;
    const bool qd8_narrow = pqnn_convolution_igemm_takes_narrow_tile(
        pqnn_get_qd8_f32_qc8w_gemm_config(), c.oc, true);
    if (c.few_outputs && c.winograd && !qd8_narrow) {
      EXPECT_EQ(plan_of(g.sg, drq, 0), (V{"convolution_2d:fp32:" +
          std::to_string(int(pqnn_qd8_decision_float_winograd))})) << label;
      pqnn_delete_runtime(run_graph(g.sg, drq, {{0, (void*) x.data()}, {1, y.data()}}));
      EXPECT_EQ(y, ref) << label;
    } else {
      EXPECT_EQ(plan_of(g.sg, drq, 0), (V{"+convert:qdint8:0", "convolution_2d:qdint8:" +
          std::to_string(int(pqnn_qd8_decision_quantized))})) << label;
    }
  }
  EXPECT_STREQ(pqnn_qd8_decision_string(pqnn_qd8_decision_float_winograd),
      "float: f32 Winograd is faster (output channels <= input channels / 3, no narrow qd8 tile)");
}

TEST(RuntimeEmbedder, Qd8ThresholdOptionChangesOnlyThePlan) {
  // Two runtimes of one graph with different thresholds both run and stay close to f32.
  DrqGraph d;
  const auto x = random_f32(8 * 8 * 3, -1, 1, 9);
  std::vector<float> ref(8 * 8 * 64), y(8 * 8 * 64);
  pqnn_runtime_t rt = run_graph(d.g.sg, 0, {{0, (void*) x.data()}, {1, ref.data()}});
  pqnn_delete_runtime(rt);
  for (size_t threshold : {size_t(1), size_t(64), size_t(1000)}) {
    pqnn_runtime_options options{};
    options.qd8_min_reduction = threshold;
    options.qd8_float_depthwise = threshold == 1000 ? 1 : 0;  // 1000: nothing quantized
    ASSERT_EQ(pqnn_create_runtime_with_options(d.g.sg, nullptr,
        PQNN_FLAG_DYNAMIC_RANGE_QUANTIZATION, &options, &rt), pqnn_status_success);
    const pqnn_external_value ext[2] = {{0, (void*) x.data()}, {1, y.data()}};
    ASSERT_EQ(pqnn_setup_runtime(rt, 2, ext), pqnn_status_success);
    ASSERT_EQ(pqnn_invoke_runtime(rt), pqnn_status_success);
    double max_ref = 0, max_err = 0;
    for (size_t i = 0; i < y.size(); i++) {
      max_ref = std::max(max_ref, std::fabs(double(ref[i])));
      max_err = std::max(max_err, std::fabs(double(y[i]) - ref[i]));
    }
    EXPECT_LT(max_err, 0.05 * max_ref) << "threshold " << threshold;
    if (threshold == 1000) {
      EXPECT_EQ(max_err, 0.0);  // nothing quantized (the depthwise kept float): the f32 bits
    }
    pqnn_delete_runtime(rt);
  }
}

// The float decisions are logged at level 2. The level is read once per process, so this
// runs as its own ctest entry with PQNN_LOG_LEVEL=2 (runtime-embedder-test.log2) and skips
// otherwise.
TEST(RuntimeEmbedderLog, FloatDecisionsAreLoggedAtLevelTwo) {
  const char* level = std::getenv("PQNN_LOG_LEVEL");
  if (level == nullptr || std::strcmp(level, "2") != 0) GTEST_SKIP() << "needs PQNN_LOG_LEVEL=2";
  DrqGraph d(2);  // a strided depthwise layer stays float
  testing::internal::CaptureStderr();
  d.plan(PQNN_FLAG_DYNAMIC_RANGE_QUANTIZATION, 64);  // explicit: the stem stays f32 anywhere
  const std::string err = testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("convolution_2d): stays fp32, float: reduction below the qd8 threshold"),
      std::string::npos) << err;
  EXPECT_NE(err.find("depthwise_convolution_2d): stays fp32, float: depthwise"),
      std::string::npos) << err;
}

}  // namespace
