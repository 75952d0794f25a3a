"""Generates the x86 f32 depthwise-convolution row microkernels (family f32-dwconv-row).

Run by scripts/generate-kernels.py
Writes src/microkernels/f32-dwconv-row/<taps>p<CT>c-<isa>.c for square kernels of 9 (3x3)
and 25 (5x5) taps.

A row kernel computes the output pixels of one output row: the interior columns, whose
taps lie inside the input row, and up to PQNN_DWCONV_ROW_EDGES border columns on either
side (struct pqnn_dwconv_row_edges: per border pixel, which tap columns lie inside the
row; the others read as a zero vector, the FMAs the DWCONV kernel does on its zero row).
The border pixels run in the channel-vector passes of the interior's first (left) and
last (right) strip with the weights already in registers, so they cost about what an
interior pixel does. It takes one pointer per kernel row (an input row, or a zero row
for vertical padding) instead of an indirection buffer of kernel_size pointers per
pixel. It walks the interior in strips of STRIP pixels (avx512 9p32c; the other tiles:
the whole row) and each strip channel vector by channel vector: for each vector of V
channels it loads that vector's bias and taps (kept in registers when they fit: taps + 1
+ 4 <= vector registers) and then runs along the strip, one load and one FMA per tap and
pixel (a walk of each vector along the whole row, as before, fetched each of the row's
input lines from L2 or L3 once per vector: on the Intel Xeon up to 1.5x slower than
strips, STRIP), with tap addresses computed from the row pointer plus multiples of
tap_stride (addressing modes, no pointer loads). Where a vector is half a 64-byte line
(AVX2, 16-channel tiles), whole tiles go a line (two vectors) per pixel, the second
vector's weights read from the tile, so that the walk does not fetch every line of the
row twice. AVX2 walks the interior in blocks of pixels (BLOCK, block_body): per kernel row
the row's taps in registers and each input vector loaded once for every pixel of the
block that reads it. The arithmetic (tap order, accumulator chains) is that of the DWCONV kernel
of the same tile (f32_dwconv.fixed_acc), so both give bit-identical outputs for a pixel;
the weights are packed for that kernel (pqnn_pack_f32_dwconv with its channel tile).
"""
import math
import textwrap

from kernels import elementwise as ew
from kernels import f32_dwconv
from kernels import x86_f32 as vf

# ISA -> (vector registers, partial-vector load, partial-vector store, mask setup)
MASKED = {
    "avx2_fma": (16, "_mm256_maskload_ps((const float*) ({p}), vmask)",
                 "_mm256_maskstore_ps((float*) {p}, vmask, {v});",
                 "const __m256i vmask = _mm256_loadu_si256((const __m256i*) &mask_table[8 - c]);"),
    "avx512f": (32, "_mm512_maskz_loadu_ps(vmask, (const float*) ({p}))",
                "_mm512_mask_storeu_ps((float*) {p}, vmask, {v});",
                "const __mmask16 vmask = (__mmask16) ((1u << c) - 1u);"),
}
ISAS = {isa.suffix: isa for isa in (f32_dwconv.AVX2, f32_dwconv.AVX512)}
# ISA -> a border pixel's tap load at {p} under the tap column's mask {k} (masked-off lanes
# read as +0.0 and never fault: no branch, no pointer outside the row dereferenced).
BORDER_LOAD = {
    "avx2_fma": "_mm256_maskload_ps((const float*) ({p}), {k})",
    "avx512f": "_mm512_maskz_loadu_ps({k}, (const float*) ({p}))",
}



# The border pixels of a side as one word: a byte per pixel, in order from bit 0, its tap
# bits with bit 7 set (a pixel with no tap inside the row still counts), so that one
# general register holds the loop's count and masks.
EDGE_BITS = """_Static_assert(PQNN_DWCONV_ROW_EDGES == 4, "a byte per border pixel in a uint32_t");

static inline uint32_t edge_bits(const uint8_t taps[PQNN_DWCONV_ROW_EDGES], size_t n) {
  uint32_t bits;
  memcpy(&bits, taps, sizeof(bits));
  return (bits | UINT32_C(0x80808080)) & (uint32_t) ((UINT64_C(1) << (8 * n)) - 1);
}"""


def border_held(isa, taps):
    """Whether the border pixels use the held weights: avx512 (32 registers: the held taps,
    bias, clamp bounds and accumulators, 30 at 5x5, and the broadcast tap bits; the masks
    live in k-registers). AVX2 reads them from the tile (memory operands) and loads the
    held ones after the left border loop, so that they are not live in any border loop:
    16 ymm registers hold 3x3's taps or the taps' masks, not both."""
    del taps  # (the same answer for 3x3 and 5x5)
    return isa.name == "avx512f"


