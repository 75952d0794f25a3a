// Softmax row microkernel benches (f32-rmax, f32-expsum): every kernel of this build, from
// the family lists, on rows of n elements (one call per row, rows cycled through a 512 KiB
// buffer so loads come from L2 as in a model's softmax). Reports elements/s. Inputs in
// [-20, 20]; expsum gets the row max (x - max <= 0, as the softmax node calls it).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <random>
#include <vector>

#include <pqnn.h>

#include "common/bench-utils.h"

extern "C" {
#include "hardware.h"
#include "microkernels.h"
}

namespace {

constexpr size_t kBufferBytes = 512 * 1024;

struct Kernel {
  const char* name;
  void (*fn)();
  enum pqnn_isa isa;
};

#define PQNN_UKERNEL(tier, mr, nr, kr, input_offset, fn) {#fn, reinterpret_cast<void (*)()>(fn), tier},
const Kernel kRmax[] = {
#include "microkernels/f32-rmax/f32-rmax.inc"
};
const Kernel kExpsum[] = {
#include "microkernels/f32-expsum/f32-expsum.inc"
};
#undef PQNN_UKERNEL

std::vector<float> random_input(size_t count) { return pqnn_bench::random_floats(count, -20.0f, 20.0f); }

void report(benchmark::State& state, size_t elements) {
  state.counters["Gelem/s"] = benchmark::Counter(static_cast<double>(elements) * state.iterations() / 1e9,
      benchmark::Counter::kIsRate);
}

void rmax(benchmark::State& state, const Kernel& k) {
  if (!pqnn_bench::isa_ok(state, k.isa)) return;
  const auto fn = reinterpret_cast<pqnn_rmax_ukernel_fn>(k.fn);
  const size_t n = static_cast<size_t>(state.range(0));
  const size_t rows = std::max<size_t>(1, kBufferBytes / (n * sizeof(float)));
  const std::vector<float> x = random_input(rows * n);
  float m = 0.0f;
  size_t r = 0;
  for (auto _ : state) {
    fn(n, x.data() + r * n, &m);
    benchmark::DoNotOptimize(m);
    r = r + 1 == rows ? 0 : r + 1;
  }
  report(state, n);
}

void expsum(benchmark::State& state, const Kernel& k) {
  if (!pqnn_bench::isa_ok(state, k.isa)) return;
  const auto fn = reinterpret_cast<pqnn_expsum_ukernel_fn>(k.fn);
  const size_t n = static_cast<size_t>(state.range(0));
  const size_t rows = std::max<size_t>(1, kBufferBytes / (n * sizeof(float)));
  const std::vector<float> x = random_input(rows * n);
  std::vector<float> y(rows * n);
  float s = 0.0f;
  size_t r = 0;
  for (auto _ : state) {
    fn(n, x.data() + r * n, 20.0f, y.data() + r * n, &s);
    benchmark::DoNotOptimize(s);
    r = r + 1 == rows ? 0 : r + 1;
  }
  benchmark::DoNotOptimize(y.data());
  report(state, n);
}

void sizes(benchmark::internal::Benchmark* b) {
  for (int n : {1000, 6625}) b->Arg(n);
}

// Registered at static-initialization time, one benchmark per kernel.
const bool kRegistered = [] {
  for (const Kernel& k : kRmax) {
    benchmark::RegisterBenchmark(k.name, [&k](benchmark::State& s) { rmax(s, k); })->Apply(sizes);
  }
  for (const Kernel& k : kExpsum) {
    benchmark::RegisterBenchmark(k.name, [&k](benchmark::State& s) { expsum(s, k); })->Apply(sizes);
  }
  return true;
}();

}  // namespace
