// Reference fully connected and 2D convolution (NHWC) in double precision, over the
// exact layouts of the public API (channel strides, OHWI or depthwise kernels, explicit
// or TensorFlow SAME padding). Used by the operator tests of every float-output datatype.
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <pqnn.h>

namespace pqnn_test {

struct ConvShape {
  uint32_t pad_top = 0, pad_right = 0, pad_bottom = 0, pad_left = 0;
  uint32_t kernel_height = 1, kernel_width = 1;
  uint32_t stride_height = 1, stride_width = 1;
  uint32_t dilation_height = 1, dilation_width = 1;
  uint32_t groups = 1;
  size_t group_input_channels = 1, group_output_channels = 1;
  size_t input_channel_stride = 1, output_channel_stride = 1;
  uint32_t flags = 0;  // PQNN_FLAG_DEPTHWISE_CONVOLUTION, PQNN_FLAG_TENSORFLOW_SAME_PADDING
  size_t batch = 1, input_height = 1, input_width = 1;

  size_t input_channels() const { return groups * group_input_channels; }
  size_t output_channels() const { return groups * group_output_channels; }
  size_t taps() const { return size_t(kernel_height) * kernel_width; }
  size_t kernel_elements() const { return output_channels() * taps() * group_input_channels; }
  // Output size and effective leading padding (SAME computed as in the API).
  size_t output_height() const;
  size_t output_width() const;
  size_t effective_pad_top() const;
  size_t effective_pad_left() const;
  // Index of weight (group g, output m, tap ky/kx, input c) in the caller's kernel array.
  size_t kernel_index(size_t g, size_t m, size_t ky, size_t kx, size_t c) const;
  size_t input_span() const;   // elements, exact
  size_t output_span() const;  // elements, exact
  std::string describe() const;
};

// Random valid shape: kernels up to 5x5, stride up to 3, dilation up to 2, paddings up to
// 2 or SAME, groups, depthwise (with and without the flag), batch up to 3, strides wider
// than channels sometimes.
ConvShape random_conv_shape(std::mt19937& rng, size_t max_channels = 24);
// A dense layer of 1..4 input channels (the int8 convolutions' patch path, the stem):
// kernels 1..7 (square or not), stride 1..3, dilation 1/2, explicit or SAME padding,
// odd and tiny images, channel strides with gaps, 1..80 output channels, batch 1..3.
ConvShape few_channel_conv_shape(std::mt19937& rng);
// A stem (3x3 stride 2 padding 1, 3 -> output_channels), batch 2 of 57x63 images: many
// row tiles per task.
ConvShape stem_conv_shape(size_t output_channels);
// 3x3 depthwise layers (PQNN_FLAG_DEPTHWISE_CONVOLUTION) as the int8 row kernels take
// them (AVX512-VNNI: the interior columns of each output row, pixel pairs at strides of
// one or two tap steps, the border columns per pixel): 16, 64, 100, 144 channels (whole
// tiles, both tail widths), output widths 1, 2, 3, 8, 17, strides and dilations 1..2,
// paddings 0..2, two images of 5 rows, every third with channel strides 3 wider.
std::vector<ConvShape> depthwise_row_shapes();

// y[b][oy][ox][g*goc+m] = clamp(sum x * w + bias); inputs given as double-convertible floats.
// Also returns, per output, sum |x * w| (for tolerances) when abs_sum != nullptr.
void reference_conv2d(const ConvShape& s, const float* input, const float* kernel,
    const float* bias, float output_min, float output_max, std::vector<double>& output,
    std::vector<double>* abs_sum);

// y[b][n] = clamp(sum_k x[b][k] * w(n,k) + bias[n]), w = kernel[n*K+k] or, transposed, kernel[k*N+n].
void reference_fully_connected(size_t batch, size_t input_channels, size_t output_channels,
    size_t input_stride, const float* input, const float* kernel, bool transposed,
    const float* bias, float output_min, float output_max, std::vector<double>& output,
    std::vector<double>* abs_sum);

}  // namespace pqnn_test