def border_masks(isa, k, masked, p):
    """The load masks vk0 .. vk<k - 1> of a border pixel with tap bits m: every lane of the
    vector (the channel mask vmask on the last partial vector) where bit kx of m is set,
    none where it is clear, from m broadcast to a vector. AVX512: a vptestmd with bit kx
    (one instruction a column; from -(bit kx) in general registers it took 5, and the 5x5
    border pixels ran 5-17% slower); AVX2: bit kx shifted into the sign bit of every lane,
    which is what vmaskmovps reads."""
    out = []
    if isa.name == "avx512f":
        out.append(f"{p}const __m512i vm = _mm512_set1_epi32((int) m);")
        for kx in range(k):
            bit = f"_mm512_set1_epi32({1 << kx})"
            mk = (f"_mm512_mask_test_epi32_mask(vmask, vm, {bit})" if masked
                  else f"_mm512_test_epi32_mask(vm, {bit})")
            out.append(f"{p}const __mmask16 vk{kx} = {mk};")
    else:
        out.append(f"{p}const __m256i vm = _mm256_set1_epi32((int) m);")
        for kx in range(k):
            mk = f"_mm256_slli_epi32(vm, {31 - kx})"
            out.append(f"{p}const __m256i vk{kx} = "
                       f"{f'_mm256_and_si256({mk}, vmask)' if masked else mk};")
    return out


# The epilogue variants (family f32-dwconv-row-epi): tile suffix -> (activation, affine).
EPILOGUES = {"hswish_affine": ("hswish", True), "clamp_affine": ("clamp", True),
             "affine": ("identity", True), "hswish": ("hswish", False)}
# ISA -> the elementwise vocabulary of its f32-vunary kernels (the activation's body).
EW_VEC = {"avx2_fma": ew.AVX2, "avx512f": ew.AVX512}


def kernel_name(taps, ct, isa, epi=None):
    if epi is None:
        return f"pqnn_f32_dwconv_row_minmax_ukernel_{taps}p{ct}c__{isa.name}"
    return f"pqnn_f32_dwconv_row_epi_ukernel_{taps}p{ct}c_{epi}__{isa.name}"


def signature(name, epi=None):
    tail = ",\n    const struct pqnn_dwconv_row_epilogue* epilogue" if epi else ""
    return (f"void {name}(size_t channels, size_t output_width,\n"
            "    const void** rows, size_t input_step, size_t tap_stride, const void* weights,\n"
            "    void* output, size_t output_stride, const void* params,\n"
            f"    const struct pqnn_dwconv_row_edges* edges{tail})")


def affine_held(isa):
    """Whether the affine's bias, scale and bounds of the channel vector live in registers
    through its walk (avx512f: 32 zmm hold them beside the 3x3 taps, and the loops need no
    general register for them; AVX2 reads them from memory in the loop: 16 ymm hold the
    taps and accumulators, and a hoisted copy would spill)."""
    return isa.name == "avx512f"


def epilogue_lines(isa, epi, n, p):
    """The output epilogue of vector n in registers, after the clamp and before the store:
    the tier's f32-vunary body of the activation (elementwise.unary_body, its params at ap),
    then the affine as the tier's 1x1 DWCONV kernel computes it (fmadd(x, scale, bias) with
    the affine's bias at eb and scale at es, then its clamp to aq's bounds), the operations
    of f32_epilogue's f32-vunary-affine kernel in its order: the two-pass bits."""
    if epi is None:
        return []
    act, affine = EPILOGUES[epi]
    v = EW_VEC[isa.name]
    out = [f"{p}{{  // epilogue: {act}{' + affine' if affine else ''}",
           f"{p}  const {v.t} vx = vacc{n};"]
    body = [f"  const {v.t} vy = vx;"] if act == "identity" else ew.unary_body(v, act)
    out += [p + line.replace("p->", "ap->") for line in body]
    if affine:
        off = f" + {n * isa.v}" if n else ""
        if affine_held(isa):
            scale, bias, lo, hi = "ves", "veb", "vamin", "vamax"
        else:
            scale, bias = vf.load(isa.name, "es" + off), vf.load(isa.name, "eb" + off)
            lo, hi = vf.set1(isa.name, "aq->min"), vf.set1(isa.name, "aq->max")
        out.append(f"{p}  {v.t} va = {vf.fma(isa.name, 'vy', scale, bias)};")
        out.append(f"{p}  va = {vf.min_(isa.name, hi, vf.max_(isa.name, lo, 'va'))};")
        out.append(f"{p}  vacc{n} = va;")
    else:
        out.append(f"{p}  vacc{n} = vy;")
    out.append(f"{p}}}")
    return out


