/* The qd8 face: the public qd8_f32_qc8w and qd8_f16_qc8w fully connected, convolution and
 * deconvolution functions, and the spec they share: dynamically quantized int8 activations
 * (one {zero_point, scale} per row for FC, per image for conv, per input pixel for
 * deconvolution, given at setup and read at run),
 * per-channel int8 weights in [-127, 127], f32 bias, f32 or f16 output. */
#include <fp16.h>

#include "allocator.h"
#include "logging.h"
#include "operator.h"
#include "packing.h"

/* What the packing callback reads (valid during create only). */
struct qd8_spec_storage {
  const float* kernel_scale;
  const float* bias;
};

static void pack_qd8_gemm(const void* context, size_t groups, size_t nc, size_t ks, size_t kc,
    size_t nr, size_t kr, bool transposed, const void* kernel, void* packed) {
  const struct qd8_spec_storage* s = (const struct qd8_spec_storage*) context;
  pqnn_pack_qd8_gemm(groups, nc, ks, kc, nr, kr, transposed, (const int8_t*) kernel,
      s->kernel_scale, s->bias, packed);
}

static void pack_qd8_dwconv(const void* context, size_t channels, size_t taps, size_t ct,
    const void* kernel, void* packed) {
  const struct qd8_spec_storage* s = (const struct qd8_spec_storage*) context;
  pqnn_pack_qd8_dwconv(channels, taps, ct, pqnn_get_qd8_f32_qc8w_dwconv_config()->tap_group,
      (const int8_t*) kernel, s->kernel_scale, s->bias, packed);
}

static enum pqnn_status init_qd8_spec(const char* function, struct pqnn_gemm_op_spec* spec,
    struct qd8_spec_storage* storage, enum pqnn_operator_type type, bool f16_output,
    size_t output_channels, const int8_t* kernel, size_t kernel_elements,
    const float* kernel_scale, const float* bias, float output_min, float output_max) {
  enum pqnn_status status = pqnn_check_output_bounds(function, output_min, output_max);
  if (status != pqnn_status_success) return status;
  if (f16_output) {
    /* Bounds are rounded to f16 and must still be ordered. */
    output_min = fp16_ieee_to_fp32_value(fp16_ieee_from_fp32_value(output_min));
    output_max = fp16_ieee_to_fp32_value(fp16_ieee_from_fp32_value(output_max));
    if (!(output_min < output_max)) {
      pqnn_log_error(function, "output bounds round to the same f16 value (%g)", (double) output_min);
      return pqnn_status_invalid_parameter;
    }
  }
  if (kernel_scale == NULL) {
    pqnn_log_error(function, "kernel_scale is NULL");
    return pqnn_status_invalid_parameter;
  }
  for (size_t n = 0; n < output_channels; n++) {
    status = pqnn_check_scale(function, "kernel_scale", kernel_scale[n]);
    if (status != pqnn_status_success) return status;
  }
  if (kernel != NULL) {
    status = pqnn_check_int8_kernel(function, kernel, kernel_elements);
    if (status != pqnn_status_success) return status;
  }
  storage->kernel_scale = kernel_scale;
  storage->bias = bias;
  *spec = (struct pqnn_gemm_op_spec) {
    .type = type,
    .gemm_config = f16_output ? pqnn_get_qd8_f16_qc8w_gemm_config()
                              : pqnn_get_qd8_f32_qc8w_gemm_config(),
    /* f16 output has no dwconv kernels: its depthwise runs as grouped IGEMM. */
    .dwconv_config = f16_output ? NULL : pqnn_get_qd8_f32_qc8w_dwconv_config(),
    .input_element_size = 1,
    .output_element_size = f16_output ? 2 : 4,
    .kernel_element_size = 1,
    .packed_element_size = 1,
    .packed_prefix_size = sizeof(int32_t),
    .packed_suffix_size = 2 * sizeof(float),
    .dwconv_prefix_size = sizeof(int32_t),
    .dwconv_suffix_size = 2 * sizeof(float),
    .dwconv_tap_pairs = true,
    .dynamic_quantization = true,
    .params.f32 = {output_min, output_max},
    .pack_gemm = pack_qd8_gemm,
    .pack_dwconv = pack_qd8_dwconv,
    .spec_context = storage,
  };
  return pqnn_status_success;
}

