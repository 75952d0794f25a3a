/* Row conversions: f32/f16 -> qd8 (dynamic quantization, one {zero_point, scale} per
 * row) and f32 <-> f16 (round to nearest even). One row per task: create, reshape, setup
 * and the run-time tile functions.
 * Long f32 -> qd8 rows on a pool of several threads (a convolution's input is one row per
 * image: 200,704 floats for 56x56x64) are split in chunks of at least SPLIT_CHUNK floats:
 * one parallel pass writes each chunk's range (the range kernel), the caller merges a row's
 * chunk ranges (min / max / or: exactly the row's range) into its params, and a second
 * parallel pass quantizes the chunks (the apply kernel). The same arithmetic as the one-task
 * kernel, so the result is bit-identical with any thread count; one task per image ran on
 * one thread, so the convert did not scale with the pool (issue 13 item 5,
 * bench/operators/qd8-convert-share.cc). */
#include <string.h>

#include "allocator.h"
#include "logging.h"
#include "microkernels/qd8-quantize-params.h"
#include "operator.h"
#include "operators/paths.h"
#include "threadpool.h"

/* Smallest chunk of a split row (floats: 32 KiB, the L1 data cache) and the most chunks
 * of one run (all rows), whose ranges the caller keeps on its stack. */
#define SPLIT_CHUNK 8192
#define SPLIT_MAX_TASKS 256

/* Rows of at most ROWS_MAX_CHANNELS floats go through the many-rows kernel, ROWS_TILE rows
 * per task, where the tier has one: the one-row kernel's fixed cost weighs on short rows,
 * and the many-rows kernel reads 16 rows' ranges before it quantizes them, which for long
 * rows re-reads them from L2 instead of L1. bench/convert-kernels, avx512skx, Intel Xeon,
 * `taskset -c 0`, CPU time, G floats/s one-row -> many-rows kernel: n = 32 1.87 -> 3.29,
 * 96 4.1 -> 5.8, 144 4.9 -> 6.7, 256 6.5 -> 7.7, 384 7.2 -> 8.1, 1024 8.4 -> 7.7. */
#define ROWS_MAX_CHANNELS 512
#define ROWS_TILE 64

static enum pqnn_status create_convert(const char* function, enum pqnn_operator_type type,
    size_t channels, size_t input_stride, size_t output_stride, uint32_t flags,
    pqnn_operator_t* op_out) {
  enum pqnn_status status = pqnn_check_initialized(function);
  if (status != pqnn_status_success) return status;
  if (op_out == NULL) {
    pqnn_log_error(function, "op_out is NULL");
    return pqnn_status_invalid_parameter;
  }
  if (channels == 0) {
    pqnn_log_error(function, "channels is 0");
    return pqnn_status_invalid_parameter;
  }
  if (input_stride < channels) {
    pqnn_log_error(function, "input_stride (%zu) is below channels (%zu)", input_stride, channels);
    return pqnn_status_invalid_parameter;
  }
  if (output_stride < channels) {
    pqnn_log_error(function, "output_stride (%zu) is below channels (%zu)", output_stride, channels);
    return pqnn_status_invalid_parameter;
  }
  if (flags != 0) {
    pqnn_log_error(function, "unsupported flags 0x%x", (unsigned) flags);
    return pqnn_status_invalid_parameter;
  }
  if (input_stride > SIZE_MAX / 4 || output_stride > SIZE_MAX / 4) {
    pqnn_log_error(function, "strides overflow");
    return pqnn_status_invalid_parameter;
  }
  const struct pqnn_convert_config* config = pqnn_get_convert_config();
  struct pqnn_convert_context ctx = {.channels = channels};
  size_t in_size = 4, out_size = 1;
  switch (type) {
    case pqnn_operator_type_convert_nc_f32_qd8:
      ctx.quantize = config != NULL ? config->f32_qd8 : NULL;
      ctx.range = config != NULL ? config->f32_qd8_range : NULL;
      ctx.apply = config != NULL ? config->f32_qd8_apply : NULL;
      ctx.rows = config != NULL ? config->f32_qd8_rows : NULL;
      break;
    case pqnn_operator_type_convert_nc_f16_qd8:
      ctx.quantize = config != NULL ? config->f16_qd8 : NULL;
      in_size = 2;
      break;
    case pqnn_operator_type_convert_nc_f32_f16:
      ctx.convert = config != NULL ? config->f32_f16 : NULL;
      out_size = 2;
      break;
    default:
      ctx.convert = config != NULL ? config->f16_f32 : NULL;
      in_size = 2;
      out_size = 4;
      break;
  }
  if (ctx.quantize == NULL && ctx.convert == NULL) {
    pqnn_log_error(function, "no conversion kernel on this CPU");
    return pqnn_status_unsupported_hardware;
  }
  ctx.x_stride = input_stride * in_size;
  ctx.y_stride = output_stride * out_size;
  struct pqnn_operator* op = pqnn_allocate_operator();
  if (op == NULL) {
    pqnn_log_error(function, "cannot allocate the operator");
    return pqnn_status_out_of_memory;
  }
  op->type = type;
  op->channels = channels;
  op->input_pixel_stride = input_stride;
  op->output_pixel_stride = output_stride;
  op->spec.input_element_size = in_size;
  op->spec.output_element_size = out_size;
  op->context.convert = ctx;
  op->compute = pqnn_compute_convert;
  op->state = pqnn_operator_state_created;
  *op_out = op;
  return pqnn_status_success;
}

