// f32 depthwise convolution operator on the depthwise layers of the PaddleOCR models (det
// 1x3x640x640, rec 1x3x48x320, cls 1x3x48x192: every distinct shape, from
// scripts/ort-reference.sh's models) and MobileNet v1/v2: time of pqnn_run_operator and
// GFLOP/s (2 x taps x output elements / CPU time of the thread: on a shared machine wall
// time counts the other processes' share), one thread. Each shape runs twice in one
// process, side by side: "row", the DWCONV path as shipped (row kernels for the interior
// columns where the tier has them), and "pixel", the same operator with the row kernel
// unbound before reshape (every pixel through the per-pixel kernel and its
// indirection buffer: the path before row kernels), so the ratio is measured on one
// machine state. The output lies PQNN_DWCONV_SKEW bytes off the input modulo 4 KiB, as the
// runtime places it (at 1 KiB-multiple pixel steps an aliased placement runs per pixel:
// src/configs/config.h).
// The 3x3 / 5x5 shapes also run as "epilogue": "row" with rec's output epilogue bound (a
// fused hardswish, then a fused per-channel affine: src/operators/epilogue.c), as shipped:
// in the row kernel's registers where the tier has that row kernel (f32-dwconv-row-epi),
// so the ratio to "row" is the epilogue's cost; as "one-pass": the same epilogue with the
// in-register row kernel unbound, applied per output row after the row kernel by its
// one-pass kernel (f32-vunary-affine); and as "two-pass": with that one unbound too, the
// hardswish pass then the affine's DWCONV pass as before issue 14. "one-pass" /
// "epilogue" is the in-register epilogue's gain, "two-pass" / "one-pass" the one-pass
// kernel's.
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <ctime>
#include <string>
#include <vector>

#include <pqnn.h>

#include "common/bench-utils.h"

extern "C" {
#include "configs/config.h"
#include "operator.h"
}