def tap_address(ky, kx):
    """Bytes of tap (ky, kx) of the current pixel: row pointer + kx * tap_stride, in forms
    that x86 addressing modes take (base + index * 1, 2, 4)."""
    return {0: f"i{ky}", 1: f"i{ky} + ts", 2: f"i{ky} + ts * 2", 3: f"i{ky} + ts3",
            4: f"i{ky} + ts * 4"}[kx]


def pixel_body(isa, taps, ct, hold, masked, p, vectors, border=False, epi=None):
    """One pixel of `vectors` adjacent channel vectors (w: the first one's bias in the
    packed tile): bias, taps in order in the DWCONV kernel's chains, clamp, store at o.
    Vector 0's weights are the held vwb / vw<t> when `hold`; the others' are read from the
    tile (memory operands). border: a border pixel, whose tap column kx is loaded with the
    mask vk<kx> (border_masks: all lanes where bit kx of its tap bits m is set, none
    otherwise: a zero vector, as the DWCONV kernel's zero row gives), branch-free."""
    k = math.isqrt(taps)
    v = isa.v
    chains = f32_dwconv.fixed_acc(isa, taps)
    ld_masked, st_masked = MASKED[isa.name][1], MASKED[isa.name][2]
    out = border_masks(isa, k, masked, p) if border else []
    for n in range(vectors):
        held = hold and n == 0 and (border_held(isa, taps) or not border)
        bias = "vwb" if held else vf.load(isa.name, f"w + {n * v}" if n else "w")
        out.append(f"{p}{isa.vtype} vacc{n} = {bias};")
    for t in range(taps):
        kx = t % k
        addr = tap_address(t // k, kx)
        for n in range(vectors):
            a = f"{addr} + {n * v * 4}" if n else addr
            hold_n = hold and n == 0 and (border_held(isa, taps) or not border)
            if border:
                ld = BORDER_LOAD[isa.name].format(p=a, k=f"vk{kx}")
            else:
                ld = ld_masked.format(p=a) if masked else vf.load(isa.name, f"(const float*) ({a})")
            wo = (t + 1) * ct + n * v
            wv = f"vw{t}" if hold_n else vf.load(isa.name, f"w + {wo}")
            if chains == 1:
                out.append(f"{p}vacc{n} = {vf.fma(isa.name, ld, wv, f'vacc{n}')};")
            elif t == 1:
                out.append(f"{p}{isa.vtype} vaccb{n} = {vf.mul(isa.name, ld, wv)};")
            else:
                acc = f"vaccb{n}" if t % 2 else f"vacc{n}"
                out.append(f"{p}{acc} = {vf.fma(isa.name, ld, wv, acc)};")
    for n in range(vectors):
        if chains == 2:
            out.append(f"{p}vacc{n} = {vf.add(isa.name, f'vacc{n}', f'vaccb{n}')};")
        out.extend(p + line for line in vf.clamp(isa.name, f"vacc{n}"))
        out.extend(epilogue_lines(isa, epi, n, p))
        if masked:
            out.append(p + st_masked.format(p="o", v=f"vacc{n}"))
        else:
            dst = f"(float*) (o + {n * v * 4})" if n else "(float*) o"
            out.append(f"{p}{vf.store(isa.name, dst, f'vacc{n}')}")
    return out


# Interior pixels per block (block_body) where the tier runs blocks: (isa, taps) -> pixels.
# AMD Zen 3 (AVX2, 16 ymm registers), a standalone copy of each loop, GFLOP/s, one pixel at
# a time (the loop before blocks: two loads per FMA, every pixel's chains of 9 or 25
# dependent FMAs) against blocks of P pixels, the same bits: 5x5 rec 240x12x80 42-44 ->
# P = 3 / 4 / 5: 68 / 65-68 / 73 (P = 5 holds 10 accumulators, 5 taps and an input:
# every ymm register, and gcc spills the clamp bounds); det 192x40x40 45 -> 73 (P = 4);
# 3x3 det 16x320x320 36-38 -> 62-66 (P = 4 .. 8), 96x80x80 33-41 -> 47-67 (P = 6 ahead in a
# quiet minute). AVX512 keeps the one-pixel walk with the taps held in its 32 registers
# (not measured on an AVX512 machine yet).
# 3x3 at a stride of two: 0.72-0.91x (det 32x320x320, 96x80x80: neighbours share one input
# of three, and the block loses the held taps), so one pixel at a time there, the taps held.
BLOCK = {("avx2_fma", 9): (6, (1,)), ("avx2_fma", 25): (4, (1, 2))}


def block_pixels(isa, taps):
    """Pixels per interior block for the tier and taps, or None: one pixel at a time."""
    return BLOCK[(isa.name, taps)][0] if (isa.name, taps) in BLOCK else None


def block_strides(isa, taps):
    """Column strides (in taps) that run in blocks."""
    return BLOCK[(isa.name, taps)][1] if (isa.name, taps) in BLOCK else ()


def block_body(isa, taps, ct, p, vectors, stride, npx, epi=None):
    """npx adjacent interior pixels of `vectors` whole channel vectors, for a column stride
    of `stride` taps (input_step == stride * tap_stride): per vector and kernel row, the
    row's taps loaded once into registers, then each input vector the block reads from
    that row loaded once and multiplied into every pixel that uses it (the pixels' taps
    share inputs: npx + k - 1 loads a row at stride 1 where npx pixels took npx * k). Per
    pixel the FMAs run in tap order in the DWCONV kernel's chains (fixed_acc): the bits
    of pixel_body."""
    k = math.isqrt(taps)
    v = isa.v
    chains = f32_dwconv.fixed_acc(isa, taps)
    out = []
    for n in range(vectors):
        q = p + "  "
        out.append(f"{p}{{  // channel vector {n} of the block's pixels")
        bias = vf.load(isa.name, f"w + {n * v}" if n else "w")
        for px in range(npx):
            out.append(f"{q}{isa.vtype} va{px} = {bias};")
        if chains == 2:
            out.append(f"{q}{isa.vtype} " + ", ".join(f"vb{px}" for px in range(npx)) + ";")
        for ky in range(k):
            out.append(f"{q}{{  // kernel row {ky}")
            r = q + "  "
            for kx in range(k):
                wo = (ky * k + kx + 1) * ct + n * v
                out.append(f"{r}const {isa.vtype} vw{kx} = {vf.load(isa.name, f'w + {wo}')};")
            # The row's inputs from one pointer stepped 4 taps at a time, at offsets 0, ts,
            # 2 ts and 3 ts (addressing modes), each step opaque to the compiler: with
            # i{ky} + j * ts for each j, or the steps visible, gcc 12 computed every row's
            # addresses ahead and kept them on the stack (46 stack accesses a block).
            span = stride * (npx - 1) + k
            noff = f" + {n * v * 4}" if n else ""
            out.append(f"{r}const char* ir = i{ky}{noff};")
            for j in range(span):
                if j and j % 4 == 0:
                    out.append(f"{r}ir += ts * 4;")
                    out.append(f"{r}PQNN_DWROW_OPAQUE(ir);")
                users = [((j - kx) // stride, kx) for kx in range(k)
                         if (j - kx) % stride == 0 and 0 <= (j - kx) // stride < npx]
                if not users:
                    continue
                off = ("", " + ts", " + ts * 2", " + ts3")[j % 4]
                ld = vf.load(isa.name, f"(const float*) (ir{off})")
                out.append(f"{r}{{")
                out.append(f"{r}  const {isa.vtype} vi = {ld};")
                for px, kx in users:
                    t = ky * k + kx
                    if chains == 1 or t % 2 == 0:
                        out.append(f"{r}  va{px} = {vf.fma(isa.name, 'vi', f'vw{kx}', f'va{px}')};")
                    elif t == 1:
                        out.append(f"{r}  vb{px} = {vf.mul(isa.name, 'vi', f'vw{kx}')};")
                    else:
                        out.append(f"{r}  vb{px} = {vf.fma(isa.name, 'vi', f'vw{kx}', f'vb{px}')};")
                out.append(f"{r}}}")
            out.append(f"{q}}}")
        out.append(f"{q}char* oo = o{f' + {n * v * 4}' if n else ''};")
        for px in range(npx):
            out.append(f"{q}{{")
            acc = vf.add(isa.name, f"va{px}", f"vb{px}") if chains == 2 else f"va{px}"
            out.append(f"{q}  {isa.vtype} vacc{n} = {acc};")
            out.extend(q + "  " + line for line in vf.clamp(isa.name, f"vacc{n}"))
            out.extend(epilogue_lines(isa, epi, n, q + "  "))
            out.append(f"{q}  {vf.store(isa.name, '(float*) oo', f'vacc{n}')}")
            if px + 1 < npx:
                out.append(f"{q}  oo += output_stride;")
            out.append(f"{q}}}")
        out.append(f"{p}}}")
    return out


def pixel_loop(isa, taps, ct, hold, masked, ind, vectors=1, epi=None, count="output_width",
               late=()):
    """The loop along the interior's `count` pixels (the row's, or a strip's) for `vectors`
    adjacent channel vectors: blocks of block_pixels() pixels where the tier has them (whole
    vectors at the column strides of block_strides()), then one pixel at a time. late:
    statements before the one-pixel loop (the held taps' loads: not live in the blocks)."""
    npx = None if masked else block_pixels(isa, taps)
    if npx is None:
        out = list(late) + [f"{ind}for (size_t x = {count}; x != 0; x--) {{"]
    else:
        out = [f"{ind}size_t x = {count};"]
        for i, stride in enumerate(block_strides(isa, taps)):
            cond = "input_step == tap_stride" if stride == 1 else f"input_step == {stride} * tap_stride"
            out.append(f"{ind}{'if' if i == 0 else '} else if'} ({cond}) {{")
            out.append(f"{ind}  for (; x >= {npx}; x -= {npx}) {{")
            out.extend(block_body(isa, taps, ct, ind + "    ", vectors, stride, npx, epi))
            for r in range(math.isqrt(taps)):
                out.append(f"{ind}    i{r} += input_step * {npx};")
            out.append(f"{ind}    o += output_stride * {npx};")
            out.append(f"{ind}  }}")
        out.append(f"{ind}}}")
        out += list(late)
        out.append(f"{ind}for (; x != 0; x--) {{")
    p = ind + "  "
    out.extend(pixel_body(isa, taps, ct, hold, masked, p, vectors, epi=epi))
    for r in range(math.isqrt(taps)):
        out.append(f"{p}i{r} += input_step;")
    out.append(f"{p}o += output_stride;")
    out.append(f"{ind}}}")
    return out


def edge_loop(isa, taps, ct, hold, masked, ind, side, vectors=1, epi=None, guard=None):
    """The border pixels on one side of the interior (side "left": before the interior,
    "right": after it), with the held weights: the row pointers walk on from pixel to pixel
    as in the interior (they start edges->left pixels before it, vector_setup), and tap
    (ky, kx) of border pixel e is loaded under the mask of bit kx of
    edges-><side>_taps[e] (a zero vector where clear), in the interior's tap order and
    chains (the DWCONV kernel reads padding taps from its zero row: the same FMAs,
    bit-identical). Branch-free, with one general register for the pixel count and tap bits
    (edge_bits) beside the interior loop's: the 5x5 loops need all the others.
    AVX2 reads the border pixels' weights from the tile (memory operands): 16 ymm registers
    hold the taps, but not the taps and the masks too. guard: a condition under which the
    side's pixels are there (a strip of the interior other than the first / last has none)."""
    bits = f"edge_bits(edges->{side}_taps, edges->{side})"
    if guard is not None:
        bits = f"({guard} ? {bits} : 0)"
    out = [f"{ind}for (uint32_t bits = {bits}; bits != 0; bits >>= 8) {{",
           f"{ind}  const unsigned m = bits;  // tap bits in bits 0..{math.isqrt(taps) - 1}"]
    out.extend(pixel_body(isa, taps, ct, hold, masked, ind + "  ", vectors, border=True, epi=epi))
    for r in range(math.isqrt(taps)):
        out.append(f"{ind}  i{r} += input_step;")
    out.append(f"{ind}  o += output_stride;")
    out.append(f"{ind}}}")
    return out


def held_weights(isa, taps, ct, ind):
    """Loads the bias and taps of the vector at w into vwb, vw0 .. vw<taps - 1>."""
    out = [f"{ind}const {isa.vtype} vwb = {vf.load(isa.name, 'w')};"]
    for t in range(taps):
        out.append(f"{ind}const {isa.vtype} vw{t} = {vf.load(isa.name, f'w + {(t + 1) * ct}')};")
    return out


def vector_setup(isa, taps, ct, held, ind, pos, epi=None):
    """Row pointers at channel c0 of the pass's first pixel (pos: the input and output byte
    offsets of that pixel from rows[] and output: the interior's first pixel is at rows[],
    the first left border pixel at output), the output at channel c0, and the held weights
    of the vector at w where `held`."""
    if pos is None:  # the whole row from its first left border pixel
        out = [f"{ind}const size_t lead = edges->left * input_step;  // left border before rows[]"]
        pos = (" - lead", "")
    else:
        out = []
    in_off, out_off = pos
    out += [f"{ind}const char* i{r} = (const char*) rows[{r}] + c0 * sizeof(float){in_off};"
            for r in range(math.isqrt(taps))]
    out.append(f"{ind}char* o = (char*) output + c0 * sizeof(float){out_off};")
    if epi is not None and EPILOGUES[epi][1]:
        out.append(f"{ind}// the affine's bias and scale of channel c0 (tiles of at channels)")
        out.append(f"{ind}const float* eb = epilogue->affine + (c0 / at) * 2 * at + c0 % at;")
        out.append(f"{ind}const float* es = eb + at;")
        if affine_held(isa):
            out.append(f"{ind}const {isa.vtype} veb = {vf.load(isa.name, 'eb')};")
            out.append(f"{ind}const {isa.vtype} ves = {vf.load(isa.name, 'es')};")
    return out + (held_weights(isa, taps, ct, ind) if held else [])


# Output pixels per strip of the interior (kernel(): strips outer, channel vectors inner).
# Intel Xeon (AVX512, L1D 48 KiB), a standalone copy of the 9p32c avx512 loop, us per
# image, vector-outer walk of the whole row / strips of 2 / 4 / 8 pixels:
# 128x56x56 s1 236 / 177 / 171 / 186; 64x112x112 s2 262 / 179 / 158 / 184;
# 96x80x80 s1 357 / 234 / 268 / 316; 256x28x28 s1 69 / 63 / 58 / 59; 128x12x160 s1
# 114 / 78 / 77 / 77; 16 channels (one vector) 320x320 s1 593 / - / 655 / 606 (16 pixels):
# the channels of one pass walk the whole row (kernel()). 5x5 (None: the whole row, as
# before) lost with strips, bench/f32-depthwise row, GFLOP/s, main / strips of 8 / 16:
# det 192x40x40 s1 59-64 / 42-54 / 48-57, rec 480x3x80 80-86 / 63-66 / 74, every 5x5
# shape 0.80-0.95x (25 + 1 held weights reloaded per strip and vector). 3x3: 8 over 4
# (bench/f32-depthwise row, 2 interleaved rounds against main): det / rec / mnv1 on large
# maps within 5% of each other (8 ahead on rec, 4 on det s2), cls 32x6x96 0.88 -> 1.02x.
# docs/benchmarks.md has the operator's numbers.
# AVX2 (PQNN_ISA=avx2, same bench, 2 rounds): strips of 8 on 9p16c, whose whole tiles
# already walk a 64-byte line per pixel, gave 0.90-1.31x on the row kernel (gains only at
# s2 and 48 channels) and 0.86-1.06x with the epilogue in registers: not there. The
# avx512 9p16c candidate is left as well (its border loops then took 5 stack accesses
# under clang 14, scripts/analysis/check-inner-loops.sh).
STRIP = {("avx512f", 9, 32): 8}  # (isa, taps, tile) -> pixels per strip; others: the whole row


def strip_pixels(isa, taps, ct):
    """Pixels per strip of the interior for the tile, or None: the whole row (STRIP)."""
    return STRIP.get((isa.name, taps, ct))


def passes(isa, taps, ct, hold, lines, pos, walk, held, epi=None):
    """The channel-vector passes over one stretch of pixels: whole tiles a line at a time
    where `lines` (AVX2), then vector by vector with the last 1 .. v - 1 channels masked;
    walk(masked, ind, vectors) gives the pixel loop of one pass, held whether the pass
    holds the vector's weights in registers."""
    v = isa.v
    out = []
    ind = ""
    if lines:
        # Whole tiles first, a 64-byte line (two vectors) per pixel: a walk of one 32-byte
        # vector along the row would fetch every line of the row twice, once per half.
        out.append(f"{ind}for (; channels - c0 >= {ct}; c0 += {ct}) {{  // whole tiles, both vectors")
        out.extend(vector_setup(isa, taps, ct, held, ind + "  ", pos, epi))
        out.extend(walk(False, ind + "  ", ct // v))
        out.append(f"{ind}  w += {ct + taps * ct};")
        out.append(f"{ind}}}")
    out.append(f"{ind}size_t j = 0;  // this vector's channel offset in its tile")
    out.append(f"{ind}for (; c0 < channels; c0 += {v}) {{")
    ind2 = ind + "  "
    out.extend(vector_setup(isa, taps, ct, held, ind2, pos, epi))
    out.append(f"{ind2}if (channels - c0 >= {v}) {{")
    out.extend(walk(False, ind2 + "  ", 1))
    out.append(f"{ind2}}} else {{")
    out.append(f"{ind2}  const size_t c = channels - c0;")
    out.append(f"{ind2}  {MASKED[isa.name][3]}")
    out.extend(walk(True, ind2 + "  ", 1))
    out.append(f"{ind2}}}")
    out.append(f"{ind2}w += {v};")
    out.append(f"{ind2}j += {v};")
    out.append(f"{ind2}if (j == {ct}) {{  // next tile: skip this one's taps")
    out.append(f"{ind2}  j = 0;")
    out.append(f"{ind2}  w += {taps * ct};")
    out.append(f"{ind2}}}")
    out.append(f"{ind}}}")
    return out


def kernel(taps, ct, isa, epi=None):
    v = isa.v
    k = math.isqrt(taps)
    assert k * k == taps and k in (3, 5) and ct % v == 0, (taps, ct, isa.name)
    nregs = MASKED[isa.name][0]
    # Taps held in registers through the one-pixel walk where they fit (loaded after the
    # blocks, which load the taps of one kernel row per block).
    hold = taps + 1 + 4 <= nregs
    # Vectors narrower than a 64-byte line (AVX2) walk whole tiles a line at a time.
    lines = v * 4 < 64 and ct * 4 == 64
    name = kernel_name(taps, ct, isa, epi)
    strip = strip_pixels(isa, taps, ct)
    held_how = (f"loaded {'once' if strip is None else 'per strip'}, held in registers" if hold
                else "read from the packed tile (L1) per pixel")
    chains = f32_dwconv.fixed_acc(isa, taps)
    desc = (f"f32 depthwise-convolution row microkernel, {k}x{k} taps, channel tile {ct}, "
            f"{isa.name} (contract: src/microkernels.h, DWCONV row). Output pixel x, tap "
            f"(ky, kx) reads `channels` floats at rows[ky] + x * input_step + kx * tap_stride "
            f"bytes; weights packed for the DWCONV kernel of tile {taps}p{ct}c "
            f"(pqnn_pack_f32_dwconv: [{ct} f32 bias][{taps} x {ct} f32] per tile); output "
            f"pixel x = clamp(bias + sum_t input_t * w_t) at output + x * output_stride bytes. "
            + (f"Interior in strips of {strip} pixels (one strip of the whole row where "
               f"the channels take one pass or the row is under {2 * strip} pixels), each "
               f"strip's channel vectors of {v}, its pixels inner: " if strip else
               f"Channel vectors of {v} outer, pixels inner: ") +
            f"per vector the bias and taps are "
            f"{held_how}, "
            + (f"then blocks of {block_pixels(isa, taps)} pixels where the column stride is "
               f"{' or '.join(str(x) for x in block_strides(isa, taps))} tap"
               f"{'s' if block_strides(isa, taps) != (1,) else ''} (per kernel row its taps "
               f"loaded once and each input vector once, multiplied into every pixel of the "
               f"block that reads it), the other pixels "
               if block_pixels(isa, taps) else "then ") +
            f"one load and one FMA per tap and pixel, "
            f"{'one accumulator chain' if chains == 1 else 'even and odd taps in two accumulator chains'}"
            f" in tap order, as in the DWCONV kernel {taps}p{ct}c (bit-identical results); "
            f"the last 1-{v - 1} channels with masked loads and stores. Border pixels "
            f"(edges->left before, edges->right after the interior) in "
            f"{'the same pass' if strip is None else 'the passes of the first / last strip'}, "
            f"their "
            f"taps outside the row as zero vectors (the same FMAs). Reads exactly "
            f"`channels` floats per tap and writes exactly `channels` per pixel.")
    if epi is not None:
        act, affine = EPILOGUES[epi]
        desc += (f" Epilogue in registers before the store (f32-dwconv-row-epi): "
                 f"{act if act != 'identity' else 'no activation'}"
                 f"{' (the tier f32-vunary kernel arithmetic)' if act != 'identity' else ''}"
                 f"{', then the affine of epilogue->affine as the tier 1x1 DWCONV kernel computes it' if affine else ''}"
                 f", the same bits as the row kernel followed by the epilogue kernels.")
    out = ["// Generated by scripts/kernels/f32_dwconv_row.py: do not edit.\n//\n" +
           "\n".join("// " + ln for ln in textwrap.wrap(desc, 86)) +
           '\n#include "microkernels.h"', "", f"#include {isa.include}", "#include <string.h>"]
    if block_pixels(isa, taps) is not None:
        out.append("")
        out.append("// A pointer the compiler must take as it is (no address computed from it ahead).")
        out.append('#define PQNN_DWROW_OPAQUE(p) __asm__("" : "+r"(p))')
    if isa.name == "avx2_fma":
        out.append("")
        out.append("// mask_table + 8 - c: c lanes of -1, then zeros.")
        out.append("static const int32_t mask_table[16] = "
                   "{-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};")
    out.append("")
    out.append(EDGE_BITS)
    out.append("")
    out.append(signature(name, epi) + " {")
    out.append("  const struct pqnn_f32_minmax_params* p = (const struct pqnn_f32_minmax_params*) params;")
    out.append(f"  const {isa.vtype} vmin = {vf.set1(isa.name, 'p->min')};")
    out.append(f"  const {isa.vtype} vmax = {vf.set1(isa.name, 'p->max')};")
    if epi is not None:
        act, affine = EPILOGUES[epi]
        if act == "clamp":
            out.append("  const struct pqnn_f32_elementwise_params* ap = epilogue->activation;")
        if affine:
            out.append("  const struct pqnn_f32_minmax_params* aq = epilogue->affine_params;")
            out.append("  const size_t at = epilogue->affine_tile;")
            if affine_held(isa):
                out.append(f"  const {isa.vtype} vamin = {vf.set1(isa.name, 'aq->min')};")
                out.append(f"  const {isa.vtype} vamax = {vf.set1(isa.name, 'aq->max')};")
        if act != "clamp" and not affine:
            out.append("  (void) epilogue;")
    out.append("  const size_t ts = tap_stride;")
    if k == 5 or block_pixels(isa, taps) is not None:
        out.append("  const size_t ts3 = tap_stride * 3;")
    bh = hold and border_held(isa, taps)

    def block(cond, pos, walk, held, pre=(), post=(), tail=""):
        """One stretch of pixels: every channel-vector pass over it, from the first tile."""
        lines_ = [f"  {cond} {{" if cond else "  {"] + [f"    {ln}" for ln in pre]
        lines_.append("    const float* w = (const float*) weights;  // this vector's bias in its tile")
        lines_.append("    size_t c0 = 0;")
        lines_ += ["    " + ln for ln in passes(isa, taps, ct, hold, lines, pos, walk, held, epi)]
        lines_ += [f"    {ln}" for ln in post]
        lines_.append("  }" + tail)
        return lines_

    def row_walk(guards, count):
        """One channel-vector pass over a strip: its left border pixels, its interior pixels,
        its right border pixels (the held weights loaded after the left border where they
        are not held there)."""
        def walk(masked, ind, vectors):
            late = [] if bh or not hold else held_weights(isa, taps, ct, ind)
            return (edge_loop(isa, taps, ct, hold, masked, ind, "left", vectors, epi, guards[0]) +
                    pixel_loop(isa, taps, ct, hold, masked, ind, vectors, epi, count, late) +
                    edge_loop(isa, taps, ct, hold, masked, ind, "right", vectors, epi, guards[1]))
        return walk

    if strip is None:
        # The whole row per channel-vector pass, its border pixels in the same pass.
        out.append("  const float* w = (const float*) weights;  // this vector's bias in its tile")
        out.append("  size_t c0 = 0;")
        out += ["  " + ln for ln in passes(isa, taps, ct, hold, lines, None,
                                           row_walk((None, None), "output_width"), bh, epi)]
    else:
        # The interior in strips of STRIP pixels, every channel vector of a strip before the
        # next strip (the strip's input lines stay in L1 from one vector to the next, where
        # a vector's walk along the whole row fetched every input line of the row once per
        # vector; the weights are reloaded per strip and vector); the first strip's passes
        # take the left border pixels, the last strip's the right ones. One strip of the
        # whole row where the channels take one pass (nothing to keep in L1 from one vector
        # to the next: 0.9x at 16 channels with strips of 4) or the row is short (under
        # two strips: the 14x14 and 7x7 MobileNet layers ran 0.7-0.9x in strips of 4).
        one_pass = ct if lines else v
        out.append(f"  const size_t strip = channels > {one_pass} && output_width >= "
                   f"{2 * strip} ? {strip} : output_width;")
        out.append("  size_t xs = 0;  // the strip's first interior pixel")
        out += block("do", (" + xs * input_step - lead", " + skip * output_stride"),
                     row_walk(("first", "last"), "n"), bh,
                     pre=["const size_t n = output_width - xs < strip ? output_width - xs : strip;",
                          "const bool first = xs == 0;",
                          "const bool last = xs + n == output_width;",
                          "const size_t lead = first ? edges->left * input_step : 0;",
                          "const size_t skip = first ? 0 : edges->left + xs;  // output pixels before it"],
                     post=["xs += n;"], tail=" while (xs < output_width);")
    out.append("}")
    return "\n".join(out) + "\n"


def emit(k):
    """The source of manifest row k (f32-dwconv-row-epi: the tile's suffix names the
    epilogue, EPILOGUES)."""
    taps, ct, _ = k.geometry
    epi = k.tile.split("_", 1)[1] if k.family == "f32-dwconv-row-epi" else None
    return kernel(taps, ct, ISAS[k.isa], epi)


EMITS = {(family, suffix): emit for suffix in ISAS
         for family in ("f32-dwconv-row", "f32-dwconv-row-epi")}
