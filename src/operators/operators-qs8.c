/* The qs8 face: the public qs8 (per-tensor weights) and qs8_qc8w (per-channel weights)
 * fully connected and convolution functions, and the int8 spec they share: int8
 * activations, int8 weights in [-127, 127], int32 bias, int8 output requantized by the
 * fp32 method (bit-exact on every ISA); convolution padding reads as input_zero_point. */
#include <string.h>

#include "allocator.h"
#include "logging.h"
#include "operator.h"
#include "packing.h"

/* The quantization arguments of the public functions. kernel_scale has output_channels
 * entries when per_channel, else 1. */
struct qs8_quantization {
  int8_t input_zero_point;
  float input_scale;
  const float* kernel_scale;
  bool per_channel;
  const int32_t* bias;
  int8_t output_zero_point;
  float output_scale;
  int8_t output_min, output_max;
};

/* What the packing callbacks read (valid during create only). */
struct qs8_spec_storage {
  const int32_t* bias;
  float* requantization_scale;  /* per output channel, allocated */
  int32_t input_zero_point;
  int32_t input_offset;
};

static void pack_qs8_gemm(const void* context, size_t groups, size_t nc, size_t ks, size_t kc,
    size_t nr, size_t kr, bool transposed, const void* kernel, void* packed) {
  const struct qs8_spec_storage* s = (const struct qs8_spec_storage*) context;
  pqnn_pack_qs8_gemm(groups, nc, ks, kc, nr, kr, transposed, (const int8_t*) kernel, s->bias,
      s->requantization_scale, s->input_zero_point + s->input_offset, packed);
}

static void pack_qs8_dwconv(const void* context, size_t channels, size_t taps, size_t ct,
    const void* kernel, void* packed) {
  const struct qs8_spec_storage* s = (const struct qs8_spec_storage*) context;
  const struct pqnn_dwconv_config* config = pqnn_get_qs8_qc8w_dwconv_config();
  pqnn_pack_qs8_dwconv(channels, taps, ct, pqnn_max_sz(config->tap_group, 1),
      (const int8_t*) kernel, s->bias, s->requantization_scale,
      s->input_zero_point + config->input_offset, packed);
}

static enum pqnn_status check_qs8_quantization(const char* function,
    const struct qs8_quantization* q, size_t output_channels, const int8_t* kernel,
    size_t kernel_elements) {
  enum pqnn_status status = pqnn_check_scale(function, "input_scale", q->input_scale);
  if (status != pqnn_status_success) return status;
  status = pqnn_check_scale(function, "output_scale", q->output_scale);
  if (status != pqnn_status_success) return status;
  if (q->kernel_scale == NULL) {
    pqnn_log_error(function, "kernel_scale is NULL");
    return pqnn_status_invalid_parameter;
  }
  const size_t scales = q->per_channel ? output_channels : 1;
  for (size_t n = 0; n < scales; n++) {
    status = pqnn_check_scale(function, "kernel_scale", q->kernel_scale[n]);
    if (status != pqnn_status_success) return status;
  }
  if (q->output_min > q->output_max) {
    pqnn_log_error(function, "output_min (%d) exceeds output_max (%d)", q->output_min,
        q->output_max);
    return pqnn_status_invalid_parameter;
  }
  if (kernel != NULL) {
    status = pqnn_check_int8_kernel(function, kernel, kernel_elements);
    if (status != pqnn_status_success) return status;
  }
  if (output_channels > SIZE_MAX / sizeof(float)) {
    pqnn_log_error(function, "output_channels %zu overflows", output_channels);
    return pqnn_status_invalid_parameter;
  }
  /* The requantization scale of every channel, in float, left to right. */
  for (size_t n = 0; n < scales; n++) {
    volatile float product = q->input_scale * q->kernel_scale[n];
    const float scale = product / q->output_scale;
    if (!(scale >= 0x1.0p-32f && scale < 256.0f)) {
      pqnn_log_error(function,
          "requantization scale input_scale * kernel_scale / output_scale = %g (channel %zu) "
          "is outside [2^-32, 256)", (double) scale, n);
      return pqnn_status_unsupported_parameter;
    }
  }
  return pqnn_status_success;
}

/* Validates the quantization arguments and computes the per-channel requantization
 * scales (allocated in storage; release them after create). */
