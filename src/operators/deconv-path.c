/* The deconvolution path: the work unit is one output row (n, oy). Each input row iy and
 * vertical tap ky meet in exactly one output row (oy = iy * sh + ky * dh - pt), so an
 * output row is the sum, over its taps (ky, kx), of GEMMs of one input row (pixels x group
 * input channels) by the tap's packed weights (group input x group output channels):
 * every multiply-add of the layer is done once, and rows are independent, so tiles of
 * rows run on any thread with results that do not depend on the thread count.
 *
 * Direct path (kernel == stride, no dilation gaps: 2x2 stride 2 upsampling): every output
 * pixel gets exactly one tap, so each GEMM writes its output pixels in place (C rows
 * sw pixels apart), with the bias packed in and the bounds applied by the kernel; the
 * pixels no tap reaches (output padding) get clamp(bias). In the wide layout (one group,
 * no horizontal crop) one GEMM per output row writes all kw taps of each input pixel. In
 * the tall layout (wide, no vertical crop, kh * kw * goc columns padding to fewer NR tiles) the
 * work unit is an input row: one GEMM computes all its taps into a row buffer (a workspace
 * slot per tile, as below), copied to its kh output rows; with few columns in f32 (at most
 * the tier's f32-tgemm NR) the pixel-lane GEMM writes the kh output rows itself instead.
 * Accumulating path (any other geometry): per group, an f32 row accumulator starts at the
 * bias; each tap's GEMM writes a column block of at most `chunk` pixels (cache sized) that
 * is added at ox = ix * sw + kx * dw - pl; the bounds and (f16) the rounding apply when
 * the row is stored. Accumulator and columns live in a workspace slot per row tile,
 * allocated at reshape; concurrent runs of one such operator take turns on its lock.
 * A fused activation (the output epilogue, epilogue.c) runs on each output row once all
 * its taps are in (tall: on an input row's kh output rows). */
#include <string.h>

#include "allocator.h"
#include "logging.h"
#include "operators/band-rows.h"
#include "operators/paths.h"

enum { kColumnBytes = 32 * 1024, kTilesPerThread = 4 };

/* Input columns [*begin, *end) that tap offset `offset` maps into [0, out). */
static void tap_range(size_t in, size_t out, uint32_t stride, size_t offset, size_t pad,
    size_t* begin, size_t* end) {
  *begin = offset >= pad ? 0 : pqnn_divide_round_up(pad - offset, stride);
  *end = out + pad <= offset ? 0 : pqnn_divide_round_up(out + pad - offset, stride);
  if (*end > in) *end = in;
  if (*begin > *end) *begin = *end;
}

/* GEMMs of `rows` input pixels from `a` (pixel index `pixel`, for the qd8 params) by
 * packed weights `w`, C rows cm_stride apart from `c`. */
static void gemm_rows(const struct pqnn_deconv_context* ctx, size_t rows, const char* a,
    size_t pixel, const void* w, char* c, size_t cm_stride) {
  for (size_t m = 0; m < rows; m += ctx->mr) {
    const size_t mr = pqnn_min_sz(ctx->mr, rows - m);
    if (ctx->dqgemm != NULL) {
      ctx->dqgemm(mr, ctx->nc, ctx->kc, a + m * ctx->x_pixel_bytes, ctx->x_pixel_bytes, w,
          c + m * cm_stride, cm_stride, ctx->cn_stride, &ctx->params,
          ctx->quantization_params + pixel + m);
    } else {
      ctx->gemm(mr, ctx->nc, ctx->kc, a + m * ctx->x_pixel_bytes, ctx->x_pixel_bytes, w,
          c + m * cm_stride, cm_stride, ctx->cn_stride, &ctx->params);
    }
  }
}

static void fill_bias(const struct pqnn_deconv_context* ctx, char* y, size_t pixels) {
  const size_t bytes = ctx->groups * ctx->goc * ctx->y_element_size;
  for (size_t p = 0; p < pixels; p++) memcpy(y + p * ctx->y_pixel_bytes, ctx->bias_pixel, bytes);
}

static const void* tap_weights(const struct pqnn_deconv_context* ctx, size_t g, size_t ky,
    size_t kx) {
  return (const char*) ctx->packed_w +
      ((g * ctx->kernel_height + ky) * ctx->kernel_width + kx) * ctx->tap_stride;
}

