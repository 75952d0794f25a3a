/* The GEMM path: fully connected, and 1x1 stride-1 unpadded convolution (pixels are GEMM
 * rows). Reshape fills the context and the tiles; run binds the pointers and tiles
 * groups x N x M. */
#include <string.h>

#include "operators/paths.h"

static bool has_kernels(const struct pqnn_gemm_config* config, bool dynamic_quantization,
    bool igemm) {
  return igemm
      ? (dynamic_quantization ? config->dqigemm[1] != NULL : config->igemm[1] != NULL)
      : (dynamic_quantization ? config->dqgemm[1] != NULL : config->gemm[1] != NULL);
}

const struct pqnn_gemm_config* pqnn_narrow_gemm_config(const struct pqnn_gemm_config* config,
    size_t n, size_t k, bool dynamic_quantization, bool igemm) {
  const struct pqnn_gemm_config* narrow = config->narrow;
  if (narrow == NULL || narrow->input_offset != config->input_offset) return config;
  if (!has_kernels(narrow, dynamic_quantization, igemm)) return config;
  const size_t thin = pqnn_round_up(n, narrow->nr), wide = pqnn_round_up(n, config->nr);
  /* qd8 on the IGEMM path (1x1 and kxk): the f32 dequantizing epilogue costs as much per output
   * column in either tile and outweighs the K loop of the small-K expansions, so any saved
   * column pays (bench/qd8-convolution, thread CPU time, Zen 5, 4x64c4 -> 7x16c4, 2
   * rounds: mnv2_expand_112x112_16to96 268 / 242 -> 201 / 218 us, 56x56 24 -> 144 97 / 97
   * -> 83 / 84 us; at equal columns 7x16c4 lost from K = 64: 14x14 64 -> 384 25.0 ->
   * 26.8 us, 56x56 128 -> 128 258 -> 268-272 us). MobileNet v2 qd8 end to end, 1 thread,
   * CPU ms, 3 interleaved rounds: 3.75-3.82 -> 3.61-3.65 (-4%); keeping the old rule from
   * K > 32 (its N = 96 / 160 projections) measured 3.67-3.80, so they gain too. 3x3
   * stride 1 (bench/qd8-convolution qd8_conv3x3, with the convert, thread CPU time, Zen 5,
   * 2 rounds, 4x64c4 -> 7x16c4): 80x80 96 -> 48 1661 / 1695 -> 1305 / 1352 us, 40x40
   * 128 -> 48 546 / 550 -> 444 / 434 us, 80x80 96 -> 96 3259 / 3216 -> 2655 / 2635 us,
   * 80x80 24 -> 96 840 / 840 -> 692 / 689 us (the former 8x24c4 at N = 48: 1465 / 1522,
   * 480 / 482; 8x24c8 took N = 48 and 96 since: src/configs/qd8-gemm-config.c). */
  const struct pqnn_gemm_config* chosen = dynamic_quantization && igemm
      ? (thin < wide ? narrow : config)
      : (thin * 2 <= wide || (config->narrow_fewer_columns && thin * 10 <= wide * 9)
          ? narrow : config);
  /* The narrow tile's own narrow one (qd8 avx512vnni: the c8 tile 8x24c8 under 7x16c4,
   * src/configs/qd8-gemm-config.c) wherever it pads fewer columns, and at equal columns
   * from K = 32 on, where its K loop is the faster (bench/qd8-convolution, with the convert,
   * thread CPU time, 7x16c4 -> 8x24c8: 80x80 3x3 96 -> 48 1.29x, 96 -> 96 1.30x; 1x1 160x160
   * 32 -> 48 1.19-1.36x, 48 -> 48 1.43x, 14x14 576 -> 96 1.26x) but not below, where its
   * lane-pair epilogue outweighs it (112x112 16 -> 96 0.80-0.94x, 160x160 12 -> 96 0.72x,
   * 56x56 24 -> 144 0.98-1.04x). */
  const struct pqnn_gemm_config* finer = narrow->narrow;
  if (chosen != narrow || finer == NULL || finer->input_offset != config->input_offset ||
      !has_kernels(finer, dynamic_quantization, igemm)) {
    return chosen;
  }
  const size_t fine = pqnn_round_up(n, finer->nr);
  return fine < thin || (fine == thin && k >= 32) ? finer : chosen;
}

const struct pqnn_gemm_config* pqnn_rows_gemm_config(const struct pqnn_gemm_config* config,
    size_t m) {
  const struct pqnn_gemm_config* other = config->other_mr;
  if (other == NULL || m <= 1) return config;
  return pqnn_round_up(m, other->mr) < pqnn_round_up(m, config->mr) ? other : config;
}

/* A taller tile reads each weight panel once for more rows: where the K loop is bound by
 * the weights it streams from L2 (int8 avx512vnni on Intel: 256 bytes per 16 vpdpbusd on
 * 4x64c4), 6x64c4 streams 2/3 of that per multiply-add. From 4 x its MR rows (6x64c4: 24) and
 * where it pads at most 1/16 more rows, since a padded tile costs a full one (M = 8 on
 * 6x64c4 did 12 rows of work and lost 19-26%). */
const struct pqnn_gemm_config* pqnn_tall_gemm_config(const struct pqnn_gemm_config* config,
    size_t m, bool dynamic_quantization) {
  const struct pqnn_gemm_config* tall = config->tall;
  if (tall == NULL || !has_kernels(tall, dynamic_quantization, false)) return config;
  if (m < 4 * (size_t) tall->mr) return config;
  return pqnn_round_up(m, tall->mr) * 16 <= pqnn_round_up(m, config->mr) * 17 ? tall : config;
}

