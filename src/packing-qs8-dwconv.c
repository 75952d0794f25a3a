/* int8 depthwise weight packing (layouts: src/packing.h, src/microkernels.h DWCONV).
 *   qs8: per channel tile of ct, [ct i32 bias'][taps x ct i8][ct f32 scale], bias' = bias -
 *        input_zero_point * sum_t kernel[t][c] (bias NULL packs as 0); with tap_group 4
 *        (the vpdpbusd kernels) the taps go in quads, [ceil(taps / 4) x ct x 4 i8], a
 *        channel's 4 taps adjacent, and the channels in pqnn_qs8_dwconv_channel_order.
 *   qd8: per channel tile of ct, [ct i32 ksum][tap pairs x ct x 2 i16][ct f32 scale][ct f32
 *        bias], channels in pqnn_qd8_dwconv_channel_order (the zero point is known only at
 *        run, so the kernel multiplies ksum by it); with tap_group 4 (the vpdpbusd kernels)
 *        [ct i32 ksum][tap quads x ct x 4 i8][ct f32 scale][ct f32 bias], channels in
 *        pqnn_qs8_dwconv_channel_order.
 *   Tap quads (tap_group 4) hold pqnn_dwconv_quad_tap's taps: 9 taps (a 3x3 kernel) go by
 *   columns, quad q = taps q, q + 3, q + 6 and a zero, so that the row kernels interleave
 *   each input column once for the outputs that share it; other tap counts in order.
 * Tiles are zero-padded past `channels`. Sums are formed in int64 and wrap to int32 like
 * the kernels' int32 accumulators would (operators validate ranges; |sum| <= taps * 127).
 * Unaligned stores go through memcpy. */
#include <stdbool.h>
#include <stdint.h>
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

size_t pqnn_qs8_dwconv_channel_order(size_t ct, size_t tap_group, size_t slot) {
  if (tap_group == 1 || ct % 16 != 0) return slot;
  const size_t lanes = ct / 4;  /* int32 lanes per accumulator */
  const size_t k = slot / lanes, l = slot % lanes;
  return 16 * (l / 4) + 4 * k + l % 4;
}

size_t pqnn_dwconv_quad_tap(size_t taps, size_t slot) {
  if (taps == 9) {
    const size_t q = slot / 4, u = slot % 4;
    return u < 3 && q < 3 ? 3 * u + q : SIZE_MAX;
  }
  return slot < taps ? slot : SIZE_MAX;
}

/* kernel[tap][c] for a quad slot (0 past the kernel). */
static int8_t quad_weight(const int8_t* kernel, size_t channels, size_t taps, size_t slot,
    size_t c) {
  const size_t t = pqnn_dwconv_quad_tap(taps, slot);
  return t == SIZE_MAX ? 0 : kernel[t * channels + c];
}

void pqnn_pack_qs8_dwconv(size_t channels, size_t taps, size_t ct, size_t tap_group,
    const int8_t* kernel, const int32_t* bias, const float* scale, int32_t input_zero_point,
    void* packed) {
  uint8_t* out = (uint8_t*) packed;
  const size_t padded_taps = pqnn_round_up(taps, tap_group);
  for (size_t c0 = 0; c0 < channels; c0 += ct) {
    const size_t cb = pqnn_min_sz(ct, channels - c0);
    for (size_t s = 0; s < ct; s++) {
      const size_t j = pqnn_qs8_dwconv_channel_order(ct, tap_group, s);
      out = store_i32(out, j < cb ? (int64_t) (bias != NULL ? bias[c0 + j] : 0) -
          (int64_t) input_zero_point * tap_sum(kernel, channels, taps, c0 + j) : 0);
    }
    for (size_t t0 = 0; t0 < padded_taps; t0 += tap_group) {
      for (size_t s = 0; s < ct; s++) {
        const size_t j = pqnn_qs8_dwconv_channel_order(ct, tap_group, s);
        for (size_t t = t0; t < t0 + tap_group; t++) {
          int8_t w = 0;  /* padding channels and taps past the kernel */
          if (j < cb) {
            w = tap_group == 4 ? quad_weight(kernel, channels, taps, t, c0 + j)
                : t < taps ? kernel[t * channels + c0 + j] : 0;
          }
          *out++ = (uint8_t) w;
        }
      }
    }
    for (size_t s = 0; s < ct; s++) {
      const size_t j = pqnn_qs8_dwconv_channel_order(ct, tap_group, s);
      out = store_f32(out, j < cb ? scale[c0 + j] : 0.0f);
    }
  }
}

size_t pqnn_qd8_dwconv_channel_order(size_t ct, size_t slot) {
  if (ct < 8) return slot;
  const size_t half = ct / 2;
  const size_t j = slot < half ? slot : slot - half;
  return 8 * (j / 4) + (slot < half ? 0 : 4) + j % 4;
}

void pqnn_pack_qd8_dwconv(size_t channels, size_t taps, size_t ct, size_t tap_group,
    const int8_t* kernel, const float* kernel_scale, const float* bias, void* packed) {
  uint8_t* out = (uint8_t*) packed;
  const bool quads = tap_group == 4;
  for (size_t c0 = 0; c0 < channels; c0 += ct) {
    const size_t cb = pqnn_min_sz(ct, channels - c0);
    size_t order[256];  /* slot -> channel of the tile (ct <= 256) */
    for (size_t s = 0; s < ct; s++) {
      order[s] = quads ? pqnn_qs8_dwconv_channel_order(ct, 4, s) : pqnn_qd8_dwconv_channel_order(ct, s);
    }
    for (size_t s = 0; s < ct; s++) {
      const size_t j = order[s];
      out = store_i32(out, j < cb ? tap_sum(kernel, channels, taps, c0 + j) : 0);
    }
    if (quads) {  /* int8 tap quads, a channel's 4 taps adjacent */
      for (size_t t0 = 0; t0 < taps; t0 += 4) {
        for (size_t s = 0; s < ct; s++) {
          for (size_t t = t0; t < t0 + 4; t++) {
            *out++ = (uint8_t) (order[s] < cb ? quad_weight(kernel, channels, taps, t,
                c0 + order[s]) : 0);
          }
        }
      }
    } else {  /* int16 tap pairs */
      for (size_t t = 0; t < taps; t += 2) {
        for (size_t s = 0; s < ct; s++) {
          const size_t j = order[s];
          const int16_t w[2] = {
            (int16_t) (j < cb ? kernel[t * channels + c0 + j] : 0),
            (int16_t) (j < cb && t + 1 < taps ? kernel[(t + 1) * channels + c0 + j] : 0),
          };
          memcpy(out, w, sizeof(w));
          out += sizeof(w);
        }
      }
    }
    for (size_t s = 0; s < ct; s++) {
      out = store_f32(out, order[s] < cb ? kernel_scale[c0 + order[s]] : 0.0f);
    }
    for (size_t s = 0; s < ct; s++) {
      out = store_f32(out, order[s] < cb && bias != NULL ? bias[c0 + order[s]] : 0.0f);
    }
  }
}
