/* int8 depthwise weight packing (layout: src/microkernels.h DWCONV, src/packing.h): per
 * channel tile of ct, [ct i32 prefix][taps x ct i8][ct f32 scale] (qd8: then [ct f32
 * bias]), zero-padded past `channels`.
 *   qs8: prefix bias' = bias - input_zero_point * sum_t kernel[t][c] (bias NULL packs as 0)
 *   qd8: prefix ksum = sum_t kernel[t][c] (the zero point is known only at run)
 * The prefix is formed in int64 and wraps to int32 like the kernels' int32 accumulators
 * would (operators validate ranges; |sum| <= taps * 127). Unaligned stores go through
 * memcpy: ct * taps need not be a multiple of 4. */
#include <string.h>

#include "packing.h"

static uint8_t* store_f32(uint8_t* out, float v) {
  memcpy(out, &v, sizeof(v));
  return out + sizeof(v);
}

/* prefix[c] = bias[c] + sum_factor * sum_t kernel[t][c]; f32_bias != NULL (or
 * with_f32_bias) appends the f32 bias row after the scales. */
static void pack_int8_dwconv(size_t channels, size_t taps, size_t ct, const int8_t* kernel,
    const int32_t* bias, int64_t sum_factor, const float* scale, bool with_f32_bias,
    const float* f32_bias, void* packed) {
  uint8_t* out = (uint8_t*) packed;
  for (size_t c0 = 0; c0 < channels; c0 += ct) {
    const size_t cb = pqnn_min_sz(ct, channels - c0);
    for (size_t j = 0; j < ct; j++) {
      int32_t b = 0;
      if (j < cb) {
        int64_t sum = 0;
        for (size_t t = 0; t < taps; t++) sum += kernel[t * channels + c0 + j];
        const int64_t v = (int64_t) (bias != NULL ? bias[c0 + j] : 0) + sum_factor * sum;
        b = (int32_t) (uint32_t) (uint64_t) v;
      }
      memcpy(out, &b, sizeof(b));
      out += sizeof(b);
    }
    for (size_t t = 0; t < taps; t++) {
      for (size_t j = 0; j < ct; j++) {
        *out++ = (uint8_t) (j < cb ? kernel[t * channels + c0 + j] : 0);
      }
    }
    for (size_t j = 0; j < ct; j++) out = store_f32(out, j < cb ? scale[c0 + j] : 0.0f);
    if (with_f32_bias) {
      for (size_t j = 0; j < ct; j++) {
        out = store_f32(out, j < cb && f32_bias != NULL ? f32_bias[c0 + j] : 0.0f);
      }
    }
  }
}

void pqnn_pack_qs8_dwconv(size_t channels, size_t taps, size_t ct, const int8_t* kernel,
    const int32_t* bias, const float* scale, int32_t input_zero_point, void* packed) {
  pack_int8_dwconv(channels, taps, ct, kernel, bias, -(int64_t) input_zero_point, scale, false,
      NULL, packed);
}

void pqnn_pack_qd8_dwconv(size_t channels, size_t taps, size_t ct, const int8_t* kernel,
    const float* kernel_scale, const float* bias, void* packed) {
  pack_int8_dwconv(channels, taps, ct, kernel, NULL, 1, kernel_scale, true, bias, packed);
}
