/*
 * Internal node kernels of the runtime (src/runtime): the elementwise, broadcast-add, pooling,
 * softmax and quantize/dequantize nodes that have no public operator.
 *
 * Plain C11 loops, no per-ISA files: the f32 work is done in blocks of PQNN_NODE_BLOCK
 * elements through local arrays, so gcc (-O2, "very cheap" vectorizer: constant trip count) and
 * clang vectorize them, and so that the in-place cases are safe without restrict.
 * Each function works on a [start, end) range of rows/pixels/images so the caller can split
 * the work with pthreadpool; ranges with start >= end do nothing. The caller validates shapes:
 * these functions do no argument checking (no NULL checks, no overflow checks), but they never
 * read or write outside the documented extents of their arguments. A pointer is only offset to
 * access an element, so an array with nothing to access (n == 0, channels == 0, ...) may be NULL.
 *
 * f16 variants read and write IEEE half-precision bit patterns (uint16_t). They convert blocks of
 * PQNN_NODE_BLOCK elements to f32 with the library's convert kernels (pqnn_get_convert_config(),
 * exact f16 -> f32 and round-to-nearest-even f32 -> f16; call them after pqnn_initialize(), or
 * the portable scalar converters are used), compute exactly as the f32 kernel does, and round
 * the f32 result to f16 once. So an f16 result is exactly fp16(f32 kernel result on the widened
 * input), bit for bit.
 *
 * Clamping, everywhere: v = v < min ? min : v; v = v > max ? max : v. A NaN passes through
 * unchanged; min <= max is required; +-INFINITY means no bound on that side. For f16 outputs
 * the clamp happens in f32 before the rounding to f16.
 *
 * Aliasing: "y may equal x" means exactly equal pointers (in place); partial overlap is never
 * allowed.
 *
 * qs8 (signed 8-bit, asymmetric) arithmetic, shared by global average pooling and quantize (add2
 * is integer arithmetic: see pqnn_node_qs8_add2), written so that a reference in float arithmetic is bit-exact (the library is built
 * with -ffp-contract=off: every product and sum below is rounded to float on its own):
 *   f  = the kernel's float value of the output in units of the output scale (see each kernel)
 *   lo = (float) (qmin - y_zero_point); hi = (float) (qmax - y_zero_point)
 *   f  = f >= lo ? f : lo;  f = f <= hi ? f : hi      (NaN -> lo, so NaN yields qmin)
 *   q  = (int8_t) ((int32_t) ((f + 0x1.8p23f) - 0x1.8p23f) + y_zero_point)
 * The magic-number add rounds |f| <= 2^22 to the nearest integer, ties to even (the method of
 * the qs8 scalar kernels, src/microkernels/qs8-*). Zero points must be in [-128, 127],
 * qmin <= qmax, and scales finite and > 0.
 */
#ifndef PQNN_RUNTIME_NODE_KERNELS_H_
#define PQNN_RUNTIME_NODE_KERNELS_H_

#include <stddef.h>
#include <stdint.h>

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Elements per block of the blocked loops (and of the f16 <-> f32 staging buffers). */
#define PQNN_NODE_BLOCK 64

/* ---- Elementwise over n contiguous elements; y may equal x. ---------------------------- */

/* y[i] = clamp(x[i], min, max). NaN stays NaN. Defined in node-kernels-elementwise.c (the
 * f32-vunary clamp microkernel of the tier). */
PQNN_INTERNAL void pqnn_node_f32_clamp(size_t n, const float* x, float* y, float min, float max);
PQNN_INTERNAL void pqnn_node_f16_clamp(size_t n, const uint16_t* x, uint16_t* y, float min, float max);

/* GELU, exact erf form 0.5 * x * (1 + erf(x / sqrt(2))): the tier's f32-vunary gelu kernel
 * (node-kernels-elementwise.c; the same bits on the tiers without FMA, fused multiply-adds on
 * avx2 / avx512skx / neon: src/microkernels.h). Relative error
 * below 2^-21 (measured over the whole float range: 5.3 ulp) for every input whose result
 * is a normal float, including the negative tail (computed as 0.5 * x * erfc(-x / sqrt 2), no
 * 1 + erf cancellation); denormal results within 1e-44. Inputs below -16 are treated as -16
 * (GELU(-16) is below the smallest denormal): GELU(-inf) = -0.0, GELU(+inf) = +inf,
 * GELU(NaN) = NaN. */
PQNN_INTERNAL void pqnn_node_f32_gelu(size_t n, const float* x, float* y);
PQNN_INTERNAL void pqnn_node_f16_gelu(size_t n, const uint16_t* x, uint16_t* y);

