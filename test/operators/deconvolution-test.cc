// Transposed convolution (deconvolution) operators, NHWC: f32, f16 (f16 or f32 static
// weights), qd8_f32_qc8w and qd8_f16_qc8w, against a double-precision scatter reference
// (each input pixel and tap adds to one output pixel) over random shapes: groups, kernel
// 1..5, stride 1..3, dilation, paddings, output padding (adjustment), batch > 1, odd channel
// counts, pixel strides wider than the channels (NaN in the input gaps, output gaps
// untouched), exact-size buffers, clamping; both the direct (stride == kernel) and the
// accumulating path. Results must be bit-identical whatever threadpool reshape and run get.
// Then argument validation.
//
// Tolerances, for reference r (double), S = |b| + sum |x * w| over the taps reaching the
// output and K = (taps reaching it) * gic products:
//   f32:    |y - r| <= (K + 2) * 2^-24 * S                       (f32 products and sums)
//   qd8:    |y - r| <= (taps + 2) * 2^-22 * S                    (an exact int32 dot per tap,
//           one f32 scale product and the f32 sum of taps; the reference dequantizes exactly)
//   f16 output: add 2^-11 * S (each tap's columns are rounded to f16 before the f32 sum) and
//           half an f16 ulp of |r| (the final rounding).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include <fp16.h>
#include <pqnn.h>

#include "common/test-pool.h"
#include "common/pooled-test.h"
#include "common/test-utils.h"

using pqnn_test::ExactBuffer;

