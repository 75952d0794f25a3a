/* The patch path: convolution with one group of few input channels (the stem of image
 * models: 3x3 stride 2, 3 -> 32), int8, f16 and f32. On the IGEMM path each tap of such a
 * layer is one K step of C <= 4 elements (int8: zero-extended to the kernel's KR, a K
 * tail on every tap; f32: 9 row pointers and 9 K loops of 3 per pixel, read from an
 * indirection buffer of 72 bytes per pixel). Here the kernel runs without an indirection
 * buffer, in one of two modes:
 * - gathered rows (int8): the whole kh x kw x C patch of an output pixel is gathered into
 *   one contiguous row of K = taps * C bytes, zero-extended once to kc = round_up(K, KR),
 *   and the MR rows of a tile run through the IGEMM microkernel as a single tap, so a 3x3x3
 *   patch is 7 c4 steps instead of 9 padded taps, with no per-tap pointer work;
 * - row taps (f16, f32: KR = 1, no K padding to write): each kernel row of a pixel, kw x C
 *   elements, is one tap of the IGEMM kernel (kc = kw * C, kh taps), its pointer computed
 *   per tile into the input itself; only kernel rows that cross the left or right padding
 *   (or are not one run: dilation, wider pixel strides) are gathered, and rows in the top
 *   or bottom padding point at a zero run. A 3x3x3 f32 patch is 3 taps of 9 K steps.
 * Either way the weights are packed as one [oc][K] matrix (the caller's OHWI layout
 * already is one: the kernel rows of row taps are its consecutive K ranges), padding is
 * written by the path (qs8: the input zero point; qd8: each image's zero point; f16 / f32:
 * zeros), so the path needs no padding row, and qd8 images share one parallel run. The
 * context counts bytes (channels, run, k, kc), so the gather is the same for every type. */
#include <string.h>

#include "operators/paths.h"

#define PATCH_MAX_MR 8
#define PATCH_MAX_KC 208  /* gathered rows: round_up(PQNN_PATCH_MAX_K, 16) bytes (KR <= 16) */
#define PATCH_MAX_ELEMENT_SIZE 4
/* Bytes of one kernel row: kernel_width * channels <= 32 elements. */
#define PATCH_MAX_RUN (32 * PATCH_MAX_ELEMENT_SIZE)
/* Row taps: the gathered kernel rows of one tile, at most taps * C <= PQNN_PATCH_MAX_K
 * elements per pixel. */
#define PATCH_MAX_PIXEL_BYTES (PQNN_PATCH_MAX_K * PATCH_MAX_ELEMENT_SIZE)

/* The kernel rows in the top / bottom padding of row taps (f16 / f32 zeros). */
static const int8_t zero_run[PATCH_MAX_RUN];

/* Row taps for wider elements (f16, f32), whose kernels have KR = 1 (a tap of kw * C
 * elements needs no K padding); gathered rows for int8. */
static bool row_taps(size_t element_size) {
  return element_size != 1;
}

bool pqnn_patch_path_fits(size_t groups, size_t channels, size_t kernel_height, size_t taps,
    size_t element_size, const struct pqnn_gemm_config* config) {
  const bool type_fits = element_size == 1
      ? config->kr <= 16
      : (element_size == 2 || element_size == 4) && config->kr == 1;
  return groups == 1 && type_fits && channels <= PQNN_PATCH_MAX_CHANNELS &&
      kernel_height <= PQNN_PATCH_MAX_KERNEL_HEIGHT && taps / kernel_height * channels <= 32 &&
      taps <= PQNN_PATCH_MAX_K / channels && config->mr <= PATCH_MAX_MR;
}

const struct pqnn_gemm_config* pqnn_patch_config(const struct pqnn_gemm_config* config,
    size_t n, bool dynamic_quantization) {
  const struct pqnn_gemm_config* narrow = config->narrow;
  if (narrow == NULL || narrow->mr > PATCH_MAX_MR || narrow->kr > 16 ||
      (config->kr == 1 && narrow->kr != 1) ||
      narrow->input_offset != config->input_offset ||
      (dynamic_quantization ? narrow->dqigemm[1] == NULL : narrow->igemm[1] == NULL)) {
    return config;
  }
  /* Narrow when it computes at most 3/4 of the columns the main tile would. */
  const size_t wide = pqnn_round_up(n, config->nr), thin = pqnn_round_up(n, narrow->nr);
  return thin * 4 <= wide * 3 ? narrow : config;
}

