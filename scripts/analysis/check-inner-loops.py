#!/usr/bin/env python3
"""Fails when an x86 SIMD microkernel's inner loop is not the loop its tile implies (GEMM /
IGEMM / DWCONV / f32 -> qd8 convert / Winograd transform / one-pass epilogue / pixel-lane
GEMM / softmax row / elementwise stream / pooling kernels: every kernel directory; an x86
kernel directory without a family fails, so a new family cannot go unchecked).

Usage: scripts/analysis/check-inner-loops.py [-v] BUILD_DIR...
  (e.g. build/test, or a clang build dir; each must hold the library's kernel objects under
  CMakeFiles/pqnn_objects.dir/src/microkernels/). Exit status 1 on any violation, 2 when a
  build dir holds no x86 kernel objects.

Hardware independent (objdump only), so a machine without AVX512-VNNI still knows the VNNI
kernels compiled right (issue 13: gcc 12 once turned the 4x64c4 loop into 16 vpdpbusd among
~40 register copies and two stores to the stack, 68% of the peak).

For every x86 SIMD GEMM / IGEMM object (sse2, avx2, fma, avx512f, avx512skx, avxvnni,
avx512vnni; not scalar, not the emulated copies) the loops that contain the family's
dot-product / FMA instruction are found with the loop finder of
scripts/count-loop-insns.py; the K loop (of those without calls, the one with the most
dot-product / FMA instructions per instruction; in an object holding an int8 IGEMM twin,
int8_gemm.py's flipping / widening one, that of each function) must have:
  1. no stack traffic: no memory operand on %rsp (nor on %rbp when the function keeps a
     frame pointer): a spill or reload in the hot loop (a load from a stack array through
     an index register is data: the f16 kernels' f32 copy of A);
  2. at most 1 + BUDGET x (dot-product / FMA instructions) non-essential instructions.
The REGISTER_BOUND tiles (more live vectors than registers by construction) and the KNOWN
defects below are printed as "note" lines and do not fail; a STACK_BOUND loop passes with
at most its stated number of stack accesses.
Essential are: the dot-product / FMA instructions, loads (any instruction with a memory
source and a register destination), GPR-only instructions (pointer and counter updates,
compare, branch: integer ports) and the family's operand preparation (below). Everything
else is non-essential: register-to-register vector copies, stores, any other vector
operation.

Depthwise kernels (qd8, qs8 and f32 dwconv): the loop checked is a channel tile over all
taps (fixed tap counts) or over one tap pair (any taps); the families *-dw below. The f32
dwconv row kernels (f32-dwconv-row) are checked as fma-dw: their loop is one pixel of a
row over all taps of one channel vector (or line). The f32 1x1 (1p) dwconv kernels are
checked as fma-dw1: their single FMA per output vector carries that vector's clamp and store.

family      dot / FMA instruction        operand preparation                     budget
dpbusd      vpdpbusd                     vpxor* (A + 128), vpbroadcastd                0.25
dpbusd-4bit vpdpbusd (4-bit weights,     vpxor* / vxorps (A + 128: clang 14 XORs the    0.25
            qb4w)                        vbroadcastss-loaded A in the float domain),
                                         vpbroadcastd, the nibble unpack vpsllw, vpand*
maddubs-4bit vpmaddubsw (4-bit weights,  vpxor* (A + 128), vpbroadcastd, the nibble      0.25
            qb4w avx2, avx512skx)        lookup vpand*, vpsrlw, vpshufb, and the int16 ->
                                         int32 step vpaddw, vpmaddwd (by 1), vpaddd
madd-4bit-sse2 pmaddwd (4-bit weights,   paddd, punpck[lh]bw, psllw, psraw, movq,       1.0
            qb4w sse2)                   pshufd, pxor (nibbles and A to int16; copies as
                                         for madd-sse2)
dpbusd-emu  vpmaddwd (vpdpbusd emulated  vpand, vpsrlw, vpsllw, vpsraw, vpaddd,        1.0
            with two vpmaddwd, avx2)     vpxor, vpbroadcastd
madd        vpmaddwd (avx2, avx512skx)   vpmovsxbw, vpaddd, vpbroadcastq, vmovq        0.25
madd-sse2   pmaddwd                      paddd, punpcklbw, psraw, movq, pshufd         1.0
                                         (SSE overwrites an operand: the budget pays
                                         for a register copy per pmaddwd)
fma         vfmadd*ps                    vbroadcastss from memory, vcvtph2ps           0.25
                                         (from a register it is a vmovss + shuffle
                                         pair: gcc 12's old 7x16 avx512f loop, 32
                                         instructions per 7 FMAs where 18 do)
sse         mulps                        addps, shufps (copies as for madd-sse2)       1.0
madd-dw     vpmaddwd (qd8 dwconv)        vpmovsxbw, vpunpck[lh]wd, vpaddd, vpmulld     1.5
madd-dw-sse2 pmaddwd                     unpacks, psraw, paddd, the pmuludq mullo      4.5
dpbusd-dw   vpdpbusd (qs8 dwconv, tap    vpxor* (x + 128), vpunpck[lh](bw|wd)          2.5
            quads, avx512vnni)
dpbusd-dw-f32 vpdpbusd (qd8 dwconv, tap  the same, vpmulld (ksum x -zero point)        3.0
            quads, avx512vnni)
mullo-dw    vpmullw (qs8 dwconv)         vpmovsxbw, vpmovsxwd, vpaddw, vpaddd,         3.0
                                         vextracti128 / 32x8
mullo-dw-sse2 pmullw                     unpacks, psraw, psrad, paddw, paddd           7.0
fma-dw      vfmadd*ps (f32 dwconv)       vbroadcastss                                  0.5
fma-dw-border vfmadd*ps (f32 dwconv row    vpbroadcastd, vmovd, vpslld, vpand* (avx2    0.5
            kernels: every innermost      tap masks); avx512 makes its k-masks in
            FMA loop beside the hot one:  general registers (essential)
            border pixels, partial vector)
fma-dw1     vfmadd*ps (f32 1x1 dwconv)   vmaxps, vminps (the clamp: one output vector   0.5
                                         per FMA); the output stores are essential here
sse-dw      mulps                        addps                                         2.0
qd8-range   (v)minps (f32-qd8-range)     (v)maxps, the NaN/Inf test: vandps + vpmaxsd  0.25
                                         (avx2), vcmpunordps to a mask (avx512skx),
                                         andps + pcmpgtd (clang: pcmpeqd) + por (sse2)
qd8-apply   (v)cvtps2dq (f32-qd8-apply)  (v)mulps, (v)paddd, packs (v)packss(dw|wb),   0.25
                                         vpermd, vpmovsdb; the output stores are
                                         essential here
winograd    (v)addps / (v)subps (the     (v)mulps by the transform's constants,        0.25
            f32 Winograd input / output  vbroadcastss of them, (v)minps / (v)maxps
            transforms: no FMA, so every (the output clamp); the transformed tile's
            tier is bit-identical)       stores are essential here
winograd-sse2 addps / subps              as winograd (SSE overwrites an operand: the    1.0
                                         budget pays for a register copy per add)
tgemm       vfmadd*ps (f32-tgemm: pixels vunpck[lh]ps, vshufps, vshuff32x4, vperm2f128, 0.25
            across the lanes)            vinsertf64x4 (the transpose of A), vbroadcastss
tgemm-sse2  mulps                        addps, shufps, unpck*, movlhps / movhlps       1.0
rmax        vmaxps (f32-rmax, avx2 /     -                                             0.25
            avx512skx: load + max a vector)
rmax-sse2   maxps                        - (gcc 12 copies each maxps result back)      1.0
expsum      vfmadd*ps (f32-expsum: the   the exp's other arithmetic (sub, max / cmp,    0.5
            exp's FMAs)                  round, exponent add / shift, vpermd / vpermps,
                                         blend or mask) and the sum's add; the y stores
                                         are essential (an FMA's destination is an
                                         operand: the polynomial's first FMA from two
                                         constants costs a copy a vector)
expsum-sse2 mulps                        addps, subps, maxps, cmpps, and / andn / or,   1.0
                                         paddd, pslld (copies as for madd-sse2)
stream      any SIMD operation but a     - (loads, stores, GPR loop control             0.2
            move (f32-vbinary, f32-      essential; a merge-masked vmov is a blend:
            vunary, f16 <-> f32 and f16  essential everywhere): register copies and
            -> qd8 converts, qs8-vadd /  stack traffic are what is counted
            vaddc, f32-vmuladd)
stream-sse2 the same                     - (a copy per destructive operation)          1.0
pool        the same (qs8-gavgpool: row  - (gcc 12 copies the avx512skx row loop's two  0.5
            sums, output pass)           accumulators once per row)
pool-sse2   the same                     -                                             1.0
For rmax, expsum and stream the loop checked is the innermost one with the most dot
instructions (the unrolled main loop; for expsum and stream one that stores a vector to
the output, not the remainder's stack copy), not the densest: a spilled main loop must not
hand the check to its one-vector remainder loop.
The f32-qd8-convert quantize kernels (range and apply on one row) and the f32-qd8-rows
kernels (the same steps, many rows) are checked as both: their min/max loop as qd8-range
and their quantize loop as qd8-apply.
The budgets hold with room for every kernel of the gcc 12 and clang 14 builds (the numbers
are in docs/qd8-performance.md); the old gcc 12 4x64c4 loop had 2.5 and stack stores.
"""
import glob
import importlib.util
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
# The Arm loop counter, beside this script or one folder up (where it lived first).
_counter = next(p for p in (os.path.join(HERE, "count-loop-insns.py"),
                            os.path.join(HERE, "..", "count-loop-insns.py")) if os.path.exists(p))
