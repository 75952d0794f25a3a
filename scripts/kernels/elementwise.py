"""Emitter of the f32 elementwise families: f32-vunary (y = OP(x)) and f32-vbinary
(y = clamp(a OP b, min, max); vector-vector and vector-scalar forms), one kernel per
(operator, ISA), the operator being the manifest row's tile.

Every ISA shares one body per operator, written in a small vector vocabulary (`Vec`
below: one C expression per primitive). The exact operators use only primitives that
are bit-exact with the scalar C formulas of src/runtime/node-kernels-elementwise.c
(the clamp pattern `c > v ? c : v` is x86 max_ps(c, v), WASM pmax(v, c), NEON a
compare and select), so every tier gives the scalar kernel's bits. The transcendental
ones (exp, sigmoid, swish, tanh) use one range-reduced polynomial exp (`exp_lines`),
whose error bound is the family contract in src/microkernels.h; the scalar kernels call
the C library as the plain reference does. gelu, erf and log (UNARY_PORTABLE) are written
once in the same vocabulary and emitted for the scalar tier too (SCALAR: one float), with
separate multiplies and adds, so every tier gives the scalar kernel's bits (but gelu on the
FMA tiers, FUSED_GELU: fused multiply-adds, held to gelu's error bound); their main loop
computes PORTABLE_UNROLL vectors side by side (on AVX2 / AVX512 with their constants as
memory operands of a static table: ConstPool). Full vectors are processed in the loop; the
last n % W elements go through a W-element stack copy (never a read or write past n).
"""
import re

UNARY_EXACT = ["relu", "lrelu", "hsigmoid", "hswish", "clamp", "sqrt", "abs", "neg", "sqr"]
# Rounding to an integral value (floor, ceil, round half to even): exact, the C library's
# floorf / ceilf / nearbyintf bits on every tier (rounding_lines).
UNARY_ROUNDING = ["floor", "ceil", "round"]
UNARY_TRANSCENDENTAL = ["exp", "sigmoid", "swish", "tanh"]
# The same arithmetic on every tier, the scalar kernel's included (bits equal everywhere).
UNARY_PORTABLE = ["gelu", "erf", "log"]
UNARY_SIMD = UNARY_EXACT + UNARY_TRANSCENDENTAL + UNARY_PORTABLE + UNARY_ROUNDING
UNARY_ALL = UNARY_SIMD
BINARY_OPS = ["add", "sub", "mul", "div", "max", "min", "prelu"]
# Comparisons: 1.0f where true, 0.0f where false (NaN compares false, but for ne); one
# ordered (unordered for ne) compare and a select of two constants, bit-exact everywhere.
BINARY_CMP = ["eq", "ne", "gt", "ge", "lt", "le"]
# vv: both vectors; c: b is one scalar; rc: the operands swapped (y = b OP a, b scalar).
BINARY_ALL = BINARY_OPS + [op + "c" for op in BINARY_OPS] + ["r" + op + "c" for op in BINARY_OPS]
BINARY_ALL += BINARY_CMP + [op + "c" for op in BINARY_CMP] + ["r" + op + "c" for op in BINARY_CMP]


class Vec:
    """C expressions of one SIMD ISA's f32 vector primitives."""

    def __init__(self, isa, header, t, m, w, **ops):
        self.isa, self.header, self.t, self.m, self.w = isa, header, t, m, w
        self.ops = ops

    def __getattr__(self, name):
        ops = self.__dict__.get("ops", {})
        if name not in ops:
            raise AttributeError(name)
        return lambda *args: ops[name].format(*args)


SSE2 = Vec("sse2", "<emmintrin.h>", "__m128", "__m128", 4,
           load="_mm_loadu_ps({})", store="_mm_storeu_ps({}, {})", splat="_mm_set1_ps({})",
           add="_mm_add_ps({}, {})", sub="_mm_sub_ps({}, {})", mul="_mm_mul_ps({}, {})",
           div="_mm_div_ps({}, {})", sqrt="_mm_sqrt_ps({})",
           fma="_mm_add_ps(_mm_mul_ps({}, {}), {})",
           maxc="_mm_max_ps({}, {})", minc="_mm_min_ps({}, {})",
           lt="_mm_cmplt_ps({}, {})", gt="_mm_cmpgt_ps({}, {})",
           le="_mm_cmple_ps({}, {})", ge="_mm_cmpge_ps({}, {})", eq="_mm_cmpeq_ps({}, {})",
           ne="_mm_cmpneq_ps({}, {})", one="_mm_and_ps({}, _mm_set1_ps(1.0f))", isnan="_mm_cmpunord_ps({0}, {0})",
           lor="_mm_or_ps({}, {})",
           sel="_mm_or_ps(_mm_and_ps({0}, {1}), _mm_andnot_ps({0}, {2}))",
           abs="_mm_andnot_ps(_mm_set1_ps(-0.0f), {})",
           xorsign="_mm_xor_ps({}, _mm_and_ps({}, _mm_set1_ps(-0.0f)))", neg="_mm_xor_ps({}, _mm_set1_ps(-0.0f))",
           scale="_mm_castsi128_ps(_mm_slli_epi32(_mm_add_epi32(_mm_castps_si128({}), "
                 "_mm_set1_epi32({})), 23))",
           band="_mm_and_ps({}, _mm_castsi128_ps(_mm_set1_epi32((int) {})))",
           badd="_mm_castsi128_ps(_mm_add_epi32(_mm_castps_si128({}), _mm_set1_epi32((int) {})))",
           bshr="_mm_cvtepi32_ps(_mm_srli_epi32(_mm_castps_si128({}), {}))")

AVX2 = Vec("avx2", "<immintrin.h>", "__m256", "__m256", 8,
           load="_mm256_loadu_ps({})", store="_mm256_storeu_ps({}, {})", splat="_mm256_set1_ps({})",
           add="_mm256_add_ps({}, {})", sub="_mm256_sub_ps({}, {})", mul="_mm256_mul_ps({}, {})",
           div="_mm256_div_ps({}, {})", sqrt="_mm256_sqrt_ps({})",
           fma="_mm256_fmadd_ps({}, {}, {})",
           maxc="_mm256_max_ps({}, {})", minc="_mm256_min_ps({}, {})",
           lt="_mm256_cmp_ps({}, {}, _CMP_LT_OQ)", gt="_mm256_cmp_ps({}, {}, _CMP_GT_OQ)",
           le="_mm256_cmp_ps({}, {}, _CMP_LE_OQ)", ge="_mm256_cmp_ps({}, {}, _CMP_GE_OQ)",
           eq="_mm256_cmp_ps({}, {}, _CMP_EQ_OQ)", ne="_mm256_cmp_ps({}, {}, _CMP_NEQ_UQ)",
           one="_mm256_and_ps({}, _mm256_set1_ps(1.0f))",
           isnan="_mm256_cmp_ps({0}, {0}, _CMP_UNORD_Q)", lor="_mm256_or_ps({}, {})",
           sel="_mm256_blendv_ps({2}, {1}, {0})",
           abs="_mm256_andnot_ps(_mm256_set1_ps(-0.0f), {})",
           xorsign="_mm256_xor_ps({}, _mm256_and_ps({}, _mm256_set1_ps(-0.0f)))",
           neg="_mm256_xor_ps({}, _mm256_set1_ps(-0.0f))",
           scale="_mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(_mm256_castps_si256({}), "
                 "_mm256_set1_epi32({})), 23))",
           band="_mm256_and_ps({}, _mm256_castsi256_ps(_mm256_set1_epi32((int) {})))",
           badd="_mm256_castsi256_ps(_mm256_add_epi32(_mm256_castps_si256({}), _mm256_set1_epi32((int) {})))",
           bshr="_mm256_cvtepi32_ps(_mm256_srli_epi32(_mm256_castps_si256({}), {}))",
           floor="_mm256_round_ps({}, (_MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC))",
           ceil="_mm256_round_ps({}, (_MM_FROUND_TO_POS_INF | _MM_FROUND_NO_EXC))",
           round="_mm256_round_ps({}, (_MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC))")

