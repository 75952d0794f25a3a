/*
 * Microkernel contracts. Every kernel of a family has the family's signature (untyped
 * pointers, so that one operator layer drives every datatype); the kernel's name says
 * its datatype, tile and ISA:
 *   pqnn_<datatype>_<kind>_minmax_ukernel_<MR>x<NR>[c<KR>]__<isa>
 * Rules common to all families:
 *   - sizes and strides named *_stride, kc, ks and *_increment are in BYTES;
 *   - a kernel reads exactly the input extents it is given (no over-read after the last
 *     element of a row or pixel) and writes exactly nc / channels elements per row;
 *   - packed weights are the library's own buffers, padded to whole tiles with zeros,
 *     so kernels may read whole tiles of them.
 *
 * GEMM  c[m][n] = clamp(sum_k a[m][k] * w[k][n] + prefix[n])  for m < mr, n < nc:
 *   a: row i at (char*) a + i * a_stride, kc bytes (K elements) each; mr in [1, MR].
 *   w: NR-column panels one after another, each [prefix][K in KR groups][suffix]; the
 *      kernel walks nc in NR steps and reads the panels in order.
 *   c: row i at (char*) c + i * cm_stride; the next NR block starts cn_stride bytes on.
 *   Rows i >= mr are never read or written (kernels alias them to row mr - 1).
 * IGEMM  the same, A given as an indirection buffer: ks bytes of pointers, that is
 *   taps * MR pointers, tap-major: a[t * MR + i] is row i's pixel for tap t. A pointer
 *   other than `zero` gets a_offset bytes added; `zero` points at a zero (padding) row
 *   of kc bytes. Panels hold the K groups of every tap in turn. After each NR block the
 *   kernel rewinds a by ks bytes.
 * DWCONV depthwise: for each of output_width pixels, kernel_size input pointers (tap
 *   order, a_offset/zero rule as IGEMM), `channels` elements read from each; weights in
 *   channel tiles of CT: [prefix CT][kernel_size x CT][suffix CT]; output advances by
 *   channels elements plus output_increment bytes, the pointer array by input_stride
 *   bytes. Kernels with a fixed tap count are only called with that kernel_size.
 * DWCONV row (f32-dwconv-row, qs8-dwconv-row, qd8-f32-qc8w-dwconv-row; square kernels: 9
 *   taps are 3x3, 25 taps 5x5): output_width pixels of one output row, no indirection.
 *   rows: one pointer per kernel row, to the
 *   first tap of pixel 0 in that input row, or the same place in a zero row (vertical
 *   padding) as long as an input row, so that every tap read below lies inside it;
 *   pixel x's tap (ky, kx) is `channels` elements at rows[ky] + x * input_step +
 *   kx * tap_stride bytes (every tap inside the row). Border pixels: edges->left pixels
 *   before those and edges->right after them (each at most PQNN_DWCONV_ROW_EDGES), left
 *   pixel e's tap (ky, kx) at rows[ky] + kx * tap_stride - (left - e) * input_step, right
 *   pixel e's at rows[ky] + (output_width + e) * input_step + kx * tap_stride, read only
 *   where bit kx of edges->left_taps[e] / right_taps[e] is set (a zero vector otherwise:
 *   horizontal padding). Weights as packed for the DWCONV kernel of the same tile; the
 *   left + output_width + right pixels written in order from output, output_stride bytes
 *   apart. The same arithmetic as that DWCONV kernel with padding taps on its zero row:
 *   bit-identical outputs. The int8 row kernels (qs8-dwconv-row, qd8-f32-qc8w-dwconv-row,
 *   3x3 on AVX512-VNNI, their config's rows_without_edges) take no border pixels: edges
 *   is all zero (a tap outside the row would read the zero point, not zeros), and their
 *   zero row holds the input zero point (qd8: each image's).
 *
 * Packed panel layouts (prefix / K data / suffix):
 *   f32   [NR f32 bias][K x NR f32]                                     kr = 1
 *   f16   [NR f16 bias][K x NR f16]                                     kr = 1
 *   qs8   [NR i32 bias'][ceil(K/KR) groups of NR x KR i8][NR f32 scale]
 *         bias' = bias - (input_zero_point + input_offset) * sum_k w[n][k]
 *   qd8   [NR i32 ksum][ceil(K/KR) groups of NR x KR i8][NR f32 kernel_scale][NR f32 bias]
 *         ksum = sum_k w[n][k]; acc = dot - (zero_point + input_offset) * ksum
 *   qb4w  (qd8 x 4-bit weights, qc4w and qb4w; KR = 8; src/packing.h)
 *         [NR f32 fsum][per block of bl k (params block_size): ceil(len/8) groups of
 *         NR x 4 bytes, NR f32 scale/16][NR f32 bias]; byte i of a column's group is
 *         w[k0+i] | w[k0+4+i] << 4 (signed nibbles). Per block the kernel takes the int32
 *         dot of A (+ input_offset) with the weights times 16, and accumulates
 *         acc += (float) dot * (scale/16) in f32;
 *         y = clamp((acc - (float) (zero_point + input_offset) * fsum) * row_scale + bias).
 *   A group holds, for each of the NR columns, KR consecutive k (zero beyond K).
 *   input_offset is 128 for kernels that read activations as uint8 (x86 VNNI u8 x s8,
 *   the kernel adds 128 to each activation), else 0: see the config's input_offset.
 */
