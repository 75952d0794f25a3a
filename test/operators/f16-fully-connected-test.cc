// f16 fully connected (IEEE binary16 storage, f32 accumulation, one rounding to f16) against
// a double reference computed from the same f16 values (weights and bias rounded to f16 with
// round-to-nearest-even when given as f32 with PQNN_FLAG_FP32_STATIC_WEIGHTS), over random
// shapes with exact-size buffers, strides wider than channels (NaN in the input gaps, output
// gaps untouched), transposed weights, clamping with f32 bounds that round to f16, batch 0..n,
// reshape to new batch sizes, and identical results with and without a threadpool.
//
// Tolerance, for reference r = sum x*w + b (double, from the f16 values) and S = sum |x*w| + |b|:
//   |y - clamp(r)| <= 0.5 * ulp16(|r| + e) + e + 2^-24,   e = (K + 1) * 2^-24 * S
// e bounds the f32 accumulation error (K + 1 roundings of relative size <= 2^-24 each, any
// summation order), 0.5 ulp16 the single final rounding to f16 (taken at |r| + e since the f32
// sum may sit in the next binade), 2^-24 is the smallest f16 subnormal step.
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

using pqnn_test::ExactBuffer;

namespace {

constexpr uint16_t kNaN16 = 0x7E00;
constexpr uint16_t kSentinel16 = 0xDEAD;  // a finite negative f16 no run can produce here

float f16_to_f32(uint16_t h) { return fp16_ieee_to_fp32_value(h); }
uint16_t f32_to_f16(float f) { return fp16_ieee_from_fp32_value(f); }
float round_to_f16(float f) { return f16_to_f32(f32_to_f16(f)); }

// Distance between |v| and the next larger f16 (2^-24 in the subnormal range).
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

pthreadpool_t pool_other() {
  static pthreadpool_t pool = pqnn_test::create_pool(2);
  return pool;
}

struct FcCase {
  size_t batch, ic, oc, istride, ostride;
  bool transposed, has_bias, clamp, f32_weights;
};

void run_case(const FcCase& c, pthreadpool_t pool) {
  SCOPED_TRACE(testing::Message() << "batch " << c.batch << " ic " << c.ic << " oc " << c.oc
                                  << " istride " << c.istride << " ostride " << c.ostride
                                  << " transposed " << c.transposed << " bias " << c.has_bias
                                  << " clamp " << c.clamp << " f32 weights " << c.f32_weights);
  auto& rng = pqnn_test::rng();
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  ExactBuffer<uint16_t> input(pqnn_test::span(c.batch, c.ic, c.istride));
  std::vector<float> input_ref(input.size());
  for (size_t i = 0; i < input.size(); i++) {
    // Gaps between rows hold NaN: they must never change a result.
    if (i % c.istride >= c.ic) {
      input[i] = kNaN16;
    } else {
      input[i] = f32_to_f16(dist(rng));
    }
    input_ref[i] = f16_to_f32(input[i]);
  }
  // Weights and bias: f32 (not representable in f16 in general) or f16; the reference
  // always uses the f16 value.
  ExactBuffer<float> kernel32(c.ic * c.oc);
  ExactBuffer<uint16_t> kernel16(c.ic * c.oc);
  std::vector<float> kernel_ref(c.ic * c.oc);
  for (size_t i = 0; i < kernel32.size(); i++) {
    kernel32[i] = dist(rng);
    kernel16[i] = f32_to_f16(kernel32[i]);
    kernel_ref[i] = f16_to_f32(kernel16[i]);
  }
  ExactBuffer<float> bias32(c.oc);
  ExactBuffer<uint16_t> bias16(c.oc);
  std::vector<float> bias_ref(c.oc);
  for (size_t i = 0; i < c.oc; i++) {
    bias32[i] = dist(rng);
    bias16[i] = f32_to_f16(bias32[i]);
    bias_ref[i] = f16_to_f32(bias16[i]);
  }
  std::vector<double> ref, abs_sum;
  pqnn_test::reference_fully_connected(c.batch, c.ic, c.oc, c.istride, input_ref.data(),
      kernel_ref.data(), c.transposed, c.has_bias ? bias_ref.data() : nullptr, -INFINITY,
      INFINITY, ref, &abs_sum);
  float out_min = -INFINITY, out_max = INFINITY;
  if (c.clamp && !ref.empty()) {
    std::vector<double> sorted = ref;
    std::sort(sorted.begin(), sorted.end());
    out_min = float(sorted[sorted.size() / 4]);
    out_max = float(sorted[sorted.size() * 3 / 4]);
    if (!(round_to_f16(out_min) < round_to_f16(out_max))) out_max = out_min + 1.0f;
  }
  // The operator clamps to the bounds rounded to f16.
  const double min16 = round_to_f16(out_min), max16 = round_to_f16(out_max);
  const void* kernel = c.f32_weights ? static_cast<const void*>(kernel32.data()) : kernel16.data();
  const void* bias = !c.has_bias ? nullptr
      : c.f32_weights ? static_cast<const void*>(bias32.data()) : bias16.data();
  const uint32_t flags = (c.transposed ? PQNN_FLAG_TRANSPOSE_WEIGHTS : 0) |
      (c.f32_weights ? PQNN_FLAG_FP32_STATIC_WEIGHTS : 0);
  pqnn_operator_t op = nullptr;
  ASSERT_EQ(pqnn_create_fully_connected_nc_f16(c.ic, c.oc, c.istride, c.ostride, kernel, bias,
                out_min, out_max, flags, &op),
      pqnn_status_success);
  ASSERT_EQ(pqnn_reshape_fully_connected_nc_f16(op, c.batch, pool), pqnn_status_success);
  ExactBuffer<uint16_t> output(pqnn_test::span(c.batch, c.oc, c.ostride));
  std::fill(output.begin(), output.end(), kSentinel16);
  ASSERT_EQ(pqnn_setup_fully_connected_nc_f16(op, input.data(), output.data()), pqnn_status_success);
  ASSERT_EQ(pqnn_run_operator(op, pool), pqnn_status_success);
  for (size_t b = 0; b < c.batch; b++) {
    for (size_t n = 0; n < c.ostride && b * c.ostride + n < output.size(); n++) {
      const uint16_t bits = output[b * c.ostride + n];
      if (n >= c.oc) {
        ASSERT_EQ(bits, kSentinel16) << "gap written at row " << b << " column " << n;
        continue;
      }
      const double y = f16_to_f32(bits);
      ASSERT_TRUE(std::isfinite(y)) << "at " << b << "," << n;
      const double r = std::min(std::max(ref[b * c.oc + n], min16), max16);
      ASSERT_GE(y, min16);
      ASSERT_LE(y, max16);
      ASSERT_NEAR(y, r, tolerance(r, abs_sum[b * c.oc + n], c.ic)) << "at " << b << "," << n;
    }
  }
  // Another threadpool (or none) at run gives identical results.
  ExactBuffer<uint16_t> output2(output.size());
  std::fill(output2.begin(), output2.end(), kSentinel16);
  ASSERT_EQ(pqnn_setup_fully_connected_nc_f16(op, input.data(), output2.data()), pqnn_status_success);
  ASSERT_EQ(pqnn_run_operator(op, pool == nullptr ? pool_other() : nullptr), pqnn_status_success);
  ASSERT_EQ(std::memcmp(output.data(), output2.data(), output.size() * sizeof(uint16_t)), 0)
      << "results depend on the threadpool";
  ASSERT_EQ(pqnn_delete_operator(op), pqnn_status_success);
}

class F16FullyConnected : public pqnn_test::PooledTest<> {};

TEST_F(F16FullyConnected, RandomShapes) {
  auto& rng = pqnn_test::rng();
  auto uni = [&rng](size_t lo, size_t hi) { return std::uniform_int_distribution<size_t>(lo, hi)(rng); };
  const size_t count = pqnn_test::shape_count(60);
  for (size_t i = 0; i < count; i++) {
    FcCase c;
    c.batch = uni(0, 4) == 0 ? 1 : uni(1, 20);
    c.ic = uni(1, 80);
    c.oc = uni(1, 80);
    c.istride = c.ic + (uni(0, 2) == 0 ? uni(1, 9) : 0);
    c.ostride = c.oc + (uni(0, 2) == 0 ? uni(1, 9) : 0);
    c.transposed = uni(0, 2) == 0;
    c.has_bias = uni(0, 3) != 0;
    c.clamp = uni(0, 2) == 0;
    c.f32_weights = uni(0, 2) == 0;
    SCOPED_TRACE(i);
    run_case(c, uni(0, 1) ? pool_ : nullptr);
  }
}

TEST_F(F16FullyConnected, LargeShapes) {
  run_case({7, 1000, 130, 1000, 130, false, true, false, false}, pool_);
  run_case({1, 2048, 257, 2050, 260, true, true, true, true}, pool_);
  run_case({1, 1024, 64, 1024, 64, false, false, false, true}, nullptr);
  run_case({64, 256, 512, 256, 512, false, true, false, false}, pool_);
}

TEST_F(F16FullyConnected, EveryFlagCombination) {
  for (bool transposed : {false, true}) {
    for (bool f32_weights : {false, true}) {
      for (bool has_bias : {false, true}) {
        run_case({5, 19, 37, 21, 40, transposed, has_bias, true, f32_weights}, pool_);
        run_case({3, 64, 16, 64, 16, transposed, has_bias, false, f32_weights}, nullptr);
      }
    }
  }
}

// PQNN_FLAG_FP32_STATIC_WEIGHTS rounds kernel and bias to nearest even at create: with one
// input channel and x = 1, y = w16 * 1 + b16 is exact in f32, so the output is bit-exact.
TEST_F(F16FullyConnected, Fp32StaticWeightsRoundToNearestEven) {
  // Halfway cases (ties go to the even mantissa), near-halfway, subnormal, large.
  const std::vector<float> weights = {
      1.0f + 0x1.0p-11f,        // tie -> 1.0
      1.0f + 3 * 0x1.0p-11f,    // tie -> 1 + 2^-9 (even)
      1.0f + 0x1.0p-11f + 0x1.0p-20f,  // just above the tie -> 1 + 2^-10
      -(1.0f + 0x1.0p-11f),     // tie -> -1.0
      0x1.0p-25f,               // tie between 0 and the smallest subnormal -> 0
      3 * 0x1.0p-25f,           // tie -> 2^-23 (even)
      0.1f, -0.3f, 1000.7f, 2047.5f, 0x1.ffcp-15f, 65504.0f,
  };
  const size_t oc = weights.size();
  for (bool transposed : {false, true}) {
    // ic = 1: the transposed layout is the same array.
    std::vector<float> bias(oc, 0.0f);
    ExactBuffer<float> kernel(oc);
    std::copy(weights.begin(), weights.end(), kernel.begin());
    pqnn_operator_t op = nullptr;
    ASSERT_EQ(pqnn_create_fully_connected_nc_f16(1, oc, 1, oc, kernel.data(), bias.data(),
                  -INFINITY, INFINITY,
                  PQNN_FLAG_FP32_STATIC_WEIGHTS | (transposed ? PQNN_FLAG_TRANSPOSE_WEIGHTS : 0), &op),
        pqnn_status_success);
    ExactBuffer<uint16_t> input(1), output(oc);
    input[0] = f32_to_f16(1.0f);
    ASSERT_EQ(pqnn_reshape_fully_connected_nc_f16(op, 1, nullptr), pqnn_status_success);
    ASSERT_EQ(pqnn_setup_fully_connected_nc_f16(op, input.data(), output.data()), pqnn_status_success);
    ASSERT_EQ(pqnn_run_operator(op, nullptr), pqnn_status_success);
    for (size_t n = 0; n < oc; n++) {
      EXPECT_EQ(output[n], f32_to_f16(weights[n])) << "weight " << weights[n];
    }
    pqnn_delete_operator(op);
  }
  // The bias goes through the same rounding: x = 0 gives y = b16.
  {
    std::vector<float> kernel(oc, 1.0f);
    ExactBuffer<float> bias(oc);
    std::copy(weights.begin(), weights.end(), bias.begin());
    pqnn_operator_t op = nullptr;
    ASSERT_EQ(pqnn_create_fully_connected_nc_f16(1, oc, 1, oc, kernel.data(), bias.data(),
                  -INFINITY, INFINITY, PQNN_FLAG_FP32_STATIC_WEIGHTS, &op),
        pqnn_status_success);
    ExactBuffer<uint16_t> input(1), output(oc);
    input[0] = 0;
    ASSERT_EQ(pqnn_reshape_fully_connected_nc_f16(op, 1, nullptr), pqnn_status_success);
    ASSERT_EQ(pqnn_setup_fully_connected_nc_f16(op, input.data(), output.data()), pqnn_status_success);
    ASSERT_EQ(pqnn_run_operator(op, nullptr), pqnn_status_success);
    for (size_t n = 0; n < oc; n++) {
      EXPECT_EQ(output[n], f32_to_f16(weights[n])) << "bias " << weights[n];
    }
    pqnn_delete_operator(op);
  }
}

// Bounds given in f32 are rounded to f16 (nearest even) and clamp exactly to that value.
TEST_F(F16FullyConnected, ClampToRoundedBounds) {
  const size_t ic = 8, oc = 24, batch = 3;
  std::vector<uint16_t> kernel(ic * oc), input(batch * ic);
  for (size_t n = 0; n < oc; n++) {
    for (size_t k = 0; k < ic; k++) {
      // Outputs range from about -3 to +3 across n.
      kernel[n * ic + k] = f32_to_f16((float(n) - float(oc) / 2) / 32.0f);
    }
  }
  for (auto& v : input) v = f32_to_f16(1.0f);
  const float out_min = -0.3f, out_max = 0.7f;  // neither is an f16 value
  ASSERT_NE(f16_to_f32(f32_to_f16(out_min)), out_min);
  ASSERT_NE(f16_to_f32(f32_to_f16(out_max)), out_max);
  pqnn_operator_t op = nullptr;
  ASSERT_EQ(pqnn_create_fully_connected_nc_f16(ic, oc, ic, oc, kernel.data(), nullptr, out_min,
                out_max, 0, &op),
      pqnn_status_success);
  ExactBuffer<uint16_t> output(batch * oc);
  ASSERT_EQ(pqnn_reshape_fully_connected_nc_f16(op, batch, pool_), pqnn_status_success);
  ASSERT_EQ(pqnn_setup_fully_connected_nc_f16(op, input.data(), output.data()), pqnn_status_success);
  ASSERT_EQ(pqnn_run_operator(op, pool_), pqnn_status_success);
  size_t low = 0, high = 0;
  for (size_t b = 0; b < batch; b++) {
    for (size_t n = 0; n < oc; n++) {
      const float w = f16_to_f32(kernel[n * ic]);
      const float exact = w * float(ic);  // exact in f32 and f16 (w has few bits)
      uint16_t expected = f32_to_f16(exact);
      if (exact <= f16_to_f32(f32_to_f16(out_min))) { expected = f32_to_f16(out_min); low++; }
      if (exact >= f16_to_f32(f32_to_f16(out_max))) { expected = f32_to_f16(out_max); high++; }
      EXPECT_EQ(output[b * oc + n], expected) << "row " << b << " column " << n;
    }
  }
  EXPECT_GT(low, 0u);
  EXPECT_GT(high, 0u);
  pqnn_delete_operator(op);
}

TEST_F(F16FullyConnected, ReshapeToNewBatchSizes) {
  const size_t ic = 33, oc = 17;
  std::vector<uint16_t> kernel(ic * oc, f32_to_f16(0.5f)), bias(oc, f32_to_f16(1.0f));
  pqnn_operator_t op = nullptr;
  ASSERT_EQ(pqnn_create_fully_connected_nc_f16(ic, oc, ic, oc, kernel.data(), bias.data(),
                -INFINITY, INFINITY, 0, &op), pqnn_status_success);
  for (size_t batch : {5, 1, 0, 12, 3}) {
    std::vector<uint16_t> input(std::max<size_t>(batch * ic, 1), f32_to_f16(2.0f));
    std::vector<uint16_t> output(std::max<size_t>(batch * oc, 1), 0);
    ASSERT_EQ(pqnn_reshape_fully_connected_nc_f16(op, batch, pool_), pqnn_status_success);
    // Setup is required again after every reshape.
    ASSERT_EQ(pqnn_run_operator(op, pool_), pqnn_status_invalid_state);
    ASSERT_EQ(pqnn_setup_fully_connected_nc_f16(op, input.data(), output.data()), pqnn_status_success);
    ASSERT_EQ(pqnn_run_operator(op, pool_), pqnn_status_success);
    for (size_t i = 0; i < batch * oc; i++) ASSERT_EQ(output[i], f32_to_f16(1.0f + ic * 1.0f)) << i;
  }
  pqnn_delete_operator(op);
}

TEST_F(F16FullyConnected, BatchZeroRunsNothing) {
  std::vector<uint16_t> kernel(4 * 3, f32_to_f16(1.0f));
  pqnn_operator_t op = nullptr;
  ASSERT_EQ(pqnn_create_fully_connected_nc_f16(4, 3, 4, 3, kernel.data(), nullptr, -1.0f, 1.0f, 0, &op),
      pqnn_status_success);
  ASSERT_EQ(pqnn_reshape_fully_connected_nc_f16(op, 0, nullptr), pqnn_status_success);
  ASSERT_EQ(pqnn_setup_fully_connected_nc_f16(op, nullptr, nullptr), pqnn_status_success);
  ASSERT_EQ(pqnn_run_operator(op, nullptr), pqnn_status_success);
  ASSERT_EQ(pqnn_reshape_fully_connected_nc_f16(op, 0, pool_), pqnn_status_success);
  ASSERT_EQ(pqnn_setup_fully_connected_nc_f16(op, nullptr, nullptr), pqnn_status_success);
  ASSERT_EQ(pqnn_run_operator(op, pool_), pqnn_status_success);
  pqnn_delete_operator(op);
}

}  // namespace
