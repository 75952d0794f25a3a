/* The Winograd path: f32 3x3 stride-1 dilation-1 convolution of one group as
 * F(4x4, 3x3) (Lavin & Gray's transforms, interpolation points 0, +-1, +-2, infinity).
 * Each 4x4 block of output pixels (a tile) reads a 6x6 block of input pixels; per tile
 * and channel the input is transformed to V = BT d B (6x6), the 36 element-wise products
 * with the transformed weights U = G g GT become 36 GEMMs [tiles x Cin] x [Cin x Cout] on
 * the f32 GEMM microkernels, and the output transform Y = AT M A (4x4) adds the bias and
 * clamps. 2.25x fewer multiply-adds than direct convolution, at an f32 error of a few
 * 1e-6 of the largest output (docs/architecture.md, "Winograd"). The transforms are
 * microkernels (f32-winograd-input / -output, src/configs/f32-winograd-config.c), one line
 * of 6 channel streams per call; a tile whose output transform saw a value that is not
 * finite is computed again directly (direct_tile), so overflow of the transformed values
 * and Inf / NaN inputs give what direct convolution gives.
 *
 * Create packs U as 36 GEMM weight groups (no bias: the output transform adds it) and
 * keeps the f32 bias and the kernel (for direct_tile). Reshape sizes blocks of MR tiles and a
 * workspace of one slot per task (a few tasks per thread); run hands each task a
 * contiguous range of blocks. Every block is computed alike whatever task runs it, so
 * results do not depend on the thread count. Tiles that overhang the input read the
 * padding row; outputs past the image edge (partial tiles) go to a discard row. A fused
 * activation / residual (the output epilogue, epilogue.c) follows each tile's output
 * transform. The input may be parts (pqnn_setup_winograd_input_parts: a channel
 * concatenation the runtime does not write, resized parts read at their nearest source
 * pixels): the first pass of the input transform then runs per part into that part's
 * channels of its lines, which gives the bits of the concatenated input. A part may carry
 * a pixel step (the runtime's per-channel multiply of a squeeze-excite block, with its
 * adds, whose output only this convolution reads): each input row a task reads is stepped
 * once from the map into the task's last STEPPED_ROWS rows (a tile row's tiles share
 * them), so the stepped map is never written (pqnn_reserve_winograd_stepped_rows). */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "allocator.h"
#include "logging.h"
#include "operators/paths.h"
#include "packing.h"

#define ALPHA PQNN_WINOGRAD_ALPHA    /* input tile edge */
#define TILE PQNN_WINOGRAD_TILE      /* output tile edge */
#define POINTS (ALPHA * ALPHA)       /* GEMMs per block */
/* Input rows of a stepped part kept per task: one tile's ALPHA, so a tile row's tiles step
 * each of its rows once (rows 4i + 4, 4i + 5 carry over to the next tile row). */
#define STEPPED_ROWS ALPHA

enum { kTasksPerThread = 4 };

#if defined(__GNUC__) || defined(__clang__)
#define PREFETCH(p) __builtin_prefetch(p)
#else
#define PREFETCH(p) ((void) (p))
#endif

/* The weight transform G (6x3). */
static const double kG[ALPHA][3] = {
  {1.0 / 4.0, 0.0, 0.0},
  {-1.0 / 6.0, -1.0 / 6.0, -1.0 / 6.0},
  {-1.0 / 6.0, 1.0 / 6.0, -1.0 / 6.0},
  {1.0 / 24.0, 1.0 / 12.0, 1.0 / 6.0},
  {1.0 / 24.0, -1.0 / 12.0, 1.0 / 6.0},
  {0.0, 0.0, 1.0},
};

bool pqnn_winograd_fits(const struct pqnn_conv2d_args* a, uint32_t flags,
    const struct pqnn_gemm_op_spec* spec) {
  if (!spec->winograd || spec->gemm_config->gemm[1] == NULL) return false;
  if ((flags & PQNN_FLAG_NO_WINOGRAD) != 0 || (flags & PQNN_FLAG_DEPTHWISE_CONVOLUTION) != 0) {
    return false;
  }
  if (a->kernel_height != 3 || a->kernel_width != 3 || a->stride_height != 1 ||
      a->stride_width != 1 || a->dilation_height != 1 || a->dilation_width != 1 ||
      a->groups != 1) {
    return false;
  }
  /* The cost rule (measured, docs/architecture.md "Winograd": bench/operators/f32-convolution.cc
   * f32_conv3x3/few_*, 56x56, avx512): the transforms cost O(Cin + Cout) per pixel, the
   * saved GEMM work O(Cin * Cout), and the IGEMM path of few channels is itself slow; Winograd
   * won 8 -> 8 (1.5x), 8 -> 32 (1.05x), 32 -> 8 (2.2x), 96 -> 4 (2.5x), 4 -> 4 (1.15x) and
   * lost 4 -> 96 (0.8x: few inputs, the output transform dominates). */
  const size_t cin = a->group_input_channels, cout = a->group_output_channels;
  return cin >= 8 || cout <= cin;
}

