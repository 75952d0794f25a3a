// Reference qs8 / qs8_qc8w fully connected and 2D convolution (NHWC), bit-exact to the
// API.md arithmetic: int32 accumulation of (x - input_zero_point) * w plus bias, the
// requantization scale input_scale * kernel_scale[n] / output_scale in float left to right
// (product, then division), y = clamp(rne(float(acc) * scale) + output_zero_point).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "common/conv-reference.h"

namespace pqnn_test {

struct Qs8Quantization {
  int8_t input_zero_point = 0;
  float input_scale = 1.0f;
  std::vector<float> kernel_scale;  // 1 entry (qs8) or output_channels entries (qc8w)
  int8_t output_zero_point = 0;
  float output_scale = 1.0f;
  int8_t output_min = -128, output_max = 127;

  float requantization_scale(size_t n) const;
};

int8_t qs8_requantize(int32_t acc, float scale, const Qs8Quantization& q);

// y[b][n] for n < output_channels, contiguous (batch x output_channels).
void reference_qs8_fully_connected(size_t batch, size_t input_channels,
    size_t output_channels, size_t input_stride, const int8_t* input, const int8_t* kernel,
    bool transposed, const int32_t* bias, const Qs8Quantization& q, std::vector<int8_t>& output);

// y[b][oy][ox][n], contiguous (pixels x output_channels); padding reads as input_zero_point.
void reference_qs8_conv2d(const ConvShape& s, const int8_t* input, const int8_t* kernel,
    const int32_t* bias, const Qs8Quantization& q, std::vector<int8_t>& output);

}  // namespace pqnn_test
