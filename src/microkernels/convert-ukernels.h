/* convert microkernel declarations (f32/f16 -> qd8 row quantization, f32 <-> f16).
 * Contracts: src/microkernels.h; qd8 arithmetic: src/microkernels/qd8-quantize-params.h. */
#ifndef PQNN_CONVERT_UKERNELS_H_
#define PQNN_CONVERT_UKERNELS_H_

#include "common.h"
#include "microkernels.h"

#define PQNN_DECLARE_QD8_QUANTIZE(name)                                              \
  PQNN_INTERNAL void name(size_t n, const void* x, int8_t* y,                         \
      struct pqnn_quantization_params* quantization_params);
#define PQNN_DECLARE_CONVERT(name) PQNN_INTERNAL void name(size_t n, const void* x, void* y);

PQNN_DECLARE_QD8_QUANTIZE(pqnn_f32_qd8_quantize_ukernel__scalar)
PQNN_DECLARE_QD8_QUANTIZE(pqnn_f16_qd8_quantize_ukernel__scalar)
PQNN_DECLARE_CONVERT(pqnn_f32_f16_convert_ukernel__scalar)
PQNN_DECLARE_CONVERT(pqnn_f16_f32_convert_ukernel__scalar)

#if defined(__x86_64__) || defined(_M_X64)
PQNN_DECLARE_QD8_QUANTIZE(pqnn_f32_qd8_quantize_ukernel__sse2)
PQNN_DECLARE_QD8_QUANTIZE(pqnn_f32_qd8_quantize_ukernel__avx2)
PQNN_DECLARE_QD8_QUANTIZE(pqnn_f32_qd8_quantize_ukernel__avx512skx)
PQNN_DECLARE_QD8_QUANTIZE(pqnn_f16_qd8_quantize_ukernel__avx2)
PQNN_DECLARE_QD8_QUANTIZE(pqnn_f16_qd8_quantize_ukernel__avx512skx)
PQNN_DECLARE_CONVERT(pqnn_f32_f16_convert_ukernel__sse2)
PQNN_DECLARE_CONVERT(pqnn_f32_f16_convert_ukernel__f16c)
PQNN_DECLARE_CONVERT(pqnn_f32_f16_convert_ukernel__avx512skx)
PQNN_DECLARE_CONVERT(pqnn_f16_f32_convert_ukernel__sse2)
PQNN_DECLARE_CONVERT(pqnn_f16_f32_convert_ukernel__f16c)
PQNN_DECLARE_CONVERT(pqnn_f16_f32_convert_ukernel__avx512skx)
#elif defined(__aarch64__)
PQNN_DECLARE_QD8_QUANTIZE(pqnn_f32_qd8_quantize_ukernel__neon)
PQNN_DECLARE_QD8_QUANTIZE(pqnn_f16_qd8_quantize_ukernel__neon)
#endif

#endif  /* PQNN_CONVERT_UKERNELS_H_ */