void pqnn_prepare_patch(pqnn_operator_t op, const struct pqnn_conv_geometry* geometry,
    pthreadpool_t threadpool) {
  const struct pqnn_gemm_config* config = op->gemm_config;
  const bool dq = op->spec.dynamic_quantization;
  const size_t output_pixels = geometry->output_height * geometry->output_width;
  const bool mr1 = output_pixels == 1 &&
      (dq ? config->dqigemm[0] != NULL : config->igemm[0] != NULL);
  const size_t mr = mr1 ? 1 : config->mr;
  op->use_mr1 = mr1;
  struct pqnn_patch_context* ctx = &op->context.patch;
  memset(ctx, 0, sizeof(*ctx));
  const size_t element_size = op->spec.input_element_size;
  const size_t k = (size_t) op->kernel_height * op->kernel_width * op->group_input_channels;
  ctx->row_taps = row_taps(element_size);
  ctx->channels = op->group_input_channels * element_size;
  ctx->run = op->kernel_width * ctx->channels;
  ctx->k = k * element_size;
  /* row taps: KR = 1, kc = K */
  ctx->kc = pqnn_round_up(k, config->kr) * element_size;
  ctx->mr = mr;
  ctx->pixel_stride = geometry->pixel_stride_bytes;
  ctx->input_height = geometry->input_height;
  ctx->input_width = geometry->input_width;
  ctx->output_width = geometry->output_width;
  ctx->padding_top = geometry->padding_top;
  ctx->padding_left = geometry->padding_left;
  ctx->kernel_height = geometry->kernel_height;
  ctx->kernel_width = geometry->kernel_width;
  ctx->stride_height = geometry->stride_height;
  ctx->stride_width = geometry->stride_width;
  ctx->dilation_height = geometry->dilation_height;
  ctx->dilation_width = geometry->dilation_width;
  ctx->zero_byte = op->spec.zero_byte;
  ctx->contiguous = geometry->dilation_width == 1 && ctx->pixel_stride == ctx->channels;
  /* Output columns [interior_begin, interior_end) whose kernel rows are each one run
   * (interior()): ox * SW >= padding_left, ox * SW - padding_left + kw <= input_width. */
  if (ctx->contiguous && geometry->input_width + geometry->padding_left >= ctx->kernel_width) {
    const size_t sw = geometry->stride_width;
    const size_t last = (geometry->input_width + geometry->padding_left - ctx->kernel_width) / sw;
    ctx->interior_begin = pqnn_divide_round_up(geometry->padding_left, sw);
    ctx->interior_end = last + 1 < geometry->output_width ? last + 1 : geometry->output_width;
    if (ctx->interior_end < ctx->interior_begin) ctx->interior_end = ctx->interior_begin;
  }
  ctx->ba_stride = geometry->input_height * geometry->input_width * geometry->pixel_stride_bytes;
  ctx->w_panel_stride = op->packed_panel_stride;
  ctx->cm_stride = op->output_pixel_stride * op->spec.output_element_size;
  ctx->cn_stride = config->nr * op->spec.output_element_size;
  ctx->bc_stride = output_pixels * ctx->cm_stride;
  ctx->nr = config->nr;
  ctx->c_element_size = op->spec.output_element_size;
  ctx->igemm = config->igemm[mr1 ? 0 : 1];
  ctx->dqigemm = config->dqigemm[mr1 ? 0 : 1];
  ctx->params = op->spec.params;
  pqnn_choose_gemm_tiles(output_pixels, op->group_output_channels,
      op->packed_panel_stride / config->nr, mr, config->nr, op->batch_size,
      pqnn_threadpool_threads(threadpool), &op->mc_tile, &op->nc_tile);
  /* Up to 16 MR tiles per task (one row-pointer setup and the gather running ahead of the
   * kernel across them), keeping >= 8 tasks per thread. */
  const size_t threads = pqnn_threadpool_threads(threadpool);
  const size_t m_tiles = pqnn_divide_round_up(output_pixels, mr) * op->batch_size;
  size_t per_task = m_tiles / (threads * 8);
  per_task = per_task < 1 ? 1 : per_task > 16 ? 16 : per_task;
  op->mc_tile = mr * per_task;
  op->compute = pqnn_compute_patch;
}

