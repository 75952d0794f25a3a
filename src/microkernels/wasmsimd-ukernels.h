/* WASM SIMD128 conversion microkernel declarations (f32/f16 -> qd8, f32 <-> f16), written
 * by hand; only WASM builds with -msimd128 have them. Contracts: src/microkernels.h. */
#ifndef PQNN_WASMSIMD_UKERNELS_H_
#define PQNN_WASMSIMD_UKERNELS_H_

#include "microkernels/convert-ukernels.h"

#if defined(__wasm_simd128__)
PQNN_DECLARE_QD8_QUANTIZE(pqnn_f32_qd8_quantize_ukernel__wasmsimd)
PQNN_DECLARE_QD8_QUANTIZE(pqnn_f16_qd8_quantize_ukernel__wasmsimd)
PQNN_DECLARE_CONVERT(pqnn_f32_f16_convert_ukernel__wasmsimd)
PQNN_DECLARE_CONVERT(pqnn_f16_f32_convert_ukernel__wasmsimd)
#endif

#endif  /* PQNN_WASMSIMD_UKERNELS_H_ */
