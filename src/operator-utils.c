/* Argument checks and small utilities shared by every operator and datatype face. */
#include <math.h>
#include <stdlib.h>

#include "allocator.h"
#include "hardware.h"
#include "init.h"
#include "logging.h"
#include "operator.h"

const char* pqnn_operator_type_string(enum pqnn_operator_type type) {
  switch (type) {
    case pqnn_operator_type_invalid: break;
    case pqnn_operator_type_fully_connected_nc_f32: return "fully_connected_nc_f32";
    case pqnn_operator_type_fully_connected_nc_f16: return "fully_connected_nc_f16";
    case pqnn_operator_type_fully_connected_nc_qs8: return "fully_connected_nc_qs8";
    case pqnn_operator_type_fully_connected_nc_qs8_qc8w: return "fully_connected_nc_qs8_qc8w";
    case pqnn_operator_type_fully_connected_nc_qd8_f32_qc8w: return "fully_connected_nc_qd8_f32_qc8w";
    case pqnn_operator_type_fully_connected_nc_qd8_f16_qc8w: return "fully_connected_nc_qd8_f16_qc8w";
    case pqnn_operator_type_fully_connected_nc_qd8_f32_qc4w: return "fully_connected_nc_qd8_f32_qc4w";
    case pqnn_operator_type_fully_connected_nc_qd8_f16_qc4w: return "fully_connected_nc_qd8_f16_qc4w";
    case pqnn_operator_type_fully_connected_nc_qd8_f32_qb4w: return "fully_connected_nc_qd8_f32_qb4w";
    case pqnn_operator_type_fully_connected_nc_qd8_f16_qb4w: return "fully_connected_nc_qd8_f16_qb4w";
    case pqnn_operator_type_convolution_nhwc_f32: return "convolution_nhwc_f32";
    case pqnn_operator_type_convolution_nhwc_f16: return "convolution_nhwc_f16";
    case pqnn_operator_type_convolution_nhwc_qs8: return "convolution_nhwc_qs8";
    case pqnn_operator_type_convolution_nhwc_qs8_qc8w: return "convolution_nhwc_qs8_qc8w";
    case pqnn_operator_type_convolution_nhwc_qd8_f32_qc8w: return "convolution_nhwc_qd8_f32_qc8w";
    case pqnn_operator_type_convolution_nhwc_qd8_f16_qc8w: return "convolution_nhwc_qd8_f16_qc8w";
    case pqnn_operator_type_deconvolution_nhwc_f32: return "deconvolution_nhwc_f32";
    case pqnn_operator_type_deconvolution_nhwc_f16: return "deconvolution_nhwc_f16";
    case pqnn_operator_type_deconvolution_nhwc_qd8_f32_qc8w: return "deconvolution_nhwc_qd8_f32_qc8w";
    case pqnn_operator_type_deconvolution_nhwc_qd8_f16_qc8w: return "deconvolution_nhwc_qd8_f16_qc8w";
    case pqnn_operator_type_convert_nc_f32_qd8: return "convert_nc_f32_qd8";
    case pqnn_operator_type_convert_nc_f16_qd8: return "convert_nc_f16_qd8";
    case pqnn_operator_type_convert_nc_f32_f16: return "convert_nc_f32_f16";
    case pqnn_operator_type_convert_nc_f16_f32: return "convert_nc_f16_f32";
  }
  return "invalid";
}

enum pqnn_status pqnn_check_initialized(const char* function) {
  if (!pqnn_is_initialized()) {
    pqnn_log_error(function, "pqnn_initialize has not been called (or failed)");
    return pqnn_status_uninitialized;
  }
  return pqnn_status_success;
}

enum pqnn_status pqnn_check_operator(const char* function, pqnn_operator_t op,
    enum pqnn_operator_type type) {
  if (op == NULL) {
    pqnn_log_error(function, "op is NULL");
    return pqnn_status_invalid_parameter;
  }
  if (op->type != type) {
    pqnn_log_error(function, "op is a %s operator, expected %s",
        pqnn_operator_type_string(op->type), pqnn_operator_type_string(type));
    return pqnn_status_invalid_parameter;
  }
  return pqnn_status_success;
}

enum pqnn_status pqnn_begin_reshape(const char* function, pqnn_operator_t op,
    enum pqnn_operator_type type) {
  enum pqnn_status status = pqnn_check_operator(function, op, type);
  if (status != pqnn_status_success) return status;  /* not this function's operator */
  /* Whatever happens next, pointers bound before this call are not run again. */
  op->state = pqnn_operator_state_created;
  return pqnn_status_success;
}

