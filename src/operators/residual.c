/* Residual add fused into a fully connected or convolution operator: binding at setup
 * (pqnn_setup_residual_add), the tile epilogue the GEMM, IGEMM, PATCH and DWCONV paths call
 * after their kernel wrote an output tile (pqnn_residual_add), and the whole-output pass of
 * the Winograd path (pqnn_run_residual). The add is the tier's f32-vbinary add kernel, the
 * one the runtime's add2 node runs, so a fused add gives the unfused graph's bits; f16
 * outputs are widened, added in f32 and rounded once, as the add2 node's f16 kernel does. */
#include "logging.h"
#include "operator.h"
#include "operators/paths.h"

/* Elements of an f16 staging block. */
enum { kBlock = 256 };

/* Operator types with f32 or f16 output whose paths add a residual. */
static bool takes_residual(enum pqnn_operator_type type) {
  switch (type) {
    case pqnn_operator_type_fully_connected_nc_f32:
    case pqnn_operator_type_fully_connected_nc_f16:
    case pqnn_operator_type_fully_connected_nc_qd8_f32_qc8w:
    case pqnn_operator_type_fully_connected_nc_qd8_f16_qc8w:
    case pqnn_operator_type_fully_connected_nc_qd8_f32_qc4w:
    case pqnn_operator_type_fully_connected_nc_qd8_f16_qc4w:
    case pqnn_operator_type_fully_connected_nc_qd8_f32_qb4w:
    case pqnn_operator_type_fully_connected_nc_qd8_f16_qb4w:
    case pqnn_operator_type_convolution_nhwc_f32:
    case pqnn_operator_type_convolution_nhwc_f16:
    case pqnn_operator_type_convolution_nhwc_qd8_f32_qc8w:
    case pqnn_operator_type_convolution_nhwc_qd8_f16_qc8w:
      return true;
    default:
      return false;
  }
}

/* Whether byte ranges [a, a + a_size) and [b, b + b_size) intersect. */
static bool overlap(const void* a, size_t a_size, const void* b, size_t b_size) {
  const uintptr_t a0 = (uintptr_t) a, b0 = (uintptr_t) b;
  return a0 < b0 + b_size && b0 < a0 + a_size;
}

enum pqnn_status pqnn_setup_residual_add(pqnn_operator_t op, const void* residual,
    size_t residual_pixel_stride, float output_min, float output_max) {
  const char* function = __func__;
  enum pqnn_status status = pqnn_check_initialized(function);
  if (status != pqnn_status_success) return status;
  if (op == NULL) {
    pqnn_log_error(function, "op is NULL");
    return pqnn_status_invalid_parameter;
  }
  if (!takes_residual(op->type)) {
    pqnn_log_error(function, "a %s operator takes no residual (f32 / f16 output FC and "
        "convolution only)", pqnn_operator_type_string(op->type));
    return pqnn_status_invalid_parameter;
  }
  if (op->state != pqnn_operator_state_ready) {
    pqnn_log_error(function, "the residual is bound right after a successful setup");
    return pqnn_status_invalid_state;
  }
  op->state = pqnn_operator_state_reshaped;  /* until every check below passed */
  op->residual.data = NULL;
  const size_t channels = op->groups * op->group_output_channels;
  const size_t element_size = op->spec.output_element_size;
  if (residual_pixel_stride < channels) {
    pqnn_log_error(function, "residual_pixel_stride (%zu) is below the output channels (%zu)",
        residual_pixel_stride, channels);
    return pqnn_status_invalid_parameter;
  }
  status = pqnn_check_output_bounds(function, output_min, output_max);
  if (status != pqnn_status_success) return status;
  const size_t image_pixels = op->output_height * op->output_width;
  const size_t pixels = op->batch_size * image_pixels;
  size_t residual_span = 0, output_span = 0;
  if (pixels != 0) {
    if (residual == NULL) {
      pqnn_log_error(function, "residual is NULL");
      return pqnn_status_invalid_parameter;
    }
    if (!pqnn_span_sz(pixels, channels, residual_pixel_stride, &residual_span) ||
        !pqnn_mul_sz(residual_span, element_size, &residual_span)) {
      pqnn_log_error(function, "residual_pixel_stride %zu overflows the residual's size",
          residual_pixel_stride);
      return pqnn_status_invalid_parameter;
    }
    /* Checked at reshape not to overflow. */
    pqnn_span_sz(pixels, channels, op->output_pixel_stride, &output_span);
    output_span *= element_size;
    if (overlap(residual, residual_span, op->output, output_span)) {
      pqnn_log_error(function, "residual overlaps the output");
      return pqnn_status_invalid_parameter;
    }
  }
  const struct pqnn_convert_config* cc = pqnn_get_convert_config();
  op->residual = (struct pqnn_residual) {
    .data = (const char*) residual,
    .pixel_stride = residual_pixel_stride * element_size,
    .image_pixels = image_pixels,
    .element_size = element_size,
    .params = {output_min, output_max, 0.0f, 0.0f},
    .add = pqnn_get_elementwise_config()->vv[pqnn_binary_add],
    .f16_f32 = cc->f16_f32,
    .f32_f16 = cc->f32_f16,
  };
  op->state = pqnn_operator_state_ready;
  return pqnn_status_success;
}

