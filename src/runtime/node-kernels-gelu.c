/*
 * GELU node kernels (contract: node-kernels.h), exact erf form evaluated without libm calls so
 * that every loop vectorizes:
 *   v = max(x, -16) (NaN kept); u = min(|v| / sqrt(2), 16 / sqrt(2)); e = erfc(u)
 *   GELU = v >= 0 ? v * (1 - e / 2) : (v / 2) * e          (erfc(-u) = 2 - erfc(u)),
 * selected as the larger of the two (see gelu_block).
 * erfc(u) = t * exp(P(t) - u^2) with t = 1 / (1 + u / 2), the form of the classic Chebyshev-fitted
 * erfc approximation. P is our own fit: a degree-10 polynomial in s = t - 0.575 (Chebyshev
 * interpolation of ln(erfcx(u) / t) over t in [0.15, 1], i.e. u in [0, 11.33]; interpolation error
 * 1.3e-8, f32 Horner evaluation 1.4e-7, absolute in the exponent = relative in erfc).
 * The exponent P(t) - u^2 is kept as an unevaluated sum hi + lo, hi = -wh^2 / 2 exact (wh = |v|
 * to 12 significant bits), so that its rounding (up to 2^-24 * 128 absolute) does not become a
 * relative error of erfc. exp(hi + lo): k = rne((hi + lo) / ln 2), r = hi - k ln2_hi + lo -
 * k ln2_lo (Cody-Waite), degree-7 Taylor polynomial (|r| <= 0.35: truncation 5e-9 relative),
 * times 2^k applied as two normal powers of two so that results down to the denormals round once.
 * Accuracy: measured over [-16, 16] against a double reference (see node-kernels.h).
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "configs/config.h"
#include "runtime/node-kernels-blocks.h"
#include "runtime/node-kernels.h"

enum { kBlock = PQNN_NODE_BLOCK };

/* y = exp(hi + lo) for hi + lo in [-130, 0.5], |lo| <= 2: the reduction
 * r = (hi - k ln2_hi) + lo - k ln2_lo keeps the bits of hi that a rounded sum would lose.
 * Whole blocks only (a constant trip count, vectorized at -O2 whether inlined or not). */
static inline void exp_block(const float* hi, const float* lo, float* y) {
  const size_t n = kBlock;
  int32_t scale1[kBlock];
  int32_t scale2[kBlock];
  for (size_t j = 0; j < n; j++) {
    const float k = ((hi[j] + lo[j]) * 0x1.715476p+0f + 0x1.8p23f) - 0x1.8p23f;
    float r = hi[j] - k * 0x1.62e4p-1f;  /* k * ln2_hi is exact: k has <= 8 bits, ln2_hi 15 */
    r = r + lo[j];
    r = r - k * 0x1.7f7d1cp-20f;
    float p = 0x1.a01a02p-13f;
    p = p * r + 0x1.6c16c2p-10f;
    p = p * r + 0x1.111112p-7f;
    p = p * r + 0x1.555556p-5f;
    p = p * r + 0x1.555556p-3f;
    p = p * r + 0x1.0p-1f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    y[j] = p;
    const int32_t ki = (int32_t) k;  /* in [-188, 1] */
    const int32_t k1 = ki / 2;
    scale1[j] = (int32_t) ((uint32_t) (k1 + 127) << 23);
    scale2[j] = (int32_t) ((uint32_t) (ki - k1 + 127) << 23);
  }
  float s1[kBlock];
  float s2[kBlock];
  memcpy(s1, scale1, n * sizeof(float));
  memcpy(s2, scale2, n * sizeof(float));
  for (size_t j = 0; j < n; j++) {
    y[j] = y[j] * s1[j] * s2[j];
  }
}

