#include "common/bench-utils.h"

#include <immintrin.h>

#include <algorithm>
#include <chrono>
#include <ctime>

#include <pqnn.h>

extern "C" {
#include "hardware.h"
}

namespace pqnn_bench {

bool isa_ok(benchmark::State& state, enum pqnn_isa isa) {
  if (pqnn_initialize() != pqnn_status_success || !pqnn_isa_enabled(isa)) {
    state.SkipWithError("ISA not available");
    return false;
  }
  return true;
}

std::vector<float> random_floats(size_t count, float lo, float hi) {
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(count);
  for (auto& x : v) x = dist(rng());
  return v;
}

std::mt19937& rng() {
  static std::mt19937 generator(42);
  return generator;
}

static double now_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// The peak is measured (once) before the clock starts, never inside a timed loop.
LoopTimer::LoopTimer() : start_((measured_f32_fma_peak_gflops(), now_seconds())) {}
double LoopTimer::seconds() const { return now_seconds() - start_; }

void report_flops(benchmark::State& state, double flops_per_iteration, double seconds,
    double peak_gflops) {
  if (seconds <= 0 || state.iterations() == 0) return;
  const double gflops = flops_per_iteration * double(state.iterations()) / seconds / 1e9;
  state.counters["GFLOPS"] = gflops;
  if (peak_gflops > 0) state.counters["%peak"] = 100.0 * gflops / peak_gflops;
}

// Thread CPU time: the peak loop must not count time the scheduler gave to others.
static double thread_seconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

#if defined(__x86_64__)
// Independent FMA chains in named variables (an array would live in memory at -O2), enough
// to cover latency x throughput on current x86 cores; the asm barrier keeps every chain.
#define PQNN_FMA_CHAINS(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11)

__attribute__((target("avx512f,fma"))) static double fma_loop_avx512(size_t iterations) {
  const __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f);
#define DECLARE(i) __m512 acc##i = _mm512_set1_ps(0.001f * (i + 1));
  PQNN_FMA_CHAINS(DECLARE)
#undef DECLARE
  const double start = thread_seconds();
  for (size_t it = 0; it < iterations; it++) {
#define STEP(i) acc##i = _mm512_fmadd_ps(acc##i, a, b);
    PQNN_FMA_CHAINS(STEP)
#undef STEP
    __asm__ volatile("" : "+v"(acc0), "+v"(acc1), "+v"(acc2), "+v"(acc3), "+v"(acc4), "+v"(acc5),
                     "+v"(acc6), "+v"(acc7), "+v"(acc8), "+v"(acc9), "+v"(acc10), "+v"(acc11));
  }
  const double seconds = thread_seconds() - start;
  __m512 sum = _mm512_setzero_ps();
#define SUM(i) sum = _mm512_add_ps(sum, acc##i);
  PQNN_FMA_CHAINS(SUM)
#undef SUM
  benchmark::DoNotOptimize(sum);
  return static_cast<double>(iterations) * 12 * 16 * 2 / seconds / 1e9;
}

__attribute__((target("avx2,fma"))) static double fma_loop_avx2(size_t iterations) {
  const __m256 a = _mm256_set1_ps(0.999999f), b = _mm256_set1_ps(1e-7f);
#define DECLARE(i) __m256 acc##i = _mm256_set1_ps(0.001f * (i + 1));
  PQNN_FMA_CHAINS(DECLARE)
#undef DECLARE
  const double start = thread_seconds();
  for (size_t it = 0; it < iterations; it++) {
#define STEP(i) acc##i = _mm256_fmadd_ps(acc##i, a, b);
    PQNN_FMA_CHAINS(STEP)
#undef STEP
    __asm__ volatile("" : "+x"(acc0), "+x"(acc1), "+x"(acc2), "+x"(acc3), "+x"(acc4), "+x"(acc5),
                     "+x"(acc6), "+x"(acc7), "+x"(acc8), "+x"(acc9), "+x"(acc10), "+x"(acc11));
  }
  const double seconds = thread_seconds() - start;
  __m256 sum = _mm256_setzero_ps();
#define SUM(i) sum = _mm256_add_ps(sum, acc##i);
  PQNN_FMA_CHAINS(SUM)
#undef SUM
  benchmark::DoNotOptimize(sum);
  return static_cast<double>(iterations) * 12 * 8 * 2 / seconds / 1e9;
}
#endif

double measured_f32_fma_peak_gflops() {
  static const double peak = measure_f32_fma_peak_gflops_once();
  return peak;
}

double measure_f32_fma_peak_gflops_once() {
  return [] {
    if (pqnn_initialize() != pqnn_status_success) return 0.0;
    double best = 0.0;
#if defined(__x86_64__)
    for (int rep = 0; rep < 5; rep++) {
      if (pqnn_isa_enabled(pqnn_isa_avx512)) {
        best = std::max(best, fma_loop_avx512(5000000));
      } else if (pqnn_isa_enabled(pqnn_isa_avx2)) {
        best = std::max(best, fma_loop_avx2(5000000));
      }
    }
#endif
    return best;
  }();
}

}  // namespace pqnn_bench
