#include "common/bench-utils.h"

#include <immintrin.h>

#include <algorithm>
#include <chrono>

#include <pqnn.h>

extern "C" {
#include "hardware.h"
}

namespace pqnn_bench {

std::mt19937& rng() {
  static std::mt19937 generator(42);
  return generator;
}

static double now_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

LoopTimer::LoopTimer() : start_(now_seconds()) {}
double LoopTimer::seconds() const { return now_seconds() - start_; }

void report_flops(benchmark::State& state, double flops_per_iteration, double seconds,
    double peak_gflops) {
  if (seconds <= 0 || state.iterations() == 0) return;
  const double gflops = flops_per_iteration * double(state.iterations()) / seconds / 1e9;
  state.counters["GFLOPS"] = gflops;
  if (peak_gflops > 0) state.counters["%peak"] = 100.0 * gflops / peak_gflops;
}

#if defined(__x86_64__)
// 16 independent FMA chains: enough to cover latency x throughput on current x86 cores.
__attribute__((target("avx512f,fma"))) static double fma_loop_avx512(size_t iterations) {
  __m512 acc[16];
  for (int i = 0; i < 16; i++) acc[i] = _mm512_set1_ps(static_cast<float>(i) * 0.001f);
  const __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f);
  const auto start = std::chrono::steady_clock::now();
  for (size_t it = 0; it < iterations; it++) {
    for (int i = 0; i < 16; i++) acc[i] = _mm512_fmadd_ps(acc[i], a, b);
    __asm__ volatile("" : "+v"(acc[0]), "+v"(acc[1]), "+v"(acc[2]), "+v"(acc[3]), "+v"(acc[4]),
                     "+v"(acc[5]), "+v"(acc[6]), "+v"(acc[7]));
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  __m512 sum = acc[0];
  for (int i = 1; i < 16; i++) sum = _mm512_add_ps(sum, acc[i]);
  benchmark::DoNotOptimize(sum);
  return static_cast<double>(iterations) * 16 * 16 * 2 / seconds / 1e9;
}

__attribute__((target("avx2,fma"))) static double fma_loop_avx2(size_t iterations) {
  __m256 acc[12];
  for (int i = 0; i < 12; i++) acc[i] = _mm256_set1_ps(static_cast<float>(i) * 0.001f);
  const __m256 a = _mm256_set1_ps(0.999999f), b = _mm256_set1_ps(1e-7f);
  const auto start = std::chrono::steady_clock::now();
  for (size_t it = 0; it < iterations; it++) {
    for (int i = 0; i < 12; i++) acc[i] = _mm256_fmadd_ps(acc[i], a, b);
    __asm__ volatile("" : "+x"(acc[0]), "+x"(acc[1]), "+x"(acc[2]), "+x"(acc[3]));
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  __m256 sum = acc[0];
  for (int i = 1; i < 12; i++) sum = _mm256_add_ps(sum, acc[i]);
  benchmark::DoNotOptimize(sum);
  return static_cast<double>(iterations) * 12 * 8 * 2 / seconds / 1e9;
}
#endif

double measured_f32_fma_peak_gflops() {
  static const double peak = [] {
    if (pqnn_initialize() != pqnn_status_success) return 0.0;
    double best = 0.0;
#if defined(__x86_64__)
    for (int rep = 0; rep < 5; rep++) {
      if (pqnn_isa_enabled(pqnn_isa_avx512)) {
        best = std::max(best, fma_loop_avx512(20000000));
      } else if (pqnn_isa_enabled(pqnn_isa_avx2)) {
        best = std::max(best, fma_loop_avx2(20000000));
      }
    }
#endif
    return best;
  }();
  return peak;
}

}  // namespace pqnn_bench
