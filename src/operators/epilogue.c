/* The output epilogue of a fully connected or convolution operator with f32 or f16 output:
 * a fused unary activation and / or residual add applied to each output tile right after
 * the kernel wrote it, still in L1 (pqnn_apply_epilogue, called by the GEMM, IGEMM, PATCH
 * and DWCONV paths per tile, by the Winograd path after each tile's output transform, by
 * the deconvolution path per output row: an activation only there), and the activation's
 * binding (pqnn_set_output_activation; the residual's is in residual.c).
 * Both run the kernels the runtime's nodes run (the tier's f32-vunary kernel of the
 * activation, its f32-vbinary add), element by element, so a fused epilogue gives the
 * unfused graph's bits. f16 outputs are widened, computed in f32 and rounded once per
 * step, as the f16 unary and add2 nodes do. */
#include "logging.h"
#include "operator.h"
#include "operators/paths.h"

/* Elements of an f16 staging block. */
enum { kBlock = 256 };

enum pqnn_status pqnn_set_output_activation(pqnn_operator_t op,
    pqnn_vunary_ukernel_fn activation, const struct pqnn_f32_elementwise_params* params,
    bool before_residual) {
  const char* function = __func__;
  const enum pqnn_status status = pqnn_check_initialized(function);
  if (status != pqnn_status_success) return status;
  if (op == NULL) {
    pqnn_log_error(function, "op is NULL");
    return pqnn_status_invalid_parameter;
  }
  const bool deconvolution = op->type == pqnn_operator_type_deconvolution_nhwc_f32 ||
      op->type == pqnn_operator_type_deconvolution_nhwc_f16 ||
      op->type == pqnn_operator_type_deconvolution_nhwc_qd8_f32_qc8w ||
      op->type == pqnn_operator_type_deconvolution_nhwc_qd8_f16_qc8w;
  if (!pqnn_takes_epilogue(op->type) && !deconvolution) {
    pqnn_log_error(function, "a %s operator takes no activation (f32 / f16 output FC, "
        "convolution and deconvolution only)", pqnn_operator_type_string(op->type));
    return pqnn_status_invalid_parameter;
  }
  if (activation != NULL && params == NULL) {
    pqnn_log_error(function, "params is NULL");
    return pqnn_status_invalid_parameter;
  }
  struct pqnn_epilogue* e = &op->epilogue;
  const struct pqnn_convert_config* cc = pqnn_get_convert_config();
  e->activation = activation;
  e->activation_params = activation != NULL ? *params
      : (struct pqnn_f32_elementwise_params) {0.0f, 0.0f, 0.0f, 0.0f};
  e->activation_first = before_residual;
  e->element_size = op->spec.output_element_size;
  e->f16_f32 = cc->f16_f32;
  e->f32_f16 = cc->f32_f16;
  return pqnn_status_success;
}

const struct pqnn_epilogue* pqnn_bound_epilogue(const struct pqnn_operator* op) {
  return op->epilogue.data != NULL || op->epilogue.activation != NULL ? &op->epilogue : NULL;
}

/* c = f(c) over `pixels` rows of `columns` elements, c_stride bytes apart. */
static void activate(const struct pqnn_epilogue* e, char* c, size_t c_stride, size_t pixels,
    size_t columns) {
  if (e->element_size == sizeof(float)) {
    if (c_stride == columns * sizeof(float)) {  /* dense rows: one call */
      columns *= pixels;
      pixels = 1;
    }
    for (size_t p = 0; p < pixels; p++) {
      float* y = (float*) (c + p * c_stride);
      e->activation(columns, y, y, &e->activation_params);
    }
    return;
  }
  float t[kBlock];
  for (size_t p = 0; p < pixels; p++) {
    uint16_t* y = (uint16_t*) (c + p * c_stride);
    for (size_t i = 0; i < columns; i += kBlock) {
      const size_t n = columns - i < kBlock ? columns - i : kBlock;
      e->f16_f32(n, y + i, t);
      e->activation(n, t, t, &e->activation_params);
      e->f32_f16(n, t, y + i);
    }
  }
}

/* c = clamp(c + residual). */
static void add_residual(const struct pqnn_epilogue* e, char* c, size_t c_stride,
    size_t pixel, size_t offset, size_t pixels, size_t columns) {
  const char* res = e->data + pixel * e->pixel_stride + offset;
  if (e->element_size == sizeof(float)) {
    /* Dense rows on both sides: one call. */
    if (c_stride == e->pixel_stride && c_stride == columns * sizeof(float)) {
      columns *= pixels;
      pixels = 1;
    }
    for (size_t p = 0; p < pixels; p++) {
      e->add(columns, (const float*) (c + p * c_stride),
          (const float*) (res + p * e->pixel_stride), (float*) (c + p * c_stride), &e->params);
    }
    return;
  }
  float a[kBlock], b[kBlock];
  for (size_t p = 0; p < pixels; p++) {
    uint16_t* y = (uint16_t*) (c + p * c_stride);
    const uint16_t* x = (const uint16_t*) (res + p * e->pixel_stride);
    for (size_t i = 0; i < columns; i += kBlock) {
      const size_t n = columns - i < kBlock ? columns - i : kBlock;
      e->f16_f32(n, y + i, a);
      e->f16_f32(n, x + i, b);
      e->add(n, a, b, a, &e->params);
      e->f32_f16(n, a, y + i);
    }
  }
}

void pqnn_apply_epilogue(const struct pqnn_epilogue* e, void* c, size_t c_stride, size_t pixel,
    size_t offset, size_t pixels, size_t columns) {
  char* out = (char*) c;
  const bool act = e->activation != NULL;
  if (act && (e->activation_first || e->data == NULL)) {
    activate(e, out, c_stride, pixels, columns);
  }
  if (e->data != NULL) {
    add_residual(e, out, c_stride, pixel, offset, pixels, columns);
    if (act && !e->activation_first) activate(e, out, c_stride, pixels, columns);
  }
}
