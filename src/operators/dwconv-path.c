/* The DWCONV path: depthwise convolution with one input and one output channel per group,
 * through an indirection buffer of taps per output pixel (src/indirection.c). Reshape
 * builds the buffer for one image and fills the context; run tiles images x output rows.
 * Where the kernel has a row kernel (f32 3x3 / 5x5 on AVX2 and AVX512; qs8 and qd8 3x3 on
 * AVX512-VNNI, which take no border columns), the output
 * columns whose taps all lie inside the input row go through it, one call per output row
 * with one pointer per kernel row (a zero row of a whole input row for vertical padding),
 * and so do up to PQNN_DWCONV_ROW_EDGES border columns a side (their taps outside the row
 * as zeros); wider borders go through the per-pixel kernel and its indirection, which
 * reshape builds only where that kernel may run (such borders, or the run's fallback for
 * 4 KiB aliasing). */
#include <string.h>

#include "allocator.h"
#include "logging.h"
#include "operators/paths.h"

enum { MAX_ROW_KERNEL_HEIGHT = 5 };

/* Output columns [*begin, *end) whose taps (kernel_width, stride, dilation, left padding)
 * all fall inside an input row of input_width pixels; *end <= *begin when none. */
static void interior_columns(const struct pqnn_conv_geometry* g, size_t* begin, size_t* end) {
  const size_t sw = g->stride_width;
  const size_t span = (size_t) (g->kernel_width - 1) * g->dilation_width;
  *begin = (g->padding_left + sw - 1) / sw;  /* first x with x * sw >= padding_left */
  *end = 0;
  if (g->input_width + g->padding_left > span) {
    /* last x with x * sw - padding_left + span <= input_width - 1 */
    const size_t last = (g->input_width - 1 + g->padding_left - span) / sw;
    *end = last + 1 < g->output_width ? last + 1 : g->output_width;
  }
}

/* The row kernel's border columns (struct pqnn_dwconv_row_edges): output columns
 * [0, begin) and [end, output_width), each with a bit per tap column inside the input row;
 * left = right = 0 (borders per pixel) when a side has more than PQNN_DWCONV_ROW_EDGES. */
static void row_edges(const struct pqnn_conv_geometry* g, size_t begin, size_t end,
    struct pqnn_dwconv_row_edges* edges) {
  memset(edges, 0, sizeof(*edges));
  const size_t right = g->output_width - end;
  if (begin > PQNN_DWCONV_ROW_EDGES || right > PQNN_DWCONV_ROW_EDGES) return;
  for (size_t e = 0; e < begin + right; e++) {
    const size_t x = e < begin ? e : end + e - begin;
    unsigned taps = 0;
    for (uint32_t kx = 0; kx < g->kernel_width; kx++) {
      /* input column x * sw + kx * dw - pl, inside when in [0, input_width) */
      const size_t ix = x * g->stride_width + (size_t) kx * g->dilation_width;
      if (ix >= g->padding_left && ix - g->padding_left < g->input_width) taps |= 1u << kx;
    }
    if (e < begin) {
      edges->left_taps[e] = (uint8_t) taps;
    } else {
      edges->right_taps[e - begin] = (uint8_t) taps;
    }
  }
  edges->left = begin;
  edges->right = right;
}

/* Fills the row-kernel part of the context when the layer can use one; the zero row then
 * grows to a whole input row (vertical padding reads it along the row). */
