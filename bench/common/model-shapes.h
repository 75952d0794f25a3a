// Layer shapes from real models, shared by every operator bench so that datatypes are
// compared on the same work: MobileNet v1/v2, ResNet-50, transformer MLP/attention
// projections (batch 1, 8, 64, 256) and LLM decode (batch 1).
#pragma once

#include <benchmark/benchmark.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <pqnn.h>

namespace pqnn_bench {

struct FcShape {
  const char* name;
  size_t batch, input_channels, output_channels;
  double flops() const { return 2.0 * double(batch) * double(input_channels) * double(output_channels); }
};

struct ConvShape {
  const char* name;
  size_t height, width;            // input
  uint32_t kernel, stride, padding;
  uint32_t groups;
  size_t group_input_channels, group_output_channels;
  bool depthwise;                  // PQNN_FLAG_DEPTHWISE_CONVOLUTION layout
  size_t output_height() const { return (height + 2 * padding - kernel) / stride + 1; }
  size_t output_width() const { return (width + 2 * padding - kernel) / stride + 1; }
  double flops() const {
    return 2.0 * double(output_height() * output_width()) * groups * group_output_channels *
        kernel * kernel * group_input_channels;
  }
};

const std::vector<FcShape>& fc_shapes();
const std::vector<ConvShape>& conv_shapes();
// Dense 3x3 stride-1 one-group layers (the f32 Winograd path's shapes): PaddleOCR det's
// 96 -> 24 at each of its four sizes, ResNet, and few / narrow channel counts. f32_conv3x3
// (f32 default path next to IGEMM) and qd8_conv3x3 (qd8 IGEMM with the convert) time them;
// the runtime's DRQ rule for them (runtime-passes.c, winograd_beats_qd8) comes from both.
const std::vector<ConvShape>& dense3x3_shapes();

// Registers "<prefix>/<shape>/threads:<t>" for t in {1, 2}; the body gets the shape and a
// threadpool (NULL for one thread).
void register_fc_benchmarks(const std::string& prefix,
    std::function<void(benchmark::State&, const FcShape&, pthreadpool_t)> body);
void register_conv_benchmarks(const std::string& prefix,
    std::function<void(benchmark::State&, const ConvShape&, pthreadpool_t)> body);

// Threadpool of `threads` threads (NULL for 1), owned by the bench process.
pthreadpool_t threadpool_for(size_t threads);

}  // namespace pqnn_bench
