// This core's f32 FMA peak: pqnn_bench::measured_f32_fma_peak_gflops() (the value every
// bench divides by for %peak; thread CPU time of a register-only FMA loop at the widest
// width the CPU and PQNN_ISA allow), reported as a benchmark of its own.
//   taskset -c 1 build/bench/peak --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include "common/bench-utils.h"

namespace {

void measured_peak(benchmark::State& state) {
  double peak = 0.0;
  for (auto _ : state) {
    peak = pqnn_bench::measure_f32_fma_peak_gflops_once();
    benchmark::DoNotOptimize(peak);
  }
  state.counters["peak_GFLOPS"] = peak;
}
BENCHMARK(measured_peak)->Iterations(3);

}  // namespace
