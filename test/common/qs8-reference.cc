#include "common/qs8-reference.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

namespace pqnn_test {

float Qs8Quantization::requantization_scale(size_t n) const {
  const float ks = kernel_scale.size() == 1 ? kernel_scale[0] : kernel_scale[n];
  volatile float product = input_scale * ks;  // no contraction: product rounded first
  volatile float scale = product / output_scale;
  return scale;
}

int8_t qs8_requantize(int32_t acc, float scale, const Qs8Quantization& q) {
  volatile float scaled = float(acc) * scale;  // float product, rounded once
  // Integer bounds: clamping before or after rounding gives the same result.
  const double rounded = std::nearbyint(double(scaled));  // default mode: nearest even
  const double y = std::min(std::max(rounded + q.output_zero_point, double(q.output_min)),
      double(q.output_max));
  return int8_t(int32_t(y));
}

static int32_t checked(int64_t acc) {
  EXPECT_LE(acc, int64_t(INT32_MAX));
  EXPECT_GE(acc, int64_t(INT32_MIN));
  return int32_t(acc);
}

void reference_qs8_fully_connected(size_t batch, size_t input_channels,
    size_t output_channels, size_t input_stride, const int8_t* input, const int8_t* kernel,
    bool transposed, const int32_t* bias, const Qs8Quantization& q, std::vector<int8_t>& output) {
  output.assign(batch * output_channels, 0);
  for (size_t n = 0; n < output_channels; n++) {
    const float scale = q.requantization_scale(n);
    for (size_t m = 0; m < batch; m++) {
      int64_t acc = bias != nullptr ? bias[n] : 0;
      for (size_t k = 0; k < input_channels; k++) {
        const int32_t w = transposed ? kernel[k * output_channels + n] : kernel[n * input_channels + k];
        acc += int64_t(int32_t(input[m * input_stride + k]) - q.input_zero_point) * w;
      }
      output[m * output_channels + n] = qs8_requantize(checked(acc), scale, q);
    }
  }
}

void reference_qs8_conv2d(const ConvShape& s, const int8_t* input, const int8_t* kernel,
    const int32_t* bias, const Qs8Quantization& q, std::vector<int8_t>& output) {
  const size_t oh = s.output_height(), ow = s.output_width(), oc = s.output_channels();
  const size_t pt = s.effective_pad_top(), pl = s.effective_pad_left();
  output.assign(s.batch * oh * ow * oc, 0);
  std::vector<float> scales(oc);
  for (size_t n = 0; n < oc; n++) scales[n] = q.requantization_scale(n);
  for (size_t b = 0; b < s.batch; b++) {
    for (size_t oy = 0; oy < oh; oy++) {
      for (size_t ox = 0; ox < ow; ox++) {
        for (size_t g = 0; g < s.groups; g++) {
          for (size_t m = 0; m < s.group_output_channels; m++) {
            const size_t n = g * s.group_output_channels + m;
            int64_t acc = bias != nullptr ? bias[n] : 0;
            for (size_t ky = 0; ky < s.kernel_height; ky++) {
              const size_t iy = oy * s.stride_height + ky * s.dilation_height - pt;
              if (iy >= s.input_height) continue;  // padding: (zp - zp) * w = 0
              for (size_t kx = 0; kx < s.kernel_width; kx++) {
                const size_t ix = ox * s.stride_width + kx * s.dilation_width - pl;
                if (ix >= s.input_width) continue;
                const int8_t* px = input + ((b * s.input_height + iy) * s.input_width + ix) *
                    s.input_channel_stride + g * s.group_input_channels;
                for (size_t c = 0; c < s.group_input_channels; c++) {
                  acc += int64_t(int32_t(px[c]) - q.input_zero_point) *
                      kernel[s.kernel_index(g, m, ky, kx, c)];
                }
              }
            }
            output[((b * oh + oy) * ow + ox) * oc + n] = qs8_requantize(checked(acc), scales[n], q);
          }
        }
      }
    }
  }
}

}  // namespace pqnn_test