_spec = importlib.util.spec_from_file_location("count_loop_insns", _counter)
count_loop_insns = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(count_loop_insns)

X86_BRANCHES = re.compile(r"^j[a-z]+$")  # a backward jmp closes a rotated loop too
ISA_SUFFIX = re.compile(r"-(sse2|f16c|avx2|avx2-fma|fma|avx512f|avx512skx|avxvnni|avx512vnni)\.c\.o$")
# One non-essential instruction per loop is free (gcc 12 hoists one accumulator's copy-out
# into the 1xN VNNI loops); the budgets below count the rest per dot instruction.
SLACK = 1
LOOP_CONTROL = re.compile(r"^(cmp|test)[bwlq]?$")

# A SIMD operation that is not a move (register copy, load, store, lane extract / insert,
# broadcast): AVX mnemonics (v...) and the SSE2 ones (p..., ...ps / ...pd, cvt..., unpck...,
# shufps); not the GPR push / pop / prefetch.
STREAM_OP = re.compile(r"^(?!v?(mov\w*|p?extr\w*|p?insr\w*|(p)?broadcast\w*|zeroupper|"
                       r"maskmov\w*)$)(?!(push|pop|prefetch)\w*$)"
                       r"(v\w+|p\w+|\w+p[sd]|cvt\w+|unpck\w+)$")

