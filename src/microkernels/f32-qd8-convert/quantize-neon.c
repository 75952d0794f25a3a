/*
 * NEON f32 -> qd8 row quantization, 16 floats per step (contract: src/microkernels.h,
 * pqnn_qd8_quantize_ukernel_fn; arithmetic: qd8-quantize-params.h, bit-exact with the
 * scalar kernel). Pass 1: fmin/fmax from 0 over two vector chains plus the largest |x| bit
 * pattern (NaN/Inf iff >= 0x7F800000), reduced with fminv/fmaxv/umaxv; pass 2: x * inv,
 * fcvtns (round to nearest even), add the zero point, saturating narrows to int8 (= clamp
 * to [-128, 127]). Tails of n % 4 floats go through a zero-padded stack copy (zeros leave
 * min(0, ...) / max(0, ...) unchanged) and int8 tails are stored from a stack copy:
 * exactly n floats read, n int8 written.
 */
#include <arm_neon.h>
#include <string.h>

#include "microkernels.h"
#include "microkernels/qd8-quantize-params.h"

static inline int32x4_t quantize4(float32x4_t v, float32x4_t vinv, int32x4_t vzp) {
  return vaddq_s32(vcvtnq_s32_f32(vmulq_f32(v, vinv)), vzp);
}

static inline int8x16_t quantize16(const float* p, float32x4_t vinv, int32x4_t vzp) {
  const int32x4_t q0 = quantize4(vld1q_f32(p), vinv, vzp);
  const int32x4_t q1 = quantize4(vld1q_f32(p + 4), vinv, vzp);
  const int32x4_t q2 = quantize4(vld1q_f32(p + 8), vinv, vzp);
  const int32x4_t q3 = quantize4(vld1q_f32(p + 12), vinv, vzp);
  const int16x8_t h0 = vcombine_s16(vqmovn_s32(q0), vqmovn_s32(q1));
  const int16x8_t h1 = vcombine_s16(vqmovn_s32(q2), vqmovn_s32(q3));
  return vcombine_s8(vqmovn_s16(h0), vqmovn_s16(h1));
}

void pqnn_f32_qd8_quantize_ukernel__neon(size_t n, const void* x, int8_t* y,
    struct pqnn_quantization_params* quantization_params) {
  const float* in = (const float*) x;
  const uint32x4_t vabs_mask = vdupq_n_u32(PQNN_F32_ABS_MASK);
  float32x4_t vmin0 = vdupq_n_f32(0.0f), vmax0 = vdupq_n_f32(0.0f);
  float32x4_t vmin1 = vdupq_n_f32(0.0f), vmax1 = vdupq_n_f32(0.0f);
  uint32x4_t vabs = vdupq_n_u32(0);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const float32x4_t v0 = vld1q_f32(in + i);
    const float32x4_t v1 = vld1q_f32(in + i + 4);
    vmin0 = vminq_f32(vmin0, v0);
    vmax0 = vmaxq_f32(vmax0, v0);
    vmin1 = vminq_f32(vmin1, v1);
    vmax1 = vmaxq_f32(vmax1, v1);
    vabs = vmaxq_u32(vabs, vandq_u32(vreinterpretq_u32_f32(v0), vabs_mask));
    vabs = vmaxq_u32(vabs, vandq_u32(vreinterpretq_u32_f32(v1), vabs_mask));
  }
  for (; i < n; i += 4) {
    float32x4_t v;
    if (i + 4 <= n) {
      v = vld1q_f32(in + i);
    } else {
      float tmp[4] = {0.0f, 0.0f, 0.0f, 0.0f};
      memcpy(tmp, in + i, (n - i) * sizeof(float));
      v = vld1q_f32(tmp);
    }
    vmin0 = vminq_f32(vmin0, v);
    vmax0 = vmaxq_f32(vmax0, v);
    vabs = vmaxq_u32(vabs, vandq_u32(vreinterpretq_u32_f32(v), vabs_mask));
  }
  /* With a NaN the fmin/fmax results are NaN, but such rows ignore rmin / rmax. A -0.0
   * minimum instead of 0.0 changes none of the params arithmetic (it compares and
   * subtracts as 0). */
  const bool nonfinite = vmaxvq_u32(vabs) >= PQNN_F32_INF_BITS;
  const float inv = pqnn_qd8_row_params(vminvq_f32(vminq_f32(vmin0, vmin1)),
      vmaxvq_f32(vmaxq_f32(vmax0, vmax1)), nonfinite, quantization_params);
  if (inv == 0.0f) {
    memset(y, 0, n);
    return;
  }
  const float32x4_t vinv = vdupq_n_f32(inv);
  const int32x4_t vzp = vdupq_n_s32(quantization_params->zero_point);
  i = 0;
  for (; i + 16 <= n; i += 16) {
    vst1q_s8(y + i, quantize16(in + i, vinv, vzp));
  }
  if (i < n) {
    const size_t rem = n - i;
    float tmp[16] = {0};
    memcpy(tmp, in + i, rem * sizeof(float));
    int8_t out[16];
    vst1q_s8(out, quantize16(tmp, vinv, vzp));
    memcpy(y + i, out, rem);
  }
}
