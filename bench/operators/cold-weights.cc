// Batch-1 fully connected with weights that do not fit in the last-level cache (issue 13
// item 7): 8 distinct 4096x4096 layers run in turn, so every layer's weights come from
// DRAM (8 x 16 MiB int8 = 128 MiB, 256 MiB f16, 512 MiB f32, against a 32 MiB L3).
//   f32   fully_connected_nc_f32
//   f16   fully_connected_nc_f16 (f16 weights packed from f32, PQNN_FLAG_FP32_STATIC_WEIGHTS)
//   qd8   convert_nc_f32_qd8 + fully_connected_nc_qd8_f32_qc8w (weights qc8w)
// One iteration = the 8 layers (each layer's input is the same f32 vector: the point is
// the weight stream). Counters: weight_GBps = packed weight bytes read per second of this
// thread's CPU time (int8 1, f16 2, f32 4 bytes per weight; the per-channel scales and bias
// are noise), and GOPS. Compare weight_GBps with bench/memory-bandwidth's DRAM rows (same
// CPU-time clock); docs/qd8-performance.md has the numbers. The _t2 rows run the operators
// on a 2-thread pthreadpool and count wall time (compare with memory-bandwidth's
// stream_read_threads rows, also wall time).
#include <benchmark/benchmark.h>
#include <pthreadpool.h>

#include <chrono>
#include <cmath>
#include <vector>

#include <pqnn.h>

#include "common/bench-utils.h"
#include "common/cpu-loop.h"

