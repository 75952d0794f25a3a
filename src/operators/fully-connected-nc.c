/* Fully connected, every datatype: validation of the shared arguments, weight packing
 * through the datatype's callback, the GEMM path's preparation at reshape
 * (src/operators/gemm-path.c), pointers at setup (shared with convolution). */
#include <string.h>

#include "allocator.h"
#include "logging.h"
#include "operator.h"
#include "operators/paths.h"
#include "packing.h"

#define PQNN_FC_FLAGS PQNN_FLAG_TRANSPOSE_WEIGHTS

enum pqnn_status pqnn_create_fully_connected(const char* function, size_t input_channels,
    size_t output_channels, size_t input_stride, size_t output_stride, const void* kernel,
    uint32_t flags, const struct pqnn_gemm_op_spec* spec, pqnn_operator_t* op_out) {
  enum pqnn_status status = pqnn_check_initialized(function);
  if (status != pqnn_status_success) return status;
  if (op_out == NULL) {
    pqnn_log_error(function, "op_out is NULL");
    return pqnn_status_invalid_parameter;
  }
  if (input_channels == 0) {
    pqnn_log_error(function, "input_channels is 0");
    return pqnn_status_invalid_parameter;
  }
  if (output_channels == 0) {
    pqnn_log_error(function, "output_channels is 0");
    return pqnn_status_invalid_parameter;
  }
  if (input_stride < input_channels) {
    pqnn_log_error(function, "input_stride (%zu) is below input_channels (%zu)", input_stride,
        input_channels);
    return pqnn_status_invalid_parameter;
  }
  if (output_stride < output_channels) {
    pqnn_log_error(function, "output_stride (%zu) is below output_channels (%zu)",
        output_stride, output_channels);
    return pqnn_status_invalid_parameter;
  }
  if (kernel == NULL) {
    pqnn_log_error(function, "kernel is NULL");
    return pqnn_status_invalid_parameter;
  }
  if ((flags & ~(uint32_t) PQNN_FC_FLAGS) != 0) {
    pqnn_log_error(function, "unsupported flags 0x%x", (unsigned) flags);
    return pqnn_status_invalid_parameter;
  }
  size_t kernel_elements, kernel_bytes, row_bytes;
  if (!pqnn_mul_sz(input_channels, output_channels, &kernel_elements) ||
      !pqnn_mul_sz(kernel_elements, spec->kernel_element_size, &kernel_bytes) ||
      !pqnn_mul_sz(input_stride, spec->input_element_size, &row_bytes) ||
      !pqnn_mul_sz(output_stride, spec->output_element_size, &row_bytes)) {
    pqnn_log_error(function, "sizes overflow (input_channels %zu, output_channels %zu)",
        input_channels, output_channels);
    return pqnn_status_invalid_parameter;
  }
  status = pqnn_check_gemm_kernels(function, spec);
  if (status != pqnn_status_success) return status;
  /* possibly a narrower tile (config.h): the runtime's 1x1 convolutions are FC operators */
  struct pqnn_gemm_op_spec narrow_spec = *spec;
  narrow_spec.gemm_config = pqnn_narrow_gemm_config(spec->gemm_config, output_channels,
      input_channels, spec->dynamic_quantization, false);
  spec = &narrow_spec;
  const struct pqnn_gemm_config* config = spec->gemm_config;
  const size_t packed_size = spec->packed_gemm_size != NULL
      ? spec->packed_gemm_size(spec->spec_context, output_channels, input_channels, config->nr,
            config->kr)
      : pqnn_packed_gemm_size(1, output_channels, 1, input_channels, config->nr, config->kr,
            spec->packed_element_size, spec->packed_prefix_size, spec->packed_suffix_size);
  if (packed_size == 0) {
    pqnn_log_error(function, "packed weight size overflows (input_channels %zu, output_channels %zu)",
        input_channels, output_channels);
    return pqnn_status_invalid_parameter;
  }

  struct pqnn_operator* op = pqnn_allocate_operator();
  if (op == NULL) {
    pqnn_log_error(function, "cannot allocate the operator");
    return pqnn_status_out_of_memory;
  }
  op->packed_weights = pqnn_allocate_streamed(packed_size);
  if (op->packed_weights == NULL) {
    pqnn_log_error(function, "cannot allocate %zu bytes of packed weights", packed_size);
    pqnn_delete_operator(op);
    return pqnn_status_out_of_memory;
  }
  /* zero-filled: padding a packer skips compares equal (runtime-weights.c) */
  memset(op->packed_weights, 0, packed_size);
  op->packed_weights_size = packed_size;
  const bool transposed = (flags & PQNN_FLAG_TRANSPOSE_WEIGHTS) != 0;
  spec->pack_gemm(spec->spec_context, 1, output_channels, 1, input_channels, config->nr,
      config->kr, transposed, kernel, op->packed_weights);
  /* possibly the column tail on a narrower tile (gemm-tail.c) */
  status = pqnn_pack_gemm_tail(function, op, spec,
      pqnn_gemm_tail_config(config, output_channels, spec->dynamic_quantization, false), 1,
      output_channels, 1, input_channels, transposed, kernel, packed_size);
  if (status != pqnn_status_success) {
    pqnn_delete_operator(op);
    return status;
  }

  op->type = spec->type;
  op->flags = flags;
  op->spec = *spec;
  op->spec.spec_context = NULL;
  op->path = pqnn_gemm_path_gemm;
  op->gemm_config = config;
  op->groups = 1;
  op->group_input_channels = input_channels;
  op->group_output_channels = output_channels;
  op->input_pixel_stride = input_stride;
  op->output_pixel_stride = output_stride;
  op->kernel_height = op->kernel_width = 1;
  op->packed_group_stride = packed_size;
  op->packed_panel_stride = packed_size / pqnn_divide_round_up(output_channels, config->nr);
  op->state = pqnn_operator_state_created;
  *op_out = op;
  return pqnn_status_success;
}

