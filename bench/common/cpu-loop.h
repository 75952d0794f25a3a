// Timing a benchmark loop in the calling thread's CPU time: on the shared 2-core dev box a
// pinned single-thread run gets a fraction of its core, which wall time counts and thread
// CPU time does not (bench/operators/*.cc).
#pragma once

#include <benchmark/benchmark.h>

#include <ctime>

namespace pqnn_bench {

inline double thread_cpu_seconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

// Runs run() once untimed, then once per benchmark iteration; returns the CPU seconds of
// the timed iterations.
template <class Run>
double time_cpu_loop(benchmark::State& state, Run run) {
  run();
  const double start = thread_cpu_seconds();
  for (auto _ : state) {
    run();
    benchmark::ClobberMemory();
  }
  return thread_cpu_seconds() - start;
}

}  // namespace pqnn_bench