const struct pqnn_gemm_config* pqnn_winograd_gemm_config(const struct pqnn_gemm_config* config,
    size_t n) {
  /* The tile that pads the fewest columns: the main one (7x32 on avx512f), its narrow one
   * (7x16: N <= 16, 40, 48, ...) or the tier's pair tile (12x24: N = 24, 72 ...); on a tie
   * the main tile, then the narrow one (1024x40x96 GEMM 0.083 ms on 7x16 against 0.095 on
   * 12x24, bench/kernels/f32-gemm-kernels). bench/operators/f32-convolution f32_conv3x3,
   * 7x32 -> 12x24 / 7x16, taskset -c 1, 2 runs interleaved at load ~9: det 96 -> 24
   * 160x160 5.33-5.35 -> 4.94-4.95 ms, 80x80 1.22-1.23 -> 1.11-1.13 ms, 40x40 291-299 ->
   * 268-285 us, 20x20 73.7-76.5 -> 78.7-79.0 us (3 blocks of 10 + 10 + 5 tiles against 4
   * of 7: a GEMM call costs its K loop whatever its rows); 80x80 96 -> 48 (7x16) 1.95-2.02
   * -> 1.78-1.82 ms; 56x56 64 -> 16 352-363 -> 229-230 us, 96 -> 4 511-520 -> 330-333 us,
   * 32 -> 8 201-202 -> 127-130 us, 16 -> 16 125-127 -> 84-85 us, 8 -> 8 94 -> 72-73 us,
   * 4 -> 4 68.5-68.9 -> 55.5-56.0 us. */
  if (config == NULL) return config;
  const struct pqnn_gemm_config* best = config;
  const struct pqnn_gemm_config* others[2] = {
      config->narrow, pqnn_get_f32_winograd_config()->pair_gemm};
  for (size_t i = 0; i < 2; i++) {
    if (others[i] != NULL && others[i]->gemm[1] != NULL &&
        pqnn_round_up(n, others[i]->nr) < pqnn_round_up(n, best->nr)) {
      best = others[i];
    }
  }
  return best;
}

size_t pqnn_winograd_group_size(const struct pqnn_conv2d_args* a,
    const struct pqnn_gemm_op_spec* spec) {
  const struct pqnn_gemm_config* config = spec->gemm_config;
  return pqnn_packed_gemm_group_size(a->group_output_channels, 1, a->group_input_channels,
      config->nr, config->kr, spec->packed_element_size, spec->packed_prefix_size,
      spec->packed_suffix_size);
}

