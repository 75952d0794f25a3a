/* The output epilogue of a fully connected or convolution operator with f32 or f16 output:
 * a fused unary activation and / or residual add, then a per-channel affine, applied to
 * each output tile right after the kernel wrote it, still in L1 (pqnn_apply_epilogue,
 * called by the GEMM, IGEMM, PATCH and DWCONV paths per tile, by the Winograd path after
 * each tile's output transform, by the deconvolution path per output row: no residual
 * there), then a tail step the runtime binds (a folded per-channel multiply), and the
 * bindings of the activation, the affine and the tail (pqnn_set_output_activation,
 * pqnn_set_output_affine, pqnn_set_output_tail; the residual's is in residual.c).
 * Each runs the kernel the runtime's unfused node runs (the tier's f32-vunary kernel of the
 * activation, its f32-vbinary add, the 1x1 depthwise operator's own DWCONV kernel and
 * packed weights for the affine), element by element, so a fused epilogue gives the
 * unfused graph's bits. f16 outputs are widened, computed in f32 and rounded once per
 * step, as the f16 unary and add2 nodes do; the affine's f16 DWCONV kernel reads and
 * writes f16 itself. An f32 affine and the activation right before it (none, or one after
 * the residual or without one) run as one pass when a f32-vunary-affine kernel reproduces
 * that pair of kernels (src/configs/epilogue-config.c): one read and one write of the
 * tile instead of two or three, the same bits. */
#include <string.h>

#include "configs/config.h"
#include "logging.h"
#include "operator.h"
#include "operators/output-range.h"
#include "operators/paths.h"

/* Elements of an f16 staging block. */
enum { kBlock = 256 };

/* Bytes of the largest affine channel tile ([ct bias][ct scale]) a range starting inside a
 * tile is restaged into (apply_affine). */
enum { kAffineTileBytes = 1024 };

/* The one-pass kernels of the bound activation and affine (f32 only), or NULL; the
 * depthwise row kernel with them in its registers, or NULL. */
static void bind_one_pass(const struct pqnn_operator* op, struct pqnn_epilogue* e) {
  e->affine_act = NULL;
  e->affine_only = NULL;
  e->row_fused = NULL;
  e->row_plain = op->dwconv_row;
  e->row_epilogue = (struct pqnn_dwconv_row_epilogue) {
    (const float*) e->affine_weights, e->affine_tile, &e->activation_params,
    &e->affine_params.f32};
  if (e->element_size == sizeof(float) && op->path == pqnn_gemm_path_dwconv &&
      !op->spec.dynamic_quantization) {
    e->row_fused = pqnn_dwconv_row_epilogue_kernel(op->dwconv_row, e->affine, e->affine_tile,
        e->activation);
  }
  if (e->affine == NULL || e->element_size != sizeof(float)) return;
  e->affine_only = pqnn_epilogue_fused_kernel(e->affine, e->affine_tile, NULL);
  if (e->activation != NULL) {
    e->affine_act = pqnn_epilogue_fused_kernel(e->affine, e->affine_tile, e->activation);
  }
}

/* The checks shared by the bindings: initialized, op non-NULL, an operator type with an
 * output epilogue (f32 / f16 output FC, convolution, deconvolution). */
static enum pqnn_status check_target(const char* function, const struct pqnn_operator* op,
    const char* what) {
  const enum pqnn_status status = pqnn_check_initialized(function);
  if (status != pqnn_status_success) return status;
  if (op == NULL) {
    pqnn_log_error(function, "op is NULL");
    return pqnn_status_invalid_parameter;
  }
  const bool deconvolution = op->type == pqnn_operator_type_deconvolution_nhwc_f32 ||
      op->type == pqnn_operator_type_deconvolution_nhwc_f16 ||
      op->type == pqnn_operator_type_deconvolution_nhwc_qd8_f32_qc8w ||
      op->type == pqnn_operator_type_deconvolution_nhwc_qd8_f16_qc8w;
  if (!pqnn_takes_epilogue(op->type) && !deconvolution) {
    pqnn_log_error(function, "a %s operator takes no %s (f32 / f16 output FC, "
        "convolution and deconvolution only)", pqnn_operator_type_string(op->type), what);
    return pqnn_status_invalid_parameter;
  }
  return pqnn_status_success;
}

