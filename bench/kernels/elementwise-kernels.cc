// Elementwise microkernel benches (f32-vunary, f32-vbinary, f32-vmuladd, x32-vselect,
// x16-vselect): every
// kernel of this build, from the family lists, on rows of n elements (one kernel call per
// row, rows cycled through a buffer larger than L1 so loads are L2-resident as in a real
// activation pass). Reports GB/s of bytes read + written (a vector-scalar kernel's scalar
// not counted; a select reads three rows and writes one) and elements/s. Inputs in [-6, 6]
// (every branch of the activations taken); select conditions are 0, -0 or 1 (bits), each
// a third of the elements, in random order. f32-vmuladd runs as the channel-scale tail
// does (runtime-ops-scaled.c: one call per pixel of n channels, y = clamp(clamp(clamp(x * s)
// + x) + u) in place, s one row for all pixels), beside the same chain as the three
// f32-vbinary calls of the same tier it replaced (`/vbinary_steps`, a staged product).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
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
const Kernel kUnary[] = {
#include "microkernels/f32-vunary/f32-vunary.inc"
};
const Kernel kBinary[] = {
#include "microkernels/f32-vbinary/f32-vbinary.inc"
};
const Kernel kMulAdd[] = {
#include "microkernels/f32-vmuladd/f32-vmuladd.inc"
};
const Kernel kSelect32[] = {
#include "microkernels/x32-vselect/x32-vselect.inc"
};
const Kernel kSelect16[] = {
#include "microkernels/x16-vselect/x16-vselect.inc"
};
#undef PQNN_UKERNEL

std::vector<float> random_input(size_t count) { return pqnn_bench::random_floats(count, -6.0f, 6.0f); }

void report(benchmark::State& state, size_t elements, size_t bytes) {
  state.counters["GB/s"] = benchmark::Counter(static_cast<double>(bytes) * state.iterations(),
      benchmark::Counter::kIsRate, benchmark::Counter::kIs1000);
  state.counters["Gelem/s"] = benchmark::Counter(static_cast<double>(elements) * state.iterations() / 1e9,
      benchmark::Counter::kIsRate);
}

void unary(benchmark::State& state, const Kernel& k) {
  if (!pqnn_bench::isa_ok(state, k.isa)) return;
  const auto fn = reinterpret_cast<pqnn_vunary_ukernel_fn>(k.fn);
  const size_t n = static_cast<size_t>(state.range(0));
  const size_t rows = std::max<size_t>(1, kBufferBytes / (n * sizeof(float)));
  std::vector<float> x = random_input(rows * n);
  std::vector<float> y(rows * n);
  // Positive inputs for sqrt / log (their speed on NaN is not the interesting case).
  const std::string name = k.name;
  if (name.find("_sqrt_") != std::string::npos || name.find("_log_") != std::string::npos) {
    for (auto& v : x) v = std::fabs(v) + 0.01f;
  }
  const pqnn_f32_elementwise_params p = {-1.0f, 6.0f, 0.1f, 0.5f};
  size_t r = 0;
  for (auto _ : state) {
    fn(n, x.data() + r * n, y.data() + r * n, &p);
    r = r + 1 == rows ? 0 : r + 1;
  }
  benchmark::DoNotOptimize(y.data());
  report(state, n, 2 * n * sizeof(float));
}

void binary(benchmark::State& state, const Kernel& k) {
  if (!pqnn_bench::isa_ok(state, k.isa)) return;
  const auto fn = reinterpret_cast<pqnn_vbinary_ukernel_fn>(k.fn);
  const std::string name = k.name;
  const bool scalar_b = name.find("c__") != std::string::npos;
  const size_t n = static_cast<size_t>(state.range(0));
  const size_t rows = std::max<size_t>(1, kBufferBytes / (n * sizeof(float)));
  const std::vector<float> a = random_input(rows * n), b = random_input(rows * n);
  std::vector<float> y(rows * n);
  const pqnn_f32_elementwise_params p = {-INFINITY, INFINITY, 0.0f, 0.0f};
  size_t r = 0;
  for (auto _ : state) {
    fn(n, a.data() + r * n, b.data() + (scalar_b ? r : r * n), y.data() + r * n, &p);
    r = r + 1 == rows ? 0 : r + 1;
  }
  benchmark::DoNotOptimize(y.data());
  report(state, n, (scalar_b ? 2 : 3) * n * sizeof(float));
}

