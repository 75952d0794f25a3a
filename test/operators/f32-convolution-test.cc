// f32 2D convolution (NHWC) against the double reference over random shapes: groups,
// depthwise (flag and grouped form, multipliers), dilation, stride, explicit and SAME
// padding, batch > 1, channel strides wider than channels; exact-size buffers, NaN in the
// gaps, output gaps untouched, reshape to new sizes, identical results across threadpools.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <vector>

#include <pqnn.h>

#include "common/conv-reference.h"
#include "common/test-pool.h"
#include "common/test-utils.h"

using pqnn_test::ConvShape;
using pqnn_test::ExactBuffer;

namespace {

pthreadpool_t other_pool() {
  static pthreadpool_t pool = pqnn_test::create_pool(2);
  return pool;
}

void fill_input(const ConvShape& s, ExactBuffer<float>& input) {
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  for (size_t i = 0; i < input.size(); i++) {
    const size_t c = i % s.input_channel_stride;
    input[i] = c < s.input_channels() ? dist(pqnn_test::rng()) : NAN;
  }
}

void run_shape(const ConvShape& s, pthreadpool_t pool, bool clamp) {
  SCOPED_TRACE(s.describe());
  auto& rng = pqnn_test::rng();
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  ExactBuffer<float> input(s.input_span());
  fill_input(s, input);
  ExactBuffer<float> kernel(s.kernel_elements());
  for (auto& v : kernel) v = dist(rng);
  ExactBuffer<float> bias(s.output_channels());
  for (auto& v : bias) v = dist(rng);
  std::vector<double> ref, abs_sum;
  pqnn_test::reference_conv2d(s, input.data(), kernel.data(), bias.data(), -INFINITY, INFINITY,
      ref, &abs_sum);
  float out_min = -INFINITY, out_max = INFINITY;
  if (clamp && !ref.empty()) {
    std::vector<double> sorted = ref;
    std::sort(sorted.begin(), sorted.end());
    out_min = float(sorted[sorted.size() / 5]);
    out_max = float(sorted[sorted.size() * 4 / 5]);
    if (!(out_min < out_max)) out_max = out_min + 1.0f;
  }
  pqnn_operator_t op = nullptr;
  ASSERT_EQ(pqnn_create_convolution2d_nhwc_f32(s.pad_top, s.pad_right, s.pad_bottom, s.pad_left,
                s.kernel_height, s.kernel_width, s.stride_height, s.stride_width,
                s.dilation_height, s.dilation_width, s.groups, s.group_input_channels,
                s.group_output_channels, s.input_channel_stride, s.output_channel_stride,
                kernel.data(), bias.data(), out_min, out_max, s.flags, &op),
      pqnn_status_success);
  size_t oh = 0, ow = 0;
  ASSERT_EQ(pqnn_reshape_convolution2d_nhwc_f32(op, s.batch, s.input_height, s.input_width, &oh,
                &ow, pool),
      pqnn_status_success);
  ASSERT_EQ(oh, s.output_height());
  ASSERT_EQ(ow, s.output_width());
  const float sentinel = -54321.0f;
  ExactBuffer<float> output(s.output_span());
  std::fill(output.begin(), output.end(), sentinel);
  ASSERT_EQ(pqnn_setup_convolution2d_nhwc_f32(op, input.data(), output.data()), pqnn_status_success);
  ASSERT_EQ(pqnn_run_operator(op, pool), pqnn_status_success);
  const size_t oc = s.output_channels();
  const size_t k = s.taps() * s.group_input_channels;
  for (size_t p = 0; p < s.batch * oh * ow; p++) {
    for (size_t c = 0; c < s.output_channel_stride && p * s.output_channel_stride + c < output.size(); c++) {
      const float y = output[p * s.output_channel_stride + c];
      if (c >= oc) {
        ASSERT_EQ(y, sentinel) << "gap written at pixel " << p << " channel " << c;
        continue;
      }
      const double r = std::min(std::max(ref[p * oc + c], double(out_min)), double(out_max));
      const double tol = abs_sum[p * oc + c] * double(k + 1) * 1.2e-7 + 1e-6;
      ASSERT_NEAR(y, r, tol) << "pixel " << p << " channel " << c;
    }
  }
  ExactBuffer<float> output2(output.size());
  std::fill(output2.begin(), output2.end(), sentinel);
  ASSERT_EQ(pqnn_setup_convolution2d_nhwc_f32(op, input.data(), output2.data()), pqnn_status_success);
  ASSERT_EQ(pqnn_run_operator(op, pool == nullptr ? other_pool() : nullptr), pqnn_status_success);
  ASSERT_EQ(std::memcmp(output.data(), output2.data(), output.size() * sizeof(float)), 0)
      << "results depend on the threadpool";
  ASSERT_EQ(pqnn_delete_operator(op), pqnn_status_success);
}

class F32Convolution : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(pqnn_initialize(), pqnn_status_success);
    if (!pqnn_test::requested_tier_available()) {
      GTEST_SKIP() << "this CPU lacks the ISA tier PQNN_ISA=" << std::getenv("PQNN_ISA");
    }
    pool_ = pqnn_test::create_pool(2);
  }
  void TearDown() override {
    if (pool_ != nullptr) pqnn_test::destroy_pool(pool_);
  }
  pthreadpool_t pool_ = nullptr;
};