enum pqnn_status pqnn_pack_winograd(const char* function, pqnn_operator_t op,
    const struct pqnn_conv2d_args* a, const struct pqnn_gemm_op_spec* spec,
    const float* kernel) {
  const size_t cin = a->group_input_channels, cout = a->group_output_channels;
  /* The products U[point][oc][ic] = (G g GT)[point] in the packer's [group][nc][kc]. */
  size_t u_bytes;
  if (!pqnn_mul_sz(POINTS * sizeof(float), cout, &u_bytes) ||
      !pqnn_mul_sz(u_bytes, cin, &u_bytes)) {
    pqnn_log_error(function, "the Winograd weight transform's size overflows");
    return pqnn_status_invalid_parameter;
  }
  /* The bias, then the kernel as given (OHWI) for the tiles computed directly (direct_tile). */
  size_t direct_bytes;
  if (!pqnn_mul_sz(9 * sizeof(float), cout, &direct_bytes) ||
      !pqnn_mul_sz(direct_bytes, cin, &direct_bytes) ||
      !pqnn_add_sz(direct_bytes, cout * sizeof(float), &direct_bytes)) {
    pqnn_log_error(function, "the Winograd weight transform's size overflows");
    return pqnn_status_invalid_parameter;
  }
  float* u = (float*) pqnn_allocate(u_bytes);
  op->f32_bias = (float*) pqnn_allocate(direct_bytes);
  if (u == NULL || op->f32_bias == NULL) {
    pqnn_release(u);
    pqnn_log_error(function, "cannot allocate the Winograd weight transform");
    return pqnn_status_out_of_memory;
  }
  for (size_t oc = 0; oc < cout; oc++) {
    for (size_t ic = 0; ic < cin; ic++) {
      const float* g = kernel + oc * 9 * cin + ic;  /* OHWI: tap (y, x) at (3y + x) * cin */
      double gg[ALPHA][3];                         /* G g */
      for (size_t k = 0; k < ALPHA; k++) {
        for (size_t x = 0; x < 3; x++) {
          gg[k][x] = kG[k][0] * g[x * cin] + kG[k][1] * g[(3 + x) * cin] +
              kG[k][2] * g[(6 + x) * cin];
        }
      }
      for (size_t k = 0; k < ALPHA; k++) {
        for (size_t l = 0; l < ALPHA; l++) {
          const double v = gg[k][0] * kG[l][0] + gg[k][1] * kG[l][1] + gg[k][2] * kG[l][2];
          u[((k * ALPHA + l) * cout + oc) * cin + ic] = (float) v;
        }
      }
    }
  }
  const float* bias = (const float*) spec->spec_context;
  for (size_t oc = 0; oc < cout; oc++) op->f32_bias[oc] = bias != NULL ? bias[oc] : 0.0f;
  memcpy(op->f32_bias + cout, kernel, direct_bytes - cout * sizeof(float));
  const struct pqnn_gemm_config* config = spec->gemm_config;
  spec->pack_gemm(NULL, POINTS, cout, 1, cin, config->nr, config->kr, false, u,
      op->packed_weights);
  pqnn_release(u);
  return pqnn_status_success;
}

/* Slot layout, in floats: V [POINTS][tiles][cin], M [POINTS][tiles][cout], the scratch of
 * one tile's first transform pass [ALPHA][ALPHA][max(cin, cout)], a discard row of cout,
 * and where the operator reserved stepped rows (`stepped`), the stage of one output
 * pixel's 9 stepped taps (direct_tile) [9][cin] and the rows' keys and rows
 * [STEPPED_ROWS][width][cin] (row_floats = width x cin). */
static bool slot_floats(size_t tiles, size_t cin, size_t cout, bool stepped, size_t row_floats,
    struct pqnn_winograd_context* ctx, size_t* floats) {
  const size_t line = 64 / sizeof(float);
  const size_t v = pqnn_round_up(POINTS * tiles * cin, line);
  const size_t m = pqnn_round_up(POINTS * tiles * cout, line);
  const size_t scratch = pqnn_round_up(POINTS * pqnn_max_sz(cin, cout), line);
  const size_t discard = pqnn_round_up(cout, line);
  const size_t stage = stepped ? pqnn_round_up(9 * cin, line) : 0;
  ctx->m_offset = v;
  ctx->scratch_offset = v + m;
  ctx->discard_offset = v + m + scratch;
  ctx->stage_offset = v + m + scratch + discard;
  ctx->rows_offset = row_floats != 0 ? v + m + scratch + discard + stage : 0;
  /* The stepped rows' keys (a cache line), then the rows. */
  size_t rows = 0;
  if (row_floats != 0 && (!pqnn_mul_sz(row_floats, STEPPED_ROWS, &rows) ||
      !pqnn_add_sz(rows, line, &rows))) {
    return false;
  }
  *floats = v + m + scratch + discard + stage;
  return pqnn_add_sz(*floats, pqnn_round_up(rows, line), floats);
}

