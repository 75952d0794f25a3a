// Residual add fusion (runtime-passes.c): one block x -> 1x1 conv (C -> C) = B -> producer
// = A -> add(A, B) -> y through the runtime, f32, one thread, with the add fused into the
// producer (/1) and as a node of its own (/0, the runtime option no_residual_fusion), side
// by side. Producers: a 1x1 convolution (GEMM path) and a per-channel scale (the
// x * se(x) of a squeeze-excite residual, a binary node), on PaddleOCR det's largest map
// (160x160x96) and a MobileNet v2 block output (56x56x24). CPU time (one thread: robust to
// a loaded machine); the stem conv is in both variants. FpnStep: PaddleOCR det's neck step
// at 160x160x96, clamp(x_in) = x -> x * s + x = t, lo (80x80x96) -> nearest x2 = up,
// add(up, t) -> y: /0 five nodes, /1 what the planner fuses (the top-down add into the
// resize, or with runtime-pass-upsample.c the resize and its add into the multiply).
#include <benchmark/benchmark.h>

#include <cmath>
#include <vector>

#include <pqnn.h>

namespace {

enum Producer { kConv1x1 = 0, kScale = 1 };

void Block(benchmark::State& state, size_t h, size_t w, size_t c, Producer producer) {
  const bool fuse = state.range(0) != 0;
  if (pqnn_initialize() != pqnn_status_success) {
    state.SkipWithError("pqnn_initialize failed");
    return;
  }
  pqnn_subgraph_t sg = nullptr;
  pqnn_create_subgraph(2, 0, &sg);
  const std::vector<size_t> dims = {1, h, w, c};
  const std::vector<size_t> wdims = {c, 1, 1, c}, sdims = {1, 1, 1, c};
  std::vector<float> w0(c * c, 0.01f), w1(c * c, -0.02f), s(c, 0.5f);
  std::vector<float> x(h * w * c, 0.25f), y(h * w * c);
  uint32_t xid, yid, bid, aid, w0id, w1id, sid;
  pqnn_define_tensor_value(sg, pqnn_datatype_fp32, 4, dims.data(), nullptr, 0,
      PQNN_VALUE_FLAG_EXTERNAL_INPUT, &xid);
  pqnn_define_tensor_value(sg, pqnn_datatype_fp32, 4, dims.data(), nullptr, 1,
      PQNN_VALUE_FLAG_EXTERNAL_OUTPUT, &yid);
  pqnn_define_tensor_value(sg, pqnn_datatype_fp32, 4, dims.data(), nullptr,
      PQNN_INVALID_VALUE_ID, 0, &bid);
  pqnn_define_tensor_value(sg, pqnn_datatype_fp32, 4, dims.data(), nullptr,
      PQNN_INVALID_VALUE_ID, 0, &aid);
  pqnn_define_tensor_value(sg, pqnn_datatype_fp32, 4, wdims.data(), w0.data(),
      PQNN_INVALID_VALUE_ID, 0, &w0id);
  pqnn_define_tensor_value(sg, pqnn_datatype_fp32, 4, wdims.data(), w1.data(),
      PQNN_INVALID_VALUE_ID, 0, &w1id);
  pqnn_define_tensor_value(sg, pqnn_datatype_fp32, 4, sdims.data(), s.data(),
      PQNN_INVALID_VALUE_ID, 0, &sid);
  pqnn_status st = pqnn_define_convolution_2d(sg, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, c, c,
      -INFINITY, INFINITY, xid, w0id, PQNN_INVALID_VALUE_ID, bid, 0);
  if (st == pqnn_status_success) {
    st = producer == kConv1x1
        ? pqnn_define_convolution_2d(sg, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, c, c, -INFINITY,
              INFINITY, bid, w1id, PQNN_INVALID_VALUE_ID, aid, 0)
        : pqnn_define_binary(sg, pqnn_binary_multiply, -INFINITY, INFINITY, bid, sid, aid, 0);
  }
  if (st == pqnn_status_success) {
    st = pqnn_define_add2(sg, -INFINITY, INFINITY, aid, bid, yid, 0);
  }
  pqnn_runtime_options options = {};
  options.no_residual_fusion = fuse ? 0 : 1;
  pqnn_runtime_t rt = nullptr;
  if (st != pqnn_status_success ||
      pqnn_create_runtime_with_options(sg, nullptr, 0, &options, &rt) != pqnn_status_success) {
    state.SkipWithError("define or create failed");
    pqnn_delete_subgraph(sg);
    return;
  }
  const pqnn_external_value ext[2] = {{0, x.data()}, {1, y.data()}};
  pqnn_setup_runtime(rt, 2, ext);
  size_t nodes = 0;
  pqnn_get_runtime_node_count(rt, &nodes);
  for (auto _ : state) {
    pqnn_invoke_runtime(rt);
    benchmark::DoNotOptimize(y.data());
  }
  state.counters["nodes"] = double(nodes);
  pqnn_delete_runtime(rt);
  pqnn_delete_subgraph(sg);
}

// FpnStep's nodes on ids {x_in, lo, out, x, xs, t, up, s}: clamp(x_in) = x, x * s = xs,
// xs + x = t, nearest x2 of lo = up, up + t = out.
pqnn_status DefineFpnStep(pqnn_subgraph_t sg, const uint32_t* ids) {
  pqnn_resize_params rp = {};
  rp.mode = pqnn_resize_nearest;
  rp.coordinates = pqnn_resize_asymmetric;
  rp.rounding = pqnn_resize_floor;
  rp.height_scale = rp.width_scale = 2.0f;
  pqnn_status st = pqnn_define_clamp(sg, -8.0f, 8.0f, ids[0], ids[3], 0);
  if (st == pqnn_status_success) {
    st = pqnn_define_binary(sg, pqnn_binary_multiply, -INFINITY, INFINITY, ids[3], ids[7],
        ids[4], 0);
  }
  if (st == pqnn_status_success) {
    st = pqnn_define_add2(sg, -INFINITY, INFINITY, ids[4], ids[3], ids[5], 0);
  }
  if (st == pqnn_status_success) st = pqnn_define_static_resize_2d(sg, &rp, ids[1], ids[6], 0);
  if (st == pqnn_status_success) {
    st = pqnn_define_add2(sg, -INFINITY, INFINITY, ids[6], ids[5], ids[2], 0);
  }
  return st;
}

// Creates the runtime of sg (deleted here) with `options`, binds externals 0 (x_in), 1
// (lo), 2 (y) and times its runs; `stepped`: the count of convolutions that must run the
// multiply in their input (node info fused_scaled_input), or -1 for any.
void RunFpnGraph(benchmark::State& state, pqnn_subgraph_t sg, pqnn_status st,
    const pqnn_runtime_options& options, float* x, float* lo, float* y, int stepped) {
  pqnn_runtime_t rt = nullptr;
  if (st != pqnn_status_success ||
      pqnn_create_runtime_with_options(sg, nullptr, 0, &options, &rt) != pqnn_status_success) {
    state.SkipWithError("define or create failed");
    pqnn_delete_subgraph(sg);
    return;
  }
  const pqnn_external_value ext[3] = {{0, x}, {1, lo}, {2, y}};
  pqnn_setup_runtime(rt, 3, ext);
  size_t nodes = 0;
  int steps = 0;
  pqnn_get_runtime_node_count(rt, &nodes);
  for (size_t i = 0; i < nodes; i++) {
    pqnn_runtime_node_info info = {};
    if (pqnn_get_runtime_node_info(rt, i, &info) == pqnn_status_success) {
      steps += int(info.fused_scaled_input);
    }
  }
  if (stepped >= 0 && steps != stepped) {
    state.SkipWithError("the multiply was not planned as asked");
  }
  for (auto _ : state) {
    pqnn_invoke_runtime(rt);
    benchmark::DoNotOptimize(y);
  }
  state.counters["nodes"] = double(nodes);
  pqnn_delete_runtime(rt);
  pqnn_delete_subgraph(sg);
}

// The FPN benches' subgraph: pqnn initialized, 3 external values (x_in, lo, y); null after
// a skip.
pqnn_subgraph_t NewFpnSubgraph(benchmark::State& state) {
  pqnn_subgraph_t sg = nullptr;
  if (pqnn_initialize() != pqnn_status_success ||
      pqnn_create_subgraph(3, 0, &sg) != pqnn_status_success) {
    state.SkipWithError("pqnn_initialize / pqnn_create_subgraph failed");
    return nullptr;
  }
  return sg;
}

// Value i of an FPN graph: externals 0 (x_in) and 1 (lo) inputs, 2 (y) the output, the rest
// internal (data: static).
uint32_t DefineFpnValue(pqnn_subgraph_t sg, uint32_t i, const std::vector<size_t>& dims,
    const float* data) {
  const uint32_t ext = i < 3 ? i : PQNN_INVALID_VALUE_ID;
  const uint32_t flags = i == 0 || i == 1 ? PQNN_VALUE_FLAG_EXTERNAL_INPUT
                       : i == 2 ? PQNN_VALUE_FLAG_EXTERNAL_OUTPUT : 0;
  uint32_t id = PQNN_INVALID_VALUE_ID;
  pqnn_define_tensor_value(sg, pqnn_datatype_fp32, dims.size(), dims.data(), data, ext, flags,
      &id);
  return id;
}

void FpnStep(benchmark::State& state) {
  const bool fuse = state.range(0) != 0;
  const size_t h = 160, w = 160, c = 96;
  pqnn_subgraph_t sg = NewFpnSubgraph(state);
  if (sg == nullptr) return;
  const std::vector<size_t> dims = {1, h, w, c}, lo_dims = {1, h / 2, w / 2, c};
  const std::vector<size_t> sdims = {1, 1, 1, c};
  std::vector<float> s(c, 0.5f), x(h * w * c, 0.25f), lo(h * w * c / 4, 0.5f), y(h * w * c);
  uint32_t ids[8];  // x_in, lo, y, x, xs, t, up, s
  for (uint32_t k = 0; k < 8; k++) {
    ids[k] = DefineFpnValue(sg, k, k == 1 ? lo_dims : k == 7 ? sdims : dims,
        k == 7 ? s.data() : nullptr);
  }
  pqnn_runtime_options options = {};
  options.no_residual_fusion = fuse ? 0 : 1;
  RunFpnGraph(state, sg, DefineFpnStep(sg, ids), options, x.data(), lo.data(), y.data(), -1);
}

// FpnOutConv: FpnStep's neck step u = x * s + x + up(lo) at 160x160x96, then the output
// conv of that level, 3x3 96 -> 24 (Winograd path): /1 the multiply and its adds run in the
// conv's input transform (runtime-pass-scaled-input.c; u never written), /0 as a node of its
// own (runtime option no_scale_fusion).
void FpnOutConv(benchmark::State& state) {
  const bool fuse = state.range(0) != 0;
  const size_t h = 160, w = 160, c = 96, oc = 24;
  pqnn_subgraph_t sg = NewFpnSubgraph(state);
  if (sg == nullptr) return;
  const std::vector<size_t> dims = {1, h, w, c}, lo_dims = {1, h / 2, w / 2, c};
  const std::vector<size_t> sdims = {1, 1, 1, c}, odims = {1, h, w, oc};
  const std::vector<size_t> wdims = {oc, 3, 3, c};
  std::vector<float> s(c), x(h * w * c), lo(h * w * c / 4), y(h * w * oc), k(oc * 9 * c);
  for (size_t i = 0; i < s.size(); i++) s[i] = 0.25f + 0.5f * float(i % 7) / 7.0f;
  for (size_t i = 0; i < x.size(); i++) x[i] = float(int(i % 17) - 8) * 0.125f;
  for (size_t i = 0; i < lo.size(); i++) lo[i] = float(int(i % 13) - 6) * 0.0625f;
  for (size_t i = 0; i < k.size(); i++) k[i] = float(int(i % 11) - 5) * 0.01f;
  // x_in, lo, y (the conv's output), x, xs, t, up, s, u (the step's output), kernel
  uint32_t ids[10], step[8];
  const std::vector<size_t>* shape[9] = {&dims, &lo_dims, &odims, &dims, &dims, &dims, &dims,
      &sdims, &dims};
  for (uint32_t i = 0; i < 9; i++) {
    ids[i] = DefineFpnValue(sg, i, *shape[i], i == 7 ? s.data() : nullptr);
  }
  ids[9] = DefineFpnValue(sg, 9, wdims, k.data());
  for (uint32_t i = 0; i < 8; i++) step[i] = ids[i];
  step[2] = ids[8];
  pqnn_status st = DefineFpnStep(sg, step);
  if (st == pqnn_status_success) {
    st = pqnn_define_convolution_2d(sg, 1, 1, 1, 1, 3, 3, 1, 1, 1, 1, 1, c, oc, -INFINITY,
        INFINITY, ids[8], ids[9], PQNN_INVALID_VALUE_ID, ids[2], 0);
  }
  pqnn_runtime_options options = {};
  options.no_scale_fusion = fuse ? 0 : 1;
  RunFpnGraph(state, sg, st, options, x.data(), lo.data(), y.data(), fuse ? 1 : 0);
}

void Det160Conv1x1(benchmark::State& state) { Block(state, 160, 160, 96, kConv1x1); }
void Det160Scale(benchmark::State& state) { Block(state, 160, 160, 96, kScale); }
void Mnv2Conv1x1(benchmark::State& state) { Block(state, 56, 56, 24, kConv1x1); }

BENCHMARK(Det160Conv1x1)->ArgName("fused")->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);
BENCHMARK(Det160Scale)->ArgName("fused")->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);
BENCHMARK(FpnStep)->ArgName("fused")->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);
BENCHMARK(FpnOutConv)->ArgName("fused")->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);
BENCHMARK(Mnv2Conv1x1)->ArgName("fused")->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

}  // namespace