# family -> (dot/FMA mnemonics, operand-preparation mnemonics (regex), budget)
FAMILIES = {
    "dpbusd": (re.compile(r"^vpdpbusd$"), re.compile(r"^(vpxor[dq]?|vpbroadcastd)$"), 0.25),
    "dpbusd-4bit": (re.compile(r"^vpdpbusd$"),
                    re.compile(r"^(vpxor[dq]?|vxorps|vpbroadcastd|vpsllw|vpand[dq]?)$"), 0.25),
    "maddubs-4bit": (re.compile(r"^vpmaddubsw$"),
                     re.compile(r"^(vpxor[dq]?|vpbroadcastd|vpand[dq]?|vpsrlw|vpshufb|vpaddw|vpmaddwd|vpaddd)$"),
                     0.25),
    "dpbusd-emu": (re.compile(r"^vpmaddwd$"),
                   re.compile(r"^(vpand[dq]?|vpsrlw|vpsllw|vpsraw|vpaddd|vpxor[dq]?|vpbroadcastd)$"),
                   1.0),
    # SSE2 4-bit: nibbles to int16 (punpck above zero, psllw, psraw 12), A widened
    # (punpcklbw, psraw 8) and its halves broadcast (pshufd); register copies as madd-sse2.
    "madd-4bit-sse2": (re.compile(r"^pmaddwd$"),
                       re.compile(r"^(paddd|punpck[lh]bw|psllw|psraw|movq|pshufd|pxor)$"), 1.0),
    "madd": (re.compile(r"^v?pmaddwd$"),
             re.compile(r"^(vpmovsxbw|v?paddd|v?punpcklbw|v?psraw|vpbroadcastq|v?movq)$"), 0.25),
    # SSE2's pmaddwd overwrites an operand: one register copy per pmaddwd is the price.
    "madd-sse2": (re.compile(r"^pmaddwd$"),
                  re.compile(r"^(paddd|punpcklbw|psraw|movq|pshufd)$"), 1.0),
    "fma": (re.compile(r"^vfmadd\d+ps$"), re.compile(r"^(vbroadcastss|vcvtph2ps)$"), 0.25),
    "sse": (re.compile(r"^mulps$"), re.compile(r"^(addps|shufps)$"), 1.0),
    # Depthwise: the checked loop is one channel tile of all taps, so it holds the tile's
    # epilogue too (requantization / clamps, channel-order permutes, stores); the budgets
    # pay for that per tap and hold the 9-tap kernels with room (gcc 12 and clang 14).
    "madd-dw": (re.compile(r"^vpmaddwd$"),
                re.compile(r"^(vpmovsxbw|vpaddd|vpunpck[lh]wd|vpmulld)$"), 1.5),
    "madd-dw-sse2": (re.compile(r"^pmaddwd$"),
                     re.compile(r"^(paddd|punpck[lh]bw|punpck[lh]wd|psraw|movq|pshufd|pmuludq|"
                                r"psrlq|punpckldq)$"), 4.5),
    # 4 XORs + 8 unpacks per 4 vpdpbusd are the operand preparation; the budget pays for
    # the requantization epilogue of the 3 (9 taps) quads of a tile.
    "dpbusd-dw": (re.compile(r"^vpdpbusd$"), re.compile(r"^(vpxor[dq]?|vpunpck[lh](bw|wd))$"), 2.5),
    # qd8: the f32 epilogue (scale, bias FMA, clamp) and the 4 x 4 block transpose back to
    # channel order (8 vshuff32x4) per tile.
    "dpbusd-dw-f32": (re.compile(r"^vpdpbusd$"),
                      re.compile(r"^(vpxor[dq]?|vpunpck[lh](bw|wd)|vpmulld)$"), 3.0),
    "mullo-dw": (re.compile(r"^vpmullw$"),
                 re.compile(r"^(vpmovsxbw|vpmovsxwd|vpaddw|vpaddd|vextracti(128|32x8))$"), 3.0),
    "mullo-dw-sse2": (re.compile(r"^pmullw$"),
                      re.compile(r"^(punpck[lh]bw|punpck[lh]wd|psraw|psrad|paddw|paddd|movq)$"), 7.0),
    "fma-dw": (re.compile(r"^vfmadd\d+ps$"), re.compile(r"^(vbroadcastss|vcvtph2ps)$"), 0.5),
    # The f32 dwconv row kernels' border pixels (f32-dwconv-row, every loop of the walk
    # beside the interior one): masked loads of the taps inside the row, the masks made per
    # tap column from the pixel's tap bits (avx512: GPR ops and kmov; avx2: a broadcast and
    # a shift, an AND with the channel mask on the last partial vector).
    "fma-dw-border": (re.compile(r"^vfmadd\d+ps$"),
                      re.compile(r"^(vpbroadcastd|vmovd|vpslld|vpand|vpandd|vptestmd)$"), 0.5),
    # The f32 dwconv row kernels' interior blocks (f32_dwconv_row.py BLOCK: several pixels of
    # a channel vector, each input loaded once into a register for the pixels that share it):
    # the loads of inputs and taps are separate instructions by design; per output vector
    # the chains' sum (vaddps), the clamp and the store; the first odd tap's product (vmulps).
    "fma-dw-block": (re.compile(r"^vfmadd\d+ps$"), re.compile(r"^(vaddps|vmulps|vmaxps|vminps)$"), 0.25),
    # The f32 dwconv row kernels with the output epilogue in their registers
    # (f32-dwconv-row-epi, every FMA loop: interior, border pixels, partial vector): the
    # row loop of fma-dw / fma-dw-border, and per output vector the activation (hardswish:
    # add, max, min, 2 mul; clamp: max, min), the affine's FMA, its clamp (broadcast bounds).
    "fma-dw-epi": (re.compile(r"^vfmadd\d+ps$"),
                   re.compile(r"^(vbroadcastss|vpbroadcastd|vmovd|vpslld|vpand|vpandd|vptestmd|"
                              r"v(add|mul|max|min)ps)$"), 0.5),
    # One tap: each FMA is an output vector, so its clamp and store come with it.
    "fma-dw1": (re.compile(r"^vfmadd\d+ps$"), re.compile(r"^(vmaxps|vminps)$"), 0.5),
    "sse-dw": (re.compile(r"^mulps$"), re.compile(r"^(addps)$"), 2.0),
    # The f32 -> qd8 convert passes (issue 13 item 5): min/max per vector, with the NaN/Inf
    # test beside it; quantize per vector, packed and stored.
    "qd8-range": (re.compile(r"^v?minps$"),
                  re.compile(r"^(v?maxps|v?andps|vpmax[su]d|vcmpunordps|pcmp(gt|eq)d|por)$"), 0.25),
    "qd8-apply": (re.compile(r"^v?cvtps2dq$"),
                  re.compile(r"^(v?mulps|v?paddd|v?packss(dw|wb)|vpermd|vpmovsdb)$"), 0.25),
    # The Winograd F(4x4,3x3) transforms (f32-winograd-input / -output): one channel vector
    # of a tile per iteration, adds and subtracts with a few multiplies by constants (no FMA:
    # the tiers stay bit-identical), loads of the tile and stores of the transformed values.
    "winograd": (re.compile(r"^v?(add|sub)ps$"),
                 re.compile(r"^(v?mulps|vbroadcastss|v?minps|v?maxps)$"), 0.25),
    "winograd-sse2": (re.compile(r"^(add|sub)ps$"), re.compile(r"^(mulps|minps|maxps)$"), 1.0),
    # The one-pass output epilogue (f32-vunary-affine): one output vector per affine FMA,
    # the activation's arithmetic before it (hswish: add, max, min, 2 mul; sigmoid: its exp
    # polynomial's FMAs, compares, blends, the exponent's integer add and shift, a divide),
    # the affine's clamp and the store after it.
    "fma-epilogue": (re.compile(r"^vfmadd\d+ps$"),
                     re.compile(r"^(v(add|sub|mul|div|max|min)ps|vcmp\w*ps|vblendvps|vblendmps|"
                                r"vpaddd|vpslld|v(and|andn|or|xor)ps|vp(and|or|xor|ternlog)d|"
                                r"kor[wb])$"), 0.5),
    # SSE overwrites an operand: the budget pays for a register copy per operation (relu
    # and clamp: 2-3 per multiply, their one multiply being the affine's).
    "sse-epilogue": (re.compile(r"^mulps$"),
                     re.compile(r"^((add|sub|div|max|min)ps|cmp\w*ps|(and|andn|or|xor)ps|"
                                r"paddd|pslld)$"), 3.0),
    # The f32 pixel-lane GEMM (f32-tgemm): per 8 channels of 16 pixels, the in-register
    # transpose (unpack, shufps, 128-bit lane shuffle, the 256-bit half inserts) before the
    # FMAs of the broadcast weights.
    "tgemm": (re.compile(r"^vfmadd(132|213|231)ps$"),
              re.compile(r"^(vbroadcastss|vunpck[lh]p[sd]|vshufps|vshuff(32x4|64x2)|vinsertf64x4|vperm2f128)$"), 0.25),
    "tgemm-sse2": (re.compile(r"^mulps$"),
                   re.compile(r"^(addps|shufps|unpck[lh]p[sd]|movlhps|movhlps)$"), 1.0),
    # The softmax row kernels (f32-rmax, f32-expsum; scripts/kernels/softmax.py). rmax: one
    # load and one max per vector into U accumulators (AVX: 2 instructions a vector; SSE2's
    # maxps overwrites the element operand, so gcc 12 copies it back to the accumulator: one
    # movaps per maxps).
    "rmax": (re.compile(r"^vmaxps$"), re.compile(r"^$"), 0.25),
    "rmax-sse2": (re.compile(r"^maxps$"), re.compile(r"^$"), 1.0),
    # expsum: per vector the exp's FMAs (avx2: 10 of the degree-7 polynomial; avx512skx: 5 of
    # the 16-entry table exp) and its other arithmetic (subtract max, clamp, round, exponent
    # add and shift, the table's vpermd / vpermps and mask, the underflow select), the store
    # of y and the sum's add. SSE2 has no FMA: each FMA is a mulps + addps pair, and a copy
    # per destructive operation is the price (as madd-sse2).
    "expsum": (re.compile(r"^vfmadd\d+ps$"),
               re.compile(r"^(v(add|sub|mul|max)ps|vcmp\w*ps|vblendvps|vpaddd|vpslld|"
                          r"vp(and|andn|xor)d?|v(and|andn)ps|vperm(d|ps)|vpcmpgtd)$"), 0.5),
    "expsum-sse2": (re.compile(r"^mulps$"),
                    re.compile(r"^((add|sub|max)ps|cmp\w*ps|(and|andn|or)ps|paddd|pslld)$"),
                    1.0),
    # Elementwise streams (f32-vbinary, f32-vunary, f32-vmuladd, the f16 <-> f32 and f16 -> qd8 converts,
    # qs8-vadd / vaddc, the qs8-gavgpool row and output loops): no accumulator and no tile,
    # so the loop is its vector operations (the "dot" column here: every SIMD instruction
    # that is not a move), loads and stores. What the guard catches is the compiler's
    # damage: stack traffic, and register-to-register copies beyond the budget per vector
    # operation (AVX forms are non-destructive: none are needed; SSE2 overwrites an operand,
    # so a copy before a destructive operation on a value still live is the price: gcc 12's
    # f16 <-> f32 sse2 converts copy 16-19 times per 49-65 operations).
    "stream": (STREAM_OP, re.compile(r"^$"), 0.2),
    "stream-sse2": (STREAM_OP, re.compile(r"^$"), 1.0),
    # qs8-gavgpool: the loop with the most operations per instruction, the rows'
    # accumulation (sign-extend and add into per-channel int32 sums: no store) or the output
    # pass (scale, clamp, pack, store); gcc 12 copies the two accumulators of the 32-channel
    # avx512skx row loop once per row (2 per 4 operations): the budget pays for that.
    "pool": (STREAM_OP, re.compile(r"^$"), 0.5),
    "pool-sse2": (STREAM_OP, re.compile(r"^$"), 1.0),
}
# Families whose loop writes its output vector by vector: stores are essential there.
STORING = {"qd8-apply", "fma-dw1", "fma-dw-block", "winograd", "winograd-sse2", "fma-epilogue", "sse-epilogue",
           "expsum", "expsum-sse2", "stream", "stream-sse2", "pool", "pool-sse2"}
