/* Parameters passed to microkernels by pointer. Operators fill them at create time;
 * kernels broadcast the fields they need. */
#ifndef PQNN_PARAMS_H_
#define PQNN_PARAMS_H_

#include <stddef.h>
#include <stdint.h>

/* f32 output clamping; also used by f16-output kernels (bounds already rounded to f16)
 * and by qd8 kernels. -INFINITY / +INFINITY mean no clamp. */
struct pqnn_f32_minmax_params {
  float min;
  float max;
};

/* f32 elementwise kernels (f32-vunary, f32-vbinary): min / max clamp the binary
 * results and the clamp operator; alpha (leaky relu, hardsigmoid) and beta (hardsigmoid). */
struct pqnn_f32_elementwise_params {
  float min;
  float max;
  float alpha;
  float beta;
};

/* The bounds of the f32-vmuladd chain's steps: [0] the multiply, [1] the add of r, [2] the
 * add of u. */
struct pqnn_f32_muladd_params {
  float min[3];
  float max[3];
};

/* qs8 requantization (fp32 method; the per-channel scale is in the packed weights):
 *   y = clamp(rne((float) acc * scale) + output_zero_point, output_min, output_max)
 * Equivalent, and what SIMD kernels do: clamp the float to [min_less_zp, max_less_zp]
 * first (both integers, so rounding commutes with the clamp), round, add the zero point. */
struct pqnn_qs8_minmax_params {
  float output_min_less_zero_point;  /* (float) (output_min - output_zero_point) */
  float output_max_less_zero_point;  /* (float) (output_max - output_zero_point) */
  int32_t output_zero_point;
  int8_t output_min;
  int8_t output_max;
};

/* qs8 elementwise add (integer requantization, contract: src/microkernels.h VADD; filled by
 * pqnn_init_qs8_add_params, src/quantization.c). */
struct pqnn_qs8_add_params {
  int32_t bias;               /* 2^(shift-1) - a_zero_point * a_multiplier - b_zero_point * b_multiplier */
  int16_t a_multiplier;       /* [0, 2^15) */
  int16_t b_multiplier;       /* [0, 2^15) */
  uint32_t shift;             /* [1, 31] */
  int16_t output_zero_point;  /* [-128, 127] */
  int16_t output_min;         /* [-128, 127], <= output_max */
  int16_t output_max;
};

/* qs8 global average pooling (fp32 requantization, contract: src/microkernels.h GAVGPOOL;
 * filled by pqnn_init_qs8_gavgpool_params). */
struct pqnn_qs8_gavgpool_params {
  int32_t bias;                      /* -pixels * input_zero_point */
  float scale;                       /* input_scale / (output_scale * pixels) */
  float output_min_less_zero_point;  /* (float) (output_min - output_zero_point) */
  float output_max_less_zero_point;  /* (float) (output_max - output_zero_point) */
  int32_t output_zero_point;
};

/* qd8 -> f32 depthwise convolution: the output bounds and the quantization of the one
 * image a call reads (set per image at run). */
struct pqnn_qd8_dwconv_params {
  float min;
  float max;
  int32_t zero_point;
  float scale;
};

/* qd8 x 4-bit weights (qc4w and qb4w share the kernels): f32 clamping as above (the same
 * leading fields), and the packed block size in K elements (a multiple of the kernel's KR,
 * at most 16384 so that a block's int32 dot product of weights times 16 cannot overflow). */
struct pqnn_qb4w_minmax_params {
  float min;
  float max;
  size_t block_size;
};

union pqnn_ukernel_params {
  struct pqnn_f32_minmax_params f32;
  struct pqnn_qb4w_minmax_params qb4w;
  struct pqnn_qs8_minmax_params qs8;
  struct pqnn_qd8_dwconv_params qd8_dwconv;
};

#endif  /* PQNN_PARAMS_H_ */
