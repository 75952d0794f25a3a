// qs8 (per-tensor) and qs8_qc8w (per-channel) 2D convolution operators on MobileNet v1/v2
// and ResNet-50 layer shapes (the f32 bench's shapes): time of pqnn_run_operator.
// "GFLOPS" counts GOP/s with one MAC = 2 ops; "%peak" is relative to the measured f32 FMA
// peak per thread (the f32 bench's reference), "%int8peak" to the measured AVX2 vpmaddwd
// int8 MAC peak (0 where AVX2 is disabled). Output clamped to a ReLU6-like range.
#include <benchmark/benchmark.h>

#include <cmath>
#include <vector>

#include <pqnn.h>

#include "common/bench-utils.h"
#include "common/int8-peak.h"
#include "common/model-shapes.h"

namespace {

void qs8_convolution(benchmark::State& state, const pqnn_bench::ConvShape& s, pthreadpool_t pool,
    bool per_channel) {
  if (pqnn_initialize() != pqnn_status_success) {
    state.SkipWithError("pqnn_initialize failed");
    return;
  }
  const size_t ic = s.groups * s.group_input_channels, oc = s.groups * s.group_output_channels;
  const size_t k = size_t(s.kernel) * s.kernel * s.group_input_channels;
  std::uniform_int_distribution<int> i8(-128, 127), w8(-127, 127), b32(-10000, 10000);
  std::uniform_real_distribution<float> ks_dist(0.5e-2f, 2e-2f);
  std::vector<int8_t> input(s.height * s.width * ic);
  std::vector<int8_t> kernel(oc * k);
  std::vector<int32_t> bias(oc);
  std::vector<float> kernel_scale(oc);
  std::vector<int8_t> output(s.output_height() * s.output_width() * oc);
  for (auto& v : input) v = int8_t(i8(pqnn_bench::rng()));
  for (auto& v : kernel) v = int8_t(w8(pqnn_bench::rng()));
  for (auto& v : bias) v = b32(pqnn_bench::rng());
  for (auto& v : kernel_scale) v = ks_dist(pqnn_bench::rng());
  const float input_scale = 0.02f;
  const float output_scale = float(input_scale * 1e-2 * std::sqrt(double(k)) * 6000.0 / 40.0);
  const uint32_t flags = s.depthwise ? PQNN_FLAG_DEPTHWISE_CONVOLUTION : 0;
  pqnn_operator_t op = nullptr;
  pqnn_status status = per_channel
      ? pqnn_create_convolution2d_nhwc_qs8_qc8w(s.padding, s.padding, s.padding, s.padding, s.kernel,
            s.kernel, s.stride, s.stride, 1, 1, s.groups, s.group_input_channels, s.group_output_channels,
            ic, oc, -128, input_scale, kernel_scale.data(), kernel.data(), bias.data(), -128, output_scale,
            -128, 100, flags, &op)
      : pqnn_create_convolution2d_nhwc_qs8(s.padding, s.padding, s.padding, s.padding, s.kernel, s.kernel,
            s.stride, s.stride, 1, 1, s.groups, s.group_input_channels, s.group_output_channels, ic, oc,
            -128, input_scale, 1e-2f, kernel.data(), bias.data(), -128, output_scale, -128, 100, flags, &op);
  if (status == pqnn_status_success) {
    status = per_channel
        ? pqnn_reshape_convolution2d_nhwc_qs8_qc8w(op, 1, s.height, s.width, nullptr, nullptr, pool)
        : pqnn_reshape_convolution2d_nhwc_qs8(op, 1, s.height, s.width, nullptr, nullptr, pool);
  }
  if (status == pqnn_status_success) {
    status = per_channel ? pqnn_setup_convolution2d_nhwc_qs8_qc8w(op, input.data(), output.data())
                         : pqnn_setup_convolution2d_nhwc_qs8(op, input.data(), output.data());
  }
  if (status != pqnn_status_success) {
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
  const double threads = double(pool == nullptr ? 1 : pthreadpool_get_threads_count(pool));
  pqnn_bench::report_flops(state, s.flops(), seconds, pqnn_bench::measured_f32_fma_peak_gflops() * threads);
  const double int8_peak = pqnn_bench::measured_vpmaddwd_avx2_peak_gops() * threads;
  if (int8_peak > 0 && seconds > 0) {
    state.counters["%int8peak"] = 100.0 * s.flops() * double(state.iterations()) / seconds / 1e9 / int8_peak;
  }
  state.SetLabel(pqnn_isa_name());
  pqnn_delete_operator(op);
}

const bool registered = [] {
  pqnn_bench::register_conv_benchmarks("qs8_convolution",
      [](benchmark::State& state, const pqnn_bench::ConvShape& s, pthreadpool_t pool) {
        qs8_convolution(state, s, pool, false);
      });
  pqnn_bench::register_conv_benchmarks("qs8_qc8w_convolution",
      [](benchmark::State& state, const pqnn_bench::ConvShape& s, pthreadpool_t pool) {
        qs8_convolution(state, s, pool, true);
      });
  return true;
}();

}  // namespace
