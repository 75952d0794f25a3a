/* Datatype specs shared by a datatype's fully connected and convolution operators. */
#ifndef PQNN_OPERATORS_SPECS_H_
#define PQNN_OPERATORS_SPECS_H_

#include "operator.h"

/* f32: bias may be NULL. */
PQNN_INTERNAL void pqnn_init_f32_spec(struct pqnn_gemm_op_spec* spec,
    enum pqnn_operator_type type, const float* bias, float output_min, float output_max);

/* int8 weights must lie in [-127, 127]. */
PQNN_INTERNAL enum pqnn_status pqnn_check_int8_kernel(const char* function,
    const int8_t* kernel, size_t count);
/* Finite and > 0. */
PQNN_INTERNAL enum pqnn_status pqnn_check_scale(const char* function, const char* name,
    float scale);

/* qs8 / qs8_qc8w: validates the quantization arguments, computes the per-channel
 * requantization scales (allocated in storage; release with pqnn_release_qs8_spec after
 * create). kernel_scale has output_channels entries when per_channel, else 1. */
struct pqnn_qs8_spec_storage {
  const int32_t* bias;
  float* requantization_scale;
  int32_t input_zero_point;
  int32_t input_offset;
};
PQNN_INTERNAL enum pqnn_status pqnn_init_qs8_spec(const char* function,
    struct pqnn_gemm_op_spec* spec, struct pqnn_qs8_spec_storage* storage,
    enum pqnn_operator_type type, size_t output_channels, const int8_t* kernel,
    size_t kernel_elements, int8_t input_zero_point, float input_scale,
    const float* kernel_scale, bool per_channel, const int32_t* bias,
    int8_t output_zero_point, float output_scale, int8_t output_min, int8_t output_max);
PQNN_INTERNAL void pqnn_release_qs8_spec(struct pqnn_qs8_spec_storage* storage);

/* qd8 x qc8w with f32 or f16 output. */
struct pqnn_qd8_spec_storage {
  const float* kernel_scale;
  const float* bias;
};
PQNN_INTERNAL enum pqnn_status pqnn_init_qd8_spec(const char* function,
    struct pqnn_gemm_op_spec* spec, struct pqnn_qd8_spec_storage* storage,
    enum pqnn_operator_type type, bool f16_output, size_t output_channels,
    const int8_t* kernel, size_t kernel_elements, const float* kernel_scale,
    const float* bias, float output_min, float output_max);

/* f16: bounds rounded to f16 (must stay ordered); kernel/bias f16, or f32 with
 * PQNN_FLAG_FP32_STATIC_WEIGHTS. */
struct pqnn_f16_spec_storage {
  const void* bias;
  bool from_f32;
};
PQNN_INTERNAL enum pqnn_status pqnn_init_f16_spec(const char* function,
    struct pqnn_gemm_op_spec* spec, struct pqnn_f16_spec_storage* storage,
    enum pqnn_operator_type type, const void* bias, float output_min, float output_max,
    bool from_f32);

#endif  /* PQNN_OPERATORS_SPECS_H_ */