/* Creates a fully connected operator (fc != NULL) or a convolution (conv). */
static enum pqnn_status create_qd8(const char* function, enum pqnn_operator_type type,
    bool f16_output, const struct pqnn_fc_args* fc, const struct pqnn_conv2d_args* conv,
    const float* kernel_scale, const int8_t* kernel, const float* bias, float output_min,
    float output_max, uint32_t flags, pqnn_operator_t* op_out) {
  enum pqnn_status status = pqnn_check_initialized(function);
  if (status != pqnn_status_success) return status;
  size_t output_channels;
  const size_t kernel_elements = pqnn_kernel_elements(fc, conv, &output_channels);
  struct pqnn_gemm_op_spec spec;
  struct qd8_spec_storage storage;
  status = init_qd8_spec(function, &spec, &storage, type, f16_output, output_channels, kernel,
      kernel_elements, kernel_scale, bias, output_min, output_max);
  if (status != pqnn_status_success) return status;
  if (fc != NULL) {
    return pqnn_create_fully_connected(function, fc->input_channels, fc->output_channels,
        fc->input_stride, fc->output_stride, kernel, flags, &spec, op_out);
  }
  return pqnn_create_convolution2d(function, conv, kernel, flags, &spec, op_out);
}

#define FC_ARGS \
  ((struct pqnn_fc_args) {input_channels, output_channels, input_stride, output_stride})

enum pqnn_status pqnn_create_fully_connected_nc_qd8_f32_qc8w(size_t input_channels,
    size_t output_channels, size_t input_stride, size_t output_stride,
    const float* kernel_scale, const int8_t* kernel, const float* bias, float output_min,
    float output_max, uint32_t flags, pqnn_operator_t* op_out) {
  return create_qd8(__func__, pqnn_operator_type_fully_connected_nc_qd8_f32_qc8w, false,
      &FC_ARGS, NULL, kernel_scale, kernel, bias, output_min, output_max, flags, op_out);
}

enum pqnn_status pqnn_create_fully_connected_nc_qd8_f16_qc8w(size_t input_channels,
    size_t output_channels, size_t input_stride, size_t output_stride,
    const float* kernel_scale, const int8_t* kernel, const float* bias, float output_min,
    float output_max, uint32_t flags, pqnn_operator_t* op_out) {
  return create_qd8(__func__, pqnn_operator_type_fully_connected_nc_qd8_f16_qc8w, true,
      &FC_ARGS, NULL, kernel_scale, kernel, bias, output_min, output_max, flags, op_out);
}

enum pqnn_status pqnn_create_convolution2d_nhwc_qd8_f32_qc8w(uint32_t input_padding_top,
    uint32_t input_padding_right, uint32_t input_padding_bottom, uint32_t input_padding_left,
    uint32_t kernel_height, uint32_t kernel_width, uint32_t subsampling_height,
    uint32_t subsampling_width, uint32_t dilation_height, uint32_t dilation_width,
    uint32_t groups, size_t group_input_channels, size_t group_output_channels,
    size_t input_channel_stride, size_t output_channel_stride,
    const float* kernel_scale, const int8_t* kernel, const float* bias, float output_min,
    float output_max, uint32_t flags, pqnn_operator_t* op_out) {
  return create_qd8(__func__, pqnn_operator_type_convolution_nhwc_qd8_f32_qc8w, false, NULL,
      &PQNN_CONV2D_ARGS, kernel_scale, kernel, bias, output_min, output_max, flags, op_out);
}

enum pqnn_status pqnn_create_convolution2d_nhwc_qd8_f16_qc8w(uint32_t input_padding_top,
    uint32_t input_padding_right, uint32_t input_padding_bottom, uint32_t input_padding_left,
    uint32_t kernel_height, uint32_t kernel_width, uint32_t subsampling_height,
    uint32_t subsampling_width, uint32_t dilation_height, uint32_t dilation_width,
    uint32_t groups, size_t group_input_channels, size_t group_output_channels,
    size_t input_channel_stride, size_t output_channel_stride,
    const float* kernel_scale, const int8_t* kernel, const float* bias, float output_min,
    float output_max, uint32_t flags, pqnn_operator_t* op_out) {
  return create_qd8(__func__, pqnn_operator_type_convolution_nhwc_qd8_f16_qc8w, true, NULL,
      &PQNN_CONV2D_ARGS, kernel_scale, kernel, bias, output_min, output_max, flags, op_out);
}

PQNN_FC_RESHAPE(qd8_f32_qc8w)
PQNN_FC_RESHAPE(qd8_f16_qc8w)
PQNN_CONV_RESHAPE(qd8_f32_qc8w)
PQNN_CONV_RESHAPE(qd8_f16_qc8w)
PQNN_GEMM_OP_SETUP_QD8(pqnn_setup_fully_connected_nc_qd8_f32_qc8w,
    pqnn_operator_type_fully_connected_nc_qd8_f32_qc8w, float*)
PQNN_GEMM_OP_SETUP_QD8(pqnn_setup_fully_connected_nc_qd8_f16_qc8w,
    pqnn_operator_type_fully_connected_nc_qd8_f16_qc8w, void*)