/* Output row y: kernel row ky of input row x (`pixel`: its first pixel's index). */
static void direct_row_at(const struct pqnn_deconv_context* ctx, const char* x, size_t pixel,
    size_t ky, char* y) {
  const size_t cm_stride = ctx->stride_width * ctx->y_pixel_bytes;
  if (ctx->wide) {
    gemm_rows(ctx, ctx->input_width, x, pixel,
        (const char*) ctx->packed_w + ky * ctx->tap_stride, y, cm_stride);
  }
  for (size_t g = 0; g < ctx->groups && !ctx->wide; g++) {
    for (size_t kx = 0; kx < ctx->kernel_width; kx++) {
      size_t begin, end;
      tap_range(ctx->input_width, ctx->output_width, ctx->stride_width, kx, ctx->padding_left,
          &begin, &end);
      if (begin == end) continue;
      const size_t ox = begin * ctx->stride_width + kx - ctx->padding_left;
      gemm_rows(ctx, end - begin, x + begin * ctx->x_pixel_bytes + g * ctx->kc, pixel + begin,
          tap_weights(ctx, g, ky, kx),
          y + ox * ctx->y_pixel_bytes + g * ctx->goc * ctx->y_element_size, cm_stride);
    }
  }
  /* Output padding: the pixels past the last input pixel's taps. */
  const size_t reach = ctx->input_width * ctx->stride_width;
  const size_t covered = reach > ctx->padding_left ? reach - ctx->padding_left : 0;
  if (covered < ctx->output_width) {
    fill_bias(ctx, y + covered * ctx->y_pixel_bytes, ctx->output_width - covered);
  }
}

static void direct_row(const struct pqnn_deconv_context* ctx, size_t n, size_t oy) {
  char* y = (char*) ctx->y + (n * ctx->output_height + oy) * ctx->output_width * ctx->y_pixel_bytes;
  const size_t t = oy + ctx->padding_top;
  const size_t ky = t % ctx->stride_height, iy = t / ctx->stride_height;
  if (iy >= ctx->input_height) {
    fill_bias(ctx, y, ctx->output_width);
    return;
  }
  const size_t pixel = (n * ctx->input_height + iy) * ctx->input_width;
  direct_row_at(ctx, (const char*) ctx->x + pixel * ctx->x_pixel_bytes, pixel, ky, y);
}

/* Copies `pixels` runs of `bytes` bytes, src_stride apart in src, to consecutive runs in
 * dst. The run sizes of few output channels (2x2 upsampling to 1 or 2 channels: 4, 8 or 16
 * bytes) are copied as constants, which compilers turn into single moves: a memcpy call per
 * pixel cost a third of det's 24 -> 1 layer. */
static void copy_runs(size_t pixels, size_t bytes, const char* src, size_t src_stride,
    char* dst) {
#define COPY_RUNS(BYTES)                                                           \
  for (size_t i = 0; i < pixels; i++) memcpy(dst + i * (BYTES), src + i * src_stride, BYTES); \
  return;
  switch (bytes) {
    case 4: COPY_RUNS(4)
    case 8: COPY_RUNS(8)
    case 16: COPY_RUNS(16)
    case 32: COPY_RUNS(32)
    default: COPY_RUNS(bytes)
  }
#undef COPY_RUNS
}

/* Tall path: input row x (`pixel`: its first pixel's index) times all kh * kw * goc
 * columns in one GEMM into the slot (bias and bounds applied by the kernel), then each
 * kernel row's kw * goc columns of every input pixel copied to its output row, the kh
 * output rows consecutive from y; output padding columns get clamp(bias). */