namespace {

constexpr size_t kLayers = 8;
constexpr size_t kChannels = 4096;

enum class Type { f32, f16, qd8 };

struct Layer {
  pqnn_operator_t convert = nullptr;  // qd8 only
  pqnn_operator_t fc = nullptr;
};

// Creates one layer on fresh random weights; false on any failure.
bool create_layer(Type type, std::vector<float>& weights, const std::vector<float>& bias,
    const float* input, float* output, std::vector<int8_t>& qinput,
    std::vector<pqnn_quantization_params>& qparams, pthreadpool_t pool, Layer& layer) {
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  for (auto& v : weights) v = dist(pqnn_bench::rng());
  const size_t k = kChannels, n = kChannels;
  if (type == Type::f32) {
    return pqnn_create_fully_connected_nc_f32(k, n, k, n, weights.data(), bias.data(),
               -INFINITY, INFINITY, 0, &layer.fc) == pqnn_status_success &&
           pqnn_reshape_fully_connected_nc_f32(layer.fc, 1, pool) == pqnn_status_success &&
           pqnn_setup_fully_connected_nc_f32(layer.fc, input, output) == pqnn_status_success;
  }
  if (type == Type::f16) {
    // The f16 operator reads f16 activations: input and output as f16 buffers of the same
    // float storage (its contents do not matter for the weight stream).
    return pqnn_create_fully_connected_nc_f16(k, n, k, n, weights.data(), bias.data(),
               -INFINITY, INFINITY, PQNN_FLAG_FP32_STATIC_WEIGHTS, &layer.fc) ==
               pqnn_status_success &&
           pqnn_reshape_fully_connected_nc_f16(layer.fc, 1, pool) == pqnn_status_success &&
           pqnn_setup_fully_connected_nc_f16(layer.fc, input, output) == pqnn_status_success;
  }
  std::vector<int8_t> kernel(n * k);
  std::vector<float> kernel_scale(n);
  return pqnn_quantize_weights_qc8w(n, k, weights.data(), kernel.data(), kernel_scale.data()) ==
             pqnn_status_success &&
         pqnn_create_convert_nc_f32_qd8(k, k, k, 0, &layer.convert) == pqnn_status_success &&
         pqnn_reshape_convert_nc_f32_qd8(layer.convert, 1, pool) == pqnn_status_success &&
         pqnn_setup_convert_nc_f32_qd8(layer.convert, input, qinput.data(), qparams.data()) ==
             pqnn_status_success &&
         pqnn_create_fully_connected_nc_qd8_f32_qc8w(k, n, k, n, kernel_scale.data(),
             kernel.data(), bias.data(), -INFINITY, INFINITY, 0, &layer.fc) ==
             pqnn_status_success &&
         pqnn_reshape_fully_connected_nc_qd8_f32_qc8w(layer.fc, 1, pool) ==
             pqnn_status_success &&
         pqnn_setup_fully_connected_nc_qd8_f32_qc8w(layer.fc, qinput.data(), output,
             qparams.data()) == pqnn_status_success;
}

void cold_weights(benchmark::State& state, Type type, size_t threads) {
  if (pqnn_initialize() != pqnn_status_success) {
    state.SkipWithError("pqnn_initialize failed");
    return;
  }
  pthreadpool_t pool = threads > 1 ? pthreadpool_create(threads) : nullptr;
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> weights(kChannels * kChannels), bias(kChannels);
  std::vector<float> input(kChannels), output(kChannels);
  std::vector<int8_t> qinput(kChannels);
  std::vector<pqnn_quantization_params> qparams(1);
  for (auto& v : input) v = dist(pqnn_bench::rng());
  for (auto& v : bias) v = dist(pqnn_bench::rng());
  std::vector<Layer> layers(kLayers);
  bool ok = true;
  for (auto& layer : layers) {
    ok = ok && create_layer(type, weights, bias, input.data(), output.data(), qinput, qparams, pool, layer);
  }
  weights = std::vector<float>();  // only the packed weights stay resident
  if (!ok) {
    state.SkipWithError("operator creation failed");
  } else {
    auto run = [&] {
      for (auto& layer : layers) {
        if (layer.convert != nullptr) pqnn_run_operator(layer.convert, pool);
        pqnn_run_operator(layer.fc, pool);
      }
    };
    const auto wall0 = std::chrono::steady_clock::now();
    const double cpu = pqnn_bench::time_cpu_loop(state, run);
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
    // time_cpu_loop ran one untimed warm-up: scale the wall time to the timed iterations.
    const double seconds = threads == 1 ? cpu : wall * double(state.iterations()) /
                                                    (double(state.iterations()) + 1.0);
    const double bytes_per_weight = type == Type::f32 ? 4.0 : type == Type::f16 ? 2.0 : 1.0;
    const double weights_per_iteration = double(kLayers * kChannels * kChannels);
    if (seconds > 0) {
      const double iterations = double(state.iterations());
      state.counters["weight_GBps"] = weights_per_iteration * bytes_per_weight * iterations / seconds / 1e9;
      state.counters["GOPS"] = 2.0 * weights_per_iteration * iterations / seconds / 1e9;
    }
    state.SetLabel(pqnn_isa_name());
  }
  for (auto& layer : layers) {
    pqnn_delete_operator(layer.convert);
    pqnn_delete_operator(layer.fc);
  }
  if (pool != nullptr) pthreadpool_destroy(pool);
}

BENCHMARK_CAPTURE(cold_weights, f32_8x4096x4096_b1, Type::f32, 1)->UseRealTime();
BENCHMARK_CAPTURE(cold_weights, f16_8x4096x4096_b1, Type::f16, 1)->UseRealTime();
BENCHMARK_CAPTURE(cold_weights, qd8_8x4096x4096_b1, Type::qd8, 1)->UseRealTime();
BENCHMARK_CAPTURE(cold_weights, f32_8x4096x4096_b1_t2, Type::f32, 2)->UseRealTime();
BENCHMARK_CAPTURE(cold_weights, f16_8x4096x4096_b1_t2, Type::f16, 2)->UseRealTime();
BENCHMARK_CAPTURE(cold_weights, qd8_8x4096x4096_b1_t2, Type::qd8, 2)->UseRealTime();

}  // namespace
