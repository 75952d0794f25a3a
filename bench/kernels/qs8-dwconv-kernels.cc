// qs8 x qc8w depthwise-convolution microkernel benches on the MobileNet v2 3x3 depthwise
// layers (input H x W x C, stride 1 or 2, padding 1): one kernel call per output row over
// an indirection buffer built as the operator would (padding taps at the zero buffer),
// weights pre-packed. Reports GOP/s (2 * 9 * C * OH * OW per layer, a multiply-add = 2
// ops) and that rate as % of the measured single-core f32 FMA peak (a reference point:
// the int8 path has no FMA-equivalent instruction on pre-VNNI x86).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <vector>

#include <pqnn.h>

#include "common/bench-utils.h"

extern "C" {
#include "hardware.h"
#include "microkernels.h"
#include "packing.h"
}

namespace {

struct Layer {
  size_t h, w, c, stride;
};
const Layer kLayers[] = {
    {112, 112, 32, 1}, {112, 112, 96, 2}, {56, 56, 144, 1}, {56, 56, 144, 2}, {28, 28, 192, 1},
    {28, 28, 192, 2}, {14, 14, 384, 1}, {14, 14, 576, 1}, {14, 14, 576, 2}, {7, 7, 960, 1},
};

// tap_group 4: the vpdpbusd kernels (taps packed in quads, input offset 128).
void dwconv(benchmark::State& state, pqnn_dwconv_ukernel_fn fn, size_t ct, size_t tap_group,
    enum pqnn_isa isa) {
  if (pqnn_initialize() != pqnn_status_success || !pqnn_isa_enabled(isa)) {
    state.SkipWithError("ISA not available");
    return;
  }
  const Layer& l = kLayers[state.range(0)];
  const size_t kh = 3, kw = 3, taps = kh * kw, pad = 1;
  const size_t oh = (l.h + 2 * pad - kh) / l.stride + 1, ow = (l.w + 2 * pad - kw) / l.stride + 1;
  auto& rng = pqnn_bench::rng();
  std::uniform_int_distribution<int> i8(-128, 127), w8(-127, 127);
  std::vector<int8_t> input(l.h * l.w * l.c);
  for (auto& v : input) v = static_cast<int8_t>(i8(rng));
  std::vector<int8_t> kernel(taps * l.c);
  for (auto& v : kernel) v = static_cast<int8_t>(w8(rng));
  std::vector<int32_t> bias(l.c, 1000);
  std::vector<float> scale(l.c, 0.0013f);
  const int32_t izp = 3;
  std::vector<int8_t> zero(l.c, static_cast<int8_t>(izp));
  const size_t padded_taps = (taps + tap_group - 1) / tap_group * tap_group;
  std::vector<uint8_t> packed(pqnn_packed_dwconv_size(l.c, padded_taps, ct, 1, 4, 4));
  pqnn_pack_qs8_dwconv(l.c, taps, ct, tap_group, kernel.data(), bias.data(), scale.data(),
      izp + (tap_group == 4 ? 128 : 0), packed.data());
  // Indirection [oh][ow][taps], tap order (ky, kx).
  std::vector<const void*> ind(oh * ow * taps);
  for (size_t y = 0; y < oh; y++) {
    for (size_t x = 0; x < ow; x++) {
      for (size_t ky = 0; ky < kh; ky++) {
        for (size_t kx = 0; kx < kw; kx++) {
          const ptrdiff_t iy = static_cast<ptrdiff_t>(y * l.stride + ky) - static_cast<ptrdiff_t>(pad);
          const ptrdiff_t ix = static_cast<ptrdiff_t>(x * l.stride + kx) - static_cast<ptrdiff_t>(pad);
          const bool inside = iy >= 0 && ix >= 0 && iy < static_cast<ptrdiff_t>(l.h) &&
                              ix < static_cast<ptrdiff_t>(l.w);
          ind[(y * ow + x) * taps + ky * kw + kx] =
              inside ? static_cast<const void*>(input.data() + (iy * l.w + ix) * l.c) : zero.data();
        }
      }
    }
  }
  std::vector<int8_t> output(oh * ow * l.c);
  pqnn_qs8_minmax_params params;
  params.output_zero_point = -2;
  params.output_min = -128;
  params.output_max = 127;
  params.output_min_less_zero_point = static_cast<float>(-128 + 2);
  params.output_max_less_zero_point = static_cast<float>(127 + 2);
  pqnn_bench::LoopTimer timer;
  for (auto _ : state) {
    for (size_t y = 0; y < oh; y++) {
      fn(l.c, ow, taps, ind.data() + y * ow * taps, packed.data(), output.data() + y * ow * l.c,
          taps * sizeof(void*), 0, 0, zero.data(), &params);
    }
  }
  benchmark::DoNotOptimize(output.data());
  pqnn_bench::report_flops(state, 2.0 * static_cast<double>(taps * l.c * oh * ow), timer.seconds(),
      pqnn_bench::measured_f32_fma_peak_gflops());
  state.counters["peak_GFLOPS"] = pqnn_bench::measured_f32_fma_peak_gflops();
  state.counters["GOPS"] = state.counters["GFLOPS"];
  state.counters.erase("GFLOPS");
  state.SetLabel(std::to_string(l.h) + "x" + std::to_string(l.w) + "x" + std::to_string(l.c) +
                 "/s" + std::to_string(l.stride));
}

void layers(benchmark::internal::Benchmark* b) {
  for (size_t i = 0; i < sizeof(kLayers) / sizeof(kLayers[0]); i++) b->Arg(static_cast<int>(i));
}

#define DW(taps, ct, isa, tier)                                                                     \
  static void qs8_dwconv_##taps##p##ct##c__##isa(benchmark::State& state) {                         \
    dwconv(state, pqnn_qs8_qc8w_dwconv_minmax_fp32_ukernel_##taps##p##ct##c__##isa, ct, 1, tier);  \
  }                                                                                                 \
  BENCHMARK(qs8_dwconv_##taps##p##ct##c__##isa)->Apply(layers);
#define DW4(taps, ct, isa, tier)                                                                    \
  static void qs8_dwconv_##taps##p##ct##c4__##isa(benchmark::State& state) {                        \
    dwconv(state, pqnn_qs8_qc8w_dwconv_minmax_fp32_ukernel_##taps##p##ct##c4__##isa, ct, 4, tier); \
  }                                                                                                 \
  BENCHMARK(qs8_dwconv_##taps##p##ct##c4__##isa)->Apply(layers);

DW(9, 1, scalar, pqnn_isa_scalar)
DW(any, 1, scalar, pqnn_isa_scalar)
#if defined(__x86_64__)
DW(9, 8, sse2, pqnn_isa_sse2)
DW(any, 8, sse2, pqnn_isa_sse2)
DW(9, 16, avx2, pqnn_isa_avx2)
DW(any, 16, avx2, pqnn_isa_avx2)
DW(9, 32, avx512skx, pqnn_isa_avx512)
DW(any, 32, avx512skx, pqnn_isa_avx512)
DW4(9, 64, avx512vnni, pqnn_isa_avx512vnni)
DW4(any, 64, avx512vnni, pqnn_isa_avx512vnni)
#elif defined(__aarch64__)
DW(9, 16, neon, pqnn_isa_neon)
DW(any, 16, neon, pqnn_isa_neon)
#endif

}  // namespace