/* ---- add2 with broadcasting ---------------------------------------------------------------
 * The output is dense row-major [shape[0]][shape[1]][shape[2]][shape[3]]. a_stride / b_stride
 * give, per output dim, the element stride of a and b (0 = broadcast along that dim). A "row"
 * is one index (i0, i1, i2) of the first three dims, row = (i0 * shape[1] + i1) * shape[2] + i2;
 * the kernel writes rows [row_start, row_end), i.e. y[row * shape[3] + i3], reading
 *   a[i0*a_stride[0] + i1*a_stride[1] + i2*a_stride[2] + i3*a_stride[3]] (and b likewise).
 * Any strides are accepted; a_stride[3], b_stride[3] in {0, 1} take the vectorized paths.
 * y may equal a (resp. b) only when that input is not broadcast, i.e. its strides are exactly
 * the dense output strides {shape[1]*shape[2]*shape[3], shape[2]*shape[3], shape[3], 1}
 * (dims of size 1 may have any stride). */
struct pqnn_add2_shape { size_t shape[4]; size_t a_stride[4]; size_t b_stride[4]; };

/* Rewrites s into the canonical form of the same computation (same y, same elements of a and
 * b; add2-shape.c): dims of size 1 dropped and neighbouring dims merged where both inputs walk
 * them as one, right-aligned (a same-shape pair becomes rows of one long run, a scalar input
 * stride 0 everywhere, a per-channel input [pixels][C] with stride 0 across rows); a long
 * innermost dim under few rows is cut into rows of 1024..8192 elements (when its length has
 * such a divisor) so that rows can be split over threads. An input that may alias y (dense
 * strides) keeps dense strides. */
PQNN_INTERNAL void pqnn_add2_shape_simplify(struct pqnn_add2_shape* s);

/* y = clamp(a + b, min, max). */
PQNN_INTERNAL void pqnn_node_f32_add2(const struct pqnn_add2_shape* s, size_t row_start, size_t row_end,
    const float* a, const float* b, float* y, float min, float max);
PQNN_INTERNAL void pqnn_node_f16_add2(const struct pqnn_add2_shape* s, size_t row_start, size_t row_end,
    const uint16_t* a, const uint16_t* b, uint16_t* y, float min, float max);
/* qs8: integer arithmetic, the qs8-vadd kernels' contract (src/microkernels.h VADD) with the
 * params of pqnn_init_qs8_add_params (src/qs8-params.h): a_scale / y_scale and b_scale / y_scale
 * as 15-bit fixed-point multipliers with one shared shift, the zero points and the rounding
 * constant folded into an int32 bias, round half up, clamp into [qmin, qmax]; the same int8 on
 * every ISA. Within one output unit of the real sum whenever the multipliers keep 10 bits (a
 * ratio below 2^-21 of the other's loses them); exact ties of the real sum round up, not to
 * even as the f32 <-> qs8 converts do. A broadcast input (stride 0 in the last dim) is added
 * with the same arithmetic. */
PQNN_INTERNAL void pqnn_node_qs8_add2(const struct pqnn_add2_shape* s, size_t row_start, size_t row_end,
    const int8_t* a, int32_t a_zero_point, float a_scale, const int8_t* b, int32_t b_zero_point, float b_scale,
    int8_t* y, int32_t y_zero_point, float y_scale, int8_t qmin, int8_t qmax);

/* ---- Global average pooling, NHWC ----------------------------------------------------------
 * x: images of [pixels][channels] (image n at x + n * pixels * channels), y: [channels] per
 * image (image n at y + n * channels); images [n_start, n_end). y must not overlap x.
 * f32/f16: sum over the pixels in f32, in pixel order, then y = clamp(sum * (1.0f / pixels)).
 * pixels == 0 gives clamp(0).
 * qs8: s = exact integer sum of x over the pixels (64-bit), m = x_scale / (y_scale * (float)
 * pixels) (float arithmetic as written), f = (float) (s - pixels * x_zero_point) * m, then the
 * qs8 rounding and clamp into [qmin, qmax]. pixels == 0 gives clamp(rne(0) + y_zero_point). */
PQNN_INTERNAL void pqnn_node_f32_global_average_pooling(size_t n_start, size_t n_end, size_t pixels, size_t channels,
    const float* x, float* y, float min, float max);
/* f32 with sums in double, rounded once: the mean of a commuted pooling
 * (runtime-pass-sefold.c), which the 1x1 layer after it maps with cancellation, so an f32
 * sum's drift over many pixels (up to pixels * eps of the mean) would be amplified. */
