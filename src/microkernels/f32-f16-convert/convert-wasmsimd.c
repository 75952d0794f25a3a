/*
 * WASM SIMD128 f32 -> f16 conversion, 8 elements per step (contract: src/microkernels.h,
 * pqnn_convert_ukernel_fn). Integer bit manipulation plus exact f32 scaling
 * (wasmsimd-fp16.h): round to nearest even, overflow to +-Inf, NaN to a quiet NaN; the
 * same bits as the scalar kernel (fp16_ieee_from_fp32_value) for every input. Tails of
 * n % 8 go through stack copies: exactly n floats read, n f16 written.
 */
#include <string.h>

#include <wasm_simd128.h>

#include "microkernels.h"
#include "microkernels/wasmsimd-fp16.h"

void pqnn_f32_f16_convert_ukernel__wasmsimd(size_t n, const void* x, void* y) {
  const float* in = (const float*) x;
  uint16_t* out = (uint16_t*) y;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    wasm_v128_store(out + i,
        pqnn_wasmsimd_f32x8_to_f16x8(wasm_v128_load(in + i), wasm_v128_load(in + i + 4)));
  }
  if (i < n) {
    const size_t rem = n - i;
    float tmp[8] = {0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f};
    memcpy(tmp, in + i, rem * sizeof(float));
    uint16_t h[8];
    wasm_v128_store(h, pqnn_wasmsimd_f32x8_to_f16x8(wasm_v128_load(tmp), wasm_v128_load(tmp + 4)));
    memcpy(out + i, h, rem * sizeof(uint16_t));
  }
}
