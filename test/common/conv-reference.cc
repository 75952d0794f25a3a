#include "common/conv-reference.h"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace pqnn_test {

static size_t out_dim(size_t in, uint32_t k, uint32_t s, uint32_t d, bool same, uint32_t pb,
    uint32_t pa) {
  const size_t eff = (size_t(k) - 1) * d + 1;
  if (same) return (in + s - 1) / s;
  return (in + pb + pa - eff) / s + 1;
}

static size_t same_before(size_t in, uint32_t k, uint32_t s, uint32_t d) {
  const size_t eff = (size_t(k) - 1) * d + 1;
  const size_t out = (in + s - 1) / s;
  const size_t needed = (out - 1) * s + eff;
  return needed > in ? (needed - in) / 2 : 0;
}

size_t ConvShape::output_height() const {
  return out_dim(input_height, kernel_height, stride_height, dilation_height,
      flags & PQNN_FLAG_TENSORFLOW_SAME_PADDING, pad_top, pad_bottom);
}
size_t ConvShape::output_width() const {
  return out_dim(input_width, kernel_width, stride_width, dilation_width,
      flags & PQNN_FLAG_TENSORFLOW_SAME_PADDING, pad_left, pad_right);
}
size_t ConvShape::effective_pad_top() const {
  return (flags & PQNN_FLAG_TENSORFLOW_SAME_PADDING)
      ? same_before(input_height, kernel_height, stride_height, dilation_height) : pad_top;
}
size_t ConvShape::effective_pad_left() const {
  return (flags & PQNN_FLAG_TENSORFLOW_SAME_PADDING)
      ? same_before(input_width, kernel_width, stride_width, dilation_width) : pad_left;
}

size_t ConvShape::kernel_index(size_t g, size_t m, size_t ky, size_t kx, size_t c) const {
  if (flags & PQNN_FLAG_DEPTHWISE_CONVOLUTION) {
    return (ky * kernel_width + kx) * output_channels() + g * group_output_channels + m;
  }
  return (((g * group_output_channels + m) * kernel_height + ky) * kernel_width + kx) *
      group_input_channels + c;
}

size_t ConvShape::input_span() const {
  const size_t pixels = batch * input_height * input_width;
  return pixels == 0 ? 0 : (pixels - 1) * input_channel_stride + input_channels();
}

size_t ConvShape::output_span() const {
  const size_t pixels = batch * output_height() * output_width();
  return pixels == 0 ? 0 : (pixels - 1) * output_channel_stride + output_channels();
}

std::string ConvShape::describe() const {
  std::ostringstream os;
  os << "batch " << batch << " input " << input_height << "x" << input_width << " kernel "
     << kernel_height << "x" << kernel_width << " stride " << stride_height << "x" << stride_width
     << " dilation " << dilation_height << "x" << dilation_width << " pad " << pad_top << ","
     << pad_right << "," << pad_bottom << "," << pad_left << " groups " << groups << " gic "
     << group_input_channels << " goc " << group_output_channels << " ics " << input_channel_stride
     << " ocs " << output_channel_stride << " flags " << flags;
  return os.str();
}

namespace {

// Random SAME or explicit padding (0..max_pad per side), channel strides with gaps of up
// to max_gap, batch 1..3 and images 1..max_size on a side; false when the padded image is
// smaller than the dilated kernel (the caller draws again).
bool random_padding_and_sizes(std::mt19937& rng, size_t max_pad, size_t max_gap,
    size_t max_size, ConvShape& s) {
  auto uni = [&rng](size_t lo, size_t hi) {
    return std::uniform_int_distribution<size_t>(lo, hi)(rng);
  };
  if (uni(0, 4) == 0) {
    s.flags |= PQNN_FLAG_TENSORFLOW_SAME_PADDING;
  } else {
    s.pad_top = uint32_t(uni(0, max_pad));
    s.pad_bottom = uint32_t(uni(0, max_pad));
    s.pad_left = uint32_t(uni(0, max_pad));
    s.pad_right = uint32_t(uni(0, max_pad));
  }
  s.input_channel_stride = s.input_channels() + (uni(0, 3) == 0 ? uni(1, max_gap) : 0);
  s.output_channel_stride = s.output_channels() + (uni(0, 3) == 0 ? uni(1, 7) : 0);
  s.batch = uni(1, 3);
  s.input_height = uni(1, max_size);
  s.input_width = uni(1, max_size);
  const size_t eff_h = (size_t(s.kernel_height) - 1) * s.dilation_height + 1;
  const size_t eff_w = (size_t(s.kernel_width) - 1) * s.dilation_width + 1;
  return (s.flags & PQNN_FLAG_TENSORFLOW_SAME_PADDING) != 0 ||
      (s.input_height + s.pad_top + s.pad_bottom >= eff_h &&
       s.input_width + s.pad_left + s.pad_right >= eff_w);
}

}  // namespace