AVX512 = Vec("avx512skx", "<immintrin.h>", "__m512", "__mmask16", 16,
             load="_mm512_loadu_ps({})", store="_mm512_storeu_ps({}, {})", splat="_mm512_set1_ps({})",
             add="_mm512_add_ps({}, {})", sub="_mm512_sub_ps({}, {})", mul="_mm512_mul_ps({}, {})",
             div="_mm512_div_ps({}, {})", sqrt="_mm512_sqrt_ps({})",
             fma="_mm512_fmadd_ps({}, {}, {})",
             maxc="_mm512_max_ps({}, {})", minc="_mm512_min_ps({}, {})",
             lt="_mm512_cmp_ps_mask({}, {}, _CMP_LT_OQ)", gt="_mm512_cmp_ps_mask({}, {}, _CMP_GT_OQ)",
             le="_mm512_cmp_ps_mask({}, {}, _CMP_LE_OQ)", ge="_mm512_cmp_ps_mask({}, {}, _CMP_GE_OQ)",
             eq="_mm512_cmp_ps_mask({}, {}, _CMP_EQ_OQ)", ne="_mm512_cmp_ps_mask({}, {}, _CMP_NEQ_UQ)",
             one="_mm512_maskz_mov_ps({}, _mm512_set1_ps(1.0f))",
             isnan="_mm512_cmp_ps_mask({0}, {0}, _CMP_UNORD_Q)", lor="(__mmask16) ({} | {})",
             sel="_mm512_mask_blend_ps({0}, {2}, {1})",
             xorsign="_mm512_castsi512_ps(_mm512_xor_si512(_mm512_castps_si512({}), _mm512_and_si512("
                     "_mm512_castps_si512({}), _mm512_set1_epi32((int) 0x80000000u))))",
             abs="_mm512_castsi512_ps(_mm512_and_si512(_mm512_castps_si512({}), "
                 "_mm512_set1_epi32(0x7FFFFFFF)))",
             neg="_mm512_castsi512_ps(_mm512_xor_si512(_mm512_castps_si512({}), "
                 "_mm512_set1_epi32((int) 0x80000000u)))",
             scale="_mm512_castsi512_ps(_mm512_slli_epi32(_mm512_add_epi32(_mm512_castps_si512({}), "
                   "_mm512_set1_epi32({})), 23))",
             band="_mm512_castsi512_ps(_mm512_and_si512(_mm512_castps_si512({}), _mm512_set1_epi32((int) {})))",
             badd="_mm512_castsi512_ps(_mm512_add_epi32(_mm512_castps_si512({}), _mm512_set1_epi32((int) {})))",
             bshr="_mm512_cvtepi32_ps(_mm512_srli_epi32(_mm512_castps_si512({}), {}))",
             # The immediates in parentheses (avx2's too): SIMDe's emulated roundscale (the emulated
             # test build) shifts its unparenthesized argument (imm8 >> 4), so a bare
             # A | B read as a scale of 2^-1: floor(0.61) = 0.5.
             floor="_mm512_roundscale_ps({}, (_MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC))",
             ceil="_mm512_roundscale_ps({}, (_MM_FROUND_TO_POS_INF | _MM_FROUND_NO_EXC))",
             round="_mm512_roundscale_ps({}, (_MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC))")

NEON = Vec("neon", "<arm_neon.h>", "float32x4_t", "uint32x4_t", 4,
           load="vld1q_f32({})", store="vst1q_f32({}, {})", splat="vdupq_n_f32({})",
           add="vaddq_f32({}, {})", sub="vsubq_f32({}, {})", mul="vmulq_f32({}, {})",
           div="vdivq_f32({}, {})", sqrt="vsqrtq_f32({})",
           fma="vfmaq_f32({2}, {0}, {1})",
           maxc="vbslq_f32(vcgtq_f32({0}, {1}), {0}, {1})",
           minc="vbslq_f32(vcltq_f32({0}, {1}), {0}, {1})",
           lt="vcltq_f32({}, {})", gt="vcgtq_f32({}, {})",
           le="vcleq_f32({}, {})", ge="vcgeq_f32({}, {})", eq="vceqq_f32({}, {})",
           ne="vmvnq_u32(vceqq_f32({}, {}))",
           one="vreinterpretq_f32_u32(vandq_u32({}, vreinterpretq_u32_f32(vdupq_n_f32(1.0f))))", isnan="vmvnq_u32(vceqq_f32({0}, {0}))",
           lor="vorrq_u32({}, {})", sel="vbslq_f32({}, {}, {})",
           abs="vabsq_f32({})", neg="vnegq_f32({})",
           xorsign="vreinterpretq_f32_u32(veorq_u32(vreinterpretq_u32_f32({}), "
                   "vandq_u32(vreinterpretq_u32_f32({}), vdupq_n_u32(0x80000000u))))",
           scale="vreinterpretq_f32_s32(vshlq_n_s32(vaddq_s32(vreinterpretq_s32_f32({}), "
                 "vdupq_n_s32({})), 23))",
           band="vreinterpretq_f32_u32(vandq_u32(vreinterpretq_u32_f32({}), vdupq_n_u32({})))",
           badd="vreinterpretq_f32_u32(vaddq_u32(vreinterpretq_u32_f32({}), vdupq_n_u32({})))",
           bshr="vcvtq_f32_u32(vshrq_n_u32(vreinterpretq_u32_f32({}), {}))",
           floor="vrndmq_f32({})", ceil="vrndpq_f32({})", round="vrndnq_f32({})")

WASMSIMD = Vec("wasmsimd", "<wasm_simd128.h>", "v128_t", "v128_t", 4,
               load="wasm_v128_load({})", store="wasm_v128_store({}, {})",
               splat="wasm_f32x4_splat({})",
               add="wasm_f32x4_add({}, {})", sub="wasm_f32x4_sub({}, {})",
               mul="wasm_f32x4_mul({}, {})", div="wasm_f32x4_div({}, {})",
               sqrt="wasm_f32x4_sqrt({})", fma="wasm_f32x4_add(wasm_f32x4_mul({}, {}), {})",
               maxc="wasm_f32x4_pmax({1}, {0})", minc="wasm_f32x4_pmin({1}, {0})",
               lt="wasm_f32x4_lt({}, {})", gt="wasm_f32x4_gt({}, {})",
               le="wasm_f32x4_le({}, {})", ge="wasm_f32x4_ge({}, {})",
               eq="wasm_f32x4_eq({}, {})", ne="wasm_f32x4_ne({}, {})",
               one="wasm_v128_and({}, wasm_f32x4_splat(1.0f))",
               isnan="wasm_f32x4_ne({0}, {0})", lor="wasm_v128_or({}, {})",
               sel="wasm_v128_bitselect({1}, {2}, {0})",
               abs="wasm_f32x4_abs({})", neg="wasm_f32x4_neg({})",
               xorsign="wasm_v128_xor({}, wasm_v128_and({}, wasm_f32x4_splat(-0.0f)))",
               scale="wasm_i32x4_shl(wasm_i32x4_add({}, wasm_i32x4_splat({})), 23)",
               band="wasm_v128_and({}, wasm_i32x4_splat((int32_t) {}))",
               badd="wasm_i32x4_add({}, wasm_i32x4_splat((int32_t) {}))",
               bshr="wasm_f32x4_convert_i32x4(wasm_u32x4_shr({}, {}))",
               floor="wasm_f32x4_floor({})", ceil="wasm_f32x4_ceil({})",
               round="wasm_f32x4_nearest({})")

ISAS = {v.isa: v for v in (SSE2, AVX2, AVX512, NEON, WASMSIMD)}

GENERATED = "// Generated by scripts/kernels/elementwise.py: do not edit."

