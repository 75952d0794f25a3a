// qd8 x qc8w 2D convolution (NHWC; f32 and f16 output) against the API.md arithmetic with
// one {zero_point, scale} per image and padding reading as that image's zero point, over
// random shapes (groups, depthwise, dilation, stride, SAME, batch, channel strides), and
// end to end from f32 (convert_nc_f32_qd8 on contiguous images) against the f32 operator.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <random>
#include <vector>

#include <fp16.h>
#include <pqnn.h>

#include "common/conv-reference.h"
#include "common/test-pool.h"
#include "common/pooled-test.h"
#include "common/test-utils.h"

using pqnn_test::ConvShape;
using pqnn_test::ExactBuffer;

namespace {

void reference(const ConvShape& s, const int8_t* x, const pqnn_quantization_params* qp,
    const int8_t* w, const float* ks, const float* bias, std::vector<double>& y,
    std::vector<double>& tol) {
  const size_t oh = s.output_height(), ow = s.output_width(), oc = s.output_channels();
  const size_t pt = s.effective_pad_top(), pl = s.effective_pad_left();
  y.assign(s.batch * oh * ow * oc, 0.0);
  tol.assign(y.size(), 0.0);
  for (size_t b = 0; b < s.batch; b++) {
    for (size_t oy = 0; oy < oh; oy++) {
      for (size_t ox = 0; ox < ow; ox++) {
        for (size_t g = 0; g < s.groups; g++) {
          for (size_t m = 0; m < s.group_output_channels; m++) {
            const size_t n = g * s.group_output_channels + m;
            int64_t acc = 0;
            for (size_t ky = 0; ky < s.kernel_height; ky++) {
              const size_t iy = oy * s.stride_height + ky * s.dilation_height - pt;
              if (iy >= s.input_height) continue;
              for (size_t kx = 0; kx < s.kernel_width; kx++) {
                const size_t ix = ox * s.stride_width + kx * s.dilation_width - pl;
                if (ix >= s.input_width) continue;
                const int8_t* px = x + ((b * s.input_height + iy) * s.input_width + ix) *
                    s.input_channel_stride + g * s.group_input_channels;
                for (size_t c = 0; c < s.group_input_channels; c++) {
                  acc += int64_t(int32_t(px[c]) - qp[b].zero_point) * w[s.kernel_index(g, m, ky, kx, c)];
                }
              }
            }
            const float scale = qp[b].scale * ks[n];
            const double product = double(float(acc)) * double(scale);
            const double bv = bias ? bias[n] : 0.0;
            const size_t o = ((b * oh + oy) * ow + ox) * oc + n;
            y[o] = product + bv;
            tol[o] = (std::fabs(product) * 4 + std::fabs(bv) + std::fabs(product + bv)) * 0x1.0p-23;
          }
        }
      }
    }
  }
}

void run_shape(const ConvShape& s, bool f16_output, pthreadpool_t pool) {
  SCOPED_TRACE(s.describe() + (f16_output ? " f16 output" : " f32 output"));
  auto& rng = pqnn_test::rng();
  std::uniform_int_distribution<int> i8(-128, 127), w8(-127, 127);
  std::uniform_real_distribution<float> sd(1e-3f, 2e-2f), f(-1.0f, 1.0f);
  ExactBuffer<int8_t> input(s.input_span());
  for (auto& v : input) v = int8_t(i8(rng));
  ExactBuffer<pqnn_quantization_params> qp(s.batch);
  for (size_t b = 0; b < s.batch; b++) qp[b] = {i8(rng), sd(rng)};
  ExactBuffer<int8_t> kernel(s.kernel_elements());
  for (auto& v : kernel) v = int8_t(w8(rng));
  ExactBuffer<float> ks(s.output_channels()), bias(s.output_channels());
  for (auto& v : ks) v = sd(rng);
  for (auto& v : bias) v = f(rng);
  std::vector<double> ref, tol;
  reference(s, input.data(), qp.data(), kernel.data(), ks.data(), bias.data(), ref, tol);
  pqnn_operator_t op = nullptr;
  size_t oh = 0, ow = 0;
  if (f16_output) {
    ASSERT_EQ(pqnn_create_convolution2d_nhwc_qd8_f16_qc8w(s.pad_top, s.pad_right, s.pad_bottom, s.pad_left,
                  s.kernel_height, s.kernel_width, s.stride_height, s.stride_width, s.dilation_height,
                  s.dilation_width, s.groups, s.group_input_channels, s.group_output_channels,
                  s.input_channel_stride, s.output_channel_stride, ks.data(), kernel.data(), bias.data(),
                  -INFINITY, INFINITY, s.flags, &op), pqnn_status_success);
    ASSERT_EQ(pqnn_reshape_convolution2d_nhwc_qd8_f16_qc8w(op, s.batch, s.input_height, s.input_width, &oh,
                  &ow, pool), pqnn_status_success);
  } else {
    ASSERT_EQ(pqnn_create_convolution2d_nhwc_qd8_f32_qc8w(s.pad_top, s.pad_right, s.pad_bottom, s.pad_left,
                  s.kernel_height, s.kernel_width, s.stride_height, s.stride_width, s.dilation_height,
                  s.dilation_width, s.groups, s.group_input_channels, s.group_output_channels,
                  s.input_channel_stride, s.output_channel_stride, ks.data(), kernel.data(), bias.data(),
                  -INFINITY, INFINITY, s.flags, &op), pqnn_status_success);
    ASSERT_EQ(pqnn_reshape_convolution2d_nhwc_qd8_f32_qc8w(op, s.batch, s.input_height, s.input_width, &oh,
                  &ow, pool), pqnn_status_success);
  }
  ASSERT_EQ(oh, s.output_height());
  ASSERT_EQ(ow, s.output_width());
  const size_t count = s.output_span(), oc = s.output_channels();
  ExactBuffer<float> out32(f16_output ? 0 : count);
  ExactBuffer<uint16_t> out16(f16_output ? count : 0);
  std::fill(out32.begin(), out32.end(), -777.0f);
  std::fill(out16.begin(), out16.end(), uint16_t(0x7E01));
  if (f16_output) {
    ASSERT_EQ(pqnn_setup_convolution2d_nhwc_qd8_f16_qc8w(op, input.data(), out16.data(), qp.data()),
        pqnn_status_success);
  } else {
    ASSERT_EQ(pqnn_setup_convolution2d_nhwc_qd8_f32_qc8w(op, input.data(), out32.data(), qp.data()),
        pqnn_status_success);
  }
  ASSERT_EQ(pqnn_run_operator(op, pool), pqnn_status_success);
  for (size_t p = 0; p < s.batch * oh * ow; p++) {
    for (size_t c = 0; c < s.output_channel_stride && p * s.output_channel_stride + c < count; c++) {
      const size_t i = p * s.output_channel_stride + c;
      if (c >= oc) {
        if (f16_output) {
          ASSERT_EQ(out16[i], 0x7E01);
        } else {
          ASSERT_EQ(out32[i], -777.0f);
        }
        continue;
      }
      const double r = ref[p * oc + c], t = tol[p * oc + c];
      if (f16_output) {
        ASSERT_NEAR(fp16_ieee_to_fp32_value(out16[i]), r, t + std::fabs(r) * 0x1.0p-10 + 0x1.0p-24)
            << "pixel " << p << " channel " << c;
      } else {
        ASSERT_NEAR(out32[i], r, t + 1e-30) << "pixel " << p << " channel " << c;
      }
    }
  }
  pqnn_delete_operator(op);
}

class Qd8Convolution : public pqnn_test::PooledTest<> {};

TEST_F(Qd8Convolution, RandomShapes) {
  auto& rng = pqnn_test::rng();
  const size_t count = pqnn_test::shape_count(100);
  for (size_t i = 0; i < count; i++) {
    const ConvShape s = pqnn_test::random_conv_shape(rng);
    SCOPED_TRACE(i);
    run_shape(s, i % 3 == 2, (i % 2) ? pool_ : nullptr);
  }
}

// 3x3 depthwise layers as the row kernels take them (AVX512-VNNI:
// qd8-f32-qc8w-dwconv-row, the interior columns of each output row, pixel pairs at strides
// of one or two tap steps, the border columns per pixel, each image with its own zero
// point): widths around the pairs, strides, dilations, paddings, channel counts with whole
// tiles and both tail widths, f32 and f16 output.
TEST_F(Qd8Convolution, DepthwiseRows) {
  int n = 0;
  for (const ConvShape& s : pqnn_test::depthwise_row_shapes()) {
    SCOPED_TRACE(s.describe());
    run_shape(s, n % 5 == 4, n % 7 == 0 ? pool_ : nullptr);
    if (HasFatalFailure()) return;
    n++;
  }
}

// Dense layers of 1..4 input channels (the patch path: each pixel's patch gathered as one
// K row, padding written as the image's zero point, narrow tiles for narrow N).
TEST_F(Qd8Convolution, FewInputChannels) {
  auto& rng = pqnn_test::rng();
  const size_t count = pqnn_test::shape_count(80);
  for (size_t i = 0; i < count; i++) {
    const ConvShape s = pqnn_test::few_channel_conv_shape(rng);
    SCOPED_TRACE(i);
    run_shape(s, i % 4 == 3, (i % 2) ? pool_ : nullptr);
    if (HasFatalFailure()) return;
  }
}

// The stem of MobileNet (3x3 stride 2, 3 -> 32) and a PaddleOCR one (3 -> 8), at a size
// with many row tiles per task, images of different zero points.
TEST_F(Qd8Convolution, StemLayers) {
  for (size_t oc : {32, 8}) {
    const ConvShape s = pqnn_test::stem_conv_shape(oc);
    run_shape(s, false, pool_);
    run_shape(s, oc == 8, nullptr);
  }
}

TEST_F(Qd8Convolution, PointwiseAndPaddedLayers) {
  ConvShape s;
  s.group_input_channels = 40;
  s.group_output_channels = 24;
  s.input_channel_stride = 40;
  s.output_channel_stride = 24;
  s.batch = 3;
  s.input_height = 6;
  s.input_width = 7;
  run_shape(s, false, pool_);
  s.kernel_height = s.kernel_width = 3;
  s.pad_top = s.pad_bottom = s.pad_left = s.pad_right = 1;
  run_shape(s, false, pool_);
  run_shape(s, true, nullptr);
}

// 1x1 layers whose N the narrow tile pads less than the main one (MobileNet v2's 96- and
// 144-channel expansions and its 160-channel projection: on AVX512-VNNI 7x16c4 instead of
// 4x64c4, pqnn_narrow_gemm_config), with row strides wider than the channels, several
// images and a pool.
TEST_F(Qd8Convolution, PointwiseNarrowTileColumns) {
  for (size_t ic : {16, 24, 96}) {
    for (size_t oc : {96, 144, 160}) {
      ConvShape s;
      s.group_input_channels = ic;
      s.group_output_channels = oc;
      s.input_channel_stride = ic + 3;
      s.output_channel_stride = oc + 5;
      s.batch = 2;
      s.input_height = 9;
      s.input_width = 7;
      run_shape(s, false, ic == 24 ? nullptr : pool_);
      if (HasFatalFailure()) return;
      if (ic == 16) run_shape(s, true, pool_);
    }
  }
}

// 3x3 layers on the narrow tiles (pqnn_narrow_gemm_config, AVX512-VNNI: 8x24c8 for N = 24,
// 48, 72 and 96 (one column tile: its XOR loop; two or more with 96 input channels: its
// flipping twin), 7x16c4 for N = 8; other ISAs: their main tile), with row strides wider
// than the channels, padding, several images, a pool, odd pixel counts and a single output
// pixel (no mr = 1 kernel on 8x24c8).
TEST_F(Qd8Convolution, KxKNarrowTileColumns) {
  for (size_t oc : {8, 24, 48, 72, 96}) {
    for (size_t ic : {5, 96}) {
      ConvShape s;
      s.group_input_channels = ic;
      s.group_output_channels = oc;
      s.input_channel_stride = ic + 3;
      s.output_channel_stride = oc + 5;
      s.kernel_height = s.kernel_width = 3;
      s.pad_top = s.pad_bottom = s.pad_left = s.pad_right = 1;
      s.batch = 2;
      s.input_height = 9;
      s.input_width = 7;
      run_shape(s, false, ic == 5 ? nullptr : pool_);
      if (HasFatalFailure()) return;
      s.input_height = s.input_width = 1;
      run_shape(s, false, nullptr);
      if (HasFatalFailure()) return;
    }
  }
}

// f32 image -> convert_nc_f32_qd8 (one row per image) -> qd8 conv, against the f32 conv.
TEST_F(Qd8Convolution, AccuracyAgainstF32) {
  const size_t h = 14, w = 14, ic = 64, oc = 64, batch = 2;
  auto& rng = pqnn_test::rng();
  std::normal_distribution<float> gauss(0.0f, 1.0f);
  std::vector<float> x(batch * h * w * ic), k(oc * 9 * ic), bias(oc);
  for (auto& v : x) v = std::max(0.0f, gauss(rng));  // post-ReLU activations
  for (auto& v : k) v = gauss(rng) * 0.05f;
  for (auto& v : bias) v = gauss(rng) * 0.1f;
  std::vector<float> y32(batch * h * w * oc), yq(y32.size());
  pqnn_operator_t f32 = nullptr, convert = nullptr, q = nullptr;
  ASSERT_EQ(pqnn_create_convolution2d_nhwc_f32(1, 1, 1, 1, 3, 3, 1, 1, 1, 1, 1, ic, oc, ic, oc, k.data(),
                bias.data(), -INFINITY, INFINITY, 0, &f32), pqnn_status_success);
  ASSERT_EQ(pqnn_reshape_convolution2d_nhwc_f32(f32, batch, h, w, nullptr, nullptr, pool_), pqnn_status_success);
  ASSERT_EQ(pqnn_setup_convolution2d_nhwc_f32(f32, x.data(), y32.data()), pqnn_status_success);
  ASSERT_EQ(pqnn_run_operator(f32, pool_), pqnn_status_success);
  std::vector<int8_t> kq(k.size()), xq(x.size());
  std::vector<float> ks(oc);
  std::vector<pqnn_quantization_params> qp(batch);
  ASSERT_EQ(pqnn_quantize_weights_qc8w(oc, 9 * ic, k.data(), kq.data(), ks.data()), pqnn_status_success);
  ASSERT_EQ(pqnn_create_convert_nc_f32_qd8(h * w * ic, h * w * ic, h * w * ic, 0, &convert), pqnn_status_success);
  ASSERT_EQ(pqnn_reshape_convert_nc_f32_qd8(convert, batch, pool_), pqnn_status_success);
  ASSERT_EQ(pqnn_setup_convert_nc_f32_qd8(convert, x.data(), xq.data(), qp.data()), pqnn_status_success);
  ASSERT_EQ(pqnn_run_operator(convert, pool_), pqnn_status_success);
  ASSERT_EQ(pqnn_create_convolution2d_nhwc_qd8_f32_qc8w(1, 1, 1, 1, 3, 3, 1, 1, 1, 1, 1, ic, oc, ic, oc,
                ks.data(), kq.data(), bias.data(), -INFINITY, INFINITY, 0, &q), pqnn_status_success);
  ASSERT_EQ(pqnn_reshape_convolution2d_nhwc_qd8_f32_qc8w(q, batch, h, w, nullptr, nullptr, pool_),
      pqnn_status_success);
  ASSERT_EQ(pqnn_setup_convolution2d_nhwc_qd8_f32_qc8w(q, xq.data(), yq.data(), qp.data()), pqnn_status_success);
  ASSERT_EQ(pqnn_run_operator(q, pool_), pqnn_status_success);
  double num = 0, den = 0;
  for (size_t i = 0; i < y32.size(); i++) {
    num += (double(yq[i]) - y32[i]) * (double(yq[i]) - y32[i]);
    den += double(y32[i]) * y32[i];
  }
  EXPECT_LT(std::sqrt(num / den), 0.01);
  pqnn_delete_operator(f32);
  pqnn_delete_operator(convert);
  pqnn_delete_operator(q);
}

}  // namespace
