#!/usr/bin/env python3
"""Writes the seed corpus of the fuzz targets: test/fuzz/corpus/<target>/<case>.

Each file is an input of the byte format that test/fuzz/decoders/fuzz-input.h documents
(the decoders read it; libFuzzer mutates it). The cases name what they exercise: every
datatype on the GEMM, IGEMM and depthwise paths, strides, batch 0, repeated reshapes, calls
out of order, and the rejections (unknown flags, NaN bounds and scales, sizes that
overflow size_t). The output is deterministic, and every corpus directory is rewritten
from scratch, so scripts/check-generated.sh catches a corpus that drifts from this script.
The normal test build replays the corpus (test/fuzz/fuzz-replay-test.cc).
"""
import os
import shutil
import struct

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fuzz", "corpus")
SIZE_MAX = (1 << 64) - 1
UINT32_MAX = (1 << 32) - 1
FLT_MAX = struct.unpack("<f", struct.pack("<I", 0x7F7FFFFF))[0]
FLT_MIN = struct.unpack("<f", struct.pack("<I", 0x00800000))[0]

# ---- encoders (mirror FuzzInput in test/fuzz/decoders/fuzz-input.cc) ----


def u16(v):
    return list(struct.pack("<H", v))


def u32(v):
    return list(struct.pack("<I", v & UINT32_MAX))


def u64(v):
    return list(struct.pack("<Q", v))