enum pqnn_status pqnn_set_output_activation(pqnn_operator_t op,
    pqnn_vunary_ukernel_fn activation, const struct pqnn_f32_elementwise_params* params,
    bool before_residual) {
  const char* function = __func__;
  const enum pqnn_status status = check_target(function, op, "activation");
  if (status != pqnn_status_success) return status;
  if (activation != NULL && params == NULL) {
    pqnn_log_error(function, "params is NULL");
    return pqnn_status_invalid_parameter;
  }
  struct pqnn_epilogue* e = &op->epilogue;
  const struct pqnn_convert_config* cc = pqnn_get_convert_config();
  e->activation = activation;
  e->activation_params = activation != NULL ? *params
      : (struct pqnn_f32_elementwise_params) {0.0f, 0.0f, 0.0f, 0.0f};
  e->activation_first = before_residual;
  e->element_size = op->spec.output_element_size;
  e->f16_f32 = cc->f16_f32;
  e->f32_f16 = cc->f32_f16;
  bind_one_pass(op, e);
  return pqnn_status_success;
}

enum pqnn_status pqnn_set_output_affine(pqnn_operator_t op, const struct pqnn_operator* affine) {
  const char* function = __func__;
  const enum pqnn_status status = check_target(function, op, "affine");
  if (status != pqnn_status_success) return status;
  struct pqnn_epilogue* e = &op->epilogue;
  if (affine == NULL) {
    e->affine = NULL;
    e->affine_weights = NULL;
    bind_one_pass(op, e);
    return pqnn_status_success;
  }
  const size_t channels = op->groups * op->group_output_channels;
  const bool one_by_one = affine->kernel_height == 1 && affine->kernel_width == 1 &&
      affine->stride_height == 1 && affine->stride_width == 1 &&
      (affine->padding_top | affine->padding_right | affine->padding_bottom |
       affine->padding_left) == 0;
  if (affine->path != pqnn_gemm_path_dwconv || affine->spec.dynamic_quantization ||
      !one_by_one || affine->dwconv_kernel.ukernel == NULL ||
      affine->dwconv_kernel.channel_tile == 0 || affine->groups != channels ||
      affine->spec.input_element_size != op->spec.output_element_size ||
      affine->spec.output_element_size != op->spec.output_element_size ||
      affine->spec.packed_element_size != op->spec.output_element_size ||
      affine->spec.dwconv_prefix_size != affine->spec.packed_element_size ||
      affine->spec.dwconv_suffix_size != 0) {
    pqnn_log_error(function, "the affine must be a float 1x1 stride-1 unpadded depthwise "
        "operator of the output's %zu channels and element size", channels);
    return pqnn_status_invalid_parameter;
  }
  const size_t ct = affine->dwconv_kernel.channel_tile;
  if (2 * ct * affine->spec.packed_element_size > kAffineTileBytes) {
    pqnn_log_error(function, "the affine's channel tile (%zu) is above %d bytes", ct,
        kAffineTileBytes);
    return pqnn_status_unsupported_parameter;
  }
  e->affine = affine->dwconv_kernel.ukernel;
  e->affine_weights = (const char*) affine->packed_weights;
  e->affine_tile = ct;
  e->affine_tile_bytes = 2 * ct * affine->spec.packed_element_size;  /* [ct bias][ct scale] */
  e->affine_params = affine->spec.params;
  e->element_size = op->spec.output_element_size;
  bind_one_pass(op, e);
  return pqnn_status_success;
}

enum pqnn_status pqnn_set_output_tail(pqnn_operator_t op, pqnn_epilogue_tail_fn tail,
    const void* context) {
  const char* function = __func__;
  const enum pqnn_status status = pqnn_check_initialized(function);
  if (status != pqnn_status_success) return status;
  if (op == NULL) {
    pqnn_log_error(function, "op is NULL");
    return pqnn_status_invalid_parameter;
  }
  if (!pqnn_takes_epilogue(op->type)) {
    pqnn_log_error(function, "a %s operator takes no epilogue tail (f32 / f16 output FC "
        "and convolution only)", pqnn_operator_type_string(op->type));
    return pqnn_status_invalid_parameter;
  }
  struct pqnn_epilogue* e = &op->epilogue;
  e->tail = tail;
  e->tail_context = tail != NULL ? context : NULL;
  e->element_size = op->spec.output_element_size;
  /* The paths that walk images number pixels with it (a residual binds it too). */
  e->image_pixels = op->output_height * op->output_width;
  return pqnn_status_success;
}