static enum pqnn_status prepare_rows(const char* function, pqnn_operator_t op,
    const struct pqnn_conv_geometry* g, struct pqnn_dwconv_context* ctx) {
  const pqnn_dwconv_row_ukernel_fn row = op->dwconv_row;
  const uint32_t k = g->kernel_height;
  if (row == NULL || k != g->kernel_width ||
      k > MAX_ROW_KERNEL_HEIGHT || (size_t) k * k != op->dwconv_kernel.taps) {
    return pqnn_status_success;
  }
  size_t begin, end;
  interior_columns(g, &begin, &end);
  if (end <= begin) return pqnn_status_success;
  const size_t row_bytes = g->input_width * g->pixel_stride_bytes;
  if (row_bytes > op->zero_buffer_size) {
    void* zero = pqnn_allocate_zero(row_bytes);
    if (zero == NULL) {
      pqnn_log_error(function, "cannot allocate %zu bytes of padding row", row_bytes);
      return pqnn_status_out_of_memory;
    }
    memset(zero, op->spec.zero_byte, row_bytes);  /* qs8: the input zero point */
    pqnn_release(op->zero_buffer);
    op->zero_buffer = zero;
    op->zero_buffer_size = row_bytes;
  }
  ctx->row = row;
  ctx->row_x_begin = begin;
  ctx->row_x_end = end;
  if (op->dwconv_row_edges) {
    row_edges(g, begin, end, &ctx->row_edges);
  } else {
    memset(&ctx->row_edges, 0, sizeof(ctx->row_edges));
  }
  ctx->input_height = g->input_height;
  ctx->input_row_stride = row_bytes;
  ctx->padding_top = g->padding_top;
  ctx->row_column_offset = (begin * g->stride_width - g->padding_left) * g->pixel_stride_bytes;
  ctx->row_input_step = g->stride_width * g->pixel_stride_bytes;
  ctx->row_tap_stride = g->dilation_width * g->pixel_stride_bytes;
  ctx->row_pixel_bytes = g->pixel_stride_bytes;
  ctx->kernel_height = k;
  ctx->stride_height = g->stride_height;
  ctx->dilation_height = g->dilation_height;
  return pqnn_status_success;
}

enum pqnn_status pqnn_prepare_dwconv(const char* function, pqnn_operator_t op,
    const struct pqnn_conv_geometry* geometry) {
  struct pqnn_dwconv_context* ctx = &op->context.dwconv;
  memset(ctx, 0, sizeof(*ctx));
  /* First: it may replace the zero row the indirection buffer points at. */
  enum pqnn_status status = prepare_rows(function, op, geometry, ctx);
  if (status != pqnn_status_success) return status;
  /* The per-pixel kernel's indirection (taps pointers per output pixel: 7.4 MB for a 3x3
   * layer over 320x320) only where that kernel may run: border columns the row kernel does
   * not take, or a run falling back to it for 4 KiB aliasing (pqnn_run_dwconv), which pixel
   * steps of a multiple of 1 KiB allow. Else the row kernel takes every pixel. */
  const bool rows_only = ctx->row != NULL && ctx->row_x_begin == ctx->row_edges.left &&
      ctx->row_x_end + ctx->row_edges.right == geometry->output_width &&
      !pqnn_dwconv_row_may_alias(ctx->row_pixel_bytes,
          op->output_pixel_stride * op->spec.output_element_size);
  if (!rows_only) {
    status = pqnn_reserve_indirection(function, op, pqnn_indirection_dwconv_count(geometry));
    if (status != pqnn_status_success) return status;
    pqnn_indirection_init_dwconv(op->indirection, geometry, op->zero_buffer);
  }
  op->indirection_mr = 0;

  const size_t taps = (size_t) op->kernel_height * op->kernel_width;
  const size_t output_width = geometry->output_width;
  const size_t output_pixels = geometry->output_height * output_width;
  const size_t out_pixel_bytes = op->output_pixel_stride * op->spec.output_element_size;
  ctx->out_pixel_bytes = out_pixel_bytes;
  ctx->channels = op->groups;
  ctx->kernel_size = taps;
  ctx->output_width = output_width;
  ctx->indirection = rows_only ? NULL : op->indirection;
  ctx->indirection_row_stride = output_width * taps * sizeof(void*);
  ctx->input_stride = taps * sizeof(void*);
  ctx->ba_stride = geometry->input_height * geometry->input_width * geometry->pixel_stride_bytes;
  ctx->zero = op->zero_buffer;
  ctx->packed_w = op->packed_weights;
  ctx->output_row_stride = output_width * out_pixel_bytes;
  ctx->output_batch_stride = output_pixels * out_pixel_bytes;
  ctx->output_increment = out_pixel_bytes - op->groups * op->spec.output_element_size;
  ctx->ukernel = op->dwconv_kernel.ukernel;
  ctx->params = op->spec.params;
  op->compute = pqnn_compute_dwconv;
  return pqnn_status_success;
}

