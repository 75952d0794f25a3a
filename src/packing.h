/*
 * Weight packing: once, at create time, into the panel order the microkernels read
 * (layouts: src/microkernels.h). Every GEMM/IGEMM packer takes the same geometry:
 *   groups, nc (output channels per group), ks (taps; 1 for fully connected and 1x1),
 *   kc (input channels per group), nr, kr (the kernel's tile), and a kernel of layout
 *   [groups][nc][ks][kc] (OHWI per group), or, with transposed (fully connected with
 *   PQNN_FLAG_TRANSPOSE_WEIGHTS, groups = ks = 1), [kc][nc].
 * Output: for each group, ceil(nc / nr) panels of
 *   [nr prefix][ks x ceil(kc/kr) groups of nr x kr elements][nr suffix], zero-padded.
 * Depthwise packers take kernel [taps][channels] and write channel tiles of ct:
 *   [ct prefix][taps x ct elements][ct suffix].
 * Absent bias (NULL) packs as zero.
 * f32 packers write a subnormal weight or bias (0 < |v| < FLT_MIN) as a zero of its sign:
 * on Intel cores every FMA with a subnormal operand takes a microcode assist, and trained
 * models carry such weights (PaddleOCR det's 20x20x384 5x5 depthwise layer p2o.Conv.31
 * holds 24 of its 9,600: 0.56 ms against 0.15 for its twin p2o.Conv.29 on a Xeon with
 * AVX512). The change to a result is below FLT_MIN times an input, on every tier alike.
 */
#ifndef PQNN_PACKING_H_
#define PQNN_PACKING_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common.h"

/* Bytes of a packed GEMM/IGEMM weight buffer; 0 on overflow. */
PQNN_INTERNAL size_t pqnn_packed_gemm_size(size_t groups, size_t nc, size_t ks, size_t kc,
    size_t nr, size_t kr, size_t element_size, size_t prefix_size, size_t suffix_size);
/* Bytes of one group's packed weights (the stride between groups). */
PQNN_INTERNAL size_t pqnn_packed_gemm_group_size(size_t nc, size_t ks, size_t kc, size_t nr,
    size_t kr, size_t element_size, size_t prefix_size, size_t suffix_size);
/* Bytes of a packed depthwise weight buffer; 0 on overflow. */
PQNN_INTERNAL size_t pqnn_packed_dwconv_size(size_t channels, size_t taps, size_t ct,
    size_t element_size, size_t prefix_size, size_t suffix_size);

/* f32: prefix = f32 bias, no suffix, kr = 1 expected (any kr works). */
PQNN_INTERNAL void pqnn_pack_f32_gemm(size_t groups, size_t nc, size_t ks, size_t kc,
    size_t nr, size_t kr, bool transposed, const float* kernel, const float* bias,
    void* packed);
PQNN_INTERNAL void pqnn_pack_f32_dwconv(size_t channels, size_t taps, size_t ct,
    const float* kernel, const float* bias, void* packed);

/* qs8 / qs8_qc8w: prefix i32 bias' = bias[g*nc+n] - zero_point_adjust * (sum of the
 * channel's ks*kc weights), suffix f32 scale[g*nc+n] (the requantization scale; per-tensor
 * callers replicate it). zero_point_adjust = input_zero_point + the config's input_offset.
 * Implemented in src/packing-int8.c. */
PQNN_INTERNAL void pqnn_pack_qs8_gemm(size_t groups, size_t nc, size_t ks, size_t kc,
    size_t nr, size_t kr, bool transposed, const int8_t* kernel, const int32_t* bias,
    const float* scale, int32_t zero_point_adjust, void* packed);
/* qd8 x qc8w: prefix i32 ksum (sum of the channel's weights), suffix f32 kernel_scale
 * then f32 bias (zero when bias is NULL). Implemented in src/packing-int8.c. */
PQNN_INTERNAL void pqnn_pack_qd8_gemm(size_t groups, size_t nc, size_t ks, size_t kc,
    size_t nr, size_t kr, bool transposed, const int8_t* kernel, const float* kernel_scale,
    const float* bias, void* packed);
/* 4-bit weights (qd8 x qc4w / qb4w), fully connected only (groups = ks = 1, not transposed):
 * kernel [nc][ceil(kc / 2)] bytes of signed nibbles (even k low, odd k high); w[n][k]'s scale
 * is scale[n * scale_stride + k / user_block]. Panels of nr columns, in blocks of `block` k
 * (a multiple of kr = 8, each inside one user block):
 *   [nr f32 fsum][per block: ceil(len / 8) groups of nr x 4 bytes, nr f32 scale / 16][nr f32 bias]
 * fsum[n] = sum over blocks of scale * (sum of the block's weights), rounded once from
 * double. Implemented in src/packing-4bit.c; the size is 0 on overflow or a bad geometry. */