static enum pqnn_status init_qs8_spec(const char* function, struct pqnn_gemm_op_spec* spec,
    struct qs8_spec_storage* storage, enum pqnn_operator_type type, size_t output_channels,
    const int8_t* kernel, size_t kernel_elements, const struct qs8_quantization* q) {
  memset(storage, 0, sizeof(*storage));
  enum pqnn_status status = check_qs8_quantization(function, q, output_channels, kernel,
      kernel_elements);
  if (status != pqnn_status_success) return status;
  storage->requantization_scale = (float*) pqnn_allocate(output_channels * sizeof(float));
  if (storage->requantization_scale == NULL) {
    pqnn_log_error(function, "cannot allocate %zu requantization scales", output_channels);
    return pqnn_status_out_of_memory;
  }
  for (size_t n = 0; n < output_channels; n++) {
    volatile float product = q->input_scale * q->kernel_scale[q->per_channel ? n : 0];
    storage->requantization_scale[n] = product / q->output_scale;
  }
  const struct pqnn_gemm_config* config = pqnn_get_qs8_qc8w_gemm_config();
  storage->bias = q->bias;
  storage->input_zero_point = q->input_zero_point;
  storage->input_offset = config != NULL ? config->input_offset : 0;
  *spec = (struct pqnn_gemm_op_spec) {
    .type = type,
    .gemm_config = config,
    .dwconv_config = pqnn_get_qs8_qc8w_dwconv_config(),
    .input_element_size = 1,
    .output_element_size = 1,
    .kernel_element_size = 1,
    .packed_element_size = 1,
    .packed_prefix_size = sizeof(int32_t),
    .packed_suffix_size = sizeof(float),
    .dwconv_prefix_size = sizeof(int32_t),
    .dwconv_suffix_size = sizeof(float),
    .zero_byte = (uint8_t) q->input_zero_point,
    .params.qs8 = {
      .output_min_less_zero_point = (float) ((int32_t) q->output_min - (int32_t) q->output_zero_point),
      .output_max_less_zero_point = (float) ((int32_t) q->output_max - (int32_t) q->output_zero_point),
      .output_zero_point = q->output_zero_point,
      .output_min = q->output_min,
      .output_max = q->output_max,
    },
    .pack_gemm = pack_qs8_gemm,
    .pack_dwconv = pack_qs8_dwconv,
    .spec_context = storage,
  };
  return pqnn_status_success;
}

/* Creates a fully connected operator (fc != NULL) or a convolution (conv). */
static enum pqnn_status create_qs8(const char* function, enum pqnn_operator_type type,
    const struct pqnn_fc_args* fc, const struct pqnn_conv2d_args* conv, const int8_t* kernel,
    const struct qs8_quantization* q, uint32_t flags, pqnn_operator_t* op_out) {
  enum pqnn_status status = pqnn_check_initialized(function);
  if (status != pqnn_status_success) return status;
  size_t output_channels;
  const size_t kernel_elements = pqnn_kernel_elements(fc, conv, &output_channels);
  struct pqnn_gemm_op_spec spec;
  struct qs8_spec_storage storage;
  status = init_qs8_spec(function, &spec, &storage, type, output_channels, kernel,
      kernel_elements, q);
  if (status == pqnn_status_success) {
    status = fc != NULL
        ? pqnn_create_fully_connected(function, fc->input_channels, fc->output_channels,
              fc->input_stride, fc->output_stride, kernel, flags, &spec, op_out)
        : pqnn_create_convolution2d(function, conv, kernel, flags, &spec, op_out);
  }
  pqnn_release(storage.requantization_scale);
  return status;
}

#define QS8_QUANTIZATION(scale, per_channel)                                                 \
  ((struct qs8_quantization) {input_zero_point, input_scale, scale, per_channel, bias,       \
      output_zero_point, output_scale, output_min, output_max})
#define FC_ARGS \
  ((struct pqnn_fc_args) {input_channels, output_channels, input_stride, output_stride})