# exp(z) = 2^n * p(r), n = round(z / ln 2), r = z - n ln 2 in two parts (|r| <= ln 2 / 2),
# p the degree-7 Taylor polynomial (truncation < 7e-9 relative). z is clamped to
# [EXP_LO, EXP_HI] first, so n stays in [-125, 128] and 2^n is built as 2 * 2^(n - 1)
# from the exponent bits; the callers send z < EXP_LO to 0 and z > EXP_HI to +inf.
EXP_LO = "-0x1.5A92D6p+6f"   # -86.643 = -125 ln 2: results below 2^-125 become 0
EXP_HI = "0x1.62E430p+6f"    # 88.7228: ln(FLT_MAX)
TAYLOR = ["0x1.A01A02p-13f", "0x1.6C16C2p-10f", "0x1.111112p-7f", "0x1.555556p-5f",
          "0x1.555556p-3f", "0x1.000000p-1f", "1.0f", "1.0f"]


def exp_lines(v, z, out, ind="  ", upper=True):
    """C lines computing `out` = exp(`z`) (a vector variable); z < EXP_LO gives 0, z > EXP_HI
    +inf, NaN an unspecified value (callers select NaN inputs back). upper=False leaves out
    the clamp and the +inf select at EXP_HI, for callers whose z is never above 0 (softmax)."""
    t, L = v.t, []
    lo = v.maxc(v.splat(EXP_LO), z)
    L.append(f"{ind}const {t} {out}_z = {v.minc(v.splat(EXP_HI), lo) if upper else lo};")
    L.append(f"{ind}const {t} {out}_t = {v.fma(out + '_z', v.splat('0x1.715476p+0f'), v.splat('0x1.8p+23f'))};")
    L.append(f"{ind}const {t} {out}_n = {v.sub(out + '_t', v.splat('0x1.8p+23f'))};")
    L.append(f"{ind}{t} {out}_r = {v.fma(out + '_n', v.splat('-0x1.62E400p-1f'), out + '_z')};")
    L.append(f"{ind}{out}_r = {v.fma(out + '_n', v.splat('-0x1.7F7D1Cp-20f'), out + '_r')};")
    L.append(f"{ind}{t} {out}_p = {v.splat(TAYLOR[0])};")
    for c in TAYLOR[1:]:
        L.append(f"{ind}{out}_p = {v.fma(out + '_p', out + '_r', v.splat(c))};")
    # 2^(n - 1) from t's bits: bits(t) = 0x4B400000 + n, exponent field n - 1 + 127.
    scale = v.scale(out + "_t", "126 - 0x4B400000")
    L.append(f"{ind}{t} {out} = {v.mul(v.add(out + '_p', out + '_p'), scale)};")
    L.append(f"{ind}{out} = {v.sel(v.lt(z, v.splat(EXP_LO)), v.splat('0.0f'), out)};")
    if upper:
        L.append(f"{ind}{out} = {v.sel(v.gt(z, v.splat(EXP_HI)), v.splat('INFINITY'), out)};")
    return L


def sigmoid_lines(v, x, out, ind="  "):
    """out = sigmoid(x): e = exp(-|x|), r = 1 / (1 + e), x < 0 ? e * r : r; NaN kept."""
    t = v.t
    L = [f"{ind}const {t} {out}_m = {v.neg(v.abs(x))};"]
    L += exp_lines(v, out + "_m", out + "_e", ind)
    L.append(f"{ind}const {t} {out}_q = {v.div(v.splat('1.0f'), v.add(v.splat('1.0f'), out + '_e'))};")
    L.append(f"{ind}{t} {out} = {v.sel(v.lt(x, v.splat('0.0f')), v.mul(out + '_e', out + '_q'), out + '_q')};")
    L.append(f"{ind}{out} = {v.sel(v.isnan(x), x, out)};")
    return L


# tanh: |x| < 1/4: x + x^3 P(x^2) (Taylor to x^11, truncation < 3e-10 relative there);
# otherwise sign(x) (1 - e) / (1 + e), e = exp(-2|x|) (1 - e is exact for e >= 1/2).
TANH_TAYLOR = ["-0x1.226E36p-7f", "0x1.664F48p-6f", "-0x1.BA1BA2p-5f", "0x1.111112p-3f",
               "-0x1.555556p-2f"]


def tanh_lines(v, x, out, ind="  "):
    """out = tanh(x), computed on a = |x| and given x's sign (tanh(-0) = -0); NaN kept."""
    t = v.t
    L = [f"{ind}const {t} {out}_a = {v.abs(x)};"]
    L.append(f"{ind}const {t} {out}_m = {v.mul(out + '_a', v.splat('-2.0f'))};")
    L += exp_lines(v, out + "_m", out + "_e", ind)
    L.append(f"{ind}const {t} {out}_big = {v.div(v.sub(v.splat('1.0f'), out + '_e'), v.add(v.splat('1.0f'), out + '_e'))};")
    L.append(f"{ind}const {t} {out}_a2 = {v.mul(out + '_a', out + '_a')};")
    L.append(f"{ind}{t} {out}_p = {v.splat(TANH_TAYLOR[0])};")
    for c in TANH_TAYLOR[1:]:
        L.append(f"{ind}{out}_p = {v.fma(out + '_p', out + '_a2', v.splat(c))};")
    L.append(f"{ind}const {t} {out}_small = {v.fma(v.mul(out + '_a', out + '_a2'), out + '_p', out + '_a')};")
    L.append(f"{ind}{t} {out} = {v.sel(v.lt(out + '_a', v.splat('0.25f')), out + '_small', out + '_big')};")
    L.append(f"{ind}{out} = {v.xorsign(out, x)};")
    L.append(f"{ind}{out} = {v.sel(v.isnan(x), x, out)};")
    return L


# ---- gelu, erf, log: one arithmetic on every tier, the scalar kernel's included ----
# These are written once in the vocabulary above and emitted for the scalar tier too (the
# SCALAR "vector" of one float below), with separate multiplies and adds (`madd`, never an
# FMA: the library is built with -ffp-contract=off), IEEE division, compare-and-select
# min / max and integer bit operations, so every tier gives the scalar kernel's bits.

SCALAR = Vec("scalar", None, "float", "int", 1,
             splat="{}", add="({} + {})", sub="({} - {})", mul="({} * {})", div="({} / {})",
             maxc="({0} > {1} ? {0} : {1})", minc="({0} < {1} ? {0} : {1})",
             lt="({} < {})", gt="({} > {})", isnan="({0} != {0})", sel="({0} ? {1} : {2})",
             abs="fabsf({})", xorsign="xorsign1({}, {})", scale="scale1({}, {})",
             band="band1({}, {})", badd="badd1({}, {})", bshr="bshr1({}, {})")


def madd(v, a, b, c):
    """a * b + c, rounded twice on every tier."""
    return v.add(v.mul(a, b), c)


def u32(c):
    """An unsigned 32-bit C constant of c modulo 2^32."""
    return f"0x{c & 0xFFFFFFFF:08X}u"


def horner(v, out, x, coefs, ind, fused=False):
    """Lines of `out` = the polynomial of `coefs` (highest degree first) at `x` (fused: FMA
    steps)."""
    L = [f"{ind}{v.t} {out} = {v.splat(coefs[0])};"]
    for c in coefs[1:]:
        L.append(f"{ind}{out} = {(v.fma if fused else lambda *a: madd(v, *a))(out, x, v.splat(c))};")
    return L