std::vector<ConvShape> depthwise_row_shapes() {
  std::vector<ConvShape> shapes;
  for (size_t channels : {16, 64, 100, 144}) {
    for (size_t width : {1, 2, 3, 8, 17}) {
      for (uint32_t stride : {1, 2}) {
        for (uint32_t dilation : {1, 2}) {
          for (uint32_t pad : {0, 1, 2}) {
            ConvShape s;
            s.flags = PQNN_FLAG_DEPTHWISE_CONVOLUTION;
            s.kernel_height = s.kernel_width = 3;
            s.stride_height = s.stride_width = stride;
            s.dilation_height = s.dilation_width = dilation;
            s.pad_top = s.pad_bottom = s.pad_left = s.pad_right = pad;
            s.groups = uint32_t(channels);
            s.input_channel_stride = s.output_channel_stride =
                channels + (shapes.size() % 3 == 0 ? 3 : 0);
            s.batch = 2;
            s.input_height = 5;
            s.input_width = width + 2 * dilation;
            shapes.push_back(s);
          }
        }
      }
    }
  }
  return shapes;
}

ConvShape random_conv_shape(std::mt19937& rng, size_t max_channels) {
  auto uni = [&rng](size_t lo, size_t hi) {
    return std::uniform_int_distribution<size_t>(lo, hi)(rng);
  };
  ConvShape s;
  for (;;) {
    s = ConvShape();
    s.kernel_height = uint32_t(uni(1, 5));
    s.kernel_width = uni(0, 3) == 0 ? uint32_t(uni(1, 5)) : s.kernel_height;
    s.stride_height = uint32_t(uni(1, 3));
    s.stride_width = uni(0, 3) == 0 ? uint32_t(uni(1, 3)) : s.stride_height;
    s.dilation_height = uni(0, 4) == 0 ? 2 : 1;
    s.dilation_width = uni(0, 4) == 0 ? 2 : 1;
    const size_t kind = uni(0, 9);
    if (kind < 2) {  // depthwise with the flag
      s.flags |= PQNN_FLAG_DEPTHWISE_CONVOLUTION;
      s.groups = uint32_t(uni(1, max_channels));
      s.group_input_channels = 1;
      s.group_output_channels = uni(0, 3) == 0 ? uni(2, 3) : 1;
    } else if (kind < 3) {  // depthwise as a grouped conv
      s.groups = uint32_t(uni(1, max_channels));
      s.group_input_channels = 1;
      s.group_output_channels = 1;
    } else if (kind < 5) {  // grouped
      s.groups = uint32_t(uni(2, 4));
      s.group_input_channels = uni(1, max_channels / 2);
      s.group_output_channels = uni(1, max_channels / 2);
    } else {
      s.group_input_channels = uni(1, max_channels);
      s.group_output_channels = uni(1, max_channels);
    }
    if (random_padding_and_sizes(rng, 2, 7, 12, s)) return s;
  }
}

ConvShape few_channel_conv_shape(std::mt19937& rng) {
  auto uni = [&rng](size_t lo, size_t hi) {
    return std::uniform_int_distribution<size_t>(lo, hi)(rng);
  };
  for (;;) {
    ConvShape s;
    s.kernel_height = uint32_t(uni(1, 7));
    s.kernel_width = uni(0, 2) == 0 ? uint32_t(uni(1, 7)) : s.kernel_height;
    s.stride_height = uint32_t(uni(1, 3));
    s.stride_width = uni(0, 3) == 0 ? uint32_t(uni(1, 3)) : s.stride_height;
    s.dilation_height = uni(0, 5) == 0 ? 2 : 1;
    s.dilation_width = uni(0, 5) == 0 ? 2 : 1;
    s.group_input_channels = uni(1, 4);
    s.group_output_channels = uni(0, 2) == 0 ? uni(1, 80) : size_t(8) << uni(0, 2);
    if (random_padding_and_sizes(rng, 3, 5, 17, s)) return s;
  }
}

