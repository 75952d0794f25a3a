/* qs8 elementwise-add and global-average-pooling params (src/qs8-params.h). */
#include "qs8-params.h"

#include <math.h>

/* round(r * 2^shift), saturated to [0, 2^15 - 1] (r >= 0). */
static int32_t fixed_multiplier(float r, int shift) {
  const float m = rintf(ldexpf(r, shift));
  return m >= 32767.0f ? 32767 : (int32_t) m;
}

void pqnn_init_qs8_add_params(struct pqnn_qs8_add_params* p, int32_t a_zero_point, float a_scale,
    int32_t b_zero_point, float b_scale, int32_t y_zero_point, float y_scale, int8_t qmin, int8_t qmax) {
  const float ra = a_scale / y_scale;
  const float rb = b_scale / y_scale;
  const float rmax = ra > rb ? ra : rb;
  int e;
  (void) frexpf(rmax, &e);  /* rmax = m * 2^e, m in [0.5, 1) */
  int shift = 15 - e;       /* rmax * 2^shift in [2^14, 2^15) */
  if (shift > 31) shift = 31;
  if (shift > 1 && rintf(ldexpf(rmax, shift)) >= 32768.0f) {
    shift -= 1;             /* m rounded up to 2^15: one bit less instead of saturating */
  }
  if (shift < 1) shift = 1;
  const int32_t ma = fixed_multiplier(ra, shift);
  const int32_t mb = fixed_multiplier(rb, shift);
  *p = (struct pqnn_qs8_add_params) {
    .bias = (int32_t) (UINT32_C(1) << (shift - 1)) - a_zero_point * ma - b_zero_point * mb,
    .a_multiplier = (int16_t) ma,
    .b_multiplier = (int16_t) mb,
    .shift = (uint32_t) shift,
    .output_zero_point = (int16_t) y_zero_point,
    .output_min = qmin,
    .output_max = qmax,
  };
}

void pqnn_init_qs8_gavgpool_params(struct pqnn_qs8_gavgpool_params* p, size_t pixels,
    int32_t x_zero_point, float x_scale, int32_t y_zero_point, float y_scale, int8_t qmin, int8_t qmax) {
  *p = (struct pqnn_qs8_gavgpool_params) {
    .bias = -(int32_t) pixels * x_zero_point,
    .scale = x_scale / (y_scale * (float) pixels),
    .output_min_less_zero_point = (float) ((int32_t) qmin - y_zero_point),
    .output_max_less_zero_point = (float) ((int32_t) qmax - y_zero_point),
    .output_zero_point = y_zero_point,
  };
}
