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
// enough chains to cover latency (5) x throughput (up to 2 per cycle). X(i, ...) per chain.
#define PQNN_REP12(X, ...)                                                                 \
  X(0, __VA_ARGS__) X(1, __VA_ARGS__) X(2, __VA_ARGS__) X(3, __VA_ARGS__) X(4, __VA_ARGS__) \
  X(5, __VA_ARGS__) X(6, __VA_ARGS__) X(7, __VA_ARGS__) X(8, __VA_ARGS__) X(9, __VA_ARGS__) \
  X(10, __VA_ARGS__) X(11, __VA_ARGS__)
#define PQNN_REP24(X, ...)                                                                   \
  PQNN_REP12(X, __VA_ARGS__) X(12, __VA_ARGS__) X(13, __VA_ARGS__) X(14, __VA_ARGS__)        \
  X(15, __VA_ARGS__) X(16, __VA_ARGS__) X(17, __VA_ARGS__) X(18, __VA_ARGS__)                \
  X(19, __VA_ARGS__) X(20, __VA_ARGS__) X(21, __VA_ARGS__) X(22, __VA_ARGS__)                \
  X(23, __VA_ARGS__)
#define PQNN_CHAIN_DECL(i, VEC, SET1) VEC acc##i = SET1(i);
#define PQNN_CHAIN_STEP(i, ASM, CON) __asm__(ASM : "+" CON(acc##i) : CON(a), CON(b));
#define PQNN_CHAIN_SUM(i, ADD) sum = ADD(sum, acc##i);

// Every peak loop, written once: the chains acc0, acc1, ... (REP: PQNN_REP12 / 24) of VEC,
// each iteration one ASM step per chain, the accumulator tied ("+" CON; CON is "v" for zmm,
// "x" for ymm: the VEX forms reach only ymm0-15) and a, b inputs hidden from the optimizer
// every iteration, so no step is hoisted. Inline asm, not intrinsics: gcc 12 compiles
// _mm512_dpbusd_epi32 and the madd/add pair into loops among dozens of register copies
// (issue 13; the kernels use src/microkernels/x86-int8-dot.h for the same reason). Returns
// GOP/s on thread CPU time, 2 ops per multiply-accumulate, MACS per step and chain.
#define PQNN_CHAIN_PEAK_LOOP(NAME, TARGET, VEC, SET1, ADD, A, B, CON, REP, CHAINS, ASM, MACS) \
  __attribute__((target(TARGET))) static double NAME(size_t iterations) {                    \
    REP(PQNN_CHAIN_DECL, VEC, SET1)                                                           \
    VEC a = A, b = B;                                                                         \
    const double start = cpu_seconds();                                                       \
    for (size_t it = 0; it < iterations; it++) {                                              \
      __asm__ volatile("" : "+" CON(a), "+" CON(b));                                          \
      REP(PQNN_CHAIN_STEP, ASM, CON)                                                          \
    }                                                                                         \
    const double seconds = cpu_seconds() - start;                                             \
    VEC sum = acc0;                                                                           \
    REP(PQNN_CHAIN_SUM, ADD)                                                                  \
    benchmark::DoNotOptimize(sum);                                                            \
    return static_cast<double>(iterations) * (CHAINS) * (MACS) * 2 / seconds / 1e9;          \
  }

// The avx512vnni kernels' multiply-accumulate: vpdpbusd zmm, 64 u8 x s8 MACs.
PQNN_CHAIN_PEAK_LOOP(vpdpbusd_loop, "avx512f,avx512vnni,avx512bw", __m512i, _mm512_set1_epi32,
                     _mm512_add_epi32, _mm512_set1_epi32(0x01020304),
                     _mm512_set1_epi32(0x05060708), "v", PQNN_REP12, 12,
                     "vpdpbusd %2, %1, %0", 64)

// The AVX-VNNI form: {vex} vpdpbusd on ymm (32 MACs), the avxvnni tier's kernels'
// multiply-accumulate; 12 chains in the 16 ymm registers (latency x 2 pipes).
PQNN_CHAIN_PEAK_LOOP(vpdpbusd_ymm_loop, "avx2,avxvnni", __m256i, _mm256_set1_epi32,
                     _mm256_add_epi32, _mm256_set1_epi32(0x01020304),
                     _mm256_set1_epi32(0x05060708), "x", PQNN_REP12, 12,
                     "%{vex%} vpdpbusd %2, %1, %0", 32)

// vpmaddwd alone on ymm (16 int16 pairs), each chain through the madd itself.
PQNN_CHAIN_PEAK_LOOP(vpmaddwd_loop, "avx2", __m256i, _mm256_set1_epi32, _mm256_add_epi32,
                     _mm256_set1_epi16(3), _mm256_set1_epi16(-5), "x", PQNN_REP12, 12,
                     "vpmaddwd %2, %0, %0", 16)

// The c8 kernels' multiply-accumulate sequence (avx2 and avx512skx tiers): vpmaddwd of two
// int16 vectors into int32 pairs and a vpaddd; 32 (zmm) / 16 (ymm) MACs per pair. Each
// chain runs through both; 24 zmm / 12 ymm chains cover the pair's latency.
PQNN_CHAIN_PEAK_LOOP(vpmaddwd_vpaddd_zmm_loop, "avx512f,avx512bw", __m512i, _mm512_set1_epi32,
                     _mm512_add_epi32, _mm512_set1_epi16(3), _mm512_set1_epi16(-5), "v",
                     PQNN_REP24, 24, "vpmaddwd %2, %0, %0\n\tvpaddd %1, %0, %0", 32)
PQNN_CHAIN_PEAK_LOOP(vpmaddwd_vpaddd_ymm_loop, "avx2", __m256i, _mm256_set1_epi32,
                     _mm256_add_epi32, _mm256_set1_epi16(3), _mm256_set1_epi16(-5), "x",
                     PQNN_REP12, 12, "vpmaddwd %2, %0, %0\n\tvpaddd %1, %0, %0", 16)
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
