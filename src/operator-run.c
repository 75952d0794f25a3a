/* pqnn_run_operator: checks the operator, then calls the run function of the compute
 * prepared at reshape (src/operators/paths.h). A run binds the pointers given at setup to
 * a copy of the reshape-time context and hands tiles to the threadpool; it never
 * allocates. */
#include "logging.h"
#include "operator.h"
#include "operators/paths.h"

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
    /* One entry per row: per image (conv), per row (FC), per input pixel (deconv). */
    const size_t entries = op->compute == pqnn_compute_deconv
        ? op->batch_size * op->input_height * op->input_width : op->batch_size;
    for (size_t i = 0; i < entries; i++) {
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
    case pqnn_compute_gemm:
      pqnn_run_gemm(op, threadpool);
      break;
    case pqnn_compute_igemm:
      pqnn_run_igemm(op, threadpool);
      break;
    case pqnn_compute_dwconv:
      pqnn_run_dwconv(op, threadpool);
      break;
    case pqnn_compute_convert:
      pqnn_run_convert(op, threadpool);
      break;
    case pqnn_compute_deconv:
      pqnn_run_deconv(op, threadpool);
      break;
    case pqnn_compute_patch:
      pqnn_run_patch(op, threadpool);
      break;
    case pqnn_compute_winograd:
      pqnn_run_winograd(op, threadpool);
      break;
  }
  return pqnn_status_success;
}
