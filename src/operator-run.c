/* pqnn_run_operator: the per-tile compute functions and their dispatch. Run copies the
 * context prepared at reshape, binds the pointers given at setup, and hands tiles to the
 * threadpool; it never allocates. */
#include <string.h>

#include "logging.h"
#include "operator.h"

/* GEMM tile: group g, columns [n, n + n_size), rows [m, m + m_size). */
static void compute_gemm(void* context, size_t g, size_t n, size_t m, size_t n_size,
    size_t m_size) {
  const struct pqnn_gemm_context* ctx = (const struct pqnn_gemm_context*) context;
  const char* a = (const char*) ctx->a + m * ctx->a_stride + g * ctx->ga_stride;
  const char* w = (const char*) ctx->packed_w + g * ctx->gw_stride + (n / ctx->nr) * ctx->w_panel_stride;
  char* c = (char*) ctx->c + m * ctx->cm_stride + g * ctx->gc_stride + n * ctx->c_element_size;
  if (ctx->dqgemm != NULL) {
    ctx->dqgemm(m_size, n_size, ctx->kc, a, ctx->a_stride, w, c, ctx->cm_stride, ctx->cn_stride,
        &ctx->params, ctx->quantization_params + m);
  } else {
    ctx->gemm(m_size, n_size, ctx->kc, a, ctx->a_stride, w, c, ctx->cm_stride, ctx->cn_stride,
        &ctx->params);
  }
}

/* IGEMM tile: image * groups + group bg, columns [n, n + n_size), output pixels
 * [m, m + m_size) (m is a multiple of the indirection tile mr). */
struct igemm_task {
  struct pqnn_igemm_context ctx;
  size_t groups;
  const char* input;
};

static void compute_igemm(void* context, size_t bg, size_t n, size_t m, size_t n_size,
    size_t m_size) {
  const struct igemm_task* task = (const struct igemm_task*) context;
  const struct pqnn_igemm_context* ctx = &task->ctx;
  const size_t b = bg / task->groups, g = bg % task->groups;
  const size_t a_offset = (size_t) (uintptr_t) task->input + b * ctx->ba_stride + g * ctx->ga_stride;
  const void** a = ctx->indirection + (m / ctx->mr) * (ctx->ks_bytes / sizeof(void*));
  const char* w = (const char*) ctx->packed_w + g * ctx->gw_stride + (n / ctx->nr) * ctx->w_panel_stride;
  char* c = (char*) ctx->c + b * ctx->bc_stride + m * ctx->cm_stride + g * ctx->gc_stride +
      n * ctx->c_element_size;
  if (ctx->dqigemm != NULL) {
    ctx->dqigemm(m_size, n_size, ctx->kc, ctx->ks_bytes, a, w, c, ctx->cm_stride, ctx->cn_stride,
        a_offset, ctx->zero, &ctx->params, ctx->quantization_params);
  } else {
    ctx->igemm(m_size, n_size, ctx->kc, ctx->ks_bytes, a, w, c, ctx->cm_stride, ctx->cn_stride,
        a_offset, ctx->zero, &ctx->params);
  }
}

/* DWCONV row: image b, output row y. */
struct dwconv_task {
  struct pqnn_dwconv_context ctx;
  const char* input;
};

static void compute_dwconv(void* context, size_t b, size_t y, size_t b_size, size_t y_size) {
  (void) b_size;
  (void) y_size;
  const struct dwconv_task* task = (const struct dwconv_task*) context;
  const struct pqnn_dwconv_context* ctx = &task->ctx;
  const void** input = (const void**) ((uintptr_t) ctx->indirection + y * ctx->indirection_row_stride);
  char* output = (char*) ctx->output + b * ctx->output_batch_stride + y * ctx->output_row_stride;
  ctx->ukernel(ctx->channels, ctx->output_width, ctx->kernel_size, input, ctx->packed_w, output,
      ctx->input_stride, ctx->output_increment,
      (size_t) (uintptr_t) task->input + b * ctx->ba_stride, ctx->zero, &ctx->params);
}

static void compute_convert(void* context, size_t row) {
  const struct pqnn_convert_context* ctx = (const struct pqnn_convert_context*) context;
  const char* x = (const char*) ctx->x + row * ctx->x_stride;
  char* y = (char*) ctx->y + row * ctx->y_stride;
  if (ctx->quantize != NULL) {
    ctx->quantize(ctx->channels, x, (int8_t*) y, ctx->quantization_params + row);
  } else {
    ctx->convert(ctx->channels, x, y);
  }
}