PQNN_INTERNAL void pqnn_node_f32_global_average_pooling_f64(size_t n_start, size_t n_end,
    size_t pixels, size_t channels, const float* x, float* y, float min, float max);
PQNN_INTERNAL void pqnn_node_f16_global_average_pooling(size_t n_start, size_t n_end, size_t pixels, size_t channels,
    const uint16_t* x, uint16_t* y, float min, float max);
PQNN_INTERNAL void pqnn_node_qs8_global_average_pooling(size_t n_start, size_t n_end, size_t pixels, size_t channels,
    const int8_t* x, int32_t x_zero_point, float x_scale, int8_t* y, int32_t y_zero_point, float y_scale,
    int8_t qmin, int8_t qmax);

/* ---- Max pooling, NHWC, one image ----------------------------------------------------------
 * x: [input_height][input_width][channels], y: [output_height][output_width][channels]; the
 * kernel writes output rows [oy_start, oy_end). Output (oy, ox) is the max over the window taps
 *   iy = oy * stride_height + ky * dilation_height - pad_top,   ky < pool_height
 *   ix = ox * stride_width  + kx * dilation_width  - pad_left,  kx < pool_width
 * that fall inside the input; taps in the padding are skipped (padding acts as -inf and never
 * wins). A NaN tap makes the output NaN. A window entirely in padding yields -inf, then the
 * clamp: clamp(-inf, min, max) = min. The result is clamp(max, min, max). The f16 variant is
 * exact: fp16(clamp(max of the widened taps)). pool, stride and dilation values must be >= 1;
 * any output size is safe (taps outside the input are skipped). y must not overlap x. */
struct pqnn_pool_geometry { size_t input_height, input_width, output_height, output_width, channels;
  size_t pad_top, pad_left;  /* size_t: TF SAME padding with a huge dilation exceeds 32 bits */
  uint32_t pool_height, pool_width, stride_height, stride_width, dilation_height, dilation_width; };
PQNN_INTERNAL void pqnn_node_f32_max_pooling(const struct pqnn_pool_geometry* g, size_t oy_start, size_t oy_end,
    const float* x, float* y, float min, float max);
PQNN_INTERNAL void pqnn_node_f16_max_pooling(const struct pqnn_pool_geometry* g, size_t oy_start, size_t oy_end,
    const uint16_t* x, uint16_t* y, float min, float max);

/* ---- Softmax over rows [row_start, row_end) of `channels` contiguous elements -------------
 * Row r is x + r * channels (y likewise); y may equal x. Per row, on the tier's softmax row
 * kernels (src/microkernels.h, f32-rmax / f32-expsum): m = max, e_i = exp(x_i - m) (the
 * f32-vunary exp's bound, 4 ulp; the C library's expf on the scalar tier),
 * s = sum of e_i (f32, in the expsum kernel's order: per vector lane and partial sum,
 * added up at the end), y_i = e_i * (1.0f / s). The order of s is the tier's, so results
 * differ between tiers by the sum's rounding (a few ulp of s) on top of the exp bound.
 * Max-subtracted, so no overflow for any finite input (1e30 and -1e30 alike). A row
 * holding a NaN or +inf, or only -inf, gives NaN in the whole row; -inf elements of other
 * rows give 0. channels == 0 does nothing. f16: the row in widened blocks of 256; m the
 * max of the block maxima, s the sum of the block sums in block order; the exponentials
 * are computed twice from the widened input (once for s, once for y, as y may equal x),
 * so y_i = fp16(exp(x_i - m) * (1.0f / s)). */
PQNN_INTERNAL void pqnn_node_f32_softmax(size_t row_start, size_t row_end, size_t channels, const float* x, float* y);
PQNN_INTERNAL void pqnn_node_f16_softmax(size_t row_start, size_t row_end, size_t channels, const uint16_t* x, uint16_t* y);

/* ---- Quantize / dequantize (qs8 boundary converts), n contiguous elements -------------------
 * quantize: f = x / scale (float division), then the qs8 rounding and clamp of the file comment
 * into [-128, 127] (NaN gives -128). dequantize: y = (float) (x - zero_point) * scale.
 * y must not overlap x. */
PQNN_INTERNAL void pqnn_node_f32_qs8_quantize(size_t n, const float* x, int8_t* y, int32_t zero_point, float scale);
PQNN_INTERNAL void pqnn_node_qs8_f32_dequantize(size_t n, const int8_t* x, float* y, int32_t zero_point, float scale);

#ifdef __cplusplus
}  /* extern "C" */
#endif

#endif  /* PQNN_RUNTIME_NODE_KERNELS_H_ */
