// The column tail of f32 GEMMs on the narrow tile (src/operators/gemm-tail.c): a fully
// connected or convolution layer of N output channels (per group) gives the bits of the
// first N columns of the same layer widened to round_up(N, 32) columns with zero weights
// (every column of that one on the main tile): N = 240, 360, 40, every odd N in 9..999,
// row tails (batch / pixels not a multiple of MR, 1 row), transposed weights, bias,
// clamping, with and without a threadpool; 1x1 (GEMM path), 3x3 and grouped (IGEMM path)
// convolutions; and N = 240 over 960 rows against the double reference.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <vector>

#include <pqnn.h>

#include "common/conv-reference.h"
#include "common/test-pool.h"
#include "common/pooled-test.h"
#include "common/test-utils.h"

using pqnn_test::ConvShape;

namespace {

constexpr size_t kWide = 32;  // a multiple of every tier's main NR: no column tail

size_t widened(size_t n) { return (n + kWide - 1) / kWide * kWide; }

std::vector<float> random_floats(size_t count) {
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> v(count);
  for (auto& x : v) x = dist(pqnn_test::rng());
  return v;
}

std::vector<float> fc_output(size_t batch, size_t k, size_t n, const std::vector<float>& input,
    const std::vector<float>& kernel, const std::vector<float>& bias, bool transposed,
    float out_min, float out_max, pthreadpool_t pool) {
  pqnn_operator_t op = nullptr;
  EXPECT_EQ(pqnn_create_fully_connected_nc_f32(k, n, k, n, kernel.data(), bias.data(), out_min,
                out_max, transposed ? PQNN_FLAG_TRANSPOSE_WEIGHTS : 0, &op),
      pqnn_status_success);
  std::vector<float> output(batch * n, -12345.0f);
  EXPECT_EQ(pqnn_reshape_fully_connected_nc_f32(op, batch, pool), pqnn_status_success);
  EXPECT_EQ(pqnn_setup_fully_connected_nc_f32(op, input.data(), output.data()),
      pqnn_status_success);
  EXPECT_EQ(pqnn_run_operator(op, pool), pqnn_status_success);
  EXPECT_EQ(pqnn_delete_operator(op), pqnn_status_success);
  return output;
}

// FC of n columns against the widened one on the same data; returns the n-column output.
std::vector<float> check_fc(size_t batch, size_t k, size_t n, bool transposed, bool clamp,
    pthreadpool_t pool) {
  SCOPED_TRACE(testing::Message() << "batch " << batch << " k " << k << " n " << n
                                  << (transposed ? " transposed" : ""));
  const size_t wide = widened(n);
  const std::vector<float> input = random_floats(batch * k);
  const std::vector<float> kernel = random_floats(k * n);
  std::vector<float> bias = random_floats(n);
  std::vector<float> wide_kernel(k * wide, 0.0f), wide_bias(wide, 0.0f);
  for (size_t j = 0; j < n; j++) {
    wide_bias[j] = bias[j];
    for (size_t i = 0; i < k; i++) {
      if (transposed) {
        wide_kernel[i * wide + j] = kernel[i * n + j];
      } else {
        wide_kernel[j * k + i] = kernel[j * k + i];
      }
    }
  }
  const float out_min = clamp ? -0.5f : -INFINITY, out_max = clamp ? 0.75f : INFINITY;
  const std::vector<float> got =
      fc_output(batch, k, n, input, kernel, bias, transposed, out_min, out_max, pool);
  const std::vector<float> want = fc_output(batch, k, wide, input, wide_kernel, wide_bias,
      transposed, out_min, out_max, pool);
  for (size_t b = 0; b < batch; b++) {
    for (size_t j = 0; j < n; j++) {
      EXPECT_EQ(std::memcmp(&got[b * n + j], &want[b * wide + j], sizeof(float)), 0)
          << "row " << b << " column " << j << ": " << got[b * n + j] << " vs "
          << want[b * wide + j];
      if (::testing::Test::HasFailure()) return got;
    }
  }
  return got;
}

std::vector<float> conv_output(const ConvShape& s, const std::vector<float>& input,
    const std::vector<float>& kernel, const std::vector<float>& bias, pthreadpool_t pool) {
  pqnn_operator_t op = nullptr;
  EXPECT_EQ(pqnn_create_convolution2d_nhwc_f32(s.pad_top, s.pad_right, s.pad_bottom,
                s.pad_left, s.kernel_height, s.kernel_width, s.stride_height, s.stride_width,
                s.dilation_height, s.dilation_width, s.groups, s.group_input_channels,
                s.group_output_channels, s.input_channel_stride, s.output_channel_stride,
                kernel.data(), bias.data(), -INFINITY, INFINITY, s.flags, &op),
      pqnn_status_success);
  size_t oh = 0, ow = 0;
  EXPECT_EQ(pqnn_reshape_convolution2d_nhwc_f32(op, s.batch, s.input_height, s.input_width,
                &oh, &ow, pool),
      pqnn_status_success);
  std::vector<float> output(s.output_span());
  EXPECT_EQ(pqnn_setup_convolution2d_nhwc_f32(op, input.data(), output.data()),
      pqnn_status_success);
  EXPECT_EQ(pqnn_run_operator(op, pool), pqnn_status_success);
  EXPECT_EQ(pqnn_delete_operator(op), pqnn_status_success);
  return output;
}

// A k x k convolution (padding k / 2, NO_WINOGRAD: the IGEMM path for 3x3) of `groups`
// groups of c -> n channels against the widened one.
void check_conv(uint32_t k, uint32_t groups, size_t c, size_t n, size_t h, size_t w,
    pthreadpool_t pool) {
  SCOPED_TRACE(testing::Message() << k << "x" << k << " groups " << groups << " " << c << " -> "
                                  << n << " " << h << "x" << w);
  ConvShape s;
  s.kernel_height = s.kernel_width = k;
  s.pad_top = s.pad_right = s.pad_bottom = s.pad_left = k / 2;
  s.groups = groups;
  s.group_input_channels = c;
  s.group_output_channels = n;
  s.input_channel_stride = groups * c;
  s.output_channel_stride = groups * n;
  s.flags = PQNN_FLAG_NO_WINOGRAD;
  s.input_height = h;
  s.input_width = w;
  ConvShape t = s;
  t.group_output_channels = widened(n);
  t.output_channel_stride = groups * t.group_output_channels;
  const std::vector<float> input = random_floats(s.input_span());
  const std::vector<float> kernel = random_floats(s.kernel_elements());
  const std::vector<float> bias = random_floats(s.output_channels());
  std::vector<float> wide_kernel(t.kernel_elements(), 0.0f), wide_bias(t.output_channels(), 0.0f);
  for (uint32_t g = 0; g < groups; g++) {
    for (size_t m = 0; m < n; m++) {
      wide_bias[g * t.group_output_channels + m] = bias[g * n + m];
      for (uint32_t ky = 0; ky < k; ky++) {
        for (uint32_t kx = 0; kx < k; kx++) {
          for (size_t i = 0; i < c; i++) {
            wide_kernel[t.kernel_index(g, m, ky, kx, i)] = kernel[s.kernel_index(g, m, ky, kx, i)];
          }
        }
      }
    }
  }
  const std::vector<float> got = conv_output(s, input, kernel, bias, pool);
  const std::vector<float> want = conv_output(t, input, wide_kernel, wide_bias, pool);
  const size_t pixels = s.output_height() * s.output_width();
  for (size_t p = 0; p < pixels; p++) {
    for (uint32_t g = 0; g < groups; g++) {
      for (size_t m = 0; m < n; m++) {
        const float x = got[p * s.output_channel_stride + g * n + m];
        const float y = want[p * t.output_channel_stride + g * t.group_output_channels + m];
        ASSERT_EQ(std::memcmp(&x, &y, sizeof(float)), 0)
            << "pixel " << p << " group " << g << " channel " << m << ": " << x << " vs " << y;
      }
    }
  }
}

class F32GemmTail : public pqnn_test::PooledTest<> {};

TEST_F(F32GemmTail, FullyConnectedNamedWidths) {
  const size_t batches[] = {1, 2, 7, 8, 9, 16, 23};
  size_t i = 0;
  for (size_t n : {240, 360, 40, 48, 176, 1000, 1001}) {
    for (size_t batch : batches) {
      check_fc(batch, 17 + i % 29, n, i % 3 == 1, i % 4 == 2, i % 2 ? pool_ : nullptr);
      if (HasFailure()) return;
      i++;
    }
  }
}

TEST_F(F32GemmTail, FullyConnectedOddWidths) {
  const size_t batches[] = {1, 3, 7, 8, 12, 15};
  size_t i = 0;
  for (size_t n = 9; n <= 999; n += 2) {
    check_fc(batches[i % 6], 3 + i % 13, n, i % 5 == 0, i % 7 == 0, i % 2 ? pool_ : nullptr);
    if (HasFailure()) return;
    i++;
  }
}

// PaddleOCR rec's 1x1 layers: 960 pixels x 240 -> 240, within rounding of the reference.
TEST_F(F32GemmTail, RecLayerMatchesTheReference) {
  for (pthreadpool_t pool : {static_cast<pthreadpool_t>(nullptr), pool_}) {
    const size_t batch = 960, k = 240, n = 240;
    pqnn_test::rng().seed(240);
    const std::vector<float> got = check_fc(batch, k, n, false, false, pool);
    pqnn_test::rng().seed(240);
    const std::vector<float> input = random_floats(batch * k);
    const std::vector<float> kernel = random_floats(k * n);
    const std::vector<float> bias = random_floats(n);
    std::vector<double> ref, abs_sum;
    pqnn_test::reference_fully_connected(batch, k, n, k, input.data(), kernel.data(), false,
        bias.data(), -INFINITY, INFINITY, ref, &abs_sum);
    for (size_t i = 0; i < batch * n; i++) {
      ASSERT_NEAR(got[i], ref[i], abs_sum[i] * double(k + 1) * 1.2e-7 + 1e-6) << i;
    }
  }
}

TEST_F(F32GemmTail, Convolutions) {
  size_t i = 0;
  for (size_t n : {240, 360, 40, 56, 47}) {
    check_conv(1, 1, 9 + i, n, 5, 7, i % 2 ? pool_ : nullptr);   // GEMM path
    check_conv(3, 1, 5 + i, n, 4, 9, i % 2 ? nullptr : pool_);   // IGEMM path
    check_conv(3, 2, 3 + i, n, 3, 8, pool_);                     // grouped IGEMM
    check_conv(1, 3, 4, n, 1, 1, nullptr);                        // one pixel: mr = 1
    if (HasFailure()) return;
    i++;
  }
}

}  // namespace