enum pqnn_status pqnn_create_fully_connected_nc_qs8(size_t input_channels,
    size_t output_channels, size_t input_stride, size_t output_stride,
    int8_t input_zero_point, float input_scale, float kernel_scale, const int8_t* kernel,
    const int32_t* bias, int8_t output_zero_point, float output_scale, int8_t output_min,
    int8_t output_max, uint32_t flags, pqnn_operator_t* op_out) {
  return create_qs8(__func__, pqnn_operator_type_fully_connected_nc_qs8, &FC_ARGS, NULL, kernel,
      &QS8_QUANTIZATION(&kernel_scale, false), flags, op_out);
}

enum pqnn_status pqnn_create_fully_connected_nc_qs8_qc8w(size_t input_channels,
    size_t output_channels, size_t input_stride, size_t output_stride,
    int8_t input_zero_point, float input_scale, const float* kernel_scale, const int8_t* kernel,
    const int32_t* bias, int8_t output_zero_point, float output_scale, int8_t output_min,
    int8_t output_max, uint32_t flags, pqnn_operator_t* op_out) {
  return create_qs8(__func__, pqnn_operator_type_fully_connected_nc_qs8_qc8w, &FC_ARGS, NULL,
      kernel, &QS8_QUANTIZATION(kernel_scale, true), flags, op_out);
}

enum pqnn_status pqnn_create_convolution2d_nhwc_qs8(uint32_t input_padding_top,
    uint32_t input_padding_right, uint32_t input_padding_bottom, uint32_t input_padding_left,
    uint32_t kernel_height, uint32_t kernel_width, uint32_t subsampling_height,
    uint32_t subsampling_width, uint32_t dilation_height, uint32_t dilation_width,
    uint32_t groups, size_t group_input_channels, size_t group_output_channels,
    size_t input_channel_stride, size_t output_channel_stride,
    int8_t input_zero_point, float input_scale, float kernel_scale, const int8_t* kernel,
    const int32_t* bias, int8_t output_zero_point, float output_scale, int8_t output_min,
    int8_t output_max, uint32_t flags, pqnn_operator_t* op_out) {
  return create_qs8(__func__, pqnn_operator_type_convolution_nhwc_qs8, NULL, &PQNN_CONV2D_ARGS,
      kernel, &QS8_QUANTIZATION(&kernel_scale, false), flags, op_out);
}

enum pqnn_status pqnn_create_convolution2d_nhwc_qs8_qc8w(uint32_t input_padding_top,
    uint32_t input_padding_right, uint32_t input_padding_bottom, uint32_t input_padding_left,
    uint32_t kernel_height, uint32_t kernel_width, uint32_t subsampling_height,
    uint32_t subsampling_width, uint32_t dilation_height, uint32_t dilation_width,
    uint32_t groups, size_t group_input_channels, size_t group_output_channels,
    size_t input_channel_stride, size_t output_channel_stride,
    int8_t input_zero_point, float input_scale, const float* kernel_scale, const int8_t* kernel,
    const int32_t* bias, int8_t output_zero_point, float output_scale, int8_t output_min,
    int8_t output_max, uint32_t flags, pqnn_operator_t* op_out) {
  return create_qs8(__func__, pqnn_operator_type_convolution_nhwc_qs8_qc8w, NULL,
      &PQNN_CONV2D_ARGS, kernel, &QS8_QUANTIZATION(kernel_scale, true), flags, op_out);
}

PQNN_FC_RESHAPE(qs8)
PQNN_FC_RESHAPE(qs8_qc8w)
PQNN_CONV_RESHAPE(qs8)
PQNN_CONV_RESHAPE(qs8_qc8w)
PQNN_GEMM_OP_SETUP(pqnn_setup_fully_connected_nc_qs8, pqnn_operator_type_fully_connected_nc_qs8,
    const int8_t*, int8_t*)
PQNN_GEMM_OP_SETUP(pqnn_setup_fully_connected_nc_qs8_qc8w,
    pqnn_operator_type_fully_connected_nc_qs8_qc8w, const int8_t*, int8_t*)
PQNN_GEMM_OP_SETUP(pqnn_setup_convolution2d_nhwc_qs8, pqnn_operator_type_convolution_nhwc_qs8,
    const int8_t*, int8_t*)
PQNN_GEMM_OP_SETUP(pqnn_setup_convolution2d_nhwc_qs8_qc8w,
    pqnn_operator_type_convolution_nhwc_qs8_qc8w, const int8_t*, int8_t*)
