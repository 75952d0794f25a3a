// pqnn_quantize_weights_qc8w: bit-exact against the API.md formula, edge cases, bad input.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include <pqnn.h>

#include "common/test-utils.h"

namespace {

void reference(size_t oc, size_t ic, const float* w, std::vector<int8_t>& q, std::vector<float>& s) {
  q.assign(oc * ic, 0);
  s.assign(oc, 0.0f);
  for (size_t n = 0; n < oc; n++) {
    float m = 0.0f;
    for (size_t k = 0; k < ic; k++) m = std::max(m, std::fabs(w[n * ic + k]));
    const volatile float scale = m / 127.0f;
    if (scale == 0.0f) {
      s[n] = 1.0f;
      continue;
    }
    s[n] = scale;
    for (size_t k = 0; k < ic; k++) {
      const volatile float ratio = w[n * ic + k] / scale;
      q[n * ic + k] = int8_t(std::min(127.0f, std::max(-127.0f, std::nearbyint(float(ratio)))));
    }
  }
}

void check(size_t oc, size_t ic, const std::vector<float>& w) {
  std::vector<int8_t> q(oc * ic, 99), rq;
  std::vector<float> s(oc, -1.0f), rs;
  ASSERT_EQ(pqnn_quantize_weights_qc8w(oc, ic, w.data(), q.data(), s.data()), pqnn_status_success);
  reference(oc, ic, w.data(), rq, rs);
  for (size_t n = 0; n < oc; n++) {
    ASSERT_EQ(std::memcmp(&s[n], &rs[n], sizeof(float)), 0) << "scale of channel " << n;
    ASSERT_GT(s[n], 0.0f);
    ASSERT_TRUE(std::isfinite(s[n]));
  }
  for (size_t i = 0; i < q.size(); i++) {
    ASSERT_EQ(q[i], rq[i]) << "weight " << i << " = " << w[i];
    ASSERT_GE(q[i], -127);
  }
}

TEST(QuantizeWeights, RandomMatricesBitExact) {
  auto& rng = pqnn_test::rng();
  for (int t = 0; t < 50; t++) {
    const size_t oc = 1 + rng() % 40, ic = 1 + rng() % 300;
    std::normal_distribution<float> dist(0.0f, std::ldexp(1.0f, int(rng() % 40) - 20));
    std::vector<float> w(oc * ic);
    for (auto& v : w) v = dist(rng);
    check(oc, ic, w);
  }
}

TEST(QuantizeWeights, EdgeCases) {
  const float denorm = std::numeric_limits<float>::denorm_min();
  const float big = std::numeric_limits<float>::max();
  // all zero, one value, ties, max-magnitude, subnormal channels, mixed signs
  std::vector<float> w = {0, 0, 0, 0,
                          3, 3, 3, 3,
                          -1, 0.5f / 127 * 1, 1.5f / 127, 2.5f / 127,
                          big, -big, big / 3, 0,
                          denorm, -denorm, 0, denorm,
                          1e-40f, -3e-39f, 2e-39f, 0};
  check(6, 4, w);
  std::vector<int8_t> q(24);
  std::vector<float> s(6);
  ASSERT_EQ(pqnn_quantize_weights_qc8w(6, 4, w.data(), q.data(), s.data()), pqnn_status_success);
  EXPECT_EQ(s[0], 1.0f);               // all-zero channel
  EXPECT_EQ(q[4], 127);                // the max maps to 127
  EXPECT_EQ(q[8], -127);               // and -max to -127
  EXPECT_EQ(q[13], -127);
}

TEST(QuantizeWeights, BadInputWritesNothing) {
  std::vector<float> w(8, 1.0f);
  std::vector<int8_t> q(8, 42);
  std::vector<float> s(2, -3.0f);
  EXPECT_EQ(pqnn_quantize_weights_qc8w(0, 4, w.data(), q.data(), s.data()), pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_quantize_weights_qc8w(2, 0, w.data(), q.data(), s.data()), pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_quantize_weights_qc8w(2, 4, nullptr, q.data(), s.data()), pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_quantize_weights_qc8w(2, 4, w.data(), nullptr, s.data()), pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_quantize_weights_qc8w(2, 4, w.data(), q.data(), nullptr), pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_quantize_weights_qc8w(SIZE_MAX / 2, 4, w.data(), q.data(), s.data()),
      pqnn_status_invalid_parameter);
  w[6] = NAN;
  EXPECT_EQ(pqnn_quantize_weights_qc8w(2, 4, w.data(), q.data(), s.data()), pqnn_status_invalid_parameter);
  w[6] = INFINITY;
  EXPECT_EQ(pqnn_quantize_weights_qc8w(2, 4, w.data(), q.data(), s.data()), pqnn_status_invalid_parameter);
  w[6] = -INFINITY;
  EXPECT_EQ(pqnn_quantize_weights_qc8w(2, 4, w.data(), q.data(), s.data()), pqnn_status_invalid_parameter);
  for (int8_t v : q) EXPECT_EQ(v, 42);
  for (float v : s) EXPECT_EQ(v, -3.0f);
}

}  // namespace
