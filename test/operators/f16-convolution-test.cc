// f16 2D convolution (NHWC; IEEE binary16 storage, f32 accumulation, one rounding to f16)
// against the double reference of test/common/conv-reference.h computed from the same f16
// values (kernel and bias rounded to f16 with round-to-nearest-even when given as f32 with
// PQNN_FLAG_FP32_STATIC_WEIGHTS), over random shapes (groups, depthwise with and without the
// flag, dilation, stride, explicit and SAME padding, batch > 1, channel strides wider than
// channels), exact-size buffers, NaN in the input gaps, output gaps untouched, clamping with
// f32 bounds that round to f16, reshape to new sizes, batch 0, identical results across
// threadpools.
//
// Tolerance, for reference r = sum x*w + b (double) and S = sum |x*w| + |b|, K = taps * gic:
//   |y - clamp(r)| <= 0.5 * ulp16(|r| + e) + e + 2^-24,   e = (K + 1) * 2^-24 * S
// (f32 accumulation error in any order, plus the single rounding to f16, plus the smallest
// f16 subnormal step).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
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

constexpr uint16_t kNaN16 = 0x7E00;
constexpr uint16_t kSentinel16 = 0xDEAD;

float f16_to_f32(uint16_t h) { return fp16_ieee_to_fp32_value(h); }
uint16_t f32_to_f16(float f) { return fp16_ieee_from_fp32_value(f); }
float round_to_f16(float f) { return f16_to_f32(f32_to_f16(f)); }

double ulp16(double v) {
  v = std::fabs(v);
  if (v < 0x1.0p-14) return 0x1.0p-24;
  int e = 0;
  std::frexp(v, &e);  // v = m * 2^e, m in [0.5, 1)
  return std::ldexp(1.0, e - 11);
}

double tolerance(double ref, double abs_sum, size_t k) {
  const double e = double(k + 1) * 0x1.0p-24 * abs_sum;
  return 0.5 * ulp16(std::fabs(ref) + e) + e + 0x1.0p-24;
}

pthreadpool_t other_pool() {
  static pthreadpool_t pool = pqnn_test::create_pool(2);
  return pool;
}

