// f32 depthwise-convolution kernel bench: every f32 dwconv kernel on MobileNet v2
// depthwise layers (3x3 taps) and two 5x5 layers, as whole layers: NHWC input, padding
// (k-1)/2 through the zero pointer, an indirection buffer of kernel_size pointers per
// output pixel built here, weights pre-packed, one kernel call per output row.
// GFLOPS = 2 * taps * channels * output pixels per layer; %peak against the measured
// single-core FMA peak of the best ISA here (pqnn_bench::measured_f32_fma_peak_gflops).
// Fixed-tap kernels run only the layers of their tap count; generic ones run all.
// Rates are per CPU time (not wall time): the build machine is shared, and CPU time is the
// steadier measure there.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <pqnn.h>  // before extern "C": it includes pthreadpool.h, which has C++ templates

#include "common/bench-utils.h"

extern "C" {
#include "hardware.h"
#include "microkernels.h"
#include "packing.h"
}

namespace {

struct Layer {
  const char* name;
  size_t h, w, c, k, stride;
};

// MobileNet v2 depthwise layers (input size, channels, stride), 5x5 layers of the
// MobileNet v3 / EfficientNet kind and PaddleOCR rec's small maps (1x3x48x320 input: its
// stride-1 3x3 and 5x5 layers; bench/operators/f32-depthwise has every rec shape).
const Layer kLayers[] = {
    {"mnv2_112x112x32_s1", 112, 112, 32, 3, 1},
    {"mnv2_112x112x96_s2", 112, 112, 96, 3, 2},
    {"mnv2_56x56x144_s1", 56, 56, 144, 3, 1},
    {"mnv2_28x28x192_s1", 28, 28, 192, 3, 1},
    {"mnv2_14x14x384_s1", 14, 14, 384, 3, 1},
    {"mnv2_14x14x576_s1", 14, 14, 576, 3, 1},
    {"mnv2_7x7x960_s1", 7, 7, 960, 3, 1},
    {"k5_28x28x240_s1", 28, 28, 240, 5, 1},
    {"k5_14x14x480_s1", 14, 14, 480, 5, 1},
    {"rec_24x160x32_s1", 24, 160, 32, 3, 1},
    {"rec_24x160x64_s1", 24, 160, 64, 3, 1},
    {"rec_12x160x128_s1", 12, 160, 128, 3, 1},
    {"rec_12x80x240_k5_s1", 12, 80, 240, 5, 1},
    {"rec_6x80x480_k5_s1", 6, 80, 480, 5, 1},
    {"rec_3x80x480_k5_s1", 3, 80, 480, 5, 1},
};

template <typename T>
struct AlignedDeleter {
  void operator()(T* p) const { std::free(p); }
};
template <typename T>
using AlignedPtr = std::unique_ptr<T[], AlignedDeleter<T>>;

template <typename T>
AlignedPtr<T> aligned_array(size_t count) {
  const size_t bytes = (count * sizeof(T) + 63) / 64 * 64;
  return AlignedPtr<T>(static_cast<T*>(std::aligned_alloc(64, bytes == 0 ? 64 : bytes)));
}

void run_layer(benchmark::State& state, pqnn_dwconv_ukernel_fn ukernel, size_t ct,
    enum pqnn_isa isa, const Layer& layer) {
  if (pqnn_initialize() != pqnn_status_success || !pqnn_isa_enabled(isa)) {
    state.SkipWithError("ISA not enabled on this CPU");
    return;
  }
  const size_t c = layer.c, k = layer.k, s = layer.stride, taps = k * k, pad = (k - 1) / 2;
  const size_t oh = (layer.h + 2 * pad - k) / s + 1, ow = (layer.w + 2 * pad - k) / s + 1;

  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  auto input = aligned_array<float>(layer.h * layer.w * c);
  for (size_t i = 0; i < layer.h * layer.w * c; i++) input[i] = dist(pqnn_bench::rng());
  auto zero = aligned_array<float>(c);
  for (size_t i = 0; i < c; i++) zero[i] = 0.0f;
  auto output = aligned_array<float>(oh * ow * c);

  std::vector<float> kernel(taps * c), bias(c);
  for (float& v : kernel) v = dist(pqnn_bench::rng());
  for (float& v : bias) v = dist(pqnn_bench::rng());
  const size_t packed_bytes = pqnn_packed_dwconv_size(c, taps, ct, sizeof(float), sizeof(float), 0);
  auto packed = aligned_array<float>(packed_bytes / sizeof(float));
  pqnn_pack_f32_dwconv(c, taps, ct, kernel.data(), bias.data(), packed.get());

  // Indirection: for output (y, x), taps pointers in (ky, kx) order.
  std::vector<const void*> indirection(oh * ow * taps);
  for (size_t y = 0; y < oh; y++) {
    for (size_t x = 0; x < ow; x++) {
      for (size_t ky = 0; ky < k; ky++) {
        for (size_t kx = 0; kx < k; kx++) {
          const size_t iy = y * s + ky - pad, ix = x * s + kx - pad;  // wraps when < 0
          const bool inside = iy < layer.h && ix < layer.w;
          indirection[(y * ow + x) * taps + ky * k + kx] =
              inside ? static_cast<const void*>(input.get() + (iy * layer.w + ix) * c)
                     : static_cast<const void*>(zero.get());
        }
      }
    }
  }
  struct pqnn_f32_minmax_params params = {0.0f, 6.0f};  // ReLU6, as in MobileNet v2

  pqnn_bench::LoopTimer timer;
  for (auto _ : state) {
    for (size_t y = 0; y < oh; y++) {
      ukernel(c, ow, taps, indirection.data() + y * ow * taps, packed.get(),
          output.get() + y * ow * c, taps * sizeof(void*), 0, 0, zero.get(), &params);
    }
    benchmark::ClobberMemory();
  }
  pqnn_bench::report_flops(state, 2.0 * static_cast<double>(taps * c * oh * ow), timer.seconds(),
      pqnn_bench::measured_f32_fma_peak_gflops());
}

struct Kernel {
  const char* name;
  pqnn_dwconv_ukernel_fn fn;
  size_t taps;
  size_t ct;
  enum pqnn_isa isa;
};

int register_all() {
  static const Kernel kernels[] = {
#define PQNN_UKERNEL(tier, taps, ct, kr, input_offset, fn) {#fn, fn, taps, ct, tier},
#include "microkernels/f32-dwconv/f32-dwconv.inc"
#undef PQNN_UKERNEL
  };
  const std::string prefix = "pqnn_f32_dwconv_minmax_ukernel_";
  for (const Kernel& kern : kernels) {
    std::string short_name = kern.name;
    if (short_name.rfind(prefix, 0) == 0) short_name = short_name.substr(prefix.size());
    for (const Layer& layer : kLayers) {
      if (kern.taps != 0 && kern.taps != layer.k * layer.k) continue;
      const Kernel* kp = &kern;
      const Layer* lp = &layer;
      benchmark::RegisterBenchmark(
          ("f32_dwconv/" + short_name + "/" + layer.name).c_str(),
          [kp, lp](benchmark::State& state) { run_layer(state, kp->fn, kp->ct, kp->isa, *lp); });
    }
  }
  return 0;
}

[[maybe_unused]] const int registered = register_all();

}  // namespace
