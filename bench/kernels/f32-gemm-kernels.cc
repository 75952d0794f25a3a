// f32 GEMM microkernels on whole GEMMs: C[M][N] = A[M][K] x B[K][N] + bias with
// pre-packed weights, single thread. Each iteration walks M in MR-row tiles, one kernel
// call per tile over the full N (the kernel walks N in NR blocks), so the A tile stays in
// L1 and the packed B panel streams. Counters: GFLOPS (2*M*N*K per iteration) and %peak
// of pqnn_bench::measured_f32_fma_peak_gflops() (the widest FMA this CPU and PQNN_ISA
// allow). Only kernels the CPU supports are registered.
//   taskset -c 1 build/bench/f32-gemm-kernels --benchmark_repetitions=5
//     --benchmark_report_aggregates_only=true [--benchmark_filter=avx2]
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdlib>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <pqnn.h>

#include "common/bench-utils.h"

extern "C" {
#include "hardware.h"
#include "microkernels.h"
#include "packing.h"
}

namespace {

struct Kernel {
  const char* name;
  pqnn_gemm_ukernel_fn fn;
  size_t mr, nr;
  enum pqnn_isa isa;
};

// Every f32 GEMM kernel of this build, from its list.
const Kernel kKernels[] = {
#define PQNN_UKERNEL(tier, mr, nr, kr, input_offset, fn) {#fn, fn, mr, nr, tier},
#include "microkernels/f32-gemm/f32-gemm.inc"
#undef PQNN_UKERNEL
};

struct Shape {
  size_t m, n, k;
};

// Transformer MLP / projection shapes, square GEMMs, a batch-1 GEMV, and K sweeps; narrow N
// (PaddleOCR det's 3x3 96 -> 24: the direct convolution's K = 864, a Winograd block's
// K = 96; N = 40, 56).
const Shape kShapes[] = {
    {64, 768, 3072}, {256, 1024, 64}, {256, 1024, 256}, {256, 1024, 1024},
    {1024, 1024, 1024}, {1, 4096, 4096},
    {1024, 24, 864}, {32, 24, 96}, {1024, 24, 96}, {1024, 40, 96}, {1024, 56, 96},
    // PaddleOCR det's 1x1 layers (N, K) in cache (M = 1024 rows: C fits L2): against the
    // whole maps in bench/f32-convolution ocr_det_pw_*, what the memory traffic costs
    {1024, 32, 16}, {1024, 48, 32}, {1024, 48, 48}, {1024, 96, 12},
    // N % 32 in 1..16 (a 16-column tail) over K: the narrow 7x16 tile against 7x32
    {1024, 48, 64}, {1024, 48, 96}, {1024, 48, 192}, {1024, 80, 32}, {1024, 80, 96},
    {1024, 144, 24}, {1024, 144, 96},
    // PaddleOCR rec's 1x1 layers (M pixels, N, K): 12x80 240 -> 240, 6x80 480 -> 480,
    // 3x80 480 -> 480, and its 120 -> 6625 classifier over 40 steps
    {960, 240, 240}, {480, 480, 480}, {240, 480, 480}, {40, 6625, 120},
};

void* aligned_alloc64(size_t bytes) {
  return std::aligned_alloc(64, (bytes + 63) / 64 * 64);
}

void gemm_bench(benchmark::State& state, const Kernel& kernel, const Shape& shape) {
  const size_t m = shape.m, n = shape.n, k = shape.k;
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  float* a = static_cast<float*>(aligned_alloc64(m * k * sizeof(float)));
  float* c = static_cast<float*>(aligned_alloc64(m * n * sizeof(float)));
  std::vector<float> b(n * k), bias(n);
  for (size_t i = 0; i < m * k; i++) a[i] = dist(pqnn_bench::rng());
  for (float& x : b) x = dist(pqnn_bench::rng());
  for (float& x : bias) x = dist(pqnn_bench::rng());
  const size_t packed_size =
      pqnn_packed_gemm_size(1, n, 1, k, kernel.nr, 1, sizeof(float), sizeof(float), 0);
  void* packed = aligned_alloc64(packed_size);
  pqnn_pack_f32_gemm(1, n, 1, k, kernel.nr, 1, false, b.data(), bias.data(), packed);
  std::fill(c, c + m * n, 0.0f);
  const struct pqnn_f32_minmax_params params = {-std::numeric_limits<float>::infinity(),
                                                std::numeric_limits<float>::infinity()};

  pqnn_bench::LoopTimer timer;
  for (auto _ : state) {
    for (size_t m0 = 0; m0 < m; m0 += kernel.mr) {
      kernel.fn(std::min(kernel.mr, m - m0), n, k * sizeof(float), a + m0 * k,
          k * sizeof(float), packed, c + m0 * n, n * sizeof(float), kernel.nr * sizeof(float),
          &params);
    }
    benchmark::ClobberMemory();
  }
  pqnn_bench::report_flops(state, 2.0 * m * n * k, timer.seconds(), pqnn_bench::measured_f32_fma_peak_gflops());
  std::free(packed);
  std::free(c);
  std::free(a);
}

const bool registered = [] {
  if (pqnn_initialize() != pqnn_status_success) return false;
  for (const Kernel& kernel : kKernels) {
    if (!pqnn_isa_enabled(kernel.isa)) continue;
    for (const Shape& shape : kShapes) {
      // pqnn_f32_gemm_minmax_ukernel_6x16__avx2_fma -> f32_gemm_6x16_avx2_fma
      std::string tile = std::string(kernel.name).substr(sizeof("pqnn_f32_gemm_minmax_ukernel_") - 1);
      tile.replace(tile.find("__"), 2, "_");
      const std::string name = std::string("f32_gemm_") + tile + "/M:" +
          std::to_string(shape.m) + "/N:" + std::to_string(shape.n) + "/K:" +
          std::to_string(shape.k);
      benchmark::RegisterBenchmark(name.c_str(), gemm_bench, kernel, shape)
          ->Unit(benchmark::kMillisecond);
    }
  }
  return true;
}();

}  // namespace
