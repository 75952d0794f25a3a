/* IEEE binary16 <-> binary32 conversion of four lanes in WASM SIMD128, for the f16
 * and qd8->f16 WASM kernels (baseline WASM SIMD has no half-precision instructions).
 * Integer bit manipulation plus exact f32 scaling, lane for lane the same results as
 * fp16_ieee_from_fp32_value / fp16_ieee_to_fp32_value (the scalar kernels' conversion):
 *   f32 -> f16: round to nearest even; overflow -> +-Inf; NaN -> 0x7E00 | sign;
 *               subnormal f16 results are rounded correctly (the addition of a power
 *               of two aligned to the f16 exponent does the rounding in the FPU).
 *   f16 -> f32: exact (normals scaled by 2^-112, subnormals through a magic bias).
 * WASM arithmetic is strict IEEE (no flush-to-zero, no contraction), which both rely on. */
#ifndef PQNN_WASMSIMD_FP16_H_
#define PQNN_WASMSIMD_FP16_H_

#include <wasm_simd128.h>

/* Four f32 lanes -> four f16 bit patterns in the low 16 bits of each i32 lane. */
static inline v128_t pqnn_wasmsimd_f32_to_f16_bits(v128_t vf) {
  const v128_t vabs = wasm_v128_and(vf, wasm_i32x4_const_splat(0x7FFFFFFF));
  /* Scale up to overflow values that round to f16 infinity, then back down. */
  v128_t vbase = wasm_f32x4_mul(wasm_f32x4_mul(vabs, wasm_f32x4_const_splat(0x1.0p+112f)),
      wasm_f32x4_const_splat(0x1.0p-110f));
  const v128_t vshl1 = wasm_i32x4_add(vf, vf);
  const v128_t vsign = wasm_v128_and(vf, wasm_i32x4_const_splat((int32_t) 0x80000000u));
  v128_t vbias = wasm_v128_and(vshl1, wasm_i32x4_const_splat((int32_t) 0xFF000000u));
  vbias = wasm_u32x4_max(vbias, wasm_i32x4_const_splat(0x71000000));
  vbias = wasm_i32x4_add(wasm_u32x4_shr(vbias, 1), wasm_i32x4_const_splat(0x07800000));
  vbase = wasm_f32x4_add(vbase, vbias);
  const v128_t vexp = wasm_v128_and(wasm_u32x4_shr(vbase, 13), wasm_i32x4_const_splat(0x7C00));
  const v128_t vmant = wasm_v128_and(vbase, wasm_i32x4_const_splat(0x0FFF));
  v128_t vnonsign = wasm_i32x4_add(vexp, vmant);
  const v128_t vnan = wasm_u32x4_gt(vshl1, wasm_i32x4_const_splat((int32_t) 0xFF000000u));
  vnonsign = wasm_v128_bitselect(wasm_i32x4_const_splat(0x7E00), vnonsign, vnan);
  return wasm_v128_or(wasm_u32x4_shr(vsign, 16), vnonsign);
}

/* Eight f32 (two vectors) -> eight f16 in one vector of u16 lanes. */
static inline v128_t pqnn_wasmsimd_f32x8_to_f16x8(v128_t vlo, v128_t vhi) {
  /* Every lane is < 0x10000, so the unsigned saturating narrow is exact. */
  return wasm_u16x8_narrow_i32x4(pqnn_wasmsimd_f32_to_f16_bits(vlo),
      pqnn_wasmsimd_f32_to_f16_bits(vhi));
}

/* Four f16 bit patterns (low 16 bits of each u32 lane, upper bits zero) -> four f32. */
static inline v128_t pqnn_wasmsimd_f16_bits_to_f32(v128_t vh) {
  const v128_t vw = wasm_i32x4_shl(vh, 16);
  const v128_t vsign = wasm_v128_and(vw, wasm_i32x4_const_splat((int32_t) 0x80000000u));
  const v128_t vtwo = wasm_i32x4_add(vw, vw);
  const v128_t vnorm = wasm_f32x4_mul(
      wasm_i32x4_add(wasm_u32x4_shr(vtwo, 4), wasm_i32x4_const_splat(0xE0 << 23)),
      wasm_f32x4_const_splat(0x1.0p-112f));
  const v128_t vdenorm = wasm_f32x4_sub(
      wasm_v128_or(wasm_u32x4_shr(vtwo, 17), wasm_i32x4_const_splat(126 << 23)),
      wasm_f32x4_const_splat(0.5f));
  const v128_t vis_denorm = wasm_u32x4_lt(vtwo, wasm_i32x4_const_splat(1 << 27));
  return wasm_v128_or(vsign, wasm_v128_bitselect(vdenorm, vnorm, vis_denorm));
}

/* Low / high four f16 of a vector of eight -> f32. */
static inline v128_t pqnn_wasmsimd_f16x8_low_to_f32(v128_t vh) {
  return pqnn_wasmsimd_f16_bits_to_f32(wasm_u32x4_extend_low_u16x8(vh));
}
static inline v128_t pqnn_wasmsimd_f16x8_high_to_f32(v128_t vh) {
  return pqnn_wasmsimd_f16_bits_to_f32(wasm_u32x4_extend_high_u16x8(vh));
}

#endif  /* PQNN_WASMSIMD_FP16_H_ */