/* DWCONV row: image b, output row y. */
struct dwconv_task {
  struct pqnn_dwconv_context ctx;
  const char* input;
  size_t image;   /* qd8: the image a run covers (the others: b) */
};

/* Output pixels [x, x + n) of a row through the per-pixel kernel and the indirection. */
static void pixels(const struct dwconv_task* task, size_t b, size_t y, size_t x, size_t n) {
  const struct pqnn_dwconv_context* ctx = &task->ctx;
  const void** input = (const void**) ((uintptr_t) ctx->indirection +
      y * ctx->indirection_row_stride + x * ctx->input_stride);
  char* output = (char*) ctx->output + b * ctx->output_batch_stride + y * ctx->output_row_stride +
      x * ctx->out_pixel_bytes;
  ctx->ukernel(ctx->channels, n, ctx->kernel_size, input, ctx->packed_w, output,
      ctx->input_stride, ctx->output_increment,
      (size_t) (uintptr_t) task->input + b * ctx->ba_stride, ctx->zero, &ctx->params);
}

/* The row kernel's pixels of an output row (columns [row_x_begin - edges.left, row_x_end +
 * edges.right)) from rows[] into the row at `output_row`: the op's row kernel, or where the
 * epilogue has one (f32, no residual) the row kernel with it in its registers; returns
 * whether the epilogue ran there. Shared with the band rows (band-rows.c). */
bool pqnn_dwconv_row_pixels(const struct pqnn_dwconv_context* ctx, const void** rows,
    const void* weights, char* output_row, const struct pqnn_epilogue* e) {
  char* first = output_row + (ctx->row_x_begin - ctx->row_edges.left) * ctx->out_pixel_bytes;
  const size_t width = ctx->row_x_end - ctx->row_x_begin;
  if (e != NULL && e->row_fused != NULL && e->data == NULL && e->row_plain == ctx->row) {
    e->row_fused(ctx->channels, width, rows, ctx->row_input_step, ctx->row_tap_stride,
        weights, first, ctx->out_pixel_bytes, &ctx->params, &ctx->row_edges,
        &e->row_epilogue);
    return true;
  }
  ctx->row(ctx->channels, width, rows, ctx->row_input_step, ctx->row_tap_stride, weights,
      first, ctx->out_pixel_bytes, &ctx->params, &ctx->row_edges);
  return false;
}

/* Output row y through the row kernel: the interior columns, and the border columns too
 * where it takes them (ctx->row_edges), else those per pixel; then the epilogue where the
 * row kernel did not run it. */
