/* The f32 face: the public f32 fully connected, convolution and deconvolution functions,
 * and the f32 datatype spec they share (f32 kernel and bias; output = clamp(sum + bias,
 * min, max)). */
#include <math.h>

#include "allocator.h"
#include "operator.h"
#include "operators/paths.h"
#include "packing.h"

static void pack_f32_gemm(const void* context, size_t groups, size_t nc, size_t ks, size_t kc,
    size_t nr, size_t kr, bool transposed, const void* kernel, void* packed) {
  pqnn_pack_f32_gemm(groups, nc, ks, kc, nr, kr, transposed, (const float*) kernel,
      (const float*) context, packed);
}

static void pack_f32_dwconv(const void* context, size_t channels, size_t taps, size_t ct,
    const void* kernel, void* packed) {
  pqnn_pack_f32_dwconv(channels, taps, ct, (const float*) kernel, (const float*) context, packed);
}

/* Checks the bounds and fills the spec; bias may be NULL. */
static enum pqnn_status init_f32_spec(const char* function, struct pqnn_gemm_op_spec* spec,
    enum pqnn_operator_type type, const float* bias, float output_min, float output_max) {
  enum pqnn_status status = pqnn_check_initialized(function);
  if (status != pqnn_status_success) return status;
  status = pqnn_check_output_bounds(function, output_min, output_max);
  if (status != pqnn_status_success) return status;
  *spec = (struct pqnn_gemm_op_spec) {
    .type = type,
    .gemm_config = pqnn_get_f32_gemm_config(),
    .dwconv_config = pqnn_get_f32_dwconv_config(),
    .input_element_size = sizeof(float),
    .output_element_size = sizeof(float),
    .kernel_element_size = sizeof(float),
    .packed_element_size = sizeof(float),
    .packed_prefix_size = sizeof(float),
    .dwconv_prefix_size = sizeof(float),
    .winograd = type == pqnn_operator_type_convolution_nhwc_f32,
    .params.f32 = {output_min, output_max},
    .pack_gemm = pack_f32_gemm,
    .pack_dwconv = pack_f32_dwconv,
    .spec_context = bias,
  };
  return pqnn_status_success;
}

enum pqnn_status pqnn_create_fully_connected_nc_f32(size_t input_channels,
    size_t output_channels, size_t input_stride, size_t output_stride, const float* kernel,
    const float* bias, float output_min, float output_max, uint32_t flags,
    pqnn_operator_t* op_out) {
  struct pqnn_gemm_op_spec spec;
  const enum pqnn_status status = init_f32_spec(__func__, &spec,
      pqnn_operator_type_fully_connected_nc_f32, bias, output_min, output_max);
  if (status != pqnn_status_success) return status;
  return pqnn_create_fully_connected(__func__, input_channels, output_channels, input_stride,
      output_stride, kernel, flags, &spec, op_out);
}

PQNN_FC_RESHAPE(f32)
PQNN_GEMM_OP_SETUP(pqnn_setup_fully_connected_nc_f32, pqnn_operator_type_fully_connected_nc_f32,
    const float*, float*)

enum pqnn_status pqnn_create_convolution2d_nhwc_f32(uint32_t input_padding_top,
    uint32_t input_padding_right, uint32_t input_padding_bottom, uint32_t input_padding_left,
    uint32_t kernel_height, uint32_t kernel_width, uint32_t subsampling_height,
    uint32_t subsampling_width, uint32_t dilation_height, uint32_t dilation_width,
    uint32_t groups, size_t group_input_channels, size_t group_output_channels,
    size_t input_channel_stride, size_t output_channel_stride, const float* kernel,
    const float* bias, float output_min, float output_max, uint32_t flags,
    pqnn_operator_t* op_out) {
  struct pqnn_gemm_op_spec spec;
  const enum pqnn_status status = init_f32_spec(__func__, &spec,
      pqnn_operator_type_convolution_nhwc_f32, bias, output_min, output_max);
  if (status != pqnn_status_success) return status;
  return pqnn_create_convolution2d(__func__, &PQNN_CONV2D_ARGS, kernel, flags, &spec, op_out);
}

bool pqnn_f32_convolution_takes_winograd(const struct pqnn_conv2d_args* args, uint32_t flags) {
  struct pqnn_gemm_op_spec spec;
  if (init_f32_spec(__func__, &spec, pqnn_operator_type_convolution_nhwc_f32, NULL, -INFINITY,
          INFINITY) != pqnn_status_success || spec.gemm_config == NULL) {
    return false;
  }
  /* One input and one output channel per group is the depthwise path when it has a kernel
   * (choose_conv_path in convolution-nhwc.c tries it first). */
  const size_t taps = (size_t) args->kernel_height * args->kernel_width;
  if (args->group_input_channels == 1 && args->group_output_channels == 1 &&
      spec.dwconv_config != NULL && pqnn_dwconv_config_select(spec.dwconv_config, taps) != NULL) {
    return false;
  }
  return pqnn_winograd_fits(args, flags, &spec);
}

PQNN_CONV_RESHAPE(f32)
PQNN_GEMM_OP_SETUP(pqnn_setup_convolution2d_nhwc_f32, pqnn_operator_type_convolution_nhwc_f32,
    const float*, float*)

enum pqnn_status pqnn_create_deconvolution2d_nhwc_f32(uint32_t output_padding_top,
    uint32_t output_padding_right, uint32_t output_padding_bottom, uint32_t output_padding_left,
    uint32_t kernel_height, uint32_t kernel_width, uint32_t stride_height,
    uint32_t stride_width, uint32_t dilation_height, uint32_t dilation_width,
    uint32_t groups, size_t group_input_channels, size_t group_output_channels,
    size_t input_pixel_stride, size_t output_pixel_stride, const float* kernel,
    const float* bias, float output_min, float output_max, uint32_t flags,
    pqnn_operator_t* op_out) {
  const struct pqnn_conv2d_args args = PQNN_DECONV2D_ARGS;
  struct pqnn_gemm_op_spec spec;
  void* packed_bias = NULL;
  enum pqnn_status status = init_f32_spec(__func__, &spec,
      pqnn_operator_type_deconvolution_nhwc_f32, NULL, output_min, output_max);
  if (status == pqnn_status_success) {
    /* The direct path packs the bias per tap; the accumulating path adds it itself. */
    status = pqnn_deconv_replicate(__func__, &args, pqnn_deconv_direct(&args) ? bias : NULL,
        sizeof(float), &packed_bias);
  }
  if (status == pqnn_status_success) {
    spec.spec_context = packed_bias;
    status = pqnn_create_deconvolution2d(__func__, &args, kernel, bias, false, flags, &spec,
        op_out);
  }
  pqnn_release(packed_bias);
  return status;
}

PQNN_DECONV_RESHAPE(f32)
PQNN_GEMM_OP_SETUP(pqnn_setup_deconvolution2d_nhwc_f32,
    pqnn_operator_type_deconvolution_nhwc_f32, const float*, float*)