void run_shape(const ConvShape& s, pthreadpool_t pool, bool clamp, bool f32_weights) {
  SCOPED_TRACE(s.describe() + (f32_weights ? " f32 weights" : " f16 weights") +
               (clamp ? " clamped" : ""));
  auto& rng = pqnn_test::rng();
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  ExactBuffer<uint16_t> input(s.input_span());
  std::vector<float> input_ref(input.size());
  for (size_t i = 0; i < input.size(); i++) {
    input[i] = (i % s.input_channel_stride) < s.input_channels() ? f32_to_f16(dist(rng)) : kNaN16;
    input_ref[i] = f16_to_f32(input[i]);
  }
  ExactBuffer<float> kernel32(s.kernel_elements());
  ExactBuffer<uint16_t> kernel16(s.kernel_elements());
  std::vector<float> kernel_ref(s.kernel_elements());
  for (size_t i = 0; i < kernel32.size(); i++) {
    kernel32[i] = dist(rng);
    kernel16[i] = f32_to_f16(kernel32[i]);
    kernel_ref[i] = f16_to_f32(kernel16[i]);
  }
  ExactBuffer<float> bias32(s.output_channels());
  ExactBuffer<uint16_t> bias16(s.output_channels());
  std::vector<float> bias_ref(s.output_channels());
  for (size_t i = 0; i < bias32.size(); i++) {
    bias32[i] = dist(rng);
    bias16[i] = f32_to_f16(bias32[i]);
    bias_ref[i] = f16_to_f32(bias16[i]);
  }
  std::vector<double> ref, abs_sum;
  pqnn_test::reference_conv2d(s, input_ref.data(), kernel_ref.data(), bias_ref.data(),
      -INFINITY, INFINITY, ref, &abs_sum);
  float out_min = -INFINITY, out_max = INFINITY;
  if (clamp && !ref.empty()) {
    std::vector<double> sorted = ref;
    std::sort(sorted.begin(), sorted.end());
    out_min = float(sorted[sorted.size() / 5]);
    out_max = float(sorted[sorted.size() * 4 / 5]);
    if (!(round_to_f16(out_min) < round_to_f16(out_max))) out_max = out_min + 1.0f;
  }
  const double min16 = round_to_f16(out_min), max16 = round_to_f16(out_max);
  const void* kernel = f32_weights ? static_cast<const void*>(kernel32.data()) : kernel16.data();
  const void* bias = f32_weights ? static_cast<const void*>(bias32.data()) : bias16.data();
  pqnn_operator_t op = nullptr;
  ASSERT_EQ(pqnn_create_convolution2d_nhwc_f16(s.pad_top, s.pad_right, s.pad_bottom, s.pad_left,
                s.kernel_height, s.kernel_width, s.stride_height, s.stride_width,
                s.dilation_height, s.dilation_width, s.groups, s.group_input_channels,
                s.group_output_channels, s.input_channel_stride, s.output_channel_stride,
                kernel, bias, out_min, out_max,
                s.flags | (f32_weights ? PQNN_FLAG_FP32_STATIC_WEIGHTS : 0), &op),
      pqnn_status_success);
  size_t oh = 0, ow = 0;
  ASSERT_EQ(pqnn_reshape_convolution2d_nhwc_f16(op, s.batch, s.input_height, s.input_width, &oh,
                &ow, pool),
      pqnn_status_success);
  ASSERT_EQ(oh, s.output_height());
  ASSERT_EQ(ow, s.output_width());
  ExactBuffer<uint16_t> output(s.output_span());
  std::fill(output.begin(), output.end(), kSentinel16);
  ASSERT_EQ(pqnn_setup_convolution2d_nhwc_f16(op, input.data(), output.data()), pqnn_status_success);
  ASSERT_EQ(pqnn_run_operator(op, pool), pqnn_status_success);
  const size_t oc = s.output_channels();
  const size_t k = s.taps() * s.group_input_channels;
  for (size_t p = 0; p < s.batch * oh * ow; p++) {
    for (size_t c = 0; c < s.output_channel_stride && p * s.output_channel_stride + c < output.size(); c++) {
      const uint16_t bits = output[p * s.output_channel_stride + c];
      if (c >= oc) {
        ASSERT_EQ(bits, kSentinel16) << "gap written at pixel " << p << " channel " << c;
        continue;
      }
      const double y = f16_to_f32(bits);
      ASSERT_TRUE(std::isfinite(y)) << "pixel " << p << " channel " << c;
      const double r = std::min(std::max(ref[p * oc + c], min16), max16);
      ASSERT_GE(y, min16);
      ASSERT_LE(y, max16);
      ASSERT_NEAR(y, r, tolerance(r, abs_sum[p * oc + c], k)) << "pixel " << p << " channel " << c;
    }
  }
  ExactBuffer<uint16_t> output2(output.size());
  std::fill(output2.begin(), output2.end(), kSentinel16);
  ASSERT_EQ(pqnn_setup_convolution2d_nhwc_f16(op, input.data(), output2.data()), pqnn_status_success);
  ASSERT_EQ(pqnn_run_operator(op, pool == nullptr ? other_pool() : nullptr), pqnn_status_success);
  ASSERT_EQ(std::memcmp(output.data(), output2.data(), output.size() * sizeof(uint16_t)), 0)
      << "results depend on the threadpool";
  ASSERT_EQ(pqnn_delete_operator(op), pqnn_status_success);
}

class F16Convolution : public pqnn_test::PooledTest<> {};

// count shapes from next_shape(rng), alternately on the pool and without one, every third
// clamped, every fourth packed from f32 weights.
template <class NextShape>
void run_random_shapes(NextShape next_shape, size_t count, pthreadpool_t pool) {
  auto& rng = pqnn_test::rng();
  for (size_t i = 0; i < count; i++) {
    const ConvShape s = next_shape(rng);
    SCOPED_TRACE(i);
    run_shape(s, (i % 2) ? pool : nullptr, i % 3 == 0, i % 4 == 1);
    if (::testing::Test::HasFatalFailure()) return;
  }
}

