// Measured single-core int8 multiply-accumulate peaks, in GOP/s (one MAC = 2 ops), for
// the "% of peak" counters of the int8 kernel benches. Each is measured once per process
// by a register-only loop of many independent accumulator chains, timed in thread CPU
// time (like google-benchmark's default rates, robust on a shared machine); 0 where the CPU (or
// PQNN_ISA) lacks the ISA.
#pragma once

namespace pqnn_bench {

// AVX512-VNNI vpdpbusd zmm (64 u8 x s8 MACs per instruction).
double measured_vpdpbusd_peak_gops();
// AVX2 vpmaddwd ymm (16 int16 MACs per instruction), the multiply of the c8 kernels.
double measured_vpmaddwd_avx2_peak_gops();

}  // namespace pqnn_bench
