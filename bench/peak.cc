// This core's f32 FMA peak: pqnn_bench::measured_f32_fma_peak_gflops() (the value every
// kernel bench divides by for %peak), reported as a benchmark of its own, plus a timed
// register-only FMA loop at the widest vector width the CPU and PQNN_ISA allow.
//   taskset -c 1 build/bench/peak --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <immintrin.h>

#include <pqnn.h>

#include "common/bench-utils.h"

extern "C" {
#include "hardware.h"
}

namespace {

constexpr size_t kInner = 100000;

#if defined(__x86_64__)
// 16 (AVX512) / 12 (AVX2) independent FMA chains cover latency x throughput. Named
// accumulators, so that they stay in registers: an acc[] array (as in
// bench/common/bench-utils.cc) is kept in memory by gcc 12 -O2 and the loop then measures
// load/store throughput instead of the FMA units.
#define PQNN_FMA_CHAINS(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11)
#define PQNN_FMA_CHAINS16(X) PQNN_FMA_CHAINS(X) X(12) X(13) X(14) X(15)

__attribute__((target("avx512f,fma"))) void fma_avx512(size_t iterations) {
#define INIT(i) __m512 v##i = _mm512_set1_ps(static_cast<float>(i) * 0.001f);
  PQNN_FMA_CHAINS16(INIT)
#undef INIT
  const __m512 x = _mm512_set1_ps(0.999999f), y = _mm512_set1_ps(1e-7f);
  for (size_t it = 0; it < iterations; it++) {
#define STEP(i) v##i = _mm512_fmadd_ps(v##i, x, y);
    PQNN_FMA_CHAINS16(STEP)
#undef STEP
  }
  __m512 sum = _mm512_setzero_ps();
#define SUM(i) sum = _mm512_add_ps(sum, v##i);
  PQNN_FMA_CHAINS16(SUM)
#undef SUM
  benchmark::DoNotOptimize(sum);
}

__attribute__((target("avx2,fma"))) void fma_avx2(size_t iterations) {
#define INIT(i) __m256 v##i = _mm256_set1_ps(static_cast<float>(i) * 0.001f);
  PQNN_FMA_CHAINS(INIT)
#undef INIT
  const __m256 x = _mm256_set1_ps(0.999999f), y = _mm256_set1_ps(1e-7f);
  for (size_t it = 0; it < iterations; it++) {
#define STEP(i) v##i = _mm256_fmadd_ps(v##i, x, y);
    PQNN_FMA_CHAINS(STEP)
#undef STEP
  }
  __m256 sum = _mm256_setzero_ps();
#define SUM(i) sum = _mm256_add_ps(sum, v##i);
  PQNN_FMA_CHAINS(SUM)
#undef SUM
  benchmark::DoNotOptimize(sum);
}
#endif

// The measured peak that %peak counters use (measured once per process).
void measured_peak(benchmark::State& state) {
  double peak = 0.0;
  for (auto _ : state) {
    peak = pqnn_bench::measured_f32_fma_peak_gflops();
    benchmark::DoNotOptimize(peak);
  }
  state.counters["peak_GFLOPS"] = peak;
}
BENCHMARK(measured_peak)->Iterations(1);

void fma_loop(benchmark::State& state) {
  if (pqnn_initialize() != pqnn_status_success) {
    state.SkipWithError("pqnn_initialize failed");
    return;
  }
  double flops = 0.0;
#if defined(__x86_64__)
  const bool avx512 = pqnn_isa_enabled(pqnn_isa_avx512);
  const bool avx2 = pqnn_isa_enabled(pqnn_isa_avx2);
  if (!avx512 && !avx2) {
    state.SkipWithError("no FMA ISA");
    return;
  }
  flops = avx512 ? kInner * 16.0 * 16 * 2 : kInner * 12.0 * 8 * 2;
  state.SetLabel(avx512 ? "avx512f" : "avx2+fma");
  for (auto _ : state) {
    if (avx512) {
      fma_avx512(kInner);
    } else {
      fma_avx2(kInner);
    }
  }
#else
  state.SkipWithError("no x86 FMA loop on this architecture");
  return;
#endif
  pqnn_bench::report_flops(state, flops, pqnn_bench::measured_f32_fma_peak_gflops());
}
BENCHMARK(fma_loop);

}  // namespace
