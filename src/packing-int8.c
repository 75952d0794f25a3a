/* int8 GEMM/IGEMM weight packers (layouts: src/microkernels.h, geometry: src/packing.h).
 * Per panel of nr output channels:
 *   qs8: [nr i32 bias'][ks x ceil(kc/kr) groups of nr x kr i8][nr f32 scale]
 *        bias' = bias - zero_point_adjust * (sum of the channel's ks*kc weights)
 *   qd8: [nr i32 ksum][ks x ceil(kc/kr) groups of nr x kr i8][nr f32 kernel_scale][nr f32 bias]
 * Columns past nc and k past kc are zero; the int32 terms wrap modulo 2^32 exactly as the
 * kernels' int32 accumulators do. */
#include "packing.h"

#include <string.h>

static inline int8_t kernel_at(const int8_t* kernel, bool transposed, size_t g, size_t nc,
    size_t ks, size_t kc, size_t n, size_t t, size_t k) {
  return transposed ? kernel[k * nc + n] : kernel[((g * nc + n) * ks + t) * kc + k];
}

/* Sum of output channel n's ks*kc weights, modulo 2^32. */
static uint32_t column_sum(const int8_t* kernel, bool transposed, size_t g, size_t nc,
    size_t ks, size_t kc, size_t n) {
  uint32_t sum = 0;
  for (size_t t = 0; t < ks; t++) {
    for (size_t k = 0; k < kc; k++) {
      sum += (uint32_t) (int32_t) kernel_at(kernel, transposed, g, nc, ks, kc, n, t, k);
    }
  }
  return sum;
}

/* Writes the panel's K groups of nr x kr bytes; returns the end. */
static int8_t* pack_panel_data(int8_t* out, const int8_t* kernel, bool transposed, size_t g,
    size_t nc, size_t ks, size_t kc, size_t nr, size_t kr, size_t n0, size_t nb) {
  const size_t kc_padded = pqnn_round_up(kc, kr);
  for (size_t t = 0; t < ks; t++) {
    for (size_t k0 = 0; k0 < kc_padded; k0 += kr) {
      for (size_t j = 0; j < nr; j++) {
        for (size_t i = 0; i < kr; i++) {
          const size_t k = k0 + i;
          int8_t v = 0;
          if (j < nb && k < kc) {
            v = kernel_at(kernel, transposed, g, nc, ks, kc, n0 + j, t, k);
          }
          *out++ = v;
        }
      }
    }
  }
  return out;
}

static void store_u32(void* p, uint32_t v) { memcpy(p, &v, sizeof(v)); }
static void store_f32(void* p, float v) { memcpy(p, &v, sizeof(v)); }

void pqnn_pack_qs8_gemm(size_t groups, size_t nc, size_t ks, size_t kc, size_t nr,
    size_t kr, bool transposed, const int8_t* kernel, const int32_t* bias,
    const float* scale, int32_t zero_point_adjust, void* packed) {
  int8_t* out = (int8_t*) packed;
  for (size_t g = 0; g < groups; g++) {
    for (size_t n0 = 0; n0 < nc; n0 += nr) {
      const size_t nb = pqnn_min_sz(nr, nc - n0);
      int8_t* prefix = out;
      out = pack_panel_data(out + nr * sizeof(int32_t), kernel, transposed, g, nc, ks, kc, nr,
          kr, n0, nb);
      for (size_t j = 0; j < nr; j++) {
        uint32_t b = 0;
        float s = 0.0f;
        if (j < nb) {
          b = (bias != NULL ? (uint32_t) bias[g * nc + n0 + j] : 0u) -
              (uint32_t) zero_point_adjust *
                  column_sum(kernel, transposed, g, nc, ks, kc, n0 + j);
          s = scale[g * nc + n0 + j];
        }
        store_u32(prefix + j * sizeof(int32_t), b);
        store_f32(out + j * sizeof(float), s);
      }
      out += nr * sizeof(float);
    }
  }
}

void pqnn_pack_qd8_gemm(size_t groups, size_t nc, size_t ks, size_t kc, size_t nr,
    size_t kr, bool transposed, const int8_t* kernel, const float* kernel_scale,
    const float* bias, void* packed) {
  int8_t* out = (int8_t*) packed;
  for (size_t g = 0; g < groups; g++) {
    for (size_t n0 = 0; n0 < nc; n0 += nr) {
      const size_t nb = pqnn_min_sz(nr, nc - n0);
      int8_t* prefix = out;
      out = pack_panel_data(out + nr * sizeof(int32_t), kernel, transposed, g, nc, ks, kc, nr,
          kr, n0, nb);
      for (size_t j = 0; j < nr; j++) {
        const bool valid = j < nb;
        store_u32(prefix + j * sizeof(int32_t),
            valid ? column_sum(kernel, transposed, g, nc, ks, kc, n0 + j) : 0u);
        store_f32(out + j * sizeof(float), valid ? kernel_scale[g * nc + n0 + j] : 0.0f);
        store_f32(out + (nr + j) * sizeof(float),
            valid && bias != NULL ? bias[g * nc + n0 + j] : 0.0f);
      }
      out += 2 * nr * sizeof(float);
    }
  }
}
