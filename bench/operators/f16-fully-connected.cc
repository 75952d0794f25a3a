// f16 fully connected operator (IEEE binary16 storage, f32 accumulation) on the shared model
// shapes: time of pqnn_run_operator on packed weights, GFLOP/s and % of the measured f32 FMA
// peak (per thread; the f16 kernels convert to f32 and use the same FMA units).
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include <fp16.h>
#include <pqnn.h>

#include "common/bench-utils.h"
#include "common/model-shapes.h"

namespace {

void f16_fully_connected(benchmark::State& state, const pqnn_bench::FcShape& shape,
    pthreadpool_t pool) {
  if (pqnn_initialize() != pqnn_status_success) {
    state.SkipWithError("pqnn_initialize failed");
    return;
  }
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<uint16_t> input(shape.batch * shape.input_channels);
  std::vector<uint16_t> kernel(shape.input_channels * shape.output_channels);
  std::vector<uint16_t> bias(shape.output_channels);
  std::vector<uint16_t> output(shape.batch * shape.output_channels);
  for (auto& v : input) v = fp16_ieee_from_fp32_value(dist(pqnn_bench::rng()));
  for (auto& v : kernel) v = fp16_ieee_from_fp32_value(dist(pqnn_bench::rng()));
  for (auto& v : bias) v = fp16_ieee_from_fp32_value(dist(pqnn_bench::rng()));
  pqnn_operator_t op = nullptr;
  if (pqnn_create_fully_connected_nc_f16(shape.input_channels, shape.output_channels,
          shape.input_channels, shape.output_channels, kernel.data(), bias.data(), -INFINITY,
          INFINITY, 0, &op) != pqnn_status_success ||
      pqnn_reshape_fully_connected_nc_f16(op, shape.batch, pool) != pqnn_status_success ||
      pqnn_setup_fully_connected_nc_f16(op, input.data(), output.data()) != pqnn_status_success) {
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
  pqnn_bench::report_flops(state, shape.flops(), seconds,
      pqnn_bench::measured_f32_fma_peak_gflops() * double(threads));
  state.SetLabel(pqnn_isa_name());
  pqnn_delete_operator(op);
}

const bool registered = [] {
  pqnn_bench::register_fc_benchmarks("f16_fully_connected", f16_fully_connected);
  return true;
}();

}  // namespace