TEST_F(F16Convolution, RandomShapes) {
  run_random_shapes([](std::mt19937& rng) { return pqnn_test::random_conv_shape(rng); },
      pqnn_test::shape_count(150), pool_);
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

TEST_F(F16Convolution, PointwiseUsesGemm) {
  run_shape(make(1, 1, 0, 1, 37, 45, 7, 9, 2), pool_, false, false);
  run_shape(make(1, 1, 0, 1, 37, 45, 7, 9, 2), nullptr, true, true);
  run_shape(make(1, 1, 0, 3, 8, 5, 6, 5, 2), pool_, true, false);
}

TEST_F(F16Convolution, Grouped) {
  run_shape(make(3, 1, 1, 4, 6, 7, 7, 6, 2), pool_, false, false);
  run_shape(make(3, 2, 1, 2, 16, 16, 9, 9, 1), nullptr, true, true);
  ConvShape wide = make(2, 1, 0, 3, 5, 9, 5, 7, 1);
  wide.input_channel_stride += 3;
  wide.output_channel_stride += 5;
  run_shape(wide, pool_, false, true);
}

// The dwconv path: 9 and 25 taps (fixed-tap kernels), other tap counts (any-taps kernel),
// the flag layout and the grouped form, channel multipliers, channels around the tile width.
TEST_F(F16Convolution, DepthwiseKernels) {
  for (uint32_t k : {2u, 3u, 5u, 7u}) {
    for (uint32_t stride : {1u, 2u}) {
      const bool f32_weights = (k + stride) % 2 == 0;
      run_shape(make(k, stride, k / 2, 19, 1, 1, 11, 10, 2, PQNN_FLAG_DEPTHWISE_CONVOLUTION), pool_, false, f32_weights);
      run_shape(make(k, stride, k / 2, 40, 1, 1, 9, 8, 1), nullptr, true, !f32_weights);
      run_shape(make(k, stride, k / 2, 7, 1, 2, 9, 8, 1, PQNN_FLAG_DEPTHWISE_CONVOLUTION), pool_, false, f32_weights);
    }
  }
  for (uint32_t channels : {1u, 7u, 8u, 9u, 15u, 16u, 17u, 33u}) {
    ConvShape s = make(3, 1, 1, channels, 1, 1, 6, 5, 1, PQNN_FLAG_DEPTHWISE_CONVOLUTION);
    s.input_channel_stride += 2;
    s.output_channel_stride += 3;
    run_shape(s, channels % 2 ? pool_ : nullptr, channels % 3 == 0, channels % 2 == 0);
  }
}

TEST_F(F16Convolution, MobileNetLikeLayers) {
  ConvShape first = make(3, 2, 0, 1, 3, 32, 33, 33, 1, PQNN_FLAG_TENSORFLOW_SAME_PADDING);
  run_shape(first, pool_, true, true);
  run_shape(make(3, 1, 1, 1, 64, 64, 14, 14), pool_, false, false);
}

// Dense layers of 1..4 input channels (the patch path's row taps, as in the f32 test).
TEST_F(F16Convolution, FewInputChannels) {
  run_random_shapes(pqnn_test::few_channel_conv_shape, pqnn_test::shape_count(100), pool_);
}

// Stems: 3x3 stride 2, 3 -> 32 / 16, many interior tiles per output row.
TEST_F(F16Convolution, StemLayers) {
  for (size_t oc : {32, 16}) {
    ConvShape s = pqnn_test::stem_conv_shape(oc);
    run_shape(s, pool_, oc == 32, oc == 16);
  }
}

TEST_F(F16Convolution, ReshapeToNewSizes) {
  ConvShape s = make(3, 1, 1, 1, 5, 6, 8, 8);
  std::vector<uint16_t> kernel(s.kernel_elements(), f32_to_f16(0.25f));
  pqnn_operator_t op = nullptr;
  ASSERT_EQ(pqnn_create_convolution2d_nhwc_f16(1, 1, 1, 1, 3, 3, 1, 1, 1, 1, 1, 5, 6, 5, 6,
                kernel.data(), nullptr, -INFINITY, INFINITY, 0, &op), pqnn_status_success);
  for (size_t hw : {8, 3, 16, 1}) {
    std::vector<uint16_t> input(hw * hw * 5, f32_to_f16(1.0f)), output(hw * hw * 6, 0);
    size_t oh, ow;
    ASSERT_EQ(pqnn_reshape_convolution2d_nhwc_f16(op, 1, hw, hw, &oh, &ow, pool_), pqnn_status_success);
    ASSERT_EQ(oh, hw);
    ASSERT_EQ(ow, hw);
    ASSERT_EQ(pqnn_run_operator(op, pool_), pqnn_status_invalid_state);
    ASSERT_EQ(pqnn_setup_convolution2d_nhwc_f16(op, input.data(), output.data()), pqnn_status_success);
    ASSERT_EQ(pqnn_run_operator(op, pool_), pqnn_status_success);
    // Center pixel of a >= 3x3 image sees all 9 taps: 9 * 5 * 0.25.
    if (hw >= 3) {
      ASSERT_EQ(output[((hw / 2) * hw + hw / 2) * 6], f32_to_f16(11.25f));
    }
    // Corner sees 4 taps.
    if (hw >= 2) {
      ASSERT_EQ(output[0], f32_to_f16(5.0f));
    }
  }
  pqnn_delete_operator(op);
}

TEST_F(F16Convolution, BatchZeroRunsNothing) {
  std::vector<uint16_t> kernel(9 * 4 * 4, f32_to_f16(1.0f));
  for (uint32_t flags : {0u, PQNN_FLAG_DEPTHWISE_CONVOLUTION}) {
    const size_t gic = flags ? 1 : 4, goc = flags ? 1 : 4, groups = flags ? 4 : 1;
    pqnn_operator_t op = nullptr;
    ASSERT_EQ(pqnn_create_convolution2d_nhwc_f16(1, 1, 1, 1, 3, 3, 1, 1, 1, 1, groups, gic, goc,
                  4, 4, kernel.data(), nullptr, -1.0f, 1.0f, flags, &op), pqnn_status_success);
    size_t oh = 0, ow = 0;
    ASSERT_EQ(pqnn_reshape_convolution2d_nhwc_f16(op, 0, 5, 5, &oh, &ow, pool_), pqnn_status_success);
    EXPECT_EQ(oh, 5u);
    EXPECT_EQ(ow, 5u);
    ASSERT_EQ(pqnn_setup_convolution2d_nhwc_f16(op, nullptr, nullptr), pqnn_status_success);
    ASSERT_EQ(pqnn_run_operator(op, pool_), pqnn_status_success);
    ASSERT_EQ(pqnn_run_operator(op, nullptr), pqnn_status_success);
    pqnn_delete_operator(op);
  }
}

// Bounds given in f32 are rounded to f16 (nearest even) and clamp exactly to that value,
// on the GEMM and the dwconv paths.
TEST_F(F16Convolution, ClampToRoundedBounds) {
  const float out_min = -0.3f, out_max = 0.7f;
  for (uint32_t flags : {0u, PQNN_FLAG_DEPTHWISE_CONVOLUTION}) {
    const size_t channels = 16;
    const size_t groups = flags ? channels : 1, gic = flags ? 1 : channels, goc = flags ? 1 : channels;
    std::vector<uint16_t> kernel(groups * goc * gic);  // 1x1
    // Output channel m gets +4 (odd m) or -4 (even m) on both paths.
    const float w = flags ? 4.0f : 4.0f / float(gic);
    for (size_t i = 0; i < kernel.size(); i++) kernel[i] = f32_to_f16((i / gic) % 2 ? w : -w);
    pqnn_operator_t op = nullptr;
    ASSERT_EQ(pqnn_create_convolution2d_nhwc_f16(0, 0, 0, 0, 1, 1, 1, 1, 1, 1, groups, gic, goc,
                  channels, channels, kernel.data(), nullptr, out_min, out_max, flags, &op),
        pqnn_status_success);
    std::vector<uint16_t> input(4 * channels, f32_to_f16(1.0f)), output(4 * channels, 0);
    ASSERT_EQ(pqnn_reshape_convolution2d_nhwc_f16(op, 1, 2, 2, nullptr, nullptr, pool_), pqnn_status_success);
    ASSERT_EQ(pqnn_setup_convolution2d_nhwc_f16(op, input.data(), output.data()), pqnn_status_success);
    ASSERT_EQ(pqnn_run_operator(op, pool_), pqnn_status_success);
    for (size_t i = 0; i < output.size(); i++) {
      const uint16_t expected = (i % channels) % 2 ? f32_to_f16(out_max) : f32_to_f16(out_min);
      ASSERT_EQ(output[i], expected) << "flags " << flags << " element " << i;
    }
    pqnn_delete_operator(op);
  }
}

}  // namespace
