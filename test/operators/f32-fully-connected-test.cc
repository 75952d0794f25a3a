// f32 fully connected against the double reference over random shapes, with exact-size
// buffers, strides wider than channels, transposed weights, clamping, batch 0..n, reshape
// to new batch sizes, and identical results with and without a threadpool.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <vector>

#include <pqnn.h>

#include "common/conv-reference.h"
#include "common/test-pool.h"
#include "common/pooled-test.h"
#include "common/test-utils.h"

using pqnn_test::ExactBuffer;

namespace {

// A second pool, so that "another threadpool at run" is really another one.
pthreadpool_t pool_other() {
  static pthreadpool_t pool = pqnn_test::create_pool(2);
  return pool;
}

struct FcCase {
  size_t batch, ic, oc, istride, ostride;
  bool transposed, has_bias, clamp;
};

void run_case(const FcCase& c, pthreadpool_t pool) {
  auto& rng = pqnn_test::rng();
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  ExactBuffer<float> input(pqnn_test::span(c.batch, c.ic, c.istride));
  ExactBuffer<float> kernel(c.ic * c.oc);
  ExactBuffer<float> bias(c.oc);
  for (auto& v : input) v = dist(rng);
  for (auto& v : kernel) v = dist(rng);
  for (auto& v : bias) v = dist(rng);
  // Gaps between rows hold NaN: they must never change a result.
  for (size_t b = 0; b + 1 < c.batch; b++) {
    for (size_t k = c.ic; k < c.istride; k++) input[b * c.istride + k] = NAN;
  }
  std::vector<double> ref, abs_sum;
  pqnn_test::reference_fully_connected(c.batch, c.ic, c.oc, c.istride, input.data(),
      kernel.data(), c.transposed, c.has_bias ? bias.data() : nullptr, -INFINITY, INFINITY, ref,
      &abs_sum);
  float out_min = -INFINITY, out_max = INFINITY;
  if (c.clamp && !ref.empty()) {
    std::vector<double> sorted = ref;
    std::sort(sorted.begin(), sorted.end());
    out_min = float(sorted[sorted.size() / 4]);
    out_max = float(sorted[sorted.size() * 3 / 4]);
    if (!(out_min < out_max)) out_max = out_min + 1.0f;
  }
  pqnn_operator_t op = nullptr;
  ASSERT_EQ(pqnn_create_fully_connected_nc_f32(c.ic, c.oc, c.istride, c.ostride, kernel.data(),
                c.has_bias ? bias.data() : nullptr, out_min, out_max,
                c.transposed ? PQNN_FLAG_TRANSPOSE_WEIGHTS : 0, &op),
      pqnn_status_success);
  ASSERT_EQ(pqnn_reshape_fully_connected_nc_f32(op, c.batch, pool), pqnn_status_success);
  const float sentinel = -12345.0f;
  ExactBuffer<float> output(pqnn_test::span(c.batch, c.oc, c.ostride));
  std::fill(output.begin(), output.end(), sentinel);
  ASSERT_EQ(pqnn_setup_fully_connected_nc_f32(op, input.data(), output.data()), pqnn_status_success);
  ASSERT_EQ(pqnn_run_operator(op, pool), pqnn_status_success);
  for (size_t b = 0; b < c.batch; b++) {
    for (size_t n = 0; n < c.ostride && b * c.ostride + n < output.size(); n++) {
      const float y = output[b * c.ostride + n];
      if (n >= c.oc) {
        ASSERT_EQ(y, sentinel) << "gap written at row " << b << " column " << n;
        continue;
      }
      const double r = std::min(std::max(ref[b * c.oc + n], double(out_min)), double(out_max));
      const double tol = abs_sum[b * c.oc + n] * double(c.ic + 1) * 1.2e-7 + 1e-6;
      ASSERT_NEAR(y, r, tol) << "batch " << c.batch << " ic " << c.ic << " oc " << c.oc
                             << " at " << b << "," << n;
    }
  }
  // Another threadpool (or none) at run gives identical results.
  ExactBuffer<float> output2(output.size());
  std::fill(output2.begin(), output2.end(), sentinel);
  ASSERT_EQ(pqnn_setup_fully_connected_nc_f32(op, input.data(), output2.data()), pqnn_status_success);
  ASSERT_EQ(pqnn_run_operator(op, pool == nullptr ? pool_other() : nullptr), pqnn_status_success);
  for (size_t i = 0; i < output.size(); i++) {
    ASSERT_EQ(std::memcmp(&output[i], &output2[i], sizeof(float)), 0) << i;
  }
  ASSERT_EQ(pqnn_delete_operator(op), pqnn_status_success);
}

class F32FullyConnected : public pqnn_test::PooledTest<> {};

TEST_F(F32FullyConnected, RandomShapes) {
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
    SCOPED_TRACE(i);
    run_case(c, uni(0, 1) ? pool_ : nullptr);
  }
}

TEST_F(F32FullyConnected, LargeShapes) {
  run_case({7, 1000, 130, 1000, 130, false, true, false}, pool_);
  run_case({1, 2048, 257, 2050, 260, true, true, true}, pool_);
  run_case({64, 256, 512, 256, 512, false, true, false}, pool_);
}

TEST_F(F32FullyConnected, ReshapeToNewBatchSizes) {
  const size_t ic = 33, oc = 17;
  std::vector<float> kernel(ic * oc, 0.5f), bias(oc, 1.0f);
  pqnn_operator_t op = nullptr;
  ASSERT_EQ(pqnn_create_fully_connected_nc_f32(ic, oc, ic, oc, kernel.data(), bias.data(),
                -INFINITY, INFINITY, 0, &op), pqnn_status_success);
  for (size_t batch : {5, 1, 0, 12, 3}) {
    std::vector<float> input(std::max<size_t>(batch * ic, 1), 2.0f);
    std::vector<float> output(std::max<size_t>(batch * oc, 1), 0.0f);
    ASSERT_EQ(pqnn_reshape_fully_connected_nc_f32(op, batch, pool_), pqnn_status_success);
    // Setup is required again after every reshape.
    ASSERT_EQ(pqnn_run_operator(op, pool_), pqnn_status_invalid_state);
    ASSERT_EQ(pqnn_setup_fully_connected_nc_f32(op, input.data(), output.data()), pqnn_status_success);
    ASSERT_EQ(pqnn_run_operator(op, pool_), pqnn_status_success);
    for (size_t i = 0; i < batch * oc; i++) ASSERT_FLOAT_EQ(output[i], 1.0f + ic * 1.0f);
  }
  pqnn_delete_operator(op);
}

TEST_F(F32FullyConnected, BatchZeroRunsNothing) {
  std::vector<float> kernel(4 * 3, 1.0f);
  pqnn_operator_t op = nullptr;
  ASSERT_EQ(pqnn_create_fully_connected_nc_f32(4, 3, 4, 3, kernel.data(), nullptr, -1.0f, 1.0f, 0, &op),
      pqnn_status_success);
  ASSERT_EQ(pqnn_reshape_fully_connected_nc_f32(op, 0, nullptr), pqnn_status_success);
  ASSERT_EQ(pqnn_setup_fully_connected_nc_f32(op, nullptr, nullptr), pqnn_status_success);
  ASSERT_EQ(pqnn_run_operator(op, nullptr), pqnn_status_success);
  pqnn_delete_operator(op);
}

}  // namespace