#ifndef PQNN_MICROKERNELS_H_
#define PQNN_MICROKERNELS_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <pqnn.h>

#include "common.h"
#include "params.h"

typedef void (*pqnn_gemm_ukernel_fn)(size_t mr, size_t nc, size_t kc, const void* a,
    size_t a_stride, const void* w, void* c, size_t cm_stride, size_t cn_stride,
    const void* params);

typedef void (*pqnn_igemm_ukernel_fn)(size_t mr, size_t nc, size_t kc, size_t ks,
    const void** a, const void* w, void* c, size_t cm_stride, size_t cn_stride,
    size_t a_offset, const void* zero, const void* params);

/* qd8: one quantization params entry per row (mr entries). */
typedef void (*pqnn_dqgemm_ukernel_fn)(size_t mr, size_t nc, size_t kc, const void* a,
    size_t a_stride, const void* w, void* c, size_t cm_stride, size_t cn_stride,
    const void* params, const struct pqnn_quantization_params* quantization_params);

/* qd8: all rows of a call come from one image and share one params entry; `zero` is
 * filled with that image's zero point by the operator. */
typedef void (*pqnn_dqigemm_ukernel_fn)(size_t mr, size_t nc, size_t kc, size_t ks,
    const void** a, const void* w, void* c, size_t cm_stride, size_t cn_stride,
    size_t a_offset, const void* zero, const void* params,
    const struct pqnn_quantization_params* quantization_params);

typedef void (*pqnn_dwconv_ukernel_fn)(size_t channels, size_t output_width,
    size_t kernel_size, const void** input, const void* weights, void* output,
    size_t input_stride, size_t output_increment, size_t a_offset, const void* zero,
    const void* params);

enum { PQNN_DWCONV_ROW_EDGES = 4 };
struct pqnn_dwconv_row_edges {
  size_t left, right;  /* border pixels before / after the interior, each <= 4 */
  uint8_t left_taps[PQNN_DWCONV_ROW_EDGES];   /* bit kx: tap column kx inside the row */
  uint8_t right_taps[PQNN_DWCONV_ROW_EDGES];
};
typedef void (*pqnn_dwconv_row_ukernel_fn)(size_t channels, size_t output_width,
    const void** rows, size_t input_step, size_t tap_stride, const void* weights,
    void* output, size_t output_stride, const void* params,
    const struct pqnn_dwconv_row_edges* edges);
/* A row kernel with the output epilogue in its registers (family f32-dwconv-row-epi,
 * tile <row tile>_<epilogue>: hswish_affine, clamp_affine, affine, hswish): the row
 * kernel of its tile, each output vector then run through the activation (the tier's
 * f32-vunary arithmetic, params at `activation`; none for `affine`) and the affine (the
 * tier's 1x1 DWCONV kernel's fmadd(x, scale, bias) and clamp to affine_params' bounds;
 * none for `hswish`) before its store, in the order of the f32-vunary-affine kernel: the
 * bits of the row kernel followed by the epilogue's passes (src/configs/epilogue-config.c
 * pairs them). `affine` is the 1x1 depthwise operator's packed weights, tiles of
 * [affine_tile bias][affine_tile scale], affine_tile a multiple of the row tile's channels;
 * whole vectors of it are read (the packing pads to the tile). */
