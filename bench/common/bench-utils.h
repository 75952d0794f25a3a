// Shared helpers for the benches: counters in GFLOP/s (or GOP/s) and % of this core's
// measured peak, and random data.
#pragma once

#include <benchmark/benchmark.h>

#include <cstddef>
#include <cstdint>
#include <random>
#include <vector>

namespace pqnn_bench {

std::mt19937& rng();

// Sets state.counters["GFLOPS"] (rate of `flops_per_iteration` per iteration) and, when
// peak_gflops > 0, state.counters["%peak"].
void report_flops(benchmark::State& state, double flops_per_iteration, double peak_gflops);

// Single-core peak GFLOP/s of FMA on this CPU at `isa_width_floats` lanes, measured once
// per process by a register-only FMA loop (0 where the ISA is unavailable).
double measured_f32_fma_peak_gflops();

}  // namespace pqnn_bench