ConvShape stem_conv_shape(size_t output_channels) {
  ConvShape s;
  s.kernel_height = s.kernel_width = 3;
  s.stride_height = s.stride_width = 2;
  s.pad_top = s.pad_left = s.pad_bottom = s.pad_right = 1;
  s.group_input_channels = 3;
  s.group_output_channels = output_channels;
  s.input_channel_stride = 3;
  s.output_channel_stride = output_channels;
  s.batch = 2;
  s.input_height = 57;
  s.input_width = 63;
  return s;
}

void reference_conv2d(const ConvShape& s, const float* input, const float* kernel,
    const float* bias, float output_min, float output_max, std::vector<double>& output,
    std::vector<double>* abs_sum) {
  const size_t oh = s.output_height(), ow = s.output_width();
  const size_t pt = s.effective_pad_top(), pl = s.effective_pad_left();
  const size_t oc = s.output_channels();
  output.assign(s.batch * oh * ow * oc, 0.0);
  if (abs_sum) abs_sum->assign(output.size(), 0.0);
  for (size_t b = 0; b < s.batch; b++) {
    for (size_t oy = 0; oy < oh; oy++) {
      for (size_t ox = 0; ox < ow; ox++) {
        for (size_t g = 0; g < s.groups; g++) {
          for (size_t m = 0; m < s.group_output_channels; m++) {
            const size_t n = g * s.group_output_channels + m;
            double acc = bias ? bias[n] : 0.0;
            double abs_acc = std::fabs(acc);
            for (size_t ky = 0; ky < s.kernel_height; ky++) {
              const size_t iy = oy * s.stride_height + ky * s.dilation_height - pt;
              if (iy >= s.input_height) continue;
              for (size_t kx = 0; kx < s.kernel_width; kx++) {
                const size_t ix = ox * s.stride_width + kx * s.dilation_width - pl;
                if (ix >= s.input_width) continue;
                const float* px = input + ((b * s.input_height + iy) * s.input_width + ix) *
                    s.input_channel_stride + g * s.group_input_channels;
                for (size_t c = 0; c < s.group_input_channels; c++) {
                  const double t = double(px[c]) * kernel[s.kernel_index(g, m, ky, kx, c)];
                  acc += t;
                  abs_acc += std::fabs(t);
                }
              }
            }
            const size_t o = ((b * oh + oy) * ow + ox) * oc + n;
            output[o] = std::min(std::max(acc, double(output_min)), double(output_max));
            if (abs_sum) (*abs_sum)[o] = abs_acc;
          }
        }
      }
    }
  }
}

void reference_fully_connected(size_t batch, size_t input_channels, size_t output_channels,
    size_t input_stride, const float* input, const float* kernel, bool transposed,
    const float* bias, float output_min, float output_max, std::vector<double>& output,
    std::vector<double>* abs_sum) {
  output.assign(batch * output_channels, 0.0);
  if (abs_sum) abs_sum->assign(output.size(), 0.0);
  for (size_t b = 0; b < batch; b++) {
    for (size_t n = 0; n < output_channels; n++) {
      double acc = bias ? bias[n] : 0.0;
      double abs_acc = std::fabs(acc);
      for (size_t k = 0; k < input_channels; k++) {
        const double w = transposed ? kernel[k * output_channels + n] : kernel[n * input_channels + k];
        const double t = double(input[b * input_stride + k]) * w;
        acc += t;
        abs_acc += std::fabs(t);
      }
      output[b * output_channels + n] = std::min(std::max(acc, double(output_min)), double(output_max));
      if (abs_sum) (*abs_sum)[b * output_channels + n] = abs_acc;
    }
  }
}

}  // namespace pqnn_test
