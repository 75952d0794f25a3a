#include "common/convert-reference.h"

#include <fp16.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

namespace pqnn_test {

namespace {

// Float operations through volatile so that no FMA contraction can merge a product into
// the following sum (C++ here is not built with -ffp-contract=off).
float mul(float a, float b) {
  volatile float r = a * b;
  return r;
}
float add(float a, float b) {
  volatile float r = a + b;
  return r;
}
float sub(float a, float b) {
  volatile float r = a - b;
  return r;
}
float div(float a, float b) {
  volatile float r = a / b;
  return r;
}
// Round to nearest, ties to even (the default rounding mode).
int32_t rne(float v) { return static_cast<int32_t>(std::nearbyint(v)); }

}  // namespace

uint32_t float_bits(float x) {
  uint32_t b;
  std::memcpy(&b, &x, sizeof(b));
  return b;
}

float bits_float(uint32_t b) {
  float x;
  std::memcpy(&x, &b, sizeof(x));
  return x;
}

void reference_quantize_qd8(size_t n, const float* x, int8_t* q,
    struct pqnn_quantization_params* params) {
  bool finite = true;
  float rmin = 0.0f, rmax = 0.0f;
  for (size_t i = 0; i < n; i++) {
    if (!std::isfinite(x[i])) {
      finite = false;
    } else {
      rmin = std::min(rmin, x[i]);
      rmax = std::max(rmax, x[i]);
    }
  }
  auto zero_row = [&](float scale) {
    params->zero_point = 0;
    params->scale = scale;
    std::fill(q, q + n, int8_t(0));
  };
  if (!finite) return zero_row(std::numeric_limits<float>::quiet_NaN());
  if (rmin == rmax) return zero_row(1.0f);
  float scale, inv;
  const float range = sub(rmax, rmin);
  if (std::isinf(range)) {
    // Documented deviation 1: (rmax - rmin) overflows; same values on halved operands.
    const float half = sub(mul(rmax, 0.5f), mul(rmin, 0.5f));
    scale = div(half, 127.5f);
    inv = div(127.5f, half);
  } else {
    scale = div(range, 255.0f);
    inv = div(255.0f, range);
    // Documented deviation 2: the reciprocal overflows (range < ~7.5e-37): zero row.
    if (std::isinf(inv)) return zero_row(1.0f);
  }
  const float lo = add(-128.0f, mul(rmin, inv));
  const float hi = add(127.0f, mul(rmax, inv));
  int32_t zp = add(lo, hi) > 0.0f ? rne(sub(-128.0f, mul(rmin, inv)))
                                   : rne(sub(127.0f, mul(rmax, inv)));
  zp = std::min(std::max(zp, -128), 127);
  params->zero_point = zp;
  params->scale = scale;
  for (size_t i = 0; i < n; i++) {
    const int32_t v = rne(mul(x[i], inv)) + zp;
    q[i] = static_cast<int8_t>(std::min(std::max(v, -128), 127));
  }
}

void reference_quantize_qd8_f16(size_t n, const uint16_t* x, int8_t* q,
    struct pqnn_quantization_params* params) {
  std::vector<float> f(n);
  for (size_t i = 0; i < n; i++) f[i] = fp16_ieee_to_fp32_value(x[i]);
  reference_quantize_qd8(n, f.data(), q, params);
}

uint16_t reference_f32_to_f16(float x) { return fp16_ieee_from_fp32_value(x); }
float reference_f16_to_f32(uint16_t h) { return fp16_ieee_to_fp32_value(h); }

}  // namespace pqnn_test
