/* Transposed convolution (deconvolution 2D) node: define, shape and datatype rules. It runs
 * through the public deconvolution operators like FC / conv (runtime-ops-gemm.c), so the
 * dynamic quantization and f16 passes treat it as they treat a convolution. */
#include "logging.h"
#include "runtime/nodes/compute-nodes.h"
#include "runtime/runtime-shared.h"

/* (in - 1) * up + (k - 1) * dilation + 1 + adjustment - pads; false when not positive or
 * overflowing. */
static bool output_size(size_t in, uint32_t up, uint32_t k, uint32_t dilation,
    uint32_t adjustment, uint32_t pad_before, uint32_t pad_after, size_t* out) {
  size_t span, reach, total;
  if (in == 0 || !pqnn_mul_sz(in - 1, up, &reach) ||
      !pqnn_mul_sz((size_t) k - 1, dilation, &span) || !pqnn_add_sz(reach, span, &total) ||
      !pqnn_add_sz(total, 1 + (size_t) adjustment, &total)) {
    return false;
  }
  const size_t pads = (size_t) pad_before + pad_after;
  if (total <= pads) return false;
  *out = total - pads;
  return true;
}

static enum pqnn_status infer(const char* function, const struct pqnn_node* node,
    const struct pqnn_shape* const* in, struct pqnn_shape* out) {
  const struct pqnn_conv_params* p = &node->conv;
  const struct pqnn_shape* x = in[0];
  const struct pqnn_shape* w = in[1];
  const size_t channels_in = (size_t) p->groups * p->group_input_channels;
  const size_t channels_out = (size_t) p->groups * p->group_output_channels;
  const char* what = NULL;
  size_t oh = 0, ow = 0;
  if (x->num_dims != 4 || x->dim[3] != channels_in) {
    what = "input must be [N][H][W][groups * group_input_channels]";
  } else if (w->num_dims != 4 || w->dim[0] != channels_out || w->dim[1] != p->kernel_height ||
             w->dim[2] != p->kernel_width || w->dim[3] != p->group_input_channels) {
    what = "filter must be [groups * group_output_channels][kh][kw][group_input_channels]";
  } else if (node->num_inputs > 2 && (in[2]->num_dims != 1 || in[2]->dim[0] != channels_out)) {
    what = "bias must be [groups * group_output_channels]";
  } else if (!output_size(x->dim[1], p->stride_height, p->kernel_height, p->dilation_height,
                 node->compute.adjustment_height, p->pad_top, p->pad_bottom, &oh) ||
             !output_size(x->dim[2], p->stride_width, p->kernel_width, p->dilation_width,
                 node->compute.adjustment_width, p->pad_left, p->pad_right, &ow)) {
    what = "the padding leaves no output (or the output size overflows)";
  }
  if (what != NULL) {
    pqnn_log_error(function, "shape mismatch: %s", what);
    return pqnn_status_invalid_parameter;
  }
  *out = (struct pqnn_shape) {.num_dims = 4, .dim = {x->dim[0], oh, ow, channels_out}};
  return pqnn_status_success;
}

static enum pqnn_status check(const char* function, const struct pqnn_node* node,
    const struct pqnn_value* const* in, const struct pqnn_value* out) {
  return pqnn_compute_check_float(function, node, in, out, 0x6u);  /* static filter, bias */
}

enum pqnn_status pqnn_define_deconvolution_2d(pqnn_subgraph_t subgraph, uint32_t padding_top,
    uint32_t padding_right, uint32_t padding_bottom, uint32_t padding_left,
    uint32_t adjustment_height, uint32_t adjustment_width, uint32_t kernel_height,
    uint32_t kernel_width, uint32_t upsampling_height, uint32_t upsampling_width,
    uint32_t dilation_height, uint32_t dilation_width, uint32_t groups,
    size_t group_input_channels, size_t group_output_channels, float output_min,
    float output_max, uint32_t input_id, uint32_t filter_id, uint32_t bias_id,
    uint32_t output_id, uint32_t flags) {
  size_t channels;
  if (kernel_height == 0 || kernel_width == 0 || upsampling_height == 0 ||
      upsampling_width == 0 || dilation_height == 0 || dilation_width == 0) {
    PQNN_LOG_ERROR("kernel, upsampling and dilation must be positive");
    return pqnn_status_invalid_parameter;
  }
  if (adjustment_height >= upsampling_height || adjustment_width >= upsampling_width) {
    PQNN_LOG_ERROR("adjustment (%u, %u) must be below the upsampling (%u, %u)",
        (unsigned) adjustment_height, (unsigned) adjustment_width,
        (unsigned) upsampling_height, (unsigned) upsampling_width);
    return pqnn_status_invalid_parameter;
  }
  if (groups == 0 || group_input_channels == 0 || group_output_channels == 0 ||
      !pqnn_mul_sz(groups, group_input_channels, &channels) ||
      !pqnn_mul_sz(groups, group_output_channels, &channels)) {
    PQNN_LOG_ERROR("groups (%u) and channels (%zu, %zu) must be positive and not overflow",
        (unsigned) groups, group_input_channels, group_output_channels);
    return pqnn_status_invalid_parameter;
  }
  struct pqnn_node node = {.type = pqnn_node_type_deconvolution_2d,
      .num_inputs = bias_id == PQNN_INVALID_VALUE_ID ? 2 : 3,
      .inputs = {input_id, filter_id, bias_id}, .output = output_id,
      .output_min = output_min, .output_max = output_max, .flags = flags,
      .conv = {padding_top, padding_right, padding_bottom, padding_left, kernel_height,
          kernel_width, upsampling_height, upsampling_width, dilation_height, dilation_width,
          groups, group_input_channels, group_output_channels},
      .compute = {.adjustment_height = adjustment_height, .adjustment_width = adjustment_width}};
  return pqnn_subgraph_define_node(__func__, subgraph, &node, 0);
}

/* Planned as a GEMM-like node (pqnn_rt_is_gemm_node): the deconvolution operators run it
 * (f32, f16, and qd8 under dynamic quantization; src/operators/deconvolution-nhwc.c), so
 * the descriptor has no executor or kernels of its own. */
const struct pqnn_compute_node pqnn_deconvolution_2d_node = {
    pqnn_node_type_deconvolution_2d, infer, check, NULL, NULL, NULL};
