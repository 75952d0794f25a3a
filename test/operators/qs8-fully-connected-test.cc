// qs8 (per-tensor kernel scale) and qs8_qc8w (per-channel) fully connected, bit-exact
// against the API.md arithmetic (test/common/qs8-reference): random shapes with K up to
// 4096, exact-size buffers, row strides with garbage in the input gaps and sentinels in
// the output gaps, transposed weights, every input and output zero point -128..127,
// extreme activations (-128/127) and weights (+-127), requantization scales from 1e-6 to
// 1, clamping bounds that clamp, identical results with and without a threadpool, reshape
// to new batch sizes and batch 0.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <random>
#include <vector>

#include <pqnn.h>

#include "common/qs8-reference.h"
#include "common/test-pool.h"
#include "common/pooled-test.h"
#include "common/test-utils.h"

using pqnn_test::ExactBuffer;
using pqnn_test::Qs8Quantization;

namespace {

constexpr int8_t kSentinel = int8_t(0x5A);

pthreadpool_t other_pool() {
  static pthreadpool_t pool = pqnn_test::create_pool(2);
  return pool;
}

struct Case {
  size_t batch = 1, ic = 1, oc = 1, istride = 1, ostride = 1;
  bool transposed = false, has_bias = true, per_channel = false, clamp = false;
  bool extremes = false;      // rows of -128 / 127 activations, +-127 weight rows
  int input_zero_point = 0, output_zero_point = 0;
  double requantization = 0;  // 0: chosen so outputs spread over the int8 range
  int pow2 = 0;               // > 0: scales powers of two, requantization 2^-pow2 (ties)
  bool compare_pools = true;  // rerun with the other threadpool (or none) and compare
};

double log_uniform(std::mt19937& rng, double lo, double hi) {
  return std::exp(std::uniform_real_distribution<double>(std::log(lo), std::log(hi))(rng));
}

Qs8Quantization make_quantization(const Case& c, std::mt19937& rng) {
  Qs8Quantization q;
  q.input_zero_point = int8_t(c.input_zero_point);
  q.output_zero_point = int8_t(c.output_zero_point);
  q.input_scale = float(log_uniform(rng, 1e-3, 1.0));
  const float ks0 = float(log_uniform(rng, 1e-3, 1e-1));
  if (c.per_channel) {
    q.kernel_scale.resize(c.oc);
    for (auto& v : q.kernel_scale) v = ks0 * float(log_uniform(rng, 0.5, 2.0));
  } else {
    q.kernel_scale = {ks0};
  }
  // |acc| is about sqrt(K) * 80 * 73 for uniform data: aim for outputs of a few tens.
  const double r = c.requantization > 0 ? c.requantization : 40.0 / (std::sqrt(double(c.ic)) * 6000.0);
  q.output_scale = float(double(q.input_scale) * ks0 / r);
  if (c.pow2 > 0) {  // exact requantization scales: many products fall on .5 (rounding ties)
    q.input_scale = 0.5f;
    q.output_scale = 1.0f;
    for (size_t n = 0; n < q.kernel_scale.size(); n++) {
      q.kernel_scale[n] = std::ldexp(1.0f, 1 - c.pow2 + int(n % 3) - 1);
    }
  }
  return q;
}

void run_case(const Case& c, pthreadpool_t pool) {
  SCOPED_TRACE(testing::Message() << "batch " << c.batch << " ic " << c.ic << " oc " << c.oc << " istride "
                                  << c.istride << " ostride " << c.ostride << " transposed " << c.transposed
                                  << " per_channel " << c.per_channel << " izp " << c.input_zero_point << " ozp "
                                  << c.output_zero_point << " requant " << c.requantization << " clamp " << c.clamp);
  auto& rng = pqnn_test::rng();
  std::uniform_int_distribution<int> i8(-128, 127), w8(-127, 127);
  Qs8Quantization q = make_quantization(c, rng);
  ExactBuffer<int8_t> input(pqnn_test::span(c.batch, c.ic, c.istride));
  for (auto& v : input) v = int8_t(i8(rng));  // gaps hold garbage too
  ExactBuffer<int8_t> kernel(c.ic * c.oc);
  for (auto& v : kernel) v = int8_t(w8(rng));
  auto w = [&](size_t n, size_t k) -> int8_t& { return c.transposed ? kernel[k * c.oc + n] : kernel[n * c.ic + k]; };
  if (c.extremes) {
    for (size_t k = 0; k < c.ic; k++) {
      if (c.batch > 0) input[k] = 127;
      if (c.batch > 1) input[c.istride + k] = -128;
      if (c.batch > 2) input[2 * c.istride + k] = (k % 2) ? 127 : -128;
      w(0, k) = 127;
      if (c.oc > 1) w(1, k) = -127;
      if (c.oc > 2) w(2, k) = (k % 2) ? 127 : -127;
    }
  }
  ExactBuffer<int32_t> bias(c.oc);
  const int bias_range = int(std::sqrt(double(c.ic)) * 6000.0);
  std::uniform_int_distribution<int> bd(-bias_range, bias_range);
  for (auto& v : bias) v = bd(rng);
  const int32_t* bias_ptr = c.has_bias ? bias.data() : nullptr;
  std::vector<int8_t> ref;
  if (c.clamp) {
    pqnn_test::reference_qs8_fully_connected(c.batch, c.ic, c.oc, c.istride, input.data(), kernel.data(),
        c.transposed, bias_ptr, q, ref);
    std::vector<int8_t> sorted = ref;
    std::sort(sorted.begin(), sorted.end());
    if (!sorted.empty()) {
      q.output_min = sorted[sorted.size() / 4];
      q.output_max = sorted[sorted.size() * 3 / 4];
    }
  }
  pqnn_test::reference_qs8_fully_connected(c.batch, c.ic, c.oc, c.istride, input.data(), kernel.data(),
      c.transposed, bias_ptr, q, ref);
  const uint32_t flags = c.transposed ? PQNN_FLAG_TRANSPOSE_WEIGHTS : 0;
  pqnn_operator_t op = nullptr;
  auto reshape = [&](size_t batch, pthreadpool_t p) {
    return c.per_channel ? pqnn_reshape_fully_connected_nc_qs8_qc8w(op, batch, p)
                         : pqnn_reshape_fully_connected_nc_qs8(op, batch, p);
  };
  auto setup = [&](const int8_t* x, int8_t* y) {
    return c.per_channel ? pqnn_setup_fully_connected_nc_qs8_qc8w(op, x, y)
                         : pqnn_setup_fully_connected_nc_qs8(op, x, y);
  };
  if (c.per_channel) {
    ASSERT_EQ(pqnn_create_fully_connected_nc_qs8_qc8w(c.ic, c.oc, c.istride, c.ostride, q.input_zero_point,
                  q.input_scale, q.kernel_scale.data(), kernel.data(), bias_ptr, q.output_zero_point,
                  q.output_scale, q.output_min, q.output_max, flags, &op), pqnn_status_success);
  } else {
    ASSERT_EQ(pqnn_create_fully_connected_nc_qs8(c.ic, c.oc, c.istride, c.ostride, q.input_zero_point,
                  q.input_scale, q.kernel_scale[0], kernel.data(), bias_ptr, q.output_zero_point,
                  q.output_scale, q.output_min, q.output_max, flags, &op), pqnn_status_success);
  }
  // The operator packed its own copy: the caller's buffers may change.
  std::vector<int8_t> kernel_copy(kernel.begin(), kernel.end());
  std::fill(kernel.begin(), kernel.end(), int8_t(0));
  ASSERT_EQ(reshape(c.batch, pool), pqnn_status_success);
  const size_t out_count = pqnn_test::span(c.batch, c.oc, c.ostride);
  ExactBuffer<int8_t> output(out_count);
  std::fill(output.begin(), output.end(), kSentinel);
  ASSERT_EQ(setup(input.data(), output.data()), pqnn_status_success);
  ASSERT_EQ(pqnn_run_operator(op, pool), pqnn_status_success);
  for (size_t m = 0; m < c.batch; m++) {
    for (size_t n = 0; n < c.ostride && m * c.ostride + n < out_count; n++) {
      const size_t i = m * c.ostride + n;
      if (n >= c.oc) {
        ASSERT_EQ(output[i], kSentinel) << "gap written at row " << m << " col " << n;
      } else {
        ASSERT_EQ(int(output[i]), int(ref[m * c.oc + n])) << "row " << m << " col " << n;
      }
    }
  }
  // Identical with another threadpool (or none), and with other garbage in the input gaps.
  for (size_t m = 0; m < c.batch; m++) {
    for (size_t k = c.ic; k < c.istride && m * c.istride + k < input.size(); k++) input[m * c.istride + k] ^= 0x55;
  }
  ExactBuffer<int8_t> again(out_count);
  std::fill(again.begin(), again.end(), kSentinel);
  ASSERT_EQ(setup(input.data(), again.data()), pqnn_status_success);
  pthreadpool_t second = c.compare_pools ? (pool == nullptr ? other_pool() : nullptr) : pool;
  ASSERT_EQ(pqnn_run_operator(op, second), pqnn_status_success);
  ASSERT_EQ(std::memcmp(again.data(), output.data(), out_count), 0);
  // Reshape to another batch size on the same operator.
  const size_t batch2 = c.batch == 0 ? 3 : c.batch + 2;
  ExactBuffer<int8_t> input2(pqnn_test::span(batch2, c.ic, c.istride));
  std::uniform_int_distribution<int> i8b(-128, 127);
  for (auto& v : input2) v = int8_t(i8b(rng));
  std::vector<int8_t> ref2;
  pqnn_test::reference_qs8_fully_connected(batch2, c.ic, c.oc, c.istride, input2.data(), kernel_copy.data(),
      c.transposed, bias_ptr, q, ref2);
  ASSERT_EQ(reshape(batch2, pool), pqnn_status_success);
  ASSERT_EQ(pqnn_run_operator(op, pool), pqnn_status_invalid_state);  // setup needed again
  ExactBuffer<int8_t> output2(pqnn_test::span(batch2, c.oc, c.ostride));
  std::fill(output2.begin(), output2.end(), kSentinel);
  ASSERT_EQ(setup(input2.data(), output2.data()), pqnn_status_success);
  ASSERT_EQ(pqnn_run_operator(op, pool), pqnn_status_success);
  for (size_t m = 0; m < batch2; m++) {
    for (size_t n = 0; n < c.oc; n++) {
      ASSERT_EQ(int(output2[m * c.ostride + n]), int(ref2[m * c.oc + n])) << "reshaped row " << m << " col " << n;
    }
    for (size_t n = c.oc; n < c.ostride && m * c.ostride + n < output2.size(); n++) {
      ASSERT_EQ(output2[m * c.ostride + n], kSentinel);
    }
  }
  pqnn_delete_operator(op);
}

class Qs8FullyConnected : public pqnn_test::PooledTest<> {};

size_t uni(size_t lo, size_t hi) { return std::uniform_int_distribution<size_t>(lo, hi)(pqnn_test::rng()); }

Case random_case() {
  Case c;
  c.batch = uni(0, 4) == 0 ? 1 : uni(1, 20);
  c.ic = uni(0, 5) == 0 ? uni(200, 700) : uni(1, 80);
  c.oc = uni(1, 80);
  c.istride = c.ic + (uni(0, 2) == 0 ? uni(1, 9) : 0);
  c.ostride = c.oc + (uni(0, 2) == 0 ? uni(1, 9) : 0);
  c.transposed = uni(0, 2) == 0;
  c.has_bias = uni(0, 3) != 0;
  c.per_channel = uni(0, 1) == 1;
  c.clamp = uni(0, 2) == 0;
  c.extremes = uni(0, 3) == 0;
  c.input_zero_point = int(uni(0, 255)) - 128;
  c.output_zero_point = int(uni(0, 255)) - 128;
  if (uni(0, 2) == 0) c.requantization = log_uniform(pqnn_test::rng(), 1e-6, 1.0);
  if (uni(0, 5) == 0) c.pow2 = int(uni(1, 12));
  c.compare_pools = uni(0, 3) == 0;
  return c;
}

TEST_F(Qs8FullyConnected, RandomShapes) {
  const size_t count = pqnn_test::shape_count(100);
  for (size_t i = 0; i < count; i++) {
    SCOPED_TRACE(i);
    run_case(random_case(), uni(0, 1) ? pool_ : nullptr);
    if (HasFatalFailure()) return;
  }
}

// Every input and every output zero point, on small shapes, both variants.
TEST_F(Qs8FullyConnected, EveryZeroPoint) {
  for (int zp = -128; zp <= 127; zp++) {
    Case c;
    c.batch = 3;
    c.ic = 1 + size_t(zp + 128) % 37;
    c.oc = 1 + size_t(zp + 128) % 19;
    c.istride = c.ic + size_t(zp & 1);
    c.ostride = c.oc + size_t(zp & 2);
    c.input_zero_point = zp;
    c.output_zero_point = -1 - zp;  // covers -128..127 as well
    c.per_channel = (zp & 4) != 0;
    c.transposed = (zp & 8) != 0;
    c.extremes = (zp & 16) != 0;
    c.clamp = (zp % 7) == 0;
    c.pow2 = (zp % 3) == 0 ? 1 + (zp + 128) % 10 : 0;
    c.compare_pools = (zp % 16) == 0;
    SCOPED_TRACE(zp);
    run_case(c, (zp % 32) == 0 ? pool_ : nullptr);
    if (HasFatalFailure()) return;
  }
}

// K up to 4096 with extreme data: the int32 accumulator's largest sums.
TEST_F(Qs8FullyConnected, LargeK) {
  for (size_t k : {1024, 2049, 4095, 4096}) {
    for (bool per_channel : {false, true}) {
      Case c;
      c.batch = 5;
      c.ic = c.istride = k;
      c.oc = 19;
      c.ostride = 21;
      c.per_channel = per_channel;
      c.transposed = (k & 1) != 0;
      c.extremes = true;
      c.input_zero_point = per_channel ? -128 : 127;
      c.output_zero_point = per_channel ? 5 : -7;
      run_case(c, pool_);
      if (HasFatalFailure()) return;
    }
  }
}

// Requantization scales across the valid range: tiny ones (outputs at the zero point)
// up to 1 (saturating), and bounds that clamp.
TEST_F(Qs8FullyConnected, RequantizationScalesAndClamping) {
  for (double r : {1e-6, 1e-5, 1e-4, 3e-4, 1e-3, 1e-2, 0.1, 0.5, 1.0}) {
    for (bool clamp : {false, true}) {
      Case c;
      c.batch = 7;
      c.ic = c.istride = 33;
      c.oc = 23;
      c.ostride = 25;
      c.per_channel = clamp;
      c.clamp = clamp;
      c.input_zero_point = 3;
      c.output_zero_point = -2;
      c.requantization = r;
      SCOPED_TRACE(r);
      run_case(c, nullptr);
      if (HasFatalFailure()) return;
    }
  }
  for (int p = 1; p <= 14; p++) {  // exact power-of-two scales: rounding ties to even
    Case c;
    c.batch = 6;
    c.ic = c.istride = 5 + size_t(p);
    c.oc = c.ostride = 17;
    c.per_channel = (p & 1) != 0;
    c.pow2 = p;
    c.input_zero_point = -p;
    c.output_zero_point = p;
    c.compare_pools = false;
    SCOPED_TRACE(p);
    run_case(c, nullptr);
    if (HasFatalFailure()) return;
  }
}

TEST_F(Qs8FullyConnected, BatchZeroRunsNothing) {
  std::vector<int8_t> kernel(4 * 3, 1);
  std::vector<float> ks(3, 0.5f);
  for (bool per_channel : {false, true}) {
    pqnn_operator_t op = nullptr;
    if (per_channel) {
      ASSERT_EQ(pqnn_create_fully_connected_nc_qs8_qc8w(4, 3, 4, 3, 0, 0.5f, ks.data(), kernel.data(), nullptr, 0,
                    1.0f, -128, 127, 0, &op), pqnn_status_success);
      ASSERT_EQ(pqnn_reshape_fully_connected_nc_qs8_qc8w(op, 0, pool_), pqnn_status_success);
      ASSERT_EQ(pqnn_setup_fully_connected_nc_qs8_qc8w(op, nullptr, nullptr), pqnn_status_success);
    } else {
      ASSERT_EQ(pqnn_create_fully_connected_nc_qs8(4, 3, 4, 3, 0, 0.5f, 0.5f, kernel.data(), nullptr, 0, 1.0f,
                    -128, 127, 0, &op), pqnn_status_success);
      ASSERT_EQ(pqnn_reshape_fully_connected_nc_qs8(op, 0, pool_), pqnn_status_success);
      ASSERT_EQ(pqnn_setup_fully_connected_nc_qs8(op, nullptr, nullptr), pqnn_status_success);
    }
    ASSERT_EQ(pqnn_run_operator(op, pool_), pqnn_status_success);
    pqnn_delete_operator(op);
  }
  // Batch 0 first, then a real batch through the usual checks.
  Case c;
  c.batch = 0;
  c.ic = c.istride = 9;
  c.oc = c.ostride = 5;
  run_case(c, nullptr);
}

}  // namespace
