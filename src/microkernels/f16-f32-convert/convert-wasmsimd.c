/*
 * WASM SIMD128 f16 -> f32 conversion, 8 elements per step (contract: src/microkernels.h,
 * pqnn_convert_ukernel_fn). Exact: integer bit manipulation plus a power-of-two scale for
 * normals and a magic bias for subnormals (wasmsimd-fp16.h). Tails of n % 8 go through
 * stack copies: exactly n halves read, n floats written.
 */
#include <string.h>

#include <wasm_simd128.h>

#include "microkernels.h"
#include "microkernels/wasmsimd-fp16.h"

void pqnn_f16_f32_convert_ukernel__wasmsimd(size_t n, const void* x, void* y) {
  const uint16_t* in = (const uint16_t*) x;
  float* out = (float*) y;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const v128_t vh = wasm_v128_load(in + i);
    wasm_v128_store(out + i, pqnn_wasmsimd_f16x8_low_to_f32(vh));
    wasm_v128_store(out + i + 4, pqnn_wasmsimd_f16x8_high_to_f32(vh));
  }
  if (i < n) {
    const size_t rem = n - i;
    uint16_t tmp[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    memcpy(tmp, in + i, rem * sizeof(uint16_t));
    const v128_t vh = wasm_v128_load(tmp);
    float f[8];
    wasm_v128_store(f, pqnn_wasmsimd_f16x8_low_to_f32(vh));
    wasm_v128_store(f + 4, pqnn_wasmsimd_f16x8_high_to_f32(vh));
    memcpy(out + i, f, rem * sizeof(float));
  }
}