const struct pqnn_residual* pqnn_bound_residual(const struct pqnn_operator* op) {
  return op->residual.data != NULL ? &op->residual : NULL;
}

void pqnn_residual_add(const struct pqnn_residual* r, void* c, size_t c_stride, size_t pixel,
    size_t offset, size_t pixels, size_t columns) {
  const char* res = r->data + pixel * r->pixel_stride + offset;
  char* out = (char*) c;
  if (r->element_size == sizeof(float)) {
    /* Dense rows on both sides: one call. */
    if (c_stride == r->pixel_stride && c_stride == columns * sizeof(float)) {
      columns *= pixels;
      pixels = 1;
    }
    for (size_t p = 0; p < pixels; p++) {
      r->add(columns, (const float*) (out + p * c_stride),
          (const float*) (res + p * r->pixel_stride), (float*) (out + p * c_stride), &r->params);
    }
    return;
  }
  float a[kBlock], b[kBlock];
  for (size_t p = 0; p < pixels; p++) {
    uint16_t* y = (uint16_t*) (out + p * c_stride);
    const uint16_t* x = (const uint16_t*) (res + p * r->pixel_stride);
    for (size_t i = 0; i < columns; i += kBlock) {
      const size_t n = columns - i < kBlock ? columns - i : kBlock;
      r->f16_f32(n, y + i, a);
      r->f16_f32(n, x + i, b);
      r->add(n, a, b, a, &r->params);
      r->f32_f16(n, a, y + i);
    }
  }
}

/* The whole-output pass: tasks of `chunk` pixels. */
struct residual_task {
  const struct pqnn_residual* residual;
  char* output;
  size_t output_stride, pixels, chunk, channels;
};

static void compute_residual(void* context, size_t t) {
  const struct residual_task* task = (const struct residual_task*) context;
  const size_t first = t * task->chunk;
  const size_t count = task->pixels - first < task->chunk ? task->pixels - first : task->chunk;
  pqnn_residual_add(task->residual, task->output + first * task->output_stride,
      task->output_stride, first, 0, count, task->channels);
}

void pqnn_run_residual(const struct pqnn_operator* op, pthreadpool_t threadpool) {
  struct residual_task task = {
    .residual = &op->residual,
    .output = (char*) op->output,
    .output_stride = op->output_pixel_stride * op->spec.output_element_size,
    .pixels = op->batch_size * op->output_height * op->output_width,
    .channels = op->groups * op->group_output_channels,
  };
  /* Tasks of about 16 KiB of f32 output. */
  task.chunk = 4096 / task.channels != 0 ? 4096 / task.channels : 1;
  pqnn_parallelize_1d(threadpool, compute_residual, &task,
      pqnn_divide_round_up(task.pixels, task.chunk));
}
