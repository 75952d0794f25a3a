/*
 * WASM SIMD128 f16 -> qd8 row quantization, 8 halves per step (contract:
 * src/microkernels.h, pqnn_qd8_quantize_ukernel_fn; arithmetic: qd8-quantize-params.h,
 * bit-exact with the scalar kernel). Each f16 vector is widened to two f32 vectors
 * exactly (integer bit manipulation, wasmsimd-fp16.h), then the f32 kernel's two passes
 * apply. Tails of n % 8 go through zero-padded stack copies: exactly n halves read, n
 * int8 written.
 */
#include <string.h>

#include <wasm_simd128.h>

#include "microkernels.h"
#include "microkernels/qd8-quantize-params.h"
#include "microkernels/wasmsimd-fp16.h"
#include "microkernels/wasmsimd-qd8.h"

void pqnn_f16_qd8_quantize_ukernel__wasmsimd(size_t n, const void* x, int8_t* y,
    struct pqnn_quantization_params* quantization_params) {
  const uint16_t* in = (const uint16_t*) x;
  struct pqnn_wasmsimd_range r;
  pqnn_wasmsimd_range_init(&r);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const v128_t vh = wasm_v128_load(in + i);
    pqnn_wasmsimd_range_update(&r, pqnn_wasmsimd_f16x8_low_to_f32(vh));
    pqnn_wasmsimd_range_update(&r, pqnn_wasmsimd_f16x8_high_to_f32(vh));
  }
  uint16_t tail[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  const size_t rem = n - i;
  if (rem != 0) {
    memcpy(tail, in + i, rem * sizeof(uint16_t));
    const v128_t vh = wasm_v128_load(tail);
    pqnn_wasmsimd_range_update(&r, pqnn_wasmsimd_f16x8_low_to_f32(vh));
    pqnn_wasmsimd_range_update(&r, pqnn_wasmsimd_f16x8_high_to_f32(vh));
  }
  float rmin, rmax;
  bool nonfinite;
  pqnn_wasmsimd_range_reduce(&r, &rmin, &rmax, &nonfinite);
  const float inv = pqnn_qd8_row_params(rmin, rmax, nonfinite, quantization_params);
  if (inv == 0.0f) {
    memset(y, 0, n);
    return;
  }
  const v128_t vinv = wasm_f32x4_splat(inv);
  const v128_t vzp = wasm_i32x4_splat(quantization_params->zero_point);
  for (i = 0; i + 8 <= n; i += 8) {
    const v128_t vh = wasm_v128_load(in + i);
    const v128_t q = pqnn_wasmsimd_quantize8(pqnn_wasmsimd_f16x8_low_to_f32(vh),
        pqnn_wasmsimd_f16x8_high_to_f32(vh), vinv, vzp);
    wasm_v128_store64_lane(y + i, q, 0);
  }
  if (rem != 0) {
    const v128_t vh = wasm_v128_load(tail);
    int8_t out[16];
    wasm_v128_store(out, pqnn_wasmsimd_quantize8(pqnn_wasmsimd_f16x8_low_to_f32(vh),
        pqnn_wasmsimd_f16x8_high_to_f32(vh), vinv, vzp));
    memcpy(y + i, out, rem);
  }
}
