"""Generates the x86 and scalar int8 GEMM / IGEMM microkernels and the int8 kernel tests.

Three arithmetic variants share one skeleton:
  qs8_qc8w   int8 x int8 -> int32 -> fp32 requantization -> int8   (bit-exact, API.md)
  qd8_f32    int8 x int8 -> int32, zero point via packed ksum -> f32 epilogue
  qd8_f16    as qd8_f32, output rounded to f16
and four inner-loop families:
  scalar  kr = 1, one int32 accumulator per output
  madd    c8: sign-extend 8 k of A and of each column to int16, pmaddwd, reduce the
          4 int32 partial sums per column after the K loop (sse2, avx2, avx512skx)
  dpbusd  c4: A read as uint8 (x + 128, an XOR with 0x80), vpdpbusd u8 x s8 straight into
          per-column int32 accumulators (avxvnni 256-bit, avx512vnni 512-bit);
          input_offset 128 is folded into the packed bias / ksum at pack time. The VNNI
          GEMM and IGEMM kernels XOR A once per call into a stack copy (FLIP_CHUNK below),
          the avx2 emulation per broadcast in the K loop.

Run by scripts/generate-kernels.py  (writes src/microkernels/{qs8-qc8w,qd8-f32-qc8w,
qd8-f16-qc8w}-{gemm,igemm}/*.c and the six test/microkernels/<family>-test.cc)
"""
import os

from kernels import skeleton

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# ISA -> vector bits (0: the scalar template). The c4 (dpbusd) template also runs on plain
# AVX2, vpdpbusd emulated exactly with two vpmaddwd, so the dpbusd template, its uint8
# offset and multi-vector tails are tested on any AVX2 machine.
BITS = {"scalar": 0, "sse2": 128, "avx2": 256, "avx512skx": 512, "avxvnni": 256,
        "avx512vnni": 512}

VARIANTS = ["qs8", "qd8_f32", "qd8_f16"]


def tile_name(mr, nr, kr):
    return f"{mr}x{nr}" + (f"c{kr}" if kr > 1 else "")


def kernel_name(variant, kind, mr, nr, kr, isa):
    t = tile_name(mr, nr, kr)
    if variant == "qs8":
        return f"pqnn_qs8_qc8w_{kind}_minmax_fp32_ukernel_{t}__{isa}"
    dt = variant.split("_")[1]
    return f"pqnn_qd8_{dt}_qc8w_{kind}_minmax_ukernel_{t}__{isa}"


def family_dir(variant, kind):
    return {"qs8": "qs8-qc8w", "qd8_f32": "qd8-f32-qc8w", "qd8_f16": "qd8-f16-qc8w"}[variant] + "-" + kind


QUANTIZATION_PARAM = ",\n    const struct pqnn_quantization_params* quantization_params"


def signature(variant, kind, name):
    return skeleton.signature(name, kind, "" if variant == "qs8" else QUANTIZATION_PARAM)


# ---------------------------------------------------------------------------------------
# SIMD vocabulary per vector width.
# ---------------------------------------------------------------------------------------
class V:
    def __init__(self, bits, isa):
        self.bits = bits
        self.isa = isa
        self.L = bits // 32  # int32 lanes
        p = {128: "_mm", 256: "_mm256", 512: "_mm512"}[bits]
        self.p = p
        self.ivec = {128: "__m128i", 256: "__m256i", 512: "__m512i"}[bits]
        self.fvec = {128: "__m128", 256: "__m256", 512: "__m512"}[bits]
        self.si = {128: "si128", 256: "si256", 512: "si512"}[bits]

    def loadi(self, ptr):
        if self.bits == 512:
            return f"_mm512_loadu_si512((const void*) ({ptr}))"
        return f"{self.p}_loadu_{self.si}((const {self.ivec}*) ({ptr}))"

    def loadf(self, ptr):
        return f"{self.p}_loadu_ps((const float*) ({ptr}))"

    def set1i(self, x):
        return f"{self.p}_set1_epi32({x})"

    def set1f(self, x):
        return f"{self.p}_set1_ps({x})"

    def addi(self, a, b):
        return f"{self.p}_add_epi32({a}, {b})"

    def acc_add(self, acc, x):
        """acc + x for a K-loop accumulator: the tied-operand helper of x86-int8-dot.h
        (gcc 12 -O3 copied the accumulators around the intrinsic's add)."""
        width = {128: "xmm", 256: "ymm", 512: "zmm"}[self.bits]
        return f"pqnn_acc_add_epi32_{width}({acc}, {x})"

    def mullo(self, a, b):
        if self.bits == 128:
            return f"pqnn_mullo_epi32_sse2({a}, {b})"
        return f"{self.p}_mullo_epi32({a}, {b})"

    def i2f(self, a):
        return f"{self.p}_cvtepi32_ps({a})"

    def f2i(self, a):
        if self.bits == 512:
            return f"_mm512_cvt_roundps_epi32({a}, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)"
        return f"{self.p}_cvtps_epi32({a})"

    def mulf(self, a, b):
        return f"{self.p}_mul_ps({a}, {b})"

    def fmadd(self, a, b, c):
        if self.bits == 128:
            return f"_mm_add_ps(_mm_mul_ps({a}, {b}), {c})"
        return f"{self.p}_fmadd_ps({a}, {b}, {c})"

    def maxf(self, a, b):
        return f"{self.p}_max_ps({a}, {b})"

    def minf(self, a, b):
        return f"{self.p}_min_ps({a}, {b})"

    def mask(self, n):
        """Declaration prefix and expression for a tail store mask of n (< L) lanes."""
        return f"(__mmask16) ((UINT32_C(1) << {n}) - 1)"

    # Stores of one vector of L outputs at pointer `ptr` (typed), full or n (< L) lanes.
    def store_qs8(self, out, ptr, v, n):
        if self.bits == 128:
            out.append(f"{{ const __m128i p16 = _mm_packs_epi32({v}, {v});")
            out.append(f"  const __m128i p8 = _mm_packs_epi16(p16, p16);")
            out.append(f"  const uint32_t u = (uint32_t) _mm_cvtsi128_si32(p8);")
            out.append(f"  memcpy({ptr}, &u, {n if n else 4}); }}")
        elif self.bits == 256:
            out.append(f"{{ const __m128i p16 = _mm_packs_epi32(_mm256_castsi256_si128({v}), "
                       f"_mm256_extracti128_si256({v}, 1));")
            out.append(f"  const __m128i p8 = _mm_packs_epi16(p16, p16);")
            if n:
                out.append(f"  const uint64_t u = (uint64_t) _mm_cvtsi128_si64(p8);")
                out.append(f"  memcpy({ptr}, &u, {n}); }}")
            else:
                out.append(f"  _mm_storel_epi64((__m128i*) ({ptr}), p8); }}")
        else:
            if n:
                out.append(f"_mm_mask_storeu_epi8({ptr}, {self.mask(n)}, _mm512_cvtsepi32_epi8({v}));")
            else:
                out.append(f"_mm_storeu_si128((__m128i*) ({ptr}), _mm512_cvtsepi32_epi8({v}));")

    def store_f32(self, out, ptr, v, n):
        if not n:
            out.append(f"{self.p}_storeu_ps({ptr}, {v});")
        elif self.bits == 128:
            out.append(f"{{ float t[4]; _mm_storeu_ps(t, {v}); memcpy({ptr}, t, {n} * sizeof(float)); }}")
        elif self.bits == 256:
            out.append(f"_mm256_maskstore_ps({ptr}, _mm256_cmpgt_epi32(_mm256_set1_epi32((int) {n}), "
                       f"_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7)), {v});")
        else:
            out.append(f"_mm512_mask_storeu_ps({ptr}, {self.mask(n)}, {v});")

    def store_f16(self, out, ptr, v, n):
        if self.bits == 256:
            h = f"_mm256_cvtps_ph({v}, _MM_FROUND_TO_NEAREST_INT)"
            if n:
                out.append(f"{{ uint16_t t[8]; _mm_storeu_si128((__m128i*) t, {h}); "
                           f"memcpy({ptr}, t, {n} * sizeof(uint16_t)); }}")
            else:
                out.append(f"_mm_storeu_si128((__m128i*) ({ptr}), {h});")
        else:
            h = f"_mm512_cvtps_ph({v}, _MM_FROUND_TO_NEAREST_INT)"
            if n:
                out.append(f"_mm256_mask_storeu_epi16({ptr}, {self.mask(n)}, {h});")
            else:
                out.append(f"_mm256_storeu_si256((__m256i*) ({ptr}), {h});")