static void tall_rows_at(const struct pqnn_deconv_context* ctx, const char* x, size_t pixel,
    char* y, char* slot) {
  const size_t el = ctx->y_element_size, row_taps = ctx->kernel_width * ctx->goc;
  const size_t covered = ctx->input_width * ctx->stride_width;
  const size_t y_row_bytes = ctx->output_width * ctx->y_pixel_bytes;
  if (ctx->tgemm != NULL) {
    /* Pixel-lane GEMM: all kh * kw * goc columns of tgemm_mr pixels per call, each kernel
     * row's kw * goc columns (one group) stored straight into its output row. */
    const size_t cm_stride = ctx->stride_width * ctx->y_pixel_bytes;
    for (size_t m = 0; m < ctx->input_width; m += ctx->tgemm_mr) {
      ctx->tgemm(pqnn_min_sz(ctx->tgemm_mr, ctx->input_width - m), ctx->nc, ctx->kc,
          (const float*) (x + m * ctx->x_pixel_bytes), ctx->x_pixel_bytes,
          (const float*) ctx->packed_w, (float*) (y + m * cm_stride), cm_stride, row_taps,
          y_row_bytes, &ctx->params);
    }
  } else {
    gemm_rows(ctx, ctx->input_width, x, pixel, ctx->packed_w, slot, ctx->nc * el);
  }
  for (size_t ky = 0; ky < ctx->kernel_height; ky++) {
    char* row = y + ky * y_row_bytes;
    if (ctx->tgemm == NULL) {
      copy_runs(ctx->input_width, row_taps * el, slot + ky * row_taps * el, ctx->nc * el, row);
    }
    if (covered < ctx->output_width) {
      fill_bias(ctx, row + covered * ctx->y_pixel_bytes, ctx->output_width - covered);
    }
  }
}

/* Tall path: input row (n, iy) to output rows iy * kh .. + kh, the last input row also
 * the output padding rows below (clamp(bias)). */
static void tall_row(const struct pqnn_deconv_context* ctx, size_t n, size_t iy, char* slot) {
  const size_t pixel = (n * ctx->input_height + iy) * ctx->input_width;
  const size_t y_row_bytes = ctx->output_width * ctx->y_pixel_bytes;
  char* image = (char*) ctx->y + n * ctx->output_height * y_row_bytes;
  tall_rows_at(ctx, (const char*) ctx->x + pixel * ctx->x_pixel_bytes, pixel,
      image + iy * ctx->stride_height * y_row_bytes, slot);
  if (iy + 1 == ctx->input_height) {  /* output padding rows below the last input row */
    for (size_t oy = ctx->input_height * ctx->stride_height; oy < ctx->output_height; oy++) {
      fill_bias(ctx, image + oy * ctx->output_width * ctx->y_pixel_bytes, ctx->output_width);
    }
  }
}

/* Adds the columns of taps (ky, kx) of input row iy into the accumulator of group g. */
static void accumulate_tap(const struct pqnn_deconv_context* ctx, const char* x, size_t pixel,
    size_t g, size_t ky, size_t kx, char* slot, float* acc) {
  const size_t goc = ctx->goc;
  const size_t offset = kx * ctx->dilation_width;
  size_t begin, end;
  tap_range(ctx->input_width, ctx->output_width, ctx->stride_width, offset, ctx->padding_left,
      &begin, &end);
  char* cols = slot + pqnn_round_up(ctx->output_width * goc * sizeof(float), 64);
  float* widened = (float*) (cols + pqnn_round_up(ctx->chunk * goc * ctx->y_element_size, 64));
  const void* w = tap_weights(ctx, g, ky, kx);
  for (size_t m = begin; m < end; m += ctx->chunk) {
    const size_t count = pqnn_min_sz(ctx->chunk, end - m);
    gemm_rows(ctx, count, x + m * ctx->x_pixel_bytes + g * ctx->kc, pixel + m, w, cols,
        goc * ctx->y_element_size);
    const float* src = (const float*) cols;
    if (ctx->y_element_size != sizeof(float)) {
      ctx->f16_f32(count * goc, cols, widened);
      src = widened;
    }
    for (size_t r = 0; r < count; r++) {
      float* dst = acc + ((m + r) * ctx->stride_width + offset - ctx->padding_left) * goc;
      const float* s = src + r * goc;
      for (size_t c = 0; c < goc; c++) dst[c] += s[c];
    }
  }
}