void pqnn_prepare_gemm(pqnn_operator_t op, size_t m, pthreadpool_t threadpool) {
  const bool dq = op->spec.dynamic_quantization;
  const struct pqnn_gemm_config* config =
      pqnn_rows_gemm_config(pqnn_tall_gemm_config(op->gemm_config, m, dq), m);
  const bool mr1 = m == 1 && (dq ? config->dqgemm[0] != NULL : config->gemm[0] != NULL);
  const size_t mr = mr1 ? 1 : config->mr;
  struct pqnn_gemm_context* ctx = &op->context.gemm;
  memset(ctx, 0, sizeof(*ctx));
  ctx->kc = op->group_input_channels * op->spec.input_element_size;
  ctx->a_stride = op->input_pixel_stride * op->spec.input_element_size;
  ctx->ga_stride = op->group_input_channels * op->spec.input_element_size;
  ctx->w_panel_stride = op->packed_panel_stride;
  ctx->gw_stride = op->packed_group_stride;
  ctx->cm_stride = op->output_pixel_stride * op->spec.output_element_size;
  ctx->cn_stride = config->nr * op->spec.output_element_size;
  ctx->gc_stride = op->group_output_channels * op->spec.output_element_size;
  ctx->nr = config->nr;
  ctx->c_element_size = op->spec.output_element_size;
  ctx->gemm = config->gemm[mr1 ? 0 : 1];
  ctx->dqgemm = config->dqgemm[mr1 ? 0 : 1];
  ctx->params = op->spec.params;
  pqnn_prepare_gemm_tail(op, config, mr1, false, &ctx->tail);
  op->use_mr1 = mr1;
  pqnn_choose_gemm_tiles(m, op->group_output_channels, op->packed_panel_stride / config->nr, mr,
      config->nr, op->groups, pqnn_threadpool_threads(threadpool), &op->mc_tile, &op->nc_tile);
  op->compute = pqnn_compute_gemm;
}

/* One kernel call: the main tile's kernel or the tail's (dqgemm non-NULL: qd8). */
static inline void run_kernel(const struct pqnn_gemm_context* ctx, pqnn_gemm_ukernel_fn gemm,
    pqnn_dqgemm_ukernel_fn dqgemm, size_t cn_stride, size_t m, size_t m_size, size_t n_size,
    const char* a, const char* w, char* c) {
  if (dqgemm != NULL) {
    dqgemm(m_size, n_size, ctx->kc, a, ctx->a_stride, w, c, ctx->cm_stride, cn_stride,
        &ctx->params, ctx->quantization_params + m);
  } else {
    gemm(m_size, n_size, ctx->kc, a, ctx->a_stride, w, c, ctx->cm_stride, cn_stride,
        &ctx->params);
  }
}

void pqnn_gemm_tile(const struct pqnn_gemm_context* ctx, const char* a, const char* w, char* c,
    size_t m, size_t m_size, size_t n, size_t n_size) {
  const size_t end = n + n_size, split = ctx->tail.n;
  if (n < split) {
    run_kernel(ctx, ctx->gemm, ctx->dqgemm, ctx->cn_stride, m, m_size,
        (end < split ? end : split) - n, a, w + (n / ctx->nr) * ctx->w_panel_stride,
        c + n * ctx->c_element_size);
  }
  if (end > split) {
    const size_t start = n > split ? n : split;
    run_kernel(ctx, ctx->tail.gemm, ctx->tail.dqgemm, ctx->tail.cn_stride, m, m_size,
        end - start, a,
        w + ctx->tail.w_offset + (start - split) / ctx->tail.nr * ctx->tail.w_panel_stride,
        c + start * ctx->c_element_size);
  }
}

/* GEMM tile: group g, columns [n, n + n_size), rows [m, m + m_size). */
static void compute_gemm(void* context, size_t g, size_t n, size_t m, size_t n_size,
    size_t m_size) {
  const struct pqnn_gemm_context* ctx = (const struct pqnn_gemm_context*) context;
  const char* a = (const char*) ctx->a + m * ctx->a_stride + g * ctx->ga_stride;
  char* c = (char*) ctx->c + m * ctx->cm_stride + g * ctx->gc_stride;
  pqnn_gemm_tile(ctx, a, (const char*) ctx->packed_w + g * ctx->gw_stride, c, m, m_size, n,
      n_size);
  if (ctx->epilogue != NULL) {
    pqnn_apply_epilogue(ctx->epilogue, c + n * ctx->c_element_size, ctx->cm_stride, m,
        g * ctx->gc_stride + n * ctx->c_element_size, m_size, n_size);
  }
}

void pqnn_run_gemm(const struct pqnn_operator* op, pthreadpool_t threadpool) {
  struct pqnn_gemm_context ctx = op->context.gemm;
  ctx.a = op->input;
  ctx.packed_w = op->packed_weights;
  ctx.c = op->output;
  ctx.quantization_params = op->quantization_params;
  ctx.epilogue = pqnn_bound_epilogue(op);
  const size_t m = op->batch_size * op->input_height * op->input_width;
  pqnn_parallelize_3d_tile_2d(threadpool, compute_gemm, &ctx, op->groups,
      op->group_output_channels, m, op->nc_tile, op->mc_tile);
}
