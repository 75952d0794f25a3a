// Every int8 GEMM microkernel this CPU supports (qs8_qc8w, qd8 -> f32, qd8 -> f16) on
// whole M x N x K problems with pre-packed weights: the timed loop walks N in blocks of
// columns whose weights fit half the L2 (as the operators do) and, per block, M in MR-row
// calls, each kernel call walking the block's columns. The IGEMM kernels the same way on 3x3
// convolutions (M output pixels, N output channels, K = 9 taps x C input channels): an
// indirection buffer of 9 row pointers per pixel into an input of M + 2 x 58 rows of C
// bytes (pixel p, tap t reads row p + (t / 3) x 58 + t % 3, a 56-wide image's neighbours;
// no zero-padding rows), one quantization entry for the call as the qd8 convolution passes. Reports GOPS (2*M*N*K per iteration),
// %vnni_peak (of the measured single-core vpdpbusd zmm peak, where AVX512-VNNI exists),
// %vnni_ymm_peak for the avxvnni kernels (of the {vex} vpdpbusd ymm peak, where AVX-VNNI
// exists) and %avx2_peak (of the measured AVX2 vpmaddwd peak). The peaks are benchmarks too.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include <pqnn.h>

#include "common/bench-utils.h"
#include "common/int8-peak.h"

extern "C" {
#include "hardware.h"
#include "microkernels.h"
#include "packing.h"
}

