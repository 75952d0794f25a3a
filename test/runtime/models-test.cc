// Whole-model runtime tests at reduced size (test/models builders): MobileNet v1 and v2
// at 64x64 input with width 0.25, and a 64 -> 256 -> 64 transformer MLP block. The f32
// runtime output is checked against a reference that runs the same recorded graph with
// plain double-precision convolution / fully connected loops (test/common/conv-reference);
// f16, qd8 and calibrated qs8 against the f32 runtime (cosine >= 0.9999, >= 0.999 and
// >= 0.998); the planner's node report says which nodes ran in which datatype.
#include <gtest/gtest.h>

#include <pqnn.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "common/conv-reference.h"
#include "common/test-pool.h"
#include "models/model-graph.h"
#include "models/model-runtime.h"

namespace {

using pqnn_models::Datatype;
using pqnn_models::Graph;
using pqnn_models::ModelOptions;
using pqnn_models::ModelRuntime;
using pqnn_models::Op;
using pqnn_models::OpKind;

// Runs every op of the graph in double precision, storing each value as float (the
// reference's rounding matches the runtime's f32 storage of intermediates).
std::vector<std::vector<float>> reference_run(const Graph& g, const std::vector<float>& input) {
  std::vector<std::vector<float>> v(g.values().size());
  v[g.input_value()] = input;
  std::vector<double> acc;
  for (const Op& op : g.ops()) {
    const std::vector<size_t>& in = g.values()[op.input].dims;
    const std::vector<float>& x = v[op.input];
    std::vector<float>& y = v[op.output];
    y.assign(g.values()[op.output].elements(), 0.0f);
    switch (op.kind) {
      case OpKind::convolution:
      case OpKind::depthwise_convolution: {
        pqnn_test::ConvShape s;
        s.pad_top = s.pad_right = s.pad_bottom = s.pad_left = op.padding;
        s.kernel_height = s.kernel_width = op.kernel;
        s.stride_height = s.stride_width = op.stride;
        if (op.kind == OpKind::depthwise_convolution) {
          s.groups = uint32_t(op.input_channels);
          s.group_input_channels = s.group_output_channels = 1;
          s.flags = PQNN_FLAG_DEPTHWISE_CONVOLUTION;
        } else {
          s.group_input_channels = op.input_channels;
          s.group_output_channels = op.output_channels;
        }
        s.input_channel_stride = op.input_channels;
        s.output_channel_stride = op.output_channels;
        s.batch = in[0];
        s.input_height = in[1];
        s.input_width = in[2];
        pqnn_test::reference_conv2d(s, x.data(), g.tensor(op.filter).data(),
            g.tensor(op.bias).data(), op.output_min, op.output_max, acc, nullptr);
        break;
      }
      case OpKind::fully_connected:
        pqnn_test::reference_fully_connected(x.size() / op.input_channels, op.input_channels,
            op.output_channels, op.input_channels, x.data(), g.tensor(op.filter).data(), false,
            g.tensor(op.bias).data(), op.output_min, op.output_max, acc, nullptr);
        break;
      case OpKind::add:
        acc.resize(y.size());
        for (size_t i = 0; i < y.size(); i++) {
          acc[i] = std::min(std::max(double(x[i]) + double(v[op.input2][i]),
              double(op.output_min)), double(op.output_max));
        }
        break;
      case OpKind::clamp:
        acc.resize(y.size());
        for (size_t i = 0; i < y.size(); i++) {
          acc[i] = std::min(std::max(double(x[i]), double(op.output_min)), double(op.output_max));
        }
        break;
      case OpKind::gelu:
        acc.resize(y.size());
        for (size_t i = 0; i < y.size(); i++) {
          acc[i] = 0.5 * x[i] * (1.0 + std::erf(double(x[i]) / std::sqrt(2.0)));
        }
        break;
      case OpKind::global_average_pooling: {
        const size_t pixels = in[1] * in[2], c = in[3];
        acc.assign(y.size(), 0.0);
        for (size_t b = 0; b < in[0]; b++) {
          for (size_t p = 0; p < pixels; p++) {
            for (size_t k = 0; k < c; k++) acc[b * c + k] += x[(b * pixels + p) * c + k];
          }
          for (size_t k = 0; k < c; k++) acc[b * c + k] /= double(pixels);
        }
        break;
      }
      case OpKind::softmax: {
        const size_t c = in.back();
        acc.resize(y.size());
        for (size_t r = 0; r < y.size() / c; r++) {
          const double m = *std::max_element(x.begin() + r * c, x.begin() + (r + 1) * c);
          double sum = 0.0;
          for (size_t k = 0; k < c; k++) sum += acc[r * c + k] = std::exp(x[r * c + k] - m);
          for (size_t k = 0; k < c; k++) acc[r * c + k] /= sum;
        }
        break;
      }
    }
    for (size_t i = 0; i < y.size(); i++) y[i] = float(acc[i]);
  }
  return v;
}

struct Case {
  const char* name;
  Graph (*build)(const ModelOptions&);
  ModelOptions options;
};

ModelOptions small_mobilenet() {
  ModelOptions o;
  o.input_size = 64;
  o.width = 0.25f;
  o.num_classes = 100;
  return o;
}

ModelOptions small_mlp(size_t batch) {
  ModelOptions o;
  o.batch = batch;
  o.channels = 64;
  o.hidden = 256;
  return o;
}

std::vector<Case> cases() {
  return {{"mobilenet_v1", pqnn_models::build_mobilenet_v1, small_mobilenet()},
      {"mobilenet_v2", pqnn_models::build_mobilenet_v2, small_mobilenet()},
      {"transformer_mlp_b1", pqnn_models::build_transformer_mlp, small_mlp(1)},
      {"transformer_mlp_b8", pqnn_models::build_transformer_mlp, small_mlp(8)}};
}

std::unique_ptr<ModelRuntime> run_model(const Graph& g, Datatype dt, const std::vector<float>& x,
    pthreadpool_t pool = nullptr, const pqnn_models::Calibration* cal = nullptr) {
  std::unique_ptr<ModelRuntime> m;
  const pqnn_status s = ModelRuntime::create(g, dt, cal, pool, &m);
  EXPECT_EQ(s, pqnn_status_success) << pqnn_status_string(s) << " " << g.name() << " "
                                    << pqnn_models::datatype_name(dt);
  if (s != pqnn_status_success) return nullptr;
  m->input() = x;
  EXPECT_EQ(m->invoke(), pqnn_status_success);
  return m;
}

size_t count_nodes(const std::vector<pqnn_runtime_node_info>& nodes, pqnn_node_type type,
    pqnn_datatype dt) {
  return size_t(std::count_if(nodes.begin(), nodes.end(), [&](const pqnn_runtime_node_info& n) {
    return n.type == type && n.compute_datatype == dt && !n.inserted;
  }));
}

// Ops of `kind` with at least `min_reduction` multiply-adds per output (conv: kernel^2 x
// input channels; FC: input channels), or, with `non_stems`, any reduction from 5 input
// channels on (the convolutions DRQ takes below the threshold on some tiers).
size_t count_ops(const Graph& g, OpKind kind, size_t min_reduction = 0, bool non_stems = false) {
  return size_t(std::count_if(g.ops().begin(), g.ops().end(), [&](const Op& op) {
    const size_t reduction = op.kind == OpKind::fully_connected
        ? op.input_channels : size_t(op.kernel) * op.kernel * op.input_channels;
    return op.kind == kind && (reduction >= min_reduction || (non_stems && op.input_channels > 4));
  }));
}

// The runtime's dynamic-range quantization leaves f32 layers with fewer multiply-adds per
// output than this in f32 (PQNN_QD8_MIN_REDUCTION, src/runtime/runtime-passes.h).
constexpr size_t kQd8MinReduction = 64;

TEST(ModelGraphs, FullSizeMatchesPublishedCounts) {
  // MobileNet v1 1.0/224: ~569M MACs, ~4.2M parameters; v2: ~300M MACs, ~3.5M parameters.
  const Graph v1 = pqnn_models::build_mobilenet_v1(ModelOptions());
  EXPECT_NEAR(v1.macs() / 1e6, 569.0, 6.0);
  EXPECT_NEAR(double(v1.parameter_count()) / 1e6, 4.23, 0.05);
  EXPECT_EQ(count_ops(v1, OpKind::depthwise_convolution), 13u);
  EXPECT_EQ(count_ops(v1, OpKind::convolution), 14u);
  const Graph v2 = pqnn_models::build_mobilenet_v2(ModelOptions());
  EXPECT_NEAR(v2.macs() / 1e6, 300.0, 6.0);
  EXPECT_NEAR(double(v2.parameter_count()) / 1e6, 3.5, 0.1);
  EXPECT_EQ(count_ops(v2, OpKind::depthwise_convolution), 17u);
  EXPECT_EQ(count_ops(v2, OpKind::add), 10u);
  const Graph mlp = pqnn_models::build_transformer_mlp(ModelOptions());
  EXPECT_EQ(mlp.macs(), 2.0 * 768 * 3072);
  EXPECT_EQ(mlp.values()[mlp.output_value()].dims, (std::vector<size_t>{1, 768}));
}

TEST(ModelGraphs, SameSeedSameWeights) {
  const Graph a = pqnn_models::build_mobilenet_v2(small_mobilenet());
  const Graph b = pqnn_models::build_mobilenet_v2(small_mobilenet());
  ModelOptions other = small_mobilenet();
  other.seed = 2;
  const Graph c = pqnn_models::build_mobilenet_v2(other);
  EXPECT_EQ(a.tensor(a.ops()[0].filter), b.tensor(b.ops()[0].filter));
  EXPECT_NE(a.tensor(a.ops()[0].filter), c.tensor(c.ops()[0].filter));
}

TEST(ModelGraphs, ActivationsStayOrderOne) {
  // Random weights with He/LeCun scales must keep every intermediate O(1) through the depth
  // (neither vanishing nor saturating), or the accuracy checks would mean little.
  for (const Case& c : cases()) {
    const Graph g = c.build(c.options);
    const auto v = reference_run(g, pqnn_models::random_input(g, 7));
    for (const Op& op : g.ops()) {
      if (op.kind == OpKind::softmax) continue;
      const std::vector<float>& y = v[op.output];
      double sq = 0.0;
      for (float f : y) sq += double(f) * f;
      const double rms = std::sqrt(sq / double(y.size()));
      EXPECT_GT(rms, 0.05) << c.name << " value " << op.output;
      EXPECT_LT(rms, 6.0) << c.name << " value " << op.output;
    }
  }
}

TEST(ModelRuntime, F32MatchesReference) {
  for (const Case& c : cases()) {
    const Graph g = c.build(c.options);
    const std::vector<float> x = pqnn_models::random_input(g, 7);
    const auto ref = reference_run(g, x);
    const auto m = run_model(g, Datatype::f32, x);
    ASSERT_TRUE(m) << c.name;
    EXPECT_LE(pqnn_models::max_relative_error(m->probe(), ref[g.probe_value()]), 1e-5) << c.name;
    EXPECT_LE(pqnn_models::max_relative_error(m->output(), ref[g.output_value()]), 1e-5) << c.name;
    EXPECT_GE(pqnn_models::cosine_similarity(m->probe(), ref[g.probe_value()]), 0.999999) << c.name;
  }
}

TEST(ModelRuntime, ClampNodesFuseAndGiveTheSameResult) {
  ModelOptions o = small_mobilenet();
  const Graph bounded = pqnn_models::build_mobilenet_v2(o);
  o.clamp_nodes = true;
  const Graph clamped = pqnn_models::build_mobilenet_v2(o);
  ASSERT_GT(count_ops(clamped, OpKind::clamp), 0u);
  const std::vector<float> x = pqnn_models::random_input(bounded, 3);
  const auto a = run_model(bounded, Datatype::f32, x);
  const auto b = run_model(clamped, Datatype::f32, x);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->probe(), b->probe());
  const auto nodes = b->nodes();
  size_t fused = 0;
  for (const auto& n : nodes) {
    EXPECT_NE(n.type, pqnn_node_type_clamp);
    fused += n.fused_clamp;
  }
  EXPECT_EQ(fused, count_ops(clamped, OpKind::clamp));
}

