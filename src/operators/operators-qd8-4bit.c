/* The qd8 x 4-bit weight face: the public qd8_f32_qc4w, qd8_f16_qc4w, qd8_f32_qb4w and
 * qd8_f16_qb4w fully connected functions (contract and weight layout: include/pqnn.h).
 * Both weight formats are packed as blocks (src/packing-4bit.c): qb4w's block_size is
 * split into kernel blocks of at most MAX_KERNEL_BLOCK k, and qc4w's whole row likewise,
 * every kernel block carrying its user block's (or channel's) scale. */
#include <fp16.h>

#include "allocator.h"
#include "logging.h"
#include "operator.h"
#include "packing.h"

/* A kernel block's int32 dot of (x + 128) as uint8 times weights x 16 stays below
 * 255 * 128 * 16384 < 2^31. */
#define MAX_KERNEL_BLOCK 16384

struct qd8_4bit_storage {
  const float* kernel_scale;
  size_t scale_stride;   /* scales per output channel */
  size_t user_block;     /* k per scale */
  size_t kernel_block;   /* k per kernel block: divides user_block (qb4w), multiple of 8 */
  const float* bias;
};

static size_t packed_size_4bit(const void* context, size_t nc, size_t kc, size_t nr, size_t kr) {
  const struct qd8_4bit_storage* s = (const struct qd8_4bit_storage*) context;
  return pqnn_packed_4bit_gemm_size(nc, kc, nr, kr, s->kernel_block);
}

static void pack_4bit(const void* context, size_t groups, size_t nc, size_t ks, size_t kc,
    size_t nr, size_t kr, bool transposed, const void* kernel, void* packed) {
  const struct qd8_4bit_storage* s = (const struct qd8_4bit_storage*) context;
  (void) groups;
  (void) ks;
  (void) transposed;
  pqnn_pack_4bit_gemm(nc, kc, nr, kr, s->kernel_block, (const uint8_t*) kernel,
      s->kernel_scale, s->scale_stride, s->user_block, s->bias, packed);
}

/* The largest multiple of 32 that divides user_block and is at most MAX_KERNEL_BLOCK. */
static size_t kernel_block_of(size_t user_block) {
  if (user_block <= MAX_KERNEL_BLOCK) return user_block;
  for (size_t d = MAX_KERNEL_BLOCK / 32; d > 1; d--) {
    if ((user_block / 32) % d == 0) return 32 * d;
  }
  return 32;
}

