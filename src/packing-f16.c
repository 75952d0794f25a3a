/* f16 packers: the f32 packers' geometry (src/packing.c) with 16-bit elements.
 * GEMM/IGEMM panels [nr f16 bias][ks x ceil(kc/kr) groups of nr x kr f16], zero-padded;
 * depthwise tiles [ct f16 bias][taps x ct f16]. Kernel and bias are IEEE binary16
 * (uint16_t), or f32 rounded to the nearest f16 (ties to even) when from_f32. */
#include "packing.h"

#include <fp16.h>

static inline uint16_t load_f16(const void* base, size_t index, bool from_f32) {
  return from_f32 ? fp16_ieee_from_fp32_value(((const float*) base)[index])
                  : ((const uint16_t*) base)[index];
}

void pqnn_pack_f16_gemm(size_t groups, size_t nc, size_t ks, size_t kc, size_t nr,
    size_t kr, bool transposed, bool from_f32, const void* kernel, const void* bias,
    void* packed) {
  uint16_t* out = (uint16_t*) packed;
  const size_t kc_padded = pqnn_round_up(kc, kr);
  for (size_t g = 0; g < groups; g++) {
    for (size_t n0 = 0; n0 < nc; n0 += nr) {
      const size_t nb = pqnn_min_sz(nr, nc - n0);
      for (size_t j = 0; j < nr; j++) {
        out[j] = (j < nb && bias != NULL) ? load_f16(bias, g * nc + n0 + j, from_f32) : 0;
      }
      out += nr;
      for (size_t t = 0; t < ks; t++) {
        for (size_t k0 = 0; k0 < kc_padded; k0 += kr) {
          for (size_t j = 0; j < nr; j++) {
            for (size_t i = 0; i < kr; i++) {
              const size_t n = n0 + j, k = k0 + i;
              uint16_t v = 0;
              if (j < nb && k < kc) {
                v = load_f16(kernel,
                    transposed ? k * nc + n : ((g * nc + n) * ks + t) * kc + k, from_f32);
              }
              *out++ = v;
            }
          }
        }
      }
    }
  }
}

void pqnn_pack_f16_dwconv(size_t channels, size_t taps, size_t ct, bool from_f32,
    const void* kernel, const void* bias, void* packed) {
  uint16_t* out = (uint16_t*) packed;
  for (size_t c0 = 0; c0 < channels; c0 += ct) {
    const size_t cb = pqnn_min_sz(ct, channels - c0);
    for (size_t j = 0; j < ct; j++) {
      out[j] = (j < cb && bias != NULL) ? load_f16(bias, c0 + j, from_f32) : 0;
    }
    out += ct;
    for (size_t t = 0; t < taps; t++) {
      for (size_t j = 0; j < ct; j++) {
        out[j] = j < cb ? load_f16(kernel, t * channels + c0 + j, from_f32) : 0;
      }
      out += ct;
    }
  }
}