enum pqnn_status pqnn_prepare_winograd(const char* function, pqnn_operator_t op,
    const struct pqnn_conv_geometry* geometry, pthreadpool_t threadpool) {
  const struct pqnn_gemm_config* config = op->gemm_config;
  const size_t cin = op->group_input_channels, cout = op->group_output_channels;
  struct pqnn_winograd_context* ctx = &op->context.winograd;
  memset(ctx, 0, sizeof(*ctx));
  ctx->cin = cin;
  ctx->cout = cout;
  ctx->input_height = geometry->input_height;
  ctx->input_width = geometry->input_width;
  ctx->output_height = geometry->output_height;
  ctx->output_width = geometry->output_width;
  ctx->padding_top = geometry->padding_top;
  ctx->padding_left = geometry->padding_left;
  ctx->x_pixel_stride = op->input_pixel_stride;
  ctx->y_pixel_stride = op->output_pixel_stride;
  ctx->tiles_height = pqnn_divide_round_up(geometry->output_height, TILE);
  ctx->tiles_width = pqnn_divide_round_up(geometry->output_width, TILE);
  ctx->tiles = op->batch_size * ctx->tiles_height * ctx->tiles_width;
  ctx->mr = config->mr;
  ctx->nr = config->nr;
  ctx->gemm = config->gemm[1];
  ctx->point_stride = op->packed_group_stride;
  ctx->zero = (const float*) op->zero_buffer;
  ctx->bias = op->f32_bias;
  ctx->direct_w = op->f32_bias + cout;
  const struct pqnn_winograd_config* transforms = pqnn_get_f32_winograd_config();
  ctx->input = transforms->input;
  ctx->narrow_input = transforms->narrow_input;
  ctx->channel_tile = transforms->channel_tile;
  ctx->output = cout < transforms->channel_tile ? transforms->narrow_output : transforms->output;
  ctx->output_min = op->spec.params.f32.min;
  ctx->output_max = op->spec.params.f32.max;
  /* Tiles per block: MR, one GEMM call per point. Each call reads the point's weights
   * whatever the block size, so larger blocks only keep V and M longer out of L1: blocks
   * of V and M in half of L2 (28 tiles for det's 96 -> 24) against blocks of MR tiles,
   * bench/operators/f32-convolution f32_conv3x3, taskset -c 1, median of 3 interleaved:
   * det 160x160 5770 -> 5161 us, 80x80 1299 -> 1161, 40x40 302 -> 288, 80x80 96 -> 96
   * 3346 -> 3168, ResNet 56x56 707 -> 680, 56x56 64 -> 16 388 -> 367, 96 -> 4 574 -> 540;
   * ResNet 28x28 / 14x14, 40x40 128 -> 48, 4 -> 4 and det 20x20 within the noise. */
  /* Blocks of at most MR tiles, as even as the count allows (and of an even count where
   * MR is: the pair tile computes rows two at a time): each GEMM call costs about the same
   * whatever its rows, so det 20x20's 25 tiles run as 10 + 10 + 5 rather than 12 + 12 + 1
   * (79.3-79.8 -> 78.7-79.0 us, 2 runs). */
  const size_t tiles = pqnn_max_sz(ctx->tiles, 1);
  size_t block = pqnn_divide_round_up(tiles, pqnn_divide_round_up(tiles, ctx->mr));
  if (ctx->mr % 2 == 0) block = pqnn_min_sz(pqnn_round_up(block, 2), ctx->mr);
  size_t block_bytes;
  if (!pqnn_add_sz(cin, cout, &block_bytes) ||
      !pqnn_mul_sz(block_bytes, POINTS * sizeof(float), &block_bytes) ||
      !pqnn_mul_sz(block_bytes, block, &block_bytes)) {
    pqnn_log_error(function, "Winograd block size overflows");
    return pqnn_status_invalid_parameter;
  }
  ctx->block_tiles = block;
  const size_t blocks = pqnn_divide_round_up(pqnn_max_sz(ctx->tiles, 1), block);
  ctx->tasks = pqnn_min_sz(blocks, pqnn_threadpool_threads(threadpool) * kTasksPerThread);
  ctx->blocks = blocks;
  size_t slot, total, row_floats = 0;
  if ((op->winograd_stepped_rows &&
       !pqnn_mul_sz(geometry->input_width, cin, &row_floats)) ||
      !slot_floats(block, cin, cout, op->winograd_stepped_rows, row_floats, ctx, &slot) ||
      !pqnn_mul_sz(slot, sizeof(float), &ctx->slot_bytes) ||
      !pqnn_mul_sz(ctx->slot_bytes, ctx->tasks, &total)) {
    pqnn_log_error(function, "Winograd workspace size overflows");
    return pqnn_status_invalid_parameter;
  }
  const enum pqnn_status status = pqnn_reserve_workspace(function, op, total);
  if (status != pqnn_status_success) return status;
  op->compute = pqnn_compute_winograd;
  return pqnn_status_success;
}

/* The tile's image and its first output pixel (oy, ox). */
static void tile_origin(const struct pqnn_winograd_context* ctx, size_t tile, size_t* b,
    size_t* oy, size_t* ox) {
  const size_t per_image = ctx->tiles_height * ctx->tiles_width;
  *b = tile / per_image;
  const size_t t = tile % per_image;
  *oy = t / ctx->tiles_width * TILE;
  *ox = t % ctx->tiles_width * TILE;
}

/* Part `part`'s pixel of image b at input row y, column x (either may be outside the
 * input: wrapped below 0), or the zero row. */
