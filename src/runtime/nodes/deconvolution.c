/* Transposed convolution (deconvolution 2D) node: define, shape and datatype rules, f32 / f16
 * kernel, executor. The kernel gathers: output pixel (oy, ox) sums, over the filter taps
 * (ky, kx) whose input pixel iy = (oy + pad_top - ky * dilation) / upsampling is an exact,
 * in-range quotient (ix likewise), input[iy][ix][g][ic] * filter[g][oc][ky][kx][ic], in f32,
 * starting from the bias; so the output rows are independent and split over the threads. */
#include <math.h>

#include "logging.h"
#include "runtime/node-kernels-blocks.h"
#include "runtime/nodes/compute-nodes.h"
#include "runtime/runtime-shared.h"

enum { kBlock = PQNN_NODE_BLOCK };

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

/* Whether output position o reads input position *i through tap k along one dim. */
static inline bool tap(size_t o, size_t k, uint32_t pad, uint32_t up, uint32_t dilation,
    size_t in, size_t* i) {
  const size_t shifted = o + pad, offset = k * dilation;
  if (shifted < offset || (shifted - offset) % up != 0) return false;
  *i = (shifted - offset) / up;
  return *i < in;
}

struct deconv_args {
  const struct pqnn_shape* xs;
  const struct pqnn_shape* ys;
  const struct pqnn_conv_params* p;
  float min, max;
  const float* x32; const uint16_t* x16;
  const float* w32; const uint16_t* w16;
  const float* b32; const uint16_t* b16;
  float* y32; uint16_t* y16;
};

/* One block of nb output channels [oc0, oc0 + nb) of group g at output pixel (n, oy, ox). */
static void deconv_block(const struct deconv_args* a, size_t n, size_t oy, size_t ox,
    size_t g, size_t oc0, size_t nb, float* acc) {
  const struct pqnn_conv_params* p = a->p;
  const size_t h = a->xs->dim[1], w = a->xs->dim[2], cin = a->xs->dim[3];
  const size_t gic = p->group_input_channels, goc = p->group_output_channels;
  const size_t taps = (size_t) p->kernel_height * p->kernel_width;
  const size_t oc_base = g * goc + oc0;
  if (a->b32 != NULL || a->b16 != NULL) {
    pqnn_compute_load(nb, pqnn_at32(a->b32, oc_base), pqnn_at16(a->b16, oc_base), acc);
  } else {
    pqnn_node_fill_block(nb, 0.0f, acc);
  }
  float t[kBlock], tw[kBlock];
  for (size_t ky = 0; ky < p->kernel_height; ky++) {
    size_t iy;
    if (!tap(oy, ky, p->pad_top, p->stride_height, p->dilation_height, h, &iy)) continue;
    for (size_t kx = 0; kx < p->kernel_width; kx++) {
      size_t ix;
      if (!tap(ox, kx, p->pad_left, p->stride_width, p->dilation_width, w, &ix)) continue;
      const size_t in = ((n * h + iy) * w + ix) * cin + g * gic;
      const size_t w_tap = (ky * p->kernel_width + kx) * gic;
      for (size_t i = 0; i < gic; i += kBlock) {
        const size_t ni = pqnn_node_block_size(gic, i);
        pqnn_compute_load(ni, pqnn_at32(a->x32, in + i), pqnn_at16(a->x16, in + i), t);
        for (size_t j = 0; j < nb; j++) {
          const size_t wk = (oc_base + j) * taps * gic + w_tap + i;
          const float* wr = a->w32 != NULL ? a->w32 + wk : tw;
          if (a->w16 != NULL) pqnn_compute_load(ni, NULL, a->w16 + wk, tw);
          float sum = acc[j];
          for (size_t c = 0; c < ni; c++) sum += t[c] * wr[c];
          acc[j] = sum;
        }
      }
    }
  }
}

/* Output rows [start, end) over all images (row = n * OH + oy). */
static void deconv_rows(const struct deconv_args* a, size_t start, size_t end) {
  const struct pqnn_conv_params* p = a->p;
  const size_t oh = a->ys->dim[1], ow = a->ys->dim[2], cout = a->ys->dim[3];
  const size_t goc = p->group_output_channels;
  float acc[kBlock];
  for (size_t row = start; row < end; row++) {
    const size_t n = row / oh, oy = row % oh;
    for (size_t ox = 0; ox < ow; ox++) {
      const size_t out = ((n * oh + oy) * ow + ox) * cout;
      for (size_t g = 0; g < p->groups; g++) {
        for (size_t oc = 0; oc < goc; oc += kBlock) {
          const size_t nb = pqnn_node_block_size(goc, oc);
          deconv_block(a, n, oy, ox, g, oc, nb, acc);
          pqnn_node_clamp_block(nb, acc, acc, a->min, a->max);
          const size_t o = out + g * goc + oc;
          pqnn_compute_store(nb, acc, a->y32 != NULL ? a->y32 + o : NULL,
              a->y16 != NULL ? a->y16 + o : NULL);
        }
      }
    }
  }
}

static enum pqnn_status reshape(struct pqnn_runtime* rt, struct pqnn_rt_op* op) {
  const struct pqnn_shape* ys = &rt->tensors[op->output].shape;
  op->range = ys->dim[0] * ys->dim[1];
  op->min_tile = 1;
  return pqnn_status_success;
}

static struct deconv_args args(const struct pqnn_runtime* rt, const struct pqnn_rt_op* op) {
  return (struct deconv_args) {.xs = &rt->tensors[op->inputs[0]].shape,
      .ys = &rt->tensors[op->output].shape, .p = &op->node.conv,
      .min = op->output_min, .max = op->output_max};
}

static void body_f32(struct pqnn_runtime* rt, struct pqnn_rt_op* op, size_t start, size_t end) {
  struct deconv_args a = args(rt, op);
  a.x32 = pqnn_compute_input(rt, op, 0);
  a.w32 = pqnn_compute_input(rt, op, 1);
  a.b32 = pqnn_compute_input(rt, op, 2);
  a.y32 = rt->tensors[op->output].data;
  deconv_rows(&a, start, end);
}

static void body_f16(struct pqnn_runtime* rt, struct pqnn_rt_op* op, size_t start, size_t end) {
  struct deconv_args a = args(rt, op);
  a.x16 = pqnn_compute_input(rt, op, 0);
  a.w16 = pqnn_compute_input(rt, op, 1);
  a.b16 = pqnn_compute_input(rt, op, 2);
  a.y16 = rt->tensors[op->output].data;
  deconv_rows(&a, start, end);
}

static const struct pqnn_rt_executor kExecutor = {reshape, NULL, pqnn_rt_run_parallel};

const struct pqnn_compute_node pqnn_deconvolution_2d_node = {
    pqnn_node_type_deconvolution_2d, infer, check, &kExecutor, body_f32, body_f16};
