// Runtime node kernels (src/runtime/node-kernels.h) on MobileNet/transformer-like sizes, one
// thread, the whole node per iteration: clamp 112x112x32, add2 56x56x24 (full and per-channel
// broadcast), global average pooling 7x7x1024, max pooling 3x3/2 on 112x112x64, softmax 1x1000
// and 40x6625 (PaddleOCR rec's output),
// GELU 128x3072, qs8 quantize/dequantize 112x112x32. Reports GB/s of bytes read + written (each
// input element counted once) and Gelem/s of output, so their cost can be set against the
// convolutions of a model. Rates are per CPU second (single-threaded kernels; robust to a
// loaded machine).
#include <benchmark/benchmark.h>

#include <fp16.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include <pqnn.h>

#include "common/bench-utils.h"

extern "C" {
#include "runtime/node-kernels.h"
}

namespace {

bool init(benchmark::State& state) {
  if (pqnn_initialize() != pqnn_status_success) {
    state.SkipWithError("pqnn_initialize failed");
    return false;
  }
  return true;
}

void report(benchmark::State& state, size_t out_elements, size_t bytes) {
  state.counters["GB/s"] = benchmark::Counter(static_cast<double>(bytes) * state.iterations(),
      benchmark::Counter::kIsRate, benchmark::Counter::kIs1000);
  state.counters["Gelem/s"] = benchmark::Counter(static_cast<double>(out_elements) * state.iterations() / 1e9,
      benchmark::Counter::kIsRate);
}

template <typename T>
std::vector<T> random_data(size_t n, float lo, float hi) {
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<T> v(n);
  for (auto& x : v) {
    const float f = dist(pqnn_bench::rng());
    if constexpr (sizeof(T) == 2) {
      x = fp16_ieee_from_fp32_value(f);
    } else if constexpr (sizeof(T) == 1) {
      x = static_cast<T>(f);
    } else {
      x = f;
    }
  }
  return v;
}

constexpr size_t kClampElements = 112 * 112 * 32;

template <typename T>
void clamp(benchmark::State& state) {
  if (!init(state)) return;
  const std::vector<T> x = random_data<T>(kClampElements, -10.0f, 10.0f);
  std::vector<T> y(kClampElements);
  for (auto _ : state) {
    if constexpr (sizeof(T) == 2) {
      pqnn_node_f16_clamp(kClampElements, x.data(), y.data(), 0.0f, 6.0f);
    } else {
      pqnn_node_f32_clamp(kClampElements, x.data(), y.data(), 0.0f, 6.0f);
    }
    benchmark::DoNotOptimize(y.data());
  }
  report(state, kClampElements, 2 * kClampElements * sizeof(T));
}

constexpr size_t kGeluElements = 128 * 3072;

template <typename T>
void gelu(benchmark::State& state) {
  if (!init(state)) return;
  const std::vector<T> x = random_data<T>(kGeluElements, -6.0f, 6.0f);
  std::vector<T> y(kGeluElements);
  for (auto _ : state) {
    if constexpr (sizeof(T) == 2) {
      pqnn_node_f16_gelu(kGeluElements, x.data(), y.data());
    } else {
      pqnn_node_f32_gelu(kGeluElements, x.data(), y.data());
    }
    benchmark::DoNotOptimize(y.data());
  }
  report(state, kGeluElements, 2 * kGeluElements * sizeof(T));
}

// add2 on [1][56][56][24]; state.range(0): 0 = both full, 1 = b per-channel ([24]).
template <typename T>
void add2(benchmark::State& state) {
  if (!init(state)) return;
  const size_t h = 56, w = 56, c = 24, total = h * w * c;
  const bool per_channel = state.range(0) != 0;
  pqnn_add2_shape s = {{1, h, w, c}, {0, w * c, c, 1}, {0, w * c, c, 1}};
  if (per_channel) {
    s.b_stride[1] = s.b_stride[2] = 0;
  }
  const std::vector<T> a = random_data<T>(total, -5.0f, 5.0f);
  const std::vector<T> b = random_data<T>(per_channel ? c : total, -5.0f, 5.0f);
  std::vector<T> y(total);
  for (auto _ : state) {
    if constexpr (sizeof(T) == 1) {
      pqnn_node_qs8_add2(&s, 0, h * w, a.data(), 1, 0.05f, b.data(), -3, 0.07f, y.data(), 2, 0.1f, -128, 127);
    } else if constexpr (sizeof(T) == 2) {
      pqnn_node_f16_add2(&s, 0, h * w, a.data(), b.data(), y.data(), -INFINITY, INFINITY);
    } else {
      pqnn_node_f32_add2(&s, 0, h * w, a.data(), b.data(), y.data(), -INFINITY, INFINITY);
    }
    benchmark::DoNotOptimize(y.data());
  }
  report(state, total, (2 * total + b.size()) * sizeof(T));
}

template <typename T>
void global_average_pooling(benchmark::State& state) {
  if (!init(state)) return;
  const size_t pixels = 7 * 7, channels = 1024;
  const std::vector<T> x = random_data<T>(pixels * channels, -5.0f, 5.0f);
  std::vector<T> y(channels);
  for (auto _ : state) {
    if constexpr (sizeof(T) == 1) {
      pqnn_node_qs8_global_average_pooling(0, 1, pixels, channels, x.data(), -5, 0.05f, y.data(), 3, 0.02f, -128, 127);
    } else if constexpr (sizeof(T) == 2) {
      pqnn_node_f16_global_average_pooling(0, 1, pixels, channels, x.data(), y.data(), -INFINITY, INFINITY);
    } else {
      pqnn_node_f32_global_average_pooling(0, 1, pixels, channels, x.data(), y.data(), -INFINITY, INFINITY);
    }
    benchmark::DoNotOptimize(y.data());
  }
  report(state, channels, (pixels + 1) * channels * sizeof(T));
}

// 3x3 stride 2 pad 1 max pooling, 112x112x64 -> 56x56x64 (the ResNet stem's pooling).
template <typename T>
void max_pooling(benchmark::State& state) {
  if (!init(state)) return;
  pqnn_pool_geometry g{};
  g.input_height = g.input_width = 112;
  g.output_height = g.output_width = 56;
  g.channels = 64;
  g.pad_top = g.pad_left = 1;
  g.pool_height = g.pool_width = 3;
  g.stride_height = g.stride_width = 2;
  g.dilation_height = g.dilation_width = 1;
  const size_t in_n = 112 * 112 * 64, out_n = 56 * 56 * 64;
  const std::vector<T> x = random_data<T>(in_n, -5.0f, 5.0f);
  std::vector<T> y(out_n);
  for (auto _ : state) {
    if constexpr (sizeof(T) == 2) {
      pqnn_node_f16_max_pooling(&g, 0, g.output_height, x.data(), y.data(), -INFINITY, INFINITY);
    } else {
      pqnn_node_f32_max_pooling(&g, 0, g.output_height, x.data(), y.data(), -INFINITY, INFINITY);
    }
    benchmark::DoNotOptimize(y.data());
  }
  report(state, out_n, (in_n + out_n) * sizeof(T));
}

template <typename T>
void softmax(benchmark::State& state) {
  if (!init(state)) return;
  const size_t rows = size_t(state.range(0)), channels = size_t(state.range(1));
  const std::vector<T> x = random_data<T>(rows * channels, -10.0f, 10.0f);
  std::vector<T> y(rows * channels);
  for (auto _ : state) {
    if constexpr (sizeof(T) == 2) {
      pqnn_node_f16_softmax(0, rows, channels, x.data(), y.data());
    } else {
      pqnn_node_f32_softmax(0, rows, channels, x.data(), y.data());
    }
    benchmark::DoNotOptimize(y.data());
  }
  report(state, rows * channels, 2 * rows * channels * sizeof(T));
}

void quantize(benchmark::State& state) {
  if (!init(state)) return;
  const std::vector<float> x = random_data<float>(kClampElements, -10.0f, 10.0f);
  std::vector<int8_t> y(kClampElements);
  for (auto _ : state) {
    pqnn_node_f32_qs8_quantize(kClampElements, x.data(), y.data(), 3, 0.08f);
    benchmark::DoNotOptimize(y.data());
  }
  report(state, kClampElements, kClampElements * 5);
}

void dequantize(benchmark::State& state) {
  if (!init(state)) return;
  const std::vector<int8_t> x = random_data<int8_t>(kClampElements, -128.0f, 127.0f);
  std::vector<float> y(kClampElements);
  for (auto _ : state) {
    pqnn_node_qs8_f32_dequantize(kClampElements, x.data(), y.data(), 3, 0.08f);
    benchmark::DoNotOptimize(y.data());
  }
  report(state, kClampElements, kClampElements * 5);
}

BENCHMARK_TEMPLATE(clamp, float)->Name("f32_clamp/112x112x32");
BENCHMARK_TEMPLATE(clamp, uint16_t)->Name("f16_clamp/112x112x32");
BENCHMARK_TEMPLATE(add2, float)->Name("f32_add2/56x56x24")->Arg(0)->Arg(1);
BENCHMARK_TEMPLATE(add2, uint16_t)->Name("f16_add2/56x56x24")->Arg(0)->Arg(1);
BENCHMARK_TEMPLATE(add2, int8_t)->Name("qs8_add2/56x56x24")->Arg(0)->Arg(1);
BENCHMARK_TEMPLATE(global_average_pooling, float)->Name("f32_gavgpool/7x7x1024");
BENCHMARK_TEMPLATE(global_average_pooling, uint16_t)->Name("f16_gavgpool/7x7x1024");
BENCHMARK_TEMPLATE(global_average_pooling, int8_t)->Name("qs8_gavgpool/7x7x1024");
BENCHMARK_TEMPLATE(max_pooling, float)->Name("f32_maxpool3x3s2/112x112x64");
BENCHMARK_TEMPLATE(max_pooling, uint16_t)->Name("f16_maxpool3x3s2/112x112x64");
// rows x channels: an ImageNet head, and PaddleOCR rec's output (40 steps x 6625 classes).
BENCHMARK_TEMPLATE(softmax, float)->Name("f32_softmax")->Args({1, 1000})->Args({40, 6625});
BENCHMARK_TEMPLATE(softmax, uint16_t)->Name("f16_softmax")->Args({1, 1000})->Args({40, 6625});
BENCHMARK_TEMPLATE(gelu, float)->Name("f32_gelu/128x3072");
BENCHMARK_TEMPLATE(gelu, uint16_t)->Name("f16_gelu/128x3072");
BENCHMARK(quantize)->Name("f32_qs8_quantize/112x112x32");
BENCHMARK(dequantize)->Name("qs8_f32_dequantize/112x112x32");

}  // namespace