/* Copies n <= PATCH_MAX_RUN bytes (one kernel row, kw * C elements) as overlapping
 * fixed-size pieces the compiler inlines (the gather runs once per output pixel and kernel
 * row: int8 rows of <= 32 bytes take two pieces, an f32 3x3x3 row of 36 two of 32);
 * reads exactly [s, s + n). */
static inline void copy_small(int8_t* d, const int8_t* s, size_t n) {
  if (n > 32) {
    for (size_t i = 0; i + 32 < n; i += 32) memcpy(d + i, s + i, 32);
    memcpy(d + n - 32, s + n - 32, 32);
  } else if (n >= 16) {
    memcpy(d, s, 16);
    memcpy(d + n - 16, s + n - 16, 16);
  } else if (n >= 8) {
    memcpy(d, s, 8);
    memcpy(d + n - 8, s + n - 8, 8);
  } else if (n >= 4) {
    memcpy(d, s, 4);
    memcpy(d + n - 4, s + n - 4, 4);
  } else if (n >= 2) {
    memcpy(d, s, 2);
    memcpy(d + n - 2, s + n - 2, 2);
  } else if (n != 0) {
    *d = *s;
  }
}

/* Writes n <= PATCH_MAX_RUN copies of `zero` (padding) like copy_small. */
static inline void fill_small(int8_t* d, int8_t zero, size_t n) {
  int8_t z[32];
  memset(z, zero, sizeof(z));
  for (; n > 32; n -= 32, d += 32) memcpy(d, z, 32);
  copy_small(d, z, n);
}

/* The input rows of one output row: row[ky] is the first byte of input row
 * oy * SH + ky * DH - padding_top, or NULL where that row is padding. */
struct patch_rows {
  size_t oy;
  const int8_t* row[PQNN_PATCH_MAX_KERNEL_HEIGHT];
};

static void patch_rows_init(const struct pqnn_patch_context* ctx, const int8_t* image,
    size_t oy, struct patch_rows* rows) {
  rows->oy = oy;
  const size_t row_bytes = ctx->input_width * ctx->pixel_stride;
  for (size_t ky = 0; ky < ctx->kernel_height; ky++) {
    const size_t y = oy * ctx->stride_height + ky * ctx->dilation_height;
    rows->row[ky] = y < ctx->padding_top || y - ctx->padding_top >= ctx->input_height
        ? NULL : image + (y - ctx->padding_top) * row_bytes;
  }
}

/* Whether kernel row ky of a pixel whose tap 0 is at padded column x0 is one run of
 * kw * C bytes in the input (dense, undilated, inside the left and right padding). */
static inline bool interior(const struct pqnn_patch_context* ctx, size_t x0) {
  return ctx->contiguous && x0 >= ctx->padding_left &&
      x0 - ctx->padding_left + ctx->kernel_width <= ctx->input_width;
}

/* Gathers one kernel row of input row `row` (not padding), tap 0 at padded column x0,
 * into out[0, kw * C) tap by tap (padding columns read as `zero`). */
static inline void gather_run(const struct pqnn_patch_context* ctx, const int8_t* row,
    size_t x0, int8_t zero, int8_t* out) {
  const size_t c = ctx->channels;
  for (size_t kx = 0; kx < ctx->kernel_width; kx++) {
    const size_t x = x0 + kx * ctx->dilation_width;
    if (x < ctx->padding_left || x - ctx->padding_left >= ctx->input_width) {
      fill_small(out + kx * c, zero, c);
    } else {
      copy_small(out + kx * c, row + (x - ctx->padding_left) * ctx->pixel_stride, c);
    }
  }
}

/* Gathers the patch of output pixel (rows->oy, ox) into out[0, K): taps in kh, kw order,
 * C bytes each (padding reads as `zero`). */
