// Measured single-core int8 multiply-accumulate peaks, in GOP/s (one MAC = 2 ops), for
// the "% of peak" counters of the int8 kernel benches. Each is measured once per process
// by a register-only loop of many independent accumulator chains, timed in thread CPU
// time (like google-benchmark's default rates, robust on a shared machine); 0 where the CPU (or
// PQNN_ISA) lacks the ISA.
#pragma once

namespace pqnn_bench {

// AVX512-VNNI vpdpbusd zmm (64 u8 x s8 MACs per instruction).
double measured_vpdpbusd_peak_gops();
// AVX-VNNI {vex} vpdpbusd ymm (32 u8 x s8 MACs per instruction); 0 without AVX-VNNI.
double measured_vpdpbusd_ymm_peak_gops();
// AVX2 vpmaddwd ymm (16 int16 MACs per instruction), the multiply of the c8 kernels.
double measured_vpmaddwd_avx2_peak_gops();

// vpmaddwd + vpaddd (the c8 kernels' sequence, 2 instructions per 16 (ymm, bits 256) or
// 32 (zmm, bits 512) MACs); 0 where the CPU (or PQNN_ISA) lacks avx2 / avx512 (skx).
double measured_vpmaddwd_vpaddd_peak_gops(int bits);

// The peak of the instruction sequence the running tier's int8 GEMM kernels use (the tier
// order of src/hardware.c): vpdpbusd zmm for avx512vnni, vpmaddwd + vpaddd zmm for avx512
// (skx), {vex} vpdpbusd ymm for avxvnni, vpmaddwd + vpaddd ymm for avx2; 0 below avx2.
double measured_tier_int8_peak_gops();

}  // namespace pqnn_bench
