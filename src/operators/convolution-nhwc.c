/* 2D convolution, NHWC, every datatype. Create: check the arguments, choose the path
 * (GEMM for 1x1 stride-1 unpadded, DWCONV for depthwise multiplier 1, WINOGRAD for f32 3x3
 * stride 1 of enough channels, PATCH for one group of few input channels (every type), IGEMM
 * for the rest),
 * pack the weights, allocate the padding row. Reshape: output size, then the chosen path's
 * preparation (src/operators/<path>-path.c, next to its run-time code). */
#include <string.h>

#include "allocator.h"
#include "logging.h"
#include "operator.h"
#include "operators/paths.h"
#include "packing.h"

#define PQNN_CONV_FLAGS (PQNN_FLAG_DEPTHWISE_CONVOLUTION | PQNN_FLAG_TENSORFLOW_SAME_PADDING | \
    PQNN_FLAG_NO_WINOGRAD)

#define CHECK_NONZERO(function, a, name)                             \
  if ((a)->name == 0) {                                              \
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

/* Sizes derived from the arguments at create. */
struct conv_sizes {
  size_t output_channels;
  size_t taps;
  size_t kernel_bytes;
};

/* Create, step 1: every argument check that does not depend on the path. */
static enum pqnn_status check_conv_args(const char* function, const struct pqnn_conv2d_args* a,
    const void* kernel, uint32_t flags, const struct pqnn_gemm_op_spec* spec,
    pqnn_operator_t* op_out, struct conv_sizes* sizes) {
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
  if ((flags & ~(uint32_t) PQNN_CONV_FLAGS) != 0) {
    pqnn_log_error(function, "unsupported flags 0x%x", (unsigned) flags);
    return pqnn_status_invalid_parameter;
  }
  if ((flags & PQNN_FLAG_TENSORFLOW_SAME_PADDING) != 0 &&
      (a->padding_top | a->padding_right | a->padding_bottom | a->padding_left) != 0) {
    pqnn_log_error(function, "explicit paddings (%u, %u, %u, %u) with TENSORFLOW_SAME_PADDING",
        a->padding_top, a->padding_right, a->padding_bottom, a->padding_left);
    return pqnn_status_invalid_parameter;
  }
  if ((flags & PQNN_FLAG_DEPTHWISE_CONVOLUTION) != 0 && a->group_input_channels != 1) {
    pqnn_log_error(function, "group_input_channels is %zu with DEPTHWISE_CONVOLUTION (must be 1)",
        a->group_input_channels);
    return pqnn_status_invalid_parameter;
  }
  size_t input_channels, kernel_elements, scratch;
  if (!pqnn_mul_sz(a->groups, a->group_input_channels, &input_channels) ||
      !pqnn_mul_sz(a->groups, a->group_output_channels, &sizes->output_channels) ||
      !pqnn_mul_sz(a->kernel_height, a->kernel_width, &sizes->taps) ||
      !pqnn_mul_sz(sizes->output_channels, sizes->taps, &kernel_elements) ||
      !pqnn_mul_sz(kernel_elements, a->group_input_channels, &kernel_elements) ||
      !pqnn_mul_sz(kernel_elements, spec->kernel_element_size, &sizes->kernel_bytes) ||
      !pqnn_mul_sz(a->input_channel_stride, spec->input_element_size, &scratch) ||
      !pqnn_mul_sz(a->output_channel_stride, spec->output_element_size, &scratch)) {
    pqnn_log_error(function, "channel or kernel sizes overflow");
    return pqnn_status_invalid_parameter;
  }
  if (a->input_channel_stride < input_channels) {
    pqnn_log_error(function, "input_channel_stride (%zu) is below groups * group_input_channels (%zu)",
        a->input_channel_stride, input_channels);
    return pqnn_status_invalid_parameter;
  }
  if (a->output_channel_stride < sizes->output_channels) {
    pqnn_log_error(function, "output_channel_stride (%zu) is below groups * group_output_channels (%zu)",
        a->output_channel_stride, sizes->output_channels);
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
  return pqnn_status_success;
}

/* Create, step 2: the path (and for DWCONV its kernel). */
static enum pqnn_gemm_path choose_conv_path(const struct pqnn_conv2d_args* a, uint32_t flags,
    const struct pqnn_gemm_op_spec* spec, size_t taps, const struct pqnn_dwconv_kernel** dw) {
  *dw = NULL;
  if (a->group_input_channels == 1 && a->group_output_channels == 1 &&
      spec->dwconv_config != NULL) {
    *dw = pqnn_dwconv_config_select(spec->dwconv_config, taps);
    if (*dw != NULL) return pqnn_gemm_path_dwconv;
  }
  if (!spec->dynamic_quantization && a->kernel_height == 1 && a->kernel_width == 1 &&
      a->stride_height == 1 && a->stride_width == 1 &&
      (a->padding_top | a->padding_right | a->padding_bottom | a->padding_left) == 0 &&
      spec->gemm_config->gemm[1] != NULL) {
    /* SAME padding of a 1x1 stride-1 kernel is always zero. */
    return pqnn_gemm_path_gemm;
  }
  if (pqnn_winograd_fits(a, flags, spec)) return pqnn_gemm_path_winograd;
  if (pqnn_patch_path_fits(a->groups, a->group_input_channels, a->kernel_height, taps,
          spec->input_element_size, spec->gemm_config)) {
    return pqnn_gemm_path_patch;
  }
  return pqnn_gemm_path_igemm;
}

/* The packed K geometry of a GEMM-like path: taps x channels per tap (IGEMM), or one tap
 * of all the taps' channels (PATCH: the OHWI kernel as one [oc][K] matrix). */
static void packed_k(const struct pqnn_conv2d_args* a, size_t taps, enum pqnn_gemm_path path,
    size_t* ks, size_t* kc) {
  *ks = path == pqnn_gemm_path_igemm ? taps : 1;
  *kc = path == pqnn_gemm_path_patch ? taps * a->group_input_channels : a->group_input_channels;
}

/* Bytes of packed weights for the path (0 on overflow); *group_size: one group's (GEMM,
 * IGEMM and PATCH). */
static size_t packed_conv_size(const struct pqnn_conv2d_args* a,
    const struct pqnn_gemm_op_spec* spec, const struct conv_sizes* sizes,
    enum pqnn_gemm_path path, const struct pqnn_dwconv_kernel* dw, size_t* group_size) {
  *group_size = 0;
  if (path == pqnn_gemm_path_dwconv) {
    if (spec->dwconv_config->tap_group > 1) {  /* int8 tap groups (the vpdpbusd quads) */
      return pqnn_packed_dwconv_size(sizes->output_channels,
          pqnn_round_up(sizes->taps, spec->dwconv_config->tap_group), dw->channel_tile, 1,
          spec->dwconv_prefix_size, spec->dwconv_suffix_size);
    }
    if (spec->dwconv_tap_pairs) {  /* int16 weights, taps rounded up to pairs */
      return pqnn_packed_dwconv_size(sizes->output_channels, pqnn_round_up(sizes->taps, 2),
          dw->channel_tile, 2, spec->dwconv_prefix_size, spec->dwconv_suffix_size);
    }
    return pqnn_packed_dwconv_size(sizes->output_channels, sizes->taps, dw->channel_tile,
        spec->packed_element_size, spec->dwconv_prefix_size, spec->dwconv_suffix_size);
  }
  if (path == pqnn_gemm_path_winograd) {  /* one group per transformed point */
    *group_size = pqnn_winograd_group_size(a, spec);
    size_t packed_size;
    if (*group_size == 0 ||
        !pqnn_mul_sz(*group_size, PQNN_WINOGRAD_ALPHA * PQNN_WINOGRAD_ALPHA, &packed_size)) {
      return 0;
    }
    return packed_size;
  }
  const struct pqnn_gemm_config* config = spec->gemm_config;
  size_t ks, kc;
  packed_k(a, sizes->taps, path, &ks, &kc);
  *group_size = pqnn_packed_gemm_group_size(a->group_output_channels, ks, kc, config->nr,
      config->kr, spec->packed_element_size, spec->packed_prefix_size, spec->packed_suffix_size);
  size_t packed_size;
  if (*group_size == 0 || !pqnn_mul_sz(*group_size, a->groups, &packed_size)) return 0;
  return packed_size;
}

/* Create, step 3: packs the weights into op->packed_weights (allocated, packed_size bytes),
 * through a rearranged copy when the kernel is not in the packer's layout. */
static enum pqnn_status pack_conv_weights(const char* function, struct pqnn_operator* op,
    const struct pqnn_conv2d_args* a, const struct pqnn_gemm_op_spec* spec,
    const struct conv_sizes* sizes, enum pqnn_gemm_path path,
    const struct pqnn_dwconv_kernel* dw, const void* kernel, bool depthwise_flag,
    size_t packed_size) {
  op->packed_weights = pqnn_allocate_streamed(packed_size);
  if (op->packed_weights == NULL) {
    pqnn_log_error(function, "cannot allocate %zu bytes of packed weights", packed_size);
    return pqnn_status_out_of_memory;
  }
  /* zero-filled: padding a packer skips compares equal (runtime-weights.c) */
  memset(op->packed_weights, 0, packed_size);
  op->packed_weights_size = packed_size;
  if (path == pqnn_gemm_path_winograd) {  /* OHWI, one group (no depthwise flag) */
    return pqnn_pack_winograd(function, op, a, spec, (const float*) kernel);
  }
  const bool rearrange = path == pqnn_gemm_path_dwconv ? !depthwise_flag : depthwise_flag;
  void* temp = NULL;
  const void* packer_kernel = kernel;
  if (rearrange) {
    temp = pqnn_allocate(sizes->kernel_bytes);
    if (temp == NULL) {
      pqnn_log_error(function, "cannot allocate %zu bytes to rearrange the kernel",
          sizes->kernel_bytes);
      return pqnn_status_out_of_memory;
    }
    if (path == pqnn_gemm_path_dwconv) {
      ohwi_to_depthwise(sizes->output_channels, sizes->taps, spec->kernel_element_size, kernel,
          temp);
    } else {
      depthwise_to_ohwi(a->groups, a->group_output_channels, sizes->taps,
          spec->kernel_element_size, kernel, temp);
    }
    packer_kernel = temp;
  }
  if (path == pqnn_gemm_path_dwconv) {
    spec->pack_dwconv(spec->spec_context, sizes->output_channels, sizes->taps, dw->channel_tile,
        packer_kernel, op->packed_weights);
    op->dwconv_kernel = *dw;
    op->dwconv_row = pqnn_dwconv_config_row(spec->dwconv_config, dw);
    op->dwconv_row_edges = !spec->dwconv_config->rows_without_edges;
  } else {
    const struct pqnn_gemm_config* config = spec->gemm_config;
    size_t ks, kc;
    packed_k(a, sizes->taps, path, &ks, &kc);
    spec->pack_gemm(spec->spec_context, a->groups, a->group_output_channels, ks, kc, config->nr,
        config->kr, false, packer_kernel, op->packed_weights);
    /* possibly the column tail on a narrower tile (gemm-tail.c) */
    const struct pqnn_gemm_config* tail = path == pqnn_gemm_path_gemm ||
            path == pqnn_gemm_path_igemm
        ? pqnn_gemm_tail_config(config, a->group_output_channels, spec->dynamic_quantization,
              path == pqnn_gemm_path_igemm)
        : NULL;
    const enum pqnn_status status = pqnn_pack_gemm_tail(function, op, spec, tail, a->groups,
        a->group_output_channels, ks, kc, false, packer_kernel, packed_size);
    if (status != pqnn_status_success) {
      pqnn_release(temp);
      return status;
    }
  }
  pqnn_release(temp);
  return pqnn_status_success;
}

/* Create, step 4: the padding row that indirection entries point to (IGEMM: kc bytes;
 * DWCONV: `channels` elements), filled with the datatype's zero byte; for qd8, the lock
 * under which runs refill it. GEMM and PATCH (which writes padding into its gathered rows)
 * have none. */
static enum pqnn_status allocate_padding_row(const char* function, struct pqnn_operator* op,
    const struct pqnn_conv2d_args* a, const struct pqnn_gemm_op_spec* spec,
    enum pqnn_gemm_path path, size_t output_channels) {
  if (path == pqnn_gemm_path_gemm || path == pqnn_gemm_path_patch) return pqnn_status_success;
  op->zero_buffer_size = (path == pqnn_gemm_path_dwconv ? output_channels
      : path == pqnn_gemm_path_winograd  /* also its zero bias (winograd-path.c) */
          ? pqnn_max_sz(a->group_input_channels, a->group_output_channels)
          : a->group_input_channels) * spec->input_element_size;
  op->zero_buffer = pqnn_allocate(op->zero_buffer_size);
  if (op->zero_buffer == NULL) {
    pqnn_log_error(function, "cannot allocate %zu bytes of padding", op->zero_buffer_size);
    return pqnn_status_out_of_memory;
  }
  memset(op->zero_buffer, spec->zero_byte, op->zero_buffer_size);
  if (spec->dynamic_quantization || path == pqnn_gemm_path_winograd) {
    /* qd8: the row is refilled per image at run, under this lock (see igemm-path.c);
     * Winograd: runs share the workspace (winograd-path.c). */
    op->padding_lock = (pthread_mutex_t*) pqnn_allocate(sizeof(pthread_mutex_t));
    if (op->padding_lock == NULL) {
      pqnn_log_error(function, "cannot allocate the padding lock");
      return pqnn_status_out_of_memory;
    }
    if (pthread_mutex_init(op->padding_lock, NULL) != 0) {
      pqnn_release(op->padding_lock);
      op->padding_lock = NULL;
      pqnn_log_error(function, "cannot initialize the padding lock");
      return pqnn_status_out_of_memory;
    }
  }
  return pqnn_status_success;
}

/* Create, step 5: records the geometry and what create chose. */
static void init_conv_operator(struct pqnn_operator* op, const struct pqnn_conv2d_args* a,
    uint32_t flags, const struct pqnn_gemm_op_spec* spec, enum pqnn_gemm_path path,
    size_t group_size) {
  op->type = spec->type;
  op->flags = flags;
  op->spec = *spec;
  op->spec.spec_context = NULL;
  op->path = path;
  op->gemm_config = spec->gemm_config;
  pqnn_set_conv_geometry(op, a);
  op->packed_group_stride = group_size;
  op->packed_panel_stride = path == pqnn_gemm_path_dwconv ? 0
      : group_size / pqnn_divide_round_up(a->group_output_channels, spec->gemm_config->nr);
  op->state = pqnn_operator_state_created;
}

bool pqnn_convolution_igemm_takes_narrow_tile(const struct pqnn_gemm_config* config, size_t n,
    bool dynamic_quantization) {
  /* any K: K only chooses between the narrow tile and its own narrow one */
  return config != NULL &&
      pqnn_narrow_gemm_config(config, n, SIZE_MAX, dynamic_quantization, true) != config;
}

enum pqnn_status pqnn_create_convolution2d(const char* function,
    const struct pqnn_conv2d_args* args, const void* kernel, uint32_t flags,
    const struct pqnn_gemm_op_spec* spec, pqnn_operator_t* op_out) {
  struct conv_sizes sizes;
  enum pqnn_status status = check_conv_args(function, args, kernel, flags, spec, op_out, &sizes);
  if (status != pqnn_status_success) return status;
  const struct pqnn_dwconv_kernel* dw;
  const enum pqnn_gemm_path path = choose_conv_path(args, flags, spec, sizes.taps, &dw);
  struct pqnn_gemm_op_spec narrow_spec;
  /* IGEMM: any kernel, and qd8 1x1 convolutions (one quantization entry per image). */
  const bool igemm = path == pqnn_gemm_path_igemm;
  if (path == pqnn_gemm_path_patch || path == pqnn_gemm_path_gemm || igemm) {
    /* possibly a narrower tile (config.h): f32 stems (3x3 s2, 3 -> 16) and grouped layers
     * of few output channels per group compute half the FMAs on it */
    const size_t n = args->group_output_channels;
    narrow_spec = *spec;
    narrow_spec.gemm_config = path == pqnn_gemm_path_patch
        ? pqnn_patch_config(spec->gemm_config, n, spec->dynamic_quantization)
        : pqnn_narrow_gemm_config(spec->gemm_config, n,
              (size_t) args->kernel_height * args->kernel_width * args->group_input_channels,
              spec->dynamic_quantization, igemm);
    spec = &narrow_spec;
  } else if (path == pqnn_gemm_path_winograd) {  /* possibly the pair tile (N = 24) */
    narrow_spec = *spec;
    narrow_spec.gemm_config =
        pqnn_winograd_gemm_config(spec->gemm_config, args->group_output_channels);
    spec = &narrow_spec;
  }
  size_t group_size;
  const size_t packed_size = packed_conv_size(args, spec, &sizes, path, dw, &group_size);
  if (packed_size == 0) {
    pqnn_log_error(function, "packed weight size overflows");
    return pqnn_status_invalid_parameter;
  }
  struct pqnn_operator* op = pqnn_allocate_operator();
  if (op == NULL) {
    pqnn_log_error(function, "cannot allocate the operator");
    return pqnn_status_out_of_memory;
  }
  status = pack_conv_weights(function, op, args, spec, &sizes, path, dw, kernel,
      (flags & PQNN_FLAG_DEPTHWISE_CONVOLUTION) != 0, packed_size);
  if (status == pqnn_status_success) {
    status = allocate_padding_row(function, op, args, spec, path, sizes.output_channels);
  }
  if (status != pqnn_status_success) {
    pqnn_delete_operator(op);
    return status;
  }
  init_conv_operator(op, args, flags, spec, path, group_size);
  *op_out = op;
  return pqnn_status_success;
}

/* Output size and the padding before the first pixel along one dimension, all in size_t:
 * TF SAME padding of a dilated kernel can exceed 32 bits. False when the padded input is
 * smaller than the dilated kernel, or when the dilated kernel, the padded input or (SAME)
 * the span the outputs need overflows size_t (possible where size_t has 32 bits). */
static bool output_dimension(size_t input, uint32_t kernel, uint32_t stride, uint32_t dilation,
    bool same, uint32_t pad_before, uint32_t pad_after, size_t* output, size_t* before) {
  /* Checked: with a 32-bit size_t (WASM) the dilated extent can overflow. */
  size_t effective;
  if (!pqnn_mul_sz((size_t) kernel - 1, dilation, &effective) ||
      !pqnn_add_sz(effective, 1, &effective)) {
    return false;
  }
  if (same) {
    const size_t out = pqnn_divide_round_up(input, stride);
    size_t needed;
    if (!pqnn_mul_sz(out - 1, stride, &needed) || !pqnn_add_sz(needed, effective, &needed)) {
      return false;
    }
    const size_t total = needed > input ? needed - input : 0;
    *before = total / 2;
    *output = out;
    return true;
  }
  size_t padded;
  if (!pqnn_add_sz(input, pad_before, &padded) || !pqnn_add_sz(padded, pad_after, &padded) ||
      padded < effective) {
    return false;
  }
  *before = pad_before;
  *output = (padded - effective) / stride + 1;
  return true;
}

/* Reshape, step 1: the output size and the geometry the indirection is built from; checks
 * that no buffer size overflows. */
static enum pqnn_status conv_geometry(const char* function, const struct pqnn_operator* op,
    size_t batch_size, size_t input_height, size_t input_width,
    struct pqnn_conv_geometry* geometry) {
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
    pqnn_log_error(function, "input %zux%zu plus padding is smaller than the dilated kernel "
        "(or its SAME padding overflows)", input_height, input_width);
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
  *geometry = (struct pqnn_conv_geometry) {
    .input_height = input_height, .input_width = input_width,
    .output_height = output_height, .output_width = output_width,
    .kernel_height = op->kernel_height, .kernel_width = op->kernel_width,
    .stride_height = op->stride_height, .stride_width = op->stride_width,
    .dilation_height = op->dilation_height, .dilation_width = op->dilation_width,
    .padding_top = pad_top, .padding_left = pad_left,
    .pixel_stride_bytes = op->input_pixel_stride * op->spec.input_element_size,
  };
  return pqnn_status_success;
}

enum pqnn_status pqnn_reshape_convolution2d(const char* function, pqnn_operator_t op,
    enum pqnn_operator_type type, size_t batch_size, size_t input_height, size_t input_width,
    size_t* output_height_out, size_t* output_width_out, pthreadpool_t threadpool) {
  enum pqnn_status status = pqnn_begin_reshape(function, op, type);
  if (status != pqnn_status_success) return status;
  struct pqnn_conv_geometry geometry;
  status = conv_geometry(function, op, batch_size, input_height, input_width, &geometry);
  if (status != pqnn_status_success) return status;
  op->batch_size = batch_size;
  op->input_height = input_height;
  op->input_width = input_width;
  op->output_height = geometry.output_height;
  op->output_width = geometry.output_width;
  switch (op->path) {
    case pqnn_gemm_path_gemm:
      pqnn_prepare_gemm(op, batch_size * input_height * input_width, threadpool);
      break;
    case pqnn_gemm_path_igemm:
      status = pqnn_prepare_igemm(function, op, &geometry, threadpool);
      break;
    case pqnn_gemm_path_dwconv:
      status = pqnn_prepare_dwconv(function, op, &geometry);
      break;
    case pqnn_gemm_path_patch:
      pqnn_prepare_patch(op, &geometry, threadpool);
      break;
    case pqnn_gemm_path_winograd:
      status = pqnn_prepare_winograd(function, op, &geometry, threadpool);
      break;
  }
  if (status != pqnn_status_success) return status;  /* still needs a reshape */
  if (output_height_out != NULL) *output_height_out = geometry.output_height;
  if (output_width_out != NULL) *output_width_out = geometry.output_width;
  op->state = pqnn_operator_state_reshaped;
  return pqnn_status_success;
}
