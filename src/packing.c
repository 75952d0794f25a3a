/* Packing geometry shared by every datatype, and the f32 packers. */
#include "packing.h"

#include <float.h>
#include <math.h>
#include <string.h>

/* An f32 weight or bias as packed: a subnormal value (0 < |v| < FLT_MIN) becomes a zero of
 * its sign (packing.h). */
static inline float packed_f32(float v) {
  return fabsf(v) < FLT_MIN ? copysignf(0.0f, v) : v;
}

size_t pqnn_packed_gemm_group_size(size_t nc, size_t ks, size_t kc, size_t nr, size_t kr,
    size_t element_size, size_t prefix_size, size_t suffix_size) {
  size_t k_elements, k_bytes, per_column, total;
  if (nr == 0 || kr == 0) return 0;
  if (!pqnn_mul_sz(ks, pqnn_round_up(kc, kr), &k_elements)) return 0;
  if (!pqnn_mul_sz(k_elements, element_size, &k_bytes)) return 0;
  if (!pqnn_add_sz(k_bytes, prefix_size, &per_column)) return 0;
  if (!pqnn_add_sz(per_column, suffix_size, &per_column)) return 0;
  if (nc > SIZE_MAX - nr) return 0;
  if (!pqnn_mul_sz(pqnn_round_up(nc, nr), per_column, &total)) return 0;
  return total;
}

size_t pqnn_packed_gemm_size(size_t groups, size_t nc, size_t ks, size_t kc, size_t nr,
    size_t kr, size_t element_size, size_t prefix_size, size_t suffix_size) {
  size_t total;
  const size_t group = pqnn_packed_gemm_group_size(nc, ks, kc, nr, kr, element_size,
      prefix_size, suffix_size);
  if (group == 0 || !pqnn_mul_sz(group, groups, &total)) return 0;
  return total;
}

size_t pqnn_packed_dwconv_size(size_t channels, size_t taps, size_t ct, size_t element_size,
    size_t prefix_size, size_t suffix_size) {
  size_t per_channel, total;
  if (ct == 0 || channels > SIZE_MAX - ct) return 0;
  if (!pqnn_mul_sz(taps, element_size, &per_channel)) return 0;
  if (!pqnn_add_sz(per_channel, prefix_size + suffix_size, &per_channel)) return 0;
  if (!pqnn_mul_sz(pqnn_round_up(channels, ct), per_channel, &total)) return 0;
  return total;
}

void pqnn_pack_f32_gemm(size_t groups, size_t nc, size_t ks, size_t kc, size_t nr,
    size_t kr, bool transposed, const float* kernel, const float* bias, void* packed) {
  float* out = (float*) packed;
  const size_t kc_padded = pqnn_round_up(kc, kr);
  for (size_t g = 0; g < groups; g++) {
    for (size_t n0 = 0; n0 < nc; n0 += nr) {
      const size_t nb = pqnn_min_sz(nr, nc - n0);
      for (size_t j = 0; j < nr; j++) {
        out[j] = (j < nb && bias != NULL) ? packed_f32(bias[g * nc + n0 + j]) : 0.0f;
      }
      out += nr;
      for (size_t t = 0; t < ks; t++) {
        for (size_t k0 = 0; k0 < kc_padded; k0 += kr) {
          for (size_t j = 0; j < nr; j++) {
            for (size_t i = 0; i < kr; i++) {
              const size_t n = n0 + j, k = k0 + i;
              float v = 0.0f;
              if (j < nb && k < kc) {
                v = packed_f32(transposed ? kernel[k * nc + n]
                                          : kernel[((g * nc + n) * ks + t) * kc + k]);
              }
              *out++ = v;
            }
          }
        }
      }
    }
  }
}

void pqnn_pack_f32_dwconv(size_t channels, size_t taps, size_t ct, const float* kernel,
    const float* bias, void* packed) {
  float* out = (float*) packed;
  for (size_t c0 = 0; c0 < channels; c0 += ct) {
    const size_t cb = pqnn_min_sz(ct, channels - c0);
    for (size_t j = 0; j < ct; j++) {
      out[j] = (j < cb && bias != NULL) ? packed_f32(bias[c0 + j]) : 0.0f;
    }
    out += ct;
    for (size_t t = 0; t < taps; t++) {
      for (size_t j = 0; j < ct; j++) {
        out[j] = j < cb ? packed_f32(kernel[t * channels + c0 + j]) : 0.0f;
      }
      out += ct;
    }
  }
}
