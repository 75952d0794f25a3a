// int8 fully connected against the core's measured int8 peak, on the shapes of issue 13
// (8x1024x1024, 64x768x3072, 256x1024x1024, 1024^3; M x K x N), one thread:
//   qd8_with_convert  convert_nc_f32_qd8 + fully_connected_nc_qd8_f32_qc8w (what an f32
//                     model pays for dynamic quantization)
//   qs8_qc8w          fully_connected_nc_qs8_qc8w on int8 activations
// Counters: GOPS (2*M*K*N per run / this thread's CPU time: the 2-core dev box is shared,
// and wall time there counts other processes' work) and %peak, of the int8 MAC peak
// measured in the same process and the same CPU time (bench/common/int8-peak.h) of the
// instruction sequence the running tier's kernels use (int8_peak_gops below). The label
// names the ISA tier that ran. docs/qd8-performance.md has the numbers and the command lines.
#include <benchmark/benchmark.h>

#include <cmath>
#include <vector>

#include <pqnn.h>

#include "common/bench-utils.h"
#include "common/cpu-loop.h"
#include "common/int8-peak.h"
#include "common/model-shapes.h"

namespace {

const pqnn_bench::FcShape kShapes[] = {
    {"8x1024x1024", 8, 1024, 1024},
    {"64x768x3072", 64, 768, 3072},
    {"256x1024x1024", 256, 1024, 1024},
    {"1024x1024x1024", 1024, 1024, 1024},
};

// The peak of the instruction sequence the running tier's kernels use.
double int8_peak_gops() { return pqnn_bench::measured_tier_int8_peak_gops(); }

// Times run() (one operator pass) and reports GOPS and %peak.
template <class Run>
void time_runs(benchmark::State& state, const pqnn_bench::FcShape& shape, Run run) {
  const double peak = int8_peak_gops();  // measured before the clock starts
  const double seconds = pqnn_bench::time_cpu_loop(state, run);
  if (seconds > 0) {
    const double gops = shape.flops() * double(state.iterations()) / seconds / 1e9;
    state.counters["GOPS"] = gops;
    if (peak > 0) state.counters["%peak"] = 100.0 * gops / peak;
  }
  state.SetLabel(pqnn_isa_name());
}

void qd8_with_convert(benchmark::State& state, const pqnn_bench::FcShape& shape) {
  const size_t m = shape.batch, k = shape.input_channels, n = shape.output_channels;
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> input(m * k), weights(n * k), bias(n), output(m * n);
  for (auto& v : input) v = dist(pqnn_bench::rng());
  for (auto& v : weights) v = dist(pqnn_bench::rng());
  for (auto& v : bias) v = dist(pqnn_bench::rng());
  std::vector<int8_t> kernel(n * k), qinput(m * k);
  std::vector<float> kernel_scale(n);
  std::vector<pqnn_quantization_params> qparams(m);
  pqnn_operator_t convert = nullptr, fc = nullptr;
  if (pqnn_initialize() != pqnn_status_success ||
      pqnn_quantize_weights_qc8w(n, k, weights.data(), kernel.data(), kernel_scale.data()) !=
          pqnn_status_success ||
      pqnn_create_convert_nc_f32_qd8(k, k, k, 0, &convert) != pqnn_status_success ||
      pqnn_reshape_convert_nc_f32_qd8(convert, m, nullptr) != pqnn_status_success ||
      pqnn_setup_convert_nc_f32_qd8(convert, input.data(), qinput.data(), qparams.data()) !=
          pqnn_status_success ||
      pqnn_create_fully_connected_nc_qd8_f32_qc8w(k, n, k, n, kernel_scale.data(),
          kernel.data(), bias.data(), -INFINITY, INFINITY, 0, &fc) != pqnn_status_success ||
      pqnn_reshape_fully_connected_nc_qd8_f32_qc8w(fc, m, nullptr) != pqnn_status_success ||
      pqnn_setup_fully_connected_nc_qd8_f32_qc8w(fc, qinput.data(), output.data(),
          qparams.data()) != pqnn_status_success) {
    state.SkipWithError("qd8 operator creation failed");
  } else {
    time_runs(state, shape, [&] {
      pqnn_run_operator(convert, nullptr);
      pqnn_run_operator(fc, nullptr);
    });
  }
  pqnn_delete_operator(convert);
  pqnn_delete_operator(fc);
}

void qs8_qc8w(benchmark::State& state, const pqnn_bench::FcShape& shape) {
  const size_t m = shape.batch, k = shape.input_channels, n = shape.output_channels;
  std::uniform_int_distribution<int> i8(-128, 127), w8(-127, 127), b32(-10000, 10000);
  std::uniform_real_distribution<float> ks_dist(0.5e-2f, 2e-2f);
  std::vector<int8_t> input(m * k), kernel(n * k), output(m * n);
  std::vector<int32_t> bias(n);
  std::vector<float> kernel_scale(n);
  for (auto& v : input) v = int8_t(i8(pqnn_bench::rng()));
  for (auto& v : kernel) v = int8_t(w8(pqnn_bench::rng()));
  for (auto& v : bias) v = b32(pqnn_bench::rng());
  for (auto& v : kernel_scale) v = ks_dist(pqnn_bench::rng());
  const float input_scale = 0.02f;
  const float output_scale = float(input_scale * 1e-2 * std::sqrt(double(k)) * 6000.0 / 40.0);
  pqnn_operator_t op = nullptr;
  if (pqnn_initialize() != pqnn_status_success ||
      pqnn_create_fully_connected_nc_qs8_qc8w(k, n, k, n, 3, input_scale, kernel_scale.data(),
          kernel.data(), bias.data(), -5, output_scale, -128, 127, 0, &op) != pqnn_status_success ||
      pqnn_reshape_fully_connected_nc_qs8_qc8w(op, m, nullptr) != pqnn_status_success ||
      pqnn_setup_fully_connected_nc_qs8_qc8w(op, input.data(), output.data()) !=
          pqnn_status_success) {
    state.SkipWithError("qs8_qc8w operator creation failed");
  } else {
    time_runs(state, shape, [&] { pqnn_run_operator(op, nullptr); });
  }
  pqnn_delete_operator(op);
}

const bool registered = [] {
  for (const auto& shape : kShapes) {
    benchmark::RegisterBenchmark((std::string("qd8_with_convert/") + shape.name).c_str(),
        [shape](benchmark::State& state) { qd8_with_convert(state, shape); })
        ->UseRealTime();
    benchmark::RegisterBenchmark((std::string("qs8_qc8w/") + shape.name).c_str(),
        [shape](benchmark::State& state) { qs8_qc8w(state, shape); })
        ->UseRealTime();
  }
  return true;
}();

}  // namespace