pqnn_node_type node_type(OpKind kind) {
  switch (kind) {
    case OpKind::convolution: return pqnn_node_type_convolution_2d;
    case OpKind::depthwise_convolution: return pqnn_node_type_depthwise_convolution_2d;
    case OpKind::fully_connected: return pqnn_node_type_fully_connected;
    case OpKind::add: return pqnn_node_type_add2;
    case OpKind::clamp: return pqnn_node_type_clamp;
    case OpKind::gelu: return pqnn_node_type_gelu;
    case OpKind::global_average_pooling: return pqnn_node_type_global_average_pooling_2d;
    case OpKind::softmax: return pqnn_node_type_softmax;
  }
  return pqnn_node_type_invalid;
}

// Runs every case in `dt` and in f32 on the same input: the probe and the output must have
// a cosine similarity of at least `min_cosine` with f32, and every op of `kinds` must have
// run in `compute` according to the planner's report.
void check_against_f32(Datatype dt, double min_cosine, pqnn_datatype compute,
    const std::vector<OpKind>& kinds, size_t min_reduction = 0) {
  for (const Case& c : cases()) {
    const Graph g = c.build(c.options);
    const std::vector<float> x = pqnn_models::random_input(g, 7);
    pqnn_models::Calibration cal;
    if (dt == Datatype::qs8) {
      ASSERT_EQ(pqnn_models::calibrate(g, x, &cal), pqnn_status_success) << c.name;
    }
    const auto f = run_model(g, Datatype::f32, x);
    const auto m = run_model(g, dt, x, nullptr, &cal);
    ASSERT_TRUE(f && m) << c.name;
    EXPECT_GE(pqnn_models::cosine_similarity(m->probe(), f->probe()), min_cosine) << c.name;
    EXPECT_GE(pqnn_models::cosine_similarity(m->output(), f->output()), min_cosine) << c.name;
    const auto nodes = m->nodes();
    // Where the CPU's qd8 tier takes convolutions of any reduction (decision
    // quantized_small_conv, runtime-passes.c), every convolution but the stem is quantized.
    const bool small_convs = std::any_of(nodes.begin(), nodes.end(), [](const auto& n) {
      return n.qd8_decision == pqnn_qd8_decision_quantized_small_conv;
    });
    // Residual adds fused into the convolution before them (fused_add) and GELUs fused into
    // the fully connected node before them (fused_activation) are no nodes; they run in the
    // node's datatype.
    size_t fused_adds = 0, fused_gelus = 0;
    for (const auto& n : nodes) {
      fused_adds += n.fused_add;
      fused_gelus += n.compute_datatype == compute &&
          std::string(n.fused_activation_name) == "gelu";
    }
    for (OpKind kind : kinds) {
      const bool non_stems = kind == OpKind::convolution && small_convs;
      EXPECT_EQ(count_nodes(nodes, node_type(kind), compute) +
              (kind == OpKind::add ? fused_adds : 0) + (kind == OpKind::gelu ? fused_gelus : 0),
          count_ops(g, kind, min_reduction, non_stems))
          << c.name << ": " << pqnn_models::describe_nodes(nodes);
    }
  }
}

