// f32 2D convolution (NHWC) against the double reference over random shapes: groups,
// depthwise (flag and grouped form, multipliers), dilation, stride, explicit and SAME
// padding, batch > 1, channel strides wider than channels; exact-size buffers, NaN in the
// gaps, output gaps untouched, reshape to new sizes, identical results across threadpools;
// the Winograd path (3x3 stride 1) against the reference and against PQNN_FLAG_NO_WINOGRAD.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include <pqnn.h>

#include "common/conv-reference.h"
#include "common/test-pool.h"
#include "common/pooled-test.h"
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

// The Winograd path's stated tolerance (docs/architecture.md, "Winograd"): |error| at most
// this fraction of the layer's largest sum of |input * weight| over one output's products.
constexpr double kWinogradTolerance = 1e-5;

// Whether the shape is one the Winograd path may take (3x3 stride 1, dilation 1, one group).
bool winograd_shape(const ConvShape& s, uint32_t flags) {
  return s.kernel_height == 3 && s.kernel_width == 3 && s.stride_height == 1 &&
      s.stride_width == 1 && s.dilation_height == 1 && s.dilation_width == 1 && s.groups == 1 &&
      (flags & PQNN_FLAG_NO_WINOGRAD) == 0;
}

// Creates, runs and checks one convolution: per output within the rounding of its k products
// (winograd_tolerance 0), or within winograd_tolerance of the layer's largest sum of
// |products|; gaps untouched; bit-identical on another threadpool. Returns the largest
// error as a fraction of that layer scale; the output in *result when non-null.
double check_conv(const ConvShape& s, const ExactBuffer<float>& input,
    const ExactBuffer<float>& kernel, const ExactBuffer<float>& bias, float out_min,
    float out_max, uint32_t flags, pthreadpool_t pool, const std::vector<double>& ref,
    const std::vector<double>& abs_sum, double winograd_tolerance, std::vector<float>* result) {
  pqnn_operator_t op = nullptr;
  EXPECT_EQ(pqnn_create_convolution2d_nhwc_f32(s.pad_top, s.pad_right, s.pad_bottom, s.pad_left,
                s.kernel_height, s.kernel_width, s.stride_height, s.stride_width,
                s.dilation_height, s.dilation_width, s.groups, s.group_input_channels,
                s.group_output_channels, s.input_channel_stride, s.output_channel_stride,
                kernel.data(), bias.data(), out_min, out_max, flags, &op),
      pqnn_status_success);
  if (op == nullptr) return 0.0;
  size_t oh = 0, ow = 0;
  EXPECT_EQ(pqnn_reshape_convolution2d_nhwc_f32(op, s.batch, s.input_height, s.input_width, &oh,
                &ow, pool),
      pqnn_status_success);
  EXPECT_EQ(oh, s.output_height());
  EXPECT_EQ(ow, s.output_width());
  const float sentinel = -54321.0f;
  ExactBuffer<float> output(s.output_span());
  std::fill(output.begin(), output.end(), sentinel);
  EXPECT_EQ(pqnn_setup_convolution2d_nhwc_f32(op, input.data(), output.data()), pqnn_status_success);
  EXPECT_EQ(pqnn_run_operator(op, pool), pqnn_status_success);
  const size_t oc = s.output_channels();
  const size_t k = s.taps() * s.group_input_channels;
  const double scale = abs_sum.empty() ? 0.0 : *std::max_element(abs_sum.begin(), abs_sum.end());
  double worst = 0.0;
  for (size_t p = 0; p < s.batch * oh * ow; p++) {
    for (size_t c = 0; c < s.output_channel_stride && p * s.output_channel_stride + c < output.size(); c++) {
      const float y = output[p * s.output_channel_stride + c];
      if (c >= oc) {
        EXPECT_EQ(y, sentinel) << "gap written at pixel " << p << " channel " << c;
        if (y != sentinel) return worst;
        continue;
      }
      const double r = std::min(std::max(ref[p * oc + c], double(out_min)), double(out_max));
      const double tol = winograd_tolerance > 0.0 ? winograd_tolerance * scale + 1e-6
          : abs_sum[p * oc + c] * double(k + 1) * 1.2e-7 + 1e-6;
      EXPECT_NEAR(y, r, tol) << "pixel " << p << " channel " << c;
      if (!(std::fabs(y - r) <= tol)) return worst;
      if (scale > 0.0) worst = std::max(worst, std::fabs(y - r) / scale);
    }
  }
  ExactBuffer<float> output2(output.size());
  std::fill(output2.begin(), output2.end(), sentinel);
  EXPECT_EQ(pqnn_setup_convolution2d_nhwc_f32(op, input.data(), output2.data()), pqnn_status_success);
  EXPECT_EQ(pqnn_run_operator(op, pool == nullptr ? other_pool() : nullptr), pqnn_status_success);
  EXPECT_EQ(std::memcmp(output.data(), output2.data(), output.size() * sizeof(float)), 0)
      << "results depend on the threadpool";
  EXPECT_EQ(pqnn_delete_operator(op), pqnn_status_success);
  if (result != nullptr) result->assign(output.begin(), output.end());
  return worst;
}