static void accumulating_row(const struct pqnn_deconv_context* ctx, size_t n, size_t oy,
    char* slot) {
  const size_t goc = ctx->goc, ow = ctx->output_width;
  char* y = (char*) ctx->y + (n * ctx->output_height + oy) * ow * ctx->y_pixel_bytes;
  float* acc = (float*) slot;
  for (size_t g = 0; g < ctx->groups; g++) {
    const float* bias = ctx->bias + g * goc;
    for (size_t ox = 0; ox < ow; ox++) memcpy(acc + ox * goc, bias, goc * sizeof(float));
    for (size_t ky = 0; ky < ctx->kernel_height; ky++) {
      const size_t t = oy + ctx->padding_top, offset = ky * ctx->dilation_height;
      if (t < offset || (t - offset) % ctx->stride_height != 0) continue;
      const size_t iy = (t - offset) / ctx->stride_height;
      if (iy >= ctx->input_height) continue;
      const size_t pixel = (n * ctx->input_height + iy) * ctx->input_width;
      const char* x = (const char*) ctx->x + pixel * ctx->x_pixel_bytes;
      for (size_t kx = 0; kx < ctx->kernel_width; kx++) {
        accumulate_tap(ctx, x, pixel, g, ky, kx, slot, acc);
      }
    }
    const float lo = ctx->output_min, hi = ctx->output_max;
    for (size_t i = 0; i < ow * goc; i++) {
      const float v = acc[i];
      acc[i] = v < lo ? lo : v > hi ? hi : v;
    }
    char* yg = y + g * goc * ctx->y_element_size;
    for (size_t ox = 0; ox < ow; ox++) {
      char* dst = yg + ox * ctx->y_pixel_bytes;
      if (ctx->y_element_size == sizeof(float)) {
        memcpy(dst, acc + ox * goc, goc * sizeof(float));
      } else {
        ctx->f32_f16(goc, acc + ox * goc, dst);
      }
    }
  }
}

/* A fused activation on `rows` complete output rows from y. */
static void activate_at(const struct pqnn_deconv_context* ctx, char* y, size_t rows) {
  pqnn_apply_epilogue(ctx->epilogue, y, ctx->y_pixel_bytes, 0, 0, rows * ctx->output_width,
      ctx->groups * ctx->goc);
}

/* A fused activation on output rows [oy, oy + rows) of image n, once they are complete. */
static void activate_rows(const struct pqnn_deconv_context* ctx, size_t n, size_t oy,
    size_t rows) {
  activate_at(ctx, (char*) ctx->y +
      (n * ctx->output_height + oy) * ctx->output_width * ctx->y_pixel_bytes, rows);
}

static void compute_deconv(void* context, size_t tile) {
  const struct pqnn_deconv_context* ctx = (const struct pqnn_deconv_context*) context;
  const size_t height = ctx->tall ? ctx->input_height : ctx->output_height;
  const size_t rows = height * ctx->batch;
  const size_t start = tile * ctx->rows_per_tile;
  const size_t end = pqnn_min_sz(start + ctx->rows_per_tile, rows);
  char* slot = ctx->workspace != NULL ? ctx->workspace + tile * ctx->slot_bytes : NULL;
  for (size_t row = start; row < end; row++) {
    const size_t n = row / height, oy = row % height;
    if (ctx->tall) {
      tall_row(ctx, n, oy, slot);
    } else if (ctx->direct) {
      direct_row(ctx, n, oy);
    } else {
      accumulating_row(ctx, n, oy, slot);
    }
    if (ctx->epilogue == NULL) continue;
    if (!ctx->tall) {
      activate_rows(ctx, n, oy, 1);
      continue;
    }
    /* Tall: input row oy wrote output rows oy * kh .. + kh (kernel == stride), the last one
     * also the output padding rows below. */
    const size_t first = oy * ctx->stride_height;
    const size_t last = oy + 1 == ctx->input_height ? ctx->output_height
        : first + ctx->kernel_height;
    activate_rows(ctx, n, first, last - first);
  }
}