static const float* part_pixel(const struct pqnn_winograd_context* ctx,
    const struct pqnn_winograd_part* part, size_t b, size_t y, size_t x) {
  if (y >= ctx->input_height || x >= ctx->input_width) return ctx->zero;
  const size_t sy = part->rows != NULL ? part->rows[y] : y;
  const size_t sx = part->columns != NULL ? part->columns[x] : x;
  return part->data + ((b * part->height + sy) * part->width + sx) * part->pixel_stride;
}

/* Input row y of image b of a part with a pixel_step, stepped: from the task's stepped rows
 * (slot `rows`: STEPPED_ROWS keys b * height + y + 1, 0 for none, in a cache line, then
 * the rows), stepped from the map into its row in one call when not among them. */
static const float* stepped_row(const struct pqnn_winograd_context* ctx,
    const struct pqnn_winograd_part* part, size_t b, size_t y, float* rows) {
  const size_t width = ctx->input_width, floats = width * part->channels;
  size_t* keys = (size_t*) rows;
  rows += 64 / sizeof(float);
  const size_t key = b * part->height + y;
  float* row = rows + key % STEPPED_ROWS * floats;
  if (keys[key % STEPPED_ROWS] != key + 1) {
    part->pixel_step(part->step_context, part->data + key * floats, row, key * width, width);
    keys[key % STEPPED_ROWS] = key + 1;
  }
  return row;
}

/* V[point][row] = BT d B of tile `tile` (row `row` of the block). The first pass runs per
 * part, into the part's channels of the scratch lines; the transform is per channel, so
 * the parts give the bits of one call over their concatenation. */
static void transform_input(const struct pqnn_winograd_context* ctx, size_t tile, size_t row,
    size_t block_tiles, float* v, float* scratch, float* rows) {
  const size_t cin = ctx->cin, parts = ctx->num_parts;
  size_t b, oy, ox;
  tile_origin(ctx, tile, &b, &oy, &ox);
  /* Per part, the offsets (floats) in a source row of the tile's 6 columns and of the 4
   * the next tile adds (prefetched), SIZE_MAX outside the input. */
  size_t column[PQNN_MAX_CONCAT_INPUTS][ALPHA + TILE];
  for (size_t k = 0; k < parts; k++) {
    const struct pqnn_winograd_part* part = &ctx->parts[k];
    for (size_t j = 0; j < ALPHA + TILE; j++) {
      const size_t x = ox + j - ctx->padding_left;  /* wraps when left of the image */
      column[k][j] = x >= ctx->input_width ? SIZE_MAX
          : (part->columns != NULL ? part->columns[x] : x) * part->pixel_stride;
    }
  }
  const float* zeros[ALPHA] = {ctx->zero, ctx->zero, ctx->zero, ctx->zero, ctx->zero, ctx->zero};
  for (size_t i = 0; i < ALPHA; i++) {
    const size_t y = oy + i - ctx->padding_top;  /* wraps when above the image */
    float* line = scratch + i * ALPHA * cin;     /* scratch[i][l] */
    if (y >= ctx->input_height) {  /* padding: zero lines in every part's channels */
      (cin < ctx->channel_tile ? ctx->narrow_input : ctx->input)(cin, zeros, line,
          cin * sizeof(float));
      continue;
    }
    for (size_t k = 0; k < parts; k++) {
      const struct pqnn_winograd_part* part = &ctx->parts[k];
      const size_t c = part->channels;
      const size_t sy = part->rows != NULL ? part->rows[y] : y;
      if (part->rows != NULL && i != 0 && y - 1 < ctx->input_height && part->rows[y - 1] == sy) {
        /* A resized part's row that repeats the one before (a nearest upscale): the same
         * pixels, so the same six lines. */
        for (size_t l = 0; l < ALPHA; l++) {
          memcpy(line + l * cin, line + l * cin - ALPHA * cin, c * sizeof(float));
        }
        line += c;
        continue;
      }
      const float* source = part->pixel_step != NULL ? stepped_row(ctx, part, b, y, rows)
          : part->data + (b * part->height + sy) * part->width * part->pixel_stride;
      const float* d[ALPHA];
      for (size_t j = 0; j < ALPHA; j++) {
        d[j] = column[k][j] != SIZE_MAX ? source + column[k][j] : ctx->zero;
      }
      (c < ctx->channel_tile ? ctx->narrow_input : ctx->input)(c, d, line, cin * sizeof(float));
      line += c;
      /* The pixels this row adds to the next tile of the image row, prefetched: the input
       * transform waits on the image's loads (det 160x160 96 -> 24: 5.99 -> 5.64 ms median
       * of 3, side by side; ResNet layers unchanged). Not for a resized part: its small
       * source map stays in the cache; nor for a stepped one (its rows are the task's). */
      if (part->columns != NULL || part->pixel_step != NULL) continue;
      for (size_t j = ALPHA; j < ALPHA + TILE; j++) {
        if (column[k][j] == SIZE_MAX) continue;
        const char* p = (const char*) (source + column[k][j]);
        for (size_t o = 0; o < c * sizeof(float); o += 64) PREFETCH(p + o);
      }
    }
  }
  for (size_t l = 0; l < ALPHA; l++) {
    const float* d[ALPHA];
    for (size_t i = 0; i < ALPHA; i++) d[i] = scratch + (i * ALPHA + l) * cin;
    ctx->input(cin, d, v + (l * block_tiles + row) * cin,
        ALPHA * block_tiles * cin * sizeof(float));
  }
}