# exp(hi + lo) for hi + lo in [-130, 0.5], |lo| <= 2 (the erfc below): k = rne((hi + lo) /
# ln 2), r = hi - k ln2_hi + lo - k ln2_lo (Cody-Waite, keeping the bits of hi that a rounded
# sum would lose), the degree-7 Taylor polynomial (|r| <= 0.35: truncation 5e-9 relative),
# times 2^k as 2^k1 * 2^(k - k1), k1 = rne(k / 2): both normal, so that results down to the
# denormals round once. fused: the multiply-adds as FMAs (gelu_fused_lines).
def exp_hilo_lines(v, hi, lo, out, ind, fused=False):
    t, m, L = v.t, v.splat("0x1.8p+23f"), []
    mad = v.fma if fused else lambda *a: madd(v, *a)
    L.append(f"{ind}const {t} {out}_kt = {mad(v.add(hi, lo), v.splat('0x1.715476p+0f'), m)};")
    L.append(f"{ind}const {t} {out}_k = {v.sub(out + '_kt', m)};")
    if fused:
        L.append(f"{ind}{t} {out}_r = {v.fma(out + '_k', v.splat('-0x1.62E400p-1f'), hi)};")
        L.append(f"{ind}{out}_r = {v.add(out + '_r', lo)};")
        L.append(f"{ind}{out}_r = {v.fma(out + '_k', v.splat('-0x1.7F7D1Cp-20f'), out + '_r')};")
    else:
        L.append(f"{ind}{t} {out}_r = {v.sub(hi, v.mul(out + '_k', v.splat('0x1.62E400p-1f')))};")
        L.append(f"{ind}{out}_r = {v.add(out + '_r', lo)};")
        L.append(f"{ind}{out}_r = {v.sub(out + '_r', v.mul(out + '_k', v.splat('0x1.7F7D1Cp-20f')))};")
    L += horner(v, out + "_p", out + "_r", TAYLOR, ind, fused)
    L.append(f"{ind}const {t} {out}_t1 = {mad(out + '_k', v.splat('0.5f'), m)};")
    L.append(f"{ind}const {t} {out}_t2 = {v.add(v.sub(out + '_k', v.sub(out + '_t1', m)), m)};")
    s1 = v.scale(out + "_t1", "127 - 0x4B400000")
    s2 = v.scale(out + "_t2", "127 - 0x4B400000")
    L.append(f"{ind}const {t} {out} = {v.mul(v.mul(out + '_p', s1), s2)};")
    return L


# erfc(u) = t exp(P(t) - u^2), t = 1 / (1 + u / 2) (the form of the classic Chebyshev-fitted
# erfc); P is our own fit: degree 10 in s = t - 0.575 (Chebyshev interpolation of
# ln(erfcx(u) / t) over t in [0.15, 1], u in [0, 11.33]: interpolation error 1.3e-8, f32
# Horner 1.4e-7 absolute in the exponent, i.e. relative in erfc). The exponent is kept as
# hi + lo, hi = -h^2 exact (h = w to 12 significant bits), so that its rounding does not
# become a relative error of erfc.
ERFC_P = ["-0x1.22D91Ep-3f", "0x1.3BD4ACp-3f", "0x1.0C58D4p-3f", "-0x1.0354FAp-2f",
          "-0x1.38C630p-5f", "0x1.3083A2p-2f", "-0x1.814A00p-5f", "-0x1.9FC6BAp-2f",
          "0x1.9D1F7Ep-4f", "0x1.5DFCEEp+0f", "-0x1.23D662p-1f"]


def erfc_lines(v, w, out, ind, gelu):
    """`out` = erfc(u) for a finite w >= 0: u = w / sqrt(2) (gelu: u^2 = w^2 / 2) or u = w."""
    t, L = v.t, []
    u = v.mul(w, v.splat("0x1.6A09E6p-1f")) if gelu else w
    L.append(f"{ind}const {t} {out}_t = {v.div(v.splat('1.0f'), v.add(v.splat('1.0f'), v.mul(v.splat('0.5f'), u)))};")
    L.append(f"{ind}const {t} {out}_s = {v.sub(out + '_t', v.splat('0x1.266666p-1f'))};")
    L += horner(v, out + "_p", out + "_s", ERFC_P, ind)
    L.append(f"{ind}const {t} {out}_h = {v.band(w, u32(0xFFFFF000))};")
    L.append(f"{ind}const {t} {out}_l = {v.sub(w, out + '_h')};")
    h, l = out + "_h", out + "_l"
    cross = v.mul(l, v.add(v.add(h, h), l))
    if gelu:
        L.append(f"{ind}const {t} {out}_hi = {v.mul(v.mul(h, h), v.splat('-0.5f'))};")
        L.append(f"{ind}const {t} {out}_lo = {v.sub(out + '_p', v.mul(cross, v.splat('0.5f')))};")
    else:
        L.append(f"{ind}const {t} {out}_hi = {v.mul(v.mul(h, h), v.splat('-1.0f'))};")
        L.append(f"{ind}const {t} {out}_lo = {v.sub(out + '_p', cross)};")
    L += exp_hilo_lines(v, out + "_hi", out + "_lo", out + "_e", ind)
    L.append(f"{ind}const {t} {out} = {v.mul(out + '_t', out + '_e')};")
    return L


# The tiers whose gelu fuses its multiply-adds (gelu_fused_lines): 1.5x the portable body on
# avx512skx, 1.26x on avx2 (Intel Xeon, docs/benchmarks.md). gelu is the transformer MLP's activation, where
# its cost shows; erf and log keep one arithmetic on every tier.
FUSED_GELU = {"avx2", "avx512skx", "neon"}


def gelu_inputs(v, x, out, ind):
    """gelu's v = max(x, -16) (NaN kept), w = min(|v|, 16) (NaN -> 16), n = min(0, v)."""
    t = v.t
    return [f"{ind}const {t} {out}_v = {v.maxc(v.splat('-16.0f'), x)};",
            f"{ind}const {t} {out}_w = {v.minc(v.abs(out + '_v'), v.splat('16.0f'))};",
            f"{ind}const {t} {out}_n = {v.minc(v.splat('0.0f'), out + '_v')};"]


def gelu_fused_lines(v, x, out, ind):
    """gelu_lines' formula with fused multiply-adds (a * b + c rounded once), for FUSED_GELU:
    t = 1 / (1 + w / (2 sqrt 2)) in one FMA; the exponent -w^2 / 2 + P(t) kept as hi + lo with
    the exact product error of w^2 from an FMA (q = w * w, w^2 = q + fma(w, w, -q)) instead of
    splitting w; Horner steps, the Cody-Waite reduction and 1 - e / 2 as FMAs. Not the scalar
    kernel's bits: within the same bound of the exact GELU (src/microkernels.h)."""
    t, L = v.t, gelu_inputs(v, x, out, ind)
    w, c = out + "_w", out + "_c"
    L.append(f"{ind}const {t} {c}_t = {v.div(v.splat('1.0f'), v.fma(w, v.splat('0x1.6A09E6p-2f'), v.splat('1.0f')))};")
    L.append(f"{ind}const {t} {c}_s = {v.sub(c + '_t', v.splat('0x1.266666p-1f'))};")
    L += horner(v, c + "_p", c + "_s", ERFC_P, ind, fused=True)
    L.append(f"{ind}const {t} {c}_q = {v.mul(w, w)};")
    L.append(f"{ind}const {t} {c}_hi = {v.mul(c + '_q', v.splat('-0.5f'))};")
    L.append(f"{ind}const {t} {c}_lo = {v.fma(v.fma(w, w, v.neg(c + '_q')), v.splat('-0.5f'), c + '_p')};")
    L += exp_hilo_lines(v, c + "_hi", c + "_lo", c + "_e", ind, fused=True)
    L.append(f"{ind}const {t} {c} = {v.mul(c + '_t', c + '_e')};")
    L.append(f"{ind}const {t} {out}_pos = {v.mul(out + '_v', v.fma(c, v.splat('-0.5f'), v.splat('1.0f')))};")
    L.append(f"{ind}const {t} {out}_neg = {v.mul(v.mul(v.splat('0.5f'), out + '_n'), c)};")
    L.append(f"{ind}const {t} {out} = {v.maxc(out + '_pos', out + '_neg')};")
    return L


