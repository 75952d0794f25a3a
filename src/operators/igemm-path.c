/* The IGEMM path: any convolution, through an indirection buffer of MR pixels x taps per
 * M tile (src/indirection.c) with a padding row. Reshape builds the buffer for one image
 * (every image shares it: entries are offsets from the image start) and fills the context
 * and tiles; run tiles (image x group) x N x M. */
#include <string.h>

#include "operators/paths.h"

enum pqnn_status pqnn_prepare_igemm(const char* function, pqnn_operator_t op,
    const struct pqnn_conv_geometry* geometry, pthreadpool_t threadpool) {
  const size_t output_pixels = geometry->output_height * geometry->output_width;
  const struct pqnn_gemm_config* config = pqnn_rows_gemm_config(op->gemm_config, output_pixels);
  const bool dq = op->spec.dynamic_quantization;
  const bool mr1 = output_pixels == 1 &&
      (dq ? config->dqigemm[0] != NULL : config->igemm[0] != NULL);
  const size_t mr = mr1 ? 1 : config->mr;
  op->use_mr1 = mr1;
  enum pqnn_status status = pqnn_reserve_indirection(function, op,
      pqnn_indirection_igemm_count(geometry, mr));
  if (status != pqnn_status_success) return status;
  pqnn_indirection_init_igemm(op->indirection, geometry, mr, op->zero_buffer);
  op->indirection_mr = mr;

  const size_t taps = (size_t) op->kernel_height * op->kernel_width;
  const size_t input_pixels = geometry->input_height * geometry->input_width;
  const size_t out_pixel_bytes = op->output_pixel_stride * op->spec.output_element_size;
  struct pqnn_igemm_context* ctx = &op->context.igemm;
  memset(ctx, 0, sizeof(*ctx));
  ctx->kc = op->group_input_channels * op->spec.input_element_size;
  ctx->ks_bytes = taps * mr * sizeof(void*);
  ctx->mr = mr;
  ctx->indirection = op->indirection;
  ctx->ba_stride = input_pixels * geometry->pixel_stride_bytes;
  ctx->ga_stride = op->group_input_channels * op->spec.input_element_size;
  ctx->zero = op->zero_buffer;
  ctx->w_panel_stride = op->packed_panel_stride;
  ctx->gw_stride = op->packed_group_stride;
  ctx->cm_stride = out_pixel_bytes;
  ctx->cn_stride = config->nr * op->spec.output_element_size;
  ctx->bc_stride = output_pixels * out_pixel_bytes;
  ctx->gc_stride = op->group_output_channels * op->spec.output_element_size;
  ctx->nr = config->nr;
  ctx->c_element_size = op->spec.output_element_size;
  ctx->igemm = config->igemm[mr1 ? 0 : 1];
  ctx->dqigemm = config->dqigemm[mr1 ? 0 : 1];
  ctx->params = op->spec.params;
  pqnn_prepare_gemm_tail(op, config, mr1, true, &ctx->tail);
  const size_t outer = dq ? op->groups : op->batch_size * op->groups;
  pqnn_choose_gemm_tiles(output_pixels, op->group_output_channels,
      op->packed_panel_stride / config->nr, mr, config->nr, outer,
      pqnn_threadpool_threads(threadpool), &op->mc_tile, &op->nc_tile);
  op->compute = pqnn_compute_igemm;
  return pqnn_status_success;
}

/* IGEMM tile: image * groups + group bg, columns [n, n + n_size), output pixels
 * [m, m + m_size) (m is a multiple of the indirection tile mr). */
struct igemm_task {
  struct pqnn_igemm_context ctx;
  size_t groups;
  const char* input;
  size_t image;   /* qd8: the image a run covers (the others: from bg) */
};