struct pqnn_dwconv_row_epilogue {
  const float* affine;
  size_t affine_tile;
  const struct pqnn_f32_elementwise_params* activation;
  const struct pqnn_f32_minmax_params* affine_params;
};
typedef void (*pqnn_dwconv_row_epi_ukernel_fn)(size_t channels, size_t output_width,
    const void** rows, size_t input_step, size_t tap_stride, const void* weights,
    void* output, size_t output_stride, const void* params,
    const struct pqnn_dwconv_row_edges* edges, const struct pqnn_dwconv_row_epilogue* epilogue);

/* Row quantization to qd8 (see pqnn.h): reads n elements of x, writes n int8 to y and
 * the row's {zero_point, scale}. */
typedef void (*pqnn_qd8_quantize_ukernel_fn)(size_t n, const void* x, int8_t* y,
    struct pqnn_quantization_params* quantization_params);

/* The two halves of a row quantization, for rows split into chunks that several threads
 * quantize (convert-nc.c): RANGE reads n >= 1 floats of x and writes min(0, min x),
 * max(0, max x) and whether x holds a NaN or an infinity (min / max are then meaningless);
 * the ranges of a row's chunks merge by min / max / or into the row's range, exactly.
 * APPLY writes y[i] = clamp(rne(x[i] * inv) + zero_point, -128, 127) for n floats, with
 * inv > 0 finite and zero_point the row's (pqnn_qd8_row_params). RANGE + params + APPLY of
 * one ISA are bit-exact with that ISA's quantize kernel (which is made of the same steps). */
struct pqnn_qd8_range {
  float min;
  float max;
  bool nonfinite;
};
typedef void (*pqnn_qd8_range_ukernel_fn)(size_t n, const void* x, struct pqnn_qd8_range* range);
typedef void (*pqnn_qd8_apply_ukernel_fn)(size_t n, const void* x, int8_t* y, float inv,
    int32_t zero_point);

/* ROWS  the quantize kernel of `rows` rows of n >= 1 floats (row i at x + i * x_stride
 * bytes, its int8 at y + i * y_stride bytes, its params at quantization_params[i]), each
 * bit-exact with the same ISA's quantize kernel; for many short rows (a fully connected
 * layer's input over the pixels), whose per-row fixed cost it shares between rows. */
typedef void (*pqnn_qd8_rows_ukernel_fn)(size_t rows, size_t n, const void* x,
    size_t x_stride, int8_t* y, size_t y_stride,
    struct pqnn_quantization_params* quantization_params);

/* Elementwise conversion of n elements (f32 <-> f16). */
typedef void (*pqnn_convert_ukernel_fn)(size_t n, const void* x, void* y);

/* VADD  qs8 elementwise add of n elements (qs8-vadd: b has n elements; qs8-vaddc: b is one
 *   element, broadcast). params: struct pqnn_qs8_add_params {bias, ma, mb, shift, zp, min,
 *   max}. The integer contract, the same int8 on every ISA, for every element:
 *     acc = bias + a * ma + b * mb            (int32; exact: |acc| < 2^31)
 *     q   = acc >> shift                      (arithmetic shift: floor division by 2^shift)
 *     y   = clamp(q + zp, min, max)
 *   With bias = 2^(shift-1) - za * ma - zb * mb this is round-half-up of
 *   ((a - za) * ma + (b - zb) * mb) / 2^shift (+ zp, clamped). SIMD kernels saturate q to
 *   int16 and q + zp to int16 before the clamp, which changes nothing since min, max are int8.
 *   y may equal a or b (exactly; in place). n may be 0.
 * GAVGPOOL  qs8 global average pooling of `pixels` pixels of `channels` int8 each, pixel i at
 *   x + i * x_stride (bytes); writes `channels` int8 to y. params: struct
 *   pqnn_qs8_gavgpool_params. For every channel c:
 *     acc = bias + sum_i x[i][c]              (int32; pixels <= 2^23 keeps it exact)
 *     f   = (float) acc * scale               (one IEEE single rounding each)
 *     y   = rne(clamp(f, min - zp, max - zp)) + zp
 *   pixels >= 1; y must not overlap x. */