/* block_size 0: qc4w (one block per row). */
static enum pqnn_status create_4bit(const char* function, enum pqnn_operator_type type,
    bool f16_output, size_t input_channels, size_t output_channels, size_t input_stride,
    size_t output_stride, size_t block_size, const float* kernel_scale, const uint8_t* kernel,
    const float* bias, float output_min, float output_max, uint32_t flags,
    pqnn_operator_t* op_out) {
  enum pqnn_status status = pqnn_check_initialized(function);
  if (status != pqnn_status_success) return status;
  status = pqnn_check_output_bounds(function, output_min, output_max);
  if (status != pqnn_status_success) return status;
  if (f16_output) {
    output_min = fp16_ieee_to_fp32_value(fp16_ieee_from_fp32_value(output_min));
    output_max = fp16_ieee_to_fp32_value(fp16_ieee_from_fp32_value(output_max));
    if (!(output_min < output_max)) {
      pqnn_log_error(function, "output bounds round to the same f16 value (%g)", (double) output_min);
      return pqnn_status_invalid_parameter;
    }
  }
  if (flags != 0) {
    pqnn_log_error(function, "unsupported flags 0x%x (4-bit weights take none)", (unsigned) flags);
    return pqnn_status_invalid_parameter;
  }
  if (block_size == 0 && type != pqnn_operator_type_fully_connected_nc_qd8_f32_qc4w &&
      type != pqnn_operator_type_fully_connected_nc_qd8_f16_qc4w) {
    pqnn_log_error(function, "block_size is 0");
    return pqnn_status_invalid_parameter;
  }
  if (block_size % 32 != 0) {
    pqnn_log_error(function, "block_size (%zu) is not a multiple of 32", block_size);
    return pqnn_status_invalid_parameter;
  }
  if (kernel_scale == NULL) {
    pqnn_log_error(function, "kernel_scale is NULL");
    return pqnn_status_invalid_parameter;
  }
  struct qd8_4bit_storage storage = {.kernel_scale = kernel_scale, .bias = bias};
  size_t scales = 0;
  if (output_channels != 0 && input_channels != 0 && output_channels <= SIZE_MAX / 4) {
    if (block_size == 0) {
      storage.scale_stride = 1;
      storage.user_block = SIZE_MAX;
      storage.kernel_block = pqnn_min_sz(pqnn_round_up(input_channels, 8), MAX_KERNEL_BLOCK);
    } else {
      storage.scale_stride = pqnn_divide_round_up(input_channels, block_size);
      storage.user_block = block_size;
      storage.kernel_block = kernel_block_of(block_size);
    }
    if (!pqnn_mul_sz(output_channels, storage.scale_stride, &scales) ||
        scales > SIZE_MAX / sizeof(float)) {
      pqnn_log_error(function, "the number of kernel scales overflows");
      return pqnn_status_invalid_parameter;
    }
    for (size_t i = 0; i < scales; i++) {
      status = pqnn_check_scale(function, "kernel_scale", kernel_scale[i]);
      if (status != pqnn_status_success) return status;
    }
  } else {
    storage.kernel_block = 8;  /* the core rejects the zero size */
  }
  const struct pqnn_gemm_op_spec spec = {
    .type = type,
    .gemm_config = f16_output ? pqnn_get_qd8_f16_qb4w_gemm_config()
                              : pqnn_get_qd8_f32_qb4w_gemm_config(),
    .input_element_size = 1,
    .output_element_size = f16_output ? 2 : 4,
    .kernel_element_size = 1,
    .packed_element_size = 1,
    .dynamic_quantization = true,
    .params.qb4w = {output_min, output_max, storage.kernel_block},
    .packed_gemm_size = packed_size_4bit,
    .pack_gemm = pack_4bit,
    .spec_context = &storage,
  };
  return pqnn_create_fully_connected(function, input_channels, output_channels, input_stride,
      output_stride, kernel, flags, &spec, op_out);
}