HEADER = """// Generated by scripts/kernels/int8_gemm.py: do not edit.
//
// {what} {kind_upper} microkernel, {tile} tile, {isa} (contract: src/microkernels.h).
// Packed panels {layout}, K in groups of {nr} columns x {kr} k, zero-padded.
// {loop}
// A rows are read exactly kc bytes each (the K tail through a small copy, no over-read);
// {epilogue}
// nc is walked in {nr}-column steps; exactly nc outputs are written per row.
"""

LAYOUT = {
    "qs8": "[{nr} i32 bias'][groups][{nr} f32 scale]",
    "qd8_f32": "[{nr} i32 ksum][groups][{nr} f32 kernel_scale][{nr} f32 bias]",
    "qd8_f16": "[{nr} i32 ksum][groups][{nr} f32 kernel_scale][{nr} f32 bias]",
}
LOOP = {
    "scalar": "Scalar int32 multiply-accumulate, one k at a time; input_offset 0.",
    "madd": "Inner loop: 8 k of A and of each column sign-extended to int16, pmaddwd into\n"
            "// 4 int32 partial sums per column, reduced and reordered after the K loop; input_offset 0.",
    "dpbusd": "Inner loop: 4 k of A XORed with 0x80 (x + 128 as uint8) times 4 k of each column,\n"
              "// vpdpbusd into per-column int32 accumulators; input_offset 128 (folded into the\n"
              "// packed bias' / ksum terms).",
}
EPILOGUE = {
    "qs8": "y = clamp(rne((float) acc * scale[n]) + output_zero_point) (fp32 requantization, no FMA,\n"
           "// clamped as float against output_{min,max}_less_zero_point before rounding; bit-exact).",
    "qd8_f32": "y = clamp((float) acc * (row scale * kernel_scale[n]) + bias[n], min, max), with\n"
               "// acc = dot - (row zero_point + input_offset) * ksum[n] (int32).",
    "qd8_f16": "y = f16(clamp((float) acc * (row scale * kernel_scale[n]) + bias[n], min, max)), round\n"
               "// to nearest even, with acc = dot - (row zero_point + input_offset) * ksum[n] (int32).",
}


def includes(family, variant, isa):
    inc = ["#include <string.h>", ""]
    if family != "scalar":
        inc.insert(0, "#include <immintrin.h>")
    if family == "madd" or (family == "dpbusd" and isa != "avx2"):
        inc.append('#include "microkernels/x86-int8-dot.h"')
    if variant == "qd8_f16" and family == "scalar":
        inc.insert(0, "#include <fp16.h>")
    inc.append('#include "microkernels.h"')
    return "\n".join(inc) + "\n"


HELPERS = {
    "scalar": """
static inline int32_t pqnn_load_i32(const void* p) {
  int32_t v;
  memcpy(&v, p, sizeof(v));
  return v;
}

static inline float pqnn_load_f32(const void* p) {
  float v;
  memcpy(&v, p, sizeof(v));
  return v;
}
""",
    "dpbusd_avx2": """
// vpdpbusd (u8 x s8, 4 products summed into each int32 lane) emulated exactly: even and
// odd bytes widened to int16 (u8 zero-extended, s8 sign-extended), two vpmaddwd.
static inline __m256i pqnn_dpbusd_avx2(__m256i acc, __m256i a, __m256i b) {
  const __m256i a_even = _mm256_and_si256(a, _mm256_set1_epi16(0x00FF));
  const __m256i a_odd = _mm256_srli_epi16(a, 8);
  const __m256i b_even = _mm256_srai_epi16(_mm256_slli_epi16(b, 8), 8);
  const __m256i b_odd = _mm256_srai_epi16(b, 8);
  return _mm256_add_epi32(acc, _mm256_add_epi32(_mm256_madd_epi16(a_even, b_even),
      _mm256_madd_epi16(a_odd, b_odd)));
}
""",
    "sse2": """
static inline __m128i pqnn_mullo_epi32_sse2(__m128i a, __m128i b) {
  const __m128i even = _mm_mul_epu32(a, b);
  const __m128i odd = _mm_mul_epu32(_mm_srli_epi64(a, 32), _mm_srli_epi64(b, 32));
  return _mm_unpacklo_epi32(_mm_shuffle_epi32(even, _MM_SHUFFLE(0, 0, 2, 0)),
      _mm_shuffle_epi32(odd, _MM_SHUFFLE(0, 0, 2, 0)));
}
""",
}


# ---------------------------------------------------------------------------------------
# Pieces shared with scripts/kernels/int8_c8.py. Each returns lines of C; v is the V
# vocabulary of the kernel (None for the scalar family).
# ---------------------------------------------------------------------------------------
def prologue(variant, family, v, sign=True):
    """The params (bounds, output zero point), the family's constants (sign: the dpbusd
    XOR constant, not for the kernels that flip A) and the weight pointer: the kernel's
    lines before its row pointers."""
    o = []
    if variant == "qs8":
        o.append("  const struct pqnn_qs8_minmax_params* p = (const struct pqnn_qs8_minmax_params*) params;")
        if family == "scalar":
            o.append("  const float vmin = p->output_min_less_zero_point;")
            o.append("  const float vmax = p->output_max_less_zero_point;")
            o.append("  const int32_t vzp = p->output_zero_point;")
        else:
            o.append(f"  const {v.fvec} vmin = {v.set1f('p->output_min_less_zero_point')};")
            o.append(f"  const {v.fvec} vmax = {v.set1f('p->output_max_less_zero_point')};")
            o.append(f"  const {v.ivec} vzp = {v.set1i('p->output_zero_point')};")
    else:
        o.append("  const struct pqnn_f32_minmax_params* p = (const struct pqnn_f32_minmax_params*) params;")
        if family == "scalar":
            o.append("  const float vmin = p->min;")
            o.append("  const float vmax = p->max;")
        else:
            o.append(f"  const {v.fvec} vmin = {v.set1f('p->min')};")
            o.append(f"  const {v.fvec} vmax = {v.set1f('p->max')};")
    if family == "dpbusd" and sign:
        o.append(f"  const {v.ivec} vsign = {v.set1i('(int) 0x80808080')};")
    if family == "madd" and v.bits > 128:
        if v.bits == 256:
            o.append("  const __m256i vperm = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);")
        else:
            o.append("  const __m512i vperm = _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);")
    o.append("  const int8_t* wp = (const int8_t*) w;")
    return o


def qd8_row_params(kind, mr, v, ioff):
    """The qd8 input's negated zero point (plus the input offset ioff) and scale, per row
    (GEMM) or once (IGEMM): vnzp*, vrs*."""
    ivec, fvec = ("int32_t", "float") if v is None else (v.ivec, v.fvec)
    o = []
    for q, sfx in skeleton.qd8_rows(kind, mr):
        zp, scale = f"-({q}->zero_point + {ioff})", f"{q}->scale"
        if v is not None:
            zp, scale = v.set1i(zp), v.set1f(scale)
        o.append(f"  const {ivec} vnzp{sfx} = {zp};")
        o.append(f"  const {fvec} vrs{sfx} = {scale};")
    return o