def gelu_lines(v, x, out, ind="  "):
    """GELU(x) = x (1 + erf(x / sqrt 2)) / 2 in the exact erf form: with v = max(x, -16) (NaN
    kept), w = min(|v|, 16) (NaN -> 16), e = erfc(w / sqrt 2): v >= 0: v (1 - e / 2), v < 0:
    (v / 2) e (erfc(-u) = 2 - erfc(u), no 1 + erf cancellation), taken as the larger of the
    two (e <= 1: the wanted one is always the larger; rounding is monotonic). The v < 0 form
    uses min(v, 0), 0 for v >= 0 (no inf * 0 at +inf); NaN gives NaN either way."""
    if v.isa in FUSED_GELU:
        return gelu_fused_lines(v, x, out, ind)
    t, L = v.t, gelu_inputs(v, x, out, ind)
    L += erfc_lines(v, out + "_w", out + "_c", ind, gelu=True)
    c = out + "_c"
    L.append(f"{ind}const {t} {out}_pos = {v.mul(out + '_v', v.sub(v.splat('1.0f'), v.mul(v.splat('0.5f'), c)))};")
    L.append(f"{ind}const {t} {out}_neg = {v.mul(v.mul(v.splat('0.5f'), out + '_n'), c)};")
    L.append(f"{ind}const {t} {out} = {v.maxc(out + '_pos', out + '_neg')};")
    return L


# The tiers whose erf body interleaves its two independent polynomials (the small-|x| Taylor
# and erfc's) step by step instead of one after the other: same operations, same bits; a
# shorter critical path for the out-of-order window (avx2 +9% gcc 12 / +16% clang 14,
# avx512skx +8-12% / +22-26% against the sequential order; docs/benchmarks.md).
ERF_ZIP = {"avx2", "avx512skx"}

# erf(x) / x = 2 / sqrt(pi) sum (-1)^n x^2n / (n! (2n + 1)), to n = 6 (truncation below 1e-9
# relative for |x| < 1/2).
ERF_TAYLOR = ["0x1.F9A326p-14f", "-0x1.C02DB4p-11f", "0x1.565BCEp-8f", "-0x1.B82CE4p-6f",
              "0x1.CE2F22p-4f", "-0x1.812746p-2f", "0x1.20DD76p+0f"]


def erf_lines(v, x, out, ind="  "):
    """erf(x): |x| < 1/2: x P(x^2); otherwise sign(x) (1 - erfc(min(|x|, 4))) (erfc(4) < 2^-25:
    1 - erfc rounds to 1 beyond); NaN kept, erf(-0) = -0."""
    t, L = v.t, []
    L.append(f"{ind}const {t} {out}_a = {v.abs(x)};")
    L.append(f"{ind}const {t} {out}_u = {v.minc(out + '_a', v.splat('4.0f'))};")
    erfc = erfc_lines(v, out + "_u", out + "_c", ind, gelu=False)
    small = [f"{ind}const {t} {out}_z = {v.mul(x, x)};"] + horner(v, out + "_q", out + "_z", ERF_TAYLOR, ind)
    if v.isa in ERF_ZIP:
        # The small-|x| polynomial's steps between erfc's Horner steps (two chains).
        erfc = erfc[:2] + [line for pair in zip(erfc[2:2 + len(small)], small) for line in pair] + \
            erfc[2 + len(small):]
        small = []
    L += erfc
    L.append(f"{ind}const {t} {out}_big = {v.xorsign(v.sub(v.splat('1.0f'), out + '_c'), x)};")
    L += small
    L.append(f"{ind}{t} {out} = {v.sel(v.lt(out + '_a', v.splat('0.5f')), v.mul(x, out + '_q'), out + '_big')};")
    L.append(f"{ind}{out} = {v.sel(v.isnan(x), x, out)};")
    return L


# log(x) = e ln 2 + log(m), x = 2^e m, m in [sqrt(1/2), sqrt(2)) (from the bits of x, denormals
# scaled by 2^23 first); log(m) = 2 atanh(s), s = (m - 1) / (m + 1) = f / (2 + f), |s| <= 0.1716:
# 2s + 2s z P(z), z = s^2, P the atanh series to z^3 / 9 (truncation 2e-9 relative);
# e ln 2 in two parts (e ln2_hi exact).
LOG_P = ["0x1.C71C72p-4f", "0x1.24924Ap-3f", "0x1.99999Ap-3f", "0x1.555556p-2f"]
SQRT_HALF_BITS = 0x3F3504F3


def log_lines(v, x, out, ind="  "):
    """log(x); log(+-0) = -inf, log(x < 0) = NaN, log(+inf) = +inf, NaN kept."""
    t, L = v.t, []
    L.append(f"{ind}const {v.m} {out}_tiny = {v.lt(x, v.splat('0x1p-126f'))};")
    L.append(f"{ind}const {t} {out}_x = {v.sel(out + '_tiny', v.mul(x, v.splat('0x1p+23f')), x)};")
    L.append(f"{ind}const {t} {out}_eb = {v.sel(out + '_tiny', v.splat('151.0f'), v.splat('128.0f'))};")
    # (bits - bits(sqrt(1/2)) + 2^30) >> 23 = e + 128, never negative for a positive x.
    shifted = v.bshr(v.badd(out + "_x", u32(0x40000000 - SQRT_HALF_BITS)), "23")
    L.append(f"{ind}const {t} {out}_e = {v.sub(shifted, out + '_eb')};")
    mant = v.badd(v.band(v.badd(out + "_x", u32(-SQRT_HALF_BITS)), u32(0x007FFFFF)), u32(SQRT_HALF_BITS))
    L.append(f"{ind}const {t} {out}_f = {v.sub(mant, v.splat('1.0f'))};")
    L.append(f"{ind}const {t} {out}_s = {v.div(out + '_f', v.add(v.splat('2.0f'), out + '_f'))};")
    L.append(f"{ind}const {t} {out}_s2 = {v.add(out + '_s', out + '_s')};")
    L.append(f"{ind}const {t} {out}_z = {v.mul(out + '_s', out + '_s')};")
    L += horner(v, out + "_p", out + "_z", LOG_P, ind)
    L.append(f"{ind}const {t} {out}_lm = {madd(v, v.mul(out + '_s2', out + '_z'), out + '_p', out + '_s2')};")
    e = out + "_e"
    L.append(f"{ind}{t} {out} = {madd(v, e, v.splat('0x1.62E400p-1f'), madd(v, e, v.splat('0x1.7F7D1Cp-20f'), out + '_lm'))};")
    L.append(f"{ind}{out} = {v.sel(v.gt(x, v.splat('0x1.FFFFFEp+127f')), v.splat('INFINITY'), out)};")
    L.append(f"{ind}{out} = {v.sel(v.lt(v.abs(x), v.splat('0x1p-149f')), v.splat('-INFINITY'), out)};")
    L.append(f"{ind}{out} = {v.sel(v.lt(x, v.splat('0.0f')), v.splat('NAN'), out)};")
    L.append(f"{ind}{out} = {v.sel(v.isnan(x), x, out)};")
    return L


PORTABLE_LINES = {"gelu": gelu_lines, "erf": erf_lines, "log": log_lines}


# ---- floor, ceil, round: the ISA's rounding instruction (AVX2 roundps, AVX512 vrndscaleps,
# NEON frintm / frintp / frintn, WASM f32x4.floor / ceil / nearest), or on SSE2, which has
# none: r = (|x| + 2^23) - 2^23, |x| rounded to an integer half to even (the default rounding
# mode) for |x| < 2^23, given x's sign; floor: r - (r > x ? 1 : +0), ceil: r + (r < x ? 1 :
# +0), each a compare, an AND of 1.0 and one add (no select). r - +0 keeps r's bits (-0
# included), and a floor never needs its sign put back (a zero result comes from x in
# [+0, 1) or x = -0, where r already has the sign); a ceil has x's sign, which r + 1 or
# -0 + +0 may lose (ceil(-0.7) = -0), so x's sign bit is ORed back in. |x| >= 2^23
# (integers already), Inf and NaN: x itself (a compare with NaN is false).
def rounding_lines(v, op, x, out, ind="  "):
    """out = floor / ceil / round half to even of x, the C library's floorf / ceilf /
    nearbyintf bits."""
    t, s = v.t, v.splat
    if op in v.ops:
        return [f"{ind}const {t} {out} = {getattr(v, op)(x)};"]
    L = [f"{ind}const {t} {out}_a = {v.abs(x)};"]
    L.append(f"{ind}{t} {out}_r = {v.sub(v.add(out + '_a', s('0x1.0p+23f')), s('0x1.0p+23f'))};")
    L.append(f"{ind}{out}_r = {v.xorsign(out + '_r', x)};")
    if op == "floor":
        L.append(f"{ind}{out}_r = {v.sub(out + '_r', v.one(v.gt(out + '_r', x)))};")
    elif op == "ceil":
        L.append(f"{ind}{out}_r = {v.add(out + '_r', v.one(v.lt(out + '_r', x)))};")
        L.append(f"{ind}{out}_r = {v.lor(out + '_r', v.xorsign(s('0.0f'), x))};")
    L.append(f"{ind}const {t} {out} = {v.sel(v.lt(out + '_a', s('0x1.0p+23f')), out + '_r', x)};")
    return L