typedef void (*pqnn_vadd_ukernel_fn)(size_t n, const int8_t* a, const int8_t* b, int8_t* y,
    const void* params);
typedef void (*pqnn_gavgpool_ukernel_fn)(size_t pixels, size_t channels, const int8_t* x,
    size_t x_stride, int8_t* y, const void* params);

/* Elementwise f32 (f32-vunary, f32-vbinary; params: struct pqnn_f32_elementwise_params).
 * vunary: y[i] = OP(x[i]) for i < n; vbinary: y[i] = clamp(a[i] OP b[i], min, max) (tile
 * "add" .. "min", "prelu": a < 0 ? a * b : a; the comparisons "eq", "ne", "gt", "ge", "lt",
 * "le": 1.0f or 0.0f, NaN false but for ne), a[i] OP b[0] ("addc" .. "preluc", "eqc" ..
 * "lec") or b[0] OP a[i] ("raddc" .. "rpreluc", "reqc" .. "rlec").
 * n > 0 elements are read and written, nothing past them; y may be the same pointer as an
 * input (no other overlap). The operator is the tile, its formula the scalar kernel's
 * (the plain C of pqnn_define_unary / pqnn_define_binary in pqnn.h). Numerics, one
 * contract for every tier:
 *  - exact operators (relu, lrelu, hsigmoid, hswish, clamp, sqrt, abs, neg, sqr and every
 *    vbinary one) give the scalar kernel's bits on every tier, and NaN where it gives NaN
 *    (payloads differ: x86 and Arm choose different ones for two NaN operands and for
 *    invalid operations); maximum / minimum are `(u > v || u != u) ? u : v`;
 *  - exp, sigmoid, swish, tanh: the scalar kernels call the C library (expf, tanhf); the
 *    SIMD ones evaluate exp as 2^n p(r), |r| <= ln 2 / 2, p the degree-7 Taylor polynomial,
 *    with results below 2^-125 (x < -86.64) flushed to 0 and +inf above ln(FLT_MAX); tanh is
 *    an odd Taylor polynomial for |x| < 1/4 and (1 - e) / (1 + e), e = exp(-2|x|), above.
 *    Bound (tested against double precision on every tier): 4 ulp for results of magnitude
 *    >= 2^-125, 1e-37 absolute below, and for swish where sigmoid(x) < 2^-125 (x < -86.64)
 *    |x| 2^-125 absolute (worst seen on x86, NEON and WASM: exp 1.1, sigmoid 2.4, swish
 *    3.0, tanh 2.8 ulp; the C libraries' 0.5, 2.4, 2.8, 1.9 in the scalar kernels). NaN
 *    in gives NaN out, exp(-inf) = 0, exp(+inf) = +inf, sigmoid(-inf) = 0,
 *    sigmoid(+inf) = 1, tanh(+-inf) = +-1, tanh(-0) = -0, swish(-inf) = NaN (-inf * 0);
 *  - gelu, erf, log: one arithmetic on every tier, the scalar kernel's included (separate
 *    multiplies and adds, IEEE division, integer bit operations; scripts/kernels/elementwise.py),
 *    so every tier gives the scalar kernel's bits (NaN payloads aside), except gelu on the
 *    FMA tiers avx2, avx512skx and neon: the same formula with its multiply-adds fused (and
 *    w^2's rounding error from an FMA), held to the same bound, not to the scalar bits
 *    (NaN / Inf results as below). gelu is the exact erf
 *    form x (1 + erf(x / sqrt 2)) / 2 (the gelu node, pqnn_define_gelu), erf(x) a Taylor
 *    polynomial for |x| < 1/2 and 1 - erfc above, both on one erfc(u) = t exp(P(t) - u^2)
 *    with an exactly split exponent; log(x) = e ln 2 + 2 atanh((m - 1) / (m + 1)).
 *    Bounds against a double reference over the whole float range (every 4093rd bit pattern
 *    and [1/8, 8] densely; test/microkernels/elementwise-test.cc): gelu 2^-21 relative (8 ulp)
 *    for results of magnitude >= 2^-126 and 1e-44 absolute below (worst seen 5.3 ulp), erf 4 ulp (2.6), log
 *    4 ulp (1.9). gelu(-inf) = -0 (inputs below -16 act as -16), gelu(+inf) = +inf,
 *    erf(+-inf) = +-1, erf(-0) = -0, log(+-0) = -inf, log(x < 0) = NaN, log(+inf) = +inf,
 *    NaN in gives NaN out.
 * f16 is served by these kernels on f32 blocks widened from f16 and rounded once
 * (src/runtime/node-kernels-elementwise.c). */