static enum pqnn_status reshape_convert(const char* function, pqnn_operator_t op,
    enum pqnn_operator_type type, size_t batch_size) {
  enum pqnn_status status = pqnn_begin_reshape(function, op, type);
  if (status != pqnn_status_success) return status;
  size_t span, bytes;
  if (!pqnn_span_sz(batch_size, op->channels, op->input_pixel_stride, &span) ||
      !pqnn_mul_sz(span, op->spec.input_element_size, &bytes) ||
      !pqnn_span_sz(batch_size, op->channels, op->output_pixel_stride, &span) ||
      !pqnn_mul_sz(span, op->spec.output_element_size, &bytes)) {
    pqnn_log_error(function, "batch_size %zu overflows the buffer sizes", batch_size);
    return pqnn_status_invalid_parameter;
  }
  op->batch_size = batch_size;
  op->state = pqnn_operator_state_reshaped;
  return pqnn_status_success;
}

static enum pqnn_status setup_convert(const char* function, pqnn_operator_t op,
    enum pqnn_operator_type type, const void* input, void* output,
    struct pqnn_quantization_params* quantization_params) {
  enum pqnn_status status = pqnn_begin_setup(function, op, type);
  if (status != pqnn_status_success) return status;
  if (op->batch_size != 0) {
    if (input == NULL) {
      pqnn_log_error(function, "input is NULL");
      return pqnn_status_invalid_parameter;
    }
    if (output == NULL) {
      pqnn_log_error(function, "output is NULL");
      return pqnn_status_invalid_parameter;
    }
    if (op->context.convert.quantize != NULL && quantization_params == NULL) {
      pqnn_log_error(function, "quantization_params is NULL");
      return pqnn_status_invalid_parameter;
    }
  }
  op->input = input;
  op->output = output;
  op->output_quantization_params = quantization_params;
  op->state = pqnn_operator_state_ready;
  return pqnn_status_success;
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

/* Rows [ROWS_TILE * tile, ...) through the many-rows kernel. */
static void compute_rows(void* context, size_t tile) {
  const struct pqnn_convert_context* ctx = (const struct pqnn_convert_context*) context;
  const size_t row = tile * ROWS_TILE;
  const size_t rows = ctx->rows_count - row < ROWS_TILE ? ctx->rows_count - row : ROWS_TILE;
  ctx->rows(rows, ctx->channels, (const char*) ctx->x + row * ctx->x_stride, ctx->x_stride,
      (int8_t*) ctx->y + row * ctx->y_stride, ctx->y_stride, ctx->quantization_params + row);
}

/* A split run: `chunks` chunks of `chunk` floats per row (the last one shorter). */
struct split_context {
  const struct pqnn_convert_context* convert;
  size_t chunks, chunk;
  struct pqnn_qd8_range* ranges;  /* one per task, row-major */
  const float* inv;               /* per row: pqnn_qd8_row_params' result */
};

static void split_chunk(const struct split_context* s, size_t task, const float** x,
    int8_t** y, size_t* n) {
  const struct pqnn_convert_context* ctx = s->convert;
  const size_t row = task / s->chunks;
  const size_t start = (task % s->chunks) * s->chunk;
  *x = (const float*) ((const char*) ctx->x + row * ctx->x_stride) + start;
  *y = (int8_t*) ctx->y + row * ctx->y_stride + start;
  *n = ctx->channels - start < s->chunk ? ctx->channels - start : s->chunk;
}

static void compute_split_range(void* context, size_t task) {
  const struct split_context* s = (const struct split_context*) context;
  const float* x;
  int8_t* y;
  size_t n;
  split_chunk(s, task, &x, &y, &n);
  s->convert->range(n, x, &s->ranges[task]);
}

static void compute_split_apply(void* context, size_t task) {
  const struct split_context* s = (const struct split_context*) context;
  const float* x;
  int8_t* y;
  size_t n;
  split_chunk(s, task, &x, &y, &n);
  const float inv = s->inv[task / s->chunks];
  if (inv == 0.0f) {
    memset(y, 0, n);
  } else {
    s->convert->apply(n, x, y, inv, s->convert->quantization_params[task / s->chunks].zero_point);
  }
}

/* Runs an f32 -> qd8 convert as a split run when that is possible and useful (several
 * threads, rows of at least two chunks, few enough chunks); returns false otherwise. */
static bool run_split(const struct pqnn_convert_context* ctx, size_t rows,
    pthreadpool_t threadpool) {
  if (ctx->range == NULL || ctx->apply == NULL || pqnn_threadpool_threads(threadpool) < 2 ||
      ctx->channels < 2 * SPLIT_CHUNK || rows > SPLIT_MAX_TASKS / 2) {
    return false;
  }
  size_t chunks = ctx->channels / SPLIT_CHUNK;
  if (chunks > SPLIT_MAX_TASKS / rows) chunks = SPLIT_MAX_TASKS / rows;
  /* Whole cache lines of output per chunk (64 int8). */
  const size_t chunk = ((ctx->channels + chunks - 1) / chunks + 63) & ~(size_t) 63;
  chunks = (ctx->channels + chunk - 1) / chunk;
  struct pqnn_qd8_range ranges[SPLIT_MAX_TASKS];
  float inv[SPLIT_MAX_TASKS / 2];
  struct split_context s = {ctx, chunks, chunk, ranges, inv};
  pqnn_parallelize_1d(threadpool, compute_split_range, &s, rows * chunks);
  for (size_t row = 0; row < rows; row++) {
    struct pqnn_qd8_range r = ranges[row * chunks];
    for (size_t c = 1; c < chunks; c++) {
      const struct pqnn_qd8_range* other = &ranges[row * chunks + c];
      r.min = other->min < r.min ? other->min : r.min;
      r.max = other->max > r.max ? other->max : r.max;
      r.nonfinite = r.nonfinite || other->nonfinite;
    }
    inv[row] = pqnn_qd8_range_params(&r, &ctx->quantization_params[row]);
  }
  pqnn_parallelize_1d(threadpool, compute_split_apply, &s, rows * chunks);
  return true;
}

bool pqnn_convert_takes_ranges(const struct pqnn_operator* op) {
  return op->type == pqnn_operator_type_convert_nc_f32_qd8 &&
      op->context.convert.apply != NULL && op->context.convert.range != NULL;
}

void pqnn_run_convert_ranged(const struct pqnn_operator* op,
    const struct pqnn_qd8_range* ranges, float* inv, pthreadpool_t threadpool) {
  struct pqnn_convert_context ctx = op->context.convert;
  ctx.x = op->input;
  ctx.y = op->output;
  ctx.quantization_params = op->output_quantization_params;
  const size_t rows = op->batch_size;
  for (size_t row = 0; row < rows; row++) {
    inv[row] = pqnn_qd8_range_params(&ranges[row], &ctx.quantization_params[row]);
  }
  /* Chunks of at least SPLIT_CHUNK floats, whole cache lines of output, one task each. */
  size_t chunks = ctx.channels / SPLIT_CHUNK;
  if (chunks == 0) chunks = 1;
  const size_t chunk = ((ctx.channels + chunks - 1) / chunks + 63) & ~(size_t) 63;
  chunks = (ctx.channels + chunk - 1) / chunk;
  struct split_context s = {&ctx, chunks, chunk, NULL, inv};
  pqnn_parallelize_1d(threadpool, compute_split_apply, &s, rows * chunks);
}

void pqnn_run_convert(const struct pqnn_operator* op, pthreadpool_t threadpool) {
  struct pqnn_convert_context ctx = op->context.convert;
  ctx.x = op->input;
  ctx.y = op->output;
  ctx.quantization_params = op->output_quantization_params;
  if (run_split(&ctx, op->batch_size, threadpool)) return;
  if (ctx.rows != NULL && op->batch_size > 1 && ctx.channels <= ROWS_MAX_CHANNELS) {
    ctx.rows_count = op->batch_size;
    pqnn_parallelize_1d(threadpool, compute_rows, &ctx,
        (op->batch_size + ROWS_TILE - 1) / ROWS_TILE);
  } else {
    pqnn_parallelize_1d(threadpool, compute_convert, &ctx, op->batch_size);
  }
}

#define PQNN_COMMA ,
#define PQNN_CONVERT_FUNCTIONS(name, in_t, out_t, qparams_decl, qparams_arg)                   \
  enum pqnn_status pqnn_create_convert_nc_##name(size_t channels, size_t input_stride,        \
      size_t output_stride, uint32_t flags, pqnn_operator_t* op_out) {                        \
    return create_convert(__func__, pqnn_operator_type_convert_nc_##name, channels,           \
        input_stride, output_stride, flags, op_out);                                          \
  }                                                                                           \
  enum pqnn_status pqnn_reshape_convert_nc_##name(pqnn_operator_t op, size_t batch_size,      \
      pthreadpool_t threadpool) {                                                             \
    (void) threadpool;                                                                        \
    return reshape_convert(__func__, op, pqnn_operator_type_convert_nc_##name, batch_size);   \
  }                                                                                           \
  enum pqnn_status pqnn_setup_convert_nc_##name(pqnn_operator_t op, in_t input,               \
      out_t output qparams_decl) {                                                            \
    return setup_convert(__func__, op, pqnn_operator_type_convert_nc_##name, input, output,   \
        qparams_arg);                                                                         \
  }

PQNN_CONVERT_FUNCTIONS(f32_qd8, const float*, int8_t*,
    PQNN_COMMA struct pqnn_quantization_params* quantization_params, quantization_params)
PQNN_CONVERT_FUNCTIONS(f16_qd8, const void*, int8_t*,
    PQNN_COMMA struct pqnn_quantization_params* quantization_params, quantization_params)
PQNN_CONVERT_FUNCTIONS(f32_f16, const float*, void*, , NULL)
PQNN_CONVERT_FUNCTIONS(f16_f32, const void*, float*, , NULL)
