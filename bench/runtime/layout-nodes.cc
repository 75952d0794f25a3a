// Data-movement nodes (src/runtime/nodes/) through a one-node runtime, one thread, on the
// sizes of the PaddleOCR detector at 640x640: the boundary transpose of the NCHW input
// (1x3x640x640 -> NHWC), NCHW <-> NHWC of a 1x96x160x160 feature map, a 5-D transpose that
// takes the generic strided path, the FPN concat of four 1x160x160x24 maps along channels,
// a x2 nearest resize of 1x80x80x96 and a bilinear one, a x8 nearest one of 1x20x20x24, a
// constant pad of 1x160x160x24; det's FPN head (three maps resized to 160x160 and a fourth,
// concatenated) with the resizes folded into the concat and not (keep_values); that head with
// its 3x3 96 -> 24 convolution reading the concat's parts or the written concat; select
// (ONNX Where) over three 1x160x160x24 maps, and with a per-channel [24] condition and a
// scalar [1] second input (broadcast: the map read in place, the condition and the scalar
// expanded into buffers once per run, 42 rows of 24 a kernel call); every
// input is 0.5 (the kernels are branch-free: the condition values do not change the time).
// "reference/nchw-to-nhwc" times the plain C loop the ONNX importer used before the
// transpose node (per channel, per pixel: strided writes) on the 1x96x160x160 map, for the
// ratio. Reports GB/s of bytes read + written per CPU second (one thread: robust to a loaded
// machine).
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstring>
#include <functional>
#include <numeric>
#include <vector>

#include <pqnn.h>