enum pqnn_status pqnn_prepare_deconv(const char* function, pqnn_operator_t op,
    pthreadpool_t threadpool) {
  const struct pqnn_gemm_config* config = op->gemm_config;
  const size_t y_el = op->spec.output_element_size;
  struct pqnn_deconv_context* ctx = &op->context.deconv;
  memset(ctx, 0, sizeof(*ctx));
  ctx->input_height = op->input_height;
  ctx->input_width = op->input_width;
  ctx->output_height = op->output_height;
  ctx->output_width = op->output_width;
  ctx->batch = op->batch_size;
  ctx->x_pixel_bytes = op->input_pixel_stride * op->spec.input_element_size;
  ctx->y_pixel_bytes = op->output_pixel_stride * y_el;
  ctx->kc = op->group_input_channels * op->spec.input_element_size;
  ctx->groups = op->groups;
  ctx->goc = op->group_output_channels;
  ctx->y_element_size = y_el;
  ctx->tap_stride = op->packed_group_stride;
  ctx->kernel_height = op->kernel_height;
  ctx->kernel_width = op->kernel_width;
  ctx->stride_height = op->stride_height;
  ctx->stride_width = op->stride_width;
  ctx->dilation_height = op->dilation_height;
  ctx->dilation_width = op->dilation_width;
  ctx->padding_top = op->padding_top;
  ctx->padding_left = op->padding_left;
  ctx->mr = config->mr;
  ctx->cn_stride = config->nr * y_el;
  if (op->spec.dynamic_quantization) {
    ctx->dqgemm = config->dqgemm[1];
  } else {
    ctx->gemm = config->gemm[1];
  }
  ctx->params = op->spec.params;
  ctx->bias = op->deconv_bias;
  ctx->bias_pixel = op->deconv_bias_pixel;
  ctx->output_min = op->output_min;
  ctx->output_max = op->output_max;
  ctx->f16_f32 = pqnn_get_convert_config()->f16_f32;
  ctx->f32_f16 = pqnn_get_convert_config()->f32_f16;
  ctx->direct = op->deconv_direct;
  ctx->wide = op->deconv_wide;
  ctx->tall = op->deconv_tall;
  if (op->deconv_tgemm != NULL) {
    ctx->tgemm = op->deconv_tgemm->ukernel;
    ctx->tgemm_mr = op->deconv_tgemm->mr;
  }
  ctx->nc = ctx->tall ? op->kernel_height * op->kernel_width * ctx->goc
          : ctx->wide ? op->kernel_width * ctx->goc : ctx->goc;
  const size_t rows = op->batch_size * (ctx->tall ? op->input_height : op->output_height);
  const size_t threads = pqnn_threadpool_threads(threadpool);
  if ((ctx->direct && !ctx->tall) || ctx->tgemm != NULL) {
    ctx->rows_per_tile = 1;  /* no workspace: rows write the output only */
  } else if (ctx->tall) {
    /* One row buffer (input width x kh * kw * goc outputs) per tile. */
    const size_t tiles = pqnn_min_sz(pqnn_max_sz(rows, 1), threads * kTilesPerThread);
    ctx->rows_per_tile = pqnn_divide_round_up(pqnn_max_sz(rows, 1), tiles);
    const size_t tile_count = pqnn_divide_round_up(pqnn_max_sz(rows, 1), ctx->rows_per_tile);
    size_t bytes, total;
    if (!pqnn_mul_sz(op->input_width * ctx->nc, y_el, &bytes) ||
        !pqnn_mul_sz(pqnn_round_up(bytes, 64), tile_count, &total)) {
      pqnn_log_error(function, "deconvolution workspace size overflows");
      return pqnn_status_invalid_parameter;
    }
    ctx->slot_bytes = pqnn_round_up(bytes, 64);
    const enum pqnn_status status = pqnn_reserve_workspace(function, op, total);
    if (status != pqnn_status_success) return status;
  } else {
    /* One workspace slot per tile: a few tiles per thread. */
    const size_t tiles = pqnn_min_sz(pqnn_max_sz(rows, 1), threads * kTilesPerThread);
    ctx->rows_per_tile = pqnn_divide_round_up(pqnn_max_sz(rows, 1), tiles);
    const size_t column_pixels = pqnn_max_sz(kColumnBytes / (ctx->goc * y_el), 1);
    ctx->chunk = pqnn_min_sz(pqnn_round_up(column_pixels, ctx->mr), op->input_width);
    size_t acc_bytes, col_bytes, wide_bytes = 0, total;
    const size_t tile_count = pqnn_divide_round_up(pqnn_max_sz(rows, 1), ctx->rows_per_tile);
    if (!pqnn_mul_sz(op->output_width * ctx->goc, sizeof(float), &acc_bytes) ||
        !pqnn_mul_sz(ctx->chunk * ctx->goc, y_el, &col_bytes) ||
        (y_el != sizeof(float) && !pqnn_mul_sz(ctx->chunk * ctx->goc, sizeof(float), &wide_bytes)) ||
        !pqnn_add_sz(pqnn_round_up(acc_bytes, 64), pqnn_round_up(col_bytes, 64), &ctx->slot_bytes) ||
        !pqnn_add_sz(ctx->slot_bytes, pqnn_round_up(wide_bytes, 64), &ctx->slot_bytes) ||
        !pqnn_mul_sz(ctx->slot_bytes, tile_count, &total)) {
      pqnn_log_error(function, "deconvolution workspace size overflows");
      return pqnn_status_invalid_parameter;
    }
    const enum pqnn_status status = pqnn_reserve_workspace(function, op, total);
    if (status != pqnn_status_success) return status;
  }
  op->compute = pqnn_compute_deconv;
  return pqnn_status_success;
}