/* GELU of a whole block; x and y may be equal. */
static void gelu_block(const float* x, float* y) {
  const size_t n = kBlock;
  float v[kBlock];
  float v_neg[kBlock];  /* min(v, 0), NaN kept: the factor of the v < 0 formula */
  float w[kBlock];
  for (size_t j = 0; j < n; j++) {
    const float xj = x[j];
    const float vj = xj < -16.0f ? -16.0f : xj;
    const float wj = fabsf(vj);
    v[j] = vj;
    v_neg[j] = vj > 0.0f ? 0.0f : vj;
    w[j] = wj < 16.0f ? wj : 16.0f;  /* NaN -> 16; v keeps the NaN */
  }
  /* u^2 = w^2 / 2 with w = wh + wl, wh = w with 12 significant bits: wh^2 is exact. */
  uint32_t bits[kBlock];
  float wh[kBlock];
  memcpy(bits, w, n * sizeof(float));
  for (size_t j = 0; j < n; j++) {
    bits[j] &= UINT32_C(0xFFFFF000);
  }
  memcpy(wh, bits, n * sizeof(float));
  float t[kBlock];
  float a_hi[kBlock];
  float a_lo[kBlock];
  for (size_t j = 0; j < n; j++) {
    const float u = w[j] * 0x1.6a09e6p-1f;
    const float tj = 1.0f / (1.0f + 0.5f * u);
    const float s = tj - 0x1.266666p-1f;
    float p = -0x1.22d91ep-3f;
    p = p * s + 0x1.3bd4acp-3f;
    p = p * s + 0x1.0c58d4p-3f;
    p = p * s - 0x1.0354fap-2f;
    p = p * s - 0x1.38c630p-5f;
    p = p * s + 0x1.3083a2p-2f;
    p = p * s - 0x1.814a00p-5f;
    p = p * s - 0x1.9fc6bap-2f;
    p = p * s + 0x1.9d1f7ep-4f;
    p = p * s + 0x1.5dfceep+0f;
    p = p * s - 0x1.23d662p-1f;
    const float h = wh[j];
    const float l = w[j] - h;
    t[j] = tj;
    a_hi[j] = (h * h) * -0.5f;
    a_lo[j] = p - (l * (h + h + l)) * 0.5f;
  }
  float e[kBlock];
  exp_block(a_hi, a_lo, e);
  /* v >= 0: v * (1 - erfc/2); v < 0: (v / 2) * erfc. With erfc <= 1, 1 - erfc/2 >= erfc/2, so the
   * wanted one is always the larger of the two (rounding is monotonic): a max, which vectorizes
   * where a data-dependent select would not (gcc -O2). Near u = 0 the computed erfc may round
   * up to 1 + 2^-23; then either value is within 2 ulp of v / 2 = GELU(v) for such tiny v.
   * The v < 0 formula takes min(v, 0), so it is 0 for v >= 0 (no inf * 0 at v = +inf).
   * A NaN v gives NaN either way. */
  for (size_t j = 0; j < n; j++) {
    const float erfc_u = t[j] * e[j];
    const float positive = v[j] * (1.0f - 0.5f * erfc_u);
    const float negative = 0.5f * v_neg[j] * erfc_u;
    y[j] = positive > negative ? positive : negative;
  }
}

void pqnn_node_f32_gelu(size_t n, const float* x, float* y) {
  float t[kBlock];
  size_t i = 0;
  for (; i + kBlock <= n; i += kBlock) {
    gelu_block(x + i, t);
    memcpy(y + i, t, sizeof(t));
  }
  if (i < n) {
    /* The tail, zero-padded to a block. */
    memset(t, 0, sizeof(t));
    memcpy(t, x + i, (n - i) * sizeof(float));
    gelu_block(t, t);
    memcpy(y + i, t, (n - i) * sizeof(float));
  }
}

void pqnn_node_f16_gelu(size_t n, const uint16_t* x, uint16_t* y) {
  const struct pqnn_convert_config* cc = pqnn_get_convert_config();
  float t[kBlock];
  for (size_t i = 0; i < n; i += kBlock) {
    const size_t nb = pqnn_node_block_size(n, i);
    memset(t + nb, 0, (kBlock - nb) * sizeof(float));
    cc->f16_f32(nb, x + i, t);
    gelu_block(t, t);
    cc->f32_f16(nb, t, y + i);
  }
}
