/* The patch path: int8 convolution with one group of few input channels (the stem of
 * image models: 3x3 stride 2, 3 -> 32). On the IGEMM path each tap of such a layer is one
 * K step of C <= 4 bytes (zero-extended to the kernel's KR, a K tail on every tap); here
 * the whole kh x kw x C patch of an output pixel is gathered into one contiguous row of
 * K = taps * C bytes, zero-extended once to kc = round_up(K, KR), and the MR rows of a tile
 * run through the same IGEMM microkernel as a single tap. The weights are packed as one
 * [oc][K] matrix (the caller's OHWI layout already is one), so a 3x3x3 patch is 7 c4 steps
 * instead of 9 padded taps, with no per-tap pointer work in the kernel. Padding is written
 * into the gathered rows (qs8: the input zero point; qd8: each image's zero point), so the
 * path needs no padding row, and qd8 images share one parallel run. */
#include <string.h>

#include "operators/paths.h"

#define PATCH_MAX_MR 8
#define PATCH_MAX_KC 208  /* round_up(PQNN_PATCH_MAX_K, 16): KR is at most 16 */

bool pqnn_patch_path_fits(size_t groups, size_t channels, size_t kernel_height, size_t taps,
    size_t element_size, const struct pqnn_gemm_config* config) {
  return groups == 1 && element_size == 1 && channels <= PQNN_PATCH_MAX_CHANNELS &&
      kernel_height <= PQNN_PATCH_MAX_KERNEL_HEIGHT && taps / kernel_height * channels <= 32 &&
      taps <= PQNN_PATCH_MAX_K / channels && config->mr <= PATCH_MAX_MR &&
      config->kr <= 16;
}

const struct pqnn_gemm_config* pqnn_patch_config(const struct pqnn_gemm_config* config,
    size_t n, bool dynamic_quantization) {
  const struct pqnn_gemm_config* narrow = config->narrow;
  if (narrow == NULL || narrow->mr > PATCH_MAX_MR || narrow->kr > 16 ||
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
  ctx->channels = op->group_input_channels;
  ctx->k = (size_t) op->kernel_height * op->kernel_width * ctx->channels;
  ctx->kc = pqnn_round_up(ctx->k, config->kr);
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

/* Copies n <= 32 bytes (kw * C <= 28 of one kernel row) as two overlapping fixed-size
 * pieces the compiler inlines (the gather runs once per output pixel and kernel row);
 * reads exactly [s, s + n). */
static inline void copy_small(int8_t* d, const int8_t* s, size_t n) {
  if (n >= 16) {
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

/* Writes n <= 32 copies of `zero` (padding) like copy_small. */
static inline void fill_small(int8_t* d, int8_t zero, size_t n) {
  int8_t z[32];
  memset(z, zero, sizeof(z));
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

/* Gathers the patch of output pixel (rows->oy, ox) into out[0, K): taps in kh, kw order,
 * C bytes each (padding reads as `zero`). */
static inline void gather_patch(const struct pqnn_patch_context* ctx,
    const struct patch_rows* rows, size_t ox, int8_t zero, int8_t* out) {
  const size_t c = ctx->channels, kw = ctx->kernel_width, run = kw * c;
  const size_t x0 = ox * ctx->stride_width;  /* padded coordinate of tap 0 */
  if (ctx->contiguous && x0 >= ctx->padding_left && x0 - ctx->padding_left + kw <= ctx->input_width) {
    /* Interior pixel of a dense, undilated row: each kernel row is one run of kw * C bytes. */
    const size_t offset = (x0 - ctx->padding_left) * c;
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
      continue;
    }
    for (size_t kx = 0; kx < kw; kx++) {
      const size_t x = x0 + kx * ctx->dilation_width;
      if (x < ctx->padding_left || x - ctx->padding_left >= ctx->input_width) {
        fill_small(out + kx * c, zero, c);
      } else {
        copy_small(out + kx * c, rows->row[ky] + (x - ctx->padding_left) * ctx->pixel_stride, c);
      }
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

void pqnn_run_patch(const struct pqnn_operator* op, pthreadpool_t threadpool) {
  struct pqnn_patch_context ctx = op->context.patch;
  ctx.input = op->input;
  ctx.packed_w = op->packed_weights;
  ctx.c = op->output;
  ctx.quantization_params = op->quantization_params;
  ctx.epilogue = pqnn_bound_epilogue(op);
  pqnn_parallelize_3d_tile_2d(threadpool, compute_patch, &ctx, op->batch_size,
      op->group_output_channels, op->output_height * op->output_width, op->nc_tile,
      op->mc_tile);
}