void pqnn_run_deconv(const struct pqnn_operator* op, pthreadpool_t threadpool) {
  struct pqnn_deconv_context ctx = op->context.deconv;
  ctx.x = op->input;
  ctx.y = op->output;
  ctx.quantization_params = op->quantization_params;
  ctx.packed_w = op->packed_weights;
  ctx.epilogue = pqnn_bound_epilogue(op);
  const size_t height = ctx.tall ? ctx.input_height : ctx.output_height;
  const size_t tiles = pqnn_divide_round_up(ctx.batch * height, ctx.rows_per_tile);
  if ((ctx.direct && !ctx.tall) || ctx.tgemm != NULL) {
    pqnn_parallelize_1d(threadpool, compute_deconv, &ctx, tiles);
    return;
  }
  ctx.workspace = (char*) op->workspace;
  pthread_mutex_lock(op->padding_lock);
  pqnn_parallelize_1d(threadpool, compute_deconv, &ctx, tiles);
  pthread_mutex_unlock(op->padding_lock);
}

/* ---- input rows for the runtime's band executor (band-rows.h) ---- */
bool pqnn_deconv_rows_fit(const struct pqnn_operator* op, struct pqnn_deconv_rows* rows) {
  const struct pqnn_deconv_context* ctx = &op->context.deconv;
  if (op->compute != pqnn_compute_deconv || !ctx->direct || ctx->padding_top != 0 ||
      ctx->kernel_height != ctx->stride_height ||
      ctx->output_height != ctx->input_height * ctx->stride_height) {
    return false;
  }
  *rows = (struct pqnn_deconv_rows) {
    .input_height = ctx->input_height, .input_width = ctx->input_width,
    .input_row_bytes = ctx->input_width * ctx->x_pixel_bytes,
    .output_rows = ctx->stride_height,
    .output_row_bytes = ctx->output_width * ctx->y_pixel_bytes,
    .slot_bytes = ctx->tall && ctx->tgemm == NULL ? ctx->slot_bytes : 0,
    .quantized = ctx->dqgemm != NULL,
  };
  return true;
}

void pqnn_deconv_rows(const struct pqnn_operator* op, const void* x, void* y, size_t pixel,
    size_t rows, void* slot) {
  struct pqnn_deconv_context ctx = op->context.deconv;
  ctx.quantization_params = op->quantization_params;
  ctx.packed_w = op->packed_weights;
  ctx.epilogue = pqnn_bound_epilogue(op);
  const size_t x_row_bytes = ctx.input_width * ctx.x_pixel_bytes;
  const size_t y_row_bytes = ctx.output_width * ctx.y_pixel_bytes;
  for (size_t r = 0; r < rows; r++) {
    const char* xr = (const char*) x + r * x_row_bytes;
    const size_t p = pixel + r * ctx.input_width;
    char* yr = (char*) y + r * ctx.stride_height * y_row_bytes;
    if (ctx.tall) {
      /* As compute_deconv's tall tiles: the kh output rows, then their activation. */
      tall_rows_at(&ctx, xr, p, yr, (char*) slot);
      if (ctx.epilogue != NULL) activate_at(&ctx, yr, ctx.stride_height);
      continue;
    }
    for (size_t ky = 0; ky < ctx.stride_height; ky++) {  /* as its direct rows: one by one */
      direct_row_at(&ctx, xr, p, ky, yr + ky * y_row_bytes);
      if (ctx.epilogue != NULL) activate_at(&ctx, yr + ky * y_row_bytes, 1);
    }
  }
}