#define FACE_QC4W(DT, F16)                                                                    \
  enum pqnn_status pqnn_create_fully_connected_nc_qd8_##DT##_qc4w(size_t input_channels,      \
      size_t output_channels, size_t input_stride, size_t output_stride,                      \
      const float* kernel_scale, const uint8_t* kernel, const float* bias, float output_min,  \
      float output_max, uint32_t flags, pqnn_operator_t* op_out) {                            \
    return create_4bit(__func__, pqnn_operator_type_fully_connected_nc_qd8_##DT##_qc4w, F16,  \
        input_channels, output_channels, input_stride, output_stride, 0, kernel_scale,        \
        kernel, bias, output_min, output_max, flags, op_out);                                 \
  }                                                                                           \
  PQNN_FC_RESHAPE(qd8_##DT##_qc4w)
#define FACE_QB4W(DT, F16)                                                                    \
  enum pqnn_status pqnn_create_fully_connected_nc_qd8_##DT##_qb4w(size_t input_channels,      \
      size_t output_channels, size_t input_stride, size_t output_stride, size_t block_size,   \
      const float* kernel_scale, const uint8_t* kernel, const float* bias, float output_min,  \
      float output_max, uint32_t flags, pqnn_operator_t* op_out) {                            \
    return create_4bit(__func__, pqnn_operator_type_fully_connected_nc_qd8_##DT##_qb4w, F16,  \
        input_channels, output_channels, input_stride, output_stride, block_size,             \
        kernel_scale, kernel, bias, output_min, output_max, flags, op_out);                   \
  }                                                                                           \
  PQNN_FC_RESHAPE(qd8_##DT##_qb4w)

/* qb4w with f16 / bf16 (or f32) scales: widened exactly to an f32 copy that lives until
 * the weights are packed, then the f32 path (which validates every widened scale). */
static enum pqnn_status create_qb4w_scale_type(const char* function,
    enum pqnn_operator_type type, bool f16_output, size_t input_channels,
    size_t output_channels, size_t input_stride, size_t output_stride, size_t block_size,
    enum pqnn_scale_type scale_type, const void* kernel_scale, const uint8_t* kernel,
    const float* bias, float output_min, float output_max, uint32_t flags,
    pqnn_operator_t* op_out) {
  enum pqnn_status status = pqnn_check_initialized(function);
  if (status != pqnn_status_success) return status;
  if (scale_type != pqnn_scale_type_fp32 && scale_type != pqnn_scale_type_fp16 &&
      scale_type != pqnn_scale_type_bf16) {
    pqnn_log_error(function, "unknown kernel_scale_type %d", (int) scale_type);
    return pqnn_status_invalid_parameter;
  }
  if (kernel_scale == NULL) {
    pqnn_log_error(function, "kernel_scale is NULL");
    return pqnn_status_invalid_parameter;
  }
  if (scale_type == pqnn_scale_type_fp32 || block_size == 0 || block_size % 32 != 0 ||
      input_channels == 0 || output_channels == 0) {
    /* Nothing to widen (f32, or a size the f32 path rejects before reading a scale). */
    return create_4bit(function, type, f16_output, input_channels, output_channels,
        input_stride, output_stride, block_size, (const float*) kernel_scale, kernel, bias,
        output_min, output_max, flags, op_out);
  }
  size_t count = 0;
  if (!pqnn_mul_sz(output_channels, pqnn_divide_round_up(input_channels, block_size), &count) ||
      count > SIZE_MAX / sizeof(float)) {
    pqnn_log_error(function, "the number of kernel scales overflows");
    return pqnn_status_invalid_parameter;
  }
  float* wide = pqnn_allocate(count * sizeof(float));
  if (wide == NULL) {
    pqnn_log_error(function, "out of memory widening %zu kernel scales", count);
    return pqnn_status_out_of_memory;
  }
  const uint16_t* half = (const uint16_t*) kernel_scale;
  for (size_t i = 0; i < count; i++) {
    wide[i] = scale_type == pqnn_scale_type_fp16 ? fp16_ieee_to_fp32_value(half[i])
                                                 : fp32_from_bits((uint32_t) half[i] << 16);
  }
  status = create_4bit(function, type, f16_output, input_channels, output_channels,
      input_stride, output_stride, block_size, wide, kernel, bias, output_min, output_max,
      flags, op_out);
  pqnn_release(wide);
  return status;
}

#define FACE_QB4W_SCALE_TYPE(DT, F16)                                                         \
  enum pqnn_status pqnn_create_fully_connected_nc_qd8_##DT##_qb4w_scale_type(                 \
      size_t input_channels, size_t output_channels, size_t input_stride,                     \
      size_t output_stride, size_t block_size, enum pqnn_scale_type kernel_scale_type,        \
      const void* kernel_scale, const uint8_t* kernel, const float* bias, float output_min,   \
      float output_max, uint32_t flags, pqnn_operator_t* op_out) {                            \
    return create_qb4w_scale_type(__func__,                                                   \
        pqnn_operator_type_fully_connected_nc_qd8_##DT##_qb4w, F16, input_channels,           \
        output_channels, input_stride, output_stride, block_size, kernel_scale_type,          \
        kernel_scale, kernel, bias, output_min, output_max, flags, op_out);                   \
  }

FACE_QB4W_SCALE_TYPE(f32, false)
FACE_QB4W_SCALE_TYPE(f16, true)
FACE_QC4W(f32, false)
FACE_QC4W(f16, true)
FACE_QB4W(f32, false)
FACE_QB4W(f16, true)

PQNN_GEMM_OP_SETUP_QD8(pqnn_setup_fully_connected_nc_qd8_f32_qc4w,
    pqnn_operator_type_fully_connected_nc_qd8_f32_qc4w, float*)
PQNN_GEMM_OP_SETUP_QD8(pqnn_setup_fully_connected_nc_qd8_f16_qc4w,
    pqnn_operator_type_fully_connected_nc_qd8_f16_qc4w, void*)
PQNN_GEMM_OP_SETUP_QD8(pqnn_setup_fully_connected_nc_qd8_f32_qb4w,
    pqnn_operator_type_fully_connected_nc_qd8_f32_qb4w, float*)
PQNN_GEMM_OP_SETUP_QD8(pqnn_setup_fully_connected_nc_qd8_f16_qb4w,
    pqnn_operator_type_fully_connected_nc_qd8_f16_qb4w, void*)
