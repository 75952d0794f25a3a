/* The f16 face: the public f16 fully connected, convolution and deconvolution functions (f16 storage,
 * f32 accumulation) and the f16 datatype spec they share. Kernel and bias are f16, or f32
 * with PQNN_FLAG_FP32_STATIC_WEIGHTS (converted while packing). */
#include <fp16.h>

#include "allocator.h"
#include "logging.h"
#include "operator.h"
#include "packing.h"

/* What the packing callbacks read (valid during create only). */
struct f16_spec_storage {
  const void* bias;
  bool from_f32;
};

static void pack_f16_gemm(const void* context, size_t groups, size_t nc, size_t ks, size_t kc,
    size_t nr, size_t kr, bool transposed, const void* kernel, void* packed) {
  const struct f16_spec_storage* s = (const struct f16_spec_storage*) context;
  pqnn_pack_f16_gemm(groups, nc, ks, kc, nr, kr, transposed, s->from_f32, kernel, s->bias, packed);
}

static void pack_f16_dwconv(const void* context, size_t channels, size_t taps, size_t ct,
    const void* kernel, void* packed) {
  const struct f16_spec_storage* s = (const struct f16_spec_storage*) context;
  pqnn_pack_f16_dwconv(channels, taps, ct, s->from_f32, kernel, s->bias, packed);
}

/* Bounds are rounded to f16 and must stay ordered. */
static enum pqnn_status init_f16_spec(const char* function, struct pqnn_gemm_op_spec* spec,
    struct f16_spec_storage* storage, enum pqnn_operator_type type, const void* bias,
    float output_min, float output_max, uint32_t flags) {
  enum pqnn_status status = pqnn_check_initialized(function);
  if (status != pqnn_status_success) return status;
  status = pqnn_check_output_bounds(function, output_min, output_max);
  if (status != pqnn_status_success) return status;
  const float min16 = fp16_ieee_to_fp32_value(fp16_ieee_from_fp32_value(output_min));
  const float max16 = fp16_ieee_to_fp32_value(fp16_ieee_from_fp32_value(output_max));
  if (!(min16 < max16)) {
    pqnn_log_error(function, "output bounds %g and %g round to the same f16 value",
        (double) output_min, (double) output_max);
    return pqnn_status_invalid_parameter;
  }
  const bool from_f32 = (flags & PQNN_FLAG_FP32_STATIC_WEIGHTS) != 0;
  storage->bias = bias;
  storage->from_f32 = from_f32;
  *spec = (struct pqnn_gemm_op_spec) {
    .type = type,
    .gemm_config = pqnn_get_f16_gemm_config(),
    .dwconv_config = pqnn_get_f16_dwconv_config(),
    .input_element_size = 2,
    .output_element_size = 2,
    .kernel_element_size = from_f32 ? 4 : 2,
    .packed_element_size = 2,
    .packed_prefix_size = 2,
    .dwconv_prefix_size = 2,
    .params.f32 = {min16, max16},
    .pack_gemm = pack_f16_gemm,
    .pack_dwconv = pack_f16_dwconv,
    .spec_context = storage,
  };
  return pqnn_status_success;
}

enum pqnn_status pqnn_create_fully_connected_nc_f16(size_t input_channels,
    size_t output_channels, size_t input_stride, size_t output_stride, const void* kernel,
    const void* bias, float output_min, float output_max, uint32_t flags,
    pqnn_operator_t* op_out) {
  struct pqnn_gemm_op_spec spec;
  struct f16_spec_storage storage;
  const enum pqnn_status status = init_f16_spec(__func__, &spec, &storage,
      pqnn_operator_type_fully_connected_nc_f16, bias, output_min, output_max, flags);
  if (status != pqnn_status_success) return status;
  return pqnn_create_fully_connected(__func__, input_channels, output_channels, input_stride,
      output_stride, kernel, flags & ~PQNN_FLAG_FP32_STATIC_WEIGHTS, &spec, op_out);
}

PQNN_FC_RESHAPE(f16)
PQNN_GEMM_OP_SETUP(pqnn_setup_fully_connected_nc_f16, pqnn_operator_type_fully_connected_nc_f16,
    const void*, void*)

enum pqnn_status pqnn_create_convolution2d_nhwc_f16(uint32_t input_padding_top,
    uint32_t input_padding_right, uint32_t input_padding_bottom, uint32_t input_padding_left,
    uint32_t kernel_height, uint32_t kernel_width, uint32_t subsampling_height,
    uint32_t subsampling_width, uint32_t dilation_height, uint32_t dilation_width,
    uint32_t groups, size_t group_input_channels, size_t group_output_channels,
    size_t input_channel_stride, size_t output_channel_stride,
    const void* kernel, const void* bias, float output_min, float output_max, uint32_t flags,
    pqnn_operator_t* op_out) {
  struct pqnn_gemm_op_spec spec;
  struct f16_spec_storage storage;
  const enum pqnn_status status = init_f16_spec(__func__, &spec, &storage,
      pqnn_operator_type_convolution_nhwc_f16, bias, output_min, output_max, flags);
  if (status != pqnn_status_success) return status;
  return pqnn_create_convolution2d(__func__, &PQNN_CONV2D_ARGS, kernel,
      flags & ~PQNN_FLAG_FP32_STATIC_WEIGHTS, &spec, op_out);
}

PQNN_CONV_RESHAPE(f16)
PQNN_GEMM_OP_SETUP(pqnn_setup_convolution2d_nhwc_f16, pqnn_operator_type_convolution_nhwc_f16,
    const void*, void*)

enum pqnn_status pqnn_create_deconvolution2d_nhwc_f16(uint32_t output_padding_top,
    uint32_t output_padding_right, uint32_t output_padding_bottom, uint32_t output_padding_left,
    uint32_t kernel_height, uint32_t kernel_width, uint32_t stride_height,
    uint32_t stride_width, uint32_t dilation_height, uint32_t dilation_width,
    uint32_t groups, size_t group_input_channels, size_t group_output_channels,
    size_t input_pixel_stride, size_t output_pixel_stride, const void* kernel,
    const void* bias, float output_min, float output_max, uint32_t flags,
    pqnn_operator_t* op_out) {
  const struct pqnn_conv2d_args args = PQNN_DECONV2D_ARGS;
  struct pqnn_gemm_op_spec spec;
  struct f16_spec_storage storage;
  void* packed_bias = NULL;
  enum pqnn_status status = init_f16_spec(__func__, &spec, &storage,
      pqnn_operator_type_deconvolution_nhwc_f16, NULL, output_min, output_max, flags);
  if (status == pqnn_status_success) {
    /* The direct path packs the bias per tap; the accumulating path adds it itself. */
    status = pqnn_deconv_replicate(__func__, &args, pqnn_deconv_direct(&args) ? bias : NULL,
        storage.from_f32 ? sizeof(float) : sizeof(uint16_t), &packed_bias);
  }
  if (status == pqnn_status_success) {
    storage.bias = packed_bias;
    status = pqnn_create_deconvolution2d(__func__, &args, kernel, bias, !storage.from_f32,
        flags & ~PQNN_FLAG_FP32_STATIC_WEIGHTS, &spec, op_out);
  }
  pqnn_release(packed_bias);
  return status;
}

PQNN_DECONV_RESHAPE(f16)
PQNN_GEMM_OP_SETUP(pqnn_setup_deconvolution2d_nhwc_f16,
    pqnn_operator_type_deconvolution_nhwc_f16, const void*, void*)