static inline void gather_patch(const struct pqnn_patch_context* ctx,
    const struct patch_rows* rows, size_t ox, int8_t zero, int8_t* out) {
  const size_t run = ctx->run;
  const size_t x0 = ox * ctx->stride_width;  /* padded coordinate of tap 0 */
  if (interior(ctx, x0)) {
    /* Interior pixel of a dense, undilated row: each kernel row is one run of kw * C bytes. */
    const size_t offset = (x0 - ctx->padding_left) * ctx->channels;
    for (size_t ky = 0; ky < ctx->kernel_height; ky++, out += run) {
      if (rows->row[ky] != NULL) {
        copy_small(out, rows->row[ky] + offset, run);
      } else {
        fill_small(out, zero, run);
      }
    }
    return;
  }
  for (size_t ky = 0; ky < ctx->kernel_height; ky++, out += run) {
    if (rows->row[ky] == NULL) {
      fill_small(out, zero, run);
    } else {
      gather_run(ctx, rows->row[ky], x0, zero, out);
    }
  }
}

/* Gathers `count` pixels from (rows->oy, *ox) on into buffer rows kc bytes apart and
 * points a[0, mr) at them (rows past count repeat the last one); advances *ox / rows. */
static void gather_tile(const struct pqnn_patch_context* ctx, const int8_t* image,
    struct patch_rows* rows, size_t* ox, size_t count, int8_t zero, int8_t* buffer,
    const void** a) {
  for (size_t r = 0; r < count; r++) {
    gather_patch(ctx, rows, *ox, zero, buffer + r * ctx->kc);
    if (++*ox == ctx->output_width) {
      *ox = 0;
      patch_rows_init(ctx, image, rows->oy + 1, rows);
    }
  }
  for (size_t r = 0; r < ctx->mr; r++) {
    a[r] = buffer + (r < count ? r : count - 1) * ctx->kc;
  }
}

/* Patch tile: image b, columns [n, n + n_size), output pixels [m, m + m_size) (m is a
 * multiple of mr), MR pixels at a time. Two stack buffers alternate: the next MR patches
 * are gathered before the kernel reads the current ones, so the kernel's loads do not
 * meet the gather's stores still in flight (a 4-byte load spanning two of them cannot be
 * forwarded). */
static void compute_patch(void* context, size_t b, size_t n, size_t m, size_t n_size,
    size_t m_size) {
  const struct pqnn_patch_context* ctx = (const struct pqnn_patch_context*) context;
  const int8_t* image = (const int8_t*) ctx->input + b * ctx->ba_stride;
  const struct pqnn_quantization_params* qp =
      ctx->dqigemm != NULL ? ctx->quantization_params + b : NULL;
  const int8_t zero = qp != NULL ? (int8_t) qp->zero_point : (int8_t) ctx->zero_byte;
  const char* w = (const char*) ctx->packed_w + (n / ctx->nr) * ctx->w_panel_stride;
  _Alignas(64) int8_t buffers[2][PATCH_MAX_MR * PATCH_MAX_KC];
  const void* a[2][PATCH_MAX_MR];
  /* [K, kc) of every row stays zero (the packed weights are zero there too). */
  for (size_t r = 0; ctx->kc != ctx->k && r < 2 * ctx->mr; r++) {
    memset(&buffers[r / ctx->mr][(r % ctx->mr) * ctx->kc + ctx->k], 0, ctx->kc - ctx->k);
  }
  struct patch_rows rows;
  size_t ox = m % ctx->output_width;
  patch_rows_init(ctx, image, m / ctx->output_width, &rows);
  const size_t end = m + m_size;
  size_t count = end - m < ctx->mr ? end - m : ctx->mr;
  gather_tile(ctx, image, &rows, &ox, count, zero, buffers[0], a[0]);
  for (size_t i = m, t = 0; i < end; i += ctx->mr, t ^= 1) {
    const size_t next = i + ctx->mr;
    const size_t next_count = next < end ? (end - next < ctx->mr ? end - next : ctx->mr) : 0;
    if (next_count != 0) {
      gather_tile(ctx, image, &rows, &ox, next_count, zero, buffers[t ^ 1], a[t ^ 1]);
    }
    char* c = (char*) ctx->c + b * ctx->bc_stride + i * ctx->cm_stride + n * ctx->c_element_size;
    if (qp != NULL) {
      ctx->dqigemm(count, n_size, ctx->kc, ctx->mr * sizeof(void*), a[t], w, c, ctx->cm_stride,
          ctx->cn_stride, 0, NULL, &ctx->params, qp);
    } else {
      ctx->igemm(count, n_size, ctx->kc, ctx->mr * sizeof(void*), a[t], w, c, ctx->cm_stride,
          ctx->cn_stride, 0, NULL, &ctx->params);
    }
    if (ctx->epilogue != NULL) {
      pqnn_apply_epilogue(ctx->epilogue, c, ctx->cm_stride, b * ctx->epilogue->image_pixels + i,
          n * ctx->c_element_size, count, n_size);
    }
    count = next_count;
  }
}

