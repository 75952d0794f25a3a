/* 4-bit weight GEMM packer (qd8 x qc4w and qd8 x qb4w; layout: src/microkernels.h, qb4w).
 * The caller's kernel is [nc][ceil(kc / 2)] bytes, w[n][k] in the low nibble of byte k / 2
 * when k is even, the high nibble when odd (signed, [-8, 7]); scales are
 * [nc][scale_stride] f32 with w[n][k]'s scale at scale[n * scale_stride + k / user_block].
 * The kernels' blocks (of `block` k, a multiple of kr) each lie inside one user block. */
#include "packing.h"

#include <string.h>

/* Widest panel the packer takes (the kernels use 4 and 32). */
#define MAX_NR 64

static inline int32_t nibble_at(const uint8_t* kernel, size_t row_bytes, size_t n, size_t k) {
  const uint8_t byte = kernel[n * row_bytes + k / 2];
  const uint8_t u = (k & 1) != 0 ? (uint8_t) (byte >> 4) : (uint8_t) (byte & 0xF);
  return (int32_t) u - (int32_t) ((u & 0x8) << 1);
}

size_t pqnn_packed_4bit_gemm_size(size_t nc, size_t kc, size_t nr, size_t kr, size_t block) {
  size_t blocks, per_column, total;
  if (nr == 0 || nr > MAX_NR || kr != 8 || block == 0 || block % kr != 0 || kc > SIZE_MAX - block) return 0;
  blocks = pqnn_divide_round_up(kc, block);
  /* fsum + bias + one scale per block, then 4 bytes per 8 k. */
  if (!pqnn_mul_sz(blocks + 2, sizeof(float), &per_column)) return 0;
  if (!pqnn_add_sz(per_column, pqnn_round_up(kc, kr) / 2, &per_column)) return 0;
  if (nc > SIZE_MAX - nr) return 0;
  if (!pqnn_mul_sz(pqnn_round_up(nc, nr), per_column, &total)) return 0;
  return total;
}

static void store_f32(void* p, float v) { memcpy(p, &v, sizeof(v)); }

void pqnn_pack_4bit_gemm(size_t nc, size_t kc, size_t nr, size_t kr, size_t block,
    const uint8_t* kernel, const float* scale, size_t scale_stride, size_t user_block,
    const float* bias, void* packed) {
  uint8_t* out = (uint8_t*) packed;
  const size_t row_bytes = (kc + 1) / 2;
  const size_t half = kr / 2;
  for (size_t n0 = 0; n0 < nc; n0 += nr) {
    const size_t nb = pqnn_min_sz(nr, nc - n0);
    uint8_t* fsum_out = out;
    out += nr * sizeof(float);
    double fsum[MAX_NR];
    for (size_t j = 0; j < nr; j++) fsum[j] = 0.0;
    for (size_t k0 = 0; k0 < kc; k0 += block) {
      const size_t len = pqnn_min_sz(block, kc - k0);
      int32_t ksum[MAX_NR];
      for (size_t j = 0; j < nr; j++) ksum[j] = 0;
      for (size_t g = 0; g < len; g += kr) {
        for (size_t j = 0; j < nr; j++) {
          for (size_t i = 0; i < half; i++) {
            int32_t lo = 0, hi = 0;
            if (j < nb && g + i < len) lo = nibble_at(kernel, row_bytes, n0 + j, k0 + g + i);
            if (j < nb && g + half + i < len) {
              hi = nibble_at(kernel, row_bytes, n0 + j, k0 + g + half + i);
            }
            ksum[j] += lo + hi;
            *out++ = (uint8_t) (((uint32_t) lo & 0xF) | (((uint32_t) hi & 0xF) << 4));
          }
        }
      }
      for (size_t j = 0; j < nr; j++) {
        const float s = j < nb ? scale[(n0 + j) * scale_stride + k0 / user_block] : 0.0f;
        fsum[j] += (double) s * (double) ksum[j];
        store_f32(out + j * sizeof(float), s * 0.0625f);
      }
      out += nr * sizeof(float);
    }
    for (size_t j = 0; j < nr; j++) {
      store_f32(fsum_out + j * sizeof(float), (float) fsum[j]);
      store_f32(out + j * sizeof(float), j < nb && bias != NULL ? bias[n0 + j] : 0.0f);
    }
    out += nr * sizeof(float);
  }
}