enum pqnn_status pqnn_reshape_fully_connected(const char* function, pqnn_operator_t op,
    enum pqnn_operator_type type, size_t batch_size, pthreadpool_t threadpool) {
  enum pqnn_status status = pqnn_begin_reshape(function, op, type);
  if (status != pqnn_status_success) return status;
  size_t span, bytes;
  if (!pqnn_span_sz(batch_size, op->group_input_channels, op->input_pixel_stride, &span) ||
      !pqnn_mul_sz(span, op->spec.input_element_size, &bytes) ||
      !pqnn_span_sz(batch_size, op->group_output_channels, op->output_pixel_stride, &span) ||
      !pqnn_mul_sz(span, op->spec.output_element_size, &bytes)) {
    pqnn_log_error(function, "batch_size %zu overflows the buffer sizes", batch_size);
    return pqnn_status_invalid_parameter;
  }
  op->batch_size = batch_size;
  op->input_height = op->input_width = op->output_height = op->output_width = 1;
  pqnn_prepare_gemm(op, batch_size, threadpool);
  op->state = pqnn_operator_state_reshaped;
  return pqnn_status_success;
}

enum pqnn_status pqnn_setup_gemm_op(const char* function, pqnn_operator_t op,
    enum pqnn_operator_type type, const void* input, void* output,
    const struct pqnn_quantization_params* quantization_params) {
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
    if (op->spec.dynamic_quantization && quantization_params == NULL) {
      pqnn_log_error(function, "quantization_params is NULL");
      return pqnn_status_invalid_parameter;
    }
  }
  op->input = input;
  op->output = output;
  op->quantization_params = quantization_params;
  op->epilogue.data = NULL;  /* bound again after each setup (pqnn_setup_residual_add) */
  op->winograd_parts = NULL;  /* bound again after each setup (pqnn_setup_winograd_input_parts) */
  op->num_winograd_parts = 0;
  op->state = pqnn_operator_state_ready;
  return pqnn_status_success;
}