/* Row taps of output pixel (rows->oy, ox): a[ky * mr] points at its kernel row ky (in
 * the input, at zero_run, or gathered into slot + ky * run). */
static inline void point_pixel(const struct pqnn_patch_context* ctx,
    const struct patch_rows* rows, size_t ox, int8_t* slot, const void** a) {
  const size_t x0 = ox * ctx->stride_width;  /* padded coordinate of tap 0 */
  const size_t mr = ctx->mr;
  if (interior(ctx, x0)) {
    const size_t offset = (x0 - ctx->padding_left) * ctx->channels;
    for (size_t ky = 0; ky < ctx->kernel_height; ky++) {
      a[ky * mr] = rows->row[ky] != NULL ? rows->row[ky] + offset : zero_run;
    }
    return;
  }
  for (size_t ky = 0; ky < ctx->kernel_height; ky++, slot += ctx->run) {
    if (rows->row[ky] == NULL) {
      a[ky * mr] = zero_run;
    } else {
      gather_run(ctx, rows->row[ky], x0, (int8_t) ctx->zero_byte, slot);
      a[ky * mr] = slot;
    }
  }
}

/* Whether the `count` pixels from output column ox on lie in one output row and their
 * kernel rows are all runs (pointers into the input: no slots). */
static inline bool interior_tile(const struct pqnn_patch_context* ctx, size_t ox, size_t count) {
  return ox >= ctx->interior_begin && ox + count <= ctx->interior_end;
}

/* Points a[ky * mr + r] at kernel row ky of the `count` pixels from (rows->oy, *ox) on
 * (rows past count repeat the last pixel), gathering border rows into slots (k bytes per
 * pixel); advances *ox / rows. */
static void point_tile(const struct pqnn_patch_context* ctx, const int8_t* image,
    struct patch_rows* rows, size_t* ox, size_t count, int8_t* slots, const void** a) {
  const size_t mr = ctx->mr, kh = ctx->kernel_height;
  for (size_t r = 0; r < count; r++) {
    point_pixel(ctx, rows, *ox, slots + r * ctx->k, a + r);
    if (++*ox == ctx->output_width) {
      *ox = 0;
      patch_rows_init(ctx, image, rows->oy + 1, rows);
    }
  }
  for (size_t r = count; r < mr; r++) {
    for (size_t ky = 0; ky < kh; ky++) a[ky * mr + r] = a[ky * mr + count - 1];
  }
}

/* The row table of output row rows->oy (every kernel row inside the image): table[ky * mr
 * + r] points at kernel row ky of pixel interior_begin + r; pixel ox's tile is the same
 * table shifted by a_offset = (ox - interior_begin) * SW * C bytes, which the IGEMM kernel
 * adds to every pointer but `zero` (NULL here). False (no table) when a kernel row of
 * this output row is padding. */
static bool build_row_table(const struct pqnn_patch_context* ctx, const struct patch_rows* rows,
    const void** table) {
  const size_t mr = ctx->mr, step = ctx->stride_width * ctx->channels;
  const size_t first = (ctx->interior_begin * ctx->stride_width - ctx->padding_left) * ctx->channels;
  for (size_t ky = 0; ky < ctx->kernel_height; ky++) {
    if (rows->row[ky] == NULL) return false;
    const int8_t* p = rows->row[ky] + first;
    for (size_t r = 0; r < mr; r++, p += step) table[ky * mr + r] = p;
  }
  return true;
}

