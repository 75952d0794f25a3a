/* qs8 depthwise weight packing (layout: src/microkernels.h DWCONV, src/packing.h):
 * per channel tile of ct, [ct i32 bias'][taps x ct i8][ct f32 scale], zero-padded past
 * `channels`; bias' = bias - input_zero_point * sum_t kernel[t][c] (bias NULL packs as 0).
 * The sum is formed in int64 and the result wraps to int32 like the kernels' int32
 * accumulators would (operators validate ranges; |sum| <= taps * 127). Unaligned stores
 * go through memcpy: ct * taps need not be a multiple of 4. */
#include <string.h>

#include "packing.h"

void pqnn_pack_qs8_dwconv(size_t channels, size_t taps, size_t ct, const int8_t* kernel,
    const int32_t* bias, const float* scale, int32_t input_zero_point, void* packed) {
  uint8_t* out = (uint8_t*) packed;
  for (size_t c0 = 0; c0 < channels; c0 += ct) {
    const size_t cb = pqnn_min_sz(ct, channels - c0);
    for (size_t j = 0; j < ct; j++) {
      int32_t b = 0;
      if (j < cb) {
        int64_t sum = 0;
        for (size_t t = 0; t < taps; t++) sum += kernel[t * channels + c0 + j];
        const int64_t v = (int64_t) (bias != NULL ? bias[c0 + j] : 0) - (int64_t) input_zero_point * sum;
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
    for (size_t j = 0; j < ct; j++) {
      const float s = j < cb ? scale[c0 + j] : 0.0f;
      memcpy(out, &s, sizeof(s));
      out += sizeof(s);
    }
  }
}
