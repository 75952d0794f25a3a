// qs8 (per-tensor kernel scale) and qs8_qc8w (per-channel) 2D convolution (NHWC), bit-exact
// against the API.md arithmetic (test/common/qs8-reference) over random shapes (groups,
// depthwise with and without the flag -- the dwconv path and, for multipliers > 1, the
// IGEMM path --, dilation, stride, SAME and explicit padding reading as the input zero
// point, batch, channel strides with garbage in the input gaps and sentinels in the output
// gaps), every input and output zero point, extreme values, requantization scales 1e-6..1,
// clamping, identical results with and without a threadpool, reshape to new sizes, batch 0.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <random>
#include <vector>

#include <pqnn.h>

#include "common/conv-reference.h"
#include "common/qs8-reference.h"
#include "common/test-pool.h"
#include "common/pooled-test.h"
#include "common/test-utils.h"

using pqnn_test::ConvShape;
using pqnn_test::ExactBuffer;
using pqnn_test::Qs8Quantization;

namespace {

constexpr int8_t kSentinel = int8_t(0x5A);

pthreadpool_t other_pool() {
  static pthreadpool_t pool = pqnn_test::create_pool(2);
  return pool;
}

struct Options {
  bool per_channel = false, clamp = false, extremes = false, has_bias = true;
  int input_zero_point = 0, output_zero_point = 0;
  double requantization = 0;  // 0: outputs spread over the int8 range
  int pow2 = 0;               // > 0: scales powers of two, requantization 2^-pow2 (ties)
  bool compare_pools = true;  // rerun with the other threadpool (or none) and compare
};

double log_uniform(std::mt19937& rng, double lo, double hi) {
  return std::exp(std::uniform_real_distribution<double>(std::log(lo), std::log(hi))(rng));
}

struct Operator {
  pqnn_operator_t op = nullptr;
  bool per_channel = false;
  ~Operator() { pqnn_delete_operator(op); }
  pqnn_status reshape(const ConvShape& s, size_t* oh, size_t* ow, pthreadpool_t pool) {
    return per_channel
        ? pqnn_reshape_convolution2d_nhwc_qs8_qc8w(op, s.batch, s.input_height, s.input_width, oh, ow, pool)
        : pqnn_reshape_convolution2d_nhwc_qs8(op, s.batch, s.input_height, s.input_width, oh, ow, pool);
  }
  pqnn_status setup(const int8_t* x, int8_t* y) {
    return per_channel ? pqnn_setup_convolution2d_nhwc_qs8_qc8w(op, x, y)
                       : pqnn_setup_convolution2d_nhwc_qs8(op, x, y);
  }
};

// Runs the operator on `s` (creating it when op.op is NULL) and checks every output
// element against the reference and every output gap against the sentinel.
void run_and_check(Operator& op, const ConvShape& s, const int8_t* kernel, const int32_t* bias,
    const Qs8Quantization& q, const ExactBuffer<int8_t>& input, pthreadpool_t pool, bool compare_pools) {
  std::vector<int8_t> ref;
  pqnn_test::reference_qs8_conv2d(s, input.data(), kernel, bias, q, ref);
  size_t oh = 0, ow = 0;
  ASSERT_EQ(op.reshape(s, &oh, &ow, pool), pqnn_status_success);
  ASSERT_EQ(oh, s.output_height());
  ASSERT_EQ(ow, s.output_width());
  const size_t count = s.output_span(), oc = s.output_channels();
  ExactBuffer<int8_t> output(count);
  std::fill(output.begin(), output.end(), kSentinel);
  ASSERT_EQ(op.setup(input.data(), output.data()), pqnn_status_success);
  ASSERT_EQ(pqnn_run_operator(op.op, pool), pqnn_status_success);
  for (size_t p = 0; p < s.batch * oh * ow; p++) {
    for (size_t c = 0; c < s.output_channel_stride && p * s.output_channel_stride + c < count; c++) {
      const size_t i = p * s.output_channel_stride + c;
      if (c >= oc) {
        ASSERT_EQ(output[i], kSentinel) << "gap written at pixel " << p << " channel " << c;
      } else {
        ASSERT_EQ(int(output[i]), int(ref[p * oc + c])) << "pixel " << p << " channel " << c;
      }
    }
  }
  // Identical with another threadpool (or none).
  ExactBuffer<int8_t> again(count);
  std::fill(again.begin(), again.end(), kSentinel);
  ASSERT_EQ(op.setup(input.data(), again.data()), pqnn_status_success);
  pthreadpool_t second = compare_pools ? (pool == nullptr ? other_pool() : nullptr) : pool;
  ASSERT_EQ(pqnn_run_operator(op.op, second), pqnn_status_success);
  ASSERT_EQ(std::memcmp(again.data(), output.data(), count), 0);
}

ExactBuffer<int8_t> random_input(const ConvShape& s, const Options& o) {
  auto& rng = pqnn_test::rng();
  std::uniform_int_distribution<int> i8(-128, 127);
  ExactBuffer<int8_t> input(s.input_span());
  for (auto& v : input) v = int8_t(i8(rng));  // channel gaps hold garbage too
  if (o.extremes && s.batch > 0) {
    const size_t pixels = s.input_height * s.input_width;  // image 0: 127, last image: -128
    for (size_t p = 0; p < pixels; p++) {
      for (size_t c = 0; c < s.input_channels(); c++) {
        input[p * s.input_channel_stride + c] = 127;
        if (s.batch > 1) input[((s.batch - 1) * pixels + p) * s.input_channel_stride + c] = -128;
      }
    }
  }
  return input;
}

void run_shape(const ConvShape& s, const Options& o, pthreadpool_t pool) {
  SCOPED_TRACE(testing::Message() << s.describe() << " per_channel " << o.per_channel << " izp "
                                  << o.input_zero_point << " ozp " << o.output_zero_point << " requant "
                                  << o.requantization << " clamp " << o.clamp << " extremes " << o.extremes);
  auto& rng = pqnn_test::rng();
  std::uniform_int_distribution<int> w8(-127, 127);
  const size_t oc = s.output_channels(), kk = s.taps() * s.group_input_channels;
  Qs8Quantization q;
  q.input_zero_point = int8_t(o.input_zero_point);
  q.output_zero_point = int8_t(o.output_zero_point);
  q.input_scale = float(log_uniform(rng, 1e-3, 1.0));
  const float ks0 = float(log_uniform(rng, 1e-3, 1e-1));
  if (o.per_channel) {
    q.kernel_scale.resize(oc);
    for (auto& v : q.kernel_scale) v = ks0 * float(log_uniform(rng, 0.5, 2.0));
  } else {
    q.kernel_scale = {ks0};
  }
  const double r = o.requantization > 0 ? o.requantization : 40.0 / (std::sqrt(double(kk)) * 6000.0);
  q.output_scale = float(double(q.input_scale) * ks0 / r);
  if (o.pow2 > 0) {  // exact requantization scales: many products fall on .5 (rounding ties)
    q.input_scale = 0.5f;
    q.output_scale = 1.0f;
    for (size_t n = 0; n < q.kernel_scale.size(); n++) {
      q.kernel_scale[n] = std::ldexp(1.0f, 1 - o.pow2 + int(n % 3) - 1);
    }
  }
  ExactBuffer<int8_t> kernel(s.kernel_elements());
  for (auto& v : kernel) v = int8_t(w8(rng));
  if (o.extremes) {  // channel 0 all +127, channel 1 all -127
    for (size_t i = 0; i < kernel.size(); i++) {
      const size_t n = (s.flags & PQNN_FLAG_DEPTHWISE_CONVOLUTION) ? i % oc : i / kk;
      if (n == 0) kernel[i] = 127;
      if (n == 1) kernel[i] = -127;
    }
  }
  ExactBuffer<int32_t> bias(oc);
  const int bias_range = int(std::sqrt(double(kk)) * 6000.0);
  std::uniform_int_distribution<int> bd(-bias_range, bias_range);
  for (auto& v : bias) v = bd(rng);
  const int32_t* bias_ptr = o.has_bias ? bias.data() : nullptr;
  ExactBuffer<int8_t> input = random_input(s, o);
  if (o.clamp) {
    std::vector<int8_t> ref;
    pqnn_test::reference_qs8_conv2d(s, input.data(), kernel.data(), bias_ptr, q, ref);
    std::sort(ref.begin(), ref.end());
    if (!ref.empty()) {
      q.output_min = ref[ref.size() / 4];
      q.output_max = ref[ref.size() * 3 / 4];
    }
  }
  Operator op;
  op.per_channel = o.per_channel;
  if (o.per_channel) {
    ASSERT_EQ(pqnn_create_convolution2d_nhwc_qs8_qc8w(s.pad_top, s.pad_right, s.pad_bottom, s.pad_left,
                  s.kernel_height, s.kernel_width, s.stride_height, s.stride_width, s.dilation_height,
                  s.dilation_width, s.groups, s.group_input_channels, s.group_output_channels,
                  s.input_channel_stride, s.output_channel_stride, q.input_zero_point, q.input_scale,
                  q.kernel_scale.data(), kernel.data(), bias_ptr, q.output_zero_point, q.output_scale,
                  q.output_min, q.output_max, s.flags, &op.op), pqnn_status_success);
  } else {
    ASSERT_EQ(pqnn_create_convolution2d_nhwc_qs8(s.pad_top, s.pad_right, s.pad_bottom, s.pad_left,
                  s.kernel_height, s.kernel_width, s.stride_height, s.stride_width, s.dilation_height,
                  s.dilation_width, s.groups, s.group_input_channels, s.group_output_channels,
                  s.input_channel_stride, s.output_channel_stride, q.input_zero_point, q.input_scale,
                  q.kernel_scale[0], kernel.data(), bias_ptr, q.output_zero_point, q.output_scale,
                  q.output_min, q.output_max, s.flags, &op.op), pqnn_status_success);
  }
  run_and_check(op, s, kernel.data(), bias_ptr, q, input, pool, o.compare_pools);
  if (::testing::Test::HasFatalFailure()) return;
  // Reshape the same operator to another batch and image size.
  ConvShape s2 = s;
  s2.batch = s.batch % 3 + 1;
  s2.input_height = s.input_height + 3;
  s2.input_width = s.input_width + 1;
  ExactBuffer<int8_t> input2 = random_input(s2, Options());
  run_and_check(op, s2, kernel.data(), bias_ptr, q, input2, pool, o.compare_pools);
}

class Qs8Convolution : public pqnn_test::PooledTest<> {};

size_t uni(size_t lo, size_t hi) { return std::uniform_int_distribution<size_t>(lo, hi)(pqnn_test::rng()); }

TEST_F(Qs8Convolution, RandomShapes) {
  auto& rng = pqnn_test::rng();
  const size_t count = pqnn_test::shape_count(80);
  for (size_t i = 0; i < count; i++) {
    const ConvShape s = pqnn_test::random_conv_shape(rng);
    Options o;
    o.per_channel = uni(0, 1) == 1;
    o.clamp = uni(0, 2) == 0;
    o.extremes = uni(0, 3) == 0;
    o.has_bias = uni(0, 3) != 0;
    o.input_zero_point = int(uni(0, 255)) - 128;
    o.output_zero_point = int(uni(0, 255)) - 128;
    if (uni(0, 2) == 0) o.requantization = log_uniform(rng, 1e-6, 1.0);
    if (uni(0, 5) == 0) o.pow2 = int(uni(1, 12));
    o.compare_pools = uni(0, 3) == 0;
    SCOPED_TRACE(i);
    run_shape(s, o, uni(0, 1) ? pool_ : nullptr);
    if (HasFatalFailure()) return;
  }
}

// Every input and output zero point on small padded layers: depthwise (flag, the dwconv
// path), depthwise multiplier 2 (IGEMM), grouped and dense.
TEST_F(Qs8Convolution, EveryZeroPoint) {
  for (int zp = -128; zp <= 127; zp++) {
    ConvShape s;
    s.kernel_height = s.kernel_width = 3;
    s.pad_top = s.pad_left = 1;
    s.pad_bottom = s.pad_right = uint32_t(zp & 1);
    s.input_height = 4;
    s.input_width = 5;
    s.batch = 2;
    switch ((zp + 128) % 4) {
      case 0: s.flags = PQNN_FLAG_DEPTHWISE_CONVOLUTION; s.groups = 13; break;
      case 1: s.flags = PQNN_FLAG_DEPTHWISE_CONVOLUTION; s.groups = 7; s.group_output_channels = 2; break;
      case 2: s.groups = 3; s.group_input_channels = 5; s.group_output_channels = 6; break;
      default: s.group_input_channels = 11; s.group_output_channels = 9; break;
    }
    s.input_channel_stride = s.input_channels() + size_t(zp & 2);
    s.output_channel_stride = s.output_channels() + size_t(zp & 4);
    Options o;
    o.input_zero_point = zp;
    o.output_zero_point = -1 - zp;
    o.per_channel = (zp & 8) != 0;
    o.extremes = (zp & 16) != 0;
    o.clamp = zp % 5 == 0;
    o.pow2 = (zp % 3) == 0 ? 1 + (zp + 128) % 12 : 0;
    o.compare_pools = (zp % 16) == 0;
    SCOPED_TRACE(zp);
    run_shape(s, o, (zp % 32) == 0 ? pool_ : nullptr);
    if (HasFatalFailure()) return;
  }
}

// 3x3 depthwise layers as the row kernels take them (AVX512-VNNI: qs8-dwconv-row, the
// interior columns of each output row, pixel pairs at strides of one or two tap steps,
// the border columns per pixel): widths around the pairs, strides, dilations, paddings,
// channel counts with whole tiles and both tail widths, two images, zero points.
TEST_F(Qs8Convolution, DepthwiseRows) {
  int n = 0;
  for (const ConvShape& s : pqnn_test::depthwise_row_shapes()) {
    Options o;
    o.per_channel = true;
    o.input_zero_point = (n * 37) % 256 - 128;
    o.output_zero_point = (n * 11) % 256 - 128;
    o.clamp = n % 4 == 0;
    o.extremes = n % 5 == 0;
    SCOPED_TRACE(s.describe());
    run_shape(s, o, n % 7 == 0 ? pool_ : nullptr);
    if (HasFatalFailure()) return;
    n++;
  }
}

TEST_F(Qs8Convolution, RequantizationScalesAndClamping) {
  for (double r : {1e-6, 1e-4, 1e-2, 0.3, 1.0}) {
    for (bool depthwise : {false, true}) {
      ConvShape s;
      s.kernel_height = s.kernel_width = 3;
      s.pad_top = s.pad_left = s.pad_bottom = s.pad_right = 1;
      s.input_height = s.input_width = 6;
      s.batch = 2;
      if (depthwise) {
        s.flags = PQNN_FLAG_DEPTHWISE_CONVOLUTION;
        s.groups = 24;
      } else {
        s.group_input_channels = 16;
        s.group_output_channels = 20;
      }
      s.input_channel_stride = s.input_channels();
      s.output_channel_stride = s.output_channels();
      Options o;
      o.per_channel = depthwise;
      o.requantization = r;
      o.clamp = true;
      o.extremes = true;
      o.input_zero_point = -100;
      o.output_zero_point = 17;
      SCOPED_TRACE(r);
      run_shape(s, o, pool_);
      if (HasFatalFailure()) return;
    }
  }
}

// Pointwise and 3x3 layers of realistic width (K = 9 * 64 = 576).
TEST_F(Qs8Convolution, PointwiseAndPaddedLayers) {
  ConvShape s;
  s.group_input_channels = 64;
  s.group_output_channels = 40;
  s.input_channel_stride = 64;
  s.output_channel_stride = 40;
  s.batch = 2;
  s.input_height = 7;
  s.input_width = 9;
  Options o;
  o.input_zero_point = -5;
  o.output_zero_point = 9;
  run_shape(s, o, pool_);
  s.kernel_height = s.kernel_width = 3;
  s.flags = PQNN_FLAG_TENSORFLOW_SAME_PADDING;
  s.stride_height = s.stride_width = 2;
  o.per_channel = true;
  run_shape(s, o, nullptr);
}

// Dense layers of 1..4 input channels (the patch path: each pixel's patch gathered as one
// K row, padding written as the input zero point, narrow tiles for narrow N).
TEST_F(Qs8Convolution, FewInputChannels) {
  auto& rng = pqnn_test::rng();
  const size_t count = pqnn_test::shape_count(80);
  for (size_t i = 0; i < count; i++) {
    const ConvShape s = pqnn_test::few_channel_conv_shape(rng);
    Options o;
    o.per_channel = uni(0, 1) == 1;
    o.clamp = uni(0, 2) == 0;
    o.extremes = uni(0, 3) == 0;
    o.input_zero_point = int(uni(0, 255)) - 128;
    o.output_zero_point = int(uni(0, 255)) - 128;
    o.compare_pools = uni(0, 2) == 0;
    SCOPED_TRACE(i);
    run_shape(s, o, uni(0, 1) ? pool_ : nullptr);
    if (HasFatalFailure()) return;
  }
}

// The stem of MobileNet (3x3 stride 2, 3 -> 32) and a PaddleOCR one (3 -> 16), at a size
// with many row tiles per task.
TEST_F(Qs8Convolution, StemLayers) {
  for (size_t oc : {32, 16}) {
    const ConvShape s = pqnn_test::stem_conv_shape(oc);
    Options o;
    o.per_channel = oc == 32;
    o.input_zero_point = -7;
    o.output_zero_point = 3;
    run_shape(s, o, pool_);
  }
}

TEST_F(Qs8Convolution, BatchZeroRunsNothing) {
  std::vector<int8_t> kernel(4 * 9 * 4, 1);
  std::vector<float> ks(4, 0.5f);
  for (bool per_channel : {false, true}) {
    Operator op;
    op.per_channel = per_channel;
    if (per_channel) {
      ASSERT_EQ(pqnn_create_convolution2d_nhwc_qs8_qc8w(1, 1, 1, 1, 3, 3, 1, 1, 1, 1, 1, 4, 4, 4, 4, 0, 0.5f,
                    ks.data(), kernel.data(), nullptr, 0, 1.0f, -128, 127, 0, &op.op), pqnn_status_success);
    } else {
      ASSERT_EQ(pqnn_create_convolution2d_nhwc_qs8(1, 1, 1, 1, 3, 3, 1, 1, 1, 1, 1, 4, 4, 4, 4, 0, 0.5f, 0.5f,
                    kernel.data(), nullptr, 0, 1.0f, -128, 127, 0, &op.op), pqnn_status_success);
    }
    ConvShape s;
    s.batch = 0;
    s.input_height = s.input_width = 5;
    size_t oh = 0, ow = 0;
    ASSERT_EQ(op.reshape(s, &oh, &ow, pool_), pqnn_status_success);
    EXPECT_EQ(oh, 5u);
    EXPECT_EQ(ow, 5u);
    ASSERT_EQ(op.setup(nullptr, nullptr), pqnn_status_success);
    ASSERT_EQ(pqnn_run_operator(op.op, pool_), pqnn_status_success);
  }
}

}  // namespace