namespace {

enum class Type { f32, f16, f16_from_f32, qd8_f32, qd8_f16 };

bool f16_output(Type t) { return t == Type::f16 || t == Type::f16_from_f32 || t == Type::qd8_f16; }
bool qd8(Type t) { return t == Type::qd8_f32 || t == Type::qd8_f16; }

float round16(float v) { return fp16_ieee_to_fp32_value(fp16_ieee_from_fp32_value(v)); }

double ulp16(double v) {
  v = std::fabs(v);
  if (v < 0x1.0p-14) return 0x1.0p-24;
  int e = 0;
  std::frexp(v, &e);
  return std::ldexp(1.0, e - 11);
}

struct Shape {
  size_t n = 1, h = 4, w = 4;
  uint32_t kh = 2, kw = 2, sh = 2, sw = 2, dh = 1, dw = 1;
  uint32_t pt = 0, pr = 0, pb = 0, pl = 0, ah = 0, aw = 0, groups = 1;
  size_t gic = 8, goc = 8, xs = 8, ys = 8;
  size_t cin() const { return groups * gic; }
  size_t cout() const { return groups * goc; }
  long out(size_t in, uint32_t s, uint32_t k, uint32_t d, uint32_t a, uint32_t p0, uint32_t p1) const {
    return long((in - 1) * s + (k - 1) * d + 1 + a) - long(p0 + p1);
  }
  size_t oh() const { return size_t(out(h, sh, kh, dh, ah, pt, pb)); }
  size_t ow() const { return size_t(out(w, sw, kw, dw, aw, pl, pr)); }
  bool valid() const { return out(h, sh, kh, dh, ah, pt, pb) > 0 && out(w, sw, kw, dw, aw, pl, pr) > 0; }
  size_t x_span() const { return pqnn_test::span(n * h * w, cin(), xs); }
  size_t y_span() const { return pqnn_test::span(n * oh() * ow(), cout(), ys); }
  std::string describe() const {
    char b[256];
    snprintf(b, sizeof(b), "n%zu %zux%zu k%ux%u s%ux%u d%ux%u pad %u,%u,%u,%u adj %u,%u g%u %zu->%zu "
        "strides %zu/%zu", n, h, w, kh, kw, sh, sw, dh, dw, pt, pr, pb, pl, ah, aw, groups, gic, goc, xs, ys);
    return b;
  }
};

Shape random_shape(std::mt19937& rng, size_t i) {
  for (;;) {
    Shape s;
    s.kh = 1 + rng() % 5;
    s.kw = 1 + rng() % 5;
    s.sh = 1 + rng() % 3;
    s.sw = 1 + rng() % 3;
    s.dh = 1 + rng() % 2;
    s.dw = 1 + rng() % 2;
    if (i % 3 == 0) {  // the direct path: stride == kernel
      s.kh = s.sh = 1 + rng() % 3;
      s.kw = s.sw = 1 + rng() % 3;
      s.dh = s.dw = 1;
    }
    s.pt = rng() % (s.kh + 1);
    s.pb = rng() % (s.kh + 1);
    s.pl = rng() % (s.kw + 1);
    s.pr = rng() % (s.kw + 1);
    if (i % 4 == 1) s.pt = s.pb = s.pl = s.pr = 0;
    s.ah = rng() % s.sh;
    s.aw = rng() % s.sw;
    s.groups = 1 + rng() % 3;
    s.gic = 1 + rng() % (i % 5 == 0 ? 70 : 17);
    s.goc = 1 + rng() % (i % 5 == 1 ? 70 : 17);
    s.n = 1 + rng() % (i % 7 == 0 ? 3 : 2);
    s.h = 1 + rng() % 7;
    s.w = 1 + rng() % (i % 6 == 0 ? 40 : 7);
    s.xs = s.cin() + (rng() % 2 ? rng() % 5 : 0);
    s.ys = s.cout() + (rng() % 2 ? rng() % 5 : 0);
    if (s.valid()) return s;
  }
}

struct Data {
  std::vector<float> x;                     // dequantized / rounded values the reference uses
  ExactBuffer<float> x32{0};
  ExactBuffer<uint16_t> x16{0};
  ExactBuffer<int8_t> xq{0};
  ExactBuffer<pqnn_quantization_params> qp{0};
  std::vector<float> w;                     // effective weights (f16-rounded or dequantized)
  ExactBuffer<float> w32{0};
  ExactBuffer<uint16_t> w16{0};
  ExactBuffer<int8_t> wq{0};
  ExactBuffer<float> ks{0};
  std::vector<float> b;
  ExactBuffer<float> b32{0};
  ExactBuffer<uint16_t> b16{0};
};

Data make_data(const Shape& s, Type t, std::mt19937& rng) {
  Data d;
  std::uniform_real_distribution<float> u(-1.0f, 1.0f), sd(1e-3f, 2e-2f);
  std::uniform_int_distribution<int> i8(-128, 127), w8(-127, 127);
  const size_t xn = s.x_span(), wn = s.cout() * s.kh * s.kw * s.gic;
  d.x.assign(xn, 0.0f);
  if (qd8(t)) {
    d.xq = ExactBuffer<int8_t>(xn);
    d.qp = ExactBuffer<pqnn_quantization_params>(s.n * s.h * s.w);
    for (size_t p = 0; p < d.qp.size(); p++) d.qp[p] = {i8(rng), sd(rng)};
    for (size_t i = 0; i < xn; i++) {
      d.xq[i] = int8_t(i8(rng));
      const auto& q = d.qp[i / s.xs];
      d.x[i] = float(int(d.xq[i]) - q.zero_point) * q.scale;
    }
    d.wq = ExactBuffer<int8_t>(wn);
    d.ks = ExactBuffer<float>(s.cout());
    for (auto& v : d.ks) v = sd(rng);
    d.w.resize(wn);
    for (size_t i = 0; i < wn; i++) {
      d.wq[i] = int8_t(w8(rng));
      d.w[i] = float(d.wq[i]) * d.ks[i / (s.kh * s.kw * s.gic)];
    }
  } else {
    const bool h = t != Type::f32;
    d.x32 = ExactBuffer<float>(h ? 0 : xn);
    d.x16 = ExactBuffer<uint16_t>(h ? xn : 0);
    for (size_t i = 0; i < xn; i++) {
      const bool gap = i % s.xs >= s.cin();
      const float v = h ? round16(u(rng)) : u(rng);
      d.x[i] = gap ? 0.0f : v;
      if (h) {
        d.x16[i] = gap ? uint16_t(0x7E00) : fp16_ieee_from_fp32_value(v);
      } else {
        d.x32[i] = gap ? NAN : v;
      }
    }
    d.w.resize(wn);
    d.w32 = ExactBuffer<float>(t == Type::f16 ? 0 : wn);
    d.w16 = ExactBuffer<uint16_t>(t == Type::f16 ? wn : 0);
    for (size_t i = 0; i < wn; i++) {
      const float v = u(rng);
      d.w[i] = t == Type::f32 ? v : round16(v);
      if (t == Type::f16) d.w16[i] = fp16_ieee_from_fp32_value(v); else d.w32[i] = v;
    }
  }
  d.b.resize(s.cout());
  d.b32 = ExactBuffer<float>(t == Type::f16 ? 0 : s.cout());
  d.b16 = ExactBuffer<uint16_t>(t == Type::f16 ? s.cout() : 0);
  for (size_t c = 0; c < s.cout(); c++) {
    const float v = u(rng);
    d.b[c] = t == Type::f16 || t == Type::f16_from_f32 ? round16(v) : v;
    if (t == Type::f16) d.b16[c] = fp16_ieee_from_fp32_value(v); else d.b32[c] = v;
  }
  return d;
}

// ref, S (abs sum) and the number of taps reaching each output (channel-dense [pixel][cout]).
void reference(const Shape& s, const Data& d, bool with_bias, std::vector<double>& ref,
    std::vector<double>& abs_sum, std::vector<uint32_t>& taps) {
  const size_t oh = s.oh(), ow = s.ow(), co = s.cout();
  ref.assign(s.n * oh * ow * co, 0.0);
  abs_sum.assign(ref.size(), 0.0);
  taps.assign(ref.size(), 0);
  if (with_bias) {
    for (size_t p = 0; p < s.n * oh * ow; p++)
      for (size_t c = 0; c < co; c++) {
        ref[p * co + c] = d.b[c];
        abs_sum[p * co + c] = std::fabs(d.b[c]);
      }
  }
  for (size_t b = 0; b < s.n; b++)
    for (size_t iy = 0; iy < s.h; iy++)
      for (size_t ix = 0; ix < s.w; ix++)
        for (size_t ky = 0; ky < s.kh; ky++)
          for (size_t kx = 0; kx < s.kw; kx++) {
            const long oy = long(iy * s.sh + ky * s.dh) - long(s.pt);
            const long ox = long(ix * s.sw + kx * s.dw) - long(s.pl);
            if (oy < 0 || ox < 0 || oy >= long(oh) || ox >= long(ow)) continue;
            const size_t o = (b * oh + size_t(oy)) * ow + size_t(ox);
            const float* px = d.x.data() + ((b * s.h + iy) * s.w + ix) * s.xs;
            for (size_t g = 0; g < s.groups; g++)
              for (size_t oc = 0; oc < s.goc; oc++) {
                const size_t c = g * s.goc + oc;
                const float* pw = d.w.data() + (((c * s.kh + ky) * s.kw) + kx) * s.gic;
                double sum = 0.0, abs = 0.0;
                for (size_t ic = 0; ic < s.gic; ic++) {
                  const double prod = double(px[g * s.gic + ic]) * pw[ic];
                  sum += prod;
                  abs += std::fabs(prod);
                }
                ref[o * co + c] += sum;
                abs_sum[o * co + c] += abs;
                taps[o * co + c]++;
              }
          }
}

struct Op {
  pqnn_operator_t op = nullptr;
  ~Op() { pqnn_delete_operator(op); }
};

#define GEOMETRY(s) s.pt, s.pr, s.pb, s.pl, s.kh, s.kw, s.sh, s.sw, s.dh, s.dw, s.groups, s.gic, \
    s.goc, s.xs, s.ys

pqnn_status create(const Shape& s, Type t, const Data& d, bool with_bias, float lo, float hi,
    pqnn_operator_t* op) {
  switch (t) {
    case Type::f32:
      return pqnn_create_deconvolution2d_nhwc_f32(GEOMETRY(s), d.w32.data(),
          with_bias ? d.b32.data() : nullptr, lo, hi, 0, op);
    case Type::f16:
      return pqnn_create_deconvolution2d_nhwc_f16(GEOMETRY(s), d.w16.data(),
          with_bias ? d.b16.data() : nullptr, lo, hi, 0, op);
    case Type::f16_from_f32:
      return pqnn_create_deconvolution2d_nhwc_f16(GEOMETRY(s), d.w32.data(),
          with_bias ? d.b32.data() : nullptr, lo, hi, PQNN_FLAG_FP32_STATIC_WEIGHTS, op);
    case Type::qd8_f32:
      return pqnn_create_deconvolution2d_nhwc_qd8_f32_qc8w(GEOMETRY(s), d.ks.data(), d.wq.data(),
          with_bias ? d.b32.data() : nullptr, lo, hi, 0, op);
    case Type::qd8_f16:
      return pqnn_create_deconvolution2d_nhwc_qd8_f16_qc8w(GEOMETRY(s), d.ks.data(), d.wq.data(),
          with_bias ? d.b32.data() : nullptr, lo, hi, 0, op);
  }
  return pqnn_status_invalid_parameter;
}

pqnn_status reshape(const Shape& s, Type t, pqnn_operator_t op, pthreadpool_t pool, size_t* oh,
    size_t* ow) {
  switch (t) {
    case Type::f32:
      return pqnn_reshape_deconvolution2d_nhwc_f32(op, s.n, s.h, s.w, s.ah, s.aw, oh, ow, pool);
    case Type::f16:
    case Type::f16_from_f32:
      return pqnn_reshape_deconvolution2d_nhwc_f16(op, s.n, s.h, s.w, s.ah, s.aw, oh, ow, pool);
    case Type::qd8_f32:
      return pqnn_reshape_deconvolution2d_nhwc_qd8_f32_qc8w(op, s.n, s.h, s.w, s.ah, s.aw, oh, ow, pool);
    case Type::qd8_f16:
      return pqnn_reshape_deconvolution2d_nhwc_qd8_f16_qc8w(op, s.n, s.h, s.w, s.ah, s.aw, oh, ow, pool);
  }
  return pqnn_status_invalid_parameter;
}

pqnn_status setup(Type t, pqnn_operator_t op, const Data& d, void* y) {
  switch (t) {
    case Type::f32:
      return pqnn_setup_deconvolution2d_nhwc_f32(op, d.x32.data(), static_cast<float*>(y));
    case Type::f16:
    case Type::f16_from_f32:
      return pqnn_setup_deconvolution2d_nhwc_f16(op, d.x16.data(), y);
    case Type::qd8_f32:
      return pqnn_setup_deconvolution2d_nhwc_qd8_f32_qc8w(op, d.xq.data(), static_cast<float*>(y),
          d.qp.data());
    case Type::qd8_f16:
      return pqnn_setup_deconvolution2d_nhwc_qd8_f16_qc8w(op, d.xq.data(), y, d.qp.data());
  }
  return pqnn_status_invalid_parameter;
}

const char* type_name(Type t) {
  switch (t) {
    case Type::f32: return "f32";
    case Type::f16: return "f16";
    case Type::f16_from_f32: return "f16 (f32 weights)";
    case Type::qd8_f32: return "qd8_f32";
    case Type::qd8_f16: return "qd8_f16";
  }
  return "?";
}

// Runs shape s (reshape with `reshape_pool`, run with `run_pool`, then again with the pools
// swapped) and checks the result and the bit-identity of the two runs.
void run_shape(const Shape& s, Type t, bool with_bias, bool clamp, pthreadpool_t pool,
    std::mt19937& rng) {
  SCOPED_TRACE(s.describe() + " " + type_name(t) + (with_bias ? "" : " no bias") +
      (clamp ? " clamped" : ""));
  const Data d = make_data(s, t, rng);
  std::vector<double> ref, abs_sum;
  std::vector<uint32_t> taps;
  reference(s, d, with_bias, ref, abs_sum, taps);
  const float lo = clamp ? -0.25f : -INFINITY, hi = clamp ? 0.5f : INFINITY;
  Op op;
  ASSERT_EQ(create(s, t, d, with_bias, lo, hi, &op.op), pqnn_status_success);
  const size_t count = s.y_span(), el = f16_output(t) ? 2 : 4;
  const uint8_t sentinel = 0xA5;
  ExactBuffer<uint8_t> y1(count * el), y2(count * el);
  std::memset(y1.data(), sentinel, y1.size());
  std::memset(y2.data(), sentinel, y2.size());
  size_t oh = 0, ow = 0;
  ASSERT_EQ(reshape(s, t, op.op, pool, &oh, &ow), pqnn_status_success);
  ASSERT_EQ(oh, s.oh());
  ASSERT_EQ(ow, s.ow());
  ASSERT_EQ(setup(t, op.op, d, y1.data()), pqnn_status_success);
  ASSERT_EQ(pqnn_run_operator(op.op, nullptr), pqnn_status_success);
  ASSERT_EQ(reshape(s, t, op.op, nullptr, &oh, &ow), pqnn_status_success);
  ASSERT_EQ(setup(t, op.op, d, y2.data()), pqnn_status_success);
  ASSERT_EQ(pqnn_run_operator(op.op, pool), pqnn_status_success);
  ASSERT_EQ(std::memcmp(y1.data(), y2.data(), y1.size()), 0) << "results depend on the threading";
  const size_t co = s.cout();
  for (size_t p = 0; p < s.n * oh * ow; p++) {
    for (size_t c = 0; c < s.ys && p * s.ys + c < count; c++) {
      const size_t i = p * s.ys + c;
      if (c >= co) {
        for (size_t k = 0; k < el; k++) ASSERT_EQ(y1[i * el + k], sentinel) << "gap written";
        continue;
      }
      double y;
      if (el == 2) {
        uint16_t h;
        std::memcpy(&h, &y1[i * el], 2);
        y = fp16_ieee_to_fp32_value(h);
      } else {
        float f;
        std::memcpy(&f, &y1[i * el], 4);
        y = f;
      }
      const double r = std::min<double>(std::max<double>(ref[p * co + c], lo), hi);
      const double S = abs_sum[p * co + c];
      double tol = qd8(t) ? double(taps[p * co + c] + 2) * 0x1.0p-22 * S
                          : double(taps[p * co + c] * s.gic + 2) * 0x1.0p-24 * S;
      if (el == 2) tol += 0x1.0p-11 * S + 0.5 * ulp16(std::fabs(r) + tol) + 0x1.0p-24;
      ASSERT_NEAR(y, r, tol + 1e-30) << "pixel " << p << " channel " << c;
    }
  }
}

class Deconvolution : public pqnn_test::PooledTest<3> {
 protected:
  void random_shapes(Type t) {
    auto& rng = pqnn_test::rng();
    const size_t count = pqnn_test::shape_count(36);
    for (size_t i = 0; i < count; i++) {
      const Shape s = random_shape(rng, i);
      SCOPED_TRACE(i);
      run_shape(s, t, i % 5 != 4, i % 4 == 3, pool_, rng);
      if (HasFatalFailure()) return;
    }
  }
};

TEST_F(Deconvolution, F32RandomShapes) { random_shapes(Type::f32); }
TEST_F(Deconvolution, F16RandomShapes) { random_shapes(Type::f16); }
TEST_F(Deconvolution, F16FromF32WeightsRandomShapes) { random_shapes(Type::f16_from_f32); }
TEST_F(Deconvolution, Qd8F32RandomShapes) { random_shapes(Type::qd8_f32); }
TEST_F(Deconvolution, Qd8F16RandomShapes) { random_shapes(Type::qd8_f16); }

// The PaddleOCR det upsampling layers (2x2 stride 2) and a 3x3 stride-2 layer with output
// padding, large enough for several tiles, every datatype.
TEST_F(Deconvolution, ModelLayers) {
  auto& rng = pqnn_test::rng();
  Shape up;
  up.h = 20, up.w = 33, up.gic = 24, up.goc = 24, up.xs = 24, up.ys = 24;
  Shape odd = up;
  odd.kh = odd.kw = 3, odd.pt = odd.pl = odd.pb = odd.pr = 1, odd.ah = odd.aw = 1, odd.goc = 19;
  odd.ys = 19, odd.n = 2;
  // Few output channels (the tall layout: one GEMM of all taps per input row): det's last
  // layer 24 -> 1, and 3 channels with output padding in both directions over 2 images.
  Shape thin = up;
  thin.goc = thin.ys = 1;
  Shape thin_adj = up;
  thin_adj.goc = thin_adj.ys = 3, thin_adj.ah = thin_adj.aw = 1, thin_adj.n = 2, thin_adj.w = 7;
  for (Type t : {Type::f32, Type::f16, Type::qd8_f32, Type::qd8_f16}) {
    run_shape(up, t, true, false, pool_, rng);
    run_shape(odd, t, true, true, pool_, rng);
    run_shape(thin, t, true, false, pool_, rng);
    run_shape(thin_adj, t, true, true, pool_, rng);
  }
}

TEST_F(Deconvolution, ReshapeToNewSizesAndBatchZero) {
  auto& rng = pqnn_test::rng();
  Shape s;
  s.kh = s.kw = 3, s.pt = s.pl = 1;
  const Data d = make_data(s, Type::f32, rng);
  Op op;
  ASSERT_EQ(create(s, Type::f32, d, true, -INFINITY, INFINITY, &op.op), pqnn_status_success);
  size_t oh = 0, ow = 0;
  ASSERT_EQ(pqnn_reshape_deconvolution2d_nhwc_f32(op.op, 0, 4, 4, 0, 0, &oh, &ow, pool_), pqnn_status_success);
  ASSERT_EQ(pqnn_setup_deconvolution2d_nhwc_f32(op.op, nullptr, nullptr), pqnn_status_success);
  ASSERT_EQ(pqnn_run_operator(op.op, pool_), pqnn_status_success);
  // Larger, then smaller again: the workspace grows once and is reused.
  for (size_t hw : {9, 3}) {
    Shape t = s;
    t.h = t.w = hw;
    std::vector<double> ref, abs_sum;
    std::vector<uint32_t> taps;
    Data with_weights = make_data(t, Type::f32, rng);
    with_weights.w = d.w;
    with_weights.b = d.b;
    reference(t, with_weights, true, ref, abs_sum, taps);
    ExactBuffer<float> y(t.y_span());
    ASSERT_EQ(pqnn_reshape_deconvolution2d_nhwc_f32(op.op, 1, hw, hw, 0, 0, &oh, &ow, pool_),
        pqnn_status_success);
    ASSERT_EQ(oh, t.oh());
    ASSERT_EQ(pqnn_setup_deconvolution2d_nhwc_f32(op.op, with_weights.x32.data(), y.data()),
        pqnn_status_success);
    ASSERT_EQ(pqnn_run_operator(op.op, pool_), pqnn_status_success);
    for (size_t i = 0; i < ref.size(); i++) {
      ASSERT_NEAR(y[i], ref[i], (taps[i] * t.gic + 2) * 0x1.0p-24 * abs_sum[i] + 1e-30) << i;
    }
  }
}

TEST_F(Deconvolution, RejectsBadArguments) {
  const float w[2 * 2 * 4 * 4] = {};
  const float ks[4] = {1, 1, 1, 1};
  const int8_t wq[2 * 2 * 4 * 4] = {};
  pqnn_operator_t op = nullptr;
  const auto inv = pqnn_status_invalid_parameter;
  EXPECT_EQ(pqnn_create_deconvolution2d_nhwc_f32(0, 0, 0, 0, 2, 2, 2, 2, 1, 1, 1, 4, 4, 4, 4, w,
      nullptr, -INFINITY, INFINITY, 0, nullptr), inv);
  EXPECT_EQ(pqnn_create_deconvolution2d_nhwc_f32(0, 0, 0, 0, 0, 2, 2, 2, 1, 1, 1, 4, 4, 4, 4, w,
      nullptr, -INFINITY, INFINITY, 0, &op), inv);
  EXPECT_EQ(pqnn_create_deconvolution2d_nhwc_f32(0, 0, 0, 0, 2, 2, 0, 2, 1, 1, 1, 4, 4, 4, 4, w,
      nullptr, -INFINITY, INFINITY, 0, &op), inv);
  EXPECT_EQ(pqnn_create_deconvolution2d_nhwc_f32(0, 0, 0, 0, 2, 2, 2, 2, 0, 1, 1, 4, 4, 4, 4, w,
      nullptr, -INFINITY, INFINITY, 0, &op), inv);
  EXPECT_EQ(pqnn_create_deconvolution2d_nhwc_f32(0, 0, 0, 0, 2, 2, 2, 2, 1, 1, 0, 4, 4, 4, 4, w,
      nullptr, -INFINITY, INFINITY, 0, &op), inv);
  EXPECT_EQ(pqnn_create_deconvolution2d_nhwc_f32(0, 0, 0, 0, 2, 2, 2, 2, 1, 1, 1, 0, 4, 4, 4, w,
      nullptr, -INFINITY, INFINITY, 0, &op), inv);
  EXPECT_EQ(pqnn_create_deconvolution2d_nhwc_f32(0, 0, 0, 0, 2, 2, 2, 2, 1, 1, 1, 4, 4, 3, 4, w,
      nullptr, -INFINITY, INFINITY, 0, &op), inv);  // input pixel stride < channels
  EXPECT_EQ(pqnn_create_deconvolution2d_nhwc_f32(0, 0, 0, 0, 2, 2, 2, 2, 1, 1, 1, 4, 4, 4, 3, w,
      nullptr, -INFINITY, INFINITY, 0, &op), inv);  // output pixel stride < channels
  EXPECT_EQ(pqnn_create_deconvolution2d_nhwc_f32(0, 0, 0, 0, 2, 2, 2, 2, 1, 1, 1, 4, 4, 4, 4,
      nullptr, nullptr, -INFINITY, INFINITY, 0, &op), inv);
  EXPECT_EQ(pqnn_create_deconvolution2d_nhwc_f32(0, 0, 0, 0, 2, 2, 2, 2, 1, 1, 1, 4, 4, 4, 4, w,
      nullptr, NAN, INFINITY, 0, &op), inv);
  EXPECT_EQ(pqnn_create_deconvolution2d_nhwc_f32(0, 0, 0, 0, 2, 2, 2, 2, 1, 1, 1, 4, 4, 4, 4, w,
      nullptr, 1.0f, 1.0f, 0, &op), inv);
  EXPECT_EQ(pqnn_create_deconvolution2d_nhwc_f32(0, 0, 0, 0, 2, 2, 2, 2, 1, 1, 1, 4, 4, 4, 4, w,
      nullptr, -INFINITY, INFINITY, PQNN_FLAG_TRANSPOSE_WEIGHTS, &op), inv);
  EXPECT_EQ(pqnn_create_deconvolution2d_nhwc_f32(0, 0, 0, 0, 2, 2, 2, 2, 1, 1, UINT32_MAX,
      SIZE_MAX / 2, 4, SIZE_MAX, 4, w, nullptr, -INFINITY, INFINITY, 0, &op), inv);  // overflow
  EXPECT_EQ(pqnn_create_deconvolution2d_nhwc_qd8_f32_qc8w(0, 0, 0, 0, 2, 2, 2, 2, 1, 1, 1, 4, 4,
      4, 4, nullptr, wq, nullptr, -INFINITY, INFINITY, 0, &op), inv);  // no kernel scale
  const float bad_ks[4] = {1, 0, 1, 1};
  EXPECT_EQ(pqnn_create_deconvolution2d_nhwc_qd8_f32_qc8w(0, 0, 0, 0, 2, 2, 2, 2, 1, 1, 1, 4, 4,
      4, 4, bad_ks, wq, nullptr, -INFINITY, INFINITY, 0, &op), inv);
  int8_t wq_bad[2 * 2 * 4 * 4] = {};
  wq_bad[7] = -128;
  EXPECT_EQ(pqnn_create_deconvolution2d_nhwc_qd8_f16_qc8w(0, 0, 0, 0, 2, 2, 2, 2, 1, 1, 1, 4, 4,
      4, 4, ks, wq_bad, nullptr, -INFINITY, INFINITY, 0, &op), inv);

  Op f32, q;
  ASSERT_EQ(pqnn_create_deconvolution2d_nhwc_f32(1, 1, 1, 1, 2, 2, 2, 2, 1, 1, 1, 4, 4, 4, 4, w,
      nullptr, -INFINITY, INFINITY, 0, &f32.op), pqnn_status_success);
  float x[4 * 4] = {}, y[64] = {};
  EXPECT_EQ(pqnn_setup_deconvolution2d_nhwc_f32(f32.op, x, y), pqnn_status_invalid_state);
  EXPECT_EQ(pqnn_run_operator(f32.op, nullptr), pqnn_status_invalid_state);
  size_t oh = 0, ow = 0;
  EXPECT_EQ(pqnn_reshape_deconvolution2d_nhwc_f32(f32.op, 1, 2, 2, 2, 0, &oh, &ow, nullptr), inv);
  EXPECT_EQ(pqnn_reshape_deconvolution2d_nhwc_f32(f32.op, 1, 0, 2, 0, 0, &oh, &ow, nullptr), inv);
  // 1x1 input, 2x2 kernel, paddings 1 + 1: nothing is left.
  EXPECT_EQ(pqnn_reshape_deconvolution2d_nhwc_f32(f32.op, 1, 1, 1, 0, 0, &oh, &ow, nullptr), inv);
  EXPECT_EQ(pqnn_reshape_deconvolution2d_nhwc_f16(f32.op, 1, 2, 2, 0, 0, &oh, &ow, nullptr), inv);
  ASSERT_EQ(pqnn_reshape_deconvolution2d_nhwc_f32(f32.op, 1, 2, 2, 1, 1, &oh, &ow, nullptr),
      pqnn_status_success);
  EXPECT_EQ(oh, 3u);
  EXPECT_EQ(ow, 3u);
  EXPECT_EQ(pqnn_setup_deconvolution2d_nhwc_f32(f32.op, nullptr, y), inv);
  EXPECT_EQ(pqnn_setup_deconvolution2d_nhwc_f32(f32.op, x, nullptr), inv);
  EXPECT_EQ(pqnn_setup_deconvolution2d_nhwc_f32(f32.op, x, y), pqnn_status_success);
  EXPECT_EQ(pqnn_run_operator(f32.op, nullptr), pqnn_status_success);

  ASSERT_EQ(pqnn_create_deconvolution2d_nhwc_qd8_f32_qc8w(0, 0, 0, 0, 2, 2, 2, 2, 1, 1, 1, 4, 4,
      4, 4, ks, wq, nullptr, -INFINITY, INFINITY, 0, &q.op), pqnn_status_success);
  ASSERT_EQ(pqnn_reshape_deconvolution2d_nhwc_qd8_f32_qc8w(q.op, 1, 2, 2, 0, 0, &oh, &ow, nullptr),
      pqnn_status_success);
  int8_t xq[16] = {};
  pqnn_quantization_params qp[4] = {{0, 1.0f}, {0, 1.0f}, {0, 1.0f}, {300, 1.0f}};
  EXPECT_EQ(pqnn_setup_deconvolution2d_nhwc_qd8_f32_qc8w(q.op, xq, y, nullptr), inv);
  ASSERT_EQ(pqnn_setup_deconvolution2d_nhwc_qd8_f32_qc8w(q.op, xq, y, qp), pqnn_status_success);
  EXPECT_EQ(pqnn_run_operator(q.op, nullptr), inv);  // the last pixel's zero point
}

}  // namespace