def clamp(v, y, lo, hi):
    """clamp1 of the scalar code: y < lo ? lo : y, then > hi ? hi : y (NaN stays)."""
    return v.minc(hi, v.maxc(lo, y))


def unary_body(v, op):
    """Lines computing `vy` from `vx` (parameters in p)."""
    t, s = v.t, v.splat
    simple = {
        "relu": v.maxc(s("0.0f"), "vx"),
        "lrelu": v.sel(v.lt("vx", s("0.0f")), v.mul(s("p->alpha"), "vx"), "vx"),
        "hsigmoid": clamp(v, v.add(v.mul(s("p->alpha"), "vx"), s("p->beta")), s("0.0f"), s("1.0f")),
        "hswish": v.mul(v.mul("vx", clamp(v, v.add("vx", s("3.0f")), s("0.0f"), s("6.0f"))),
                        s("0x1.555556p-3f")),
        "clamp": clamp(v, "vx", s("p->min"), s("p->max")),
        "sqrt": v.sqrt("vx"),
        "abs": v.abs("vx"),
        "neg": v.neg("vx"),
        "sqr": v.mul("vx", "vx"),
    }
    if op in simple:
        return [f"  const {t} vy = {simple[op]};"]
    if op == "exp":
        return exp_lines(v, "vx", "ve") + [f"  const {t} vy = {v.sel(v.isnan('vx'), 'vx', 've')};"]
    if op == "sigmoid":
        return sigmoid_lines(v, "vx", "vs") + [f"  const {t} vy = vs;"]
    if op == "swish":
        return sigmoid_lines(v, "vx", "vs") + [f"  const {t} vy = {v.mul('vx', 'vs')};"]
    if op == "tanh":
        return tanh_lines(v, "vx", "vt") + [f"  const {t} vy = vt;"]
    if op in PORTABLE_LINES:
        return PORTABLE_LINES[op](v, "vx", "vr") + [f"  const {t} vy = vr;"]
    if op in UNARY_ROUNDING:
        return rounding_lines(v, op, "vx", "vy")
    raise AssertionError(op)


def binary_expr(v, op, a, b):
    """a OP b for the thirteen operators (the comparisons: 1.0f or 0.0f; maximum / minimum NaN-propagating as the scalar
    `(u > v || u != u) ? u : v`; prelu `u < 0 ? u * v : u`, b the slope)."""
    if op in ("add", "sub", "mul", "div"):
        return getattr(v, op)(a, b)
    if op == "prelu":
        return v.sel(v.lt(a, v.splat("0.0f")), v.mul(a, b), a)
    if op in BINARY_CMP:
        return v.one(getattr(v, op)(a, b))
    cmp = v.gt if op == "max" else v.lt
    return v.sel(v.lor(cmp(a, b), v.isnan(a)), a, b)


def split_binary(tile):
    """(operator, form) of a vbinary tile: form vv, c (b scalar) or rc (b scalar, swapped)."""
    ops = BINARY_OPS + BINARY_CMP
    if tile in ops:
        return tile, "vv"
    if tile.startswith("r") and tile[1:-1] in ops:
        return tile[1:-1], "rc"
    assert tile.endswith("c") and tile[:-1] in ops, tile
    return tile[:-1], "c"


def header(k, what):
    return [GENERATED, "//", f"// {what} (contract: src/microkernels.h).",
            "// Full vectors in the loop; the last n % W elements through a W-element stack copy,",
            "// so nothing past n is read or written. y may equal an input (the same pointer)."]


# Vectors per main-loop step of the portable operators: their bodies are long dependency
# chains (two divisions' and ~20 multiply-add steps' latency), so U of them are computed side
# by side, line by line, for the out-of-order core to overlap.
PORTABLE_UNROLL = {"sse2": 2, "avx2": 4, "avx512skx": 4, "neon": 4, "wasmsimd": 2}
# gelu, erf avx512skx, their constants in the table: 6 (+10-16% against 4; 8 is within a few
# percent of 6 either way with twice the spills).
PORTABLE_UNROLL_OP = {("avx512skx", "gelu"): 6, ("avx512skx", "erf"): 6}


# The avx2 steps whose schedule is pinned every ORDER_ROWS rows of the interleaved bodies
# (PQNN_VUNARY_ORDER: an empty asm that takes the row's u results and renews the u table
# pointers, so that no row's constant is read before the barrier that precedes it and no
# row is computed after the one that follows). Without it clang 14's scheduler runs 2 of the
# 4 erf bodies after the other 2 (their divisions ~200 instructions apart): 12% slower than
# without the table; with it, as fast as before, and gelu's spills halve (clang 49 -> 12).
ORDER_ROWS = {("avx2", "gelu"): 4, ("avx2", "erf"): 4}
ASSIGNED = re.compile(r"^\s*(?:const\s+)?(?:__m256\s+)?(\w+)\s*=")


def interleaved_loop(v, op, u, pool=None):
    """The main loop of a portable operator: u vectors a step, their bodies' lines interleaved
    (with a pool: each body's constants read through its own opaque pointer, and an order
    barrier every ORDER_ROWS rows where the table has an entry)."""
    w, t = v.w, v.t
    bodies = [pooled(PORTABLE_LINES[op](v, f"vx{j}", f"vr{j}", "    "), pool, f"c{j}", "    ")
              for j in range(u)]
    assert len(set(len(b) for b in bodies)) == 1
    every = ORDER_ROWS.get((v.isa, op)) if pool is not None else None
    L = [f"  for (; n >= {u * w}; n -= {u * w}) {{"]
    L += [f"    const {t} vx{j} = {v.load(f'x + {j * w}' if j else 'x')};" for j in range(u)]
    rows = 0
    for lines in zip(*bodies):
        L += list(lines)
        names = [ASSIGNED.match(line) for line in lines]
        if every and all(names):
            rows += 1
            if rows % every == 0:
                args = [f"c{j}" for j in range(u)] + [m.group(1) for m in names]
                L.append(f"    PQNN_VUNARY_ORDER({', '.join(args)});")
    L += [f"    {v.store(f'y + {j * w}' if j else 'y', f'vr{j}')};" for j in range(u)]
    L += [f"    x += {u * w};", f"    y += {u * w};", "  }"]
    return L


def order_macro(u):
    """PQNN_VUNARY_ORDER for u vectors a step (AVX2: "x", a ymm register)."""
    assert all(isa == "avx2" for isa, _ in ORDER_ROWS)
    cs, vs = [f"c{j}" for j in range(u)], [f"v{j}" for j in range(u)]
    outs = ", ".join(f'"+r"({c})' for c in cs)
    ins = ", ".join(f'"x"({x})' for x in vs)
    params = ", ".join(cs + vs)
    return ["/* The order barrier of the interleaved bodies (ORDER_ROWS in the generator). */",
            "#if defined(__GNUC__)",
            f'#define PQNN_VUNARY_ORDER({params}) __asm__ volatile("" : {outs} : {ins})',
            "#else",
            f"#define PQNN_VUNARY_ORDER({params})",
            "#endif"]