enum pqnn_status pqnn_set_output_range(pqnn_operator_t op, struct pqnn_output_ranges* ranges) {
  const enum pqnn_status status = check_target(__func__, op, "output range step");
  if (status != pqnn_status_success) return status;
  if (op->spec.output_element_size != sizeof(float)) {
    pqnn_log_error(__func__, "an output range step needs an f32 output");
    return pqnn_status_invalid_parameter;
  }
  op->epilogue.range = ranges;
  op->epilogue.element_size = sizeof(float);
  /* The paths that walk images number pixels with it (as for a tail). */
  op->epilogue.image_pixels = op->output_height * op->output_width;
  return pqnn_status_success;
}

const struct pqnn_epilogue* pqnn_bound_epilogue(const struct pqnn_operator* op) {
  return op->epilogue.data != NULL || op->epilogue.activation != NULL ||
      op->epilogue.affine != NULL || op->epilogue.tail != NULL ||
      op->epilogue.range != NULL ? &op->epilogue : NULL;
}

/* c = f(c) over `pixels` rows of `columns` elements, c_stride bytes apart. */
static void activate(const struct pqnn_epilogue* e, char* c, size_t c_stride, size_t pixels,
    size_t columns) {
  if (e->element_size == sizeof(float)) {
    if (c_stride == columns * sizeof(float)) {  /* dense rows: one call */
      columns *= pixels;
      pixels = 1;
    }
    for (size_t p = 0; p < pixels; p++) {
      float* y = (float*) (c + p * c_stride);
      e->activation(columns, y, y, &e->activation_params);
    }
    return;
  }
  float t[kBlock];
  for (size_t p = 0; p < pixels; p++) {
    uint16_t* y = (uint16_t*) (c + p * c_stride);
    for (size_t i = 0; i < columns; i += kBlock) {
      const size_t n = columns - i < kBlock ? columns - i : kBlock;
      e->f16_f32(n, y + i, t);
      e->activation(n, t, t, &e->activation_params);
      e->f32_f16(n, t, y + i);
    }
  }
}

/* c = clamp(c + residual). */
static void add_residual(const struct pqnn_epilogue* e, char* c, size_t c_stride,
    size_t pixel, size_t offset, size_t pixels, size_t columns) {
  const char* res = e->data + pixel * e->pixel_stride + offset;
  if (e->element_size == sizeof(float)) {
    /* Dense rows on both sides: one call. */
    if (c_stride == e->pixel_stride && c_stride == columns * sizeof(float)) {
      columns *= pixels;
      pixels = 1;
    }
    for (size_t p = 0; p < pixels; p++) {
      e->add(columns, (const float*) (c + p * c_stride),
          (const float*) (res + p * e->pixel_stride), (float*) (c + p * c_stride), &e->params);
    }
    return;
  }
  float a[kBlock], b[kBlock];
  for (size_t p = 0; p < pixels; p++) {
    uint16_t* y = (uint16_t*) (c + p * c_stride);
    const uint16_t* x = (const uint16_t*) (res + p * e->pixel_stride);
    for (size_t i = 0; i < columns; i += kBlock) {
      const size_t n = columns - i < kBlock ? columns - i : kBlock;
      e->f16_f32(n, y + i, a);
      e->f16_f32(n, x + i, b);
      e->add(n, a, b, a, &e->params);
      e->f32_f16(n, a, y + i);
    }
  }
}

/* Pixel pointers per affine kernel call. */
enum { kAffinePixels = 64 };

/* The affine's packed tiles hold channel k's bias at lane k % ct and its scale ct lanes
 * later. A range starting inside a tile (a GEMM column tile narrower than ct) first runs
 * up to the tile's end from a copy of that tile's remaining lanes moved to lane 0 (the
 * kernels load whole vectors of weights, which from the middle of the last tile would
 * read past the packed weights), then the rest from the tile boundary. This returns the
 * channels of the next piece of [channel, channel + columns) and its weights (`head`, the
 * copy, or the packed tile). */
