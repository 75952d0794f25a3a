/* Fillers of the qs8 elementwise-add and global-average-pooling microkernel params
 * (src/params.h; contracts: src/microkernels.h VADD, GAVGPOOL). */
#ifndef PQNN_QS8_PARAMS_H_
#define PQNN_QS8_PARAMS_H_

#include <stddef.h>
#include <stdint.h>

#include "common.h"
#include "params.h"

/* Largest pixel count of one gavgpool call (keeps its int32 sums exact). */
#define PQNN_QS8_GAVGPOOL_MAX_PIXELS ((size_t) 1 << 23)

#ifdef __cplusplus
extern "C" {
#endif

/* y = a + b requantized: ma = a_scale / y_scale and mb = b_scale / y_scale as 15-bit fixed-point
 * multipliers with one shared shift, chosen so that the larger ratio keeps 15 significant bits
 * (shift clamped to [1, 31]: a ratio below 2^-31 becomes 0, one of 2^14 or more saturates to
 * 2^15 - 1 at shift 1). Zero points in [-128, 127], scales finite and > 0, qmin <= qmax. */
PQNN_INTERNAL void pqnn_init_qs8_add_params(struct pqnn_qs8_add_params* p, int32_t a_zero_point,
    float a_scale, int32_t b_zero_point, float b_scale, int32_t y_zero_point, float y_scale,
    int8_t qmin, int8_t qmax);

/* The mean of `pixels` (1 .. PQNN_QS8_GAVGPOOL_MAX_PIXELS) inputs, requantized:
 * scale = x_scale / (y_scale * (float) pixels). */
PQNN_INTERNAL void pqnn_init_qs8_gavgpool_params(struct pqnn_qs8_gavgpool_params* p, size_t pixels,
    int32_t x_zero_point, float x_scale, int32_t y_zero_point, float y_scale, int8_t qmin, int8_t qmax);

#ifdef __cplusplus
}  /* extern "C" */
#endif

#endif  /* PQNN_QS8_PARAMS_H_ */
