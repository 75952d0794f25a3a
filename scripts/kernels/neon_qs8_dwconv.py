"""Generates the aarch64 NEON qs8 x qc8w depthwise-convolution microkernels.

Run by scripts/generate-kernels.py
Writes src/microkernels/qs8-dwconv/{9p,25p,anyp}16c-neon.c. Same packed tiles, arithmetic
and names as scripts/kernels/qs8_dwconv.py (names and signature imported from there): per
output pixel and tile of 16 channels, four int32x4 accumulators start from the packed
bias'; taps are taken in pairs, smull + smlal (low 8 channels) and smull2 + smlal2 (high
8) sum two products in int16 (|x * w| <= 128 * 127, so a pair fits), saddw / saddw2 widen
into the accumulators; then fp32 requantization as the scalar kernel (fcvtns rounds to
nearest even) and saturating narrows. Declarations: src/microkernels/qs8-dwconv-ukernels.h.
"""
import os

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT_DIR = os.path.join(ROOT, "src", "microkernels", "qs8-dwconv")
from kernels import qs8_dwconv as x86gen  # noqa: E402

CT = 16
HEADER = x86gen.HEADER.replace("scripts/kernels/qs8_dwconv.py", "scripts/kernels/neon_qs8_dwconv.py")


def gen(taps):
    name = x86gen.kernel_name(taps, CT, "neon")
    o = [HEADER.format(taps_text=f"{taps} taps" if taps else "any tap count", ct=CT, isa="neon",
                       tail_text=" (tails through a zero-padded stack copy)")]
    o += ["#include <arm_neon.h>", "#include <string.h>", "", '#include "microkernels.h"', ""]
    o.append("static inline int8x16_t load_partial(const int8_t* p, size_t c) {")
    o.append("  int8_t tmp[16] = {0};")
    o.append("  memcpy(tmp, p, c);")
    o.append("  return vld1q_s8(tmp);")
    o.append("}")
    o.append("")
    o.append(x86gen.signature(name))
    o.append("  const struct pqnn_qs8_minmax_params* p = (const struct pqnn_qs8_minmax_params*) params;")
    o.append("  const float32x4_t vmin = vdupq_n_f32(p->output_min_less_zero_point);")
    o.append("  const float32x4_t vmax = vdupq_n_f32(p->output_max_less_zero_point);")
    o.append("  const int32x4_t vzp = vdupq_n_s32(p->output_zero_point);")
    if taps:
        o.append("  (void) kernel_size;")
        o.append(f"  const size_t ks = {taps};")
    else:
        o.append("  const size_t ks = kernel_size;")
    o.append(f"  const size_t tile_bytes = {CT} * sizeof(int32_t) + ks * {CT} + {CT} * sizeof(float);")
    o.append("  int8_t* out = (int8_t*) output;")
    o.append("  do {")
    if taps:
        for t in range(taps):
            o.append(f"    const int8_t* i{t} = (const int8_t*) input[{t}];")
            o.append(f"    if (i{t} != (const int8_t*) zero) i{t} = (const int8_t*) ((uintptr_t) i{t} + a_offset);")
    o.append("    const int8_t* w = (const int8_t*) weights;")
    o.append("    size_t c = channels;")
    if not taps:
        o.append("    size_t coff = 0;")

    def load_x(ptr, full):
        return f"vld1q_s8({ptr})" if full else f"load_partial({ptr}, c)"

    def pair(b, ind, x0, w0, x1, w1):
        """Adds x0 * w0 (+ x1 * w1 when x1 is given) to the four accumulators."""
        lo = f"vmull_s8(vget_low_s8({x0}), vget_low_s8({w0}))"
        hi = f"vmull_high_s8({x0}, {w0})"
        if x1:
            lo = f"vmlal_s8({lo}, vget_low_s8({x1}), vget_low_s8({w1}))"
            hi = f"vmlal_high_s8({hi}, {x1}, {w1})"
        b.append(f"{ind}const int16x8_t vplo = {lo};")
        b.append(f"{ind}const int16x8_t vphi = {hi};")
        b.append(f"{ind}vacc0 = vaddw_s16(vacc0, vget_low_s16(vplo));")
        b.append(f"{ind}vacc1 = vaddw_high_s16(vacc1, vplo);")
        b.append(f"{ind}vacc2 = vaddw_s16(vacc2, vget_low_s16(vphi));")
        b.append(f"{ind}vacc3 = vaddw_high_s16(vacc3, vphi);")

    def body(full, ind):
        b = []
        for u in range(4):
            b.append(f"int32x4_t vacc{u} = vld1q_s32((const int32_t*) (w + {16 * u}));")
        b.append(f"const int8_t* wt = w + {CT} * sizeof(int32_t);")
        if taps:
            for t in range(0, taps, 2):
                b.append("{")
                b.append(f"  const int8x16_t vx0 = {load_x(f'i{t}', full)};")
                b.append(f"  const int8x16_t vw0 = vld1q_s8(wt + {t * CT});")
                if t + 1 < taps:
                    b.append(f"  const int8x16_t vx1 = {load_x(f'i{t + 1}', full)};")
                    b.append(f"  const int8x16_t vw1 = vld1q_s8(wt + {(t + 1) * CT});")
                    pair(b, "  ", "vx0", "vw0", "vx1", "vw1")
                else:
                    pair(b, "  ", "vx0", "vw0", None, None)
                b.append("}")
            if full:
                for t in range(taps):
                    b.append(f"i{t} += {CT};")
        else:
            b.append("size_t t = 0;")
            b.append("for (; t + 2 <= ks; t += 2) {")
            for u in (0, 1):
                b.append(f"  const int8_t* it{u} = (const int8_t*) input[t + {u}];")
                b.append(f"  it{u} = it{u} != (const int8_t*) zero ? (const int8_t*) ((uintptr_t) it{u} + a_offset) : it{u};")
                b.append(f"  const int8x16_t vx{u} = {load_x(f'it{u} + coff', full)};")
                b.append(f"  const int8x16_t vw{u} = vld1q_s8(wt + (t + {u}) * {CT});")
            pair(b, "  ", "vx0", "vw0", "vx1", "vw1")
            b.append("}")
            b.append("if (t < ks) {")
            b.append("  const int8_t* it0 = (const int8_t*) input[t];")
            b.append("  it0 = it0 != (const int8_t*) zero ? (const int8_t*) ((uintptr_t) it0 + a_offset) : it0;")
            b.append(f"  const int8x16_t vx0 = {load_x('it0 + coff', full)};")
            b.append(f"  const int8x16_t vw0 = vld1q_s8(wt + t * {CT});")
            pair(b, "  ", "vx0", "vw0", None, None)
            b.append("}")
        b.append(f"const float* ws = (const float*) (wt + ks * {CT});")
        for u in range(4):
            b.append(f"float32x4_t vf{u} = vmulq_f32(vcvtq_f32_s32(vacc{u}), vld1q_f32(ws + {4 * u}));")
            b.append(f"vf{u} = vminq_f32(vmaxq_f32(vf{u}, vmin), vmax);")
            b.append(f"const int32x4_t vq{u} = vaddq_s32(vcvtnq_s32_f32(vf{u}), vzp);")
        b.append("const int8x16_t vout = vcombine_s8(")
        b.append("    vqmovn_s16(vcombine_s16(vqmovn_s32(vq0), vqmovn_s32(vq1))),")
        b.append("    vqmovn_s16(vcombine_s16(vqmovn_s32(vq2), vqmovn_s32(vq3))));")
        if full:
            b.append("vst1q_s8(out, vout);")
        else:
            b += ["int8_t res[16];", "vst1q_s8(res, vout);", "memcpy(out, res, c);"]
        return [ind + s for s in b]

    o.append(f"    for (; c >= {CT}; c -= {CT}) {{")
    o += body(True, "      ")
    o.append(f"      out += {CT};")
    o.append("      w += tile_bytes;")
    if not taps:
        o.append(f"      coff += {CT};")
    o.append("    }")
    o.append("    if (c != 0) {")
    o += body(False, "      ")
    o.append("      out += c;")
    o.append("    }")
    o.append("    out = (int8_t*) ((uintptr_t) out + output_increment);")
    o.append("    input = (const void**) ((uintptr_t) input + input_stride);")
    o.append("  } while (--output_width != 0);")
    o.append("}")
    return "\n".join(o) + "\n"


def main():
    for taps in x86gen.TAPS:
        tap = "any" if taps == 0 else str(taps)
        x86gen.write(os.path.join(OUT_DIR, f"{tap}p{CT}c-neon.c"), gen(taps))