def panel_outputs(v, nr, rows, cols, loads, output):
    """The epilogue: per (name, load) of loads the vectors name{u} = load(u) of the
    panel's f32 suffix (wp steps past its nr floats each), then output(i, u) for each of
    rows x cols accumulators."""
    o = []
    for u in range(cols):
        for name, load in loads:
            o.append(f"    const {v.fvec} {name}{u} = {load(u)};")
    o.append(f"    wp += {4 * nr * len(loads)};")
    for i in range(rows):
        for u in range(cols):
            o += output(i, u)
    return o


def qd8_outputs(v, nr, rows, cols, acc, kernel_scale, bias, scale):
    """The qd8 f32 epilogue: vks{u} = kernel_scale(u), vbias{u} = bias(u), then
    vo{i}_{u} = clamp(acc{i}_{u} x scale(i, u) + vbias{u})."""
    def output(i, u):
        f = f"vo{i}_{u}"
        # bound first: a NaN result (NaN row scale) propagates through max/min
        return [f"    {v.fvec} {f} = {v.fmadd(v.i2f(f'{acc}{i}_{u}'), scale(i, u), f'vbias{u}')};",
                f"    {f} = {v.minf('vmax', v.maxf('vmin', f))};"]
    return panel_outputs(v, nr, rows, cols, [("vks", kernel_scale), ("vbias", bias)], output)


def k_tail(ind, body):
    """The K remainder after the main loop, on the accumulators acc*: body(ind, load
    size, accumulator prefix) gives the lines of one step."""
    return [f"{ind}if (k != kc) {{"] + body(ind + "  ", "kc - k", "acc") + [f"{ind}}}"]


def pinned_regs(ind, v, rows, cols):
    """(declarations, copies back): copies vp{row}_{col} of the accumulators acc{row}_{col}
    (rows x cols) held in the top vector registers (PQNN_X86_ACC_REG, gcc only) around a
    main K loop that makes no calls, and the lines storing them back."""
    reg = {128: "xmm", 256: "ymm", 512: "zmm"}[v.bits]
    regs = 32 if v.bits == 512 else 16
    cells = [(i, j) for i in range(rows) for j in range(cols)]
    decls = [f'{ind}register {v.ivec} vp{i}_{j} PQNN_X86_ACC_REG("{reg}{regs - rows * cols + i * cols + j}") = acc{i}_{j};'
             for i, j in cells]
    return decls, [f"{ind}acc{i}_{j} = vp{i}_{j};" for i, j in cells]


def pinned_kloop(ind, v, rows, cols, step, body):
    """The K loop over accumulators acc{row}_{col} (rows x cols): the main loop of step k
    on copies held in the top vector registers (pinned_regs), then the K tail (which may
    call memcpy) on the accumulators themselves."""
    decls, back = pinned_regs(ind + "  ", v, rows, cols)
    r = [f"{ind}size_t k = 0;", f"{ind}{{"] + decls
    r.append(f"{ind}  for (; k + {step} <= kc; k += {step}) {{")
    r += body(ind + "    ", str(step), "vp")
    r.append(f"{ind}  }}")
    r += back
    r.append(f"{ind}}}")
    return r + k_tail(ind, body)


