/* The generic transposed convolution (deconvolution) core shared by the datatype faces:
 * create (checks, weight packing per (group, tap), the f32 bias and the clamped bias
 * pixel) and reshape (output size, then deconv-path.c's preparation).
 *
 * Weights are packed as groups * kh * kw GEMM weight groups of group_output_channels
 * columns and group_input_channels rows each: tap (ky, kx) of group g maps one input pixel
 * to the goc channels of output pixel (iy * sh + ky * dh - pt, ix * sw + kx * dw - pl).
 * The wide layout (direct path, one group, no horizontal crop, dense output pixels) packs
 * the same data as kh groups of kw * goc columns: per input pixel, the kw output pixels it
 * reaches in one output row are contiguous. The tall layout (wide, no vertical crop, kh > 1,
 * kh * kw * goc columns padding to fewer NR tiles than kh rows of kw * goc) packs it as one
 * group of kh * kw * goc columns. */
#include <fp16.h>
#include <math.h>
#include <string.h>

#include "allocator.h"
#include "logging.h"
#include "operator.h"
#include "operators/paths.h"
#include "packing.h"

bool pqnn_deconv_direct(const struct pqnn_conv2d_args* a) {
  const bool rows = a->kernel_height == a->stride_height &&
      (a->dilation_height == 1 || a->kernel_height == 1);
  const bool columns = a->kernel_width == a->stride_width &&
      (a->dilation_width == 1 || a->kernel_width == 1);
  return rows && columns;
}

enum pqnn_status pqnn_deconv_replicate(const char* function,
    const struct pqnn_conv2d_args* a, const void* values, size_t element_size, void** out) {
  *out = NULL;
  size_t taps, count, bytes;
  if (!pqnn_mul_sz(a->kernel_height, a->kernel_width, &taps) ||
      !pqnn_mul_sz(a->groups, a->group_output_channels, &count) ||
      !pqnn_mul_sz(count, taps, &count) || !pqnn_mul_sz(count, element_size, &bytes)) {
    pqnn_log_error(function, "channel or kernel sizes overflow");
    return pqnn_status_invalid_parameter;
  }
  if (values == NULL || bytes == 0) return pqnn_status_success;
  char* copy = pqnn_allocate(bytes);
  if (copy == NULL) {
    pqnn_log_error(function, "cannot allocate %zu bytes of per-tap channel terms", bytes);
    return pqnn_status_out_of_memory;
  }
  const size_t row = a->group_output_channels * element_size;
  for (size_t g = 0; g < a->groups; g++) {
    for (size_t t = 0; t < taps; t++) {
      memcpy(copy + (g * taps + t) * row, (const char*) values + g * row, row);
    }
  }
  *out = copy;
  return pqnn_status_success;
}

