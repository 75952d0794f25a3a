#include "common/int8-peak.h"

#include <immintrin.h>

#include <algorithm>
#include <ctime>

#include <benchmark/benchmark.h>
#include <pqnn.h>

extern "C" {
#include "hardware.h"
}

namespace pqnn_bench {
namespace {

// Thread CPU time: the machine is shared, and wall time would count other processes.
double cpu_seconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

}  // namespace

#if defined(__x86_64__)
// Independent accumulator chains in named registers (an array would live in memory):
// enough chains to cover latency (5) x throughput (up to 2 per cycle).
#define PQNN_REP12(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11)
#define PQNN_REP24(X) PQNN_REP12(X) X(12) X(13) X(14) X(15) X(16) X(17) X(18) X(19) X(20) \
  X(21) X(22) X(23)

__attribute__((target("avx512f,avx512vnni,avx512bw"))) static double vpdpbusd_loop(
    size_t iterations) {
#define PQNN_DECL(i) __m512i acc##i = _mm512_set1_epi32(i);
  PQNN_REP12(PQNN_DECL)
#undef PQNN_DECL
  __m512i a = _mm512_set1_epi32(0x01020304), b = _mm512_set1_epi32(0x05060708);
  const double start = cpu_seconds();
  for (size_t it = 0; it < iterations; it++) {
    __asm__ volatile("" : "+v"(a), "+v"(b));
    // vpdpbusd as inline asm with a tied accumulator: gcc 12 compiles the intrinsic into a
    // loop of 12 vpdpbusd among 40 register copies (issue 13; the kernels use
    // src/microkernels/x86-int8-dot.h for the same reason).
#define PQNN_STEP(i) __asm__("vpdpbusd %2, %1, %0" : "+v"(acc##i) : "v"(a), "v"(b));
    PQNN_REP12(PQNN_STEP)
#undef PQNN_STEP
  }
  const double seconds = cpu_seconds() - start;
  __m512i sum = acc0;
#define PQNN_SUM(i) sum = _mm512_add_epi32(sum, acc##i);
  PQNN_REP12(PQNN_SUM)
#undef PQNN_SUM
  benchmark::DoNotOptimize(sum);
  return static_cast<double>(iterations) * 12 * 64 * 2 / seconds / 1e9;
}

// The AVX-VNNI form: {vex} vpdpbusd on ymm (32 u8 x s8 MACs per instruction), the avxvnni
// tier's kernels' multiply-accumulate; 12 chains in the 16 ymm registers (latency x 2 pipes).
__attribute__((target("avx2,avxvnni"))) static double vpdpbusd_ymm_loop(size_t iterations) {
#define PQNN_DECL(i) __m256i acc##i = _mm256_set1_epi32(i);
  PQNN_REP12(PQNN_DECL)
#undef PQNN_DECL
  __m256i a = _mm256_set1_epi32(0x01020304), b = _mm256_set1_epi32(0x05060708);
  const double start = cpu_seconds();
  for (size_t it = 0; it < iterations; it++) {
    __asm__ volatile("" : "+x"(a), "+x"(b));
#define PQNN_STEP(i) __asm__("%{vex%} vpdpbusd %2, %1, %0" : "+x"(acc##i) : "x"(a), "x"(b));
    PQNN_REP12(PQNN_STEP)
#undef PQNN_STEP
  }
  const double seconds = cpu_seconds() - start;
  __m256i sum = acc0;
#define PQNN_SUM(i) sum = _mm256_add_epi32(sum, acc##i);
  PQNN_REP12(PQNN_SUM)
#undef PQNN_SUM
  benchmark::DoNotOptimize(sum);
  return static_cast<double>(iterations) * 12 * 32 * 2 / seconds / 1e9;
}

__attribute__((target("avx2"))) static double vpmaddwd_loop(size_t iterations) {
#define PQNN_DECL(i) __m256i acc##i = _mm256_set1_epi32(i);
  PQNN_REP12(PQNN_DECL)
#undef PQNN_DECL
  __m256i b = _mm256_set1_epi16(-5);
  const double start = cpu_seconds();
  for (size_t it = 0; it < iterations; it++) {
    __asm__ volatile("" : "+x"(b));
    // A chain through the madd itself (a loop-invariant madd would be hoisted).
#define PQNN_STEP(i) acc##i = _mm256_madd_epi16(acc##i, b);
    PQNN_REP12(PQNN_STEP)
#undef PQNN_STEP
  }
  const double seconds = cpu_seconds() - start;
  __m256i sum = acc0;
#define PQNN_SUM(i) sum = _mm256_add_epi32(sum, acc##i);
  PQNN_REP12(PQNN_SUM)
#undef PQNN_SUM
  benchmark::DoNotOptimize(sum);
  return static_cast<double>(iterations) * 12 * 16 * 2 / seconds / 1e9;
}

// The c8 kernels' multiply-accumulate sequence (avx2 and avx512skx tiers): vpmaddwd of two
// int16 vectors into int32 pairs and a vpaddd; 32 (zmm) / 16 (ymm) MACs per pair. Each of
// the 12 chains runs through both (a madd of loop-invariant operands would be computed
// once for all chains); 24 zmm / 12 ymm chains cover the pair's latency. Inline
// asm: gcc 12 copies every accumulator around the intrinsics' version (issue 13).
__attribute__((target("avx512f,avx512bw"))) static double vpmaddwd_vpaddd_zmm_loop(
    size_t iterations) {
#define PQNN_DECL(i) __m512i acc##i = _mm512_set1_epi32(i);
  PQNN_REP24(PQNN_DECL)
#undef PQNN_DECL
  __m512i a = _mm512_set1_epi16(3), b = _mm512_set1_epi16(-5);
  const double start = cpu_seconds();
  for (size_t it = 0; it < iterations; it++) {
    __asm__ volatile("" : "+v"(a), "+v"(b));
#define PQNN_STEP(i) \
  __asm__("vpmaddwd %2, %0, %0\n\tvpaddd %1, %0, %0" : "+v"(acc##i) : "v"(a), "v"(b));
    PQNN_REP24(PQNN_STEP)
#undef PQNN_STEP
  }
  const double seconds = cpu_seconds() - start;
  __m512i sum = acc0;
#define PQNN_SUM(i) sum = _mm512_add_epi32(sum, acc##i);
  PQNN_REP24(PQNN_SUM)
#undef PQNN_SUM
  benchmark::DoNotOptimize(sum);
  return static_cast<double>(iterations) * 24 * 32 * 2 / seconds / 1e9;
}

__attribute__((target("avx2"))) static double vpmaddwd_vpaddd_ymm_loop(size_t iterations) {
#define PQNN_DECL(i) __m256i acc##i = _mm256_set1_epi32(i);
  PQNN_REP12(PQNN_DECL)
#undef PQNN_DECL
  __m256i a = _mm256_set1_epi16(3), b = _mm256_set1_epi16(-5);
  const double start = cpu_seconds();
  for (size_t it = 0; it < iterations; it++) {
    __asm__ volatile("" : "+x"(a), "+x"(b));
#define PQNN_STEP(i) \
  __asm__("vpmaddwd %2, %0, %0\n\tvpaddd %1, %0, %0" : "+x"(acc##i) : "x"(a), "x"(b));
    PQNN_REP12(PQNN_STEP)
#undef PQNN_STEP
  }
  const double seconds = cpu_seconds() - start;
  __m256i sum = acc0;
#define PQNN_SUM(i) sum = _mm256_add_epi32(sum, acc##i);
  PQNN_REP12(PQNN_SUM)
#undef PQNN_SUM
  benchmark::DoNotOptimize(sum);
  return static_cast<double>(iterations) * 12 * 16 * 2 / seconds / 1e9;
}
#endif

double measured_vpmaddwd_vpaddd_peak_gops(int bits) {
  static double peak[2] = {-1.0, -1.0};
  double& p = peak[bits == 512 ? 1 : 0];
  if (p < 0) {
    p = 0.0;
#if defined(__x86_64__)
    if (pqnn_initialize() == pqnn_status_success &&
        pqnn_isa_enabled(bits == 512 ? pqnn_isa_avx512 : pqnn_isa_avx2)) {
      for (int rep = 0; rep < 5; rep++) {
        p = std::max(p, bits == 512 ? vpmaddwd_vpaddd_zmm_loop(10000000)
                                    : vpmaddwd_vpaddd_ymm_loop(10000000));
      }
    }
#endif
  }
  return p;
}

double measured_vpdpbusd_peak_gops() {
  static const double peak = [] {
    double best = 0.0;
#if defined(__x86_64__)
    if (pqnn_initialize() != pqnn_status_success || !pqnn_isa_enabled(pqnn_isa_avx512vnni)) {
      return 0.0;
    }
    for (int rep = 0; rep < 5; rep++) best = std::max(best, vpdpbusd_loop(10000000));
#endif
    return best;
  }();
  return peak;
}

double measured_vpdpbusd_ymm_peak_gops() {
  static const double peak = [] {
    double best = 0.0;
#if defined(__x86_64__)
    if (pqnn_initialize() != pqnn_status_success || !pqnn_isa_enabled(pqnn_isa_avxvnni)) {
      return 0.0;
    }
    for (int rep = 0; rep < 5; rep++) best = std::max(best, vpdpbusd_ymm_loop(10000000));
#endif
    return best;
  }();
  return peak;
}

double measured_vpmaddwd_avx2_peak_gops() {
  static const double peak = [] {
    double best = 0.0;
#if defined(__x86_64__)
    if (pqnn_initialize() != pqnn_status_success || !pqnn_isa_enabled(pqnn_isa_avx2)) {
      return 0.0;
    }
    for (int rep = 0; rep < 5; rep++) best = std::max(best, vpmaddwd_loop(10000000));
#endif
    return best;
  }();
  return peak;
}

double measured_tier_int8_peak_gops() {
  const double vnni = measured_vpdpbusd_peak_gops();
  if (vnni > 0) return vnni;
  const double zmm = measured_vpmaddwd_vpaddd_peak_gops(512);
  if (zmm > 0) return zmm;
  const double vnni_ymm = measured_vpdpbusd_ymm_peak_gops();
  return vnni_ymm > 0 ? vnni_ymm : measured_vpmaddwd_vpaddd_peak_gops(256);
}

}  // namespace pqnn_bench
