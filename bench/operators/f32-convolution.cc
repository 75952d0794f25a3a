// f32 2D convolution operator on MobileNet v1/v2 and ResNet-50 layer shapes: time of
// pqnn_run_operator, GFLOP/s and % of the measured FMA peak (per thread). f32_conv3x3: the
// dense 3x3 stride-1 layers of PaddleOCR det and ResNet, and few channels (the Winograd
// rule's edge), the default path (Winograd when the rule takes it) next to
// PQNN_FLAG_NO_WINOGRAD (IGEMM), GFLOP/s of the direct convolution's multiply-adds.
#include <benchmark/benchmark.h>

#include <cmath>
#include <string>
#include <vector>

#include <pqnn.h>

#include "common/bench-utils.h"
#include "common/model-shapes.h"

namespace {

void f32_convolution(benchmark::State& state, const pqnn_bench::ConvShape& s,
    pthreadpool_t pool, uint32_t flags = 0) {
  if (pqnn_initialize() != pqnn_status_success) {
    state.SkipWithError("pqnn_initialize failed");
    return;
  }
  const size_t ic = s.groups * s.group_input_channels, oc = s.groups * s.group_output_channels;
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> input(s.height * s.width * ic);
  std::vector<float> kernel(oc * s.kernel * s.kernel * s.group_input_channels);
  std::vector<float> bias(oc);
  std::vector<float> output(s.output_height() * s.output_width() * oc);
  for (auto& v : input) v = dist(pqnn_bench::rng());
  for (auto& v : kernel) v = dist(pqnn_bench::rng());
  for (auto& v : bias) v = dist(pqnn_bench::rng());
  pqnn_operator_t op = nullptr;
  if (pqnn_create_convolution2d_nhwc_f32(s.padding, s.padding, s.padding, s.padding, s.kernel,
          s.kernel, s.stride, s.stride, 1, 1, s.groups, s.group_input_channels,
          s.group_output_channels, ic, oc, kernel.data(), bias.data(), 0.0f, 6.0f,
          flags | (s.depthwise ? PQNN_FLAG_DEPTHWISE_CONVOLUTION : 0), &op) != pqnn_status_success ||
      pqnn_reshape_convolution2d_nhwc_f32(op, 1, s.height, s.width, nullptr, nullptr, pool) !=
          pqnn_status_success ||
      pqnn_setup_convolution2d_nhwc_f32(op, input.data(), output.data()) != pqnn_status_success) {
    state.SkipWithError("operator creation failed");
    pqnn_delete_operator(op);
    return;
  }
  pqnn_bench::LoopTimer timer;
  for (auto _ : state) {
    pqnn_run_operator(op, pool);
    benchmark::ClobberMemory();
  }
  const double seconds = timer.seconds();
  const size_t threads = pool == nullptr ? 1 : pthreadpool_get_threads_count(pool);
  pqnn_bench::report_flops(state, s.flops(), seconds, pqnn_bench::measured_f32_fma_peak_gflops() * double(threads));
  state.SetLabel(pqnn_isa_name());
  pqnn_delete_operator(op);
}

const bool registered = [] {
  pqnn_bench::register_conv_benchmarks("f32_convolution",
      [](benchmark::State& state, const pqnn_bench::ConvShape& s, pthreadpool_t pool) {
        f32_convolution(state, s, pool);
      });

  for (const pqnn_bench::ConvShape& shape : pqnn_bench::dense3x3_shapes()) {
    for (uint32_t flags : {PQNN_FLAG_NO_WINOGRAD, 0u}) {
      const std::string name = std::string("f32_conv3x3/") + shape.name +
          (flags != 0 ? "/no_winograd" : "/default");
      benchmark::RegisterBenchmark(name.c_str(), [shape, flags](benchmark::State& state) {
        f32_convolution(state, shape, nullptr, flags);
      })->Unit(benchmark::kMicrosecond)->UseRealTime();
    }
  }
  return true;
}();

}  // namespace
