"""Generates the scalar and x86 f32 depthwise-convolution (dwconv) microkernels.

Run by scripts/generate-kernels.py
Writes src/microkernels/f32-dwconv/<taps>p<CT>c-<isa>.c for taps in {9, 25, any}.

One template serves every ISA: a kernel walks output pixels; per pixel it takes the
kernel_size input pointers (a_offset added to those that are not `zero`), then walks the
channels in tiles of CT (CT / V vectors of V lanes), then, for the last partial tile,
in single vectors, then one masked / partial vector. Loads of the input never pass the
`channels`-th element of a pixel; stores never pass the `channels`-th output.
"""
import textwrap

from kernels import skeleton
from kernels import x86_f32 as vf


class Isa:
    """One ISA: names, vector type, accumulator chains (its expressions: x86_f32.py)."""

    def __init__(self, name, suffix, enum, v, vtype, include, fixed_acc):
        self.name = name          # kernel-name suffix, e.g. avx2_fma
        self.suffix = suffix      # file-name suffix, e.g. avx2-fma
        self.enum = enum          # pqnn_isa_* tier needed
        self.v = v                # lanes per vector
        self.vtype = vtype
        self.include = include
        # Accumulator chains of the 9-tap kernels (measured on AMD EPYC Zen: 2 helps SSE2's
        # separate mul + add, FMA ISAs did as well or better with 1). 25-tap and generic
        # kernels always use 2 (measured faster; see src/configs/f32-dwconv-config.c).
        self.fixed_acc = fixed_acc


SCALAR = Isa("scalar", "scalar", "pqnn_isa_scalar", 1, "float", None, 1)
SSE2 = Isa("sse2", "sse2", "pqnn_isa_sse2", 4, "__m128", "<emmintrin.h>", 2)
AVX2 = Isa("avx2_fma", "avx2-fma", "pqnn_isa_avx2", 8, "__m256", "<immintrin.h>", 1)
AVX512 = Isa("avx512f", "avx512f", "pqnn_isa_avx512", 16, "__m512", "<immintrin.h>", 1)
ISAS = (SCALAR, SSE2, AVX2, AVX512)


def masked_load(isa, p):
    """Loads the first c (1 <= c < V) floats at p, zero elsewhere, reading only those."""
    return {"sse2": f"load_partial({p}, c)", "avx2_fma": f"_mm256_maskload_ps({p}, vmask)",
            "avx512f": f"_mm512_maskz_loadu_ps(vmask, {p})"}[isa.name]


PARTIAL_HELPERS = {
    "sse2": """
// Loads the first c (1..3) floats at p into the low lanes, reading exactly c floats.
static inline __m128 load_partial(const float* p, size_t c) {
  if (c & 2) {
    const __m128 vlo = _mm_loadl_pi(_mm_setzero_ps(), (const __m64*) p);
    return (c & 1) ? _mm_movelh_ps(vlo, _mm_load_ss(p + 2)) : vlo;
  }
  return _mm_load_ss(p);
}

// Stores the low c (1..3) lanes of v at p.
static inline void store_partial(float* p, __m128 v, size_t c) {
  if (c & 2) {
    _mm_storel_pi((__m64*) p, v);
    v = _mm_movehl_ps(v, v);
    p += 2;
  }
  if (c & 1) {
    _mm_store_ss(p, v);
  }
}
""",
    "avx2_fma": """
// mask_table + 8 - c: c lanes of -1 (load), then zeros.
static const int32_t mask_table[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};

// Stores the low c (1..7) lanes of v at p.
static inline void store_partial(float* p, __m256 v, size_t c) {
  __m128 vlo = _mm256_castps256_ps128(v);
  if (c & 4) {
    _mm_storeu_ps(p, vlo);
    vlo = _mm256_extractf128_ps(v, 1);
    p += 4;
  }
  if (c & 2) {
    _mm_storel_pi((__m64*) p, vlo);
    vlo = _mm_movehl_ps(vlo, vlo);
    p += 2;
  }
  if (c & 1) {
    _mm_store_ss(p, vlo);
  }
}
""",
    "avx512f": "",
}


def tap_names(taps):
    return [f"i{t}" for t in range(taps)]


def kernel_name(taps, ct, isa):
    t = "any" if taps == 0 else str(taps)
    return f"pqnn_f32_dwconv_minmax_ukernel_{t}p{ct}c__{isa.name}"


def fixed_acc(isa, taps):
    """Accumulator chains of a fixed-tap kernel: the ISA's choice for 9 taps; 25 taps always
    use 2 (one chain of 25 dependent FMAs measured slower on AVX2)."""
    return 2 if taps >= 25 else isa.fixed_acc


