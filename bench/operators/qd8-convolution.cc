// qd8 x qc8w 2D convolution (NHWC, f32 output) on the shared MobileNet v1/v2 and ResNet-50
// layer shapes, timed the way an f32 model pays for it: each iteration quantizes the
// whole f32 image as one row (convert_nc_f32_qd8, channels = H*W*C, so one
// {zero_point, scale} per image, which is what the conv operator takes) and runs the qd8
// conv (IGEMM; padding reads the image's zero point). Weights are quantized once from f32
// with pqnn_quantize_weights_qc8w (depthwise layouts get random int8 weights and scales:
// their [kh][kw][C] layout is not the [oc][ic] rows that function takes). Same clamp
// [0, 6] as bench/f32-convolution; compare the CPU columns of the two for ratios.
// Single-thread rates from thread CPU time, threads:2 from the wall clock.
//   qd8_convolution_with_convert: convert + conv; GOPS, %peak (of the measured single-core
//     int8 MAC peak: vpdpbusd where present, else AVX2 vpmaddwd), convert_%.
//   qd8_convolution: the conv alone on the pre-quantized image.
//   qd8_conv3x3/<shape>: convert + conv on the dense 3x3 layers of bench/f32-convolution's
//     f32_conv3x3 (Winograd in f32), one thread: compare the CPU columns of the two.
#include <benchmark/benchmark.h>

#include <ctime>
#include <cmath>
#include <string>
#include <vector>

#include <pqnn.h>

#include "common/bench-utils.h"
#include "common/int8-peak.h"
#include "common/model-shapes.h"

namespace {

// The peak of the instruction sequence the running tier's kernels use.
double int8_peak_gops() { return pqnn_bench::measured_tier_int8_peak_gops(); }

// Thread CPU time: on the shared 2-core dev box a pinned single-thread run gets a fraction
// of its core, which wall time counts and CPU time does not.
double cpu_seconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

void qd8_convolution(benchmark::State& state, const pqnn_bench::ConvShape& s,
    pthreadpool_t pool, bool with_convert) {
  if (pqnn_initialize() != pqnn_status_success) {
    state.SkipWithError("pqnn_initialize failed");
    return;
  }
  const size_t ic = s.groups * s.group_input_channels, oc = s.groups * s.group_output_channels;
  const size_t image = s.height * s.width * ic;
  const size_t k_per_oc = size_t(s.kernel) * s.kernel * s.group_input_channels;
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> input(image);
  std::vector<float> bias(oc);
  std::vector<float> output(s.output_height() * s.output_width() * oc);
  for (auto& v : input) v = dist(pqnn_bench::rng());
  for (auto& v : bias) v = dist(pqnn_bench::rng());
  std::vector<int8_t> kernel(oc * k_per_oc);
  std::vector<float> kernel_scale(oc);
  bool ok = true;
  if (s.depthwise) {
    std::uniform_int_distribution<int> w8(-127, 127);
    for (auto& v : kernel) v = int8_t(w8(pqnn_bench::rng()));
    for (auto& v : kernel_scale) v = 1.0f / 127.0f;
  } else {
    std::vector<float> weights(oc * k_per_oc);
    for (auto& v : weights) v = dist(pqnn_bench::rng());
    ok = pqnn_quantize_weights_qc8w(oc, k_per_oc, weights.data(), kernel.data(),
        kernel_scale.data()) == pqnn_status_success;
  }
  std::vector<int8_t> qinput(image);
  pqnn_quantization_params qparams{};
  pqnn_operator_t convert = nullptr, conv = nullptr;
  if (!ok ||
      pqnn_create_convert_nc_f32_qd8(image, image, image, 0, &convert) != pqnn_status_success ||
      pqnn_reshape_convert_nc_f32_qd8(convert, 1, pool) != pqnn_status_success ||
      pqnn_setup_convert_nc_f32_qd8(convert, input.data(), qinput.data(), &qparams) !=
          pqnn_status_success ||
      pqnn_create_convolution2d_nhwc_qd8_f32_qc8w(s.padding, s.padding, s.padding, s.padding,
          s.kernel, s.kernel, s.stride, s.stride, 1, 1, s.groups, s.group_input_channels,
          s.group_output_channels, ic, oc, kernel_scale.data(), kernel.data(), bias.data(),
          0.0f, 6.0f, s.depthwise ? PQNN_FLAG_DEPTHWISE_CONVOLUTION : 0, &conv) !=
          pqnn_status_success ||
      pqnn_reshape_convolution2d_nhwc_qd8_f32_qc8w(conv, 1, s.height, s.width, nullptr,
          nullptr, pool) != pqnn_status_success ||
      pqnn_setup_convolution2d_nhwc_qd8_f32_qc8w(conv, qinput.data(), output.data(),
          &qparams) != pqnn_status_success) {
    state.SkipWithError("operator creation failed");
    pqnn_delete_operator(convert);
    pqnn_delete_operator(conv);
    return;
  }
  pqnn_run_operator(convert, pool);
  const double peak = int8_peak_gops();  // measured before the clock starts
  double convert_seconds = 0;
  pqnn_bench::LoopTimer timer;
  const double cpu_start = cpu_seconds();
  for (auto _ : state) {
    if (with_convert) {
      const double t0 = cpu_seconds();
      pqnn_run_operator(convert, pool);
      convert_seconds += cpu_seconds() - t0;
    }
    pqnn_run_operator(conv, pool);
    benchmark::ClobberMemory();
  }
  const double cpu_loop = cpu_seconds() - cpu_start;
  const size_t threads = pool == nullptr ? 1 : pthreadpool_get_threads_count(pool);
  // One thread: rates from this thread's CPU time (see cpu_seconds); a pool: wall clock.
  const double seconds = threads == 1 ? cpu_loop : timer.seconds();
  pqnn_bench::report_flops(state, s.flops(), seconds, peak * double(threads));
  state.counters["GOPS"] = state.counters["GFLOPS"];
  state.counters.erase("GFLOPS");
  if (with_convert && threads == 1 && seconds > 0) {
    state.counters["convert_%"] = 100.0 * convert_seconds / seconds;
  }
  state.SetLabel(pqnn_isa_name());
  pqnn_delete_operator(convert);
  pqnn_delete_operator(conv);
}

const bool registered = [] {
  pqnn_bench::register_conv_benchmarks("qd8_convolution_with_convert",
      [](benchmark::State& state, const pqnn_bench::ConvShape& s, pthreadpool_t pool) {
        qd8_convolution(state, s, pool, true);
      });
  pqnn_bench::register_conv_benchmarks("qd8_convolution",
      [](benchmark::State& state, const pqnn_bench::ConvShape& s, pthreadpool_t pool) {
        qd8_convolution(state, s, pool, false);
      });
  for (const pqnn_bench::ConvShape& shape : pqnn_bench::dense3x3_shapes()) {
    const std::string name = std::string("qd8_conv3x3/") + shape.name;
    benchmark::RegisterBenchmark(name.c_str(), [shape](benchmark::State& state) {
      qd8_convolution(state, shape, nullptr, true);
    })->Unit(benchmark::kMicrosecond)->UseRealTime();
  }
  return true;
}();

}  // namespace
