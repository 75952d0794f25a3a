/*
 * NEON f16 -> qd8 row quantization, 16 elements per step (contract: src/microkernels.h,
 * pqnn_qd8_quantize_ukernel_fn): fcvtl / fcvtl2 (vcvt_f32_f16, baseline on aarch64) widen
 * f16 to f32 exactly, then the f32 arithmetic of qd8-quantize-params.h (bit-exact with the
 * scalar kernels). Pass 1: fmin/fmax from 0 and the largest |h| bit pattern (NaN/Inf iff
 * >= 0x7C00); pass 2: x * inv, fcvtns (round to nearest even), add the zero point,
 * saturating narrows. Tails of n % 8 f16 go through a zero-padded stack copy and int8
 * tails are stored from a stack copy: exactly n f16 read, n int8 written.
 */
#include <arm_neon.h>
#include <string.h>

#include "microkernels.h"
#include "microkernels/qd8-quantize-params.h"

static inline int32x4_t quantize4(float32x4_t v, float32x4_t vinv, int32x4_t vzp) {
  return vaddq_s32(vcvtnq_s32_f32(vmulq_f32(v, vinv)), vzp);
}

static inline int8x16_t quantize16(const uint16_t* p, float32x4_t vinv, int32x4_t vzp) {
  const float16x8_t h0 = vreinterpretq_f16_u16(vld1q_u16(p));
  const float16x8_t h1 = vreinterpretq_f16_u16(vld1q_u16(p + 8));
  const int32x4_t q0 = quantize4(vcvt_f32_f16(vget_low_f16(h0)), vinv, vzp);
  const int32x4_t q1 = quantize4(vcvt_high_f32_f16(h0), vinv, vzp);
  const int32x4_t q2 = quantize4(vcvt_f32_f16(vget_low_f16(h1)), vinv, vzp);
  const int32x4_t q3 = quantize4(vcvt_high_f32_f16(h1), vinv, vzp);
  const int16x8_t s0 = vcombine_s16(vqmovn_s32(q0), vqmovn_s32(q1));
  const int16x8_t s1 = vcombine_s16(vqmovn_s32(q2), vqmovn_s32(q3));
  return vcombine_s8(vqmovn_s16(s0), vqmovn_s16(s1));
}

void pqnn_f16_qd8_quantize_ukernel__neon(size_t n, const void* x, int8_t* y,
    struct pqnn_quantization_params* quantization_params) {
  const uint16_t* in = (const uint16_t*) x;
  const uint16x8_t vabs_mask = vdupq_n_u16(0x7FFF);
  float32x4_t vmin0 = vdupq_n_f32(0.0f), vmax0 = vdupq_n_f32(0.0f);
  float32x4_t vmin1 = vdupq_n_f32(0.0f), vmax1 = vdupq_n_f32(0.0f);
  uint16x8_t vabs = vdupq_n_u16(0);
  for (size_t i = 0; i < n; i += 8) {
    uint16x8_t h;
    if (i + 8 <= n) {
      h = vld1q_u16(in + i);
    } else {
      uint16_t tmp[8] = {0, 0, 0, 0, 0, 0, 0, 0};
      memcpy(tmp, in + i, (n - i) * sizeof(uint16_t));
      h = vld1q_u16(tmp);
    }
    const float16x8_t hf = vreinterpretq_f16_u16(h);
    const float32x4_t v0 = vcvt_f32_f16(vget_low_f16(hf));
    const float32x4_t v1 = vcvt_high_f32_f16(hf);
    vmin0 = vminq_f32(vmin0, v0);
    vmax0 = vmaxq_f32(vmax0, v0);
    vmin1 = vminq_f32(vmin1, v1);
    vmax1 = vmaxq_f32(vmax1, v1);
    vabs = vmaxq_u16(vabs, vandq_u16(h, vabs_mask));
  }
  /* NaN rows ignore rmin / rmax; a -0.0 minimum acts as 0.0 in the params arithmetic. */
  const bool nonfinite = vmaxvq_u16(vabs) >= 0x7C00;
  const float inv = pqnn_qd8_row_params(vminvq_f32(vminq_f32(vmin0, vmin1)),
      vmaxvq_f32(vmaxq_f32(vmax0, vmax1)), nonfinite, quantization_params);
  if (inv == 0.0f) {
    memset(y, 0, n);
    return;
  }
  const float32x4_t vinv = vdupq_n_f32(inv);
  const int32x4_t vzp = vdupq_n_s32(quantization_params->zero_point);
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    vst1q_s8(y + i, quantize16(in + i, vinv, vzp));
  }
  if (i < n) {
    const size_t rem = n - i;
    uint16_t tmp[16] = {0};
    memcpy(tmp, in + i, rem * sizeof(uint16_t));
    int8_t out[16];
    vst1q_s8(out, quantize16(tmp, vinv, vzp));
    memcpy(y + i, out, rem);
  }
}
