// Conversion microkernel benches: f32/f16 -> qd8 row quantization and f32 <-> f16, per
// ISA, on rows of n elements (one kernel call per row, or 64 rows for the many-rows
// kernels, rows cycled through a buffer larger
// than L1 so loads are L2-resident as in a real activation pass). Reports GB/s of bytes
// read + written (qd8: the input read twice counts once) and elements/s.
#include <benchmark/benchmark.h>

#include <fp16.h>

#include <cstring>
#include <vector>

#include <pqnn.h>

#include "common/bench-utils.h"

extern "C" {
#include "hardware.h"
#include "microkernels.h"
}

namespace {

constexpr size_t kBufferBytes = 512 * 1024;

void report(benchmark::State& state, size_t elements, size_t bytes) {
  state.counters["GB/s"] = benchmark::Counter(static_cast<double>(bytes) * state.iterations(),
      benchmark::Counter::kIsRate, benchmark::Counter::kIs1000);
  state.counters["Gelem/s"] = benchmark::Counter(static_cast<double>(elements) * state.iterations() / 1e9,
      benchmark::Counter::kIsRate);
}

template <typename In>
std::vector<In> random_input(size_t count) {
  std::uniform_real_distribution<float> dist(-4.0f, 7.0f);
  std::vector<In> v(count);
  for (auto& x : v) {
    const float f = dist(pqnn_bench::rng());
    if constexpr (sizeof(In) == 2) {
      x = fp16_ieee_from_fp32_value(f);
    } else {
      x = f;
    }
  }
  return v;
}

template <typename In>
void quantize(benchmark::State& state, pqnn_qd8_quantize_ukernel_fn fn, enum pqnn_isa isa) {
  if (!pqnn_bench::isa_ok(state, isa)) return;
  const size_t n = static_cast<size_t>(state.range(0));
  const size_t rows = std::max<size_t>(1, kBufferBytes / (n * sizeof(In)));
  const std::vector<In> x = random_input<In>(rows * n);
  std::vector<int8_t> y(rows * n);
  std::vector<pqnn_quantization_params> p(rows);
  size_t r = 0;
  for (auto _ : state) {
    fn(n, x.data() + r * n, y.data() + r * n, &p[r]);
    r = r + 1 == rows ? 0 : r + 1;
  }
  benchmark::DoNotOptimize(y.data());
  report(state, n, n * (sizeof(In) + 1));
}

// The many-rows kernel: 64 rows of n per call (the convert operator's task), reported per
// element like the one-row kernel above, over the same buffer.
void quantize_rows(benchmark::State& state, pqnn_qd8_rows_ukernel_fn fn, enum pqnn_isa isa) {
  if (!pqnn_bench::isa_ok(state, isa)) return;
  const size_t n = static_cast<size_t>(state.range(0));
  constexpr size_t kTile = 64;
  const size_t tiles = std::max<size_t>(1, kBufferBytes / (kTile * n * sizeof(float)));
  const std::vector<float> x = random_input<float>(tiles * kTile * n);
  std::vector<int8_t> y(tiles * kTile * n);
  std::vector<pqnn_quantization_params> p(tiles * kTile);
  size_t t = 0;
  for (auto _ : state) {
    fn(kTile, n, x.data() + t * kTile * n, n * sizeof(float), y.data() + t * kTile * n, n,
        &p[t * kTile]);
    t = t + 1 == tiles ? 0 : t + 1;
  }
  benchmark::DoNotOptimize(y.data());
  report(state, kTile * n, kTile * n * (sizeof(float) + 1));
}

template <typename In, typename Out>
void convert(benchmark::State& state, pqnn_convert_ukernel_fn fn, enum pqnn_isa isa) {
  if (!pqnn_bench::isa_ok(state, isa)) return;
  const size_t n = static_cast<size_t>(state.range(0));
  const size_t rows = std::max<size_t>(1, kBufferBytes / (n * sizeof(In)));
  const std::vector<In> x = random_input<In>(rows * n);
  std::vector<Out> y(rows * n);
  size_t r = 0;
  for (auto _ : state) {
    fn(n, x.data() + r * n, y.data() + r * n);
    r = r + 1 == rows ? 0 : r + 1;
  }
  benchmark::DoNotOptimize(y.data());
  report(state, n, n * (sizeof(In) + sizeof(Out)));
}

void sizes(benchmark::internal::Benchmark* b) {
  for (int n : {32, 96, 100, 144, 256, 384, 1024, 4096, 16384, 200704}) b->Arg(n);
}

#define QUANTIZE(in_t, dt, isa, tier)                                                         \
  static void dt##_qd8__##isa(benchmark::State& state) {                                      \
    quantize<in_t>(state, pqnn_##dt##_qd8_quantize_ukernel__##isa, tier);                    \
  }                                                                                           \
  BENCHMARK(dt##_qd8__##isa)->Apply(sizes);
#define CONVERT(in_t, out_t, from, to, isa, tier)                                             \
  static void from##_##to##__##isa(benchmark::State& state) {                                 \
    convert<in_t, out_t>(state, pqnn_##from##_##to##_convert_ukernel__##isa, tier);          \
  }                                                                                           \
  BENCHMARK(from##_##to##__##isa)->Apply(sizes);

QUANTIZE(float, f32, scalar, pqnn_isa_scalar)
QUANTIZE(uint16_t, f16, scalar, pqnn_isa_scalar)
CONVERT(float, uint16_t, f32, f16, scalar, pqnn_isa_scalar)
CONVERT(uint16_t, float, f16, f32, scalar, pqnn_isa_scalar)
#if defined(__x86_64__)
QUANTIZE(float, f32, sse2, pqnn_isa_sse2)
QUANTIZE(float, f32, avx2, pqnn_isa_avx2)
QUANTIZE(float, f32, avx512skx, pqnn_isa_avx512)
QUANTIZE(uint16_t, f16, avx2, pqnn_isa_avx2)
QUANTIZE(uint16_t, f16, avx512skx, pqnn_isa_avx512)
static void f32_qd8_rows__avx2(benchmark::State& state) {
  quantize_rows(state, pqnn_f32_qd8_rows_ukernel__avx2, pqnn_isa_avx2);
}
BENCHMARK(f32_qd8_rows__avx2)->Apply(sizes);
static void f32_qd8_rows__avx512skx(benchmark::State& state) {
  quantize_rows(state, pqnn_f32_qd8_rows_ukernel__avx512skx, pqnn_isa_avx512);
}
BENCHMARK(f32_qd8_rows__avx512skx)->Apply(sizes);
CONVERT(float, uint16_t, f32, f16, sse2, pqnn_isa_sse2)
CONVERT(float, uint16_t, f32, f16, f16c, pqnn_isa_avx2)
CONVERT(float, uint16_t, f32, f16, avx512skx, pqnn_isa_avx512)
CONVERT(uint16_t, float, f16, f32, sse2, pqnn_isa_sse2)
CONVERT(uint16_t, float, f16, f32, f16c, pqnn_isa_avx2)
CONVERT(uint16_t, float, f16, f32, avx512skx, pqnn_isa_avx512)
#elif defined(__aarch64__)
QUANTIZE(float, f32, neon, pqnn_isa_neon)
QUANTIZE(uint16_t, f16, neon, pqnn_isa_neon)
#endif

}  // namespace