def size(v):
    if v < 0xF0:
        return [v]
    if v > SIZE_MAX - 256:
        return [0xF3, SIZE_MAX - v]
    if SIZE_MAX // 2 <= v < SIZE_MAX // 2 + 256:
        return [0xF5, v - SIZE_MAX // 2]
    if v & (v - 1) == 0:
        return [0xF4, v.bit_length() - 1]
    if v < 1 << 16:
        return [0xF0] + u16(v)
    if v < 1 << 32:
        return [0xF1] + u32(v)
    return [0xF2] + u64(v)


def dim(v):
    if v < 0xF0:
        return [v]
    if v > UINT32_MAX - 256:
        return [0xF3, UINT32_MAX - v]
    if v < 1 << 16:
        return [0xF0] + u16(v)
    return [0xF1] + u32(v)


def stride(delta=0, absolute=None):
    """channels + delta, or an absolute stride."""
    if absolute is not None:
        return [0xFF] + size(absolute)
    assert 0 <= delta < 0xFF
    return [delta]


def grid_value(t):
    i = t - 16
    m = i % 120
    magnitude = (1 + (m % 8) / 8) * 2.0 ** (m // 8 - 8)
    return magnitude if i < 120 else -magnitude


NAMED = {"nan": [2], "inf": [3], "-inf": [4], "max": [6], "-max": [7], "min": [9]}


def real(x):
    if isinstance(x, str):
        if x.startswith("sub"):  # "subN": N + 1 smallest subnormals
            return [5, int(x[3:])]
        return NAMED[x]
    if x == 0:
        return [1] if str(x).startswith("-") else [0]
    for tag, v in ((10, 1.0), (11, -1.0), (12, 6.0), (13, -6.0), (14, 0.5), (15, 127.0)):
        if x == v:
            return [tag]
    for t in range(16, 256):
        if grid_value(t) == x:
            return [t]
    return [8] + list(struct.pack("<f", x))


def zp(v):
    if v == -128:
        return [0x80, 7]
    if -128 < v <= 127:
        return [v & 0xFF]
    special = {-(1 << 31): 1, (1 << 31) - 1: 2, 128: 3, -129: 4, 255: 5, 256: 6}
    if v in special:
        return [0x80, special[v]]
    return [0x80, 0] + u32(v)


def flags(f):
    return [f] if f < 0x80 else [0x80] + u32(f)


SMALL, ZERO, EXTREME, SPECIAL, RAW, SATURATED = range(6)


def data(mode=SMALL, seed=1):
    return [mode] + u32(seed)


def i8(v):
    return [v & 0xFF]


# ---- lifecycle steps (test/fuzz/decoders/operator-steps.cc) ----


def reshape(args, pool=0):
    return [0] + args + [pool]


def setup(nulls=0):
    return [1, nulls]


def run(pool=0):
    return [2, pool]


def cycle(args, pool=0):
    """reshape + setup + run."""
    return [3] + args + [pool, 0, pool]


# ---- datatype parameters (test/fuzz/decoders/gemm-datatypes.h) ----

F32, F16, QS8, QS8_QC8W, QD8_F32, QD8_F16 = range(6)
DATATYPES = {"f32": F32, "f16": F16, "qs8": QS8, "qs8-qc8w": QS8_QC8W, "qd8-f32": QD8_F32,
             "qd8-f16": QD8_F16}


def dt_params(dt, flag=0, mode=SMALL, seed=1, options=0, lo=-6.0, hi=6.0,
              qs8=(0, 0.5, 2.0 ** -6, 0, 0.5, -128, 127), qd8_kernel_scale=2.0 ** -7,
              params=(0, 0, 2.0 ** -7)):
    out = flags(flag) + data(mode, seed) + [options]
    if dt in (F32, F16):
        return out + real(lo) + real(hi)
    if dt in (QS8, QS8_QC8W):
        izp, iscale, kscale, ozp, oscale, qmin, qmax = qs8
        return (out + i8(izp) + real(iscale) + real(kscale) + i8(ozp) + real(oscale) +
                i8(qmin) + i8(qmax))
    mode_p, pzp, pscale = params
    return out + real(qd8_kernel_scale) + real(lo) + real(hi) + [mode_p] + zp(pzp) + real(pscale)


# ---- targets ----


def fc(dt, ic, oc, steps, is_=None, os_=None, **kw):
    return ([dt] + size(ic) + size(oc) + (is_ or stride()) + (os_ or stride()) +
            dt_params(dt, **kw) + steps)


def fully_connected_cases():
    cases = {}
    for name, dt in DATATYPES.items():
        cases[f"{name}-basic"] = fc(dt, 5, 7, cycle(size(3)))
        cases[f"{name}-strided-regrow"] = fc(
            dt, 17, 33, cycle(size(1)) + cycle(size(9), pool=1) + cycle(size(2)),
            is_=stride(3), os_=stride(5), seed=2)
        cases[f"{name}-transposed-nobias"] = fc(dt, 8, 19, cycle(size(4), pool=1), flag=1,
                                                options=1, seed=3)
        cases[f"{name}-batch0"] = fc(dt, 3, 2, cycle(size(0)) + cycle(size(1)))
        cases[f"{name}-out-of-order"] = fc(dt, 4, 4, run() + setup() + reshape(size(2)) +
                                           run() + setup(1) + setup(4) + setup() + run() +
                                           reshape(size(5)) + run())
        cases[f"{name}-unknown-flag"] = fc(dt, 4, 4, cycle(size(1)), flag=0x10)
        cases[f"{name}-overflow"] = fc(dt, SIZE_MAX // 2 + 1, 4, cycle(size(1)))
        cases[f"{name}-huge-batch"] = fc(dt, 4, 4, cycle(size(SIZE_MAX - 3)) + cycle(size(1)))
        cases[f"{name}-extreme"] = fc(dt, 31, 9, cycle(size(5)), mode=EXTREME, seed=4)
        cases[f"{name}-special"] = fc(dt, 12, 13, cycle(size(3)), mode=SPECIAL, seed=5)
    cases["f32-nan-bound"] = fc(F32, 4, 4, cycle(size(1)), lo="nan")
    cases["f32-unbounded"] = fc(F32, 40, 3, cycle(size(7)), lo="-inf", hi="inf")
    cases["f32-stride-below-channels"] = fc(F32, 8, 4, cycle(size(1)), is_=stride(absolute=7))
    cases["f32-huge-kernel"] = fc(F32, 1 << 20, 1 << 20, cycle(size(1)))
    cases["f16-fp32-weights"] = fc(F16, 9, 18, cycle(size(6)), flag=8)
    cases["f16-bounds-collapse"] = fc(F16, 4, 4, cycle(size(1)), lo=1.0, hi=1.0001)
    cases["qs8-nan-scale"] = fc(QS8, 4, 4, cycle(size(1)), qs8=(0, "nan", 1.0, 0, 1.0, -128, 127))
    cases["qs8-requantization-256"] = fc(QS8, 4, 4, cycle(size(1)),
                                         qs8=(0, 127.0, 127.0, 0, 0.5, -128, 127))
    cases["qs8-min-above-max"] = fc(QS8, 4, 4, cycle(size(1)), qs8=(3, 0.5, 0.5, 1, 0.5, 5, 4))
    cases["qs8-qc8w-subnormal-scales"] = fc(QS8_QC8W, 6, 6, cycle(size(2)), options=2,
                                            qs8=(1, 0.5, "sub3", -2, 0.5, -100, 100))
    cases["qd8-f32-params-extreme-zero-point"] = fc(QD8_F32, 7, 5, cycle(size(2)),
                                                    params=(1, 127, 2.0 ** -7))
    # Found by hand while fuzzing: zero points beyond int8 overflowed the kernels' int32
    # negation (UBSan); run now rejects them.
    for name, dt, zero_point in (("qd8-f32-params-zero-point-int32-min", QD8_F32, -(1 << 31)),
                                 ("qd8-f16-params-zero-point-int32-max", QD8_F16, (1 << 31) - 1),
                                 ("qd8-f32-params-zero-point-128", QD8_F32, 128)):
        cases[name] = fc(dt, 7, 5, cycle(size(2)) + setup() + run(1),
                         params=(1, zero_point, 2.0 ** -7))
    # Found while fuzzing: a bias near INT32_MIN plus the dot product overflowed the scalar
    # kernels' signed int32 sums (UBSan); they now wrap like the SIMD kernels.
    cases["qs8-saturated-bias-overflow"] = fc(QS8, 1, 1, cycle(size(1)), mode=SATURATED)
    cases["qs8-qc8w-saturated"] = fc(QS8_QC8W, 200, 3, cycle(size(2)), mode=SATURATED,
                                     qs8=(5, 0.5, 2.0 ** -6, 0, 0.5, -128, 127))
    cases["qd8-f32-params-nan-scale"] = fc(QD8_F32, 7, 5, cycle(size(2)), params=(1, 0, "nan"))
    cases["qd8-f16-zero-kernel-scale"] = fc(QD8_F16, 3, 3, cycle(size(1)), options=2,
                                            qd8_kernel_scale=0.0)
    return cases


def conv(dt, geometry, gic, goc, steps, ics=None, ocs=None, **kw):
    pads, kernel, sub, dil, groups = geometry
    out = [dt]
    for v in list(pads) + list(kernel) + list(sub) + list(dil) + [groups]:
        out += dim(v)
    return (out + size(gic) + size(goc) + (ics or stride()) + (ocs or stride()) +
            dt_params(dt, **kw) + steps)


def nhw(n, h, w):
    return size(n) + size(h) + size(w)


def convolution_cases():
    cases = {}
    g1x1 = ((0, 0, 0, 0), (1, 1), (1, 1), (1, 1), 1)
    g3x3 = ((1, 1, 1, 1), (3, 3), (1, 1), (1, 1), 1)
    grouped = ((0, 1, 1, 0), (3, 2), (2, 2), (1, 1), 2)
    dilated = ((2, 2, 2, 2), (3, 3), (1, 2), (2, 2), 1)
    dw3x3 = ((1, 1, 1, 1), (3, 3), (1, 1), (1, 1), 5)
    dw5x5 = ((2, 2, 2, 2), (5, 5), (2, 2), (1, 1), 3)
    for name, dt in DATATYPES.items():
        cases[f"{name}-1x1"] = conv(dt, g1x1, 6, 10, cycle(nhw(2, 3, 4)))
        cases[f"{name}-3x3-padded"] = conv(dt, g3x3, 3, 8, cycle(nhw(1, 5, 6), pool=1), seed=2)
        cases[f"{name}-grouped-strided"] = conv(dt, grouped, 3, 5, cycle(nhw(2, 7, 6)),
                                                ics=stride(2), ocs=stride(3), seed=3)
        cases[f"{name}-dilated"] = conv(dt, dilated, 2, 3, cycle(nhw(1, 9, 8)), seed=4)
        cases[f"{name}-depthwise"] = conv(dt, dw3x3, 1, 1, cycle(nhw(2, 4, 5)) +
                                          cycle(nhw(1, 9, 3), pool=1), flag=2, seed=5)
        cases[f"{name}-depthwise-ohwi-25"] = conv(dt, dw5x5, 1, 1, cycle(nhw(1, 7, 7)), seed=6)
        cases[f"{name}-same-padding"] = conv(dt, ((0, 0, 0, 0), (4, 3), (3, 2), (1, 1), 1), 2, 4,
                                             cycle(nhw(1, 7, 5)), flag=4, seed=7)
        cases[f"{name}-input-below-kernel"] = conv(dt, ((0, 0, 0, 0), (5, 5), (1, 1), (1, 1), 1),
                                                   1, 2, cycle(nhw(1, 4, 4)) +
                                                   cycle(nhw(1, 5, 5)))
        cases[f"{name}-special"] = conv(dt, g3x3, 4, 4, cycle(nhw(1, 3, 3)), mode=SPECIAL,
                                        seed=8)
    cases["f32-unknown-flag"] = conv(F32, g3x3, 1, 1, cycle(nhw(1, 3, 3)), flag=0x20)
    cases["f32-same-with-padding"] = conv(F32, g3x3, 1, 1, cycle(nhw(1, 3, 3)), flag=4)
    cases["f32-huge-padding"] = conv(F32, ((UINT32_MAX, 0, UINT32_MAX, 0), (3, 3), (1, 1),
                                           (1, 1), 1), 1, 1, cycle(nhw(1, 3, 3)))
    cases["f32-huge-kernel"] = conv(F32, ((0, 0, 0, 0), (1 << 16, 1 << 16), (1, 1), (1, 1),
                                          1 << 16), 1 << 16, 1 << 16, cycle(nhw(1, 3, 3)))
    cases["f32-zero-stride"] = conv(F32, ((0, 0, 0, 0), (3, 3), (0, 1), (1, 1), 1), 1, 1,
                                    cycle(nhw(1, 3, 3)))
    cases["f32-batch-overflow"] = conv(F32, g3x3, 2, 2, cycle(nhw(SIZE_MAX // 2 + 1, 4, 4)) +
                                       cycle(nhw(1, 2, 2)))
    cases["qd8-f32-padding-zero-point"] = conv(QD8_F32, g3x3, 2, 3, cycle(nhw(3, 4, 4)),
                                               params=(1, -128, 2.0 ** -7))
    cases["qd8-f16-params-zero-point-int32-min"] = conv(QD8_F16, g3x3, 2, 3,
                                                        cycle(nhw(2, 4, 4)),
                                                        params=(1, -(1 << 31), 2.0 ** -7))
    cases["qs8-depthwise-saturated"] = conv(QS8, dw3x3, 1, 1, cycle(nhw(1, 4, 5)), flag=2,
                                            mode=SATURATED, qs8=(5, 0.5, 2.0 ** -6, 0, 0.5, -128, 127))
    cases["qs8-qc8w-25-saturated"] = conv(QS8_QC8W, dw5x5, 1, 1, cycle(nhw(1, 6, 6)),
                                          mode=SATURATED, qs8=(5, 0.5, 2.0 ** -6, 0, 0.5, -128, 127))
    cases["qd8-f32-saturated"] = conv(QD8_F32, g3x3, 3, 5, cycle(nhw(1, 4, 4)), mode=SATURATED)
    cases["qs8-depthwise-multiplier"] = conv(QS8, ((1, 1, 1, 1), (3, 3), (1, 1), (1, 1), 3),
                                             1, 2, cycle(nhw(1, 4, 4)), flag=2)
    return cases


def convert_op(kind, channels, steps, is_=None, os_=None, flag=0, mode=SMALL, seed=1):
    return ([kind] + size(channels) + (is_ or stride()) + (os_ or stride()) + flags(flag) +
            data(mode, seed) + steps)


def convert_cases():
    cases = {}
    for name, kind in (("f32-qd8", 0), ("f16-qd8", 1), ("f32-f16", 2), ("f16-f32", 3)):
        cases[f"{name}-basic"] = convert_op(kind, 13, cycle(size(4)))
        cases[f"{name}-strided"] = convert_op(kind, 33, cycle(size(3), pool=1) + cycle(size(7)),
                                              is_=stride(5), os_=stride(2), seed=2)
        cases[f"{name}-batch0"] = convert_op(kind, 8, cycle(size(0)))
        cases[f"{name}-zero-channels"] = convert_op(kind, 0, cycle(size(1)))
        cases[f"{name}-flag"] = convert_op(kind, 4, cycle(size(1)), flag=1)
        cases[f"{name}-special"] = convert_op(kind, 70, cycle(size(5)), mode=SPECIAL, seed=3)
        cases[f"{name}-raw"] = convert_op(kind, 9, cycle(size(6)), mode=RAW, seed=4)
        cases[f"{name}-extreme"] = convert_op(kind, 17, cycle(size(2)), mode=EXTREME, seed=5)
        cases[f"{name}-zero-rows"] = convert_op(kind, 5, cycle(size(3)), mode=ZERO)
        cases[f"{name}-saturated"] = convert_op(kind, 6, cycle(size(2)), mode=SATURATED)
        cases[f"{name}-out-of-order"] = convert_op(kind, 4, run() + setup() + reshape(size(2)) +
                                                   run() + setup(2) + setup() + run())
        cases[f"{name}-overflow"] = convert_op(kind, 4, cycle(size(SIZE_MAX // 2 + 1)))
    return cases


def quantize_weights_op(oc, ic, mode=SMALL, seed=1, options=0):
    return size(oc) + size(ic) + data(mode, seed) + [options]


def quantize_weights_cases():
    return {
        "basic": quantize_weights_op(7, 13),
        "single": quantize_weights_op(1, 1),
        "zero-weights": quantize_weights_op(4, 9, mode=ZERO),
        "extreme": quantize_weights_op(5, 33, mode=EXTREME, seed=2),
        "special": quantize_weights_op(6, 40, mode=SPECIAL, seed=3),
        "raw": quantize_weights_op(3, 11, mode=RAW, seed=4),
        "saturated": quantize_weights_op(3, 5, mode=SATURATED),
        "null-weights": quantize_weights_op(2, 2, options=1),
        "null-kernel": quantize_weights_op(2, 2, options=2),
        "null-scale": quantize_weights_op(2, 2, options=4),
        "zero-output-channels": quantize_weights_op(0, 5),
        "zero-input-channels": quantize_weights_op(5, 0),
        "overflow": quantize_weights_op(SIZE_MAX // 2 + 1, 4),
        "overflow-bytes": quantize_weights_op(1 << 31, 1 << 31),
        "wide": quantize_weights_op(2, 3000, seed=5),
    }


# ---- runtime (test/fuzz/decoders/runtime.cc) ----
# Flag bytes of the subgraph and the runtime; the decoder shifts them left by 8.
FP16, DRQ = 0x1, 0x2


def rdim(v):
    """A runtime dim: 1..24, 67..79, a u32 or SIZE_MAX / 2 + k (never 0 in the corpus)."""
    if 1 <= v <= 24:
        return [v - 1]
    if 67 <= v <= 79:
        return [0xF0 + v - 64]
    if SIZE_MAX // 2 <= v < SIZE_MAX // 2 + 256:
        return [0xF2, v - SIZE_MAX // 2]
    assert 0 < v <= UINT32_MAX, v
    return [0xF1] + u32(v)


def bounds(lo, hi):
    """The node's bounds byte (and reals): None = no bound, 0 = ReLU's min, 6 = ReLU6."""
    sel_lo = {None: 0, 0: 1, -6: 2}.get(lo, 3)
    sel_hi = {None: 0, 6: 2}.get(hi, 3)
    tail = (real(lo) if sel_lo == 3 else []) + (real(hi) if sel_hi == 3 else [])
    return sel_lo | sel_hi << 2, tail


def rt_node(op, x, extra=(), bits=0, external=False, lo=None, hi=None):
    """op: 0 FC, 1 conv, 2 depthwise, 3 add2, 4 clamp, 5 GELU, 6 softmax, 7 global average
    pooling, 8 max pooling, 9 static reshape, 10 clamp over raw ids, 11 binary, 12 unary,
    13 select (rt_binary, rt_unary, rt_select); x: index of the input
    among the values defined so far (inputs first); bits: 0x10 / 0x20 of the bounds byte."""
    b, tail = bounds(lo, hi)
    return [op | (0x80 if external else 0), x, b | bits] + tail + list(extra)


def rt_fc(x, oc, transpose=False, bias=True, **kw):
    return rt_node(0, x, rdim(oc), (0x10 if transpose else 0) | (0x20 if bias else 0), **kw)


def rt_window(k, s=(1, 1), d=(1, 1), same=False, pads=(0, 0, 0, 0), extra_bit=0):
    """kernel, stride, dilation and the geometry byte; pads: top, bottom, left, right."""
    g = (d[0] - 1) | (d[1] - 1) << 1 | (0x4 if same else 0) | extra_bit
    return [k[0] - 1, k[1] - 1, s[0] - 1, s[1] - 1, g] + ([] if same else list(pads))


def rt_conv(x, k, goc, groups=1, **kw):
    window_kw = {key: kw.pop(key) for key in ("s", "d", "same", "pads") if key in kw}
    return rt_node(1, x, rt_window(k, extra_bit=0x8 if groups == 2 else 0, **window_kw) +
                   rdim(goc), **kw)


def rt_depthwise(x, k, multiplier=1, **kw):
    window_kw = {key: kw.pop(key) for key in ("s", "d", "same", "pads") if key in kw}
    # The geometry byte also gives the multiplier (g % 3 + 1): search a byte that has both.
    geometry = rt_window(k, **window_kw)
    g = geometry[4]
    while g % 3 != multiplier - 1:
        g += 0x10
    geometry[4] = g
    return rt_node(2, x, geometry, **kw)


# Broadcasting operands (runtime.cc, GraphBuilder::operand): another activation of the
# node's input rank, or a static value: rank = input rank - drop, dims from the last: "x"
# (the input's dim), 1, or an explicit dim (rdim); dim 0 of a full-rank operand is 1.
def rt_operand_value(index):
    return [0, index]


def rt_operand_static(dims, drop=0):
    """dims: per dim from the first, "x", 1 or an int (an rdim); len(dims) + drop must be the
    rank of the node's input (the decoder reads that many dims)."""
    codes, tail = 0, []
    for i, d in enumerate(reversed(dims)):
        code = 0 if d == "x" else 2 if d == 1 else 3
        codes |= code << (2 * i)
        if code == 3:
            tail += rdim(d)
    return [drop << 2 | 1, codes] + tail


BINARY_OPS = ["add", "subtract", "multiply", "divide", "maximum", "minimum", "prelu", "equal",
              "not_equal", "greater", "greater_equal", "less", "less_equal"]
UNARY_OPS = ["relu", "leaky_relu", "sigmoid", "tanh", "hardsigmoid", "hardswish", "swish", "exp",
             "log", "sqrt", "square", "abs", "negate", "erf", "floor", "ceil", "round"]


def rt_binary(x, op, operand, swap=False, **kw):
    """op: a BINARY_OPS name or a raw operator number (0, 14, 15: not operators)."""
    code = BINARY_OPS.index(op) + 1 if isinstance(op, str) else op
    return rt_node(11, x, [code] + operand, bits=0x10 if swap else 0, **kw)


def rt_unary(x, op, params=None, **kw):
    """params: (alpha, beta) reals, "null", or None (not read: only leaky_relu and
    hardsigmoid read it)."""
    code = UNARY_OPS.index(op) + 1 if isinstance(op, str) else op
    extra = [code]
    if params == "null":
        extra += [1]
    elif params is not None:
        extra += [0] + real(params[0]) + real(params[1])
    return rt_node(12, x, extra, **kw)


def rt_select(x, slot, operand1, operand2, flags_value=None, **kw):
    """x fills the select's input `slot` (0: condition, 1: input1, 2: input2); operand1 and
    operand2 the other two in order. flags_value: a flags field follows (bit 0x40 of the
    bounds byte, which the decoder's slot, (b >> 4) % 3, reads too: slot 0 becomes 1)."""
    bits = slot << 4
    extra = operand1 + operand2
    if flags_value is not None:
        bits |= 0x40
        extra += flags(flags_value)
    return rt_node(13, x, extra, bits=bits, **kw)


def rt_graph(inputs, nodes, reshapes=(), sg_flags=0, rt_flags=0, pool=0, ids=8, mode=SMALL,
             seed=1):
    """inputs: dims of each input (same batch); nodes: rt_* blobs; reshapes: rt_reshape_*."""
    blob = flags(sg_flags) + flags(rt_flags) + [pool] + dim(ids) + data(mode, seed)
    blob += [len(inputs) - 1] + rdim(inputs[0][0])
    for dims in inputs:
        blob += [0 if len(dims) == 4 else 1] + sum((rdim(d) for d in dims[1:]), [])
    blob += [len(nodes)] + sum(nodes, [])
    blob += [len(reshapes)] + sum(reshapes, [])
    return blob


def rt_batch(n, input_index=0):
    return [input_index] + rdim(n)


def rt_reshape_dim(index, v, input_index=0):
    return [2 << 1 | input_index, index] + rdim(v)


def rt_reshape_rank(rank, input_index=0):
    return [3 << 1 | input_index, rank]


def runtime_cases():
    classifier = [rt_conv(0, (3, 3), 8, pads=(1, 1, 1, 1)), rt_node(4, 1, lo=0),
                  rt_node(7, 2, bits=0x10), rt_fc(3, 5), rt_node(6, 4, external=True)]
    return {
        "fc": rt_graph([[2, 16]], [rt_fc(0, 8, external=True)]),
        "fc-relu-transposed": rt_graph([[3, 12]], [rt_fc(0, 7, transpose=True, lo=0,
                                                         external=True)]),
        "fc-no-bias-bounds": rt_graph([[1, 9]], [rt_fc(0, 4, bias=False, lo=-0.5, hi=0.25,
                                                       external=True)]),
        "fc-drq": rt_graph([[3, 79]], [rt_fc(0, 16, external=True)], sg_flags=DRQ),
        "fc-drq-small-reduction": rt_graph([[3, 8]], [rt_fc(0, 16, external=True)],
                                           rt_flags=DRQ),
        "fc-drq-batches": rt_graph([[2, 70]], [rt_fc(0, 9, lo=0), rt_fc(1, 3, external=True)],
                                   [rt_batch(5), rt_batch(1)], rt_flags=DRQ, pool=1),
        "conv": rt_graph([[1, 8, 8, 4]], [rt_conv(0, (3, 3), 8, pads=(1, 1, 1, 1),
                                                  external=True)]),
        "conv-same-stride-dilation": rt_graph([[2, 9, 7, 3]], [rt_conv(
            0, (3, 2), 5, s=(2, 1), d=(2, 1), same=True, external=True)]),
        "conv-groups": rt_graph([[1, 6, 6, 6]], [rt_conv(0, (1, 1), 4, groups=2,
                                                         external=True)]),
        "conv-drq": rt_graph([[1, 6, 6, 8]], [rt_conv(0, (3, 3), 12, pads=(1, 1, 1, 1),
                                                      lo=0, hi=6, external=True)],
                             [rt_batch(2)], sg_flags=DRQ),
        "conv-window-too-large": rt_graph([[1, 2, 2, 3]], [rt_conv(0, (5, 5), 4,
                                                                   external=True)]),
        "depthwise": rt_graph([[1, 7, 7, 6]], [rt_depthwise(0, (3, 3), 2, pads=(1, 1, 1, 1),
                                                            external=True)]),
        "depthwise-same-stride": rt_graph([[2, 9, 9, 5]], [rt_depthwise(
            0, (5, 5), s=(2, 2), same=True, external=True)], [rt_batch(1)]),
        "maxpool": rt_graph([[1, 8, 8, 3]], [rt_node(8, 0, [1, 1, 1], external=True)]),
        "maxpool-same-padded": rt_graph([[2, 7, 5, 4]], [
            rt_node(8, 0, [2, 2, 1], bits=0x10), rt_node(8, 1, [1, 2, 0], bits=0x20,
                                                         external=True)]),
        "add2-same-value": rt_graph([[2, 10]], [rt_node(3, 0, [0], external=True)]),
        "add2-static-operand": rt_graph([[2, 3, 3, 4]], [rt_node(3, 0, [0], bits=0x10,
                                                                 lo=-1, hi=1, external=True)],
                                        [rt_batch(4)]),
        "two-inputs": rt_graph([[2, 6], [2, 6]], [rt_node(3, 0, [1]), rt_node(5, 2),
                                                  rt_node(6, 3, external=True)],
                               [rt_batch(3, 1), rt_batch(1, 0)]),
        "gelu-softmax": rt_graph([[4, 11]], [rt_node(5, 0), rt_node(6, 1, external=True)]),
        "reshape-then-fc": rt_graph([[2, 3, 3, 2]], [rt_node(9, 0), rt_fc(1, 5,
                                                                          external=True)],
                                    [rt_batch(3)]),
        "gap-4d-output": rt_graph([[2, 5, 5, 3]], [rt_node(7, 0, external=True)]),
        "classifier": rt_graph([[1, 8, 8, 4]], classifier, [rt_batch(3), rt_batch(2)]),
        "classifier-fp16": rt_graph([[1, 8, 8, 4]], classifier, [rt_batch(2)], sg_flags=FP16),
        "classifier-pool-special": rt_graph([[2, 6, 6, 4]], classifier, [rt_batch(1)],
                                            pool=1, mode=SPECIAL, seed=3),
        "classifier-extreme": rt_graph([[1, 6, 6, 4]], classifier, mode=EXTREME, seed=2),
        "external-outputs-midway": rt_graph([[2, 4, 4, 2]], [
            rt_conv(0, (1, 1), 3, external=True), rt_node(4, 1, lo=0, external=True)]),
        "reshape-channels": rt_graph([[2, 8]], [rt_fc(0, 4, external=True)],
                                     [rt_reshape_dim(1, 9), rt_batch(3)]),
        "reshape-rank": rt_graph([[1, 4, 4, 2]], [rt_conv(0, (3, 3), 2, external=True)],
                                 [rt_reshape_rank(3)]),
        "reshape-rank-7": rt_graph([[2, 5]], [rt_node(4, 0, lo=0, external=True)],
                                   [rt_reshape_rank(7)]),
        "reshape-huge-batch": rt_graph([[2, 5]], [rt_fc(0, 3, external=True)],
                                       [rt_batch(SIZE_MAX // 2 + 1), rt_batch(2)]),
        "reshape-u32-dim": rt_graph([[1, 4, 4, 2]], [rt_node(8, 0, [1, 1, 0], external=True)],
                                    [rt_reshape_dim(1, 1 << 31)]),
        "huge-input-dims": rt_graph([[1, 1 << 30, 1 << 30, 3]], [rt_node(4, 0, external=True)]),
        "raw-ids": rt_graph([[1, 4]], [rt_node(10, 0, u32(7) + u32(UINT32_MAX) + flags(0)),
                                       rt_node(10, 0, u32(0) + u32(0) + flags(0x40)),
                                       rt_node(4, 0, external=True)]),
        "nan-bounds": rt_graph([[1, 4]], [rt_node(4, 0, lo="nan", external=True)]),
        "empty-bounds": rt_graph([[1, 4]], [rt_node(4, 0, lo=1, hi=-1, external=True)]),
        "subgraph-unknown-flags": rt_graph([[1, 4]], [rt_node(4, 0, external=True)],
                                           sg_flags=0x40),
        "runtime-unknown-flags": rt_graph([[1, 4]], [rt_node(4, 0, external=True)],
                                          rt_flags=0x10),
        "no-external-ids": rt_graph([[1, 4]], [rt_node(4, 0, external=True)], ids=0),
        "input-only": rt_graph([[2, 3]], []),
        # Binary: every operator, same-shape and broadcast operands, rejections.
        "binary-arithmetic": rt_graph([[2, 6], [2, 6]], [
            rt_binary(0, op, rt_operand_value(1), external=True)
            for op in BINARY_OPS[:7]], ids=16),
        "binary-comparisons": rt_graph([[3, 5], [3, 5]], [
            rt_binary(0, op, rt_operand_value(1), external=True) for op in BINARY_OPS[7:]],
            [rt_batch(2)], mode=SPECIAL, seed=2),
        "binary-compare-channel": rt_graph([[2, 4, 4, 3]], [
            rt_binary(0, "greater_equal", rt_operand_static(["x"], drop=3), lo=0, hi=0.5,
                      external=True)], [rt_batch(3)]),
        "binary-broadcast-both": rt_graph([[2, 3, 3, 4]], [
            rt_node(7, 0), rt_binary(1, "less", rt_operand_static([1, 3, 3, "x"]), swap=True,
                                     external=True)], [rt_batch(1)]),
        "binary-scalar-fp16": rt_graph([[2, 7]], [
            rt_binary(0, "not_equal", rt_operand_static([1], drop=1), external=True),
            rt_binary(0, "divide", rt_operand_static([1, "x"]), external=True)],
            sg_flags=FP16),
        "binary-not-broadcasting": rt_graph([[2, 5]], [
            rt_binary(0, "add", rt_operand_static([3], drop=1)),
            rt_binary(0, "equal", rt_operand_static([1, 4])),
            rt_node(4, 0, external=True)]),
        "binary-invalid-operators": rt_graph([[1, 4]], [
            rt_binary(0, 0, rt_operand_value(0)), rt_binary(0, 14, rt_operand_value(0)),
            rt_binary(0, "less", rt_operand_value(0), lo=1, hi=-1),
            rt_binary(0, "less", [0xFF] + u32(UINT32_MAX)),
            rt_node(4, 0, external=True)]),
        # Unary: every operator (leaky_relu / hardsigmoid with params), bad params.
        "unary-activations": rt_graph([[2, 9]], [
            rt_unary(0, op, (0.5, 0.25) if op in ("leaky_relu", "hardsigmoid") else None,
                     external=True) for op in UNARY_OPS[:8]], [rt_batch(3)], ids=16),
        "unary-math-rounding": rt_graph([[2, 3, 3, 5]], [
            rt_unary(0, op, external=True) for op in UNARY_OPS[8:]], mode=SPECIAL, seed=4, ids=16),
        "unary-rounding-extreme": rt_graph([[1, 37]], [
            rt_unary(0, op, external=True) for op in ("floor", "ceil", "round")],
            mode=EXTREME, seed=5),
        "unary-chain-fp16": rt_graph([[2, 3, 3, 4]], [
            rt_conv(0, (1, 1), 4), rt_unary(1, "hardswish"), rt_unary(2, "round"),
            rt_unary(3, "erf", external=True)], sg_flags=FP16),
        "unary-bad-params": rt_graph([[1, 4]], [
            rt_unary(0, "leaky_relu", "null"), rt_unary(0, "hardsigmoid", ("nan", 0.5)),
            rt_unary(0, "leaky_relu", ("inf", 0)), rt_unary(0, 0), rt_unary(0, 18),
            rt_node(4, 0, external=True)]),
        # Select: a comparison's output as the condition, broadcast operands, rejections.
        "select-where": rt_graph([[2, 6], [2, 6]], [
            rt_binary(0, "less", rt_operand_value(1)),
            rt_select(2, 0, rt_operand_value(0), rt_operand_value(1), external=True)],
            [rt_batch(4, 1)], mode=SPECIAL, seed=6),
        "select-broadcast": rt_graph([[2, 3, 3, 4]], [
            rt_select(0, 1, rt_operand_static(["x"], drop=3),
                      rt_operand_static([1, 1, "x"], drop=1), external=True)],
            [rt_batch(1), rt_batch(5)]),
        "select-condition-broadcast": rt_graph([[2, 4, 4, 3]], [
            rt_node(7, 0), rt_select(1, 0, rt_operand_value(0),
                                     rt_operand_static([1, 4, 4, 1]), external=True)]),
        "select-fp16": rt_graph([[2, 5], [2, 5]], [
            rt_binary(0, "greater", rt_operand_value(1)),
            rt_select(2, 0, rt_operand_value(1), rt_operand_value(0), external=True)],
            sg_flags=FP16),
        "select-rejections": rt_graph([[2, 6]], [
            rt_select(0, 0, rt_operand_static([5], drop=1), rt_operand_value(0)),
            rt_select(0, 0, rt_operand_value(0), rt_operand_value(0), flags_value=1),
            rt_select(0, 0, rt_operand_value(0), [0xFF] + u32(UINT32_MAX)),
            rt_node(4, 0, external=True)]),
    }


TARGETS = {
    "fully-connected": fully_connected_cases,
    "convolution": convolution_cases,
    "convert": convert_cases,
    "quantize-weights": quantize_weights_cases,
    "runtime": runtime_cases,
}


def main():
    for target, make in TARGETS.items():
        directory = os.path.join(ROOT, target)
        shutil.rmtree(directory, ignore_errors=True)
        os.makedirs(directory)
        for name, blob in sorted(make().items()):
            assert all(0 <= b < 256 for b in blob), (target, name)
            with open(os.path.join(directory, name), "wb") as f:
                f.write(bytes(blob))


if __name__ == "__main__":
    main()
