/* 2D convolution, NHWC, every datatype: validation of the geometry, the choice between
 * GEMM (1x1, stride 1, unpadded), DWCONV (depthwise, multiplier 1) and IGEMM (everything
 * else, through an indirection buffer), weight packing, and reshape-time indirection. */
#include <string.h>

#include "allocator.h"
#include "indirection.h"
#include "logging.h"
#include "operator.h"
#include "packing.h"

#define PQNN_CONV_FLAGS (PQNN_FLAG_DEPTHWISE_CONVOLUTION | PQNN_FLAG_TENSORFLOW_SAME_PADDING)

#define CHECK_NONZERO(function, name)                                \
  if ((name) == 0) {                                                 \
    pqnn_log_error(function, #name " is 0");                         \
    return pqnn_status_invalid_parameter;                            \
  }

/* Rearranges a depthwise kernel [taps][groups * m] into OHWI per group [groups][m][taps][1]. */
static void depthwise_to_ohwi(size_t groups, size_t m, size_t taps, size_t element_size,
    const void* kernel, void* out) {
  const char* in = (const char*) kernel;
  char* o = (char*) out;
  for (size_t c = 0; c < groups * m; c++) {
    for (size_t t = 0; t < taps; t++) {
      memcpy(o + (c * taps + t) * element_size, in + (t * groups * m + c) * element_size,
          element_size);
    }
  }
}

/* Rearranges a grouped kernel [channels][taps] (group_input = group_output = 1) into the
 * depthwise layout [taps][channels]. */
static void ohwi_to_depthwise(size_t channels, size_t taps, size_t element_size,
    const void* kernel, void* out) {
  const char* in = (const char*) kernel;
  char* o = (char*) out;
  for (size_t t = 0; t < taps; t++) {
    for (size_t c = 0; c < channels; c++) {
      memcpy(o + (t * channels + c) * element_size, in + (c * taps + t) * element_size,
          element_size);
    }
  }
}

enum pqnn_status pqnn_create_convolution2d(const char* function, uint32_t padding_top,
    uint32_t padding_right, uint32_t padding_bottom, uint32_t padding_left,
    uint32_t kernel_height, uint32_t kernel_width, uint32_t stride_height,
    uint32_t stride_width, uint32_t dilation_height, uint32_t dilation_width, uint32_t groups,
    size_t group_input_channels, size_t group_output_channels, size_t input_channel_stride,
    size_t output_channel_stride, const void* kernel, uint32_t flags,
    const struct pqnn_gemm_op_spec* spec, pqnn_operator_t* op_out) {
  enum pqnn_status status = pqnn_check_initialized(function);
  if (status != pqnn_status_success) return status;
  if (op_out == NULL) {
    pqnn_log_error(function, "op_out is NULL");
    return pqnn_status_invalid_parameter;
  }
  CHECK_NONZERO(function, kernel_height);
  CHECK_NONZERO(function, kernel_width);
  CHECK_NONZERO(function, stride_height);
  CHECK_NONZERO(function, stride_width);
  CHECK_NONZERO(function, dilation_height);
  CHECK_NONZERO(function, dilation_width);
  CHECK_NONZERO(function, groups);
  CHECK_NONZERO(function, group_input_channels);
  CHECK_NONZERO(function, group_output_channels);
  if ((flags & ~(uint32_t) PQNN_CONV_FLAGS) != 0) {
    pqnn_log_error(function, "unsupported flags 0x%x", (unsigned) flags);
    return pqnn_status_invalid_parameter;
  }
  if ((flags & PQNN_FLAG_TENSORFLOW_SAME_PADDING) != 0 &&
      (padding_top | padding_right | padding_bottom | padding_left) != 0) {
    pqnn_log_error(function, "explicit paddings (%u, %u, %u, %u) with TENSORFLOW_SAME_PADDING",
        padding_top, padding_right, padding_bottom, padding_left);
    return pqnn_status_invalid_parameter;
  }
  const bool depthwise_flag = (flags & PQNN_FLAG_DEPTHWISE_CONVOLUTION) != 0;
  if (depthwise_flag && group_input_channels != 1) {
    pqnn_log_error(function, "group_input_channels is %zu with DEPTHWISE_CONVOLUTION (must be 1)",
        group_input_channels);
    return pqnn_status_invalid_parameter;
  }
  size_t input_channels, output_channels, taps, kernel_elements, kernel_bytes, scratch;
  if (!pqnn_mul_sz(groups, group_input_channels, &input_channels) ||
      !pqnn_mul_sz(groups, group_output_channels, &output_channels) ||
      !pqnn_mul_sz(kernel_height, kernel_width, &taps) ||
      !pqnn_mul_sz(output_channels, taps, &kernel_elements) ||
      !pqnn_mul_sz(kernel_elements, group_input_channels, &kernel_elements) ||
      !pqnn_mul_sz(kernel_elements, spec->kernel_element_size, &kernel_bytes) ||
      !pqnn_mul_sz(input_channel_stride, spec->input_element_size, &scratch) ||
      !pqnn_mul_sz(output_channel_stride, spec->output_element_size, &scratch)) {
    pqnn_log_error(function, "channel or kernel sizes overflow");
    return pqnn_status_invalid_parameter;
  }
  if (input_channel_stride < input_channels) {
    pqnn_log_error(function, "input_channel_stride (%zu) is below groups * group_input_channels (%zu)",
        input_channel_stride, input_channels);
    return pqnn_status_invalid_parameter;
  }
  if (output_channel_stride < output_channels) {
    pqnn_log_error(function, "output_channel_stride (%zu) is below groups * group_output_channels (%zu)",
        output_channel_stride, output_channels);
    return pqnn_status_invalid_parameter;
  }
  if (kernel == NULL) {
    pqnn_log_error(function, "kernel is NULL");
    return pqnn_status_invalid_parameter;
  }
  const struct pqnn_gemm_config* config = spec->gemm_config;
  if (config == NULL || (spec->dynamic_quantization ? config->dqigemm[1] == NULL
                                                    : config->igemm[1] == NULL)) {
    pqnn_log_error(function, "no microkernel for this datatype on this CPU");
    return pqnn_status_unsupported_hardware;
  }

  /* Choose the path. */
  enum pqnn_gemm_path path = pqnn_gemm_path_igemm;
  const struct pqnn_dwconv_kernel* dw = NULL;
  if (group_input_channels == 1 && group_output_channels == 1 && spec->dwconv_config != NULL) {
    dw = pqnn_dwconv_config_select(spec->dwconv_config, taps);
    if (dw != NULL) path = pqnn_gemm_path_dwconv;
  }
  if (path == pqnn_gemm_path_igemm && !spec->dynamic_quantization && kernel_height == 1 &&
      kernel_width == 1 && stride_height == 1 && stride_width == 1 &&
      (padding_top | padding_right | padding_bottom | padding_left) == 0 &&
      config->gemm[1] != NULL) {
    /* SAME padding of a 1x1 stride-1 kernel is always zero. */
    path = pqnn_gemm_path_gemm;
  }

  size_t packed_size, group_size = 0;
  if (path == pqnn_gemm_path_dwconv) {
    packed_size = pqnn_packed_dwconv_size(output_channels, taps, dw->channel_tile,
        spec->packed_element_size, spec->dwconv_prefix_size, spec->dwconv_suffix_size);
  } else {
    group_size = pqnn_packed_gemm_group_size(group_output_channels,
        path == pqnn_gemm_path_gemm ? 1 : taps, group_input_channels, config->nr, config->kr,
        spec->packed_element_size, spec->packed_prefix_size, spec->packed_suffix_size);
    if (group_size == 0 || !pqnn_mul_sz(group_size, groups, &packed_size)) packed_size = 0;
  }
  if (packed_size == 0) {
    pqnn_log_error(function, "packed weight size overflows");
    return pqnn_status_invalid_parameter;
  }

  struct pqnn_operator* op = pqnn_allocate_operator();
  if (op == NULL) {
    pqnn_log_error(function, "cannot allocate the operator");
    return pqnn_status_out_of_memory;
  }
  op->packed_weights = pqnn_allocate(packed_size);
  if (op->packed_weights == NULL) {
    pqnn_log_error(function, "cannot allocate %zu bytes of packed weights", packed_size);
    pqnn_delete_operator(op);
    return pqnn_status_out_of_memory;
  }
  /* Kernels not in the packer's layout are rearranged through a temporary copy. */
  const bool rearrange = path == pqnn_gemm_path_dwconv ? !depthwise_flag : depthwise_flag;
  void* temp = NULL;
  const void* packer_kernel = kernel;
  if (rearrange) {
    temp = pqnn_allocate(kernel_bytes);
    if (temp == NULL) {
      pqnn_log_error(function, "cannot allocate %zu bytes to rearrange the kernel", kernel_bytes);
      pqnn_delete_operator(op);
      return pqnn_status_out_of_memory;
    }
    if (path == pqnn_gemm_path_dwconv) {
      ohwi_to_depthwise(output_channels, taps, spec->kernel_element_size, kernel, temp);
    } else {
      depthwise_to_ohwi(groups, group_output_channels, taps, spec->kernel_element_size, kernel,
          temp);
    }
    packer_kernel = temp;
  }
  if (path == pqnn_gemm_path_dwconv) {
    spec->pack_dwconv(spec->spec_context, output_channels, taps, dw->channel_tile,
        packer_kernel, op->packed_weights);
    op->dwconv_kernel = *dw;
  } else {
    spec->pack_gemm(spec->spec_context, groups, group_output_channels,
        path == pqnn_gemm_path_gemm ? 1 : taps, group_input_channels, config->nr, config->kr,
        false, packer_kernel, op->packed_weights);
  }
  pqnn_release(temp);

  if (path != pqnn_gemm_path_gemm) {
    /* The padding row: kc bytes for IGEMM, `channels` elements for DWCONV. */
    op->zero_buffer_size = (path == pqnn_gemm_path_dwconv ? output_channels : group_input_channels) *
        spec->input_element_size;
    op->zero_buffer = pqnn_allocate(op->zero_buffer_size);
    if (op->zero_buffer == NULL) {
      pqnn_log_error(function, "cannot allocate %zu bytes of padding", op->zero_buffer_size);
      pqnn_delete_operator(op);
      return pqnn_status_out_of_memory;
    }
    memset(op->zero_buffer, spec->zero_byte, op->zero_buffer_size);
  }

  op->type = spec->type;
  op->flags = flags;
  op->spec = *spec;
  op->spec.spec_context = NULL;
  op->path = path;
  op->gemm_config = config;
  op->groups = groups;
  op->group_input_channels = group_input_channels;
  op->group_output_channels = group_output_channels;
  op->input_pixel_stride = input_channel_stride;
  op->output_pixel_stride = output_channel_stride;
  op->padding_top = padding_top;
  op->padding_right = padding_right;
  op->padding_bottom = padding_bottom;
  op->padding_left = padding_left;
  op->kernel_height = kernel_height;
  op->kernel_width = kernel_width;
  op->stride_height = stride_height;
  op->stride_width = stride_width;
  op->dilation_height = dilation_height;
  op->dilation_width = dilation_width;
  op->packed_group_stride = group_size;
  op->packed_panel_stride = path == pqnn_gemm_path_dwconv ? 0
      : group_size / pqnn_divide_round_up(group_output_channels, config->nr);
  op->state = pqnn_operator_state_created;
  *op_out = op;
  return pqnn_status_success;
}

/* Output size and the paddings before/after along one dimension. */
static bool output_dimension(size_t input, uint32_t kernel, uint32_t stride, uint32_t dilation,
    bool same, uint32_t pad_before, uint32_t pad_after, size_t* output, size_t* before) {
  const size_t effective = ((size_t) kernel - 1) * dilation + 1;
  if (same) {
    const size_t out = pqnn_divide_round_up(input, stride);
    const size_t needed = (out - 1) * stride + effective;
    const size_t total = needed > input ? needed - input : 0;
    *before = total / 2;
    *output = out;
    return true;
  }
  const size_t padded = input + pad_before + pad_after;
  if (padded < effective) return false;
  *before = pad_before;
  *output = (padded - effective) / stride + 1;
  return true;
}

enum pqnn_status pqnn_reshape_convolution2d(const char* function, pqnn_operator_t op,
    enum pqnn_operator_type type, size_t batch_size, size_t input_height, size_t input_width,
    size_t* output_height_out, size_t* output_width_out, pthreadpool_t threadpool) {
  enum pqnn_status status = pqnn_check_operator(function, op, type);
  if (status != pqnn_status_success) return status;
  if (input_height == 0 || input_width == 0) {
    pqnn_log_error(function, "input size %zux%zu is empty", input_height, input_width);
    return pqnn_status_invalid_parameter;
  }
  if (input_height > (SIZE_MAX >> 2) || input_width > (SIZE_MAX >> 2)) {
    pqnn_log_error(function, "input size %zux%zu overflows", input_height, input_width);
    return pqnn_status_invalid_parameter;
  }
  const bool same = (op->flags & PQNN_FLAG_TENSORFLOW_SAME_PADDING) != 0;
  size_t output_height, output_width, pad_top, pad_left;
  if (!output_dimension(input_height, op->kernel_height, op->stride_height, op->dilation_height,
          same, op->padding_top, op->padding_bottom, &output_height, &pad_top) ||
      !output_dimension(input_width, op->kernel_width, op->stride_width, op->dilation_width,
          same, op->padding_left, op->padding_right, &output_width, &pad_left)) {
    pqnn_log_error(function, "input %zux%zu plus padding is smaller than the dilated kernel",
        input_height, input_width);
    return pqnn_status_invalid_parameter;
  }
  size_t input_pixels, output_pixels, span, bytes;
  if (!pqnn_mul_sz(input_height, input_width, &input_pixels) ||
      !pqnn_mul_sz(output_height, output_width, &output_pixels) ||
      !pqnn_mul_sz(input_pixels, batch_size, &span) ||
      !pqnn_span_sz(span, op->groups * op->group_input_channels, op->input_pixel_stride, &span) ||
      !pqnn_mul_sz(span, op->spec.input_element_size, &bytes) ||
      !pqnn_mul_sz(output_pixels, batch_size, &span) ||
      !pqnn_span_sz(span, op->groups * op->group_output_channels, op->output_pixel_stride, &span) ||
      !pqnn_mul_sz(span, op->spec.output_element_size, &bytes) ||
      !pqnn_mul_sz(input_pixels, op->input_pixel_stride * op->spec.input_element_size, &bytes)) {
    pqnn_log_error(function, "batch %zu of %zux%zu images overflows the buffer sizes", batch_size,
        input_height, input_width);
    return pqnn_status_invalid_parameter;
  }

  const size_t threads = pqnn_threadpool_threads(threadpool);
  const size_t in_pixel_bytes = op->input_pixel_stride * op->spec.input_element_size;
  const size_t out_pixel_bytes = op->output_pixel_stride * op->spec.output_element_size;
  const struct pqnn_conv_geometry geometry = {
    .input_height = input_height, .input_width = input_width,
    .output_height = output_height, .output_width = output_width,
    .kernel_height = op->kernel_height, .kernel_width = op->kernel_width,
    .stride_height = op->stride_height, .stride_width = op->stride_width,
    .dilation_height = op->dilation_height, .dilation_width = op->dilation_width,
    .padding_top = (uint32_t) pad_top, .padding_left = (uint32_t) pad_left,
    .pixel_stride_bytes = in_pixel_bytes,
  };
  const size_t taps = (size_t) op->kernel_height * op->kernel_width;

  if (op->path != pqnn_gemm_path_gemm) {
    size_t mr = 0, count;
    if (op->path == pqnn_gemm_path_igemm) {
      const struct pqnn_gemm_config* config = op->gemm_config;
      const bool dq = op->spec.dynamic_quantization;
      const bool mr1 = output_pixels == 1 &&
          (dq ? config->dqigemm[0] != NULL : config->igemm[0] != NULL);
      mr = mr1 ? 1 : config->mr;
      op->use_mr1 = mr1;
      count = pqnn_indirection_igemm_count(&geometry, mr);
    } else {
      count = pqnn_indirection_dwconv_count(&geometry);
    }
    if (count == 0) {
      pqnn_log_error(function, "indirection buffer size overflows");
      return pqnn_status_invalid_parameter;
    }
    const size_t needed = count * sizeof(void*);
    if (needed > op->indirection_size) {
      pqnn_release((void*) op->indirection);
      op->indirection_size = 0;
      op->indirection = (const void**) pqnn_allocate(needed);
      if (op->indirection == NULL) {
        op->state = pqnn_operator_state_created;
        pqnn_log_error(function, "cannot allocate %zu bytes of indirection buffer", needed);
        return pqnn_status_out_of_memory;
      }
      op->indirection_size = needed;
    }
    if (op->path == pqnn_gemm_path_igemm) {
      pqnn_indirection_init_igemm(op->indirection, &geometry, mr, op->zero_buffer);
    } else {
      pqnn_indirection_init_dwconv(op->indirection, &geometry, op->zero_buffer);
    }
    op->indirection_mr = mr;
  }

  op->batch_size = batch_size;
  op->input_height = input_height;
  op->input_width = input_width;
  op->output_height = output_height;
  op->output_width = output_width;

  switch (op->path) {
    case pqnn_gemm_path_gemm:
      pqnn_prepare_gemm(op, batch_size * input_pixels, threadpool);
      break;
    case pqnn_gemm_path_igemm: {
      const struct pqnn_gemm_config* config = op->gemm_config;
      struct pqnn_igemm_context* ctx = &op->context.igemm;
      memset(ctx, 0, sizeof(*ctx));
      const size_t mr = op->indirection_mr;
      ctx->kc = op->group_input_channels * op->spec.input_element_size;
      ctx->ks_bytes = taps * mr * sizeof(void*);
      ctx->mr = mr;
      ctx->indirection = op->indirection;
      ctx->ba_stride = input_pixels * in_pixel_bytes;
      ctx->ga_stride = op->group_input_channels * op->spec.input_element_size;
      ctx->zero = op->zero_buffer;
      ctx->w_panel_stride = op->packed_panel_stride;
      ctx->gw_stride = op->packed_group_stride;
      ctx->cm_stride = out_pixel_bytes;
      ctx->cn_stride = config->nr * op->spec.output_element_size;
      ctx->bc_stride = output_pixels * out_pixel_bytes;
      ctx->gc_stride = op->group_output_channels * op->spec.output_element_size;
      ctx->nr = config->nr;
      ctx->c_element_size = op->spec.output_element_size;
      ctx->igemm = config->igemm[op->use_mr1 ? 0 : 1];
      ctx->dqigemm = config->dqigemm[op->use_mr1 ? 0 : 1];
      ctx->params = op->spec.params;
      const size_t outer = op->spec.dynamic_quantization ? op->groups : batch_size * op->groups;
      pqnn_choose_gemm_tiles(output_pixels, op->group_output_channels,
          op->packed_panel_stride / config->nr, mr, config->nr, outer, threads, &op->mc_tile,
          &op->nc_tile);
      op->compute = pqnn_compute_igemm;
      break;
    }
    case pqnn_gemm_path_dwconv: {
      struct pqnn_dwconv_context* ctx = &op->context.dwconv;
      memset(ctx, 0, sizeof(*ctx));
      ctx->channels = op->groups;
      ctx->kernel_size = taps;
      ctx->output_width = output_width;
      ctx->indirection = op->indirection;
      ctx->indirection_row_stride = output_width * taps * sizeof(void*);
      ctx->input_stride = taps * sizeof(void*);
      ctx->ba_stride = input_pixels * in_pixel_bytes;
      ctx->zero = op->zero_buffer;
      ctx->packed_w = op->packed_weights;
      ctx->output_row_stride = output_width * out_pixel_bytes;
      ctx->output_batch_stride = output_pixels * out_pixel_bytes;
      ctx->output_increment = out_pixel_bytes - op->groups * op->spec.output_element_size;
      ctx->ukernel = op->dwconv_kernel.ukernel;
      ctx->params = op->spec.params;
      op->compute = pqnn_compute_dwconv;
      break;
    }
  }
  if (output_height_out != NULL) *output_height_out = output_height;
  if (output_width_out != NULL) *output_width_out = output_width;
  op->state = pqnn_operator_state_reshaped;
  return pqnn_status_success;
}