PQNN_GEMM_OP_SETUP_QD8(pqnn_setup_convolution2d_nhwc_qd8_f32_qc8w,
    pqnn_operator_type_convolution_nhwc_qd8_f32_qc8w, float*)
PQNN_GEMM_OP_SETUP_QD8(pqnn_setup_convolution2d_nhwc_qd8_f16_qc8w,
    pqnn_operator_type_convolution_nhwc_qd8_f16_qc8w, void*)

/* A deconvolution: kernel scales (and on the direct path the bias) packed per tap. */
static enum pqnn_status create_deconv_qd8(const char* function, enum pqnn_operator_type type,
    bool f16_output, const struct pqnn_conv2d_args* args, const float* kernel_scale,
    const int8_t* kernel, const float* bias, float output_min, float output_max,
    uint32_t flags, pqnn_operator_t* op_out) {
  enum pqnn_status status = pqnn_check_initialized(function);
  if (status != pqnn_status_success) return status;
  size_t output_channels;
  const size_t kernel_elements = pqnn_kernel_elements(NULL, args, &output_channels);
  void* scales = NULL;
  void* packed_bias = NULL;
  struct pqnn_gemm_op_spec spec;
  struct qd8_spec_storage storage;
  status = pqnn_deconv_replicate(function, args, kernel_scale, sizeof(float), &scales);
  if (status == pqnn_status_success) {
    status = pqnn_deconv_replicate(function, args, pqnn_deconv_direct(args) ? bias : NULL,
        sizeof(float), &packed_bias);
  }
  if (status == pqnn_status_success) {
    /* kernel_scale is checked through its per-tap copy (NULL when the caller's is). */
    status = init_qd8_spec(function, &spec, &storage, type, f16_output,
        output_channels * ((size_t) args->kernel_height * args->kernel_width), kernel, kernel_elements,
        scales, packed_bias, output_min, output_max);
  }
  if (status == pqnn_status_success) {
    status = pqnn_create_deconvolution2d(function, args, kernel, bias, false, flags, &spec,
        op_out);
  }
  pqnn_release(scales);
  pqnn_release(packed_bias);
  return status;
}

enum pqnn_status pqnn_create_deconvolution2d_nhwc_qd8_f32_qc8w(uint32_t output_padding_top,
    uint32_t output_padding_right, uint32_t output_padding_bottom, uint32_t output_padding_left,
    uint32_t kernel_height, uint32_t kernel_width, uint32_t stride_height,
    uint32_t stride_width, uint32_t dilation_height, uint32_t dilation_width,
    uint32_t groups, size_t group_input_channels, size_t group_output_channels,
    size_t input_pixel_stride, size_t output_pixel_stride, const float* kernel_scale,
    const int8_t* kernel, const float* bias, float output_min, float output_max,
    uint32_t flags, pqnn_operator_t* op_out) {
  return create_deconv_qd8(__func__, pqnn_operator_type_deconvolution_nhwc_qd8_f32_qc8w, false,
      &PQNN_DECONV2D_ARGS, kernel_scale, kernel, bias, output_min, output_max, flags, op_out);
}

enum pqnn_status pqnn_create_deconvolution2d_nhwc_qd8_f16_qc8w(uint32_t output_padding_top,
    uint32_t output_padding_right, uint32_t output_padding_bottom, uint32_t output_padding_left,
    uint32_t kernel_height, uint32_t kernel_width, uint32_t stride_height,
    uint32_t stride_width, uint32_t dilation_height, uint32_t dilation_width,
    uint32_t groups, size_t group_input_channels, size_t group_output_channels,
    size_t input_pixel_stride, size_t output_pixel_stride, const float* kernel_scale,
    const int8_t* kernel, const float* bias, float output_min, float output_max,
    uint32_t flags, pqnn_operator_t* op_out) {
  return create_deconv_qd8(__func__, pqnn_operator_type_deconvolution_nhwc_qd8_f16_qc8w, true,
      &PQNN_DECONV2D_ARGS, kernel_scale, kernel, bias, output_min, output_max, flags, op_out);
}

PQNN_DECONV_RESHAPE(qd8_f32_qc8w)
PQNN_DECONV_RESHAPE(qd8_f16_qc8w)
PQNN_GEMM_OP_SETUP_QD8(pqnn_setup_deconvolution2d_nhwc_qd8_f32_qc8w,
    pqnn_operator_type_deconvolution_nhwc_qd8_f32_qc8w, float*)
PQNN_GEMM_OP_SETUP_QD8(pqnn_setup_deconvolution2d_nhwc_qd8_f16_qc8w,
    pqnn_operator_type_deconvolution_nhwc_qd8_f16_qc8w, void*)
