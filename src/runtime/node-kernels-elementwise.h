/*
 * Elementwise binary and unary node kernels (pqnn_define_binary / pqnn_define_unary). Same
 * conventions as node-kernels.h: plain C11 blocked loops over PQNN_NODE_BLOCK elements, no
 * argument checking, [start, end) ranges, "y may equal x" means exactly equal pointers, and
 * the f16 variants compute exactly as the f32 kernel on the widened input and round once
 * (an f16 result is fp16(f32 kernel result), bit for bit). The formulas and accuracy are
 * those of pqnn_define_binary / pqnn_define_unary in include/pqnn.h.
 */
#ifndef PQNN_RUNTIME_NODE_KERNELS_ELEMENTWISE_H_
#define PQNN_RUNTIME_NODE_KERNELS_ELEMENTWISE_H_

#include <stddef.h>
#include <stdint.h>

#include <pqnn.h>

#include "runtime/node-kernels.h"

#ifdef __cplusplus
extern "C" {
#endif

/* y = clamp(a OP b, min, max) over rows [row_start, row_end) of the broadcast shape s, read
 * exactly as pqnn_node_f32_add2 reads it (same aliasing rules). op: a pqnn_binary_operator
 * other than invalid. */
PQNN_INTERNAL void pqnn_node_f32_binary(enum pqnn_binary_operator op, const struct pqnn_add2_shape* s,
    size_t row_start, size_t row_end, const float* a, const float* b, float* y, float min, float max);
PQNN_INTERNAL void pqnn_node_f16_binary(enum pqnn_binary_operator op, const struct pqnn_add2_shape* s,
    size_t row_start, size_t row_end, const uint16_t* a, const uint16_t* b, uint16_t* y, float min,
    float max);

/* y[i] = OP(x[i]) for n contiguous elements; y may equal x. op: a pqnn_unary_operator other
 * than invalid; p: alpha / beta (read by leaky_relu and hardsigmoid only, never NULL). */
PQNN_INTERNAL void pqnn_node_f32_unary(enum pqnn_unary_operator op, const struct pqnn_unary_params* p,
    size_t n, const float* x, float* y);
PQNN_INTERNAL void pqnn_node_f16_unary(enum pqnn_unary_operator op, const struct pqnn_unary_params* p,
    size_t n, const uint16_t* x, uint16_t* y);

/* A residual fused into a binary / add2 node (runtime-passes.c): y[i] = clamp(y[i] + r[i],
 * min, max) for n contiguous elements, as the add2 kernel would compute it from y and r
 * (f16: widened, added in f32, rounded once); r must not overlap y. */
PQNN_INTERNAL void pqnn_node_f32_residual(size_t n, float* y, const float* r, float min,
    float max);
PQNN_INTERNAL void pqnn_node_f16_residual(size_t n, uint16_t* y, const uint16_t* r, float min,
    float max);

#ifdef __cplusplus
}  /* extern "C" */
#endif

#endif  /* PQNN_RUNTIME_NODE_KERNELS_ELEMENTWISE_H_ */
