// qd8 x qc8w fully connected operator (f32 output) on the shared model shapes, timed the
// way an f32 model pays for it: each iteration quantizes the f32 activations per row
// (convert_nc_f32_qd8) and runs the qd8 FC on weights quantized once from f32 with
// pqnn_quantize_weights_qc8w and packed at create time. Rates of single-thread runs come
// from the thread's CPU time (the 2-core dev box is shared; wall time there counts other
// people's builds), of threads:2 runs from the wall clock. For qd8/f32 ratios compare the
// CPU column of this bench and bench/f32-fully-connected (same shapes, same loop).
//   qd8_fully_connected_with_convert: convert + FC; counters GOPS (2*M*N*K per iteration),
//     %peak (of the measured single-core int8 MAC peak: vpdpbusd where the CPU has it, else
//     AVX2 vpmaddwd), convert_% (share of the iteration spent in the convert, timed apart),
//     weight_GBps (int8 weight bytes N*K per iteration / time: the rate the weights stream
//     at, which bounds batch-1 decode; compare with bench/memory-bandwidth).
//   qd8_fully_connected: the FC alone on pre-quantized input (same counters, no convert_%).
#include <benchmark/benchmark.h>

#include <ctime>
#include <cmath>
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

void qd8_fully_connected(benchmark::State& state, const pqnn_bench::FcShape& shape,
    pthreadpool_t pool, bool with_convert) {
  if (pqnn_initialize() != pqnn_status_success) {
    state.SkipWithError("pqnn_initialize failed");
    return;
  }
  const size_t m = shape.batch, k = shape.input_channels, n = shape.output_channels;
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> input(m * k);
  std::vector<float> weights(n * k);
  std::vector<float> bias(n);
  std::vector<float> output(m * n);
  for (auto& v : input) v = dist(pqnn_bench::rng());
  for (auto& v : weights) v = dist(pqnn_bench::rng());
  for (auto& v : bias) v = dist(pqnn_bench::rng());
  std::vector<int8_t> kernel(n * k);
  std::vector<float> kernel_scale(n);
  std::vector<int8_t> qinput(m * k);
  std::vector<pqnn_quantization_params> qparams(m);
  pqnn_operator_t convert = nullptr, fc = nullptr;
  if (pqnn_quantize_weights_qc8w(n, k, weights.data(), kernel.data(), kernel_scale.data()) !=
          pqnn_status_success ||
      pqnn_create_convert_nc_f32_qd8(k, k, k, 0, &convert) != pqnn_status_success ||
      pqnn_reshape_convert_nc_f32_qd8(convert, m, pool) != pqnn_status_success ||
      pqnn_setup_convert_nc_f32_qd8(convert, input.data(), qinput.data(), qparams.data()) !=
          pqnn_status_success ||
      pqnn_create_fully_connected_nc_qd8_f32_qc8w(k, n, k, n, kernel_scale.data(),
          kernel.data(), bias.data(), -INFINITY, INFINITY, 0, &fc) != pqnn_status_success ||
      pqnn_reshape_fully_connected_nc_qd8_f32_qc8w(fc, m, pool) != pqnn_status_success ||
      pqnn_setup_fully_connected_nc_qd8_f32_qc8w(fc, qinput.data(), output.data(),
          qparams.data()) != pqnn_status_success) {
    state.SkipWithError("operator creation failed");
    pqnn_delete_operator(convert);
    pqnn_delete_operator(fc);
    return;
  }
  // The FC reads qinput/qparams as the convert left them; run it once so the no-convert
  // variant works on real quantized data.
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
    pqnn_run_operator(fc, pool);
    benchmark::ClobberMemory();
  }
  const double cpu_loop = cpu_seconds() - cpu_start;
  const size_t threads = pool == nullptr ? 1 : pthreadpool_get_threads_count(pool);
  // One thread: rates from this thread's CPU time (see cpu_seconds); a pool: wall clock.
  const double seconds = threads == 1 ? cpu_loop : timer.seconds();
  pqnn_bench::report_flops(state, shape.flops(), seconds, peak * double(threads));
  // The shared helper names the rate GFLOPS; for integer work it is GOP/s.
  state.counters["GOPS"] = state.counters["GFLOPS"];
  state.counters.erase("GFLOPS");
  if (seconds > 0 && state.iterations() > 0) {
    state.counters["weight_GBps"] = double(n * k) * double(state.iterations()) / seconds / 1e9;
    if (with_convert && threads == 1) {
      state.counters["convert_%"] = 100.0 * convert_seconds / seconds;
    }
  }
  state.SetLabel(pqnn_isa_name());
  pqnn_delete_operator(convert);
  pqnn_delete_operator(fc);
}

const bool registered = [] {
  pqnn_bench::register_fc_benchmarks("qd8_fully_connected_with_convert",
      [](benchmark::State& state, const pqnn_bench::FcShape& shape, pthreadpool_t pool) {
        qd8_fully_connected(state, shape, pool, true);
      });
  pqnn_bench::register_fc_benchmarks("qd8_fully_connected",
      [](benchmark::State& state, const pqnn_bench::FcShape& shape, pthreadpool_t pool) {
        qd8_fully_connected(state, shape, pool, false);
      });
  return true;
}();

}  // namespace