enum pqnn_status pqnn_run_operator(pqnn_operator_t op, pthreadpool_t threadpool) {
  /* After the final pqnn_deinitialize nothing runs until pqnn_initialize again. */
  const enum pqnn_status init_status = pqnn_check_initialized(__func__);
  if (init_status != pqnn_status_success) {
    return init_status;
  }
  if (op == NULL) {
    PQNN_LOG_ERROR("op is NULL");
    return pqnn_status_invalid_parameter;
  }
  if (op->type == pqnn_operator_type_invalid) {
    PQNN_LOG_ERROR("op is not a pqnn operator");
    return pqnn_status_invalid_parameter;
  }
  if (op->state != pqnn_operator_state_ready) {
    PQNN_LOG_ERROR("%s operator: setup must follow reshape before run",
        pqnn_operator_type_string(op->type));
    return pqnn_status_invalid_state;
  }
  if (op->batch_size == 0) {
    return pqnn_status_success;
  }
  if (op->spec.dynamic_quantization) {
    /* qd8 data is int8, so a zero point outside int8 has no meaning, and the kernels'
     * int32 arithmetic on it could overflow: reject it before any tile runs. */
    for (size_t i = 0; i < op->batch_size; i++) {
      const int32_t zero_point = op->quantization_params[i].zero_point;
      if (zero_point < INT8_MIN || zero_point > INT8_MAX) {
        PQNN_LOG_ERROR("%s operator: quantization_params[%zu].zero_point (%d) is outside [-128, 127]",
            pqnn_operator_type_string(op->type), i, (int) zero_point);
        return pqnn_status_invalid_parameter;
      }
    }
  }
  switch (op->compute) {
    case pqnn_compute_none:
      break;
    case pqnn_compute_gemm: {
      struct pqnn_gemm_context ctx = op->context.gemm;
      ctx.a = op->input;
      ctx.packed_w = op->packed_weights;
      ctx.c = op->output;
      ctx.quantization_params = op->quantization_params;
      const size_t m = op->batch_size * op->input_height * op->input_width;
      pqnn_parallelize_3d_tile_2d(threadpool, compute_gemm, &ctx, op->groups,
          op->group_output_channels, m, op->nc_tile, op->mc_tile);
      break;
    }
    case pqnn_compute_igemm: {
      struct igemm_task task = {.ctx = op->context.igemm, .groups = op->groups};
      task.ctx.packed_w = op->packed_weights;
      const size_t pixels = op->output_height * op->output_width;
      if (!op->spec.dynamic_quantization) {
        task.input = (const char*) op->input;
        task.ctx.c = op->output;
        pqnn_parallelize_3d_tile_2d(threadpool, compute_igemm, &task,
            op->batch_size * op->groups, op->group_output_channels, pixels, op->nc_tile,
            op->mc_tile);
      } else {
        /* qd8: padding reads as each image's own zero point, so images run in turn with
         * the padding row refilled for each. */
        for (size_t b = 0; b < op->batch_size; b++) {
          const struct pqnn_quantization_params* qp = op->quantization_params + b;
          memset(op->zero_buffer, (int8_t) qp->zero_point, op->zero_buffer_size);
          task.input = (const char*) op->input + b * task.ctx.ba_stride;
          task.ctx.c = (char*) op->output + b * task.ctx.bc_stride;
          task.ctx.quantization_params = qp;
          pqnn_parallelize_3d_tile_2d(threadpool, compute_igemm, &task, op->groups,
              op->group_output_channels, pixels, op->nc_tile, op->mc_tile);
        }
      }
      break;
    }
    case pqnn_compute_dwconv: {
      struct dwconv_task task = {.ctx = op->context.dwconv, .input = (const char*) op->input};
      task.ctx.output = op->output;
      pqnn_parallelize_2d_tile_2d(threadpool, compute_dwconv, &task, op->batch_size,
          op->output_height, 1, 1);
      break;
    }
    case pqnn_compute_convert: {
      struct pqnn_convert_context ctx = op->context.convert;
      ctx.x = op->input;
      ctx.y = op->output;
      ctx.quantization_params = op->output_quantization_params;
      pqnn_parallelize_1d(threadpool, compute_convert, &ctx, op->batch_size);
      break;
    }
  }
  return pqnn_status_success;
}