namespace {

// One int8 GEMM or IGEMM kernel of this build (fn: its gemm / dqgemm or igemm / dqigemm
// function, by variant and by the list it is in).
struct Kernel {
  const char* name;
  enum pqnn_isa isa;
  int variant;  // 0 qs8_qc8w, 1 qd8_f32, 2 qd8_f16
  size_t mr, nr, kr;
  int32_t input_offset;
  void* fn;
};

// The kernels of one family list (an .inc of src/microkernels) as Kernel rows of a variant.
#define PQNN_INT8_KERNEL(fn, tier, variant, mr, nr, kr, ioff)                               \
  Kernel{#fn, tier, variant, mr, nr, kr, ioff, reinterpret_cast<void*>(fn)},
const Kernel kKernels[] = {
#define PQNN_UKERNEL(tier, mr, nr, kr, ioff, fn) PQNN_INT8_KERNEL(fn, tier, 0, mr, nr, kr, ioff)
#include "microkernels/qs8-qc8w-gemm/qs8-qc8w-gemm.inc"
#undef PQNN_UKERNEL
#define PQNN_UKERNEL(tier, mr, nr, kr, ioff, fn) PQNN_INT8_KERNEL(fn, tier, 1, mr, nr, kr, ioff)
#include "microkernels/qd8-f32-qc8w-gemm/qd8-f32-qc8w-gemm.inc"
#undef PQNN_UKERNEL
#define PQNN_UKERNEL(tier, mr, nr, kr, ioff, fn) PQNN_INT8_KERNEL(fn, tier, 2, mr, nr, kr, ioff)
#include "microkernels/qd8-f16-qc8w-gemm/qd8-f16-qc8w-gemm.inc"
#undef PQNN_UKERNEL
};
const Kernel kIgemmKernels[] = {
#define PQNN_UKERNEL(tier, mr, nr, kr, ioff, fn) PQNN_INT8_KERNEL(fn, tier, 0, mr, nr, kr, ioff)
#include "microkernels/qs8-qc8w-igemm/qs8-qc8w-igemm.inc"
#undef PQNN_UKERNEL
#define PQNN_UKERNEL(tier, mr, nr, kr, ioff, fn) PQNN_INT8_KERNEL(fn, tier, 1, mr, nr, kr, ioff)
#include "microkernels/qd8-f32-qc8w-igemm/qd8-f32-qc8w-igemm.inc"
#undef PQNN_UKERNEL
#define PQNN_UKERNEL(tier, mr, nr, kr, ioff, fn) PQNN_INT8_KERNEL(fn, tier, 2, mr, nr, kr, ioff)
#include "microkernels/qd8-f16-qc8w-igemm/qd8-f16-qc8w-igemm.inc"
#undef PQNN_UKERNEL
};
#undef PQNN_INT8_KERNEL

struct Shape {
  size_t m, n, k;
};
const Shape kShapes[] = {
    {256, 1024, 1024}, {64, 768, 3072}, {1, 4096, 4096}, {256, 1024, 256}, {64, 1024, 1024},
};
// 3x3 convolutions: output pixels, output channels, input channels (K = 9 x C).
const Shape kConvShapes[] = {
    {3136, 64, 64}, {6400, 96, 96}, {784, 128, 128}, {6400, 24, 96},
    // small and large channel counts (kc per tap: the widened c8 IGEMM's threshold and chunks)
    {3136, 32, 16}, {3136, 64, 32}, {3136, 64, 40}, {196, 256, 256}, {49, 512, 512},
};
constexpr size_t kTaps = 9, kImageWidth = 58;

void Report(benchmark::State& state, double ops, const Kernel& kern) {
  const double iters = static_cast<double>(state.iterations());
  state.counters["GOPS"] =
      benchmark::Counter(ops * iters / 1e9, benchmark::Counter::kIsRate);
  const double vnni = pqnn_bench::measured_vpdpbusd_peak_gops();
  const double avx2 = pqnn_bench::measured_vpmaddwd_avx2_peak_gops();
  if (vnni > 0) {
    state.counters["%vnni_peak"] =
        benchmark::Counter(100.0 * ops * iters / (vnni * 1e9), benchmark::Counter::kIsRate);
  }
  const double vnni_ymm = kern.isa == pqnn_isa_avxvnni
      ? pqnn_bench::measured_vpdpbusd_ymm_peak_gops() : 0.0;
  if (vnni_ymm > 0) {
    state.counters["%vnni_ymm_peak"] = benchmark::Counter(
        100.0 * ops * iters / (vnni_ymm * 1e9), benchmark::Counter::kIsRate);
  }
  if (avx2 > 0 && kern.isa != pqnn_isa_scalar) {
    state.counters["%avx2_peak"] =
        benchmark::Counter(100.0 * ops * iters / (avx2 * 1e9), benchmark::Counter::kIsRate);
  }
}

void RunKernel(benchmark::State& state, const Kernel& kern, Shape s) {
  auto& rng = pqnn_bench::rng();
  std::uniform_int_distribution<int> i8(-128, 127), w8(-127, 127);
  std::vector<int8_t> a(s.m * s.k), w(s.n * s.k);
  for (auto& x : a) x = static_cast<int8_t>(i8(rng));
  for (auto& x : w) x = static_cast<int8_t>(w8(rng));
  std::vector<float> scale(s.n, 1e-4f), fbias(s.n, 0.5f);
  std::vector<int32_t> bias(s.n, 100);
  const size_t suffix = kern.variant == 0 ? 4 : 8;
  std::vector<int8_t> packed(
      pqnn_packed_gemm_size(1, s.n, 1, s.k, kern.nr, kern.kr, 1, 4, suffix) + 64);
  int8_t* pw = reinterpret_cast<int8_t*>(
      (reinterpret_cast<uintptr_t>(packed.data()) + 63) & ~static_cast<uintptr_t>(63));
  const size_t osz = kern.variant == 0 ? 1 : kern.variant == 1 ? 4 : 2;
  std::vector<uint8_t> c(s.m * s.n * osz);
  std::vector<pqnn_quantization_params> qp(s.m, pqnn_quantization_params{3, 0.01f});
  pqnn_qs8_minmax_params qparams{-128.0f - 1.0f, 127.0f - 1.0f, 1, -128, 127};
  pqnn_f32_minmax_params fparams{-1e30f, 1e30f};
  if (kern.variant == 0) {
    pqnn_pack_qs8_gemm(1, s.n, 1, s.k, kern.nr, kern.kr, false, w.data(), bias.data(),
        scale.data(), 5 + kern.input_offset, pw);
  } else {
    pqnn_pack_qd8_gemm(1, s.n, 1, s.k, kern.nr, kern.kr, false, w.data(), scale.data(),
        fbias.data(), pw);
  }
  // N in blocks whose packed weights take at most half the L2, as the operators' tiles
  // (pqnn_choose_gemm_tiles): every M tile then reads a block's weights from L2, not from
  // L3 (64x768x3072: 2.3 MiB of weights).
  const size_t panel = pqnn_packed_gemm_size(1, kern.nr, 1, s.k, kern.nr, kern.kr, 1, 4, suffix);
  const size_t block = std::max<size_t>(1, pqnn_hardware.l2_cache_size / 2 / panel) * kern.nr;
  for (auto _ : state) {
    for (size_t n0 = 0; n0 < s.n; n0 += block) {
      const size_t nc = std::min(block, s.n - n0);
      const int8_t* wb = pw + (n0 / kern.nr) * panel;
      for (size_t i = 0; i < s.m; i += kern.mr) {
        const size_t mb = std::min(kern.mr, s.m - i);
        uint8_t* cb = c.data() + (i * s.n + n0) * osz;
        if (kern.variant == 0) {
          reinterpret_cast<pqnn_gemm_ukernel_fn>(kern.fn)(mb, nc, s.k, a.data() + i * s.k, s.k, wb, cb, s.n * osz, kern.nr * osz,
              &qparams);
        } else {
          reinterpret_cast<pqnn_dqgemm_ukernel_fn>(kern.fn)(mb, nc, s.k, a.data() + i * s.k, s.k, wb, cb, s.n * osz, kern.nr * osz,
              &fparams, qp.data() + i);
        }
      }
    }
    benchmark::ClobberMemory();
  }
  Report(state, 2.0 * static_cast<double>(s.m * s.n * s.k), kern);
}

void RunIgemm(benchmark::State& state, const Kernel& kern, Shape s) {
  auto& rng = pqnn_bench::rng();
  std::uniform_int_distribution<int> i8(-128, 127), w8(-127, 127);
  const size_t rows = s.m + 2 * kImageWidth + 2, c_in = s.k;
  std::vector<int8_t> x(rows * c_in), w(s.n * kTaps * c_in), zero(c_in, 0);
  for (auto& v : x) v = static_cast<int8_t>(i8(rng));
  for (auto& v : w) v = static_cast<int8_t>(w8(rng));
  // Row blocks of MR pixels, each tap's MR pointers together (the IGEMM layout).
  const size_t blocks = (s.m + kern.mr - 1) / kern.mr;
  std::vector<const void*> ind(blocks * kTaps * kern.mr);
  for (size_t b = 0; b < blocks; b++) {
    for (size_t t = 0; t < kTaps; t++) {
      for (size_t i = 0; i < kern.mr; i++) {
        const size_t p = std::min(b * kern.mr + i, s.m - 1);
        ind[(b * kTaps + t) * kern.mr + i] = x.data() + (p + (t / 3) * kImageWidth + t % 3) * c_in;
      }
    }
  }
  std::vector<float> scale(s.n, 1e-4f), fbias(s.n, 0.5f);
  std::vector<int32_t> bias(s.n, 100);
  const size_t suffix = kern.variant == 0 ? 4 : 8;
  std::vector<int8_t> packed(
      pqnn_packed_gemm_size(1, s.n, kTaps, c_in, kern.nr, kern.kr, 1, 4, suffix) + 64);
  int8_t* pw = reinterpret_cast<int8_t*>(
      (reinterpret_cast<uintptr_t>(packed.data()) + 63) & ~static_cast<uintptr_t>(63));
  const size_t osz = kern.variant == 0 ? 1 : kern.variant == 1 ? 4 : 2;
  std::vector<uint8_t> c(s.m * s.n * osz);
  const pqnn_quantization_params qp{3, 0.01f};
  pqnn_qs8_minmax_params qparams{-128.0f - 1.0f, 127.0f - 1.0f, 1, -128, 127};
  pqnn_f32_minmax_params fparams{-1e30f, 1e30f};
  if (kern.variant == 0) {
    pqnn_pack_qs8_gemm(1, s.n, kTaps, c_in, kern.nr, kern.kr, false, w.data(), bias.data(),
        scale.data(), 5 + kern.input_offset, pw);
  } else {
    pqnn_pack_qd8_gemm(1, s.n, kTaps, c_in, kern.nr, kern.kr, false, w.data(), scale.data(),
        fbias.data(), pw);
  }
  const size_t ks = kTaps * kern.mr * sizeof(void*);
  for (auto _ : state) {
    for (size_t b = 0; b < blocks; b++) {
      const size_t i = b * kern.mr, mb = std::min(kern.mr, s.m - i);
      const void** a = ind.data() + b * kTaps * kern.mr;
      if (kern.variant == 0) {
        reinterpret_cast<pqnn_igemm_ukernel_fn>(kern.fn)(mb, s.n, c_in, ks, a, pw,
            c.data() + i * s.n * osz, s.n * osz, kern.nr * osz, 0, zero.data(), &qparams);
      } else {
        reinterpret_cast<pqnn_dqigemm_ukernel_fn>(kern.fn)(mb, s.n, c_in, ks, a, pw,
            c.data() + i * s.n * osz, s.n * osz, kern.nr * osz, 0, zero.data(), &fparams, &qp);
      }
    }
    benchmark::ClobberMemory();
  }
  Report(state, 2.0 * static_cast<double>(s.m * s.n * kTaps * c_in), kern);
}

void Peak(benchmark::State& state, double (*peak)()) {
  for (auto _ : state) benchmark::DoNotOptimize(peak());
  state.counters["GOPS"] = peak();
}

const int registered = [] {
  if (pqnn_initialize() != pqnn_status_success) return 0;
  benchmark::RegisterBenchmark("int8_peak/vpdpbusd_avx512vnni", Peak,
      pqnn_bench::measured_vpdpbusd_peak_gops)->Iterations(1);
  benchmark::RegisterBenchmark("int8_peak/vpmaddwd_avx2", Peak,
      pqnn_bench::measured_vpmaddwd_avx2_peak_gops)->Iterations(1);
  benchmark::RegisterBenchmark("int8_peak/vpdpbusd_avxvnni_ymm", Peak,
      pqnn_bench::measured_vpdpbusd_ymm_peak_gops)->Iterations(1);
  for (const Kernel& kern : kKernels) {
    if (!pqnn_isa_enabled(kern.isa)) continue;
    for (const Shape& s : kShapes) {
      const std::string name = std::string(kern.name) + "/M" + std::to_string(s.m) + "_N" +
          std::to_string(s.n) + "_K" + std::to_string(s.k);
      benchmark::RegisterBenchmark(name.c_str(), RunKernel, kern, s)
          ->Unit(benchmark::kMillisecond);
    }
  }
  for (const Kernel& kern : kIgemmKernels) {
    if (!pqnn_isa_enabled(kern.isa)) continue;
    for (const Shape& s : kConvShapes) {
      const std::string name = std::string(kern.name) + "/conv3x3_M" + std::to_string(s.m) +
          "_N" + std::to_string(s.n) + "_C" + std::to_string(s.k);
      benchmark::RegisterBenchmark(name.c_str(), RunIgemm, kern, s)
          ->Unit(benchmark::kMillisecond);
    }
  }
  return 1;
}();

}  // namespace