#define CHECK_NONZERO(function, a, field)                                        \
  if ((a)->field == 0) {                                                        \
    pqnn_log_error(function, #field " must be positive");                       \
    return pqnn_status_invalid_parameter;                                       \
  }

/* Create, step 1: every argument check; *taps and *kernel_bytes for packing. */
static enum pqnn_status check_deconv_args(const char* function,
    const struct pqnn_conv2d_args* a, const void* kernel, uint32_t flags,
    const struct pqnn_gemm_op_spec* spec, pqnn_operator_t* op_out, size_t* taps,
    size_t* kernel_bytes) {
  enum pqnn_status status = pqnn_check_initialized(function);
  if (status != pqnn_status_success) return status;
  if (op_out == NULL) {
    pqnn_log_error(function, "op_out is NULL");
    return pqnn_status_invalid_parameter;
  }
  CHECK_NONZERO(function, a, kernel_height);
  CHECK_NONZERO(function, a, kernel_width);
  CHECK_NONZERO(function, a, stride_height);
  CHECK_NONZERO(function, a, stride_width);
  CHECK_NONZERO(function, a, dilation_height);
  CHECK_NONZERO(function, a, dilation_width);
  CHECK_NONZERO(function, a, groups);
  CHECK_NONZERO(function, a, group_input_channels);
  CHECK_NONZERO(function, a, group_output_channels);
  if (flags != 0) {
    pqnn_log_error(function, "unsupported flags 0x%x", (unsigned) flags);
    return pqnn_status_invalid_parameter;
  }
  size_t input_channels, output_channels, elements, scratch;
  if (!pqnn_mul_sz(a->groups, a->group_input_channels, &input_channels) ||
      !pqnn_mul_sz(a->groups, a->group_output_channels, &output_channels) ||
      !pqnn_mul_sz(a->kernel_height, a->kernel_width, taps) ||
      !pqnn_mul_sz(output_channels, *taps, &elements) ||
      !pqnn_mul_sz(elements, a->group_input_channels, &elements) ||
      !pqnn_mul_sz(elements, spec->kernel_element_size, kernel_bytes) ||
      !pqnn_mul_sz(a->input_channel_stride, spec->input_element_size, &scratch) ||
      !pqnn_mul_sz(a->output_channel_stride, spec->output_element_size, &scratch)) {
    pqnn_log_error(function, "channel or kernel sizes overflow");
    return pqnn_status_invalid_parameter;
  }
  if (a->input_channel_stride < input_channels) {
    pqnn_log_error(function, "input_pixel_stride (%zu) is below groups * group_input_channels (%zu)",
        a->input_channel_stride, input_channels);
    return pqnn_status_invalid_parameter;
  }
  if (a->output_channel_stride < output_channels) {
    pqnn_log_error(function, "output_pixel_stride (%zu) is below groups * group_output_channels (%zu)",
        a->output_channel_stride, output_channels);
    return pqnn_status_invalid_parameter;
  }
  if (kernel == NULL) {
    pqnn_log_error(function, "kernel is NULL");
    return pqnn_status_invalid_parameter;
  }
  return pqnn_check_gemm_kernels(function, spec);
}

/* The columns of each GEMM: all kh * kw * goc (tall), kw * goc (wide) or goc. */
static size_t deconv_columns(const struct pqnn_conv2d_args* a, size_t taps, bool wide,
    bool tall) {
  return tall ? taps * a->group_output_channels
       : wide ? a->kernel_width * a->group_output_channels : a->group_output_channels;
}

/* Create, step 2: the kernel [groups][goc][taps][gic] rearranged to [groups][taps][goc][gic]
 * and packed as groups * taps GEMM weight groups. */
static enum pqnn_status pack_deconv_weights(const char* function, struct pqnn_operator* op,
    const struct pqnn_conv2d_args* a, const struct pqnn_gemm_op_spec* spec, size_t taps,
    size_t kernel_bytes, const void* kernel, bool wide, bool tall,
    const struct pqnn_tgemm_config* tgemm) {
  const struct pqnn_gemm_config* config = spec->gemm_config;
  /* The pixel-lane GEMM reads the GEMM packing of its NR columns, kr 1. */
  const size_t nr = tgemm != NULL ? tgemm->nr : config->nr;
  const size_t kr = tgemm != NULL ? 1 : config->kr;
  /* Wide: one weight group per kernel row, its kw * goc columns in (kx, oc) order (the same
   * memory as kw groups of goc columns); tall: one weight group of all kh * kw * goc columns
   * in (ky, kx, oc) order. */
  const size_t weight_groups = tall ? 1 : wide ? a->kernel_height : a->groups * taps;
  const size_t nc = deconv_columns(a, taps, wide, tall);
  const size_t group_size = pqnn_packed_gemm_group_size(nc, 1, a->group_input_channels,
      nr, kr, spec->packed_element_size, spec->packed_prefix_size,
      spec->packed_suffix_size);
  size_t packed_size;
  if (group_size == 0 || !pqnn_mul_sz(group_size, weight_groups, &packed_size)) {
    pqnn_log_error(function, "packed weight size overflows");
    return pqnn_status_invalid_parameter;
  }
  op->packed_weights = pqnn_allocate(packed_size);
  char* temp = pqnn_allocate(kernel_bytes);
  if (op->packed_weights == NULL || temp == NULL) {
    pqnn_release(temp);
    pqnn_log_error(function, "cannot allocate %zu bytes of packed weights", packed_size);
    return pqnn_status_out_of_memory;
  }
  const size_t row = a->group_input_channels * spec->kernel_element_size;
  const size_t goc = a->group_output_channels;
  for (size_t g = 0; g < a->groups; g++) {
    for (size_t oc = 0; oc < goc; oc++) {
      for (size_t t = 0; t < taps; t++) {
        memcpy(temp + ((g * taps + t) * goc + oc) * row,
            (const char*) kernel + ((g * goc + oc) * taps + t) * row, row);
      }
    }
  }
  spec->pack_gemm(spec->spec_context, weight_groups, nc, 1, a->group_input_channels, nr, kr,
      false, temp, op->packed_weights);
  pqnn_release(temp);
  op->packed_group_stride = group_size;
  op->packed_panel_stride = group_size / pqnn_divide_round_up(nc, nr);
  return pqnn_status_success;
}

/* Create, step 3: the f32 bias and clamp(bias) of one output pixel in the output type. */
static enum pqnn_status bias_terms(const char* function, struct pqnn_operator* op,
    size_t output_channels, const void* bias, bool bias_f16, float min, float max,
    size_t output_element_size) {
  op->deconv_bias = pqnn_allocate(output_channels * sizeof(float));
  op->deconv_bias_pixel = pqnn_allocate(output_channels * output_element_size);
  if (op->deconv_bias == NULL || op->deconv_bias_pixel == NULL) {
    pqnn_log_error(function, "cannot allocate the bias of %zu channels", output_channels);
    return pqnn_status_out_of_memory;
  }
  for (size_t c = 0; c < output_channels; c++) {
    float b = 0.0f;
    if (bias != NULL) {
      b = bias_f16 ? fp16_ieee_to_fp32_value(((const uint16_t*) bias)[c])
                   : ((const float*) bias)[c];
    }
    op->deconv_bias[c] = b;
    const float clamped = b < min ? min : b > max ? max : b;
    if (output_element_size == sizeof(float)) {
      ((float*) op->deconv_bias_pixel)[c] = clamped;
    } else {
      ((uint16_t*) op->deconv_bias_pixel)[c] = fp16_ieee_from_fp32_value(clamped);
    }
  }
  return pqnn_status_success;
}

enum pqnn_status pqnn_create_deconvolution2d(const char* function,
    const struct pqnn_conv2d_args* a, const void* kernel, const void* bias, bool bias_f16,
    uint32_t flags, const struct pqnn_gemm_op_spec* spec, pqnn_operator_t* op_out) {
  size_t taps, kernel_bytes;
  enum pqnn_status status = check_deconv_args(function, a, kernel, flags, spec, op_out, &taps,
      &kernel_bytes);
  if (status != pqnn_status_success) return status;
  struct pqnn_operator* op = pqnn_allocate_operator();
  if (op == NULL) {
    pqnn_log_error(function, "cannot allocate the operator");
    return pqnn_status_out_of_memory;
  }
  /* Direct, one group, no horizontal crop and dense output pixels: a GEMM per input row
   * writes every kx at once (kw * goc contiguous output channels per input pixel), which
   * fills more of the kernel's NR columns when goc is small. */
  const bool wide = pqnn_deconv_direct(a) && a->groups == 1 && a->padding_left == 0 &&
      a->padding_right == 0 && a->output_channel_stride == a->group_output_channels;
  /* Tall: wide, no vertical crop, and the kh * kw * goc columns of all taps pad to fewer
   * NR tiles than kh GEMMs of kw * goc columns (2x2 24 -> 1: one tile against two; 24 -> 24:
   * three against four): one GEMM per input row computes every tap (into a row buffer that
   * is copied to the kh output rows), instead of one GEMM per output row. */
  const size_t tall_nc = taps * a->group_output_channels;
  const size_t row_nc = a->kernel_width * a->group_output_channels;
  const bool dq = spec->dynamic_quantization;
  const size_t gic = a->group_input_channels;
  const size_t tall_nr = pqnn_narrow_gemm_config(spec->gemm_config, tall_nc, gic, dq, false)->nr;
  const size_t row_nr = pqnn_narrow_gemm_config(spec->gemm_config, row_nc, gic, dq, false)->nr;
  const bool tall = wide && a->kernel_height > 1 && a->padding_top == 0 &&
      a->padding_bottom == 0 &&
      pqnn_round_up(tall_nc, tall_nr) < a->kernel_height * pqnn_round_up(row_nc, row_nr);
  /* The GEMMs' columns: few of them (24 -> 1 upsampling: 4) take the config's narrow tile
   * when it computes at most half the padded columns of the main one (gemm-path.c). */
  const size_t nc = deconv_columns(a, taps, wide, tall);
  struct pqnn_gemm_op_spec narrow_spec = *spec;
  narrow_spec.gemm_config =
      pqnn_narrow_gemm_config(spec->gemm_config, nc, a->group_input_channels,
          spec->dynamic_quantization, false);
  spec = &narrow_spec;
  /* Tall f32 of at most the pixel-lane GEMM's columns (24 -> 1: 4): that kernel, which
   * puts 16 pixels across the lanes instead of 4 columns on 16 lanes. */
  const struct pqnn_tgemm_config* tgemm = NULL;
  if (tall && !spec->dynamic_quantization && spec->input_element_size == sizeof(float) &&
      spec->output_element_size == sizeof(float) && spec->packed_element_size == sizeof(float)) {
    tgemm = pqnn_get_f32_tgemm_config();
    if (tgemm != NULL && nc > tgemm->nr) tgemm = NULL;
  }
  status = pack_deconv_weights(function, op, a, spec, taps, kernel_bytes, kernel, wide, tall,
      tgemm);
  if (status == pqnn_status_success) {
    status = bias_terms(function, op, a->groups * a->group_output_channels, bias, bias_f16,
        spec->params.f32.min, spec->params.f32.max, spec->output_element_size);
  }
  if (status == pqnn_status_success && (!pqnn_deconv_direct(a) || tall)) {
    /* The accumulating and tall paths' workspace is the operator's: runs take turns. */
    op->padding_lock = (pthread_mutex_t*) pqnn_allocate(sizeof(pthread_mutex_t));
    if (op->padding_lock == NULL || pthread_mutex_init(op->padding_lock, NULL) != 0) {
      pqnn_release(op->padding_lock);
      op->padding_lock = NULL;
      pqnn_log_error(function, "cannot allocate the workspace lock");
      status = pqnn_status_out_of_memory;
    }
  }
  if (status != pqnn_status_success) {
    pqnn_delete_operator(op);
    return status;
  }
  op->type = spec->type;
  op->flags = flags;
  op->spec = *spec;
  op->spec.spec_context = NULL;
  op->gemm_config = spec->gemm_config;
  pqnn_set_conv_geometry(op, a);
  op->output_min = spec->params.f32.min;
  op->output_max = spec->params.f32.max;
  op->deconv_direct = pqnn_deconv_direct(a);
  op->deconv_wide = wide;
  op->deconv_tall = tall;
  op->deconv_tgemm = tgemm;
  if (!op->deconv_direct) {
    /* The column GEMMs produce partial sums: the bounds apply once they are added up. */
    op->spec.params.f32.min = -INFINITY;
    op->spec.params.f32.max = INFINITY;
  }
  op->state = pqnn_operator_state_created;
  *op_out = op;
  return pqnn_status_success;
}

/* (in - 1) * stride + (kernel - 1) * dilation + 1 + adjustment - pads; false when not
 * positive or overflowing. */
static bool deconv_output_size(size_t in, uint32_t stride, uint32_t kernel, uint32_t dilation,
    uint32_t adjustment, uint32_t pad_before, uint32_t pad_after, size_t* out) {
  size_t reach, span, total;
  if (!pqnn_mul_sz(in - 1, stride, &reach) ||
      !pqnn_mul_sz((size_t) kernel - 1, dilation, &span) || !pqnn_add_sz(reach, span, &total) ||
      !pqnn_add_sz(total, 1 + (size_t) adjustment, &total)) {
    return false;
  }
  const size_t pads = (size_t) pad_before + pad_after;
  if (total <= pads) return false;
  *out = total - pads;
  return true;
}

enum pqnn_status pqnn_reshape_deconvolution2d(const char* function, pqnn_operator_t op,
    enum pqnn_operator_type type, size_t batch_size, size_t input_height, size_t input_width,
    uint32_t adjustment_height, uint32_t adjustment_width, size_t* output_height_out,
    size_t* output_width_out, pthreadpool_t threadpool) {
  enum pqnn_status status = pqnn_begin_reshape(function, op, type);
  if (status != pqnn_status_success) return status;
  if (input_height == 0 || input_width == 0) {
    pqnn_log_error(function, "input size %zux%zu is empty", input_height, input_width);
    return pqnn_status_invalid_parameter;
  }
  if (adjustment_height >= op->stride_height || adjustment_width >= op->stride_width) {
    pqnn_log_error(function, "adjustment (%u, %u) must be below the stride (%u, %u)",
        (unsigned) adjustment_height, (unsigned) adjustment_width,
        (unsigned) op->stride_height, (unsigned) op->stride_width);
    return pqnn_status_invalid_parameter;
  }
  size_t oh, ow;
  if (!deconv_output_size(input_height, op->stride_height, op->kernel_height,
          op->dilation_height, adjustment_height, op->padding_top, op->padding_bottom, &oh) ||
      !deconv_output_size(input_width, op->stride_width, op->kernel_width, op->dilation_width,
          adjustment_width, op->padding_left, op->padding_right, &ow)) {
    pqnn_log_error(function, "input %zux%zu: the padding leaves no output (or its size overflows)",
        input_height, input_width);
    return pqnn_status_invalid_parameter;
  }
  size_t span, bytes;
  if (!pqnn_mul_sz(input_height, input_width, &span) || !pqnn_mul_sz(span, batch_size, &span) ||
      !pqnn_span_sz(span, op->groups * op->group_input_channels, op->input_pixel_stride, &span) ||
      !pqnn_mul_sz(span, op->spec.input_element_size, &bytes) ||
      !pqnn_mul_sz(oh, ow, &span) || !pqnn_mul_sz(span, batch_size, &span) ||
      !pqnn_span_sz(span, op->groups * op->group_output_channels, op->output_pixel_stride, &span) ||
      !pqnn_mul_sz(span, op->spec.output_element_size, &bytes) ||
      !pqnn_mul_sz(ow * op->output_pixel_stride, op->spec.output_element_size, &bytes) ||
      !pqnn_mul_sz(bytes, op->stride_height, &bytes)) {
    pqnn_log_error(function, "batch %zu of %zux%zu images overflows the buffer sizes", batch_size,
        input_height, input_width);
    return pqnn_status_invalid_parameter;
  }
  op->batch_size = batch_size;
  op->input_height = input_height;
  op->input_width = input_width;
  op->output_height = oh;
  op->output_width = ow;
  op->adjustment_height = adjustment_height;
  op->adjustment_width = adjustment_width;
  status = pqnn_prepare_deconv(function, op, threadpool);
  if (status != pqnn_status_success) return status;  /* still needs a reshape */
  if (output_height_out != NULL) *output_height_out = oh;
  if (output_width_out != NULL) *output_width_out = ow;
  op->state = pqnn_operator_state_reshaped;
  return pqnn_status_success;
}
