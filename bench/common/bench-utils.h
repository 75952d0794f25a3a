// Shared helpers for the benches: counters in GFLOP/s (or GOP/s) and % of this core's
// measured peak, and random data.
#pragma once

#include <benchmark/benchmark.h>

#include <cstddef>
#include <cstdint>
#include <random>
#include <vector>

extern "C" {
#include "hardware.h"
}

namespace pqnn_bench {

std::mt19937& rng();

// pqnn_initialize and whether `isa` is enabled on this CPU; else the benchmark is skipped
// with "ISA not available" and this returns false.
bool isa_ok(benchmark::State& state, enum pqnn_isa isa);

// `count` floats drawn uniformly from [lo, hi) with rng().
std::vector<float> random_floats(size_t count, float lo, float hi);

// Wall-clock time of a benchmark loop: construct right before `for (auto _ : state)`.
class LoopTimer {
 public:
  LoopTimer();
  double seconds() const;

 private:
  double start_;
};

// Sets state.counters["GFLOPS"] (flops_per_iteration * iterations / seconds) and, when
// peak_gflops > 0, state.counters["%peak"] (plain numbers).
void report_flops(benchmark::State& state, double flops_per_iteration, double seconds,
    double peak_gflops);

// Single-core peak GFLOP/s of FMA on this CPU at `isa_width_floats` lanes, measured once
// per process by a register-only FMA loop (0 where the ISA is unavailable).
double measured_f32_fma_peak_gflops();
// One fresh measurement (best of a few runs), for bench/peak.
double measure_f32_fma_peak_gflops_once();

}  // namespace pqnn_bench
