// Tests of the runtime's internal node kernels (src/runtime/node-kernels.h) against plain
// references written here: clamp, GELU, add2 (f32/f16/qs8, broadcast patterns and row ranges),
// global average pooling, max pooling, softmax, qs8 quantize/dequantize.
// Tolerances: f32 clamp/add2/max pooling/quantize/dequantize and every qs8 kernel are bit-exact
// (their arithmetic is one rounding per operation, reproduced here in float; qs8 add2 is integer
// arithmetic, reproduced here in 64-bit integers and checked within one unit of the real sum). GELU, softmax and
// average pooling are compared with double-precision references (relative bounds below). Every
// f16 kernel is bit-exact against fp16(f32 kernel on the widened input), the contract, and
// within 2^-10 relative (plus 2^-24 absolute) of the double reference.
#include <gtest/gtest.h>

#include <fp16.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include <pqnn.h>

#include "common/test-utils.h"
#include "qs8-params.h"

extern "C" {
#include "runtime/node-kernels.h"
}

namespace {

using pqnn_test::ExactBuffer;
using pqnn_test::rng;

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
const std::vector<size_t> kSizes = {0, 1, 2, 3, 7, 15, 16, 17, 63, 64, 65, 127, 128, 129, 1000, 4099};

class NodeKernels : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(pqnn_initialize(), pqnn_status_success); }
};

uint32_t bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, sizeof(u));
  return u;
}

// Same value, or both NaN.
bool same_float(float a, float b) { return (std::isnan(a) && std::isnan(b)) || bits(a) == bits(b); }
bool same_half(uint16_t a, uint16_t b) {
  const bool nan_a = (a & 0x7C00) == 0x7C00 && (a & 0x03FF) != 0;
  const bool nan_b = (b & 0x7C00) == 0x7C00 && (b & 0x03FF) != 0;
  return (nan_a && nan_b) || a == b;
}

float h2f(uint16_t h) { return fp16_ieee_to_fp32_value(h); }
uint16_t f2h(float f) { return fp16_ieee_from_fp32_value(f); }

std::vector<float> random_floats(size_t n, float lo, float hi) {
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(n);
  for (auto& x : v) x = dist(rng());
  return v;
}

template <typename T>
void fill(ExactBuffer<T>& b, const std::vector<T>& v) {
  ASSERT_EQ(b.size(), v.size());
  std::copy(v.begin(), v.end(), b.begin());
}

std::vector<uint16_t> to_half(const std::vector<float>& v) {
  std::vector<uint16_t> h(v.size());
  for (size_t i = 0; i < v.size(); i++) h[i] = f2h(v[i]);
  return h;
}
std::vector<float> widen(const uint16_t* h, size_t n) {
  std::vector<float> f(n);
  for (size_t i = 0; i < n; i++) f[i] = h2f(h[i]);
  return f;
}

float clampf(float v, float lo, float hi) {
  v = v < lo ? lo : v;
  return v > hi ? hi : v;
}

// Within the f16 tolerance of a double reference (plus `extra`, the f32 computation's bound).
void expect_half_near(uint16_t got, double ref, size_t i, double extra = 0.0) {
  if (std::isnan(ref)) {
    EXPECT_TRUE(std::isnan(h2f(got))) << "at " << i;
    return;
  }
  if (std::isinf(ref)) {
    EXPECT_EQ(h2f(got), ref) << "at " << i;
    return;
  }
  const double tol = std::ldexp(std::fabs(ref), -10) + std::ldexp(1.0, -24) + extra;
  EXPECT_NEAR(h2f(got), ref, tol) << "at " << i;
}

struct ClampRange {
  float min, max;
};
const std::vector<ClampRange> kClamps = {{-kInf, kInf}, {-1.0f, 1.0f}, {0.0f, 6.0f}, {0.5f, 0.5f}, {-kInf, 0.0f}};

// ---------------------------------------------------------------------------------------------
// clamp

TEST_F(NodeKernels, F32Clamp) {
  for (size_t n : kSizes) {
    for (const auto& c : kClamps) {
      std::vector<float> in = random_floats(n, -10.0f, 10.0f);
      if (n > 2) in[n / 2] = kNaN;
      if (n > 3) in[1] = -kInf;
      ExactBuffer<float> x(n), y(n);
      fill(x, in);
      pqnn_node_f32_clamp(n, x.data(), y.data(), c.min, c.max);
      for (size_t i = 0; i < n; i++) {
        ASSERT_TRUE(same_float(y[i], clampf(in[i], c.min, c.max))) << "n " << n << " i " << i;
      }
      pqnn_node_f32_clamp(n, x.data(), x.data(), c.min, c.max);  // in place
      for (size_t i = 0; i < n; i++) ASSERT_TRUE(same_float(x[i], y[i])) << "in place, n " << n;
    }
  }
}