TEST(ModelRuntime, Qd8CloseToF32AndQuantizesEveryLargeFcAndConv) {
  check_against_f32(Datatype::qd8, 0.999, pqnn_datatype_qdint8,
      {OpKind::convolution, OpKind::fully_connected}, kQd8MinReduction);
  for (const Case& c : cases()) {  // the pass has something to do in every model
    const Graph g = c.build(c.options);
    EXPECT_GT(count_ops(g, OpKind::convolution, kQd8MinReduction) +
                  count_ops(g, OpKind::fully_connected, kQd8MinReduction), 0u) << c.name;
  }
}

TEST(ModelRuntime, F16CloseToF32AndRunsInF16) {
  check_against_f32(Datatype::f16, 0.9999, pqnn_datatype_fp16,
      {OpKind::convolution, OpKind::depthwise_convolution, OpKind::fully_connected, OpKind::add,
          OpKind::gelu, OpKind::global_average_pooling, OpKind::softmax});
}

TEST(ModelRuntime, Qs8CalibratedCloseToF32AndRunsInInt8) {
  // qs8: static int8 activations with scales from a calibration run of the f32 graph on the
  // same input; GELU and softmax have no int8 form and run in f32 between converts. No
  // accuracy target for qs8 (per-tensor activation scales); measured 0.9992-0.9999 here.
  check_against_f32(Datatype::qs8, 0.998, pqnn_datatype_qint8,
      {OpKind::convolution, OpKind::depthwise_convolution, OpKind::fully_connected, OpKind::add,
          OpKind::global_average_pooling});
}