typedef void (*pqnn_vunary_ukernel_fn)(size_t n, const float* x, float* y, const void* params);
typedef void (*pqnn_vbinary_ukernel_fn)(size_t n, const float* a, const float* b, float* y,
    const void* params);

/* Multiply-add chain (f32-vmuladd; the channel-scale tail of a layer with a folded multiply,
 * src/runtime/runtime-ops-scaled.c): for i < n (n > 0), v = clamp(a[i] * b[i], min[0],
 * max[0]), then v = clamp(v + r[i], min[1], max[1]) where r is not NULL, then
 * v = clamp(v + u[i], min[2], max[2]) where u is not NULL, y[i] = v (params: struct
 * pqnn_f32_muladd_params). Each step is the f32-vbinary multiply or add of the same tier, with
 * its operand order and clamp, so a kernel gives the bits of those kernels called in turn;
 * every tier gives the scalar kernel's bits (NaN payloads aside). Nothing past n is read or
 * written; y may be the same pointer as a, b or r (no other overlap). */
typedef void (*pqnn_vmuladd_ukernel_fn)(size_t n, const float* a, const float* b,
    const float* r, const float* u, float* y, const void* params);

/* Select (x32-vselect: f32, x16-vselect: f16, moved as 32- / 16-bit patterns):
 * y[i] = (c[i] & 0x7F..F) != 0 ? a[i] : b[i] for i < n (n > 0): the condition is nonzero
 * unless it is +0 or -0 (NaN and denormals count as true, whatever FTZ / DAZ), the element
 * chosen is copied bit for bit (Inf, NaN payloads, -0 untouched). Every tier gives the
 * scalar kernel's bits. Nothing past n is read or written; y may be the same pointer as an
 * input (no other overlap). */
typedef void (*pqnn_vselect_ukernel_fn)(size_t n, const void* c, const void* a, const void* b,
    void* y);

/* The one-pass output epilogue (f32-vunary-affine; tile: the activation, "identity" for
 * none): y = clamp(act(y) * scale + bias) in place, per channel, over `rows` > 0 rows of
 * `channels` > 0 floats y_stride bytes apart. weights: the packed 1x1 depthwise weights
 * of the affine, tiles of [tile f32 bias][tile f32 scale], from a tile boundary (the first
 * channel is lane 0 of a tile); `tile` a multiple of the kernel's vector; whole vectors of
 * weights are read inside a tile. act_params: struct pqnn_f32_elementwise_params of the
 * activation; params: struct pqnn_f32_minmax_params, the affine's bounds. The activation
 * is the tier's f32-vunary kernel's arithmetic and the affine that of the tier's 1x1
 * DWCONV kernel (fmadd on AVX2 / AVX512F; bias + x * scale then + 0.0f on SSE2, scalar and
 * NEON (vfmaq there); bias + x * scale on WASM; then its clamp), so a kernel gives those
 * two kernels' bits one after the other (src/configs/epilogue-config.c pairs them). Nothing
 * past `channels` of a row is read or written. */
typedef void (*pqnn_vunary_affine_ukernel_fn)(size_t rows, size_t channels, float* y,
    size_t y_stride, const float* weights, size_t tile, const void* act_params,
    const void* params);