def dpbusd_step(ind, v, mr, nv, dp, row, loadexpr, acc, sign, prefetch=0):
    """One step of 4 k of the dpbusd family: loadexpr bytes of each row's A at row(i)
    broadcast (XORed with vsign where sign), times each of the nv weight vectors; prefetch:
    bytes ahead of the weights to prefetch (one line per 64 bytes a step reads; 0: none)."""
    def bcast(i):
        va = v.set1i(f"(int) u{i}")
        return f"{v.p}_xor_{v.si}({va}, vsign)" if sign else va
    b = [line for i in range(mr)
         for line in (f"{ind}uint32_t u{i} = 0;", f"{ind}memcpy(&u{i}, {row(i)}, {loadexpr});")]
    b += [f"{ind}const {v.ivec} va{i} = {bcast(i)};" for i in range(mr)]
    for u in range(nv):
        b.append(f"{ind}const {v.ivec} vw{u} = {v.loadi(f'wp + {4 * v.L * u}')};")
        b += [f"{ind}{acc}{i}_{u} = {dp}({acc}{i}_{u}, va{i}, vw{u});" for i in range(mr)]
    if prefetch:
        b += [f"{ind}_mm_prefetch((const char*) wp + {prefetch + 64 * line}, _MM_HINT_T0);"
              for line in range((4 * v.L * nv + 63) // 64)]
    return b + [f"{ind}wp += {4 * v.L * nv};"]


# The VNNI GEMM kernels (avxvnni, avx512vnni) flip A (x ^ 0x80, uint8 for vpdpbusd) into a
# stack buffer of FLIP_CHUNK bytes per row: once per call when kc <= FLIP_CHUNK (the K loop
# of every nc tile reads the same copy), else per K chunk of each nc tile (one vector XOR per
# vector of A instead of one per 4 k and row). Why: src/microkernels/x86-int8-dot.h.
FLIP_CHUNK = 4096
# The VNNI IGEMM kernels of more than one row hand a call to their flipping twin (a static
# function of the same file: its stack copy and flip stay out of the other calls) where
# kc >= min_kc and nc spans at least `tiles` column tiles; other calls XOR per broadcast.
# isa: (min_kc, tiles). Intel Xeon of 2026-12-06, kernel calls of 9 taps, thread CPU time
# (docs/qd8-performance.md): below kc 32 or on one zmm column tile the flip did not repay
# itself; the ymm tiles gained from kc 64 on one tile.
IGEMM_FLIP = {"avxvnni": (64, 1), "avx512vnni": (32, 2)}
# The avx512vnni flipped K loops prefetch their weights this many bytes ahead (one line per
# 64 bytes a step reads). Intel Xeon of 2026-12-06, bench/int8-fc-peak, % of the zmm
# vpdpbusd peak, 3 interleaved rounds (none -> 1024 B): qs8_qc8w 256x1024x1024 66.9-68.9 ->
# 71.1-72.4, 64x768x3072 59.2-62.8 -> 62.7-67.4, 8x1024x1024 64.8-68.4 -> 71.3-72.1; qd8
# incl. convert 256x1024x1024 54.6-57.8 -> 57.6-60.1, 8x1024x1024 65.6-67.3 -> 69.1-70.6
# (a probe of the 4x64c4 loop streaming 1 MB: 591-597 -> 634-646 GOP/s). The avxvnni (ymm)
# loops lost with it (qs8 256x1024x1024 76.2-81.1% of the ymm peak -> 71.8-73.9%): none.
# Zen 5 not measured with it.
PREFETCH = 1024


def uses_flip(family, isa, kind, mr):
    """The VNNI kernels: GEMM, and IGEMM of more than one row through a twin (IGEMM_FLIP);
    the avx2 emulation XORs per broadcast."""
    return family == "dpbusd" and isa in ("avxvnni", "avx512vnni") and (kind == "gemm" or mr > 1)


def flip_rows(ind, v, mr, k0, n):
    """Lines flipping n bytes of every row's A from k0 into its FLIP_CHUNK slot of vflip."""
    return [f"{ind}pqnn_flip_u8_ymm(vflip + {i * FLIP_CHUNK}, a{i}{' + ' + k0 if k0 else ''}, {n});" for i in range(mr)]


def flipped_kloop(ind, v, mr, nv, dp):
    """The K loop of a flipping GEMM kernel: K in chunks of at most FLIP_CHUNK (one chunk
    when kc fits, flipped once before the nc loop), each flipped (when kc does not fit) and
    run in steps of 4 k up to the chunk rounded up to 4 (the padding is 0x80 times zero
    weights), on copies of the accumulators held in the top vector registers (see
    pinned_kloop)."""
    return flipped_chunks(ind, v, mr, nv, f"kc > {FLIP_CHUNK}", lambda i2: flip_rows(i2, v, mr, "k0", "kn"),
                          "vflip", flipped_step(v, mr, nv, dp))


def flipped_step(v, mr, nv, dp):
    """step(ind, row) of flipped_chunks for the dpbusd tiles: 4 k of the copy (row(i) the
    address of row i's bytes), no XOR; the avx512vnni loops prefetch the weights."""
    return lambda ind, row: dpbusd_step(ind, v, mr, nv, dp, row, "4", "vp", False, PREFETCH if v.L == 16 else 0)


def flipped_chunks(ind, v, rows, cols, cond, flip, base, step):
    """K in chunks of at most FLIP_CHUNK: where cond, flip(ind) flips the chunk (kn bytes
    from k0) of each row into its FLIP_CHUNK slot of vflip; then steps of 4 k (step(ind,
    row), row(i) the address of row i's 4 bytes) over the copy at base, up to the chunk
    rounded up to 4, on the accumulators acc{row}_{col} (rows x cols) pinned (pinned_regs)."""
    r = [f"{ind}size_t k0 = 0;", f"{ind}do {{",
         f"{ind}  const size_t kn = kc - k0 < {FLIP_CHUNK} ? kc - k0 : {FLIP_CHUNK};",
         f"{ind}  if ({cond}) {{"]
    r += flip(ind + "    ")
    r += [f"{ind}  }}", f"{ind}  const size_t kq = (kn + 3) & ~(size_t) 3;"]
    decls, back = pinned_regs(ind + "  ", v, rows, cols)
    r += decls
    r.append(f"{ind}  for (size_t k = 0; k < kq; k += 4) {{")
    r += step(ind + "    ", lambda i: f"{base} + {i * FLIP_CHUNK} + k")
    r.append(f"{ind}  }}")
    r += back
    r += [f"{ind}  k0 += kn;", f"{ind}}} while (k0 != kc);"]
    return r


# The c8 (vpmaddwd) GEMM kernels of the avx2 and avx512skx tiers sign-extend A to int16 into a
# stack buffer of WIDEN_CHUNK k per row: once per call when kc <= WIDEN_CHUNK, else per K chunk
# of each nc tile; the K loop broadcasts 8 int16 of a row from it. Why and the measurements:
# src/microkernels/x86-int8-dot.h (pqnn_widen_i8_ymm) and docs/qd8-performance.md.
WIDEN_CHUNK = 2048


def uses_widen(family, bits, kind):
    """The c8 kernels of the avx2 and avx512skx tiers: GEMM, and IGEMM through a twin."""
    return family == "madd" and bits in (256, 512)


def igemm_twin(family, isa, bits, kind, mr):
    """The twin of an IGEMM kernel: "flip" (the VNNI kernels of more than one row), "widen"
    (the c8 kernels of the avx2 and avx512skx tiers), else None."""
    if kind != "igemm":
        return None
    if uses_flip(family, isa, kind, mr):
        return "flip"
    return "widen" if uses_widen(family, bits, kind) else None


def widen_rows(ind, mr, k0, n):
    """Lines widening n k of every row's A from k0 into its WIDEN_CHUNK slot of vwide."""
    return [f"{ind}pqnn_widen_i8_ymm(vwide + {i * WIDEN_CHUNK}, a{i}{' + ' + k0 if k0 else ''}, {n});" for i in range(mr)]


def widened_madd_kloop(ind, v, mr, nr):
    """The K loop of a widening c8 GEMM kernel: K in chunks of at most WIDEN_CHUNK (one chunk
    when kc fits, widened once before the nc loop), each widened (when kc does not fit) and
    run over the copy (widened_steps)."""
    r = [f"{ind}size_t k0 = 0;", f"{ind}do {{",
         f"{ind}  const size_t kn = kc - k0 < {WIDEN_CHUNK} ? kc - k0 : {WIDEN_CHUNK};",
         f"{ind}  if (kc > {WIDEN_CHUNK}) {{"]
    r += widen_rows(ind + "    ", mr, "k0", "kn")
    r += [f"{ind}  }}", f"{ind}  const size_t kq = (kn + 7) & ~(size_t) 7;"]
    r += widened_steps(ind + "  ", v, mr, nr, "vwide", "kq")
    r += [f"{ind}  k0 += kn;", f"{ind}}} while (k0 != kc);"]
    return r


def widened_steps(ind, v, mr, nr, base, kq, row=WIDEN_CHUNK):
    """Steps of 8 k over the widened copy at base (row i at base + i x row) up to kq
    (the k rounded up to 8: the padding is zero A times the packed zero weights), on copies
    of the accumulators held in the top vector registers (pinned_regs)."""
    decls, back = pinned_regs(ind, v, mr, 4)
    r = decls + [f"{ind}for (size_t k = 0; k < {kq}; k += 8) {{"]
    i2 = ind + "  "
    for i in range(mr):
        src = f"_mm_load_si128((const __m128i*) ({base} + {i * row} + k))"
        bc = (f"_mm256_broadcastsi128_si256({src})" if v.bits == 256 else f"_mm512_broadcast_i32x4({src})")
        r.append(f"{i2}const {v.ivec} va{i} = {bc};")
    r += madd_weights_step(i2, v, v.bits, mr, nr, "vp")
    r.append(f"{ind}}}")
    return r + back


# The avx2 single-row c8 K loops (batch 1: every weight byte read once, from memory when
# the layer does not fit the cache) prefetch their weights this many bytes ahead, one line
# per 64-byte step. Zen 3 (AVX2), bench/cold-weights qd8_8x4096x4096_b1, weight GB/s, 3
# interleaved rounds (none -> 1024 / 2048 / 4096 B ahead): 13.0-14.9 -> 15.7-16.9 /
# 15.7-18.6 / 14.4-16.4 (its stream_read_huge: 16.0-16.5). The f32 1x16 loop (already at
# the bandwidth) lost with it: 15.5-17.2 -> 13.9-14.5. Wider tiles reuse each line for
# several rows and stay without.
MADD_ROW_PREFETCH = 2048


def madd_weights_step(ind, v, bits, mr, nr, acc):
    """The rest of a c8 K step once va0.. hold 8 k of each row as int16: each of the 4
    column pairs' 8 k of weights sign-extended to int16, pmaddwd with every row into
    acc{i}_{j}, and the weight pointer on by the step (the avx2 single-row loop prefetching
    MADD_ROW_PREFETCH bytes ahead)."""
    b = []
    if bits == 256 and mr == 1 and MADD_ROW_PREFETCH:
        b.append(f"{ind}_mm_prefetch((const char*) wp + {MADD_ROW_PREFETCH}, _MM_HINT_T0);")
    for j in range(4):
        if bits == 128:
            b.append(f"{ind}const __m128i vw{j}t = _mm_loadl_epi64((const __m128i*) (wp + {8 * j}));")
            b.append(f"{ind}const __m128i vw{j} = _mm_srai_epi16(_mm_unpacklo_epi8(vw{j}t, vw{j}t), 8);")
        elif bits == 256:
            b.append(f"{ind}const __m256i vw{j} = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i*) (wp + {16 * j})));")
        else:
            b.append(f"{ind}const __m512i vw{j} = _mm512_cvtepi8_epi16(_mm256_loadu_si256((const __m256i*) (wp + {32 * j})));")
        for i in range(mr):
            b.append(f"{ind}{acc}{i}_{j} = {v.acc_add(f'{acc}{i}_{j}', f'{v.p}_madd_epi16(va{i}, vw{j})')};")
    b.append(f"{ind}wp += {8 * nr};")
    return b


# The c8 IGEMM kernels (avx2, avx512skx) hand a call to their widening twin (a static function
# of the same file, as the VNNI flip below) where kc >= IGEMM_WIDEN_MIN_KC and every tap of the
# call fits IGEMM_WIDEN_ROW k a row (taps x kc rounded up to 16 <= IGEMM_WIDEN_ROW: a 3x3
# convolution of 32 to 448 input channels): it widens all MR x taps rows once per call before
# the nc loop into a stack copy (row i's taps side by side in its slot; 8 KB a row, 32 KB for
# 4x16c8, as the 7-row flip's 28 KB), and the nc tiles read it; other calls extend A in the K
# loop as before. Intel Xeon of 2026-12-06, bench/int8-gemm-kernels conv3x3, qs8, medians of 3
# interleaved rounds (docs/qd8-performance.md): a first version widening every call lost at 16
# channels (0.89-0.96x) and, where the taps did not fit 2048 k a row and each nc tile widened
# each tap again, gained nothing at 256 / 512 channels (0.86-1.05x). As committed: 32
# channels 1.04-1.10x, 64-128 1.01-1.13x, 256 (4096 k a row: once per call) 1.06-1.12x.
IGEMM_WIDEN_MIN_KC = 32
IGEMM_WIDEN_ROW = 4096


def igemm_widen_use(mr):
    """The C condition under which a c8 IGEMM call runs its widening twin."""
    return (f"kc >= {IGEMM_WIDEN_MIN_KC} && kc <= {IGEMM_WIDEN_ROW} && "
            f"ks / ({mr} * sizeof(void*)) <= {IGEMM_WIDEN_ROW} / ((kc + 15) & ~(size_t) 15)")


def igemm_widen_setup(mr):
    """The widen buffer of a c8 IGEMM twin and the once-per-call widening of every tap (the
    caller's igemm_widen_use guarantees they fit)."""
    o = [f"  // A sign-extended to int16, {IGEMM_WIDEN_ROW} k a row (IGEMM_WIDEN_ROW of scripts/kernels/int8_gemm.py):",
         "  // every tap once per call (the caller checked that taps x kc rounded up to 16 fit)",
         f"  _Alignas(64) int16_t vwide_buf[{mr * IGEMM_WIDEN_ROW}];",
         "  int16_t* vwide = pqnn_launder_i16(vwide_buf);",
         "  const size_t kcr = (kc + 15) & ~(size_t) 15;",
         "  {"]
    return o + igemm_copy_taps(mr, "int16_t", "vwide", IGEMM_WIDEN_ROW, "pqnn_widen_i8_ymm")


def igemm_widen_taps(mr, nr, v):
    """The tap loop of a widening c8 IGEMM twin (one nc tile): each tap's K loop over its k of
    the once-widened copy."""
    o = ["    size_t p = ks;", "    const int16_t* vtap = vwide;", "    const size_t kq = (kc + 7) & ~(size_t) 7;",
         "    do {"]
    o += widened_steps("      ", v, mr, nr, "vtap", "kq", IGEMM_WIDEN_ROW)
    o += ["      vtap += kcr;", f"      p -= {mr} * sizeof(void*);", "    } while (p != 0);"]
    return o


# The VNNI IGEMM kernels flip into the same FLIP_CHUNK bytes a row. Where every tap of the
# call fits (taps x kc rounded up to 32 <= FLIP_CHUNK: a 3x3 convolution up to 448 input
# channels), all taps once per call before the nc loop, row i's taps side by side in its
# slot; else every nc tile flips each tap's rows per K chunk (as the GEMM above the chunk).
# The copy holds the bytes the indirection pointers give (a_offset added unless the pointer
# is zero).
def igemm_tap_rows(ind, mr, src):
    """Row pointers a0.. of one tap from the indirection pointers src[i], a_offset added
    unless the pointer is zero."""
    o = []
    for i in range(mr):
        o += [f"{ind}const int8_t* a{i} = (const int8_t*) {src}[{i}];",
              f"{ind}if (a{i} != (const int8_t*) zero) {{",
              f"{ind}  a{i} = (const int8_t*) ((uintptr_t) a{i} + a_offset);",
              f"{ind}}}"]
    return o


def igemm_flip_use(isa, nr):
    """The C condition under which a VNNI IGEMM call runs its flipping twin (else it XORs
    per broadcast): IGEMM_FLIP of the ISA."""
    min_kc, tiles = IGEMM_FLIP[isa]
    cond = f"kc >= {min_kc}"
    if tiles > 1:
        cond += f" && nc > {(tiles - 1) * nr}"
    return cond


def igemm_flip_setup(mr):
    """The flip buffer of an IGEMM kernel and the once-per-call flip of every tap."""
    tap = f"({mr} * sizeof(void*))"
    o = [f"  // A ^ 0x80 (uint8), {FLIP_CHUNK} bytes a row (FLIP_CHUNK of scripts/kernels/int8_gemm.py):",
         "  // every tap once per call where taps x kc (rounded up to 32) fit, else per tap and K chunk",
         f"  _Alignas(64) uint8_t vflip_buf[{mr * FLIP_CHUNK}];",
         "  uint8_t* vflip = pqnn_launder_u8(vflip_buf);",
         "  const size_t kcr = (kc + 31) & ~(size_t) 31;",
         f"  const int vflip_once = kcr <= {FLIP_CHUNK} && ks / {tap} <= {FLIP_CHUNK} / kcr;",
         "  const size_t vtap_step = vflip_once ? kcr : 0;",
         "  if (vflip_once) {"]
    return o + igemm_copy_taps(mr, "uint8_t", "vflip", FLIP_CHUNK, "pqnn_flip_u8_ymm")


def igemm_copy_taps(mr, elem, base, row, copy):
    """The body (and closing brace) of a twin's once-per-call copy of every tap: each tap's MR
    rows through copy(dst, src, kc) into the stack copy at base (row i at base + i x row, the
    taps kcr apart), for the flip and the widening alike."""
    tap = f"({mr} * sizeof(void*))"
    o = ["    const void** at = a;", f"    {elem}* vt = {base};",
         "    for (size_t t = 0; t != ks; t += " + tap + ") {"]
    o += igemm_tap_rows("      ", mr, "at")
    o += [f"      {copy}(vt + {i * row}, a{i}, kc);" for i in range(mr)]
    o += [f"      at += {mr};", "      vt += kcr;", "    }", "  }"]
    return o


def igemm_flip_taps(mr, rows, cols, step, v):
    """The tap loop of a flipping IGEMM kernel (one nc tile): each tap's K loop on its copy
    (vtap: the tap's bytes of the once-flipped copy, else the per-chunk copy of its rows)."""
    def flip(ind):
        return igemm_tap_rows(ind, mr, "a") + [
            f"{ind}pqnn_flip_u8_ymm(vflip + {i * FLIP_CHUNK}, a{i} + k0, kn);" for i in range(mr)]
    o = ["    size_t p = ks;", "    const uint8_t* vtap = vflip;", "    do {"]
    o += flipped_chunks("      ", v, rows, cols, "!vflip_once", flip, "vtap", step)
    o += [f"      a += {mr};", "      vtap += vtap_step;",
          f"      p -= {mr} * sizeof(void*);", "    } while (p != 0);"]
    return o


def gemm_copy_setup(what, chunk_name, chunk, elem, buf, launder, mr, rows):
    """The stack copy of A of a flipping or widening GEMM kernel (chunk elements a row) and
    the lines `rows` that fill it once per call where kc fits (else per K chunk)."""
    unit = "bytes" if elem == "uint8_t" else "k"
    return ([f"  // {what}, {chunk} {unit} a row ({chunk_name} of scripts/kernels/int8_gemm.py)",
             f"  _Alignas(64) {elem} {buf}_buf[{mr * chunk}];",
             f"  {elem}* {buf} = pqnn_launder_{launder}({buf}_buf);",
             f"  if (kc <= {chunk}) {{"] + rows + ["  }"])


def store_loop(mr, nr, out_t, kind, full_row, partial, rewind_a=True):
    """The end of the nc loop: full_row(i) stores row i's nr outputs while nc >= nr (then
    the row pointers step on, and an IGEMM's indirection pointer goes back to the first tap
    where rewind_a), else the lines of partial() store the last nc columns."""
    o = [f"    if (PQNN_LIKELY(nc >= {nr})) {{"]
    for i in reversed(range(mr)):
        o += full_row(i)
        o.append(f"      c{i} = ({out_t}*) ((uintptr_t) c{i} + cn_stride);")
    if kind == "igemm" and rewind_a:
        o.append("      a = (const void**) ((uintptr_t) a - ks);")
    o.append(f"      nc -= {nr};")
    o.append("    } else {")
    o += partial()
    o.append("      nc = 0;")
    o.append("    }")
    o.append("  } while (nc != 0);")
    o.append("}")
    return o


def vector_pieces(mr, nv, width, store, count):
    """The last nc (< nv x width) columns stored as full pieces of width columns while
    that many remain, then one partial piece: store(i, u, n, ind) stores row i's piece u
    (n: None for all of it, else the column count); count(u) gives the partial piece's
    declaration line and the name of its column count."""
    o = []
    for u in range(nv):
        o.append(f"      if (nc >= {width * (u + 1)}) {{")
        for i in reversed(range(mr)):
            o += store(i, u, None, "        ")
        decl, n = count(u)
        o.append(f"      }} else if (nc > {width * u}) {{")
        o.append(f"        {decl}")
        for i in reversed(range(mr)):
            o += store(i, u, n, "        ")
        o.append("      }")
    return o


def gen(isa, family, bits, nr, kr, mr, ioff, variant, kind, part=None):
    """The kernel's source; a flipping or widening IGEMM kernel (igemm_twin) is two functions:
    part "flip" / "widen" gives its static twin (the function alone), "public" the public
    kernel that XORs per broadcast (flip) or extends A in the K loop (widen) and hands the
    calls of IGEMM_FLIP / igemm_widen_use to the twin."""
    name = kernel_name(variant, kind, mr, nr, kr, isa)
    twin_kind = igemm_twin(family, isa, bits, kind, mr)
    if twin_kind and part is None:
        twin = gen(isa, family, bits, nr, kr, mr, ioff, variant, kind, twin_kind)
        return gen(isa, family, bits, nr, kr, mr, ioff, variant, kind, "public").replace("\n@TWIN@\n", twin)
    out_t = {"qs8": "int8_t", "qd8_f32": "float", "qd8_f16": "uint16_t"}[variant]
    loop = LOOP[family]
    if uses_flip(family, isa, kind, mr) and kind == "igemm":
        loop = (f"Inner loop: 4 k of A as uint8 times 4 k of each column, vpdpbusd into per-column int32\n"
                "// accumulators; input_offset 128 (folded into the packed bias' / ksum terms). The calls\n"
                f"// with {igemm_flip_use(isa, nr)} run the flipping twin (A XORed with 0x80 into a\n"
                f"// stack copy of {FLIP_CHUNK} bytes a row: every tap once per call where taps x kc fit,\n"
                "// else per tap and K chunk of each nc tile); the others XOR each broadcast of A.")
    elif uses_flip(family, isa, kind, mr):
        loop = (f"Inner loop: 4 k of A as uint8 (x ^ 0x80, flipped once per call into a stack copy of\n"
                f"// {FLIP_CHUNK} bytes a row, or per K chunk of each nc tile when kc is larger) times 4 k\n"
                "// of each column, vpdpbusd into per-column int32 accumulators; input_offset 128\n"
                "// (folded into the packed bias' / ksum terms).")
    elif twin_kind == "widen":
        loop = ("Inner loop: 8 k of A and of each column sign-extended to int16, pmaddwd into\n"
                "// 4 int32 partial sums per column, reduced and reordered after the K loop; input_offset 0.\n"
                f"// The calls with {igemm_widen_use(mr)}\n"
                f"// run the widening twin (every tap's A sign-extended once per call into a stack copy of\n"
                f"// {IGEMM_WIDEN_ROW} int16 a row); the others extend A in the K loop.")
    text = HEADER.format(
        what={"qs8": "qs8 x qc8w (fp32 requantization)", "qd8_f32": "qd8 x qc8w -> f32",
              "qd8_f16": "qd8 x qc8w -> f16"}[variant],
        kind_upper=kind.upper(), tile=tile_name(mr, nr, kr), isa=isa,
        layout=LAYOUT[variant].format(nr=nr), nr=nr, kr=kr, loop=loop,
        epilogue=EPILOGUE[variant])
    text += includes(family, variant, isa)
    if family == "scalar":
        text += HELPERS["scalar"]
    elif bits == 128 and variant != "qs8":
        text += HELPERS["sse2"]
    if family == "dpbusd" and isa == "avx2":
        text += HELPERS["dpbusd_avx2"]
    if part in ("flip", "widen"):
        text = ""
    o = []
    o.append("")
    if part == "flip":
        o.append("// The flipping twin of " + name + " (IGEMM_FLIP of scripts/kernels/int8_gemm.py).")
        o.append("PQNN_NOINLINE static " + signature(variant, kind, name + "__flip") + " {")
    elif part == "widen":
        o.append("// The widening twin of " + name + " (igemm_widen_use of scripts/kernels/int8_gemm.py).")
        o.append("PQNN_NOINLINE static " + signature(variant, kind, name + "__widen") + " {")
    else:
        if part == "public":
            o.append("@TWIN@")
            o.append("")
        o.append(signature(variant, kind, name) + " {")
    v = V(bits, isa) if family != "scalar" else None
    L = v.L if v else 1
    nv = nr // L if v else nr
    if part == "public":
        args = "mr, nc, kc, ks, a, w, c, cm_stride, cn_stride, a_offset, zero, params"
        if variant != "qs8":
            args += ", quantization_params"
        use = igemm_flip_use(isa, nr) if twin_kind == "flip" else igemm_widen_use(mr)
        o += [f"  if ({use}) {{", f"    {name}__{twin_kind}({args});", "    return;", "  }"]
    flip = uses_flip(family, isa, kind, mr) and part != "public"
    o += prologue(variant, family, v, sign=not flip)
    # ---- row pointers
    o += skeleton.row_pointers(mr, kind, "int8_t", out_t, quantization=variant != "qs8")
    # ---- qd8 per-row zero point (negated, plus the input offset) and scale
    if variant != "qs8":
        o += qd8_row_params(kind, mr, v, ioff)

    def zrow(i):
        return skeleton.row_reg(kind, "vnzp", i)

    def srow(i):
        return skeleton.row_reg(kind, "vrs", i)

    if flip and kind == "igemm":
        o += igemm_flip_setup(mr)
    elif flip:
        o += gemm_copy_setup("A ^ 0x80 (uint8)", "FLIP_CHUNK", FLIP_CHUNK, "uint8_t", "vflip", "u8", mr,
                             flip_rows("    ", v, mr, None, "kc"))
    widen = uses_widen(family, bits, kind) and part != "public"
    if widen and kind == "igemm":
        o += igemm_widen_setup(mr)
    elif widen:
        o += gemm_copy_setup("A sign-extended to int16", "WIDEN_CHUNK", WIDEN_CHUNK, "int16_t", "vwide", "i16", mr,
                             widen_rows("    ", mr, None, "kc"))

    o.append("  do {")
    # ---- accumulator init
    if family == "scalar":
        for j in range(nr):
            o.append(f"    const int32_t vb{j} = pqnn_load_i32(wp + {4 * j});")
        for i in range(mr):
            for j in range(nr):
                init = f"vb{j}" if variant == "qs8" else f"(int32_t) ((uint32_t) vb{j} * (uint32_t) {zrow(i)})"
                o.append(f"    int32_t acc{i}_{j} = {init};")
    elif family == "madd":
        o.append("    const int8_t* wprefix = wp;")
        for i in range(mr):
            for j in range(4):
                o.append(f"    {v.ivec} acc{i}_{j} = {v.p}_setzero_{v.si}();")
    else:
        for u in range(nv):
            o.append(f"    const {v.ivec} vb{u} = {v.loadi(f'wp + {4 * L * u}')};")
        for i in range(mr):
            for u in range(nv):
                init = f"vb{u}" if variant == "qs8" else v.mullo(f"vb{u}", zrow(i))
                o.append(f"    {v.ivec} acc{i}_{u} = {init};")
    o.append(f"    wp += {4 * nr};")

    # ---- K loop body generator over row pointers named a0.. (already offset)
    def kloop(ind):
        r = []
        if family == "scalar":
            r.append(f"{ind}for (size_t k = 0; k < kc; k++) {{")
            for i in range(mr):
                r.append(f"{ind}  const int32_t va{i} = (int32_t) a{i}[k];")
            for j in range(nr):
                r.append(f"{ind}  const int32_t vw{j} = (int32_t) wp[{j}];")
            for i in range(mr):
                for j in range(nr):
                    # int32 sums wrap as in the SIMD kernels (signed overflow is UB in C).
                    r.append(f"{ind}  acc{i}_{j} = (int32_t) ((uint32_t) acc{i}_{j} + (uint32_t) (va{i} * vw{j}));")
            r.append(f"{ind}  wp += {nr};")
            r.append(f"{ind}}}")
            return r
        if family == "madd":
            def body(ind2, loadexpr, acc="acc"):
                b = []
                for i in range(mr):
                    b.append(f"{ind2}uint64_t u{i} = 0;")
                    b.append(f"{ind2}memcpy(&u{i}, a{i} + k, {loadexpr});")
                for i in range(mr):
                    if bits == 128:
                        b.append(f"{ind2}const __m128i vt{i} = _mm_cvtsi64_si128((long long) u{i});")
                        b.append(f"{ind2}const __m128i va{i} = _mm_srai_epi16(_mm_unpacklo_epi8(vt{i}, vt{i}), 8);")
                    elif bits == 256:
                        b.append(f"{ind2}const __m256i va{i} = _mm256_cvtepi8_epi16(_mm_set1_epi64x((long long) u{i}));")
                    else:
                        b.append(f"{ind2}const __m512i va{i} = _mm512_cvtepi8_epi16(_mm256_set1_epi64x((long long) u{i}));")
                return b + madd_weights_step(ind2, v, bits, mr, nr, acc)
            if widen:
                return widened_madd_kloop(ind, v, mr, nr)
            return pinned_kloop(ind, v, mr, 4, 8, body)
        # dpbusd
        # The VNNI helpers (src/microkernels/x86-int8-dot.h) keep gcc from copying and
        # spilling the accumulators around every vpdpbusd.
        dp = ("pqnn_dpbusd_zmm" if bits == 512 else
              "pqnn_dpbusd_avx2" if isa == "avx2" else "pqnn_dpbusd_ymm_vex")

        def body(ind2, loadexpr, acc="acc"):
            return dpbusd_step(ind2, v, mr, nv, dp, lambda i: f"a{i} + k", loadexpr, acc, True)
        if flip and kind == "gemm":
            return flipped_kloop(ind, v, mr, nv, dp)
        if isa == "avx2":
            r.append(f"{ind}size_t k = 0;")
            r.append(f"{ind}for (; k + 4 <= kc; k += 4) {{")
            r += body(ind + "  ", "4")
            r.append(f"{ind}}}")
            return r + k_tail(ind, body)
        return pinned_kloop(ind, v, mr, nv, 4, body)

    if flip and kind == "igemm":
        dp = "pqnn_dpbusd_zmm" if bits == 512 else "pqnn_dpbusd_ymm_vex"
        o += igemm_flip_taps(mr, mr, nv, flipped_step(v, mr, nv, dp), v)
    elif widen and kind == "igemm":
        o += igemm_widen_taps(mr, nr, v)
    else:
        o += skeleton.over_taps(kind, mr, "int8_t", kloop)

    # ---- madd reduction to one vector per row, columns in order, plus the prefix term
    if family == "madd":
        if variant == "qs8":
            o.append(f"    const {v.ivec} vprefix = {v.loadi('wprefix')};")
        else:
            o.append(f"    const {v.ivec} vksum = {v.loadi('wprefix')};")
        for i in range(mr):
            P = v.p
            o.append(f"    const {v.ivec} vs{i}01 = {P}_add_epi32({P}_unpacklo_epi32(acc{i}_0, acc{i}_1), "
                     f"{P}_unpackhi_epi32(acc{i}_0, acc{i}_1));")
            o.append(f"    const {v.ivec} vs{i}23 = {P}_add_epi32({P}_unpacklo_epi32(acc{i}_2, acc{i}_3), "
                     f"{P}_unpackhi_epi32(acc{i}_2, acc{i}_3));")
            red = (f"{P}_add_epi32({P}_unpacklo_epi64(vs{i}01, vs{i}23), "
                   f"{P}_unpackhi_epi64(vs{i}01, vs{i}23))")
            if bits == 256:
                red = f"_mm256_permutevar8x32_epi32({red}, vperm)"
            elif bits == 512:
                red = f"_mm512_permutexvar_epi32(vperm, {red})"
            if variant == "qs8":
                o.append(f"    const {v.ivec} vacc{i}_0 = {v.addi(red, 'vprefix')};")
            else:
                o.append(f"    const {v.ivec} vacc{i}_0 = {v.addi(red, v.mullo('vksum', zrow(i)))};")
        accname = "vacc"
    else:
        accname = "acc"

    # ---- epilogue
    if family == "scalar":
        if variant == "qs8":
            for j in range(nr):
                o.append(f"    const float vscale{j} = pqnn_load_f32(wp + {4 * j});")
            o.append(f"    wp += {4 * nr};")
            for i in range(mr):
                for j in range(nr):
                    o.append(f"    float vf{i}_{j} = (float) acc{i}_{j} * vscale{j};")
                    o.append(f"    vf{i}_{j} = vf{i}_{j} < vmin ? vmin : vf{i}_{j};")
                    o.append(f"    vf{i}_{j} = vf{i}_{j} > vmax ? vmax : vf{i}_{j};")
                    o.append(f"    vf{i}_{j} += 12582912.0f;")
                    o.append(f"    uint32_t vbits{i}_{j};")
                    o.append(f"    memcpy(&vbits{i}_{j}, &vf{i}_{j}, sizeof(vbits{i}_{j}));")
                    o.append(f"    const int8_t vo{i}_{j} = (int8_t) ((int32_t) vbits{i}_{j} - INT32_C(0x4B400000) + vzp);")
        else:
            for j in range(nr):
                o.append(f"    const float vks{j} = pqnn_load_f32(wp + {4 * j});")
                o.append(f"    const float vbias{j} = pqnn_load_f32(wp + {4 * (nr + j)});")
            o.append(f"    wp += {8 * nr};")
            for i in range(mr):
                for j in range(nr):
                    o.append(f"    float vf{i}_{j} = (float) acc{i}_{j} * ({srow(i)} * vks{j}) + vbias{j};")
                    o.append(f"    vf{i}_{j} = vf{i}_{j} < vmin ? vmin : vf{i}_{j};")
                    o.append(f"    vf{i}_{j} = vf{i}_{j} > vmax ? vmax : vf{i}_{j};")
                    if variant == "qd8_f32":
                        o.append(f"    const float vo{i}_{j} = vf{i}_{j};")
                    else:
                        o.append(f"    const uint16_t vo{i}_{j} = fp16_ieee_from_fp32_value(vf{i}_{j});")

        def partial():
            return [f"      if (nc > {j}) c{i}[{j}] = vo{i}_{j};" for i in reversed(range(mr)) for j in range(nr - 1)]
        o += store_loop(mr, nr, out_t, kind, lambda i: [f"      c{i}[{j}] = vo{i}_{j};" for j in range(nr)], partial)
        return text + "\n".join(o) + "\n"

    # SIMD epilogue: per row i and vector u, an output vector vo{i}_{u}
    if variant == "qs8":
        def requantize(i, u):
            f = f"vf{i}_{u}"
            return [f"    {v.fvec} {f} = {v.mulf(v.i2f(f'{accname}{i}_{u}'), f'vscale{u}')};",
                    f"    {f} = {v.minf(v.maxf(f, 'vmin'), 'vmax')};",
                    f"    const {v.ivec} vo{i}_{u} = {v.addi(v.f2i(f), 'vzp')};"]
        o += panel_outputs(v, nr, mr, nv, [("vscale", lambda u: v.loadf(f'wp + {4 * L * u}'))], requantize)
    else:
        o += qd8_outputs(v, nr, mr, nv, accname, lambda u: v.loadf(f'wp + {4 * L * u}'),
                         lambda u: v.loadf(f'wp + {4 * (nr + L * u)}'), lambda i, u: v.mulf(srow(i), f'vks{u}'))

    def store(i, u, n, ind):
        r = []
        ptr = f"c{i} + {L * u}" if u else f"c{i}"
        if variant == "qs8":
            v.store_qs8(r, ptr, f"vo{i}_{u}", n)
        elif variant == "qd8_f32":
            v.store_f32(r, ptr, f"vo{i}_{u}", n)
        else:
            v.store_f16(r, ptr, f"vo{i}_{u}", n)
        return [ind + line for line in r]

    def partial():
        if nv == 1:
            return [line for i in reversed(range(mr)) for line in store(i, 0, "nc", "      ")]
        return vector_pieces(mr, nv, L, store, lambda u: (f"const size_t n = nc - {L * u};", "n"))

    # the widening twin's taps read the copy: its indirection pointer stays on the first tap
    o += store_loop(mr, nr, out_t, kind,
                    lambda i: [line for u in range(nv) for line in store(i, u, None, "      ")], partial,
                    rewind_a=not (widen and kind == "igemm"))
    return text + "\n".join(o) + "\n"


SUITES = ["FullTile", "Edges", "LargeK", "Strides", "ZeroPoints", "Scales", "Clamp", "Indirection"]


def write_tests():
    """One kernel test per family, over the family's kernel list (every architecture: the
    list keeps the rows this build compiles)."""
    for variant in VARIANTS:
        for kind in ("gemm", "igemm"):
            fam = family_dir(variant, kind)
            cls = "".join(part.capitalize() for part in fam.split("-"))
            fns = ["nullptr"] * 4
            fns[(0 if kind == "gemm" else 1) if variant == "qs8" else (2 if kind == "gemm" else 3)] = "fn"
            lines = [
                "// Generated by scripts/kernels/int8_gemm.py: do not edit.",
                f"// Kernel tests for every {fam} microkernel of this build (list:",
                f"// src/microkernels/{fam}/{fam}.inc; tester: test/common/int8-gemm-tester.h);",
                "// a kernel whose ISA the CPU (or PQNN_ISA) lacks is skipped.",
                "#include <gtest/gtest.h>",
                "",
                "#include <string>",
                "",
                '#include "common/int8-gemm-tester.h"',
                '#include "common/test-utils.h"',
                "",
                "namespace {",
                "",
                "using pqnn_test::Int8GemmKernel;",
                "using pqnn_test::Int8Variant;",
                "",
                "const Int8GemmKernel kKernels[] = {",
                "#define PQNN_UKERNEL(tier, mr, nr, kr, input_offset, fn) \\",
                f'    {{#fn, tier, Int8Variant::{variant}, {"true" if kind == "igemm" else "false"}, '
                f'mr, nr, kr, input_offset, {", ".join(fns)}}},',
                f'#include "microkernels/{fam}/{fam}.inc"',
                "#undef PQNN_UKERNEL",
                "};",
                "",
                f"class {cls} : public ::testing::TestWithParam<Int8GemmKernel> {{",
                " protected:",
                "  void SetUp() override {",
                "    if (!pqnn_test::isa_enabled(GetParam().isa)) {",
                '      GTEST_SKIP() << "CPU or PQNN_ISA lacks " << pqnn_isa_string(GetParam().isa);',
                "    }",
                "  }",
                "};",
                "",
            ]
            for s in SUITES:
                if s == "Indirection" and kind == "gemm":
                    continue
                lines.append(f"TEST_P({cls}, {s}) {{ pqnn_test::Int8Suite{s}(GetParam()); }}")
            lines += [
                "",
                f"INSTANTIATE_TEST_SUITE_P(Kernels, {cls}, ::testing::ValuesIn(kKernels),",
                "    [](const ::testing::TestParamInfo<Int8GemmKernel>& info) {",
                "      return std::string(info.param.name);",
                "    });",
                "",
                "}  // namespace",
            ]
            path = os.path.join(ROOT, "test", "microkernels", f"{fam}-test.cc")
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as f:
                f.write("\n".join(lines) + "\n")


def variant_of(k):
    """qs8, qd8_f32 or qd8_f16: the arithmetic variant of an int8 GEMM/IGEMM row."""
    return {family_dir(v, kind): v for v in VARIANTS for kind in ("gemm", "igemm")}[k.family]


def emit(k):
    """The source of manifest row k: the inner-loop family follows from the ISA and KR
    (kr 1: scalar, 8: madd, 4: dpbusd), the input offset is the row's."""
    mr, nr, kr = k.geometry
    if k.isa == "avx512vnni" and kr == 8:
        # 8-column blocks of 8 k per zmm: scripts/kernels/int8_c8.py (imported here: it
        # is built on this module's pieces)
        from kernels import int8_c8
        if variant_of(k) != "qd8_f32" or k.kind != "igemm":
            raise ValueError(f"{k.path}: avx512vnni c8 tiles are qd8_f32 IGEMM only")
        return int8_c8.gen(kernel_name("qd8_f32", "igemm", mr, nr, kr, k.isa), mr, nr)
    family = "scalar" if k.isa == "scalar" else {8: "madd", 4: "dpbusd"}[kr]
    return gen(k.isa, family, BITS[k.isa], nr, kr, mr, k.offset, variant_of(k), k.kind)


EMITS = {(family_dir(v, kind), isa): emit for v in VARIANTS for kind in ("gemm", "igemm")
         for isa in BITS}