PQNN_INTERNAL size_t pqnn_packed_4bit_gemm_size(size_t nc, size_t kc, size_t nr, size_t kr,
    size_t block);
PQNN_INTERNAL void pqnn_pack_4bit_gemm(size_t nc, size_t kc, size_t nr, size_t kr,
    size_t block, const uint8_t* kernel, const float* scale, size_t scale_stride,
    size_t user_block, const float* bias, void* packed);
/* qs8 depthwise: prefix i32 bias' = bias - input_zero_point * (sum of the channel's taps),
 * data taps x ct int8, suffix f32 scale. tap_group 1: taps x ct; tap_group 4 (the vpdpbusd
 * kernels, which read x + 128: pass input_zero_point + 128): ceil(taps / 4) quads x ct x 4,
 * taps past the kernel zero, channels in pqnn_qs8_dwconv_channel_order (size:
 * pqnn_packed_dwconv_size(channels, round_up(taps, 4), ct, 1, 4, 4)). Implemented in
 * src/packing-qs8-dwconv.c. */
PQNN_INTERNAL void pqnn_pack_qs8_dwconv(size_t channels, size_t taps, size_t ct,
    size_t tap_group, const int8_t* kernel, const int32_t* bias, const float* scale,
    int32_t input_zero_point, void* packed);
/* The channel (0..ct-1 within its tile) at position `slot` of a qs8 dwconv tile: slot
 * itself for tap_group 1; for tap_group 4 and ct a multiple of 16, accumulator k = slot /
 * (ct / 4), int32 lane l = slot % (ct / 4) holds channel 16 (l / 4) + 4 k + l % 4 (the order
 * of the in-lane byte-then-word unpacks of scripts/kernels/dwconv_dpbusd.py). */
PQNN_INTERNAL size_t pqnn_qs8_dwconv_channel_order(size_t ct, size_t tap_group, size_t slot);
/* The tap (0..taps-1) held by slot `slot` of the int8 tap quads (tap_group 4; quad slot / 4,
 * position slot % 4), SIZE_MAX for a zero-weight slot: 9 taps go by kernel columns (quad q
 * = taps q, q + 3, q + 6, then a zero: the row kernels interleave one input column per
 * quad and reuse it for the next output), any other count in order, zeros past it. */
PQNN_INTERNAL size_t pqnn_dwconv_quad_tap(size_t taps, size_t slot);
/* qd8 depthwise, per channel tile of ct: [ct i32 ksum][ceil(taps / 2) pairs x ct x
 * (int16 w[2p], int16 w[2p + 1])][ct f32 kernel_scale][ct f32 bias] (ksum = sum of the
 * channel's taps; a missing odd tap, padding channels and a NULL bias pack as 0). The ct
 * channels of a tile are stored in pqnn_qd8_dwconv_channel_order (the kernels' lane order,
 * scripts/kernels/qd8_dwconv.py). Size: pqnn_packed_dwconv_size(channels, round_up(taps,
 * 2), ct, 2, 4, 8). tap_group 4 (the vpdpbusd kernels): int8 tap quads instead of the
 * pairs, [ceil(taps / 4) x ct x 4 i8], channels in pqnn_qs8_dwconv_channel_order (size:
 * pqnn_packed_dwconv_size(channels, round_up(taps, 4), ct, 1, 4, 8)); any other tap_group
 * packs pairs. Implemented in src/packing-qs8-dwconv.c. */
PQNN_INTERNAL void pqnn_pack_qd8_dwconv(size_t channels, size_t taps, size_t ct,
    size_t tap_group, const int8_t* kernel, const float* kernel_scale, const float* bias,
    void* packed);
/* The channel (0..ct-1 within its tile) stored at position `slot` of a qd8 dwconv tile:
 * for ct >= 8, slots [0, ct/2) hold channels 8i..8i+3 and slots [ct/2, ct) channels
 * 8i+4..8i+7, i = 0, 1, ... (the order 128-bit-lane int16 unpacks produce). */
PQNN_INTERNAL size_t pqnn_qd8_dwconv_channel_order(size_t ct, size_t slot);
/* f16: prefix f16 bias; kernel and bias are f16 (uint16_t), or f32 converted with round
 * to nearest even when from_f32. Implemented in src/packing-f16.c. */
PQNN_INTERNAL void pqnn_pack_f16_gemm(size_t groups, size_t nc, size_t ks, size_t kc,
    size_t nr, size_t kr, bool transposed, bool from_f32, const void* kernel,
    const void* bias, void* packed);
PQNN_INTERNAL void pqnn_pack_f16_dwconv(size_t channels, size_t taps, size_t ct,
    bool from_f32, const void* kernel, const void* bias, void* packed);

#endif  /* PQNN_PACKING_H_ */
