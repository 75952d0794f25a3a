// f16 GEMM microkernels (f16 storage, f32 accumulation) on whole M x N x K problems with
// pre-packed weights, tiled as an operator would: N in blocks whose packed panels stay in
// L2 (about 512 KiB), each block swept by MR-row calls. Reports GFLOP/s (2*M*N*K per
// iteration) and % of the single-core f32 FMA peak measured on this CPU (AVX512 peak where
// AVX512 is enabled, else AVX2). Kernels whose ISA is unavailable are reported as skipped.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <memory>
#include <random>
#include <vector>

#include <fp16.h>

#include <pqnn.h>

#include "common/bench-utils.h"

extern "C" {
#include "hardware.h"
#include "microkernels.h"
#include "packing.h"
}

namespace {

struct AlignedFree {
  void operator()(void* p) const { std::free(p); }
};

void f16_gemm(benchmark::State& state, pqnn_gemm_ukernel_fn gemm, size_t mr, size_t nr,
              enum pqnn_isa isa) {
  if (pqnn_initialize() != pqnn_status_success || !pqnn_isa_enabled(isa)) {
    state.SkipWithError("ISA not available on this CPU / PQNN_ISA");
    return;
  }
  const size_t M = static_cast<size_t>(state.range(0));
  const size_t N = static_cast<size_t>(state.range(1));
  const size_t K = static_cast<size_t>(state.range(2));
  auto& g = pqnn_bench::rng();
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<uint16_t> a(M * K), kernel(N * K), bias(N), c(M * N);
  for (auto& v : a) v = fp16_ieee_from_fp32_value(dist(g));
  for (auto& v : kernel) v = fp16_ieee_from_fp32_value(dist(g));
  for (auto& v : bias) v = fp16_ieee_from_fp32_value(dist(g));
  const size_t packed_bytes = pqnn_packed_gemm_size(1, N, 1, K, nr, 1, 2, 2, 0);
  std::unique_ptr<void, AlignedFree> packed(std::aligned_alloc(64, (packed_bytes + 63) / 64 * 64));
  pqnn_pack_f16_gemm(1, N, 1, K, nr, 1, false, false, kernel.data(), bias.data(), packed.get());
  const size_t panel_bytes = (K + 1) * nr * sizeof(uint16_t);
  const size_t nb = std::max(nr, (512 * 1024 / panel_bytes) * nr);
  struct pqnn_f32_minmax_params params = {-INFINITY, INFINITY};

  pqnn_bench::LoopTimer timer;
  for (auto _ : state) {
    for (size_t n0 = 0; n0 < N; n0 += nb) {
      const size_t nc = std::min(nb, N - n0);
      const void* w = static_cast<const char*>(packed.get()) + (n0 / nr) * panel_bytes;
      for (size_t m0 = 0; m0 < M; m0 += mr) {
        gemm(std::min(mr, M - m0), nc, K * sizeof(uint16_t), a.data() + m0 * K,
             K * sizeof(uint16_t), w, c.data() + m0 * N + n0, N * sizeof(uint16_t),
             nr * sizeof(uint16_t), &params);
      }
    }
    benchmark::ClobberMemory();
  }
  pqnn_bench::report_flops(state, 2.0 * static_cast<double>(M * N * K), timer.seconds(),
                           pqnn_bench::measured_f32_fma_peak_gflops());
}

void Shapes(benchmark::internal::Benchmark* b) {
  b->ArgNames({"M", "N", "K"});
  b->Args({256, 1024, 1024});
  b->Args({64, 768, 3072});
  b->Args({1, 4096, 4096});
}

}  // namespace

// Every f16 GEMM kernel of this build, from its list.
#define PQNN_UKERNEL(tier, mr, nr, kr, input_offset, fn)                                   \
  BENCHMARK_CAPTURE(f16_gemm, fn, fn, mr, nr, tier)->Apply(Shapes)->Unit(benchmark::kMicrosecond);
#include "microkernels/f16-gemm/f16-gemm.inc"
#undef PQNN_UKERNEL
