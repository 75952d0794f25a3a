/* Residual add fused into a fully connected or convolution operator: its binding after
 * setup (pqnn_setup_residual_add), and which operator types take an output epilogue. The
 * add itself runs in the epilogue (epilogue.c): the tier's f32-vbinary add kernel, the one
 * the runtime's add2 node runs, so a fused add gives the unfused graph's bits. */
#include "logging.h"
#include "operator.h"
#include "operators/paths.h"

bool pqnn_takes_epilogue(enum pqnn_operator_type type) {
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
  if (!pqnn_takes_epilogue(op->type)) {
    pqnn_log_error(function, "a %s operator takes no residual (f32 / f16 output FC and "
        "convolution only)", pqnn_operator_type_string(op->type));
    return pqnn_status_invalid_parameter;
  }
  if (op->state != pqnn_operator_state_ready) {
    pqnn_log_error(function, "the residual is bound right after a successful setup");
    return pqnn_status_invalid_state;
  }
  op->state = pqnn_operator_state_reshaped;  /* until every check below passed */
  op->epilogue.data = NULL;
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
  /* The activation fields (bound at create) stay. */
  struct pqnn_epilogue* e = &op->epilogue;
  const struct pqnn_convert_config* cc = pqnn_get_convert_config();
  e->data = (const char*) residual;
  e->pixel_stride = residual_pixel_stride * element_size;
  e->image_pixels = image_pixels;
  e->element_size = element_size;
  e->params = (struct pqnn_f32_elementwise_params) {output_min, output_max, 0.0f, 0.0f};
  e->add = pqnn_get_elementwise_config()->vv[pqnn_binary_add];
  e->f16_f32 = cc->f16_f32;
  e->f32_f16 = cc->f32_f16;
  op->state = pqnn_operator_state_ready;
  return pqnn_status_success;
}