/* One kernel call: the main tile's kernel or the tail's (dqigemm non-NULL: qd8). */
static inline void run_kernel(const struct pqnn_igemm_context* ctx,
    pqnn_igemm_ukernel_fn igemm, pqnn_dqigemm_ukernel_fn dqigemm, size_t cn_stride,
    size_t m_size, size_t n_size, const void** a, size_t a_offset, const char* w, char* c) {
  if (dqigemm != NULL) {
    dqigemm(m_size, n_size, ctx->kc, ctx->ks_bytes, a, w, c, ctx->cm_stride, cn_stride,
        a_offset, ctx->zero, &ctx->params, ctx->quantization_params);
  } else {
    igemm(m_size, n_size, ctx->kc, ctx->ks_bytes, a, w, c, ctx->cm_stride, cn_stride, a_offset,
        ctx->zero, &ctx->params);
  }
}

static void compute_igemm(void* context, size_t bg, size_t n, size_t m, size_t n_size,
    size_t m_size) {
  const struct igemm_task* task = (const struct igemm_task*) context;
  const struct pqnn_igemm_context* ctx = &task->ctx;
  const size_t b = bg / task->groups, g = bg % task->groups;
  const size_t a_offset = (size_t) (uintptr_t) task->input + b * ctx->ba_stride + g * ctx->ga_stride;
  const void** a = ctx->indirection + (m / ctx->mr) * (ctx->ks_bytes / sizeof(void*));
  const char* w = (const char*) ctx->packed_w + g * ctx->gw_stride;
  char* c = (char*) ctx->c + b * ctx->bc_stride + m * ctx->cm_stride + g * ctx->gc_stride;
  const size_t end = n + n_size, split = ctx->tail.n;  /* the tail's columns from split */
  if (n < split) {
    run_kernel(ctx, ctx->igemm, ctx->dqigemm, ctx->cn_stride, m_size,
        (end < split ? end : split) - n, a, a_offset, w + (n / ctx->nr) * ctx->w_panel_stride,
        c + n * ctx->c_element_size);
  }
  if (end > split) {
    const size_t start = n > split ? n : split;
    run_kernel(ctx, ctx->tail.igemm, ctx->tail.dqigemm, ctx->tail.cn_stride, m_size,
        end - start, a, a_offset,
        w + ctx->tail.w_offset + (start - split) / ctx->tail.nr * ctx->tail.w_panel_stride,
        c + start * ctx->c_element_size);
  }
  if (ctx->epilogue != NULL) {
    pqnn_apply_epilogue(ctx->epilogue, c + n * ctx->c_element_size, ctx->cm_stride,
        (task->image + b) * ctx->epilogue->image_pixels + m,
        g * ctx->gc_stride + n * ctx->c_element_size, m_size, n_size);
  }
}

void pqnn_run_igemm(const struct pqnn_operator* op, pthreadpool_t threadpool) {
  struct igemm_task task = {.ctx = op->context.igemm, .groups = op->groups};
  task.ctx.packed_w = op->packed_weights;
  task.ctx.epilogue = pqnn_bound_epilogue(op);
  const size_t pixels = op->output_height * op->output_width;
  if (!op->spec.dynamic_quantization) {
    task.input = (const char*) op->input;
    task.ctx.c = op->output;
    pqnn_parallelize_3d_tile_2d(threadpool, compute_igemm, &task, op->batch_size * op->groups,
        op->group_output_channels, pixels, op->nc_tile, op->mc_tile);
    return;
  }
  /* qd8: padding reads as each image's own zero point, so images run in turn with the
   * padding row refilled for each. The indirection buffer, shared by every image and run,
   * points at that one row; runs of this operator from several threads at once therefore
   * take turns, so that no run refills the row while another one reads it. */
  pthread_mutex_lock(op->padding_lock);
  for (size_t b = 0; b < op->batch_size; b++) {
    const struct pqnn_quantization_params* qp = op->quantization_params + b;
    memset(op->zero_buffer, (int8_t) qp->zero_point, op->zero_buffer_size);
    task.input = (const char*) op->input + b * task.ctx.ba_stride;
    task.ctx.c = (char*) op->output + b * task.ctx.bc_stride;
    task.image = b;
    task.ctx.quantization_params = qp;
    pqnn_parallelize_3d_tile_2d(threadpool, compute_igemm, &task, op->groups,
        op->group_output_channels, pixels, op->nc_tile, op->mc_tile);
  }
  pthread_mutex_unlock(op->padding_lock);
}