# Families whose checked loop is the one with the most dot instructions (hot_loop), and of
# those the ones whose loop must store a vector to the output.
MAIN_LOOP = {"rmax", "rmax-sse2", "expsum", "expsum-sse2", "stream", "stream-sse2"}
STORE_OUT = {"expsum", "expsum-sse2", "stream", "stream-sse2"}
# The kernel directories of the elementwise stream families.
STREAM_KINDS = ("f32-vbinary", "f32-vunary", "f32-vmuladd", "f16-f32-convert", "f32-f16-convert",
                "f16-qd8-convert", "qs8-vadd", "qs8-vaddc",
                "x32-vselect", "x16-vselect")
# Objects checked as more than one family (one hot loop each).
FAMILY_GROUPS = {"qd8-quantize": ("qd8-range", "qd8-apply")}
# Kernel directories whose every other innermost loop with the family's FMA (beside the
# hot one) is checked too, as the family named: the f32 dwconv row kernels' border-pixel
# loops (left and right of the interior, for each channel-vector walk) and the walks of the
# last partial channel vector. KNOWN entries for them are keyed "<dir>/<tile> <family>".
OTHER_LOOPS = {"f32-dwconv-row": "fma-dw-border", "f32-dwconv-row-epi": "fma-dw-epi"}
# Kernel directories whose innermost loops storing several output vectors (BLOCK_STORES or
# more) are interior blocks, checked as the family named, apart from the hot loop and the
# OTHER_LOOPS ones (a one-pixel walk stores one vector, or two for a 64-byte line).
BLOCK_LOOPS = {"f32-dwconv-row": "fma-dw-block", "f32-dwconv-row-epi": "fma-dw-block"}
BLOCK_STORES = 3


# Tiles whose K loop needs more vector registers than the ISA has, so one or more
# accumulators or temporaries live on the stack or move between registers by construction
# (not a compiler defect): reported, not failed, with the reason.
REGISTER_BOUND = {
    "3x4c8-sse2": "12 xmm accumulators + 3 A + weights > 16 xmm; still the fastest sse2 "
                  "tile (src/configs/qs8-gemm-config.c)",
    "3x8c8-avx2": "12 ymm accumulators + 3 A + weights > 16 ymm; selected by no config",
    "4x16c4-avx2": "vpdpbusd emulated with 2 vpmaddwd and 6 temporaries; a test vehicle for "
                   "the c4 template on AVX2, selected by no config",
    **{f"25p{ct}{'' if isinstance(ct, str) else 'c'}-{isa}": "25 tap pointers > 15 general registers: the channel-tile loop "
                          "reloads some from the stack by construction (and gcc 12 reassociates "
                          "the 25 products into more live vectors than registers)"
       for ct, isa in ((8, "sse2"), (16, "avx2"), (32, "avx512skx"), (4, "sse2"),
                       (16, "avx2-fma"), (8, "avx2-fma"), (32, "avx512f"), (16, "avx512f"),
                       ("64c4", "avx512vnni"))},
}


# Known defects not yet fixed, reported and not failed so that CI stays meaningful for
# everything else; remove an entry when its fix lands (the check then holds it).
KNOWN = {}  # (the clang 14 f32 IGEMM pointer extraction was fixed in f32_gemm.py)
KNOWN["qd8-f32-qc8w-dwconv/9p8c-sse2"] = ("gcc 12 reassociates the 10 pmaddwd products into a "
                                          "tree and spills one xmm per tile (1 store + 1 "
                                          "reload); clang 14 is clean")
for _tile in ("25p16c", "25p8c"):
    KNOWN[f"f32-dwconv-row/{_tile}-avx2-fma"] = (
        "the 5x5 row loop needs 5 row pointers, 2 tap strides, the weights, the output, "
        "2 strides and a counter (12 of 14 free GPRs): gcc 12 / clang 14 keep 2 of them "
        "(counter, output_stride or input_step) on the stack, 2 accesses per 25-48 FMAs")
for _obj in ("f32-qd8-range/range-avx2", "f32-qd8-convert/quantize-avx2",
             "f32-qd8-rows/rows-avx2"):
    KNOWN[_obj] = ("gcc 12 copies the two integer |x|-max accumulators (vpmaxsd) every "
                   "16 floats; the float-domain NaN tests that compile clean under gcc "
                   "(vcmpunordps + vorps, an FMA sum of x * 0) ran 5% / 24% slower on Zen 5 "
                   "(bench/convert-kernels, 4096 floats); clang 14 is clean")
