/*
 * WASM SIMD128 f32 -> qd8 row quantization, 8 floats per step (contract:
 * src/microkernels.h, pqnn_qd8_quantize_ukernel_fn; arithmetic: qd8-quantize-params.h,
 * bit-exact with the scalar kernel). Pass 1: f32x4.pmin / pmax from 0 plus a NaN/Inf flag;
 * pass 2: f32x4.mul by inv, f32x4.nearest (round to nearest even), i32x4.trunc_sat, add
 * the zero point, saturating narrows to int8. Tails of n % 8 floats go through a
 * zero-padded stack copy (zeros leave min(0, ...) / max(0, ...) unchanged) and int8 tails
 * are stored from a stack copy: exactly n floats read, n int8 written.
 */
#include <string.h>

#include <wasm_simd128.h>

#include "microkernels.h"
#include "microkernels/qd8-quantize-params.h"
#include "microkernels/wasmsimd-qd8.h"

void pqnn_f32_qd8_quantize_ukernel__wasmsimd(size_t n, const void* x, int8_t* y,
    struct pqnn_quantization_params* quantization_params) {
  const float* in = (const float*) x;
  struct pqnn_wasmsimd_range r;
  pqnn_wasmsimd_range_init(&r);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    pqnn_wasmsimd_range_update(&r, wasm_v128_load(in + i));
    pqnn_wasmsimd_range_update(&r, wasm_v128_load(in + i + 4));
  }
  float tail[8] = {0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f};
  const size_t rem = n - i;
  if (rem != 0) {
    memcpy(tail, in + i, rem * sizeof(float));
    pqnn_wasmsimd_range_update(&r, wasm_v128_load(tail));
    pqnn_wasmsimd_range_update(&r, wasm_v128_load(tail + 4));
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
    const v128_t q = pqnn_wasmsimd_quantize8(wasm_v128_load(in + i), wasm_v128_load(in + i + 4),
        vinv, vzp);
    wasm_v128_store64_lane(y + i, q, 0);
  }
  if (rem != 0) {
    int8_t out[16];
    wasm_v128_store(out, pqnn_wasmsimd_quantize8(wasm_v128_load(tail), wasm_v128_load(tail + 4),
        vinv, vzp));
    memcpy(y + i, out, rem);
  }
}