/* Row-tap tile (f16, f32): image b, columns [n, n + n_size), output pixels [m, m + m_size)
 * (m is a multiple of mr), MR pixels at a time: kh taps of kc = kw * C bytes, tap-major
 * pointers. A tile inside one output row whose kernel rows are all runs in the image (all
 * but the first / last columns and rows) runs on its row's table and an a_offset: no
 * per-tile pointer writes (writing them per tile cost more than the IGEMM path's
 * precomputed indirection: bench/f32-convolution, Zen 5); any other tile gets its own
 * pointers (point_tile), padding rows at zero_run. */
static void compute_patch_rows(void* context, size_t b, size_t n, size_t m, size_t n_size,
    size_t m_size) {
  const struct pqnn_patch_context* ctx = (const struct pqnn_patch_context*) context;
  const int8_t* image = (const int8_t*) ctx->input + b * ctx->ba_stride;
  const char* w = (const char*) ctx->packed_w + (n / ctx->nr) * ctx->w_panel_stride;
  const size_t mr = ctx->mr, ks = ctx->kernel_height * mr * sizeof(void*);
  const size_t step = ctx->stride_width * ctx->channels;
  _Alignas(64) int8_t slots[PATCH_MAX_MR * PATCH_MAX_PIXEL_BYTES];
  const void* table[PQNN_PATCH_MAX_KERNEL_HEIGHT * PATCH_MAX_MR];
  const void* a[PQNN_PATCH_MAX_KERNEL_HEIGHT * PATCH_MAX_MR];
  struct patch_rows rows;
  size_t ox = m % ctx->output_width;
  patch_rows_init(ctx, image, m / ctx->output_width, &rows);
  size_t table_oy = SIZE_MAX;  /* the output row `table` holds (SIZE_MAX: none) */
  bool table_valid = false;
  const size_t end = m + m_size;
  for (size_t i = m; i < end; i += mr) {
    const size_t count = end - i < mr ? end - i : mr;
    char* c = (char*) ctx->c + b * ctx->bc_stride + i * ctx->cm_stride + n * ctx->c_element_size;
    /* Full tiles only: the kernel reads all mr rows, and a table row past the image's
     * last pixel would point past the input (point_tile repeats the tile's last pixel). */
    const bool on_table = count == mr && interior_tile(ctx, ox, count);
    if (on_table && table_oy != rows.oy) {
      table_oy = rows.oy;
      table_valid = build_row_table(ctx, &rows, table);
    }
    if (on_table && table_valid) {
      ctx->igemm(count, n_size, ctx->run, ks, table, w, c, ctx->cm_stride, ctx->cn_stride,
          (ox - ctx->interior_begin) * step, NULL, &ctx->params);
      ox += count;
      if (ox == ctx->output_width) {
        ox = 0;
        patch_rows_init(ctx, image, rows.oy + 1, &rows);
      }
    } else {
      point_tile(ctx, image, &rows, &ox, count, slots, a);
      ctx->igemm(count, n_size, ctx->run, ks, a, w, c, ctx->cm_stride, ctx->cn_stride, 0, NULL,
          &ctx->params);
    }
    if (ctx->epilogue != NULL) {
      pqnn_apply_epilogue(ctx->epilogue, c, ctx->cm_stride, b * ctx->epilogue->image_pixels + i,
          n * ctx->c_element_size, count, n_size);
    }
  }
}

void pqnn_run_patch(const struct pqnn_operator* op, pthreadpool_t threadpool) {
  struct pqnn_patch_context ctx = op->context.patch;
  ctx.input = op->input;
  ctx.packed_w = op->packed_weights;
  ctx.c = op->output;
  ctx.quantization_params = op->quantization_params;
  ctx.epilogue = pqnn_bound_epilogue(op);
  pqnn_parallelize_3d_tile_2d(threadpool, ctx.row_taps ? compute_patch_rows : compute_patch,
      &ctx, op->batch_size,
      op->group_output_channels, op->output_height * op->output_width, op->nc_tile,
      op->mc_tile);
}