# Bounded defects: the loop passes with at most this many stack accesses (and its budget for
# the rest), so that it cannot grow back unnoticed. The f32 dwconv row kernels' border
# loops (masked tap loads, scripts/kernels/f32_dwconv_row.py) before the branch-free masks:
# 3-55 stack accesses per loop (gcc 12), 2-49 (clang 14); the bounds are the worst of the
# two compilers now, each kernel's count in docs/architecture.md.
STACK_BOUND = {
    # The AVX2 interior blocks (f32_dwconv_row.py BLOCK, 3x3 6 pixels, 5x5 4 pixels a
    # block): the accumulators, one kernel row's taps and an input fill the 16 ymm
    # registers; the general registers run out first. gcc 12 reloads strides and the
    # counter (2-7 a block of 54-192 FMAs); clang 14 strength-reduces the tap addresses to
    # one offset register and a base per tap column, which it keeps on the stack (up to 40
    # reloads a block at 5x5 stride 2) and spills 2-3 ymm at 5x5. Both compilers' blocks ran
    # 1.2-1.6x the one-pixel loop (bench/f32-depthwise, docs/benchmarks.md).
    "f32-dwconv-row/25p16c-avx2-fma fma-dw-block": (66, "clang 14: tap-column bases on the "
        "stack (5x5 stride 2), 2-3 ymm spills; gcc 12: 7 stride / counter reloads"),
    "f32-dwconv-row/25p8c-avx2-fma fma-dw-block": (29, "clang 14: tap-column bases on the "
        "stack; gcc 12: 3 stride / counter reloads"),
    "f32-dwconv-row/9p16c-avx2-fma fma-dw-block": (6, "stride / counter reloads"),
    "f32-dwconv-row/9p8c-avx2-fma fma-dw-block": (2, "stride / counter reloads"),
    # The same blocks with the output epilogue in registers (f32-dwconv-row-epi avx2-fma,
    # 3x3 6 pixels; per object a block of two channel vectors (120 / 108 FMAs with the
    # affine's) and one of one vector (60 / 54)): the epilogue's bias, scale and bounds take
    # ymm registers from the block, so more spills. Stack accesses, gcc 12 (-O2 = -O3) /
    # clang 14, two-vector and one-vector block: affine 11, 7 / 15, 3; clamp + affine
    # 14, 10 / 17, 4; hswish 5, 2 / 39, 5; hswish + affine 11, 8 / 39, 7.
    "f32-dwconv-row-epi/9p16c_affine-avx2-fma fma-dw-block": (15, "clang 14: 15 stack "
        "accesses in the two-vector block; gcc 12: 11"),
    "f32-dwconv-row-epi/9p16c_clamp_affine-avx2-fma fma-dw-block": (17, "clang 14: 17 "
        "stack accesses in the two-vector block; gcc 12: 14"),
    "f32-dwconv-row-epi/9p16c_hswish-avx2-fma fma-dw-block": (39, "clang 14 spills and "
        "reloads hswish's constants and temporaries: 39 stack accesses in the two-vector "
        "block; gcc 12: 5"),
    "f32-dwconv-row-epi/9p16c_hswish_affine-avx2-fma fma-dw-block": (39, "clang 14 spills "
        "and reloads hswish's constants and temporaries: 39 stack accesses in the "
        "two-vector block; gcc 12: 11"),
    # The one-pixel walk after the blocks (at most 5 pixels a row where blocks run; every
    # pixel at 3x3 stride 2), taps held in registers.
    "f32-dwconv-row/9p16c-avx2-fma": (2, "clang 14 reloads a stride and the counter"),
    "f32-dwconv-row/9p8c-avx2-fma": (1, "clang 14 reloads the counter"),
    "f32-dwconv-row/25p16c-avx2-fma fma-dw-border": (17, "gcc 12 hoists the tap offsets of "
        "the masked loads of two vectors (5x5, a 64-byte line a pixel) into registers and "
        "reloads 9 of them; clang 14: 5"),
    "f32-dwconv-row/25p8c-avx2-fma fma-dw-border": (1, "clang 14 reloads a pointer"),
    "f32-dwconv-row/9p16c-avx2-fma fma-dw-border": (4, "clang 14 reloads pointers / strides"),
    "f32-dwconv-row/9p8c-avx2-fma fma-dw-border": (1, "clang 14 reloads a stride"),
    "f32-dwconv-row/25p16c-avx512f fma-dw-border": (3, "gcc 12 reloads a stride and the "
        "pointers' bound, clang 14 2"),
    "f32-dwconv-row/25p32c-avx512f fma-dw-border": (3, "gcc 12 reloads a stride and the "
        "pointers' bound, clang 14 2"),
    "f32-dwconv-row/9p16c-avx512f fma-dw-border": (3, "clang 14 reloads strides; gcc 12 the "
        "channel k-mask of the last partial vector (1)"),
    "f32-dwconv-row/9p32c-avx512f fma-dw-border": (3, "clang 14 reloads strides; gcc 12 the "
        "channel k-mask of the last partial vector (1)"),
    "f32-dwconv-row/25p16c-avx512f": (1, "clang 14 adds output_stride from its stack slot "
                                         "(a stack argument), 1 per 24 FMAs; gcc 12 clean"),
    "f32-dwconv-row/25p32c-avx512f": (1, "clang 14 adds output_stride from its stack slot "
                                         "(a stack argument), 1 per 24 FMAs; gcc 12 clean"),
}
# The exp-based kernels on 16 ymm / xmm registers (f32-vunary exp / sigmoid / swish / tanh
# avx2, f32-expsum avx2 / sse2): the exp's constants (clamp bounds, log2e, the rounding
# magic, ln2 in two parts, 6-7 polynomial coefficients or the table exp's 3 and its table,
# the exponent bias) and the step's vectors do not fit, so the compilers keep some constants in stack slots and use them as
# memory operands (loads only in f32-vunary); the bound is the worse compiler's count.
STACK_BOUND.update({
    # The qd8 int8 3x3 row kernel (qd8-f32-qc8w-dwconv-row): clang 14's densest loop is the
    # ymm-tail pixel-pair loop (tails of <= 32 channels), where it reloads one spilled zmm
    # constant per pair (24 vpdpbusd); gcc 12 none there. Timed: the qs8 twin's ymm path
    # built by clang runs 1.08x gcc's time (docs/qd8-performance.md, "AMD Zen 4").
    "qd8-f32-qc8w-dwconv-row/9p64c4-avx512vnni": (1, "clang 14: one zmm constant reloaded "
        "per pixel pair in the ymm-tail loop"),
    "f32-vunary/exp-avx2": (4, "constants as stack operands: gcc 12 1, clang 14 4 per vector"),
    "f32-vunary/sigmoid-avx2": (7, "constants as stack operands: gcc 12 1, clang 14 7"),
    "f32-vunary/swish-avx2": (7, "constants as stack operands: gcc 12 1, clang 14 7"),
    "f32-vunary/tanh-avx2": (15, "constants as stack operands: gcc 12 0, clang 14 15 per "
                                 "vector (the rational's coefficients besides the exp's)"),
    # expsum's polynomial exp (sse2): 4 exponentials side by side with 4 sums; beside the
    # constants' reloads gcc 12 keeps 2 sums and some temporaries in stack slots, clang 14
    # spills temporaries. avx2's table exp (9 constants): gcc 12 clean in u16 (production),
    # 14 stack operands in u32 (4 exps; -O3: 9); clang 14 still spills temporaries of the
    # exps it interleaves (8 per 16 floats in u16, 38 per 32 in u32; it had 45 in the old
    # polynomial u32). The bounds are the worse compiler's counts.
    "f32-expsum/u16-avx2": (8, "clang 14 spills and reloads temporaries of the 2 table exps "
                               "(8 stack operands per 16 floats); gcc 12 clean"),
    "f32-expsum/u32-avx2": (38, "4 table exps + 4 sums on 16 ymm: gcc 12 14 stack operands "
                                "per 32 floats (-O3 9), clang 14 38 (candidate)"),
    "f32-expsum/u16-sse2": (29, "4 polynomial exps + 4 sums on 16 xmm: gcc 12 29 stack "
                                "operands, clang 14 17 per 16 floats"),
    # gelu, erf, log (the portable f32-vunary bodies, 45-95 operations and 20-30 constants a
    # vector): the main loop computes 4 vectors (avx2, avx512skx log), 6 (avx512skx gelu,
    # erf) or 2 (sse2) side by side, interleaved, for the latency of their long chains.
    # avx2 gelu / erf / log and avx512skx gelu / erf read their constants as memory operands
    # of a static table (elementwise.py POOLED_OPS; no constant in a stack slot under either
    # compiler): what remains are the step's temporaries, more than 16 ymm / 32 zmm hold.
    # Before the table (4 vectors a step), clang 14 -O3: gelu avx2 72, erf 108, log 54, gelu
    # avx512skx 25, erf 39 stack accesses a step; gcc 12 -O2 up to 104. Measured faster than
    # fewer vectors a step without the spills (bench/kernels/elementwise-kernels; avx2 3
    # vectors 12-17% slower, docs/benchmarks.md). The bounds are the worst of gcc 12 -O2 /
    # -O3 and clang 14 (avx2: gcc 26 / 32 / 6, clang 12 / 40 / 3 for gelu / erf / log;
    # avx512skx gelu / erf per 6 vectors: gcc 60 / 54, clang 38 / 60; log: gcc -O2 22,
    # clang 9, no table: 7-9% slower with it). gelu avx2 / avx512skx fuse their multiply-adds
    # since 2026-12-06 (elementwise.py FUSED_GELU): avx512skx gcc 12 67 (-O2 and -O3: it
    # broadcasts 8 of a body's constants into registers instead of FMA memory operands),
    # clang 46; still 1.5x the unfused loop's speed, and 4 or 5 vectors a step (fewer spills)
    # ran 11% / 5% slower than 6.
    **{f"f32-vunary/{obj}": (n, "4-6 (sse2: 2) interleaved vectors a step: more live "
                                "temporaries than registers (the constants are memory operands "
                                "of a table on avx2 / avx512skx but log avx512skx)")
       for obj, n in (("gelu-avx2", 26), ("erf-avx2", 40), ("log-avx2", 6),
                      ("gelu-avx512skx", 67), ("erf-avx512skx", 60), ("log-avx512skx", 22),
                      ("gelu-sse2", 4), ("erf-sse2", 6))},
    "f16-dwconv/anyp8c-avx2": (1, "clang 14 compares the tap pointer with its bound in a "
                                  "stack slot, 1 per 2 FMAs of the tap loop; gcc 12 clean"),
})
for _tile in ("9p16c-avx512f", "9p8c-avx2-fma"):
    KNOWN[f"f32-dwconv/{_tile}"] = (
        "candidates (selected by no config): clang 14 loads the 9 tap pointers as vectors "
        "and extracts them (vmovq / vpextrq / vextracti*) per channel tile, 16-17 "
        "instructions per 9 FMAs (the f32 IGEMM had this before f32_gemm.py indexed one "
        "shared k); gcc 12 is clean, and the production 9p16c avx2-fma / 9p32c avx512f are "
        "clean under both")
