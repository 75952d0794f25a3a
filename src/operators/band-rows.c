/* Row ranges of the GEMM and DWCONV paths for the runtime's band executor (band-rows.h).
 * They read the context the path's reshape prepared (src/operators/gemm-path.c,
 * dwconv-path.c) and call its kernels as the path's own tiles do: the GEMM per MR rows
 * across the column blocks of the reshape's nc tile, the depthwise row kernel once per
 * output row with the interior's column offset. */
#include "operators/band-rows.h"
#include "operators/paths.h"

enum { MAX_ROW_KERNEL_HEIGHT = 5, MAX_IGEMM_MR = 16 };

/* A qd8 1x1 convolution on the IGEMM path (how qd8 1x1 layers run: one params entry per
 * image) whose every output pixel reads the input pixel at its own index. */
static bool qd8_pointwise_igemm(const struct pqnn_operator* op) {
  return op->compute == pqnn_compute_igemm && op->spec.dynamic_quantization &&
      op->context.igemm.dqigemm != NULL &&
      op->context.igemm.mr <= MAX_IGEMM_MR && op->kernel_height == 1 && op->kernel_width == 1 &&
      op->stride_height == 1 && op->stride_width == 1 && op->padding_top == 0 &&
      op->padding_right == 0 && op->padding_bottom == 0 && op->padding_left == 0 &&
      op->input_height == op->output_height && op->input_width == op->output_width;
}

/* qd8 fully connected layers over pixels (per-pixel params, the GEMM path) do not band:
 * PaddleOCR det's 40x40 96 -> 192 -> 5x5 depthwise chains banded ran level or slower
 * (docs/qd8-performance.md). */
bool pqnn_gemm_rows_fit(const struct pqnn_operator* op) {
  if (op->groups != 1 || op->spec.output_element_size != sizeof(float)) return false;
  if (op->spec.dynamic_quantization) return qd8_pointwise_igemm(op);
  return op->compute == pqnn_compute_gemm && op->spec.input_element_size == sizeof(float) &&
      op->context.gemm.gemm != NULL;
}

/* Rows of a qd8 1x1 IGEMM: each MR tile's indirection names its own input pixels (absolute
 * pointers, offset 0; unused entries repeat the last row, as the operator's buffer does), the
 * image's params entry as the operator's run passes it. */
static void qd8_igemm_rows(const struct pqnn_operator* op, const void* a, void* c,
    size_t pixel, size_t rows) {
  const struct pqnn_igemm_context* ctx = &op->context.igemm;
  const struct pqnn_epilogue* epilogue = pqnn_bound_epilogue(op);
  const size_t mr = ctx->mr, n = op->group_output_channels;
  const size_t a_stride = op->input_pixel_stride * op->spec.input_element_size;
  const struct pqnn_quantization_params* qp =
      op->quantization_params + pixel / (op->output_height * op->output_width);
  const void* ind[MAX_IGEMM_MR];
  for (size_t m = 0; m < rows; m += mr) {
    const size_t mc = rows - m < mr ? rows - m : mr;
    for (size_t i = 0; i < mr; i++) {
      ind[i] = (const char*) a + (m + (i < mc ? i : mc - 1)) * a_stride;
    }
    char* cm = (char*) c + m * ctx->cm_stride;
    for (size_t n0 = 0; n0 < n; n0 += op->nc_tile) {
      const size_t nc = n - n0 < op->nc_tile ? n - n0 : op->nc_tile;
      const char* w = (const char*) op->packed_weights + (n0 / ctx->nr) * ctx->w_panel_stride;
      ctx->dqigemm(mc, nc, ctx->kc, mr * sizeof(void*), ind, w, cm + n0 * ctx->c_element_size,
          ctx->cm_stride, ctx->cn_stride, 0, ctx->zero, &ctx->params, qp);
    }
    if (epilogue != NULL) {
      pqnn_apply_epilogue(epilogue, cm, ctx->cm_stride, pixel + m, 0, mc, n);
    }
  }
}

/* Rows of the GEMM path, per MR rows across the reshape's nc blocks; params: row i's
 * quantization params at params[i] (qd8; NULL for float). */
static void gemm_path_rows(const struct pqnn_operator* op, const void* a,
    const struct pqnn_quantization_params* params, void* c, size_t pixel, size_t rows) {
  struct pqnn_gemm_context ctx = op->context.gemm;
  ctx.quantization_params = params;
  const struct pqnn_epilogue* epilogue = pqnn_bound_epilogue(op);
  const size_t mr = op->use_mr1 ? 1 : op->mc_tile;
  const size_t n = op->group_output_channels;
  for (size_t n0 = 0; n0 < n; n0 += op->nc_tile) {
    const size_t nc = n - n0 < op->nc_tile ? n - n0 : op->nc_tile;
    for (size_t m = 0; m < rows; m += mr) {
      const size_t mc = rows - m < mr ? rows - m : mr;
      char* cm = (char*) c + m * ctx.cm_stride;
      pqnn_gemm_tile(&ctx, (const char*) a + m * ctx.a_stride,
          (const char*) op->packed_weights, cm, m, mc, n0, nc);
      if (epilogue != NULL) {
        pqnn_apply_epilogue(epilogue, cm + n0 * ctx.c_element_size, ctx.cm_stride, pixel + m,
            n0 * ctx.c_element_size, mc, nc);
      }
    }
  }
}

