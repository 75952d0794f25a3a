// qs8 (per-tensor) and qs8_qc8w (per-channel) fully connected operators on the shared
// model shapes: time of pqnn_run_operator on packed weights. "GFLOPS" counts GOP/s with
// one MAC = 2 ops (same work as the f32 bench, so rates compare directly); "%peak" is
// relative to the measured f32 FMA peak per thread (the f32 bench's reference), and
// "%int8peak" to the measured AVX2 vpmaddwd int8 MAC peak (0 where AVX2 is disabled).
#include <benchmark/benchmark.h>

#include <cmath>
#include <vector>

#include <pqnn.h>

#include "common/bench-utils.h"
#include "common/int8-peak.h"
#include "common/model-shapes.h"

namespace {

void qs8_fully_connected(benchmark::State& state, const pqnn_bench::FcShape& shape,
    pthreadpool_t pool, bool per_channel) {
  if (pqnn_initialize() != pqnn_status_success) {
    state.SkipWithError("pqnn_initialize failed");
    return;
  }
  std::uniform_int_distribution<int> i8(-128, 127), w8(-127, 127), b32(-10000, 10000);
  std::uniform_real_distribution<float> ks_dist(0.5e-2f, 2e-2f);
  std::vector<int8_t> input(shape.batch * shape.input_channels);
  std::vector<int8_t> kernel(shape.input_channels * shape.output_channels);
  std::vector<int32_t> bias(shape.output_channels);
  std::vector<float> kernel_scale(shape.output_channels);
  std::vector<int8_t> output(shape.batch * shape.output_channels);
  for (auto& v : input) v = int8_t(i8(pqnn_bench::rng()));
  for (auto& v : kernel) v = int8_t(w8(pqnn_bench::rng()));
  for (auto& v : bias) v = b32(pqnn_bench::rng());
  for (auto& v : kernel_scale) v = ks_dist(pqnn_bench::rng());
  // Requantization ~ 40 / (sqrt(K) * 6000): outputs spread over the int8 range.
  const float input_scale = 0.02f;
  const float output_scale = float(input_scale * 1e-2 * std::sqrt(double(shape.input_channels)) * 6000.0 / 40.0);
  pqnn_operator_t op = nullptr;
  pqnn_status status = per_channel
      ? pqnn_create_fully_connected_nc_qs8_qc8w(shape.input_channels, shape.output_channels,
            shape.input_channels, shape.output_channels, 3, input_scale, kernel_scale.data(),
            kernel.data(), bias.data(), -5, output_scale, -128, 127, 0, &op)
      : pqnn_create_fully_connected_nc_qs8(shape.input_channels, shape.output_channels,
            shape.input_channels, shape.output_channels, 3, input_scale, 1e-2f, kernel.data(),
            bias.data(), -5, output_scale, -128, 127, 0, &op);
  if (status == pqnn_status_success) {
    status = per_channel ? pqnn_reshape_fully_connected_nc_qs8_qc8w(op, shape.batch, pool)
                         : pqnn_reshape_fully_connected_nc_qs8(op, shape.batch, pool);
  }
  if (status == pqnn_status_success) {
    status = per_channel ? pqnn_setup_fully_connected_nc_qs8_qc8w(op, input.data(), output.data())
                         : pqnn_setup_fully_connected_nc_qs8(op, input.data(), output.data());
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
  pqnn_bench::report_flops(state, shape.flops(), seconds, pqnn_bench::measured_f32_fma_peak_gflops() * threads);
  const double int8_peak = pqnn_bench::measured_vpmaddwd_avx2_peak_gops() * threads;
  if (int8_peak > 0 && seconds > 0) {
    state.counters["%int8peak"] = 100.0 * shape.flops() * double(state.iterations()) / seconds / 1e9 / int8_peak;
  }
  state.SetLabel(pqnn_isa_name());
  pqnn_delete_operator(op);
}

const bool registered = [] {
  pqnn_bench::register_fc_benchmarks("qs8_fully_connected",
      [](benchmark::State& state, const pqnn_bench::FcShape& shape, pthreadpool_t pool) {
        qs8_fully_connected(state, shape, pool, false);
      });
  pqnn_bench::register_fc_benchmarks("qs8_qc8w_fully_connected",
      [](benchmark::State& state, const pqnn_bench::FcShape& shape, pthreadpool_t pool) {
        qs8_fully_connected(state, shape, pool, true);
      });
  return true;
}();

}  // namespace