for _tile in ("sigmoid-avx2-fma", "sigmoid-sse2"):
    KNOWN[f"f32-vunary-affine/{_tile}"] = (
        "sigmoid's exp needs ~14 constants beside the loop's vectors, more than 16 ymm / xmm "
        "registers with the affine's bias, scale and bounds: gcc 12 reloads 7 of them from the "
        "stack per vector (clang 14: 6 in avx2-fma, none in sse2; the f32-vunary "
        "sigmoid-avx2 loop, without the affine, reloads 1); "
        "the avx512f kernel (32 zmm) is clean")
# f32-dwconv-row-epi (issue 14): the row loops with the epilogue beside the held taps, but
# the avx2-fma interior blocks (BLOCK_LOOPS: bounded in STACK_BOUND above, not exempt).
# avx2-fma (16 ymm: the affine's bias, scale and bounds read in the loop) keeps pointers /
# strides in stack slots: gcc 12 0-6 accesses per 8-20 FMAs, clang 14 up to 13 (border and
# two-vector loops); avx512f (affine held in zmm): gcc 12 clean but for 1 access in a
# partial-vector border loop, clang 14 1 in the interior (input_step, as the plain 5x5) and
# 1-14 in the border loops. Reported until the emitter frees general registers there.
for _tile in ("9p16c", "9p32c"):
    for _epi in ("affine", "clamp_affine", "hswish", "hswish_affine"):
        _obj = f"f32-dwconv-row-epi/{_tile}_{_epi}-{'avx512f' if '32' in _tile else 'avx2-fma'}"
        _why = ("register pressure: the epilogue's live values beside the row loop's held "
                "weights and pointers spill (gcc 12)")
        KNOWN[_obj] = _why
        KNOWN[_obj + " fma-dw-epi"] = _why
KNOWN["f32-dwconv/9p8c-sse2"] = ("gcc 12 keeps 2 x 9 tap products of the two xmm accumulators "
                                 "live and spills 10 of them per tile (f32_dwconv.py's SSE2 "
                                 "template should accumulate tap by tap)")