TEST(ModelRuntime, TwoThreadsGiveTheSameResult) {
  pthreadpool_t pool = pqnn_test::create_pool(2);
  ASSERT_TRUE(pool != nullptr || !pqnn_test::kHavePools);
  for (const Case& c : cases()) {
    if (std::string(c.name) == "mobilenet_v1" || std::string(c.name) == "transformer_mlp_b1") {
      continue;  // v2 and the batch-8 MLP cover every node type
    }
    const Graph g = c.build(c.options);
    const std::vector<float> x = pqnn_models::random_input(g, 5);
    for (Datatype dt : {Datatype::f32, Datatype::qd8}) {
      const auto one = run_model(g, dt, x);
      const auto two = run_model(g, dt, x, pool);
      ASSERT_TRUE(one && two) << c.name;
      EXPECT_EQ(one->probe(), two->probe()) << c.name << " " << pqnn_models::datatype_name(dt);
    }
  }
  pqnn_test::destroy_pool(pool);
}

TEST(ModelRuntime, CalibrationObservesEveryValue) {
  const Graph g = pqnn_models::build_transformer_mlp(small_mlp(4));
  const std::vector<float> x = pqnn_models::random_input(g, 9);
  const auto ref = reference_run(g, x);
  pqnn_models::Calibration cal;
  ASSERT_EQ(pqnn_models::calibrate(g, x, &cal), pqnn_status_success);
  ASSERT_EQ(cal.min.size(), g.values().size());
  for (size_t v = 0; v < g.values().size(); v++) {
    const auto mm = std::minmax_element(ref[v].begin(), ref[v].end());
    EXPECT_NEAR(cal.min[v], *mm.first, 1e-4f * (1.0f + std::fabs(*mm.first))) << v;
    EXPECT_NEAR(cal.max[v], *mm.second, 1e-4f * (1.0f + std::fabs(*mm.second))) << v;
  }
}

}  // namespace
