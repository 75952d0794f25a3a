// convert_nc operators (f32/f16 -> qd8, f32 <-> f16): row strides, exact-size buffers,
// gaps untouched, results equal to the conversion kernels' reference, bad input.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <random>
#include <vector>

#include <fp16.h>
#include <pqnn.h>

#include "common/convert-reference.h"
#include "common/test-pool.h"
#include "common/pooled-test.h"
#include "common/test-utils.h"

using pqnn_test::ExactBuffer;

namespace {

class ConvertOperator : public pqnn_test::PooledTest<> {};

// Runs an f32 -> qd8 convert of `batch` rows of x (strides is / os) on `pool` and checks
// every row's params and int8 against the reference and the row gaps untouched (99).
void check_f32_qd8(const ExactBuffer<float>& x, size_t channels, size_t batch, size_t is,
    size_t os, pthreadpool_t pool) {
  ExactBuffer<int8_t> y(pqnn_test::span(batch, channels, os));
  std::fill(y.begin(), y.end(), int8_t(99));
  ExactBuffer<pqnn_quantization_params> qp(batch);
  pqnn_operator_t op = nullptr;
  ASSERT_EQ(pqnn_create_convert_nc_f32_qd8(channels, is, os, 0, &op), pqnn_status_success);
  ASSERT_EQ(pqnn_reshape_convert_nc_f32_qd8(op, batch, pool), pqnn_status_success);
  ASSERT_EQ(pqnn_setup_convert_nc_f32_qd8(op, x.data(), y.data(), qp.data()), pqnn_status_success);
  ASSERT_EQ(pqnn_run_operator(op, pool), pqnn_status_success);
  pqnn_delete_operator(op);
  for (size_t b = 0; b < batch; b++) {
    std::vector<int8_t> ref(channels);
    pqnn_quantization_params rq;
    pqnn_test::reference_quantize_qd8(channels, x.data() + b * is, ref.data(), &rq);
    if (std::isnan(rq.scale)) {
      ASSERT_TRUE(std::isnan(qp[b].scale));
    } else {
      ASSERT_EQ(std::memcmp(&rq.scale, &qp[b].scale, sizeof(float)), 0) << "row " << b;
    }
    ASSERT_EQ(rq.zero_point, qp[b].zero_point) << "row " << b;
    ASSERT_EQ(std::memcmp(ref.data(), y.data() + b * os, channels), 0) << "row " << b;
    for (size_t c = channels; c < os && b * os + c < y.size(); c++) ASSERT_EQ(y[b * os + c], 99);
  }
}

TEST_F(ConvertOperator, F32ToQd8RowsMatchReference) {
  auto& rng = pqnn_test::rng();
  for (int t = 0; t < 40; t++) {
    // Every fourth: more rows than one task of the many-rows kernel (convert-nc.c: 64).
    const size_t channels = 1 + rng() % 300, batch = t % 4 == 3 ? 60 + rng() % 140 : rng() % 9;
    const size_t is = channels + (t % 3 == 0 ? rng() % 7 : 0), os = channels + (t % 4 == 0 ? rng() % 5 : 0);
    std::normal_distribution<float> gauss(0.0f, std::ldexp(1.0f, int(rng() % 20) - 10));
    ExactBuffer<float> x(pqnn_test::span(batch, channels, is));
    for (auto& v : x) v = gauss(rng);
    if (batch > 1) x[is + channels / 2] = NAN;  // a NaN row
    check_f32_qd8(x, channels, batch, is, os, t % 2 ? pool_ : nullptr);
  }
}

// Rows long enough to be split in chunks across the pool's threads (a convolution's image:
// convert-nc.c, from 16384 floats), against the reference, with one thread and with the
// pool: a NaN row, an all-zero row, an infinity in the last chunk, a row whose extremes
// sit in different chunks, strides, and more rows than a split run takes (one per task).
TEST_F(ConvertOperator, F32ToQd8LongRowsSplitAcrossThreads) {
  auto& rng = pqnn_test::rng();
  for (size_t channels : {16383, 16384, 16385, 50001, 200704}) {
    for (size_t batch : {1, 2, 5, 130}) {
      if (batch * channels > 4000000) continue;
      const size_t is = channels + (batch % 2 ? 0 : 13), os = channels + (batch % 2 ? 0 : 5);
      std::normal_distribution<float> gauss(0.5f, 3.0f);
      ExactBuffer<float> x(pqnn_test::span(batch, channels, is));
      for (auto& v : x) v = gauss(rng);
      x[channels - 7] = -40.0f;   // row 0's minimum, in its last chunk
      x[3] = 55.0f;               // and its maximum, in the first
      if (batch > 1) x[is + channels / 2] = NAN;
      if (batch > 2) std::fill(x.begin() + 2 * is, x.begin() + 2 * is + channels, 0.0f);
      if (batch > 3) x[3 * is + channels - 1] = -INFINITY;
      check_f32_qd8(x, channels, batch, is, os, nullptr);
      check_f32_qd8(x, channels, batch, is, os, pool_);
    }
  }
}

TEST_F(ConvertOperator, F16RoundTripIsExactAndF16ToQd8MatchesF32Path) {
  const size_t channels = 37, batch = 5;
  auto& rng = pqnn_test::rng();
  std::uniform_real_distribution<float> dist(-100.0f, 100.0f);
  std::vector<float> x(batch * channels);
  for (auto& v : x) v = dist(rng);
  std::vector<uint16_t> h(batch * channels);
  std::vector<float> back(batch * channels);
  pqnn_operator_t to16 = nullptr, to32 = nullptr, q16 = nullptr, q32 = nullptr;
  ASSERT_EQ(pqnn_create_convert_nc_f32_f16(channels, channels, channels, 0, &to16), pqnn_status_success);
  ASSERT_EQ(pqnn_reshape_convert_nc_f32_f16(to16, batch, pool_), pqnn_status_success);
  ASSERT_EQ(pqnn_setup_convert_nc_f32_f16(to16, x.data(), h.data()), pqnn_status_success);
  ASSERT_EQ(pqnn_run_operator(to16, pool_), pqnn_status_success);
  for (size_t i = 0; i < x.size(); i++) ASSERT_EQ(h[i], fp16_ieee_from_fp32_value(x[i])) << i;
  ASSERT_EQ(pqnn_create_convert_nc_f16_f32(channels, channels, channels, 0, &to32), pqnn_status_success);
  ASSERT_EQ(pqnn_reshape_convert_nc_f16_f32(to32, batch, pool_), pqnn_status_success);
  ASSERT_EQ(pqnn_setup_convert_nc_f16_f32(to32, h.data(), back.data()), pqnn_status_success);
  ASSERT_EQ(pqnn_run_operator(to32, pool_), pqnn_status_success);
  for (size_t i = 0; i < x.size(); i++) ASSERT_EQ(back[i], fp16_ieee_to_fp32_value(h[i])) << i;
  // f16 -> qd8 equals f32 -> qd8 on the widened values.
  std::vector<int8_t> a(x.size()), b(x.size());
  std::vector<pqnn_quantization_params> pa(batch), pb(batch);
  ASSERT_EQ(pqnn_create_convert_nc_f16_qd8(channels, channels, channels, 0, &q16), pqnn_status_success);
  ASSERT_EQ(pqnn_reshape_convert_nc_f16_qd8(q16, batch, pool_), pqnn_status_success);
  ASSERT_EQ(pqnn_setup_convert_nc_f16_qd8(q16, h.data(), a.data(), pa.data()), pqnn_status_success);
  ASSERT_EQ(pqnn_run_operator(q16, pool_), pqnn_status_success);
  ASSERT_EQ(pqnn_create_convert_nc_f32_qd8(channels, channels, channels, 0, &q32), pqnn_status_success);
  ASSERT_EQ(pqnn_reshape_convert_nc_f32_qd8(q32, batch, pool_), pqnn_status_success);
  ASSERT_EQ(pqnn_setup_convert_nc_f32_qd8(q32, back.data(), b.data(), pb.data()), pqnn_status_success);
  ASSERT_EQ(pqnn_run_operator(q32, pool_), pqnn_status_success);
  ASSERT_EQ(a, b);
  for (size_t r = 0; r < batch; r++) {
    ASSERT_EQ(pa[r].zero_point, pb[r].zero_point);
    ASSERT_EQ(pa[r].scale, pb[r].scale);
  }
  for (auto op : {to16, to32, q16, q32}) pqnn_delete_operator(op);
}

TEST_F(ConvertOperator, BadArguments) {
  pqnn_operator_t op = nullptr;
  EXPECT_EQ(pqnn_create_convert_nc_f32_qd8(0, 4, 4, 0, &op), pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_create_convert_nc_f32_qd8(4, 3, 4, 0, &op), pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_create_convert_nc_f32_qd8(4, 4, 3, 0, &op), pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_create_convert_nc_f32_qd8(4, 4, 4, 1, &op), pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_create_convert_nc_f32_qd8(4, 4, 4, 0, nullptr), pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_create_convert_nc_f16_f32(SIZE_MAX / 2, SIZE_MAX / 2, SIZE_MAX / 2, 0, &op),
      pqnn_status_invalid_parameter);
  EXPECT_EQ(op, nullptr);
  ASSERT_EQ(pqnn_create_convert_nc_f32_qd8(4, 4, 4, 0, &op), pqnn_status_success);
  std::vector<float> x(8, 1.0f);
  std::vector<int8_t> y(8, 7);
  std::vector<pqnn_quantization_params> qp(2);
  EXPECT_EQ(pqnn_setup_convert_nc_f32_qd8(op, x.data(), y.data(), qp.data()), pqnn_status_invalid_state);
  EXPECT_EQ(pqnn_reshape_convert_nc_f32_f16(op, 2, nullptr), pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_reshape_convert_nc_f32_qd8(op, SIZE_MAX / 2, nullptr), pqnn_status_invalid_parameter);
  ASSERT_EQ(pqnn_reshape_convert_nc_f32_qd8(op, 2, nullptr), pqnn_status_success);
  EXPECT_EQ(pqnn_setup_convert_nc_f32_qd8(op, x.data(), y.data(), nullptr), pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_setup_convert_nc_f32_qd8(op, nullptr, y.data(), qp.data()), pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_run_operator(op, nullptr), pqnn_status_invalid_state);
  for (int8_t v : y) EXPECT_EQ(v, 7);
  pqnn_delete_operator(op);
}

}  // namespace