# ---- constants as memory operands (AVX2, AVX512) ----
# With their constants as register values the compilers hoist every broadcast out of the
# loop: the 20-30 constants of gelu / erf / log and the step's temporaries do not fit 16 ymm
# / 32 zmm, so constants and temporaries go through stack slots (clang 14: gelu avx2 72 stack
# accesses a step, erf 108). In POOLED_OPS every constant (but 0, a register xor) is a row of
# one static table `kc` read through a pointer the compiler cannot see through
# (PQNN_VUNARY_OPAQUE, renewed for every vector of a step), so no constant is hoisted: each
# one is a memory operand of the instruction that uses it, and the registers hold the
# bodies' temporaries. POOL_LANES: the table's row width, the vector width (AVX2 has no
# broadcast operand) or 1 (AVX512's embedded broadcast, {1to16}). Not pooled, by measurement
# (bench/kernels/elementwise-kernels, docs/benchmarks.md): log avx512skx (7-9% slower under
# both compilers) and the one-vector exp / sigmoid / swish / tanh (5-13% slower).
POOL_LANES = {"avx2": 8, "avx512skx": 1}
POOLED_OPS = {"avx2": {"gelu", "erf", "log"}, "avx512skx": {"gelu", "erf"}}
OPAQUE = ["/* An empty asm that the compiler cannot see through: the table's constants are read",
          " * from memory where they are used (not hoisted into registers that do not fit). */",
          "#if defined(__GNUC__)",
          '#define PQNN_VUNARY_OPAQUE(ptr) __asm__ volatile("" : "+r"(ptr))',
          "#else",
          "#define PQNN_VUNARY_OPAQUE(ptr)",
          "#endif"]


class ConstPool:
    """The splat constants of a kernel's bodies, as rows of one static table `kc`."""

    def __init__(self, v, lanes):
        self.v, self.lanes, self.rows = v, lanes, {"f": [], "i": []}
        self.prefix = {"avx2": "_mm256", "avx512skx": "_mm512"}[v.isa]
        self.pattern = re.compile(self.prefix + r"_set1_(ps|epi32)\(((?:[^()]|\([^()]*\))*)\)")

    def ref(self, kind, value, ptr):
        rows = self.rows[kind]
        if value not in rows:
            rows.append(value)
        row = f"{ptr}->{kind}[{rows.index(value)}]"
        if self.lanes == 1:
            return f"{self.prefix}_set1_{'ps' if kind == 'f' else 'epi32'}({row}[0])"
        if kind == "f":
            return f"{self.prefix}_load_ps({row})"
        return f"{self.prefix}_load_si{self.v.w * 32}((const __m{self.v.w * 32}i*) {row})"

    def apply(self, lines, ptr):
        """lines with every constant splat replaced by its table row through `ptr`."""
        def sub(m):
            if "p->" in m.group(2) or m.group(2) == "0.0f":  # zero: a register xor, no load
                return m.group(0)
            return self.ref("f" if m.group(1) == "ps" else "i", m.group(2), ptr)
        return [self.pattern.sub(sub, line) for line in lines]

    def table(self):
        L = ["struct consts {"]
        for kind, ctype in (("f", "float"), ("i", "int32_t")):
            if self.rows[kind]:
                L.append(f"  _Alignas({4 * self.lanes}) {ctype} {kind}[{len(self.rows[kind])}][{self.lanes}];")
        L += ["};", "static const struct consts kc = {"]
        for kind in ("f", "i"):
            if self.rows[kind]:
                L.append("  {")
                L += ["    {" + ", ".join([c] * self.lanes) + "}," for c in self.rows[kind]]
                L.append("  },")
        return L + ["};"]


def pooled(lines, pool, ptr, ind):
    """The body `lines` reading its constants through a fresh opaque pointer `ptr`."""
    if pool is None:
        return lines
    return [f"{ind}const struct consts* {ptr} = &kc;", f"{ind}PQNN_VUNARY_OPAQUE({ptr});"] + pool.apply(lines, ptr)


def emit_unary(k):
    v, op = ISAS[k.isa], k.tile
    assert op in UNARY_SIMD, (k.family, op, "has no SIMD body")
    t, w = v.t, v.w
    pool = ConstPool(v, POOL_LANES[v.isa]) if op in POOLED_OPS.get(v.isa, ()) else None
    body = pooled(unary_body(v, op), pool, "c", "  ")
    u = PORTABLE_UNROLL_OP.get((v.isa, op), PORTABLE_UNROLL[v.isa]) if op in PORTABLE_LINES else 1
    loop = interleaved_loop(v, op, u, pool) if u > 1 else []
    L = header(k, f"{v.isa} f32 {op}, {w} lanes")
    L += [f"#include {v.header}", "#include <math.h>"]
    if pool is not None:
        L.append("#include <stdint.h>")
    L += ["#include <string.h>", "", '#include "microkernels.h"', ""]
    if pool is not None:
        L += OPAQUE + [""]
        if u > 1 and (v.isa, op) in ORDER_ROWS:
            L += order_macro(u) + [""]
        L += pool.table() + [""]
    # The large portable bodies: inlined into the loop and the tail both (gcc 12 calls
    # them otherwise, passing the vector through the stack).
    L += [f"static inline {'__attribute__((always_inline)) ' if op in PORTABLE_LINES else ''}{t} compute({t} vx, "
          "const struct pqnn_f32_elementwise_params* p) {",
          "  (void) p;"]
    L += body
    L += ["  return vy;", "}", "",
          f"void {k.name}(size_t n, const float* x, float* y, const void* params) {{",
          "  const struct pqnn_f32_elementwise_params* p = (const struct pqnn_f32_elementwise_params*) params;"]
    L += loop
    L += [f"  for (; n >= {w}; n -= {w}) {{",
          f"    {v.store('y', 'compute(' + v.load('x') + ', p)')};",
          f"    x += {w};", f"    y += {w};", "  }",
          "  if (n != 0) {",
          f"    float t[{w}] = {{0.0f}};",
          "    memcpy(t, x, n * sizeof(float));",
          f"    {v.store('t', 'compute(' + v.load('t') + ', p)')};",
          "    memcpy(y, t, n * sizeof(float));", "  }", "}"]
    return "\n".join(L) + "\n"


def emit_binary(k):
    v = ISAS[k.isa]
    op, form = split_binary(k.tile)
    t, w = v.t, v.w
    what = {"vv": "a OP b", "c": "a OP b[0]", "rc": "b[0] OP a"}[form]
    L = header(k, f"{v.isa} f32 {op} ({what}), clamped, {w} lanes")
    L += [f"#include {v.header}", "#include <string.h>", "", '#include "microkernels.h"', "",
          f"static inline {t} compute({t} va, {t} vb, {t} vmin, {t} vmax) {{"]
    expr = binary_expr(v, op, "vb", "va") if form == "rc" else binary_expr(v, op, "va", "vb")
    L += [f"  const {t} vy = {expr};", f"  return {clamp(v, 'vy', 'vmin', 'vmax')};", "}", "",
          f"void {k.name}(size_t n, const float* a, const float* b, float* y, const void* params) {{",
          "  const struct pqnn_f32_elementwise_params* p = (const struct pqnn_f32_elementwise_params*) params;",
          f"  const {t} vmin = {v.splat('p->min')};",
          f"  const {t} vmax = {v.splat('p->max')};"]
    vv = form == "vv"
    if not vv:
        L.append(f"  const {t} vb = {v.splat('*b')};")
    vb_loop = v.load("b") if vv else "vb"
    L += [f"  for (; n >= {w}; n -= {w}) {{",
          f"    {v.store('y', 'compute(' + v.load('a') + ', ' + vb_loop + ', vmin, vmax)')};",
          f"    a += {w};"]
    if vv:
        L.append(f"    b += {w};")
    L += [f"    y += {w};", "  }", "  if (n != 0) {",
          f"    float ta[{w}] = {{0.0f}};", "    memcpy(ta, a, n * sizeof(float));"]
    if vv:
        L += [f"    float tb[{w}] = {{0.0f}};", "    memcpy(tb, b, n * sizeof(float));"]
    vb_tail = v.load("tb") if vv else "vb"
    L += [f"    {v.store('ta', 'compute(' + v.load('ta') + ', ' + vb_tail + ', vmin, vmax)')};",
          "    memcpy(y, ta, n * sizeof(float));", "  }", "}"]
    return "\n".join(L) + "\n"