TEST_F(F32Convolution, RandomShapes) {
  auto& rng = pqnn_test::rng();
  const size_t count = pqnn_test::shape_count(150);
  for (size_t i = 0; i < count; i++) {
    const ConvShape s = pqnn_test::random_conv_shape(rng);
    SCOPED_TRACE(i);
    run_shape(s, (i % 2) ? pool_ : nullptr, i % 3 == 0);
  }
}

ConvShape make(uint32_t k, uint32_t stride, uint32_t pad, uint32_t groups, size_t gic, size_t goc,
    size_t h, size_t w, size_t batch = 1, uint32_t flags = 0) {
  ConvShape s;
  s.kernel_height = s.kernel_width = k;
  s.stride_height = s.stride_width = stride;
  s.pad_top = s.pad_bottom = s.pad_left = s.pad_right = pad;
  s.groups = groups;
  s.group_input_channels = gic;
  s.group_output_channels = goc;
  s.input_channel_stride = groups * gic;
  s.output_channel_stride = groups * goc;
  s.input_height = h;
  s.input_width = w;
  s.batch = batch;
  s.flags = flags;
  return s;
}

TEST_F(F32Convolution, PointwiseUsesGemm) {
  run_shape(make(1, 1, 0, 1, 37, 45, 7, 9, 2), pool_, false);
  run_shape(make(1, 1, 0, 3, 8, 5, 6, 5, 2), pool_, true);
}

TEST_F(F32Convolution, DepthwiseKernels) {
  for (uint32_t k : {3u, 5u, 7u}) {
    for (uint32_t stride : {1u, 2u}) {
      run_shape(make(k, stride, k / 2, 19, 1, 1, 11, 10, 2, PQNN_FLAG_DEPTHWISE_CONVOLUTION), pool_, false);
      run_shape(make(k, stride, k / 2, 40, 1, 1, 9, 8, 1), nullptr, true);
      run_shape(make(k, stride, k / 2, 7, 1, 2, 9, 8, 1, PQNN_FLAG_DEPTHWISE_CONVOLUTION), pool_, false);
    }
  }
}

// Depthwise 3x3 and 5x5 over edge sizes: the row kernels (AVX2, AVX512) take the columns
// whose taps are all inside the input and the per-pixel kernel the borders, so widths from
// no interior column to many, heights where every row touches vertical padding, strides,
// asymmetric paddings, dilation, channels around the tiles and wider channel strides.
TEST_F(F32Convolution, DepthwiseEdgeSizes) {
  auto& rng = pqnn_test::rng();
  const size_t channel_list[] = {1, 3, 8, 15, 16, 17, 24, 31, 32, 33, 40, 48, 67};
  size_t i = 0;
  for (uint32_t k : {3u, 5u}) {
    for (size_t w = 1; w <= 19; w++) {
      for (uint32_t stride : {1u, 2u}) {
        ConvShape s = make(k, stride, k / 2, uint32_t(channel_list[i % 13]), 1, 1,
            1 + (w * 7) % 6, w, 1 + i % 2, PQNN_FLAG_DEPTHWISE_CONVOLUTION);
        s.pad_left = uint32_t(rng() % (k / 2 + 1));
        s.pad_right = uint32_t(rng() % (k / 2 + 1));
        s.pad_top = uint32_t(rng() % k);
        s.pad_bottom = uint32_t(rng() % k);
        if (i % 4 == 1) s.dilation_width = s.dilation_height = 2;
        if (i % 5 == 2) s.input_channel_stride += 3, s.output_channel_stride += 5;
        i++;
        if ((s.input_width + s.pad_left + s.pad_right) < (k - 1) * s.dilation_width + 1 ||
            (s.input_height + s.pad_top + s.pad_bottom) < (k - 1) * s.dilation_height + 1) {
          continue;  // no output
        }
        run_shape(s, (i % 3) ? pool_ : nullptr, i % 3 == 0);
      }
    }
  }
}

TEST_F(F32Convolution, MobileNetLikeLayers) {
  ConvShape first = make(3, 2, 0, 1, 3, 32, 33, 33, 1, PQNN_FLAG_TENSORFLOW_SAME_PADDING);
  run_shape(first, pool_, true);
  run_shape(make(3, 1, 1, 1, 64, 64, 14, 14), pool_, false);
}

