/* Shared steps of the WASM SIMD128 f32 / f16 -> qd8 row quantization kernels
 * (arithmetic: qd8-quantize-params.h; bit-exact with the scalar kernels). */
#ifndef PQNN_WASMSIMD_QD8_H_
#define PQNN_WASMSIMD_QD8_H_

#include <stdbool.h>

#include <wasm_simd128.h>

/* Running min / max from 0 and a NaN/Inf flag ((bits & 0x7FFFFFFF) > 0x7F7FFFFF). The
 * min / max of a lane holding NaN is irrelevant: the flag discards the range. */
struct pqnn_wasmsimd_range {
  v128_t vmin, vmax, vbad;
};

static inline void pqnn_wasmsimd_range_init(struct pqnn_wasmsimd_range* r) {
  r->vmin = wasm_f32x4_const_splat(0.0f);
  r->vmax = wasm_f32x4_const_splat(0.0f);
  r->vbad = wasm_i32x4_const_splat(0);
}

static inline void pqnn_wasmsimd_range_update(struct pqnn_wasmsimd_range* r, v128_t v) {
  r->vmin = wasm_f32x4_pmin(r->vmin, v);
  r->vmax = wasm_f32x4_pmax(r->vmax, v);
  r->vbad = wasm_v128_or(r->vbad, wasm_u32x4_gt(wasm_v128_and(v, wasm_i32x4_const_splat(0x7FFFFFFF)),
      wasm_i32x4_const_splat(0x7F7FFFFF)));
}

static inline void pqnn_wasmsimd_range_reduce(const struct pqnn_wasmsimd_range* r, float* rmin,
    float* rmax, bool* nonfinite) {
  v128_t vmin = wasm_f32x4_pmin(r->vmin, wasm_i32x4_shuffle(r->vmin, r->vmin, 2, 3, 2, 3));
  v128_t vmax = wasm_f32x4_pmax(r->vmax, wasm_i32x4_shuffle(r->vmax, r->vmax, 2, 3, 2, 3));
  vmin = wasm_f32x4_pmin(vmin, wasm_i32x4_shuffle(vmin, vmin, 1, 1, 1, 1));
  vmax = wasm_f32x4_pmax(vmax, wasm_i32x4_shuffle(vmax, vmax, 1, 1, 1, 1));
  *rmin = wasm_f32x4_extract_lane(vmin, 0);
  *rmax = wasm_f32x4_extract_lane(vmax, 0);
  *nonfinite = wasm_v128_any_true(r->vbad);
}

/* Eight floats -> eight int8 in the low half: rne(x * inv) + zero_point, saturated (the
 * values are within [-128, 127] by construction of inv and the zero point). */
static inline v128_t pqnn_wasmsimd_quantize8(v128_t v0, v128_t v1, v128_t vinv, v128_t vzp) {
  const v128_t q0 = wasm_i32x4_add(
      wasm_i32x4_trunc_sat_f32x4(wasm_f32x4_nearest(wasm_f32x4_mul(v0, vinv))), vzp);
  const v128_t q1 = wasm_i32x4_add(
      wasm_i32x4_trunc_sat_f32x4(wasm_f32x4_nearest(wasm_f32x4_mul(v1, vinv))), vzp);
  const v128_t q = wasm_i16x8_narrow_i32x4(q0, q1);
  return wasm_i8x16_narrow_i16x8(q, q);
}

#endif  /* PQNN_WASMSIMD_QD8_H_ */