static void row_with_borders(const struct dwconv_task* task, size_t b, size_t y) {
  const struct pqnn_dwconv_context* ctx = &task->ctx;
  const void* rows[MAX_ROW_KERNEL_HEIGHT];
  const char* image = (const char*) task->input + b * ctx->ba_stride;
  for (uint32_t ky = 0; ky < ctx->kernel_height; ky++) {
    const size_t iy = y * ctx->stride_height + (size_t) ky * ctx->dilation_height;  /* + pt */
    /* The zero row at the same column as an input row: border taps read left of it. */
    rows[ky] = (iy < ctx->padding_top || iy - ctx->padding_top >= ctx->input_height
        ? (const char*) ctx->zero
        : image + (iy - ctx->padding_top) * ctx->input_row_stride) + ctx->row_column_offset;
  }
  const struct pqnn_dwconv_row_edges* edges = &ctx->row_edges;
  /* [begin, end): the row kernel's columns; the others per pixel */
  const size_t begin = ctx->row_x_begin - edges->left, end = ctx->row_x_end + edges->right;
  char* output = (char*) ctx->output + b * ctx->output_batch_stride +
      y * ctx->output_row_stride;
  if (begin != 0) pixels(task, b, y, 0, begin);
  const bool fused = pqnn_dwconv_row_pixels(ctx, rows, ctx->packed_w, output, ctx->epilogue);
  if (end != ctx->output_width) pixels(task, b, y, end, ctx->output_width - end);
  const struct pqnn_epilogue* e = ctx->epilogue;
  if (e == NULL) return;
  const size_t pixel = (task->image + b) * e->image_pixels + y * ctx->output_width;
  if (!fused) {
    pqnn_apply_epilogue(e, output, ctx->out_pixel_bytes, pixel, 0, ctx->output_width,
        ctx->channels);
    return;
  }
  if (begin != 0) {
    pqnn_apply_epilogue(e, output, ctx->out_pixel_bytes, pixel, 0, begin, ctx->channels);
  }
  if (end != ctx->output_width) {
    pqnn_apply_epilogue(e, output + end * ctx->out_pixel_bytes, ctx->out_pixel_bytes,
        pixel + end, 0, ctx->output_width - end, ctx->channels);
  }
}

static void compute_dwconv(void* context, size_t b, size_t y, size_t b_size, size_t y_size) {
  (void) b_size;
  (void) y_size;
  const struct dwconv_task* task = (const struct dwconv_task*) context;
  const struct pqnn_dwconv_context* ctx = &task->ctx;
  if (ctx->row != NULL) {
    row_with_borders(task, b, y);  /* and its epilogue */
    return;
  }
  pixels(task, b, y, 0, ctx->output_width);
  if (ctx->epilogue != NULL) {
    pqnn_apply_epilogue(ctx->epilogue,
        (char*) ctx->output + b * ctx->output_batch_stride + y * ctx->output_row_stride,
        ctx->out_pixel_bytes, (task->image + b) * ctx->epilogue->image_pixels +
            y * ctx->output_width, 0, ctx->output_width, ctx->channels);
  }
}

void pqnn_run_dwconv(const struct pqnn_operator* op, pthreadpool_t threadpool) {
  struct dwconv_task task = {.ctx = op->context.dwconv, .input = (const char*) op->input};
  task.ctx.output = op->output;
  task.ctx.epilogue = pqnn_bound_epilogue(op);
  if (!op->spec.dynamic_quantization) {
    /* Output and input 4 KiB-aliased for the row walk: the whole layer per pixel. */
    if (task.ctx.row != NULL && pqnn_dwconv_row_aliases(op->input, op->output,
            task.ctx.row_pixel_bytes, task.ctx.out_pixel_bytes)) {
      task.ctx.row = NULL;
    }
    pqnn_parallelize_2d_tile_2d(threadpool, compute_dwconv, &task, op->batch_size,
        op->output_height, 1, 1);
    return;
  }
  /* qd8: as on the IGEMM path (igemm-path.c), padding reads as each image's own zero
   * point, so images run in turn with the shared padding row refilled under the lock, and
   * the kernel gets that image's {zero_point, scale}. */
  pthread_mutex_lock(op->padding_lock);
  for (size_t b = 0; b < op->batch_size; b++) {
    const struct pqnn_quantization_params* qp = op->quantization_params + b;
    memset(op->zero_buffer, (int8_t) qp->zero_point, op->zero_buffer_size);
    task.input = (const char*) op->input + b * task.ctx.ba_stride;
    task.ctx.output = (char*) op->output + b * task.ctx.output_batch_stride;
    task.image = b;
    task.ctx.params.qd8_dwconv = (struct pqnn_qd8_dwconv_params) {
      op->spec.params.f32.min, op->spec.params.f32.max, qp->zero_point, qp->scale};
    pqnn_parallelize_2d_tile_2d(threadpool, compute_dwconv, &task, 1, op->output_height, 1, 1);
  }
  pthread_mutex_unlock(op->padding_lock);
}
