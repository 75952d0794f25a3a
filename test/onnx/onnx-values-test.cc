// The importer's map from pqnn values back to ONNX nodes (pqnn_onnx_get_value), fused
// patterns named by their op chain, node profiles landing on those values, and node outputs
// read after a run (pqnn_onnx_create_runtime_with_options with keep_values), on the unit
// models of scripts/onnx-unit-models.py (directory in PQNN_ONNX_UNIT_DIR).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

#include "pqnn-onnx.h"

namespace {

std::string UnitModel(const char* name) {
  const char* dir = std::getenv("PQNN_ONNX_UNIT_DIR");
  return std::string(dir != nullptr ? dir : "") + "/" + name + ".onnx";
}

struct Imported {
  pqnn_onnx_model_t model = nullptr;
  pqnn_onnx_runtime_t rt = nullptr;
  pqnn_runtime_t prt = nullptr;
  Imported(const char* name, const pqnn_runtime_options* options) {
    EXPECT_EQ(pqnn_status_success, pqnn_initialize());
    EXPECT_EQ(pqnn_status_success, pqnn_onnx_load_file(UnitModel(name).c_str(), 0, &model));
    EXPECT_EQ(pqnn_status_success,
        pqnn_onnx_create_runtime_with_options(model, nullptr, 0, options, &rt));
    if (rt != nullptr) {
      EXPECT_EQ(pqnn_status_success, pqnn_onnx_get_pqnn_runtime(rt, &prt));
    }
  }
  ~Imported() {
    pqnn_onnx_delete_runtime(rt);
    pqnn_onnx_delete_model(model);
  }
  // Runs on the input sin(0.37 k) (x_size elements); returns the output (y_size).
  std::vector<float> RunOnSine(size_t x_size, size_t y_size) const {
    std::vector<float> x(x_size), y(y_size);
    for (size_t k = 0; k < x.size(); k++) x[k] = std::sin(0.37f * float(k));
    const float* in[1] = {x.data()};
    float* out[1] = {y.data()};
    EXPECT_EQ(pqnn_status_success, pqnn_onnx_run(rt, 1, in, 1, out));
    return y;
  }
  std::vector<pqnn_onnx_value_info> Values() const {
    size_t count = 0;
    EXPECT_EQ(pqnn_status_success, pqnn_onnx_get_value_count(rt, &count));
    std::vector<pqnn_onnx_value_info> v(count);
    for (size_t k = 0; k < count; k++) {
      EXPECT_EQ(pqnn_status_success, pqnn_onnx_get_value(rt, k, &v[k]));
    }
    return v;
  }
};

TEST(OnnxValues, FusedPatternsAreNamedByTheirOpChain) {
  Imported m("hardswish_clip_opset13", nullptr);
  ASSERT_NE(m.rt, nullptr);
  const auto values = m.Values();
  // conv output c, then y: the Add / Clip / Mul / Div chain lowered as one hardswish node.
  ASSERT_EQ(values.size(), 2u);
  EXPECT_STREQ(values[0].tensor_name, "c");
  EXPECT_STREQ(values[0].op_type, "Conv");
  EXPECT_EQ(values[0].channels_last, 1u);
  EXPECT_STREQ(values[1].tensor_name, "y");
  EXPECT_STREQ(values[1].node_name, "add3");
  EXPECT_STREQ(values[1].op_type, "Add+Clip+Mul+Div");
  pqnn_onnx_value_info info;
  EXPECT_EQ(pqnn_status_invalid_parameter, pqnn_onnx_get_value(m.rt, 2, &info));
  EXPECT_EQ(pqnn_status_invalid_parameter, pqnn_onnx_get_value(m.rt, 0, nullptr));
  EXPECT_EQ(pqnn_status_invalid_parameter, pqnn_onnx_get_value(nullptr, 0, &info));
  size_t count = 0;
  EXPECT_EQ(pqnn_status_invalid_parameter, pqnn_onnx_get_value_count(nullptr, &count));
  EXPECT_EQ(pqnn_status_invalid_parameter, pqnn_onnx_get_value_count(m.rt, nullptr));
}

TEST(OnnxValues, ProfiledNodesMapToOnnxNodes) {
  Imported m("conv_bn_relu", nullptr);
  ASSERT_NE(m.rt, nullptr);
  const auto values = m.Values();
  // The conv with the BatchNormalization folded (its output n), then the Relu (y), which
  // the runtime fuses into the conv: one conv node writing y.
  ASSERT_EQ(values.size(), 2u);
  EXPECT_STREQ(values[0].node_name, "conv");
  EXPECT_STREQ(values[0].tensor_name, "n");
  EXPECT_STREQ(values[0].op_type, "Conv+BatchNormalization");
  EXPECT_STREQ(values[1].node_name, "relu");
  EXPECT_STREQ(values[1].op_type, "Relu");
  std::vector<float> x(1 * 3 * 8 * 8, 0.5f), y(1 * 6 * 8 * 8);
  const float* in[1] = {x.data()};
  float* out[1] = {y.data()};
  ASSERT_EQ(pqnn_status_success, pqnn_enable_runtime_profiling(m.prt, 1));
  ASSERT_EQ(pqnn_status_success, pqnn_onnx_run(m.rt, 1, in, 1, out));
  size_t count = 0, convs = 0;
  ASSERT_EQ(pqnn_status_success, pqnn_get_runtime_node_count(m.prt, &count));
  for (size_t k = 0; k < count; k++) {
    pqnn_runtime_node_info node;
    pqnn_runtime_node_profile p;
    ASSERT_EQ(pqnn_status_success, pqnn_get_runtime_node_info(m.prt, k, &node));
    ASSERT_EQ(pqnn_status_success, pqnn_get_runtime_node_profile(m.prt, k, &p));
    EXPECT_EQ(p.runs, 1u);
    if (node.type != pqnn_node_type_convolution_2d) continue;
    convs++;
    EXPECT_EQ(p.output_value, values[1].value_id);
    EXPECT_EQ(p.macs, 8u * 8 * 6 * 3 * 3 * 3);
  }
  EXPECT_EQ(convs, 1u);
}

TEST(OnnxValues, ChainTemporariesAreNamedAfterTheirNode) {
  pqnn_runtime_options options = {};
  options.keep_values = 1;
  Imported m("instancenorm_after_conv", &options);
  ASSERT_NE(m.rt, nullptr);
  const auto values = m.Values();
  // c (Conv), the eight intermediates of InstanceNormalization's chain (mean, x - mean, its
  // square, the variance, + epsilon, sqrt, scale / std, the product) y#1 .. y#8, then y.
  ASSERT_EQ(values.size(), 10u);
  EXPECT_STREQ(values[0].tensor_name, "c");
  for (size_t k = 1; k <= 8; k++) {
    EXPECT_EQ(std::string("y#") + std::to_string(k), values[k].tensor_name);
    EXPECT_STREQ(values[k].node_name, "in");
    EXPECT_STREQ(values[k].op_type, "InstanceNormalization");
    EXPECT_EQ(values[k].channels_last, 1u);
  }
  EXPECT_STREQ(values[9].tensor_name, "y");
  m.RunOnSine(2 * 3 * 5 * 6, 2 * 4 * 5 * 6);
  // The mean (y#1) is [N][1][1][C], read back after the run.
  pqnn_datatype dt;
  size_t num_dims = 0, dims[PQNN_MAX_TENSOR_DIMS] = {};
  const void* data = nullptr;
  ASSERT_EQ(pqnn_status_success,
      pqnn_get_runtime_value(m.prt, values[1].value_id, &dt, &num_dims, dims, &data));
  ASSERT_EQ(num_dims, 4u);
  EXPECT_EQ(dims[0], 2u);
  EXPECT_EQ(dims[1] * dims[2], 1u);
  EXPECT_EQ(dims[3], 4u);
}

// How many values the ONNX node named `node` defined (its temporaries and its output).
size_t ValuesOfNode(const std::vector<pqnn_onnx_value_info>& values, const char* node) {
  size_t n = 0;
  for (const auto& v : values) n += v.node_name != nullptr && std::string(v.node_name) == node;
  return n;
}

// The node counts of docs/onnx.md ("Ops lowered to chains"): one value per node of a chain.
TEST(OnnxValues, ChainNodeCounts) {
  pqnn_runtime_options options = {};
  options.keep_values = 1;
  const struct { const char* model; const char* node; size_t nodes; } kChains[] = {
      {"reduce_chains_after_conv", "nhwc_min0", 3},       // negate, max, negate
      {"reduce_chains_after_conv", "nhwc_sumsquare0", 2}, // square, sum
      {"reduce_chains_after_conv", "nhwc_l10", 2},        // abs, sum
      {"reduce_chains_after_conv", "nhwc_l20", 3},        // square, sum, sqrt
      {"reduce_chains_after_conv", "nhwc_logsum0", 2},    // sum, log
      {"reduce_chains_after_conv", "nhwc_logsumexp0", 7}, // max, clamp, sub, exp, sum, log, add
      {"reducelogsumexp_large", "lse_chw", 8},            // ... and a reshape of the max
      {"lp_after_conv", "glp1", 2},                       // abs, sum
      {"lp_after_conv", "glp2", 3},                       // square, sum, sqrt
      {"lpnormalization_zero_rows", "lpn1", 7},           // abs, sum, log, sub, clamp, add, div
      {"lpnormalization_zero_rows", "lpn2", 8},           // ... and a sqrt
      {"lrn_after_conv", "lrn3", 7},                      // mul, square, fc, log, mul, exp, mul
      {"lrn_after_conv", "lrn9_wide", 7},
      {"qdq_uint8_zero_point", "q", 4},                   // divide, round, add, clamp
      {"qdq_uint8_zero_point", "dq", 2},                  // subtract, multiply
      {"qdq_per_axis_after_conv", "q", 4},                // divide, round, add 0, clamp
      {"qdq_per_axis_after_conv", "dq", 2}};              // subtract, multiply
  for (const auto& chain : kChains) {
    Imported m(chain.model, &options);
    ASSERT_NE(m.rt, nullptr) << chain.model;
    EXPECT_EQ(ValuesOfNode(m.Values(), chain.node), chain.nodes) << chain.node;
  }
}

TEST(OnnxValues, KeptNodeOutputIsTheModelOutputInNhwc) {
  pqnn_runtime_options options = {};
  options.keep_values = 1;
  Imported m("conv_bn_relu", &options);
  ASSERT_NE(m.rt, nullptr);
  const auto values = m.Values();
  ASSERT_EQ(values.size(), 2u);
  const std::vector<float> y = m.RunOnSine(1 * 3 * 8 * 8, 1 * 6 * 8 * 8);
  pqnn_datatype dt;
  size_t num_dims = 0, dims[PQNN_MAX_TENSOR_DIMS] = {};
  const void* data = nullptr;
  // n, the conv's own output, is fused away (the conv writes y with the Relu applied).
  EXPECT_EQ(pqnn_status_invalid_parameter,
      pqnn_get_runtime_value(m.prt, values[0].value_id, &dt, &num_dims, dims, &data));
  ASSERT_EQ(pqnn_status_success,
      pqnn_get_runtime_value(m.prt, values[1].value_id, &dt, &num_dims, dims, &data));
  ASSERT_EQ(dt, pqnn_datatype_fp32);
  ASSERT_EQ(num_dims, 4u);
  ASSERT_EQ(dims[3], 6u);  // NHWC inside
  const float* v = static_cast<const float*>(data);
  size_t nonzero = 0;
  for (size_t c = 0; c < 6; c++) {
    for (size_t p = 0; p < 64; p++) {
      ASSERT_EQ(v[p * 6 + c], y[c * 64 + p]) << "channel " << c << " pixel " << p;
      nonzero += y[c * 64 + p] != 0.0f;
    }
  }
  EXPECT_GT(nonzero, 0u);
}

}  // namespace