enum pqnn_status pqnn_begin_setup(const char* function, pqnn_operator_t op,
    enum pqnn_operator_type type) {
  enum pqnn_status status = pqnn_check_operator(function, op, type);
  if (status != pqnn_status_success) return status;
  if (op->state == pqnn_operator_state_created) {
    pqnn_log_error(function, "reshape must be called before setup");
    return pqnn_status_invalid_state;
  }
  op->state = pqnn_operator_state_reshaped;  /* runnable again only if this setup succeeds */
  return pqnn_status_success;
}

enum pqnn_status pqnn_check_output_bounds(const char* function, float output_min,
    float output_max) {
  if (isnan(output_min)) {
    pqnn_log_error(function, "output_min is NaN");
    return pqnn_status_invalid_parameter;
  }
  if (isnan(output_max)) {
    pqnn_log_error(function, "output_max is NaN");
    return pqnn_status_invalid_parameter;
  }
  if (!(output_min < output_max)) {
    pqnn_log_error(function, "output_min (%g) must be below output_max (%g)",
        (double) output_min, (double) output_max);
    return pqnn_status_invalid_parameter;
  }
  return pqnn_status_success;
}

enum pqnn_status pqnn_check_int8_kernel(const char* function, const int8_t* kernel,
    size_t count) {
  for (size_t i = 0; i < count; i++) {
    if (kernel[i] == INT8_MIN) {
      pqnn_log_error(function, "kernel[%zu] is -128: int8 weights must lie in [-127, 127]", i);
      return pqnn_status_invalid_parameter;
    }
  }
  return pqnn_status_success;
}

enum pqnn_status pqnn_check_scale(const char* function, const char* name, float scale) {
  if (!(scale > 0.0f) || !isfinite(scale)) {
    pqnn_log_error(function, "%s (%g) must be finite and positive", name, (double) scale);
    return pqnn_status_invalid_parameter;
  }
  return pqnn_status_success;
}

struct pqnn_operator* pqnn_allocate_operator(void) {
  return (struct pqnn_operator*) pqnn_allocate_zero(sizeof(struct pqnn_operator));
}

const char* pqnn_operator_compute_path(const struct pqnn_operator* op) {
  if (op == NULL) return "";
  switch (op->compute) {
    case pqnn_compute_none: return "";
    case pqnn_compute_gemm: return "gemm";
    case pqnn_compute_igemm: return "igemm";
    case pqnn_compute_dwconv: return "dwconv";
    case pqnn_compute_convert: return "convert";
    case pqnn_compute_deconv: return "deconv";
    case pqnn_compute_patch: return "patch";
    case pqnn_compute_winograd: return "winograd";
  }
  return "";
}

enum pqnn_status pqnn_delete_operator(pqnn_operator_t op) {
  if (op == NULL) {
    return pqnn_status_success;
  }
  if (!op->packed_weights_shared) pqnn_release_streamed(op->packed_weights);
  pqnn_release(op->zero_buffer);
  if (op->padding_lock != NULL) {
    pthread_mutex_destroy(op->padding_lock);
    pqnn_release(op->padding_lock);
  }
  pqnn_release((void*) op->indirection);
  pqnn_release(op->deconv_bias);
  pqnn_release(op->f32_bias);
  pqnn_release(op->deconv_bias_pixel);
  pqnn_release(op->workspace);
  pqnn_release(op);
  return pqnn_status_success;
}

enum pqnn_status pqnn_reserve_indirection(const char* function, pqnn_operator_t op,
    size_t count) {
  if (count == 0) {
    pqnn_log_error(function, "indirection buffer size overflows");
    return pqnn_status_invalid_parameter;
  }
  const size_t needed = count * sizeof(void*);
  if (needed > op->indirection_size) {
    pqnn_release((void*) op->indirection);
    op->indirection_size = 0;
    op->indirection = (const void**) pqnn_allocate(needed);
    if (op->indirection == NULL) {
      pqnn_log_error(function, "cannot allocate %zu bytes of indirection buffer", needed);
      return pqnn_status_out_of_memory;
    }
    op->indirection_size = needed;
  }
  return pqnn_status_success;
}

