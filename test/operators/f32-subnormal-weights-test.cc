// f32 operators pack a subnormal weight or bias (0 < |v| < FLT_MIN) as a zero of its sign
// (src/packing.h: on Intel cores an FMA with a subnormal operand takes a microcode assist).
// For fully connected, convolution (the Winograd path and the IGEMM path), depthwise 3x3 /
// 5x5 (row kernels where the tier has them) and deconvolution operators on every tier: the
// outputs with weights holding subnormals are bit-identical to those of the same weights with
// the subnormals replaced by signed zeros, and an output channel whose weights are all
// subnormal (no bias) is exactly zero, though its exact sum, with inputs near 2^100, is a
// normal float (so an operator that kept the subnormals would fail).
#include <gtest/gtest.h>

#include <cfloat>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <random>
#include <vector>

#include <pqnn.h>

#include "common/same-bits.h"

namespace {

using pqnn_test::same_bits;

struct Weights {
  std::vector<float> kernel, bias;
};

// Subnormal values of both signs, largest to smallest.
float subnormal(std::mt19937& rng) {
  const float values[] = {std::nextafter(FLT_MIN, 0.0f), 1e-39f, 3e-42f,
      std::numeric_limits<float>::denorm_min()};
  const float v = values[std::uniform_int_distribution<int>(0, 3)(rng)];
  return std::uniform_int_distribution<int>(0, 1)(rng) != 0 ? -v : v;
}

// kernel: `channels` output channels, `per_channel` weights each at stride `channel_stride`
// and step `step` (the operator's layout); channel `dead` gets only subnormal weights, the
// others one in eight; the bias one in four (channel `dead`: zero).
Weights make_weights(size_t channels, size_t per_channel, size_t kernel_size,
    const std::function<size_t(size_t c, size_t i)>& index, size_t dead, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  Weights w;
  w.kernel.resize(kernel_size);
  for (float& v : w.kernel) v = dist(rng);
  w.bias.resize(channels);
  for (size_t c = 0; c < channels; c++) {
    w.bias[c] = c == dead ? 0.0f : (rng() % 4 == 0 ? subnormal(rng) : dist(rng));
    for (size_t i = 0; i < per_channel; i++) {
      float& v = w.kernel[index(c, i)];
      if (c == dead || rng() % 8 == 0) v = subnormal(rng);
    }
  }
  return w;
}

Weights flushed(const Weights& w) {
  Weights f = w;
  for (auto* v : {&f.kernel, &f.bias}) {
    for (float& x : *v) {
      if (std::fabs(x) < FLT_MIN) x = std::copysign(0.0f, x);
    }
  }
  return f;
}

// Inputs near +-2^100: products with the subnormal weights are normal floats.
std::vector<float> make_input(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(0.5f, 1.0f);
  std::vector<float> x(n);
  for (float& v : x) v = std::ldexp(dist(rng), 100) * (rng() % 2 == 0 ? 1.0f : -1.0f);
  return x;
}

// Every output of channel `dead` (NHWC / NC with `channels` per pixel) is a zero.
void expect_dead_channel_zero(const std::vector<float>& y, size_t channels, size_t dead) {
  for (size_t p = 0; p < y.size() / channels; p++) {
    ASSERT_EQ(y[p * channels + dead], 0.0f) << "pixel " << p;
  }
}

std::vector<float> run_fc(const Weights& w, const std::vector<float>& x, size_t batch,
    size_t k, size_t n) {
  pqnn_operator_t op = nullptr;
  std::vector<float> y(batch * n, -1.0f);
  EXPECT_EQ(pqnn_create_fully_connected_nc_f32(k, n, k, n, w.kernel.data(), w.bias.data(),
      -INFINITY, INFINITY, 0, &op), pqnn_status_success);
  EXPECT_EQ(pqnn_reshape_fully_connected_nc_f32(op, batch, nullptr), pqnn_status_success);
  EXPECT_EQ(pqnn_setup_fully_connected_nc_f32(op, x.data(), y.data()), pqnn_status_success);
  EXPECT_EQ(pqnn_run_operator(op, nullptr), pqnn_status_success);
  pqnn_delete_operator(op);
  return y;
}

struct Conv {
  size_t h, w, cin, cout;
  uint32_t k, stride;
  bool depthwise;
  uint32_t flags;
};

std::vector<float> run_conv(const Conv& c, const Weights& w, const std::vector<float>& x) {
  const uint32_t pad = c.k / 2;
  const size_t oh = (c.h + 2 * pad - c.k) / c.stride + 1, ow = (c.w + 2 * pad - c.k) / c.stride + 1;
  std::vector<float> y(oh * ow * c.cout, -1.0f);
  pqnn_operator_t op = nullptr;
  EXPECT_EQ(pqnn_create_convolution2d_nhwc_f32(pad, pad, pad, pad, c.k, c.k, c.stride, c.stride,
      1, 1, c.depthwise ? uint32_t(c.cin) : 1, c.depthwise ? 1 : c.cin,
      c.depthwise ? 1 : c.cout, c.cin, c.cout, w.kernel.data(), w.bias.data(), -INFINITY,
      INFINITY, c.flags | (c.depthwise ? PQNN_FLAG_DEPTHWISE_CONVOLUTION : 0), &op),
      pqnn_status_success);
  EXPECT_EQ(pqnn_reshape_convolution2d_nhwc_f32(op, 1, c.h, c.w, nullptr, nullptr, nullptr),
      pqnn_status_success);
  EXPECT_EQ(pqnn_setup_convolution2d_nhwc_f32(op, x.data(), y.data()), pqnn_status_success);
  EXPECT_EQ(pqnn_run_operator(op, nullptr), pqnn_status_success);
  pqnn_delete_operator(op);
  return y;
}

TEST(F32SubnormalWeights, FullyConnectedPacksThemAsZeros) {
  ASSERT_EQ(pqnn_initialize(), pqnn_status_success);
  const size_t batch = 7, k = 37, n = 29, dead = 5;
  const Weights w = make_weights(n, k, n * k, [&](size_t c, size_t i) { return c * k + i; },
      dead, 11);
  const auto x = make_input(batch * k, 12);
  // The dead channel's exact sum is a normal float: kept subnormals would show.
  double exact = 0;
  for (size_t i = 0; i < k; i++) exact += double(w.kernel[dead * k + i]) * double(x[i]);
  ASSERT_GT(std::fabs(exact), double(FLT_MIN));
  const auto y = run_fc(w, x, batch, k, n);
  EXPECT_TRUE(same_bits(y, run_fc(flushed(w), x, batch, k, n)));
  expect_dead_channel_zero(y, n, dead);
}

TEST(F32SubnormalWeights, ConvolutionsPackThemAsZeros) {
  ASSERT_EQ(pqnn_initialize(), pqnn_status_success);
  const Conv cases[] = {
    {12, 13, 24, 32, 3, 1, false, 0},                        // Winograd where the tier has it
    {12, 13, 24, 32, 3, 1, false, PQNN_FLAG_NO_WINOGRAD},    // IGEMM
    {11, 9, 5, 17, 3, 2, false, 0},                          // strided
    {20, 21, 40, 40, 3, 1, true, 0},                         // depthwise 3x3
    {20, 21, 48, 48, 5, 1, true, 0},                         // depthwise 5x5
    {13, 14, 19, 19, 5, 2, true, 0},                         // depthwise 5x5 s2
  };
  uint32_t seed = 21;
  for (const Conv& c : cases) {
    SCOPED_TRACE(testing::Message() << c.h << "x" << c.w << " " << c.cin << "->" << c.cout
        << " k" << c.k << " s" << c.stride << (c.depthwise ? " depthwise" : "")
        << " flags " << c.flags);
    const size_t taps = size_t(c.k) * c.k, dead = c.cout / 2;
    const size_t per_channel = c.depthwise ? taps : taps * c.cin;
    // Kernel layouts: [cout][k][k][cin], depthwise [k][k][channels].
    const auto index = [&](size_t ch, size_t i) {
      return c.depthwise ? i * c.cout + ch : ch * per_channel + i;
    };
    const Weights w = make_weights(c.cout, per_channel, c.cout * per_channel, index, dead,
        seed++);
    const auto x = make_input(c.h * c.w * c.cin, seed++);
    const auto y = run_conv(c, w, x);
    EXPECT_TRUE(same_bits(y, run_conv(c, flushed(w), x)));
    expect_dead_channel_zero(y, c.cout, dead);
  }
}

TEST(F32SubnormalWeights, DeconvolutionPacksThemAsZeros) {
  ASSERT_EQ(pqnn_initialize(), pqnn_status_success);
  const size_t h = 9, w_in = 10, cin = 21, cout = 24, dead = 7;
  const uint32_t k = 2;
  const size_t per_channel = size_t(k) * k * cin;
  const Weights w = make_weights(cout, per_channel, cout * per_channel,
      [&](size_t c, size_t i) { return c * per_channel + i; }, dead, 41);
  const auto x = make_input(h * w_in * cin, 42);
  const auto run = [&](const Weights& weights) {
    std::vector<float> y(h * k * w_in * k * cout, -1.0f);
    pqnn_operator_t op = nullptr;
    EXPECT_EQ(pqnn_create_deconvolution2d_nhwc_f32(0, 0, 0, 0, k, k, k, k, 1, 1, 1, cin, cout,
        cin, cout, weights.kernel.data(), weights.bias.data(), -INFINITY, INFINITY, 0, &op),
        pqnn_status_success);
    EXPECT_EQ(pqnn_reshape_deconvolution2d_nhwc_f32(op, 1, h, w_in, 0, 0, nullptr, nullptr,
        nullptr), pqnn_status_success);
    EXPECT_EQ(pqnn_setup_deconvolution2d_nhwc_f32(op, x.data(), y.data()), pqnn_status_success);
    EXPECT_EQ(pqnn_run_operator(op, nullptr), pqnn_status_success);
    pqnn_delete_operator(op);
    return y;
  };
  const auto y = run(w);
  EXPECT_TRUE(same_bits(y, run(flushed(w))));
  expect_dead_channel_zero(y, cout, dead);
}

}  // namespace