def emit_block(isa, taps, ct, lanes, kind, ind):
    """One block of `lanes` channels (a multiple of V, or one partial vector when kind is
    'partial'). The weights pointer w points at this block's bias; taps follow at a stride
    of ct floats (the packed tile), so a block inside a partial tile uses the same stride.
    Input pointers advance by `lanes` (or c) floats."""
    v = isa.v
    nv = max(1, lanes // v)
    out = []
    p = ind
    for j in range(nv):
        out.append(f"{p}{isa.vtype} vacc{j} = {vf.load(isa.name, f'w + {j * v}' if j else 'w')};")
    if taps:
        for t in range(taps):
            for j in range(nv):
                src = f"i{t} + {j * v}" if j else f"i{t}"
                ld = masked_load(isa, src) if kind == "partial" else vf.load(isa.name, src)
                out.append(f"{p}const {isa.vtype} vi{t}x{j} = {ld};")
            if kind != "partial":
                out.append(f"{p}i{t} += {lanes};")
            for j in range(nv):
                wo = (t + 1) * ct + j * v
                wv = vf.load(isa.name, f"w + {wo}")
                if fixed_acc(isa, taps) == 1:
                    out.append(f"{p}vacc{j} = {vf.fma(isa.name, f'vi{t}x{j}', wv, f'vacc{j}')};")
                elif t == 1:  # odd taps: second accumulator chain
                    out.append(f"{p}{isa.vtype} vaccb{j} = {vf.mul(isa.name, f'vi{t}x{j}', wv)};")
                else:
                    acc = f"vaccb{j}" if t % 2 else f"vacc{j}"
                    out.append(f"{p}{acc} = {vf.fma(isa.name, f'vi{t}x{j}', wv, acc)};")
        if fixed_acc(isa, taps) == 2:
            for j in range(nv):
                out.append(f"{p}vacc{j} = {vf.add(isa.name, f'vacc{j}', f'vaccb{j}')};")
    else:
        # Two accumulator chains (even / odd taps) so that the FMA latency of one long
        # chain does not bound the runtime tap loop; summed before the clamp.
        out.append(f"{p}const float* wt = w + {ct};")
        out.append(f"{p}const void** ip = input;")
        for j in range(nv):
            out.append(f"{p}{isa.vtype} vaccb{j} = {vf.set1(isa.name, '0.0f')};")
        out.append(f"{p}size_t t = kernel_size;")
        out.append(f"{p}for (; t >= 2; t -= 2) {{")
        q = p + "  "
        for n, acc in (("a", "vacc"), ("b", "vaccb")):
            k = 0 if n == "a" else 1
            out.append(f"{q}const float* i{n} = (const float*) ip[{k}];")
            out.append(f"{q}if (i{n} != (const float*) zero) {{")
            out.append(f"{q}  i{n} = (const float*) ((uintptr_t) i{n} + a_offset);")
            out.append(f"{q}}}")
            out.append(f"{q}i{n} += coff;")
            for j in range(nv):
                src = f"i{n} + {j * v}" if j else f"i{n}"
                ld = masked_load(isa, src) if kind == "partial" else vf.load(isa.name, src)
                wo = f"wt + {k * ct + j * v}" if (k or j) else "wt"
                out.append(f"{q}{acc}{j} = {vf.fma(isa.name, ld, vf.load(isa.name, wo), f'{acc}{j}')};")
        out.append(f"{q}ip += 2;")
        out.append(f"{q}wt += {2 * ct};")
        out.append(f"{p}}}")
        out.append(f"{p}if (t != 0) {{")
        out.append(f"{q}const float* ia = (const float*) ip[0];")
        out.append(f"{q}if (ia != (const float*) zero) {{")
        out.append(f"{q}  ia = (const float*) ((uintptr_t) ia + a_offset);")
        out.append(f"{q}}}")
        out.append(f"{q}ia += coff;")
        for j in range(nv):
            src = f"ia + {j * v}" if j else "ia"
            ld = masked_load(isa, src) if kind == "partial" else vf.load(isa.name, src)
            wo = f"wt + {j * v}" if j else "wt"
            out.append(f"{q}vacc{j} = {vf.fma(isa.name, ld, vf.load(isa.name, wo), f'vacc{j}')};")
        out.append(f"{p}}}")
        for j in range(nv):
            out.append(f"{p}vacc{j} = {vf.add(isa.name, f'vacc{j}', f'vaccb{j}')};")
    for j in range(nv):
        out.extend(p + line for line in vf.clamp(isa.name, f"vacc{j}"))
    if kind == "partial":
        out.append(f"{p}store_partial(o, vacc0, c);")
        out.append(f"{p}o += c;")
    else:
        for j in range(nv):
            out.append(f"{p}{vf.store(isa.name, f'o + {j * v}' if j else 'o', f'vacc{j}')}")
        out.append(f"{p}o += {lanes};")
    return out


def kernel(taps, ct, isa):
    v = isa.v
    name = kernel_name(taps, ct, isa)
    tdesc = "any kernel_size (runtime tap loop, two accumulator chains)" if taps == 0 else \
        f"exactly {taps} tap{'s' if taps != 1 else ''} (only called with kernel_size == {taps}{'; even and odd taps in two accumulator chains' if fixed_acc(isa, taps) == 2 else ''})"
    if isa.name == "scalar":
        tail_desc = "the last partial tile one channel at a time"
    elif isa.name == "sse2":
        tail_desc = "the last partial tile in whole vectors, then 1-3 channels with partial loads and stores"
    elif isa.name == "avx2_fma":
        tail_desc = "the last partial tile in whole vectors, then 1-7 channels with maskload and partial stores"
    else:
        tail_desc = "the last partial tile in whole vectors, then 1-15 channels with maskz loads and masked stores"
    desc = (f"f32 depthwise-convolution microkernel, {tdesc}, channel tile {ct}, {isa.name} "
            f"(contract: src/microkernels.h, DWCONV). Per output pixel: kernel_size input "
            f"pointers in tap order, a_offset added to each that is not `zero`; weights in "
            f"tiles of {ct} channels [{ct} f32 bias][kernel_size x {ct} f32] "
            f"(pqnn_pack_f32_dwconv); output = clamp(bias + sum_t input[t][c] * w[t][c], "
            f"params->min, params->max). Whole tiles first, then {tail_desc}: reads exactly "
            f"`channels` floats of each input pixel and writes exactly `channels` outputs, then "
            f"skips output_increment bytes; the pointer array advances by input_stride bytes "
            f"per pixel.")
    out = ["// Generated by scripts/kernels/f32_dwconv.py: do not edit.\n//\n" +
           "\n".join("// " + ln for ln in textwrap.wrap(desc, 86)) +
           '\n#include "microkernels.h"']
    if isa.include:
        out.append(f"\n#include {isa.include}")
    helper = PARTIAL_HELPERS.get(isa.name, "")
    if helper:
        out.append(helper.rstrip("\n"))
    out.append("")
    out.append(skeleton.dwconv_signature(name) + " {")
    if taps:
        out.append("  (void) kernel_size;")
    out.append("  const struct pqnn_f32_minmax_params* p = (const struct pqnn_f32_minmax_params*) params;")
    out.append(f"  const {isa.vtype} vmin = {vf.set1(isa.name, 'p->min')};")
    out.append(f"  const {isa.vtype} vmax = {vf.set1(isa.name, 'p->max')};")
    out.append("  float* o = (float*) output;")
    out.append("  do {")
    ind = "    "
    if taps:
        for t in range(taps):
            out.append(f"{ind}const float* i{t} = (const float*) input[{t}];")
            out.append(f"{ind}if (i{t} != (const float*) zero) {{")
            out.append(f"{ind}  i{t} = (const float*) ((uintptr_t) i{t} + a_offset);")
            out.append(f"{ind}}}")
    else:
        out.append(f"{ind}size_t coff = 0;  // channel offset of the current block")
    out.append(f"{ind}const float* w = (const float*) weights;")
    out.append(f"{ind}size_t c = channels;")
    out.append(f"{ind}for (; c >= {ct}; c -= {ct}) {{")
    out.extend(emit_block(isa, taps, ct, ct, "full", ind + "  "))
    if not taps:
        out.append(f"{ind}  coff += {ct};")
    out.append(f"{ind}  w += {ct} + {ct} * {taps if taps else 'kernel_size'};")
    out.append(f"{ind}}}")
    # Last partial tile: whole vectors, then one partial vector.
    if ct > v:
        out.append(f"{ind}for (; c >= {v}; c -= {v}) {{")
        out.extend(emit_block(isa, taps, ct, v, "full", ind + "  "))
        if not taps:
            out.append(f"{ind}  coff += {v};")
        out.append(f"{ind}  w += {v};")
        out.append(f"{ind}}}")
    if v > 1:
        out.append(f"{ind}if (c != 0) {{")
        if isa.name == "avx2_fma":
            out.append(f"{ind}  const __m256i vmask = _mm256_loadu_si256((const __m256i*) &mask_table[8 - c]);")
        elif isa.name == "avx512f":
            out.append(f"{ind}  const __mmask16 vmask = (__mmask16) ((1u << c) - 1u);")
        blk = emit_block(isa, taps, ct, v, "partial", ind + "  ")
        if isa.name == "avx512f":
            blk = [ln.replace("store_partial(o, vacc0, c);", "_mm512_mask_storeu_ps(o, vmask, vacc0);")
                   for ln in blk]
        out.extend(blk)
        out.append(f"{ind}}}")
    out.append(f"{ind}o = (float*) ((uintptr_t) o + output_increment);")
    out.append(f"{ind}input = (const void**) ((uintptr_t) input + input_stride);")
    out.append("  } while (--output_width != 0);")
    out.append("}")
    return "\n".join(out) + "\n"


def emit(k):
    """The source of manifest row k."""
    taps, ct, _ = k.geometry
    return kernel(taps, ct, next(isa for isa in ISAS if isa.suffix == k.isa))


EMITS = {("f32-dwconv", isa.suffix): emit for isa in ISAS}