enum pqnn_status pqnn_reserve_workspace(const char* function, pqnn_operator_t op,
    size_t bytes) {
  if (bytes > op->workspace_size) {
    pqnn_release(op->workspace);
    op->workspace_size = 0;
    op->workspace = pqnn_allocate(bytes);
    if (op->workspace == NULL) {
      pqnn_log_error(function, "cannot allocate %zu bytes of workspace", bytes);
      return pqnn_status_out_of_memory;
    }
    op->workspace_size = bytes;
  }
  return pqnn_status_success;
}

void pqnn_choose_gemm_tiles(size_t m, size_t n, size_t k_bytes_per_column, size_t mr,
    size_t nr, size_t tasks_outside, size_t threads, size_t* mc, size_t* nc) {
  *mc = mr;
  size_t nc_tile = pqnn_round_up(n, nr);
  /* Cache blocking: when many row tiles share the weights, keep the panel of weights that
   * one sweep over M reuses within half of L2. */
  const size_t m_tiles = pqnn_divide_round_up(m, mr);
  if (m_tiles > 2 && k_bytes_per_column != 0) {
    const size_t budget = pqnn_hardware.l2_cache_size / 2;
    size_t fit = pqnn_round_down(budget / k_bytes_per_column, nr);
    if (fit < nr) fit = nr;
    if (fit < nc_tile) {
      /* Even out the blocks so the last one is not a sliver. */
      const size_t blocks = pqnn_divide_round_up(nc_tile, fit);
      nc_tile = pqnn_round_up(pqnn_divide_round_up(n, blocks), nr);
    }
  }
  if (threads > 1) {
    /* Several tiles per thread, splitting columns when rows alone do not suffice. */
    const size_t target = threads * 4;
    const size_t row_tasks = tasks_outside * m_tiles;
    const size_t n_tiles = pqnn_divide_round_up(n, nc_tile);
    if (row_tasks * n_tiles < target) {
      const size_t want = pqnn_divide_round_up(target, row_tasks == 0 ? 1 : row_tasks);
      size_t tile = pqnn_round_up(pqnn_divide_round_up(n, want), nr);
      if (tile < nr) tile = nr;
      if (tile < nc_tile) nc_tile = tile;
    }
  }
  *nc = nc_tile;
}

/* A convolution's output channels are known even when its kernel is empty (a zero size,
 * which create then rejects by name). */
size_t pqnn_kernel_elements(const struct pqnn_fc_args* fc,
    const struct pqnn_conv2d_args* conv, size_t* output_channels) {
  size_t n, k;
  if (fc != NULL) {
    if (!pqnn_mul_sz(fc->input_channels, fc->output_channels, &k)) k = 0;
    *output_channels = k != 0 ? fc->output_channels : 0;
    return k;
  }
  if (!pqnn_mul_sz(conv->groups, conv->group_output_channels, &n) ||
      !pqnn_mul_sz(n, (size_t) conv->kernel_height * conv->kernel_width, &k) ||
      !pqnn_mul_sz(k, conv->group_input_channels, &k)) {
    *output_channels = 0;
    return 0;
  }
  *output_channels = n;
  return k;
}

void pqnn_set_conv_geometry(struct pqnn_operator* op, const struct pqnn_conv2d_args* a) {
  op->groups = a->groups;
  op->group_input_channels = a->group_input_channels;
  op->group_output_channels = a->group_output_channels;
  op->input_pixel_stride = a->input_channel_stride;
  op->output_pixel_stride = a->output_channel_stride;
  op->padding_top = a->padding_top;
  op->padding_right = a->padding_right;
  op->padding_bottom = a->padding_bottom;
  op->padding_left = a->padding_left;
  op->kernel_height = a->kernel_height;
  op->kernel_width = a->kernel_width;
  op->stride_height = a->stride_height;
  op->stride_width = a->stride_width;
  op->dilation_height = a->dilation_height;
  op->dilation_width = a->dilation_width;
}

enum pqnn_status pqnn_check_gemm_kernels(const char* function,
    const struct pqnn_gemm_op_spec* spec) {
  const struct pqnn_gemm_config* config = spec->gemm_config;
  if (config == NULL || (spec->dynamic_quantization ? config->dqgemm[1] == NULL
                                                    : config->gemm[1] == NULL)) {
    pqnn_log_error(function, "no microkernel for this datatype on this CPU");
    return pqnn_status_unsupported_hardware;
  }
  return pqnn_status_success;
}
