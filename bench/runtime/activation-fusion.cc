// Activation fusion (runtime-pass-activation.c): x -> producer -> hardswish -> y through the
// runtime, f32, one thread, with the hardswish applied in the producer's output tiles (/1)
// and as a unary node of its own (/0, the runtime option no_activation_fusion), side by
// side. Producers: a 1x1 convolution (GEMM path), a 3x3 convolution (Winograd path) and a
// 3x3 depthwise convolution (DWCONV path) on PaddleOCR det's 160x160 and 80x80 maps, and a
// 1x1 convolution on a rec-sized map. CPU time (one thread: robust to a loaded machine).
#include <benchmark/benchmark.h>

#include <cmath>
#include <vector>

#include <pqnn.h>

namespace {

enum Producer { kConv1x1, kConv3x3, kDepthwise };

struct Values {
  pqnn_subgraph_t sg;
  uint32_t define(const std::vector<size_t>& dims, const float* data, uint32_t external,
      uint32_t flags) {
    uint32_t id = PQNN_INVALID_VALUE_ID;
    pqnn_define_tensor_value(sg, pqnn_datatype_fp32, dims.size(), dims.data(), data, external,
        flags, &id);
    return id;
  }
};

void Block(benchmark::State& state, size_t h, size_t w, size_t c, Producer producer) {
  const bool fuse = state.range(0) != 0;
  if (pqnn_initialize() != pqnn_status_success) {
    state.SkipWithError("pqnn_initialize failed");
    return;
  }
  Values v{nullptr};
  pqnn_create_subgraph(2, 0, &v.sg);
  const std::vector<size_t> dims = {1, h, w, c};
  const size_t k = producer == kConv1x1 ? 1 : 3;
  std::vector<float> weights(producer == kDepthwise ? k * k * c : c * k * k * c);
  for (size_t i = 0; i < weights.size(); i++) weights[i] = 0.01f * float(int(i % 7) - 3);
  std::vector<float> bias(c, 0.5f), x(h * w * c), y(h * w * c);
  for (size_t i = 0; i < x.size(); i++) x[i] = 0.25f * float(int(i % 11) - 5);
  const uint32_t xid = v.define(dims, nullptr, 0, PQNN_VALUE_FLAG_EXTERNAL_INPUT);
  const uint32_t yid = v.define(dims, nullptr, 1, PQNN_VALUE_FLAG_EXTERNAL_OUTPUT);
  const uint32_t aid = v.define(dims, nullptr, PQNN_INVALID_VALUE_ID, 0);
  const uint32_t bid = v.define({c}, bias.data(), PQNN_INVALID_VALUE_ID, 0);
  const uint32_t pad = k / 2;
  pqnn_status st;
  if (producer == kDepthwise) {
    st = pqnn_define_depthwise_convolution_2d(v.sg, pad, pad, pad, pad, k, k, 1, 1, 1, 1, 1,
        c, -INFINITY, INFINITY, xid, v.define({1, k, k, c}, weights.data(),
        PQNN_INVALID_VALUE_ID, 0), bid, aid, 0);
  } else {
    st = pqnn_define_convolution_2d(v.sg, pad, pad, pad, pad, k, k, 1, 1, 1, 1, 1, c, c,
        -INFINITY, INFINITY, xid, v.define({c, k, k, c}, weights.data(),
        PQNN_INVALID_VALUE_ID, 0), bid, aid, 0);
  }
  if (st == pqnn_status_success) {
    st = pqnn_define_unary(v.sg, pqnn_unary_hardswish, nullptr, aid, yid, 0);
  }
  pqnn_runtime_options options = {};
  options.no_activation_fusion = fuse ? 0 : 1;
  pqnn_runtime_t rt = nullptr;
  if (st != pqnn_status_success ||
      pqnn_create_runtime_with_options(v.sg, nullptr, 0, &options, &rt) !=
          pqnn_status_success) {
    state.SkipWithError("define or create failed");
    pqnn_delete_subgraph(v.sg);
    return;
  }
  const pqnn_external_value ext[2] = {{0, x.data()}, {1, y.data()}};
  pqnn_setup_runtime(rt, 2, ext);
  size_t nodes = 0;
  pqnn_get_runtime_node_count(rt, &nodes);
  pqnn_runtime_node_info info;
  pqnn_get_runtime_node_info(rt, 0, &info);
  state.SetLabel(info.compute_path);
  for (auto _ : state) {
    pqnn_invoke_runtime(rt);
    benchmark::DoNotOptimize(y.data());
  }
  state.counters["nodes"] = double(nodes);
  pqnn_delete_runtime(rt);
  pqnn_delete_subgraph(v.sg);
}

void Det160Conv1x1(benchmark::State& state) { Block(state, 160, 160, 96, kConv1x1); }
void Det160Depthwise(benchmark::State& state) { Block(state, 160, 160, 96, kDepthwise); }
void Det80Conv3x3(benchmark::State& state) { Block(state, 80, 80, 96, kConv3x3); }
void Rec12x80Conv1x1(benchmark::State& state) { Block(state, 12, 80, 128, kConv1x1); }

BENCHMARK(Det160Conv1x1)->ArgName("fused")->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);
BENCHMARK(Det160Depthwise)->ArgName("fused")->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);
BENCHMARK(Det80Conv3x3)->ArgName("fused")->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);
BENCHMARK(Rec12x80Conv1x1)->ArgName("fused")->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

}  // namespace