// T: uint32_t (x32-vselect, f32 bits) or uint16_t (x16-vselect, f16 bits).
template <typename T>
void vselect(benchmark::State& state, const Kernel& k) {
  if (!pqnn_bench::isa_ok(state, k.isa)) return;
  const auto fn = reinterpret_cast<pqnn_vselect_ukernel_fn>(k.fn);
  const size_t n = static_cast<size_t>(state.range(0));
  const size_t rows = std::max<size_t>(1, kBufferBytes / (n * sizeof(T)));
  // 1.0 and -0 in the format of T: a true condition and a false one that has its sign set.
  const T one = sizeof(T) == 4 ? T(0x3F800000u) : T(0x3C00u);
  const T negative_zero = sizeof(T) == 4 ? T(0x80000000u) : T(0x8000u);
  std::vector<T> c(rows * n), a(rows * n), b(rows * n), y(rows * n);
  std::uniform_int_distribution<int> third(0, 2);
  std::uniform_int_distribution<uint32_t> bits;
  for (size_t i = 0; i < c.size(); i++) {
    const int t = third(pqnn_bench::rng());
    c[i] = t == 0 ? T(0) : t == 1 ? negative_zero : one;
    a[i] = static_cast<T>(bits(pqnn_bench::rng()));
    b[i] = static_cast<T>(bits(pqnn_bench::rng()));
  }
  size_t r = 0;
  for (auto _ : state) {
    fn(n, c.data() + r * n, a.data() + r * n, b.data() + r * n, y.data() + r * n);
    r = r + 1 == rows ? 0 : r + 1;
  }
  benchmark::DoNotOptimize(y.data());
  report(state, n, 4 * n * sizeof(T));
}

// The tier's f32-vbinary kernel of operator `op` ("mul", "add"): the same ISA suffix.
pqnn_vbinary_ukernel_fn binary_of(const Kernel& k, const std::string& op) {
  const std::string name = k.name;
  const std::string suffix = name.substr(name.rfind("__"));
  for (const Kernel& b : kBinary) {
    if (std::string(b.name) == "pqnn_f32_vbinary_minmax_ukernel_" + op + suffix) {
      return reinterpret_cast<pqnn_vbinary_ukernel_fn>(b.fn);
    }
  }
  return nullptr;
}

// steps: the chain as three f32-vbinary calls (mul into a staged block, add, add).
void muladd(benchmark::State& state, const Kernel& k, bool steps) {
  if (!pqnn_bench::isa_ok(state, k.isa)) return;
  const auto fn = reinterpret_cast<pqnn_vmuladd_ukernel_fn>(k.fn);
  const pqnn_vbinary_ukernel_fn mul = binary_of(k, "mul"), add = binary_of(k, "add");
  if (mul == nullptr || add == nullptr) {
    state.SkipWithError("no f32-vbinary kernels of this tier");
    return;
  }
  const size_t n = static_cast<size_t>(state.range(0));
  const size_t rows = std::max<size_t>(1, kBufferBytes / (n * sizeof(float)));
  std::vector<float> x = random_input(rows * n);
  const std::vector<float> s = random_input(n), u = random_input(rows * n);
  std::vector<float> t(n);
  const pqnn_f32_muladd_params p = {{-INFINITY, -INFINITY, -INFINITY}, {INFINITY, INFINITY, INFINITY}};
  const pqnn_f32_elementwise_params e = {-INFINITY, INFINITY, 0.0f, 0.0f};
  size_t r = 0;
  for (auto _ : state) {
    float* y = x.data() + r * n;
    if (steps) {
      mul(n, y, s.data(), t.data(), &e);
      add(n, t.data(), y, y, &e);
      add(n, y, u.data() + r * n, y, &e);
    } else {
      fn(n, y, s.data(), y, u.data() + r * n, y, &p);
    }
    r = r + 1 == rows ? 0 : r + 1;
  }
  benchmark::DoNotOptimize(x.data());
  report(state, n, 3 * n * sizeof(float));
}

void sizes(benchmark::internal::Benchmark* b) {
  for (int n : {256, 4096, 16384, 65536}) b->Arg(n);
}

// Registered at static-initialization time, one benchmark per kernel.
const bool kRegistered = [] {
  for (const Kernel& k : kUnary) {
    benchmark::RegisterBenchmark(k.name, [&k](benchmark::State& s) { unary(s, k); })->Apply(sizes);
  }
  for (const Kernel& k : kBinary) {
    benchmark::RegisterBenchmark(k.name, [&k](benchmark::State& s) { binary(s, k); })->Apply(sizes);
  }
  for (const Kernel& k : kMulAdd) {
    for (const bool steps : {false, true}) {
      const std::string name = std::string(k.name) + (steps ? "/vbinary_steps" : "");
      benchmark::RegisterBenchmark(name.c_str(), [&k, steps](benchmark::State& s) {
        muladd(s, k, steps);
      })->Arg(32)->Arg(96)->Arg(256);
    }
  }
  for (const Kernel& k : kSelect32) {
    benchmark::RegisterBenchmark(k.name, [&k](benchmark::State& s) { vselect<uint32_t>(s, k); })
        ->Apply(sizes);
  }
  for (const Kernel& k : kSelect16) {
    benchmark::RegisterBenchmark(k.name, [&k](benchmark::State& s) { vselect<uint16_t>(s, k); })
        ->Apply(sizes);
  }
  return true;
}();

}  // namespace