def family_of(path):
    """The inner-loop family of a kernel object, from its directory and file name."""
    name = os.path.basename(path)
    kind = os.path.basename(os.path.dirname(path))
    if kind in ("f32-qd8-range", "f32-qd8-apply"):
        return kind[len("f32-"):]
    if kind in ("f32-qd8-convert", "f32-qd8-rows"):
        return "qd8-quantize"
    if kind == "f32-vunary-affine":
        return "sse-epilogue" if name.endswith("-sse2.c.o") else "fma-epilogue"
    if kind == "f32-tgemm":
        return "tgemm-sse2" if name.endswith("-sse2.c.o") else "tgemm"
    if kind.startswith("f32-winograd-"):
        return "winograd-sse2" if name.endswith("-sse2.c.o") else "winograd"
    if kind == "f32-dwconv-row-epi":
        return "fma-dw-epi"
    if kind.endswith(("-dwconv", "-dwconv-row")):
        sse2 = name.endswith("-sse2.c.o")
        base = {"qd8": "madd-dw", "qs8": "mullo-dw", "f32": "fma-dw", "f16": "fma-dw"}[kind[:3]]
        if base == "fma-dw" and name.startswith("1p"):
            return "fma-dw1"
        if "vnni" in name:
            return {"mullo-dw": "dpbusd-dw", "madd-dw": "dpbusd-dw-f32"}[base]
        if sse2:
            return {"fma-dw": "sse-dw"}.get(base, base + "-sse2")
        return base
    if kind.startswith("qd8-") and "qb4w" in kind:
        if name.endswith("-sse2.c.o"):
            return "madd-4bit-sse2"
        return "dpbusd-4bit" if "vnni" in name else "maddubs-4bit"
    if kind in ("f32-rmax", "f32-expsum"):
        return kind[len("f32-"):] + ("-sse2" if name.endswith("-sse2.c.o") else "")
    if kind == "qs8-gavgpool":
        return "pool-sse2" if name.endswith("-sse2.c.o") else "pool"
    if kind in STREAM_KINDS:
        return "stream-sse2" if name.endswith("-sse2.c.o") else "stream"
    if kind.startswith(("qs8-", "qd8-")):
        if re.search(r"c4-avx2\.c\.o$", name):
            return "dpbusd-emu"
        if "vnni" in name:
            return "dpbusd"
        return "madd-sse2" if name.endswith("-sse2.c.o") else "madd"
    if kind.endswith("gemm"):
        return "sse" if name.endswith("-sse2.c.o") else "fma"
    return None  # a kernel directory without a family: check_object fails it


def kernel_objects(build_dir):
    """Every x86 SIMD kernel object of the build (each kernel directory, no scalar ones):
    a directory no family above covers fails the check instead of going unchecked."""
    pattern = os.path.join(build_dir, "CMakeFiles", "pqnn_objects.dir", "src", "microkernels",
                           "*", "*.c.o")
    return sorted(p for p in glob.glob(pattern) if ISA_SUFFIX.search(p))


def normalize(insns):
    """objdump prints pseudo-prefixes ({vex}, {evex}) as the mnemonic: drop them."""
    out = []
    for addr, op, args in insns:
        while op.startswith("{") and args:
            parts = args.split(None, 1)
            op, args = parts[0], (parts[1] if len(parts) > 1 else "")
        out.append((addr, op, args))
    return out


def operands(args):
    """AT&T operands, split on commas outside parentheses; comments (<sym>) dropped."""
    args = re.sub(r"\s*<[^>]*>", "", args).split("#")[0].strip()
    ops, depth, cur = [], 0, ""
    for ch in args:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            ops.append(cur.strip())
            cur = ""
        else:
            cur += ch
    if cur.strip():
        ops.append(cur.strip())
    return ops


def is_mem(operand):
    return "(" in operand and not operand.startswith("%")


def classify(insn, dot, prep, frame_pointer, storing=False):
    """'dot', 'essential', 'stack' or 'other' for one loop instruction."""
    _, op, args = insn
    ops = operands(args)
    mem = [o for o in ops if is_mem(o)]
    stack_regs = ("%rsp", "%rbp") if frame_pointer else ("%rsp",)
    # Stack traffic: a memory access whose base register is %rsp (or the frame pointer);
    # %rbp as an index, or as a plain register where no frame is kept, is data; lea accesses
    # no memory.
    stack = [o for o in mem if op != "lea" and any(o.split("(", 1)[1].startswith(r) for r in stack_regs)]
    # A load from a stack array walked with an index register (the f16 kernels convert their
    # A panel to f32 into a local buffer) is data, not a spill or reload.
    if stack and not (is_mem(ops[0]) and not is_mem(ops[-1]) and
                      all(re.search(r"\(%r[sb]p,%r", o) for o in stack)):
        return "stack"
    if dot.match(op):
        return "dot"
    vector = any(re.search(r"%[xyz]mm", o) for o in ops)
    if op.startswith("prefetch"):
        return "essential"  # a software prefetch of the weight stream (f32_gemm.py PREFETCH)
    if ops and is_mem(ops[-1]) and not LOOP_CONTROL.match(op):
        return "essential" if storing else "other"  # a store
    if not vector:
        return "essential"  # GPR loop control: pointer and counter updates, compare, branch
    if mem:
        return "essential"  # a load (memory source, register destination)
    if op == "vbroadcastss" and not mem and dot.pattern == FAMILIES["fma"][0].pattern:
        return "other"  # f32 GEMM A broadcast from a register: a vmovss + shuffle pair where
        # one broadcast load (or an FMA's {1to16} operand) does
    if op.startswith("vmov") and "{%k" in args:
        return "essential"  # a merge-masked register move is a blend (AVX512's select)
    if prep.match(op) and not (ops and is_mem(ops[-1])):
        return "essential"
    return "other"


def stores_vector_out(body, frame_pointer):
    """Whether a loop stores a vector register to memory other than the stack (the output;
    a remainder's result goes to its stack copy first)."""
    stack = r"\(%r(s|b)p" if frame_pointer else r"\(%rsp"
    for _, op, args in body:
        ops = operands(args)
        if (len(ops) >= 2 and is_mem(ops[-1]) and re.match(r"%[xyz]mm", ops[0])
                and not re.search(stack, ops[-1])):
            return True
    return False


def has_frame_pointer(insns):
    return any(op == "mov" and args.replace(" ", "") == "%rsp,%rbp" for _, op, args in insns)


def hot_loop(body_list, dot, most=False, storing=False, frame_pointer=False):
    """The K loop: of the loops without calls that contain dot instructions (and not a span
    the loop finder closes through a jump back into the function's exit, its `ret`), the one with the
    most of them per instruction (outer loops hold the K tail, the epilogue and stores); with
    `most`, the one with the most of them (the unrolled main loop of a row or stream kernel,
    whose spills would otherwise hand the title to its one-vector remainder loop); with
    `storing` too, of the loops that store a vector to the output (not to the stack: the
    remainder's copy)."""
    cands = [b for b in body_list
             if any(dot.match(i[1]) for i in b) and not any(i[1].startswith(("call", "ret")) for i in b)]
    if not cands:
        return []
    if most:
        # Innermost loops only (the remainder's stack copies and the final reduction sit in
        # spans the finder closes around them).
        cands = [b for b in innermost(cands) if not storing or stores_vector_out(b, frame_pointer)]
        if not cands:
            return []
        return [max(cands, key=lambda b: (sum(1 for i in b if dot.match(i[1])),
                                          sum(1 for i in b if dot.match(i[1])) / len(b)))]
    return [max(cands, key=lambda b: sum(1 for i in b if dot.match(i[1])) / len(b))]