namespace {

using Dims = std::vector<size_t>;
size_t count(const Dims& d) {
  return std::accumulate(d.begin(), d.end(), size_t{1}, std::multiplies<size_t>());
}

// Builds in -> node -> out (inputs: one or more of xd), runs it per iteration. keep_values:
// the runtime option (every value stored: no resize folds into its concat).
void run(benchmark::State& state, const std::vector<Dims>& xds, const Dims& yd,
    const std::function<pqnn_status(pqnn_subgraph_t, const std::vector<uint32_t>&, uint32_t)>& define,
    bool keep_values = false) {
  if (pqnn_initialize() != pqnn_status_success) {
    state.SkipWithError("pqnn_initialize failed");
    return;
  }
  pqnn_subgraph_t sg = nullptr;
  pqnn_create_subgraph(uint32_t(xds.size() + 1), 0, &sg);
  std::vector<uint32_t> ins;
  std::vector<std::vector<float>> xs;
  std::vector<pqnn_external_value> ext;
  for (size_t k = 0; k < xds.size(); k++) {
    uint32_t id;
    pqnn_define_tensor_value(sg, pqnn_datatype_fp32, xds[k].size(), xds[k].data(), nullptr,
        uint32_t(k), PQNN_VALUE_FLAG_EXTERNAL_INPUT, &id);
    ins.push_back(id);
    xs.emplace_back(count(xds[k]), 0.5f);
  }
  uint32_t out;
  pqnn_define_tensor_value(sg, pqnn_datatype_fp32, yd.size(), yd.data(), nullptr,
      uint32_t(xds.size()), PQNN_VALUE_FLAG_EXTERNAL_OUTPUT, &out);
  const pqnn_status s = define(sg, ins, out);
  pqnn_runtime_t rt = nullptr;
  pqnn_runtime_options options = {};
  options.keep_values = keep_values ? 1 : 0;
  if (s != pqnn_status_success ||
      pqnn_create_runtime_with_options(sg, nullptr, 0, &options, &rt) != pqnn_status_success) {
    state.SkipWithError("define or create failed");
    pqnn_delete_subgraph(sg);
    return;
  }
  std::vector<float> y(count(yd));
  for (size_t k = 0; k < xds.size(); k++) ext.push_back({uint32_t(k), xs[k].data()});
  ext.push_back({uint32_t(xds.size()), y.data()});
  pqnn_setup_runtime(rt, ext.size(), ext.data());
  for (auto _ : state) {
    pqnn_invoke_runtime(rt);
    benchmark::DoNotOptimize(y.data());
  }
  size_t bytes = count(yd) * sizeof(float);
  for (const Dims& d : xds) bytes += count(d) * sizeof(float);
  state.counters["GB/s"] = benchmark::Counter(double(bytes) * state.iterations() / 1e9,
      benchmark::Counter::kIsRate);
  pqnn_delete_runtime(rt);
  pqnn_delete_subgraph(sg);
}

void transpose(benchmark::State& state, Dims xd, Dims perm) {
  Dims yd(xd.size());
  for (size_t k = 0; k < xd.size(); k++) yd[k] = xd[perm[k]];
  run(state, {xd}, yd, [&](pqnn_subgraph_t sg, const std::vector<uint32_t>& in, uint32_t out) {
    return pqnn_define_static_transpose(sg, perm.size(), perm.data(), in[0], out, 0);
  });
}

void BM_input_nchw_to_nhwc(benchmark::State& s) { transpose(s, {1, 3, 640, 640}, {0, 2, 3, 1}); }
void BM_map_nchw_to_nhwc(benchmark::State& s) { transpose(s, {1, 96, 160, 160}, {0, 2, 3, 1}); }
void BM_map_nhwc_to_nchw(benchmark::State& s) { transpose(s, {1, 160, 160, 96}, {0, 3, 1, 2}); }
void BM_generic_5d(benchmark::State& s) { transpose(s, {4, 24, 20, 16, 12}, {3, 1, 4, 0, 2}); }

void BM_concat_fpn(benchmark::State& state) {
  const Dims part = {1, 160, 160, 24};
  run(state, {part, part, part, part}, {1, 160, 160, 96},
      [](pqnn_subgraph_t sg, const std::vector<uint32_t>& in, uint32_t out) {
        return pqnn_define_concatenate(sg, 3, in.size(), in.data(), out, 0);
      });
}

// det's FPN head: 20x20, 40x40 and 80x80 maps of 24 channels resized (nearest) to 160x160
// and concatenated with a 160x160x24 one; folded: the concat runs the resizes.
void concat_resized(benchmark::State& state, bool folded) {
  run(state, {{1, 20, 20, 24}, {1, 40, 40, 24}, {1, 80, 80, 24}, {1, 160, 160, 24}},
      {1, 160, 160, 96},
      [](pqnn_subgraph_t sg, const std::vector<uint32_t>& in, uint32_t out) {
        std::vector<uint32_t> parts;
        for (size_t k = 0; k < 3; k++) {
          const size_t dims[4] = {1, 160, 160, 24};
          uint32_t id;
          pqnn_define_tensor_value(sg, pqnn_datatype_fp32, 4, dims, nullptr,
              PQNN_INVALID_VALUE_ID, 0, &id);
          pqnn_resize_params p = {};
          p.mode = pqnn_resize_nearest;
          p.coordinates = pqnn_resize_asymmetric;
          p.rounding = pqnn_resize_floor;
          p.height_scale = p.width_scale = float(8 >> k);
          const pqnn_status s = pqnn_define_static_resize_2d(sg, &p, in[k], id, 0);
          if (s != pqnn_status_success) return s;
          parts.push_back(id);
        }
        parts.push_back(in[3]);
        return pqnn_define_concatenate(sg, 3, parts.size(), parts.data(), out, 0);
      }, !folded);
}
void BM_concat_resized_folded(benchmark::State& s) { concat_resized(s, true); }
void BM_concat_resized_unfolded(benchmark::State& s) { concat_resized(s, false); }

// det's head with its 3x3 96 -> 24 convolution (ReLU; Winograd) after the concat: the
// convolution reads the concat's parts (runtime-pass-concat-input.c), or the concat is
// written (it is also an external output, as the unfused graph writes it) and read back.
void concat_conv(benchmark::State& state, bool parts) {
  if (pqnn_initialize() != pqnn_status_success) {
    state.SkipWithError("pqnn_initialize failed");
    return;
  }
  const Dims xds[4] = {{1, 20, 20, 24}, {1, 40, 40, 24}, {1, 80, 80, 24}, {1, 160, 160, 24}};
  const Dims cat_dims = {1, 160, 160, 96}, yd = {1, 160, 160, 24};
  pqnn_subgraph_t sg = nullptr;
  pqnn_create_subgraph(6, 0, &sg);
  std::vector<std::vector<float>> xs;
  std::vector<uint32_t> cat_parts;
  auto value = [&](const Dims& d, const void* data, uint32_t external, uint32_t flags) {
    uint32_t id = PQNN_INVALID_VALUE_ID;
    pqnn_define_tensor_value(sg, pqnn_datatype_fp32, d.size(), d.data(), data, external, flags,
        &id);
    return id;
  };
  pqnn_status s = pqnn_status_success;
  for (uint32_t k = 0; k < 4; k++) {
    xs.emplace_back(count(xds[k]));
    for (size_t i = 0; i < xs[k].size(); i++) xs[k][i] = float((i * 7 + k) % 13) * 0.1f - 0.6f;
    const uint32_t in = value(xds[k], nullptr, k, PQNN_VALUE_FLAG_EXTERNAL_INPUT);
    if (k == 3) {
      cat_parts.push_back(in);
      continue;
    }
    const uint32_t up = value({1, 160, 160, 24}, nullptr, PQNN_INVALID_VALUE_ID, 0);
    pqnn_resize_params p = {};
    p.mode = pqnn_resize_nearest;
    p.coordinates = pqnn_resize_asymmetric;
    p.rounding = pqnn_resize_floor;
    p.height_scale = p.width_scale = float(8 >> k);
    if (s == pqnn_status_success) s = pqnn_define_static_resize_2d(sg, &p, in, up, 0);
    cat_parts.push_back(up);
  }
  const uint32_t cat = parts ? value(cat_dims, nullptr, PQNN_INVALID_VALUE_ID, 0)
                             : value(cat_dims, nullptr, 5, PQNN_VALUE_FLAG_EXTERNAL_OUTPUT);
  if (s == pqnn_status_success) {
    s = pqnn_define_concatenate(sg, 3, cat_parts.size(), cat_parts.data(), cat, 0);
  }
  std::vector<float> w(24 * 9 * 96), b(24);
  for (size_t i = 0; i < w.size(); i++) w[i] = float(i % 17) * 0.01f - 0.08f;
  for (size_t i = 0; i < b.size(); i++) b[i] = float(i) * 0.01f;
  const uint32_t y = value(yd, nullptr, 4, PQNN_VALUE_FLAG_EXTERNAL_OUTPUT);
  if (s == pqnn_status_success) {
    s = pqnn_define_convolution_2d(sg, 1, 1, 1, 1, 3, 3, 1, 1, 1, 1, 1, 96, 24, 0.0f, INFINITY,
        cat, value({24, 3, 3, 96}, w.data(), PQNN_INVALID_VALUE_ID, 0),
        value({24}, b.data(), PQNN_INVALID_VALUE_ID, 0), y, 0);
  }
  pqnn_runtime_t rt = nullptr;
  if (s != pqnn_status_success || pqnn_create_runtime(sg, nullptr, 0, &rt) != pqnn_status_success) {
    state.SkipWithError("define or create failed");
    pqnn_delete_subgraph(sg);
    return;
  }
  std::vector<float> out(count(yd)), cat_out(count(cat_dims));
  std::vector<pqnn_external_value> ext = {{0, xs[0].data()}, {1, xs[1].data()},
      {2, xs[2].data()}, {3, xs[3].data()}, {4, out.data()}};
  if (!parts) ext.push_back({5, cat_out.data()});
  pqnn_setup_runtime(rt, ext.size(), ext.data());
  for (auto _ : state) {
    pqnn_invoke_runtime(rt);
    benchmark::DoNotOptimize(out.data());
  }
  pqnn_delete_runtime(rt);
  pqnn_delete_subgraph(sg);
}
void BM_concat_conv_parts(benchmark::State& s) { concat_conv(s, true); }
void BM_concat_conv_written(benchmark::State& s) { concat_conv(s, false); }

void resize(benchmark::State& state, pqnn_resize_mode mode, size_t scale, size_t c) {
  pqnn_resize_params p = {};
  p.mode = mode;
  p.coordinates = pqnn_resize_asymmetric;
  p.rounding = pqnn_resize_floor;
  p.height_scale = p.width_scale = float(scale);
  run(state, {{1, 160 / scale, 160 / scale, c}}, {1, 160, 160, c},
      [&](pqnn_subgraph_t sg, const std::vector<uint32_t>& in, uint32_t out) {
        return pqnn_define_static_resize_2d(sg, &p, in[0], out, 0);
      });
}
void BM_resize_nearest_x2(benchmark::State& s) { resize(s, pqnn_resize_nearest, 2, 96); }
void BM_resize_nearest_x8(benchmark::State& s) { resize(s, pqnn_resize_nearest, 8, 24); }
void BM_resize_bilinear_x2(benchmark::State& s) { resize(s, pqnn_resize_bilinear, 2, 96); }

void select_node(benchmark::State& state, const Dims& cd, const Dims& ad, const Dims& bd) {
  run(state, {cd, ad, bd}, {1, 160, 160, 24},
      [&](pqnn_subgraph_t sg, const std::vector<uint32_t>& in, uint32_t out) {
        return pqnn_define_select(sg, in[0], in[1], in[2], out, 0);
      });
}
void BM_select_full(benchmark::State& s) {
  select_node(s, {1, 160, 160, 24}, {1, 160, 160, 24}, {1, 160, 160, 24});
}
void BM_select_broadcast(benchmark::State& s) { select_node(s, {24}, {1, 160, 160, 24}, {1}); }

void BM_pad(benchmark::State& state) {
  const size_t pre[4] = {0, 1, 1, 0}, post[4] = {0, 1, 1, 0};
  run(state, {{1, 160, 160, 24}}, {1, 162, 162, 24},
      [&](pqnn_subgraph_t sg, const std::vector<uint32_t>& in, uint32_t out) {
        return pqnn_define_static_constant_pad(sg, 4, pre, post, 0.0f, in[0], out, 0);
      });
}

// The importer's former boundary loop, for the ratio.
void BM_reference_nchw_to_nhwc(benchmark::State& state) {
  const size_t c = 96, s = 160 * 160;
  std::vector<float> x(c * s, 0.5f), y(c * s);
  for (auto _ : state) {
    for (size_t ch = 0; ch < c; ch++) {
      for (size_t q = 0; q < s; q++) y[q * c + ch] = x[ch * s + q];
    }
    benchmark::DoNotOptimize(y.data());
  }
  state.counters["GB/s"] = benchmark::Counter(2.0 * c * s * sizeof(float) * state.iterations() / 1e9,
      benchmark::Counter::kIsRate);
}

BENCHMARK(BM_input_nchw_to_nhwc)->Name("transpose/input-1x3x640x640-to-nhwc")->MeasureProcessCPUTime();
BENCHMARK(BM_map_nchw_to_nhwc)->Name("transpose/1x96x160x160-to-nhwc")->MeasureProcessCPUTime();
BENCHMARK(BM_reference_nchw_to_nhwc)->Name("reference/nchw-to-nhwc-1x96x160x160")->MeasureProcessCPUTime();
BENCHMARK(BM_map_nhwc_to_nchw)->Name("transpose/1x160x160x96-to-nchw")->MeasureProcessCPUTime();
BENCHMARK(BM_generic_5d)->Name("transpose/generic-5d")->MeasureProcessCPUTime();
BENCHMARK(BM_concat_fpn)->Name("concat/4x1x160x160x24")->MeasureProcessCPUTime();
BENCHMARK(BM_concat_resized_folded)->Name("concat/fpn-resized-folded")->MeasureProcessCPUTime();
BENCHMARK(BM_concat_resized_unfolded)->Name("concat/fpn-resized-unfolded")->MeasureProcessCPUTime();
BENCHMARK(BM_concat_conv_parts)->Name("concat-conv/fpn-head-parts")->MeasureProcessCPUTime();
BENCHMARK(BM_concat_conv_written)->Name("concat-conv/fpn-head-written")->MeasureProcessCPUTime();
BENCHMARK(BM_resize_nearest_x2)->Name("resize/nearest-x2-80x80x96")->MeasureProcessCPUTime();
BENCHMARK(BM_resize_nearest_x8)->Name("resize/nearest-x8-20x20x24")->MeasureProcessCPUTime();
BENCHMARK(BM_resize_bilinear_x2)->Name("resize/bilinear-x2-80x80x96")->MeasureProcessCPUTime();
BENCHMARK(BM_pad)->Name("pad/1x160x160x24")->MeasureProcessCPUTime();
BENCHMARK(BM_select_full)->Name("select/3x1x160x160x24")->MeasureProcessCPUTime();
BENCHMARK(BM_select_broadcast)->Name("select/c24-x1x160x160x24-scalar")->MeasureProcessCPUTime();

}  // namespace