TEST_F(NodeKernels, F16Clamp) {
  for (size_t n : kSizes) {
    for (const auto& c : kClamps) {
      std::vector<uint16_t> in = to_half(random_floats(n, -10.0f, 10.0f));
      if (n > 2) in[n / 2] = 0x7E00;  // NaN
      ExactBuffer<uint16_t> x(n), y(n);
      fill(x, in);
      pqnn_node_f16_clamp(n, x.data(), y.data(), c.min, c.max);
      for (size_t i = 0; i < n; i++) {
        ASSERT_TRUE(same_half(y[i], f2h(clampf(h2f(in[i]), c.min, c.max)))) << "n " << n << " i " << i;
      }
      pqnn_node_f16_clamp(n, x.data(), x.data(), c.min, c.max);
      for (size_t i = 0; i < n; i++) ASSERT_TRUE(same_half(x[i], y[i])) << "in place, n " << n;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// GELU: 0.5 x (1 + erf(x / sqrt 2)) = 0.5 x erfc(-x / sqrt 2); the limit at -inf is 0.

double gelu_ref(double x) {
  if (std::isinf(x)) return x > 0 ? x : 0.0;
  return 0.5 * x * std::erfc(-x / std::sqrt(2.0));
}

std::vector<float> gelu_inputs(size_t n) {
  std::vector<float> v = random_floats(n, -12.0f, 12.0f);
  const float specials[] = {0.0f, -0.0f, 1e30f, -1e30f, kInf, -kInf, kNaN, -16.0f, -15.9f, -20.0f,
      -13.5f, 1e-40f, -1e-40f, 3.0f, -3.0f, 0.5f, -0.5f, 1e-3f};
  for (size_t i = 0; i < n && i < sizeof(specials) / sizeof(specials[0]); i++) v[i * 5 % n] = specials[i];
  return v;
}

void expect_gelu_near(float got, float x, size_t i) {
  const double ref = gelu_ref(x);
  if (std::isnan(ref)) {
    EXPECT_TRUE(std::isnan(got)) << "x " << x;
    return;
  }
  if (std::isinf(ref)) {
    EXPECT_EQ(got, ref) << "x " << x;
    return;
  }
  // The documented bound: 2^-21 relative for normal results, 1e-44 absolute.
  EXPECT_NEAR(got, ref, std::ldexp(std::fabs(ref), -21) + 1e-44) << "x " << x << " at " << i;
}

TEST_F(NodeKernels, F32Gelu) {
  for (size_t n : kSizes) {
    const std::vector<float> in = gelu_inputs(n);
    ExactBuffer<float> x(n), y(n);
    fill(x, in);
    pqnn_node_f32_gelu(n, x.data(), y.data());
    for (size_t i = 0; i < n; i++) expect_gelu_near(y[i], in[i], i);
    pqnn_node_f32_gelu(n, x.data(), x.data());
    for (size_t i = 0; i < n; i++) ASSERT_TRUE(same_float(x[i], y[i])) << "in place, n " << n;
  }
}

// Every 2^-12 step over [-17, 17] (and its neighbours), against the double reference.
TEST_F(NodeKernels, F32GeluSweep) {
  std::vector<float> in;
  for (int k = -17 * 4096; k <= 17 * 4096; k++) {
    const float v = static_cast<float>(k) / 4096.0f;
    in.push_back(v);
    in.push_back(std::nextafter(v, kInf));
  }
  const size_t n = in.size();
  ExactBuffer<float> x(n), y(n);
  fill(x, in);
  pqnn_node_f32_gelu(n, x.data(), y.data());
  for (size_t i = 0; i < n; i++) expect_gelu_near(y[i], in[i], i);
}

TEST_F(NodeKernels, F32GeluSpecialValues) {
  const float in[] = {0.0f, -kInf, kInf, kNaN, 1e30f, -1e30f, -16.0f};
  float out[7];
  pqnn_node_f32_gelu(7, in, out);
  EXPECT_EQ(bits(out[0]), bits(0.0f));
  EXPECT_EQ(bits(out[1]), bits(-0.0f));  // the documented GELU(-inf) = -0
  EXPECT_EQ(out[2], kInf);
  EXPECT_TRUE(std::isnan(out[3]));
  EXPECT_EQ(out[4], 1e30f);
  EXPECT_EQ(bits(out[5]), bits(-0.0f));
  EXPECT_EQ(out[6], 0.0f);
}

TEST_F(NodeKernels, F16Gelu) {
  for (size_t n : kSizes) {
    const std::vector<uint16_t> in = to_half(gelu_inputs(n));
    ExactBuffer<uint16_t> x(n), y(n);
    fill(x, in);
    pqnn_node_f16_gelu(n, x.data(), y.data());
    std::vector<float> wide = widen(in.data(), n), ref32(n);
    pqnn_node_f32_gelu(n, wide.data(), ref32.data());
    for (size_t i = 0; i < n; i++) {
      ASSERT_TRUE(same_half(y[i], f2h(ref32[i]))) << "n " << n << " i " << i;
      expect_half_near(y[i], gelu_ref(wide[i]), i);
    }
    pqnn_node_f16_gelu(n, x.data(), x.data());
    for (size_t i = 0; i < n; i++) ASSERT_TRUE(same_half(x[i], y[i])) << "in place, n " << n;
  }
}

// ---------------------------------------------------------------------------------------------
// add2 with broadcasting. An input has dims = output dims with 1 where it broadcasts, dense
// strides and stride 0 on broadcast dims; "gather" inputs have their last dim 3 elements apart.

struct Operand {
  size_t stride[4];
  size_t elements;  // exact buffer size
};

// mask bit d set: the input has size 1 along dim d (stride 0). The last dim's elements are
// inner_stride apart; outer strides are dense over that.
Operand make_operand(const size_t shape[4], unsigned mask, size_t inner_stride) {
  Operand o;
  size_t step = inner_stride;
  bool empty = false;
  size_t dims[4];
  for (int d = 3; d >= 0; d--) {
    dims[d] = (mask >> d) & 1 ? 1 : shape[d];
    empty = empty || dims[d] == 0;
    o.stride[d] = dims[d] == 1 ? 0 : step;
    step *= dims[d];
  }
  o.elements = 0;
  if (!empty) {
    o.elements = 1;
    for (int d = 0; d < 4; d++) o.elements += (dims[d] - 1) * o.stride[d];
  }
  return o;
}

size_t offset_of(const size_t stride[4], size_t i0, size_t i1, size_t i2, size_t i3) {
  return i0 * stride[0] + i1 * stride[1] + i2 * stride[2] + i3 * stride[3];
}

struct Add2Case {
  size_t shape[4];
  unsigned a_mask, b_mask;
  size_t a_inner, b_inner;  // inner strides (1, or 3 for a gather)
};

std::vector<Add2Case> add2_cases() {
  std::vector<Add2Case> cases;
  const size_t shapes[][4] = {{1, 1, 1, 1}, {2, 3, 5, 7}, {1, 4, 4, 64}, {1, 3, 2, 65}, {2, 1, 3, 130},
      {1, 1, 1, 1000}, {1, 56, 56, 24}, {3, 2, 2, 1}, {1, 2, 2, 0},
      // Canonical forms (pqnn_add2_shape_simplify): NHWC with one channel, few channels under
      // many pixels (the tiled repeated row), a long row cut into rows, an odd-length one.
      {1, 40, 40, 1}, {1, 37, 29, 3}, {1, 1, 300, 24}, {2, 1, 1, 12288}, {1, 1, 3, 4099}};
  // full, scalar, per-channel (only the last dim), per-row (last dim broadcast), per-image,
  // middle dims broadcast.
  const unsigned masks[] = {0x0, 0xF, 0x7, 0x8, 0x1, 0x6};
  for (const auto& s : shapes) {
    for (unsigned am : masks) {
      for (unsigned bm : masks) {
        cases.push_back({{s[0], s[1], s[2], s[3]}, am, bm, 1, 1});
      }
    }
    cases.push_back({{s[0], s[1], s[2], s[3]}, 0x0, 0x0, 3, 1});
    cases.push_back({{s[0], s[1], s[2], s[3]}, 0x1, 0x0, 1, 3});
  }
  return cases;
}

// Runs `kernel(shape, start, end)` over the rows split in up to 3 random ranges.
template <typename F>
void run_split(size_t rows, F kernel) {
  std::uniform_int_distribution<size_t> dist(0, rows);
  size_t cut1 = dist(rng()), cut2 = dist(rng());
  if (cut1 > cut2) std::swap(cut1, cut2);
  kernel(0, cut1);
  kernel(cut1, cut2);
  kernel(cut2, rows);
}

template <typename T, typename Gen, typename Run, typename Ref, typename Same>
void check_add2(Gen gen, Run run, Ref ref, Same same) {
  for (const Add2Case& c : add2_cases()) {
    struct pqnn_add2_shape s;
    const Operand oa = make_operand(c.shape, c.a_mask, c.a_inner);
    const Operand ob = make_operand(c.shape, c.b_mask, c.b_inner);
    for (int d = 0; d < 4; d++) {
      s.shape[d] = c.shape[d];
      s.a_stride[d] = oa.stride[d];
      s.b_stride[d] = ob.stride[d];
    }
    const size_t rows = c.shape[0] * c.shape[1] * c.shape[2];
    const size_t total = rows * c.shape[3];
    ExactBuffer<T> a(oa.elements), b(ob.elements), y(total);
    fill(a, gen(oa.elements));
    fill(b, gen(ob.elements));
    // The shape as given, then its canonical form (pqnn_add2_shape_simplify, as the runtime
    // runs it): the same output.
    struct pqnn_add2_shape simple = s;
    pqnn_add2_shape_simplify(&simple);
    const size_t simple_rows = simple.shape[0] * simple.shape[1] * simple.shape[2];
    for (int form = 0; form < 2; form++) {
      const pqnn_add2_shape* g = form == 0 ? &s : &simple;
      std::fill(y.begin(), y.end(), T());
      run_split(form == 0 ? rows : simple_rows,
          [&](size_t start, size_t end) { run(g, start, end, a.data(), b.data(), y.data()); });
      size_t i = 0;
      for (size_t i0 = 0; i0 < c.shape[0]; i0++)
        for (size_t i1 = 0; i1 < c.shape[1]; i1++)
          for (size_t i2 = 0; i2 < c.shape[2]; i2++)
            for (size_t i3 = 0; i3 < c.shape[3]; i3++, i++) {
              const T expected = ref(a[offset_of(s.a_stride, i0, i1, i2, i3)], b[offset_of(s.b_stride, i0, i1, i2, i3)]);
              ASSERT_TRUE(same(y[i], expected)) << "shape " << c.shape[0] << "x" << c.shape[1] << "x" << c.shape[2]
                                                << "x" << c.shape[3] << " masks " << c.a_mask << "/" << c.b_mask
                                                << " inner " << c.a_inner << "/" << c.b_inner << " form " << form
                                                << " at " << i;
            }
    }
    if (total != 0) {
      // Each input's elements are the same set of reads; the output count is unchanged.
      ASSERT_EQ(simple_rows * simple.shape[3], total);
    }
    // In place: y == a when a is not broadcast (dense), and likewise for b.
    if (c.a_mask == 0 && c.a_inner == 1 && total != 0) {
      std::vector<T> expected(y.begin(), y.end());
      run(&s, 0, rows, a.data(), b.data(), a.data());
      for (size_t k = 0; k < total; k++) ASSERT_TRUE(same(a[k], expected[k])) << "in place (a), at " << k;
    }
    if (c.b_mask == 0 && c.b_inner == 1 && c.a_mask != 0 && total != 0) {
      std::vector<T> expected(y.begin(), y.end());
      run(&s, 0, rows, a.data(), b.data(), b.data());
      for (size_t k = 0; k < total; k++) ASSERT_TRUE(same(b[k], expected[k])) << "in place (b), at " << k;
    }
  }
}

TEST_F(NodeKernels, F32Add2) {
  for (const auto& c : kClamps) {
    check_add2<float>(
        [](size_t n) {
          std::vector<float> v = random_floats(n, -5.0f, 5.0f);
          if (n > 10) v[n / 3] = kNaN;
          return v;
        },
        [&](const pqnn_add2_shape* s, size_t start, size_t end, const float* a, const float* b, float* y) {
          pqnn_node_f32_add2(s, start, end, a, b, y, c.min, c.max);
        },
        [&](float a, float b) { return clampf(a + b, c.min, c.max); }, same_float);
  }
}

TEST_F(NodeKernels, F16Add2) {
  for (const auto& c : kClamps) {
    check_add2<uint16_t>([](size_t n) { return to_half(random_floats(n, -5.0f, 5.0f)); },
        [&](const pqnn_add2_shape* s, size_t start, size_t end, const uint16_t* a, const uint16_t* b, uint16_t* y) {
          pqnn_node_f16_add2(s, start, end, a, b, y, c.min, c.max);
        },
        [&](uint16_t a, uint16_t b) { return f2h(clampf(h2f(a) + h2f(b), c.min, c.max)); }, same_half);
  }
}

// ---------------------------------------------------------------------------------------------
// qs8 reference arithmetic (node-kernels.h): products and sums rounded to float one at a time
// (volatile keeps the compiler from contracting them into FMAs), round to nearest even with
// nearbyint (the kernels use a magic number: this checks they agree), saturate.

int8_t qs8_out(float f, int32_t zero_point, int8_t qmin, int8_t qmax) {
  const float lo = static_cast<float>(qmin - zero_point);
  const float hi = static_cast<float>(qmax - zero_point);
  f = f >= lo ? f : lo;
  f = f <= hi ? f : hi;
  return static_cast<int8_t>(static_cast<int32_t>(std::nearbyint(f)) + zero_point);
}

struct Qs8Params {
  int32_t za, zb, zy;
  float sa, sb, sy;
  int8_t qmin, qmax;
};

std::vector<Qs8Params> qs8_params() {
  std::vector<Qs8Params> p = {{0, 0, 0, 1.0f, 1.0f, 1.0f, -128, 127}, {-128, 127, 5, 0.5f, 0.25f, 1.0f, -128, 127},
      {10, -3, -20, 0.02f, 0.03f, 0.01f, -100, 90}, {0, 0, 0, 100.0f, 100.0f, 0.5f, -128, 127},  // saturates
      {3, 4, 0, 0.5f, 0.5f, 1.0f, 0, 127}};                                                       // ties
  std::uniform_int_distribution<int32_t> zp(-128, 127);
  std::uniform_real_distribution<float> scale(0.001f, 2.0f);
  for (int k = 0; k < 6; k++) {
    int8_t lo = static_cast<int8_t>(zp(rng())), hi = static_cast<int8_t>(zp(rng()));
    if (lo > hi) std::swap(lo, hi);
    p.push_back({zp(rng()), zp(rng()), zp(rng()), scale(rng()), scale(rng()), scale(rng()), lo, hi});
  }
  return p;
}

std::vector<int8_t> random_qs8(size_t n) {
  std::uniform_int_distribution<int> dist(-128, 127);
  std::vector<int8_t> v(n);
  for (auto& x : v) x = static_cast<int8_t>(dist(rng()));
  return v;
}

TEST_F(NodeKernels, Qs8Add2) {
  for (const Qs8Params& q : qs8_params()) {
    check_add2<int8_t>(random_qs8,
        [&](const pqnn_add2_shape* s, size_t start, size_t end, const int8_t* a, const int8_t* b, int8_t* y) {
          pqnn_node_qs8_add2(s, start, end, a, q.za, q.sa, b, q.zb, q.sb, y, q.zy, q.sy, q.qmin, q.qmax);
        },
        [&](int8_t a, int8_t b) {
          // The integer contract (src/microkernels.h VADD), written out in 64-bit arithmetic.
          pqnn_qs8_add_params p;
          pqnn_init_qs8_add_params(&p, q.za, q.sa, q.zb, q.sb, q.zy, q.sy, q.qmin, q.qmax);
          const int64_t acc = int64_t{p.bias} + int64_t{a} * p.a_multiplier + int64_t{b} * p.b_multiplier;
          const int64_t d = int64_t{1} << p.shift;
          const int64_t r = (acc >= 0 ? acc / d : -((-acc + d - 1) / d)) + q.zy;
          const int8_t y = static_cast<int8_t>(std::min<int64_t>(std::max<int64_t>(r, q.qmin), q.qmax));
          // and within one unit of the real sum, rounded and clamped
          const double real = (double(a) - q.za) * q.sa / q.sy + (double(b) - q.zb) * q.sb / q.sy;
          const double yr = std::min<double>(std::max<double>(std::nearbyint(real) + q.zy, q.qmin), q.qmax);
          EXPECT_LE(std::fabs(yr - y), 1.0);
          return y;
        },
        [](int8_t x, int8_t y) { return x == y; });
  }
}

// ---------------------------------------------------------------------------------------------
// Global average pooling: images [start, end) written, the others untouched.

struct PoolSize {
  size_t images, pixels, channels;
};
const std::vector<PoolSize> kGapSizes = {{1, 1, 1}, {2, 0, 5}, {3, 7, 3}, {2, 49, 64}, {2, 49, 65}, {1, 49, 1024},
    {4, 10, 130}, {1, 1000, 17}, {1, 3, 0}};

TEST_F(NodeKernels, F32GlobalAveragePooling) {
  for (const auto& sz : kGapSizes) {
    for (const auto& c : kClamps) {
      const size_t in_n = sz.images * sz.pixels * sz.channels, out_n = sz.images * sz.channels;
      const std::vector<float> in = random_floats(in_n, -10.0f, 10.0f);
      ExactBuffer<float> x(in_n), y(out_n);
      fill(x, in);
      std::fill(y.begin(), y.end(), 12345.0f);
      const size_t start = sz.images > 1 ? 1 : 0;
      pqnn_node_f32_global_average_pooling(start, sz.images, sz.pixels, sz.channels, x.data(), y.data(), c.min, c.max);
      for (size_t n = 0; n < sz.images; n++) {
        for (size_t ch = 0; ch < sz.channels; ch++) {
          const float got = y[n * sz.channels + ch];
          if (n < start) {
            ASSERT_EQ(got, 12345.0f);
            continue;
          }
          double sum = 0.0, abs_sum = 0.0;
          for (size_t p = 0; p < sz.pixels; p++) {
            sum += in[(n * sz.pixels + p) * sz.channels + ch];
            abs_sum += std::fabs(in[(n * sz.pixels + p) * sz.channels + ch]);
          }
          const double avg = sz.pixels != 0 ? sum / sz.pixels : 0.0;
          const double ref = std::min<double>(std::max<double>(avg, c.min), c.max);
          // f32 sum of `pixels` terms plus the scaling: (pixels + 2) ulp of the mean magnitude.
          const double tol = sz.pixels != 0 ? std::ldexp((sz.pixels + 2) * abs_sum / sz.pixels, -23) : 0.0;
          ASSERT_NEAR(got, ref, tol) << "image " << n << " channel " << ch;
        }
      }
    }
  }
}

TEST_F(NodeKernels, F16GlobalAveragePooling) {
  for (const auto& sz : kGapSizes) {
    for (const auto& c : kClamps) {
      const size_t in_n = sz.images * sz.pixels * sz.channels, out_n = sz.images * sz.channels;
      const std::vector<uint16_t> in = to_half(random_floats(in_n, -10.0f, 10.0f));
      ExactBuffer<uint16_t> x(in_n), y(out_n);
      fill(x, in);
      pqnn_node_f16_global_average_pooling(0, sz.images, sz.pixels, sz.channels, x.data(), y.data(), c.min, c.max);
      std::vector<float> wide = widen(in.data(), in_n), ref32(out_n);
      pqnn_node_f32_global_average_pooling(0, sz.images, sz.pixels, sz.channels, wide.data(), ref32.data(), c.min, c.max);
      for (size_t i = 0; i < out_n; i++) {
        ASSERT_TRUE(same_half(y[i], f2h(ref32[i]))) << "at " << i;
        double sum = 0.0, abs_sum = 0.0;
        const size_t n = i / sz.channels, ch = i % sz.channels;
        for (size_t p = 0; p < sz.pixels; p++) {
          sum += wide[(n * sz.pixels + p) * sz.channels + ch];
          abs_sum += std::fabs(wide[(n * sz.pixels + p) * sz.channels + ch]);
        }
        const double avg = sz.pixels != 0 ? sum / sz.pixels : 0.0;
        const double f32_tol = sz.pixels != 0 ? std::ldexp((sz.pixels + 2) * abs_sum / sz.pixels, -23) : 0.0;
        expect_half_near(y[i], std::min<double>(std::max<double>(avg, c.min), c.max), i, f32_tol);
      }
    }
  }
}

int8_t qs8_gap_ref(const int8_t* x, size_t pixels, size_t channels, size_t ch, int32_t zx, float sx, int32_t zy,
    float sy, int8_t qmin, int8_t qmax) {
  int64_t sum = 0;
  for (size_t p = 0; p < pixels; p++) sum += x[p * channels + ch];
  volatile float denominator = sy * static_cast<float>(pixels);
  volatile float m = pixels != 0 ? sx / denominator : 0.0f;
  volatile float f = static_cast<float>(sum - static_cast<int64_t>(pixels) * zx) * m;
  return qs8_out(f, zy, qmin, qmax);
}

TEST_F(NodeKernels, Qs8GlobalAveragePooling) {
  for (const auto& sz : kGapSizes) {
    for (const Qs8Params& q : qs8_params()) {
      const size_t in_n = sz.images * sz.pixels * sz.channels, out_n = sz.images * sz.channels;
      const std::vector<int8_t> in = random_qs8(in_n);
      ExactBuffer<int8_t> x(in_n), y(out_n);
      fill(x, in);
      std::fill(y.begin(), y.end(), int8_t{77});
      const size_t end = sz.images > 1 ? sz.images - 1 : sz.images;
      pqnn_node_qs8_global_average_pooling(0, end, sz.pixels, sz.channels, x.data(), q.za, q.sa, y.data(), q.zy, q.sy,
          q.qmin, q.qmax);
      for (size_t i = 0; i < out_n; i++) {
        const size_t n = i / sz.channels, ch = i % sz.channels;
        const int8_t expected = n >= end ? int8_t{77}
            : qs8_gap_ref(in.data() + n * sz.pixels * sz.channels, sz.pixels, sz.channels, ch, q.za, q.sa, q.zy, q.sy,
                  q.qmin, q.qmax);
        ASSERT_EQ(y[i], expected) << "image " << n << " channel " << ch << " pixels " << sz.pixels;
      }
    }
  }
}

// More pixels than an int32 sum of int8 can hold (127 * 17e6 > 2^31): the 64-bit sum is exact.
TEST_F(NodeKernels, Qs8GlobalAveragePoolingHugeImage) {
  const size_t pixels = 17000003;
  ExactBuffer<int8_t> x(pixels), y(1);
  std::fill(x.begin(), x.end(), int8_t{127});
  x[5] = -128;
  pqnn_node_qs8_global_average_pooling(0, 1, pixels, 1, x.data(), -1, 1.0f, y.data(), 0, 1.0f, -128, 127);
  EXPECT_EQ(y[0], qs8_gap_ref(x.data(), pixels, 1, 0, -1, 1.0f, 0, 1.0f, -128, 127));
  EXPECT_EQ(y[0], 127);  // mean(x) - zx is about 128: saturates (an int32 sum would wrap negative)
  pqnn_node_qs8_global_average_pooling(0, 1, pixels, 1, x.data(), 0, 0.5f, y.data(), -10, 1.0f, -128, 127);
  EXPECT_EQ(y[0], qs8_gap_ref(x.data(), pixels, 1, 0, 0, 0.5f, -10, 1.0f, -128, 127));
  EXPECT_EQ(y[0], 53);  // rne(126.99998 * 0.5) - 10
}

// ---------------------------------------------------------------------------------------------
// Max pooling

struct PoolCase {
  size_t ih, iw, c;
  uint32_t pt, pr, pb, pl, ph, pw, sh, sw, dh, dw;
  size_t extra_ow;  // output columns beyond the valid ones (all-padding windows)
};

const std::vector<PoolCase> kPoolCases = {
    {4, 4, 1, 0, 0, 0, 0, 2, 2, 2, 2, 1, 1, 0},       // 2x2 stride 2
    {7, 9, 32, 1, 1, 1, 1, 3, 3, 2, 2, 1, 1, 0},      // MobileNet-style 3x3 s2 pad 1
    {8, 8, 67, 0, 0, 0, 0, 3, 3, 1, 1, 2, 2, 0},      // dilation 2
    {5, 6, 3, 2, 1, 2, 1, 3, 2, 1, 2, 1, 3, 0},       // mixed
    {3, 3, 130, 0, 0, 0, 0, 3, 3, 1, 1, 1, 1, 0},     // 1x1 output
    {1, 1, 5, 3, 3, 3, 3, 2, 2, 1, 1, 1, 1, 0},       // windows entirely in padding
    {6, 5, 64, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 0},      // 1x1 pool: identity
    {6, 5, 16, 1, 0, 0, 2, 2, 3, 3, 1, 1, 1, 3},      // output wider than the input allows
    {2, 2, 0, 0, 0, 0, 0, 2, 2, 1, 1, 1, 1, 0},       // no channels
};

size_t out_dim(size_t in, uint32_t p0, uint32_t p1, uint32_t k, uint32_t s, uint32_t d) {
  const size_t eff = (k - 1) * static_cast<size_t>(d) + 1;
  return in + p0 + p1 < eff ? 0 : (in + p0 + p1 - eff) / s + 1;
}

pqnn_pool_geometry geometry_of(const PoolCase& pc) {
  pqnn_pool_geometry g{};
  g.input_height = pc.ih;
  g.input_width = pc.iw;
  g.channels = pc.c;
  g.output_height = out_dim(pc.ih, pc.pt, pc.pb, pc.ph, pc.sh, pc.dh);
  g.output_width = out_dim(pc.iw, pc.pl, pc.pr, pc.pw, pc.sw, pc.dw) + pc.extra_ow;
  g.pad_top = pc.pt;
  g.pad_left = pc.pl;
  g.pool_height = pc.ph;
  g.pool_width = pc.pw;
  g.stride_height = pc.sh;
  g.stride_width = pc.sw;
  g.dilation_height = pc.dh;
  g.dilation_width = pc.dw;
  return g;
}

// Plain reference: every tap, bounds-checked in signed arithmetic; NaN wins.
std::vector<float> max_pool_ref(const pqnn_pool_geometry& g, const std::vector<float>& x, float min, float max) {
  std::vector<float> y(g.output_height * g.output_width * g.channels);
  for (size_t oy = 0; oy < g.output_height; oy++)
    for (size_t ox = 0; ox < g.output_width; ox++)
      for (size_t c = 0; c < g.channels; c++) {
        float m = -kInf;
        for (int64_t ky = 0; ky < g.pool_height; ky++)
          for (int64_t kx = 0; kx < g.pool_width; kx++) {
            const int64_t iy = static_cast<int64_t>(oy * g.stride_height) + ky * g.dilation_height - g.pad_top;
            const int64_t ix = static_cast<int64_t>(ox * g.stride_width) + kx * g.dilation_width - g.pad_left;
            if (iy < 0 || ix < 0 || iy >= static_cast<int64_t>(g.input_height) ||
                ix >= static_cast<int64_t>(g.input_width))
              continue;
            const float v = x[(iy * g.input_width + ix) * g.channels + c];
            if (std::isnan(v) || v > m) m = std::isnan(m) ? m : v;
          }
        y[(oy * g.output_width + ox) * g.channels + c] = clampf(m, min, max);
      }
  return y;
}

TEST_F(NodeKernels, F32MaxPooling) {
  for (const PoolCase& pc : kPoolCases) {
    for (const auto& c : kClamps) {
      const pqnn_pool_geometry g = geometry_of(pc);
      const size_t in_n = pc.ih * pc.iw * pc.c, out_n = g.output_height * g.output_width * g.channels;
      std::vector<float> in = random_floats(in_n, -10.0f, 10.0f);
      if (in_n > 20) in[in_n / 2 + 1] = kNaN;
      ExactBuffer<float> x(in_n), y(out_n);
      fill(x, in);
      run_split(g.output_height, [&](size_t s, size_t e) {
        pqnn_node_f32_max_pooling(&g, s, e, x.data(), y.data(), c.min, c.max);
      });
      const std::vector<float> ref = max_pool_ref(g, in, c.min, c.max);
      for (size_t i = 0; i < out_n; i++) {
        ASSERT_TRUE(same_float(y[i], ref[i])) << "case ih " << pc.ih << " iw " << pc.iw << " c " << pc.c << " at " << i;
      }
    }
  }
}

TEST_F(NodeKernels, MaxPoolingAllPaddingWindow) {
  // 1x1 input, pad 2 on each side, 2x2 pool stride 1: the corner windows see only padding.
  pqnn_pool_geometry g{};
  g.input_height = g.input_width = 1;
  g.output_height = g.output_width = 4;
  g.channels = 2;
  g.pad_top = g.pad_left = 2;
  g.pool_height = g.pool_width = 2;
  g.stride_height = g.stride_width = g.dilation_height = g.dilation_width = 1;
  const float x[2] = {3.0f, -4.0f};
  float y[32];
  pqnn_node_f32_max_pooling(&g, 0, 4, x, y, -kInf, kInf);
  EXPECT_EQ(y[0], -kInf);  // (0, 0) is all padding: -inf, unclamped
  EXPECT_EQ(y[(1 * 4 + 1) * 2], 3.0f);
  EXPECT_EQ(y[(2 * 4 + 2) * 2 + 1], -4.0f);
  pqnn_node_f32_max_pooling(&g, 0, 4, x, y, -1.0f, 1.0f);
  EXPECT_EQ(y[0], -1.0f);  // clamped to output_min
  EXPECT_EQ(y[(1 * 4 + 1) * 2], 1.0f);
}

TEST_F(NodeKernels, F16MaxPooling) {
  for (const PoolCase& pc : kPoolCases) {
    for (const auto& c : kClamps) {
      const pqnn_pool_geometry g = geometry_of(pc);
      const size_t in_n = pc.ih * pc.iw * pc.c, out_n = g.output_height * g.output_width * g.channels;
      std::vector<uint16_t> in = to_half(random_floats(in_n, -10.0f, 10.0f));
      if (in_n > 20) in[in_n / 3] = 0x7E00;
      ExactBuffer<uint16_t> x(in_n), y(out_n);
      fill(x, in);
      run_split(g.output_height, [&](size_t s, size_t e) {
        pqnn_node_f16_max_pooling(&g, s, e, x.data(), y.data(), c.min, c.max);
      });
      const std::vector<float> ref = max_pool_ref(g, widen(in.data(), in_n), c.min, c.max);
      for (size_t i = 0; i < out_n; i++) ASSERT_TRUE(same_half(y[i], f2h(ref[i]))) << "at " << i;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Softmax

std::vector<double> softmax_ref(const float* x, size_t n) {
  std::vector<double> y(n);
  double m = -INFINITY;
  bool poisoned = false;
  for (size_t i = 0; i < n; i++) {
    if (std::isnan(x[i]) || x[i] == kInf) poisoned = true;
    m = std::max<double>(m, x[i]);
  }
  if (m == -INFINITY) poisoned = true;
  double sum = 0.0;
  for (size_t i = 0; i < n; i++) sum += std::exp(static_cast<double>(x[i]) - m);
  for (size_t i = 0; i < n; i++) y[i] = poisoned ? NAN : std::exp(static_cast<double>(x[i]) - m) / sum;
  return y;
}

struct SoftmaxSize {
  size_t rows, channels;
};
const std::vector<SoftmaxSize> kSoftmaxSizes = {{1, 1}, {3, 5}, {2, 64}, {4, 65}, {1, 1000}, {2, 4097}, {5, 0}};

// f32: exp and the product to a few ulp, plus the f32 sum of the expsum kernel's partials
// (channels / 4 terms per partial on the tiers of the fewest: scalar's 4, 4 lanes x 4).
void expect_softmax_near(float got, double ref, size_t channels, size_t i) {
  if (std::isnan(ref)) {
    EXPECT_TRUE(std::isnan(got)) << "at " << i;
    return;
  }
  const double tol = ref * std::ldexp(8.0 + channels / 4.0 + 64.0, -24) + 1e-40;
  EXPECT_NEAR(got, ref, tol) << "at " << i;
}

TEST_F(NodeKernels, F32Softmax) {
  for (const auto& sz : kSoftmaxSizes) {
    const size_t n = sz.rows * sz.channels;
    const std::vector<float> in = random_floats(n, -20.0f, 20.0f);
    ExactBuffer<float> x(n), y(n);
    fill(x, in);
    run_split(sz.rows, [&](size_t s, size_t e) { pqnn_node_f32_softmax(s, e, sz.channels, x.data(), y.data()); });
    for (size_t r = 0; r < sz.rows; r++) {
      const std::vector<double> ref = softmax_ref(in.data() + r * sz.channels, sz.channels);
      for (size_t i = 0; i < sz.channels; i++) expect_softmax_near(y[r * sz.channels + i], ref[i], sz.channels, i);
    }
    pqnn_node_f32_softmax(0, sz.rows, sz.channels, x.data(), x.data());
    for (size_t i = 0; i < n; i++) ASSERT_TRUE(same_float(x[i], y[i])) << "in place at " << i;
  }
}

TEST_F(NodeKernels, F32SoftmaxExtremeRows) {
  const std::vector<std::vector<float>> rows = {
      {1e30f, -1e30f, 0.0f, 1e30f},  // huge: no overflow
      {-1e30f, -1e30f, -1e30f},      // tiny, all equal
      {7.0f, 7.0f, 7.0f, 7.0f, 7.0f},
      {3.4e38f, -3.4e38f},
      {-kInf, 0.0f, -kInf},
      {1.0f, kNaN, 2.0f},  // poisoned rows
      {1.0f, kInf, 2.0f},
      {-kInf, -kInf},
  };
  for (const auto& row : rows) {
    const size_t n = row.size();
    ExactBuffer<float> x(n), y(n);
    fill(x, row);
    pqnn_node_f32_softmax(0, 1, n, x.data(), y.data());
    const std::vector<double> ref = softmax_ref(row.data(), n);
    for (size_t i = 0; i < n; i++) expect_softmax_near(y[i], ref[i], n, i);
  }
  float x[4] = {1e30f, -1e30f, 0.0f, 1e30f}, y[4];
  pqnn_node_f32_softmax(0, 1, 4, x, y);
  EXPECT_EQ(y[0], 0.5f);
  EXPECT_EQ(y[1], 0.0f);
  EXPECT_EQ(y[3], 0.5f);
  float e[5] = {7, 7, 7, 7, 7};
  pqnn_node_f32_softmax(0, 1, 5, e, e);
  for (float v : e) EXPECT_EQ(v, 0.2f);
}

TEST_F(NodeKernels, F16Softmax) {
  std::vector<SoftmaxSize> sizes = kSoftmaxSizes;
  for (const auto& sz : sizes) {
    const size_t n = sz.rows * sz.channels;
    std::vector<float> base = random_floats(n, -10.0f, 10.0f);
    if (n > 3) {
      base[0] = 65504.0f;  // f16 max
      base[2] = -65504.0f;
    }
    const std::vector<uint16_t> in = to_half(base);
    ExactBuffer<uint16_t> x(n), y(n);
    fill(x, in);
    run_split(sz.rows, [&](size_t s, size_t e) { pqnn_node_f16_softmax(s, e, sz.channels, x.data(), y.data()); });
    const std::vector<float> wide = widen(in.data(), n);
    std::vector<float> ref32(n);
    pqnn_node_f32_softmax(0, sz.rows, sz.channels, wide.data(), ref32.data());
    for (size_t r = 0; r < sz.rows; r++) {
      const std::vector<double> ref = softmax_ref(wide.data() + r * sz.channels, sz.channels);
      for (size_t i = 0; i < sz.channels; i++) {
        const size_t k = r * sz.channels + i;
        // The f32 node's rounding, but for rows of more than one 256-element block: their
        // sum adds up block sums, in another order than the f32 row's (1 f16 ulp at most).
        if (sz.channels <= 256) {
          ASSERT_TRUE(same_half(y[k], f2h(ref32[k]))) << "at " << k;
        } else {
          ASSERT_LE(std::abs(static_cast<int>(y[k]) - static_cast<int>(f2h(ref32[k]))), 1) << "at " << k;
        }
        expect_half_near(y[k], ref[i], k);
      }
    }
    pqnn_node_f16_softmax(0, sz.rows, sz.channels, x.data(), x.data());
    for (size_t i = 0; i < n; i++) ASSERT_TRUE(same_half(x[i], y[i])) << "in place at " << i;
  }
}

// ---------------------------------------------------------------------------------------------
// Quantize / dequantize

TEST_F(NodeKernels, F32Qs8Quantize) {
  const int32_t zero_points[] = {0, -128, 127, 13};
  const float scales[] = {1.0f, 0.5f, 0.0371f, 3.0f};
  for (size_t n : kSizes) {
    for (int32_t zp : zero_points) {
      for (float scale : scales) {
        std::vector<float> in = random_floats(n, -300.0f * scale, 300.0f * scale);
        const float specials[] = {kNaN, kInf, -kInf, 1e30f, -1e30f, 0.5f * scale, 1.5f * scale, -2.5f * scale, 0.0f};
        for (size_t i = 0; i < n && i < 9; i++) in[i * 7 % n] = specials[i];
        ExactBuffer<float> x(n);
        ExactBuffer<int8_t> y(n);
        fill(x, in);
        pqnn_node_f32_qs8_quantize(n, x.data(), y.data(), zp, scale);
        for (size_t i = 0; i < n; i++) {
          const int8_t expected = std::isnan(in[i]) ? int8_t{-128} : qs8_out(in[i] / scale, zp, -128, 127);
          ASSERT_EQ(y[i], expected) << "x " << in[i] << " zp " << zp << " scale " << scale;
        }
      }
    }
  }
  // Ties round to even.
  const float ties[] = {0.5f, 1.5f, 2.5f, -0.5f, -1.5f, -2.5f};
  int8_t q[6];
  pqnn_node_f32_qs8_quantize(6, ties, q, 0, 1.0f);
  const int8_t expected[] = {0, 2, 2, 0, -2, -2};
  for (int i = 0; i < 6; i++) EXPECT_EQ(q[i], expected[i]) << ties[i];
}

TEST_F(NodeKernels, Qs8F32Dequantize) {
  const int32_t zero_points[] = {0, -128, 127, -7};
  const float scales[] = {1.0f, 0.0371f, 1e-30f, 3e30f};
  for (size_t n : kSizes) {
    for (int32_t zp : zero_points) {
      for (float scale : scales) {
        const std::vector<int8_t> in = random_qs8(n);
        ExactBuffer<int8_t> x(n);
        ExactBuffer<float> y(n);
        fill(x, in);
        pqnn_node_qs8_f32_dequantize(n, x.data(), y.data(), zp, scale);
        for (size_t i = 0; i < n; i++) {
          volatile float expected = static_cast<float>(in[i] - zp) * scale;
          ASSERT_EQ(bits(y[i]), bits(expected)) << "x " << int(in[i]) << " zp " << zp << " scale " << scale;
        }
      }
    }
  }
}

}  // namespace