/* The outputs of tile `tile` computed directly, as the IGEMM path defines them: per output
 * channel, bias plus the products of the taps (padding taps as zeros), in f32; then the
 * clamp.
 * For tiles whose transformed values overflowed (the transforms mix a tile's 36 inputs and
 * amplify sums up to 2^17) or that read an infinity or NaN (which the transforms spread
 * over the whole tile): so an output is the direct convolution's wherever that is finite,
 * and Inf / NaN where it is. */
static void direct_tile(const struct pqnn_winograd_context* ctx, size_t tile, float* stage) {
  const size_t cin = ctx->cin, cout = ctx->cout;
  size_t b, oy, ox;
  tile_origin(ctx, tile, &b, &oy, &ox);
  float* out = ctx->y + b * ctx->output_height * ctx->output_width * ctx->y_pixel_stride;
  for (size_t py = oy; py < pqnn_min_sz(oy + TILE, ctx->output_height); py++) {
    for (size_t px = ox; px < pqnn_min_sz(ox + TILE, ctx->output_width); px++) {
      float* y = out + (py * ctx->output_width + px) * ctx->y_pixel_stride;
      /* Per tap and part its input pixel (padding: zeros times the weights, so Inf weights
       * give NaN); a stepped part's pixels stepped once into the stage. */
      const float* taps[9][PQNN_MAX_CONCAT_INPUTS];
      for (size_t t = 0; t < 9; t++) {
        const size_t iy = py + t / 3 - ctx->padding_top;  /* wraps when above the image */
        const size_t ix = px + t % 3 - ctx->padding_left;
        float* staged = stage + t * cin;
        for (size_t k = 0; k < ctx->num_parts; k++) {
          const struct pqnn_winograd_part* part = &ctx->parts[k];
          const float* x = part_pixel(ctx, part, b, iy, ix);
          if (part->pixel_step != NULL && x != ctx->zero) {
            part->pixel_step(part->step_context, x, staged,
                (b * part->height + iy) * part->width + ix, 1);
            x = staged;
          }
          taps[t][k] = x;
          staged += part->channels;
        }
      }
      for (size_t oc = 0; oc < cout; oc++) {
        float acc = ctx->bias[oc];
        for (size_t t = 0; t < 9; t++) {
          const float* w = ctx->direct_w + (oc * 9 + t) * cin;
          for (size_t k = 0; k < ctx->num_parts; k++) {  /* the input channels in order */
            const float* x = taps[t][k];
            for (size_t ic = 0; ic < ctx->parts[k].channels; ic++) acc += x[ic] * w[ic];
            w += ctx->parts[k].channels;
          }
        }
        acc = acc < ctx->output_min ? ctx->output_min : acc;
        y[oc] = acc > ctx->output_max ? ctx->output_max : acc;
      }
    }
  }
}

/* The output pixels of tile `tile` from M[point][row]; directly where the transforms gave
 * a value that is not finite. */