// Random data of one shape and its unclamped double reference.
struct ConvData {
  explicit ConvData(const ConvShape& s)
      : input(s.input_span()), kernel(s.kernel_elements()), bias(s.output_channels()) {
    std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
    fill_input(s, input);
    for (auto& v : kernel) v = dist(pqnn_test::rng());
    for (auto& v : bias) v = dist(pqnn_test::rng());
    pqnn_test::reference_conv2d(s, input.data(), kernel.data(), bias.data(), -INFINITY,
        INFINITY, ref, &abs_sum);
  }
  ExactBuffer<float> input, kernel, bias;
  std::vector<double> ref, abs_sum;
};

void run_shape(const ConvShape& s, pthreadpool_t pool, bool clamp) {
  SCOPED_TRACE(s.describe());
  const ConvData d(s);
  float out_min = -INFINITY, out_max = INFINITY;
  if (clamp && !d.ref.empty()) {
    std::vector<double> sorted = d.ref;
    std::sort(sorted.begin(), sorted.end());
    out_min = float(sorted[sorted.size() / 5]);
    out_max = float(sorted[sorted.size() * 4 / 5]);
    if (!(out_min < out_max)) out_max = out_min + 1.0f;
  }
  check_conv(s, d.input, d.kernel, d.bias, out_min, out_max, s.flags, pool, d.ref, d.abs_sum,
      winograd_shape(s, s.flags) ? kWinogradTolerance : 0.0, nullptr);
}

// A 3x3 stride-1 shape with and without PQNN_FLAG_NO_WINOGRAD on the same data: both against
// the reference (the default path per output, Winograd within kWinogradTolerance), and with
// both channel counts >= 8 (the path's rule takes those) the two must differ somewhere
// (Winograd ran).
// Returns the largest Winograd error as a fraction of the layer's scale.
double run_winograd_shape(const ConvShape& s, pthreadpool_t pool, bool clamp) {
  SCOPED_TRACE(s.describe());
  const ConvData d(s);
  float out_min = -INFINITY, out_max = INFINITY;
  if (clamp && !d.ref.empty()) {
    out_min = float(*std::min_element(d.ref.begin(), d.ref.end()) * 0.5);
    out_max = float(*std::max_element(d.ref.begin(), d.ref.end()) * 0.5);
    if (!(out_min < out_max)) out_max = out_min + 1.0f;
  }
  std::vector<float> direct, winograd;
  check_conv(s, d.input, d.kernel, d.bias, out_min, out_max, s.flags | PQNN_FLAG_NO_WINOGRAD,
      pool, d.ref, d.abs_sum, 0.0, &direct);
  const double error = check_conv(s, d.input, d.kernel, d.bias, out_min, out_max, s.flags, pool,
      d.ref, d.abs_sum, kWinogradTolerance, &winograd);
  if (s.group_input_channels >= 8 && s.group_output_channels >= 8) {
    EXPECT_NE(direct, winograd) << "the Winograd path did not run";
  }
  return error;
}

class F32Convolution : public pqnn_test::PooledTest<> {};

// count shapes from next_shape(rng), alternately on the pool and without one, every third
// clamped.
template <class NextShape>
void run_random_shapes(NextShape next_shape, size_t count, pthreadpool_t pool) {
  auto& rng = pqnn_test::rng();
  for (size_t i = 0; i < count; i++) {
    const ConvShape s = next_shape(rng);
    SCOPED_TRACE(i);
    run_shape(s, (i % 2) ? pool : nullptr, i % 3 == 0);
    if (::testing::Test::HasFatalFailure()) return;
  }
}

