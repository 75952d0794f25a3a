/* The DWCONV path: depthwise convolution with one input and one output channel per group,
 * through an indirection buffer of taps per output pixel (src/indirection.c). Reshape
 * builds the buffer for one image and fills the context; run tiles images x output rows. */
#include <string.h>

#include "operators/paths.h"

enum pqnn_status pqnn_prepare_dwconv(const char* function, pqnn_operator_t op,
    const struct pqnn_conv_geometry* geometry) {
  enum pqnn_status status = pqnn_reserve_indirection(function, op,
      pqnn_indirection_dwconv_count(geometry));
  if (status != pqnn_status_success) return status;
  pqnn_indirection_init_dwconv(op->indirection, geometry, op->zero_buffer);
  op->indirection_mr = 0;

  const size_t taps = (size_t) op->kernel_height * op->kernel_width;
  const size_t output_width = geometry->output_width;
  const size_t output_pixels = geometry->output_height * output_width;
  const size_t out_pixel_bytes = op->output_pixel_stride * op->spec.output_element_size;
  struct pqnn_dwconv_context* ctx = &op->context.dwconv;
  memset(ctx, 0, sizeof(*ctx));
  ctx->channels = op->groups;
  ctx->kernel_size = taps;
  ctx->output_width = output_width;
  ctx->indirection = op->indirection;
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

void pqnn_run_dwconv(const struct pqnn_operator* op, pthreadpool_t threadpool) {
  struct dwconv_task task = {.ctx = op->context.dwconv, .input = (const char*) op->input};
  task.ctx.output = op->output;
  pqnn_parallelize_2d_tile_2d(threadpool, compute_dwconv, &task, op->batch_size,
      op->output_height, 1, 1);
}