# ---- scalar: the plain C formulas (the reference arithmetic; libm for the
# transcendental operators, as the plain node kernels) ----

SCALAR_UNARY = {
    "relu": "relu1(v)",
    "lrelu": "v < 0.0f ? p->alpha * v : v",
    "hsigmoid": "clamp1(p->alpha * v + p->beta, 0.0f, 1.0f)",
    "hswish": "v * clamp1(v + 3.0f, 0.0f, 6.0f) * 0x1.555556p-3f",
    "clamp": "clamp1(v, p->min, p->max)",
    "sqrt": "sqrtf(v)",
    "abs": "fabsf(v)",
    "neg": "-v",
    "sqr": "v * v",
    "exp": "expf(v)",
    "sigmoid": "sigmoid(v)",
    "swish": "v * sigmoid(v)",
    "tanh": "tanhf(v)",
    "floor": "floorf(v)",
    "ceil": "ceilf(v)",
    "round": "nearbyintf(v)",
}

SCALAR_BINARY = {
    "add": "u + w", "sub": "u - w", "mul": "u * w", "div": "u / w",
    "max": "(u > w || u != u) ? u : w", "min": "(u < w || u != u) ? u : w",
    "prelu": "u < 0.0f ? u * w : u",
    "eq": "u == w ? 1.0f : 0.0f", "ne": "u != w ? 1.0f : 0.0f",
    "gt": "u > w ? 1.0f : 0.0f", "ge": "u >= w ? 1.0f : 0.0f",
    "lt": "u < w ? 1.0f : 0.0f", "le": "u <= w ? 1.0f : 0.0f",
}

SCALAR_HELPERS = {
    "clamp1": [
        "static inline float clamp1(float v, float min, float max) {",
        "  v = v < min ? min : v;",
        "  return v > max ? max : v;",
        "}",
    ],
    # x < 0 ? 0 : x decided on the bits (negative, not -0, not NaN): clang for WASM turns
    # the float select into f32.max, which gives +0 for -0 where the formula (and every
    # SIMD kernel) keeps -0; a float select through integer masks is folded back the same.
    "relu1": [
        "static inline float relu1(float v) {",
        "  uint32_t bits;",
        "  memcpy(&bits, &v, sizeof(bits));",
        "  if (bits > UINT32_C(0x80000000) && bits <= UINT32_C(0xFF800000)) bits = 0;",
        "  memcpy(&v, &bits, sizeof(v));",
        "  return v;",
        "}",
    ],
    "sigmoid": [
        "/* 1 / (1 + exp(-v)) without overflow: with e = exp(-|v|) <= 1, e / (1 + e) for v < 0. */",
        "static inline float sigmoid(float v) {",
        "  const float e = expf(-fabsf(v));",
        "  const float r = 1.0f / (1.0f + e);",
        "  return v < 0.0f ? e * r : r;",
        "}",
    ],
}


def scalar_prelude(what, expr):
    """The file head of a scalar kernel whose formula is `expr`, with the helpers it uses."""
    used = [h for h in SCALAR_HELPERS if h + "(" in expr]
    L = [GENERATED, "//", f"// Scalar f32 {what} (contract: src/microkernels.h): the plain C formula,",
         "// the reference every other tier of the family is checked against.",
         "#include <math.h>"]
    if "relu1" in used:
        L += ["#include <stdint.h>", "#include <string.h>"]
    L += ["", '#include "microkernels.h"', ""]
    for name in used:
        L += SCALAR_HELPERS[name] + [""]
    return L


# The bit operations of the SCALAR vocabulary (the SIMD tiers' integer lanes).
BIT_HELPERS = {
    "band1": ("/* bits(x) & m, as a float. */", "bits & m"),
    "badd1": ("/* bits(x) + c (mod 2^32), as a float. */", "bits + c"),
    "scale1": ("/* (bits(x) + c) << 23: 2^n from a float whose bits hold n - c. */", "(bits + c) << 23"),
}


def bit_helper(name):
    what, expr = BIT_HELPERS[name]
    arg = "m" if name == "band1" else "c"
    return [what, f"static inline float {name}(float x, uint32_t {arg}) {{",
            "  uint32_t bits;", "  memcpy(&bits, &x, sizeof(bits));", f"  bits = {expr};",
            "  memcpy(&x, &bits, sizeof(x));", "  return x;", "}", ""]


def emit_scalar_portable(k):
    """The scalar kernel of a UNARY_PORTABLE operator: the SIMD tiers' body on one float."""
    op, v = k.tile, SCALAR
    body = PORTABLE_LINES[op](v, "vx", "vr")
    text = "\n".join(body)
    L = [GENERATED, "//", f"// Scalar f32 {op} (contract: src/microkernels.h): the arithmetic of every",
         "// tier (scripts/kernels/elementwise.py), one float at a time; the reference the other",
         "// tiers are checked against bit for bit.",
         "#include <math.h>", "#include <stdint.h>", "#include <string.h>", "",
         '#include "microkernels.h"', ""]
    for name in BIT_HELPERS:
        if name + "(" in text:
            L += bit_helper(name)
    if "bshr1(" in text:
        L += ["/* (float) (bits(x) >> s). */", "static inline float bshr1(float x, int s) {",
              "  uint32_t bits;", "  memcpy(&bits, &x, sizeof(bits));", "  return (float) (bits >> s);", "}", ""]
    if "xorsign1(" in text:
        L += ["/* x with its sign flipped where s is negative. */",
              "static inline float xorsign1(float x, float s) {", "  uint32_t bx, bs;",
              "  memcpy(&bx, &x, sizeof(bx));", "  memcpy(&bs, &s, sizeof(bs));",
              "  bx ^= bs & UINT32_C(0x80000000);", "  memcpy(&x, &bx, sizeof(x));", "  return x;", "}", ""]
    L += ["static inline float compute(float vx) {"] + body + ["  return vr;", "}", "",
          f"void {k.name}(size_t n, const float* x, float* y, const void* params) {{",
          "  (void) params;",
          "  for (size_t i = 0; i < n; i++) {",
          "    y[i] = compute(x[i]);", "  }", "}"]
    return "\n".join(L) + "\n"


def emit_scalar_unary(k):
    op = k.tile
    if op in PORTABLE_LINES:
        return emit_scalar_portable(k)
    expr = SCALAR_UNARY[op]
    L = scalar_prelude(op, expr)
    L += [f"void {k.name}(size_t n, const float* x, float* y, const void* params) {{",
          "  const struct pqnn_f32_elementwise_params* p = (const struct pqnn_f32_elementwise_params*) params;",
          "  (void) p;",
          "  for (size_t i = 0; i < n; i++) {",
          "    const float v = x[i];",
          f"    y[i] = {expr};", "  }", "}"]
    return "\n".join(L) + "\n"


def emit_scalar_binary(k):
    op, form = split_binary(k.tile)
    expr = SCALAR_BINARY[op]
    L = scalar_prelude(f"{k.tile} (clamped)", "clamp1(" + expr + ")")
    u, w = {"vv": ("a[i]", "b[i]"), "c": ("a[i]", "bs"), "rc": ("bs", "a[i]")}[form]
    L += [f"void {k.name}(size_t n, const float* a, const float* b, float* y, const void* params) {{",
          "  const struct pqnn_f32_elementwise_params* p = (const struct pqnn_f32_elementwise_params*) params;"]
    if form != "vv":
        L.append("  const float bs = b[0];  /* read once, as the SIMD kernels do */")
    L += [
          "  for (size_t i = 0; i < n; i++) {",
          f"    const float u = {u}, w = {w};",
          f"    y[i] = clamp1({expr}, p->min, p->max);", "  }", "}"]
    return "\n".join(L) + "\n"


EMITS = {("f32-vunary", "scalar"): emit_scalar_unary, ("f32-vbinary", "scalar"): emit_scalar_binary}
for _isa in ISAS:
    EMITS[("f32-vunary", _isa)] = emit_unary
    EMITS[("f32-vbinary", _isa)] = emit_binary