TEST_F(F32Convolution, RandomShapes) {
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

TEST_F(F32Convolution, PointwiseUsesGemm) {
  run_shape(make(1, 1, 0, 1, 37, 45, 7, 9, 2), pool_, false);
  run_shape(make(1, 1, 0, 3, 8, 5, 6, 5, 2), pool_, true);
}

// Pointwise rows around the MR choices (AVX512: 7x32, or 8x32 where it pads fewer rows:
// M = 8, 16, 64; M = 1 runs the mr = 1 kernel) and columns around the narrow 16-wide tile
// (N <= 16) and the 32-wide one; 1x1 and 3x3 (IGEMM) layers, pixels = h * w.
TEST_F(F32Convolution, RowAndColumnTiles) {
  const size_t hw[][2] = {{1, 1}, {1, 7}, {2, 4}, {2, 7}, {4, 4}, {7, 7}, {8, 8}, {3, 19}, {14, 14}};
  const size_t columns[] = {1, 8, 15, 16, 17, 24, 32, 33, 48};
  size_t i = 0;
  for (const auto& p : hw) {
    for (size_t n : columns) {
      const uint32_t k = i % 4 == 3 ? 3 : 1;
      run_shape(make(k, 1, k / 2, 1, 5 + i % 23, n, p[0], p[1], 1 + i % 2), (i % 2) ? pool_ : nullptr,
          i % 3 == 0);
      if (HasFatalFailure()) return;
      i++;
    }
  }
}

TEST_F(F32Convolution, DepthwiseKernels) {
  for (uint32_t k : {1u, 3u, 5u, 7u}) {  // 1: the 1p kernels (a per-channel scale)
    for (uint32_t stride : {1u, 2u}) {
      run_shape(make(k, stride, k / 2, 19, 1, 1, 11, 10, 2, PQNN_FLAG_DEPTHWISE_CONVOLUTION), pool_, false);
      run_shape(make(k, stride, k / 2, 40, 1, 1, 9, 8, 1), nullptr, true);
      run_shape(make(k, stride, k / 2, 7, 1, 2, 9, 8, 1, PQNN_FLAG_DEPTHWISE_CONVOLUTION), pool_, false);
    }
  }
}

// Depthwise 3x3 and 5x5 over edge sizes: the row kernels (AVX2, AVX512) take the columns
// whose taps are all inside the input and up to 4 border columns a side (the per-pixel
// kernel wider borders: every third shape pads up to 2k columns a side), so widths from
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
        const uint32_t max_pad = i % 3 == 0 ? 2 * k : k / 2;
        s.pad_left = uint32_t(rng() % (max_pad + 1));
        s.pad_right = uint32_t(rng() % (max_pad + 1));
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

// Dense layers of 1..4 input channels (the patch path's row taps: each kernel row of a
// pixel one IGEMM tap, pointed at in the input through a per-output-row table and an
// a_offset, or per tile at the borders, with gathered rows where padding, dilation or a
// wider channel stride breaks the run): strides 1..3, dilation, explicit and SAME padding,
// narrow and wide N, clamps, batches, threadpools.
TEST_F(F32Convolution, FewInputChannels) {
  run_random_shapes(pqnn_test::few_channel_conv_shape, pqnn_test::shape_count(150), pool_);
}

// Stems (3x3 stride 2 padding 1, 3 -> 32 as MobileNet's, 3 -> 16 / 8 as PaddleOCR's) on
// images with many interior tiles per output row (the row-table tiles) and rows that end
// mid-tile, a ReLU6-like clamp, and the 1-pixel output (mr = 1 kernel).
TEST_F(F32Convolution, StemLayers) {
  for (size_t oc : {32, 16, 8}) {
    ConvShape s = pqnn_test::stem_conv_shape(oc);
    run_shape(s, oc == 16 ? nullptr : pool_, oc == 32);
    s.input_height = 9;
    s.input_width = 121;
    s.batch = 1;
    run_shape(s, pool_, oc != 32);
  }
  ConvShape one = make(3, 2, 1, 1, 3, 24, 2, 2);
  run_shape(one, pool_, false);
  // Unpadded, 6x6 outputs: the image's last tile (1 pixel of 7) lies inside the input, and
  // its kernel must not read pixels past the image (rows past the tile repeat its last).
  run_shape(make(3, 2, 0, 1, 3, 16, 13, 13), nullptr, false);
}

// Winograd edge sizes: outputs 1x1 .. 9x11 (partial 4x4 tiles), channels 1..67 (the path's
// channel rule takes most, not few inputs to many outputs), paddings 0 / 1 per side or SAME,
// batch, wider channel strides, bias, clamp.
TEST_F(F32Convolution, WinogradShapes) {
  auto& rng = pqnn_test::rng();
  const size_t count = pqnn_test::shape_count(120);
  double worst = 0.0;
  for (size_t i = 0; i < count; i++) {
    auto pick = [&](size_t lo, size_t hi) {
      return std::uniform_int_distribution<size_t>(lo, hi)(rng);
    };
    ConvShape s;
    s.kernel_height = s.kernel_width = 3;
    if (i % 7 == 6) {
      s.flags = PQNN_FLAG_TENSORFLOW_SAME_PADDING;
    } else {
      s.pad_top = uint32_t(pick(0, 1));
      s.pad_bottom = uint32_t(pick(0, 1));
      s.pad_left = uint32_t(pick(0, 1));
      s.pad_right = uint32_t(pick(0, 1));
    }
    // Output 1..9 rows, 1..11 columns.
    s.input_height = pick(1, 9) + 2 - s.pad_top - s.pad_bottom;
    s.input_width = pick(1, 11) + 2 - s.pad_left - s.pad_right;
    const bool wide = i % 3 == 0;
    s.group_input_channels = wide ? pick(16, 67) : pick(1, 67);
    s.group_output_channels = wide ? pick(16, 67) : pick(1, 67);
    s.input_channel_stride = s.group_input_channels + (i % 5 == 0 ? pick(1, 5) : 0);
    s.output_channel_stride = s.group_output_channels + (i % 4 == 0 ? pick(1, 5) : 0);
    s.batch = pick(1, 2);
    SCOPED_TRACE(i);
    worst = std::max(worst, run_winograd_shape(s, (i % 2) ? pool_ : nullptr, i % 3 == 1));
    if (HasFailure()) return;
  }
  std::printf("largest Winograd error: %.3g of the layer's largest |products| sum\n", worst);
}

// Layers of real networks: PaddleOCR det's 3x3 96 -> 24, ResNet's 64 -> 64; and the GEMM
// tiles the Winograd path picks by N on avx512f (pqnn_winograd_gemm_config): 12x24 for
// N = 24 (det 20x20: blocks of 10 + 10 + 5 tiles, an odd last row pair) and 72, 7x16 for
// 16, 40 and 8, 7x32 for 56.
TEST_F(F32Convolution, WinogradLayers) {
  run_winograd_shape(make(3, 1, 1, 1, 96, 24, 40, 40), pool_, true);
  run_winograd_shape(make(3, 1, 1, 1, 64, 64, 14, 14, 2), nullptr, false);
  run_winograd_shape(make(3, 1, 0, 1, 16, 16, 6, 7), pool_, false);
  run_winograd_shape(make(3, 1, 1, 1, 96, 24, 20, 20), nullptr, false);
  run_winograd_shape(make(3, 1, 1, 1, 20, 72, 13, 9), pool_, false);
  run_winograd_shape(make(3, 1, 1, 1, 48, 40, 11, 17), nullptr, false);
  run_winograd_shape(make(3, 1, 1, 1, 24, 8, 9, 9, 2), pool_, false);
  run_winograd_shape(make(3, 1, 1, 1, 32, 56, 10, 10), nullptr, false);
}

// Runs one convolution on the given data and returns its output (no checks of its own).
std::vector<float> conv_output(const ConvShape& s, const ConvData& d, uint32_t flags,
    pthreadpool_t pool) {
  pqnn_operator_t op = nullptr;
  EXPECT_EQ(pqnn_create_convolution2d_nhwc_f32(s.pad_top, s.pad_right, s.pad_bottom, s.pad_left,
                3, 3, 1, 1, 1, 1, 1, s.group_input_channels, s.group_output_channels,
                s.input_channel_stride, s.output_channel_stride, d.kernel.data(), d.bias.data(),
                -INFINITY, INFINITY, flags, &op),
      pqnn_status_success);
  size_t oh = 0, ow = 0;
  EXPECT_EQ(pqnn_reshape_convolution2d_nhwc_f32(op, s.batch, s.input_height, s.input_width, &oh,
                &ow, pool),
      pqnn_status_success);
  std::vector<float> output(s.output_span());
  EXPECT_EQ(pqnn_setup_convolution2d_nhwc_f32(op, d.input.data(), output.data()),
      pqnn_status_success);
  EXPECT_EQ(pqnn_run_operator(op, pool), pqnn_status_success);
  EXPECT_EQ(pqnn_delete_operator(op), pqnn_status_success);
  return output;
}

// Sums of |input x weight| near 1e38 in the first tile's 6x6 window (direct convolution is
// finite), with input and weight signs that the transforms amplify 11x (a search over sign
// patterns: the intermediate values overflow), and inputs ~1 elsewhere: every output
// finite and within the Winograd tolerance of the reference, the sums near 1e38 (computed
// directly) within direct convolution's rounding.
TEST_F(F32Convolution, WinogradOverflowIsDirect) {
  const ConvShape s = make(3, 1, 0, 1, 16, 24, 14, 13);
  const int kInputSigns[6][6] = {{-1, -1, 1, -1, 1, 1}, {-1, -1, 1, 1, 1, -1},
      {-1, -1, -1, 1, 1, 1}, {-1, 1, -1, -1, -1, 1}, {1, -1, -1, -1, 1, -1},
      {1, -1, 1, 1, -1, -1}};
  const int kWeightSigns[9] = {-1, -1, 1, 1, 1, -1, -1, 1, 1};
  ConvData d(s);
  std::uniform_real_distribution<float> magnitude(0.5f, 1.0f);
  for (size_t y = 0; y < 6; y++) {
    for (size_t x = 0; x < 6; x++) {
      for (size_t c = 0; c < 16; c++) {
        d.input[(y * s.input_width + x) * 16 + c] =
            9e18f * float(kInputSigns[y][x]) * magnitude(pqnn_test::rng());
      }
    }
  }
  for (size_t i = 0; i < d.kernel.size(); i++) {
    d.kernel[i] = 1e17f * float(kWeightSigns[i / 16 % 9]) * magnitude(pqnn_test::rng());
  }
  d.ref.clear();
  d.abs_sum.clear();
  pqnn_test::reference_conv2d(s, d.input.data(), d.kernel.data(), d.bias.data(), -INFINITY,
      INFINITY, d.ref, &d.abs_sum);
  const double largest = *std::max_element(d.abs_sum.begin(), d.abs_sum.end());
  ASSERT_GT(largest, 3e37);
  ASSERT_LT(largest, 1.7e38);  // direct convolution stays finite
  for (pthreadpool_t pool : {pool_, static_cast<pthreadpool_t>(nullptr)}) {
    const std::vector<float> direct = conv_output(s, d, PQNN_FLAG_NO_WINOGRAD, pool);
    const std::vector<float> winograd = conv_output(s, d, 0, pool);
    EXPECT_NE(direct, winograd) << "the Winograd path did not run";
    const size_t k = 9 * 16;
    for (size_t i = 0; i < winograd.size(); i++) {
      ASSERT_TRUE(std::isfinite(winograd[i])) << "output " << i << " = " << winograd[i];
      // A tile whose 6x6 window reads the corner (tile origins 0 and 4) has the corner's
      // scale; the other tiles their own (inputs ~1, weights ~1e17: sums below 1e20).
      const size_t py = i / 24 / s.output_width(), px = i / 24 % s.output_width();
      const bool corner_tile = py / 4 * 4 <= 4 && px / 4 * 4 <= 4;
      const double tol = d.abs_sum[i] > 1e30 ? d.abs_sum[i] * double(k + 1) * 1.2e-7
          : kWinogradTolerance * (corner_tile ? largest : 1e20);
      ASSERT_NEAR(winograd[i], d.ref[i], tol) << "output " << i;
    }
  }
}

// An infinity and a NaN in the input: the outputs that direct convolution makes Inf or NaN
// are the same, with the same sign, on the Winograd path (not the whole tiles around them);
// the others are within the Winograd tolerance.
TEST_F(F32Convolution, WinogradNonFiniteInputsAsDirect) {
  const ConvShape s = make(3, 1, 1, 1, 12, 20, 13, 11);
  ConvData d(s);
  d.input[(5 * s.input_width + 6) * 12 + 3] = INFINITY;
  d.input[(9 * s.input_width + 1) * 12 + 7] = NAN;
  d.input[(0 * s.input_width + 10) * 12 + 0] = -INFINITY;
  const double scale = *std::max_element(d.abs_sum.begin(), d.abs_sum.end());
  for (pthreadpool_t pool : {pool_, static_cast<pthreadpool_t>(nullptr)}) {
    const std::vector<float> direct = conv_output(s, d, PQNN_FLAG_NO_WINOGRAD, pool);
    const std::vector<float> winograd = conv_output(s, d, 0, pool);
    size_t nonfinite = 0;
    for (size_t i = 0; i < winograd.size(); i++) {
      ASSERT_EQ(std::isnan(winograd[i]), std::isnan(direct[i])) << "output " << i;
      if (std::isinf(direct[i])) {
        ASSERT_EQ(winograd[i], direct[i]) << "output " << i;
      } else if (!std::isnan(direct[i])) {
        ASSERT_NEAR(winograd[i], d.ref[i], kWinogradTolerance * scale + 1e-6) << "output " << i;
      }
      nonfinite += std::isfinite(direct[i]) ? 0 : 1;
    }
    EXPECT_EQ(nonfinite, (9u + 9u + 4u) * 20u) << "direct: outputs reading the 3 pixels";
  }
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