# The static twin of an int8 IGEMM kernel (int8_gemm.py: the VNNI flip, the c8 widening):
# an object holding one has two K loops, the twin's and the public kernel's.
TWIN = re.compile(r"__(flip|widen)(\.[a-z_]+\.\d+)?$")


def function_spans(path):
    """(name, first address, end address) of every function objdump shows in the object."""
    out = subprocess.run(["objdump", "-d", "--no-show-raw-insn", path],
                         capture_output=True, text=True, check=True).stdout
    starts = [(m.group(2), int(m.group(1), 16)) for m in
              (re.match(r"([0-9a-f]+) <([^>]+)>:", line) for line in out.splitlines()) if m]
    return [(name, start, starts[i + 1][1] if i + 1 < len(starts) else float("inf"))
            for i, (name, start) in enumerate(starts)]


def loop_groups(path, insns, loops):
    """(instructions, loops) of the object as one group, or, where it holds an IGEMM twin
    (TWIN), one group per function: each function's K loop is checked (else only the one the
    object's best loop is, the twin's, would be), %rbp as a frame pointer only where that
    function keeps one (the twin's aligned stack copy does; the public kernel may use %rbp
    as a general register)."""
    spans = function_spans(path)
    if not any(TWIN.search(name) for name, _, _ in spans):
        return [(insns, loops)]
    return [([i for i in insns if start <= i[0] < end], [b for b in loops if start <= b[0][0] < end])
            for _, start, end in spans]


def check_object(path, verbose):
    insns = normalize(count_loop_insns.instructions(path, objdump="objdump"))
    loops = list(count_loop_insns.loops(insns, X86_BRANCHES))
    problems = []
    group = family_of(path)
    if group is None:
        kind = os.path.basename(os.path.dirname(path))
        print(f"FAIL {path}: no inner-loop family for kernel directory {kind}: add one "
              "(family_of in scripts/analysis/check-inner-loops.py)")
        return [f"{kind}: no family"]
    block_family = BLOCK_LOOPS.get(os.path.basename(os.path.dirname(path)))
    if block_family is not None:
        frame_pointer = has_frame_pointer(insns)
        blocks = [b for b in innermost(loops) if sum(
            1 for i in b if classify(i, FAMILIES[block_family][0], FAMILIES[block_family][1],
                                     frame_pointer) == "other" and
            re.search(r"%[xyz]mm", i[2]) and is_mem(operands(i[2])[-1])) >= BLOCK_STORES]
        if blocks:
            problems += check_family(path, block_family, insns, blocks, verbose)
            # the other checks see neither the blocks nor the loops around them
            spans = [(b[0][0], b[-1][0]) for b in blocks]
            loops = [b for b in loops
                     if not any(b[0][0] <= lo and hi <= b[-1][0] for lo, hi in spans)]
    for family in FAMILY_GROUPS.get(group, (group,)):
        for group_insns, group_loops in loop_groups(path, insns, loops):
            hot = hot_loop(group_loops, FAMILIES[family][0], family in MAIN_LOOP,
                           family in STORE_OUT, has_frame_pointer(group_insns))
            if hot or len(group_loops) == len(loops):
                problems += check_family(path, family, group_insns, hot, verbose)
    other = OTHER_LOOPS.get(os.path.basename(os.path.dirname(path)))
    if other is not None:
        hot = hot_loop(loops, FAMILIES[group][0])
        dot = FAMILIES[other][0]
        rest = [b for b in innermost(loops) if b not in hot and any(dot.match(i[1]) for i in b)
                and not any(i[1].startswith("call") for i in b)]
        problems += check_family(path, other, insns, rest, verbose)
    return problems


def innermost(bodies):
    """The loops that contain no other loop (by address range)."""
    spans = [(b[0][0], b[-1][0]) for b in bodies]
    return [b for b, (lo, hi) in zip(bodies, spans)
            if not any((l2, h2) != (lo, hi) and lo <= l2 and h2 <= hi for l2, h2 in spans)]


def check_family(path, family, insns, bodies, verbose):
    """Checks the loops `bodies` of one object as `family`."""
    dot, prep, budget = FAMILIES[family]
    frame_pointer = has_frame_pointer(insns)
    problems = []
    if not bodies:
        problems.append("no loop with a dot-product / FMA instruction found")
        print(f"FAIL {path}: {family}: no loop with a dot-product / FMA instruction found")
    for body in bodies:
        kinds = [classify(i, dot, prep, frame_pointer, family in STORING) for i in body]
        ndot = kinds.count("dot")
        stack = [i for i, k in zip(body, kinds) if k == "stack"]
        other = [i for i, k in zip(body, kinds) if k == "other"]
        ratio = (len(other) + len(stack) - SLACK) / ndot
        line = (f"{path}: {family} loop {body[0][0]:#x}-{body[-1][0]:#x}: {len(body)} insns, "
                f"{ndot} dot, {len(stack)} stack, {len(other)} non-essential "
                f"({max(ratio, 0):.2f} per dot beyond {SLACK}, budget {budget})")
        tile = os.path.basename(path)[:-len(".c.o")]
        key = os.path.basename(os.path.dirname(path)) + "/" + tile + \
            ("" if family not in OTHER_LOOPS.values() and family not in BLOCK_LOOPS.values()
             else " " + family)
        bad = bool(stack) or ratio > budget
        if bad and key in STACK_BOUND:
            bound, why = STACK_BOUND[key]
            if len(stack) <= bound and (len(other) - SLACK) / ndot <= budget:
                bad = False
                line += f"; bounded ({len(stack)} <= {bound} stack): {why}"
                print("note " + line)
                continue
        exempt = bad and (KNOWN.get(key) or
                          (REGISTER_BOUND.get(tile) if "qb4w" not in key and "-row/" not in key else None))
        if exempt:
            line += f"; allowed: {exempt}"
            bad = False
            print("note " + line)
        elif bad or verbose:
            print(("FAIL " if bad else "ok   ") + line)
        if bad:
            for i in stack + other[:12]:
                print(f"       {i[0]:#x}: {i[1]} {i[2]}")
            problems.append(line)
    return problems


def main(argv):
    verbose = "-v" in argv
    dirs = [a for a in argv if a != "-v"]
    if not dirs:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    failures = 0
    for build_dir in dirs:
        objs = kernel_objects(build_dir)
        if not objs:
            print(f"check-inner-loops: no x86 GEMM/IGEMM kernel objects under {build_dir}",
                  file=sys.stderr)
            return 2
        bad = sum(1 for o in objs if check_object(o, verbose))
        print(f"check-inner-loops: {build_dir}: {len(objs)} kernel objects, {bad} failing")
        failures += bad
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
