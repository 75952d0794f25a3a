/* Spec of the f16 datatype (f16 storage; kernels accumulate in f32). */
#include <fp16.h>

#include "logging.h"
#include "operators/specs.h"
#include "packing.h"

static void pack_f16_gemm(const void* context, size_t groups, size_t nc, size_t ks, size_t kc,
    size_t nr, size_t kr, bool transposed, const void* kernel, void* packed) {
  const struct pqnn_f16_spec_storage* s = (const struct pqnn_f16_spec_storage*) context;
  pqnn_pack_f16_gemm(groups, nc, ks, kc, nr, kr, transposed, s->from_f32, kernel, s->bias, packed);
}

static void pack_f16_dwconv(const void* context, size_t channels, size_t taps, size_t ct,
    const void* kernel, void* packed) {
  const struct pqnn_f16_spec_storage* s = (const struct pqnn_f16_spec_storage*) context;
  pqnn_pack_f16_dwconv(channels, taps, ct, s->from_f32, kernel, s->bias, packed);
}

enum pqnn_status pqnn_init_f16_spec(const char* function, struct pqnn_gemm_op_spec* spec,
    struct pqnn_f16_spec_storage* storage, enum pqnn_operator_type type, const void* bias,
    float output_min, float output_max, bool from_f32) {
  enum pqnn_status status = pqnn_check_output_bounds(function, output_min, output_max);
  if (status != pqnn_status_success) return status;
  const float min16 = fp16_ieee_to_fp32_value(fp16_ieee_from_fp32_value(output_min));
  const float max16 = fp16_ieee_to_fp32_value(fp16_ieee_from_fp32_value(output_max));
  if (!(min16 < max16)) {
    pqnn_log_error(function, "output bounds %g and %g round to the same f16 value",
        (double) output_min, (double) output_max);
    return pqnn_status_invalid_parameter;
  }
  storage->bias = bias;
  storage->from_f32 = from_f32;
  *spec = (struct pqnn_gemm_op_spec) {
    .type = type,
    .gemm_config = pqnn_get_f16_gemm_config(),
    .dwconv_config = pqnn_get_f16_dwconv_config(),
    .input_element_size = 2,
    .output_element_size = 2,
    .kernel_element_size = from_f32 ? 4 : 2,
    .packed_element_size = 2,
    .packed_prefix_size = 2,
    .dwconv_prefix_size = 2,
    .params.f32 = {min16, max16},
    .pack_gemm = pack_f16_gemm,
    .pack_dwconv = pack_f16_dwconv,
    .spec_context = storage,
  };
  return pqnn_status_success;
}