static size_t affine_piece(const struct pqnn_epilogue* e, size_t channel, size_t columns,
    char* head, const char** weights) {
  const size_t es = e->element_size, ct = e->affine_tile;
  const size_t lane = channel % ct;
  const char* w = e->affine_weights + (channel / ct) * e->affine_tile_bytes;
  if (lane == 0) {
    *weights = w;
    return columns;
  }
  memset(head, 0, e->affine_tile_bytes);
  memcpy(head, w + lane * es, (ct - lane) * es);                /* bias */
  memcpy(head + ct * es, w + (ct + lane) * es, (ct - lane) * es);  /* scale */
  *weights = head;
  return columns <= ct - lane ? columns : ct - lane;
}

/* c = affine(c) over `pixels` rows of `columns` channels from channel `channel`, in place:
 * the depthwise kernel with one tap, each pixel's input pointer its own output. */
static void apply_affine(const struct pqnn_epilogue* e, char* c, size_t c_stride,
    size_t channel, size_t pixels, size_t columns) {
  const void* rows[kAffinePixels];
  _Alignas(64) char head[kAffineTileBytes];
  const size_t es = e->element_size;
  while (columns != 0) {
    const char* w;
    const size_t n = affine_piece(e, channel, columns, head, &w);
    for (size_t p0 = 0; p0 < pixels; p0 += kAffinePixels) {
      const size_t np = pixels - p0 < kAffinePixels ? pixels - p0 : kAffinePixels;
      char* first = c + p0 * c_stride;
      for (size_t p = 0; p < np; p++) rows[p] = first + p * c_stride;
      e->affine(n, np, 1, rows, w, first, sizeof(void*), c_stride - n * es, 0, NULL,
          &e->affine_params);
    }
    c += n * es;
    channel += n;
    columns -= n;
  }
}

/* c = affine(act(c)) (f32) in one pass by the fused kernel `fused`. */
static void apply_one_pass(const struct pqnn_epilogue* e, pqnn_vunary_affine_ukernel_fn fused,
    char* c, size_t c_stride, size_t channel, size_t pixels, size_t columns) {
  _Alignas(64) char head[kAffineTileBytes];
  while (columns != 0) {
    const char* w;
    const size_t n = affine_piece(e, channel, columns, head, &w);
    fused(pixels, n, (float*) c, c_stride, (const float*) w, e->affine_tile,
        &e->activation_params, &e->affine_params);
    c += n * sizeof(float);
    channel += n;
    columns -= n;
  }
}

static void apply_steps(const struct pqnn_epilogue* e, void* c, size_t c_stride, size_t pixel,
    size_t offset, size_t pixels, size_t columns) {
  char* out = (char*) c;
  const bool act = e->activation != NULL;
  /* The activation runs last before the affine without a residual or after it. */
  const bool act_last = act && (e->data == NULL || !e->activation_first);
  if (act && !act_last) activate(e, out, c_stride, pixels, columns);
  if (e->data != NULL) add_residual(e, out, c_stride, pixel, offset, pixels, columns);
  if (e->affine != NULL) {
    const size_t channel = offset / e->element_size;
    const pqnn_vunary_affine_ukernel_fn fused = act_last ? e->affine_act : e->affine_only;
    if (fused != NULL && pixels != 0 && columns != 0) {
      apply_one_pass(e, fused, out, c_stride, channel, pixels, columns);
      return;
    }
    if (act_last) activate(e, out, c_stride, pixels, columns);
    apply_affine(e, out, c_stride, channel, pixels, columns);
  } else if (act_last) {
    activate(e, out, c_stride, pixels, columns);
  }
}

void pqnn_apply_epilogue(const struct pqnn_epilogue* e, void* c, size_t c_stride, size_t pixel,
    size_t offset, size_t pixels, size_t columns) {
  apply_steps(e, c, c_stride, pixel, offset, pixels, columns);
  if (e->tail != NULL) {
    e->tail(e->tail_context, c, c_stride, pixel, offset / e->element_size, pixels, columns);
  }
  if (e->range != NULL) pqnn_output_ranges_merge(e->range, c, c_stride, pixel, pixels, columns);
}
