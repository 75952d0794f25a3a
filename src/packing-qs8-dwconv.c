/* int8 depthwise weight packing (layouts: src/packing.h, src/microkernels.h DWCONV).
 *   qs8: per channel tile of ct, [ct i32 bias'][taps x ct i8][ct f32 scale], bias' = bias -
 *        input_zero_point * sum_t kernel[t][c] (bias NULL packs as 0).
 *   qd8: per channel tile of ct, [ct i32 ksum][tap pairs x ct x 2 i16][ct f32 scale][ct f32
 *        bias], channels in pqnn_qd8_dwconv_channel_order (the zero point is known only at
 *        run, so the kernel multiplies ksum by it).
 * Tiles are zero-padded past `channels`. Sums are formed in int64 and wrap to int32 like
 * the kernels' int32 accumulators would (operators validate ranges; |sum| <= taps * 127).
 * Unaligned stores go through memcpy. */
#include <string.h>

#include "packing.h"

static int64_t tap_sum(const int8_t* kernel, size_t channels, size_t taps, size_t c) {
  int64_t sum = 0;
  for (size_t t = 0; t < taps; t++) sum += kernel[t * channels + c];
  return sum;
}

static uint8_t* store_i32(uint8_t* out, int64_t v) {
  const int32_t b = (int32_t) (uint32_t) (uint64_t) v;
  memcpy(out, &b, sizeof(b));
  return out + sizeof(b);
}

static uint8_t* store_f32(uint8_t* out, float v) {
  memcpy(out, &v, sizeof(v));
  return out + sizeof(v);
}

void pqnn_pack_qs8_dwconv(size_t channels, size_t taps, size_t ct, const int8_t* kernel,
    const int32_t* bias, const float* scale, int32_t input_zero_point, void* packed) {
  uint8_t* out = (uint8_t*) packed;
  for (size_t c0 = 0; c0 < channels; c0 += ct) {
    const size_t cb = pqnn_min_sz(ct, channels - c0);
    for (size_t j = 0; j < ct; j++) {
      out = store_i32(out, j < cb ? (int64_t) (bias != NULL ? bias[c0 + j] : 0) -
          (int64_t) input_zero_point * tap_sum(kernel, channels, taps, c0 + j) : 0);
    }
    for (size_t t = 0; t < taps; t++) {
      for (size_t j = 0; j < ct; j++) {
        *out++ = (uint8_t) (j < cb ? kernel[t * channels + c0 + j] : 0);
      }
    }
    for (size_t j = 0; j < ct; j++) out = store_f32(out, j < cb ? scale[c0 + j] : 0.0f);
  }
}

size_t pqnn_qd8_dwconv_channel_order(size_t ct, size_t slot) {
  if (ct < 8) return slot;
  const size_t half = ct / 2;
  const size_t j = slot < half ? slot : slot - half;
  return 8 * (j / 4) + (slot < half ? 0 : 4) + j % 4;
}

void pqnn_pack_qd8_dwconv(size_t channels, size_t taps, size_t ct, const int8_t* kernel,
    const float* kernel_scale, const float* bias, void* packed) {
  uint8_t* out = (uint8_t*) packed;
  for (size_t c0 = 0; c0 < channels; c0 += ct) {
    const size_t cb = pqnn_min_sz(ct, channels - c0);
    for (size_t s = 0; s < ct; s++) {
      const size_t j = pqnn_qd8_dwconv_channel_order(ct, s);
      out = store_i32(out, j < cb ? tap_sum(kernel, channels, taps, c0 + j) : 0);
    }
    for (size_t t = 0; t < taps; t += 2) {
      for (size_t s = 0; s < ct; s++) {
        const size_t j = pqnn_qd8_dwconv_channel_order(ct, s);
        const int16_t w[2] = {
          (int16_t) (j < cb ? kernel[t * channels + c0 + j] : 0),
          (int16_t) (j < cb && t + 1 < taps ? kernel[(t + 1) * channels + c0 + j] : 0),
        };
        memcpy(out, w, sizeof(w));
        out += sizeof(w);
      }
    }
    for (size_t s = 0; s < ct; s++) {
      const size_t j = pqnn_qd8_dwconv_channel_order(ct, s);
      out = store_f32(out, j < cb ? kernel_scale[c0 + j] : 0.0f);
    }
    for (size_t s = 0; s < ct; s++) {
      const size_t j = pqnn_qd8_dwconv_channel_order(ct, s);
      out = store_f32(out, j < cb && bias != NULL ? bias[c0 + j] : 0.0f);
    }
  }
}