static void transform_output(const struct pqnn_winograd_context* ctx, size_t tile,
    size_t row, size_t block_tiles, const float* m, float* scratch, float* discard,
    float* stage) {
  const size_t cout = ctx->cout;
  size_t b, oy, ox;
  tile_origin(ctx, tile, &b, &oy, &ox);
  float* image = ctx->y + b * ctx->output_height * ctx->output_width * ctx->y_pixel_stride;
  const struct pqnn_f32_minmax_params unbounded = {-INFINITY, INFINITY};
  const struct pqnn_f32_minmax_params bounds = {ctx->output_min, ctx->output_max};
  for (size_t k = 0; k < ALPHA; k++) {  /* scratch[k][j] = sum_l AT[j][l] M[k][l] */
    float* s = scratch + k * TILE * cout;
    float* y[TILE] = {s, s + cout, s + 2 * cout, s + 3 * cout};
    (void) ctx->output(cout, m + (k * ALPHA * block_tiles + row) * cout,
        block_tiles * cout * sizeof(float), y, ctx->zero, &unbounded);
  }
  int nonfinite = 0;
  for (size_t j = 0; j < TILE; j++) {
    float* y[TILE];
    for (size_t i = 0; i < TILE; i++) {
      y[i] = oy + i < ctx->output_height && ox + j < ctx->output_width
          ? image + ((oy + i) * ctx->output_width + ox + j) * ctx->y_pixel_stride
          : discard;
    }
    nonfinite |= ctx->output(cout, scratch + j * cout, TILE * cout * sizeof(float), y,
        ctx->bias, &bounds);
  }
  if (nonfinite != 0) direct_tile(ctx, tile, stage);
  if (ctx->epilogue != NULL) {
    /* The fused activation / residual on the tile's pixels in the image, row by row, while
     * they are in L1. */
    const size_t count = pqnn_min_sz(TILE, ctx->output_width - ox);
    for (size_t i = 0; i < TILE && oy + i < ctx->output_height; i++) {
      const size_t pixel = (oy + i) * ctx->output_width + ox;
      pqnn_apply_epilogue(ctx->epilogue, image + pixel * ctx->y_pixel_stride,
          ctx->y_pixel_stride * sizeof(float),
          b * ctx->output_height * ctx->output_width + pixel, 0, count, cout);
    }
  }
}

/* Block `block` in workspace slot `slot`: input transform, 36 GEMMs, output transform. */
static void compute_block(const struct pqnn_winograd_context* ctx, size_t block, float* slot) {
  const size_t block_tiles = ctx->block_tiles;
  const size_t first = block * block_tiles;
  const size_t rows = pqnn_min_sz(block_tiles, ctx->tiles - first);
  float* v = slot;
  float* m = slot + ctx->m_offset;
  float* scratch = slot + ctx->scratch_offset;
  float* discard = slot + ctx->discard_offset;
  float* stage = slot + ctx->stage_offset;
  for (size_t r = 0; r < rows; r++) {
    transform_input(ctx, first + r, r, block_tiles, v, scratch, slot + ctx->rows_offset);
  }
  union pqnn_ukernel_params unbounded;  /* the output transform clamps */
  unbounded.f32 = (struct pqnn_f32_minmax_params) {-INFINITY, INFINITY};
  const size_t cin = ctx->cin, cout = ctx->cout;
  for (size_t p = 0; p < POINTS; p++) {
    const char* w = (const char*) ctx->packed_w + p * ctx->point_stride;
    const float* a = v + p * block_tiles * cin;
    float* c = m + p * block_tiles * cout;
    for (size_t r = 0; r < rows; r += ctx->mr) {
      ctx->gemm(pqnn_min_sz(ctx->mr, rows - r), cout, cin * sizeof(float), a + r * cin,
          cin * sizeof(float), w, c + r * cout, cout * sizeof(float),
          ctx->nr * sizeof(float), &unbounded);
    }
  }
  for (size_t r = 0; r < rows; r++) {
    transform_output(ctx, first + r, r, block_tiles, m, scratch, discard, stage);
  }
}

/* Task `task`: blocks [task * blocks / tasks, (task + 1) * blocks / tasks) in its slot. */
static void compute_winograd(void* context, size_t task) {
  const struct pqnn_winograd_context* ctx = (const struct pqnn_winograd_context*) context;
  float* slot = (float*) (ctx->workspace + task * ctx->slot_bytes);
  const size_t begin = task * ctx->blocks / ctx->tasks;
  const size_t end = (task + 1) * ctx->blocks / ctx->tasks;
  if (ctx->rows_offset != 0) {  /* no stepped rows yet (the map may have changed) */
    memset(slot + ctx->rows_offset, 0, STEPPED_ROWS * sizeof(size_t));
  }
  for (size_t block = begin; block < end; block++) compute_block(ctx, block, slot);
}