TEST_F(F32Convolution, ReshapeToNewSizes) {
  ConvShape s = make(3, 1, 1, 1, 5, 6, 8, 8);
  std::vector<float> kernel(s.kernel_elements(), 0.25f);
  pqnn_operator_t op = nullptr;
  ASSERT_EQ(pqnn_create_convolution2d_nhwc_f32(1, 1, 1, 1, 3, 3, 1, 1, 1, 1, 1, 5, 6, 5, 6,
                kernel.data(), nullptr, -INFINITY, INFINITY, 0, &op), pqnn_status_success);
  for (size_t hw : {8, 3, 16, 1}) {
    std::vector<float> input(hw * hw * 5, 1.0f), output(hw * hw * 6, -1.0f);
    size_t oh, ow;
    ASSERT_EQ(pqnn_reshape_convolution2d_nhwc_f32(op, 1, hw, hw, &oh, &ow, pool_), pqnn_status_success);
    ASSERT_EQ(oh, hw);
    ASSERT_EQ(ow, hw);
    ASSERT_EQ(pqnn_setup_convolution2d_nhwc_f32(op, input.data(), output.data()), pqnn_status_success);
    ASSERT_EQ(pqnn_run_operator(op, pool_), pqnn_status_success);
    // Center pixel of a >= 3x3 image sees all 9 taps: 9 * 5 * 0.25.
    if (hw >= 3) {
      ASSERT_FLOAT_EQ(output[((hw / 2) * hw + hw / 2) * 6], 11.25f);
    }
    // Corner sees 4 taps.
    if (hw >= 2) {
      ASSERT_FLOAT_EQ(output[0], 5.0f);
    }
  }
  pqnn_delete_operator(op);
}

// Issue 16, defect 4: TF SAME padding of a 5-tap kernel dilated by 2^31 is 2^32 before the
// first pixel, more than 32 bits. Only the center tap lands inside a 3x3 image, so the
// convolution is the 1x1 convolution with the center weights (IGEMM and DWCONV paths).
TEST_F(F32Convolution, SamePaddingBeyond32Bits) {
  const uint32_t dilation = 1u << 31;
  for (bool depthwise : {false, true}) {
    SCOPED_TRACE(depthwise ? "depthwise" : "igemm");
    const size_t groups = depthwise ? 3 : 1, gic = depthwise ? 1 : 2, goc = depthwise ? 1 : 3;
    const size_t ic = groups * gic, oc = groups * goc, hw = 3;
    std::vector<float> kernel(oc * 25 * gic), bias(oc), input(hw * hw * ic), output(hw * hw * oc);
    std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
    for (auto* v : {&kernel, &bias, &input}) {
      for (float& x : *v) x = dist(pqnn_test::rng());
    }
    // Depthwise kernels are [taps][channels]; the others [oc][taps][gic].
    auto center = [&](size_t co, size_t ci) {
      return depthwise ? kernel[12 * oc + co] : kernel[(co * 25 + 12) * gic + ci];
    };
    pqnn_operator_t op = nullptr;
    ASSERT_EQ(pqnn_create_convolution2d_nhwc_f32(0, 0, 0, 0, 5, 5, 1, 1, dilation, dilation,
        groups, gic, goc, ic, oc, kernel.data(), bias.data(), -INFINITY, INFINITY,
        PQNN_FLAG_TENSORFLOW_SAME_PADDING | (depthwise ? PQNN_FLAG_DEPTHWISE_CONVOLUTION : 0),
        &op), pqnn_status_success);
    size_t oh = 0, ow = 0;
    if (sizeof(size_t) < 8) {
      // A 32-bit size_t (WASM) cannot hold the dilated kernel's extent: refused, not wrapped.
      EXPECT_EQ(pqnn_reshape_convolution2d_nhwc_f32(op, 1, hw, hw, &oh, &ow, pool_),
          pqnn_status_invalid_parameter);
      pqnn_delete_operator(op);
      continue;
    }
    ASSERT_EQ(pqnn_reshape_convolution2d_nhwc_f32(op, 1, hw, hw, &oh, &ow, pool_),
        pqnn_status_success);
    ASSERT_EQ(oh, hw);
    ASSERT_EQ(ow, hw);
    ASSERT_EQ(pqnn_setup_convolution2d_nhwc_f32(op, input.data(), output.data()),
        pqnn_status_success);
    ASSERT_EQ(pqnn_run_operator(op, pool_), pqnn_status_success);
    for (size_t p = 0; p < hw * hw; p++) {
      for (size_t g = 0; g < groups; g++) {
        for (size_t n = 0; n < goc; n++) {
          const size_t co = g * goc + n;
          float expected = bias[co];
          for (size_t k = 0; k < gic; k++) expected += input[p * ic + g * gic + k] * center(co, k);
          EXPECT_NEAR(output[p * oc + co], expected, 1e-5f) << "pixel " << p << " channel " << co;
        }
      }
    }
    pqnn_delete_operator(op);
  }
}

}  // namespace