void pqnn_gemm_rows(const struct pqnn_operator* op, const void* a, void* c, size_t pixel,
    size_t rows) {
  if (op->compute == pqnn_compute_igemm) {
    qd8_igemm_rows(op, a, c, pixel, rows);
    return;
  }
  gemm_path_rows(op, a, NULL, c, pixel, rows);
}

bool pqnn_qd8_gemm_rows_fit(const struct pqnn_operator* op) {
  return op->groups == 1 && op->spec.dynamic_quantization &&
      op->spec.output_element_size == sizeof(float) && op->compute == pqnn_compute_gemm &&
      op->context.gemm.dqgemm != NULL;
}

void pqnn_qd8_gemm_rows(const struct pqnn_operator* op, const void* a,
    const struct pqnn_quantization_params* params, void* c, size_t pixel, size_t rows) {
  gemm_path_rows(op, a, params, c, pixel, rows);
}

bool pqnn_qd8_convert_rows_fit(const struct pqnn_operator* op, size_t channels) {
  const struct pqnn_convert_context* ctx = &op->context.convert;
  return op->type == pqnn_operator_type_convert_nc_f32_qd8 && ctx->quantize != NULL &&
      ctx->channels == channels && ctx->x_stride == channels * sizeof(float) &&
      ctx->y_stride == channels;
}

void pqnn_qd8_convert_rows(const struct pqnn_operator* op, const float* x, int8_t* y,
    struct pqnn_quantization_params* params, size_t rows, size_t row_pixels) {
  const struct pqnn_convert_context* ctx = &op->context.convert;
  for (size_t i = 0; i < rows; i++) {
    ctx->quantize(ctx->channels, x + i * ctx->channels, y + i * ctx->channels, params + i);
  }
  pqnn_repeat_row_params(params, rows, row_pixels);
}

void pqnn_repeat_row_params(struct pqnn_quantization_params* params, size_t rows,
    size_t row_pixels) {
  for (size_t r = rows; r-- > 0;) {
    const struct pqnn_quantization_params p = params[r];
    for (size_t i = 0; i < row_pixels; i++) params[r * row_pixels + i] = p;
  }
}

bool pqnn_dwconv_rows_fit(const struct pqnn_operator* op, struct pqnn_dwconv_rows* rows) {
  const struct pqnn_dwconv_context* ctx = &op->context.dwconv;
  if (op->compute != pqnn_compute_dwconv || op->spec.dynamic_quantization ||
      op->spec.output_element_size != sizeof(float) || ctx->row == NULL ||
      ctx->kernel_height > MAX_ROW_KERNEL_HEIGHT ||
      ctx->row_edges.left != ctx->row_x_begin ||
      ctx->row_edges.right != ctx->output_width - ctx->row_x_end) {
    return false;
  }
  *rows = (struct pqnn_dwconv_rows) {
    .kernel_height = ctx->kernel_height, .stride_height = ctx->stride_height,
    .dilation_height = ctx->dilation_height, .padding_top = ctx->padding_top,
    .input_height = ctx->input_height, .input_row_bytes = ctx->input_row_stride,
    .output_height = op->output_height, .output_width = ctx->output_width,
    .output_row_bytes = ctx->output_row_stride, .input_pixel_bytes = ctx->row_pixel_bytes,
    .output_pixel_bytes = ctx->out_pixel_bytes,
  };
  return true;
}

void pqnn_dwconv_row(const struct pqnn_operator* op, const void* const* input, void* output,
    size_t pixel) {
  const struct pqnn_dwconv_context* ctx = &op->context.dwconv;
  const void* rows[MAX_ROW_KERNEL_HEIGHT];
  for (uint32_t ky = 0; ky < ctx->kernel_height; ky++) {
    /* The zero row is a whole input row, addressed at the same column as an input row. */
    rows[ky] = (const char*) (input[ky] != NULL ? input[ky] : ctx->zero) +
        ctx->row_column_offset;
  }
  const struct pqnn_epilogue* epilogue = pqnn_bound_epilogue(op);
  const bool fused = pqnn_dwconv_row_pixels(ctx, rows, op->packed_weights, (char*) output,
      epilogue);
  if (epilogue != NULL && !fused) {
    pqnn_apply_epilogue(epilogue, output, ctx->out_pixel_bytes, pixel, 0, ctx->output_width,
        ctx->channels);
  }
}