void pqnn_run_winograd(const struct pqnn_operator* op, pthreadpool_t threadpool) {
  struct pqnn_winograd_context ctx = op->context.winograd;
  if (ctx.tiles == 0) return;
  ctx.x = (const float*) op->input;
  ctx.y = (float*) op->output;
  ctx.whole = (struct pqnn_winograd_part) {ctx.x, ctx.cin, ctx.x_pixel_stride,
      ctx.input_height, ctx.input_width, NULL, NULL, NULL, NULL};
  ctx.parts = op->num_winograd_parts != 0 ? op->winograd_parts : &ctx.whole;
  ctx.num_parts = op->num_winograd_parts != 0 ? op->num_winograd_parts : 1;
  ctx.packed_w = op->packed_weights;
  ctx.workspace = (char*) op->workspace;
  ctx.epilogue = pqnn_bound_epilogue(op);
  /* The workspace is the operator's: concurrent runs take turns. */
  pthread_mutex_lock(op->padding_lock);
  pqnn_parallelize_1d(threadpool, compute_winograd, &ctx, ctx.tasks);
  pthread_mutex_unlock(op->padding_lock);
}

enum pqnn_status pqnn_setup_winograd_input_parts(pqnn_operator_t op, size_t count,
    const struct pqnn_winograd_part* parts) {
  const char* function = __func__;
  if (op == NULL || parts == NULL) {
    pqnn_log_error(function, "%s is NULL", op == NULL ? "op" : "parts");
    return pqnn_status_invalid_parameter;
  }
  if (op->state != pqnn_operator_state_ready || op->compute != pqnn_compute_winograd) {
    pqnn_log_error(function, "the input parts are bound right after a successful setup of "
        "an operator on the Winograd path");
    return pqnn_status_invalid_state;
  }
  if (count == 0 || count > PQNN_MAX_CONCAT_INPUTS) {
    pqnn_log_error(function, "%zu input parts (1 to %d)", count, PQNN_MAX_CONCAT_INPUTS);
    return pqnn_status_invalid_parameter;
  }
  const struct pqnn_winograd_context* ctx = &op->context.winograd;
  size_t channels = 0;
  for (size_t k = 0; k < count; k++) {
    const struct pqnn_winograd_part* p = &parts[k];
    const bool rows_fit = p->rows != NULL || p->height == ctx->input_height;
    const bool columns_fit = p->columns != NULL || p->width == ctx->input_width;
    const bool step_fits = p->pixel_step == NULL || (p->rows == NULL && p->columns == NULL &&
        p->pixel_stride == p->channels && count == 1 && p->channels == ctx->cin);
    if (p->channels == 0 || p->pixel_stride < p->channels || !rows_fit || !columns_fit ||
        !step_fits || (ctx->tiles != 0 && p->data == NULL)) {
      pqnn_log_error(function, "input part %zu: %zu channels, pixel stride %zu, %zux%zu map "
          "(%s rows, %s columns%s) for an %zux%zu input", k, p->channels, p->pixel_stride,
          p->height, p->width, p->rows != NULL ? "indexed" : "plain",
          p->columns != NULL ? "indexed" : "plain", p->pixel_step != NULL ? ", stepped" : "",
          ctx->input_height, ctx->input_width);
      return pqnn_status_invalid_parameter;
    }
    for (size_t y = 0; p->rows != NULL && y < ctx->input_height; y++) {
      if (p->rows[y] >= p->height) {
        pqnn_log_error(function, "input part %zu: row %zu reads source row %zu of %zu", k, y,
            p->rows[y], p->height);
        return pqnn_status_invalid_parameter;
      }
    }
    for (size_t x = 0; p->columns != NULL && x < ctx->input_width; x++) {
      if (p->columns[x] >= p->width) {
        pqnn_log_error(function, "input part %zu: column %zu reads source column %zu of %zu",
            k, x, p->columns[x], p->width);
        return pqnn_status_invalid_parameter;
      }
    }
    channels += p->channels;
  }
  if (channels != ctx->cin) {
    pqnn_log_error(function, "the input parts have %zu channels, the convolution %zu",
        channels, ctx->cin);
    return pqnn_status_invalid_parameter;
  }
  if (parts[0].pixel_step != NULL && ctx->tiles != 0 && ctx->rows_offset == 0) {
    pqnn_log_error(function, "a stepped input part on an operator that reserved no stepped "
        "rows before its reshape");
    return pqnn_status_invalid_state;
  }
  op->winograd_parts = parts;
  op->num_winograd_parts = count;
  return pqnn_status_success;
}

void pqnn_reserve_winograd_stepped_rows(pqnn_operator_t op) {
  if (op != NULL) op->winograd_stepped_rows = true;
}