/* Softmax rows (f32-rmax, f32-expsum; tile u<N>: N elements per main-loop step), the
 * passes of the softmax node (src/runtime/node-kernels-f32.c). n > 0 elements are read
 * (and written), nothing past them.
 * RMAX    *max = the largest element of x[0, n) that is not NaN (NaN elements are ignored;
 *   -inf when all are NaN). Exact on every tier.
 * EXPSUM  y[i] = exp(x[i] - max) (the f32 difference) and *sum = the sum of the y[i], in
 *   an order of the tier's (vector lanes and the kernel's partial sums, added up at the
 *   end; the scalar kernel: element i in partial i % 4); y may be the same pointer as x (no
 *   other overlap). The caller passes a max >= every x[i] (x[i] - max <= 0). The f32-vunary
 *   exp bound on every tier (4 ulp; 1e-37 absolute below 2^-125): sse2, avx2, neon and
 *   wasmsimd evaluate that kernel's polynomial without its upper clamp, avx512skx
 *   2^(n/16) (a 16-entry table) times a degree-3 polynomial on |r| <= ln 2 / 32, the scalar
 *   kernel expf. x[i] - max NaN (a NaN element, +inf - +inf, -inf - -inf) gives y[i] NaN
 *   and a NaN sum; x[i] - max below -86.64 (and -inf below a finite max) gives 0 on the
 *   SIMD tiers (expf's denormals down to -103.9 on the scalar one). */
typedef void (*pqnn_rmax_ukernel_fn)(size_t n, const float* x, float* max);
typedef void (*pqnn_expsum_ukernel_fn)(size_t n, const float* x, float max, float* y, float* sum);

/* Winograd F(4x4, 3x3) transform lines (f32-winograd-input, f32-winograd-output; tile
 * c<W>: W channels per step), the transforms of src/operators/winograd-path.c. Each
 * streams `channels` > 0 floats per line; the formulas are those of the scalar kernel,
 * evaluated in its order with adds, subtracts and multiplications by 2, 4, 5, 8 only, so
 * every tier gives its bits (no FMA). Outputs must not overlap inputs.
 * INPUT   d[0..5]: six input streams; writes o_k = sum_j BT[k][j] d_j (k = 0..5) to
 *   o + k * o_stride (bytes):
 *     s24 = d4 - 4 d2, s13 = d3 - 4 d1, t24 = d4 - d2, t13 = 2 (d3 - d1),
 *     o0 = 4 d0 - 5 d2 + d4, o1 = s24 + s13, o2 = s24 - s13, o3 = t24 + t13,
 *     o4 = t24 - t13, o5 = 4 d1 - 5 d3 + d5.
 * OUTPUT  m_j = m + j * m_stride (bytes), j = 0..5; writes y[k] (k = 0..3; two may be the
 *   same pointer, the last store wins) = clamp(bias + s_k, min, max), params a
 *   struct pqnn_f32_minmax_params, clamp as `v < min ? min : v`, then `v > max ? max : v`:
 *     p12 = m1 + m2, n12 = m1 - m2, p34 = m3 + m4, n34 = m3 - m4,
 *     s0 = m0 + p12 + p34, s1 = n12 + 2 n34, s2 = p12 + 4 p34, s3 = n12 + 8 n34 + m5.
 *   Returns nonzero when any bias + s_k (before the clamp) is not finite, else 0. */
typedef void (*pqnn_winograd_input_ukernel_fn)(size_t channels, const float** d, float* o,
    size_t o_stride);
typedef int (*pqnn_winograd_output_ukernel_fn)(size_t channels, const float* m,
    size_t m_stride, float** y, const float* bias, const void* params);

/* f32-tgemm (a GEMM of few columns with the pixels across the vector lanes; the transposed
 * convolution's taps): for pixels i < mr (<= MR) and columns n < nc (<= NR):
 *   c[n / cg][i][n % cg] = clamp(w[n] + sum_{k < kc / 4} a_i[k] * w[NR + k * NR + n])
 * with a_i = a + i * a_stride bytes, w the f32 GEMM packing of one NR-column panel (kr 1:
 * NR biases, then a row of NR weights per k), the columns in groups of cg (nc a multiple
 * of cg), group g's pixel i at c + g * cg_stride + i * cm_stride bytes, its cg columns
 * contiguous; clamp to params (struct pqnn_f32_minmax_params) as in the GEMM. kc > 0,
 * mr > 0. The SIMD kernels sum with FMAs in their own order (within rounding of the
 * scalar kernel's products summed in k order). */
typedef void (*pqnn_f32_tgemm_ukernel_fn)(size_t mr, size_t nc, size_t kc, const float* a,
    size_t a_stride, const float* w, float* c, size_t cm_stride, size_t cg, size_t cg_stride,
    const void* params);

/* Every kernel of this build, from the per-family lists. */
#include "microkernels/declarations.h"

#endif  /* PQNN_MICROKERNELS_H_ */