namespace {

double thread_seconds() {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}

struct DwShape {
  const char* name;
  size_t channels, height, width;
  uint32_t kernel, stride_height, stride_width;
};

// Padding is kernel / 2 everywhere (as in the models).
const std::vector<DwShape>& shapes() {
  static const std::vector<DwShape> list = {
    {"det_16x320x320_3x3", 16, 320, 320, 3, 1, 1},
    {"det_32x320x320_3x3s2", 32, 320, 320, 3, 2, 2},
    {"det_48x160x160_3x3", 48, 160, 160, 3, 1, 1},
    {"det_48x160x160_3x3s2", 48, 160, 160, 3, 2, 2},
    {"det_96x80x80_3x3", 96, 80, 80, 3, 1, 1},
    {"det_96x80x80_3x3s2", 96, 80, 80, 3, 2, 2},
    {"det_192x40x40_5x5", 192, 40, 40, 5, 1, 1},
    {"det_192x40x40_5x5s2", 192, 40, 40, 5, 2, 2},
    {"det_384x20x20_5x5", 384, 20, 20, 5, 1, 1},
    {"rec_16x24x160_3x3", 16, 24, 160, 3, 1, 1},
    {"rec_32x24x160_3x3", 32, 24, 160, 3, 1, 1},
    {"rec_64x24x160_3x3", 64, 24, 160, 3, 1, 1},
    {"rec_64x24x160_3x3s2x1", 64, 24, 160, 3, 2, 1},
    {"rec_128x12x160_3x3", 128, 12, 160, 3, 1, 1},
    {"rec_128x12x160_3x3s1x2", 128, 12, 160, 3, 1, 2},
    {"rec_240x12x80_5x5", 240, 12, 80, 5, 1, 1},
    {"rec_240x12x80_5x5s2x1", 240, 12, 80, 5, 2, 1},
    {"rec_480x6x80_5x5", 480, 6, 80, 5, 1, 1},
    {"rec_480x6x80_5x5s2x1", 480, 6, 80, 5, 2, 1},
    {"rec_480x3x80_5x5", 480, 3, 80, 5, 1, 1},
    // rec's learnable affine blocks after a hardswish: Mul by a constant, run as a 1x1
    // depthwise conv (docs/onnx.md, elementwise lowering).
    {"rec_16x24x160_1x1", 16, 24, 160, 1, 1, 1},
    {"rec_32x24x160_1x1", 32, 24, 160, 1, 1, 1},
    {"rec_64x24x160_1x1", 64, 24, 160, 1, 1, 1},
    {"rec_128x12x160_1x1", 128, 12, 160, 1, 1, 1},
    {"rec_128x12x80_1x1", 128, 12, 80, 1, 1, 1},
    {"rec_240x12x80_1x1", 240, 12, 80, 1, 1, 1},
    {"rec_480x6x80_1x1", 480, 6, 80, 1, 1, 1},
    {"rec_480x3x80_1x1", 480, 3, 80, 1, 1, 1},
    {"cls_8x24x96_3x3s2x1", 8, 24, 96, 3, 2, 1},
    {"cls_24x12x96_3x3s2x1", 24, 12, 96, 3, 2, 1},
    {"cls_32x6x96_3x3", 32, 6, 96, 3, 1, 1},
    {"cls_32x6x96_5x5s2x1", 32, 6, 96, 5, 2, 1},
    {"cls_40x3x96_5x5", 40, 3, 96, 5, 1, 1},
    {"cls_88x3x96_5x5", 88, 3, 96, 5, 1, 1},
    {"cls_200x2x96_5x5", 200, 2, 96, 5, 1, 1},
    {"mnv1_32x112x112_3x3", 32, 112, 112, 3, 1, 1},
    {"mnv1_64x112x112_3x3s2", 64, 112, 112, 3, 2, 2},
    {"mnv1_128x56x56_3x3", 128, 56, 56, 3, 1, 1},
    {"mnv1_128x56x56_3x3s2", 128, 56, 56, 3, 2, 2},
    {"mnv1_256x28x28_3x3", 256, 28, 28, 3, 1, 1},
    {"mnv1_256x28x28_3x3s2", 256, 28, 28, 3, 2, 2},
    {"mnv1_512x14x14_3x3", 512, 14, 14, 3, 1, 1},
    {"mnv1_512x14x14_3x3s2", 512, 14, 14, 3, 2, 2},
    {"mnv1_1024x7x7_3x3", 1024, 7, 7, 3, 1, 1},
    {"mnv2_96x112x112_3x3s2", 96, 112, 112, 3, 2, 2},
    {"mnv2_144x56x56_3x3", 144, 56, 56, 3, 1, 1},
    {"mnv2_144x56x56_3x3s2", 144, 56, 56, 3, 2, 2},
    {"mnv2_192x28x28_3x3", 192, 28, 28, 3, 1, 1},
    {"mnv2_192x28x28_3x3s2", 192, 28, 28, 3, 2, 2},
    {"mnv2_384x14x14_3x3", 384, 14, 14, 3, 1, 1},
    {"mnv2_576x14x14_3x3", 576, 14, 14, 3, 1, 1},
    {"mnv2_576x14x14_3x3s2", 576, 14, 14, 3, 2, 2},
    {"mnv2_960x7x7_3x3", 960, 7, 7, 3, 1, 1},
  };
  return list;
}

enum class Mode { pixel, row, epilogue, one_pass, two_pass };

const char* mode_name(Mode m) {
  static const char* const kNames[] = {"pixel", "row", "epilogue", "one-pass", "two-pass"};
  return kNames[static_cast<int>(m)];
}

void f32_depthwise(benchmark::State& state, const DwShape& s, Mode mode) {
  const bool rows = mode != Mode::pixel;
  if (pqnn_initialize() != pqnn_status_success) {
    state.SkipWithError("pqnn_initialize failed");
    return;
  }
  const size_t c = s.channels, k = s.kernel, pad = k / 2;
  const size_t oh = (s.height + 2 * pad - k) / s.stride_height + 1;
  const size_t ow = (s.width + 2 * pad - k) / s.stride_width + 1;
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  // Slack for alignment: the input starts at a 4 KiB boundary, the output PQNN_DWCONV_SKEW
  // bytes past one, as the runtime's arena places them (configs/config.h: 4 KiB aliasing).
  std::vector<float> input(s.height * s.width * c + 1024), kernel(k * k * c), bias(c),
      output(oh * ow * c + 2048), scale(c), shift(c);
  const auto page = [](float* p) {
    return reinterpret_cast<float*>((reinterpret_cast<uintptr_t>(p) + 4095) & ~uintptr_t(4095));
  };
  float* in = page(input.data());
  float* out = page(output.data()) + PQNN_DWCONV_SKEW / sizeof(float);
  for (auto* v : {&input, &kernel, &bias, &scale, &shift}) {
    for (float& x : *v) x = dist(pqnn_bench::rng());
  }
  pqnn_operator_t op = nullptr;
  if (pqnn_create_convolution2d_nhwc_f32(uint32_t(pad), uint32_t(pad), uint32_t(pad),
          uint32_t(pad), uint32_t(k), uint32_t(k), s.stride_height, s.stride_width, 1, 1,
          uint32_t(c), 1, 1, c, c, kernel.data(), bias.data(), 0.0f, 6.0f,
          PQNN_FLAG_DEPTHWISE_CONVOLUTION, &op) != pqnn_status_success) {
    state.SkipWithError("operator creation failed");
    return;
  }
  const bool has_rows = op->dwconv_row != nullptr;
  // "pixel": the row kernel unbound before reshape, so that reshape builds the per-pixel
  // kernel's indirection for every pixel (with a row kernel it builds none where the row
  // kernel takes every pixel).
  if (!rows) op->dwconv_row = nullptr;
  if (pqnn_reshape_convolution2d_nhwc_f32(op, 1, s.height, s.width, nullptr, nullptr, nullptr) !=
          pqnn_status_success ||
      pqnn_setup_convolution2d_nhwc_f32(op, in, out) != pqnn_status_success) {
    state.SkipWithError("operator reshape / setup failed");
    pqnn_delete_operator(op);
    return;
  }
  pqnn_operator_t affine = nullptr;
  const bool epilogue = mode == Mode::epilogue || mode == Mode::one_pass ||
      mode == Mode::two_pass;
  if (epilogue) {
    const pqnn_f32_elementwise_params params = {-INFINITY, INFINITY, 0.0f, 0.0f};
    if (pqnn_create_convolution2d_nhwc_f32(0, 0, 0, 0, 1, 1, 1, 1, 1, 1, uint32_t(c), 1, 1, c,
            c, scale.data(), shift.data(), -INFINITY, INFINITY,
            PQNN_FLAG_DEPTHWISE_CONVOLUTION, &affine) != pqnn_status_success ||
        pqnn_set_output_activation(op,
            pqnn_get_elementwise_config()->unary[pqnn_unary_hardswish], &params, true) !=
            pqnn_status_success ||
        pqnn_set_output_affine(op, affine) != pqnn_status_success) {
      state.SkipWithError("epilogue binding failed");
      pqnn_delete_operator(affine);
      pqnn_delete_operator(op);
      return;
    }
    if (mode != Mode::epilogue) op->epilogue.row_fused = nullptr;
    if (mode == Mode::two_pass) {
      op->epilogue.affine_act = nullptr;
      op->epilogue.affine_only = nullptr;
    }
  }
  const double start = thread_seconds();
  for (auto _ : state) {
    pqnn_run_operator(op, nullptr);
    benchmark::ClobberMemory();
  }
  const double seconds = thread_seconds() - start;
  pqnn_bench::report_flops(state, 2.0 * double(oh * ow * c * k * k), seconds,
      pqnn_bench::measured_f32_fma_peak_gflops());
  state.SetLabel(std::string(pqnn_isa_name()) + (rows && has_rows ? " row" : " pixel"));
  pqnn_delete_operator(op);
  pqnn_delete_operator(affine);
}

const bool registered = [] {
  for (const DwShape& s : shapes()) {
    for (Mode mode : {Mode::pixel, Mode::row, Mode::epilogue, Mode::one_pass, Mode::two_pass}) {
      if (s.kernel == 1 && mode != Mode::pixel && mode != Mode::row) continue;
      benchmark::RegisterBenchmark(
          (std::string("f32_depthwise/") + s.name + "/" + mode_name(mode)).c_str(),
          [s, mode](benchmark::State& state) { f32_depthwise(state, s, mode); });
    }
  }
  return true;
}();

}  // namespace
